"""Screening position datasets for the aircraft on a watchlist (the local engine).

Positions are OpenSky `state_vectors_data4` columns (`time, icao24, lat, lon, onground,
baroaltitude, callsign`), in Parquet files or directories, or CSV, read with pyarrow:
only the watched aircraft's rows are kept (the filter is pushed into the scan, batch by batch, so
memory follows the watched positions, not the dataset). Each watched aircraft's positions become
one track, analysed as `track` does.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from icc_travel.data.models import Dataset
from icc_travel.errors import InputError
from icc_travel.geo.tracks import FixArrays, FixView, Track

if TYPE_CHECKING:
    from icc_travel.engine.track import Located

COLUMNS = ("time", "icao24", "lat", "lon", "onground", "baroaltitude", "callsign", "lastposupdate")


class Watched(NamedTuple):
    hex: str
    registration: str | None
    subject: str
    source: str | None


class Screened(NamedTuple):
    rows_read: int
    positions_kept: int
    tracks: list[tuple[Watched, Track]]
    refused: dict[str, int]  # why -> how many of the watched aircraft's positions were left out


def read_watchlist(path: Path, dataset: Dataset) -> list[Watched]:
    """CSV `hex,registration,subject,source`; each subject must be in the data."""
    from icc_travel.data.inputs import read_text

    text = read_text(path, 5_000_000)
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in reader.fieldnames or []]
    except csv.Error as error:
        raise InputError(f"{path}:1: unreadable CSV: {error}") from None
    if "hex" not in header or "subject" not in header:
        raise InputError(f"{path}:1: a watchlist needs the columns hex and subject (hex,registration,subject,source)")
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        raise InputError(f"{path}:1: the header repeats {', '.join(repeated)}")
    reader.fieldnames = header
    subjects = {s.id for s in dataset.subjects}
    watched: list[Watched] = []
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as error:
            raise InputError(f"{path}:{reader.line_num + 1}: unreadable CSV: {error}") from None
        where = f"{path}:{reader.line_num}"
        code = (record.get("hex") or "").strip().lower()
        if len(code) != 6 or any(c not in "0123456789abcdef" for c in code):
            raise InputError(f"{where}: hex must be a 6-digit ICAO address, got {code!r}")
        subject = (record.get("subject") or "").strip()
        if subject not in subjects:
            raise InputError(f"{where}: unknown subject {subject!r}")
        registration = (record.get("registration") or "").strip() or None
        entry = Watched(code, registration, subject, (record.get("source") or "").strip() or None)
        if any((w.hex, w.subject) == (code, subject) for w in watched):
            continue  # the same aircraft for the same subject twice: one track
        watched.append(entry)
    if not watched:
        raise InputError(f"{path}: the watchlist is empty")
    return watched


def default_watchlist(dataset: Dataset) -> list[Watched]:
    """The data's own aircraft that have a sourced ICAO address."""
    return [Watched(a.hex, a.registration, a.subject, a.sources[0].url) for a in dataset.aircraft if a.hex]


def requires(module: str, extra: str) -> None:
    """One line naming the extra to install, not a traceback, when an optional package is absent."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise InputError(f"screening needs the {module} package: pip install 'icc-travel[{extra}]'") from None


def scan(
    paths: Iterable[Path],
    watched: list[Watched],
    columns: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    prepare: Callable[[], None] | None = None,
) -> Screened:
    """Read every position file, keep the watched aircraft's rows, one track per aircraft.
    The dataset is read in the parts the Dask engine would hand its workers, SCAN_THREADS at a
    time (pyarrow decodes without the interpreter's lock), kept in order, and `progress(parts
    done, parts)` is called after each. `prepare` (loading the territory index) runs beside the
    scan when the dataset is large enough that the tracks will need it: the cores the reading
    leaves idle load it, not the time after."""
    from concurrent.futures import ThreadPoolExecutor

    requires("pyarrow", "parquet")
    wanted = watched_by_hex(watched)
    hexes = sorted(wanted)
    rows_read, kept = 0, []
    parts = [part for path in paths for part in _parts(path)]
    with ThreadPoolExecutor(max_workers=1) as beside, ThreadPoolExecutor(max_workers=SCAN_THREADS) as pool:
        ready = beside.submit(prepare) if prepare is not None and _rows_at_least(parts, PREPARE_ROWS) else None
        filtered = _in_order(pool, parts, hexes, columns or {})
        try:
            for number, (rows, batches) in enumerate(filtered, 1):
                rows_read += rows
                kept += batches
                if progress is not None:
                    progress(number, len(parts))
        except BaseException:
            filtered.close()  # the parts not started are cancelled, not read before the pool closes
            if ready is not None:
                ready.exception()  # waited for, but the scan's own error is the one to tell
            raise
        if ready is not None:
            ready.result()
    if rows_read == 0:
        raise InputError(f"{', '.join(str(p) for p in paths)}: no positions (0 rows): nothing to screen")
    tracks, refused = _tracks(kept, wanted)
    return Screened(rows_read, _positions(tracks), tracks, refused)


SCAN_THREADS = 2  # parts filtered at once: each is mostly pyarrow's decoding, which frees the lock
PREPARE_ROWS = 1_000_000  # rows in a dataset past which the index is loaded during the scan


def _in_order(
    pool: Any, parts: list[Part], hexes: list[str], rename: dict[str, str]
) -> Generator[tuple[int, Any], None, None]:
    """Each part's `filter_part`, in the dataset's order. Every part is queued at once, so each of
    the pool's SCAN_THREADS threads starts the next part as soon as it is free, not when the
    oldest part running is done (waiting for that left a thread idle some 0.02 s a part); only
    the parts running hold reading buffers, a finished one only its few kept rows. Parts not
    started are cancelled when the scan stops early (an error, an interrupt)."""
    futures = [pool.submit(filter_part, part, hexes, rename) for part in parts]
    try:
        for future in futures:
            yield future.result()
    finally:
        for future in futures:
            future.cancel()


def _rows_at_least(parts: list[Part], rows: int) -> bool:
    """Whether the parts hold at least `rows` rows: a Parquet part's from its footer (read when
    the parts were made), a CSV file's guessed from its size (a state vector takes some 60 bytes)."""
    total = 0
    for part in parts:
        if part.format == "parquet":
            total += part.rows
        else:
            with contextlib.suppress(OSError):
                total += Path(part.path).stat().st_size // 60
        if total >= rows:
            return True
    return False


def _positions(tracks: list[tuple[Watched, Track]]) -> int:
    """Positions kept, each once (an aircraft tied to two subjects has two tracks of the same fixes)."""
    return sum(len(track.fixes) for track in {track.hex: track for _, track in tracks}.values())


def watched_by_hex(watched: list[Watched]) -> dict[str, list[Watched]]:
    """One aircraft may be tied to more than one subject: each gets its own track."""
    wanted: dict[str, list[Watched]] = {}
    for entry in watched:
        wanted.setdefault(entry.hex, []).append(entry)
    return wanted


class Part(NamedTuple):
    """A piece of a position dataset one task reads: a file or directory, or some row groups of
    one Parquet file (what the Dask engine hands each worker)."""

    path: str  # absolute: a worker on a cluster does not share the client's working directory
    format: str  # parquet or csv
    row_groups: tuple[int, ...] | None
    label: str  # the file as the user named it, for messages
    files: tuple[str, ...] = ()  # a directory's files, listed once (links followed, loops not)
    rows: int = 0  # a Parquet part's rows, from the file's footer


def _format(path: Path) -> str:
    return "csv" if path.suffix.lower() in (".csv", ".gz") and not path.is_dir() else "parquet"


def filter_part(part: Part, hexes: list[str], rename: dict[str, str]) -> tuple[int, list[Any]]:
    """Rows read and the watched aircraft's rows (pyarrow batches, our column names) of one part.

    Batch by batch, the watched rows are picked by their address (see `_Matcher`) and only
    they are kept, so only the watched rows reach Python and memory follows them, not the
    dataset. Parquet is read with pyarrow.parquet's own reader, a part's row groups at a time,
    the address column first and the others only where it found a watched aircraft (see
    `_parquet_rows`); CSV with pyarrow.csv's streaming reader, only the columns used. Both
    engines use this one function."""
    import pyarrow as pa

    theirs_of = {ours: theirs for theirs, ours in rename.items()}  # --columns gives theirs -> ours
    names = {theirs_of.get(c, c): c for c in COLUMNS}  # theirs -> ours
    hex_column = next(theirs for theirs, ours in names.items() if ours == "icao24")
    callsign_column = next(theirs for theirs, ours in names.items() if ours == "callsign")
    with contextlib.ExitStack() as stack:
        if part.format == "parquet":
            source = stack.enter_context(_open_parquet(part, (hex_column, callsign_column)))
            schema = source.schema_arrow
        else:
            source = _open_part(part, hex_column)
            schema = source.schema
        schema_names = schema.names
        repeated = sorted({name for name in schema_names if schema_names.count(name) > 1})
        if repeated:
            raise InputError(f"{part.label}: the positions repeat the column {', '.join(repeated)}: which one to read?")
        missing = [theirs for theirs, ours in names.items() if ours in ("time", "icao24", "lat", "lon")]
        missing = [theirs for theirs in missing if theirs not in schema_names]
        if missing:
            raise InputError(f"{part.label}: the positions lack {', '.join(missing)} (map other names with --columns)")
        unknown = sorted(theirs for theirs in rename if theirs not in schema_names)
        if unknown:
            raise InputError(f"{part.label}: --columns names {', '.join(unknown)}, which the positions do not have")
        _check_types(part, schema, names)
        present = [theirs for theirs in names if theirs in schema_names]
        matcher = _Matcher(arrow_strings(hexes))
        try:
            if part.format == "parquet":
                rows, kept = _parquet_rows(source, list(part.row_groups or ()), present, hex_column, matcher)
            else:
                rows, kept = _csv_rows(part, hex_column, present, matcher)
        except (OSError, pa.ArrowInvalid) as error:
            raise InputError(f"{part.label}: cannot read positions: {error}") from None
    return rows, [pa.RecordBatch.from_arrays(columns, names=[names[n] for n in present]) for columns in kept]


# Rows decoded at once: a million-row row group's columns are some 40 MB decoded, and each batch
# costs its own pass of the reader's threads and its own take: at 2^18 rows, filtering took 15%
# more CPU than at 2^20 on the bench's dataset.
BATCH_ROWS = 1 << 20


class _Matcher:
    """Which rows of an address column are a watched aircraft's, as row numbers, and which
    aircraft each is, as its index in the sorted watched addresses (`value_set`): the kept rows
    carry that code, so the tracks are grouped by integers and no address is decoded, lowered or
    encoded again per row. The batches of one Parquet row group carry the same dictionary: it is
    judged once, not per batch."""

    def __init__(self, value_set: Any) -> None:
        self.value_set = value_set
        self.dictionary: Any = None
        self.distinct: Any = None  # per dictionary entry, its watched aircraft's code, or -1
        self.watched: Any = None  # per dictionary entry, whether it is watched

    def rows(self, column: Any) -> tuple[Any, Any]:
        import numpy as np
        import pyarrow as pa

        if pa.types.is_dictionary(column.type):
            if self.dictionary is None or not self.dictionary.equals(column.dictionary):
                self.dictionary = column.dictionary
                lowered = compute("utf8_lower", cast(column.dictionary, pa.string()))
                self.distinct = numpy_of(self._index_in(lowered), -1)
                self.watched = self.distinct >= 0
            # one pass over the rows (a small table looked up by each row's index), then the few
            # watched rows' codes; a null address has no index to read: its row is never watched
            indices = numpy_of(column.indices, 0)
            hits = np.flatnonzero(self.watched[indices])
            if column.null_count:
                hits = hits[valid_numpy(column)[hits]]
            return hits, self.distinct[indices[hits]]
        codes = numpy_of(self._index_in(compute("utf8_lower", cast(column, pa.string()))), -1)
        hits = np.flatnonzero(codes >= 0)
        return hits, codes[hits]

    def _index_in(self, lowered: Any) -> Any:
        """Each address's index in the watched addresses, or null (as pyarrow.compute.index_in)."""
        return compute("index_in", lowered, options=_arrow_compute().SetLookupOptions(self.value_set, skip_nulls=False))

    def addresses(self, codes: list[Any]) -> Any:
        """The kept rows' address column: their codes, dictionary-encoded over the watched
        addresses (lower case, sorted), as every part of either engine gives it."""
        import numpy as np
        import pyarrow as pa

        values = np.ascontiguousarray(np.concatenate(codes) if codes else np.zeros(0), dtype=np.int32)
        indices = pa.Array.from_buffers(pa.int32(), len(values), [None, pa.py_buffer(values)])
        return pa.DictionaryArray.from_arrays(indices, self.value_set)


def _parquet_rows(source: Any, groups: list[int], present: list[str], hex_column: str, matcher: _Matcher) -> Any:
    """Rows read and the watched rows' columns (in `present` order, decoded) of some row groups.

    Row group by row group, the address column alone is read first (dictionary indexes: a few
    bytes a row), and only when it holds a watched aircraft are the other columns read, each
    batch cut to the watched rows before anything is decoded from the dictionary: no column but
    the address is read for a row group without a watched aircraft, and only the watched rows of
    the others are kept."""
    import numpy as np
    import pyarrow as pa

    others = [name for name in present if name != hex_column]
    rows, kept = 0, []
    for group in groups:
        rows += source.metadata.row_group(group).num_rows
        found, codes, offset = [], [], 0
        for batch in source.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=[hex_column]):
            hits, hit_codes = matcher.rows(batch.column(0))
            if len(hits):
                found.append(hits + offset)
                codes.append(hit_codes)
            offset += batch.num_rows
        if not found:
            continue
        wanted = np.concatenate(found)
        pieces: dict[str, list[Any]] = {name: [] for name in others}
        offset = 0
        batches = source.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=others, use_threads=True)
        for batch in batches:
            first, last = np.searchsorted(wanted, [offset, offset + batch.num_rows]).tolist()
            if last > first:
                taken = take(batch, arrow_int64(wanted[first:last] - offset))
                for name, column in zip(taken.schema.names, taken.columns, strict=True):
                    pieces[name].append(_decoded(column))
            offset += batch.num_rows
        columns = {hex_column: matcher.addresses(codes)}
        columns.update({name: pa.concat_arrays(values) for name, values in pieces.items()})
        kept.append([columns[name] for name in present])
    return rows, kept


def _csv_rows(part: Part, hex_column: str, present: list[str], matcher: _Matcher) -> Any:
    """Rows read and the watched rows' columns (in `present` order) of a CSV file, read with
    pyarrow.csv's streaming reader, only the columns used converted."""
    reader = _csv_reader(part, hex_column, present)
    rows, kept = 0, []
    try:
        for batch in reader:
            rows += batch.num_rows
            hits, codes = matcher.rows(batch.column(batch.schema.get_field_index(hex_column)))
            if len(hits):
                taken = take(batch, arrow_int64(hits))
                kept.append(
                    [
                        matcher.addresses([codes])
                        if name == hex_column
                        else _decoded(taken.column(taken.schema.get_field_index(name)))
                        for name in present
                    ]
                )
    finally:
        reader.close()
    return rows, kept


def numpy_of(column: Any, fill: Any) -> Any:
    """A numeric or boolean Arrow column as a numpy array, nulls as `fill`, read from its buffers:
    `to_numpy(zero_copy_only=False)` and `fill_null` with a Python value both go through pyarrow's
    pandas shim, which imports pandas (about a second) on first use."""
    import numpy as np
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    count, offset = len(column), column.offset
    kind = column.type
    data = column.buffers()[1]
    if pa.types.is_boolean(kind):
        bits = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
        values = np.unpackbits(bits, bitorder="little")[offset : offset + count].astype(bool)
    elif pa.types.is_null(kind):
        return np.full(count, fill)
    else:
        dtype = np.dtype(
            f"{'f' if pa.types.is_floating(kind) else 'u' if pa.types.is_unsigned_integer(kind) else 'i'}{kind.bit_width // 8}"
        )
        values = (
            np.frombuffer(data, dtype=dtype, count=count, offset=offset * dtype.itemsize)
            if count
            else np.zeros(0, dtype)
        )
    if column.null_count:
        values = np.where(valid_numpy(column), values, fill)
    return values


def valid_numpy(column: Any) -> Any:
    """Which values of an Arrow column are not null, as a numpy bool array."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_null(column.type):
        return np.zeros(len(column), dtype=bool)
    if not column.null_count:  # the usual case: no chunks joined to learn it
        return np.ones(len(column), dtype=bool)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    count, offset = len(column), column.offset
    validity = column.buffers()[0]
    if validity is None or not column.null_count:
        return np.ones(count, dtype=bool)
    bits = np.frombuffer(validity, dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little")[offset : offset + count].astype(bool)


def arrow_strings(values: list[str]) -> Any:
    """A pyarrow string array built from its buffers: `pa.array` looks for pandas objects in
    what it is given, and so imports pandas (about a second here) on its first call."""
    import numpy as np
    import pyarrow as pa

    encoded = [value.encode() for value in values]
    offsets = np.concatenate([[0], np.cumsum([len(value) for value in encoded])]).astype(np.int32)
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)))


def arrow_int64(values: Any) -> Any:
    """A pyarrow int64 array over a numpy array's memory (without `pa.array`: see arrow_strings)."""
    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def compute(name: str, *arguments: Any, options: Any = None) -> Any:
    """An Arrow compute function called by its name, without importing pyarrow.compute: that
    module builds a Python wrapper with a parsed docstring for each of its hundreds of functions
    when imported (about 36 ms of CPU, taken in a scan thread while the other waits for the
    import). The functions are the same, called through the `call_function` it re-exports;
    pyarrow's own `Array.cast` and `take` methods import it, hence `cast` and `take` here."""
    return _arrow_compute().call_function(name, list(arguments), options)


def _arrow_compute() -> Any:
    """pyarrow's compiled compute module (`pyarrow._compute`, what `pyarrow.compute` re-exports),
    or `pyarrow.compute` itself should a pyarrow release move or rename the private module: the
    same functions either way, only the import's cost differs."""
    try:
        import pyarrow._compute as arrow_compute
    except ImportError:  # pragma: no cover - a pyarrow without the private module
        import pyarrow.compute as arrow_compute
    return arrow_compute


def cast(column: Any, kind: Any) -> Any:
    """`column.cast(kind)`, with the same checks (a value that does not fit is an error)."""
    return compute("cast", column, options=_arrow_compute().CastOptions.safe(kind))


def take(data: Any, indices: Any) -> Any:
    """`data.take(indices)` (an array, a batch or a table), indices checked as pyarrow checks them."""
    return compute("take", data, indices, options=_arrow_compute().TakeOptions(boundscheck=True))


def _decoded(column: Any) -> Any:
    """A dictionary-encoded column of the kept rows as plain values, so every part's rows, from
    either engine, concatenate and compare alike. (`dictionary_decode` is this `take`, through
    pyarrow.compute.)"""
    import pyarrow as pa

    return take(column.dictionary, column.indices) if pa.types.is_dictionary(column.type) else column


def _open_parquet(part: Part, text_columns: tuple[str, ...]) -> Any:
    """One Parquet file of the positions. Its text columns (`text_columns`: the address and the
    callsign) are read dictionary-encoded, as the file stores them: a few thousand distinct
    values, not one string per row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        plain = pq.ParquetFile(part.path, memory_map=True)
        present = [name for name in text_columns if name in plain.schema_arrow.names]
        if not present:
            return plain
        plain.close()
        return pq.ParquetFile(part.path, metadata=plain.metadata, read_dictionary=present, memory_map=True)
    except (OSError, pa.ArrowInvalid, ValueError) as error:
        raise InputError(f"{part.label}: cannot read positions: {_reason(error)}") from None


def _open_part(part: Part, hex_column: str) -> Any:
    """A CSV part's columns and their types (pyarrow.csv infers them from the first block). Its
    ICAO address column is read as text: inferred as integers, `040123` would lose its leading
    zero and never match. pyarrow.csv is used directly: pyarrow.dataset imports pandas."""
    _check_csv_header(part)
    reader = _csv_reader(part, hex_column, None)
    reader.close()
    return reader


def _csv_reader(part: Part, hex_column: str, columns: list[str] | None) -> Any:
    """pyarrow.csv's streaming reader of a CSV part (gzip by its name), converting only `columns`
    (all when None)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    options = pacsv.ConvertOptions(column_types={hex_column: pa.string()}, include_columns=columns or [])
    try:
        return pacsv.open_csv(part.path, convert_options=options)
    except (OSError, pa.ArrowInvalid, ValueError) as error:
        raise InputError(f"{part.label}: cannot read positions: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    """pyarrow's message on one line, from its last cause on ("Invalid: ..."): what went wrong,
    without the layers that wrapped it."""
    text = " ".join(str(error).split())
    for marker in ("Invalid: ", "IOError: ", "NotImplemented: "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
            break
    return text or type(error).__name__


def _check_csv_header(part: Part) -> None:
    """A CSV header read before pyarrow's: a repeated column named plainly, a UTF-16 file named
    as such."""
    from icc_travel.data.inputs import not_text, open_input

    with open_input(Path(part.path), part.label) as handle:
        head = handle.read(1 << 16)
    if head.startswith(b"\x1f\x8b"):
        return  # gzipped: pyarrow reads it, and says what is wrong with it
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{part.label}: {not_text(head)}")
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    try:
        names = [name.strip() for name in next(csv.reader([first]), [])]
    except csv.Error:
        return
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise InputError(f"{part.label}:1: the positions repeat the column {', '.join(repeated)}: which one to read?")


NUMERIC = ("lat", "lon", "baroaltitude")


def _check_types(part: Part, schema: Any, names: dict[str, str]) -> None:
    """Columns of a type that would be misread are refused: true/false as a latitude (1.0), an
    ICAO address stored as an integer (its hex digits are gone)."""
    import pyarrow.types as t

    for theirs, ours in names.items():
        if theirs not in schema.names:
            continue
        kind = schema.field(theirs).type
        if ours in NUMERIC and not (t.is_floating(kind) or t.is_integer(kind) or t.is_decimal(kind) or t.is_null(kind)):
            raise InputError(f"{part.label}: column {theirs} ({ours}) is {kind}, not a number")
        if ours == "time" and not (
            t.is_integer(kind) or t.is_floating(kind) or t.is_timestamp(kind) or t.is_string(kind) or t.is_null(kind)
        ):
            raise InputError(f"{part.label}: column {theirs} (time) is {kind}, not seconds since 1970 or a timestamp")
        if ours == "icao24" and not (t.is_string(kind) or t.is_large_string(kind) or t.is_dictionary(kind)):
            raise InputError(
                f"{part.label}: column {theirs} (icao24) is {kind}: ICAO addresses are hex text such as 3c6444"
            )


class JudgedRows(NamedTuple):
    """The watched rows of a position table, judged column by column (no Python loop per row)."""

    kept: Any  # bool per row: a fix of its aircraft's track
    lats: Any
    lons: Any
    feet: Any  # NaN where unknown
    ground: Any
    codes: Any  # per row, an index into `names` (integer codes sort and compare fast)
    names: list[str]  # the ICAO addresses, lower case
    callsigns: Any  # a pyarrow array (read per aircraft, never per row)
    refused: dict[str, int]
    order: Any  # the kept rows in track order: by aircraft (code), then time, then table order
    ordered_codes: Any  # the aircraft code of each row of `order`
    seconds: Any  # the position time of each row of `order` (lastposupdate where given, else time), as a Fix holds it
    ground_unknown: Any = None  # bool per row: no on-ground flag (no `onground` column, or null); None: none such


LATEST_SECONDS = 4102444800.0  # 2100-01-01: as geo.tracks.utc_from_epoch


def _numbers(table: Any, name: str) -> tuple[Any, Any]:
    """A column as float64 seconds or values (NaN for a null) and its null mask; a timestamp
    column in Unix seconds (a naive one is UTC, as OpenSky writes them); a text column of times
    parsed as `track` parses them (an unreadable one is +inf: outside every valid range)."""
    import numpy as np
    import pyarrow as pa

    count = table.num_rows
    if name not in table.column_names:
        return np.full(count, np.nan), np.ones(count, dtype=bool)
    column = table.column(name)
    nulls = ~valid_numpy(column)
    kind = column.type
    if pa.types.is_timestamp(kind):
        micros = cast(cast(column, pa.timestamp("us", tz=kind.tz)), pa.int64())
        values = numpy_of(micros, 0) / 1e6
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        from icc_travel.geo.tracks import parse_time

        values = np.full(count, np.inf)
        for index, text in enumerate(column.to_pylist()):
            if text is not None:
                with contextlib.suppress(InputError):  # unreadable: +inf, outside every valid range
                    values[index] = parse_time(text, "").timestamp()
    else:
        values = numpy_of(column if pa.types.is_float64(kind) else cast(column, pa.float64()), 0.0)
    return (np.where(nulls, np.nan, values) if column.null_count else values), nulls


def judged_rows(table: Any) -> JudgedRows:
    """Which rows become fixes, by the rules `track` applies to a file (geo.tracks), on whole
    columns: a row without a position or time is no fix; a position off the globe, a time outside
    1970-2100 and a non-finite altitude are refused and counted; a position repeated by a later
    state vector (the same `lastposupdate`) is one fix, the first."""
    import numpy as np
    import pyarrow as pa

    count = table.num_rows
    lats, lat_null = _numbers(table, "lat")
    lons, lon_null = _numbers(table, "lon")
    times, time_null = _numbers(table, "time")
    altitudes, altitude_null = _numbers(table, "baroaltitude")
    updates, update_null = _numbers(table, "lastposupdate")
    with np.errstate(invalid="ignore"):
        present = ~(lat_null | lon_null | time_null)
        on_globe = (lats >= -90) & (lats <= 90) & (lons >= -180) & (lons <= 180)  # NaN fails
        time_ok = np.isfinite(times) & (times >= 0) & (times < LATEST_SECONDS)
        altitude_bad = ~altitude_null & ~np.isfinite(altitudes)
        update_ok = ~update_null & np.isfinite(updates) & (updates >= 0) & (updates <= times)
    off = present & ~on_globe
    bad_time = present & on_globe & ~time_ok
    bad_altitude = present & on_globe & time_ok & altitude_bad
    kept = present & on_globe & time_ok & ~altitude_bad
    when = np.where(update_ok, updates, times)
    codes, names = _aircraft_codes(table.column("icao24"))
    # the kept rows in track order; each column is gathered in that order once (the order jumps
    # between aircraft that the table interleaves: every gather misses the cache), then compared
    # and rounded in order
    rows = np.flatnonzero(kept)
    order = rows[_by_aircraft_and_time(codes[rows], when[rows])]
    ordered_codes, ordered_when = codes[order], when[order]
    # the same (aircraft, position time) again, from lastposupdate: not a new fix
    repeat = np.zeros(len(order), dtype=bool)
    repeat[1:] = (ordered_codes[1:] == ordered_codes[:-1]) & (ordered_when[1:] == ordered_when[:-1])
    repeat &= update_ok[order]
    if repeat.any():
        kept[order[repeat]] = False
        order, ordered_codes, ordered_when = order[~repeat], ordered_codes[~repeat], ordered_when[~repeat]
    ground_unknown = None  # every row's on-ground flag is given
    if "onground" in table.column_names:
        column = table.column("onground")
        if column.null_count:
            ground_unknown = ~valid_numpy(column)
        if pa.types.is_boolean(column.type):
            ground = numpy_of(column, False)
        else:
            import pyarrow.compute as pc  # a text column of true/false: rare (pyarrow reads them as booleans)

            words = pc.utf8_lower(pc.utf8_trim_whitespace(column.cast(pa.string())))
            ground = pc.fill_null(pc.is_in(words, value_set=arrow_strings(["true", "1"])), False).to_numpy(
                zero_copy_only=False
            )
    else:
        ground = np.zeros(count, dtype=bool)
        ground_unknown = np.ones(count, dtype=bool)
    callsigns = table.column("callsign").combine_chunks() if "callsign" in table.column_names else pa.nulls(count)
    refused = {
        reason: int(number)
        for reason, number in (
            ("position off the globe", off.sum()),
            ("time outside 1970-2100", bad_time.sum()),
            ("altitude not a finite number", bad_altitude.sum()),
        )
        if number
    }
    from icc_travel.geo.tracks import microsecond_seconds

    seconds = microsecond_seconds(ordered_when)  # the times a Fix would hold
    # tracks are ordered by those times: the same order, unless two positions of one aircraft
    # differ by less than a microsecond (then equal once rounded, they go in table order)
    same = (ordered_codes[1:] == ordered_codes[:-1]) & (seconds[1:] == seconds[:-1])
    if np.any(same & (ordered_when[1:] != ordered_when[:-1])):
        resort = np.lexsort((order, seconds, ordered_codes))
        order, ordered_codes, seconds = order[resort], ordered_codes[resort], seconds[resort]
    feet = altitudes * 3.28084
    return JudgedRows(
        kept, lats, lons, feet, ground, codes, names, callsigns, refused, order, ordered_codes, seconds, ground_unknown
    )


def _aircraft_codes(column: Any) -> tuple[Any, list[str]]:
    """Per row, an index into the returned addresses (lower case, sorted, so tracks come out by
    hex). The filter gives the column dictionary-encoded over the watched addresses (see
    `_Matcher.addresses`): each chunk's few hundred entries are read, never a row's text; a plain
    text column (a table from elsewhere) is encoded first."""
    import numpy as np
    import pyarrow as pa

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    encoded = []
    for chunk in chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = compute("dictionary_encode", cast(chunk, pa.string()))
        lowered = compute("utf8_lower", cast(chunk.dictionary, pa.string())).to_pylist()
        encoded.append(([str(name) for name in lowered], numpy_of(chunk.indices, 0)))
    names = sorted({name for dictionary, _ in encoded for name in dictionary})
    rank = {name: number for number, name in enumerate(names)}
    codes = [np.array([rank[name] for name in dictionary], dtype=np.int64)[indices] for dictionary, indices in encoded]
    return (np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)), names


def _by_aircraft_and_time(codes: Any, when: Any) -> Any:
    """The indexes that order rows by aircraft code, then time, then their own order. Two stable
    sorts: the times (they mostly arrive in order, which timsort runs through), then the codes
    (a radix sort when they fit 16 bits); a three-key lexsort took twice as long."""
    import numpy as np

    by_time = np.argsort(when, kind="stable")
    narrow = codes.astype(np.int16) if len(codes) and codes.max() < (1 << 15) else codes
    return by_time[np.argsort(narrow[by_time], kind="stable")]


def _tracks(batches: list[Any], wanted: dict[str, list[Watched]]) -> tuple[list[tuple[Watched, Track]], dict[str, int]]:
    """The kept rows as one time-ordered track per watched aircraft and subject, and the count of
    positions refused by reason (off the globe, a time outside 1970-2100, a non-finite altitude):
    they are never flown, and the summary says how many were left out."""
    import pyarrow as pa

    if not batches:
        return [], {}
    first = batches[0].schema
    if all(batch.schema.equals(first) for batch in batches):
        table = pa.Table.from_batches(batches)
    else:  # files with and without the optional columns: those a file lacks are null, as on Dask
        table = pa.concat_tables([pa.Table.from_batches([b]) for b in batches], promote_options="permissive")
    rows = judged_rows(table)
    return _tracks_of(rows, wanted), rows.refused


def _tracks_of(rows: JudgedRows, wanted: dict[str, list[Watched]]) -> list[tuple[Watched, Track]]:
    """Each aircraft's kept rows as a track of columns, in position-time order (a stable sort:
    rows at the same time keep the table's order, as the Dask engine's feature indexes do),
    aircraft by hex. The rows are ordered once and each aircraft's track is a slice of the
    ordered columns: no Python object per position."""
    import numpy as np

    order, codes, starts, ends = _track_order(rows)
    if not len(order):
        return []
    columns = FixArrays(
        rows.seconds,
        rows.lats[order],
        rows.lons[order],
        rows.feet[order],
        rows.ground[order],
        np.full(len(order), None, dtype=object),
        None,
    )
    callsigns = _first_callsigns(rows.callsigns, order, starts, ends)
    # an aircraft none of whose rows says whether it was on the ground is judged as a GPX track
    # is: standing or taxiing on an airfield is on the ground (`airfields.stood_on_airfields`)
    unflagged = (
        np.logical_and.reduceat(rows.ground_unknown[order], starts).tolist()
        if rows.ground_unknown is not None
        else [False] * len(starts)
    )
    tracks = []
    for start, end, callsign, infer in zip(starts.tolist(), ends.tolist(), callsigns, unflagged, strict=True):
        name = rows.names[int(codes[start])]
        track_columns = columns.take(slice(start, end))
        if infer:
            from icc_travel.geo.airfields import stood_on_airfields

            track_columns = track_columns.reflagged(stood_on_airfields(track_columns))
        track_fixes = FixView(track_columns)
        for entry in wanted.get(name, []):
            tracks.append((entry, Track("positions", name, entry.registration, callsign, track_fixes)))
    return tracks


def _track_order(rows: JudgedRows) -> tuple[Any, Any, Any, Any]:
    """The kept rows in track order (by aircraft, then position time, then table order), their
    aircraft codes, and where each aircraft's rows start and end in that order."""
    import numpy as np

    order, codes = rows.order, rows.ordered_codes
    starts = np.concatenate([[0], np.flatnonzero(np.diff(codes)) + 1]) if len(order) else np.zeros(0, dtype=np.int64)
    ends = np.concatenate([starts[1:], [len(order)]]) if len(order) else np.zeros(0, dtype=np.int64)
    return order, codes, starts, ends


def _first_callsigns(callsigns: Any, order: Any, starts: Any, ends: Any) -> list[str | None]:
    """Per aircraft (the rows `order[start:end]`), its first callsign that is not blank, stripped.
    Arrow finds the rows with a value; Python reads only those, from each aircraft's first on,
    until one is more than whitespace (almost always the first)."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_null(callsigns.type):
        return [None] * len(starts)
    present = valid_numpy(callsigns)
    if pa.types.is_string(callsigns.type) or pa.types.is_large_string(callsigns.type):
        present &= numpy_of(compute("utf8_length", callsigns), 0) > 0
    candidates = np.flatnonzero(present[order])  # positions in the ordered rows with a value
    found: list[str | None] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        callsign = None
        first, last = np.searchsorted(candidates, [start, end]).tolist()
        for position in candidates[first:last]:  # read one by one: the first usually answers
            value = callsigns[int(order[position])].as_py()
            if value and str(value).strip():  # 0 or False is no callsign, as before
                callsign = str(value).strip()
                break
        found.append(callsign)
    return found


# --- the Dask engine ------------------------------------------------------------------------------


def scan_dask(
    paths: Iterable[Path],
    watched: list[Watched],
    columns: dict[str, str] | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    *,
    gap_minutes: float = 10.0,
    trust_positions: bool = False,
    judge: Callable[[list[tuple[Watched, Located]]], list[Any]] | None = None,
) -> tuple[Screened, list[Any]]:
    """The scan on a Dask cluster, in two stages of tasks. First each worker filters its parts of
    the dataset with the local engine's own filter (`filter_part`) and locates the kept positions
    in the territories (each worker loads the territory index once). Then each worker takes a
    share of the watched aircraft (a range of their addresses), builds their tracks from every
    part's rows and locates them as `analyse_many` does (`locate_many`: the quality judgement, the
    split at gaps, the runs over one territory, the boundary times). The client receives the
    tracks located, in hex order, with only the law left to apply (`judge_located`): after the
    reading, the work is spread over the workers, not left to the client alone. Returns the
    tracks and, for each, its `Located` (`gap_minutes` and `trust_positions` as `analyse_many`
    takes them), or what `judge` makes of the tracks of each share: it is called as each share
    arrives, while the workers locate the others."""
    requires("distributed", "dask")
    requires("pyarrow", "parquet")
    parts = [part for path in paths for part in _parts(path)]
    return _scan_dask(paths, parts, watched, columns, scheduler, progress, gap_minutes, trust_positions, judge)


def _scan_dask(
    paths: Iterable[Path],
    parts: list[Part],
    watched: list[Watched],
    columns: dict[str, str] | None,
    scheduler: str | None,
    progress: Callable[[int, int], None] | None,
    gap_minutes: float = 10.0,
    trust_positions: bool = False,
    judge: Callable[[list[tuple[Watched, Located]]], list[Any]] | None = None,
) -> tuple[Screened, list[Any]]:
    """`scan_dask` on parts already listed."""
    from distributed import Client, LocalCluster, as_completed

    hexes = sorted({w.hex for w in watched})
    wanted = watched_by_hex(watched)
    client = (
        _connect(Client, scheduler)
        if scheduler
        else Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=50))
    )
    try:
        futures = client.map(_screen_part, parts, hexes=hexes, rename=columns or {}, pure=False)
        workers = sorted(client.scheduler_info().get("workers", {})) or [None]
        # a share of the aircraft per worker, each asked of its own (another takes it should one go)
        shares = [
            client.submit(
                _locate_share,
                first,
                last,
                gap_minutes,
                trust_positions,
                *futures,
                workers=workers[number % len(workers)],
                allow_other_workers=True,
                pure=False,
            )
            for number, (first, last) in enumerate(_shares(len(hexes), SHARES_PER_WORKER * len(workers)))
        ]
        for done, future in enumerate(as_completed(futures), 1):
            if future.status == "error":
                future.result()  # the part's own error (one line naming its file), raised here
            if progress is not None:
                progress(done, len(futures))
        # each share taken as soon as it is done (a gather of all would wait for the last first),
        # and judged while the workers locate the others
        order = {future.key: number for number, future in enumerate(shares)}
        found: list[Any] = [None] * len(shares)
        for future in as_completed(shares):
            share = future.result()
            pairs = _share_tracks(share, wanted)
            judged = judge([(entry, one) for entry, _, one in pairs]) if judge is not None else None
            found[order[future.key]] = (share, pairs, judged)
    finally:
        client.close()
    rows_read = found[0][0].rows_read
    if rows_read == 0:
        raise InputError(f"{', '.join(str(p) for p in paths)}: no positions (0 rows): nothing to screen")
    refused: dict[str, int] = {}
    tracks: list[tuple[Watched, Track]] = []
    results: list[Any] = []
    for share, pairs, judged in found:
        for reason, count in share.refused.items():
            refused[reason] = refused.get(reason, 0) + count
        tracks += [(entry, track) for entry, track, _ in pairs]
        results += judged if judged is not None else [one for _, _, one in pairs]
    return Screened(rows_read, _positions(tracks), tracks, refused), results


def _share_tracks(share: _Share, wanted: dict[str, list[Watched]]) -> list[tuple[Watched, Track, Located]]:
    """A share's tracks, one per watched aircraft and subject (of the same fixes, as _tracks_of
    gives them), each with what was located."""
    pairs = []
    for code, track, one in share.tracks():
        for entry in wanted[code]:
            mine = track._replace(registration=entry.registration)
            pairs.append((entry, mine, one._replace(track=mine)))
    return pairs


class _Share(NamedTuple):
    """What a worker found of its share of the aircraft (`_locate_share`), as few large arrays:
    each track's fixes and feature indexes are a slice of columns shared by the share's tracks
    (`bounds`), and what was located about each is sent without them (see `tracks`)."""

    rows_read: int  # in the whole dataset
    refused: dict[str, int]
    codes: list[str]  # the aircraft, in hex order
    callsigns: list[str | None]
    bounds: list[int]  # track n's fixes are [bounds[n], bounds[n + 1]) of the columns
    columns: FixArrays  # `sources` left out (None): all None, made by the client
    features: Any  # per fix, its feature index
    steps_km: Any  # the tracks' km between consecutive analysed fixes, where measured, end to end
    measured: list[bool]  # per track, whether its steps are in `steps_km`
    located: list[Located]  # without the track, its analysed columns, features and steps

    def tracks(self) -> Iterator[tuple[str, Track, Located]]:
        """Each aircraft's track (for no subject yet) and what was located, whole again."""
        import numpy as np

        columns = self.columns._replace(sources=np.full(len(self.columns.seconds), None, dtype=object))
        steps = 0
        for code, callsign, first, last, measured, one in zip(
            self.codes, self.callsigns, self.bounds[:-1], self.bounds[1:], self.measured, self.located, strict=True
        ):
            track = Track("positions", code, None, callsign, FixView(columns.take(slice(first, last))))
            analysed, features = track.columns, self.features[first:last]
            if one.kept is not None:
                analysed, features = analysed.take(one.kept), features[one.kept]
            analysed = analysed.reflagged(one.reflagged)
            steps_km = None
            if measured:
                steps_km = self.steps_km[steps : steps + max(len(analysed.seconds) - 1, 0)]
                steps += len(steps_km)
            yield code, track, one._replace(track=track, columns=analysed, features=features, steps_km=steps_km)


# Shares of the aircraft per worker: while a worker locates its second share, the client
# receives its first; the last share alone is received after the workers are done.
SHARES_PER_WORKER = 2


def _shares(count: int, wanted: int) -> list[tuple[int, int]]:
    """The watched aircraft (by their index in the sorted addresses) cut into `wanted` ranges, as
    even as whole aircraft allow (fewer when there are fewer aircraft; at least one)."""
    shares = max(1, min(wanted, count))
    bounds = [count * number // shares for number in range(shares + 1)]
    return list(itertools.pairwise(bounds))


def _locate_share(
    first: int, last: int, gap_minutes: float, trust_positions: bool, *results: tuple[int, Any]
) -> _Share:
    """On a worker: each track located (`locate_many`) of the watched aircraft whose index in the
    sorted addresses is in [first, last), from every part's `_screen_part` result, with the rows
    read in all and the positions refused. An aircraft's rows are the same, in the same order, as
    in the table of all the watched rows, so its track and its refusals are the ones the local
    engine finds."""
    with _large_arrays_on_the_heap():
        return _located_share(first, last, gap_minutes, trust_positions, results)


def _located_share(
    first: int, last: int, gap_minutes: float, trust_positions: bool, results: tuple[tuple[int, Any], ...]
) -> _Share:
    """`_locate_share`'s work."""
    import numpy as np
    import pyarrow as pa

    from icc_travel.engine.track import locate_many

    rows_read = sum(rows for rows, _ in results)
    tables = [_share_rows(table, first, last) for _, table in results if table is not None and table.num_rows]
    if not sum(table.num_rows for table in tables):
        empty = FixArrays(*(np.zeros(0) for _ in range(5)), None, None)
        return _Share(rows_read, {}, [], [], [0], empty, np.zeros(0, dtype=np.int64), np.zeros(0), [], [])
    # every part's slice, empty or not: the columns are unified over the same parts as all the rows'
    table = pa.concat_tables(tables, promote_options="permissive")
    judged = judged_rows(table)
    tracks = [
        track for _, track in _tracks_of(judged, {code: [Watched(code, None, "", None)] for code in judged.names})
    ]
    order, _, starts, ends = _track_order(judged)
    features = numpy_of(table.column("feature"), -1)[order]
    located = locate_many(
        [
            (track, features[start:end])
            for track, start, end in zip(tracks, starts.tolist(), ends.tolist(), strict=True)
        ],
        gap_minutes=gap_minutes,
        resolver=_worker_resolver(),
        trust_positions=trust_positions,
    )
    measured = [one.steps_km for one in located if one.steps_km is not None]
    columns = FixArrays(
        *(np.concatenate([getattr(t.fixes.columns, name) for t in tracks]) for name in FixArrays._fields[:5]),
        None,
        None,
    )
    return _Share(
        rows_read,
        judged.refused,
        [track.hex for track in tracks],
        [track.callsign for track in tracks],
        [*starts.tolist(), len(order)],
        columns,
        features,
        np.concatenate(measured) if measured else np.zeros(0),
        [one.steps_km is not None for one in located],
        [one._replace(track=None, columns=None, features=None, steps_km=None) for one in located],
    )


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter: the size from which malloc maps fresh pages
GLIBC_MMAP_THRESHOLD = 128 * 1024  # its default, and its value while MALLOC_TRIM_THRESHOLD_ is set
SHARE_MMAP_THRESHOLD = 64 * 1024 * 1024


@contextlib.contextmanager
def _large_arrays_on_the_heap() -> Iterator[None]:
    """Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_ set, which fixes glibc's mmap
    threshold at 128 KiB: every array over 16,000 numbers is then a fresh mapping, faulted in
    page by page and unmapped when freed. A share's tracks are built from thousands of such
    temporaries, and took 1.6 times as long on a worker (0.38 s against 0.23 s for 200
    aircraft). For the task they come from the heap; afterwards the threshold is put back and
    the freed memory returned to the system (malloc_trim), as the nanny's setting intends. The
    setting is the process's: another task running on the same worker meanwhile allocates the
    same way (faster, and trimmed with it). Elsewhere (no such variable, not glibc) nothing is
    changed."""
    import os
    import sys

    if sys.platform != "linux" or not os.environ.get("MALLOC_TRIM_THRESHOLD_"):
        yield
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        yield
        return
    if not mallopt(M_MMAP_THRESHOLD, SHARE_MMAP_THRESHOLD):
        yield
        return
    try:
        yield
    finally:
        mallopt(M_MMAP_THRESHOLD, GLIBC_MMAP_THRESHOLD)
        trim(0)


def _share_rows(table: Any, first: int, last: int) -> Any:
    """The rows of a part's table whose aircraft (its index in the watched addresses, as the
    filter encodes the address column) is in [first, last), in the table's order."""
    import numpy as np

    column = table.column("icao24")
    indices = np.concatenate([numpy_of(chunk.indices, -1) for chunk in column.chunks])
    return take(table, arrow_int64(np.flatnonzero((indices >= first) & (indices < last))))


SCHEDULER_TIMEOUT_S = 10


def _connect(client_class: Any, address: str) -> Any:
    """A client of the scheduler at `address`, or one line saying it cannot be reached (within
    SCHEDULER_TIMEOUT_S, not distributed's default 30 s, and naming the scheduler, not the output)."""
    try:
        return client_class(address, timeout=SCHEDULER_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise InputError(f"--scheduler {address}: cannot reach the Dask scheduler: {reason[:200]}") from None


ROW_GROUPS_PER_TASK = 4


def _parts(path: Path) -> list[Part]:
    """The tasks for one input: a CSV file whole; each Parquet file in groups of row groups (its
    footer read once here, with pyarrow.parquet)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fmt = _format(path)
    absolute = path.absolute()
    if not absolute.exists():
        raise InputError(f"{path}: no such file or directory")
    if fmt == "csv":
        return [Part(str(absolute), fmt, None, str(path))]
    files = dataset_files(absolute) if absolute.is_dir() else [str(absolute)]
    if not files:
        raise InputError(f"{path}: no position files in the directory")
    parts = []
    for file in files:
        try:
            metadata = pq.read_metadata(file)
        except (OSError, pa.ArrowInvalid, ValueError) as error:
            raise InputError(f"{path}: cannot read positions: {_reason(error)}") from None
        label = _label(path, absolute, file)
        groups = list(range(metadata.num_row_groups))
        for start in range(0, max(len(groups), 1), ROW_GROUPS_PER_TASK):
            chosen = tuple(groups[start : start + ROW_GROUPS_PER_TASK])
            rows = sum(metadata.row_group(group).num_rows for group in chosen)
            parts.append(Part(file, fmt, chosen, label, rows=rows))
    return parts


def _label(path: Path, absolute: Path, file: str) -> str:
    """A file of a directory as the user would name it (its path through the directory)."""
    try:
        return str(path / Path(file).relative_to(absolute))
    except ValueError:
        return file


MAX_DATASET_FILES = 1_000_000


def dataset_files(folder: Path) -> list[str]:
    """The data files under a directory, each once, in name order, skipping hidden and `_`
    files as pyarrow does. Links are followed, but a directory already visited (a link back to
    a parent: a loop) is not entered again, and a file reached through two links is read once:
    pyarrow's own discovery read such a file dozens of times, or walked exponentially."""
    seen_folders: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    found: list[str] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            status = current.stat()
        except OSError:
            continue  # a dangling link
        key = (status.st_dev, status.st_ino)
        if key in seen_folders:
            continue
        seen_folders.add(key)
        try:
            entries = sorted(current.iterdir(), reverse=True)
        except OSError as error:
            raise InputError(f"{current}: cannot list the directory: {error.strerror or error}") from None
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            try:
                info = entry.stat()
            except OSError:
                continue
            if entry.is_dir():
                pending.append(entry)
            elif (info.st_dev, info.st_ino) not in seen_files:
                seen_files.add((info.st_dev, info.st_ino))
                found.append(str(entry))
                if len(found) > MAX_DATASET_FILES:
                    raise InputError(f"{folder}: more than {MAX_DATASET_FILES:,} files: screen them in parts")
    return sorted(found)


def _screen_part(part: Part, hexes: list[str], rename: dict[str, str]) -> tuple[int, Any]:
    """On a worker: one part's rows read, and its watched rows with each one's feature index."""
    import numpy as np
    import pyarrow as pa

    rows, batches = filter_part(part, hexes, rename)
    if not batches:
        return rows, None
    table = pa.Table.from_batches(batches)
    lats = numpy_of(cast(table.column("lat"), pa.float64()), np.nan)
    lons = numpy_of(cast(table.column("lon"), pa.float64()), np.nan)
    usable = np.isfinite(lats) & np.isfinite(lons)
    features = np.full(len(lats), -1, dtype=np.int64)
    if usable.any():
        features[usable] = _worker_resolver().feature_indexes(lats[usable], lons[usable])
    return rows, table.append_column("feature", arrow_int64(features))


@functools.cache
def _worker_resolver() -> Any:
    """One resolver per worker process, answering from the grid index: a part's few thousand
    watched positions are too few to load it by themselves (the plain polygon query then took
    most of a Dask screen's time), but a worker locates every part it is given."""
    from icc_travel.data.store import load
    from icc_travel.geo.places import PlaceResolver

    resolver = PlaceResolver(load())
    resolver.load_grid()
    return resolver
