"""GitHub Actions workflow commands: `::error file=F,line=N::message`, one per annotation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from icc_travel.formats import RowStream

NEEDS = ()  # the report's costly parts this format renders (formats.LAZY_PARTS)


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    if rows.annotate is None:
        return
    for row in rows.rows():
        for command, file, line, message in rows.annotate(row):
            out(f"::{command} file={escape_property(file)},line={line}::{escape(message)}\n")


def escape(text: str) -> str:
    """A workflow command's message: only %, CR and LF are special (commas read as commas)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file=...): also `:` and `,`, which end it."""
    return escape(text).replace(":", "%3A").replace(",", "%2C")
