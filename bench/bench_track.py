"""`icc-travel track` against its floor, reading the same files and locating every fix, in one run.

    python bench/bench_track.py [--files 50] [--fixes 5000] [--big 1000000] [--rounds 3] [--data DIR]

Two workloads of readsb trace JSON (as adsb.lol and ADS-B Exchange serve it; generated, never
downloaded; with --data they are kept and reused): 50 files of 5,000 fixes, and one file of
1,000,000 fixes. Each track goes back and forth across the Mediterranean (many borders, 12-nm
seas) at a steady 800 km/h, as an airliner flies it (the quality filter rightly refuses an
aircraft crawling at cruise altitude).

The peer is the least `track` must do: a fresh process that reads the same files (`json` and
numpy arrays of time, latitude, longitude and altitude) and locates every fix with the bulk
grid (PlaceResolver.feature_indexes), without the law, the quality filter or the output. The
command runs as a user runs it (`--format json > FILE`), with and without --trust-positions
(the quality filter's cost, issue 26: at most 1.3x).

Runs are paired: in each round every command runs once, in turn (each goes first in one round),
so the machine's load falls on all alike; each ratio is the median of the per-round ratios
(issue 28's target: `track` within 2x the peer). The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PEER = """
import json, sys
import numpy as np
from icc_travel.data import store
from icc_travel.geo.places import PlaceResolver

resolver = PlaceResolver(store.load())
resolver.load_grid()
located = 0
for path in sys.argv[1:]:
    document = json.loads(open(path, "rb").read())
    trace = document["trace"]
    seconds = document["timestamp"] + np.array([point[0] for point in trace], dtype=float)
    lats = np.array([point[1] for point in trace], dtype=float)
    lons = np.array([point[2] for point in trace], dtype=float)
    feet = np.array([point[3] for point in trace], dtype=float)
    located += int((resolver.feature_indexes(lats, lons) >= 0).sum())
print(located)
"""


def path_points(count: int, offset: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes and seconds from the start of a back-and-forth Mediterranean path."""
    from icc_travel.geo.tracks import haversine_km

    phase = np.linspace(0, 40 * np.pi * count / 1_000_000, count) + offset
    lats = 38.0 + 4.0 * np.sin(phase / 7)
    lons = 15.0 + 18.0 * np.sin(phase)
    steps = haversine_km(lats[:-1], lons[:-1], lats[1:], lons[1:])
    seconds = np.concatenate([[0.0], np.cumsum(steps)]) / 800.0 * 3600
    return lats, lons, seconds


def write_trace(path: Path, hex_code: str, count: int, offset: float) -> None:
    """A readsb trace_full file: [seconds, lat, lon, altitude, gs, track, flags, vrate, null, type]."""
    lats, lons, seconds = path_points(count, offset)
    trace = [
        [round(s, 2), round(lat, 6), round(lon, 6), 35000, 432.0, 90.0, 0, 0, None, "adsb_icao"]
        for s, lat, lon in zip(seconds.tolist(), lats.tolist(), lons.tolist(), strict=True)
    ]
    document = {"icao": hex_code, "r": None, "timestamp": 1_735_689_600.0, "trace": trace}
    path.write_text(json.dumps(document, separators=(",", ":")))


def generate(folder: Path, files: int, fixes: int, big: int) -> tuple[list[Path], list[Path]]:
    many_folder, big_folder = folder / f"many-{files}x{fixes}", folder / f"big-{big}"
    for target in (many_folder, big_folder):
        target.mkdir(parents=True, exist_ok=True)
    many = [many_folder / f"trace_full_{0xA00000 + n:06x}.json" for n in range(files)]
    for number, path in enumerate(many):
        if not path.exists():
            write_trace(path, path.stem[-6:], fixes, offset=number * 0.37)
    single = [big_folder / "trace_full_b00000.json"]
    if big and not single[0].exists():
        write_trace(single[0], "b00000", big, offset=0.0)
    return many, single if big else []


def run(argv: list[str], output: Path) -> tuple[float, int, str]:
    """Wall seconds, exit status and stderr of one run, its standard output written to `output`."""
    with output.open("wb") as out:
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - start
    return elapsed, done.returncode, done.stderr.decode(errors="replace")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def bench(name: str, files: list[Path], rounds: int, scratch: Path) -> None:
    command = str(Path(sys.executable).parent / "icc-travel")
    output = scratch / "out.json"
    base = [command, "track", *map(str, files), "--subject", "netanyahu", "--format", "json"]
    commands = {
        "peer: read + lookup": [sys.executable, "-c", PEER, *map(str, files)],
        "track": base,
        "track --trust-positions": [*base, "--trust-positions"],
    }
    for argv in commands.values():  # warm-up: page cache, the territory caches
        elapsed, status, stderr = run(argv, scratch / "warm-up")
        if status not in (0, 1):
            print(f"   failed ({status}): {stderr.strip().splitlines()[-1:]}")
    print(f"\n{name}; before: {load()}")
    times: dict[str, list[float]] = {label: [] for label in commands}
    for number in range(rounds):
        labels = list(commands)
        labels = labels[number % len(labels) :] + labels[: number % len(labels)]  # each goes first in turn
        for label in labels:
            elapsed, status, stderr = run(commands[label], output if label == "track" else scratch / "other")
            if status not in (0, 1):
                print(f"   {label} failed ({status}): {stderr.strip().splitlines()[-1:]}")
            times[label].append(elapsed)
    print(f"after: {load()}")
    peer = times["peer: read + lookup"]
    print(f"{'command':26} {'median s':>9} {'x peer (paired)':>16}")
    for label, values in times.items():
        ratio = statistics.median(mine / theirs for mine, theirs in zip(values, peer, strict=True))
        print(f"{label:26} {statistics.median(values):9.2f} {ratio:16.2f}")
    filtered = statistics.median(f / u for f, u in zip(times["track"], times["track --trust-positions"], strict=True))
    print(f"quality filter: x{filtered:.2f} the command without it (target at most 1.3)")
    document = json.loads(output.read_text())
    segments = sum(len(t["segments"]) for t in document["tracks"])
    print(f"tracks: {len(document['tracks'])}, segments: {segments:,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--fixes", type=int, default=5_000, help="fixes per file of the many")
    parser.add_argument("--big", type=int, default=1_000_000, help="fixes of the one big file (0: none)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds: every command once per round")
    parser.add_argument("--data", type=Path, help="keep the generated files here (reused when present)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        many, single = generate(arguments.data or scratch, arguments.files, arguments.fixes, arguments.big)
        bench(f"{len(many)} files x {arguments.fixes:,} fixes", many, arguments.rounds, scratch)
        if single:
            bench(f"one file of {arguments.big:,} fixes", single, arguments.rounds, scratch)


if __name__ == "__main__":
    main()
