"""End to end: `icc-travel batch` on a 1,000,000-row CSV of coordinate stops.

    python bench/bench_batch.py [--rows 1000000]

Writes the CSV to a temporary directory, runs the installed command once to warm the caches
(polygons, tiled grid), then times a second run and reads its peak memory. Targets (issue 5):
under 15 s and under 1.5 GiB. A bare `python -c "import click, yaml"` is timed as the baseline.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--places",
        choices=("coordinates", "airports"),
        default="coordinates",
        help="airports: 200 distinct IATA codes (each resolved once per run)",
    )
    arguments = parser.parse_args()
    rows = arguments.rows
    command = str(Path(sys.executable).parent / "icc-travel")
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "stops.csv", Path(folder) / "out.csv"
        rng = np.random.default_rng(7)
        lats = np.degrees(np.arcsin(rng.uniform(-1, 1, rows)))
        lons = rng.uniform(-180, 180, rows)
        with source.open("w") as handle:
            handle.write("itinerary,subject,place,date,kind\n")
            if arguments.places == "airports":
                from icc_travel.geo.places import airport_table

                codes = sorted(airport_table("IATA"))[::40][:200]
                handle.writelines(f"r{i},putin,airport:{codes[i % len(codes)]},2024-09-03,visit\n" for i in range(rows))
            else:
                handle.writelines(
                    f'r{i},putin,"{a:.5f},{b:.5f}",2024-09-03,visit\n'
                    for i, (a, b) in enumerate(zip(lats, lons, strict=True))
                )
        argv = [command, "batch", str(source), "--format", "csv", "-o", str(target)]
        subprocess.run(argv, capture_output=True, check=False)  # warm the caches
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import click, yaml"], check=True)
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
        written = sum(1 for _ in target.open()) - 1
    print(done.stderr.strip())
    print(f"rows in: {rows:,}; rows written: {written:,}; exit status {done.returncode}")
    print(f"rate: {rows / elapsed:,.0f} rows/s (target >= 100,000 for any kind of stop)")
    print(
        f"wall: {elapsed:.2f} s (target < 15 s) {'ok' if elapsed < 15 else 'MISSED'}; x{elapsed / baseline:.0f} a bare start-up"
    )
    print(f"peak memory: {peak_gib:.2f} GiB (target < 1.5 GiB) {'ok' if peak_gib < 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
