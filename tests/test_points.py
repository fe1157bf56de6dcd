"""One point located without numpy or shapely (geo.points) gives the polygons' answer, or none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from icc_travel.geo.places import PlaceResolver
from icc_travel.geo.points import point_grid

pytestmark = pytest.mark.dateless  # one point against the polygons, and its cache: geometry, no date

BORDER_POINTS = Path(__file__).resolve().parent / "data" / "border_points.npz"


@pytest.fixture
def grid(resolver: PlaceResolver):
    return point_grid(Path(resolver.dataset.territories_path), lambda: resolver._index.geometries)


def polygon_answers(resolver: PlaceResolver, lats: np.ndarray, lons: np.ndarray) -> list[int]:
    """The lowest feature index whose polygon holds each point (-1: none): the untiled query's
    rule, with the tree's boxes for candidates and the prepared polygons to decide."""
    geometries, tree = resolver._index.geometries, resolver._index.tree
    point, feature = tree.query(shapely.points(lons, lats))
    shapely.prepare(geometries)
    hit = shapely.intersects_xy(geometries[feature], lons[point], lats[point])
    best = np.full(len(lats), np.iinfo(np.int64).max)
    np.minimum.at(best, point[hit], feature[hit].astype(np.int64))
    return np.where(best == np.iinfo(np.int64).max, -1, best).tolist()


def sample_sets(resolver: PlaceResolver) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(28)
    with np.load(BORDER_POINTS, allow_pickle=False) as stored:
        border = (stored["lat_e6"] / 1e6, stored["lon_e6"] / 1e6)
    vertices = shapely.get_coordinates(shapely.get_parts(shapely.boundary(resolver._index.geometries)))
    pick = rng.choice(len(vertices) - 1, 5_000, replace=False)
    middles = (vertices[pick] + vertices[pick + 1]) / 2
    return {
        "within 1 km of every border and coast": border,
        "uniform over the globe": (rng.uniform(-90, 90, 20_000), rng.uniform(-180, 180, 20_000)),
        "boundary vertices": (vertices[pick, 1], vertices[pick, 0]),
        "middles of boundary edges": (middles[:, 1], middles[:, 0]),
        "metres from boundary vertices": (
            vertices[pick, 1] + rng.normal(0, 1e-4, len(pick)),
            vertices[pick, 0] + rng.normal(0, 1e-4, len(pick)),
        ),
        "grid lines and the globe's edges": (
            np.array([90.0, -90.0, 0.0, 0.0, 45.125, -12.5, 89.999999, 60.0, 0.0]),
            np.array([180.0, -180.0, 180.0, -180.0, 7.625, 30.0, 0.0, 25.0, 0.0]),
        ),
    }


def test_the_point_grid_gives_the_polygons_answer_or_none(resolver: PlaceResolver, grid) -> None:
    assert grid is not None
    for name, (lats, lons) in sample_sets(resolver).items():
        fast = [grid.lookup(lat, lon) for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True)]
        slow = polygon_answers(resolver, lats, lons)
        wrong = [(lat, lon, f, s) for lat, lon, f, s in zip(lats, lons, fast, slow, strict=True) if f not in (None, s)]
        assert wrong == [], name
        if name in ("within 1 km of every border and coast", "uniform over the globe"):
            undecided = sum(f is None for f in fast)
            assert undecided <= len(fast) // 1000, f"{name}: {undecided} points left to the polygons"


def test_locate_answers_as_the_polygons_do_on_every_sample(resolver: PlaceResolver) -> None:
    """`locate` (the point grid, the polygons where it cannot tell) against the polygons alone."""
    for name, (lats, lons) in sample_sets(resolver).items():
        lats, lons = lats[:1_000], lons[:1_000]
        found = [resolver.locate(lat, lon) for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True)]
        features = [t.feature_index if t is not None else -1 for t in found]
        assert features == polygon_answers(resolver, lats, lons), name


def test_a_damaged_cache_is_rebuilt(resolver: PlaceResolver, grid) -> None:
    from icc_travel.geo import points

    territories = Path(resolver.dataset.territories_path)
    cache = points.cache_path(territories)
    damaged = cache.with_name("damaged")
    damaged.write_bytes(cache.read_bytes()[:1000])
    damaged.replace(cache)  # as a cut copy would: a new file (the one mapped stays whole)
    points._grid.cache_clear()
    rebuilt = point_grid(territories, lambda: resolver._index.geometries)
    assert rebuilt is not None
    assert rebuilt.lookup(47.92, 106.92) == grid.lookup(47.92, 106.92) >= 0


def test_check_on_a_coordinate_or_an_airport_imports_neither_numpy_nor_shapely(resolver: PlaceResolver, grid) -> None:
    """The point grid exists (the fixture built it); the command then answers without them."""
    script = (
        "import sys\n"
        "from icc_travel.cli.main import cli\n"
        "for place in ('47.92,106.92@2024-09-03', 'airport:ULN@2024-09-03'):\n"
        "    try:\n"
        "        cli.main(['check', 'putin', place], standalone_mode=False)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('numpy', 'shapely') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "Mongolia" in done.stdout


def test_one_airport_is_found_as_the_whole_table_gives_it() -> None:
    """Every code that more than one row carries (the last row wins), and a sample of the rest."""
    import csv
    from collections import Counter

    import airportsdata

    from icc_travel.geo import places

    with Path(airportsdata.__file__).with_name("airports.csv").open(encoding="utf8") as handle:
        rows = list(csv.DictReader(handle, quoting=csv.QUOTE_NONNUMERIC))
    for code_type, known in (("IATA", ["ULN", "AKT"]), ("ICAO", ["LCRA", "ZMUB"])):
        table = airportsdata.load(code_type)
        counts = Counter(row[code_type.lower()] for row in rows)
        repeated = [code for code, count in counts.items() if code and count > 1]
        codes = sorted(table)
        sample = [*codes[:: max(1, len(codes) // 600)], *repeated, *known]
        places.airport_table.cache_clear()  # not loaded: the CSV is searched
        for code in sample:
            assert places.find_airport(code_type, code) == table[code], (code_type, code)
        assert places.find_airport(code_type, "Q" * len(known[0])) is None


def test_a_few_points_are_answered_as_many_are(resolver: PlaceResolver) -> None:
    """`feature_indexes` asks the point grid point by point for a few points (a bisection step of
    `watch`) and the tiled grid for many: the same answers, on points near borders and coasts."""
    with np.load(BORDER_POINTS, allow_pickle=False) as stored:
        lats, lons = stored["lat_e6"][:4000] / 1e6, stored["lon_e6"][:4000] / 1e6
    many = resolver.feature_indexes(lats, lons)
    few = np.concatenate([resolver.feature_indexes(lats[n : n + 3], lons[n : n + 3]) for n in range(0, len(lats), 3)])
    assert len(set(many.tolist())) > 20
    assert few.tolist() == many.tolist()


def test_a_track_sized_query_reads_the_cached_grid_not_the_polygons(resolver: PlaceResolver) -> None:
    """Once the grid is in the cache, a query of a few thousand points (one recorded flight) opens
    it rather than loading the polygons' tree, and answers as the polygons do."""
    resolver.tiled_index()  # in the cache from here on
    fresh = PlaceResolver(resolver.dataset)
    rng = np.random.default_rng(16)
    lats, lons = rng.uniform(-60, 70, 3_000), rng.uniform(-180, 180, 3_000)
    found = fresh.feature_indexes(lats, lons)
    assert found.tolist() == polygon_answers(resolver, lats, lons)
    assert len(set(found.tolist())) > 20
    assert "_index" not in fresh.__dict__  # the polygons' tree was never built
    located = fresh.locate_many(list(zip(lats[:50].tolist(), lons[:50].tolist(), strict=True)))
    assert [t.feature_index if t else -1 for t in located] == found[:50].tolist()
