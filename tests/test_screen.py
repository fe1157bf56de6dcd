"""Screening generated position datasets for watched aircraft (nothing downloaded)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_tracks import T0, route

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def positions(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two watched aircraft among background traffic, as Parquet (two files in a folder) and CSV."""
    watched_path = [(36.5, -7.0), (36.0, -4.5)]  # into Spain's south coast
    records = []
    for number, (lat, lon) in enumerate(route(watched_path, km_per_fix=10)):
        records.append(
            {
                "time": T0 + 60 * number,
                "icao24": "738A5B",
                "lat": lat,
                "lon": lon,
                "onground": False,
                "baroaltitude": 10668.0,
                "callsign": "ISR001",
            }
        )
    for number, (lat, lon) in enumerate(route([(47.0, 100.0), (47.85, 106.77)], km_per_fix=10)):
        records.append(
            {
                "time": T0 + 60 * number,
                "icao24": "157716",
                "lat": lat,
                "lon": lon,
                "onground": False,
                "baroaltitude": 9000.0,
                "callsign": "RSD001",
            }
        )
    for number in range(5000):  # traffic nobody watches
        records.append(
            {
                "time": T0 + number,
                "icao24": f"a{number:05x}",
                "lat": 40.0,
                "lon": -3.0,
                "onground": False,
                "baroaltitude": 11000.0,
                "callsign": "X",
            }
        )
    folder = tmp_path / "states"
    folder.mkdir()
    half = len(records) // 2
    # small row groups: the Dask engine gives each worker a few row groups of a file at a time
    pq.write_table(pa.Table.from_pylist(records[:half]), folder / "part-0.parquet", row_group_size=400)
    pq.write_table(pa.Table.from_pylist(records[half:]), folder / "part-1.parquet", row_group_size=400)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    (tmp_path / "states.csv").write_text(text.getvalue())
    watchlist = tmp_path / "watched.csv"
    watchlist.write_text(
        "hex,registration,subject,source\n738a5b,4X-ISR,netanyahu,https://example.org/a\n"
        "157716,RA-96022,putin,https://example.org/b\nffffff,,putin,\n"
    )
    return folder, tmp_path / "states.csv", watchlist


def test_screen_finds_the_watched_aircraft_in_parquet_and_csv(invoke, tmp_path: Path) -> None:
    folder, table, watchlist = positions(tmp_path)
    answers = []
    for source in (folder, table):
        result = invoke("screen", str(source), "--watchlist", str(watchlist), "--format", "jsonl")
        assert result.exit_code == 0, result.stderr  # overflights only: nothing reaches arrest
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        answers.append(rows)
        assert "2 of 3 watched aircraft found" in result.stderr and "5,000" not in result.stderr.split("kept")[1]
        spain = [r for r in rows if r["hex"] == "738a5b" and r["iso3"] == "ESP"]
        assert spain and spain[0]["obligation"] == "overflight" and spain[0]["subject"] == "netanyahu"
        mongolia = [r for r in rows if r["hex"] == "157716" and r["iso3"] == "MNG"]
        assert mongolia and mongolia[0]["subject"] == "putin"
    assert answers[0] == answers[1]  # the same answers from either format
    failing = invoke("screen", str(folder), "--watchlist", str(watchlist), "--fail-on", "overflight")
    assert failing.exit_code == 1


def test_screen_summary_and_csv(invoke, tmp_path: Path) -> None:
    folder, _, watchlist = positions(tmp_path)
    document = json.loads(invoke("screen", str(folder), "--watchlist", str(watchlist), "--format", "json").stdout)
    summary = document["summary"]
    assert summary["rows_read"] == 5000 + summary["positions_kept"] and summary["aircraft_found"] == 2
    out = tmp_path / "hits.csv"
    invoke("screen", str(folder), "--watchlist", str(watchlist), "--format", "csv", "-o", str(out))
    rows = list(csv.DictReader(out.open()))
    assert {r["hex"] for r in rows} == {"738a5b", "157716"} and all(r["data_as_of"] for r in rows)


@pytest.mark.parametrize(
    ("watchlist", "says"),
    [
        ("hex,subject\nzzz,putin\n", "6-digit ICAO address"),
        ("hex,subject\n157716,nobody\n", "unknown subject"),
        ("registration\nRA-1\n", "needs the columns hex and subject"),
    ],
)
def test_bad_watchlists_are_one_line(invoke, tmp_path: Path, watchlist: str, says: str) -> None:
    folder, _, _ = positions(tmp_path)
    path = tmp_path / "w.csv"
    path.write_text(watchlist)
    result = invoke("screen", str(folder), "--watchlist", str(path))
    assert result.exit_code == 2 and says in result.stderr


def test_both_engines_give_byte_identical_output(invoke, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    folder, table, watchlist = positions(tmp_path)
    for source in (folder, table):
        local = invoke("screen", str(source), "--watchlist", str(watchlist), "--format", "jsonl")
        dask = invoke("screen", str(source), "--watchlist", str(watchlist), "--format", "jsonl", "--engine", "dask")
        assert local.exit_code == dask.exit_code == 0, dask.stderr
        assert local.stdout == dask.stdout and local.stdout.count("\n") >= 4
        assert local.stderr.splitlines()[-1] == dask.stderr.splitlines()[-1]  # the same summary
    from icc_travel.engine.screen import ROW_GROUPS_PER_TASK, _parts

    assert len(_parts(folder)) > 2 > ROW_GROUPS_PER_TASK / 400  # several tasks per file
    # a worker on a cluster has its own working directory: parts name their files absolutely
    relative = Path(os.path.relpath(folder))
    assert all(Path(part.path).is_absolute() and part.label.startswith(str(relative)) for part in _parts(relative))


@pytest.mark.parametrize(("module", "extra"), [("pyarrow", "parquet"), ("distributed", "dask")])
def test_a_missing_optional_package_is_one_line(invoke, tmp_path: Path, monkeypatch, module: str, extra: str) -> None:
    folder, _, watchlist = positions(tmp_path)
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    result = invoke(
        "screen", str(folder), "--watchlist", str(watchlist), "--engine", "dask" if extra == "dask" else "local"
    )
    assert result.exit_code == 2 and f"pip install 'icc-travel[{extra}]'" in result.stderr


def test_other_column_names_are_mapped_on_both_engines(invoke, tmp_path: Path) -> None:
    """`--columns` maps a dataset's own names (here `ts`, `hex`, `latitude`, `longitude`); the
    watchlist filter is pushed into the scan under those names, on either engine."""
    folder, _, watchlist = positions(tmp_path)
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    names = {"time": "ts", "icao24": "hex", "lat": "latitude", "lon": "longitude"}
    for part in sorted(folder.iterdir()):
        table = pq.read_table(part)
        pq.write_table(table.rename_columns([names.get(n, n) for n in table.column_names]), renamed / part.name)
    mapping = ",".join(f"{ours}={theirs}" for ours, theirs in names.items())
    expected = invoke("screen", str(folder), "--watchlist", str(watchlist))
    engines = [("local",), ("dask",)] if importlib.util.find_spec("distributed") else [("local",)]
    for (engine,) in engines:
        result = invoke("screen", str(renamed), "--watchlist", str(watchlist), "--columns", mapping, "--engine", engine)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == expected.stdout and result.stdout.count("\n") >= 4


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_screening_imports_neither_pandas_nor_pyarrow_compute(tmp_path: Path, kind: str) -> None:
    """pa.array, pa.scalar, fill_null with a Python value and to_numpy(zero_copy_only=False) each
    import pandas through pyarrow's shim (about a second), and so does pyarrow.dataset; a screen
    of Parquet or CSV uses none of them, and still finds what the test above finds. Nor does it
    import pyarrow.compute (its kernels are called by name: the module's import takes some 36 ms
    of CPU) or numpy.ma (numpy's `unique` imports it)."""
    import subprocess

    folder, states, watchlist = positions(tmp_path)
    folder = folder if kind == "parquet" else states
    output = tmp_path / "out.jsonl"
    script = (
        "import sys\nfrom icc_travel.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
        "unwanted = [m for m in ('pandas', 'pyarrow.compute', 'numpy.ma') if m in sys.modules]\n"
        "print(','.join(unwanted) or 'none', code)\n"
    )
    argv = ["icc-travel", "screen", str(folder), "--watchlist", str(watchlist), "-o", str(output)]
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.argv = {argv!r}\n{script}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.split() == ["none", "0"], done.stderr
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert {(r["hex"], r["iso3"]) for r in rows} >= {("738a5b", "ESP"), ("157716", "MNG")}


def test_positions_less_than_a_microsecond_apart_keep_the_table_order() -> None:
    """Positions of one aircraft whose times differ by less than a microsecond hold the same time
    once rounded as a fix holds it: they keep the table's order (as both engines give it), not
    the order of their unrounded times."""
    from icc_travel.engine.screen import judged_rows

    table = pa.table(
        {
            "time": [100.0000004, 100.0000001, 99.0, 100.0000004],
            "icao24": ["abc123", "abc123", "abc123", "ABC123"],
            "lat": [1.0, 2.0, 3.0, 4.0],
            "lon": [10.0, 20.0, 30.0, 40.0],
        }
    )
    rows = judged_rows(table)
    assert rows.names == ["abc123"]
    assert rows.lats[rows.order].tolist() == [3.0, 1.0, 2.0, 4.0]
    assert rows.seconds.tolist() == [99.0, 100.0, 100.0, 100.0]


def mixed_positions(tmp_path: Path) -> tuple[Path, int, int]:
    """One watched aircraft and one unwatched, interleaved, over three Parquet files: the address
    in either case; b.parquet with the columns in another order and plain (not dictionary)
    strings; c.parquet without the optional columns (onground, baroaltitude, callsign). Returns
    the folder, the rows, and the rows of c.parquet."""
    records = []
    for number, (lat, lon) in enumerate(route([(36.5, -7.0), (36.0, -4.5)], km_per_fix=2)):
        records.append((T0 + 20 * number, "738A5B" if number % 3 else "738a5b", lat, lon, 10668.0, f"ISR{number % 2}"))
        records.append((T0 + 20 * number, f"b{number:05x}", 40.0, -3.0, 11000.0, "X"))  # unwatched, interleaved
    columns = list(zip(*records, strict=True))
    whole = pa.table(
        {
            "time": pa.array(columns[0], pa.int64()),
            "icao24": pa.array(columns[1]),
            "lat": pa.array(columns[2]),
            "lon": pa.array(columns[3]),
            "onground": pa.array([False] * len(records)),
            "baroaltitude": pa.array(columns[4]),
            "callsign": pa.array(columns[5]),
        }
    )
    third = len(records) // 3
    folder = tmp_path / "states"
    folder.mkdir()
    pq.write_table(whole.slice(0, third), folder / "a.parquet", row_group_size=70)
    reordered = whole.slice(third, third).select(list(reversed(whole.column_names)))
    pq.write_table(reordered, folder / "b.parquet", row_group_size=55, use_dictionary=False)
    bare = whole.slice(2 * third).select(["time", "icao24", "lat", "lon"])
    pq.write_table(bare, folder / "c.parquet", row_group_size=90)
    plain = pq.ParquetFile(folder / "b.parquet").metadata.row_group(0).column(5)
    assert plain.path_in_schema == "icao24" and "RLE_DICTIONARY" not in plain.encodings
    return folder, len(records), len(records) - 2 * third


def test_row_groups_cut_into_batches_give_the_same_tracks(tmp_path: Path, monkeypatch) -> None:
    """A row group is read in batches of BATCH_ROWS rows: however it is cut, the watched rows and
    their tracks are the same. Files whose row groups mix watched and unwatched aircraft (the
    address in either case), with the columns in another order, with plain (not dictionary)
    strings, and without the optional columns (onground, baroaltitude, callsign)."""
    from icc_travel.data.store import load
    from icc_travel.engine import screen

    folder, count, bare_rows = mixed_positions(tmp_path)
    watched = screen.read_watchlist(_watchlist(tmp_path), load())

    def tracks(batch_rows: int) -> list[tuple[str, str | None, list[bytes]]]:
        monkeypatch.setattr(screen, "BATCH_ROWS", batch_rows)
        found = screen.scan([folder], watched)
        assert found.rows_read == count and found.positions_kept == count // 2
        return [(entry.hex, track.callsign, [c.tobytes() for c in track.columns[:5]]) for entry, track in found.tracks]

    expected = tracks(1 << 20)  # every row group in one batch
    assert [(hex_, callsign) for hex_, callsign, _ in expected] == [("738a5b", "ISR0")]
    seconds, feet = np.frombuffer(expected[0][2][0]), np.frombuffer(expected[0][2][3])
    assert len(seconds) == count // 2 and (np.diff(seconds) > 0).all()
    assert np.isnan(feet).sum() == bare_rows // 2 > 0  # c.parquet has no altitude
    for batch_rows in (1, 16, 33):  # batches shorter than a row group, ending inside one and at its end
        assert tracks(batch_rows) == expected


def _watchlist(tmp_path: Path) -> Path:
    path = tmp_path / "watched.csv"
    path.write_text("hex,registration,subject,source\n738a5b,4X-ISR,netanyahu,\nffffff,,putin,\n")
    return path


def test_files_with_and_without_the_optional_columns_screen_alike_on_both_engines(invoke, tmp_path: Path) -> None:
    """A dataset whose files differ in their columns (one without onground, baroaltitude and
    callsign, one in another order with plain strings): a file's missing columns are unknown
    values, on either engine, with byte-identical output (the local engine stopped with a
    traceback when the files' columns differed)."""
    folder, _, _ = mixed_positions(tmp_path)
    watchlist = _watchlist(tmp_path)
    local = invoke("screen", str(folder), "--watchlist", str(watchlist), "--format", "csv")
    assert local.exit_code == 0, local.stderr
    assert "1 of 2 watched aircraft found" in local.stderr and local.stdout.count("\n") >= 3
    assert any(row["iso3"] == "ESP" for row in csv.DictReader(io.StringIO(local.stdout)))
    if importlib.util.find_spec("distributed") is not None:
        dask = invoke("screen", str(folder), "--watchlist", str(watchlist), "--format", "csv", "--engine", "dask")
        assert dask.exit_code == 0, dask.stderr
        assert dask.stdout == local.stdout


def many_aircraft(tmp_path: Path) -> tuple[Path, Path]:
    """Six watched aircraft, more than the Dask engine's shares of them (two per worker), one of
    them watched for two subjects, in three Parquet files of small row groups: a track with a gap
    whose crossing is inferred, one with a stretch of spoofed positions, one with rows refused (off
    the globe, a time before 1970, an altitude not a number), one that lands, one of a single
    position; two watched aircraft are never seen, and they are the last two by hex, so the last
    share has no rows at all."""
    records = []

    def row(**fields) -> dict:  # every column in every row: pyarrow takes the columns from the first
        return {"onground": None, "baroaltitude": None, "callsign": None, **fields}

    def fly(code: str, points: list[tuple[float, float]], start: int = 0, skip: range = range(0), **overrides) -> None:
        for number, (lat, lon) in enumerate(points):
            if number in skip:
                continue
            record = {
                "time": T0 + start + 60 * number,
                "icao24": code,
                "lat": lat,
                "lon": lon,
                "onground": False,
                "baroaltitude": 10668.0,
                "callsign": f"C{code[:4].upper()}",
            }
            record.update({key: value(number) if callable(value) else value for key, value in overrides.items()})
            records.append(record)

    gapped = route([(43.0, -9.5), (40.0, -3.5), (37.0, 2.0)], km_per_fix=12)  # across Spain, then the sea
    fly("0a0001", gapped, skip=range(20, 45))
    spoofed = route([(48.0, 30.0), (50.0, 36.0)], km_per_fix=12)
    spoofed[25:30] = [(55.75, 37.6)] * 5  # five positions in Moscow, 500 km away, then back
    fly("0a0002", spoofed)
    fly("0a0003", route([(47.0, 100.0), (47.85, 106.77)], km_per_fix=12), start=30)
    landing = route([(32.5, 33.5), (32.0, 34.87)], km_per_fix=8)
    fly("0a0004", landing, onground=lambda number: number >= len(landing) - 3)
    fly("0a0005", [(52.0, 13.0)])
    records += [
        row(time=T0 + 7, icao24="0a0003", lat=95.0, lon=100.0),
        row(time=-5, icao24="0a0003", lat=47.0, lon=100.0),
        row(time=T0 + 30, icao24="0A0003", lat=47.0, lon=100.0, baroaltitude=float("inf")),
    ]
    records += [row(time=T0 + n, icao24=f"b{n:05x}", lat=40.0, lon=-3.0) for n in range(3000)]
    order = np.random.default_rng(3).permutation(len(records))  # the aircraft interleaved, as in a dataset
    rows = [records[n] for n in order]
    folder = tmp_path / "many"
    folder.mkdir()
    third = len(rows) // 3
    for number in range(3):
        chunk = rows[number * third : (number + 1) * third if number < 2 else len(rows)]
        pq.write_table(pa.Table.from_pylist(chunk), folder / f"part-{number}.parquet", row_group_size=300)
    watchlist = tmp_path / "many.csv"
    watchlist.write_text(
        "hex,registration,subject,source\n0a0001,4X-ISR,netanyahu,\n0a0001,4X-ISR,putin,\n0a0002,,putin,\n"
        "0a0003,RA-96022,putin,\n0a0004,,netanyahu,\n0a0005,,putin,\nfffff0,,putin,\nfffff1,,netanyahu,\n"
    )
    return folder, watchlist


def test_dask_locates_shares_of_the_aircraft_as_the_local_engine_does(invoke, tmp_path: Path) -> None:
    """The Dask engine's workers build and locate the tracks, each a share of the aircraft, and the
    client only judges them: its output is the local engine's, byte for byte, with and without
    the quality filter, on tracks with gaps, spoofed stretches, refused rows, landings, a single
    position, an aircraft watched for two subjects and a share with no rows. Through the library,
    each track's fixes, those analysed and the counts are the local engine's too."""
    pytest.importorskip("distributed")
    from icc_travel import api
    from icc_travel.engine.contract import track_json
    from icc_travel.engine.screen import SHARES_PER_WORKER, _shares

    folder, watchlist = many_aircraft(tmp_path)
    assert _shares(8, SHARES_PER_WORKER * 2)[-1] == (6, 8)  # the last share: the two never seen
    outputs = []
    for options in (("--format", "jsonl"), ("--trust-positions", "--format", "csv")):
        local = invoke("screen", str(folder), "--watchlist", str(watchlist), *options)
        dask = invoke("screen", str(folder), "--watchlist", str(watchlist), "--engine", "dask", *options)
        assert local.exit_code == dask.exit_code == 0, dask.stderr
        assert dask.stdout == local.stdout
        assert local.stderr.splitlines()[-2:] == dask.stderr.splitlines()[-2:]  # refusals and summary
        assert "left out, never flown" in local.stderr
        outputs.append(local.stdout)
    rows = [json.loads(line) for line in outputs[0].splitlines()]
    assert {r["hex"] for r in rows} == {"0a0001", "0a0002", "0a0003", "0a0004", "0a0005"}
    assert {r["subject"] for r in rows if r["hex"] == "0a0001"} == {"netanyahu", "putin"}

    found = {engine: api.screen([folder], watchlist=watchlist, engine=engine) for engine in ("local", "dask")}
    local_result, dask_result = found["local"], found["dask"]
    assert dask_result[1:] == local_result[1:]  # rows read, kept, refused, watched, as of
    assert local_result.positions_refused == {
        "altitude not a finite number": 1,
        "position off the globe": 1,
        "time outside 1970-2100": 1,
    }
    assert len(local_result.tracks) == len(dask_result.tracks) == 6
    suspect = inferred = landed = 0
    for (entry, mine), (theirs_entry, theirs) in zip(dask_result.tracks, local_result.tracks, strict=True):
        assert entry == theirs_entry and mine.track.registration == entry.registration
        assert track_json(mine) == track_json(theirs)
        assert list(mine.track.fixes) == list(theirs.track.fixes) and list(mine.fixes) == list(theirs.fixes)
        suspect += len(mine.suspect)
        inferred += sum(segment.inferred for segment in mine.segments)
        landed += len(mine.landings)
    assert suspect and inferred and landed  # the paths the dataset is made to take were taken


@pytest.mark.skipif(sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="glibc's malloc")
def test_a_share_builds_its_arrays_on_the_heap_under_the_nannys_setting() -> None:
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_, which makes glibc map every array over 128 KiB
    afresh (a share took 1.6 times as long). Within a share's task a 1 MiB array comes from the
    heap; after it the worker's setting is back and the next such array is mapped again."""
    script = """
import numpy as np
from icc_travel.engine.screen import _large_arrays_on_the_heap

def on_heap(array):
    address = array.ctypes.data
    for line in open("/proc/self/maps"):
        if line.rstrip().endswith("[heap]"):
            low, high = (int(part, 16) for part in line.split()[0].split("-"))
            if low <= address < high:
                return True
    return False

before = np.ones(1 << 17)
with _large_arrays_on_the_heap():
    inside = np.ones(1 << 17)
    print(on_heap(before), on_heap(inside))
after = np.ones(1 << 17)
print(on_heap(after))
"""
    environment = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "False"]
    # without the nanny's setting glibc's own threshold is left alone: nothing is changed
    plain = {key: value for key, value in os.environ.items() if key != "MALLOC_TRIM_THRESHOLD_"}
    done = subprocess.run([sys.executable, "-c", script], env=plain, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "False", "False"]


@pytest.mark.parametrize("stop", ["bad part", "interrupt"])
def test_a_scan_that_stops_early_reads_no_more_parts(tmp_path: Path, monkeypatch, stop: str) -> None:
    """Every part is queued at once (each thread starts the next as soon as it is free), so a
    scan that stops, on a part it cannot read or on an interrupt between parts, must cancel the
    parts not started rather than read the rest of the dataset before the error is told."""
    import threading
    import time

    from icc_travel.data.store import load
    from icc_travel.engine import screen
    from icc_travel.errors import InputError

    folder = tmp_path / "states"
    folder.mkdir()
    row = {"time": T0, "icao24": "738a5b", "lat": 36.5, "lon": -7.0, "onground": False}
    first = {key: value for key, value in row.items() if key != "lat"} if stop == "bad part" else row
    pq.write_table(pa.Table.from_pylist([first]), folder / "part-00.parquet")
    for number in range(1, 40):
        pq.write_table(pa.Table.from_pylist([row]), folder / f"part-{number:02d}.parquet")
    watched = screen.read_watchlist(_watchlist(tmp_path), load())
    started, lock = [], threading.Lock()
    filter_part = screen.filter_part

    def slow_filter(part, hexes, rename):  # type: ignore[no-untyped-def]
        with lock:
            started.append(Path(part.path).name)
        if not part.path.endswith("part-00.parquet"):
            time.sleep(0.2)  # long beside the main thread's cancelling, even on a loaded machine
        return filter_part(part, hexes, rename)

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(screen, "filter_part", slow_filter)
    if stop == "bad part":
        with pytest.raises(InputError, match=r"part-00\.parquet: the positions lack lat"):
            screen.scan([folder], watched)
    else:
        with pytest.raises(KeyboardInterrupt):
            screen.scan([folder], watched, progress=interrupt)
    assert "part-00.parquet" in started  # (the two threads start at once: either may record first)
    assert len(started) < 10  # the threads' running parts and perhaps the next ones, not the 40
