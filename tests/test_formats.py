"""The formats every command shares: GeoJSON for places, FollowTheMoney for people, complete
CSV, and cells a spreadsheet or terminal would act on neutralised."""

from __future__ import annotations

import csv
import io
import json

import pytest

from icc_travel.formats import Report, table
from icc_travel.formats import csv as csv_format

TRIP = ["putin", "airport:SVO@2024-09-02", "airport:ULN@2024-09-03", "MN@2024-09-04"]


def test_check_geojson_has_stops_as_points_and_legs_as_lines(invoke) -> None:
    collection = json.loads(invoke("check", *TRIP, "--format", "geojson").stdout)
    assert collection["type"] == "FeatureCollection" and collection["data_as_of"] == "2026-11-23"
    stops = [f for f in collection["features"] if f["properties"]["feature"] == "stop"]
    (leg,) = [f for f in collection["features"] if f["properties"]["feature"] == "leg"]
    assert [s["geometry"] and s["geometry"]["type"] for s in stops] == ["Point", "Point", None]  # MN has no point
    lon, lat = stops[1]["geometry"]["coordinates"]
    assert 47 < lat < 48.5 and 106 < lon < 107.5  # [lon, lat], as RFC 7946 orders them
    assert stops[1]["properties"]["obligation"] == "arrest" and stops[1]["properties"]["sources"]
    assert leg["geometry"]["type"] == "LineString" and len(leg["geometry"]["coordinates"]) > 50
    assert leg["properties"]["level"] == "overflight"
    assert {o["iso3"] for o in leg["properties"]["overflown"]} >= {"RUS", "MNG"}


def test_a_leg_across_the_antimeridian_is_split(invoke) -> None:
    collection = json.loads(
        invoke("check", "putin", "airport:NRT@2025-01-01", "airport:LAX@2025-01-02", "--format", "geojson").stdout
    )
    (leg,) = [f for f in collection["features"] if f["properties"]["feature"] == "leg"]
    assert leg["geometry"]["type"] == "MultiLineString"
    assert all(-180 <= lon <= 180 for run in leg["geometry"]["coordinates"] for lon, _ in run)


def test_check_csv_has_stops_legs_reasons_and_sources(invoke) -> None:
    result = invoke("check", *TRIP, "--format", "csv", "--fail-on", "overflight")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["record"] for r in rows].count("stop") == 3
    mongolia = next(r for r in rows if r["record"] == "overflown" and r["iso3"] == "MNG")
    assert (
        mongolia["obligation"] == "overflight" and float(mongolia["km"]) > 0 and mongolia["leg_from"] == "airport:SVO"
    )
    assert all(r["reasons"] and r["sources"].startswith("http") for r in rows)
    assert {r["data_as_of"] for r in rows} == {"2026-11-23"}


def test_subjects_as_followthemoney_entities(invoke) -> None:
    followthemoney = pytest.importorskip("followthemoney")
    lines = invoke("subjects", "--format", "ftm").stdout.splitlines()
    entities = [followthemoney.model.get_proxy(json.loads(line)) for line in lines]  # validates each
    people = {e.first("name"): e for e in entities if e.schema.name == "Person"}
    sanctions = [e for e in entities if e.schema.name == "Sanction"]
    putin = people["Vladimir Vladimirovich Putin"]
    assert set(putin.get("topics")) == {"wanted", "crime.war"} and putin.get("nationality") == ["ru"]
    assert "wanted" not in people["Rodrigo Roa Duterte"].get("topics")  # in the Court's custody
    of_putin = [s for s in sanctions if s.first("entity") == putin.id]
    assert of_putin and of_putin[0].first("authority") == "International Criminal Court"
    assert of_putin[0].first("startDate") == "2023-03-17"
    assert len(sanctions) == sum(1 for e in entities if e.schema.name == "Sanction") >= len(people)


def test_formats_a_command_cannot_give_are_not_offered(invoke) -> None:
    assert invoke("states", "--format", "geojson").exit_code == 2
    assert invoke("check", "putin", "MN", "--format", "ftm").exit_code == 2


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1-555", "'+1-555"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-26.2", "-26.2"),  # a number stays a number
        ("Mongolia", "Mongolia"),
    ],
)
def test_csv_cells_are_not_formulas(value: str, written: str) -> None:
    report = Report(columns=[("v", "V")], rows=[{"v": value}], payload={})
    (row,) = list(csv.reader(io.StringIO(csv_format.render(report))))[1:]
    assert row == [written]


def test_terminal_output_shows_control_characters_as_escapes() -> None:
    report = Report(columns=[("v", "V")], rows=[{"v": "evil\x1b[2Jname"}], payload={}, title="t\x07")
    text = table.plain(report)
    assert "\x1b" not in text and "\\x1b[2J" in text and "\x07" not in text


def test_batch_csv_never_writes_a_formula(invoke, tmp_path) -> None:
    rows = tmp_path / "evil.csv"
    rows.write_text(
        'subject,place,date\nputin,"=HYPERLINK(""http://evil"",""x"")",2024-09-03\nputin,"-26.2,28.0",2023-08-22\n'
    )
    result = invoke("batch", str(rows), "--format", "csv")
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert parsed[0]["input"].startswith("'=HYPERLINK") and parsed[0]["error"].startswith("unknown place '=HYPERLINK")
    assert parsed[1]["input"] == "-26.2,28.0" and parsed[1]["obligation"] == "arrest"
    assert {row["data_as_of"] for row in parsed} == {"2026-11-23"}


def test_errors_never_send_control_characters_to_the_terminal(invoke, tmp_path) -> None:
    rows = tmp_path / "ansi.csv"
    rows.write_text('subject,place,date\nputin,"\x1b[2Jevil",2024-09-03\n')
    result = invoke("batch", str(rows), "--format", "json")
    assert "\x1b" not in result.stderr and "\\x1b[2Jevil" in result.stderr
    checked = invoke("check", "putin", "\x1b[31mX")
    assert checked.exit_code == 2 and "\x1b" not in checked.stderr


def test_each_format_computes_only_the_parts_it_renders() -> None:
    """A command gives its costly parts as functions; a format computes only those it declares:
    the table never builds the JSON document, the JSON never builds GeoJSON."""
    import datetime as dt
    import importlib

    from icc_travel import formats

    built: list[str] = []

    def part(name: str, value: object):
        def make() -> object:
            built.append(name)
            return value

        return make

    for fmt, module in formats.FORMATS.items():
        if fmt in ("github", "jsonl", "html"):
            continue  # streamed formats, and the page: other commands
        declared = importlib.import_module(f"icc_travel.formats.{module}").NEEDS
        assert set(declared) <= set(formats.LAZY_PARTS), fmt
        built.clear()
        report = formats.Report(
            columns=[("a", "A")],
            rows=[{"a": 1}],
            payload=part("payload", {"a": 1}),
            as_of=dt.date(2026, 1, 1),
            csv_rows=part("csv_rows", [{"a": 1}]),
            features=part("features", []),
            entities=part("entities", []),
        )
        try:
            formats.render(report, fmt)
        except Exception as error:  # ftm without followthemoney: the parts it needed are still counted
            assert fmt == "ftm", error
        assert sorted(built) == sorted(declared), fmt
