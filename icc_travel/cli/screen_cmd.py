"""`icc-travel screen`: the watched aircraft in large position datasets, and what their routes meant."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import click

from icc_travel import law
from icc_travel.cli.context import load
from icc_travel.cli.options import (
    InputFailure,
    fail_on_option,
    format_option,
    gap_option,
    output_option,
    reports_errors,
    trust_positions_option,
)
from icc_travel.cli.render import progress_bar, quiet, warn, write_streamed
from icc_travel.engine.contract import FLAT_COLUMNS, flat_record
from icc_travel.formats import RowStream, stream

FLAT = ("hex", "registration", "subject", *FLAT_COLUMNS, "sources")


def _columns(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, str]:
    """`--columns time=ts,icao24=hex`: our column name = the dataset's."""
    if not value:
        return {}
    from icc_travel.engine.screen import COLUMNS
    from icc_travel.text import suggest

    mapping: dict[str, str] = {}
    for part in value.split(","):
        ours, _, theirs = (text.strip() for text in part.partition("="))
        if not ours or not theirs:
            raise click.BadParameter(f"{value!r}: give OURS=THEIRS pairs, e.g. time=ts,icao24=hex")
        if ours not in COLUMNS:
            close = suggest(ours, list(COLUMNS))
            hint = f"; did you mean {', '.join(close)}?" if close else f"; ours are {', '.join(COLUMNS)}"
            raise click.BadParameter(f"{ours!r} is not a column this tool reads{hint}")
        if ours in mapping.values():
            raise click.BadParameter(f"{ours} is mapped twice")
        mapping[theirs] = ours
    read_from = {ours: next((t for t, o in mapping.items() if o == ours), ours) for ours in COLUMNS}
    for ours, theirs in read_from.items():
        others = [o for o, t in read_from.items() if t == theirs and o != ours]
        if others:
            raise click.BadParameter(f"{ours} and {others[0]} would both read the column {theirs!r}")
    return mapping


def _scheduler(value: str | None) -> str | None:
    """A Dask scheduler address: tcp://HOST:PORT (or tls://, or HOST:PORT), checked before any
    work starts; a garbled one is a usage error, not a traceback from deep in distributed."""
    import re

    if value is None:
        return None
    address = value.strip()
    if "://" not in address:
        address = f"tcp://{address}"
    match = re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})/?", address)
    if not match or not 0 < int(match.group(3)) < 65536:
        raise click.BadParameter(f"{value!r} is not a scheduler address such as tcp://10.0.0.5:8786")
    return address


@click.command()
@click.argument("positions", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="POSITIONS...")
@click.option(
    "--watchlist",
    type=click.Path(path_type=Path),
    help="CSV hex,registration,subject,source (default: the data's aircraft with a sourced ICAO address).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: stream the dataset on this machine; dask: filter and locate the positions on a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    callback=lambda ctx, param, value: _scheduler(value),
    help="A running Dask scheduler (tcp://host:8786); default: a LocalCluster.",
)
@click.option(
    "--columns",
    callback=_columns,
    metavar="OURS=THEIRS,...",
    help="Map other column names: time, icao24, lat, lon, onground, baroaltitude, callsign.",
)
@gap_option("Positions further apart than this are a gap.")
@trust_positions_option
@format_option(("jsonl", "csv", "json"))
@fail_on_option
@output_option(inputs=("positions", "watchlist"))
@reports_errors
def screen(
    positions: tuple[Path, ...],
    watchlist: Path | None,
    engine: str,
    scheduler: str | None,
    columns: dict[str, str],
    gap: float,
    trust_positions: bool,
    fmt: str,
    fail_on: str,
    output: Path | None,
) -> None:
    """Find the watched aircraft in position datasets (OpenSky state vectors: Parquet files or
    directories, or CSV) and report, for each, the territories it crossed or landed in and what
    they meant for its subject: one row per segment or landing, as `track` gives them.

    \b
    Examples:
      icc-travel screen states_2025-01/ --watchlist watched.csv -o hits.jsonl
      icc-travel screen positions.csv --watchlist watched.csv --format csv

    Exit status: 1 when a row reaches --fail-on, 2 on bad input.
    """
    from icc_travel import api
    from icc_travel.engine.contract import screen_rows, screen_summary
    from icc_travel.errors import WatchlistNeeded

    # As in `batch`: a screen allocates many small acyclic containers (the imports of pyarrow,
    # numpy and, for Dask, distributed; the output's rows), and the cyclic collector re-scanned
    # them every few hundred allocations, freeing nothing: 40-75 ms of CPU on the bench's screens.
    # It is on again when the command ends.
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)
    dataset = load()
    with progress_bar("screening") as update:
        try:
            found = api.screen(
                positions,
                watchlist=watchlist,
                columns=columns,
                gap_minutes=gap,
                trust_positions=trust_positions,
                engine=engine,
                scheduler=scheduler,
                progress=lambda done, total: update(completed=done, total=total),
                dataset=dataset,
            )
        except WatchlistNeeded:
            raise InputFailure(
                "give --watchlist FILE (hex,registration,subject,source): no aircraft in the data has an ICAO address"
            ) from None
    rows = screen_rows(found)
    summary = screen_summary(found)
    line = (
        f"screen: {found.rows_read:,} rows read, {found.positions_kept:,} positions kept, "
        f"{len(found.tracks)} of {found.aircraft_watched} watched aircraft found, {len(rows)} rows out"
    )
    source = RowStream(
        rows=lambda: iter(rows),
        summary=lambda: summary,
        summary_line=lambda: line,
        as_of=dataset.as_of,
        flat_columns=(*FLAT, "data_as_of"),
        flat=lambda row: _flat(row, dataset.as_of),
        markdown_columns={},
    )
    write_streamed(output, lambda out: stream(source, fmt, out))
    if not quiet():
        click.echo(line, err=True)
    if found.positions_refused:
        counts = ", ".join(f"{why}: {count:,}" for why, count in found.positions_refused.items())
        warn(
            f"{sum(found.positions_refused.values()):,} positions of watched aircraft were left out, never flown ({counts})"
        )
    if not found.tracks:
        warn("none of the watched aircraft is in the positions")
    if any(law.reaches(row["obligation"], fail_on) for row in rows):
        raise SystemExit(1)


def _flat(row: dict[str, Any], as_of: Any) -> list[Any]:
    """A JSON row as the CSV's columns: the watched aircraft, then the track's flat record."""
    flat = {**row, **flat_record(row["record"], row), "data_as_of": as_of.isoformat()}
    return [flat.get(key) for key in (*FLAT, "data_as_of")]
