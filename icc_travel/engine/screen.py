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
from collections.abc import Iterable
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


def scan(paths: Iterable[Path], watched: list[Watched], columns: dict[str, str] | None = None) -> Screened:
    """Read every position file, keep the watched aircraft's rows, one track per aircraft."""
    requires("pyarrow", "parquet")
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    rename = columns or {}
    wanted = {w.hex: w for w in watched}
    rows_read, kept = 0, []
    for path in paths:
        fmt = "csv" if path.suffix.lower() in (".csv", ".gz") and not path.is_dir() else "parquet"
        try:
            source = pads.dataset(str(path), format=fmt)
        except (OSError, pa.ArrowInvalid, ValueError) as error:
            raise InputError(f"{path}: cannot read positions: {error}") from None
        names = {rename.get(c, c): c for c in COLUMNS}
        missing = [name for name in names if name not in source.schema.names and names[name] != "callsign"]
        missing = [m for m in missing if names[m] in ("time", "icao24", "lat", "lon")]
        if missing:
            raise InputError(f"{path}: the positions lack {', '.join(missing)} (map other names with --columns)")
        hex_column = next(name for name, ours in names.items() if ours == "icao24")
        present = [name for name in names if name in source.schema.names]
        try:
            for batch in source.to_batches(columns=present, batch_size=1 << 20):
                rows_read += batch.num_rows
                codes = pc.utf8_lower(pc.cast(batch.column(hex_column), pa.string()))
                mask = pc.is_in(codes, value_set=pa.array(sorted(wanted)))
                chosen = batch.filter(mask)
                if chosen.num_rows:
                    kept.append(chosen.rename_columns([names[n] for n in chosen.schema.names]))
        except (OSError, pa.ArrowInvalid) as error:
            raise InputError(f"{path}: cannot read positions: {error}") from None
    positions = sum(batch.num_rows for batch in kept)
    return Screened(rows_read, positions, _tracks(kept, wanted))


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
            by_hex.setdefault(code, []).append(Fix(when.astimezone(dt.UTC), float(lat), float(lon), feet, bool(ground)))
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
    paths: Iterable[Path], watched: list[Watched], columns: dict[str, str] | None = None, scheduler: str | None = None
) -> tuple[Screened, dict[str, Any]]:
    """The scan on a Dask cluster: the workers read and filter the positions and locate them in
    the territories (each worker loads the territory index once); the client builds the tracks.
    Returns the tracks and, per aircraft, the feature index of each of its fixes."""
    requires("distributed", "dask")
    requires("pandas", "dask")
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    rename = columns or {}
    hexes = sorted({w.hex for w in watched})
    wanted = {w.hex: w for w in watched}
    client = (
        Client(scheduler)
        if scheduler
        else Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=50))
    )
    try:
        frames, counts = [], []
        for path in paths:
            is_csv = path.suffix.lower() in (".csv", ".gz") and not path.is_dir()
            try:
                frame = dd.read_csv(str(path)) if is_csv else dd.read_parquet(str(path))
            except (OSError, ValueError) as error:
                raise InputError(f"{path}: cannot read positions: {error}") from None
            frame = frame.rename(columns={theirs: ours for theirs, ours in rename.items() if theirs in frame.columns})
            missing = [c for c in ("time", "icao24", "lat", "lon") if c not in frame.columns]
            if missing:
                raise InputError(f"{path}: the positions lack {', '.join(missing)} (map other names with --columns)")
            frame = frame[[c for c in COLUMNS if c in frame.columns]]
            counts.append(frame.shape[0])
            frame = frame.assign(icao24=frame["icao24"].astype(str).str.lower())
            frames.append(frame[frame["icao24"].isin(hexes)])
        kept = dd.concat(frames) if len(frames) > 1 else frames[0]
        located = kept.map_partitions(_locate_partition, meta={**kept._meta.dtypes.to_dict(), "feature": "int64"})
        (table, *sizes) = dask.compute(located, *counts)
    finally:
        client.close()
    records = table.to_dict("list")
    batch = _Columns(records, len(table))
    tracks = _tracks([batch], wanted)
    features: dict[str, list[int]] = {}
    order = sorted(range(len(table)), key=lambda i: (str(records["icao24"][i]), float(records["time"][i])))
    for i in order:
        if records["lat"][i] is None or records["lon"][i] is None:
            continue
        features.setdefault(str(records["icao24"][i]), []).append(int(records["feature"][i]))
    return Screened(int(sum(sizes)), len(table), tracks), features


class _Columns:
    """A column dict shaped like a pyarrow batch for `_tracks`."""

    def __init__(self, columns: dict[str, list[Any]], rows: int) -> None:
        self._columns, self.num_rows = columns, rows

    def to_pydict(self) -> dict[str, list[Any]]:
        return self._columns


def _locate_partition(frame: Any) -> Any:
    """On a worker: the feature index of each position (the index is loaded once per worker)."""
    resolver = _worker_resolver()
    features = resolver.feature_indexes(frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float))
    return frame.assign(feature=features)


@functools.cache
def _worker_resolver() -> Any:
    from icc_travel.data.store import load
    from icc_travel.geo.places import PlaceResolver

    return PlaceResolver(load())
