"""The level and basis of an answer, decided once per interval between the dates that can change it.

`law.obligation` compares the stop's date only with dates on record: the subject's warrants,
status and offices, the territory's treaty dates (and those of its other readings), the
situation's referral, declarations and rulings, and a year after each of them (Art. 127(1)).
Between two consecutive such dates every comparison comes out the same, so the level and basis
do too; only the reasons' wording names the day. A batch asking about a thousand days in one
state therefore applies the law once per interval, not once per day; the full obligation, with
its dated reasons, is made only for the rows a format writes it for (`BatchResult.obligation`).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from typing import Any, NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Subject, Territory

DAY = dt.timedelta(days=1)


class Answer(NamedTuple):
    """What the CSV, the counts and the exit status need: the same for every day of an interval."""

    level: str
    basis: str


def event_dates(*records: Any) -> list[dt.date]:
    """Every day on which a comparison with a date held anywhere in the records can change: the
    date itself (`on < d`), the next day (`on <= d`), and the same two a year later (a withdrawal
    takes effect one year after its notification; an announcement is weighed a year on). A
    superset is harmless: it only splits an interval in two."""
    found: set[dt.date] = set()
    stack = list(records)
    while stack:
        value = stack.pop()
        if isinstance(value, dt.date):
            found.add(value if type(value) is dt.date else value.date())
        elif isinstance(value, tuple | list | frozenset | set):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    days: set[dt.date] = set()
    for day in found:
        for moment in (day, _a_year_after(day)) if day.year < dt.MAXYEAR else (day,):
            days.add(moment)
            if moment < dt.date.max:
                days.add(moment + DAY)
    return sorted(days)


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: the law takes the 28th, the day after is the 1st of March
        return day.replace(year=day.year + 1, day=28)


class Answers:
    """Answers per (subject, territory, kind, note for a point in no territory, interval): a
    batch's rows ask about few states and subjects but many days."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._events: dict[tuple[str, int], list[dt.date]] = {}
        # the event dates of each subject with its situation, and of each territory: a pair's
        # dates are their union (every date is widened alike), so the subject's records and its
        # situation's (declarations, rulings) are walked once, not once per territory
        self._subject_events: dict[str, list[dt.date]] = {}
        self._territory_events: dict[int, list[dt.date]] = {}
        # per (subject, territory, kind, note): its event dates and the answer of each interval
        self._answers: dict[tuple[Any, ...], tuple[list[dt.date], dict[int, Answer]]] = {}

    def events(self, subject: Subject, territory: Territory | None) -> list[dt.date]:
        key = (subject.id, id(territory))
        found = self._events.get(key)
        if found is None:
            shared = self._subject_events.get(subject.id)
            if shared is None:
                situation = self.dataset.situations[subject.situation]
                shared = self._subject_events[subject.id] = event_dates(subject, situation)
            own = self._territory_events.get(id(territory))
            if own is None:
                own = self._territory_events[id(territory)] = event_dates(territory)
            found = self._events[key] = sorted(set(shared).union(own))
        return found

    def answer(
        self, subject: Subject, territory: Territory | None, day: dt.date, kind: str, outside: str | None
    ) -> tuple[Answer, law.Obligation | None]:
        """The answer, and the full obligation when it had to be decided for this very day (the
        caller keeps it rather than deciding it again)."""
        events, answers = self.table(subject, territory, kind, outside)
        interval = bisect_right(events, day)
        found = answers.get(interval)
        if found is not None:
            return found, None
        decided = law.obligation(subject, territory, day, self.dataset.situations[subject.situation], kind, outside)
        found = answers[interval] = Answer(decided.level, decided.basis)
        return found, decided

    def table(
        self, subject: Subject, territory: Territory | None, kind: str, outside: str | None
    ) -> tuple[list[dt.date], dict[int, Answer]]:
        """The event dates of (subject, territory, kind, note) and its answers so far, by the
        interval's index (`bisect_right(events, day)`): the same objects `answer` fills, so a
        caller holding them sees every interval answered since."""
        key = (subject.id, id(territory), kind, outside)
        table = self._answers.get(key)
        if table is None:
            table = self._answers[key] = (self.events(subject, territory), {})
        return table

    def landing_level(self, subject: Subject, territory: Territory, day: dt.date) -> str:
        """The level of a visit to a territory, by which an overflight of it is measured."""
        return self.answer(subject, territory, day, "visit", None)[0].level
