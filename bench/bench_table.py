"""`icc-travel table` for all subjects at large times all territories, against a bare start-up.

    python bench/bench_table.py [--runs 7]

Target (issue 4): under 1 s wall on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import median_ms

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
    results = {name: median_ms(argv, runs) for name, argv in CASES.items()}
    baseline = next(iter(results.values()))
    for name, value in results.items():
        verdict = "" if "baseline" in name else ("  < 1000 ms ok" if value < 1000 else "  MISSED 1000 ms")
        print(f"{name:50} {value:8.1f} ms  x{value / baseline:5.2f}{verdict}")


if __name__ == "__main__":
    main()
