"""Start-up of `icc-travel check` against a bare `python -c "import click, yaml"`, in one run.

    python bench/bench_check.py [--runs 25]

Every command runs in turns with the others (baseline, code, coordinate, airport, city, baseline, ...),
after two untimed warm-up runs each, and is measured by its CPU time (user + system, from the
child's rusage), which moves far less than the wall clock on a shared machine; wall medians are
printed beside it. Reported: medians, the ratio of each to the baseline's CPU median, and the
load average before and after. Targets (issue 28): a check on a code <= 1.2x the baseline, on a
coordinate or an airport <= 2.5x; a city is held to the airport's.

Measure from a regular install (`pip install .` in a scratch venv, reinstalled after each
change): an editable install's import hook adds 15-20 ms per run. The runs write their `.pyc`
files (PYTHONDONTWRITEBYTECODE is unset for them) and use a dataset cache of their own, so no
other run's cache pruning or data edit reaches them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from timing import alternating, load_average


def command() -> list[str]:
    installed = Path(sys.executable).parent / "icc-travel"
    return [str(installed)] if installed.exists() else [shutil.which("icc-travel") or "icc-travel"]


BASELINE = "baseline: python -c 'import click, yaml'"
CASES = {
    BASELINE: [sys.executable, "-c", "import click, yaml"],
    "check putin MN@2024-09-03 (code)": [*command(), "check", "putin", "MN@2024-09-03"],
    "check putin 47.92,106.92@2024-09-03 (coordinates)": [*command(), "check", "putin", "47.92,106.92@2024-09-03"],
    "check putin airport:ULN@2024-09-03 (airport)": [*command(), "check", "putin", "airport:ULN@2024-09-03"],
    "check putin Ulaanbaatar@2024-09-03 (city)": [*command(), "check", "putin", "Ulaanbaatar@2024-09-03"],
}
TARGETS = {
    "check putin MN@2024-09-03 (code)": 1.2,
    "check putin 47.92,106.92@2024-09-03 (coordinates)": 2.5,
    "check putin airport:ULN@2024-09-03 (airport)": 2.5,
    "check putin Ulaanbaatar@2024-09-03 (city)": 2.5,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["XDG_CACHE_HOME"] = cache
        load_before = load_average()
        results = alternating(CASES, args.runs, env)
        load_after = load_average()
    floor = results[BASELINE]["cpu_ms"]
    print(f"{args.runs} alternating runs each; load average {load_before} before, {load_after} after")
    print(f"{'case':52} {'CPU ms':>7} {'x base':>7} {'wall ms':>8} {'target':>12}")
    for name, value in results.items():
        ratio = value["cpu_ms"] / floor
        target = TARGETS.get(name)
        verdict = "" if target is None else f"<= x{target}" + (" ok" if ratio <= target else " MISSED")
        print(f"{name:52} {value['cpu_ms']:7.1f} {ratio:7.2f} {value['wall_ms']:8.1f} {verdict:>12}")


if __name__ == "__main__":
    main()
