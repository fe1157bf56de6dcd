"""The JSON contract: every record's JSON form, in one module.

Each command's `--format json` document, each row of `batch`, `screen` and `track`'s CSV, each
GeoJSON feature's properties and each event of `watch` are built from the engine's typed records
by the functions here, and nowhere else, so one field means one thing in every output. The
shapes are described as JSON Schemas in `icc_travel/schemas/` (made by
`scripts/build_schemas.py` from the `TypedDict`s in `engine/contract_types.py`, and checked
against every golden output by the tests).

`to_json` is the entry point for any result the API returns.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Subject, Territory
from icc_travel.data.sources import as_json

if TYPE_CHECKING:
    from icc_travel.data.models import Aircraft
    from icc_travel.engine.answers import Texts
    from icc_travel.engine.batch import BatchResult
    from icc_travel.engine.check import CheckResult, StopResult
    from icc_travel.engine.contract_types import (
        AircraftJSON,
        BatchResultJSON,
        CheckJSON,
        CountryJSON,
        DisputeJSON,
        LegJSON,
        ObligationJSON,
        PrecedentJSON,
        ScreenRowJSON,
        ScreenSummaryJSON,
        StopJSON,
        SubjectJSON,
        SubjectProfileJSON,
        TableJSON,
        TrackJSON,
        TracksJSON,
    )
    from icc_travel.engine.legs import Leg
    from icc_travel.engine.results import ScreenResult, TableResult, TracksResult
    from icc_travel.engine.track import Flight, Landing, Segment, TrackResult
    from icc_travel.geo.tracks import Track


def result_json(result: CheckResult) -> CheckJSON:
    """The `check --format json` contract."""
    return {
        "subject": subject_json(result.subject),
        "data_as_of": result.data_as_of.isoformat(),
        "stops": [stop_json(stop, result.data_as_of) for stop in result.stops],
        "legs": [leg_json(leg) for leg in result.legs],
        "warnings": [warning] if (warning := result.staleness()) else [],
    }


def stop_json(stop: StopResult, as_of: dt.date) -> StopJSON:
    """One stop of the JSON contract."""
    return {
        "input": stop.spec.place,
        "resolved_as": stop.place.detail,
        "date": stop.spec.date.isoformat(),
        "kind": stop.spec.kind,
        "country": country_json(stop.place.territory),
        **obligation_json(stop.obligation),
        "precedents": [precedent_json(p) for p in stop.precedents],
        "after_data_as_of": stop.spec.date > as_of,
    }


def country_json(territory: Territory | None) -> CountryJSON | None:
    """The `country` object of every answer: None outside every territory."""
    if territory is None:
        return None
    return {"iso3": territory.iso3, "iso2": territory.iso2, "name": territory.name, "territory": territory.territory}


def obligation_json(obligation: law.Obligation) -> ObligationJSON:
    """The fields every answer (stop, batch row, overflown territory) carries about its obligation."""
    return {
        "obligation": obligation.level,
        "basis": obligation.basis,
        "reasons": list(obligation.reasons),
        "sources": as_json(obligation.sources),
        "confidence": obligation.confidence,
        "disputed": dispute_json(obligation.disputed),
        "local_facts": list(obligation.local),
    }


def dispute_json(dispute: law.Dispute | None) -> DisputeJSON | None:
    """The other reading of a disputed fact, when it would change the answer."""
    if dispute is None:
        return None
    return {
        "obligation": dispute.level,
        "basis": dispute.basis,
        "reading": dispute.reason,
        "why_chosen": dispute.why_chosen,
        "sources": as_json(dispute.sources),
    }


def precedent_json(precedent: Precedent) -> PrecedentJSON:
    finding = precedent.finding
    return {
        "id": precedent.id,
        "subject": precedent.subject,
        "state": precedent.state,
        "date": precedent.start.isoformat(),
        "end": precedent.end.isoformat() if precedent.end else None,
        "event": precedent.event,
        "outcome": precedent.outcome,
        "confidence": precedent.confidence,
        "local": precedent.local,
        "finding": None
        if finding is None
        else {
            "number": finding.number,
            "date": finding.date.isoformat() if finding.date else None,
            "body": finding.body,
            "result": finding.result,
            "referral": finding.referral,
            "confidence": finding.confidence,
            "sources": as_json(finding.sources or precedent.sources),
        },
        "sources": as_json(precedent.sources),
    }


def leg_json(leg: Leg) -> LegJSON:
    """One leg of the JSON contract: the territories it overflies and what a landing would mean."""
    return {
        "from": leg.start,
        "to": leg.end,
        "distance_km": leg.distance_km,
        "overflown": [
            {"iso3": o.territory.iso3, "name": o.territory.label, "km": o.km, **obligation_json(o.obligation)}
            for o in leg.overflown
        ],
    }


def leg_json_text(leg: Leg, texts: Texts) -> str:
    """`json.dumps(leg_json(leg), ensure_ascii=False)`, each overflown territory's part from a text
    kept in `texts` for every leg over it in the same interval (`Leg.overflown_json`): a batch
    writes a leg per row."""
    dumps = _DUMPS
    return (
        f'{{"from": {dumps(leg.start)}, "to": {dumps(leg.end)}, "distance_km": {dumps(leg.distance_km)}, '
        f'"overflown": [{leg.overflown_json(texts)}]}}'
    )


def overflown_json_head(territory: Territory, km: float) -> str:
    """The start of one overflown territory of `leg_json`, as `json.dumps(..., ensure_ascii=False)`
    writes it, up to its obligation's fields: `{"iso3": ..., "name": ..., "km": ..., `."""
    dumps = _DUMPS
    # a float as json writes one (float.__repr__)
    number = float.__repr__(km) if type(km) is float else dumps(km)
    return f'{{"iso3": {dumps(territory.iso3)}, "name": {dumps(territory.label)}, "km": {number}, '


_DUMPS = json.JSONEncoder(ensure_ascii=False).encode


def result_features(result: CheckResult) -> list[dict]:
    """GeoJSON features: each stop a point (no geometry for a stop named by a code or a country),
    each leg its geodesic; the properties are the JSON contract's fields."""
    subject = {"subject": result.subject.id, "subject_name": result.subject.name}
    features = []
    for number, stop in enumerate(result.stops, 1):
        located = stop.place.lat is not None and stop.place.lon is not None
        geometry = {"type": "Point", "coordinates": [stop.place.lon, stop.place.lat]} if located else None
        properties = {
            "feature": "stop",
            "stop": number,
            **subject,
            **stop_json(stop, result.data_as_of),
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    if result.legs:
        from icc_travel.geo.routes import line_geometry

        for number, leg in enumerate(result.legs, 1):
            geometry = line_geometry(leg.path())
            properties = {
                "feature": "leg",
                "leg": number,
                "level": leg.level,
                **subject,
                **leg_json(leg),
            }
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def utc_text(moment: dt.datetime | None) -> str | None:
    """UTC to the second (the bisection is finer than the fixes can vouch for)."""
    if moment is None:
        return None
    rounded = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return rounded.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def track_json(result: TrackResult) -> TrackJSON:
    """One track of the `track --format json` contract."""
    track = result.track
    return {
        "file": track.file,
        "aircraft": {"hex": track.hex, "registration": track.registration, "callsign": track.callsign},
        "start": utc_text(track.fixes[0].time),
        "end": utc_text(track.fixes[-1].time),
        "points": len(track.fixes),
        "segments": [
            {
                **place_json(s.territory),
                "entered": utc_text(s.entered),
                "left": utc_text(s.left),
                "km": s.km,
                "airborne": s.airborne,
                "inferred": s.inferred,
                **({"quality": {"suspect": True, "why": s.suspect_why}} if s.suspect_why else {}),
                **obligation_json(s.obligation),
            }
            for s in result.segments
        ],
        "landings": [
            {
                "time": utc_text(landing.time),
                **place_json(landing.territory),
                "lat": landing.lat,
                "lon": landing.lon,
                "airport": landing.airport,
                "airport_km": landing.airport_km,
                "inferred": landing.inferred,
                **obligation_json(landing.obligation),
            }
            for landing in result.landings
        ],
        "flights": [_flight_json(number, flight, result) for number, flight in enumerate(result.flights, 1)],
        "gaps": [
            {
                "from": utc_text(g.start),
                "to": utc_text(g.end),
                "minutes": g.minutes,
                **({"quality": {"suspect": True, "why": g.why}} if g.why else {}),
                **({"landed_unseen": True} if g.landed_unseen else {}),
            }
            for g in result.gaps
        ],
        "quality": {
            "filter": "off (--trust-positions)" if result.trusted else "on",
            "suspect_positions": _suspect_count(result),
            "suspect": [
                {"from": utc_text(s.start), "to": utc_text(s.end), "minutes": s.minutes, "why": s.why}
                for s in result.suspect
            ],
            "ground_flags_corrected": result.ground_flags_corrected,
        },
    }


def _flight_json(number: int, flight: Flight, result: TrackResult) -> dict[str, Any]:
    """One flight: where and when it left and arrived ("recorded": false where the trace starts or
    ends in the air), its km, and the indexes of its segments and landings in the track's lists."""
    fixes = result.fixes
    start, end = fixes[flight.first].time, fixes[flight.last].time

    def end_json(landing: Landing | None, moment: dt.datetime) -> dict[str, Any]:
        if landing is None:
            return {"recorded": False, "airport": None, "time": None, "iso3": None, "inferred": False}
        return {
            "recorded": True,
            "airport": landing.airport,
            "time": utc_text(moment),
            "iso3": landing.territory.iso3 if landing.territory else None,
            "inferred": landing.inferred,
        }

    arrival_time = flight.arrival.time if flight.arrival is not None else end
    inside = [
        index
        for index, segment in enumerate(result.segments)
        if segment.airborne
        and _segment_time(result.segments, index) is not None
        and start <= _segment_time(result.segments, index) <= end  # type: ignore[operator]
    ]
    return {
        "number": number,
        "departure": end_json(flight.departure, start),
        "arrival": end_json(flight.arrival, arrival_time),
        "start": utc_text(start),
        "end": utc_text(end),
        "km": flight.km,
        "segments": inside,
    }


def _segment_time(segments: Sequence[Segment], index: int) -> dt.datetime | None:
    """A moment inside a segment: the middle of its span; for an inferred one (inside a gap), the
    end of the segment before it, where the gap began."""
    segment = segments[index]
    if segment.entered is not None and segment.left is not None:
        return segment.entered + (segment.left - segment.entered) / 2
    for earlier in reversed(segments[:index]):
        if earlier.left is not None:
            return earlier.left
    return None


def _suspect_count(result: TrackResult) -> int:
    """How many of the track's fixes lie inside the stretches judged implausible (counted on the
    fixes' times as arrays, in microseconds as datetimes compare)."""
    if not result.suspect:
        return 0
    import numpy as np

    from icc_travel.geo.tracks import EARLIEST, fix_arrays

    times = fix_arrays(result.track.fixes).micros()
    inside = np.zeros(len(times), dtype=bool)
    for stretch in result.suspect:
        start, end = ((moment - EARLIEST) // dt.timedelta(microseconds=1) for moment in (stretch.start, stretch.end))
        inside |= (times >= start) & (times <= end)
    return int(inside.sum())


def aircraft_json(track: Track, plane: Aircraft | None) -> AircraftJSON:
    """The aircraft a track was recorded from, and the sourced record tying it to a subject."""
    known = None
    if plane is not None:
        known = {
            "registration": plane.registration,
            "type": plane.type,
            "operator": plane.operator,
            "subject": plane.subject,
            "confidence": plane.confidence,
            "sources": as_json(plane.sources),
            "caveat": "A matching aircraft does not prove the person was on board: state fleets fly "
            "backup and decoy flights.",
        }
    return {"hex": track.hex, "registration": track.registration, "callsign": track.callsign, "known": known}


def tracks_documents(result: TracksResult) -> list[TrackJSON]:
    """Each track of a `track` run as the JSON contract gives it, with its aircraft."""
    documents = []
    for analysed, plane in zip(result.tracks, result.aircraft, strict=True):
        document = track_json(analysed)
        document["aircraft"] = aircraft_json(analysed.track, plane)
        documents.append(document)
    return documents


def tracks_json(result: TracksResult, documents: list[TrackJSON] | None = None) -> TracksJSON:
    """The `track --format json` document."""
    return {
        "subject": subject_json(result.subject),
        "data_as_of": result.data_as_of.isoformat(),
        "tracks": documents if documents is not None else tracks_documents(result),
        "warnings": [result.stale] if result.stale else [],
    }


def subject_json(subject: Subject) -> SubjectJSON:
    """The subject an answer is about, as every document names it."""
    return {"id": subject.id, "name": subject.name, "status": subject.status}


# the columns of a flat segment or landing in CSV: `track` adds the track number and the reasons,
# `screen` the aircraft and its subject
FLAT_COLUMNS = ("record", "time", "until", "iso3", "state", "km", "airborne", "inferred", "obligation", "basis")


def flat_record(record: str, item: dict[str, Any]) -> dict[str, Any]:
    """A segment or landing of the JSON contract as one flat row (CSV, tables, screening)."""
    landing = record == "landing"
    return {
        "record": record,
        "time": item["time"] if landing else item["entered"],
        "until": None if landing else item["left"],
        "iso3": item["iso3"],
        "state": item["name"],
        "km": None if landing else item["km"],
        "airborne": False if landing else item["airborne"],
        "inferred": item["inferred"],  # a landing too: one no receiver saw is inferred
        "suspect": bool(item.get("quality")),
        "airport": f"{item['airport']} ({item['airport_km']} km)" if landing else None,
        "obligation": item["obligation"],
        "basis": item["basis"],
        "reasons": item["reasons"],
        "sources": item["sources"],
    }


def flat_records(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each segment, then each landing, of one track's JSON as flat rows."""
    return [flat_record("segment", s) for s in document["segments"]] + [
        flat_record("landing", landing) for landing in document["landings"]
    ]


def place_json(territory: Territory | None) -> dict[str, Any]:
    country = country_json(territory) or {"iso3": None, "iso2": None, "name": None, "territory": None}
    return {"iso3": country["iso3"], "name": territory.label if territory else None, "country": country}


def profile_json(dataset: Dataset, person: Subject, on: dt.date) -> SubjectProfileJSON:
    """A subject's profile as `subject --format json` prints it and the report page shows it:
    aliases, warrants, status, how many territories carry each level on the date, precedents."""
    from icc_travel.dates import iso
    from icc_travel.engine.tables import find_precedents, territories_with_obligation

    situation = dataset.situations[person.situation]
    return {
        "id": person.id,
        "name": person.name,
        "aliases": list(person.aliases),
        "nationality": person.nationality,
        "position": person.position,
        "situation": {"id": situation.id, "name": situation.name},
        "case": person.case,
        "warrants": [
            {"issued": iso(w.issued), "public": iso(w.public), "crimes": list(w.crimes), "note": w.note}
            for w in person.warrants
        ],
        "status": person.status,
        "status_date": iso(person.status_date),
        "status_note": person.status_note,
        "territories_by_obligation": {"date": on.isoformat(), **territories_with_obligation(dataset, person, on)},
        "precedents": [precedent_json(p) for p in find_precedents(dataset, subject=person.id)],
        "sources": as_json(person.sources),
        "data_as_of": dataset.as_of.isoformat(),
    }


def table_json(result: TableResult) -> TableJSON:
    """The `table --format json` document: each territory's obligation for each subject."""
    return {
        "date": result.on.isoformat(),
        "data_as_of": result.data_as_of.isoformat(),
        "warnings": list(result.warnings),
        "subjects": [subject_json(s) for s in result.subjects],
        "territories": [
            {
                "iso3": row.territory.iso3,
                "iso2": row.territory.iso2,
                "name": row.territory.name,
                "territory": row.territory.territory,
                "precedents": row.precedents,
                "obligations": {sid: {"obligation": o.level, "basis": o.basis} for sid, o in row.obligations.items()},
            }
            for row in result.rows
        ],
    }


def screen_rows(result: ScreenResult) -> list[ScreenRowJSON]:
    """The rows `screen --format json` writes: each watched aircraft's segments and landings."""
    rows: list[dict[str, Any]] = []
    for entry, analysed in result.tracks:
        document = track_json(analysed)
        base = {"hex": entry.hex, "registration": entry.registration, "subject": entry.subject}
        rows += [{**base, "record": "segment", **segment} for segment in document["segments"]]
        rows += [{**base, "record": "landing", **landing} for landing in document["landings"]]
    return rows


def screen_summary(result: ScreenResult) -> ScreenSummaryJSON:
    """What `screen` says of the whole run (the JSON document's summary)."""
    return {
        "rows_read": result.rows_read,
        "positions_kept": result.positions_kept,
        "positions_refused": dict(sorted(result.positions_refused.items())),
        "aircraft_watched": result.aircraft_watched,
        "aircraft_found": len(result.tracks),
        "data_as_of": result.data_as_of.isoformat(),
    }


def to_json(result: Any) -> Any:
    """The JSON contract of any result the API returns, as the command's `--format json` has it."""
    from icc_travel.engine.check import CheckResult
    from icc_travel.engine.results import Answer, ScreenResult, TableResult, TracksResult
    from icc_travel.engine.track import TrackResult

    if isinstance(result, CheckResult):
        return result_json(result)
    if isinstance(result, TracksResult):
        return tracks_json(result)
    if isinstance(result, TrackResult):
        return track_json(result)
    if isinstance(result, TableResult):
        return table_json(result)
    if isinstance(result, ScreenResult):
        return {"rows": screen_rows(result), "summary": screen_summary(result)}
    if isinstance(result, Answer):
        return {"country": country_json(result.territory), **obligation_json(result.obligation)}
    if isinstance(result, list | tuple):
        return [to_json(item) for item in result]
    raise TypeError(f"no JSON contract for {type(result).__name__}")


def batch_result_json(result: BatchResult, as_of: dt.date) -> BatchResultJSON:
    """The row fields of one evaluated (subject, territory, date, kind), shared by every batch row
    that asked it (built once per result, however many rows share it)."""
    return {
        "subject": result.subject.id,
        "date": result.day.isoformat(),
        "kind": result.kind,
        "country": country_json(result.territory),
        **obligation_json(result.obligation),
        "precedents": [precedent_json(p) for p in result.precedents],
        "after_data_as_of": result.day > as_of,
    }
