"""10,000 random airport-to-airport legs: geodesic sampling and overflown territories.

    python bench/bench_legs.py [--legs 10000]

Target (issue 6): under 10 s on the project's 2-core machine. Reports legs/s and, as a
baseline in the same run, the pyproj geodesic alone (npts every 25 km) for the same legs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import airportsdata
import numpy as np
from pyproj import Geod

from icc_travel.data import store
from icc_travel.geo.routes import RoutePlanner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--legs", type=int, default=10_000)
    count = parser.parse_args().legs
    airports = list(airportsdata.load("IATA").values())
    rng = np.random.default_rng(6)
    pairs = [(airports[a], airports[b]) for a, b in rng.integers(0, len(airports), size=(count, 2))]
    planner = RoutePlanner(store.load())

    geod = Geod(ellps="WGS84")
    start, cpu = time.perf_counter(), time.process_time()
    for a, b in pairs:
        geod.npts(a["lon"], a["lat"], b["lon"], b["lat"], 400)
    baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu

    start, cpu = time.perf_counter(), time.process_time()
    answers = planner.crossings_many([(a["lat"], a["lon"], b["lat"], b["lon"]) for a, b in pairs])
    elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - cpu
    total_km = sum(km for km, _ in answers)
    print(f"legs: {count:,}, mean length {total_km / count:,.0f} km")
    print(
        f"overflown territories: {elapsed:.2f} s ({count / elapsed:,.0f} legs/s) "
        f"{'ok' if elapsed < 10 else 'MISSED'} (target < 10 s)"
    )
    print(f"baseline, pyproj npts alone: {baseline:.2f} s; ratio x{elapsed / baseline:.1f}")
    # on a shared machine the wall clock counts other processes' time too: CPU seconds do not
    print(
        f"CPU seconds: {elapsed_cpu:.2f} against npts {baseline_cpu:.2f}, ratio x{elapsed_cpu / baseline_cpu:.1f}; "
        f"load averages {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )


if __name__ == "__main__":
    main()
