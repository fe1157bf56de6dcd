"""The tiled bulk lookup answers exactly as the untiled polygons do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from icc_travel.data.models import Dataset
from icc_travel.geo.geometry import TerritoryIndex, TiledIndex

pytestmark = pytest.mark.dateless  # the grid against the polygons: geometry, no date


@pytest.fixture(scope="module")
def geometries(dataset: Dataset) -> np.ndarray:
    return TerritoryIndex(Path(dataset.territories_path)).geometries


@pytest.fixture(scope="module")
def tiled(tiled_index: TiledIndex) -> TiledIndex:
    """The grid as commands use it (conftest.tiled_index)."""
    return tiled_index


def untiled(geometries: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """The plain polygon answer: the lowest feature index holding each point (its boundary
    included), -1 for none. The polygons' boxes are queried in an STRtree and each candidate
    tested on the prepared polygon (`intersects_xy`): GEOS's own exact predicate, about fifty
    times faster at full resolution than querying the tree with the predicate."""
    tree = shapely.STRtree(geometries)
    shapely.prepare(geometries)
    point, feature = tree.query(shapely.points(lons, lats))
    hit = shapely.intersects_xy(geometries[feature], lons[point], lats[point])
    best = np.full(len(lats), np.iinfo(np.int64).max)
    np.minimum.at(best, point[hit], feature[hit].astype(np.int64))
    return np.where(best == np.iinfo(np.int64).max, -1, best)


def test_the_grid_is_exact_where_boundaries_are(geometries: np.ndarray, tiled: TiledIndex) -> None:
    """Where an approximate index goes wrong: boundary vertices themselves, points a nanometre
    to a few kilometres from them, and points on the grid's own cell edges (multiples of 1/64°)."""
    rng = np.random.default_rng(15)
    vertices = shapely.get_coordinates(shapely.boundary(geometries))
    # 30,000 of the full-resolution file's 1.9 million vertices, each in eight variants
    picks = vertices[rng.integers(0, len(vertices), 30_000)]
    lons, lats = picks[:, 0], picks[:, 1]
    sets = [(lats, lons)]
    for scale in (1e-12, 1e-9, 1e-6, 0.01, 0.1):
        jitter = rng.uniform(-scale, scale, (len(picks), 2))
        sets.append((np.clip(lats + jitter[:, 1], -90, 90), np.clip(lons + jitter[:, 0], -180, 180)))
    sets.append((np.round(lats * 64) / 64, np.round(lons * 64) / 64))  # on leaf corners and edges
    sets.append((np.round(lats * 64) / 64, lons))
    for set_lats, set_lons in sets:
        assert np.array_equal(tiled.lookup(set_lats, set_lons), untiled(geometries, set_lats, set_lons))


def test_tiled_lookup_agrees_with_untiled_polygons(geometries: np.ndarray, tiled: TiledIndex) -> None:
    rng = np.random.default_rng(11)
    lats = np.degrees(np.arcsin(rng.uniform(-1, 1, 20_000)))
    lons = rng.uniform(-180, 180, 20_000)
    # add points where borders and coasts are dense
    lats = np.concatenate([lats, rng.uniform(35, 60, 5_000), rng.uniform(-20, 15, 5_000)])
    lons = np.concatenate([lons, rng.uniform(-10, 40, 5_000), rng.uniform(90, 180, 5_000)])
    assert np.array_equal(tiled.lookup(lats, lons), untiled(geometries, lats, lons))


def test_tiled_lookup_known_points(dataset: Dataset, tiled: TiledIndex) -> None:
    found = tiled.lookup([47.92, 41.9029, -8.52, -16.8, 30.0, 89.9], [106.92, 12.4534, 179.19, -179.9, -30.0, 0.0])
    codes = [
        dataset.territories[[t.feature_index for t in dataset.territories].index(f)].iso3 if f >= 0 else None
        for f in found
    ]
    assert codes == ["MNG", "VAT", "TUV", "FJI", None, None]
