"""`icc-travel batch`: check many itineraries for CI; every input row yields one output row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from icc_travel import law
from icc_travel.batch import INPUT_FORMATS, BatchOutcome, InputRow, detect_format, evaluate, read_rows
from icc_travel.cli.options import InputFailure, fail_on_option, format_option, on_option, reports_errors
from icc_travel.loaders import load

OUTPUT_FORMATS = ("json", "jsonl", "csv", "markdown", "github")
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
    "error",
)


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE... | -")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), help="Input format (default: from the extension).")
@on_option
@format_option(OUTPUT_FORMATS)
@fail_on_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@reports_errors
def batch(
    files: tuple[str, ...], input_format: str | None, on: dt.date, fmt: str, fail_on: str, output: Path | None
) -> None:
    """Check many itineraries from YAML, CSV (itinerary,subject,place,date,kind) or JSON Lines.

    Each input row becomes one result or one error row (with file and line); a summary on
    stderr counts rows in, results, errors and levels. `-` reads standard input.

    \b
    Examples:
      icc-travel batch visits.yaml --format github
      icc-travel batch visits.csv --format csv -o results.csv
      cat visits.jsonl | icc-travel batch - --input-format jsonl

    Exit status: 2 if any row is an error (after writing all output), else 1 if a result
    reaches --fail-on, else 0.
    """
    rows: list[InputRow] = []
    for name in files:
        rows += _read(name, input_format)
    dataset = load()
    outcome = _evaluate_with_progress(dataset, rows, on)
    text = render(outcome, fmt, fail_on)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InputFailure(f"{output}: cannot write: {error.strerror or error}") from None
    else:
        click.echo(text, nl=False)
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(render(outcome, "markdown", fail_on))
    click.echo(summary_line(outcome), err=True)
    if outcome.errors:
        raise SystemExit(2)
    if any(law.reaches(row["obligation"], fail_on) for row in outcome.rows):
        raise SystemExit(1)


def _read(name: str, declared: str | None) -> list[InputRow]:
    label = "<stdin>" if name == "-" else name
    try:
        if name == "-":
            if sys.stdin is None or sys.stdin.closed:
                return [InputRow(label, 1, None, None, None, None, None, "standard input is closed")]
            raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        else:
            raw = Path(name).read_bytes()
    except IsADirectoryError:
        return [InputRow(label, 1, None, None, None, None, None, "is a directory, not a file")]
    except FileNotFoundError:
        return [InputRow(label, 1, None, None, None, None, None, "no such file")]
    except (OSError, ValueError) as error:
        return [
            InputRow(
                label, 1, None, None, None, None, None, f"cannot read: {getattr(error, 'strerror', None) or error}"
            )
        ]
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        return [InputRow(label, 1, None, None, None, None, None, f"not UTF-8 text (byte {error.start})")]
    if "\x00" in text:
        return [InputRow(label, 1, None, None, None, None, None, "binary file, expected text")]
    return read_rows(label, text, detect_format(label, declared, text))


def _evaluate_with_progress(dataset: Any, rows: list[InputRow], day: dt.date) -> BatchOutcome:
    if not (sys.stderr.isatty() and len(rows) > 500):
        return evaluate(dataset, rows, day)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("checking", total=len(rows))
        return evaluate(dataset, rows, day, progress=lambda: progress.advance(task))


def summary_line(outcome: BatchOutcome) -> str:
    levels = outcome.levels()
    counts = ", ".join(f"{level} {levels.get(level, 0)}" for level in law.LEVELS)
    return f"batch: {len(outcome.rows)} rows in: {outcome.results} results ({counts}), {outcome.errors} errors"


def flat(row: dict[str, Any]) -> dict[str, Any]:
    country = row.get("country") or {}
    return {**{k: row.get(k) for k in FLAT}, "iso3": country.get("iso3"), "state": country.get("name")}


def render(outcome: BatchOutcome, fmt: str, fail_on: str) -> str:
    if fmt == "json":
        document = {
            "summary": {
                "rows": len(outcome.rows),
                "results": outcome.results,
                "errors": outcome.errors,
                "levels": dict(outcome.levels()),
            },
            "rows": outcome.rows,
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in outcome.rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FLAT, lineterminator="\n")
        writer.writeheader()
        writer.writerows(flat(row) for row in outcome.rows)
        return buffer.getvalue()
    if fmt == "markdown":
        lines = [
            "| File | Line | Itinerary | Subject | Place | Date | State | Obligation | Basis | Error |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in map(flat, outcome.rows):
            cells = [
                row[k]
                for k in (
                    "file",
                    "line",
                    "itinerary",
                    "subject",
                    "input",
                    "date",
                    "state",
                    "obligation",
                    "basis",
                    "error",
                )
            ]
            lines.append("| " + " | ".join("" if c is None else str(c).replace("|", "\\|") for c in cells) + " |")
        return "\n".join([*lines, "", summary_line(outcome)]) + "\n"
    return _github(outcome, fail_on)


def _github(outcome: BatchOutcome, fail_on: str) -> str:
    """Workflow commands: an error per arrest or bad row, a warning per continuing duty."""
    lines = []
    for row in outcome.rows:
        where = f"file={_escape(row['file'])},line={row['line']}"
        if row["error"] is not None:
            lines.append(f"::error {where}::{_escape(row['error'])}")
            continue
        level = row["obligation"]
        if level == law.NONE or not law.reaches(level, "continuing"):
            continue
        command = "error" if law.reaches(level, fail_on) and level == law.ARREST else "warning"
        state = (row["country"] or {}).get("name", "?")
        lines.append(f"::{command} {where}::{row['subject']} in {state} on {row['date']}: {level} ({row['basis']})")
    return "\n".join(lines) + ("\n" if lines else "")


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(",", "%2C")
        .replace("::", "%3A%3A")
    )
