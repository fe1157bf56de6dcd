"""Batch input: rows of itineraries from YAML, CSV or JSON Lines, read in chunks, each row with
its file and line; a row that cannot be read is an error row at its own line, never dropped."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel.data.inputs import TextBlock, UnreadableLine
from icc_travel.errors import shorten

CHUNK_ROWS = 50_000  # rows read, evaluated and written at a time: about 50 MB of working memory
INPUT_FORMATS = ("yaml", "csv", "jsonl")


CSV_COLUMNS = ("itinerary", "subject", "place", "date", "kind")


MAX_YAML_BYTES = 64 << 20  # YAML is read whole (its tree is ~20x the text): larger batches are CSV or JSON Lines


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
    return read_steps(name, input_steps(name, blocks, declared))


def read_steps(name: str, steps: Iterable[ReadyRows | BlockStep]) -> Iterator[tuple[Rows, int]]:
    """(rows, bytes consumed) per step of one input (`input_steps`), its blocks read in turn."""
    read: Any = None
    carry = NO_CARRY
    for step in steps:
        if isinstance(step, ReadyRows):
            yield step.rows, step.size
            continue
        if read is None:
            read = block_reader(name, step.fmt)
        rows, carry = read_block(name, read, carry, step.block, step.final)
        yield rows, step.block.size


class ReadyRows(NamedTuple):
    """Rows an input yields without a block to read: an empty input, a YAML chunk."""

    rows: Rows
    size: int


class BlockStep(NamedTuple):
    """A block of a CSV or JSON Lines input to read in turn (`read_block`): `final` when no
    block follows it."""

    fmt: str
    block: TextBlock
    final: bool


class Carry(NamedTuple):
    """The lines of a CSV record still open at a block's end, with the first one's number and
    the undecodable lines among them: the next block is read on from there."""

    text: str
    line: int
    bad: tuple[tuple[int, str], ...]


NO_CARRY = Carry("", 0, ())


def input_steps(name: str, blocks: Iterator[TextBlock], declared: str | None) -> Iterator[ReadyRows | BlockStep]:
    """An input as the steps that read it, in order: the format from `declared`, the name's
    extension or the first block with text; a block is handed on once the next one is read (or
    the input has ended), so each knows whether it is the last."""
    leading: list[TextBlock] = []  # blank blocks up to the first with any text
    for block in blocks:
        leading.append(block)
        if block.text.strip() or block.bad:
            break
    else:
        size = sum(block.size for block in leading)
        yield ReadyRows(Rows.of([InputRow(name, 1, None, None, None, None, None, "empty input: no rows")]), size)
        return
    fmt = detect_format(name, declared, leading[-1].text)
    first, blocks = leading[0], itertools.chain(leading[1:], blocks)
    if fmt == "yaml":
        for rows, size in _yaml_chunks(name, first, blocks):
            yield ReadyRows(rows, size)
        return
    blocks = itertools.chain([first], blocks)
    block: TextBlock | None = next(blocks)
    while block is not None:
        try:
            following = next(blocks, None)
        except (UnreadableLine, OSError):  # reading stopped there: the block read is the last
            yield BlockStep(fmt, block, True)
            raise
        yield BlockStep(fmt, block, following is None)
        block = following


def read_block(name: str, read: Any, carry: Carry, block: TextBlock, final: bool) -> tuple[Rows, Carry]:
    """The rows of one block read on from `carry` (what the previous block left open), and what
    this one leaves open for the next. `read` is the input's `block_reader`."""
    text = carry.text + block.text
    start = carry.line if carry.text else block.first_line
    bad = (*carry.bad, *block.bad)
    # a record may stay open across blocks, but not without end: past CARRY_TEXT it is read
    # as it stands (an unclosed quote then costs its own line, as at the end of the input)
    rows, tail = read(text, start, final or len(text) > CARRY_TEXT)
    carry_line = start + text.count("\n", 0, len(text) - len(tail))
    left = Carry(tail, carry_line, tuple(b for b in bad if b[0] >= carry_line))
    bad = tuple(b for b in bad if b[0] < carry_line) if tail else bad
    if bad:
        errors = [InputRow(name, line, None, None, None, None, None, message) for line, message in bad]
        rows = Rows.of(sorted([*rows.records(), *errors], key=lambda row: row.line))
    return rows, left


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

    def header_state(self) -> tuple[list[str] | None, str | None, str]:
        """What the header decided (columns, why it cannot be used, delimiter): a reader given it
        with `resume` reads any later block of the input as this one would."""
        return self.header, self.unusable, self.delimiter

    @classmethod
    def resume(cls, name: str, state: tuple[list[str] | None, str | None, str]) -> CsvBlocks:
        reader = cls(name)
        reader.header, reader.unusable, reader.delimiter = state
        return reader

    def read_header(self, text: str) -> None:
        """Decide the header from the first line of the input's first block, as the first call
        does (its error row, if any, is that call's)."""
        self._read_header(text.partition("\n")[0])

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
        width = len(header)
        if not all(c in header for c in CSV_COLUMNS):
            return None
        columns: list[Any] | None = _split_columns(text, self.delimiter, width)
        if columns is not None:
            lines = list(range(first_line, first_line + len(columns[0])))
        else:
            try:
                # strict, as the careful path reads: the fast path only ever skips its bookkeeping
                records = list(csv.reader(io.StringIO(text), delimiter=self.delimiter, strict=True))
            except csv.Error:  # a stray quote, a field over the size limit: the careful path says where
                return None
            if text.count("\n") + (not text.endswith("\n")) != len(records):
                return None
            if [] in records:  # blank lines: no row, but the line numbers go on
                lines = [number for number, record in enumerate(records, first_line) if record]
                records = [record for record in records if record]
            else:
                lines = list(range(first_line, first_line + len(records)))
            if not records:
                return Rows()
            if set(map(len, records)) != {width}:
                return None
            columns = list(zip(*records, strict=True))
        shared: dict[str, str] = {}
        intern = shared.setdefault
        stripped = {label: list(map(str.strip, columns[header.index(label)])) for label in CSV_COLUMNS}
        if all("" in values for values in stripped.values()) and _has_blank_record(columns, header, stripped):
            return None  # a record of empty cells is a blank line, which the careful path passes over

        def column(label: str, *, repeated: bool = False) -> list[str | None]:
            # map over C methods: a comprehension per column costs a second per million rows
            values: list[Any] = stripped[label]
            if repeated:
                values = list(map(intern, values, values))
            return [value or None for value in values] if "" in values else values

        return Rows(
            {
                "file": [self.name] * len(lines),
                "line": lines,
                "itinerary": column("itinerary"),
                "subject": column("subject", repeated=True),
                "place": column("place"),
                "date": column("date", repeated=True),
                "kind": column("kind", repeated=True),
                "error": [None] * len(lines),
            }
        )


def _has_blank_record(columns: list[Any], header: list[str], stripped: dict[str, list[str]]) -> bool:
    """Whether a record has nothing but empty cells (`,,,,`, as spreadsheets write an empty row):
    asked only when every used column has an empty cell somewhere."""
    cells = [
        stripped[label] if label in stripped else list(map(str.strip, values))
        for label, values in zip(header, columns, strict=True)
    ]
    return any(not any(record) for record in zip(*cells, strict=True))


def _split_columns(text: str, delimiter: str, width: int) -> list[list[str]] | None:
    """The columns of a block as csv.reader reads them, when that is splitting every line at
    every delimiter: no quote to undo but around whole cells (`_quoted_cells`), no NUL or field
    over the size limit for it to refuse, and every line (the block ends with one) holding
    `width` fields, so none is blank. All of it C calls over the whole block: reading records and
    turning them into columns cost 0.75 s of a million rows' 5 CPU seconds. Anything else: None,
    and csv.reader reads the block."""
    if width < 2 or not text.endswith("\n") or _CELL in text or _LINE in text or "\r" in text:
        return None  # (one column: a blank line would pass for a record with one empty field)
    # no field is longer than its line (a quoted cell over several lines is refused below)
    if len(text) > csv.field_size_limit() and max(map(len, text.split("\n"))) > csv.field_size_limit():
        return None
    lines = text.count("\n")
    cells: list[str] = []
    if '"' in text:
        parts = text.split('"')
        if not len(parts) % 2:
            return None  # a quote left open
        cells = parts[1::2]
        text = _CELL.join(parts[0::2])  # each quoted cell's place marked by one NUL
    # each line's end becomes a field of its own: the lines hold `width` fields each exactly when
    # those fields fall every width + 1 fields (a quoted cell over several lines takes line ends
    # out of the text, and fails this: a record is a line)
    fields = text[:-1].replace("\n", f"{delimiter}{_LINE}{delimiter}").split(delimiter)
    if len(fields) != lines * (width + 1) - 1 or fields[width :: width + 1].count(_LINE) != lines - 1:
        return None
    columns = [fields[column :: width + 1] for column in range(width)]
    return _quoted_cells(columns, cells) if cells else columns


# a quoted cell's place and a line's end while a block is split (a block with either is not split)
_CELL, _LINE = "\x00", "\x01"


def _quoted_cells(columns: list[list[str]], cells: list[str]) -> list[list[str]] | None:
    """The columns with each quoted cell's text in its place, when every quote opened or closed
    a whole cell, as a spreadsheet writes a coordinate ("48.85,2.35"): its marker is then a whole
    field, and the cell is exactly its inner text to csv.reader. Otherwise (a doubled quote, a
    quote inside a field, text after a closing quote): None. The common case, every row quoting
    the same column, takes no per-row Python."""
    first = [values[0] for values in columns]
    if _CELL in first and columns[first.index(_CELL)].count(_CELL) == len(cells):
        counts = [0] * len(columns)  # every quoted cell in the first row's quoted column
        counts[first.index(_CELL)] = len(cells)
    else:
        counts = [values.count(_CELL) for values in columns]
        if sum(counts) != len(cells):  # a marker that is not a whole field: next to other text
            return None
    following = iter(cells).__next__
    if counts.count(0) < len(counts) - 1:  # several quoted columns: the cells in the order of the rows
        width = len(columns)
        rows = [value for row in zip(*columns, strict=True) for value in row]
        rows = [following() if value == _CELL else value for value in rows]
        return [rows[column::width] for column in range(width)]
    column = next(column for column, count in enumerate(counts) if count)
    if counts[column] == len(columns[column]):
        columns[column] = cells
    else:
        columns[column] = [following() if value == _CELL else value for value in columns[column]]
    return columns


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
    if len(record) > len(header) and any(field.strip() for field in record[len(header) :]):
        # a value past the header's columns: an unquoted comma has shifted the record's cells
        yield InputRow(name, line, None, None, None, None, None, "more fields than the header")
        return
    # empty fields past the header's (a spreadsheet's trailing delimiter) hold nothing: ignored
    values = [record[position[c]] if c in position and position[c] < len(record) else None for c in CSV_COLUMNS]
    yield InputRow(name, line, *(_blank(v) for v in values))


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


CARRY_TEXT = 256 << 20  # characters: how long a CSV record may stay open across blocks


NOT_READ = "not read: "  # rows behind a bad header: in the output, counted once on stderr


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
)
