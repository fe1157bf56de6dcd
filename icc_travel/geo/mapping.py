"""World maps coloured by obligation level, with stops and great-circle legs. geopandas and
matplotlib are imported only here."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from icc_travel.data.models import Dataset, Subject
from icc_travel.geo.routes import geodesic_path
from icc_travel.vocabulary import LEVEL_LOOKS, Level

if TYPE_CHECKING:  # the stops are the engine's results; the map only reads their places and dates
    from icc_travel.engine.check import StopResult

# territories are filled by what a landing there would mean: overflight is a track's, not a fill's
COLOURS = {level: LEVEL_LOOKS[level].colour for level in (Level.ARREST, Level.CONTINUING, Level.NONE)}
LABELS = {level: LEVEL_LOOKS[level].label for level in COLOURS}
OCEAN = "#eef4f8"
LEG_COLOUR = "#1b4f72"
STOP_COLOUR = "#1b1b1b"
PROJECTION = "EPSG:8857"  # Equal Earth: equal-area, so small island states keep their true size
SMALL_AREA_M2 = 3e9  # below ~3,000 km2 a territory is also drawn as a dot so it stays visible
WORLD_X, WORLD_Y = 17_243_959.0, 8_392_927.6
DRAW_TOLERANCE = 0.01  # degrees: well under a pixel of the drawn map


@dataclass(frozen=True)
class MapInfo:
    path: Path
    width: int
    height: int
    pixel: Callable[[float, float], tuple[int, int]]  # (lon, lat) -> (column, row) in the saved image


def render_map(
    dataset: Dataset,
    subject: Subject,
    on: dt.date,
    levels: Sequence[str],
    grey_note: str | None,
    stops: Sequence[StopResult],
    output: Path,
    *,
    tracks: Sequence[Any] = (),
    width_in: float = 16.0,
    height_in: float = 7.8,
    dpi: int = 100,
) -> MapInfo:
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shapely
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from pyproj import Transformer

    from icc_travel.geo.geometry import TerritoryIndex

    plt.rcParams["svg.fonttype"] = "none"  # keep text as text in SVG
    geometries = TerritoryIndex(Path(dataset.territories_path)).geometries
    frame = gpd.GeoDataFrame(
        {"iso3": [t.iso3 for t in dataset.territories], "level": list(levels)},
        # the file is at full resolution; a pixel of the default map is about 0.2 degrees wide
        geometry=[shapely.simplify(geometries[t.feature_index], DRAW_TOLERANCE) for t in dataset.territories],
        crs="EPSG:4326",
    ).to_crs(PROJECTION)

    figure, axes = plt.subplots(figsize=(width_in, height_in), dpi=dpi)
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.04, top=0.95)
    axes.set_facecolor(OCEAN)
    for level, colour in COLOURS.items():
        part = frame[frame["level"] == level]
        if len(part):
            part.plot(ax=axes, color=colour, edgecolor="white", linewidth=0.25)
    small = frame[frame.geometry.area < SMALL_AREA_M2]
    points = small.geometry.representative_point()
    axes.scatter(
        points.x,
        points.y,
        s=14,
        c=[COLOURS[level] for level in small["level"]],
        edgecolors="#333333",
        linewidths=0.4,
        zorder=3,
    )

    forward = Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)
    located = [stop for stop in stops if stop.place.lat is not None and stop.place.lon is not None]
    for start, end in itertools.pairwise(located):
        for lons, lats in geodesic_path(start.place.lat, start.place.lon, end.place.lat, end.place.lon):
            xs, ys = forward.transform(lons, lats)
            axes.plot(xs, ys, color=LEG_COLOUR, linewidth=1.6, linestyle=(0, (5, 2)), zorder=4)
    places: dict[tuple[int, int], tuple[float, float, list[str]]] = {}
    for number, stop in enumerate(stops, 1):
        lon, lat = stop_point(stop, geometries)
        if lon is None or lat is None:
            continue
        x, y = forward.transform(lon, lat)
        spot = (round(x / 50_000), round(y / 50_000))  # stops within ~50 km share one ring and label
        places.setdefault(spot, (x, y, []))[2].append(f"{number} · {stop.spec.date}")
    placed: list[tuple[float, float]] = []
    for x, y, labels in places.values():
        # labels of nearby stops stack downwards instead of printing over each other
        crowd = sum(1 for px, py in placed if abs(px - x) < 1_500_000 and abs(py - y) < 400_000)
        placed.append((x, y))
        # a ring, not a disc: the country's colour under the stop stays visible
        axes.scatter([x], [y], s=110, facecolors="none", edgecolors="white", linewidths=3.2, zorder=5)
        axes.scatter([x], [y], s=110, facecolors="none", edgecolors=STOP_COLOUR, linewidths=1.8, zorder=5)
        axes.annotate(
            "\n".join(labels),
            (x, y),
            xytext=(8, 6 - 16 * crowd),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            color=STOP_COLOUR,
            zorder=6,
        )

    for result in tracks:
        _draw_track(axes, forward, result)

    axes.set_aspect("equal", adjustable="box")
    axes.set_xlim(-WORLD_X, WORLD_X)
    axes.set_ylim(-WORLD_Y * 0.72, WORLD_Y)  # Antarctica is not a state: leave the far south out
    axes.set_xticks([])
    axes.set_yticks([])
    axes.set_xlabel("")
    axes.set_ylabel("")
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_title(f"Obligation to arrest {subject.name} on {on}", fontsize=15, loc="left")
    explanation = grey_note
    if stops:
        dates = sorted({stop.spec.date for stop in stops})
        if dates != [on]:
            note = f"Colours show {on}; each stop is labelled with its own date, and its answer may differ."
            explanation = f"{explanation} {note}" if explanation else note
    if explanation:
        axes.text(0.0, 1.0, explanation, transform=axes.transAxes, fontsize=10, color="#333333", va="top", wrap=True)
    handles = [Patch(facecolor=COLOURS[level], edgecolor="#555555", label=LABELS[level]) for level in COLOURS]
    if stops:
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="none",
                markeredgecolor=STOP_COLOUR,
                markeredgewidth=1.8,
                markersize=9,
                label="Itinerary stop (number · date)",
            )
        )
    if len(located) >= 2:
        handles.append(Line2D([], [], color=LEG_COLOUR, linestyle=(0, (5, 2)), label="Great-circle leg"))
    if tracks:
        handles.append(
            Line2D([], [], color=TRACK_COLOURS["overflight"], linewidth=2.2, label="Recorded track over a party")
        )
        handles.append(Line2D([], [], color=TRACK_COLOURS["none"], linewidth=2.2, label="Recorded track, no duty"))
        handles.append(Line2D([], [], color="#777777", linestyle=(0, (2, 2)), label="Gap in the record"))
    axes.legend(handles=handles, loc="lower left", fontsize=9, frameon=True, title="Legend")
    figure.text(
        0.99,
        0.012,
        f"Data as of {dataset.as_of}. Boundaries © OpenStreetMap contributors (ODbL). icc-travel",
        ha="right",
        va="bottom",
        fontsize=8,
        color="#555555",
    )
    figure.canvas.draw()
    width, height = figure.canvas.get_width_height()
    transform = axes.transData

    def pixel(lon: float, lat: float) -> tuple[int, int]:
        x, y = forward.transform(lon, lat)
        column, row_from_bottom = transform.transform((x, y))
        return round(column), round(height - row_from_bottom)

    figure.savefig(output, dpi=dpi, facecolor="white", format=output.suffix.lstrip(".").lower() or None)
    plt.close(figure)
    return MapInfo(output, width, height, pixel)


TRACK_COLOURS = {str(level): look.track_colour for level, look in LEVEL_LOOKS.items()}


def _draw_track(axes: Any, forward: Any, result: Any) -> None:
    """The recorded fixes as lines coloured by level, gaps dashed along their great circle."""
    for level, lons, lats in track_stretches(result):
        xs, ys = forward.transform(lons, lats)
        if level == GAP:
            axes.plot(xs, ys, color="#777777", linewidth=1.4, linestyle=(0, (2, 2)), zorder=4)
        else:
            axes.plot(
                xs, ys, color=TRACK_COLOURS.get(level, "#1b4f72"), linewidth=2.2, solid_capstyle="round", zorder=4
            )


GAP = "gap"


def track_stretches(result: Any) -> list[tuple[str, list[float], list[float]]]:
    """A track result as (level or GAP, lons, lats) stretches, for any drawing: each stretch of
    recorded fixes coloured by the level of the segment flown there; a gap follows its great
    circle (never drawn as flown track); nothing is drawn across ±180°.

    Worked out on the fixes' arrays (the level at the middle of each pair of fixes by one sorted
    search over the segments, in microseconds as datetimes compare); Python visits only where a
    stretch begins."""
    import numpy as np

    from icc_travel.geo.tracks import EARLIEST, fix_arrays

    columns = fix_arrays(result.fixes)  # without the positions the quality filter left out: never drawn as flown
    count = len(columns.seconds)
    if count < 2:
        return []
    flown = sorted(
        (s for s in result.segments if not s.inferred and s.entered is not None and s.left is not None),
        key=lambda s: s.entered,
    )

    def micros(moment: dt.datetime) -> int:
        return (moment - EARLIEST) // dt.timedelta(microseconds=1)

    names = ["none", *sorted({s.obligation.level for s in flown} - {"none"})]
    starts = np.array([micros(s.entered) for s in flown], dtype=np.int64)
    lefts = np.array([micros(s.left) for s in flown], dtype=np.int64)
    segment_levels = np.array([names.index(s.obligation.level) for s in flown], dtype=np.int64)
    times, lats, lons = columns.micros(), columns.lats, columns.lons
    step = times[1:] - times[:-1]
    half = step // 2 + ((step % 2 == 1) & ((step // 2) % 2 == 1))  # timedelta / 2: ties to even
    middle = times[:-1] + half
    level = np.zeros(count - 1, dtype=np.int64)  # "none" where no flown segment holds the middle
    if len(flown):
        index = np.searchsorted(starts, middle, side="right") - 1
        safe = np.maximum(index, 0)
        inside = (index >= 0) & (middle <= lefts[safe])
        level = np.where(inside, segment_levels[safe], 0)
    gap = np.isin(times[:-1], np.array([micros(g.start) for g in result.gaps], dtype=np.int64))
    normal = ~gap & ~(np.abs(lons[1:] - lons[:-1]) > 180)  # across ±180°: no line through the map's middle
    begins = normal & ~(np.concatenate([[False], normal[:-1]]) & (level == np.concatenate([[-1], level[:-1]])))
    ends = np.flatnonzero(~normal | begins)  # a stretch's pairs run up to the next of these
    stretches: list[tuple[str, list[float], list[float]]] = []
    for pair in np.flatnonzero(begins | gap).tolist():
        if gap[pair]:
            stretches += [
                (GAP, list(path_lons), list(path_lats))
                for path_lons, path_lats in geodesic_path(
                    float(lats[pair]), float(lons[pair]), float(lats[pair + 1]), float(lons[pair + 1])
                )
            ]
            continue
        after = int(np.searchsorted(ends, pair, side="right"))
        last = int(ends[after]) if after < len(ends) else count - 1  # the stretch's last fix
        stretches.append((names[level[pair]], lons[pair : last + 1].tolist(), lats[pair : last + 1].tolist()))
    return stretches


def stop_point(stop: StopResult, geometries: Sequence) -> tuple[float | None, float | None]:
    if stop.place.lat is not None and stop.place.lon is not None:
        return stop.place.lon, stop.place.lat
    if stop.place.territory is None:
        return None, None
    point = geometries[stop.place.territory.feature_index].representative_point()
    return point.x, point.y
