"""A 1,000,000-fix track end to end against the bulk point lookup alone, in one run.

    python bench/bench_track.py [--fixes 1000000]

The track goes back and forth across the Mediterranean (many borders, 12-nm seas) with a fix
every ~1.4 km. Target (issue 14): the track analysis adds at most 2x the lookup's time and the
whole stays under 2 s on one core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from icc_travel.data import store
from icc_travel.engine.track import analyse
from icc_travel.geo.places import PlaceResolver
from icc_travel.geo.tracks import Fix, Track


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixes", type=int, default=1_000_000)
    n = parser.parse_args().fixes
    dataset = store.load()
    resolver = PlaceResolver(dataset)
    phase = np.linspace(0, 40 * np.pi, n)
    lats = 38.0 + 4.0 * np.sin(phase / 7)
    lons = 15.0 + 18.0 * np.sin(phase)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    fixes = tuple(
        Fix(start + dt.timedelta(seconds=6 * i), float(lat), float(lon), 35000.0, False)
        for i, (lat, lon) in enumerate(zip(lats, lons, strict=True))
    )
    track = Track("bench", None, None, None, fixes)
    resolver.locate_many([(0.0, 0.0)] * 50_001)  # build the bulk index once, outside both timings

    began = time.perf_counter()
    resolver.locate_many(list(zip(lats.tolist(), lons.tolist(), strict=True)))
    lookup = time.perf_counter() - began

    began = time.perf_counter()
    result = analyse(dataset, dataset.subject("netanyahu"), track, resolver=resolver)
    whole = time.perf_counter() - began

    print(f"fixes: {n:,}; segments: {len(result.segments):,}")
    print(f"bulk lookup alone: {lookup:.2f} s")
    print(f"track analysis:    {whole:.2f} s  (x{whole / lookup:.1f} the lookup)")
    ok = whole <= 3 * lookup and whole < 2.0
    print(f"target: analysis <= lookup + 2x lookup, and < 2 s: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
