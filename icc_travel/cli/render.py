"""One formatter layer for every command: table (rich or plain), json, csv, markdown."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import click

# How each obligation level looks on a terminal, in every command.
LEVEL_STYLES = {"arrest": "bold red", "continuing": "yellow", "overflight": "magenta", "none": "green"}


@dataclass
class Report:
    """What a command has to say, independent of format."""

    columns: Sequence[tuple[str, str]]  # (key, header)
    rows: list[dict[str, Any]]
    payload: Any  # the JSON document
    title: str | None = None
    details: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, lines) below the table
    footer: list[str] = field(default_factory=list)
    styles: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> value -> rich style
    csv_columns: Sequence[tuple[str, str]] | None = None  # machine columns, when they differ


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
    out = {"json": _json, "csv": _csv, "markdown": _markdown, "table": _table}[fmt.lower()](report)
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


def _json(report: Report) -> str:
    return json.dumps(report.payload, indent=2, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v["url"]) if isinstance(v, dict) and "url" in v else str(v) for v in value)
    return str(value)


def _csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = report.csv_columns or report.columns
    writer.writerow([key for key, _ in columns])
    for row in report.rows:
        writer.writerow([_cell(row.get(key)) for key, _ in columns])
    return buffer.getvalue()


def _markdown(report: Report) -> str:
    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = []
    if report.title:
        lines += [f"**{escape(report.title)}**", ""]
    lines.append("| " + " | ".join(header for _, header in report.columns) + " |")
    lines.append("|" + "|".join("---" for _ in report.columns) + "|")
    for row in report.rows:
        lines.append("| " + " | ".join(escape(_cell(row.get(key))) for key, _ in report.columns) + " |")
    for heading, items in report.details:
        lines += ["", f"**{escape(heading)}**", ""] + [f"- {escape(item)}" for item in items]
    if report.footer:
        lines += [""] + [f"_{escape(line)}_" for line in report.footer]
    return "\n".join(lines) + "\n"


def _table(report: Report) -> str | None:
    if sys.stdout.isatty():
        _rich(report)
        return None
    return _plain(report)


def _plain(report: Report) -> str:
    """Stable aligned text for pipes: no colour, no box drawing, no wrapping."""
    headers = [header.upper() for _, header in report.columns]
    cells = [[_cell(row.get(key)) for key, _ in report.columns] for row in report.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [report.title, ""] if report.title else []
    lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    for heading, items in report.details:
        lines += ["", heading] + [f"  - {item}" for item in items]
    if report.footer:
        lines += ["", *report.footer]
    return "\n".join(lines) + "\n"


def _rich(report: Report) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(title=report.title, title_justify="left", header_style="bold")
    for _, header in report.columns:
        table.add_column(header, overflow="fold")
    for row in report.rows:
        values = []
        for key, _ in report.columns:
            text = _cell(row.get(key))
            style = report.styles.get(key, {}).get(text)
            values.append(f"[{style}]{escape(text)}[/]" if style else escape(text))
        table.add_row(*values)
    console.print(table)
    for heading, items in report.details:
        console.print(f"[bold]{heading}[/]", highlight=False)
        for item in items:
            console.print(f"  • {item}", highlight=False, markup=False)
    for line in report.footer:
        console.print(line, style="dim", highlight=False, markup=False)
