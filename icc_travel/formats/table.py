"""The table: rich on a terminal (NO_COLOR respected by rich), stable plain text when piped."""

from __future__ import annotations

import sys

from icc_travel.formats import Report, cell
from icc_travel.text import printable

NEEDS = ()  # the report's costly parts this format renders (formats.LAZY_PARTS)


def render(report: Report) -> str | None:
    if sys.stdout is not None and sys.stdout.isatty():
        _rich(report)
        return None
    return plain(report)


def plain(report: Report) -> str:
    """Stable aligned text for pipes: no colour, no box drawing, no wrapping."""
    headers = [header.upper() for _, header in report.columns]
    cells = [[printable(cell(row.get(key))) for key, _ in report.columns] for row in report.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [printable(report.title), ""] if report.title else []
    lines.append("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    for heading, items in report.details:
        lines += ["", printable(heading)] + [f"  - {printable(item)}" for item in items]
    footer = report.footer_lines()
    if footer:
        lines += ["", *(printable(line) for line in footer)]
    return "\n".join(lines) + "\n"


def _rich(report: Report) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(title=report.title and escape(printable(report.title)), title_justify="left", header_style="bold")
    for _, header in report.columns:
        table.add_column(header, overflow="fold")
    for row in report.rows:
        values = []
        for key, _ in report.columns:
            text = printable(cell(row.get(key)))
            style = report.styles.get(key, {}).get(text)
            values.append(f"[{style}]{escape(text)}[/]" if style else escape(text))
        table.add_row(*values)
    console.print(table)
    for heading, items in report.details:
        console.print(f"[bold]{escape(printable(heading))}[/]", highlight=False)
        for item in items:
            console.print(f"  • {printable(item)}", highlight=False, markup=False)
    for line in report.footer_lines():
        console.print(printable(line), style="dim", highlight=False, markup=False)
