"""`icc-travel subjects` and `icc-travel subject`: who is wanted, and one person's profile."""

from __future__ import annotations

import datetime as dt

import click

from icc_travel.cli.context import load
from icc_travel.cli.options import FORMATS, format_option, on_date, reports_errors, subject_argument
from icc_travel.cli.render import emit, warn
from icc_travel.data.sources import as_lines
from icc_travel.dates import iso
from icc_travel.engine.contract import profile_json
from icc_travel.engine.entities import subject_entities
from icc_travel.engine.staleness import staleness_warning
from icc_travel.engine.subjects import SubjectFinder
from icc_travel.engine.tables import find_precedents
from icc_travel.formats import Report
from icc_travel.law import first_warrant
from icc_travel.vocabulary import SubjectStatus, values


@click.command()
@click.option("--status", type=click.Choice(sorted(values(SubjectStatus))), help="Only subjects with this status.")
@format_option((*FORMATS, "ftm"))
@reports_errors
def subjects(status: str | None, fmt: str) -> None:
    """Every subject of a public ICC arrest warrant (or pending application).

    \b
    Examples:
      icc-travel subjects --status at_large
      icc-travel subjects --format json
    """
    dataset = load()
    chosen = sorted((s for s in dataset.subjects if status is None or s.status == status), key=lambda s: s.id)
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "nationality": s.nationality,
            "situation": s.situation,
            "first_warrant": iso(first_warrant(s)),
            "status": s.status,
            "status_date": iso(s.status_date),
        }
        for s in chosen
    ]
    emit(
        Report(
            as_of=dataset.warrants_as_of,
            columns=[
                ("id", "Id"),
                ("name", "Name"),
                ("nationality", "Nat."),
                ("situation", "Situation"),
                ("first_warrant", "First warrant"),
                ("status", "Status"),
                ("status_date", "Since"),
            ],
            rows=rows,
            payload={"data_as_of": dataset.warrants_as_of.isoformat(), "subjects": rows},
            entities=subject_entities(dataset, chosen) if fmt == "ftm" else None,
            title=f"{len(rows)} subjects" + (f" with status {status}" if status else ""),
        ),
        fmt,
    )


@click.command()
@subject_argument("name")
@on_date("Date of the territory counts (default: today).")
@format_option((*FORMATS, "ftm"))
@reports_errors
def subject(name: str, on: dt.date, fmt: str) -> None:
    """A subject's profile: aliases, warrants, situation, status, precedents, sources.

    \b
    Example:
      icc-travel subject "Omar al-Bashir"
    """
    dataset = load()
    person = SubjectFinder(dataset).find(name)
    warn(staleness_warning(dataset.as_of, [on]))
    payload = profile_json(dataset, person, on)
    levels = payload["territories_by_obligation"]
    situation = payload["situation"]
    episodes = find_precedents(dataset, subject=person.id)
    warrants = payload["warrants"]
    rows = [
        {"field": "id", "value": person.id},
        {"field": "aliases", "value": ", ".join(person.aliases)},
        {"field": "nationality", "value": person.nationality},
        {"field": "position", "value": person.position},
        {"field": "situation", "value": f"{situation['name']} ({situation['id']})"},
        {"field": "case", "value": person.case},
        {"field": "status", "value": f"{person.status} since {iso(person.status_date)}"},
        {"field": "status note", "value": person.status_note},
        {"field": f"territories with arrest on {on}", "value": levels["arrest"]},
        {"field": f"territories with continuing duty on {on}", "value": levels["continuing"]},
    ]
    details = [
        ("Warrants", [f"issued {w['issued']}, public {w['public']}: {'; '.join(w['crimes'])}" for w in warrants]),
        ("Precedents", [f"{p.start} {p.state} {p.outcome}: {p.event}" for p in episodes] or ["none recorded"]),
        ("Sources", as_lines(person.sources)),
    ]
    emit(
        Report(
            as_of=dataset.as_of,
            columns=[("field", "Field"), ("value", "Value")],
            rows=rows,
            payload=payload,
            title=person.name,
            entities=subject_entities(dataset, [person]) if fmt == "ftm" else None,
            details=details,
            footer=[f"Data as of {dataset.as_of}."],
        ),
        fmt,
    )
