"""`icc-travel screen` on a generated 20-million-row OpenSky-style Parquet dataset, with a
50-aircraft watchlist: the local engine, and Dask with 1 and 2 workers on a LocalCluster.

    python bench/bench_screen.py [--rows 20000000] [--aircraft 5000] [--watched 50]

The dataset (a directory of Parquet files in `state_vectors_data4` columns: each aircraft flies
a straight course, a position every 10 s) is generated, never downloaded. The baseline, in the
same run, is a bare pyarrow scan that reads the `icao24` column and keeps the watched rows: the
least any screen must do. Each engine's rows/s, wall time and peak memory (the command's own;
for Dask also each worker's) are printed with their ratio to the baseline, and the engines'
outputs are compared byte for byte.
"""

from __future__ import annotations

import argparse
import filecmp
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import peak_run

FILES = 10


def generate(folder: Path, rows: int, aircraft: int) -> list[str]:
    """The dataset; returns every aircraft's hex (the first ones are the watched)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(15)
    hexes = np.array([f"{value:06x}" for value in rng.choice(1 << 24, aircraft, replace=False)])
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


def baseline(folder: Path, watched: list[str]) -> tuple[float, int]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    start = time.perf_counter()
    kept = 0
    for batch in pads.dataset(str(folder), format="parquet").to_batches(columns=["icao24"]):
        kept += pc.sum(pc.is_in(batch.column(0), value_set=pa.array(watched))).as_py() or 0
    return time.perf_counter() - start, kept


def worker_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--aircraft", type=int, default=5_000)
    parser.add_argument("--watched", type=int, default=50)
    arguments = parser.parse_args()
    command = str(Path(sys.executable).parent / "icc-travel")
    rows = arguments.rows
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "positions"
        folder.mkdir()
        start = time.perf_counter()
        hexes = generate(folder, rows, arguments.aircraft)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 1024**2
        print(
            f"dataset: {rows:,} rows, {arguments.aircraft:,} aircraft, {size:,.0f} MiB Parquet ({time.perf_counter() - start:.0f} s to make)"
        )
        watched = hexes[: arguments.watched]
        watchlist = Path(scratch) / "watched.csv"
        subjects = ("putin", "netanyahu")
        watchlist.write_text(
            "hex,registration,subject,source\n"
            + "".join(f"{code},,{subjects[i % 2]},\n" for i, code in enumerate(watched))
        )
        base_seconds, kept = baseline(folder, watched)
        print(f"baseline (pyarrow scan of icao24 + filter): {rows / base_seconds:,.0f} rows/s, {kept:,} rows kept")
        print(
            f"{'engine':16} {'wall s':>7} {'rows/s':>12} {'x baseline':>10} {'peak GiB':>9}  workers' peak GiB  status"
        )
        outputs = {}
        warm = [command, "screen", str(folder), "--watchlist", str(watchlist), "-o", str(Path(scratch) / "warm.jsonl")]
        peak_run(warm)  # builds the caches (polygons, grid) once, outside the measured runs
        runs: list[tuple[str, int | None]] = [("local", None), ("dask", 1), ("dask", 2)]
        for engine, workers in runs:
            output = Path(scratch) / f"{engine}-{workers}.jsonl"
            argv = [
                command,
                "screen",
                str(folder),
                "--watchlist",
                str(watchlist),
                "--engine",
                engine,
                "-o",
                str(output),
            ]
            cluster = client = None
            if workers:
                from distributed import Client, LocalCluster

                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0", silence_logs=50)
                client = Client(cluster)
                argv += ["--scheduler", cluster.scheduler_address]
            elapsed, peak, status, stderr = peak_run(argv)
            worker_peaks = ""
            if client is not None:
                worker_peaks = ", ".join(f"{value:.2f}" for value in client.run(worker_peak).values())
                client.close()
                cluster.close()
            label = engine if not workers else f"dask, {workers} worker{'s' if workers > 1 else ''}"
            print(
                f"{label:16} {elapsed:7.2f} {rows / elapsed:12,.0f} {base_seconds / elapsed:10.2f} {peak:9.2f}"
                f"  {worker_peaks or '-':>17}  {status}"
            )
            if status not in (0, 1):
                print("   " + stderr.splitlines()[-1] if stderr else "")
            outputs[label] = output
        first, *others = outputs.items()
        for label, path in others:
            same = filecmp.cmp(first[1], path, shallow=False)
            print(f"{label} output {'byte-identical to' if same else 'DIFFERS from'} {first[0]}")
        print(f"rows out: {sum(1 for _ in first[1].open()):,}")


if __name__ == "__main__":
    main()
