"""What the commands share at the terminal: queued warnings and writing a rendered report
(the formats themselves live in icc_travel.formats)."""

from __future__ import annotations

import sys

import click

from icc_travel.formats import Report, render

# Warnings wait until the command has validated all its input and finished: a run that ends in
# an input error prints that one error line and nothing else (see cli.main).
_pending_warnings: list[str] = []


def warn(message: str | None) -> None:
    """A notice for stderr that leaves stdout (and the exit status) alone, shown when the command ends."""
    if message and message not in _pending_warnings:
        _pending_warnings.append(message)


def flush_warnings(*, show: bool) -> None:
    """Print the warnings of a command that ran to its end, or drop those of one that failed."""
    messages = list(_pending_warnings)
    _pending_warnings.clear()
    for message in messages if show else ():
        click.echo(f"icc-travel: warning: {message}", err=True)


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
    for start in range(0, len(text), CHUNK):
        stream.write(text[start : start + CHUNK])
        stream.flush()
