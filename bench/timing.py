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
