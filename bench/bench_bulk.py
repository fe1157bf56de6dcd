"""Bulk point-in-territory lookup on the same random points, in one run.

    python bench/bench_bulk.py [--points 1000000]

Times the project's tiled lookup (build reported separately), a plain STRtree over the untiled
polygons, and `reverse_geocoder` when installed (`pip install ".[bench]"`). Reports points/s,
ratios, and agreement with the untiled polygons. Target (issue 5): >= 2,000,000 points/s on one
core with 100.00 % agreement.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    n = parser.parse_args().points
    dataset = store.load()
    geometries = TerritoryIndex(Path(dataset.territories_path)).geometries
    rng = np.random.default_rng(2026)
    lats = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))  # uniform on the sphere
    lons = rng.uniform(-180, 180, n)

    start = time.perf_counter()
    tiled = TiledIndex.build(geometries)
    build = time.perf_counter() - start
    start = time.perf_counter()
    ours = tiled.lookup(lats, lons)
    ours_rate = n / (time.perf_counter() - start)

    start = time.perf_counter()
    reference = untiled(geometries, lats, lons)
    plain_rate = n / (time.perf_counter() - start)
    agreement = float(np.mean(ours == reference)) * 100

    print(f"points: {n:,} (uniform on the sphere); territories: {len(geometries)}")
    print(f"{'method':42} {'points/s':>14} {'x untiled':>10} {'agreement':>10}")
    print(f"{'icc-travel tiled 1-degree grid':42} {ours_rate:14,.0f} {ours_rate / plain_rate:10.1f} {agreement:9.4f}%")
    print(f"{'  (index build, once)':42} {build:13.2f}s")
    print(f"{'plain STRtree, untiled polygons':42} {plain_rate:14,.0f} {1:10.1f} {100:9.4f}%")
    try:
        import reverse_geocoder
    except ImportError:
        print("reverse_geocoder: not installed (pip install '.[bench]')")
    else:
        coordinates = list(zip(lats.tolist(), lons.tolist(), strict=True))
        start = time.perf_counter()
        found = reverse_geocoder.search(coordinates, mode=1, verbose=False)
        rg_rate = n / (time.perf_counter() - start)
        by_iso2 = {t.iso2: t.iso3 for t in dataset.territories if t.territory is None}
        iso3_ref = np.array([dataset.territories[i].iso3 if i >= 0 else "" for i in _positions(dataset, reference)])
        rg_iso3 = np.array([by_iso2.get(r["cc"], "?") for r in found])
        rg_agreement = float(np.mean(rg_iso3 == iso3_ref)) * 100
        print(
            f"{'reverse_geocoder (nearest city)':42} {rg_rate:14,.0f} {rg_rate / plain_rate:10.1f} {rg_agreement:9.4f}%"
        )
    print(f"target >= 2,000,000 points/s at 100.00 %: {'met' if ours_rate >= 2e6 and agreement == 100 else 'MISSED'}")


def _positions(dataset: loaders.Dataset, features: np.ndarray) -> list[int]:
    position = {t.feature_index: i for i, t in enumerate(dataset.territories)}
    return [position.get(int(f), -1) if f >= 0 else -1 for f in features]


if __name__ == "__main__":
    main()
