"""Hostile files and faults (issue 13): every input row is accounted for, nothing is silently
misread, and faults end in one line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = str(Path(sys.executable).parent / "icc-travel")


def batch_rows(invoke, path: Path) -> tuple[list[dict], str]:
    result = invoke("batch", str(path), "--format", "json")
    return json.loads(result.stdout)["rows"], result.stderr


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # a quote never closed costs its own record, not the rows after it
        (
            "quote.csv",
            'subject,place,date\nputin,"MN,2024-09-03\nputin,RU,2024-09-03\nputin,FR,2024-09-03\n',
            [(2, "unreadable CSV"), (3, "RUS"), (4, "FRA")],
        ),
        # CR-only line ends (old spreadsheet exports)
        ("cr.csv", "subject,place,date\rputin,MN,2024-09-03\rputin,RU,2024-09-03\r", [(2, "MNG"), (3, "RUS")]),
        # a quoted record over two lines is reported at the line it starts on
        (
            "multi.csv",
            'subject,place,date\nputin,"MN\nx",2024-09-03\nputin,RU,2024-09-03\n',
            [(2, "unknown place"), (4, "RUS")],
        ),
        # a repeated column is refused rather than guessed, and every row behind it is counted
        ("dup.csv", "subject,place,place,date\nputin,MN,RU,2024-09-03\n", [(1, "repeats place"), (2, "not read")]),
        # no header: each line is a record that cannot be read
        ("nohead.csv", "putin,MN,2024-09-03\nputin,RU,2024-09-03\n", [(1, "lacks subject, place"), (2, "not read")]),
        # U+2028 inside a JSON string is not a line end
        (
            "u.jsonl",
            '{"subject":"putin","place":"MN\u2028","date":"2024-09-03"}\n{"subject":"putin","place":"RU","date":"2024-09-03"}\n',
            [(1, "MNG"), (2, "RUS")],
        ),
    ],
    ids=["unterminated quote", "CR line ends", "multi-line record", "duplicate column", "no header", "U+2028"],
)
def test_every_record_is_one_row_at_its_own_line(invoke, tmp_path: Path, name: str, content: str, expected) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode())
    rows, _ = batch_rows(invoke, path)
    got = [(r["line"], r["error"] or (r["country"] or {}).get("iso3")) for r in rows]
    assert len(got) == len(expected), got
    for (line, value), (want_line, want) in zip(got, expected, strict=True):
        assert line == want_line and want in value, got
