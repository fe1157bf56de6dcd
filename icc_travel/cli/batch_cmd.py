"""`icc-travel batch`: check many itineraries for CI; every input row yields one output row."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from icc_travel.cli.batch_jobs import ChunkWriter, Pool, Settings, can_fork, chunks_in_order
from icc_travel.cli.batch_output import error_lines, github_step_summary, row_stream, summary_line
from icc_travel.cli.context import load
from icc_travel.cli.options import (
    fail_on_option,
    format_option,
    jobs_option,
    no_legs_option,
    on_option,
    output_option,
    reports_errors,
)
from icc_travel.cli.render import progress_bar, quiet, warn, write_streamed
from icc_travel.data.inputs import UnreadableLine, open_input, text_blocks
from icc_travel.engine.batch import BatchOutcome, Evaluator, Totals
from icc_travel.engine.batch_input import (
    CHUNK_ROWS,
    INPUT_FORMATS,
    BlockStep,
    InputRow,
    ReadyRows,
    Rows,
    input_steps,
    read_steps,
)
from icc_travel.errors import InputError, shorten
from icc_travel.formats import stream
from icc_travel.vocabulary import ExitStatus

if TYPE_CHECKING:
    from icc_travel.data.models import Dataset

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
@jobs_option
@reports_errors
def batch(
    files: tuple[str, ...],
    input_format: str | None,
    on: dt.date,
    fmt: str,
    fail_on: str,
    output: Path | None,
    no_legs: bool,
    jobs: int,
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
    totals = Totals(dataset.as_of, shown=ERRORS_SHOWN)
    rows_per_chunk = chunk_rows()
    workers = jobs if jobs > 1 and _several_chunks(files, rows_per_chunk) and can_fork() else 1
    if workers > 1:
        settings = Settings(on, not no_legs, fmt, fail_on, _wants_step_summary(fmt), ERRORS_SHOWN)
        _write_in_parallel(files, input_format, dataset, settings, output, totals, workers, rows_per_chunk)
    else:
        _write(files, input_format, dataset, on, fmt, fail_on, output, not no_legs, totals, rows_per_chunk)
    for line in error_lines(totals):
        click.echo(f"icc-travel: error: {shorten(line)}", err=True)
    if not quiet():
        click.echo(summary_line(totals), err=True)
    warn(totals.staleness())
    if totals.errors:
        raise SystemExit(ExitStatus.BAD_INPUT)
    if totals.reaches(fail_on):
        raise SystemExit(ExitStatus.REACHED)


def _write(
    files: tuple[str, ...],
    input_format: str | None,
    dataset: Dataset,
    on: dt.date,
    fmt: str,
    fail_on: str,
    output: Path | None,
    legs: bool,
    totals: Totals,
    rows_per_chunk: int,
) -> None:
    """The batch in this process: each chunk read, evaluated and written in turn."""
    evaluate = Evaluator(dataset, on, legs=legs)
    with _progress(files) as update:

        def outcomes() -> Iterator[BatchOutcome]:
            """Chunks read, evaluated and counted as the output asks for them, in input order."""
            for name in files:
                for rows, size in _chunks(name, input_format, rows_per_chunk):
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


def _write_in_parallel(
    files: tuple[str, ...],
    input_format: str | None,
    dataset: Dataset,
    settings: Settings,
    output: Path | None,
    totals: Totals,
    workers: int,
    rows_per_chunk: int,
) -> None:
    """The batch with `workers` processes checking and writing chunks (`batch_jobs`), written
    here in input order: the same output, summary and counts as `_write`."""
    # the workers are forked before the progress bar starts its thread
    pool = Pool(workers, dataset, settings)
    finished = False
    try:
        local: list[ChunkWriter] = []  # the chunks this process evaluates itself (batch_jobs)

        def writer() -> ChunkWriter:
            if not local:
                local.append(ChunkWriter(dataset, settings))
            return local[0]

        with _progress(files) as update:
            source = row_stream(lambda: iter(()), totals, settings.fail_on)
            step_summary = github_step_summary(source) if settings.fmt == "github" else None

            def texts() -> Iterator[str]:
                inputs = ((_label(name), _steps(name, input_format, rows_per_chunk)) for name in files)
                moved = rows_per_chunk // 2 + 1  # lines a cut may move to the next chunk
                for done in chunks_in_order(pool, writer, inputs, legs=settings.legs, moved=moved):
                    totals.merge(done.totals)
                    update(advance=done.size)
                    if step_summary is not None and done.table:
                        step_summary.table.out(done.table)
                    yield done.text

            source.texts = texts
            write_streamed(output, lambda out: stream(source, settings.fmt, out))
            if step_summary is not None:
                step_summary.close()
        finished = True
    finally:
        pool.close(finished=finished)


def _wants_step_summary(fmt: str) -> bool:
    return fmt == "github" and bool(os.environ.get("GITHUB_STEP_SUMMARY"))


CHUNK_ROWS_ENV = "ICC_TRAVEL_BATCH_CHUNK_ROWS"  # rows per chunk, smaller than CHUNK_ROWS: for tests


def chunk_rows() -> int:
    """Rows per chunk: CHUNK_ROWS, or fewer from $ICC_TRAVEL_BATCH_CHUNK_ROWS, which tests set so
    a small input runs through many chunks (and their boundaries)."""
    value = os.environ.get(CHUNK_ROWS_ENV, "")
    return min(int(value), CHUNK_ROWS) if value.isdigit() and int(value) > 0 else CHUNK_ROWS


def _read_size(rows: int) -> int:
    """Bytes read at a time: a megabyte, less for the few rows a test asks for."""
    return min(1 << 20, rows * ROW_BYTES)


ROW_BYTES = 32  # the shortest rows of real batches are about this long


def _several_chunks(files: tuple[str, ...], rows: int) -> bool:
    """Whether the inputs may hold more than one chunk: standard input or another stream (of
    unknown length), or files of more bytes than a chunk of short rows."""
    total = 0
    for name in files:
        if name == "-" or _is_stream(name):
            return True
        if os.path.isfile(name):
            total += os.stat(name).st_size
    return total > rows * ROW_BYTES


def _is_stream(name: str) -> bool:
    """A FIFO or character device (`<(zcat big.csv.gz)`): its length is unknown."""
    import stat

    try:
        mode = os.stat(name).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _label(name: str) -> str:
    return "<stdin>" if name == "-" else name


def _chunks(name: str, declared: str | None, rows_per_chunk: int = CHUNK_ROWS) -> Iterator[tuple[Rows, int]]:
    """(rows, bytes read) per chunk of one input; a file that cannot be read is one error row,
    and a file that stops being readable partway is an error row where it stopped (`_steps`)."""
    return read_steps(_label(name), _steps(name, declared, rows_per_chunk))


def _steps(name: str, declared: str | None, rows_per_chunk: int) -> Iterator[ReadyRows | BlockStep]:
    """The steps that read one input (`input_steps`), its failures error rows as in `_chunks`:
    the blocks are read and decoded here, their rows read where the chunk is checked."""
    label = _label(name)
    handle = _opened(name, label)
    if isinstance(handle, Rows):
        yield ReadyRows(handle, 0)
        return
    try:
        yield from input_steps(
            label, text_blocks(handle, lines=rows_per_chunk, read_size=_read_size(rows_per_chunk)), declared
        )
    except UnreadableLine as error:
        yield ReadyRows(_failed(label, error.line, str(error)), 0)
    except (OSError, ValueError) as error:
        yield ReadyRows(_failed(label, 1, f"cannot read: {getattr(error, 'strerror', None) or error}"), 0)
    finally:
        if name != "-":
            handle.close()


def _opened(name: str, label: str) -> BinaryIO | Rows:
    """The input opened for reading, or the error row saying why it cannot be."""
    try:
        if name == "-":
            if sys.stdin is None or sys.stdin.closed:
                return _failed(label, 1, "standard input is closed")
            return sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(sys.stdin.read().encode())
        return open_input(Path(name), label)
    except InputError as error:
        return _failed(label, 1, str(error).removeprefix(f"{label}: "))


def _failed(label: str, line: int, message: str) -> Rows:
    return Rows.of([InputRow(label, line, None, None, None, None, None, message)])


def _progress(files: tuple[str, ...]) -> Any:
    """A progress bar over the bytes of the inputs (of unknown size when one is standard input),
    unless they are small enough to finish before a bar could be read."""
    sizes = [os.stat(name).st_size if name != "-" and os.path.isfile(name) else 0 for name in files]
    piped = "-" in files
    return progress_bar("checking", None if piped else sum(sizes), wanted=piped or sum(sizes) >= PROGRESS_BYTES)


PROGRESS_BYTES = 1 << 20  # inputs smaller than this finish before a bar would be read
