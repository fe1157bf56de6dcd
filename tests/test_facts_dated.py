"""Answers pinned on the dates before, at and after each recorded event, through `check`,
`batch`, `state` and the library: sealed warrants, unconfirmed deaths, withdrawals, revocations."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from icc_travel import law
from icc_travel.data.models import Dataset

D = dt.date.fromisoformat


def answers(invoke, subject: str, *stops: str) -> list[tuple[str, str, str, str | None]]:
    """(obligation, basis, confidence, disputed basis) per stop, from `check --format json`."""
    result = invoke("check", subject, *stops, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    return [
        (s["obligation"], s["basis"], s["confidence"], (s["disputed"] or {}).get("basis"))
        for s in json.loads(result.stdout)["stops"]
    ]


def batch_rows(invoke, tmp_path, rows: list[tuple[str, str, str]]) -> list[dict]:
    path = tmp_path / "rows.csv"
    path.write_text("itinerary,subject,place,date\n" + "".join(f"x,{s},{p},{d}\n" for s, p, d in rows))
    result = invoke("batch", str(path), "--format", "json", "--fail-on", "never")
    return json.loads(result.stdout)["rows"]


TARHUNAH = ["al-kani", "doumah", "al-shaqaqi", "al-zinkal", "daou", "al-salheen-salmi"]


@pytest.mark.parametrize("subject", TARHUNAH)
def test_tarhunah_warrants_bind_from_their_sealed_issue(dataset: Dataset, subject: str) -> None:
    record = dataset.subject(subject)
    assert [(w.issued_from, w.issued_by, w.public) for w in record.warrants] == [
        (D("2023-04-06"), D("2023-07-18"), D("2024-10-04"))
    ]
    assert law.first_warrant(record) == D("2023-07-18")
    in_effect, reason = law.warrant_in_effect(record, D("2024-01-01"))
    assert in_effect and "issued under seal by 2023-07-18" in reason


def test_sealed_warrant_answers_before_at_and_after_issue(invoke) -> None:
    assert answers(invoke, "al-kani", "TN@2023-04-05", "TN@2023-04-06", "TN@2023-07-18", "TN@2024-01-01") == [
        ("none", "no_warrant", "high", None),
        ("arrest", "state_party", "low", "no_warrant"),
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "high", None),
    ]
    text = invoke("check", "al-kani", "TN@2024-01-01", "--fail-on", "never").stdout
    assert "No warrant" not in text and "issued under seal by 2023-07-18" in text


def test_sealed_warrant_in_batch(invoke, tmp_path) -> None:
    rows = batch_rows(invoke, tmp_path, [("daou", "TN", "2023-03-01"), ("daou", "TN", "2024-01-01")])
    assert [(r["obligation"], r["basis"]) for r in rows] == [("none", "no_warrant"), ("arrest", "state_party")]


def test_every_subject_without_an_issue_date_states_when_it_existed(dataset: Dataset) -> None:
    """An unknown issue day is bounded: by the Court's stated period, else by the public date
    (and then a 'none' before it is low confidence, never a flat 'no warrant')."""
    for subject in dataset.subjects:
        for warrant in subject.warrants:
            if warrant.issued is None:
                assert warrant.issued_by or warrant.public, subject.id
                if warrant.issued_from is None:
                    day = (warrant.issued_by or warrant.public) - dt.timedelta(days=1)
                    result = law.obligation(subject, dataset.by_iso3["FRA"], day, dataset.situations[subject.situation])
                    assert result.confidence == "low", subject.id


def test_otti_warrant_in_effect_until_the_chamber_ended_the_case(invoke) -> None:
    assert answers(
        invoke, "otti", "UG@2007-10-01", "UG@2022-12-01", "UG@2023-01-01", "UG@2023-11-16", "UG@2023-11-17"
    ) == [
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "medium", "no_warrant"),
        ("arrest", "state_party", "medium", "no_warrant"),
        ("arrest", "state_party", "medium", "no_warrant"),
        ("none", "no_warrant", "high", None),
    ]
    text = invoke("check", "otti", "UG@2023-01-01", "--fail-on", "never").stdout
    assert "reported dead on 2007-10-02" in text and "1 December 2022" in text


@pytest.mark.parametrize(
    ("subject", "place", "death"),
    [("mudacumura", "CD", "2019-09-18"), ("saif-gaddafi", "FR", "2026-02-03")],
)
def test_unconfirmed_deaths_leave_the_warrant_disputed(invoke, tmp_path, subject: str, place: str, death: str) -> None:
    day = D(death)
    before, at, after = (str(day - dt.timedelta(days=1)), death, str(day + dt.timedelta(days=300)))
    got = answers(invoke, subject, f"{place}@{before}", f"{place}@{at}", f"{place}@{after}")
    assert got[0][:2] == ("arrest", "state_party") and got[0][3] is None
    for level, basis, confidence, disputed in got[1:]:
        assert (level, basis, disputed) == ("arrest", "state_party", "no_warrant")
        assert confidence in ("medium", "low")
    rows = batch_rows(invoke, tmp_path, [(subject, place, after)])
    assert (rows[0]["obligation"], rows[0]["disputed"]["basis"]) == ("arrest", "no_warrant")
