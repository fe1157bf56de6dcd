"""Batch checks: many itineraries from YAML, CSV or JSON Lines, one output row per input row.
Reading the rows is `batch_input`; this module evaluates them.

Nothing is dropped: every input row becomes a result or an error carrying file and line, and
the summary counts reconcile (rows = results + errors). Inputs are read, evaluated and written in
chunks of CHUNK_ROWS rows, in input order, so memory stays flat however long the input is; the
evaluator keeps what chunks share (subjects, named places, the law's answers per interval between
the dates that can change them, measured legs, the open itinerary). Coordinate stops are located
in bulk.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress, repeat
from operator import and_, contains, eq, not_
from typing import TYPE_CHECKING, Any, NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Subject, Territory
from icc_travel.dates import parse_date
from icc_travel.engine.answers import MARK, Answer, Answers, MarkedDay, Texts
from icc_travel.engine.batch_input import NOT_READ, Rows
from icc_travel.engine.check import relevant_precedents
from icc_travel.engine.contract import batch_result_json, leg_json, leg_json_text
from icc_travel.engine.results import Departure
from icc_travel.engine.staleness import staleness_warning
from icc_travel.engine.subjects import SubjectFinder
from icc_travel.errors import IccTravelError, InputError
from icc_travel.geo.places import (
    ANTARCTIC_TREATY_LATITUDE,
    ANTARCTICA_NAMES,
    BULK_POINTS,
    COORDINATES,
    PlaceResolver,
    airport_table,
    in_antarctic_treaty_area,
    parse_coordinates,
)
from icc_travel.text import normalise

if TYPE_CHECKING:
    from icc_travel.engine.legs import Leg, LegColumns, MeasuredLegs

_COORDINATES = re.compile(COORDINATES)  # asked of every stop: compiled once, here
CHUNK_BULK_POINTS = 2_000  # coordinates in one chunk past which the grid answers them
AIRPORTS_TABLE = 16  # new airports in a chunk past which the airport table is read whole
CACHE_LIMIT = 200_000  # distinct named places or points kept between chunks before starting afresh


class BatchResult:
    """One evaluated (subject, territory, date, kind): rows that ask the same share it. The level
    and basis come from the interval's answer (`engine.answers`); the obligation with its dated
    reasons and the precedents are made when a format first asks for them (CSV never does)."""

    __slots__ = ("_answers", "_obligation", "answer", "day", "kind", "outside", "subject", "territory")

    def __init__(
        self,
        answers: Answers,
        subject: Subject,
        territory: Territory | None,
        day: dt.date,
        kind: str,
        outside: str | None,
        answer: Answer,
        obligation: law.Obligation | None = None,
    ) -> None:
        self._answers, self.subject, self.territory, self.day, self.kind = answers, subject, territory, day, kind
        self.outside, self.answer, self._obligation = outside, answer, obligation

    @property
    def level(self) -> str:
        return self.answer.level

    @property
    def basis(self) -> str:
        return self.answer.basis

    @property
    def obligation(self) -> law.Obligation:
        if self._obligation is None:
            self._obligation = self._answers.obligation(self.subject, self.territory, self.day, self.kind, self.outside)
        return self._obligation

    @property
    def precedents(self) -> tuple[Precedent, ...]:
        territory = self.territory
        return (
            relevant_precedents(self._answers.dataset, territory.iso3, self.subject.id, self.day) if territory else ()
        )

    def json_text(self, as_of: dt.date, texts: Texts) -> str:
        """`json.dumps(batch_result_json(self, as_of), ensure_ascii=False)`, from a text kept in
        `texts` for every result of the same interval, precedents and side of the data's as-of
        date, its day written in where the template says MARK."""
        key, template = self._answers.obligation_template(
            self.subject, self.territory, self.day, self.kind, self.outside
        )
        if template is None:
            return json.dumps(batch_result_json(self, as_of), ensure_ascii=False)
        precedents = self.precedents
        full = (key, tuple(map(id, precedents)), self.day > as_of)
        text = texts.get(full)
        if text is None:
            marked = BatchResult(
                self._answers, self.subject, self.territory, MarkedDay.of(self.day), self.kind, self.outside,
                self.answer, template,
            )  # fmt: skip
            text = texts.keep(full, json.dumps(batch_result_json(marked, as_of), ensure_ascii=False))
        return text.replace(MARK, self.day.isoformat())


class LegRows:
    """A chunk's legs by the row each arrives at: the rows (ascending) and the legs as columns
    (`legs.LegColumns`). A row's `Leg` is made when asked for (JSON, Markdown); a CSV takes the
    legs' cells and the counts their levels without one."""

    __slots__ = ("_number_of_row", "legs", "rows")

    def __init__(self, rows: list[int] | None = None, legs: LegColumns | None = None) -> None:
        self.rows, self.legs = rows or [], legs
        self._number_of_row: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row: int) -> Leg | None:
        if self.legs is None:
            return None
        if self._number_of_row is None:
            self._number_of_row = dict(zip(self.rows, range(len(self.rows)), strict=True))
        number = self._number_of_row.get(row)
        return None if number is None else self.legs[number]

    def items(self) -> Iterator[tuple[int, Leg]]:
        return zip(self.rows, self.legs or (), strict=True)

    def levels(self) -> Counter[str]:
        return self.legs.levels() if self.legs is not None else Counter()


@dataclass
class BatchOutcome:
    """Per input row: an index into `results` (rows share them), or an error message."""

    inputs: Rows
    results: list[BatchResult]
    result_of_row: list[int]  # -1 where the row is an error
    errors_by_row: dict[int, str]
    data_as_of: dt.date
    leg_of_row: LegRows = field(default_factory=LegRows)  # the leg arriving at each row's stop
    resolved_as: dict[str, str] = field(default_factory=dict)  # a named place as taken: "Kyiv, UA"
    # JSON texts of results, kept by the evaluator for every chunk (see BatchResult.json_text)
    texts: Texts = field(default_factory=Texts)

    @property
    def errors(self) -> int:
        return len(self.errors_by_row)

    @property
    def result_count(self) -> int:
        return len(self.inputs) - self.errors

    @cached_property
    def rows_per_result(self) -> Counter[int]:
        """How many rows share each result (counted once: a million rows take a while)."""
        used = Counter(self.result_of_row)
        used.pop(-1, None)
        return used

    def levels(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for index, count in self.rows_per_result.items():
            counts[self.results[index].answer.level] += count
        return counts

    def leg_levels(self) -> Counter[str]:
        return self.leg_of_row.levels()

    def result_json(self, index: int) -> dict[str, Any]:
        """A result's JSON fields, built once however many rows share it."""
        cache = self.__dict__.setdefault("_json", {})
        if index not in cache:
            cache[index] = batch_result_json(self.results[index], self.data_as_of)
        return cache[index]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Full output rows, built one at a time."""
        c = self.inputs.columns
        for number, index in enumerate(self.result_of_row):
            base = {"file": c["file"][number], "line": c["line"][number], "itinerary": c["itinerary"][number]}
            if index < 0:
                yield {
                    **base,
                    "subject": c["subject"][number],
                    "input": c["place"][number],
                    "error": self.errors_by_row[number],
                }
            else:
                leg = self.leg_of_row.get(number)
                yield {
                    **base,
                    "input": c["place"][number],
                    "resolved_as": self.resolved_as.get(c["place"][number]),
                    **self.result_json(index),
                    "leg": None if leg is None else leg_json(leg),
                    "error": None,
                }

    def json_texts(self) -> Iterator[str]:
        """Each row as `json.dumps(row, ensure_ascii=False)` would write it, faster: the part that
        comes from a result (reasons, sources, precedents: most of the text) is written once per
        result, however many rows share it."""
        c = self.inputs.columns
        as_of, texts, resolved = self.data_as_of, self.texts, self.resolved_as
        shared = [result.json_text(as_of, texts)[1:-1] for result in self.results]
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        for number, (file, line, itinerary, place, index) in enumerate(
            zip(c["file"], c["line"], c["itinerary"], c["place"], self.result_of_row, strict=True)
        ):
            if index < 0:
                row = {"file": file, "line": line, "itinerary": itinerary, "subject": c["subject"][number]}
                yield dumps({**row, "input": place, "error": self.errors_by_row[number]})
                continue
            leg = self.leg_of_row.get(number)
            head = (
                f'{{"file": {dumps(file)}, "line": {line}, "itinerary": {dumps(itinerary)}, "input": {dumps(place)}, '
                f'"resolved_as": {dumps(resolved.get(place))}, '
            )
            tail = "null" if leg is None else leg_json_text(leg, texts)
            yield f'{head}{shared[index]}, "leg": {tail}, "error": null}}'


@dataclass
class Totals:
    """The batch's counts, added up chunk by chunk (the chunks themselves are gone by the end)."""

    data_as_of: dt.date
    shown: int = 10  # error rows kept to repeat on stderr
    rows: int = 0
    errors: int = 0
    levels: Counter[str] = field(default_factory=Counter)
    legs: int = 0
    leg_levels: Counter[str] = field(default_factory=Counter)
    later: Counter[dt.date] = field(default_factory=Counter)  # rows asking about dates after the data
    first_errors: list[str] = field(default_factory=list)  # "file:line: message"
    errors_to_show: int = 0  # error rows other than the "not read" ones behind a bad header

    def add(self, outcome: BatchOutcome) -> None:
        self.rows += len(outcome.inputs)
        self.errors += outcome.errors
        self.levels.update(outcome.levels())
        self.legs += len(outcome.leg_of_row)
        self.leg_levels.update(outcome.leg_levels())
        for index, count in outcome.rows_per_result.items():
            day = outcome.results[index].day
            if day > self.data_as_of:
                self.later[day] += count
        c = outcome.inputs.columns
        for number in sorted(outcome.errors_by_row):
            message = outcome.errors_by_row[number]
            if message.startswith(NOT_READ):
                continue
            self.errors_to_show += 1
            if len(self.first_errors) < self.shown:
                self.first_errors.append(f"{c['file'][number]}:{c['line'][number]}: {message}")

    def merge(self, other: Totals) -> None:
        """Add the counts of later chunks, counted apart (by another process), as `add` would have."""
        self.rows += other.rows
        self.errors += other.errors
        self.levels.update(other.levels)
        self.legs += other.legs
        self.leg_levels.update(other.leg_levels)
        self.later.update(other.later)
        self.first_errors += other.first_errors[: max(0, self.shown - len(self.first_errors))]
        self.errors_to_show += other.errors_to_show

    @property
    def results(self) -> int:
        return self.rows - self.errors

    def staleness(self) -> str | None:
        return staleness_warning(self.data_as_of, self.later.elements())

    def reaches(self, threshold: str) -> bool:
        return any(law.reaches(level, threshold) for level in (*self.levels, *self.leg_levels))


def evaluate(dataset: Dataset, rows: Rows, default_date: dt.date, *, legs: bool = True) -> BatchOutcome:
    """The outcome of rows held in memory at once (the command streams chunks through an Evaluator)."""
    return Evaluator(dataset, default_date, legs=legs)(rows)


class OpenItinerary(NamedTuple):
    """The itinerary a chunk ended in, so the next chunk's first rows continue its legs."""

    key: tuple[Any, ...]  # (file, itinerary, subject)
    last_stop: tuple[str, tuple[float, float], BatchResult | Departure] | None  # its last located stop


class OpenStop(NamedTuple):
    """An open itinerary in plain values, to hand to an Evaluator in another process: its key,
    and its last located stop's place, point, subject id and day (or None without one)."""

    key: tuple[Any, ...]
    last_stop: tuple[str, tuple[float, float], str, dt.date] | None


class Evaluator:
    """Evaluates chunks of rows in input order. Each distinct subject and named place (country,
    airport, city) is resolved once for the whole batch, coordinates are located in bulk per
    chunk, and the law's level and basis are decided once per subject, territory, kind and
    interval between the dates on record that can change them (`engine.answers`). Legs run
    between consecutive located stops of an itinerary, across chunk boundaries."""

    def __init__(self, dataset: Dataset, default_date: dt.date, *, legs: bool = True) -> None:
        self.dataset, self.default_date, self.legs = dataset, default_date, legs
        self.resolver, self.finder = PlaceResolver(dataset), SubjectFinder(dataset)
        self.answers = Answers(dataset)
        self._subjects: dict[str, Subject | Failure] = {}
        self._places: dict[str, Territory | Failure | None] = {}
        self._points: dict[str, tuple[float, float] | None] = {}
        self._details: dict[str, str] = {}  # a named place as resolved: "Kyiv, UA", an airport's name
        self._days: dict[str | None, dt.date | Failure] = {None: default_date}
        self._open: OpenItinerary | None = None
        self._planner: Any = None
        self._measured: MeasuredLegs | None = None  # distinct legs measured so far (with the planner)
        self._coordinates = 0  # coordinate stops seen so far
        self._texts = Texts()  # results' JSON texts (BatchResult.json_text)

    @property
    def open_stop(self) -> OpenStop | None:
        """The itinerary the last chunk ended in, as plain values (see `continue_from`)."""
        opened = self._open
        if opened is None:
            return None
        last = opened.last_stop
        if last is None:
            return OpenStop(opened.key, None)
        place, point, departure = last
        return OpenStop(opened.key, (place, point, departure.subject.id, departure.day))

    def continue_from(self, opened: OpenStop | None) -> None:
        """Evaluate the next chunk as following one that ended in `opened` (None: in no
        itinerary), whichever Evaluator read it."""
        if opened is None:
            self._open = None
            return
        last = None
        if opened.last_stop is not None:
            place, point, subject_id, day = opened.last_stop
            last = (place, point, Departure(self.dataset.subject(subject_id), day))
        self._open = OpenItinerary(opened.key, last)

    def __call__(self, rows: Rows) -> BatchOutcome:
        """Rows are grouped by what they ask (subject, place's territory, date, kind) in one pass
        of dictionary lookups; each distinct question is then answered once."""
        c = rows.columns
        errors: dict[int, str] = {n: e for n, e in enumerate(c["error"]) if e}
        for text in set(c["subject"]):
            if text and text not in self._subjects:
                self._subjects[text] = _attempt(self.finder.find, text)
        where, location_of_row = self._territories(c["place"], errors)
        questions = list(zip(c["subject"], location_of_row, c["date"], c["kind"], strict=True))
        for number in errors:
            questions[number] = None  # already an error: its first message stands
        # each distinct question's slot, in order of first appearance; the rows' slots by C-level map
        slot_of: dict[Any, int] = {question: slot for slot, question in enumerate(dict.fromkeys(questions))}
        slots = list(map(slot_of.__getitem__, questions))
        found = self._results(slot_of, where)
        failed: dict[int, str] = {}  # slot -> why its rows are errors
        if set(map(type, found)) <= {BatchResult}:  # the usual chunk: every slot is its own result
            results, result_of_row = found, slots
        else:
            results = []
            index_of_slot: list[int] = []
            for result in found:
                if result is None or isinstance(result, Failure):
                    if result is not None:
                        failed[len(index_of_slot)] = result.message
                    index_of_slot.append(-1)
                    continue
                index_of_slot.append(len(results))
                results.append(result)
            result_of_row = list(map(index_of_slot.__getitem__, slots))
        if failed:
            for number, slot in enumerate(slots):
                if slot in failed:
                    errors[number] = failed[slot]
        outcome = BatchOutcome(rows, results, result_of_row, errors, self.dataset.as_of, texts=self._texts)
        if self._details:
            outcome.resolved_as = {p: self._details[p] for p in set(c["place"]) if p in self._details}
        if self.legs:
            outcome.leg_of_row = self._legs(outcome)
        return outcome

    def _results(self, questions: Iterable[Any], where: list[tuple[Territory | None, str | None]]) -> list[Any]:
        """`_result` of each distinct question (None for None). Questions that differ only in
        their date share their subject, place and kind, and the table of their answers per
        interval: that is looked up once per chunk, so a question whose interval is answered
        already costs a date lookup, a bisect and the result, not a pass through `_result`
        (where batches of dates spread over years spend their time)."""
        shared: dict[tuple[Any, ...], Any] = {}
        days, answers = self._days, self.answers
        found: list[Any] = []
        for question in questions:
            if question is None:
                found.append(None)
                continue
            subject_text, location, date, kind = question
            group = shared.get((subject_text, location, kind))
            if group is None:
                group = shared[subject_text, location, kind] = self._group(subject_text, location, kind, where)
            day = days.get(date)
            if type(group) is Failure or day is None or type(day) is Failure:
                found.append(group if type(group) is Failure else self._result(question, where))
                continue
            subject, territory, outside, kind_name, events, table = group
            answer = table.get(bisect_right(events, day))
            if answer is None:
                found.append(self._result(question, where))  # decides the interval's answer, and keeps it
            else:
                found.append(BatchResult(answers, subject, territory, day, kind_name, outside, answer))
        return found

    def _group(
        self,
        subject_text: str | None,
        location: int,
        kind: str | None,
        where: list[tuple[Territory | None, str | None]],
    ) -> Any:
        """What the questions about one subject, place and kind share, or the Failure they all come
        to whatever their date."""
        named = self._named(subject_text, location, kind, where)
        if isinstance(named, Failure):
            return named
        subject, territory, outside, kind = named
        events, table = self.answers.table(subject, territory, kind, outside)
        return subject, territory, outside, kind, events, table

    def _named(
        self,
        subject_text: str | None,
        location: int,
        kind: str | None,
        where: list[tuple[Territory | None, str | None]],
    ) -> Any:
        """The subject, territory (and label outside every territory) and kind a question names,
        checked in the order a row's errors are reported, or the first Failure."""
        subject = self._subjects.get(subject_text) if subject_text else None
        if subject is None or isinstance(subject, Failure):
            return subject or Failure("no subject")
        territory, outside = where[location]
        kind = kind or "visit"
        if kind not in law.KINDS:
            return Failure(f"kind must be one of {', '.join(law.KINDS)}, got {kind!r}")
        return subject, territory, outside, kind

    def _result(self, question: tuple[Any, ...], where: list[tuple[Territory | None, str | None]]) -> Any:
        """The result for one (subject text, location, date text, kind text), or a Failure."""
        subject_text, location, date, kind = question
        named = self._named(subject_text, location, kind, where)
        if isinstance(named, Failure):
            return named
        subject, territory, outside, kind = named
        day = self._days.get(date)
        if day is None:
            day = self._days[date] = _attempt(lambda: parse_date(date, what="date"))
        if isinstance(day, Failure):
            return day
        try:
            answer, obligation = self.answers.answer(subject, territory, day, kind, outside)
        except IccTravelError as error:
            return Failure(str(error))
        return BatchResult(self.answers, subject, territory, day, kind, outside, answer, obligation)

    def _territories(
        self, places: list[str | None], errors: dict[int, str]
    ) -> tuple[list[tuple[Territory | None, str | None]], list[int]]:
        """The chunk's distinct locations (territory, and for a point in none of them the note
        saying where it is), and per row the index of its location (-1 where the row is an error)."""
        distinct = set(places)
        distinct.discard(None)
        # LAT,LON texts: a comma, and nothing but what a number is written with (strip leaves
        # nothing); tested with C-level maps, not a Python call per place
        listed = list(distinct)
        numeric = map(not_, map(str.strip, listed, repeat(_NUMERIC_CHARS)))
        coordinates = list(compress(listed, map(and_, numeric, map(contains, listed, repeat(",")))))
        # a batch of many chunks is a bulk lookup even when one chunk holds few coordinates
        self._coordinates += len(coordinates)
        # so is a chunk of a few thousand: the polygons' own index answered 25,000 points in
        # seconds where loading the grid takes a fraction of one (the answers are the same)
        bulk = self._coordinates >= BULK_POINTS or len(coordinates) >= CHUNK_BULK_POINTS
        located, antarctic = _locate(self.resolver, coordinates, bulk)
        if len(self._places) > CACHE_LIMIT:
            self._places.clear()
            self._details.clear()
        named = distinct.difference(coordinates)  # coordinates never name an airport
        airports = sum(1 for p in named if p[:8].lower() == "airport:" and p not in self._places)
        if airports >= AIRPORTS_TABLE:
            airport_table("IATA")  # read once: finding each airport in the file costs 9 ms
        where: list[tuple[Territory | None, str | None]] = []
        location_of: dict[tuple[int, str | None], int] = {}

        def location(value: Territory | None, outside: str | None) -> int:
            key = (id(value), outside)
            if key not in location_of:
                location_of[key] = len(where)
                where.append((value, outside))
            return location_of[key]

        # Coordinates, by the hundred thousand: a code per distinct territory, then per place in
        # one comprehension; a point in no territory is Antarctica south of 60°S, else the sea.
        failures: dict[str, str] = {}
        code_of_value: dict[int, int] = {}
        for value in dict(zip(map(id, located), located, strict=True)).values():
            if isinstance(value, Failure):
                code_of_value[id(value)] = -1
            else:
                code_of_value[id(value)] = location(value, None)
        code: dict[str | None, int] = dict(
            zip(coordinates, map(code_of_value.__getitem__, map(id, located)), strict=True)
        )
        code[None] = -1
        if -1 in code_of_value.values():
            failures.update((p, v.message) for p, v in zip(coordinates, located, strict=True) if type(v) is Failure)
        south = [place for place in antarctic if code[place] >= 0 and where[code[place]][0] is None]
        if south:
            code.update(dict.fromkeys(south, location(None, law.outside_note(True))))
        for place in named.difference(code):  # the places not located above
            if place not in self._places:
                self._places[place] = self._resolve(place)
            value = self._places[place]
            if isinstance(value, Failure):
                failures[place] = value.message
                code[place] = -1
            else:
                code[place] = location(value, _antarctic(place) if value is None else None)
        location_of_row = list(map(code.__getitem__, places))
        if -1 in location_of_row:
            for number, place in enumerate(places):
                if location_of_row[number] < 0:
                    errors.setdefault(number, failures.get(place, "no place"))  # type: ignore[arg-type]
        return where, location_of_row

    def _legs(self, outcome: BatchOutcome) -> LegRows:
        """Legs between consecutive located stops of one itinerary: consecutive rows with the same
        file, itinerary and subject. By the row the leg arrives at. A row that is an error or has
        no point (a country) is passed by: the leg runs from the stop before it to the one after.
        As columns, without a step per row: each place is numbered once, and each leg is the
        located row before's place and result (its departure) and its own place."""
        import numpy as np

        c, result_of_row, results = outcome.inputs.columns, outcome.result_of_row, outcome.results
        places = c["place"]
        if not len(places):
            return LegRows()
        run_of_row, in_run, carried = self._runs(c["file"], c["itinerary"], c["subject"])
        result = np.asarray(result_of_row, dtype=np.int64)
        located, place_of, endpoints, number_of_place = self._endpoints(places, np.flatnonzero(in_run & (result >= 0)))
        run = run_of_row[located]
        follows = np.flatnonzero(run[1:] == run[:-1])  # a located stop after another in its run
        arrivals, start_of, end_of = located[follows + 1], place_of[follows], place_of[follows + 1]
        departure_of = result[located[follows]]
        departures: list[Any] = results
        opened = self._open
        if carried and opened.last_stop is not None and len(located) and run[0] == 0:  # type: ignore[union-attr]
            # the first located stop arrives from the previous chunk's last one
            place, point, departure = opened.last_stop  # type: ignore[union-attr]
            endpoints.append((place, *point))
            departures = [*results, departure]
            arrivals = np.concatenate((located[:1], arrivals))
            start_of = np.concatenate(([len(endpoints) - 1], start_of))
            end_of = np.concatenate((place_of[:1], end_of))
            departure_of = np.concatenate(([len(results)], departure_of))
        # the itinerary the chunk ends in, and its last located stop (the next chunk's first
        # rows may continue it)
        last_stop = None
        if len(located) and run[-1] == run_of_row[-1]:
            last = int(located[-1])
            place = places[last]
            last_stop = (place, endpoints[number_of_place[place]][1:], results[result_of_row[last]])
        elif carried and run_of_row[-1] == 0:
            last_stop = opened.last_stop  # type: ignore[union-attr]
        self._open = OpenItinerary((c["file"][-1], c["itinerary"][-1], c["subject"][-1]), last_stop)
        if not len(arrivals):
            return LegRows()
        from icc_travel.engine.legs import MeasuredLegs, measure_leg_columns

        if self._planner is None:  # pyproj and the grid: only when there are legs
            self._planner, self._measured = self.resolver.route_planner(), MeasuredLegs()

        legs = measure_leg_columns(
            self._planner, endpoints, start_of, end_of, departures, departure_of, answers=self.answers,
            measured=self._measured,
        )  # fmt: skip
        return LegRows(arrivals.tolist(), legs)

    def _runs(self, file: Sequence[Any], itinerary: Sequence[Any], subject: Sequence[Any]) -> tuple[Any, Any, bool]:
        """The chunk's rows in runs of one file, itinerary and subject: each row's run (numbered
        from 0), whether it is in a run of two or more (or at an end of the chunk, where a run
        may go on from the chunk before or into the next) and whether run 0 goes on from the
        itinerary the chunk before ended in. Compared by C-level maps over the columns: a million
        one-stop itineraries are not looked at one by one."""
        import numpy as np

        count = len(itinerary)
        continues = np.fromiter(  # whether each row continues the row before it
            map(
                and_,
                map(eq, itinerary[1:], itinerary),
                map(and_, map(eq, file[1:], file), map(eq, subject[1:], subject)),
            ),
            dtype=bool,
            count=count - 1,
        )
        opened = self._open
        carried = opened is not None and (file[0], itinerary[0], subject[0]) == opened.key
        run_of_row = np.concatenate(([0], np.cumsum(~continues)))
        in_run = np.zeros(count, dtype=bool)
        in_run[1:] |= continues
        in_run[:-1] |= continues
        in_run[[0, -1]] = True
        return run_of_row, in_run, carried

    def _endpoints(self, places: Sequence[str], rows: Any) -> tuple[Any, Any, list[Any], dict[str, int]]:
        """Of the given rows, those whose place has a point (`located`, an airport's or
        coordinates, not a country's) and each one's place numbered once (`place_of`), with the
        numbered places as (place, lat, lon) and each place's number (-1: no point)."""
        import numpy as np

        asked = list(map(places.__getitem__, rows.tolist()))
        number_of_place: dict[str, int] = {}
        endpoints: list[Any] = []
        for place in dict.fromkeys(asked):  # once per place
            point = self._point(place)
            number_of_place[place] = -1 if point is None else len(endpoints)
            if point is not None:
                endpoints.append((place, *point))
        place_of = np.fromiter(map(number_of_place.__getitem__, asked), dtype=np.int64, count=len(asked))
        return rows[place_of >= 0], place_of[place_of >= 0], endpoints, number_of_place

    def _resolve(self, place: str) -> Territory | Failure | None:
        """A named place's territory, or why it has none; with legs, its point is kept too (an
        airport's), so the legs do not resolve it again."""
        try:
            found = self.resolver.resolve(place)
        except IccTravelError as error:
            return Failure(str(error))
        if found.detail is not None:
            self._details[place] = found.detail
        if self.legs:
            if len(self._points) > CACHE_LIMIT:
                self._points.clear()
            self._points[place] = None if found.lat is None or found.lon is None else (found.lat, found.lon)
        return found.territory

    def _point(self, place: str) -> tuple[float, float] | None:
        """Coordinates of an airport or LAT,LON stop; None for a country (it has no point)."""
        if _COORDINATES.match(place):
            try:
                return parse_coordinates(place)  # already located in bulk: no polygon lookup again
            except IccTravelError:
                return None
        if place not in self._points:
            if len(self._points) > CACHE_LIMIT:
                self._points.clear()
            try:
                found = self.resolver.resolve(place)
                self._points[place] = None if found.lat is None or found.lon is None else (found.lat, found.lon)
            except IccTravelError:
                self._points[place] = None
        return self._points[place]


_NUMERIC_CHARS = "0123456789.+-, \t"


def _locate(
    resolver: PlaceResolver, places: list[str], bulk: bool = False
) -> tuple[list[Territory | Failure | None], set[str]]:
    """Parse and validate every coordinate at once (the strict parser names a bad one); with the
    territories, the places south of 60°S (Antarctica where they are in no territory)."""
    import numpy as np

    if not places:
        return [], set()
    # every place holds a comma: the parts are two per place exactly when each holds one
    parts = ",".join(places).split(",")
    try:
        values = np.array(parts, dtype=float).reshape(-1, 2) if len(parts) == 2 * len(places) else None
    except ValueError:
        values = None
    # Restricted to digits, signs, points, commas and blanks, numpy's float parse accepts exactly
    # what COORDINATES does; anything else (an empty part, a third number) fails it as a whole.
    if values is None or len(values) != len(places):
        answers: list[Territory | Failure | None] = []
        good, points = [], []
        for number, place in enumerate(places):
            try:
                points.append(parse_coordinates(place))
                good.append(number)
                answers.append(None)
            except InputError as error:
                answers.append(Failure(str(error)))
        for number, territory in zip(good, resolver.locate_many(points, bulk=bulk), strict=True):
            answers[number] = territory
        south = {
            places[number] for number, point in zip(good, points, strict=True) if in_antarctic_treaty_area(point[0])
        }
        return answers, south
    lats, lons = values[:, 0], values[:, 1]
    inside = (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
    answers = [None] * len(places)
    for number in np.flatnonzero(~inside).tolist():
        answers[number] = _attempt(parse_coordinates, places[number])
    keep = np.flatnonzero(inside)
    if bulk:  # the grid, from the arrays: each distinct feature's territory once, not a tuple per point
        resolver.load_grid()
        features = resolver.feature_indexes(lats[keep], lons[keep]).tolist()
        territory_of = {feature: resolver.territory_of_feature(feature) for feature in set(features)}
        territories: list[Territory | None] = list(map(territory_of.__getitem__, features))
    else:
        territories = resolver.locate_many(list(zip(lats[keep].tolist(), lons[keep].tolist(), strict=True)))
    if len(keep) == len(places):  # every point on the globe (the usual chunk): the answers as they come
        answers = list(territories)
    else:
        for number, territory in zip(keep.tolist(), territories, strict=True):
            answers[number] = territory
    south = {places[number] for number in np.flatnonzero(inside & (lats <= ANTARCTIC_TREATY_LATITUDE)).tolist()}
    return answers, south


class Failure(NamedTuple):
    """Why a value could not be had (an unknown subject, a bad place): the row becomes an error
    row with this message, told apart from a result by its type, never by being a string."""

    message: str


def _attempt(make: Any, *args: Any) -> Any:
    """The value, or a Failure saying why not."""
    try:
        return make(*args)
    except IccTravelError as error:
        return Failure(str(error))


def _antarctic(place: str | None) -> str | None:
    """The note for a LAT,LON stop in no territory (Antarctica south of 60°S, else none), and for
    Antarctica named."""
    if place and normalise(place) in ANTARCTICA_NAMES:
        return law.outside_note(True)
    if not place or "," not in place:
        return None
    try:
        return law.outside_note(in_antarctic_treaty_area(float(place.split(",", 1)[0])))
    except ValueError:
        return None
