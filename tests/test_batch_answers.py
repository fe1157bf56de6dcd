"""The batch decides a level and basis once per interval between the dates that can change them
(engine.answers): over the real data, for every subject, that answer must be the law's own for
any day of the interval, whichever day of it was asked first."""

from __future__ import annotations

import datetime as dt
import random

from icc_travel import law
from icc_travel.data.models import Dataset
from icc_travel.engine.answers import Answers, event_dates

DAY = dt.timedelta(days=1)


def _days_around(events: list[dt.date], rng: random.Random) -> list[dt.date]:
    """Every event day and its neighbours (where an answer changes), and days between, shuffled
    so that an interval is first asked on any of its days."""
    days = {d + k * DAY for d in events if dt.date(1990, 1, 1) < d < dt.date(2100, 1, 1) for k in (-1, 0, 1)}
    days |= {dt.date(1998, 1, 1) + rng.randrange(12_000) * DAY for _ in range(15)}
    ordered = sorted(days)
    rng.shuffle(ordered)
    return ordered


def test_interval_answers_are_the_laws_for_every_day(dataset: Dataset) -> None:
    rng = random.Random(28)
    answers = Answers(dataset)
    # every territory whose answer has another reading or a dated standing, and a sample of the rest
    special = [t for t in dataset.territories if t.standing or t.alternative or t.withdrawal_notified]
    special += [t for t in dataset.territories if t.withdrawal_announced or t.application not in (None, "integral")]
    sample = special + rng.sample(list(dataset.territories), 10) + [None]
    checked = 0
    for subject in dataset.subjects:
        situation = dataset.situations[subject.situation]
        for territory in sample:
            events = answers.events(subject, territory)
            for day in _days_around(events, rng):
                kind = rng.choice(("visit", "transit"))
                got, _ = answers.answer(subject, territory, day, kind, None)
                expected = law.obligation(subject, territory, day, situation, kind)
                assert (got.level, got.basis) == (expected.level, expected.basis), (subject.id, territory, day)
                checked += 1
    assert checked > 5_000


def test_event_dates_split_before_and_after_each_date() -> None:
    """`on < d` changes at d, `on <= d` the day after, and a year after a notification both again."""
    notified = dt.date(2016, 10, 27)
    assert event_dates((notified, "text", [None])) == [
        notified,
        notified + DAY,
        dt.date(2017, 10, 27),
        dt.date(2017, 10, 28),
    ]
    assert event_dates(dt.date(2020, 2, 29)) == [
        dt.date(2020, 2, 29),
        dt.date(2020, 3, 1),
        dt.date(2021, 2, 28),
        dt.date(2021, 3, 1),
    ]
