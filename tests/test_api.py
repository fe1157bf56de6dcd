"""The Python API gives what the commands print: the same records, the same JSON contract."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from icc_travel import api
from icc_travel.data.models import Dataset

REAL = Path(__file__).parent / "data" / "real"


def cli_json(*args: str, facts: Path | None = None) -> dict:
    """The installed command's `--format json` output, run as a user runs it."""
    environment = {key: value for key, value in os.environ.items() if key != "ICC_TRAVEL_FACTS"}
    prefix = ["--facts", str(facts)] if facts else []
    done = subprocess.run(
        [sys.executable, "-m", "icc_travel", *prefix, *args, "--format", "json"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_check_returns_the_commands_answer(dataset: Dataset) -> None:
    result = api.check("putin", ["MN@2024-09-03", ("Paris, FR", "2024-09-04"), ("airport:SVO", dt.date(2024, 9, 5))])
    levels = [(s.place.territory.iso3, s.obligation.level, s.obligation.basis) for s in result.stops]
    assert levels == [("MNG", "arrest", "state_party"), ("FRA", "arrest", "state_party"), ("RUS", "none", "non_party")]
    assert result.legs, "consecutive stops with coordinates get their leg"
    document = api.to_json(result)
    assert document == cli_json("check", "putin", "MN@2024-09-03", "Paris, FR@2024-09-04", "airport:SVO@2024-09-05")


def test_check_takes_kinds_and_the_default_date() -> None:
    result = api.check("al-bashir", [("ZA", "2015-06-14", "transit"), "UG"], on="2016-05-12", legs=False)
    first, second = result.stops
    assert first.spec.kind == "transit" and first.obligation.level == "arrest"
    assert second.spec.date == dt.date(2016, 5, 12) and second.obligation.level == "arrest"
    assert not result.legs


@pytest.mark.parametrize(
    ("stops", "says"),
    [
        ([], "no stops"),
        ([("MN",)], "give 'PLACE[@DATE]'"),
        (["Narnia@2024-01-01"], "Narnia"),
        ([("MN", "2024-02-30")], "2024-02-30"),
    ],
)
def test_bad_stops_raise_input_errors(stops: list, says: str) -> None:
    with pytest.raises(api.InputError, match=re.escape(says)):
        api.check("putin", stops)


def test_an_unknown_subject_names_close_matches() -> None:
    with pytest.raises(api.InputError) as raised:
        api.check("puttin", ["MN"])
    assert "putin" in str(raised.value)


def test_obligations_for_a_geodataframe_column() -> None:
    """GeoPandas in, a column of obligations out: each point answers as its coordinates typed
    into `check` answer."""
    geopandas = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    frame = geopandas.GeoDataFrame(
        {
            "seen": ["2024-09-03", "2024-09-03", "2025-04-03", "2025-04-03", "2030-01-01"],
            "geometry": [
                Point(106.77, 47.85),  # Ulaanbaatar: x is the longitude
                Point(-30.0, 40.0),  # the Atlantic
                Point(19.04, 47.50),  # Budapest
                Point(32.99, 34.59),  # RAF Akrotiri, in the Sovereign Base Areas
                Point(0.0, -80.0),  # Antarctica
            ],
        },
        crs="EPSG:4326",
    )
    answers = api.obligations("putin", frame.geometry, frame["seen"])
    frame["obligation"] = [a.level for a in answers]
    frame["iso3"] = [a.iso3 for a in answers]
    for answer, point, seen in zip(answers, frame.geometry, frame["seen"], strict=True):
        typed = api.check("putin", [(f"{point.y},{point.x}", seen)], legs=False).stops[0]
        assert (answer.iso3, answer.level, answer.basis) == (
            typed.place.territory.iso3 if typed.place.territory else None,
            typed.obligation.level,
            typed.obligation.basis,
        )
        assert answer.obligation.reasons == typed.obligation.reasons
    assert [a.iso3 for a in answers[:2]] == ["MNG", None]
    assert frame["obligation"][0] == "arrest" and frame["obligation"][1] == "none"
    assert api.to_json(answers[0])["sources"][0]["tier"] != "aggregator"


def test_obligations_take_pairs_one_date_and_many_points(dataset: Dataset) -> None:
    pairs = [(47.85 + i / 1000, 106.77) for i in range(1500)]  # past the bulk threshold
    answers = api.obligations("putin", pairs, dt.datetime(2024, 9, 3, 12, 0), dataset=dataset)
    assert {a.iso3 for a in answers} == {"MNG"} and {a.level for a in answers} == {"arrest"}


@pytest.mark.parametrize(
    ("points", "dates", "says"),
    [
        ([(47.0, 106.0)], ["2024-01-01", "2024-01-02"], "1 points but 2 dates"),
        ([(95.0, 0.0)], "2024-01-01", "not a position on the globe"),
        ([(float("nan"), 0.0)], "2024-01-01", "not a position on the globe"),
        (["Paris"], "2024-01-01", "neither a shapely Point"),
        ([(47.0, 106.0)], [20240101], "give a date"),
    ],
)
def test_bad_points_and_dates_raise_input_errors(points: list, dates: object, says: str) -> None:
    with pytest.raises(api.InputError, match=re.escape(says)):
        api.obligations("putin", points, dates)


def test_analyse_tracks_is_the_track_command() -> None:
    path = REAL / "fr24_2ce4f83f.json"
    result = api.analyse_tracks([path], subject="putin")
    assert len(result.tracks) == 1 and result.tracks[0].segments
    assert api.to_json(result) == cli_json("track", str(path), "--subject", "putin")


def test_analyse_tracks_without_a_subject_needs_a_known_aircraft() -> None:
    with pytest.raises(api.InputError, match="give a subject"):
        api.analyse_tracks([REAL / "fr24_2ce4f83f.json"])


def test_table_is_the_table_command() -> None:
    result = api.table(["putin", "netanyahu"], on="2025-04-03")
    hungary = next(row for row in result.rows if row.territory.iso3 == "HUN")
    assert hungary.obligations["netanyahu"].level == "arrest"
    assert api.to_json(result) == cli_json(
        "table", "--subject", "putin", "--subject", "netanyahu", "--on", "2025-04-03"
    )


def test_screen_is_the_screen_command(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from test_screen import positions

    folder, _, watchlist = positions(tmp_path)
    result = api.screen([folder], watchlist=watchlist)
    assert result.aircraft_watched == 3 and len(result.tracks) == 2
    document = api.to_json(result)
    printed = cli_json("screen", str(folder), "--watchlist", str(watchlist))
    assert document == printed


def test_a_facts_file_is_an_argument_not_an_environment_variable(tmp_path: Path) -> None:
    """`load_data(facts=...)` merges a facts file for this dataset only: the process's
    environment is left as it was, and the answer is the command's with `--facts`."""
    facts = tmp_path / "newsroom.yaml"
    facts.write_text(
        "states:\n"
        "- iso3: MNG\n"
        "  name: Mongolia\n"
        "  signed: 2000-12-29\n"
        "  deposited: 2002-04-11\n"
        "  entry_into_force: 2002-07-01\n"
        "  withdrawal_notified: 2024-01-10\n"
        "  withdrawal_revoked: null\n"
        "  withdrawal_effective: 2025-01-10\n"
        "  confidence: medium\n"
        "  reason: A newsroom's test record.\n"
        "  sources:\n"
        "  - https://newsroom.example.org/2024/01/mongolia\n"
        "hosts:\n"
        "  newsroom.example.org: news\n"
    )
    before = dict(os.environ)
    dataset = api.load_data(facts=facts)
    assert dict(os.environ) == before
    local = api.check("putin", ["MN@2025-06-01"], dataset=dataset)
    bundled = api.check("putin", ["MN@2025-06-01"])
    assert bundled.stops[0].obligation.level == "arrest"
    assert local.stops[0].obligation.level != "arrest"
    assert local.stops[0].obligation.local, "the answer says it rests on the local file"
    assert api.to_json(local) == cli_json("check", "putin", "MN@2025-06-01", facts=facts)


def test_one_process_runs_the_cli_many_times_without_leaks(invoke, tmp_path: Path) -> None:
    """--facts, -q and batch's paused garbage collector belong to their run: the next run in the
    same process (CliRunner, a notebook) starts clean, and os.environ is never written."""
    import gc

    facts = tmp_path / "newsroom.yaml"
    facts.write_text("hosts:\n  newsroom.example.org: news\n")
    rows = tmp_path / "rows.csv"
    rows.write_text("subject,place,date\nputin,MN,2024-09-03\n")
    before = dict(os.environ)
    assert invoke("--facts", str(facts), "-q", "batch", str(rows), "--format", "jsonl").exit_code == 1
    assert dict(os.environ) == before
    assert gc.isenabled()
    verbose = invoke("-v", "check", "putin", "MN@2024-09-03")
    assert "local facts" not in verbose.stderr and "data from" in verbose.stderr
    plain = invoke("check", "putin", "CH@2030-01-01")
    assert "after the data" in plain.stderr or "as of" in plain.stderr, "warnings show again after -q"


def test_render_helpers_outside_a_command_keep_nothing_for_the_next_run(invoke, capsys) -> None:
    """Called from plain Python, a warning is written at once (no command end will flush it) and a
    verbosity set there lasts for nothing: the next command run in the process is unaffected."""
    from icc_travel.cli import render

    render.set_verbosity(-1)
    render.warn("outside any command")
    assert capsys.readouterr().err == "icc-travel: warning: outside any command\n"
    assert not render.quiet()
    verbose = invoke("-v", "check", "putin", "MN@2024-09-03")
    assert "outside any command" not in verbose.stderr and "data from" in verbose.stderr


def test_screen_without_a_watchlist_asks_for_one_in_the_apis_words(tmp_path) -> None:
    """With no watchlist and no aircraft address in the data, the API raises WatchlistNeeded, an
    InputError that names no command-line option (a command words its own)."""
    from icc_travel import api

    dataset = api.load_data()
    bare = dataset.replace(aircraft=[])
    positions = tmp_path / "positions.csv"
    positions.write_text("time,icao24,lat,lon\n1700000000,abc123,50.0,10.0\n")
    with pytest.raises(api.WatchlistNeeded) as raised:
        api.screen(positions, dataset=bare)
    assert isinstance(raised.value, api.InputError)
    assert "--watchlist" not in str(raised.value) and "watchlist file" in str(raised.value)
