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
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel import law
from icc_travel.check import precedent_json
from icc_travel.dates import parse_date
from icc_travel.errors import IccTravelError, InputError
from icc_travel.models import Dataset, Subject, Territory
from icc_travel.places import COORDINATES, Place, PlaceResolver, parse_coordinates
from icc_travel.subjects import SubjectFinder

INPUT_FORMATS = ("yaml", "csv", "jsonl")
CSV_COLUMNS = ("itinerary", "subject", "place", "date", "kind")


class InputRow(NamedTuple):
    """One input row as read; a tuple, because a batch may hold millions."""

    file: str
    line: int
    itinerary: str | None
    subject: str | None
    place: str | None
    date: str | None
    kind: str | None
    error: str | None = None  # a row that could not even be read


@dataclass
class BatchOutcome:
    """Per input row: the shared result for its (subject, territory, date, kind), or an error."""

    inputs: list[InputRow] = field(default_factory=list)
    results: list[dict[str, Any] | str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for r in self.results if isinstance(r, str))

    @property
    def result_count(self) -> int:
        return len(self.results) - self.errors

    def levels(self) -> Counter[str]:
        return Counter(r["obligation"] for r in self.results if not isinstance(r, str))

    def reaches(self, threshold: str) -> bool:
        return any(law.reaches(level, threshold) for level in self.levels())

    def rows(self) -> Iterator[dict[str, Any]]:
        """Full output rows, built one at a time."""
        for row, result in zip(self.inputs, self.results, strict=True):
            base = {"file": row.file, "line": row.line, "itinerary": row.itinerary}
            if isinstance(result, str):
                yield {**base, "subject": row.subject, "input": row.place, "error": result}
            else:
                yield {**base, "input": row.place, **result, "error": None}


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


def read_rows(name: str, text: str, fmt: str) -> list[InputRow]:
    if not text.strip():
        return [InputRow(name, 1, None, None, None, None, None, "empty input: no rows")]
    reader = {"yaml": _yaml_rows, "csv": _csv_rows, "jsonl": _jsonl_rows}[fmt]
    return list(reader(name, text))


def _csv_rows(name: str, text: str) -> Iterator[InputRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("subject", "place") if c not in header]
    if missing:
        yield InputRow(
            name,
            1,
            None,
            None,
            None,
            None,
            None,
            f"CSV header lacks {', '.join(missing)} (expected {','.join(CSV_COLUMNS)})",
        )
        return
    reader.fieldnames = header
    for record in reader:
        line = reader.line_num
        if None in record:
            yield InputRow(name, line, None, None, None, None, None, "more fields than the header")
            continue
        yield InputRow(name, line, *(_blank(record.get(c)) for c in CSV_COLUMNS))


def _jsonl_rows(name: str, text: str) -> Iterator[InputRow]:
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as error:
            yield InputRow(name, number, None, None, None, None, None, f"invalid JSON: {error.args[0]}")
            continue
        if not isinstance(record, dict):
            yield InputRow(name, number, None, None, None, None, None, "expected a JSON object")
            continue
        yield InputRow(name, number, *(_text(record.get(c)) for c in CSV_COLUMNS))


def _yaml_rows(name: str, text: str) -> Iterator[InputRow]:
    import yaml

    from icc_travel.yamlio import SafeLoader

    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        yield InputRow(name, line, None, None, None, None, None, f"invalid YAML: {error.problem}")
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


def _scalar(node: Any) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) and node.value != "" else None


def _blank(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def evaluate(dataset: Dataset, rows: Iterable[InputRow], default_date: dt.date, progress: Any = None) -> BatchOutcome:
    rows = list(rows)
    resolver = PlaceResolver(dataset)
    finder = SubjectFinder(dataset)
    subjects: dict[str, Subject | str] = {}
    places: dict[str, Place | str] = {}
    located = _locate_coordinates_in_bulk(resolver, rows)
    shared: dict[tuple, dict[str, Any]] = {}
    outcome = BatchOutcome(inputs=rows)
    for number, row in enumerate(rows):
        try:
            outcome.results.append(
                _evaluate_row(
                    dataset, row, located.get(number, _UNSET), default_date, resolver, finder, subjects, places, shared
                )
            )
        except IccTravelError as error:
            outcome.results.append(str(error))
        if progress is not None:
            progress()
    return outcome


_UNSET: Any = object()


def _locate_coordinates_in_bulk(resolver: PlaceResolver, rows: list[InputRow]) -> dict[int, Territory | str | None]:
    """One vectorised polygon query for every coordinate stop; bad coordinates become errors."""
    numbers, points = [], []
    located: dict[int, Territory | str | None] = {}
    for number, row in enumerate(rows):
        place = row.place
        if not place or row.error or "," not in place or not COORDINATES.match(place):
            continue
        try:
            points.append(parse_coordinates(place))
            numbers.append(number)
        except InputError as error:
            located[number] = str(error)
    if points:
        located.update(zip(numbers, resolver.locate_many(points), strict=True))
    return located


def _evaluate_row(
    dataset: Dataset,
    row: InputRow,
    located: Any,
    default_date: dt.date,
    resolver: PlaceResolver,
    finder: SubjectFinder,
    subjects: dict[str, Subject | str],
    places: dict[str, Place | str],
    shared: dict[tuple, dict[str, Any]],
) -> dict[str, Any]:
    if row.error:
        raise InputError(row.error)
    if not row.subject:
        raise InputError("no subject")
    if not row.place:
        raise InputError("no place")
    subject = _cached(subjects, row.subject, finder.find)
    if located is _UNSET:
        territory = _cached(places, row.place, resolver.resolve).territory
    elif isinstance(located, str):
        raise InputError(located)
    else:
        territory = located
    kind = row.kind or "visit"
    if kind not in law.KINDS:
        raise InputError(f"kind must be one of {', '.join(law.KINDS)}, got {kind!r}")
    key = (subject.id, territory.feature_index if territory else None, row.date, kind)
    if key not in shared:
        day = parse_date(row.date, what="date") if row.date else default_date
        shared[key] = _result(dataset, subject, territory, day, kind)
    return shared[key]


def _result(dataset: Dataset, subject: Subject, territory: Territory | None, day: dt.date, kind: str) -> dict[str, Any]:
    obligation = law.obligation(subject, territory, day, dataset.situations[subject.situation], kind)
    return {
        "subject": subject.id,
        "date": day.isoformat(),
        "kind": kind,
        "country": None
        if territory is None
        else {"iso3": territory.iso3, "iso2": territory.iso2, "name": territory.name, "territory": territory.territory},
        "obligation": obligation.level,
        "basis": obligation.basis,
        "reasons": list(obligation.reasons),
        "sources": list(obligation.sources),
        "precedents": [precedent_json(p) for p in dataset.precedents_in(territory.iso3)] if territory else [],
    }


def _cached(cache: dict[str, Any], key: str, make: Any) -> Any:
    if key not in cache:
        try:
            cache[key] = make(key)
        except IccTravelError as error:
            cache[key] = str(error)
    value = cache[key]
    if isinstance(value, str):
        raise InputError(value)
    return value
