"""`icc-travel precedents`: what happened when wanted people travelled."""

from __future__ import annotations

import click

from icc_travel.cli.context import load
from icc_travel.cli.options import format_option, reports_errors, state_option, subject_option
from icc_travel.cli.render import emit
from icc_travel.data.sources import as_json
from icc_travel.engine.contract import precedent_json
from icc_travel.engine.subjects import SubjectFinder
from icc_travel.engine.tables import find_precedents
from icc_travel.errors import InputError
from icc_travel.formats import Report
from icc_travel.geo.places import PlaceResolver
from icc_travel.vocabulary import Outcome, values


@click.command()
@subject_option()
@state_option()
@click.option("--outcome", type=click.Choice(sorted(values(Outcome))), help="Only this outcome.")
@format_option()
@reports_errors
def precedents(subject_name: str | None, state: str | None, outcome: str | None, fmt: str) -> None:
    """Recorded episodes, newest first: visits, cancelled trips, overflights, arrests, findings.

    \b
    Examples:
      icc-travel precedents --subject bashir --outcome not_arrested
      icc-travel precedents --state Mongolia --format json
    """
    dataset = load()
    subject_id = SubjectFinder(dataset).find(subject_name).id if subject_name else None
    iso3 = None
    if state:
        territory = PlaceResolver(dataset).resolve(state).territory
        if territory is None:  # not "every state": a point at sea has no precedents of its own
            raise InputError(f"--state {state!r} is outside every state's territory")
        iso3 = territory.iso3
    found = find_precedents(dataset, subject=subject_id, state=iso3, outcome=outcome)
    rows = []
    for p in found:
        finding = p.finding
        rows.append(
            {
                "id": p.id,
                "date": p.start.isoformat(),
                "subject": p.subject,
                "state": p.state,
                "outcome": p.outcome,
                "confidence": p.confidence,
                "finding": ""
                if finding is None
                else " ".join(
                    x for x in (finding.result, finding.number, finding.date.isoformat() if finding.date else None) if x
                ),
                "event": p.event,
                "sources": as_json(p.sources),
            }
        )
    emit(
        Report(
            as_of=dataset.precedents_as_of,
            columns=[
                ("date", "Date"),
                ("subject", "Subject"),
                ("state", "State"),
                ("outcome", "Outcome"),
                ("confidence", "Confidence"),
                ("finding", "Finding"),
                ("event", "Event"),
            ],
            rows=rows,
            payload={
                "data_as_of": dataset.precedents_as_of.isoformat(),
                "precedents": [precedent_json(p) for p in found],
            },
            title=f"{len(found)} precedents",
            csv_columns=[
                (k, k)
                for k in ("id", "date", "subject", "state", "outcome", "confidence", "finding", "event", "sources")
            ],
        ),
        fmt,
    )
