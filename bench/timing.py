"""Shared by the start-up benchmarks: CPU and wall times of several commands run in turns, the
load average, and a command's peak memory."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time


def cpu_run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """CPU milliseconds (user + system, the child's own, from its rusage) and wall milliseconds
    of one run. CPU time moves far less than the wall clock when other work shares the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return cpu, wall


def alternating(
    cases: dict[str, list[str]], runs: int, env: dict[str, str] | None = None
) -> dict[str, dict[str, float]]:
    """Each command run `runs` times in turns (A B C A B C ...), after two untimed warm-up runs
    each (page cache, .pyc files, data caches), so a change in the machine's load falls on all of
    them alike: medians of CPU and wall milliseconds per command."""
    for argv in cases.values():
        cpu_run(argv, env)
        cpu_run(argv, env)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            samples[name].append(cpu_run(argv, env))
    return {
        name: {
            "cpu_ms": statistics.median(cpu for cpu, _ in runs_of),
            "wall_ms": statistics.median(wall for _, wall in runs_of),
        }
        for name, runs_of in samples.items()
    }


def load_average() -> str:
    """The machine's 1-minute load average, to read beside any timing."""
    return f"{os.getloadavg()[0]:.1f}"


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
