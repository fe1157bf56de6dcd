"""The batch decides a level and basis once per interval between the dates that can change them
(engine.answers): over the real data, for every subject, that answer must be the law's own for
any day of the interval, whichever day of it was asked first.

It decides the full obligation (reasons, sources, dispute) once per interval too, on a day that
prints as a placeholder, and fills each row's day in (engine.answers.MarkedDay). That must give
the law's own obligation for every day, for stops and for the territories under a leg, and the
same output as deciding day by day."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from icc_travel import law
from icc_travel.data.models import Dataset
from icc_travel.engine.answers import MARK, Answers, MarkedDay, event_dates

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


def test_interval_obligations_are_the_laws_for_every_day(dataset: Dataset) -> None:
    rng = random.Random(13)
    answers = Answers(dataset)
    special = [t for t in dataset.territories if t.standing or t.alternative or t.withdrawal_notified]
    special += [t for t in dataset.territories if t.withdrawal_announced or t.application not in (None, "integral")]
    sample = special + rng.sample(list(dataset.territories), 10)
    checked = 0
    for subject in dataset.subjects:
        situation = dataset.situations[subject.situation]
        for territory, outside in [(t, None) for t in sample] + [(None, law.HIGH_SEAS), (None, law.ANTARCTICA)]:
            for day in _days_around(answers.events(subject, territory), rng):
                kind = rng.choice(("visit", "transit"))
                got = answers.obligation(subject, territory, day, kind, outside)
                assert got == law.obligation(subject, territory, day, situation, kind, outside), (subject.id, day)
                checked += 1
    assert checked > 5_000
    refused = [key for key, template in answers._templates.items() if template is None]
    assert len(refused) < len(answers._templates) / 10  # most intervals are templates


def test_a_date_derived_from_the_day_refuses_the_template(dataset: Dataset) -> None:
    """A withdrawal announced but never notified: a year on, the reasons name the day a year
    before the stop's. That is no template; each day is decided itself."""
    announced = next(t for t in dataset.territories if t.withdrawal_announced and not t.withdrawal_notified)
    subject = dataset.subject("putin")
    answers = Answers(dataset)
    later = announced.withdrawal_announced.replace(year=announced.withdrawal_announced.year + 2)
    first, second = later, later + 40 * DAY
    assert answers.events(subject, announced)[-1] < first  # one interval holds both days
    texts = [" ".join(answers.obligation(subject, announced, day, "visit", None).reasons) for day in (first, second)]
    assert str(first.replace(year=first.year - 1)) in texts[0]
    assert str(second.replace(year=second.year - 1)) in texts[1]
    assert [t is None for t in answers._templates.values()] == [True]


def test_marked_day_compares_as_itself_and_notes_any_other_use() -> None:
    day = dt.date(2024, 9, 3)
    marked = MarkedDay.of(day)
    assert marked == day and hash(marked) == hash(day) and day - DAY < marked < day + DAY
    assert f"{marked}" == str(marked) == marked.isoformat() == MARK and not marked.touched
    for use in (lambda d: d.year, lambda d: d + DAY, lambda d: d.replace(day=1), lambda d: f"{d:%Y}"):
        fresh = MarkedDay.of(day)
        use(fresh)
        assert fresh.touched


def test_overflown_obligations_are_the_laws_for_every_day(dataset: Dataset, resolver) -> None:
    """Legs over states with route episodes (Greece, Italy, France) and through straits (Dover,
    Gibraltar), on days around those episodes: each territory's obligation as the engine decides it
    for that day alone."""
    from icc_travel.engine.legs import TRANSIT_PASSAGE, TRANSIT_SOURCE, _overflight, measure_legs

    rng = random.Random(5)
    planner = resolver.route_planner()  # the session's grid index, not one of its own
    ends = [
        (("airport:TLV", 32.01, 34.89), ("airport:JFK", 40.64, -73.78)),
        (("airport:LHR", 51.47, -0.45), ("airport:CDG", 49.01, 2.55)),
        (("airport:MAD", 40.47, -3.56), ("airport:RAK", 31.61, -8.04)),
    ]
    episodes = sorted({p.start for p in dataset.precedents if p.outcome == "overflight"})
    days = [d + k * DAY for d in episodes for k in (-1, 0, 1)] + [dt.date(2019, 5, 1), dt.date(2026, 3, 9)]
    requests = [(dataset.subject(name), a, b, day) for a, b in ends for day in days for name in ("netanyahu", "putin")]
    rng.shuffle(requests)
    answers = Answers(dataset)
    checked = passages = 0
    for (subject, _, _, day), leg in zip(requests, measure_legs(planner, requests, answers=answers), strict=True):
        through = leg._context[3]
        for overflown in leg.overflown:
            expected, routes = _overflight(dataset, subject, overflown.territory, day)
            passage = [s for s in through if overflown.territory.sovereign in s.states]
            if passage:
                passages += 1
                expected = expected._replace(
                    reasons=(*expected.reasons, *(TRANSIT_PASSAGE.format(strait=s.name) for s in passage)),
                    sources=tuple(dict.fromkeys((*expected.sources, TRANSIT_SOURCE))),
                )
            assert (overflown.obligation, overflown.routes) == (expected, routes), (overflown.territory.iso3, day)
            checked += 1
    assert checked > 500 and passages > 50


@pytest.fixture
def varied_csv(tmp_path: Path, dataset: Dataset) -> Path:
    """Itineraries of airports, countries and points at sea, for several subjects, on days spread
    over twelve years and bunched around the data's dates."""
    rng = random.Random(7)
    places = ["airport:TLV", "airport:JFK", "airport:CDG", "airport:ULN", "airport:BUD", "airport:OUA", "airport:MNL"]
    places += ["airport:BKO", "MN", "Burkina Faso", "Crimea", "38.0,-30.0", "-70.0,10.0", "airport:LHR"]
    subjects = ["putin", "netanyahu", "bashir", "al-kani"]
    lines = ["itinerary,subject,place,date,kind"]
    for trip in range(400):
        subject = rng.choice(subjects)
        day = dt.date(2014, 1, 1) + rng.randrange(13 * 365) * DAY
        for stop in range(rng.choice((1, 2, 2, 3))):
            kind = rng.choice(("visit", "visit", "transit"))
            lines.append(f'r{trip},{subject},"{rng.choice(places)}",{day + stop * DAY},{kind}')
    path = tmp_path / "varied.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_batch_json_is_the_same_as_deciding_day_by_day(
    invoke, varied_csv: Path, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    from icc_travel.engine.batch import evaluate
    from icc_travel.engine.batch_input import read_rows

    written = invoke("batch", str(varied_csv), "--format", "jsonl").stdout.splitlines()
    monkeypatch.setattr(Answers, "template", lambda self, key, events, day, decide: ((*key, day), None))
    rows = read_rows(str(varied_csv), varied_csv.read_text(), "csv")
    outcome = evaluate(dataset, rows, dt.date(2026, 12, 6))
    day_by_day = list(outcome.json_texts())
    assert written == day_by_day
    assert len(written) == len(rows) and not any(MARK in line for line in written)
    parsed = [json.loads(line) for line in written]
    assert sum(1 for row in parsed if row["leg"] and row["leg"]["overflown"]) > 100
    assert {row["obligation"] for row in parsed if not row["error"]} >= {"arrest", "none", "continuing"}
