"""Screening position datasets for the aircraft on a watchlist (the local engine).

Positions are OpenSky `state_vectors_data4` columns (`time, icao24, lat, lon, onground,
baroaltitude, callsign`), in Parquet files or directories, or CSV, read with pyarrow datasets:
only the watched aircraft's rows are kept (the filter is pushed into the scan, batch by batch, so
memory follows the watched positions, not the dataset). Each watched aircraft's positions become
one track, analysed as `track` does.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel.data.models import Dataset
from icc_travel.errors import InputError
from icc_travel.geo.tracks import Fix, Track

COLUMNS = ("time", "icao24", "lat", "lon", "onground", "baroaltitude", "callsign")


class Watched(NamedTuple):
    hex: str
    registration: str | None
    subject: str
    source: str | None


class Screened(NamedTuple):
    rows_read: int
    positions_kept: int
    tracks: list[tuple[Watched, Track]]


def read_watchlist(path: Path, dataset: Dataset) -> list[Watched]:
    """CSV `hex,registration,subject,source`; each subject must be in the data."""
    from icc_travel.data.inputs import read_limited

    text = read_limited(path, 5_000_000).decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "hex" not in header or "subject" not in header:
        raise InputError(f"{path}:1: a watchlist needs the columns hex and subject (hex,registration,subject,source)")
    reader.fieldnames = header
    subjects = {s.id for s in dataset.subjects}
    watched = []
    for record in reader:
        where = f"{path}:{reader.line_num}"
        code = (record.get("hex") or "").strip().lower()
        if len(code) != 6 or any(c not in "0123456789abcdef" for c in code):
            raise InputError(f"{where}: hex must be a 6-digit ICAO address, got {code!r}")
        subject = (record.get("subject") or "").strip()
        if subject not in subjects:
            raise InputError(f"{where}: unknown subject {subject!r}")
        registration = (record.get("registration") or "").strip() or None
        watched.append(Watched(code, registration, subject, (record.get("source") or "").strip() or None))
    if not watched:
        raise InputError(f"{path}: the watchlist is empty")
    return watched


def default_watchlist(dataset: Dataset) -> list[Watched]:
    """The data's own aircraft that have a sourced ICAO address."""
    return [Watched(a.hex, a.registration, a.subject, a.sources[0]) for a in dataset.aircraft if a.hex]


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
) -> Screened:
    """Read every position file, keep the watched aircraft's rows, one track per aircraft.
    The dataset is read in the parts the Dask engine would hand its workers, in order, and
    `progress(parts done, parts)` is called after each."""
    requires("pyarrow", "parquet")
    wanted = {w.hex: w for w in watched}
    rows_read, kept = 0, []
    parts = [part for path in paths for part in _parts(path)]
    for number, part in enumerate(parts, 1):
        rows, batches = filter_part(part, sorted(wanted), columns or {})
        rows_read += rows
        kept += batches
        if progress is not None:
            progress(number, len(parts))
    positions = sum(batch.num_rows for batch in kept)
    return Screened(rows_read, positions, _tracks(kept, wanted))


class Part(NamedTuple):
    """A piece of a position dataset one task reads: a file or directory, or some row groups of
    one Parquet file (what the Dask engine hands each worker)."""

    path: str  # absolute: a worker on a cluster does not share the client's working directory
    format: str  # parquet or csv
    row_groups: tuple[int, ...] | None
    label: str  # the file as the user named it, for messages


def _format(path: Path) -> str:
    return "csv" if path.suffix.lower() in (".csv", ".gz") and not path.is_dir() else "parquet"


def filter_part(part: Part, hexes: list[str], rename: dict[str, str]) -> tuple[int, list[Any]]:
    """Rows read and the watched aircraft's rows (pyarrow batches, our column names) of one part.

    The watchlist filter is pushed into the pyarrow scan (evaluated in its C++ threads, batch
    by batch, with a bounded read-ahead), so only the watched rows reach Python and memory
    follows them, not the dataset. Both engines use this one function."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    try:
        source = pads.dataset(part.path, format=part.format)
    except (OSError, pa.ArrowInvalid, ValueError) as error:
        raise InputError(f"{part.label}: cannot read positions: {error}") from None
    theirs_of = {ours: theirs for theirs, ours in rename.items()}  # --columns gives theirs -> ours
    names = {theirs_of.get(c, c): c for c in COLUMNS}  # theirs -> ours
    missing = [theirs for theirs, ours in names.items() if ours in ("time", "icao24", "lat", "lon")]
    missing = [theirs for theirs in missing if theirs not in source.schema.names]
    if missing:
        raise InputError(f"{part.label}: the positions lack {', '.join(missing)} (map other names with --columns)")
    hex_column = next(theirs for theirs, ours in names.items() if ours == "icao24")
    present = [theirs for theirs in names if theirs in source.schema.names]
    watched = pc.is_in(pc.utf8_lower(pc.field(hex_column).cast(pa.string())), value_set=pa.array(hexes))
    scanned: Any = source
    if part.row_groups is not None:
        fragment = next(iter(source.get_fragments()))
        scanned = fragment.subset(row_group_ids=list(part.row_groups))
    kept = []
    try:
        # a row-group subset's count_rows() counts its whole file: count its own row groups
        rows = scanned.count_rows() if part.row_groups is None else sum(g.num_rows for g in scanned.row_groups)
        options = {"batch_size": 1 << 18, "batch_readahead": 4}
        if part.row_groups is None:
            options["fragment_readahead"] = 2
        for batch in scanned.to_batches(columns=present, filter=watched, **options):
            if batch.num_rows:
                kept.append(batch.rename_columns([names[n] for n in batch.schema.names]))
    except (OSError, pa.ArrowInvalid) as error:
        raise InputError(f"{part.label}: cannot read positions: {error}") from None
    return rows, kept


def _tracks(batches: list[Any], wanted: dict[str, Watched]) -> list[tuple[Watched, Track]]:
    by_hex: dict[str, list[Fix]] = {}
    callsigns: dict[str, str | None] = {}
    for batch in batches:
        table = batch.to_pydict()
        count = batch.num_rows
        for i in range(count):
            lat, lon, seconds = table["lat"][i], table["lon"][i], table["time"][i]
            if lat is None or lon is None or seconds is None:
                continue
            code = str(table["icao24"][i]).lower()
            metres = table.get("baroaltitude", [None] * count)[i]
            ground = table.get("onground", [False] * count)[i]
            ground = ground if isinstance(ground, bool) else str(ground).strip().lower() in ("true", "1")
            feet = float(metres) * 3.28084 if metres not in (None, "") else None
            when = seconds if isinstance(seconds, dt.datetime) else dt.datetime.fromtimestamp(float(seconds), dt.UTC)
            # a timestamp without a zone is UTC, as OpenSky writes them (not this machine's zone)
            when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
            by_hex.setdefault(code, []).append(Fix(when, float(lat), float(lon), feet, bool(ground)))
            callsign = table.get("callsign", [None] * count)[i]
            if callsign and not callsigns.get(code):
                callsigns[code] = str(callsign).strip() or None
    return [
        (
            wanted[code],
            Track(
                "positions",
                code,
                wanted[code].registration,
                callsigns.get(code),
                tuple(sorted(fixes, key=lambda f: f.time)),
            ),
        )
        for code, fixes in sorted(by_hex.items())
    ]


# --- the Dask engine ------------------------------------------------------------------------------


def scan_dask(
    paths: Iterable[Path],
    watched: list[Watched],
    columns: dict[str, str] | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Screened, dict[str, Any]]:
    """The scan on a Dask cluster: each worker filters its parts of the dataset with the local
    engine's own filter (`filter_part`) and locates the kept positions in the territories (each
    worker loads the territory index once); the client gathers the watched rows and builds the
    tracks. Returns the tracks and, per aircraft, the feature index of each of its fixes."""
    requires("distributed", "dask")
    requires("pyarrow", "parquet")
    import pyarrow as pa
    from distributed import Client, LocalCluster, as_completed

    hexes = sorted({w.hex for w in watched})
    wanted = {w.hex: w for w in watched}
    parts = [part for path in paths for part in _parts(path)]
    client = (
        Client(scheduler)
        if scheduler
        else Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=50))
    )
    try:
        futures = client.map(_screen_part, parts, hexes=hexes, rename=columns or {}, pure=False)
        position = {future.key: number for number, future in enumerate(futures)}
        results: list[Any] = [None] * len(futures)
        for done, future in enumerate(as_completed(futures), 1):
            results[position[future.key]] = future.result()  # in the dataset's order, whatever finishes first
            if progress is not None:
                progress(done, len(futures))
    finally:
        client.close()
    rows_read = sum(rows for rows, _ in results)
    tables = [table for _, table in results if table is not None and table.num_rows]
    if not tables:
        return Screened(rows_read, 0, []), {}
    table = pa.concat_tables(tables, promote_options="permissive")
    batches = table.to_batches()
    tracks = _tracks(batches, wanted)
    records = table.to_pydict()
    features: dict[str, list[int]] = {}
    order = sorted(
        range(table.num_rows), key=lambda i: (str(records["icao24"][i]).lower(), _seconds(records["time"][i]))
    )
    for i in order:
        if records["lat"][i] is None or records["lon"][i] is None or records["time"][i] is None:
            continue
        features.setdefault(str(records["icao24"][i]).lower(), []).append(int(records["feature"][i]))
    return Screened(rows_read, table.num_rows, tracks), features


ROW_GROUPS_PER_TASK = 4


def _parts(path: Path) -> list[Part]:
    """The tasks for one input: a CSV file whole; each Parquet file in groups of row groups."""
    import pyarrow as pa
    import pyarrow.dataset as pads

    fmt = _format(path)
    absolute = path.absolute()
    if fmt == "csv":
        return [Part(str(absolute), fmt, None, str(path))]
    try:
        fragments = list(pads.dataset(str(absolute), format="parquet").get_fragments())
    except (OSError, pa.ArrowInvalid, ValueError) as error:
        raise InputError(f"{path}: cannot read positions: {error}") from None
    parts = []
    for fragment in fragments:
        label = str(path / Path(fragment.path).relative_to(absolute)) if path.is_dir() else str(path)
        groups = [group.id for group in fragment.row_groups]
        for start in range(0, max(len(groups), 1), ROW_GROUPS_PER_TASK):
            parts.append(Part(fragment.path, fmt, tuple(groups[start : start + ROW_GROUPS_PER_TASK]), label))
    return parts


def _screen_part(part: Part, hexes: list[str], rename: dict[str, str]) -> tuple[int, Any]:
    """On a worker: one part's rows read, and its watched rows with each one's feature index."""
    import numpy as np
    import pyarrow as pa

    rows, batches = filter_part(part, hexes, rename)
    if not batches:
        return rows, None
    table = pa.Table.from_batches(batches)
    lats = table.column("lat").to_numpy(zero_copy_only=False).astype(float)
    lons = table.column("lon").to_numpy(zero_copy_only=False).astype(float)
    usable = np.isfinite(lats) & np.isfinite(lons)
    features = np.full(len(lats), -1, dtype=np.int64)
    if usable.any():
        features[usable] = _worker_resolver().feature_indexes(lats[usable], lons[usable])
    return rows, table.append_column("feature", pa.array(features))


def _seconds(value: Any) -> float:
    if value is None:
        return float("inf")
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value).timestamp()
    return float(value)


@functools.cache
def _worker_resolver() -> Any:
    from icc_travel.data.store import load
    from icc_travel.geo.places import PlaceResolver

    return PlaceResolver(load())
