"""`icc-travel check`: the obligation at each stop of one subject's itinerary."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from icc_travel import law
from icc_travel.cli.context import load
from icc_travel.cli.options import (
    CoordinateArgsCommand,
    InputFailure,
    fail_on_option,
    format_option,
    itinerary_option,
    no_legs_option,
    on_option,
    reports_errors,
    subject_argument,
    unshield,
)
from icc_travel.cli.render import emit, warn
from icc_travel.data.sources import as_json, as_lines
from icc_travel.engine.check import CheckResult
from icc_travel.engine.itinerary import parse_stop, read_itinerary
from icc_travel.engine.subjects import SubjectFinder
from icc_travel.formats import LEVEL_STYLES, Report
from icc_travel.geo.places import no_state_label
from icc_travel.vocabulary import ExitStatus

if TYPE_CHECKING:
    from pathlib import Path

    from icc_travel.engine.check import StopResult
    from icc_travel.engine.legs import Overflown

CAVEAT = law.SEALED_WARRANT_CAVEAT


@click.command(cls=CoordinateArgsCommand)
@subject_argument(required=False)
@click.argument("stops", nargs=-1, callback=lambda ctx, param, value: unshield(value))
@on_option
@itinerary_option("YAML file: {subject: ..., stops: [{place: ..., date: ..., kind: visit|transit}]}.")
@format_option(("table", "json", "csv", "markdown", "geojson"))
@fail_on_option
@no_legs_option
@reports_errors
def check(
    subject: str | None,
    stops: tuple[str, ...],
    on: dt.date,
    itinerary: Path | None,
    fmt: str,
    fail_on: str,
    no_legs: bool,
) -> None:
    """Say for each STOP whether SUBJECT must be arrested there on that date.

    STOP is PLACE[@YYYY-MM-DD]; PLACE is an ISO code (MN, MNG), an English country
    name, a named area (Crimea, Gaza, Northern Cyprus), a city of 15,000 people or more
    (Johannesburg; "London, GB", "Lyon, France" or "Paris, TX" where several share a
    name), airport:IATA or airport:ICAO, or LAT,LON in decimal degrees (southern and
    western coordinates as typed: -26.2,28.0) or with hemispheres ("47°39′06″N
    106°49′18″E", "47.65°N 106.82°E", as NOTAMs write them 4739N10649E).

    \b
    Examples:
      icc-travel check putin MN@2024-09-03
      icc-travel check netanyahu HU@2025-04-03 airport:BUD@2025-04-06 --format json
      icc-travel check --itinerary trip.yaml --fail-on continuing

    Exit status: 0 when no stop reaches --fail-on, 1 when one does, 2 on bad input.
    """
    specs = [parse_stop(text, on) for text in stops]
    file_subject = None
    if itinerary is not None:
        plan = read_itinerary(itinerary, on)
        file_subject = plan.subject
        subject = subject or file_subject
        specs = specs + plan.stops
    if not subject:
        raise InputFailure("missing SUBJECT: give a subject id, name or alias, e.g. icc-travel check putin MN")
    if not specs:
        raise InputFailure(f"no stops for {subject!r}: give at least one PLACE[@YYYY-MM-DD] or --itinerary FILE")
    dataset = load()
    finder = SubjectFinder(dataset)
    found = finder.find(subject)
    if itinerary is not None and file_subject and finder.find(file_subject).id != found.id:
        raise InputFailure(f"{itinerary}: the file's subject {file_subject!r} is not {subject!r}")
    from icc_travel import api

    result = api.check(found, specs, legs=not no_legs, dataset=dataset)
    emit(check_report(result), fmt)
    warn(result.staleness())
    if law.reaches(result.worst(), fail_on):
        raise SystemExit(ExitStatus.REACHED)


def check_report(result: CheckResult) -> Report:
    rows, details = [], []
    for number, stop in enumerate(result.stops, 1):
        territory = stop.place.territory
        latest = stop.precedents[0] if stop.precedents else None  # the same subject's first, then by date
        summary = ""
        if latest is not None:
            when = "latest" if latest.start <= stop.spec.date else "later"
            summary = f"{len(stop.precedents)}; {when} {latest.start} {latest.subject} {latest.outcome}"
            if latest.finding and latest.finding.result == "non_compliance":
                weak = f", {latest.finding.confidence} confidence" if latest.finding.confidence != "high" else ""
                summary += f" (non-compliance finding {latest.finding.number or latest.finding.date}{weak})"
        rows.append(
            {
                "stop": number,
                "date": stop.spec.date.isoformat(),
                "kind": stop.spec.kind,
                "input": stop.spec.place,
                "place": _place_cell(stop),
                "iso3": territory.iso3 if territory else None,
                "state": territory.label if territory else no_state_label(stop.place.lat),
                "obligation": stop.obligation.level,
                "basis": stop.obligation.basis + (" (disputed)" if stop.obligation.disputed else ""),
                "precedents": summary,
            }
        )
        lines = list(stop.obligation.reasons)
        lines += [f"Precedent: {p.start} {p.subject}: {p.event}" for p in stop.precedents[:3]]
        lines += as_lines(stop.obligation.sources)
        disputed = stop.obligation.disputed
        marks = f", DISPUTED: otherwise {disputed.level} ({disputed.basis})" if disputed else ""
        if stop.obligation.confidence != "high":
            marks += f", {stop.obligation.confidence} confidence"
        if stop.obligation.local:
            marks += ", LOCAL FACT"
        details.append(
            (
                f"[{number}] {_place_cell(stop)} on {stop.spec.date}: {stop.obligation.level} ({stop.obligation.basis}){marks}",
                lines,
            )
        )
    for number, leg in enumerate(result.legs, 1):
        lines = [_overflown_line(o) for o in leg.overflown] or ["no territory overflown"]
        details.append((f"Leg {number}: {leg.start} -> {leg.end}, {leg.distance_km:g} km great circle", lines))
    subject = result.subject
    return Report(
        as_of=result.data_as_of,
        columns=[
            ("stop", "#"),
            ("date", "Date"),
            ("place", "Place"),
            ("state", "State"),
            ("obligation", "Obligation"),
            ("basis", "Basis"),
            ("precedents", "Precedents"),
        ],
        rows=rows,
        payload=lambda: _contract().result_json(result),
        title=f"{subject.name} ({subject.id}), status {subject.status}",
        details=details,
        footer=[f"Data as of {result.data_as_of}. {CAVEAT}"],
        styles={"obligation": LEVEL_STYLES},
        csv_columns=[(key, key) for key in CSV_COLUMNS],
        csv_rows=lambda: _csv_rows(result, rows),
        features=lambda: _contract().result_features(result),
    )


def _place_cell(stop: StopResult) -> str:
    """The stop as typed, and for a city the town it was taken to be ("Kiev (Kyiv, UA)"), for
    coordinates in degrees and minutes their decimal reading: a name many towns share is resolved
    or refused by rules a reader should be able to check, and a misread minute moves a point."""
    from icc_travel.text import normalise

    place = stop.place
    shown = place.kind == "coordinates" or (
        place.kind == "city" and normalise(place.detail or "") != normalise(stop.spec.place)
    )
    return f"{stop.spec.place} ({place.detail})" if place.detail and shown else stop.spec.place


# One row per stop, then one per territory each leg overflies (a leg over none has one row).
CSV_COLUMNS = (
    "record",
    "stop",
    "leg",
    "date",
    "kind",
    "input",
    "leg_from",
    "leg_to",
    "leg_km",
    "iso3",
    "state",
    "km",
    "obligation",
    "basis",
    "confidence",
    "disputed",
    "reasons",
    "sources",
    "precedents",
)


def _csv_rows(result: CheckResult, table_rows: list[dict]) -> list[dict]:
    rows = []
    for row, stop in zip(table_rows, result.stops, strict=True):
        obligation = stop.obligation
        rows.append(
            {
                **row,
                "record": "stop",
                "basis": obligation.basis,
                "confidence": obligation.confidence,
                "disputed": f"{obligation.disputed.level} ({obligation.disputed.basis})" if obligation.disputed else "",
                "reasons": list(obligation.reasons),
                "sources": as_json(obligation.sources),
            }
        )
    for number, leg in enumerate(result.legs, 1):
        departure = next(s.spec.date for s in result.stops if s.spec.place == leg.start)
        base = {"record": "leg", "leg": number, "date": departure.isoformat(), "leg_from": leg.start}
        base |= {"leg_to": leg.end, "leg_km": leg.distance_km}
        if not leg.overflown:
            rows.append({**base, "obligation": law.NONE})
        for overflown in leg.overflown:
            obligation = overflown.obligation
            rows.append(
                {
                    **base,
                    "record": "overflown",
                    "iso3": overflown.territory.iso3,
                    "state": overflown.territory.label,
                    "km": overflown.km,
                    "obligation": obligation.level,
                    "basis": obligation.basis,
                    "confidence": obligation.confidence,
                    "disputed": f"{obligation.disputed.level} ({obligation.disputed.basis})"
                    if obligation.disputed
                    else "",
                    "reasons": list(obligation.reasons),
                    "sources": as_json(obligation.sources),
                }
            )
    return rows


def _contract() -> Any:
    """The JSON contract, imported only for a format that prints JSON or GeoJSON (not the table)."""
    from icc_travel.engine import contract

    return contract


def _overflown_line(overflown: Overflown) -> str:
    line = (
        f"{overflown.territory.label}: {overflown.km:g} km, {overflown.obligation.level} ({overflown.obligation.basis})"
    )
    if overflown.routes:
        latest = overflown.routes[0]
        line += f"; route precedent {latest.start} {latest.subject}: {latest.event}"
    return line
