"""The report page's world map as plain data for an inline SVG: one path per territory coloured
as `icc-travel map` colours it, small territories also as dots, stops as numbered circles,
great-circle legs and recorded tracks as polylines.

Written without matplotlib so the page stays small (a few hundred kB for the world) and every
shape can carry its name and level as text (`<title>`) for screen readers and tooltips. The
projection is the map command's (Equal Earth), scaled to a fixed viewBox; coordinates are
rounded to a tenth of a unit, so the same data always gives the same text.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icc_travel.data.models import Dataset
from icc_travel.geo.mapping import (
    COLOURS,
    GAP,
    LABELS,
    PROJECTION,
    SMALL_AREA_M2,
    WORLD_X,
    WORLD_Y,
    stop_point,
    track_stretches,
)
from icc_travel.geo.routes import geodesic_path
from icc_travel.vocabulary import Level

if TYPE_CHECKING:
    from icc_travel.engine.check import StopResult

VIEW_WIDTH = 1000.0
SCALE = VIEW_WIDTH / (2 * WORLD_X)  # projected metres -> view units
SOUTH = -WORLD_Y * 0.72  # as the map command: Antarctica is not a state, the far south is left out
VIEW_HEIGHT = round((WORLD_Y - SOUTH) * SCALE, 1)
SIMPLIFY = 0.3  # view units (~10 km): finer than the eye sees at full width, a tenth of the raw size
SMALL_AREA = SMALL_AREA_M2 * SCALE * SCALE
NEARBY = 6.0  # view units: stops closer than this share one marker and label
MIN_FOCUS = 60.0  # the detail view spans at least this many view units (~2,000 km)
MAX_FOCUS_SHARE = 0.3  # what is drawn spans more of the world than this: no detail view
ZOOMED_MARK = 1.5  # marks and labels in the detail view, relative to the world view's
# sizes of marks and labels on the world view, in its units
MARKS = {"border": 0.4, "stop_r": 4.5, "dot_r": 1.8, "font": 11.0, "halo": 3.0, "dx": 7.0, "dy": -6.0}


def world_map(
    dataset: Dataset,
    on: dt.date,
    levels: Sequence[str],
    grey_note: str | None,
    stops: Sequence[StopResult] = (),
    tracks: Sequence[Any] = (),
) -> dict[str, Any]:
    """The map on one date: territories by their level (the engine's answers, one per territory
    of the dataset, in its order), then what was asked about."""
    import shapely

    from icc_travel.geo.geometry import TerritoryIndex

    project = _projector()
    geometries = TerritoryIndex(Path(dataset.territories_path)).geometries
    territories, dots = [], []
    for territory, level in zip(dataset.territories, levels, strict=True):
        title = f"{territory.label}: {level} ({LABELS[level].lower()})"
        shape = shapely.transform(geometries[territory.feature_index], project)
        path = _path(shape.simplify(SIMPLIFY, preserve_topology=False))
        if path:
            territories.append({"iso3": territory.iso3, "level": level, "title": title, "d": path})
        if shape.area < SMALL_AREA or not path:  # a small island state stays visible
            point = shape.representative_point()
            dots.append({"iso3": territory.iso3, "level": level, "title": title, "x": _n(point.x), "y": _n(point.y)})

    markers: list[dict[str, Any]] = []
    located = []
    for number, stop in enumerate(stops, 1):
        lon, lat = stop_point(stop, geometries)
        if lon is None or lat is None:
            continue
        located.append(stop)
        x, y = project_point(project, lon, lat)
        near = next((m for m in markers if abs(m["cx"] - x) < NEARBY and abs(m["cy"] - y) < NEARBY), None)
        label = f"{number}"
        if near is None:
            markers.append({"cx": x, "cy": y, "numbers": [label], "levels": [stop.obligation.level]})
        else:
            near["numbers"].append(label)
            near["levels"].append(stop.obligation.level)
    stop_marks = [
        {
            "x": _n(m["cx"]),
            "y": _n(m["cy"]),
            "label": ", ".join(m["numbers"]),
            "level": Level.worst(m["levels"]),
            "title": "Stop " + ", ".join(m["numbers"]),
        }
        for m in markers
    ]
    # a track's landings, labelled with the nearest airport's code as the table names it
    landings = []
    for result in tracks:
        for landing in result.landings:
            x, y = project_point(project, landing.lon, landing.lat)
            code = re.search(r"\(([A-Z0-9]{3,4})\)$", landing.airport or "")
            landings.append(
                {
                    "x": _n(x),
                    "y": _n(y),
                    "label": code.group(1) if code else "landing",
                    "level": landing.obligation.level,
                    "title": f"Landing at {landing.airport or 'no known airport'}, {landing.time:%Y-%m-%d %H:%M} UTC",
                }
            )
            markers.append({"cx": x, "cy": y})
    legs = []
    for start, end in itertools.pairwise(s for s in located if s.place.lat is not None and s.place.lon is not None):
        for lons, lats in geodesic_path(start.place.lat, start.place.lon, end.place.lat, end.place.lon):
            legs.append({"points": _points(project, lons, lats)})
    lines = [
        {"level": level, "points": _points(project, lons, lats)}
        for result in tracks
        for level, lons, lats in track_stretches(result)
    ]
    drawn = [(m["cx"], m["cy"]) for m in markers] + [
        tuple(map(float, point.split(","))) for line in [*legs, *lines] for point in line["points"].split()
    ]
    return {
        "marks": {key: f"{size:g}" for key, size in MARKS.items()},
        "focus": focus(drawn),
        "width": _n(VIEW_WIDTH),
        "height": _n(VIEW_HEIGHT),
        "date": on.isoformat(),
        "colours": dict(COLOURS),
        "labels": dict(LABELS),
        "territories": territories,
        "dots": dots,
        "legs": legs,
        "tracks": [line for line in lines if line["level"] != GAP],
        "gaps": [line for line in lines if line["level"] == GAP],
        "stops": stop_marks,
        "landings": landings,
        "why_grey": grey_note,
    }


def focus(points: Sequence[tuple[float, float]]) -> dict[str, Any] | None:
    """A detail view of what was drawn, when it covers a small part of the world (a track over
    the Mediterranean is a few pixels wide on the world map): the box around it, padded and
    widened to the world map's shape, and its zoom factor. None when the world view shows it."""
    if not points:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    width = max(max(xs) - min(xs), (max(ys) - min(ys)) * VIEW_WIDTH / VIEW_HEIGHT) * 1.3
    width = max(width, MIN_FOCUS)
    if width > VIEW_WIDTH * MAX_FOCUS_SHARE:
        return None
    height = width * VIEW_HEIGHT / VIEW_WIDTH
    left = min(max((max(xs) + min(xs)) / 2 - width / 2, 0.0), VIEW_WIDTH - width)
    top = min(max((max(ys) + min(ys)) / 2 - height / 2, 0.0), VIEW_HEIGHT - height)
    zoom = VIEW_WIDTH / width
    return {
        "x": _n(left),
        "y": _n(top),
        "w": _n(width),
        "h": _n(height),
        # marks keep their size on screen: sizes in the detail's units, to two decimals
        **{key: f"{size / zoom * ZOOMED_MARK:.2f}" for key, size in MARKS.items()},
        "border": f"{MARKS['border'] / zoom:.2f}",  # borders as thin as on the world view
    }


def _projector() -> Callable[[Any], Any]:
    """(lon, lat) rows -> view units: Equal Earth, x from the left edge, y down from the top."""
    import numpy as np
    from pyproj import Transformer

    forward = Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)

    def project(coordinates: Any) -> Any:
        xs, ys = forward.transform(coordinates[:, 0], coordinates[:, 1])
        return np.column_stack([(np.asarray(xs) + WORLD_X) * SCALE, (WORLD_Y - np.asarray(ys)) * SCALE])

    return project


def project_point(project: Callable[[Any], Any], lon: float, lat: float) -> tuple[float, float]:
    import numpy as np

    x, y = project(np.array([[lon, lat]], dtype=float))[0]
    return float(x), float(y)


def view_position(lon: float, lat: float) -> tuple[float, float]:
    """Where a point falls on the map, in view units (0..VIEW_WIDTH, 0..VIEW_HEIGHT)."""
    return project_point(_projector(), lon, lat)


def _n(value: float) -> str:
    """A coordinate as short, stable text: one decimal, no trailing zero, never '-0'."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _path(shape: Any) -> str:
    """SVG path data for a (multi)polygon: absolute moves, implicit line-tos, closed rings."""
    import shapely

    parts = []
    for polygon in getattr(shape, "geoms", [shape]):
        if polygon.is_empty or not isinstance(polygon, shapely.Polygon):
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [f"{_n(x)} {_n(y)}" for x, y in ring.coords[:-1]]
            points = [p for p, q in zip(points, [None, *points], strict=False) if p != q]
            if len(points) >= 3:
                parts.append("M" + " ".join(points) + "Z")
    return "".join(parts)


def _points(project: Callable[[Any], Any], lons: Sequence[float], lats: Sequence[float]) -> str:
    import numpy as np

    projected = project(np.column_stack([np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)]))
    if not len(projected) or not np.isfinite(projected).all():
        return _points_one_by_one(projected)
    # decimated to the drawing's own resolution (0.1 view units): consecutive fixes that land on
    # one drawn point are one point, so a million-fix track does not write a million points; the
    # line drawn is the same, and the analysis never sees this. The points are compared by their
    # tenths as integers and only the kept ones are written as text.
    tenths = _tenths(projected)
    repeated = np.zeros(len(projected), dtype=bool)
    repeated[1:] = (tenths[1:] == tenths[:-1]).all(axis=1)
    kept = [f"{_n(x)},{_n(y)}" for x, y in projected[~repeated]]  # numpy values, rounded as numpy rounds
    if len(kept) == 1 and len(projected) > 1:
        kept.append(kept[0])  # a line needs two points, even where they coincide
    return " ".join(kept)


def _tenths(values: Any) -> Any:
    """`value * 10` rounded to an integer as `_n` rounds a numpy value (`np.round(value, 1)` is
    `rint(value * 10) / 10`): two values give the same text exactly when these are equal."""
    import numpy as np

    return np.rint(values * 10)


def _points_one_by_one(projected: Any) -> str:
    """The points written one by one (a coordinate the projection could not place, or none)."""
    points = [f"{_n(x)},{_n(y)}" for x, y in projected]
    kept = [point for point, before in zip(points, [None, *points], strict=False) if point != before]
    if len(kept) == 1 and len(points) > 1:
        kept.append(kept[0])
    return " ".join(kept)
