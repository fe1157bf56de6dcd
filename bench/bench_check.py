"""Wall time of `icc-travel check` against a bare `python -c "import click, yaml"`, in one run.

    python bench/bench_check.py [--runs 15]

Reports medians and ratios to the baseline. Targets (issue 3): code-only check <= 150 ms,
coordinate check <= 400 ms median on the project's 2-core machine. The first coordinate run
builds the WKB cache and is excluded as a warm-up, like every first run. Measure from a
regular install (`pip install .`): an editable install's import hook adds 15-20 ms per run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from timing import median_ms


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
