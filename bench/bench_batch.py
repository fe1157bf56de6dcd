"""End to end: `icc-travel batch` on CSVs of 1 and 5 million rows, memory and speed side by side.

    python bench/bench_batch.py [--rows 1000000,5000000] [--places coordinates|airports|airports-dates|mixed|airport-legs|airport-traffic|names] [--legs] [--jobs N] [--pairs K]

Writes each CSV to a temporary directory, runs the installed command once to warm the caches
(polygons, tiled grid), then runs it on every size and reads each run's own peak memory. The
batch streams, so the peak should not grow with the input: the last column is each size's peak
over the smallest size's. A bare `python -c "import click, yaml"` is the start-up baseline.
Targets (issue 28): >= 200,000 rows/s for any kind of stop, and for two-stop itineraries with
their legs (`--legs`, run beside the same input with `--no-legs`: legs within 2x); peak < 1 GiB
at any size. Every run is paired with a peer: the csv module copying the same file row for row
(`x copy`); the machine's load is printed before and after (read the ratios, not the times).
CPU seconds (user and system, from wait4) are printed and paired as well: on a shared machine
they move far less with the load than the wall clock.

With `--legs`, K pairs (`--pairs`) of `--no-legs` and legs runs, back to back, and the median
of their ratios at the end: on a shared machine one pair's ratio moves by a fifth.

With `--jobs N` (N > 1) every size runs as `--jobs 1` and `--jobs N` in turns, K pairs
(`--pairs`), and each line says which; `x jobs 1` is the wall clock of the pair's one-process
run over this one's (above 1: faster). `peak GiB` is then the sum of every process's own peak
(VmHWM, read from /proc while the command runs), which counts the pages the workers share with
the command (forked, copy on write) once per process: an upper bound. `PSS GiB` is the most the
processes held together at any one reading (every 50 ms; each shared page divided among the
processes sharing it: /proc's proportional set size), the machine's memory the batch needs; the
memory target is read on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

NAMES = ("Mongolia", "HU", "FRA", "South Africa", "Ivory Coast", "DR Congo", "Russia", "airport:JFK", "Johannesburg")
NAMES += ('"London, GB"', "Crimea", "US")
SUBJECTS = ("putin", "netanyahu", "bashir")
FIRST_DAY, DAYS = dt.date(2015, 1, 1), 12 * 365  # airports-dates: stops spread over twelve years
# airport-traffic: about the fifty busiest passenger airports (roughly in the order of ACI World's
# recent rankings), then capitals and hubs the subjects' trips name, weighted 1/rank as traffic
# falls off; TAIL of the draws go to any airport with IATA and ICAO codes in airportsdata, evenly
# (the long tail). 200,000 rows hold about 23,000 distinct legs, many city pairs repeated.
HUBS = (
    "ATL DXB DFW LHR HND DEN IST LAX ORD DEL CDG JFK LAS AMS MIA MAD CAN PVG MCO FRA CLT ICN SEA "
    "EWR SFO PHX BCN IAH SIN BOM PEK SZX BKK DOH CGK MEX SYD FCO MUC KUL YYZ MAN SVO JED RUH GRU "
    "BOG LGW CTU HKG AUH TLV CAI ADD JNB NBO ULN TAS ALA VIE BUD ATH ZRH CPH OSL ARN HEL WAW PRG "
    "LIS DUB MNL KRT PEW"
)
TAIL = 0.10


def write_csv(path: Path, rows: int, places: str) -> None:
    rng = np.random.default_rng(7)
    codes: list[str] = []
    if places != "coordinates":
        from icc_travel.geo.places import airport_table

        codes = sorted(airport_table("IATA"))[::40][:200]
    if places == "airport-traffic":
        codes, weights = traffic_weights()
    with path.open("w") as handle:
        handle.write("itinerary,subject,place,date,kind\n")
        for start in range(0, rows, 500_000):
            count = min(500_000, rows - start)
            lats = np.degrees(np.arcsin(rng.uniform(-1, 1, count)))
            lons = rng.uniform(-180, 180, count)
            if places == "names":  # codes, names, a city, a named area, an airport; three subjects, many dates
                lines = [
                    f"r{start + i},{SUBJECTS[i % 3]},{NAMES[(start + i) % len(NAMES)]},{2015 + i % 10}-0{1 + i % 9}-1{i % 9},visit\n"
                    for i in range(count)
                ]
            elif places == "airports":
                lines = [
                    f"r{start + i},putin,airport:{codes[(start + i) % len(codes)]},2024-09-03,visit\n"
                    for i in range(count)
                ]
            elif places == "airports-dates":  # a real-world spread: any day from 2015 to 2026, three subjects
                days = rng.integers(0, DAYS, count).tolist()
                lines = [
                    f"r{start + i},{SUBJECTS[i % 3]},airport:{codes[(start + i) % len(codes)]},{FIRST_DAY + dt.timedelta(days=d)},visit\n"
                    for i, d in enumerate(days)
                ]
            elif places == "airport-legs":  # two-stop itineraries between airports, days spread, three subjects
                days = rng.integers(0, DAYS, count).tolist()
                ends = rng.integers(0, len(codes), count).tolist()
                # the second stop one to three days after the first (rows come in pairs: `start` is even)
                lines = [
                    f"r{(start + i) // 2},{SUBJECTS[(start + i) // 2 % 3]},airport:{codes[e]},"
                    f"{FIRST_DAY + dt.timedelta(days=days[i - i % 2] + i % 2 * (1 + i // 2 % 3))},visit\n"
                    for i, e in enumerate(ends)
                ]
            elif places == "airport-traffic":  # two-stop itineraries weighted as traffic is, days spread
                days = rng.integers(0, DAYS, count).tolist()
                ends = rng.choice(len(codes), size=count, p=weights)
                same = np.flatnonzero(ends[1::2] == ends[::2]) * 2 + 1  # no leg from an airport to itself
                ends[same] = (ends[same] + 1) % len(codes)
                lines = [
                    f"r{(start + i) // 2},{SUBJECTS[(start + i) // 2 % 3]},airport:{codes[e]},"
                    f"{FIRST_DAY + dt.timedelta(days=days[i - i % 2] + i % 2 * (1 + i // 2 % 3))},visit\n"
                    for i, e in enumerate(ends.tolist())
                ]
            elif places == "mixed":  # two-stop itineraries: a coordinate, then an airport (a leg each)
                lines = [
                    f'r{(start + i) // 2},putin,"{a:.5f},{b:.5f}",2024-09-03,visit\n'
                    if i % 2 == 0
                    else f"r{(start + i) // 2},putin,airport:{codes[i % len(codes)]},2024-09-04,visit\n"
                    for i, (a, b) in enumerate(zip(lats, lons, strict=True))
                ]
            else:
                lines = [
                    f'r{start + i},putin,"{a:.5f},{b:.5f}",2024-09-03,visit\n'
                    for i, (a, b) in enumerate(zip(lats, lons, strict=True))
                ]
            handle.writelines(lines)


def traffic_weights() -> tuple[list[str], object]:
    """Airport codes and the chance each one is drawn: HUBS by 1/rank, TAIL spread evenly over
    every other airport with both codes."""
    from icc_travel.geo.places import airport_table

    table = airport_table("IATA")
    hubs = [code for code in HUBS.split() if code in table]
    rest = sorted(code for code, row in table.items() if code not in hubs and row.get("icao"))
    head = 1 / np.arange(1, len(hubs) + 1)
    weights = np.concatenate((head / head.sum() * (1 - TAIL), np.full(len(rest), TAIL / len(rest))))
    return hubs + rest, weights / weights.sum()


# The peer: the same CSV read and written row for row by the csv module in a fresh process
# (every row out with one more column), the least any streaming CSV-to-CSV command costs.
COPY = (
    "import csv, sys\n"
    "with open(sys.argv[1], newline='') as i, open(sys.argv[2], 'w', newline='') as o:\n"
    "    w = csv.writer(o)\n"
    "    for row in csv.reader(i): w.writerow([*row, 'none'])\n"
)


def measured(argv: list[str]) -> tuple[float, float, float, float, int, str]:
    """Wall seconds, CPU seconds (user and system, with the workers it waited for), peak GiB
    (the sum of its processes' own peaks), the most proportional set size its processes held
    together at one reading (GiB), exit status and the last line of stderr of one run, all the
    command's own (wait4)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        peaks: dict[int, int] = {}
        together = [0]
        watcher = threading.Thread(target=_watch_peaks, args=(process.pid, peaks, together), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        watcher.join()
        err.seek(0)
        lines = err.read().decode(errors="replace").strip().splitlines()
    code = os.waitstatus_to_exitcode(status)
    peak = max(sum(peaks.values()), usage.ru_maxrss * 1024)  # /proc missed nothing larger than wait4 saw
    proportional = together[0] / 1024**3
    return elapsed, usage.ru_utime + usage.ru_stime, peak / 1024**3, proportional, code, lines[-1] if lines else ""


def _watch_peaks(pid: int, peaks: dict[int, int], together: list[int]) -> None:
    """Each process's peak resident memory (VmHWM, bytes) in the tree under `pid`, and in
    `together[0]` the largest sum of their proportional set sizes (Pss, bytes) at one reading,
    every 50 ms until it exits."""
    while True:
        tree, found, shares = [pid], False, 0
        while tree:
            current = tree.pop()
            try:
                status = Path(f"/proc/{current}/status").read_text()
                tree += [
                    int(c)
                    for t in Path(f"/proc/{current}/task").iterdir()
                    for c in (t / "children").read_text().split()
                ]
            except (OSError, ValueError):
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    found = True
                    peaks[current] = max(peaks.get(current, 0), int(line.split()[1]) * 1024)
            try:  # (smaps_rollup: Linux 4.14 and later; without it the PSS column reads 0)
                rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            except OSError:
                continue
            shares += sum(int(line.split()[1]) * 1024 for line in rollup.splitlines() if line.startswith("Pss:"))
        together[0] = max(together[0], shares)
        if not found:
            return
        time.sleep(0.05)


def load() -> str:
    """The machine's load averages, to read the ratios by (the absolute times vary with it)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="1000000,5000000", help="comma-separated input sizes")
    parser.add_argument(
        "--places",
        choices=("coordinates", "airports", "airports-dates", "mixed", "airport-legs", "airport-traffic", "names"),
        default="coordinates",
    )
    parser.add_argument(
        "--legs",
        action="store_true",
        help="measure the legs too (mixed, airport-legs, airport-traffic: a great-circle leg per itinerary), beside the same "
        "input with --no-legs",
    )
    parser.add_argument("--jobs", type=int, default=1, help="also run with --jobs N, paired with --jobs 1")
    parser.add_argument("--pairs", type=int, default=1, help="with --jobs or --legs: pairs of runs per size")
    arguments = parser.parse_args()
    jobs = [1, arguments.jobs] if arguments.jobs > 1 else [1]
    sizes = [int(size) for size in arguments.rows.split(",")]
    command = str(Path(sys.executable).parent / "icc-travel")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import click, yaml"], check=True)
    baseline = time.perf_counter() - start
    print(f"places: {arguments.places}; legs: {arguments.legs}; bare start-up {baseline * 1000:.0f} ms")
    print(f"load averages before: {load()} ({os.cpu_count()} cores)")
    print(
        f"{'jobs':>4} {'rows':>10} {'wall s':>8} {'rows/s':>10} {'peak GiB':>9} {'PSS GiB':>8} {'x smallest':>10} {'x copy':>7}"
        f" {'CPU s':>7} {'CPU rows/s':>10} {'CPU x copy':>10}"
        f"{' x no-legs CPU x no-legs' if arguments.legs else ''}{' x jobs 1' if len(jobs) > 1 else ''}"
        "  rows out  status  load"
    )
    first_peak = None
    ratios: dict[tuple[int, int], list[tuple[float, float]]] = {}  # with --legs: per (jobs, rows), each pair's
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            source, target = Path(folder) / "stops.csv", Path(folder) / "out.csv"
            write_csv(source, rows, arguments.places)
            plain_argv = [command, "batch", str(source), "--format", "csv", "-o", str(target)]
            if not arguments.legs:
                plain_argv.append("--no-legs")
            if first_peak is None:
                for count in jobs:
                    subprocess.run([*plain_argv, "--jobs", str(count)], capture_output=True, check=False)  # warm
            for _ in range(arguments.pairs if len(jobs) > 1 or arguments.legs else 1):
                single = None
                for count in jobs:
                    argv = [*plain_argv, "--jobs", str(count)]
                    # paired: the peer and (with --legs) the same input without legs, back to back
                    copied, copied_cpu, _, _, _, _ = measured([sys.executable, "-c", COPY, str(source), str(target)])
                    without = ""
                    if arguments.legs:
                        plain, plain_cpu, _, _, _, _ = measured([*argv, "--no-legs"])
                    elapsed, cpu, peak, footprint, status, stderr = measured(argv)
                    if arguments.legs:
                        without = f" {elapsed / plain:>9.2f} {cpu / plain_cpu:>13.2f}"
                        ratios.setdefault((count, rows), []).append((elapsed / plain, cpu / plain_cpu))
                    single = single or elapsed
                    versus = f" {single / elapsed:>8.2f}" if len(jobs) > 1 else ""
                    written = sum(1 for _ in target.open()) - 1
                    first_peak = first_peak or peak
                    verdict = "ok" if rows / elapsed >= 200_000 and footprint < 1 else "MISSED"
                    print(
                        f"{count:>4} {rows:>10,} {elapsed:>8.2f} {rows / elapsed:>10,.0f} {peak:>9.2f} {footprint:>8.2f}"
                        f" {peak / first_peak:>10.2f} {elapsed / copied:>7.2f} {cpu:>7.2f} {rows / cpu:>10,.0f}"
                        f" {cpu / copied_cpu:>10.2f}{without}{versus}  {written:,}  {status}  {verdict}  {load()}"
                    )
                    print(f"           {stderr}")
            source.unlink()
    print(f"load averages after: {load()}")
    for (count, rows), pairs in ratios.items():
        walls, cpus = sorted(wall for wall, _ in pairs), sorted(cpu for _, cpu in pairs)
        print(
            f"legs over --no-legs, jobs {count}, {rows:,} rows, {len(pairs)} pairs: median x{statistics.median(walls):.2f}"
            f" wall (x{walls[0]:.2f}-{walls[-1]:.2f}), x{statistics.median(cpus):.2f} CPU (x{cpus[0]:.2f}-{cpus[-1]:.2f})"
        )
    print("targets (issue 28): >= 200,000 rows/s and PSS < 1 GiB at every size, legs within 2x --no-legs")


if __name__ == "__main__":
    main()
