"""`icc-travel check` through click: every format, the JSON contract, exit statuses."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STOP_KEYS = {"input", "date", "kind", "country", "obligation", "basis", "reasons", "sources", "precedents"}
PRECEDENT_KEYS = {"subject", "state", "date", "outcome", "finding", "sources"}


def test_mongolia_2024_is_arrest_with_the_non_compliance_finding(invoke) -> None:
    result = invoke("check", "putin", "MN@2024-09-03", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert set(document) == {"subject", "data_as_of", "stops", "legs", "warnings"}
    assert document["warnings"] == []
    assert document["subject"] == {"id": "putin", "name": "Vladimir Vladimirovich Putin", "status": "at_large"}
    (stop,) = document["stops"]
    assert set(stop) >= STOP_KEYS
    assert stop["country"]["iso3"] == "MNG" and stop["country"]["iso2"] == "MN"
    assert (stop["obligation"], stop["basis"], stop["date"], stop["kind"]) == (
        "arrest",
        "state_party",
        "2024-09-03",
        "visit",
    )
    assert stop["sources"] and stop["reasons"] and stop["after_data_as_of"] is False
    findings = [p["finding"] for p in stop["precedents"] if p["finding"]]
    assert any(f["number"] == "ICC-01/22-90" and f["result"] == "non_compliance" for f in findings)
    assert all(set(p) >= PRECEDENT_KEYS for p in stop["precedents"])


def test_precedents_are_newest_first_within_each_group(invoke) -> None:
    document = json.loads(invoke("check", "putin", "MN@2024-09-03", "--format", "json").stdout)
    dates = [p["date"] for p in document["stops"][0]["precedents"] if p["subject"] == "putin"]
    assert len(dates) >= 1 and dates == sorted(dates, reverse=True)


def test_plain_table_when_piped(invoke) -> None:
    result = invoke("check", "putin", "MN@2024-09-03", "RU@2024-09-03")
    lines = result.stdout.splitlines()
    assert lines[0] == "Vladimir Vladimirovich Putin (putin), status at_large"
    assert lines[2].split() == ["#", "DATE", "PLACE", "STATE", "OBLIGATION", "BASIS", "PRECEDENTS"]
    assert lines[3].split()[:6] == ["1", "2024-09-03", "MN", "Mongolia", "arrest", "state_party"]
    assert "\x1b[" not in result.stdout
    assert "Data as of" in result.stdout and "sealed warrant" in result.stdout


def test_csv_and_markdown(invoke) -> None:
    rows = list(csv.DictReader(io.StringIO(invoke("check", "putin", "MN@2024-09-03", "--format", "csv").stdout)))
    assert (rows[0]["obligation"], rows[0]["iso3"], rows[0]["state"], rows[0]["kind"]) == (
        "arrest",
        "MNG",
        "Mongolia",
        "visit",
    )
    markdown = invoke("check", "putin", "MN@2024-09-03", "--format", "markdown").stdout
    assert "| # | Date | Place | State | Obligation | Basis | Precedents |" in markdown
    assert "| 1 | 2024-09-03 | MN | Mongolia | arrest | state_party |" in markdown


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["putin", "RU@2024-09-03"], 0),
        (["putin", "MN@2024-09-03"], 1),
        (["putin", "MN@2024-09-03", "--fail-on", "never"], 0),
        (["netanyahu", "HU@2025-04-03", "--fail-on", "never"], 0),
    ],
)
def test_exit_status_follows_fail_on(invoke, args: list[str], status: int) -> None:
    assert invoke("check", *args).exit_code == status


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["putn", "MN"], "on record as of 2026-11-23 (see 'icc-travel subjects'); did you mean: putin?"),
        (
            ["Xi Jinping", "CN"],
            "unknown subject 'Xi Jinping': no public ICC arrest warrant or Prosecutor's application",
        ),
        (["putin", "-91,28.0@2023-08-22"], "latitude -91 is outside"),  # a southern coordinate, as typed
        (["putin", "Mongolai"], "did you mean: Mongolia"),
        (["putin", "MN@2025-02-30"], "does not exist"),
        (["putin", "MN@20250101"], "YYYY-MM-DD"),
        (["putin", "MN", "--on", "yesterday"], "--on"),
        (["putin"], "no stops"),
        ([], "missing SUBJECT"),
        (["putin", "91,0"], "latitude"),
    ],
)
def test_bad_input_is_one_line_and_status_2(invoke, args: list[str], message: str) -> None:
    result = invoke("check", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_itinerary_file(invoke, tmp_path: Path) -> None:
    trip = tmp_path / "trip.yaml"
    trip.write_text(
        "subject: Netanyahu\nstops:\n  - {place: HU, date: 2025-04-03}\n  - {place: airport:JFK, date: 2025-04-07, kind: transit}\n"
    )
    document = json.loads(invoke("check", "--itinerary", str(trip), "--format", "json").stdout)
    assert [s["obligation"] for s in document["stops"]] == ["arrest", "none"]
    assert document["stops"][1]["kind"] == "transit"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty itinerary"),
        ("subject: putin\nstops:\n  - {place: MN, date: 2024-13-01}\n", "trip.yaml:3"),
        ("subject: putin\nstops:\n  - {place: MN, kind: cruise}\n", "trip.yaml:3: kind must be one of"),
        ("subject: putin\nstops: [\n", "trip.yaml:"),
        ("subject: putin\nstops: []\n", "no stops"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_bad_itinerary_files(invoke, tmp_path: Path, content: str, message: str) -> None:
    trip = tmp_path / "trip.yaml"
    trip.write_text(content)
    result = invoke("check", "--itinerary", str(trip))
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_itinerary_that_is_a_directory_or_missing(invoke, tmp_path: Path) -> None:
    assert "is a directory" in invoke("check", "--itinerary", str(tmp_path)).stderr
    assert "no such file" in invoke("check", "--itinerary", str(tmp_path / "nope.yaml")).stderr


def test_installed_command_and_module_entry_point() -> None:
    installed = Path(sys.executable).parent / "icc-travel"
    assert installed.exists(), "the console script is installed beside the interpreter"
    for command in ([str(installed)], [sys.executable, "-m", "icc_travel"]):
        done = subprocess.run(
            [*command, "check", "putin", "MN@2024-09-03", "--format", "json"], capture_output=True, text=True
        )
        assert done.returncode == 1, done.stderr
        assert json.loads(done.stdout)["stops"][0]["basis"] == "state_party"


# Modules a check on codes has no use for, each a measurable part of its start-up (CPU
# milliseconds, against about 50 for a bare `import click, yaml`): pathlib with what it imports
# (4.4), the pure-Python pickle module around the C unpickler, the YAML reader (the dataset comes
# from the cache), entry points (read only for a command that is not built in), dataclasses
# (0.7, and 0.3-0.45 per class made), signal's enums (0.45) and zlib (0.3); and for a code, not
# a name (the names' table holds Côte d'Ivoire), unicodedata (about 1). What is left of the difference: click's gettext lookup imports
# `locale`, the records' classes, the vocabulary's enums, and reading the cached dataset.
START_UP_UNUSED = (
    "pathlib",
    "urllib.parse",
    "ipaddress",
    "fnmatch",
    "pickle",
    "yaml",
    "importlib.metadata",
    "shutil",
    "tempfile",
    "dataclasses",
    "signal",
    "zlib",
)


def test_country_code_check_does_not_import_geometry(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from icc_travel.cli.main import cli\n"
        "try:\n    cli(['check', 'putin', 'MN@2024-09-03', 'Mongolia', '--format', 'json'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('shapely', 'geopandas', 'pandas', 'pyproj', 'numpy', 'pycountry') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
        f"print('UNUSED', [m for m in {START_UP_UNUSED!r} if m in sys.modules], file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY ['pycountry']" in cold.stderr, cold.stderr  # first run validates ISO codes
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert "HEAVY []" in warm.stderr, warm.stderr
    assert "UNUSED []" in warm.stderr, warm.stderr  # the start-up modules of a check on codes: see above


def test_code_check_from_the_console_script_imports_no_start_up_extras(tmp_path: Path) -> None:
    """The installed command, as a user runs it (text output, -X importtime lists every module
    imported, in any thread or from any hook)."""
    installed = Path(sys.executable).parent / "icc-travel"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    argv = [sys.executable, "-X", "importtime", str(installed), "check", "putin", "MN@2024-09-03"]
    subprocess.run(argv, capture_output=True, env=env)  # the first run writes the dataset cache
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert done.returncode == 1, done.stderr  # Mongolia: arrest
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "icc_travel.engine.check" in imported, done.stderr[-2000:]  # the listing is read as it should be
    assert sorted(imported & {*START_UP_UNUSED, "unicodedata"}) == []


def test_a_stop_after_the_data_is_flagged_on_stderr_and_in_json(invoke, dataset) -> None:
    """Every stop after the as-of date is flagged in JSON; a warning is added only past the
    grace period (GRACE_DAYS), so a check on the days after a data release stays quiet."""
    from icc_travel.engine.staleness import GRACE_DAYS

    soon = dataset.as_of + dt.timedelta(days=GRACE_DAYS)
    later = dataset.as_of + dt.timedelta(days=GRACE_DAYS + 1)
    result = invoke("check", "putin", f"MN@{later}", f"MN@{soon}", "MN@2024-09-03", "--format", "json")
    document = json.loads(result.stdout)
    assert [stop["after_data_as_of"] for stop in document["stops"]] == [True, True, False]
    (warning,) = document["warnings"]
    assert str(later) in warning and f"as-of date {dataset.as_of}" in warning and "may be missing" in warning
    assert result.stderr == f"icc-travel: warning: {warning}\n"
    assert invoke("check", "putin", f"MN@{soon}").stderr == ""
    assert invoke("-q", "check", "putin", f"MN@{later}").stderr == ""
    verbose = invoke("-v", "check", "putin", f"MN@{soon}").stderr
    assert verbose.startswith("icc-travel: data from ") and f"as of {dataset.as_of}" in verbose


def test_southern_and_western_coordinates_are_taken_as_typed(invoke) -> None:
    document = json.loads(
        invoke("check", "putin", "-26.2,28.0@2023-08-22", "-22.9,-43.2@2024-11-18", "--format", "json").stdout
    )
    assert [(s["input"], s["country"]["iso3"]) for s in document["stops"]] == [
        ("-26.2,28.0", "ZAF"),
        ("-22.9,-43.2", "BRA"),
    ]
    assert invoke("check", "putin", "-26.2,28.0", "--bogus").exit_code == 2  # real unknown options still fail


def test_precedents_favour_the_same_subject_up_to_the_stop(invoke) -> None:
    stop = json.loads(invoke("check", "bashir", "ZA@2015-06-14", "--format", "json").stdout)["stops"][0]
    ids = [p["id"] for p in stop["precedents"]]
    assert ids[0] == "bashir-zaf-2015"
    later = [p for p in stop["precedents"] if p["date"] > "2015-06-14"]
    assert later and ids[-len(later) :] == [p["id"] for p in later]  # episodes after the stop come last
    assert "latest 2015-06-13 bashir" in invoke("check", "bashir", "ZA@2015-06-14").stdout


def test_a_town_is_shown_as_what_it_was_taken_to_be(invoke) -> None:
    """A name many towns share is resolved or refused by rules a reader should be able to check:
    the table names the town, the JSON says what each stop was taken to be."""
    result = invoke(
        "check", "putin", "Kiev@2025-06-01", "Santiago, CL@2025-06-01", "airport:SIP@2025-06-01", "MN@2025-06-01"
    )
    assert "Kiev (Kyiv, UA)" in result.stdout and "Santiago, CL (" not in result.stdout
    document = invoke(
        "check", "putin", "Kiev@2025-06-01", "airport:SIP@2025-06-01", "MN@2025-06-01", "--format", "json"
    ).stdout
    resolved = [stop["resolved_as"] for stop in json.loads(document)["stops"]]
    assert resolved == ["Kyiv, UA", "Simferopol International Airport (SIP)", None]


def test_coordinates_in_degrees_are_shown_as_read(invoke) -> None:
    """A position copied as the encyclopedias print it (UBN's, from English Wikipedia) is a stop:
    the table shows its decimal reading beside it, the JSON says what it was taken to be, and a
    batch row reads it the same way, as the start of a leg too."""
    stop = "47°39′06″N 106°49′18″E"
    result = invoke("check", "putin", f"{stop}@2024-09-03")
    assert result.exit_code == 1  # Mongolia, a state party: arrest
    assert f"{stop} (47.65167,106.82167)" in result.stdout and "Mongolia" in result.stdout
    document = json.loads(invoke("check", "putin", f"{stop}@2024-09-03", "--format", "json").stdout)
    assert document["stops"][0]["resolved_as"] == "47.65167,106.82167"
    assert document["stops"][0]["obligation"] == "arrest"
    rows = 'itinerary,subject,place,date\nt,putin,"47°39′06″N 106°49′18″E",2024-09-03\nt,putin,airport:PEK,2024-09-05\n'
    batch = invoke("batch", "-", "--format", "jsonl", input=rows)
    first, second = (json.loads(line) for line in batch.stdout.splitlines()[:2])
    assert first["resolved_as"] == "47.65167,106.82167" and first["obligation"] == "arrest"
    assert second["leg"]["from"] == stop and 1000 < second["leg"]["distance_km"] < 1300


def test_coordinates_as_notams_write_them_are_stops(invoke) -> None:
    """The centre of a VIP-movement flight restriction copied from the FAA's NOTAM (FDC 4/8632,
    Crawford, Texas, 2004: "313445N/0973200W") is a stop in the United States, and UBN's
    position written the same way is one in Mongolia, in a check and as a batch leg's ends; a
    latitude and longitude to different units are refused with the forms that are read."""
    result = invoke("check", "putin", "313445N/0973200W@2024-09-03", "4739N10649E@2024-09-04", "--format", "json")
    stops = json.loads(result.stdout)["stops"]
    assert [stop["resolved_as"] for stop in stops] == ["31.57917,-97.53333", "47.65,106.81667"]
    assert [stop["country"]["iso3"] for stop in stops] == ["USA", "MNG"]
    assert [stop["obligation"] for stop in stops] == ["none", "arrest"]
    rows = "itinerary,subject,place,date\nt,putin,385134N0770211W,2024-09-01\nt,putin,473906N1064918E,2024-09-03\n"
    batch = invoke("batch", "-", "--format", "jsonl", input=rows)
    first, second = (json.loads(line) for line in batch.stdout.splitlines()[:2])
    assert [row["country"]["iso3"] for row in (first, second)] == ["USA", "MNG"]
    assert second["leg"]["from"] == "385134N0770211W" and 10_000 < second["leg"]["distance_km"] < 11_000
    refused = invoke("check", "putin", "4739N1064918E")
    assert refused.exit_code == 2
    assert "a latitude is DDMM or DDMMSS and a longitude DDDMM or DDDMMSS" in refused.stderr
