"""JSON Lines: one JSON row per line, for tools that read a stream (jq, pandas, DuckDB)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

from icc_travel.formats import RowStream

NEEDS = ("payload",)  # the report's costly parts this format renders (formats.LAZY_PARTS)


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    if rows.texts is not None:  # the rows already written, many to a text
        for text in rows.texts():
            out(text)
        return
    texts = _texts(rows)
    while chunk := list(itertools.islice(texts, 4096)):
        out("\n".join(chunk) + "\n")


def rows_text(rows: RowStream) -> str:
    """The stream's rows as `stream` writes them: one line each."""
    return "".join(text + "\n" for text in _texts(rows))


def _texts(rows: RowStream) -> Iterator[str]:
    if rows.json_texts is not None:
        return rows.json_texts()
    return (json.dumps(r, ensure_ascii=False) for r in rows.rows())
