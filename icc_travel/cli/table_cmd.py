"""`icc-travel table`: the obligation in every territory for one or more subjects."""

from __future__ import annotations

import datetime as dt

import click

from icc_travel.cli.context import load
from icc_travel.cli.options import format_option, on_date, reports_errors, subject_option
from icc_travel.cli.render import emit, warn
from icc_travel.engine.contract import table_json
from icc_travel.formats import LEVEL_STYLES, Report


@click.command()
@subject_option(multiple=True)
@on_date("Date of the obligations (default: today).")
@click.option("--parties-only", is_flag=True, help="Only territories where the Statute is in force on the date.")
@click.option(
    "--wide", is_flag=True, help="One column per subject in the table and Markdown too (CSV and JSON always are)."
)
@format_option()
@reports_errors
def table(subject_names: tuple[str, ...], on: dt.date, parties_only: bool, wide: bool, fmt: str) -> None:
    """One row per territory, sorted by name, with each subject's obligation there.

    Without --subject, every subject with a warrant in effect on the date is included. With
    several subjects the table and Markdown give one row per territory and level, listing the
    subjects ("all" when every one shares it); --wide gives a column per subject instead.

    \b
    Examples:
      icc-travel table --subject putin --on 2024-09-03 --parties-only
      icc-travel table --format markdown > obligations.md
    """
    from icc_travel import api

    dataset = load()
    result = api.table(subject_names, on=on, parties_only=parties_only, dataset=dataset)
    subjects, rows = list(result.subjects), list(result.rows)
    single = len(subjects) == 1
    columns = [("name", "Territory"), ("iso3", "ISO3")]
    for subject in subjects:
        columns.append((subject.id, "Obligation" if single else subject.id))
        if single:
            columns.append((f"{subject.id}:basis", "Basis"))
    columns.append(("precedents", "Precedents"))
    table_rows = []
    for row in rows:
        cells: dict[str, object] = {
            "name": row.territory.label,
            "iso3": row.territory.iso3,
            "precedents": row.precedents,
        }
        for subject_id, obligation in row.obligations.items():
            cells[subject_id] = obligation.level if single else f"{obligation.level} ({obligation.basis})"
            cells[f"{subject_id}:basis"] = obligation.basis
        table_rows.append(cells)
    csv_columns = [("name", "name"), ("iso3", "iso3")]
    for subject in subjects:
        csv_columns += [(subject.id, subject.id), (f"{subject.id}:basis", f"{subject.id}_basis")]
    csv_columns.append(("precedents", "precedents"))
    names = ", ".join(s.id for s in subjects) or "no subject with a warrant in effect"
    grouped = len(subjects) > 1 and not wide and fmt in ("table", "markdown")
    if grouped:
        columns, table_rows = _grouped(rows, subjects)
    emit(
        Report(
            as_of=dataset.as_of,
            columns=columns,
            rows=table_rows,
            payload=lambda: table_json(result),
            title=f"Obligation to arrest on {on}: {names}",
            footer=[f"Data as of {dataset.as_of}. Absence from the data does not prove there is no sealed warrant."],
            styles={s.id: LEVEL_STYLES for s in subjects} if single else {"obligation": LEVEL_STYLES},
            csv_columns=csv_columns,
        ),
        fmt,
    )
    for warning in result.warnings:
        warn(warning)


def _grouped(rows: list, subjects: list) -> tuple[list[tuple[str, str]], list[dict[str, object]]]:
    """One row per territory and (level, basis), the subjects listed: readable with 30 subjects."""
    columns = [
        ("name", "Territory"),
        ("iso3", "ISO3"),
        ("obligation", "Obligation"),
        ("basis", "Basis"),
        ("subjects", "Subjects"),
        ("precedents", "Precedents"),
    ]
    out: list[dict[str, object]] = []
    for row in rows:
        groups: dict[tuple[str, str], list[str]] = {}
        for subject_id, obligation in row.obligations.items():
            groups.setdefault((obligation.level, obligation.basis), []).append(subject_id)
        for (level, basis), ids in sorted(groups.items(), key=lambda item: -len(item[1])):
            listed = f"all {len(ids)}" if len(ids) == len(subjects) else ", ".join(ids)
            out.append(
                {
                    "name": row.territory.label,
                    "iso3": row.territory.iso3,
                    "obligation": level,
                    "basis": basis,
                    "subjects": listed,
                    "precedents": row.precedents,
                }
            )
    return columns, out
