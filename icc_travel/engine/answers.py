"""The level and basis of an answer, decided once per interval between the dates that can change it.

`law.obligation` compares the stop's date only with dates on record: the subject's warrants,
status and offices, the territory's treaty dates (and those of its other readings), the
situation's referral, declarations and rulings, and a year after each of them (Art. 127(1)).
Between two consecutive such dates every comparison comes out the same, so the level and basis
do too; only the reasons' wording names the day. A batch asking about a thousand days in one
state therefore applies the law once per interval, not once per day; the full obligation, with
its dated reasons, is made only for the rows a format writes it for (`BatchResult.obligation`).

The full obligation too is decided once per interval: on a day that the law compares as the day
it is but that prints as a placeholder (`MarkedDay`), so its reasons are a template every day of
the interval fills in with its own date. Where the law did anything else with the day (a date a
year before it, say), the template is refused and that interval's days are decided one by one.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from icc_travel import law
from icc_travel.data.models import Dataset, Subject, Territory

DAY = dt.timedelta(days=1)
# where an obligation decided on a MarkedDay names the day: private-use characters, which no
# text of the data holds (a template in which one turns up otherwise is refused)
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MARK = f"{MARK_OPEN}asked day{MARK_CLOSE}"
Decided = TypeVar("Decided")
TEMPLATES_KEPT = 200_000  # obligations (a few hundred bytes of their own): tens of megabytes at most
TEXTS_KEPT = 32_000_000  # characters of JSON text made from templates (a result's, with its precedents, 2-20 kB)


class MarkedDay(dt.date):
    """A day that compares, hashes and orders as itself but prints as MARK. Any other use the
    law makes of it (its year, a date derived from it, a formatted part of it) sets `touched`:
    what was decided on it is then no template for other days."""

    touched = False  # set on the instance

    @classmethod
    def of(cls, day: dt.date) -> MarkedDay:
        return cls(day.year, day.month, day.day)

    def __str__(self) -> str:
        return MARK

    def isoformat(self) -> str:
        return MARK

    def __format__(self, spec: str) -> str:
        if not spec:
            return MARK
        self.touched = True
        return super().__format__(spec)

    def __repr__(self) -> str:
        self.touched = True
        return super().__repr__()


def _noting(name: str) -> Callable[..., Any]:
    """MarkedDay's `name`: the date's own, noting that the day was used."""
    inherited = getattr(dt.date, name)

    def noted(self: MarkedDay, *args: Any, **kwargs: Any) -> Any:
        self.touched = True
        return inherited(self, *args, **kwargs)

    noted.__name__ = name
    return noted


def _noting_part(name: str) -> property:
    """MarkedDay's `year`, `month` or `day`: the date's own, noting that the day was used."""
    part = getattr(dt.date, name)

    def read(self: MarkedDay) -> int:
        self.touched = True
        return part.__get__(self)

    return property(read)


for _name in (
    "replace", "__add__", "__radd__", "__sub__", "__rsub__", "toordinal", "timetuple", "weekday",
    "isoweekday", "isocalendar", "ctime", "strftime", "__reduce__", "__reduce_ex__",
):  # fmt: skip
    setattr(MarkedDay, _name, _noting(_name))
for _name in ("year", "month", "day"):
    setattr(MarkedDay, _name, _noting_part(_name))


class Texts:
    """JSON texts made from templates, by key, up to TEXTS_KEPT characters in all: past that the
    batch starts afresh, so that memory stays flat however many subjects, places and days it asks
    about."""

    def __init__(self) -> None:
        self._texts: dict[tuple[Any, ...], str] = {}
        self._size = 0
        # the text kept for a key, or None: the dictionary's own `get`, bound once (a method
        # around it cost a call per row and territory in a batch); `keep` clears the dictionary
        # in place, so it stays the one this reads
        self.get: Callable[[tuple[Any, ...]], str | None] = self._texts.get

    def keep(self, key: tuple[Any, ...], text: str) -> str:
        if self._size + len(text) > TEXTS_KEPT:
            self._texts.clear()
            self._size = 0
        self._texts[key] = text
        self._size += len(text)
        return text


def on_day(template: law.Obligation, day: dt.date) -> law.Obligation:
    """The template with the day written where it says MARK: in its reasons, its local facts and
    its dispute's texts, the only places a template may hold it (`_template_usable`)."""
    return _obligation_filled(template, day.isoformat())


def _obligation_filled(template: law.Obligation, text: str) -> law.Obligation:
    disputed = template.disputed
    if disputed is not None:
        why = disputed.why_chosen
        disputed = disputed._replace(
            reason=disputed.reason.replace(MARK, text), why_chosen=why.replace(MARK, text) if why else why
        )
    return template._replace(
        reasons=tuple([reason.replace(MARK, text) for reason in template.reasons]),
        local=tuple([fact.replace(MARK, text) for fact in template.local]),
        disputed=disputed,
    )


def _template_usable(value: Any) -> bool:
    """Whether `on_day` writes the day everywhere the decision holds MARK: once each obligation
    (the decision, or one in a plain tuple) has its reasons, local facts and dispute filled in, no
    private-use character may be left anywhere (a MARK elsewhere, or a part of one)."""
    if isinstance(value, law.Obligation):
        value = _obligation_filled(value, "-")
    elif isinstance(value, tuple) and not hasattr(value, "_fields"):
        return all(map(_template_usable, value))
    return not _holds_mark(value)


def _holds_mark(value: Any) -> bool:
    """Whether any string in the value (strings in tuples and named tuples) holds a MARK's part."""
    if type(value) is str:
        return MARK_OPEN in value or MARK_CLOSE in value
    if isinstance(value, tuple):
        return any(map(_holds_mark, value))
    return False


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
        self._events: dict[tuple[Any, ...], list[dt.date]] = {}
        # the event dates of each subject with its situation, and of each territory: a pair's
        # dates are their union (every date is widened alike), so the subject's records and its
        # situation's (declarations, rulings) are walked once, not once per territory
        self._subject_events: dict[str, list[dt.date]] = {}
        self._territory_events: dict[int, list[dt.date]] = {}
        # per (subject, territory, kind, note): its event dates and the answer of each interval
        self._answers: dict[tuple[Any, ...], tuple[list[dt.date], dict[int, Answer]]] = {}
        # per (what was decided, interval): the decision as a template, or None (day by day)
        self._templates: dict[tuple[Any, ...], Any] = {}
        # per (what was decided, day): a decision where its interval has no template
        self._on_days: dict[tuple[Any, ...], Any] = {}
        # an overflight's event dates per (subject, territory) as one integer, which `engine.legs`
        # fills and reads per row and territory overflown (a tuple key costs more to hash)
        self.overflight_events: dict[int, list[dt.date]] = {}
        # whether a landing would carry an obligation, per subject, interval and territory: an
        # `engine.legs.OverflightFlags`, made for the first legs measured
        self.overflight_flags: Any = None

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

    def events_with(
        self, subject: Subject, territory: Territory | None, name: str, records: Callable[[], Any]
    ) -> list[dt.date]:
        """`events` with the event dates of more records (what `records()` gives), kept under `name`."""
        key = (subject.id, id(territory), name)
        found = self._events.get(key)
        if found is None:
            found = self._events[key] = sorted(set(self.events(subject, territory)).union(event_dates(records())))
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

    def obligation(
        self, subject: Subject, territory: Territory | None, day: dt.date, kind: str, outside: str | None
    ) -> law.Obligation:
        """The full obligation, with its dated reasons: `law.obligation` on that day, filled in
        from its interval's template."""
        _, template = self.obligation_template(subject, territory, day, kind, outside)
        if template is None:
            situation = self.dataset.situations[subject.situation]
            return law.obligation(subject, territory, day, situation, kind, outside)
        return on_day(template, day)

    def obligation_template(
        self, subject: Subject, territory: Territory | None, day: dt.date, kind: str, outside: str | None
    ) -> tuple[tuple[Any, ...], law.Obligation | None]:
        """The full obligation of the day's interval as a template, and the key naming it (see
        `template`)."""
        situation = self.dataset.situations[subject.situation]
        events, _ = self.table(subject, territory, kind, outside)
        return self.template(
            ("obligation", subject.id, id(territory), kind, outside),
            events,
            day,
            lambda on: law.obligation(subject, territory, on, situation, kind, outside),
        )

    def template(
        self, key: tuple[Any, ...], events: list[dt.date], day: dt.date, decide: Callable[[dt.date], Decided]
    ) -> tuple[tuple[Any, ...], Decided | None]:
        """What `decide` gives for the interval of `events` that holds `day`, as a template to fill
        in with `on_day`, with a key naming (what is decided, interval); None where the decision
        used the day as more than a date to compare and to print: then decide each day itself.
        `events` must hold every date `decide` compares the day with."""
        interval = (*key, bisect_right(events, day))
        if interval not in self._templates:
            if len(self._templates) >= TEMPLATES_KEPT:
                self._templates.clear()  # memory stays flat: a batch asking about everything starts afresh
            marked = MarkedDay.of(day)
            decided = decide(marked)
            self._templates[interval] = None if marked.touched or not _template_usable(decided) else decided
        return interval, self._templates[interval]

    def on_the_day(self, key: tuple[Any, ...], day: dt.date, decide: Callable[[dt.date], Decided]) -> Decided:
        """What `decide` gives for the day itself, where its interval has no template (`template`
        gave None): kept per (what is decided, day), so the rows and legs of one day share it."""
        dated = (*key, day)
        if dated not in self._on_days:
            if len(self._on_days) >= TEMPLATES_KEPT:
                self._on_days.clear()
            self._on_days[dated] = decide(day)
        return self._on_days[dated]

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
