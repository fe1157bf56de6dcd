"""Airfields under a track: the nearest airport to a position, the ground's height there, and
where a track that carries no on-ground flag (GPX, KML) stood on an airfield.

Track files record altitudes above sea level. Within AIRPORT_GROUND_KM of an airport the ground
is taken at that airport's elevation (the `airportsdata` package), elsewhere at sea level: the
tool knows no terrain away from airports. So a track that ends on Johannesburg's runway at
5,600 ft, or stands an hour on Ulaanbaatar's apron at 4,400 ft, is on the ground there.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from icc_travel.geo.places import airport_table
from icc_travel.geo.tracks import GROUND_ALTITUDE_FT, FixArrays, haversine_km

AIRPORT_GROUND_KM = 10.0  # within this distance of an airport, the ground is at its elevation
# Slower than this, low over an airfield, an aircraft is rolling, taxiing or standing: touchdown is
# at 240-300 km/h and a landing roll slows below this within about a minute.
TAXI_KMH = 100.0
HIGHEST_FIELD_FT = 14_500.0  # above every IATA airport's elevation (Daocheng Yading, DCY: 14,472 ft)
SPEED_WINDOW_S = 30.0  # a fix's speed is judged over this long either side
NEAREST_AT_ONCE = 256  # positions measured against every airport in one array (memory: 16 MB)


@functools.cache
def _airports() -> tuple[Any, Any, Any, list[str]]:
    import numpy as np

    table = [a for a in airport_table("IATA").values() if a.get("lat") is not None]
    lats = np.array([float(a["lat"]) for a in table])  # degrees, as haversine_km takes them
    lons = np.array([float(a["lon"]) for a in table])
    feet = np.array([float(a.get("elevation") or 0.0) for a in table])  # unknown: sea level
    return lats, lons, feet, [f"{a['name']} ({a['iata']})" for a in table]


def nearest_airport(lat: float, lon: float) -> tuple[str, float]:
    """The nearest airport with an IATA code ("NAME (IATA)") and its distance in km, to 0.1."""
    name, km, _ = _nearest(lat, lon)
    return name, km


def height_above_ground_ft(lat: float, lon: float, feet: float) -> float:
    """An altitude (above sea level, as tracks record it) over the ground where it was: over the
    nearest airport's elevation within AIRPORT_GROUND_KM of it, else over sea level."""
    _, km, elevation = _nearest(lat, lon)
    return feet - elevation if km <= AIRPORT_GROUND_KM else feet


def low_over_ground(lat: float, lon: float, feet: float, within_ft: float) -> bool:
    """Whether an altitude (above sea level) is at most `within_ft` over the ground there
    (`height_above_ground_ft`). An altitude that high above the highest airfield is not, and is
    answered without the airport table: a screen of cruising aircraft (each track's end is
    asked) would otherwise read 28,000 airports and measure every end against 7,900 of them.
    An unknown altitude (NaN) is not low."""
    if feet - HIGHEST_FIELD_FT > within_ft:
        return False
    return height_above_ground_ft(lat, lon, feet) <= within_ft


def _nearest(lat: float, lon: float) -> tuple[str, float, float]:
    import numpy as np

    km, best = _nearest_many(np.array([lat], dtype=float), np.array([lon], dtype=float))
    _, _, elevations, names = _airports()
    return names[best[0]], round(float(km[0]), 1), float(elevations[best[0]])


def stood_on_airfields(columns: FixArrays) -> Any:
    """The indexes of the fixes of a track without on-ground flags (GPX, KML, positions without
    an `onground` value) that were on the ground: slower than TAXI_KMH (the faster of its
    speeds over SPEED_WINDOW_S either side) and within
    GROUND_ALTITUDE_FT of an airfield's elevation, within AIRPORT_GROUND_KM of it, or of unknown
    altitude there but in one run with such a fix. An hour standing at Budapest's gate is then a
    landing there, not an hour "airborne" over Hungary."""
    import numpy as np

    seconds, lats, lons, feet = columns.seconds, columns.lats, columns.lons, columns.feet
    count = len(seconds)
    if count < 2:
        return np.zeros(0, dtype=np.int64)  # one fix: no speed to judge by (a track's end has its own rule)
    # the speed over SPEED_WINDOW_S either side (to the first fix that far on, or the track's
    # end): a receiver that repeats a position each second until a new one arrives (OpenSky's
    # state vectors) would make an aircraft climbing out at 330 km/h stand still between repeats
    number = np.arange(count)
    later = np.minimum(np.searchsorted(seconds, seconds + SPEED_WINDOW_S, side="left"), count - 1)
    earlier = np.maximum(np.searchsorted(seconds, seconds - SPEED_WINDOW_S, side="right") - 1, 0)
    after = _kmh(columns, number, later)
    before = _kmh(columns, earlier, number)
    fastest = np.fmax(after, before)  # a side with no other fix (NaN) leaves the other's
    fastest = np.where(np.isnan(fastest), np.inf, fastest)
    unknown = np.isnan(feet)
    with np.errstate(invalid="ignore"):
        candidates = np.flatnonzero(
            (fastest <= TAXI_KMH) & (unknown | (feet <= HIGHEST_FIELD_FT + GROUND_ALTITUDE_FT)) & ~columns.ground
        )
    if not len(candidates):
        return candidates
    # a standing aircraft repeats its position: each distinct one is measured once
    places, where = np.unique(
        np.round(np.column_stack([lats[candidates], lons[candidates]]), 4), axis=0, return_inverse=True
    )
    km, best = _nearest_many(places[:, 0], places[:, 1], AIRPORT_GROUND_KM)
    elevation = _airports()[2][best]
    where = where.ravel()
    near = km[where] <= AIRPORT_GROUND_KM
    with np.errstate(invalid="ignore"):
        low = feet[candidates] - elevation[where] <= GROUND_ALTITUDE_FT  # an unknown altitude is not low
    # A slow fix near an airfield whose altitude is unknown is on the ground only within a run of
    # such fixes that holds one known to be low there: OpenSky, for one, leaves the altitude out
    # on the ground but for a fix now and then, and each such fix alone was a landing of its own.
    member = np.zeros(count, dtype=bool)
    member[candidates[near & (low | unknown[candidates])]] = True
    run = np.cumsum(member & ~np.concatenate([[False], member[:-1]])) * member  # 0 outside every run
    anchored = np.zeros(int(run.max()) + 1, dtype=bool)
    anchored[run[candidates[near & low]]] = True
    anchored[0] = False
    return np.flatnonzero(anchored[run])


def _kmh(columns: FixArrays, start: Any, end: Any) -> Any:
    """The speed from fix `start` to fix `end` (arrays of indexes) in km/h: NaN where they are
    the same fix, infinite where two fixes share a time (not slow)."""
    import numpy as np

    lats, lons = columns.lats, columns.lons
    km = haversine_km(lats[start], lons[start], lats[end], lons[end])
    with np.errstate(divide="ignore", invalid="ignore"):
        kmh = km / (columns.seconds[end] - columns.seconds[start]) * 3600
    kmh[start == end] = np.nan
    return np.where(np.isnan(kmh) & (start != end), np.inf, kmh)


def _nearest_many(lats: Any, lons: Any, limit_km: float = math.inf) -> tuple[Any, Any]:
    """Per position, the km to the nearest airport and that airport's place in `_airports`;
    with `limit_km`, of the airports that near only (beyond it the km is infinite, the place
    any). The positions are taken in order of latitude, a block at a time, each block measured
    against the airports in its band of latitude only: within 10 km, a few dozen, not 7,900 (a
    day of taxiing recorded without on-ground flags is hundreds of thousands of positions)."""
    import numpy as np

    airport_lats, airport_lons, _, _ = _airports()
    by_latitude = np.argsort(airport_lats, kind="stable")
    sorted_lats = airport_lats[by_latitude]
    margin = limit_km / 111.0 + 0.01  # degrees of latitude: a kilometre is never more than 1/110.5 of one
    order = np.argsort(lats, kind="stable")
    km = np.full(len(lats), np.inf)
    index = np.zeros(len(lats), dtype=np.int64)
    for start in range(0, len(order), NEAREST_AT_ONCE):
        part = order[start : start + NEAREST_AT_ONCE]
        low, high = np.searchsorted(sorted_lats, [lats[part].min() - margin, lats[part].max() + margin])
        if high <= low:
            continue
        band = by_latitude[low:high]
        distances = haversine_km(lats[part, None], lons[part, None], airport_lats[None, band], airport_lons[None, band])
        best = np.argmin(distances, axis=1)
        found = distances[np.arange(len(part)), best]
        close = found <= limit_km
        km[part[close]] = found[close]
        index[part[close]] = band[best[close]]
    return km, index
