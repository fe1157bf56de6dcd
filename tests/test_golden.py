"""Golden outputs: every command in every format on a fixed set of inputs, byte for byte.

A change that alters any answer, column or byte of output shows here, so a refactoring can prove
it changed nothing and a fix can show exactly what it changed. When the change is meant, write
the files again and review the diff before committing it:

    ICC_TRAVEL_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

"Today" is pinned to the data's as-of date and every stop is dated, so the outputs depend on the
data and the code only, never on the day or the machine (inputs are named relative to the
checkout, and standard output is compared: warnings on stderr are not part of the contract).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from icc_travel.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("ICC_TRAVEL_UPDATE_GOLDEN") == "1"

TRIP = ["netanyahu", "airport:BUD@2025-04-03", "airport:TLV@2025-04-06", "HU@2026-07-01", "-89.9,0@2024-09-03"]
CASES: dict[str, list[str]] = {
    **{f"check.{fmt}": ["check", *TRIP, "--format", fmt] for fmt in ("table", "json", "csv", "markdown", "geojson")},
    "check_bashir.json": [
        "check",
        "bashir",
        "South Africa@2015-06-14",
        "SD@2015-06-14",
        "airport:AMM@2017-03-29",
        "--format",
        "json",
    ],
    **{
        f"batch.{fmt}": ["batch", "examples/visits.yaml", "--format", fmt]
        for fmt in ("json", "jsonl", "csv", "markdown", "github")
    },
    **{
        f"track.{fmt}": ["track", "examples/synthetic_track_tlv_west.json", "--subject", "netanyahu", "--format", fmt]
        for fmt in ("table", "json", "csv", "geojson")
    },
    "track_real_day.json": [
        "track",
        "tests/data/real/trace_full_ac671b.json",
        "--subject",
        "putin",
        "--format",
        "json",
    ],
    "track_real_spoofing.csv": [
        "track",
        "tests/data/real/traffic_noisy_spoofing.csv.gz",
        "--subject",
        "putin",
        "--format",
        "csv",
    ],
    **{
        f"screen.{fmt}": [
            "screen",
            "examples/synthetic_positions.csv",
            "--watchlist",
            "examples/watchlist.csv",
            "--format",
            fmt,
        ]
        for fmt in ("jsonl", "csv", "json")
    },
    **{
        f"states.{fmt}": ["states", "--on", "2027-07-27", "--format", fmt]
        for fmt in ("table", "json", "csv", "markdown")
    },
    "state_hungary.json": ["state", "HU", "--format", "json"],
    "state_hungary.table": ["state", "HU"],
    **{f"subjects.{fmt}": ["subjects", "--format", fmt] for fmt in ("table", "json", "csv")},
    "subject_putin.json": ["subject", "putin", "--on", "2024-09-03", "--format", "json"],
    "precedents_mongolia.json": ["precedents", "--state", "MN", "--format", "json"],
    "table_putin.csv": ["table", "--subject", "putin", "--on", "2024-09-03", "--format", "csv"],
    "data_sources.json": ["data", "sources", "--format", "json"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_the_golden_one(name: str, monkeypatch: pytest.MonkeyPatch, dataset) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ICC_TRAVEL_TODAY", dataset.as_of.isoformat())
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    result = CliRunner().invoke(cli, CASES[name], catch_exceptions=False)
    assert result.exit_code in (0, 1), (name, result.stderr)
    path = GOLDEN / name
    if UPDATE:
        path.write_text(result.stdout, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: ICC_TRAVEL_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"
    assert result.stdout == path.read_text(encoding="utf-8"), f"{name} differs from {path}"


def test_every_golden_file_has_a_case() -> None:
    assert {p.name for p in GOLDEN.iterdir()} <= set(CASES)
