"""Batch checks: many itineraries from YAML, CSV or JSON Lines, one output row per input row.

Nothing is dropped: every input row becomes a result or an error carrying file and line, and
the summary counts reconcile (rows = results + errors). Coordinate stops are located in bulk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Subject, Territory
from icc_travel.dates import parse_date
from icc_travel.engine.check import country_json, leg_json, obligation_json, precedent_json, relevant_precedents
from icc_travel.engine.staleness import staleness_warning
from icc_travel.engine.subjects import SubjectFinder
from icc_travel.errors import IccTravelError, InputError, shorten
from icc_travel.geo.places import COORDINATES, PlaceResolver, outside_note, parse_coordinates
from icc_travel.geo.routes import Leg

INPUT_FORMATS = ("yaml", "csv", "jsonl")
PROGRESS_EVERY = 2048  # rows between progress callbacks: a callback per row would cost seconds
CSV_COLUMNS = ("itinerary", "subject", "place", "date", "kind")


class InputRow(NamedTuple):
    """One input row as read (YAML and JSON Lines readers, and CSV's careful path)."""

    file: str
    line: int
    itinerary: str | None
    subject: str | None
    place: str | None
    date: str | None
    kind: str | None
    error: str | None = None  # a row that could not even be read


FIELDS = InputRow._fields


@dataclass
class Rows:
    """Input rows as columns: a million rows are eight lists, not a million objects."""

    columns: dict[str, list[Any]] = field(default_factory=lambda: {name: [] for name in FIELDS})

    @classmethod
    def of(cls, rows: Iterable[InputRow]) -> Rows:
        rows = list(rows)
        if not rows:
            return cls()
        return cls(dict(zip(FIELDS, map(list, zip(*rows, strict=True)), strict=True)))

    def extend(self, other: Rows) -> None:
        for name in FIELDS:
            self.columns[name].extend(other.columns[name])

    def __len__(self) -> int:
        return len(self.columns["line"])


class BatchResult(NamedTuple):
    """One evaluated (subject, territory, date, kind): rows that ask the same share it."""

    subject: Subject
    territory: Territory | None
    day: dt.date
    kind: str
    obligation: law.Obligation
    precedents: tuple[Precedent, ...]

    def json(self, as_of: dt.date) -> dict[str, Any]:
        """The row fields of the JSON contract (shared by every row that asked this)."""
        return {
            "subject": self.subject.id,
            "date": self.day.isoformat(),
            "kind": self.kind,
            "country": country_json(self.territory),
            **obligation_json(self.obligation),
            "precedents": [precedent_json(p) for p in self.precedents],
            "after_data_as_of": self.day > as_of,
        }


@dataclass
class BatchOutcome:
    """Per input row: an index into `results` (rows share them), or an error message."""

    inputs: Rows
    results: list[BatchResult]
    result_of_row: list[int]  # -1 where the row is an error
    errors_by_row: dict[int, str]
    data_as_of: dt.date
    leg_of_row: dict[int, Leg] = field(default_factory=dict)  # the leg arriving at that row's stop

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
            counts[self.results[index].obligation.level] += count
        return counts

    def staleness(self) -> str | None:
        """Rows dated after the data, counted per row (results are shared between rows)."""
        dates = [
            self.results[index].day
            for index, count in self.rows_per_result.items()
            if self.results[index].day > self.data_as_of
            for _ in range(count)
        ]
        return staleness_warning(self.data_as_of, dates)

    def leg_levels(self) -> Counter[str]:
        return Counter(leg.level for leg in self.leg_of_row.values())

    def reaches(self, threshold: str) -> bool:
        return any(law.reaches(level, threshold) for level in (*self.levels(), *self.leg_levels()))

    def result_json(self, index: int) -> dict[str, Any]:
        """A result's JSON fields, built once however many rows share it."""
        cache = self.__dict__.setdefault("_json", {})
        if index not in cache:
            cache[index] = self.results[index].json(self.data_as_of)
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
                    **self.result_json(index),
                    "leg": None if leg is None else leg_json(leg),
                    "error": None,
                }


def detect_format(name: str, declared: str | None, text: str) -> str:
    if declared:
        return declared
    suffix = Path(name).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    first = text.lstrip()[:1]
    if first == "{":
        return "jsonl"
    header = text.splitlines()[0] if text else ""
    return "csv" if header.replace(" ", "").lower().startswith("itinerary,") else "yaml"


def read_rows(name: str, text: str, fmt: str) -> Rows:
    if not text.strip():
        return Rows.of([InputRow(name, 1, None, None, None, None, None, "empty input: no rows")])
    if fmt == "csv":
        # old Mac exports end lines with CR alone: one line end, so line numbers stay true
        return _csv_columns(name, text.replace("\r\n", "\n").replace("\r", "\n"))
    reader = {"yaml": _yaml_rows, "jsonl": _jsonl_rows}[fmt]
    return Rows.of(reader(name, text))


def _delimiter(text: str) -> str:
    """Spreadsheets in many locales export CSV with semicolons (or tabs): read the header's."""
    first = text.split("\n", 1)[0]
    if "," not in first:
        for candidate in (";", "\t"):
            if candidate in first:
                return candidate
    return ","


def _header(fields: list[str]) -> list[str]:
    """Header names as spreadsheets write them: any case, padded, quoted."""
    return [field.strip().strip('"').strip().lower() for field in fields]


def _csv_columns(name: str, text: str) -> Rows:
    """The common case in one pass of C code: every record one line, every column present."""
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        header = _header(next(reader, []))
        records = list(reader)
    except csv.Error:  # e.g. a field over the size limit: the careful path says where
        return Rows.of(_csv_rows(name, text))
    width = len(header)
    one_line_each = text.count("\n") + (not text.endswith("\n")) == len(records) + 1
    unique = len(set(header)) == width
    if not (one_line_each and unique and all(c in header for c in CSV_COLUMNS) and records):
        return Rows.of(_csv_rows(name, text))
    lines = [number + 2 for number, record in enumerate(records) if record]
    records = [record for record in records if record]
    if {len(record) for record in records} != {width}:
        return Rows.of(_csv_rows(name, text))
    columns = list(zip(*records, strict=True))
    shared: dict[str, str] = {}
    intern = shared.setdefault

    def column(label: str, *, repeated: bool = False) -> list[str | None]:
        values = [value.strip() for value in columns[header.index(label)]]
        if repeated:
            values = [intern(value, value) for value in values]
        return [value or None for value in values]

    return Rows(
        {
            "file": [name] * len(records),
            "line": lines,
            "itinerary": column("itinerary"),
            "subject": column("subject", repeated=True),
            "place": column("place"),
            "date": column("date", repeated=True),
            "kind": column("kind", repeated=True),
            "error": [None] * len(records),
        }
    )


def _csv_rows(name: str, text: str) -> Iterator[InputRow]:
    """The careful path: every record at the line where it starts, a bad record an error row,
    and an unterminated quote costing only its own record (the lines after it are read again)."""
    delimiter = _delimiter(text)
    lines = text.split("\n")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = _header(next(reader, []))
    except csv.Error as error:
        unread = sum(1 for line in lines[1:] if line.strip())
        yield InputRow(name, 1, None, None, None, None, None, f"unreadable CSV header: {error}; {unread} rows not read")
        yield from _each_line_an_error(name, lines, 1, "the header could not be read")
        return
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    missing = [c for c in ("subject", "place") if c not in header]
    if repeated or missing:
        problem = (
            f"CSV header repeats {', '.join(repeated)}: which column answers would be a guess"
            if repeated
            else f"CSV header lacks {', '.join(missing)} (expected {','.join(CSV_COLUMNS)}; "
            f"the first line is {shorten(lines[0], 80)!r})"
        )
        unread = sum(1 for line in lines[1:] if line.strip())
        yield InputRow(name, 1, None, None, None, None, None, f"{problem}; {unread} rows after it not read")
        yield from _each_line_an_error(name, lines, 1, "no usable CSV header")
        return
    position = {label: header.index(label) for label in CSV_COLUMNS if label in header}
    yield from _csv_records(name, lines, 2, delimiter, header, position)


def _csv_records(
    name: str, lines: list[str], first_line: int, delimiter: str, header: list[str], position: dict[str, int]
) -> Iterator[InputRow]:
    """Records from `first_line` on, each numbered by the line it starts on. A record the reader
    cannot finish (a quote never closed) is one error row, and reading resumes on its next line."""
    while first_line <= len(lines):
        reader = csv.reader(io.StringIO("\n".join(lines[first_line - 1 :])), delimiter=delimiter, strict=True)
        while True:
            start = first_line + reader.line_num
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield InputRow(name, start, None, None, None, None, None, f"unreadable CSV: {error}")
                first_line = start + 1
                break
            yield from _csv_record(name, start, record, header, position)


def _csv_record(
    name: str, line: int, record: list[str], header: list[str], position: dict[str, int]
) -> Iterator[InputRow]:
    if not record or not any(field.strip() for field in record):
        return  # a blank line
    if len(record) > len(header):
        yield InputRow(name, line, None, None, None, None, None, "more fields than the header")
        return
    values = [record[position[c]] if c in position and position[c] < len(record) else None for c in CSV_COLUMNS]
    yield InputRow(name, line, *(_blank(v) for v in values))


NOT_READ = "not read: "  # rows behind a bad header: in the output, counted once on stderr


def _each_line_an_error(name: str, lines: list[str], skip: int, why: str) -> Iterator[InputRow]:
    """Without a usable header, every further non-blank line is an input record and an error row."""
    for number, line in enumerate(lines[skip:], skip + 1):
        if line.strip():
            yield InputRow(name, number, None, None, None, None, None, f"{NOT_READ}{why}")


def _jsonl_rows(name: str, text: str) -> Iterator[InputRow]:
    # split on line feeds only: str.splitlines would also split at U+2028 inside a JSON string
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as error:
            yield InputRow(name, number, None, None, None, None, None, f"invalid JSON: {error.args[0]}")
            continue
        except RecursionError:
            yield InputRow(name, number, None, None, None, None, None, "invalid JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield InputRow(name, number, None, None, None, None, None, "expected a JSON object")
            continue
        yield InputRow(name, number, *(_text(record.get(c)) for c in CSV_COLUMNS))


def _yaml_rows(name: str, text: str) -> Iterator[InputRow]:
    import yaml

    from icc_travel.data.yamlio import SafeLoader

    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        yield InputRow(name, line, None, None, None, None, None, f"invalid YAML: {error.problem}")
        return
    except (yaml.YAMLError, RecursionError) as error:  # e.g. a control character the reader refuses
        line = text.count("\n", 0, getattr(error, "position", 0)) + 1
        reason = getattr(error, "reason", None) or type(error).__name__
        yield InputRow(name, line, None, None, None, None, None, f"invalid YAML: {reason}")
        return
    foreign = _foreign_tag(root)
    if isinstance(foreign, _Alias):
        line = foreign.node.start_mark.line + 1
        message = "a YAML alias repeats rows here: write each itinerary and stop out in full"
        yield InputRow(name, line, None, None, None, None, None, message)
        return
    if foreign is not None:
        line = foreign.start_mark.line + 1
        yield InputRow(name, line, None, None, None, None, None, f"invalid YAML: unsupported tag {foreign.tag!r}")
        return
    if not isinstance(root, yaml.SequenceNode):
        yield InputRow(name, 1, None, None, None, None, None, "expected a list of itineraries {id, subject, stops}")
        return
    for item in root.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            yield InputRow(
                name, line, None, None, None, None, None, "expected an itinerary mapping {id, subject, stops}"
            )
            continue
        fields = {key.value: value for key, value in item.value}
        itinerary = _scalar(fields.get("id"))
        subject = _scalar(fields.get("subject"))
        stops = fields.get("stops")
        if not isinstance(stops, yaml.SequenceNode) or not stops.value:
            yield InputRow(name, line, itinerary, subject, None, None, None, "itinerary has no list of stops")
            continue
        for stop in stops.value:
            stop_line = stop.start_mark.line + 1
            if isinstance(stop, yaml.ScalarNode):
                yield InputRow(name, stop_line, itinerary, subject, stop.value, None, None)
            elif isinstance(stop, yaml.MappingNode):
                values = {key.value: _scalar(value) for key, value in stop.value}
                yield InputRow(
                    name, stop_line, itinerary, subject, values.get("place"), values.get("date"), values.get("kind")
                )
            else:
                yield InputRow(
                    name, stop_line, itinerary, subject, None, None, None, "a stop must be a place or a mapping"
                )


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
)


class _Alias(NamedTuple):
    node: Any


def _foreign_tag(root: Any) -> Any:
    """The first node with a tag outside plain YAML (`!!python/...`, `!custom`), or a node used
    twice (an alias: `*name` would repeat rows, and nested aliases multiply a small file into
    millions of them), or None. Each node is visited once, so even a 'billion laughs' is quick."""
    import yaml

    seen: set[int] = set()
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if id(node) in seen:
            return _Alias(node)
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            return node
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
    return None


def _scalar(node: Any) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) and node.value != "" else None


def _blank(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def evaluate(
    dataset: Dataset, rows: Rows, default_date: dt.date, progress: Any = None, *, legs: bool = True
) -> BatchOutcome:
    """Resolve each distinct subject and place once, locate coordinates in bulk, and evaluate
    the law once per distinct (subject, territory, date, kind); with `legs`, measure the legs
    between consecutive stops with coordinates of each itinerary."""
    c = rows.columns
    count = len(rows)
    errors: dict[int, str] = {n: e for n, e in enumerate(c["error"]) if e}
    resolver, finder = PlaceResolver(dataset), SubjectFinder(dataset)

    subjects = {text: _attempt(finder.find, text) for text in set(c["subject"]) if text}
    territory_of_row = _territories(resolver, c["place"], errors)
    keys: dict[tuple, int] = {}
    results: list[BatchResult] = []
    result_of_row = [-1] * count
    for number, (subject_text, date, kind, territory) in enumerate(
        zip(c["subject"], c["date"], c["kind"], territory_of_row, strict=True)
    ):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(min(PROGRESS_EVERY, count - number))
        if number in errors:
            continue
        subject = subjects.get(subject_text) if subject_text else Failure("no subject")
        if isinstance(subject, Failure) or subject is None:
            errors[number] = subject.message if subject else "no subject"
            continue
        outside = _antarctic(c["place"][number]) if territory is None else None
        key = (subject.id, id(territory), date, kind, outside)  # a Territory hashes all its fields: slow
        index = keys.get(key)
        if index is None:
            result = _attempt(lambda: _result(dataset, subject, territory, date, kind, default_date, outside))  # noqa: B023
            if isinstance(result, Failure):
                errors[number] = result.message
                continue
            index = keys[key] = len(results)
            results.append(result)
        result_of_row[number] = index
    outcome = BatchOutcome(rows, results, result_of_row, errors, dataset.as_of)
    if legs:
        outcome.leg_of_row = _legs(dataset, resolver, outcome)
    return outcome


def _legs(dataset: Dataset, resolver: PlaceResolver, outcome: BatchOutcome) -> dict[int, Leg]:
    """Legs between consecutive located stops of one itinerary: consecutive rows with the same
    file, itinerary and subject. Keyed by the row the leg arrives at."""
    c, result_of_row = outcome.inputs.columns, outcome.result_of_row
    itinerary, file, subject = c["itinerary"], c["file"], c["subject"]
    # rows in runs of two or more: a million one-stop itineraries cost one list comprehension
    follows = [n for n in range(1, len(itinerary)) if itinerary[n] == itinerary[n - 1]]
    members = sorted(
        {m for n in follows if file[n] == file[n - 1] and subject[n] == subject[n - 1] for m in (n - 1, n)}
    )
    points: dict[str, tuple[float, float] | None] = {}
    pairs: list[tuple[int, int]] = []
    run, previous = None, None
    for number in members:
        key = (file[number], itinerary[number], subject[number])
        if key != run:
            run, previous = key, None
        if result_of_row[number] < 0:
            continue
        place = c["place"][number]
        if place not in points:
            points[place] = _point(resolver, place)
        if points[place] is None:
            continue
        if previous is not None:
            pairs.append((previous, number))
        previous = number
    if not pairs:
        return {}
    from icc_travel.geo.routes import RoutePlanner  # pyproj and the grid: only when there are legs

    requests = []
    for start, end in pairs:
        departure = outcome.results[result_of_row[start]]
        requests.append(
            (
                departure.subject,
                (c["place"][start], *points[c["place"][start]]),
                (c["place"][end], *points[c["place"][end]]),
                departure.day,
            )
        )
    measured = RoutePlanner(dataset).legs(requests)
    return {end: leg for (_, end), leg in zip(pairs, measured, strict=True)}


def _point(resolver: PlaceResolver, place: str) -> tuple[float, float] | None:
    """Coordinates of an airport or LAT,LON stop; None for a country (it has no point)."""
    try:
        if COORDINATES.match(place):
            return parse_coordinates(place)  # already located in bulk: no polygon lookup again
        found = resolver.resolve(place)
    except IccTravelError:
        return None
    return None if found.lat is None or found.lon is None else (found.lat, found.lon)


def _territories(resolver: PlaceResolver, places: list[str | None], errors: dict[int, str]) -> list[Any]:
    """Per row: a Territory, None (no territory), or a placeholder where the row is an error."""
    distinct = set(places)
    distinct.discard(None)
    coordinates = [place for place in distinct if "," in place and not place.translate(_NUMERIC)]
    located = dict(zip(coordinates, _locate(resolver, coordinates), strict=True))
    named = {
        place: _attempt(lambda p=place: resolver.resolve(p).territory) for place in distinct if place not in located
    }
    found = located
    found.update(named)
    territory_of_row: list[Any] = []
    for number, place in enumerate(places):
        value = found.get(place, Failure("no place")) if place else Failure("no place")
        if isinstance(value, Failure):
            errors.setdefault(number, value.message)
            value = None
        territory_of_row.append(value)
    return territory_of_row


_NUMERIC = str.maketrans("", "", "0123456789.+-, \t")


def _locate(resolver: PlaceResolver, places: list[str]) -> list[Territory | Failure | None]:
    """Parse and validate every coordinate at once; the strict parser names a bad one."""
    import numpy as np

    if not places:
        return []
    try:
        pairs = [place.split(",") for place in places]
        values = np.array([part for pair in pairs for part in pair], dtype=float).reshape(-1, 2)
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
        for number, territory in zip(good, resolver.locate_many(points), strict=True):
            answers[number] = territory
        return answers
    lats, lons = values[:, 0], values[:, 1]
    inside = (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
    answers = [None] * len(places)
    for number in np.flatnonzero(~inside).tolist():
        answers[number] = _attempt(parse_coordinates, places[number])
    keep = np.flatnonzero(inside)
    territories = resolver.locate_many(list(zip(lats[keep].tolist(), lons[keep].tolist(), strict=True)))
    for number, territory in zip(keep.tolist(), territories, strict=True):
        answers[number] = territory
    return answers


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
    """The note for a LAT,LON stop in no territory (Antarctica south of 60°S, else none)."""
    if not place or "," not in place:
        return None
    try:
        return outside_note(float(place.split(",", 1)[0]))
    except ValueError:
        return None


def _result(
    dataset: Dataset,
    subject: Subject,
    territory: Territory | None,
    date: str | None,
    kind: str | None,
    default_date: dt.date,
    outside: str | None = None,
) -> BatchResult:
    kind = kind or "visit"
    if kind not in law.KINDS:
        raise InputError(f"kind must be one of {', '.join(law.KINDS)}, got {kind!r}")
    day = parse_date(date, what="date") if date else default_date
    obligation = law.obligation(subject, territory, day, dataset.situations[subject.situation], kind, outside)
    precedents = relevant_precedents(dataset, territory.iso3, subject.id, day) if territory else ()
    return BatchResult(subject, territory, day, kind, obligation, precedents)
