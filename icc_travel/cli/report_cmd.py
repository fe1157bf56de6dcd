"""`icc-travel report`: one self-contained HTML page for an itinerary, recorded tracks or a
subject, for readers who will not run a command line."""

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
from icc_travel.engine.subjects import SubjectFinder


@click.command()
@itinerary_option("Itinerary YAML (as `check --itinerary` reads it): one row per stop.")
@track_files_option(
    "A recorded track (any format `track` reads); repeatable. One row per territory crossed or landing."
)
@subject_option()
@date_option(
    "--on",
    help="With --subject alone, the date answered (default: today). Otherwise the date of the map's "
    "colours (default: the first stop's or fix's date) and of stops without their own date.",
)
@output_option(inputs=("itinerary", "track_files"), required=True, help="FILE.html to write.")
@reports_errors
def report(
    itinerary: Path | None, track_files: tuple[Path, ...], subject_name: str | None, on: dt.date | None, output: Path
) -> None:
    """Write one self-contained HTML page (styles, SVG map and data inline; no network request)
    for an itinerary, recorded tracks, or a subject alone: the subject, the answer for each stop
    or track segment with its reasons and tiered sources, disputed readings, precedents for the
    states concerned, and the data's as-of date. The same input gives the same bytes.

    \b
    Examples:
      icc-travel report --itinerary trip.yaml -o trip.html
      icc-travel report --track trace_full_738a5b.json -o flight.html
      icc-travel report --subject putin --on 2024-09-03 -o putin.html
    """
    if output.suffix.lower() != ".html":
        raise InputFailure(f"{output}: the report is written as .html")
    if not output.parent.exists():
        raise InputFailure(f"{output}: directory {output.parent} does not exist")
    if itinerary is not None and track_files:
        raise InputFailure("give --itinerary or --track, not both: a report is about one of them")
    if itinerary is None and not track_files and not subject_name:
        raise InputFailure("nothing to report: give --itinerary FILE, --track FILE or --subject S")
    dataset = load()
    finder = SubjectFinder(dataset)
    from icc_travel.engine import report as pages

    if itinerary is not None:
        from icc_travel.engine.check import check_itinerary
        from icc_travel.engine.itinerary import read_itinerary

        plan = read_itinerary(itinerary, on or today())
        name = subject_name or plan.subject
        if not name:
            raise InputFailure(f"{itinerary}: no subject: give --subject or a 'subject:' in the file")
        person = finder.find(name)
        if subject_name and plan.subject and finder.find(plan.subject).id != person.id:
            raise InputFailure(f"{itinerary}: the file's subject {plan.subject!r} is not {subject_name!r}")
        result = check_itinerary(dataset, person, plan.stops)
        page = pages.itinerary_page(dataset, result, name=itinerary.name, on=on)
    elif track_files:
        from icc_travel import api
        from icc_travel.errors import SubjectNeeded

        try:
            analysed = api.analyse_tracks(track_files, subject=subject_name, dataset=dataset)
        except SubjectNeeded:
            raise InputFailure("give --subject: the tracks' aircraft are not tied to one subject in the data") from None
        if analysed.subject_from_aircraft:
            warn(
                f"--subject {analysed.subject.id}, the subject the data ties to this aircraft; give --subject to choose"
            )
        page = pages.track_page(dataset, analysed, on=on)
    else:
        person = finder.find(subject_name or "")
        page = pages.subject_page(dataset, person, on or today())
    warn(page["warnings"][0] if page["warnings"] else None)
    from icc_travel.formats import Report, render

    text = render(Report(columns=[], rows=[], payload=None, as_of=dataset.as_of, page=page), "html")
    try:
        with OutputFile(output) as temporary:
            temporary.write_text(text or "", encoding="utf-8", newline="\n")
    except OSError as error:
        raise InputFailure(f"{output}: cannot write: {error.strerror or error}") from None
    click.echo(f"wrote {output} ({len(page['table']['rows'])} rows, {len((text or '').encode()):,} bytes)", err=True)
