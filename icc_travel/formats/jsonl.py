"""JSON Lines: one JSON row per line, for tools that read a stream (jq, pandas, DuckDB)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from icc_travel.formats import RowStream

NEEDS = ("payload",)  # the report's costly parts this format renders (formats.LAZY_PARTS)


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    texts = (
        rows.json_texts() if rows.json_texts is not None else (json.dumps(r, ensure_ascii=False) for r in rows.rows())
    )
    while chunk := list(itertools.islice(texts, 4096)):
        out("\n".join(chunk) + "\n")
