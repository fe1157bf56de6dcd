"""What the commands share at the terminal: queued warnings and writing a rendered report
(the formats themselves live in icc_travel.formats)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from icc_travel.formats import Report, render

# Warnings wait until the command has validated all its input and finished: a run that ends in
# an input error prints that one error line and nothing else (see cli.main).
_pending_warnings: list[str] = []
_verbosity = {"level": 0}  # -q: -1 (no warnings, no progress), -v: 1 (also where the data came from)


def set_verbosity(level: int) -> None:
    _verbosity["level"] = level


def quiet() -> bool:
    return _verbosity["level"] < 0


@contextlib.contextmanager
def progress_bar(label: str, total: int | None = None, *, wanted: bool = True) -> Iterator[Callable[..., None]]:
    """A transient progress bar on stderr for long work: shown when stderr is a terminal, not
    with -q, and when the caller judges the work long enough (`wanted`). Yields an update
    taking rich's `advance=N` or `completed=N, total=M`; without a bar the update does nothing."""
    if not wanted or quiet() or not sys.stderr.isatty():
        yield lambda **changes: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda **changes: progress.update(task, **changes)


def verbose() -> bool:
    return _verbosity["level"] > 0


def info(message: str) -> None:
    """A note shown only with -v."""
    if _verbosity["level"] > 0:
        warn_prefixed(f"icc-travel: {message}")


def warn_prefixed(line: str) -> None:
    if line not in _pending_warnings:
        _pending_warnings.append(line)


def warn(message: str | None) -> None:
    """A notice for stderr that leaves stdout (and the exit status) alone, shown when the command ends."""
    if message:
        from icc_travel.text import printable

        warn_prefixed(f"icc-travel: warning: {printable(message)}")


def flush_warnings(*, show: bool) -> None:
    """Print the warnings of a command that ran to its end, or drop those of one that failed."""
    lines = list(_pending_warnings)
    _pending_warnings.clear()
    for line in lines if show and not quiet() else ():
        click.echo(line, err=True)


def emit(report: Report, fmt: str) -> None:
    """Render the report in the chosen format and write it."""
    out = render(report, fmt)
    if out is not None:
        write_out(out)


CHUNK = 16_384


def write_out(text: str) -> None:
    """Write to stdout in flushed pieces: a reader that leaves early (`| head`) then surfaces as a
    broken pipe (exit status 141) instead of a single large write that some kernels cut short
    without an error."""
    stream = sys.stdout
    if stream is None:
        raise OutputClosed("standard output is closed: nothing to write the answer to")
    for start in range(0, len(text), CHUNK):
        stream.write(text[start : start + CHUNK])
        stream.flush()


def write_streamed(output: Path | None, write: Callable[[Callable[[str], Any]], None]) -> None:
    """Run `write` against -o FILE (written atomically) or standard output, piece by piece."""
    from icc_travel.errors import InputError

    if output is not None:
        try:
            with AtomicOutput(output) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
                write(handle.write)
        except OSError as error:
            raise InputError(f"{output}: cannot write: {error.strerror or error}") from None
        return
    if sys.stdout is None:
        raise OutputClosed("standard output is closed: nothing to write the answer to (or use -o FILE)")
    write(sys.stdout.write)
    sys.stdout.flush()


class OutputClosed(Exception):
    """Standard output cannot take the answer (closed, or a full disk): one line, exit status 2."""


class AtomicOutput:
    """A file written in full or not at all: the text goes to a temporary file beside the target,
    which replaces the target only when the command finished writing (a reader never sees half a
    report, and a failed run leaves the previous file in place)."""

    def __init__(self, target: Path) -> None:
        import os
        import tempfile

        self.target = Path(target)
        descriptor, name = tempfile.mkstemp(
            prefix=f".{self.target.name}.", suffix=f".tmp{self.target.suffix}", dir=self.target.parent
        )
        os.close(descriptor)
        self.temporary = Path(name)

    def __enter__(self) -> Path:
        return self.temporary

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if error is None:
            import os

            mask = os.umask(0)  # mkstemp makes the file private; give it the mode a new file gets
            os.umask(mask)
            self.temporary.chmod(0o666 & ~mask)
            self.temporary.replace(self.target)
        else:
            self.temporary.unlink(missing_ok=True)
