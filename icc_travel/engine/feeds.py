"""Live position formats as `Position`s (pure parsers; the sockets and files are in cli.watch_sources).

- readsb / dump1090 `aircraft.json` (`{"now": s, "aircraft": [{hex, r, lat, lon, alt_baro,
  seen_pos, ...}]}`), the same objects one per line from readsb `--net-json-port`, and the
  adsb.lol / airplanes.live / ADS-B Exchange v2 REST shape (`{"ac": [...], "now": ms}`);
- SBS / BaseStation text (port 30003): `MSG,3,...` airborne and `MSG,2,...` surface positions;
- OpenSky REST `states/all` (`{"time": s, "states": [[icao24, callsign, origin_country,
  time_position, last_contact, lon, lat, baro_altitude_m, on_ground, ...]]}`).

A record without a position gives nothing; one that is not the format raises FeedError.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from typing import Any

from icc_travel.engine.watch import Position

MAX_LINE = 64 * 1024  # bytes: an SBS line is under 200, a readsb JSON object under 2,000
EARLIEST, LATEST = 0.0, 4102444800.0  # 1970 .. 2100


class FeedError(ValueError):
    """A record that is not the format the source was declared as."""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _moment(seconds: float) -> dt.datetime:
    if not EARLIEST <= seconds < LATEST:
        raise FeedError(f"time {seconds!r} is not between 1970 and 2100")
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _on_globe(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180


def readsb_aircraft(item: Any, now: float, source: str | None = None) -> Position | None:
    """One readsb aircraft object (aircraft.json, the JSON port, the v2 REST `ac` list)."""
    if not isinstance(item, dict):
        raise FeedError("an aircraft record is not a JSON object")
    code = item.get("hex")
    if not isinstance(code, str) or not code.strip():
        raise FeedError("an aircraft record has no 'hex'")
    lat, lon = _number(item.get("lat")), _number(item.get("lon"))
    if not _on_globe(lat, lon):
        return None
    seen = _number(item.get("seen_pos"))
    when = _number(item.get("now")) or now
    altitude = item.get("alt_baro")
    on_ground = altitude == "ground"
    feet = 0.0 if on_ground else _number(altitude)
    registration = item.get("r") if isinstance(item.get("r"), str) else None
    return Position(
        code.strip().lower(),
        _moment(when - (seen or 0.0)),
        lat,  # type: ignore[arg-type]
        lon,  # type: ignore[arg-type]
        feet,
        on_ground,
        (registration or "").strip() or None,
        source,
        item["type"] if isinstance(item.get("type"), str) else None,  # adsb_icao, mlat, tisb_...
    )


def aircraft_json(document: Any, source: str | None = None) -> list[Position]:
    """readsb/dump1090 aircraft.json (`now` in seconds) or the v2 REST shape (`now` in ms)."""
    if not isinstance(document, dict):
        raise FeedError("not a JSON object with 'aircraft' or 'ac'")
    if isinstance(document.get("aircraft"), list):
        items = document["aircraft"]
    elif isinstance(document.get("ac"), list) or "ac" in document:
        items = document.get("ac") or []
    else:
        raise FeedError("not a JSON object with 'aircraft' or 'ac'")
    now = _number(document.get("now"))
    if now is None:
        raise FeedError("no numeric 'now'")
    if now > 1e11:  # the v2 REST shape gives milliseconds, readsb's files seconds
        now /= 1000
    found = []
    for item in items:
        position = readsb_aircraft(item, now, source)
        if position is not None:
            found.append(position)
    return found


def ndjson_line(line: bytes | str, now: float, source: str | None = None) -> Position | None:
    """One line of readsb --net-json-port: an aircraft object (its own `now` when it has one)."""
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        raise FeedError("not a JSON object") from None
    return readsb_aircraft(item, now, source)


def sbs_line(line: bytes | str, source: str | None = None) -> Position | None:
    """One BaseStation line; only MSG types 2 (surface) and 3 (airborne) carry a position. Times
    are the message's generated date and time, read as UTC."""
    text = line.decode("ascii", errors="replace") if isinstance(line, bytes) else line
    fields = text.strip().split(",")
    if fields[0] in ("SEL", "ID", "AIR", "STA", "CLK"):
        return None  # selection, identity, new-aircraft, status and clock messages: no position
    if fields[0] != "MSG" or len(fields) < 16 or not fields[1].strip().isdigit():
        raise FeedError("not a BaseStation line")
    if fields[1] not in ("2", "3"):
        return None
    code = fields[4].strip().lower()
    if len(code) != 6 or any(c not in "0123456789abcdef" for c in code):
        raise FeedError(f"not an ICAO address: {fields[4][:12]!r}")
    try:
        lat, lon = float(fields[14]), float(fields[15])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and _on_globe(lat, lon)):
        return None
    try:
        stamp = dt.datetime.strptime(f"{fields[6]} {fields[7]}", "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=dt.UTC)
    except ValueError:
        try:
            stamp = dt.datetime.strptime(f"{fields[6]} {fields[7]}", "%Y/%m/%d %H:%M:%S").replace(tzinfo=dt.UTC)
        except ValueError:
            raise FeedError("no readable date and time") from None
    on_ground = fields[1] == "2" or (len(fields) > 21 and fields[21].strip() in ("-1", "1"))
    try:
        feet = float(fields[11]) if fields[11].strip() else None
    except ValueError:
        feet = None
    if feet is not None and not math.isfinite(feet):
        feet = None
    return Position(code, stamp, lat, lon, 0.0 if on_ground else feet, on_ground, None, source)


def opensky_states(document: Any, source: str | None = None) -> list[Position]:
    """OpenSky REST /states/all: altitudes in metres; the position's own time (time_position)."""
    if not isinstance(document, dict) or "states" not in document:
        raise FeedError("not an OpenSky states response ('time', 'states')")
    found = []
    for row in document.get("states") or []:
        if not isinstance(row, list) or len(row) < 9 or not isinstance(row[0], str):
            raise FeedError("an OpenSky state is not [icao24, callsign, country, time_position, ...]")
        lat, lon = _number(row[6]), _number(row[5])
        when = _number(row[3]) or _number(row[4]) or _number(document.get("time"))
        if not _on_globe(lat, lon) or when is None:
            continue
        metres = _number(row[7])
        on_ground = row[8] is True
        feet = 0.0 if on_ground else (metres * 3.28084 if metres is not None else None)
        found.append(Position(row[0].strip().lower(), _moment(when), lat, lon, feet, on_ground, None, source))  # type: ignore[arg-type]
    return found


_NDJSON_HEX = re.compile(rb'"hex"\s*:\s*"~?([0-9A-Fa-f]{6})"')
_NDJSON_REGISTRATION = re.compile(rb'"r"\s*:\s*"([^"]{1,16})"')


class LineReader:
    """One line of a stream (SBS or readsb JSON) to a Position of a watched aircraft, or None.

    The aircraft's address is looked at before anything else is parsed, so the lines of the
    thousands of aircraft nobody watches cost a split and a set lookup: `wanted(hex,
    registration)` says whether an aircraft is watched (the watchlist's own test, so an address
    learnt from a registration is followed at once)."""

    def __init__(self, kind: str, wanted: Callable[[str, str | None], bool], source: str | None = None) -> None:
        self.kind, self.wanted, self.source = kind, wanted, source

    def position(self, line: bytes, now: float) -> Position | None:
        if self.kind == "sbs":
            fields = line.split(b",", 5)
            if len(fields) < 6 or fields[0] != b"MSG":
                return sbs_line(line, self.source)  # another message type, or garbage: said so there
            if fields[1] not in (b"2", b"3"):
                return None
            code = fields[4].decode("ascii", errors="replace").strip().lower()
            if not self.wanted(code, None):
                return None
            return sbs_line(line, self.source)
        found = _NDJSON_HEX.search(line)
        if found is not None:
            code = found.group(1).decode().lower()
            registration = _NDJSON_REGISTRATION.search(line)
            text = registration.group(1).decode("utf-8", errors="replace") if registration else None
            if not self.wanted(code, text):
                return None
        return ndjson_line(line, now, self.source)
