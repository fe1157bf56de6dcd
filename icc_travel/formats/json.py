"""The JSON document each command defines, with the data's as-of date."""

from __future__ import annotations

import json
from collections.abc import Callable
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
    texts = (
        rows.json_texts() if rows.json_texts is not None else (json.dumps(r, ensure_ascii=False) for r in rows.rows())
    )
    for number, text in enumerate(texts):
        out(("\n    " if number == 0 else ",\n    ") + text)
    out('\n  ],\n  "summary": ' + json.dumps(rows.summary()) + "\n}\n")
