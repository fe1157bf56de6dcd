"""`icc-travel track`: where a recorded flight went, and what each territory meant for the subject."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from icc_travel import law
from icc_travel.cli.context import load
from icc_travel.cli.options import (
    InputFailure,
    fail_on_option,
    format_option,
    gap_option,
    reports_errors,
    subject_option,
    trust_positions_option,
)
from icc_travel.cli.render import emit, warn
from icc_travel.engine.contract import FLAT_COLUMNS, flat_records, tracks_documents, tracks_json
from icc_travel.engine.track import GAP_INFERRED_NOTE, LANDED_UNSEEN_NOTE, TrackResult
from icc_travel.formats import LEVEL_STYLES, Report
from icc_travel.geo.routes import line_geometry
from icc_travel.vocabulary import ExitStatus, Level

if TYPE_CHECKING:
    from icc_travel.engine.results import TracksResult


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@subject_option()
@format_option(("table", "json", "csv", "geojson"))
@fail_on_option
@gap_option("Fixes further apart than this are a gap: never drawn or counted as flown.")
@trust_positions_option
@reports_errors
def track(
    files: tuple[Path, ...], subject_name: str | None, fmt: str, fail_on: str, gap: float, trust_positions: bool
) -> None:
    """The territories a recorded flight track crossed or landed in, with entry and exit times
    (UTC) and what each meant for SUBJECT on that date: `overflight` for an airborne pass over a
    territory where a landing would carry a duty, the stop's level on the ground.

    Without --subject, the subject is the one the data ties to the track's aircraft (its ICAO
    address or registration; the `aircraft` section of warrants.yaml, each entry sourced).

    FILE is a readsb/tar1090 trace JSON (as adsb.lol and ADS-B Exchange serve it), a
    Flightradar24 CSV, a KML gx:Track (or KMZ), OpenSky state vectors (CSV or Parquet; one track
    per aircraft), a GPX track or rs1090/jet1090 JSON Lines (decoded Mode S messages; one
    track per aircraft); gzip is read transparently.

    \b
    Examples:
      icc-travel track trace_full_738a5b.json --subject netanyahu
      icc-travel track flight.csv --subject putin --format geojson > flight.geojson

    Exit status: 1 when a segment or landing reaches --fail-on, 2 on bad input.
    """
    from icc_travel import api
    from icc_travel.errors import SubjectNeeded

    try:
        result = api.analyse_tracks(
            files, subject=subject_name, gap_minutes=gap, trust_positions=trust_positions, dataset=load()
        )
    except SubjectNeeded:
        raise InputFailure("give --subject: the tracks' aircraft are not tied to one subject in the data") from None
    if result.subject_from_aircraft:
        warn(f"--subject {result.subject.id}, the subject the data ties to this aircraft; give --subject to choose")
    emit(track_report(result), fmt)
    for warning in result.warnings:
        warn(warning)
    worst = Level.worst(r.worst() for r in result.tracks)
    if law.reaches(worst, fail_on):
        raise SystemExit(ExitStatus.REACHED)


def track_report(analysed: TracksResult) -> Report:
    documents = tracks_documents(analysed)
    results, subject = analysed.tracks, analysed.subject
    rows = []
    for number, document in enumerate(documents, 1):
        flight_of = {index: f["number"] for f in document["flights"] for index in f["segments"]}
        arrivals = {f["arrival"]["time"]: f["number"] for f in document["flights"] if f["arrival"]["recorded"]}
        count = len(document["segments"])
        timed = []
        moment = document["start"]  # a crossing inferred in a gap sorts where the gap began
        for position, record in enumerate(flat_records(document)):
            if position < count:  # segments are in time order; a landing has its own time
                moment = record["time"] or moment
            flight = flight_of.get(position) if position < count else arrivals.get(record["time"])
            landing = record["record"] == "landing"
            where = f"on the ground near {record['airport']}" if landing else None
            if landing and document["landings"][position - count]["inferred"]:
                where = f"landed unseen near {record['airport']} (inferred)"
            row = {
                **record,
                "track": number,
                "flight": "" if flight is None else flight,
                "time": record["time"] or ("(suspect positions)" if record.get("suspect") else "(gap)"),
                "until": record["until"] or "",
                "state": record["state"] or "(no state)",
                "km": "" if record["km"] is None else record["km"],
                "airborne": where or ("airborne" if record["airborne"] else "on ground"),
            }
            timed.append((record["time"] if landing else moment, position, row))
        # landings among the segments, in time order: the rows of one flight stay together
        rows += [row for _, _, row in sorted(timed, key=lambda item: (item[0], item[1]))]
    as_of = analysed.data_as_of
    payload = tracks_json(analysed, documents)
    details = [
        (
            f"Track {n}: {d['file']}",
            [f"{d['points']} fixes, {d['start']} to {d['end']}"]
            + (
                ["no trustworthy position: every one was judged implausible"]
                if d["quality"]["suspect_positions"] and d["quality"]["suspect_positions"] == d["points"]
                else []
            )
            + (
                [
                    f"{_count(d['quality']['ground_flags_corrected'], 'on-ground flag')} read the other way: "
                    "fixes flagged on the ground mid-flight, or airborne where the aircraft stood"
                ]
                if d["quality"]["ground_flags_corrected"]
                else []
            )
            + [
                f"gap {g['from']} to {g['to']} ({g['minutes']} min): "
                + (LANDED_UNSEEN_NOTE if g.get("landed_unseen") else GAP_INFERRED_NOTE)
                + (
                    f"; the positions in it were left out as implausible: {g['quality']['why']}"
                    if g.get("quality")
                    else ""
                )
                for g in d["gaps"]
            ],
        )
        for n, d in enumerate(documents, 1)
    ]
    return Report(
        as_of=as_of,
        columns=[
            ("track", "#"),
            ("flight", "Flt"),
            ("time", "From (UTC)"),
            ("until", "Until"),
            ("state", "State"),
            ("km", "km"),
            ("airborne", "Flight"),
            ("obligation", "Obligation"),
            ("basis", "Basis"),
        ],
        rows=rows,
        payload=payload,
        title=f"{subject.name} ({subject.id}): {len(results)} track(s)",
        details=details,
        styles={"obligation": LEVEL_STYLES},
        csv_columns=[(k, k) for k in ("track", "flight", *FLAT_COLUMNS, "reasons", "sources")],
        # the drawn lines: only --format geojson needs them (a million fixes cost seconds)
        features=lambda: [f for r, d in zip(results, documents, strict=True) for f in _features(r, d)],
    )


def _features(result: TrackResult, document: dict) -> list[dict]:
    """The flown track as lines between gaps (split at ±180°), landings as points."""
    fixes = result.fixes  # without the positions the quality filter left out: never drawn as flown
    if not fixes:
        features: list[dict] = []
        run: list = []
    else:
        features, run = [], [fixes[0]]
    gap_starts = {g.start for g in result.gaps}
    for fix in fixes[1:]:
        if run[-1].time in gap_starts:
            features.append(_line(run, document))
            run = []
        run.append(fix)
    if run:
        features.append(_line(run, document))
    for landing in document["landings"]:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [landing["lon"], landing["lat"]]},
                "properties": {"feature": "landing", "file": document["file"], **landing},
            }
        )
    return features


def _line(fixes: list, document: dict) -> dict:
    parts: list[list[list[float]]] = [[]]
    for fix in fixes:
        if parts[-1] and abs(fix.lon - parts[-1][-1][0]) > 180:
            parts.append([])
        parts[-1].append([round(fix.lon, 5), round(fix.lat, 5)])
    geometry = line_geometry(parts)
    properties = {
        "feature": "track",
        "file": document["file"],
        "aircraft": document["aircraft"],
        "start": fixes[0].time.isoformat(),
        "end": fixes[-1].time.isoformat(),
    }
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
