"""`icc-travel map`: a world map for one subject, coloured by obligation level."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from icc_travel.cli.options import (
    InputFailure,
    itinerary_option,
    on_date,
    output_option,
    reports_errors,
    subject_option,
)
from icc_travel.cli.render import AtomicOutput, warn
from icc_travel.data.store import load
from icc_travel.engine.itinerary import read_itinerary
from icc_travel.engine.staleness import staleness_warning
from icc_travel.engine.subjects import SubjectFinder


@click.command("map")
@subject_option(required=True)
@on_date("Date whose obligations colour the map (default: today).")
@itinerary_option("Itinerary YAML whose stops are drawn and numbered.")
@output_option(required=True, help="FILE.png or FILE.svg.")
@reports_errors
def map_command(subject_name: str, on: dt.date, itinerary: Path | None, output: Path) -> None:
    """Draw a world map coloured by the subject's obligation level on a date.

    \b
    Examples:
      icc-travel map --subject putin --on 2024-09-03 -o putin.png
      icc-travel map --subject netanyahu --itinerary trip.yaml -o trip.svg
    """
    if output.suffix.lower() not in (".png", ".svg"):
        raise InputFailure(f"{output}: the map is written as .png or .svg")
    if not output.parent.exists():
        raise InputFailure(f"{output}: directory {output.parent} does not exist")
    dataset = load()
    warn(staleness_warning(dataset.as_of, [on]))
    person = SubjectFinder(dataset).find(subject_name)
    stops = []
    if itinerary is not None:
        from icc_travel.engine.check import check_itinerary

        stops = list(check_itinerary(dataset, person, read_itinerary(itinerary, on).stops).stops)
    from icc_travel.geo.mapping import render_map

    try:
        with AtomicOutput(output) as temporary:
            info = render_map(dataset, person, on, stops, temporary)
    except OSError as error:
        raise InputFailure(f"{output}: cannot write: {error.strerror or error}") from None
    click.echo(f"wrote {output} ({info.width}x{info.height})", err=True)
