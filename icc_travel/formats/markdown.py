"""Markdown for reports and issue comments: the table, details and footer with the as-of date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from icc_travel.formats import Report, RowStream, cell


def escape(text: str) -> str:
    """Table cells and lines that cannot break the table or inject markup or HTML."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def render(report: Report) -> str:
    lines = []
    if report.title:
        lines += [f"**{escape(report.title)}**", ""]
    lines.append("| " + " | ".join(header for _, header in report.columns) + " |")
    lines.append("|" + "|".join("---" for _ in report.columns) + "|")
    for row in report.rows:
        lines.append("| " + " | ".join(escape(cell(row.get(key))) for key, _ in report.columns) + " |")
    for heading, items in report.details:
        lines += ["", f"**{escape(heading)}**", ""] + [f"- {escape(item)}" for item in items]
    footer = report.footer_lines()
    if footer:
        lines += [""] + [f"_{escape(line)}_" for line in footer]
    return "\n".join(lines) + "\n"


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    """A table of the columns a reader needs, then the summary and the as-of date."""
    out("| " + " | ".join(rows.markdown_columns.values()) + " |\n")
    out("|" + "---|" * len(rows.markdown_columns) + "\n")
    shown = tuple(rows.markdown_columns)
    for row in rows.rows():
        cells = dict(zip(rows.flat_columns, rows.flat(row), strict=True))
        out("| " + " | ".join("" if cells[k] is None else escape(str(cells[k])) for k in shown) + " |\n")
    out("\n" + escape(rows.summary_line) + f" Data as of {rows.as_of}.\n")
