"""`icc-travel batch`: check many itineraries for CI; every input row yields one output row."""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from icc_travel import law
from icc_travel.cli.options import (
    fail_on_option,
    format_option,
    no_legs_option,
    on_option,
    output_option,
    reports_errors,
)
from icc_travel.cli.render import quiet, warn, write_streamed
from icc_travel.data.inputs import read_limited, read_stream
from icc_travel.data.store import load
from icc_travel.engine.batch import (
    INPUT_FORMATS,
    NOT_READ,
    BatchOutcome,
    BatchResult,
    InputRow,
    Rows,
    detect_format,
    evaluate,
    read_rows,
)
from icc_travel.engine.check import leg_json
from icc_travel.errors import InputError, shorten
from icc_travel.formats import RowStream, stream
from icc_travel.formats.csv import neutralise

OUTPUT_FORMATS = ("json", "jsonl", "csv", "markdown", "github")
ERRORS_SHOWN = 10  # error rows repeated on stderr
MAX_INPUT_BYTES = 1 << 30  # 1 GiB per input: about 25 million CSV rows; /dev/zero is not a file of rows
# the CSV columns a reader of a Markdown report needs, with their headers
MARKDOWN_COLUMNS = {
    "file": "File",
    "line": "Line",
    "itinerary": "Itinerary",
    "subject": "Subject",
    "input": "Place",
    "date": "Date",
    "state": "State",
    "obligation": "Obligation",
    "basis": "Basis",
    "overflown": "Leg overflies",
    "error": "Error",
}
FLAT = (
    "file",
    "line",
    "itinerary",
    "subject",
    "input",
    "date",
    "kind",
    "iso3",
    "state",
    "obligation",
    "basis",
    "leg_from",
    "leg_km",
    "overflown",
    "error",
    "data_as_of",
)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE... | -")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), help="Input format (default: from the extension).")
@on_option
@format_option(OUTPUT_FORMATS)
@fail_on_option
@output_option()
@no_legs_option
@reports_errors
def batch(
    files: tuple[str, ...],
    input_format: str | None,
    on: dt.date,
    fmt: str,
    fail_on: str,
    output: Path | None,
    no_legs: bool,
) -> None:
    """Check many itineraries from YAML, CSV (itinerary,subject,place,date,kind) or JSON Lines.

    Each input row becomes one result or one error row (with file and line); a summary on
    stderr counts rows in, results, errors and levels. `-` reads standard input.

    Consecutive rows with the same file, itinerary and subject are one itinerary: a row whose
    stop and the previous located stop both have coordinates (airport:CODE, LAT,LON) carries
    the great-circle leg between them and the territories it overflies.

    \b
    Examples:
      icc-travel batch visits.yaml --format github
      icc-travel batch visits.csv --format csv -o results.csv
      cat visits.jsonl | icc-travel batch - --input-format jsonl

    Exit status: 2 if any row is an error (after writing all output), else 1 if a result
    reaches --fail-on, else 0.
    """
    # A batch holds millions of small acyclic containers: the cyclic collector would re-scan
    # them all every few thousand allocations (a third of the run time) and free nothing.
    gc.disable()
    rows = Rows()
    for name in files:
        rows.extend(_read(name, input_format))
    dataset = load()
    outcome = _evaluate_with_progress(dataset, rows, on, legs=not no_legs)
    write_streamed(output, lambda out: write(outcome, fmt, fail_on, out))  # written only now, and in full or not at all
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        try:
            with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
                write(outcome, "markdown", fail_on, summary.write)
        except OSError as error:  # the annotations went out; the summary is a courtesy
            warn(f"cannot append the summary to $GITHUB_STEP_SUMMARY: {error.strerror or error}")
    for line in error_lines(outcome):
        click.echo(f"icc-travel: error: {shorten(line)}", err=True)
    if not quiet():
        click.echo(summary_line(outcome), err=True)
    warn(outcome.staleness())
    if outcome.errors:
        raise SystemExit(2)
    if outcome.reaches(fail_on):
        raise SystemExit(1)


def _read(name: str, declared: str | None) -> Rows:
    label = "<stdin>" if name == "-" else name
    try:
        if name == "-":
            if sys.stdin is None or sys.stdin.closed:
                return _failed(label, "standard input is closed")
            if hasattr(sys.stdin, "buffer"):
                raw = read_stream(sys.stdin.buffer, MAX_INPUT_BYTES, name=label)
            else:
                raw = sys.stdin.read().encode()
        else:
            raw = read_limited(Path(name), MAX_INPUT_BYTES, label=label)
    except InputError as error:
        return _failed(label, str(error).removeprefix(f"{label}: "))
    except (OSError, ValueError) as error:
        return _failed(label, f"cannot read: {getattr(error, 'strerror', None) or error}")
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        return _failed(label, f"not UTF-8 text (byte {error.start})")
    if "\x00" in text:
        return _failed(label, "binary file, expected text")
    return read_rows(label, text, detect_format(label, declared, text))


def _failed(label: str, message: str) -> Rows:
    return Rows.of([InputRow(label, 1, None, None, None, None, None, message)])


def _evaluate_with_progress(dataset: Any, rows: Rows, day: dt.date, *, legs: bool) -> BatchOutcome:
    if quiet() or not (sys.stderr.isatty() and len(rows) > 500):
        return evaluate(dataset, rows, day, legs=legs)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("checking", total=len(rows))
        return evaluate(dataset, rows, day, progress=lambda done: progress.advance(task, done), legs=legs)


def error_lines(outcome: BatchOutcome, limit: int = ERRORS_SHOWN) -> Iterator[str]:
    """`file:line: message` for the first error rows (all of them are in the output)."""
    c = outcome.inputs.columns
    shown = [n for n in sorted(outcome.errors_by_row) if not outcome.errors_by_row[n].startswith(NOT_READ)]
    for number in shown[:limit]:
        yield f"{c['file'][number]}:{c['line'][number]}: {outcome.errors_by_row[number]}"
    if len(shown) > limit:
        yield f"{len(shown) - limit} more rows are errors; every one is in the output"


def summary_line(outcome: BatchOutcome) -> str:
    levels = outcome.levels()
    counts = ", ".join(f"{level} {levels.get(level, 0)}" for level in law.LEVELS)
    line = f"batch: {len(outcome.inputs)} rows in: {outcome.result_count} results ({counts}), {outcome.errors} errors"
    if outcome.leg_of_row:
        legs = outcome.leg_levels()
        line += f"; {len(outcome.leg_of_row)} legs ({', '.join(f'{k} {legs[k]}' for k in law.LEVELS if legs[k])})"
    return line


def flat(row: dict[str, Any], as_of: dt.date | None = None) -> list[Any]:
    country = row.get("country") or {}
    leg = row.get("leg") or {}
    values = {
        **row,
        "iso3": country.get("iso3"),
        "state": country.get("name"),
        "leg_from": leg.get("from"),
        "leg_km": leg.get("distance_km"),
        "overflown": overflown_text(leg.get("overflown")),
        "data_as_of": as_of.isoformat() if as_of else None,
    }
    return [values.get(key) for key in FLAT]


def overflown_text(overflown: list[dict[str, Any]] | None) -> str | None:
    """`GRC 59.7 km overflight; TUR 647.3 km none`: one CSV or table cell per leg."""
    if overflown is None:
        return None
    return "; ".join(f"{o['iso3']} {o['km']} km {o['obligation']}" for o in overflown)


def write(outcome: BatchOutcome, fmt: str, fail_on: str, out: Callable[[str], Any]) -> None:
    """Render row by row through the format's stream writer: a million rows never exist as a
    million dicts at once."""
    stream(row_stream(outcome, fail_on), fmt, out)


def row_stream(outcome: BatchOutcome, fail_on: str) -> RowStream:
    return RowStream(
        rows=outcome.rows,
        summary=_summary(outcome),
        summary_line=summary_line(outcome),
        as_of=outcome.data_as_of,
        flat_columns=FLAT,
        flat=lambda row: flat(row, outcome.data_as_of),
        markdown_columns=MARKDOWN_COLUMNS,
        csv_lines=lambda: csv_lines(outcome),
        annotations=lambda: annotations(outcome, fail_on),
    )


def csv_lines(outcome: BatchOutcome) -> Iterator[str]:
    """Rows as CSV text, quoted as csv.writer's QUOTE_MINIMAL quotes them. The part of a line
    that comes from its result is rendered once per result: a million rows share far fewer."""
    c = outcome.inputs.columns
    subjects, tails = [], []
    for result in outcome.results:
        subjects.append(_quoted(result.subject.id))
        tails.append(_tail(result, None))
    files = {file: _quoted(file) for file in set(c["file"])}
    as_of = outcome.data_as_of.isoformat()
    columns = (c["file"], c["line"], _quoted_column(c["itinerary"]), _quoted_column(c["place"]), outcome.result_of_row)
    for number, (file, line, itinerary, place, index) in enumerate(zip(*columns, strict=True)):
        if index < 0:
            error = _quoted(outcome.errors_by_row[number])
            yield f"{files[file]},{line},{itinerary},{_quoted(c['subject'][number])},{place},,,,,,,,,,{error},{as_of}\n"
            continue
        tail = tails[index]
        leg = outcome.leg_of_row.get(number)
        if leg is not None:
            tail = _tail(outcome.results[index], leg_json(leg))
        yield f"{files[file]},{line},{itinerary},{subjects[index]},{place},{tail},{as_of}\n"


def _tail(result: BatchResult, leg: dict[str, Any] | None) -> str:
    territory = result.territory
    values = (
        result.day.isoformat(),
        result.kind,
        territory.iso3 if territory else None,
        territory.name if territory else None,
        result.obligation.level,
        result.obligation.basis,
        None if leg is None else leg["from"],
        None if leg is None else leg["distance_km"],
        None if leg is None else overflown_text(leg["overflown"]),
        None,
    )
    return ",".join(_quoted(value) for value in values)


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _quoted_column(values: list[str | None]) -> list[str]:
    """`_quoted` for a whole column, inline: a function call per cell costs a second a million
    (only a cell that starts like a formula pays for the spreadsheet check)."""
    return [
        ""
        if v is None
        else _quoted(v)
        if v[:1] in FORMULA_FIRST
        else ('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\n" in v or "\r" in v) else v)
        for v in values
    ]


FORMULA_FIRST = frozenset("=+-@\t\r")


def _quoted(value: Any) -> str:
    """A CSV cell: quoted as QUOTE_MINIMAL would, and never a formula a spreadsheet would run."""
    if value is None:
        return ""
    text = neutralise(value if isinstance(value, str) else str(value))
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def _summary(outcome: BatchOutcome) -> dict[str, Any]:
    return {
        "rows": len(outcome.inputs),
        "results": outcome.result_count,
        "errors": outcome.errors,
        "levels": dict(outcome.levels()),
        "data_as_of": outcome.data_as_of.isoformat(),
        "warnings": [warning] if (warning := outcome.staleness()) else [],
    }


def annotations(outcome: BatchOutcome, fail_on: str) -> Iterator[tuple[str, str, int, str]]:
    """CI annotations: an error per arrest or bad row, a warning per continuing duty, and with
    --fail-on overflight an error per leg over a party."""
    for row in outcome.rows():
        where = (row["file"], row["line"])
        if row["error"] is not None:
            yield ("error", *where, row["error"])
            continue
        level = row["obligation"]
        if law.reaches(level, "continuing"):
            command = "error" if level == law.ARREST and law.reaches(level, fail_on) else "warning"
            state = (row["country"] or {}).get("name", "?")
            yield (command, *where, f"{row['subject']} in {state} on {row['date']}: {level} ({row['basis']})")
        leg = row["leg"]
        if leg is not None and law.reaches(law.OVERFLIGHT, fail_on):
            parties = [o["iso3"] for o in leg["overflown"] if law.reaches(o["obligation"], fail_on)]
            if parties:
                message = f"{row['subject']}: the leg from {leg['from']} overflies {', '.join(parties)} (overflight)"
                yield ("error", *where, message)
