"""The JSON document each command defines, with the data's as-of date."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from icc_travel.formats import Report, RowStream

NEEDS = ("payload",)  # the report's costly parts this format renders (formats.LAZY_PARTS)


def render(report: Report) -> str:
    payload = report.payload
    if isinstance(payload, dict) and report.as_of is not None and "data_as_of" not in payload:
        payload = {**payload, "data_as_of": report.as_of.isoformat()}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    """`{"rows": [...], "summary": {...}}`, one row at a time; the summary, which counts the
    rows, comes after them."""
    out('{\n  "rows": [')
    # rows already written (many to a text, joined as below) or each row's text
    texts = rows.texts() if rows.texts is not None else _texts(rows)
    first = True
    for text in texts:
        if text:
            out(("\n    " if first else SEPARATOR) + text)
            first = False
    out('\n  ],\n  "summary": ' + json.dumps(rows.summary()) + "\n}\n")


SEPARATOR = ",\n    "  # between two rows


def rows_text(rows: RowStream) -> str:
    """The stream's rows as `stream` writes them, with the separators between them (`stream`
    adds the one before each text but the first)."""
    return SEPARATOR.join(_texts(rows))


def _texts(rows: RowStream) -> Iterator[str]:
    if rows.json_texts is not None:
        return rows.json_texts()
    return (json.dumps(r, ensure_ascii=False) for r in rows.rows())
