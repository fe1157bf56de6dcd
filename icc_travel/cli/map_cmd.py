"""`icc-travel map`: a world map for one subject, coloured by obligation level."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from icc_travel.cli.context import load
from icc_travel.cli.options import (
    InputFailure,
    date_option,
    itinerary_option,
    output_option,
    reports_errors,
    subject_option,
    track_files_option,
)
from icc_travel.cli.render import OutputFile, warn
from icc_travel.dates import today
from icc_travel.engine.itinerary import read_itinerary
from icc_travel.engine.staleness import staleness_warning
from icc_travel.engine.subjects import SubjectFinder


@click.command("map")
@subject_option(required=True)
@date_option(
    "--on",
    help="Date whose obligations colour the map (default: the first stop's date with --itinerary, the first "
    "recorded day with --track, else today).",
)
@itinerary_option("Itinerary YAML whose stops are drawn and numbered.")
@track_files_option("A recorded track (any format `track` reads) drawn over the map, coloured by level, gaps dashed.")
@output_option(inputs=("itinerary", "track_files"), required=True, help="FILE.png or FILE.svg.")
@reports_errors
def map_command(
    subject_name: str, on: dt.date | None, itinerary: Path | None, track_files: tuple[Path, ...], output: Path
) -> None:
    """Draw a world map coloured by the subject's obligation level on a date.

    \b
    Examples:
      icc-travel map --subject putin --on 2024-09-03 -o putin.png
      icc-travel map --subject netanyahu --itinerary trip.yaml -o trip.svg
      icc-travel map --subject netanyahu --track trace_full_738a5b.json -o flight.png
    """
    if output.suffix.lower() not in (".png", ".svg"):
        raise InputFailure(f"{output}: the map is written as .png or .svg")
    if not output.parent.exists():
        raise InputFailure(f"{output}: directory {output.parent} does not exist")
    dataset = load()
    person = SubjectFinder(dataset).find(subject_name)
    stops = []
    if itinerary is not None:
        from icc_travel.engine.check import check_itinerary

        stops = list(check_itinerary(dataset, person, read_itinerary(itinerary, on or today()).stops).stops)
    tracks = []
    if track_files:
        from icc_travel.engine.track import analyse_many
        from icc_travel.geo.places import PlaceResolver
        from icc_travel.geo.tracks import read_tracks

        resolver = PlaceResolver(dataset)  # one for every track, the tracks located together
        jobs = [(person, t, None) for path in track_files for t in read_tracks(path)]
        tracks = analyse_many(dataset, jobs, resolver=resolver)
    # as `report` draws its map: on the day the journey began, not on the day the map is drawn
    # (a state that has left the Statute since would be coloured against the track's own levels)
    if on is None:
        started = [t.track.fixes[0].time.date() for t in tracks]
        on = stops[0].spec.date if stops else min(started) if started else today()
    warn(staleness_warning(dataset.as_of, [on]))
    from icc_travel.engine.tables import territory_levels, why_no_obligation
    from icc_travel.geo.mapping import render_map

    levels = territory_levels(dataset, person, on)
    grey = why_no_obligation(person, on, levels)
    try:
        with OutputFile(output) as temporary:
            info = render_map(dataset, person, on, levels, grey, stops, temporary, tracks=tracks)
    except OSError as error:
        raise InputFailure(f"{output}: cannot write: {error.strerror or error}") from None
    click.echo(f"wrote {output} ({info.width}x{info.height})", err=True)
