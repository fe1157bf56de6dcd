"""Markdown for reports and issue comments: the table, details and footer with the as-of date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from icc_travel.formats import Report, RowStream, cell

NEEDS = ()  # the report's costly parts this format renders (formats.LAZY_PARTS)


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
    table = TableWriter(rows, out)
    if rows.texts is not None:  # the rows already written, many to a text
        for text in rows.texts():
            out(text)
    else:
        for row in rows.rows():
            table.row(row)
    table.close()


def rows_text(rows: RowStream) -> str:
    """The stream's rows as table lines, as `stream` writes them."""
    return "".join(table_row(rows, row) for row in rows.rows())


def table_row(rows: RowStream, row: dict[str, Any]) -> str:
    """One row of a row stream's Markdown table."""
    cells = dict(zip(rows.flat_columns, rows.flat(row), strict=True))
    return "| " + " | ".join("" if cells[k] is None else escape(str(cells[k])) for k in rows.markdown_columns) + " |\n"


class TableWriter:
    """A row stream's Markdown table, written a row at a time: the batch command also feeds it
    the rows it streams in another format (its GitHub step summary)."""

    def __init__(self, rows: RowStream, out: Callable[[str], Any]) -> None:
        self.rows, self.out = rows, out
        out("| " + " | ".join(rows.markdown_columns.values()) + " |\n")
        out("|" + "---|" * len(rows.markdown_columns) + "\n")

    def row(self, row: dict[str, Any]) -> None:
        self.out(table_row(self.rows, row))

    def close(self) -> None:
        self.out("\n" + escape(self.rows.summary_line()) + f" Data as of {self.rows.as_of}.\n")
