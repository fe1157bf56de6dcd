"""`table`, `states`, `subjects`, `subject`, `precedents`; and every advertised format on every command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest

from icc_travel.cli.main import cli

SAMPLE_BATCH = Path(__file__).resolve().parent.parent / "examples" / "visits.yaml"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SAMPLE_ARGS = {
    "screen": [str(EXAMPLES / "synthetic_positions.csv"), "--watchlist", str(EXAMPLES / "watchlist.csv")],
    "check": ["putin", "MN@2024-09-03"],
    "batch": [str(Path(__file__).resolve().parent.parent / "examples" / "visits.yaml")],
    "table": ["--subject", "putin", "--on", "2024-09-03"],
    "states": ["--on", "2025-07-08"],
    "state": ["Hungary", "--since", "2025-01-01"],
    "subjects": [],
    "subject": ["putin", "--on", "2024-09-03"],
    "precedents": ["--subject", "bashir"],
    "info": ["--on", "2025-07-08"],
    "sources": ["--at-most", "news"],
    "track": [
        str(Path(__file__).resolve().parent.parent / "examples" / "synthetic_track_tlv_west.json"),
        "--subject",
        "netanyahu",
    ],
}


def commands_with_format() -> list[tuple[list[str], click.Command]]:
    found = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            found += [([name, sub], c) for sub, c in command.commands.items()]
        else:
            found.append(([name], command))
    return [(path, c) for path, c in found if any(p.name == "fmt" for p in c.params)]


def test_every_command_with_output_has_sample_arguments() -> None:
    assert {path[-1] for path, _ in commands_with_format()} == set(SAMPLE_ARGS)


@pytest.mark.parametrize(
    ("path", "command"), commands_with_format(), ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_every_command_supports_every_format_it_advertises(invoke, path: list[str], command: click.Command) -> None:
    import importlib.util

    option = next(p for p in command.params if p.name == "fmt")
    has_ftm = importlib.util.find_spec("followthemoney") is not None  # an extra: pip install "icc-travel[ftm]"
    for fmt in option.type.choices:
        result = invoke(*path, *SAMPLE_ARGS[path[-1]], "--format", fmt)
        if fmt == "ftm" and not has_ftm:  # one line naming the extra, as the quick start's tests run
            assert result.exit_code == 2 and "pip install 'icc-travel[ftm]'" in result.stderr, result.stderr
            continue
        assert result.exit_code in (0, 1), (path, fmt, result.stderr)
        assert result.stdout.strip(), (path, fmt)
        if fmt == "json":
            json.loads(result.stdout)
        elif fmt == "csv":
            assert next(iter(csv.reader(io.StringIO(result.stdout))))
        elif fmt == "markdown":
            assert "|---" in result.stdout
        elif fmt == "jsonl":
            assert all(json.loads(line) for line in result.stdout.splitlines())
        elif fmt == "github":
            assert result.stdout.startswith("::")


def test_every_command_has_help_with_an_example(invoke) -> None:
    for path, _ in commands_with_format():
        text = invoke(*path, "--help").stdout
        assert "Example" in text, path


def test_states_count_matches_the_court(invoke) -> None:
    assert invoke("states", "--on", "2025-07-08", "--count").stdout == "125\n"
    assert invoke("states", "--on", "2026-06-02", "--count").stdout == "125\n"  # Hungary stays (revoked)
    assert invoke("states", "--on", "2002-07-01", "--count").stdout == "66\n"


def test_states_lists_dates(invoke) -> None:
    document = json.loads(invoke("states", "--on", "2024-02-01", "--format", "json").stdout)
    armenia = next(s for s in document["states"] if s["iso3"] == "ARM")
    assert armenia["entry_into_force"] == "2024-02-01" and armenia["sources"]
    assert document["count"] == len(document["states"]) == 124


def test_table_for_one_subject(invoke) -> None:
    document = json.loads(invoke("table", "--subject", "putin", "--on", "2024-09-03", "--format", "json").stdout)
    rows = {(t["iso3"], t["territory"]): t for t in document["territories"]}
    assert rows[("MNG", None)]["obligations"]["putin"] == {"obligation": "arrest", "basis": "state_party"}
    assert rows[("RUS", None)]["obligations"]["putin"]["obligation"] == "none"
    assert rows[("UKR", "Crimea")]["obligations"]["putin"]["basis"] == "article_12_3"
    assert rows[("MNG", None)]["precedents"] >= 1
    names = [t["name"].casefold() for t in document["territories"]]
    assert names == sorted(names) and len(names) == 258  # with the UK Sovereign Base Areas, the Ilemi Triangle,
    # the two Greek areas whose standing depends on the date (Ionian 6-12 nm) or a claim (10-nm airspace), and
    # Venezuela's claim to the middle of the Gulf of Venezuela


def test_table_parties_only_and_matrix(invoke) -> None:
    document = json.loads(
        invoke(
            "table",
            "--subject",
            "putin",
            "--subject",
            "netanyahu",
            "--on",
            "2025-07-08",
            "--parties-only",
            "--format",
            "json",
        ).stdout
    )
    assert [s["id"] for s in document["subjects"]] == ["putin", "netanyahu"]
    assert all(t["obligations"]["putin"]["obligation"] == "arrest" for t in document["territories"])
    args = ["table", "--subject", "putin", "--subject", "netanyahu", "--on", "2025-07-08", "--format", "markdown"]
    wide = invoke(*args, "--wide").stdout
    assert "| Territory | ISO3 | putin | netanyahu | Precedents |" in wide
    assert "| Mongolia | MNG | arrest (state_party) | arrest (state_party) |" in wide
    grouped = invoke(*args).stdout  # readable by default: one row per territory and level
    assert "| Territory | ISO3 | Obligation | Basis | Subjects | Precedents |" in grouped
    assert "| Mongolia | MNG | arrest | state_party | all 2 |" in grouped
    assert "| Ukraine | UKR | arrest | state_party | putin, netanyahu |" not in grouped
    assert "| Ukraine | UKR | arrest | state_party | all 2 |" in grouped


def test_table_without_subject_uses_everyone_at_large(invoke, dataset) -> None:
    document = json.loads(invoke("table", "--on", "2026-01-01", "--parties-only", "--format", "json").stdout)
    ids = {s["id"] for s in document["subjects"]}
    assert {"putin", "netanyahu", "akhundzada"} <= ids
    assert "duterte" not in ids and "kushayb" not in ids  # in custody by then


def test_subjects_and_profile(invoke) -> None:
    rows = json.loads(invoke("subjects", "--status", "at_large", "--format", "json").stdout)["subjects"]
    assert rows and all(r["status"] == "at_large" for r in rows)
    profile = json.loads(invoke("subject", "Владимир Путин", "--on", "2025-07-08", "--format", "json").stdout)
    assert profile["id"] == "putin" and profile["situation"]["id"] == "ukraine"
    assert profile["territories_by_obligation"]["arrest"] >= 125
    assert any(p["state"] == "MNG" for p in profile["precedents"]) and profile["sources"]


def test_precedents_filters(invoke) -> None:
    found = json.loads(invoke("precedents", "--state", "Mongolia", "--format", "json").stdout)["precedents"]
    assert found and all(p["state"] == "MNG" for p in found)
    outcomes = json.loads(
        invoke("precedents", "--subject", "bashir", "--outcome", "not_arrested", "--format", "json").stdout
    )
    assert len(outcomes["precedents"]) >= 5
    assert all(p["outcome"] == "not_arrested" and p["subject"] == "bashir" for p in outcomes["precedents"])


def test_format_defaults_from_the_environment_fit_each_command(invoke, monkeypatch) -> None:
    monkeypatch.setenv("ICC_TRAVEL_FORMAT", "markdown")
    assert invoke("data", "info").stdout.startswith("icc-travel data")  # has no markdown: its default
    assert invoke("states", "--count").exit_code == 0
    assert invoke("subjects").stdout.startswith("**")  # markdown where the command has it
    monkeypatch.setenv("ICC_TRAVEL_FORMAT", "table")
    assert invoke("batch", str(SAMPLE_BATCH)).stdout.startswith("{")  # batch has no table: json
    monkeypatch.setenv("ICC_TRAVEL_CHECK_FORMAT", "csv")
    assert invoke("check", "putin", "MN@2024-09-03").stdout.startswith("record,stop,leg")
    monkeypatch.setenv("ICC_TRAVEL_DATA_INFO_FORMAT", "csv")
    result = invoke("data", "info")
    assert result.exit_code == 2 and "ICC_TRAVEL_DATA_INFO_FORMAT" in result.stderr


def test_every_format_shows_the_data_as_of_date(invoke) -> None:
    for fmt in ("table", "json", "csv", "markdown", "geojson"):
        assert "2026-11-23" in invoke("check", "putin", "airport:ULN@2024-09-03", "--format", fmt).stdout, fmt
    import importlib.util

    has_ftm = importlib.util.find_spec("followthemoney") is not None  # an extra: pip install "icc-travel[ftm]"
    for fmt in ("table", "json", "csv", "markdown", *(["ftm"] if has_ftm else [])):
        assert "2026-11-23" in invoke("subjects", "--format", fmt).stdout, fmt


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("icc-travel check pu", "plain,putin"),
        ("icc-travel ch", "plain,check"),
        ("icc-travel check putin MN --format geo", "plain,geojson"),
        ("icc-travel table --subject netan", "plain,netanyahu"),
        ("icc-travel state HU", "plain,HUN"),
    ],
)
def test_shell_completion(words: str, expected: str, tmp_path) -> None:
    import os
    import subprocess
    import sys

    command = str(Path(sys.executable).parent / "icc-travel")
    env = {
        **os.environ,
        "_ICC_TRAVEL_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
        "XDG_CACHE_HOME": str(tmp_path),
    }
    done = subprocess.run([command], env=env, capture_output=True, text=True)
    assert expected in done.stdout.splitlines(), done.stdout + done.stderr


def test_commands_added_the_click_way_are_kept(invoke) -> None:
    """@cli.command() and add_command register as on any click group, next to the lazy table."""
    from icc_travel.cli.main import cli

    @cli.command("echo-test")
    def echo_test() -> None:
        """An added command."""
        click.echo("added")

    try:
        assert invoke("echo-test").stdout == "added\n"
        assert "echo-test" in invoke("--help").stdout
        assert invoke("check", "putin", "MN@2024-09-03").exit_code == 1  # built-ins still load lazily
    finally:
        cli._eager.pop("echo-test")
