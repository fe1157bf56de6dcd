"""Recorded flight tracks: reading them, and cutting them into runs over one territory.

Readers (format detected from the content, gzip read transparently):
  - readsb / tar1090 trace JSON (`trace_full_<hex>.json`, as adsb.lol and ADS-B Exchange serve
    it): `{icao, r, t, timestamp, trace: [[dt, lat, lon, alt|"ground"|null, gs, track, flags,
    ...], ...]}`; flag bit 2 starts a new leg, bit 1 marks a stale position (skipped);
  - Flightradar24 CSV (`Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction`);
  - KML with `gx:Track` (tar1090 and Flightradar24 exports; the fastkml library), also zipped as
    KMZ (Google Earth's way to save places: its `doc.kml`, read with the same size limit);
  - OpenSky state vectors as CSV or Parquet (`time, icao24, lat, lon, onground, baroaltitude,
    callsign, ...`; pyarrow for Parquet): each aircraft in the file is a track of its own;
  - GPX tracks (the gpxpy library);
  - Mode S messages decoded by rs1090 / jet1090, as JSON Lines (one message per line:
    `{timestamp, icao24, df, bds, latitude, longitude, altitude, callsign, ...}`): a receiver's
    recording of any number of aircraft, each a track of its own, from its position messages
    (BDS 0,5 airborne, BDS 0,6 on the surface).
Each reader gives `Track`s of time-ordered `Fix`es; a bad file is one InputError with its
file and position.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel.errors import InputError

MAX_TRACK_BYTES = 1 << 30
GROUND_ALTITUDE_FT = 300  # a track ending this low over the ground (airfields.height_above_ground_ft) has landed


class Fix(NamedTuple):
    time: dt.datetime  # UTC
    lat: float
    lon: float
    altitude_ft: float | None
    on_ground: bool
    source: str | None = None  # how the position was obtained, where the file says (readsb: adsb_icao, mlat, ...)
    new_leg: bool = False  # the recorder marks a new leg here (readsb trace flag 2)


class FixArrays(NamedTuple):
    """A track's fixes as columns (numpy arrays): the track itself, as traffic's `Flight` and
    movingpandas' `Trajectory` hold theirs. Readers build them directly, the quality filter and
    the analysis work on them whole; a `Fix` is made only where an output names one fix."""

    seconds: Any  # Unix time, on the microsecond grid a datetime holds (see `microsecond_seconds`)
    lats: Any
    lons: Any
    feet: Any  # NaN where unknown
    ground: Any  # bool
    sources: Any  # object array: how each position was obtained (None where the file does not say)
    new_leg: Any = None  # bool: the recorder marks a new leg here (None: nowhere)

    def take(self, indexes: Any) -> FixArrays:
        return FixArrays(
            self.seconds[indexes],
            self.lats[indexes],
            self.lons[indexes],
            self.feet[indexes],
            self.ground[indexes],
            self.sources[indexes],
            self.new_leg[indexes] if self.new_leg is not None else None,
        )

    def reflagged(self, indexes: Any) -> FixArrays:
        """These columns with the on-ground flag of the fixes at `indexes` read the other way
        (`quality.ground_flag_flickers`); the same columns when there are none."""
        if indexes is None or not len(indexes):
            return self
        ground = self.ground.copy()
        ground[indexes] = ~ground[indexes]
        return self._replace(ground=ground)

    def micros(self) -> Any:
        """The times as integer microseconds since 1970: exact, as datetimes compare them."""
        import numpy as np

        return np.rint(self.seconds * 1e6).astype(np.int64)


def microsecond_seconds(seconds: Any) -> Any:
    """Unix seconds rounded as `EARLIEST + timedelta(seconds=x)` rounds them (to the nearest
    microsecond, ties to even, after splitting off the whole seconds), as floats: the times a
    `Fix` would hold, so array arithmetic and datetimes agree to the microsecond."""
    import numpy as np

    whole = np.trunc(seconds)
    micros = whole.astype(np.int64) * 1_000_000 + np.rint((seconds - whole) * 1e6).astype(np.int64)
    return micros / 1e6


def time_at(seconds: float) -> dt.datetime:
    """A fix's time from its Unix seconds (already on the microsecond grid)."""
    return EARLIEST + dt.timedelta(microseconds=round(seconds * 1e6))


class FixView(Sequence):
    """The fixes of a `FixArrays` one `Fix` at a time, made when asked for: outputs that name a
    fix (a flight's first, a drawn line) read it here; the analysis never does."""

    __slots__ = ("columns",)

    def __init__(self, columns: FixArrays) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns.seconds)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            import numpy as np

            return FixView(self.columns.take(np.arange(len(self))[index]))
        c = self.columns
        index = range(len(self))[index]  # negative indexes, and IndexError past the end
        feet = float(c.feet[index])
        return Fix(
            time_at(float(c.seconds[index])),
            float(c.lats[index]),
            float(c.lons[index]),
            None if math.isnan(feet) else feet,
            bool(c.ground[index]),
            c.sources[index],
            bool(c.new_leg[index]) if c.new_leg is not None else False,
        )

    def __iter__(self) -> Any:
        import itertools

        import numpy as np

        c = self.columns
        count = len(self)
        times = map(
            dt.datetime.__add__,
            itertools.repeat(EARLIEST, count),
            map(dt.timedelta, itertools.repeat(0), itertools.repeat(0), c.micros().tolist()),
        )
        feet = np.where(np.isnan(c.feet), None, c.feet).tolist()
        new_leg = c.new_leg.tolist() if c.new_leg is not None else itertools.repeat(False, count)
        return map(Fix, times, c.lats.tolist(), c.lons.tolist(), feet, c.ground.tolist(), c.sources.tolist(), new_leg)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FixView | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FixView({len(self)} fixes)"


def fix_arrays(fixes: Sequence[Fix]) -> FixArrays:
    """The fixes' columns, each by one C-level pass (`map` with an item getter): over a million
    fixes this is several times faster than a generator per column, and far faster than
    transposing with zip(*fixes). A `FixView`'s columns are returned as they are."""
    from operator import itemgetter

    import numpy as np

    if isinstance(fixes, FixView):
        return fixes.columns
    count = len(fixes)
    feet = np.fromiter(map(itemgetter(3), fixes), dtype=object, count=count)
    return FixArrays(
        np.fromiter(map(dt.datetime.timestamp, map(itemgetter(0), fixes)), dtype=float, count=count),
        np.fromiter(map(itemgetter(1), fixes), dtype=float, count=count),
        np.fromiter(map(itemgetter(2), fixes), dtype=float, count=count),
        np.where(feet == None, np.nan, feet).astype(float),  # noqa: E711 - elementwise, not identity
        np.fromiter(map(itemgetter(4), fixes), dtype=bool, count=count),
        np.fromiter(map(itemgetter(5), fixes), dtype=object, count=count),
        np.fromiter(map(itemgetter(6), fixes), dtype=bool, count=count),
    )


class Track(NamedTuple):
    file: str
    hex: str | None
    registration: str | None
    callsign: str | None
    fixes: Sequence[Fix]  # a FixView over the track's columns (readers), or Fix tuples (callers)

    @property
    def columns(self) -> FixArrays:
        """The fixes as arrays (the readers' own, not rebuilt)."""
        return fix_arrays(self.fixes)


def columns_track(
    path: Path,
    hex_code: str | None,
    registration: str | None,
    callsign: str | None,
    columns: FixArrays,
) -> Track:
    """A track from its columns, in time order (a stable sort: fixes at the same time keep the
    file's order), on the microsecond grid of the times a `Fix` holds."""
    import numpy as np

    if not len(columns.seconds):
        raise InputError(f"{path}: the track has no positions")
    columns = columns._replace(seconds=microsecond_seconds(np.asarray(columns.seconds, dtype=float)))
    if len(columns.seconds) > 1 and (np.diff(columns.seconds) < 0).any():
        columns = columns.take(np.argsort(columns.seconds, kind="stable"))
    return Track(str(path), hex_code, registration, callsign, FixView(columns))


def read_tracks(path: Path) -> list[Track]:
    """The tracks in one file, whatever its format. gzip is undone first (a gzipped Parquet file
    is still Parquet), with a limit on what it expands to."""
    from icc_travel.data.inputs import decode_text, decompressed, read_limited

    raw = read_limited(path, MAX_TRACK_BYTES)
    if raw[:2] == b"\x1f\x8b":
        raw = decompressed(raw, MAX_TRACK_BYTES, name=str(path))
    if raw[:4] == b"PAR1":
        return _opensky_parquet(path, raw)
    if raw[:4] == b"PK\x03\x04":
        return _kml(path, _kmz_document(path, raw))
    text = decode_text(raw, str(path))
    offset = _leading_space(text)
    start = text[offset : offset + 200]
    if start.startswith("{"):
        if _is_mode_s_messages(text):
            return _mode_s_messages(path, text)
        return [_readsb(path, text)]
    if start.startswith("<"):
        root = _xml_root(text)
        if root == "gpx":
            return _gpx(path, text)
        if root == "kml":
            return _kml(path, text.encode())
    header = start.split("\n", 1)[0].lower().replace(" ", "").replace('"', "")
    try:
        if header.startswith("timestamp,utc,callsign,position"):
            return [_fr24(path, text)]
        if {"time", "icao24", "lat", "lon"} <= set(header.split(",")):
            return _opensky(path, _csv_records(path, text), "csv")
    except csv.Error as error:
        raise InputError(f"{path}: unreadable CSV: {error}") from None
    raise InputError(
        f"{path}: not a track this tool reads (readsb/tar1090 trace JSON, Flightradar24 CSV, KML or KMZ gx:Track, "
        "OpenSky state vectors as CSV or Parquet, GPX, or rs1090/jet1090 JSON Lines)"
    )


def _kmz_document(path: Path, raw: bytes) -> bytes:
    """The KML document of a KMZ (a ZIP archive, as Google Earth saves places): `doc.kml` or else
    its first .kml file, read with the same limit on what it expands to as any track."""
    import io
    import zipfile

    from icc_travel.data.inputs import read_stream

    entries = _zip_entries(raw)
    if entries is not None and entries > KMZ_ENTRIES:
        raise InputError(f"{path}: a ZIP archive of {entries:,} files, more than a KMZ holds ({KMZ_ENTRIES:,})")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = [n for n in archive.namelist() if n.lower().endswith(".kml") and not n.endswith("/")]
        if not names:
            raise InputError(f"{path}: a ZIP archive with no .kml file in it (a KMZ holds one)")
        chosen = next((n for n in names if n.lower() in ("doc.kml", "./doc.kml")), names[0])
        size = archive.getinfo(chosen).file_size  # as the archive declares it: refused before expanding
        if size > MAX_TRACK_BYTES:
            raise InputError(f"{path}: {chosen}: too large ({size:,} bytes, more than {MAX_TRACK_BYTES:,})")
        with archive.open(chosen) as member:  # counted as it expands too: a declared size can lie
            return read_stream(member, MAX_TRACK_BYTES, name=f"{path}: {chosen}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        raise InputError(f"{path}: unreadable KMZ (ZIP) archive: {error}") from None


# A KMZ holds its doc.kml and a few icons or overlays. zipfile reads every entry of the central
# directory before it answers anything (about 700 bytes of memory each): a 26 MB archive of
# 300,000 empty files took 212 MB, so one of the track limit's 1 GiB would take gigabytes.
KMZ_ENTRIES = 10_000


def _zip_entries(raw: bytes) -> int | None:
    """The number of files a ZIP archive's end record declares (ZIP64's too), read before
    zipfile reads them all; None where no end record is found (zipfile then says why)."""
    import struct

    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))  # 22 bytes and at most a 65,535-byte comment
    if end < 0 or len(raw) < end + 22:
        return None
    (entries,) = struct.unpack_from("<H", raw, end + 10)
    locator = end - 20  # ZIP64: its end record's locator comes just before
    if entries == 0xFFFF and locator >= 0 and raw[locator : locator + 4] == b"PK\x06\x07":
        (record,) = struct.unpack_from("<Q", raw, locator + 8)
        if raw[record : record + 4] == b"PK\x06\x06" and len(raw) >= record + 40:
            (entries,) = struct.unpack_from("<Q", raw, record + 32)
    return entries


def _leading_space(text: str) -> int:
    """Where the text's first non-space character is (`lstrip` would copy a file of a gigabyte)."""
    found = re.match(r"\s*", text)
    return found.end() if found else 0


def _xml_root(text: str) -> str | None:
    """The name of an XML document's root element, without its namespace prefix: a long comment,
    a declaration or a DOCTYPE before it is skipped, however long."""
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            return None
        if text.startswith("<!--", start):
            end = text.find("-->", start + 4)
            position = end + 3 if end >= 0 else len(text)
        elif text.startswith(("<?", "<!"), start):
            end = text.find(">", start)
            position = end + 1 if end >= 0 else len(text)
        else:
            match = re.match(r"<\s*([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)", text[start : start + 200])
            return match.group(2).lower() if match else None


def _csv_records(path: Path, text: str) -> list[dict[str, Any]]:
    """CSV rows as mappings; a field over the csv module's size limit (128 KiB) is one error at
    its line, not a traceback."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as error:
        raise InputError(f"{path}:{reader.line_num + 1}: unreadable CSV: {error}") from None


EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def utc_from_epoch(seconds: Any, where: str) -> dt.datetime:
    """A Unix time in seconds as UTC, or an InputError naming the fix: not a number (true/false
    are not numbers), not finite, or outside 1970-2100 (milliseconds read as seconds land in the
    year 56,000; a receiver clock at zero in 1970 is accepted as what it says)."""
    if isinstance(seconds, dt.datetime):
        utc = seconds.astimezone(dt.UTC) if seconds.tzinfo else seconds.replace(tzinfo=dt.UTC)
        if not EARLIEST <= utc < LATEST:
            raise InputError(f"{where}: time {utc.isoformat()} is not a time between 1970 and 2100")
        return utc
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InputError(f"{where}: time must be a number of seconds since 1970, got {seconds!r}")
    if not math.isfinite(seconds) or not (0 <= seconds < LATEST.timestamp()):
        hint = " (milliseconds? times are in seconds)" if math.isfinite(seconds) and seconds > 1e11 else ""
        raise InputError(f"{where}: time {seconds!r} is not a time between 1970 and 2100{hint}")
    return EARLIEST + dt.timedelta(seconds=float(seconds))


def parse_time(value: Any, where: str) -> dt.datetime:
    """A time from a text or number field: seconds since 1970, or an ISO 8601 date-time (UTC
    unless it says otherwise)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return utc_from_epoch(float(text), where)
        except ValueError:
            pass
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"{where}: time {value!r} is neither seconds since 1970 nor an ISO 8601 time") from None
        return utc_from_epoch(parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC), where)
    return utc_from_epoch(value, where)


def feet_from(value: Any, where: str, *, scale: float = 1.0) -> float | None:
    """An altitude as finite feet, or None where none is given. NaN or infinity is an error: read
    as "low", it would invent a landing, and with it an arrest duty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InputError(f"{where}: altitude must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: altitude must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{where}: altitude {value!r} is not a finite number")
    return number * scale


def _readsb(path: Path, text: str) -> Track:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        first = _first_line_object(text)
        if first is not None:  # JSON Lines, of something other than decoded Mode S messages
            fields = ", ".join(sorted(first)[:12]) + (", ..." if len(first) > 12 else "")
            raise InputError(
                f"{path}:1: JSON Lines, but not rs1090/jet1090 messages (each has "
                f"{', '.join(MODE_S_FIELDS)}; this line has {fields or 'no field'})"
            ) from None
        raise InputError(f"{path}: invalid JSON: {error}") from None
    flight = _fr24_flight(document)
    if flight is not None:
        return _fr24_json(path, flight)
    if not isinstance(document, dict) or not isinstance(document.get("trace"), list):
        raise InputError(
            f"{path}: a readsb trace needs a 'trace' list (or, from Flightradar24, a playback's "
            "result.response.data.flight.track)"
        )
    base = document.get("timestamp")
    if isinstance(base, bool) or not isinstance(base, int | float) or not math.isfinite(base):
        raise InputError(f"{path}: a readsb trace needs a numeric 'timestamp'")
    columns = _readsb_columns(document["trace"], base)
    if columns is None:  # something in the trace is wrong: the careful reading says what and where
        columns = fix_arrays(_readsb_fixes(path, document["trace"], base))
    return columns_track(path, _text(document.get("icao")), _text(document.get("r")), None, columns)


NUMBER_TYPES = frozenset({int, float})


def _readsb_columns(trace: list[Any], base: float) -> FixArrays | None:
    """A trace's columns in a few C-level passes (each field's values taken by `map`, their types
    checked as a set, then numpy), or None when any point is not plainly valid: the careful
    reading, point by point, then finds the first bad point and names it. Both give the same
    fixes for a valid trace."""
    from operator import itemgetter

    import numpy as np

    if not trace:
        return None
    count = len(trace)
    try:  # a point that is not a list of at least 4 raises here (JSON gives no tuples, no int keys)
        fields = [list(map(itemgetter(k), trace)) for k in range(4)]
    except (IndexError, KeyError, TypeError):
        return None
    if not all(set(map(type, fields[k])) <= NUMBER_TYPES for k in range(3)):
        return None  # a text point's characters are str: refused here too
    flags = _flag_bits(_readsb_field(trace, 6, int))
    keep = (flags & 1) == 0  # a stale position: not a fix
    altitude = fields[3]
    kinds = set(map(type, altitude))
    if bool in kinds:
        return None
    try:
        seconds = float(base) + np.array(fields[0], dtype=float)
        lats = np.array(fields[1], dtype=float)
        lons = np.array(fields[2], dtype=float)
        if kinds <= NUMBER_TYPES:
            numeric = np.ones(count, dtype=bool)
            feet = np.array(altitude, dtype=float)
            ground = np.zeros(count, dtype=bool)
        else:  # "ground", or null (unknown), among the altitudes
            numeric = np.fromiter((type(a) in NUMBER_TYPES for a in altitude), dtype=bool, count=count)
            ground = np.fromiter((a == "ground" for a in altitude), dtype=bool, count=count)
            feet = np.array([a if type(a) in NUMBER_TYPES else math.nan for a in altitude], dtype=float)
    except (OverflowError, ValueError):
        return None
    with np.errstate(invalid="ignore"):
        valid = (
            (lats >= -90)
            & (lats <= 90)
            & (lons >= -180)
            & (lons <= 180)  # NaN fails these
            & (seconds >= 0)
            & (seconds < LATEST.timestamp())
            & (np.isfinite(feet) | ~numeric)  # NaN or infinity read as a number (JSON allows them)
        )
    if not valid[keep].all():
        return None
    feet[ground] = 0.0
    sources = np.array(_readsb_field(trace, 9, str), dtype=object)
    columns = FixArrays(seconds, lats, lons, feet, ground, sources, (flags & 2) != 0)
    return columns if keep.all() else columns.take(np.flatnonzero(keep))


def _flag_bits(flags: list[Any]) -> Any:
    """The two flag bits a trace uses (1: stale, 2: new leg) as an array (0 where none)."""
    import numpy as np

    try:
        if set(map(type, flags)) <= {int}:
            return np.array(flags, dtype=np.int64) & 3
    except OverflowError:
        pass
    return np.array([int(f) & 3 if f is not None else 0 for f in flags], dtype=np.int64)


def _readsb_field(trace: list[Any], position: int, kind: type) -> list[Any]:
    """Field `position` of every point, None where a point is shorter or holds another type
    (an int field accepts true/false, as `isinstance` does)."""
    from operator import itemgetter

    try:
        values = list(map(itemgetter(position), trace))
    except IndexError:  # some points are shorter
        values = [point[position] if len(point) > position else None for point in trace]
    if set(map(type, values)) <= {kind, type(None)}:
        return values
    return [value if isinstance(value, kind) else None for value in values]


def _readsb_fixes(path: Path, trace: list[Any], base: float) -> list[Fix]:
    """The trace point by point: the first point that is not a valid fix is an InputError naming it."""
    fixes = []
    for number, point in enumerate(trace, 1):
        where = f"{path}: trace[{number}]"
        if not isinstance(point, list) or len(point) < 4:
            raise InputError(f"{where}: expected [seconds, lat, lon, altitude, ...]")
        seconds, lat, lon, altitude = point[:4]
        flags = point[6] if len(point) > 6 and isinstance(point[6], int) else 0
        if flags & 1:  # a stale position: not a fix
            continue
        _check_position(where, lat, lon)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise InputError(f"{where}: time offset must be a number")
        on_ground = altitude == "ground"
        feet = 0.0 if on_ground else feet_from(altitude, where) if isinstance(altitude, int | float) else None
        time = utc_from_epoch(base + seconds, where)
        source = point[9] if len(point) > 9 and isinstance(point[9], str) else None
        fixes.append(Fix(time, float(lat), float(lon), feet, on_ground, source, bool(flags & 2)))
    if not fixes:
        raise InputError(f"{path}: the track has no positions")
    return fixes


# rs1090 / jet1090 JSON Lines: the downlink formats of extended squitters with positions (17:
# ADS-B from the transponder; 18: TIS-B and ADS-R, rebroadcast by ground stations, whose
# positions are computed there) and the BDS codes of position messages (0,5 airborne, 0,6 on
# the surface)
MODE_S_SOURCES = {"17": "adsb_icao", "18": "other"}
MODE_S_AIRBORNE, MODE_S_SURFACE = "05", "06"
MODE_S_KEYS = ('"latitude"', '"callsign"')  # the only lines read in full: positions and identities
MODE_S_LINE = 64 * 1024  # characters: a decoded message is under 2,000; a readsb trace is often one line


MODE_S_FIELDS = ("timestamp", "icao24", "df")  # what every rs1090/jet1090 message carries


def _is_mode_s_messages(text: str) -> bool:
    """Whether the text is rs1090/jet1090 JSON Lines: a first line that is one JSON object of its
    own with the message keys (a readsb trace is one document, with `trace`, often on one line of
    megabytes: never parsed here, only by its reader)."""
    message = _first_line_object(text)
    return message is not None and set(MODE_S_FIELDS) <= message.keys()


def _first_line_object(text: str) -> dict[str, Any] | None:
    """The text's first line as a JSON object of its own, if it is one (and short: MODE_S_LINE)."""
    start = _leading_space(text)
    end = text.find("\n", start, start + MODE_S_LINE)
    if end < 0 and len(text) - start > MODE_S_LINE:
        return None
    try:
        message = json.loads(text[start : end if end >= 0 else len(text)])
    except (ValueError, RecursionError):
        return None
    return message if isinstance(message, dict) else None


def _mode_s_messages(path: Path, text: str) -> list[Track]:
    """Decoded Mode S messages, one JSON object per line, as rs1090 and jet1090 write them: each
    aircraft (`icao24`) is a track of the positions in its extended squitters (a surface
    position is on the ground, an airborne one carries its barometric or GNSS altitude in feet),
    its callsign from its identification messages. The other messages (altitude and identity
    replies, Comm-B) carry no position and are skipped unread: a receiver's day is millions of
    lines, most of them those."""
    import numpy as np

    columns: dict[str, tuple[list[float], list[float], list[float], list[float], list[bool], list[str]]] = {}
    callsigns: dict[str, str] = {}
    for number, line in enumerate(io.StringIO(text), 1):  # line by line, not a list of them all
        if not any(key in line for key in MODE_S_KEYS):
            continue
        where = f"{path}:{number}"
        try:
            message = json.loads(line)
        except (ValueError, RecursionError) as error:
            raise InputError(f"{where}: invalid JSON: {error}") from None
        if not isinstance(message, dict):
            raise InputError(f"{where}: expected a decoded message (a JSON object)")
        aircraft = message.get("icao24")
        if not isinstance(aircraft, str) or not aircraft.strip():
            raise InputError(f"{where}: a message without its aircraft's icao24")
        aircraft = aircraft.strip().lower()
        if message.get("callsign") is not None:
            callsign = _text(message.get("callsign"))
            if callsign:
                callsigns.setdefault(aircraft, callsign)
        lat, lon = message.get("latitude"), message.get("longitude")
        if lat is None and lon is None:
            continue  # a position message whose first half still waits for its other half
        source = MODE_S_SOURCES.get(str(message.get("df")))
        bds = message.get("bds")
        if source is None or bds not in (MODE_S_AIRBORNE, MODE_S_SURFACE, None):
            continue  # not an extended squitter's position message: no position of the aircraft's own
        _check_position(where, lat, lon)
        seconds = utc_from_epoch(message.get("timestamp"), where).timestamp()
        surface = bds == MODE_S_SURFACE
        feet = 0.0 if surface else feet_from(message.get("altitude"), where)
        found = columns.get(aircraft)
        if found is None:
            found = columns[aircraft] = ([], [], [], [], [], [])
        for column, value in zip(
            found, (seconds, lat, lon, math.nan if feet is None else feet, surface, source), strict=True
        ):
            column.append(value)
    if not columns:
        raise InputError(f"{path}: no position message (rs1090/jet1090 JSON Lines: BDS 0,5 or 0,6)")
    tracks = []
    for aircraft, (seconds, lats, lons, feet, ground, sources) in sorted(columns.items()):
        arrays = FixArrays(
            np.array(seconds, dtype=float),
            np.array(lats, dtype=float),
            np.array(lons, dtype=float),
            np.array(feet, dtype=float),
            np.array(ground, dtype=bool),
            np.array(sources, dtype=object),
        )
        tracks.append(columns_track(path, aircraft, None, callsigns.get(aircraft), arrays))
    return tracks


def _fr24_flight(document: Any) -> dict[str, Any] | None:
    """The flight of a Flightradar24 flight-playback document (`result.response.data.flight`)."""
    node = document
    for key in ("result", "response", "data", "flight"):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) and isinstance(node.get("track"), list) else None


FR24_GROUND_KT = 50  # FR24 gives altitude 0 on the ground; taxiing is slower than this


def _fr24_json(path: Path, flight: dict[str, Any]) -> Track:
    """Flightradar24's flight playback JSON: `track` points with latitude, longitude,
    altitude.feet, speed.kts and a Unix timestamp; the aircraft's ICAO address and registration
    under aircraft.identification."""
    fixes = []
    for number, point in enumerate(flight["track"], 1):
        where = f"{path}: track[{number}]"
        if not isinstance(point, dict):
            raise InputError(f"{where}: expected an object with latitude, longitude, altitude and timestamp")
        lat, lon = point.get("latitude"), point.get("longitude")
        _check_position(where, lat, lon)
        altitude = point.get("altitude")
        feet = feet_from(altitude.get("feet") if isinstance(altitude, dict) else altitude, where)
        speed = point.get("speed")
        knots = speed.get("kts") if isinstance(speed, dict) else None
        slow = isinstance(knots, int | float) and not isinstance(knots, bool) and knots < FR24_GROUND_KT
        time = utc_from_epoch(point.get("timestamp"), where)
        fixes.append(Fix(time, float(lat), float(lon), feet, feet == 0 and slow))
    aircraft = flight.get("aircraft") if isinstance(flight.get("aircraft"), dict) else {}
    ident = aircraft.get("identification") if isinstance(aircraft.get("identification"), dict) else {}
    hex_code = _text(ident.get("modes"))
    callsign = (
        (flight.get("identification") or {}).get("callsign") if isinstance(flight.get("identification"), dict) else None
    )
    return Track(
        str(path),
        hex_code.lower() if hex_code else None,
        _text(ident.get("registration")),
        _text(callsign),
        _ordered(path, fixes),
    )


def _fr24(path: Path, text: str) -> Track:
    reader = csv.DictReader(io.StringIO(text))
    fixes, callsign = [], None
    for record in reader:
        where = f"{path}:{reader.line_num}"
        try:
            seconds = float(record["Timestamp"])
            lat_text, lon_text = (record["Position"] or "").split(",")
            lat, lon = float(lat_text), float(lon_text)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputError(f'{where}: expected Timestamp,UTC,Callsign,"LAT,LON",Altitude,...') from None
        altitude = feet_from(record.get("Altitude"), where)
        _check_position(where, lat, lon)
        callsign = callsign or _text(record.get("Callsign"))
        time = utc_from_epoch(seconds, where)
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
                feet = feet_from(item.coord.z, f"{path}: gx:coord", scale=3.28084) if item.coord.has_z else None
                utc = time if time.tzinfo else time.replace(tzinfo=dt.UTC)
                fixes.append(Fix(utc.astimezone(dt.UTC), lat, lon, feet, False))
        if fixes:
            tracks.append(
                Track(str(path), None, None, getattr(feature, "name", None), _ordered(path, fixes, ground_flags=False))
            )
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
    """OpenSky state vectors: one track per aircraft (icao24), altitudes in metres.

    A state vector repeats the aircraft's last known position every second or so, stamped with
    the vector's `time`, until a new position arrives; `lastposupdate` says when the position was
    actually received. Read as stamped, a position 20 minutes old looks like an aircraft frozen in
    place, then jumping at thousands of km/h. So where `lastposupdate` is given, a fix is the
    position at that time, once. An aircraft none of whose rows has an `onground` value (the
    column left out, or empty) has its standing and taxiing on airfields inferred, as in GPX."""
    by_aircraft: dict[str, list[Fix]] = {}
    callsigns: dict[str, str | None] = {}
    received: dict[str, set[dt.datetime]] = {}
    flagged: set[str] = set()  # aircraft with an on-ground flag in some row; the others' are inferred
    for number, record in enumerate(records, 2 if kind == "csv" else 1):
        where = f"{path}:{number}" if kind == "csv" else f"{path}: row {number}"
        if record.get("lat") in (None, "") or record.get("lon") in (None, ""):
            continue  # a state vector without a position
        if any(isinstance(record.get(key), bool) for key in ("lat", "lon", "time")):
            raise InputError(f"{where}: time, lat and lon must be numbers, not true/false")
        try:
            lat, lon = float(record["lat"]), float(record["lon"])
        except (TypeError, ValueError, KeyError):
            raise InputError(f"{where}: expected numbers for time, lat, lon and baroaltitude") from None
        time = parse_time(record.get("time"), where)
        feet = feet_from(record.get("baroaltitude"), where, scale=3.28084)
        _check_position(where, lat, lon)
        flag = record.get("onground")
        ground = str(flag if flag is not None else "").strip().lower() in ("true", "1")
        aircraft = str(record.get("icao24") or "?").strip().lower()
        if flag not in (None, ""):
            flagged.add(aircraft)
        updated = record.get("lastposupdate")
        if updated not in (None, "") and not isinstance(updated, bool):
            position_time = parse_time(updated, where)
            if position_time <= time:
                seen = received.setdefault(aircraft, set())
                if position_time in seen:
                    continue  # the same position, repeated by a later state vector
                seen.add(position_time)
                time = position_time
        callsigns.setdefault(aircraft, _text(record.get("callsign")))
        fixes = by_aircraft.get(aircraft)
        if fixes is None:
            fixes = by_aircraft[aircraft] = []
        fixes.append(Fix(time, lat, lon, feet, ground))
    if not by_aircraft:
        raise InputError(f"{path}: no state vector with a position")
    return [
        Track(
            str(path), aircraft, None, callsigns.get(aircraft), _ordered(path, fixes, ground_flags=aircraft in flagged)
        )
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
    read = 0  # track points so far in the document, to name a bad one's line
    for track in document.tracks:
        fixes = []
        for segment in track.segments:
            for point in segment.points:
                read += 1
                try:
                    if point.time is None:
                        raise InputError(f"{path}: a GPX track point without a time")
                    where = f"{path}: track point {len(fixes) + 1}"
                    _check_position(where, point.latitude, point.longitude)
                    time = point.time if point.time.tzinfo else point.time.replace(tzinfo=dt.UTC)
                    feet = feet_from(point.elevation, where, scale=3.28084)
                    utc = utc_from_epoch(time.astimezone(dt.UTC), where)
                except InputError as error:
                    line = _line_of_tag(text, "trkpt", read)
                    message = str(error).removeprefix(f"{path}: ")
                    raise InputError(f"{path}:{line}: {message}" if line else str(error)) from None
                fixes.append(Fix(utc, point.latitude, point.longitude, feet, False))
        if fixes:  # an empty <trk> (editors leave them) is no track, and stops none of the others
            tracks.append(Track(str(path), None, None, track.name, _ordered(path, fixes, ground_flags=False)))
    if not tracks:
        raise InputError(f"{path}: the GPX file has no track with positions")
    return tracks


def _line_of_tag(text: str, tag: str, number: int) -> int | None:
    """The line on which the `number`-th <tag> element (any namespace prefix) of an XML text
    starts, as a parser met them in document order; None when there are fewer."""
    for count, found in enumerate(re.finditer(rf"<(?:[\w.\-]+:)?{tag}[\s/>]", text), 1):
        if count == number:
            return text.count("\n", 0, found.start()) + 1
    return None


def _check_position(where: str, lat: Any, lon: Any) -> None:
    if (
        isinstance(lat, bool)
        or isinstance(lon, bool)
        or not (isinstance(lat, int | float) and isinstance(lon, int | float))
    ):
        raise InputError(f"{where}: latitude and longitude must be numbers")
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"{where}: position {lat},{lon} is not on the globe")


def _ordered(path: Path, fixes: list[Fix], *, ground_flags: bool = True) -> Sequence[Fix]:
    """Fixes read one by one (the formats whose parsers give objects) as the track's columns, in
    time order. A format without on-ground flags (`ground_flags` False: GPX, KML) has its fixes
    standing or taxiing on an airfield put on the ground (`airfields.stood_on_airfields`)."""
    if not fixes:
        raise InputError(f"{path}: the track has no positions")
    view = columns_track(path, None, None, None, fix_arrays(fixes)).fixes
    if ground_flags:
        return view
    from icc_travel.geo.airfields import stood_on_airfields

    columns = view.columns  # type: ignore[attr-defined]
    return FixView(columns.reflagged(stood_on_airfields(columns)))


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class Run(NamedTuple):
    """Consecutive fixes over one territory (feature index, -1 for none), airborne or not."""

    feature: int
    first: int  # fix indexes, inclusive
    last: int
    on_ground: bool


def great_circle(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """For arrays of start and end points: a function giving, for an array of fractions, the
    points that far along each great circle (lats, lons): the slerp of their unit vectors."""
    import numpy as np

    p1, l1, p2, l2 = map(np.radians, (lat1, lon1, lat2, lon2))
    v1 = (np.cos(p1) * np.cos(l1), np.cos(p1) * np.sin(l1), np.sin(p1))
    v2 = (np.cos(p2) * np.cos(l2), np.cos(p2) * np.sin(l2), np.sin(p2))
    dot = v1[0] * v2[0] + v1[1] * v2[1] + v1[2] * v2[2]
    omega = np.arccos(np.maximum(-1.0, np.minimum(1.0, dot)))
    same = omega < 1e-12
    sine = np.where(same, 1.0, np.sin(omega))

    def at(fraction: Any) -> tuple[Any, Any]:
        s1, s2 = np.sin((1 - fraction) * omega) / sine, np.sin(fraction * omega) / sine
        x, y, z = (s1 * p + s2 * q for p, q in zip(v1, v2, strict=True))
        lats = np.degrees(np.arctan2(z, np.hypot(x, y)))
        lons = np.degrees(np.arctan2(y, x))
        return np.where(same, lat1, lats), np.where(same, lon1, lons)

    return at


def step_km(lats: Any, lons: Any) -> Any:
    """Great-circle km from each point to the next (numpy arrays), exactly as
    `haversine_km(lats[:-1], lons[:-1], lats[1:], lons[1:])` gives them: each point's radians and
    cosine are computed once, not once as a start and again as an end."""
    import numpy as np

    phi, lam = np.radians(lats), np.radians(lons)
    cosine = np.cos(phi)
    h = np.sin((phi[1:] - phi[:-1]) / 2) ** 2 + cosine[:-1] * cosine[1:] * np.sin((lam[1:] - lam[:-1]) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(1.0, h)))


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle km between points (numbers or numpy arrays alike)."""
    import numpy as np

    p1, p2, l1, l2 = map(np.radians, (lat1, lat2, lon1, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(1.0, h)))
