"""Parties in force on a date: counts match the Court's published totals around each change."""

from __future__ import annotations

import datetime as dt

import pytest

from icc_travel.data.models import Dataset
from icc_travel.law import statute_in_force


def parties_on(dataset: Dataset, day: str) -> set[str]:
    on = dt.date.fromisoformat(day)
    return {
        t.iso3 for t in dataset.territories if t.territory is None and t.iso3 == t.sovereign and statute_in_force(t, on)
    }


@pytest.mark.parametrize(
    ("day", "count"),
    [
        ("2002-06-30", 0),
        ("2002-07-01", 66),  # entry into force for the 66 instruments deposited by 11 April 2002
        ("2015-03-31", 122),
        ("2015-04-01", 123),  # State of Palestine
        ("2017-10-26", 124),
        ("2017-10-27", 123),  # Burundi's withdrawal takes effect
        ("2019-03-16", 123),
        ("2019-03-17", 122),  # the Philippines' withdrawal takes effect
        ("2020-02-01", 123),  # Kiribati
        ("2024-01-31", 123),
        ("2024-02-01", 124),  # Armenia
        ("2024-12-31", 124),
        ("2025-01-01", 125),  # Ukraine
        ("2025-07-08", 125),
        ("2026-06-01", 125),
        ("2027-06-17", 125),
        ("2027-06-18", 124),  # Niger's notified withdrawal takes effect (low confidence)
        ("2027-07-23", 124),
        ("2027-07-24", 123),  # Venezuela's notified withdrawal takes effect (C.N.298.2026)
        ("2026-06-02", 125),  # Hungary's withdrawal, revoked on 2026-05-29, never took effect
    ],
)
def test_party_count_on_date(dataset: Dataset, day: str, count: int) -> None:
    assert len(parties_on(dataset, day)) == count


@pytest.mark.parametrize(
    ("iso3", "before", "on"),
    [
        ("ARM", "2024-01-31", "2024-02-01"),
        ("UKR", "2024-12-31", "2025-01-01"),
        ("PSE", "2015-03-31", "2015-04-01"),
        ("KIR", "2020-01-31", "2020-02-01"),
        ("CIV", "2013-04-30", "2013-05-01"),
    ],
)
def test_entry_into_force_boundary(dataset: Dataset, iso3: str, before: str, on: str) -> None:
    assert iso3 not in parties_on(dataset, before)
    assert iso3 in parties_on(dataset, on)


@pytest.mark.parametrize(
    ("iso3", "last_day", "gone"),
    [("BDI", "2017-10-26", "2017-10-27"), ("PHL", "2019-03-16", "2019-03-17")],
)
def test_withdrawal_boundary(dataset: Dataset, iso3: str, last_day: str, gone: str) -> None:
    assert iso3 in parties_on(dataset, last_day)
    assert iso3 not in parties_on(dataset, gone)


@pytest.mark.parametrize("iso3", ["ZAF", "GMB"])
def test_revoked_withdrawal_never_took_effect(dataset: Dataset, iso3: str) -> None:
    territory = dataset.by_iso3[iso3]
    assert territory.withdrawal_revoked is not None and territory.withdrawal_effective is None
    assert iso3 in parties_on(dataset, "2018-01-01")


def test_every_state_ever_party_has_dates_and_sources(dataset: Dataset) -> None:
    ever = [t for t in dataset.territories if t.territory is None and t.iso3 == t.sovereign and t.entry_into_force]
    assert len(ever) == 127
    for territory in ever:
        assert territory.deposited and territory.sources, territory.iso3
        assert all(source.url.startswith(("http://", "https://")) for source in territory.sources)


def test_cook_islands_and_palestine_are_parties(dataset: Dataset) -> None:
    assert {"COK", "PSE"} <= parties_on(dataset, "2026-01-01")
