"""Batch checks: many itineraries from YAML, CSV or JSON Lines, one output row per input row.

Nothing is dropped: every input row becomes a result or an error carrying file and line, and
the summary counts reconcile (rows = results + errors). Inputs are read, evaluated and written in
chunks of CHUNK_ROWS rows, in input order, so memory stays flat however long the input is; the
evaluator keeps what chunks share (subjects, named places, results, the open itinerary).
Coordinate stops are located in bulk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel import law
from icc_travel.data.inputs import TextBlock
from icc_travel.data.models import Dataset, Precedent, Subject, Territory
from icc_travel.dates import parse_date
from icc_travel.engine.check import relevant_precedents
from icc_travel.engine.contract import batch_result_json, leg_json
from icc_travel.engine.staleness import staleness_warning
from icc_travel.engine.subjects import SubjectFinder
from icc_travel.errors import IccTravelError, InputError, shorten
from icc_travel.geo.places import BULK_POINTS, COORDINATES, PlaceResolver, outside_note, parse_coordinates
from icc_travel.geo.routes import Leg

INPUT_FORMATS = ("yaml", "csv", "jsonl")
CSV_COLUMNS = ("itinerary", "subject", "place", "date", "kind")
CHUNK_ROWS = 50_000  # rows read, evaluated and written at a time: about 50 MB of working memory
MAX_YAML_BYTES = 64 << 20  # YAML is read whole (its tree is ~20x the text): larger batches are CSV or JSON Lines
CACHE_LIMIT = 200_000  # distinct named places or results kept between chunks before starting afresh


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

    def slice(self, start: int, stop: int) -> Rows:
        return Rows({name: values[start:stop] for name, values in self.columns.items()})

    def records(self) -> Iterator[InputRow]:
        return (InputRow(*values) for values in zip(*(self.columns[name] for name in FIELDS), strict=True))


class BatchResult(NamedTuple):
    """One evaluated (subject, territory, date, kind): rows that ask the same share it."""

    subject: Subject
    territory: Territory | None
    day: dt.date
    kind: str
    obligation: law.Obligation
    precedents: tuple[Precedent, ...]


@dataclass
class BatchOutcome:
    """Per input row: an index into `results` (rows share them), or an error message."""

    inputs: Rows
    results: list[BatchResult]
    result_of_row: list[int]  # -1 where the row is an error
    errors_by_row: dict[int, str]
    data_as_of: dt.date
    source_tiers: Mapping[str, str] = field(default_factory=dict)  # the dataset's host -> tier table
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

    def leg_levels(self) -> Counter[str]:
        return Counter(leg.level for leg in self.leg_of_row.values())

    def result_json(self, index: int) -> dict[str, Any]:
        """A result's JSON fields, built once however many rows share it."""
        cache = self.__dict__.setdefault("_json", {})
        if index not in cache:
            cache[index] = batch_result_json(self.results[index], self.data_as_of, self.source_tiers)
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
                    "leg": None if leg is None else leg_json(leg, self.source_tiers),
                    "error": None,
                }

    def json_texts(self) -> Iterator[str]:
        """Each row as `json.dumps(row, ensure_ascii=False)` would write it, faster: the part that
        comes from a result (reasons, sources, precedents: most of the text) is written once per
        result, however many rows share it."""
        c = self.inputs.columns
        shared = [json.dumps(self.result_json(index), ensure_ascii=False)[1:-1] for index in range(len(self.results))]
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
            )
            tail = "null" if leg is None else dumps(leg_json(leg, self.source_tiers))
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

    @property
    def results(self) -> int:
        return self.rows - self.errors

    def staleness(self) -> str | None:
        return staleness_warning(self.data_as_of, self.later.elements())

    def reaches(self, threshold: str) -> bool:
        return any(law.reaches(level, threshold) for level in (*self.levels, *self.leg_levels))


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
    """All rows of a text already in memory (the chunked reader does the same block by block)."""
    if not text.strip():
        return Rows.of([InputRow(name, 1, None, None, None, None, None, "empty input: no rows")])
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR ends a line, as old Mac exports have it
    if fmt == "yaml":
        return Rows.of(_yaml_rows(name, text))
    return block_reader(name, fmt)(text, 1, True)[0]


def block_reader(name: str, fmt: str) -> Any:
    """A reader of blocks of whole lines of a CSV or JSON Lines input: call it with each block's
    text, its first line number and whether it is the last, in order; it returns the block's rows
    and the text of the lines it left for the next block (a CSV record still open at the end)."""
    if fmt == "csv":
        return CsvBlocks(name)
    return lambda text, first_line, last: (Rows.of(_jsonl_rows(name, text, first_line)), "")


def read_chunks(name: str, blocks: Iterator[TextBlock], declared: str | None) -> Iterator[tuple[Rows, int]]:
    """(rows, bytes consumed) per chunk of an input given as text blocks (`data.inputs.text_blocks`),
    the format from `declared`, the name's extension or the first block. A line that could not be
    decoded is an error row at its place."""
    leading: list[TextBlock] = []  # blank blocks up to the first with any text
    for block in blocks:
        leading.append(block)
        if block.text.strip() or block.bad:
            break
    else:
        size = sum(block.size for block in leading)
        yield Rows.of([InputRow(name, 1, None, None, None, None, None, "empty input: no rows")]), size
        return
    fmt = detect_format(name, declared, leading[-1].text)
    first, blocks = leading[0], itertools.chain(leading[1:], blocks)
    if fmt == "yaml":
        yield from _yaml_chunks(name, first, blocks)
        return
    read = block_reader(name, fmt)
    carry, carry_line, carry_bad = "", 0, ()  # lines of a record still open at the last block's end
    blocks = itertools.chain([first], blocks)
    block: TextBlock | None = next(blocks)
    while block is not None:
        following = next(blocks, None)
        text = carry + block.text
        start = carry_line if carry else block.first_line
        bad = (*carry_bad, *block.bad)
        # a record may stay open across blocks, but not without end: past CARRY_TEXT it is read
        # as it stands (an unclosed quote then costs its own line, as at the end of the input)
        rows, tail = read(text, start, following is None or len(text) > CARRY_TEXT)
        carry_line = start + text.count("\n", 0, len(text) - len(tail))
        carry, carry_bad = tail, tuple(b for b in bad if b[0] >= carry_line)
        bad = tuple(b for b in bad if b[0] < carry_line) if tail else bad
        if bad:
            errors = [InputRow(name, line, None, None, None, None, None, message) for line, message in bad]
            rows = Rows.of(sorted([*rows.records(), *errors], key=lambda row: row.line))
        yield rows, block.size
        block = following


CARRY_TEXT = 256 << 20  # characters: how long a CSV record may stay open across blocks


def _yaml_chunks(name: str, first: TextBlock, blocks: Iterator[TextBlock]) -> Iterator[tuple[Rows, int]]:
    parts, size, bad = [first.text], first.size, list(first.bad)
    length = len(first.text)
    for block in blocks:
        parts.append(block.text)
        size += block.size
        length += len(block.text)
        bad += block.bad
        if length > MAX_YAML_BYTES:
            message = f"a YAML batch over {MAX_YAML_BYTES >> 20} MiB: write large batches as CSV or JSON Lines"
            yield Rows.of([InputRow(name, 1, None, None, None, None, None, message)]), size
            return
    if bad:
        line, message = bad[0]
        yield Rows.of([InputRow(name, line, None, None, None, None, None, message)]), size
        return
    rows = Rows.of(_yaml_rows(name, "".join(parts)))
    for start in range(0, len(rows), CHUNK_ROWS):
        yield rows.slice(start, start + CHUNK_ROWS), size if start == 0 else 0


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


class CsvBlocks:
    """A CSV input block by block: the header from the first line, the same columns after it.

    Each block takes the fast path when every record is one line with every column (one pass
    of C code), else the careful one: every record at the line where it starts, a bad record an
    error row, and an unclosed quote costing only its own record. Without a usable header every
    further non-blank line is an error row ("not read")."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.header: list[str] | None = None
        self.unusable: str | None = None  # why the header cannot be used
        self.delimiter = ","

    def __call__(self, text: str, first_line: int, last: bool = True) -> tuple[Rows, str]:
        """The block's rows, and the text of its last record if a quote left it open at the end
        of the block (unless `last`): the next block's text goes on from there."""
        rows: list[InputRow] = []
        if self.header is None and self.unusable is None:
            head, _, text = text.partition("\n")
            rows += self._read_header(head)
            first_line += 1
        if self.unusable is not None:
            lines = text.split("\n")
            rows += _each_line_an_error(self.name, lines, first_line, self.unusable)
            return Rows.of(rows), ""
        tail = ""
        body = self._columns(text, first_line)
        if body is None:
            lines = text.split("\n")
            records, open_from = _csv_records(self.name, lines, first_line, self.delimiter, self.header, last)
            body = Rows.of(records)
            if open_from is not None:
                tail = "\n".join(lines[open_from:])
        if rows:
            head = Rows.of(rows)
            head.extend(body)
            return head, tail
        return body, tail

    def _read_header(self, line: str) -> list[InputRow]:
        self.delimiter = _delimiter(line)
        try:
            header = _header(next(csv.reader([line], delimiter=self.delimiter, strict=True), []))
        except csv.Error as error:
            self.unusable = "the header could not be read"
            return [InputRow(self.name, 1, None, None, None, None, None, f"unreadable CSV header: {error}")]
        repeated = sorted({h for h in header if h and header.count(h) > 1})
        missing = [c for c in ("subject", "place") if c not in header]
        if repeated or missing:
            problem = (
                f"CSV header repeats {', '.join(repeated)}: which column answers would be a guess"
                if repeated
                else f"CSV header lacks {', '.join(missing)} (expected {','.join(CSV_COLUMNS)}; "
                f"the first line is {shorten(line, 80)!r})"
            )
            self.unusable = "no usable CSV header"
            return [InputRow(self.name, 1, None, None, None, None, None, f"{problem}; the rows after it are not read")]
        self.header = header
        return []

    def _columns(self, text: str, first_line: int) -> Rows | None:
        """The fast path, or None when the block needs the careful one."""
        header = self.header
        assert header is not None
        try:
            # strict, as the careful path reads: the fast path only ever skips its bookkeeping
            records = list(csv.reader(io.StringIO(text), delimiter=self.delimiter, strict=True))
        except csv.Error:  # a stray quote, a field over the size limit: the careful path says where
            return None
        width = len(header)
        if text.count("\n") + (not text.endswith("\n")) != len(records) or not all(c in header for c in CSV_COLUMNS):
            return None
        lines = [number for number, record in enumerate(records, first_line) if record]
        records = [record for record in records if record]
        if not records:
            return Rows()
        if {len(record) for record in records} != {width}:
            return None
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
                "file": [self.name] * len(records),
                "line": lines,
                "itinerary": column("itinerary"),
                "subject": column("subject", repeated=True),
                "place": column("place"),
                "date": column("date", repeated=True),
                "kind": column("kind", repeated=True),
                "error": [None] * len(records),
            }
        )


def _csv_records(
    name: str, lines: list[str], first_line: int, delimiter: str, header: list[str], last: bool = True
) -> tuple[list[InputRow], int | None]:
    """Records of a block's lines (the first at line `first_line`), each numbered by the line it
    starts on. A record the reader cannot finish (a quote never closed) is one error row, and
    reading resumes on its next line; unless this is not the `last` block and the record was
    still open at its end: then reading stops there, and the index of the record's first line
    is returned with the rows, so the next block can finish it."""
    position = {label: header.index(label) for label in CSV_COLUMNS if label in header}
    rows: list[InputRow] = []
    index = 0
    while index < len(lines):
        reader = csv.reader(io.StringIO("\n".join(lines[index:])), delimiter=delimiter, strict=True)
        while True:
            start = index + reader.line_num
            try:
                record = next(reader)
            except StopIteration:
                return rows, None
            except csv.Error as error:
                if not last and "unexpected end of data" in str(error):
                    return rows, start
                rows.append(
                    InputRow(name, first_line + start, None, None, None, None, None, f"unreadable CSV: {error}")
                )
                index = start + 1
                break
            rows += _csv_record(name, first_line + start, record, header, position)
    return rows, None


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


def _each_line_an_error(name: str, lines: list[str], first_line: int, why: str) -> Iterator[InputRow]:
    """Without a usable header, every further non-blank line is an input record and an error row."""
    for number, line in enumerate(lines, first_line):
        if line.strip():
            yield InputRow(name, number, None, None, None, None, None, f"{NOT_READ}{why}")


def _jsonl_rows(name: str, text: str, first_line: int = 1) -> Iterator[InputRow]:
    # split on line feeds only: str.splitlines would also split at U+2028 inside a JSON string
    for number, raw in enumerate(text.split("\n"), first_line):
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


def evaluate(dataset: Dataset, rows: Rows, default_date: dt.date, *, legs: bool = True) -> BatchOutcome:
    """The outcome of rows held in memory at once (the command streams chunks through an Evaluator)."""
    return Evaluator(dataset, default_date, legs=legs)(rows)


class OpenItinerary(NamedTuple):
    """The itinerary a chunk ended in, so the next chunk's first rows continue its legs."""

    key: tuple[Any, ...]  # (file, itinerary, subject)
    last_stop: tuple[str, tuple[float, float], BatchResult] | None  # its last located stop


class Evaluator:
    """Evaluates chunks of rows in input order. Each distinct subject and named place (country,
    airport, city) is resolved once for the whole batch, coordinates are located in bulk per
    chunk, and the law is evaluated once per distinct (subject, territory, date, kind). Legs run
    between consecutive located stops of an itinerary, across chunk boundaries."""

    def __init__(self, dataset: Dataset, default_date: dt.date, *, legs: bool = True) -> None:
        self.dataset, self.default_date, self.legs = dataset, default_date, legs
        self.resolver, self.finder = PlaceResolver(dataset), SubjectFinder(dataset)
        self._subjects: dict[str, Subject | Failure] = {}
        self._places: dict[str, Territory | Failure | None] = {}
        self._points: dict[str, tuple[float, float] | None] = {}
        self._results: dict[tuple, BatchResult | Failure] = {}
        self._open: OpenItinerary | None = None
        self._planner: Any = None
        self._coordinates = 0  # coordinate stops seen so far

    def __call__(self, rows: Rows) -> BatchOutcome:
        c = rows.columns
        errors: dict[int, str] = {n: e for n, e in enumerate(c["error"]) if e}
        for text in set(c["subject"]):
            if text and text not in self._subjects:
                self._subjects[text] = _attempt(self.finder.find, text)
        territory_of_row = self._territories(c["place"], errors)
        if len(self._results) > CACHE_LIMIT:
            self._results.clear()
        index_of: dict[int, int] = {}  # id(result) -> its index in this chunk's results
        results: list[BatchResult] = []
        result_of_row = [-1] * len(rows)
        for number, (subject_text, date, kind, territory) in enumerate(
            zip(c["subject"], c["date"], c["kind"], territory_of_row, strict=True)
        ):
            if number in errors:
                continue
            subject = self._subjects.get(subject_text) if subject_text else None
            if subject is None or isinstance(subject, Failure):
                errors[number] = subject.message if subject else "no subject"
                continue
            outside = _antarctic(c["place"][number]) if territory is None else None
            key = (subject.id, id(territory), date, kind, outside)  # a Territory hashes all its fields: slow
            result = self._results.get(key)
            if result is None:
                result = self._results[key] = _attempt(
                    lambda: _result(self.dataset, subject, territory, date, kind, self.default_date, outside)  # noqa: B023
                )
            if isinstance(result, Failure):
                errors[number] = result.message
                continue
            index = index_of.get(id(result))
            if index is None:
                index = index_of[id(result)] = len(results)
                results.append(result)
            result_of_row[number] = index
        outcome = BatchOutcome(rows, results, result_of_row, errors, self.dataset.as_of, self.dataset.source_tiers)
        if self.legs:
            outcome.leg_of_row = self._legs(outcome)
        return outcome

    def _territories(self, places: list[str | None], errors: dict[int, str]) -> list[Any]:
        """Per row: a Territory, None (no territory), or a placeholder where the row is an error."""
        distinct = set(places)
        distinct.discard(None)
        coordinates = [place for place in distinct if "," in place and not place.translate(_NUMERIC)]
        # a batch of many chunks is a bulk lookup even when one chunk holds few coordinates
        self._coordinates += len(coordinates)
        bulk = self._coordinates >= BULK_POINTS
        found: dict[str, Any] = dict(zip(coordinates, _locate(self.resolver, coordinates, bulk), strict=True))
        if len(self._places) > CACHE_LIMIT:
            self._places.clear()
        for place in distinct:
            if place not in found:
                if place not in self._places:
                    self._places[place] = _attempt(lambda p=place: self.resolver.resolve(p).territory)
                found[place] = self._places[place]
        territory_of_row: list[Any] = []
        for number, place in enumerate(places):
            value = found.get(place, Failure("no place")) if place else Failure("no place")
            if isinstance(value, Failure):
                errors.setdefault(number, value.message)
                value = None
            territory_of_row.append(value)
        return territory_of_row

    def _legs(self, outcome: BatchOutcome) -> dict[int, Leg]:
        """Legs between consecutive located stops of one itinerary: consecutive rows with the same
        file, itinerary and subject. Keyed by the row the leg arrives at."""
        c, result_of_row = outcome.inputs.columns, outcome.result_of_row
        itinerary, file, subject = c["itinerary"], c["file"], c["subject"]
        count = len(itinerary)
        if not count:
            return {}
        # rows in runs of two or more: a million one-stop itineraries cost one list comprehension;
        # the first row may continue the previous chunk's itinerary, the last may go on in the next
        follows = [n for n in range(1, count) if itinerary[n] == itinerary[n - 1]]
        members = {m for n in follows if file[n] == file[n - 1] and subject[n] == subject[n - 1] for m in (n - 1, n)}
        members |= {0, count - 1}
        opened = self._open
        run: tuple[Any, ...] | None = None
        previous: tuple[str, tuple[float, float], BatchResult] | None = None
        if opened is not None and (file[0], itinerary[0], subject[0]) == opened.key:
            run, previous = opened.key, opened.last_stop
        pairs: list[tuple[tuple[str, tuple[float, float], BatchResult], int]] = []
        for number in sorted(members):
            key = (file[number], itinerary[number], subject[number])
            if key != run:
                run, previous = key, None
            if result_of_row[number] < 0:
                continue
            place = c["place"][number]
            point = self._point(place)
            if point is None:
                continue
            if previous is not None:
                pairs.append((previous, number))
            previous = (place, point, outcome.results[result_of_row[number]])
        self._open = OpenItinerary(run, previous) if run is not None else None
        if not pairs:
            return {}
        if self._planner is None:  # pyproj and the grid: only when there are legs
            self._planner = self.resolver.route_planner()
        requests = []
        for (place, point, departure), end in pairs:
            arrival = c["place"][end]
            requests.append((departure.subject, (place, *point), (arrival, *self._point(arrival)), departure.day))
        measured = self._planner.legs(requests)
        return {end: leg for (_, end), leg in zip(pairs, measured, strict=True)}

    def _point(self, place: str) -> tuple[float, float] | None:
        """Coordinates of an airport or LAT,LON stop; None for a country (it has no point)."""
        if COORDINATES.match(place):
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


_NUMERIC = str.maketrans("", "", "0123456789.+-, \t")


def _locate(resolver: PlaceResolver, places: list[str], bulk: bool = False) -> list[Territory | Failure | None]:
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
        for number, territory in zip(good, resolver.locate_many(points, bulk=bulk), strict=True):
            answers[number] = territory
        return answers
    lats, lons = values[:, 0], values[:, 1]
    inside = (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
    answers = [None] * len(places)
    for number in np.flatnonzero(~inside).tolist():
        answers[number] = _attempt(parse_coordinates, places[number])
    keep = np.flatnonzero(inside)
    territories = resolver.locate_many(list(zip(lats[keep].tolist(), lons[keep].tolist(), strict=True)), bulk=bulk)
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
