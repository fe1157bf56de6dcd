"""GitHub Actions workflow commands: `::error file=F,line=N::message`, one per annotation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from icc_travel.formats import RowStream

NEEDS = ()  # the report's costly parts this format renders (formats.LAZY_PARTS)


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    if rows.texts is not None:  # the rows already written, many to a text
        for text in rows.texts():
            out(text)
        return
    if rows.annotate is None:
        return
    for row in rows.rows():
        for line in annotation_lines(rows, row):
            out(line)


def rows_text(rows: RowStream) -> str:
    """The stream's rows' annotations, as `stream` writes them."""
    if rows.annotate is None:
        return ""
    return "".join(line for row in rows.rows() for line in annotation_lines(rows, row))


def annotation_lines(rows: RowStream, row: dict[str, Any]) -> Iterator[str]:
    assert rows.annotate is not None
    for command, file, line, message in rows.annotate(row):
        yield f"::{command} file={escape_property(file)},line={line}::{escape(message)}\n"


def escape(text: str) -> str:
    """A workflow command's message: only %, CR and LF are special (commas read as commas)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file=...): also `:` and `,`, which end it."""
    return escape(text).replace(":", "%3A").replace(",", "%2C")
