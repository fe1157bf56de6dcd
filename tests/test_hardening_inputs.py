"""Issue 22: the inputs added since the first rounds (track files, position datasets, option
values, plugins, encodings) get the old guarantees: one line and status 2 for bad input, never a
traceback, a hang or a silently different answer."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_hardening import COMMAND, one_error, run
from test_tracks import T0, readsb, route

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
POSITIONS = EXAMPLES / "synthetic_positions.csv"
WATCHLIST = EXAMPLES / "watchlist.csv"

READSB_HEAD = '{"icao": "738a5b", "timestamp": 1735725600, "trace": ['
GPX_HEAD = '<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><trkseg>'


def gpx(points: str, before: str = "") -> str:
    return f'<?xml version="1.0"?>{before}<gpx version="1.1" creator="t"><trk><trkseg>{points}</trkseg></trk></gpx>'


def gpx_point(lat: str, lon: str, minute: int, elevation: str | None = None) -> str:
    ele = f"<ele>{elevation}</ele>" if elevation is not None else ""
    return f'<trkpt lat="{lat}" lon="{lon}">{ele}<time>2025-01-01T10:{minute:02d}:00Z</time></trkpt>'


OPENSKY = "time,icao24,lat,lon,onground,baroaltitude\n"
MODE_S = '{"timestamp": 1720248190.0, "df": "4", "icao24": "393322", "altitude": 575}\n'


def mode_s(**fields: object) -> str:
    """An rs1090 airborne position message with these fields changed."""
    message = {"timestamp": 1720248195.0, "df": "17", "icao24": "393322", "bds": "05", "altitude": 3000}
    message |= {"latitude": 49.0, "longitude": 2.5} | fields
    return json.dumps(message) + "\n"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("a.json", READSB_HEAD + "[0, 36.5, -7.0, 1000], [60, 91, -6.9, 1000]]}", "trace[2]: position 91,-6.9"),
        ("a.json", READSB_HEAD + "[0, true, -7.0, 1000]]}", "must be numbers"),
        ("a.json", READSB_HEAD + "[0, 36.5, -7.0, NaN], [60, 36.4, -6.9, 1000]]}", "altitude nan"),
        ("a.json", READSB_HEAD + "[0, 36.5, -7.0, Infinity]]}", "altitude inf"),
        ("a.json", READSB_HEAD + "[1e20, 36.5, -7.0, 1000]]}", "not a time between 1970 and 2100"),
        ("a.json", READSB_HEAD + "[0, NaN, -7.0, 1000]]}", "not on the globe"),
        ("b.gpx", gpx(gpx_point("91", "10", 0)), "track point 1: position 91.0,10.0"),
        ("b.gpx", gpx(gpx_point("40", "540", 0)), "not on the globe"),
        ("b.gpx", gpx(gpx_point("40", "10", 0, "NaN") + gpx_point("40", "11", 5)), "altitude nan"),
        ("c.csv", OPENSKY + "1735725600000,738a5b,36.5,-7.0,False,1000\n", "milliseconds?"),
        ("c.csv", OPENSKY + "nan,738a5b,36.5,-7.0,False,1000\n", "c.csv:2: time nan"),
        ("c.csv", OPENSKY + "yesterday,738a5b,36.5,-7.0,False,1000\n", "neither seconds since 1970 nor an ISO 8601"),
        ("c.csv", OPENSKY + "1735725600,738a5b,36.5,-7.0,False,inf\n", "altitude 'inf'"),
        ("c.csv", OPENSKY + f'1735725600,738a5b,36.5,-7.0,False,"{"9" * 200_000}"\n', "c.csv:2: unreadable CSV"),
        (
            "d.csv",
            "Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n" + '1e20,x,ISR1,"36.5,-7",1,1,1\n',
            "d.csv:2",
        ),
        ("e.jsonl", MODE_S + mode_s(latitude=91.0), "e.jsonl:2: position 91.0,2.5 is not on the globe"),
        ("e.jsonl", MODE_S + mode_s(altitude=float("nan")), "e.jsonl:2: altitude nan"),
        ("e.jsonl", MODE_S + mode_s(timestamp=1e20), "e.jsonl:2"),
        ("e.jsonl", MODE_S + mode_s(timestamp=True), "e.jsonl:2"),
        ("e.jsonl", MODE_S + mode_s(icao24=None), "e.jsonl:2: a message without its aircraft's icao24"),
        ("e.jsonl", MODE_S + '{"latitude": [' * 100_000 + "\n", "e.jsonl:2: invalid JSON"),
        ("e.jsonl", MODE_S + '["latitude"]\n', "e.jsonl:2: expected a decoded message"),
        ("e.jsonl", MODE_S, "no position message"),
    ],
)
def test_bad_positions_in_track_files_are_one_line(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    one_error(run(["track", str(path), "--subject", "putin"], tmp_path), says)


@pytest.mark.dateless
def test_utf16_is_named_with_the_way_to_convert(tmp_path: Path) -> None:
    path = tmp_path / "states.csv"
    path.write_bytes((OPENSKY + "1735725600,738a5b,36.5,-7.0,False,1000\n").encode("utf-16"))
    one_error(run(["track", str(path), "--subject", "putin"], tmp_path), "UTF-16")
    batch = tmp_path / "visits.csv"
    batch.write_bytes("subject,place,date\nputin,MN,2024-09-03\n".encode("utf-16-le"))
    done = run(["batch", str(batch), "--format", "json"], tmp_path)
    assert "UTF-16" in done.stdout and "iconv" in done.stdout, done.stdout
    watchlist = tmp_path / "w.csv"
    watchlist.write_bytes(WATCHLIST.read_bytes().decode().encode("utf-16"))
    one_error(run(["screen", str(POSITIONS), "--watchlist", str(watchlist)], tmp_path), "UTF-16")


@pytest.mark.dateless
def test_a_gzip_bomb_stops_at_the_limit_on_what_it_expands_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from icc_travel.errors import InputError
    from icc_travel.geo import tracks

    bomb = tmp_path / "trace.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:
        for _ in range(64):
            out.write(b" " * (1 << 20))  # 64 MiB of blanks in about 64 kB
    assert bomb.stat().st_size < (1 << 20)
    monkeypatch.setattr(tracks, "MAX_TRACK_BYTES", 8 << 20)
    with pytest.raises(InputError, match=r"too large .* once decompressed"):
        tracks.read_tracks(bomb)


@pytest.mark.dateless
def test_formats_are_found_behind_long_comments_and_gzip(tmp_path: Path) -> None:
    """A GPX with a long comment before its root, a gzipped Parquet file and a Parquet `time`
    column of timestamps are the tracks they are."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import datetime as dt

    fixes = route([(36.5, -7.0), (36.0, -4.5)], km_per_fix=10)
    points = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><ele>10000</ele><time>'
        f"{(dt.datetime.fromtimestamp(T0, dt.UTC) + dt.timedelta(minutes=n)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        for n, (lat, lon) in enumerate(fixes)
    )
    commented = tmp_path / "long.gpx"
    commented.write_text(gpx(points, before="<!--" + "x" * 20_000 + "-->"))
    table = pa.table(
        {
            "time": pa.array([dt.datetime.fromtimestamp(T0 + 60 * n) for n in range(len(fixes))], pa.timestamp("s")),
            "icao24": ["738a5b"] * len(fixes),
            "lat": [lat for lat, _ in fixes],
            "lon": [lon for _, lon in fixes],
            "onground": [False] * len(fixes),
            "baroaltitude": [3000.0] * len(fixes),
        }
    )
    plain = tmp_path / "states.parquet"
    pq.write_table(table, plain)
    packed = tmp_path / "states.parquet.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    answers = []
    for path in (commented, plain, packed):
        done = run(["track", str(path), "--subject", "putin", "--format", "json"], tmp_path)
        assert done.returncode in (0, 1), done.stderr
        answers.append([(s["iso3"], s["obligation"]) for t in json.loads(done.stdout)["tracks"] for s in t["segments"]])
    assert ("ESP", "overflight") in answers[0] and answers[0] == answers[1] == answers[2]


def screen(
    tmp_path: Path, positions: Path, *extra: str, watchlist: Path = WATCHLIST, timeout: float = 300
) -> subprocess.CompletedProcess:
    args = ["screen", str(positions), "--watchlist", str(watchlist), "--format", "json", *extra]
    return run(args, tmp_path, timeout=timeout)


def test_screen_leaves_out_positions_off_the_globe_and_says_so(tmp_path: Path) -> None:
    lines = POSITIONS.read_text().splitlines()
    bad = [
        "1735725700,738a5b,91.0,-7.0,False,10668.0,ISR001",
        "1735725710,738a5b,36.0,540.0,False,10668.0,ISR001",
        "1735725720,738a5b,inf,-7.0,False,10668.0,ISR001",  # (nan is read as no position)
        "1735725730,738a5b,36.0,-7.0,False,inf,ISR001",
        "99999999999999,738a5b,36.0,-7.0,False,10668.0,ISR001",
    ]
    path = tmp_path / "p.csv"
    path.write_text("\n".join([*lines, *bad]) + "\n")
    clean = json.loads(screen(tmp_path, POSITIONS).stdout)
    done = screen(tmp_path, path)
    document = json.loads(done.stdout)
    assert document["rows"] == clean["rows"]  # the bad positions changed nothing
    refused = document["summary"]["positions_refused"]
    assert refused == {"position off the globe": 3, "altitude not a finite number": 1, "time outside 1970-2100": 1}
    assert "5 positions of watched aircraft were left out" in done.stderr


@pytest.mark.dateless
def test_screen_reads_its_inputs_as_written(tmp_path: Path) -> None:
    text = POSITIONS.read_text()
    header, *rows = text.splitlines()
    # an ICAO address of digits only keeps its leading zero (read as text, not an integer)
    digits = tmp_path / "digits.csv"
    digits.write_text("\n".join([header, *(r.replace("738a5b", "040123") for r in rows)]) + "\n")
    listed = tmp_path / "w.csv"
    listed.write_text("hex,registration,subject,source\n040123,,netanyahu,\n")
    document = json.loads(screen(tmp_path, digits, watchlist=listed).stdout)
    assert document["summary"]["aircraft_found"] == 1 and document["rows"]
    # one aircraft tied to two subjects: rows for each
    two = tmp_path / "two.csv"
    two.write_text(WATCHLIST.read_text() + "738a5b,4X-ISR,putin,\n")
    rows_of = {r["subject"] for r in json.loads(screen(tmp_path, POSITIONS, watchlist=two).stdout)["rows"]}
    assert rows_of == {"netanyahu", "putin"}
    # a repeated column, an empty dataset, unknown --columns names: refused
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("\n".join([header + ",lat", *(r + ",0" for r in rows)]) + "\n")
    one_error(screen(tmp_path, repeated), "repeat the column lat")
    empty = tmp_path / "empty.csv"
    empty.write_text(header + "\n")
    one_error(screen(tmp_path, empty), "no positions (0 rows)")
    (tmp_path / "none").mkdir()
    one_error(screen(tmp_path, tmp_path / "none"), "no position files")
    one_error(screen(tmp_path, POSITIONS, "--columns", "tme=ts"), "did you mean time")
    one_error(screen(tmp_path, POSITIONS, "--columns", "time=icao24"), "would both read the column 'icao24'")
    one_error(screen(tmp_path, POSITIONS, "--columns", "callsign=flight"), "the positions do not have")


def test_screen_refuses_columns_of_a_misleading_type(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    base = {"time": [T0, T0 + 60], "icao24": ["738a5b"] * 2, "lat": [36.5, 36.4], "lon": [-7.0, -6.9]}
    for change, says in (({"lat": [True, True]}, "lat (lat) is bool"), ({"icao24": [7572315, 7572315]}, "hex text")):
        path = tmp_path / "p.parquet"
        pq.write_table(pa.table({**base, **change}), path)
        one_error(screen(tmp_path, path), says)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
@pytest.mark.dateless
def test_screen_reads_each_file_of_a_directory_once_whatever_its_links(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "states"
    (folder / "day").mkdir(parents=True)
    rows = [dict(zip(["time", "icao24", "lat", "lon"], [T0 + n, "a00000", 40.0, -3.0], strict=True)) for n in range(10)]
    pq.write_table(pa.Table.from_pylist(rows), folder / "day" / "part.parquet")
    (folder / "day" / "loop").symlink_to(folder)  # a link back up: a loop
    (folder / "again").symlink_to(folder / "day")  # the same directory twice
    done = screen(tmp_path, folder, timeout=120)
    assert json.loads(done.stdout)["summary"]["rows_read"] == 10, done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--gap", "nan"], "--gap"),
        (["--gap", "inf"], "--gap"),
        (["--engine", "dask", "--scheduler", "not an address!"], "not a scheduler address"),
    ],
)
def test_option_values_are_checked(tmp_path: Path, args: list[str], says: str) -> None:
    one_error(screen(tmp_path, POSITIONS, *args), says)
    if args[0] == "--gap":
        one_error(run(["track", str(EXAMPLES / "synthetic_track_tlv_west.json"), *args], tmp_path), says)


@pytest.mark.dateless
def test_a_dead_scheduler_is_named_within_seconds(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    import socket
    import time

    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    done = screen(tmp_path, POSITIONS, "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}", timeout=120)
    one_error(done, "cannot reach the Dask scheduler")
    assert "output" not in done.stderr and time.monotonic() - start < 60


def test_consecutive_stops_at_one_point_and_many_short_legs(tmp_path: Path) -> None:
    done = run(["check", "putin", "47.9,106.9@2024-09-03", "47.9,106.9@2024-09-04", "--format", "geojson"], tmp_path)
    assert done.returncode == 1, done.stderr
    legs = [f for f in json.loads(done.stdout)["features"] if f["properties"].get("feature") == "leg"]
    assert len(legs) == 1 and len(legs[0]["geometry"]["coordinates"]) >= 2
    stops = [f"{47 + (n % 7) * 0.01:.2f},{106 + (n % 11) * 0.01:.2f}@2024-09-03" for n in range(2000)]
    done = run(["check", "putin", *stops, "--format", "json"], tmp_path, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert len(json.loads(done.stdout)["legs"]) == 1999


def test_every_geojson_line_has_two_positions(tmp_path: Path) -> None:
    path = readsb(tmp_path / "one.json", [(36.5, -7.0)])
    done = run(["track", str(path), "--subject", "putin", "--format", "geojson"], tmp_path)
    for feature in json.loads(done.stdout)["features"]:
        geometry = feature["geometry"]
        if geometry and geometry["type"] == "LineString":
            assert len(geometry["coordinates"]) >= 2
        if geometry and geometry["type"] == "MultiLineString":
            assert all(len(part) >= 2 for part in geometry["coordinates"])


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.dateless
def test_output_a_stream_cannot_encode_is_escaped(tmp_path: Path, encoding: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}

    def output(args: list[str]) -> tuple[int, str, str]:
        done = subprocess.run([COMMAND, *args], capture_output=True, env=env, cwd=tmp_path)
        # click writes its own messages as UTF-8 where a stream says ASCII: read what comes, leniently
        return done.returncode, done.stdout.decode(encoding), done.stderr.decode("utf-8", errors="replace")

    for args in (
        ["subject", "putin"],
        ["check", "putin", "MN@2024-09-03", "--format", "markdown"],
        ["check", "putin", "Владимир@2024-09-03"],
        ["precedents"],
        ["batch", str(EXAMPLES / "visits.yaml")],
        ["track", str(EXAMPLES / "synthetic_track_tlv_west.json")],
    ):
        status, _, stderr = output(args)
        assert "Traceback" not in stderr and status in (0, 1, 2), (args, stderr)
    assert "\\u0412" in output(["subject", "putin"])[1]  # Владимир, as escapes


def test_antarctica_is_labelled_antarctica(tmp_path: Path) -> None:
    done = run(["check", "putin", "-89.9,0@2024-09-03"], tmp_path)
    assert "(no state: Antarctica)" in done.stdout and "high seas" not in done.stdout.split("\n\n")[1]


def test_state_since_after_until_is_refused(tmp_path: Path) -> None:
    one_error(run(["state", "HU", "--since", "2026-01-01", "--until", "2025-01-01"], tmp_path), "is after --until")


@pytest.mark.dateless
def test_a_broken_plugin_leaves_help_and_the_other_commands_working(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    from click.testing import CliRunner

    from icc_travel.cli import main

    broken = EntryPoint("brokenplugin", "no_such_module_for_icc_travel:command", "icc_travel.commands")
    monkeypatch.setattr(main, "_plugins", lambda: {"brokenplugin": broken})
    runner = CliRunner()
    helped = runner.invoke(main.cli, ["--help"])
    assert helped.exit_code == 0 and "brokenplugin" in helped.output and "broken plugin" in helped.output
    ran = runner.invoke(main.cli, ["brokenplugin", "--anything"])
    assert ran.exit_code == 2 and "cannot be loaded" in ran.output and "Traceback" not in ran.output
    assert runner.invoke(main.cli, ["check", "putin", "MN@2024-09-03"]).exit_code == 1


def test_control_characters_never_reach_the_report_page(tmp_path: Path) -> None:
    html5lib = pytest.importorskip("html5lib")
    fixes = route([(36.5, -7.0), (36.0, -4.5)], km_per_fix=10)
    path = readsb(tmp_path / "trace.json", fixes)
    document = json.loads(path.read_text())
    document["r"] = "4X-\x1b[31mISR\x00\x85"
    path.write_text(json.dumps(document))
    page = tmp_path / "page.html"
    done = run(["report", "--track", str(path), "--subject", "putin", "-o", str(page)], tmp_path)
    assert done.returncode == 0, done.stderr
    text = page.read_text()
    assert "\x1b" not in text and "\x00" not in text and "\\x1b" in text
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)


@pytest.mark.dateless
def test_a_deeply_nested_boundary_file_is_refused(tmp_path: Path) -> None:
    import shutil

    from icc_travel.data import paths

    data = tmp_path / "data"
    shutil.copytree(paths.data_dir(), data)
    (data / "member_states.geojson").write_text('{"type": "FeatureCollection", "features": ' + "[" * 200_000 + "]}")
    one_error(run(["check", "putin", "MN"], tmp_path, env={"ICC_TRAVEL_DATA": str(data)}), "member_states.geojson")
    one_error(
        run(["check", "putin", "47.9,106.9"], tmp_path, env={"ICC_TRAVEL_DATA": str(data)}), "member_states.geojson"
    )


@pytest.mark.dateless
def test_the_command_is_this_environments(tmp_path: Path) -> None:
    assert Path(COMMAND).exists() and Path(sys.executable).parent == Path(COMMAND).parent


def test_screen_reads_times_as_numbers_timestamps_or_text_alike(tmp_path: Path) -> None:
    import datetime as dt

    header, *rows = POSITIONS.read_text().splitlines()
    as_text = tmp_path / "iso.csv"
    as_text.write_text(
        "\n".join(
            [header]
            + [
                ",".join([dt.datetime.fromtimestamp(int(r.split(",")[0]), dt.UTC).isoformat(), *r.split(",")[1:]])
                for r in rows
            ]
        )
        + "\n"
    )
    mixed = tmp_path / "mixed.csv"  # a column of text: one unreadable time is refused and counted
    mixed.write_text("\n".join([header, *rows, "yesterday" + rows[0][rows[0].index(",") :]]) + "\n")
    numeric = json.loads(screen(tmp_path, POSITIONS).stdout)
    assert json.loads(screen(tmp_path, as_text).stdout)["rows"] == numeric["rows"]
    document = json.loads(screen(tmp_path, mixed).stdout)
    assert document["rows"] == numeric["rows"]
    assert document["summary"]["positions_refused"] == {"time outside 1970-2100": 1}


@pytest.mark.parametrize(
    "place",
    [
        "1" + " " * 190 + "x",  # took 9 minutes before its white space was made single spaces
        "1" + " " * 60 + "1" + " " * 60 + "1" + " " * 60 + "x",
        "1°" + " " * 90 + "1'" + " " * 90 + "Z",
        "N1" + " " * 95 + "1" + " " * 95 + "Q",
    ],
)
def test_a_place_built_to_make_the_coordinate_patterns_backtrack_is_refused_at_once(tmp_path: Path, place: str) -> None:
    """Stops are read with patterns for coordinates in degrees and minutes, whose optional parts
    once shared out a long run of spaces in so many ways that a 192-character stop kept a core
    busy for minutes. Each is refused as a place, the command ending well inside a minute
    (`timeout`: a guard against the machine being held, not a measure of speed)."""
    done = run(["check", "putin", place], tmp_path, timeout=60)
    one_error(done, "place")
