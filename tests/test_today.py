"""One notion of "today" ($ICC_TRAVEL_TODAY): every default date follows it, and a stale today
warns without ever getting in the way of an input error."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from icc_travel.dates import TODAY_ENV, today

LATER = dt.date(2031, 6, 1)


def test_today_is_the_pinned_date_or_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TODAY_ENV, "2031-06-01")
    assert today() == LATER
    monkeypatch.delenv(TODAY_ENV)
    assert today() == dt.date.today()


def test_undated_stops_take_the_pinned_today(invoke, monkeypatch: pytest.MonkeyPatch, dataset) -> None:
    monkeypatch.setenv(TODAY_ENV, LATER.isoformat())
    result = invoke("check", "putin", "MN", "RU@2024-09-03", "--format", "json")
    document = json.loads(result.stdout)
    assert [stop["date"] for stop in document["stops"]] == [LATER.isoformat(), "2024-09-03"]
    assert [stop["after_data_as_of"] for stop in document["stops"]] == [True, False]
    (warning,) = document["warnings"]
    assert str(LATER) in warning and str(dataset.as_of) in warning
    assert result.stderr == f"icc-travel: warning: {warning}\n"


@pytest.mark.parametrize(
    ("args", "dated"),
    [
        (["states", "--count"], ["states", "--count", "--on", "2025-07-08"]),
        (
            ["table", "--subject", "putin", "--format", "csv"],
            ["table", "--subject", "putin", "--format", "csv", "--on", "2025-07-08"],
        ),
        (["subject", "putin", "--format", "json"], ["subject", "putin", "--format", "json", "--on", "2025-07-08"]),
        (["data", "info", "--format", "json"], ["data", "info", "--format", "json", "--on", "2025-07-08"]),
    ],
)
def test_every_command_defaults_to_the_pinned_today(invoke, monkeypatch, args: list[str], dated: list[str]) -> None:
    monkeypatch.setenv(TODAY_ENV, "2025-07-08")
    assert invoke(*args).stdout == invoke(*dated).stdout


def test_batch_rows_without_a_date_take_the_pinned_today(invoke, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(TODAY_ENV, "2025-07-08")
    rows = tmp_path / "rows.csv"
    rows.write_text("itinerary,subject,place,date,kind\na,putin,MN,,visit\n")
    document = json.loads(invoke("batch", str(rows), "--format", "json").stdout)
    assert [row["date"] for row in document["rows"]] == ["2025-07-08"]
    assert document["summary"]["warnings"] == []


def test_a_stale_today_warns_after_a_successful_run_only(invoke, monkeypatch) -> None:
    monkeypatch.setenv(TODAY_ENV, LATER.isoformat())
    done = invoke("states", "--count")
    assert done.exit_code == 0 and done.stderr.startswith("icc-travel: warning: ")
    failed = invoke("subject", "nobody-at-all")
    assert failed.exit_code == 2
    assert failed.stderr.startswith("icc-travel: error: unknown subject") and failed.stderr.count("\n") == 1
