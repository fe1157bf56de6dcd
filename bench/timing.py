"""Shared by the start-up benchmarks: median wall time of a command, after one warm-up run."""

from __future__ import annotations

import statistics
import subprocess
import time


def median_ms(argv: list[str], runs: int) -> float:
    subprocess.run(argv, capture_output=True, check=False)  # warm-up: page cache, data caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


# runs a command and prints its own peak resident memory in KiB (the child's, not the bench's)
_PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode); "
    "sys.stderr.write(done.stderr.decode())"
)


def peak_run(argv: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak GiB, exit status and stderr of one run of a command."""
    import sys

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *argv], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    peak_kib, status = done.stdout.split()
    return elapsed, int(peak_kib) / 1024**2, int(status), done.stderr.strip()
