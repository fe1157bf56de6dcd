"""Wall time of `icc-travel check` against a bare `python -c "import click, yaml"`, in one run.

    python bench/bench_check.py [--runs 15]

Reports medians and ratios to the baseline. Targets (issue 3): code-only check <= 150 ms,
coordinate check <= 400 ms median on the project's 2-core machine. The first coordinate run
builds the WKB cache and is excluded as a warm-up, like every first run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def command() -> list[str]:
    installed = Path(sys.executable).parent / "icc-travel"
    return [str(installed)] if installed.exists() else [shutil.which("icc-travel") or "icc-travel"]


CASES = {
    "baseline: python -c 'import click, yaml'": [sys.executable, "-c", "import click, yaml"],
    "check putin MN@2024-09-03 (code)": [*command(), "check", "putin", "MN@2024-09-03"],
    "check putin 47.92,106.92@2024-09-03 (coordinates)": [*command(), "check", "putin", "47.92,106.92@2024-09-03"],
    "check putin airport:ULN@2024-09-03 (airport)": [*command(), "check", "putin", "airport:ULN@2024-09-03"],
}
TARGETS_MS = {"check putin MN@2024-09-03 (code)": 150, "check putin 47.92,106.92@2024-09-03 (coordinates)": 400}


def median_ms(argv: list[str], runs: int) -> float:
    subprocess.run(argv, capture_output=True, check=False)  # warm-up: page cache, WKB cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results = {name: median_ms(argv, args.runs) for name, argv in CASES.items()}
    baseline = next(iter(results.values()))
    print(f"{'case':55} {'median ms':>10} {'x baseline':>11} {'target':>8}")
    for name, value in results.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else (f"<= {target}" + (" ok" if value <= target else " MISSED"))
        print(f"{name:55} {value:10.1f} {value / baseline:11.2f} {verdict:>8}")


if __name__ == "__main__":
    main()
