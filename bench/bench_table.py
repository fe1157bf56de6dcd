"""`icc-travel table` for all subjects at large times all territories, against a bare start-up.

    python bench/bench_table.py [--runs 7]

The commands run in turns (A B C A B C ...) after two warm-up runs each, so a change in the
machine's load falls on all of them alike; reported: the medians of wall and CPU milliseconds
(user and system, from each run's rusage: they move less with the load than the wall clock),
each one's ratio to the bare start-up's, and the load average before and after.
Target (issue 4): under 1 s wall on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import alternating, load_average

COMMAND = [str(Path(sys.executable).parent / "icc-travel")]
CASES = {
    "baseline: python -c 'import click, yaml'": [sys.executable, "-c", "import click, yaml"],
    "table (all subjects at large x all territories)": [*COMMAND, "table", "--on", "2026-01-01"],
    "table --format json": [*COMMAND, "table", "--on", "2026-01-01", "--format", "json"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    load_before = load_average()
    results = alternating(CASES, runs)
    print(f"{runs} alternating runs each; load average {load_before} before, {load_average()} after")
    print(f"{'case':50} {'wall ms':>8} {'x base':>7} {'CPU ms':>8} {'x base':>7}  target")
    baseline = next(iter(results.values()))
    for name, value in results.items():
        wall, cpu = value["wall_ms"], value["cpu_ms"]
        verdict = "" if "baseline" in name else ("< 1000 ms ok" if wall < 1000 else "MISSED 1000 ms")
        print(
            f"{name:50} {wall:8.1f} {wall / baseline['wall_ms']:7.2f} {cpu:8.1f} {cpu / baseline['cpu_ms']:7.2f}  {verdict}"
        )


if __name__ == "__main__":
    main()
