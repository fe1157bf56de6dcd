"""Recorded flight tracks: reading them, and cutting them into runs over one territory.

Readers (format detected from the content, gzip read transparently):
  - readsb / tar1090 trace JSON (`trace_full_<hex>.json`, as adsb.lol and ADS-B Exchange serve
    it): `{icao, r, t, timestamp, trace: [[dt, lat, lon, alt|"ground"|null, gs, track, flags,
    ...], ...]}`; flag bit 2 starts a new leg, bit 1 marks a stale position (skipped);
  - Flightradar24 CSV (`Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction`);
  - KML with `gx:Track` (tar1090 and Flightradar24 exports; the fastkml library);
  - OpenSky state vectors as CSV or Parquet (`time, icao24, lat, lon, onground, baroaltitude,
    callsign, ...`; pyarrow for Parquet): each aircraft in the file is a track of its own;
  - GPX tracks (the gpxpy library).
Each reader gives `Track`s of time-ordered `Fix`es; a bad file is one InputError with its
file and position.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel.errors import InputError

MAX_TRACK_BYTES = 1 << 30
GROUND_ALTITUDE_FT = 300  # a track ending below this is taken to have landed


class Fix(NamedTuple):
    time: dt.datetime  # UTC
    lat: float
    lon: float
    altitude_ft: float | None
    on_ground: bool


class Track(NamedTuple):
    file: str
    hex: str | None
    registration: str | None
    callsign: str | None
    fixes: tuple[Fix, ...]


def read_tracks(path: Path) -> list[Track]:
    """The tracks in one file, whatever its format."""
    from icc_travel.data.inputs import read_limited

    raw = read_limited(path, MAX_TRACK_BYTES)
    if raw[:4] == b"PAR1":
        return _opensky_parquet(path, raw)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise InputError(f"{path}: damaged gzip: {error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None
    start = text.lstrip()[:200]
    if start.startswith("{"):
        return [_readsb(path, text)]
    if start.startswith("<") and "<gpx" in text[:2000]:
        return _gpx(path, text)
    if start.startswith("<") and "<kml" in text[:2000]:
        return _kml(path, text.encode())
    header = start.split("\n", 1)[0].lower().replace(" ", "")
    if header.startswith("timestamp,utc,callsign,position"):
        return [_fr24(path, text)]
    if {"time", "icao24", "lat", "lon"} <= set(header.split(",")):
        return _opensky(path, list(csv.DictReader(io.StringIO(text))), "csv")
    raise InputError(
        f"{path}: not a track this tool reads (readsb/tar1090 trace JSON, Flightradar24 CSV, KML gx:Track, "
        "OpenSky state vectors as CSV or Parquet, or GPX)"
    )


def _readsb(path: Path, text: str) -> Track:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise InputError(f"{path}: invalid JSON: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("trace"), list):
        raise InputError(f"{path}: a readsb trace needs a 'trace' list")
    base = document.get("timestamp")
    if not isinstance(base, int | float) or not math.isfinite(base):
        raise InputError(f"{path}: a readsb trace needs a numeric 'timestamp'")
    fixes = []
    for number, point in enumerate(document["trace"], 1):
        where = f"{path}: trace[{number}]"
        if not isinstance(point, list) or len(point) < 4:
            raise InputError(f"{where}: expected [seconds, lat, lon, altitude, ...]")
        seconds, lat, lon, altitude = point[:4]
        flags = point[6] if len(point) > 6 and isinstance(point[6], int) else 0
        if flags & 1:  # a stale position: not a fix
            continue
        _check_position(where, lat, lon)
        if not isinstance(seconds, int | float):
            raise InputError(f"{where}: time offset must be a number")
        on_ground = altitude == "ground"
        feet = float(altitude) if isinstance(altitude, int | float) else (0.0 if on_ground else None)
        time = dt.datetime.fromtimestamp(base + seconds, dt.UTC)
        fixes.append(Fix(time, float(lat), float(lon), feet, on_ground))
    return Track(str(path), _text(document.get("icao")), _text(document.get("r")), None, _ordered(path, fixes))


def _fr24(path: Path, text: str) -> Track:
    reader = csv.DictReader(io.StringIO(text))
    fixes, callsign = [], None
    for record in reader:
        where = f"{path}:{reader.line_num}"
        try:
            seconds = float(record["Timestamp"])
            lat_text, lon_text = (record["Position"] or "").split(",")
            lat, lon = float(lat_text), float(lon_text)
            altitude = float(record["Altitude"]) if record.get("Altitude") not in (None, "") else None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputError(f'{where}: expected Timestamp,UTC,Callsign,"LAT,LON",Altitude,...') from None
        _check_position(where, lat, lon)
        callsign = callsign or _text(record.get("Callsign"))
        time = dt.datetime.fromtimestamp(seconds, dt.UTC)
        fixes.append(Fix(time, lat, lon, altitude, altitude is not None and altitude <= 0))
    return Track(str(path), None, None, callsign, _ordered(path, fixes))


def _kml(path: Path, raw: bytes) -> list[Track]:
    import warnings

    with warnings.catch_warnings():  # fastkml notes that lxml (pretty printing) is absent
        warnings.simplefilter("ignore")
        from fastkml import kml
        from fastkml.gx import MultiTrack
        from fastkml.gx import Track as KmlTrack

    try:
        document = kml.KML.from_string(raw)
    except Exception as error:  # the parser's own errors are many kinds; any is a bad file
        raise InputError(f"{path}: invalid KML: {error}") from None
    tracks = []
    pending = list(document.features or [])
    while pending:
        feature = pending.pop(0)
        pending.extend(getattr(feature, "features", None) or [])
        geometry = getattr(feature, "kml_geometry", None)
        parts = [geometry] if isinstance(geometry, KmlTrack) else []
        if isinstance(geometry, MultiTrack):
            parts = list(geometry.tracks)
        fixes = []
        for part in parts:
            for item in part.track_items or []:
                if item.when is None or item.coord is None:
                    continue
                time = item.when.dt if isinstance(item.when.dt, dt.datetime) else None
                if time is None:
                    raise InputError(f"{path}: a gx:Track <when> without a time of day")
                lon, lat = item.coord.x, item.coord.y
                _check_position(f"{path}: gx:coord", lat, lon)
                feet = item.coord.z * 3.28084 if item.coord.has_z else None
                utc = time if time.tzinfo else time.replace(tzinfo=dt.UTC)
                fixes.append(Fix(utc.astimezone(dt.UTC), lat, lon, feet, False))
        if fixes:
            tracks.append(Track(str(path), None, None, getattr(feature, "name", None), _ordered(path, fixes)))
    if not tracks:
        raise InputError(f"{path}: the KML file has no gx:Track")
    return tracks


def _opensky_parquet(path: Path, raw: bytes) -> list[Track]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: reading Parquet needs pyarrow: pip install 'icc-travel[parquet]'") from None
    try:
        table = pq.read_table(io.BytesIO(raw))
    except Exception as error:  # pyarrow raises several kinds for a damaged file
        raise InputError(f"{path}: invalid Parquet: {error}") from None
    return _opensky(path, table.to_pylist(), "parquet")


def _opensky(path: Path, records: list[dict[str, Any]], kind: str) -> list[Track]:
    """OpenSky state vectors: one track per aircraft (icao24), altitudes in metres."""
    by_aircraft: dict[str, list[Fix]] = {}
    callsigns: dict[str, str | None] = {}
    for number, record in enumerate(records, 2 if kind == "csv" else 1):
        where = f"{path}:{number}" if kind == "csv" else f"{path}: row {number}"
        if record.get("lat") in (None, "") or record.get("lon") in (None, ""):
            continue  # a state vector without a position
        try:
            lat, lon, seconds = float(record["lat"]), float(record["lon"]), float(record["time"])
            altitude = record.get("baroaltitude")
            metres = float(altitude) if altitude not in (None, "") else None
        except (TypeError, ValueError, KeyError):
            raise InputError(f"{where}: expected numbers for time, lat, lon and baroaltitude") from None
        _check_position(where, lat, lon)
        ground = str(record.get("onground", "")).strip().lower() in ("true", "1")
        aircraft = str(record.get("icao24") or "?").strip().lower()
        callsigns.setdefault(aircraft, _text(record.get("callsign")))
        feet = metres * 3.28084 if metres is not None else None
        by_aircraft.setdefault(aircraft, []).append(
            Fix(dt.datetime.fromtimestamp(seconds, dt.UTC), lat, lon, feet, ground)
        )
    if not by_aircraft:
        raise InputError(f"{path}: no state vector with a position")
    return [
        Track(str(path), aircraft, None, callsigns.get(aircraft), _ordered(path, fixes))
        for aircraft, fixes in sorted(by_aircraft.items())
    ]


def _gpx(path: Path, text: str) -> list[Track]:
    import gpxpy
    import gpxpy.gpx

    try:
        document = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as error:
        raise InputError(f"{path}: invalid GPX: {error}") from None
    tracks = []
    for track in document.tracks:
        fixes = []
        for segment in track.segments:
            for point in segment.points:
                if point.time is None:
                    raise InputError(f"{path}: a GPX track point without a time")
                time = point.time if point.time.tzinfo else point.time.replace(tzinfo=dt.UTC)
                feet = point.elevation * 3.28084 if point.elevation is not None else None
                fixes.append(Fix(time.astimezone(dt.UTC), point.latitude, point.longitude, feet, False))
        tracks.append(Track(str(path), None, None, track.name, _ordered(path, fixes)))
    if not tracks:
        raise InputError(f"{path}: the GPX file has no track")
    return tracks


def _check_position(where: str, lat: Any, lon: Any) -> None:
    if not (isinstance(lat, int | float) and isinstance(lon, int | float)):
        raise InputError(f"{where}: latitude and longitude must be numbers")
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"{where}: position {lat},{lon} is not on the globe")


def _ordered(path: Path, fixes: list[Fix]) -> tuple[Fix, ...]:
    if not fixes:
        raise InputError(f"{path}: the track has no positions")
    return tuple(sorted(fixes, key=lambda fix: fix.time))


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class Run(NamedTuple):
    """Consecutive fixes over one territory (feature index, -1 for none), airborne or not."""

    feature: int
    first: int  # fix indexes, inclusive
    last: int
    on_ground: bool


def great_circle_point(a: Fix, b: Fix, fraction: float) -> tuple[float, float]:
    """The point a fraction of the way from a to b along the great circle (lat, lon)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    v1 = (math.cos(lat1) * math.cos(lon1), math.cos(lat1) * math.sin(lon1), math.sin(lat1))
    v2 = (math.cos(lat2) * math.cos(lon2), math.cos(lat2) * math.sin(lon2), math.sin(lat2))
    omega = math.acos(max(-1.0, min(1.0, sum(p * q for p, q in zip(v1, v2, strict=True)))))
    if omega < 1e-12:
        return a.lat, a.lon
    s1, s2 = math.sin((1 - fraction) * omega) / math.sin(omega), math.sin(fraction * omega) / math.sin(omega)
    x, y, z = (s1 * p + s2 * q for p, q in zip(v1, v2, strict=True))
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle km between points (numbers or numpy arrays alike)."""
    import numpy as np

    p1, p2, l1, l2 = map(np.radians, (lat1, lat2, lon1, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(1.0, h)))
