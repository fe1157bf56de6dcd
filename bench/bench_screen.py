"""`icc-travel screen` against Polars and DuckDB on the same generated OpenSky-style Parquet
dataset (20 million rows by default), with watchlists of 50 and 200 aircraft, on both engines.

    pip install 'icc-travel[bench]'   # polars, duckdb
    python bench/bench_screen.py [--rows 20000000] [--aircraft 5000] [--watched 50,200] [--rounds 3] [--data DIR]

The dataset (a directory of Parquet files in `state_vectors_data4` columns: each aircraft flies a
rhumb line at airliner speed, a position every 10 s) is generated, never downloaded; with
--data it is kept and reused. The peers, each a fresh process like the command, read the same
files, keep the same rows (the watched addresses, lowered) and order them by aircraft and time,
as tracks: the least a screen must do, without the territories, the law or the output.

Runs are paired: in each round every command runs once, in turn (each goes first in one
round), so the machine's load falls on all alike; each ratio is the median of the per-round
ratios. The load average is printed before and after. CPU seconds (user and system, every
thread; for the Dask engine the client's only, not the workers') are paired the same way: on a
shared machine they move less with the load than the wall clock does. The Dask engine runs on a
LocalCluster of two single-threaded workers started by the bench (as a user's running cluster
would be), and its output is compared byte for byte with the local engine's in every round. Its
peers: Polars in one process on every core of this machine (the same peer as the local engine's:
the target is a ratio to it), and, where dask.dataframe is installed (it needs pandas), Dask's
own DataFrame doing the same filter on the same running cluster, the client sorting the rows.

Every command runs with a cache directory of the bench's own (so no other process's pruning of
the user's cache can make a timed run rebuild the territory grid) and with its Python modules'
bytecode cached there too (as an installed package has it; PYTHONDONTWRITEBYTECODE, set in some
development shells, would have every run of a checkout compile its modules again): the warm-up
run fills both. Each command runs in the environment the bench was started in, not in the one
a LocalCluster leaves behind: starting one sets its workers' OMP_NUM_THREADS=1 and
MALLOC_TRIM_THRESHOLD_ in the starting process's own environment, and a command inheriting them
would decode Parquet with one thread of pyarrow's pool (0.9 s against 1.2 s for the local engine
at 200 aircraft, measured), a handicap no user's shell imposes.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FILES = 10


def generate_hexes(aircraft: int, rng: np.random.Generator | None = None) -> list[str]:
    """Every aircraft's hex, in the generator's order (the first ones are the watched)."""
    rng = rng if rng is not None else np.random.default_rng(15)
    return [f"{value:06x}" for value in rng.choice(1 << 24, aircraft, replace=False)]


def generate(folder: Path, rows: int, aircraft: int) -> list[str]:
    """The dataset; returns every aircraft's hex (the first ones are the watched)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(15)
    hexes = np.array(generate_hexes(aircraft, rng))
    start_lat, start_lon = rng.uniform(-45, 55, aircraft), rng.uniform(-170, 170, aircraft)
    # rhumb lines at airliner speeds (about 600-900 km/h, so the quality filter keeps them): degrees
    # of latitude per 10 s step, and eastward degrees of longitude per step at the equator
    north = rng.uniform(-0.003, 0.003, aircraft)
    east = rng.choice([-1.0, 1.0], aircraft) * rng.uniform(0.015, 0.022, aircraft)
    per_file = rows // FILES
    for number in range(FILES):
        index = np.arange(number * per_file, (number + 1) * per_file if number < FILES - 1 else rows)
        plane, step = index % aircraft, index // aircraft
        lat = start_lat[plane] + north[plane] * step
        rate = np.radians(north[plane])
        stretch = (_mercator(lat) - _mercator(start_lat[plane])) / np.where(rate == 0, 1.0, rate)
        stretch = np.where(np.abs(rate) < 1e-9, step / np.cos(np.radians(start_lat[plane])), stretch)
        lon = (start_lon[plane] + east[plane] * stretch + 180) % 360 - 180
        table = pa.table(
            {
                "time": pa.array(1_735_689_600 + step * 10, pa.int64()),
                "icao24": pa.array(hexes[plane]),
                "lat": lat,
                "lon": lon,
                "onground": pa.array(np.zeros(len(index), dtype=bool)),
                "baroaltitude": np.full(len(index), 11_000.0),
                "callsign": pa.array(np.char.add("FLT", (plane % 1000).astype(str))),
            }
        )
        pq.write_table(table, folder / f"part-{number:02d}.parquet", row_group_size=1 << 20)
    return hexes.tolist()


def _mercator(lat: np.ndarray) -> np.ndarray:
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def worker_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


POLARS = """
import sys
import polars as pl
folder, watchlist = sys.argv[1], sys.argv[2]
hexes = [line.split(",")[0] for line in open(watchlist).read().splitlines()[1:]]
kept = (
    pl.scan_parquet(f"{folder}/*.parquet")
    .filter(pl.col("icao24").str.to_lowercase().is_in(hexes))
    .sort(["icao24", "time"], maintain_order=True)
    .collect()
)
print(kept.height)
"""

DUCKDB = """
import sys
import duckdb
folder, watchlist = sys.argv[1], sys.argv[2]
hexes = [line.split(",")[0] for line in open(watchlist).read().splitlines()[1:]]
connection = duckdb.connect()
query = (
    f"select * from read_parquet('{folder}/*.parquet') where lower(icao24) in (select unnest($1)) "
    "order by icao24, time"
)
print(connection.execute(query, [hexes]).fetchnumpy()["time"].shape[0])
"""


DASK_DATAFRAME = """
import sys
import dask.dataframe as dd
from distributed import Client
folder, watchlist, scheduler = sys.argv[1], sys.argv[2], sys.argv[3]
hexes = [line.split(",")[0] for line in open(watchlist).read().splitlines()[1:]]
with Client(scheduler, timeout=30):
    frame = dd.read_parquet(f"{folder}/*.parquet")
    kept = frame[frame["icao24"].str.lower().isin(hexes)].compute()
print(len(kept.sort_values(["icao24", "time"], kind="stable")))
"""


def isolate(scratch: Path) -> None:
    """The environment every command (and the Dask workers) inherits: the bench's own cache
    directory, and bytecode written under it (see the module's docstring)."""
    os.environ["XDG_CACHE_HOME"] = str(scratch / "cache")
    os.environ["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def run(argv: list[str], scratch: Path, environment: dict[str, str]) -> tuple[float, float, float, int, str]:
    """Wall seconds, CPU seconds (user and system, all threads), peak GiB (the command's own, from
    wait4), exit status and stderr of one run, in `environment` (the bench's before any cluster
    started: see `main`)."""
    with open(scratch / "stdout", "wb") as out, open(scratch / "stderr", "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024**2, process.returncode, (scratch / "stderr").read_text(errors="replace")


def peers() -> dict[str, str]:
    """The peers installed here (the bench extra): each reads the same files, keeps the same
    rows (the watched addresses, lowered) and orders them by aircraft and time, as tracks."""
    found = {}
    for name, script in (("polars", POLARS), ("duckdb", DUCKDB)):
        if importlib.util.find_spec(name) is not None:
            found[name] = script
    return found


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--aircraft", type=int, default=5_000)
    parser.add_argument("--watched", default="50,200", help="watchlist sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds: every command once per round")
    parser.add_argument("--data", type=Path, help="keep the generated dataset here (reused when present)")
    arguments = parser.parse_args()
    command = str(Path(sys.executable).parent / "icc-travel")
    rows = arguments.rows
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        isolate(scratch)
        # Starting a LocalCluster sets its workers' settings in this process's own environment
        # (OMP_NUM_THREADS=1, MALLOC_TRIM_THRESHOLD_=65536, ...), where every command started
        # afterwards would inherit them: pyarrow then decodes with one thread, glibc maps every
        # large array afresh. Commands run in the environment a shell gives them, taken here.
        environment = dict(os.environ)
        folder = arguments.data or scratch / "positions"
        marker = folder / f"_generated-{rows}-{arguments.aircraft}-v2"
        if not marker.exists():
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.parquet"):
                old.unlink()
            start = time.perf_counter()
            generate(folder, rows, arguments.aircraft)
            marker.write_text("")
            print(f"generated in {time.perf_counter() - start:.0f} s")
        hexes = generate_hexes(arguments.aircraft)
        size = sum(f.stat().st_size for f in folder.glob("*.parquet")) / 1024**2
        print(f"dataset: {rows:,} rows, {arguments.aircraft:,} aircraft, {size:,.0f} MiB Parquet in {FILES} files")
        found_peers = peers()
        if "polars" not in found_peers:
            print("polars is not installed (pip install 'icc-travel[bench]'): no ratios")
        for count in [int(n) for n in arguments.watched.split(",")]:
            watchlist = scratch / f"watched-{count}.csv"
            subjects = ("putin", "netanyahu")
            watchlist.write_text(
                "hex,registration,subject,source\n"
                + "".join(f"{code},,{subjects[i % 2]},\n" for i, code in enumerate(hexes[:count]))
            )
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0", silence_logs=50)
            client = Client(cluster)
            commands = {
                name: [sys.executable, "-c", script, str(folder), str(watchlist)]
                for name, script in found_peers.items()
            }
            outputs = {"local": scratch / "local.jsonl", "dask": scratch / "dask.jsonl"}
            base = [command, "screen", str(folder), "--watchlist", str(watchlist)]
            commands["icc-travel local"] = [*base, "-o", str(outputs["local"])]
            if importlib.util.find_spec("dask.dataframe") is not None and importlib.util.find_spec("pandas"):
                commands["dask.dataframe"] = [
                    sys.executable,
                    "-c",
                    DASK_DATAFRAME,
                    str(folder),
                    str(watchlist),
                    cluster.scheduler_address,
                ]
            commands["icc-travel dask"] = [
                *base,
                "--engine",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
                "-o",
                str(outputs["dask"]),
            ]
            for argv in commands.values():  # warm-up: page cache, the territory caches, the workers' imports
                run(argv, scratch, environment)
            print(f"\n{count} watched aircraft; before: {load()}")
            times: dict[str, list[float]] = {name: [] for name in commands}
            cpus: dict[str, list[float]] = {name: [] for name in commands}
            peaks: dict[str, float] = dict.fromkeys(commands, 0.0)
            identical = True
            for number in range(arguments.rounds):
                names = list(commands)
                names = names[number % len(names) :] + names[: number % len(names)]  # each goes first in turn
                for name in names:
                    elapsed, cpu, peak, status, stderr = run(commands[name], scratch, environment)
                    if status not in (0, 1):
                        print(f"   {name} failed ({status}): {stderr.strip().splitlines()[-1:]}")
                    times[name].append(elapsed)
                    cpus[name].append(cpu)
                    peaks[name] = max(peaks[name], peak)
                identical &= filecmp.cmp(outputs["local"], outputs["dask"], shallow=False)
            print(f"after: {load()}")
            workers = ", ".join(f"{value:.2f}" for value in client.run(worker_peak).values())
            client.close()
            cluster.close()
            print(
                f"{'command':18} {'median s':>9} {'rows/s':>12} {'peak GiB':>9} {'x polars (paired)':>18} {'x duckdb':>9}"
                f" {'CPU s':>6} {'CPU x polars':>13}"
            )
            for name, values in times.items():
                ratios = []
                for peer, measured in (("polars", times), ("duckdb", times), ("polars", cpus)):
                    if peer in times and name != peer:
                        mine_all = values if measured is times else cpus[name]
                        paired = [mine / theirs for mine, theirs in zip(mine_all, measured[peer], strict=True)]
                        ratios.append(f"{statistics.median(paired):.2f}")
                    else:
                        ratios.append("-")
                median = statistics.median(values)
                print(
                    f"{name:18} {median:9.2f} {rows / median:12,.0f} {peaks[name]:9.2f} {ratios[0]:>18} {ratios[1]:>9}"
                    f" {statistics.median(cpus[name]):6.2f} {ratios[2]:>13}"
                )
            if "dask.dataframe" in times:
                paired = [
                    mine / theirs
                    for mine, theirs in zip(times["icc-travel dask"], times["dask.dataframe"], strict=True)
                ]
                print(
                    f"icc-travel dask x dask.dataframe on the same cluster (paired, wall): {statistics.median(paired):.2f}"
                )
            shared = " (the dask.dataframe peer's tasks ran on them too)" if "dask.dataframe" in times else ""
            print(f"Dask workers' peak GiB: {workers}{shared}")
            print(f"Dask output {'byte-identical to' if identical else 'DIFFERS from'} local in every round")
            print(f"rows out: {sum(1 for _ in outputs['local'].open()):,}")


if __name__ == "__main__":
    main()
