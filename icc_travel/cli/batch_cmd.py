"""`icc-travel batch`: check many itineraries for CI; every input row yields one output row."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from icc_travel.cli.batch_output import error_lines, github_step_summary, row_stream, summary_line
from icc_travel.cli.context import load
from icc_travel.cli.options import (
    fail_on_option,
    format_option,
    no_legs_option,
    on_option,
    output_option,
    reports_errors,
)
from icc_travel.cli.render import progress_bar, quiet, warn, write_streamed
from icc_travel.data.inputs import UnreadableLine, open_input, text_blocks
from icc_travel.engine.batch import BatchOutcome, Evaluator, Totals
from icc_travel.engine.batch_input import CHUNK_ROWS, INPUT_FORMATS, InputRow, Rows, read_chunks
from icc_travel.errors import InputError, shorten
from icc_travel.formats import stream
from icc_travel.vocabulary import ExitStatus

OUTPUT_FORMATS = ("json", "jsonl", "csv", "markdown", "github")
ERRORS_SHOWN = 10  # error rows repeated on stderr


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE... | -")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), help="Input format (default: from the extension).")
@on_option
@format_option(OUTPUT_FORMATS)
@fail_on_option
@output_option(inputs=("files",))
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

    Each input row becomes one result or one error row (with file and line), in input order; a
    summary on stderr counts rows in, results, errors and levels. `-` reads standard input.
    CSV and JSON Lines are read, checked and written in chunks, so memory stays flat however
    long the input is.

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
    # them all every few thousand allocations (a third of the run time) and free nothing. It is
    # on again when the command ends, for whatever runs next in the process (CliRunner, a notebook).
    if gc.isenabled():
        gc.disable()
        click.get_current_context().call_on_close(gc.enable)
    dataset = load()
    evaluate = Evaluator(dataset, on, legs=not no_legs)
    totals = Totals(dataset.as_of, shown=ERRORS_SHOWN)
    with _progress(files) as update:

        def outcomes() -> Iterator[BatchOutcome]:
            """Chunks read, evaluated and counted as the output asks for them, in input order."""
            for name in files:
                for rows, size in _chunks(name, input_format):
                    outcome = evaluate(rows)
                    totals.add(outcome)
                    update(advance=size)
                    yield outcome

        source = row_stream(outcomes, totals, fail_on)
        step_summary = github_step_summary(source) if fmt == "github" else None
        # -o FILE is replaced only once every row is written: in full or not at all
        write_streamed(output, lambda out: stream(source, fmt, out))
        if step_summary is not None:
            step_summary.close()
    for line in error_lines(totals):
        click.echo(f"icc-travel: error: {shorten(line)}", err=True)
    if not quiet():
        click.echo(summary_line(totals), err=True)
    warn(totals.staleness())
    if totals.errors:
        raise SystemExit(ExitStatus.BAD_INPUT)
    if totals.reaches(fail_on):
        raise SystemExit(ExitStatus.REACHED)


def _chunks(name: str, declared: str | None) -> Iterator[tuple[Rows, int]]:
    """(rows, bytes read) per chunk of one input; a file that cannot be read is one error row,
    and a file that stops being readable partway is an error row where it stopped."""
    label = "<stdin>" if name == "-" else name
    try:
        if name == "-":
            if sys.stdin is None or sys.stdin.closed:
                yield _failed(label, 1, "standard input is closed"), 0
                return
            handle = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(sys.stdin.read().encode())
        else:
            handle = open_input(Path(name), label)
    except InputError as error:
        yield _failed(label, 1, str(error).removeprefix(f"{label}: ")), 0
        return
    try:
        yield from read_chunks(label, text_blocks(handle, lines=CHUNK_ROWS), declared)
    except UnreadableLine as error:
        yield _failed(label, error.line, str(error)), 0
    except (OSError, ValueError) as error:
        yield _failed(label, 1, f"cannot read: {getattr(error, 'strerror', None) or error}"), 0
    finally:
        if name != "-":
            handle.close()


def _failed(label: str, line: int, message: str) -> Rows:
    return Rows.of([InputRow(label, line, None, None, None, None, None, message)])


def _progress(files: tuple[str, ...]) -> Any:
    """A progress bar over the bytes of the inputs (of unknown size when one is standard input),
    unless they are small enough to finish before a bar could be read."""
    sizes = [os.stat(name).st_size if name != "-" and os.path.isfile(name) else 0 for name in files]
    piped = "-" in files
    return progress_bar("checking", None if piped else sum(sizes), wanted=piped or sum(sizes) >= PROGRESS_BYTES)


PROGRESS_BYTES = 1 << 20  # inputs smaller than this finish before a bar would be read
