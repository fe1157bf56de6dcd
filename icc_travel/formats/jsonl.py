"""JSON Lines: one JSON row per line, for tools that read a stream (jq, pandas, DuckDB)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from icc_travel.formats import RowStream


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    for row in rows.rows():
        out(json.dumps(row, ensure_ascii=False) + "\n")
