"""Points along many WGS84 geodesics at once, evenly spaced, for `geo.routes`.

GeographicLib (pyproj) places every KNOT_EVERY-th point exactly, with the azimuth there; the
points between two such knots come from a cubic Hermite curve through the knots' unit normals
(the vector (cos lat cos lon, cos lat sin lon, sin lat)) and their derivatives along the
geodesic. The normal is smooth along any geodesic, over the poles and across the antimeridian
alike, so the curve's error shrinks as the fourth power of the knots' spacing: at 12 x 25 km it is
under 1 cm (tests/test_geodesic.py holds it to 1 cm against `Geod.fwd` on real airport pairs, the
antimeridian, the poles and nearly antipodal pairs). One GeographicLib call per leg in a Python
loop, and GeographicLib's cost per point, were most of the time a batch's legs took; this costs a
handful of numpy operations per point and one vectorised GeographicLib call per knot.
"""

from __future__ import annotations

from typing import Any, NamedTuple

KNOT_EVERY = 12  # points per knot: the error grows as its fourth power (12: under 1 cm at 25-km spacing)
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)


class Knots(NamedTuple):
    """Legs cut into intervals of `every` stretches (a shorter one, then the leg's last point as
    an interval of one point, so that every point is the start of an interval or inside one).
    Per interval: its leg, its first point's number on the leg, its points, and its first point
    (the knot: longitude, latitude, forward azimuth in degrees) as GeographicLib places it."""

    leg: Any
    start: Any
    size: Any
    lons: Any
    lats: Any
    azimuths: Any
    spacing: Any  # per leg, metres between points
    every: int


def knots(
    geod: Any, lat1: Any, lon1: Any, azimuth: Any, spacing: Any, stretches: Any, every: int = KNOT_EVERY
) -> Knots:
    """The knots of the points 0, spacing, 2 x spacing, ... stretches x spacing metres along each
    geodesic from (lat1, lon1) at `azimuth` (`points` places the points between them)."""
    import numpy as np

    stretches = np.asarray(stretches, dtype=np.int64)
    spacing = np.asarray(spacing, dtype=float)
    full, part = np.divmod(stretches, every)
    intervals = full + (part > 0) + 1
    leg = np.repeat(np.arange(len(stretches)), intervals)
    number = np.arange(len(leg)) - np.repeat(np.cumsum(intervals) - intervals, intervals)
    start = np.minimum(number * every, stretches[leg])  # the knot: its point's number on its leg
    size = np.maximum(np.minimum(stretches[leg] - start, every), 1)  # points from the knot on
    lons, lats, azimuths = _knots(geod, lat1, lon1, azimuth, spacing, stretches, full, part, every)
    return Knots(leg, start, size, lons, lats, azimuths, spacing, every)


def even_points(
    geod: Any, lat1: Any, lon1: Any, azimuth: Any, spacing: Any, stretches: Any, every: int = KNOT_EVERY
) -> tuple[Any, Any]:
    """Longitudes and latitudes (degrees, longitudes within -180..180) of the points 0, spacing,
    2 x spacing, ... stretches x spacing metres along each geodesic from (lat1, lon1) at
    `azimuth`: stretches + 1 points per leg, leg after leg, as `Geod.fwd` would place them to
    within millimetres. `geod` is a pyproj Geod on WGS84."""
    return points(knots(geod, lat1, lon1, azimuth, spacing, stretches, every))


def points(knots: Knots, whole: Any = None) -> tuple[Any, Any]:
    """Longitudes and latitudes of the knots' points, interval after interval: every point of an
    interval where `whole` is true (all of them without `whole`), only the knot of the others
    (computed as any point is, so a point is the same whichever intervals are asked for)."""
    import numpy as np

    leg, size, spacing, every = knots.leg, knots.size, knots.spacing, knots.every
    lon, lat, forward = np.radians(knots.lons), np.radians(knots.lats), np.radians(knots.azimuths)
    sin_lat, cos_lat, sin_lon, cos_lon = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    # d(normal)/ds = cos(azimuth) / M * north + sin(azimuth) / N * east (M, N: the radii of
    # curvature in the meridian and the prime vertical), in radians per metre
    w = 1 - WGS84_E2 * sin_lat * sin_lat
    northward = np.cos(forward) * w * np.sqrt(w) / (WGS84_A * (1 - WGS84_E2))
    eastward = np.sin(forward) * np.sqrt(w) / WGS84_A
    normal = (cos_lat * cos_lon, cos_lat * sin_lon, sin_lat)
    slope = (
        -sin_lat * cos_lon * northward - sin_lon * eastward,
        -sin_lat * sin_lon * northward + cos_lon * eastward,
        cos_lat * northward,
    )
    # Each point is a Hermite combination of its interval's two knots: per interval and
    # coordinate the coefficients (knot, change to the next knot, slopes times the interval's
    # length), times the basis at t = 0, 1/every, ...; intervals shorter than
    # `every` (a leg's last two) have their own t. A leg's last interval has t = 0 only, so its
    # successor (the next leg's first knot, or itself at the very end) plays no part. Only the
    # intervals asked for whole are evaluated; the others' knots are placed among their points.
    following = np.minimum(np.arange(len(leg)) + 1, len(leg) - 1)
    rows = np.arange(len(leg)) if whole is None else np.flatnonzero(whole | (size == 1))
    single = None if whole is None else np.flatnonzero(~whole & (size > 1))
    leg, size, following = leg[rows], size[rows], following[rows]
    length = size * spacing[leg]
    short = np.flatnonzero(size < every)
    basis = _hermite(np.arange(every) / every)  # 4 x every
    short_basis = _hermite(np.arange(every)[None, :] / size[short][:, None])  # 4 x short x every
    keep = np.ones((len(leg), every), dtype=bool)
    keep[short] = np.arange(every)[None, :] < size[short][:, None]
    alone = None
    if single is not None and len(single):
        counts = np.ones(len(knots.leg), dtype=np.int64)
        counts[rows] = size
        alone = np.zeros(int(counts.sum()), dtype=bool)  # per point: a knot without its interval
        alone[(np.cumsum(counts) - counts)[single]] = True
    coordinates = []
    term = np.empty((len(leg), every))
    for n, s in zip(normal, slope, strict=True):
        # outer products added in place, into arrays made once (a matrix product would call
        # BLAS, whose idle threads spin on the CPU a shared machine is short of)
        knot = n[rows]
        coefficients = (knot, n[following] - knot, s[rows] * length, s[following] * length)
        values = np.multiply.outer(coefficients[1], basis[1])
        values += knot[:, None]
        values += np.multiply.outer(coefficients[2], basis[2], out=term)
        values += np.multiply.outer(coefficients[3], basis[3], out=term)
        values[short] = sum(c[short][:, None] * b for c, b in zip(coefficients, short_basis, strict=True))
        values = values[keep]
        if alone is not None:
            # a knot alone is its normal: t = 0 gives it exactly (the other terms are zeros)
            spread = np.empty(len(alone))
            spread[alone] = n[single]
            spread[~alone] = values
            values = spread
        coordinates.append(values)
    x, y, z = coordinates
    # degrees(arctan2(y, x)) and degrees(arctan2(z, sqrt(x * x + y * y))), operation for
    # operation, written over the coordinates
    lons = np.arctan2(y, x)
    across = np.multiply(x, x, out=x)
    across += np.multiply(y, y, out=y)
    lats = np.arctan2(z, np.sqrt(across, out=across), out=z)
    return np.degrees(lons, out=lons), np.degrees(lats, out=lats)


def _knots(
    geod: Any, lat1: Any, lon1: Any, azimuth: Any, spacing: Any, stretches: Any, full: Any, part: Any, every: int
) -> tuple[Any, Any, Any]:
    """Longitude, latitude and forward azimuth (degrees) at each leg's knots: points 0, every,
    2 x every, ... (one GeographicLib line per leg, `fwd_intermediate`: the points `Geod.fwd`
    gives, at a fraction of its cost per point), then its last point where that is not one of
    them (`Geod.fwd` for all such legs at once)."""
    import numpy as np

    lat1, lon1, azimuth = (np.asarray(v, dtype=float) for v in (lat1, lon1, azimuth))
    ending = part > 0
    intervals = full + 1 + ending
    first = np.cumsum(intervals) - intervals
    lons, lats, azimuths = (np.empty(int(intervals.sum())) for _ in range(3))
    columns = (lon1, lat1, azimuth, full + 1, spacing * every, first)
    forward = geod.fwd_intermediate
    for x, y, a, n, d, f in zip(*(column.tolist() for column in columns), strict=True):
        forward(
            x,
            y,
            a,
            n,
            d,
            initial_idx=0,
            terminus_idx=0,
            out_lons=lons[f : f + n],
            out_lats=lats[f : f + n],
            out_azis=azimuths[f : f + n],
            return_back_azimuth=False,
        )
    ends = np.flatnonzero(ending)
    if len(ends):
        last = first[ends] + intervals[ends] - 1
        lons[last], lats[last], back = geod.fwd(lon1[ends], lat1[ends], azimuth[ends], stretches[ends] * spacing[ends])
        azimuths[last] = np.asarray(back) + 180.0
    return lons, lats, azimuths


def _hermite(t: Any) -> Any:
    """The cubic Hermite basis at t, stacked: start value, change to the end value, start slope,
    end slope (the slopes per interval length)."""
    import numpy as np

    return np.stack((np.ones_like(t), t * t * (3 - 2 * t), t * (1 - t) * (1 - t), t * t * (t - 1)))
