"""`icc-travel states`: the States Parties in force on a date."""

from __future__ import annotations

import datetime as dt

import click

from icc_travel.cli.options import format_option, on_option, reports_errors
from icc_travel.cli.render import Report, emit, warn
from icc_travel.dates import iso
from icc_travel.sources import as_json
from icc_travel.staleness import staleness_warning
from icc_travel.store import load
from icc_travel.tables import parties_in_force


@click.command()
@on_option
@click.option("--count", is_flag=True, help="Print only the number of parties.")
@format_option()
@reports_errors
def states(on: dt.date, count: bool, fmt: str) -> None:
    """The States Parties to the Rome Statute in force on a date, with their dates.

    \b
    Examples:
      icc-travel states --on 2025-07-08 --count
      icc-travel states --format csv
    """
    dataset = load()
    warn(staleness_warning(dataset.as_of, [on]))
    parties = parties_in_force(dataset, on)
    if count:
        click.echo(len(parties))
        return
    fields = ("signed", "deposited", "entry_into_force", "withdrawal_notified", "withdrawal_revoked")
    rows = [
        {
            "name": t.name,
            "iso3": t.iso3,
            "iso2": t.iso2,
            **{f: iso(getattr(t, f)) for f in fields},
            "sources": as_json(t.sources),
        }
        for t in parties
    ]
    emit(
        Report(
            columns=[
                ("name", "State"),
                ("iso3", "ISO3"),
                ("deposited", "Deposited"),
                ("entry_into_force", "In force"),
                ("withdrawal_notified", "Withdrawal notified"),
            ],
            rows=rows,
            payload={"date": on.isoformat(), "count": len(parties), "states": rows},
            title=f"{len(parties)} States Parties in force on {on}",
            csv_columns=[(k, k) for k in ("name", "iso3", "iso2", *fields)],
        ),
        fmt,
    )
