"""`icc-travel states` (the States Parties on a date) and `icc-travel state` (one state's timeline)."""

from __future__ import annotations

import datetime as dt

import click

from icc_travel.cli.context import load
from icc_travel.cli.options import date_option, format_option, on_date, reports_errors, state_argument
from icc_travel.cli.render import emit, warn
from icc_travel.data.models import MEMBERSHIP_FIELDS
from icc_travel.data.sources import as_json
from icc_travel.dates import iso
from icc_travel.engine.staleness import staleness_warning
from icc_travel.engine.tables import parties_in_force, states_ever_parties
from icc_travel.engine.timeline import state_status, state_timeline
from icc_travel.errors import InputError
from icc_travel.formats import Report
from icc_travel.geo.places import PlaceResolver


@click.command()
@on_date("Date on which to list the States Parties (default: today).")
@click.option("--count", is_flag=True, help="Print only the number of parties.")
@click.option(
    "--all",
    "everyone",
    is_flag=True,
    help="Every state that is, was or will be a party, with its status on the date (party, withdrawing, "
    "former, not_yet).",
)
@format_option()
@reports_errors
def states(on: dt.date, count: bool, everyone: bool, fmt: str) -> None:
    """The States Parties to the Rome Statute in force on a date, with their dates.

    \b
    Examples:
      icc-travel states --on 2025-07-08 --count
      icc-travel states --all --on 2027-07-01
      icc-travel states --format csv
    """
    dataset = load()
    warn(staleness_warning(dataset.as_of, [on]))
    parties = parties_in_force(dataset, on)
    if count:
        click.echo(len(parties))
        return
    chosen = states_ever_parties(dataset) if everyone else parties
    rows = [
        {
            "name": t.name,
            "iso3": t.iso3,
            "iso2": t.iso2,
            "status": state_status(t, on),
            **{f: iso(getattr(t, f)) for f in MEMBERSHIP_FIELDS},
            "confidence": t.confidence_on(on),
            "disputed": t.alternative is not None,
            "sources": as_json(t.sources_on(on)),
        }
        for t in chosen
    ]
    columns = [("name", "State"), ("iso3", "ISO3")]
    if everyone:
        columns.append(("status", f"On {on}"))
    columns += [
        ("deposited", "Deposited"),
        ("entry_into_force", "In force"),
        ("withdrawal_notified", "Withdrawal notified"),
    ]
    if everyone:
        columns += [("withdrawal_revoked", "Revoked"), ("withdrawal_effective", "Left")]
    columns.append(("confidence", "Confidence"))
    title = f"{len(parties)} States Parties in force on {on}"
    if everyone:
        title += f"; {len(chosen)} states that are, were or will be parties"
    emit(
        Report(
            as_of=dataset.as_of,
            columns=columns,
            rows=rows,
            payload={
                "date": on.isoformat(),
                "count": len(parties),
                "data_as_of": dataset.as_of.isoformat(),
                "states": rows,
            },
            title=title,
            footer=[f"Data as of {dataset.as_of}."],
            styles={"status": STATUS_STYLES},
            csv_columns=[
                (k, k) for k in ("name", "iso3", "iso2", "status", *MEMBERSHIP_FIELDS, "confidence", "disputed")
            ],
        ),
        fmt,
    )


STATUS_STYLES = {"party": "bold", "withdrawing": "yellow", "former": "dim", "not_yet": "cyan"}


@click.command()
@state_argument()
@date_option("--since", help="Only events on or after this date.")
@date_option("--until", help="Only events on or before this date.")
@format_option()
@reports_errors
def state(name: str, since: dt.date | None, until: dt.date | None, fmt: str) -> None:
    """A state's timeline: signature, ratification, entry into force, withdrawal notified, revoked or
    effective, Art. 12(3) declarations, Security Council referrals, rulings, findings and precedents,
    each with its sources and confidence.

    NAME is a state (or one of its territories) as a code or name.

    \b
    Examples:
      icc-travel state Hungary --since 2026-01-01
      icc-travel state PH --format json
    """
    if since is not None and until is not None and since > until:
        raise click.UsageError(f"--since {since} is after --until {until}: no date is in that range")
    dataset = load()
    territory = PlaceResolver(dataset).resolve(name).territory
    if territory is None:
        raise InputError(f"{name!r} is not a state or territory")
    sovereign = dataset.by_iso3[territory.sovereign]
    events = [
        e
        for e in state_timeline(dataset, sovereign)
        if (since is None or e.date >= since) and (until is None or e.date <= until)
    ]
    today_status = state_status(sovereign, dataset.as_of)
    rows = [
        {
            "date": e.date.isoformat(),
            "kind": e.kind,
            "event": e.text,
            "confidence": e.confidence,
            "sources": as_json(e.sources),
            "source": (as_json(e.sources) or [{"url": ""}])[0]["url"],
        }
        for e in events
    ]
    footer = [f"Data as of {dataset.as_of}; status on that date: {today_status}."]
    part: dict[str, object] = {}
    if territory.iso3 != sovereign.iso3 or territory.territory:
        footer.insert(
            0, f"{territory.label} is a territory of {sovereign.name}: {territory.reason or 'see its record'}"
        )
    if territory.kind == "dependency":
        # The timeline is the sovereign's; whether its ratification reaches this dependency (not
        # extended, for Jersey) is the dependency's own fact, which a JSON reader must see too.
        applied = territory.bound("application")
        part = {
            "territory": {
                "iso3": territory.iso3,
                "name": territory.label,
                "application": territory.application,
                "reason": territory.reason,
                "confidence": applied.confidence if applied else territory.confidence,
                "sources": as_json(applied.sources if applied else territory.sources),
            }
        }
    emit(
        Report(
            as_of=dataset.as_of,
            columns=[
                ("date", "Date"),
                ("event", "Event"),
                ("confidence", "Confidence"),
                ("source", "Strongest source"),
            ],
            rows=rows,
            payload={
                "state": {"iso3": sovereign.iso3, "name": sovereign.name, "status": today_status},
                **part,
                "data_as_of": dataset.as_of.isoformat(),
                "events": [{k: v for k, v in row.items() if k != "source"} for row in rows],
            },
            title=f"{sovereign.name}: {len(rows)} events",
            footer=footer,
            csv_columns=[(k, k) for k in ("date", "kind", "event", "confidence", "sources")],
        ),
        fmt,
    )
