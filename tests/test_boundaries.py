"""Territories do not overlap, and every lookup path gives one and the same answer per point."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import shapely
from test_bulk import untiled

from icc_travel.data.models import Dataset
from icc_travel.geo.geometry import TerritoryIndex, TiledIndex
from icc_travel.geo.places import BULK_POINTS, PlaceResolver

# Points on or near borders that two features used to claim, and points on borders that follow a
# whole degree (where the bulk grid's cells meet).
PROBES = {
    "East Jerusalem": (31.743211, 35.209872),
    "Luhansk border": (48.5740, 39.3078),
    "Russia-Ukraine border, former Crimea sliver": (48.04, 39.82),
    "Suriname-French Guiana river": (5.0, -54.0),
    "Abyei": (9.6, 28.4),
    "Golan": (33.0, 35.75),
    "Canada-US 49th parallel": (49.0, -100.0),
    "Egypt-Sudan 22nd parallel": (22.0, 30.0),
    "Namibia-Botswana 20th meridian": (-23.0, 20.0),
    "Libya-Chad": (22.5, 19.0),
    "Colombia-Peru": (-2.2, -72.5),
    "Iraq-Syria": (34.5, 40.95),
}


@pytest.fixture(scope="module")
def geometries(dataset: Dataset) -> np.ndarray:
    return TerritoryIndex(Path(dataset.territories_path)).geometries


@pytest.mark.dateless
def test_no_two_territories_overlap(dataset: Dataset, geometries: np.ndarray) -> None:
    left, right = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
    assert pairs, "neighbours share edges, so some pairs must touch"
    areas = shapely.area(shapely.intersection(geometries[[i for i, _ in pairs]], geometries[[j for _, j in pairs]]))
    names = {t.feature_index: t.iso3 + (f" ({t.territory})" if t.territory else "") for t in dataset.territories}
    overlapping = [(names[i], names[j], area) for (i, j), area in zip(pairs, areas, strict=True) if area > 1e-10]
    assert overlapping == []  # 1e-10 square degrees is about a square metre: rounding, not territory


def test_crimea_is_only_crimea(dataset: Dataset, geometries: np.ndarray) -> None:
    crimea = next(t for t in dataset.territories if t.territory == "Crimea")
    west, south, east, north = shapely.bounds(geometries[crimea.feature_index])
    assert west >= 32.0 and east <= 36.8 and south >= 44.0 and north <= 46.3


@pytest.mark.dateless
def test_fine_grid_gets_one_answer_from_both_indexes(geometries: np.ndarray, tiled_index: TiledIndex) -> None:
    """Every point of a whole-degree grid (on the grid's own cell edges), shifted by a third of a
    degree in longitude on alternate rows, gets one answer, and the bulk index gives the untiled
    polygons' answer; no point lies inside two territories."""
    lats, lons = (a.ravel() for a in np.meshgrid(np.arange(-90, 90.01, 1.0), np.arange(-180, 180, 1.0), indexing="ij"))
    lons = np.where(np.round(lats) % 2 == 1, lons + 1 / 3, lons)
    points = shapely.points(lons, lats)
    assert np.array_equal(tiled_index.lookup(lats, lons), untiled(geometries, lats, lons))
    inside_idx, _ = shapely.STRtree(geometries).query(points, predicate="within")
    assert np.bincount(inside_idx, minlength=len(points)).max() <= 1


def test_library_paths_agree(resolver: PlaceResolver) -> None:
    probes = list(PROBES.values())
    one_by_one = [resolver.locate(lat, lon) for lat, lon in probes]
    small = resolver.locate_many(probes)
    filler = [(10.0 + i * 1e-6, -30.0) for i in range(BULK_POINTS)]  # open Atlantic
    bulk = resolver.locate_many(probes + filler)[: len(probes)]
    assert one_by_one == small == bulk
    assert all(t is None or t.iso3 for t in one_by_one)


def _answers(rows: list[dict]) -> dict[str, tuple]:
    return {row["place"]: (row["iso3"], row["obligation"], row["basis"]) for row in rows}


def test_check_small_and_large_batches_agree(invoke: Callable, tmp_path: Path) -> None:
    places = [f"{lat},{lon}" for lat, lon in PROBES.values()]
    checked = {}
    for place in places:
        result = invoke("check", "putin", "--format", "json", "--", f"{place}@2025-01-01")
        stop = json.loads(result.stdout)["stops"][0]
        checked[place] = ((stop["country"] or {}).get("iso3") or "", stop["obligation"], stop["basis"])

    def batch(rows: int) -> dict[str, tuple]:
        source = tmp_path / f"rows-{rows}.csv"
        with source.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["itinerary", "subject", "place", "date"])
            for n, place in enumerate(places):
                writer.writerow([f"probe-{n}", "putin", place, "2025-01-01"])
            for n in range(rows - len(places)):
                writer.writerow([f"filler-{n}", "putin", f"{10 + n * 1e-6:.6f},-30", "2025-01-01"])
        result = invoke("batch", str(source), "--format", "csv")
        parsed = list(csv.DictReader(io.StringIO(result.stdout)))
        assert len(parsed) == rows
        return _answers([{**row, "place": row["input"]} for row in parsed[: len(places)]])

    assert batch(len(places)) == checked
    assert batch(BULK_POINTS + 10) == checked
    assert checked["31.743211,35.209872"] == ("PSE", "arrest", "state_party")


@pytest.mark.dateless
def test_points_exactly_on_boundary_vertices_agree(geometries: np.ndarray, tiled_index: TiledIndex) -> None:
    """The hardest points: exactly on a territory's vertices, where clipping to the grid could
    move an edge by a rounding error either way."""
    rng = np.random.default_rng(5)
    coordinates = shapely.get_coordinates(shapely.boundary(geometries))
    picks = coordinates[rng.integers(0, len(coordinates), 20_000)]
    lats, lons = picks[:, 1].copy(), picks[:, 0].copy()
    assert np.array_equal(tiled_index.lookup(lats, lons), untiled(geometries, lats, lons))
