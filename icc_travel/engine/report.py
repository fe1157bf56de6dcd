"""The shareable report page as plain data: an itinerary, a set of recorded tracks or a subject
alone, with the map, the table, each answer's reasons and tiered sources, disputed readings,
precedents and the sealed-warrant caveat.

Built from the same JSON shapes `check`, `track` and `subject` print (stop_json, track_json,
profile_json), so the page says exactly what the commands say. Nothing here depends on the
clock: the only dates are those the answer is about and the data's as-of date, so the same input
gives the same page byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icc_travel import law
from icc_travel.data.models import Dataset, Subject
from icc_travel.data.sources import TIERS
from icc_travel.engine.check import CheckResult, relevant_precedents
from icc_travel.engine.contract import obligation_json, precedent_json, profile_json, stop_json
from icc_travel.engine.staleness import staleness_warning
from icc_travel.geo.places import no_state_label
from icc_travel.vocabulary import LEVEL_LOOKS, Level

if TYPE_CHECKING:
    from icc_travel.engine.results import TracksResult

# What each level means, in words beside its colour (vocabulary.LEVEL_LOOKS: one table for every output).
LEVEL_WORDS = {level: look.words for level, look in LEVEL_LOOKS.items()}
LEVEL_COLOURS = {level: look.colour for level, look in LEVEL_LOOKS.items()}


def itinerary_page(dataset: Dataset, result: CheckResult, *, name: str, on: dt.date | None) -> dict[str, Any]:
    """An itinerary's page: one row and one explanation per stop; the map on `on`, else on the
    first stop's date."""
    subject = result.subject
    stops = [stop_json(stop, result.data_as_of) for stop in result.stops]
    dates = sorted(stop["date"] for stop in stops)
    map_date = on or dt.date.fromisoformat(dates[0])
    rows, explanations = [], []
    for number, (stop, found) in enumerate(zip(stops, result.stops, strict=True), 1):
        place = stop["input"] + (f" ({found.place.detail})" if found.place.detail else "")
        state = stop["country"]["name"] if stop["country"] else no_state_label(found.place.lat)
        if found.place.territory is not None and found.place.territory.territory:
            state = found.place.territory.label
        anchor = f"stop-{number}"
        rows.append(
            {
                "id": anchor,
                "number": number,
                "date": stop["date"],
                "kind": stop["kind"],
                "place": place,
                "state": state,
                **_answer(stop),
                "why": f"why-{number}",
            }
        )
        explanations.append(
            _explanation(f"why-{number}", f"Stop {number}: {place}, {state}, {stop['date']} ({stop['kind']})", stop)
        )
    legs = [
        {
            "from": leg["from"],
            "to": leg["to"],
            "km": leg["distance_km"],
            "overflown": [{"name": o["name"], "km": o["km"], **_answer(o)} for o in leg["overflown"]],
        }
        for leg in _legs(result)
    ]
    concerned: dict[str, dt.date] = {}
    for found in result.stops:
        if found.place.territory is not None:
            concerned.setdefault(found.place.territory.iso3, found.spec.date)
    worst = result.worst()
    count = sum(1 for stop in stops if stop["obligation"] == worst)
    lead = (
        f"{count} of {len(stops)} stop{'s' if len(stops) != 1 else ''} "
        f"{'carries' if count == 1 else 'carry'} the strongest level found: {worst.upper()}, {LEVEL_WORDS[worst]}."
    )
    span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    return _page(
        dataset,
        subject,
        kind="itinerary",
        title=f"{subject.name}: itinerary {name}, {span}",
        lead=lead,
        map_date=map_date,
        map_note=None if dates == [map_date.isoformat()] else _map_note(map_date, "stop"),
        stops=result.stops,
        tracks=(),
        table={
            "caption": f"Stops of {name}: the obligation at each, on its own date",
            "columns": [
                ("number", "#"),
                ("date", "Date"),
                ("kind", "Kind"),
                ("place", "Place"),
                ("state", "State"),
                ("obligation", "Obligation"),
                ("basis", "Basis"),
                ("confidence", "Confidence"),
                ("why", "Reasons"),
            ],
            "rows": rows,
        },
        legs=legs,
        explanations=explanations,
        precedents=_precedents(dataset, subject, concerned),
        warnings=[w for w in [result.staleness()] if w],
        aircraft=[],
    )


def track_page(dataset: Dataset, analysed: TracksResult, *, on: dt.date | None) -> dict[str, Any]:
    """Recorded tracks' page: one row per segment and landing; explanations shared by rows with
    the same answer (a track crosses one state many times); the map on the first fix's date."""
    from icc_travel.engine.contract import flat_records, tracks_documents
    from icc_travel.engine.track import GAP_INFERRED_NOTE, LANDED_UNSEEN_NOTE

    results, subject, subject_from_aircraft = analysed.tracks, analysed.subject, analysed.subject_from_aircraft
    documents = tracks_documents(analysed)
    starts = [r.track.fixes[0].time.date() for r in results]
    map_date = on or min(starts)
    rows: list[dict[str, Any]] = []
    explanations: list[dict[str, Any]] = []
    known: dict[str, str] = {}
    concerned: dict[str, dt.date] = {}
    aircraft = []
    for number, document in enumerate(documents, 1):
        file = Path(document["file"]).name
        plane = document["aircraft"]
        aircraft.append(
            {
                "number": number,
                "file": file,
                "start": document["start"],
                "end": document["end"],
                "points": document["points"],
                "gaps": [
                    {**g, "note": LANDED_UNSEEN_NOTE if g.get("landed_unseen") else GAP_INFERRED_NOTE}
                    for g in document["gaps"]
                ],
                "suspect": document["quality"]["suspect"],
                "flights": len(document["flights"]),
                **plane,
            }
        )
        items = [*document["segments"], *document["landings"]]
        # landings among the segments, in time order as the caption says (a stable sort: a
        # segment and a landing at the same second keep that order)
        paired = sorted(
            zip(flat_records(document), items, strict=True), key=lambda pair: pair[0]["time"] or pair[0]["until"] or ""
        )
        moment = document["start"]  # an inferred segment (in a gap) has no time: the gap's start is near
        for index, (record, item) in enumerate(paired, 1):
            moment = record["time"] or record["until"] or moment
            key = repr((item["name"], item["obligation"], item["basis"], item["reasons"], item["disputed"]))
            if key not in known:
                known[key] = f"why-{len(known) + 1}"
                where = item["name"] or "No state (high seas)"
                explanations.append(_explanation(known[key], f"{where}: {item['obligation']}", item))
            landing = record["record"] == "landing"
            if item["iso3"] and item["obligation"] != law.NONE:
                concerned.setdefault(item["iso3"], dt.date.fromisoformat(moment[:10]))
            flight = "landing, " + record["airport"] if landing else ("airborne" if record["airborne"] else "on ground")
            if landing and item.get("inferred"):
                flight = "landed unseen (inferred), near " + record["airport"]
            if record["inferred"]:
                flight += ", inferred across a gap"
            if record.get("suspect"):
                flight += " of positions judged implausible (GNSS spoofing or jamming)"
            number_of_flight = next(
                (
                    f["number"]
                    for f in document["flights"]
                    if (landing and f["arrival"]["time"] == record["time"])
                    or (not landing and items.index(item) in f["segments"])
                ),
                None,
            )
            if number_of_flight is not None and len(document["flights"]) > 1:
                flight = f"flight {number_of_flight}: {flight}"
            rows.append(
                {
                    "id": f"track-{number}-{index}",
                    "track": number,
                    "time": record["time"] or "(in a gap)",
                    "until": record["until"] or "",
                    "state": record["state"] or "(no state: high seas)",
                    "km": "" if record["km"] is None else f"{record['km']:g}",
                    "flight": flight,
                    **_answer(item),
                    "why": known[key],
                }
            )
    worst = Level.worst(r.worst() for r in results)
    first, last = min(d["start"] for d in documents), max(d["end"] for d in documents)
    lead = f"The strongest level on the recorded track{'s' if len(results) != 1 else ''}: {worst.upper()}, {LEVEL_WORDS[worst]}."
    if subject_from_aircraft:
        lead += f" The subject is the one the data ties to the aircraft ({subject.id}): see the aircraft's caveat."
    days = [f.time.date() for r in results for f in (r.track.fixes[0], r.track.fixes[-1])]
    return _page(
        dataset,
        subject,
        kind="track",
        title=f"{subject.name}: recorded track{'s' if len(results) != 1 else ''}, {first} to {last}",
        lead=lead,
        map_date=map_date,
        map_note=None if {d.isoformat() for d in days} == {map_date.isoformat()} else _map_note(map_date, "segment"),
        stops=(),
        tracks=results,
        table={
            "caption": "Territories crossed and landings, in time order (UTC)",
            "columns": [
                ("track", "Track"),
                ("time", "From (UTC)"),
                ("until", "Until"),
                ("state", "State"),
                ("km", "km"),
                ("flight", "Flight"),
                ("obligation", "Obligation"),
                ("basis", "Basis"),
                ("why", "Reasons"),
            ],
            "rows": rows,
        },
        legs=[],
        explanations=explanations,
        precedents=_precedents(dataset, subject, concerned),
        warnings=[w for w in [staleness_warning(dataset.as_of, days)] if w],
        aircraft=aircraft,
    )


def subject_page(dataset: Dataset, subject: Subject, on: dt.date) -> dict[str, Any]:
    """A subject alone: every territory with a duty on the date (and any whose answer is
    disputed), with reasons and sources; the subject's own precedents."""
    situation = dataset.situations[subject.situation]
    rows, explanations = [], []
    ordered = sorted(dataset.territories, key=lambda t: (t.label.casefold(), t.iso3))
    for territory in ordered:
        obligation = law.obligation(subject, territory, on, situation)
        if obligation.level == law.NONE and obligation.disputed is None:
            continue
        answer = obligation_json(obligation)
        number = len(rows) + 1
        rows.append(
            {
                "id": f"territory-{territory.iso3.lower()}-{number}",
                "state": territory.label,
                "iso3": territory.iso3,
                **_answer(answer),
                "why": f"why-{number}",
            }
        )
        explanations.append(_explanation(f"why-{number}", f"{territory.label} ({territory.iso3})", answer))
    profile = profile_json(dataset, subject, on)
    counts = profile["territories_by_obligation"]
    if rows:
        lead = (
            f"On {on}: {counts[law.ARREST]} territories with an obligation to arrest, "
            f"{counts[law.CONTINUING]} with a continuing duty, {counts[law.NONE]} with none."
        )
    else:
        in_effect, reason = law.warrant_in_effect(subject, on)
        lead = f"On {on} no territory has an obligation. " + (reason if not in_effect else "")
    return _page(
        dataset,
        subject,
        kind="subject",
        title=f"{subject.name}: where an arrest is owed on {on}",
        lead=lead.strip(),
        map_date=on,
        map_note=None,
        stops=(),
        tracks=(),
        table={
            "caption": f"Territories with a duty on {on} (and any whose answer is disputed); "
            f"the {counts[law.NONE]} others have none",
            "columns": [
                ("state", "Territory"),
                ("iso3", "ISO"),
                ("obligation", "Obligation"),
                ("basis", "Basis"),
                ("confidence", "Confidence"),
                ("why", "Reasons"),
            ],
            "rows": rows,
        },
        legs=[],
        explanations=explanations,
        precedents=_group_precedents(dataset, profile["precedents"]),
        warnings=[w for w in [staleness_warning(dataset.as_of, [on])] if w],
        aircraft=[],
        profile=profile,
    )


def _page(
    dataset: Dataset,
    subject: Subject,
    *,
    kind: str,
    title: str,
    lead: str,
    map_date: dt.date,
    map_note: str | None,
    stops: Sequence[Any],
    tracks: Sequence[Any],
    table: dict[str, Any],
    legs: list[dict[str, Any]],
    explanations: list[dict[str, Any]],
    precedents: list[dict[str, Any]],
    warnings: list[str],
    aircraft: list[dict[str, Any]],
    profile: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from icc_travel.engine.tables import territory_levels, why_no_obligation
    from icc_travel.geo.svgmap import world_map

    levels = territory_levels(dataset, subject, map_date)
    world = world_map(dataset, map_date, levels, why_no_obligation(subject, map_date, levels), stops, tracks)
    drawn = [law.ARREST, law.CONTINUING, law.NONE]
    return {
        "kind": kind,
        "title": title,
        "lead": lead,
        "subject": profile or profile_json(dataset, subject, map_date),
        "data_as_of": dataset.as_of.isoformat(),
        "map": world,
        "map_caption": f"Territories coloured by the obligation to arrest {subject.name} on {map_date}."
        + (f" {map_note}" if map_note else "")
        + (f" {world['why_grey']}" if world["why_grey"] else ""),
        "legend": [{"level": level, "words": LEVEL_WORDS[level], "colour": LEVEL_COLOURS[level]} for level in drawn],
        "table": table,
        "legs": legs,
        "explanations": explanations,
        "precedents": precedents,
        "aircraft": aircraft,
        "warnings": warnings,
        "caveat": law.SEALED_WARRANT_CAVEAT,
        "tiers": list(TIERS),
        "levels": {level: {"words": LEVEL_WORDS[level], "colour": LEVEL_COLOURS[level]} for level in LEVEL_WORDS},
    }


def _answer(item: dict[str, Any]) -> dict[str, Any]:
    """The cells every row shows about its answer, from the JSON contract's fields."""
    disputed = item.get("disputed")
    return {
        "obligation": item["obligation"],
        "basis": item["basis"],
        "confidence": item.get("confidence", ""),
        "disputed": f"otherwise {disputed['obligation']} ({disputed['basis']})" if disputed else None,
        "local": bool(item.get("local_facts")),
    }


def _explanation(anchor: str, heading: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": anchor,
        "heading": heading,
        "obligation": item["obligation"],
        "basis": item["basis"],
        "confidence": item["confidence"],
        "reasons": item["reasons"],
        "sources": item["sources"],
        "disputed": item["disputed"],
        "local_facts": item["local_facts"],
        "after_data_as_of": item.get("after_data_as_of", False),
    }


def _map_note(map_date: dt.date, what: str) -> str:
    return f"Each {what} is answered on its own date in the table; the colours show {map_date}."


def _legs(result: CheckResult) -> list[dict[str, Any]]:
    from icc_travel.engine.contract import leg_json

    return [leg_json(leg) for leg in result.legs]


def _precedents(dataset: Dataset, subject: Subject, concerned: dict[str, dt.date]) -> list[dict[str, Any]]:
    """Each state concerned with its recorded episodes, in the order a reader of the stop needs."""
    by_state = []
    for iso3, day in concerned.items():
        episodes = relevant_precedents(dataset, iso3, subject.id, day)
        if episodes:
            by_state.append(
                {
                    "iso3": iso3,
                    "state": _state_name(dataset, iso3),
                    "items": [precedent_json(p) for p in episodes],
                }
            )
    return by_state


def _group_precedents(dataset: Dataset, precedents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for precedent in precedents:
        groups.setdefault(precedent["state"], []).append(precedent)
    return [{"iso3": iso3, "state": _state_name(dataset, iso3), "items": items} for iso3, items in groups.items()]


def _state_name(dataset: Dataset, iso3: str) -> str:
    return next((t.name for t in dataset.territories if t.iso3 == iso3 and t.territory is None), iso3)
