"""`icc-travel batch`: nothing dropped, counts reconcile, exit statuses, GitHub output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

VISITS = """\
- id: bri
  subject: putin
  stops:
    - {place: MN, date: 2024-09-03}
    - {place: Freedonia, date: 2025-10-10}
    - {place: "47.92,106.92", date: 2024-09-03}
- id: hun
  subject: netanyahu
  stops:
    - {place: HU, date: 2026-07-01}
    - {place: RU, date: 2025-01-01}
"""


def written(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def visits(tmp_path: Path) -> Path:
    return written(tmp_path / "visits.yaml", VISITS)


def test_every_row_comes_out_and_counts_reconcile(invoke, visits: Path) -> None:
    result = invoke("batch", str(visits), "--format", "json")
    assert result.exit_code == 2  # one row is an error, reported after all output
    document = json.loads(result.stdout)
    rows = document["rows"]
    assert [r["line"] for r in rows] == [4, 5, 6, 10, 11]
    assert [r["obligation"] if r["error"] is None else "error" for r in rows] == [
        "arrest",
        "error",
        "arrest",
        "arrest",
        "none",
    ]
    assert "unknown place 'Freedonia'" in rows[1]["error"]
    summary = document["summary"]
    assert summary["rows"] == 5 == summary["results"] + summary["errors"] and summary["errors"] == 1
    assert sum(summary["levels"].values()) == summary["results"]
    assert "batch: 5 rows in: 4 results (arrest 3, continuing 0, overflight 0, none 1), 1 errors" in result.stderr
    assert rows[2]["country"]["iso3"] == "MNG" and rows[0]["itinerary"] == "bri" and rows[0]["file"] == str(visits)


@pytest.mark.parametrize(
    ("stops", "fail_on", "status"),
    [
        ("    - {place: RU, date: 2024-09-03}\n", "arrest", 0),
        ("    - {place: MN, date: 2024-09-03}\n", "arrest", 1),
        ("    - {place: MN, date: 2024-09-03}\n", "never", 0),
    ],
)
def test_exit_status(invoke, tmp_path: Path, stops: str, fail_on: str, status: int) -> None:
    path = tmp_path / "v.yaml"
    path.write_text(f"- id: a\n  subject: putin\n  stops:\n{stops}")
    assert invoke("batch", str(path), "--fail-on", fail_on).exit_code == status


def test_github_annotations_and_step_summary(invoke, visits: Path, tmp_path: Path, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = invoke("batch", str(visits), "--format", "github").stdout.splitlines()
    assert out[0] == f"::error file={visits},line=4::putin in Mongolia on 2024-09-03: arrest (state_party)"
    assert out[1].startswith(f"::error file={visits},line=5::unknown place")
    assert out[3] == f"::error file={visits},line=10::netanyahu in Hungary on 2026-07-01: arrest (state_party)"
    assert len(out) == 4
    assert "| File | Line |" in summary.read_text()


def test_csv_and_jsonl_inputs_from_stdin(invoke) -> None:
    csv_text = "itinerary,subject,place,date,kind\r\nx,putin,MN,2024-09-03,visit\r\ny,bashir,SD,2015-06-14,transit\r\n"
    rows = json.loads(invoke("batch", "-", "--input-format", "csv", "--format", "json", input=csv_text).stdout)["rows"]
    assert [(r["line"], r["basis"], r["kind"]) for r in rows] == [
        (2, "state_party", "visit"),
        (3, "unsc_referral", "transit"),
    ]
    jsonl = '{"itinerary": "a", "subject": "putin", "place": "MN", "date": "2024-09-03"}\nnot json\n'
    result = invoke("batch", "-", "--input-format", "jsonl", "--format", "jsonl", input=jsonl)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["error"] is None for row in lines] == [True, False] and lines[1]["line"] == 2
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("v.csv", "subject,date\n", "CSV header lacks place"),
        ("v.yaml", "", "empty input"),
        ("v.yaml", "stops: []\n", "expected a list"),
        ("v.yaml", "- id: a\n  subject: putin\n  stops: [\n", "invalid YAML"),
        ("v.csv", "itinerary,subject,place,date\na,putin,MN,2024-02-30\n", "does not exist"),
    ],
)
def test_bad_inputs_become_error_rows(invoke, tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = invoke("batch", str(path), "--format", "json")
    assert result.exit_code == 2
    rows = json.loads(result.stdout)["rows"]
    assert len(rows) == 1 and message in rows[0]["error"] and rows[0]["file"] == str(path)


def test_missing_file_and_lazy_output(invoke, tmp_path: Path) -> None:
    output = tmp_path / "out.json"
    result = invoke("batch", str(tmp_path / "nope.yaml"), "-o", str(output))
    assert result.exit_code == 2 and "no such file" in json.loads(output.read_text())["rows"][0]["error"]


def test_example_visits_file(invoke) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "visits.yaml"
    result = invoke("batch", str(example), "--format", "json", "--on", "2026-11-23")
    assert result.exit_code == 1
    assert all(row["error"] is None for row in json.loads(result.stdout)["rows"])


LEGS = """\
itinerary,subject,place,date,kind
p1,putin,airport:VKO,2024-09-02,visit
p1,putin,MN,2024-09-02,visit
p1,putin,"47.85,106.77",2024-09-03,visit
p2,putin,airport:ULN,2024-09-04,visit
n1,netanyahu,airport:TLV,2025-04-02,visit
n1,netanyahu,airport:BUD,2025-04-03,visit
"""


@pytest.fixture
def legs_csv(tmp_path: Path) -> Path:
    return written(tmp_path / "legs.csv", LEGS)


def test_rows_carry_the_leg_arriving_at_them(invoke, legs_csv: Path) -> None:
    result = invoke("batch", str(legs_csv), "--format", "json")
    rows = json.loads(result.stdout)["rows"]
    legs = {row["line"]: row["leg"] for row in rows}
    # a country stop has no point: the leg runs from the airport to the next located stop
    assert [line for line, leg in legs.items() if leg] == [4, 7]
    moscow_ulaanbaatar = legs[4]
    assert moscow_ulaanbaatar["from"] == "airport:VKO" and moscow_ulaanbaatar["to"] == "47.85,106.77"
    assert [o["iso3"] for o in moscow_ulaanbaatar["overflown"]] == ["RUS", "MNG"]
    assert [o["obligation"] for o in moscow_ulaanbaatar["overflown"]] == ["none", "overflight"]
    assert 4600 < moscow_ulaanbaatar["distance_km"] < 4750
    # a new itinerary (p2) starts afresh; Tel Aviv-Budapest crosses parties on the way
    assert legs[5] is None
    assert {"GRC", "HUN"} <= {o["iso3"] for o in legs[7]["overflown"]}
    assert "3 legs" not in result.stderr and "2 legs (overflight 2)" in result.stderr


def test_a_row_of_another_itinerary_ends_the_one_before(invoke, tmp_path: Path) -> None:
    """r1's rows on either side of x's are two itineraries (rows are one when consecutive): no
    leg from London to Paris, whatever the chunks."""
    source = written(
        tmp_path / "gap.csv",
        "itinerary,subject,place,date,kind\n"
        "r1,putin,airport:JFK,2024-01-01,visit\n"
        "r1,putin,airport:LHR,2024-01-02,visit\n"
        "x,putin,MN,2024-01-02,visit\n"
        "r1,putin,airport:CDG,2024-01-03,visit\n"
        "r1,putin,airport:FCO,2024-01-04,visit\n",
    )
    rows = json.loads(invoke("batch", str(source), "--format", "json").stdout)["rows"]
    assert [row["leg"]["from"] if row["leg"] else None for row in rows] == [
        None,
        "airport:JFK",
        None,
        None,
        "airport:CDG",
    ]


def test_a_leg_reads_the_same_whether_its_return_is_in_the_batch_or_not(invoke, tmp_path: Path) -> None:
    """A return leg is read off its outbound one (measured once, from the lesser end): its row
    is the same whether the outbound leg came before it in the batch or not, and the territory
    entered twice (Croatia, around Neum) is listed where it is first overflown."""
    header = "itinerary,subject,place,date,kind\n"
    back = "b,putin,airport:DBV,2025-03-02,visit\nb,putin,airport:SPU,2025-03-03,visit\n"
    out = "a,putin,airport:SPU,2025-03-01,visit\na,putin,airport:DBV,2025-03-02,visit\n"
    alone = invoke("batch", str(written(tmp_path / "alone.csv", header + back)), "--format", "csv")
    both = invoke("batch", str(written(tmp_path / "both.csv", header + out + back)), "--format", "csv")
    returned = [line for line in both.stdout.splitlines() if ",b,putin,airport:SPU," in line]
    assert [line.split(",", 2)[2] for line in returned] == [alone.stdout.splitlines()[2].split(",", 2)[2]]
    assert "HRV 188.9 km overflight; BIH 4.8 km overflight" in returned[0]


@pytest.mark.parametrize("chunk_rows", ["2", "1000"])
def test_legs_from_two_names_of_one_point_keep_their_own_names(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: str
) -> None:
    """airport:LHR and airport:EGLL are one point: their legs to JFK are one measurement with the
    same levels, in one chunk or in chunks after one another, yet each row's leg starts where
    its own row says."""
    monkeypatch.setenv("ICC_TRAVEL_BATCH_CHUNK_ROWS", chunk_rows)
    trips = [("a", "airport:LHR"), ("b", "airport:EGLL"), ("c", "airport:LHR"), ("d", "airport:EGLL")]
    rows = "".join(
        f"{name},putin,{start},2025-01-01,visit\n{name},putin,airport:JFK,2025-01-02,visit\n" for name, start in trips
    )
    source = written(tmp_path / "names.csv", "itinerary,subject,place,date,kind\n" + rows)
    flat = list(csv.DictReader(io.StringIO(invoke("batch", str(source), "--format", "csv").stdout)))
    arrivals = [row for row in flat if row["leg_from"]]
    assert [row["leg_from"] for row in arrivals] == [start for _, start in trips]
    assert len({(row["leg_km"], row["overflown"]) for row in arrivals}) == 1


def test_legs_in_csv_and_the_overflight_threshold(invoke, legs_csv: Path) -> None:
    table = invoke("batch", str(legs_csv), "--format", "csv", "--fail-on", "never")
    assert table.exit_code == 0
    header = table.stdout.splitlines()[0].split(",")
    assert header[-5:] == ["leg_from", "leg_km", "overflown", "error", "data_as_of"]
    assert "RUS 39" in table.stdout and "km overflight" in table.stdout
    github = invoke("batch", str(legs_csv), "--format", "github", "--fail-on", "overflight")
    assert github.exit_code == 1
    assert "::error file=" in github.stdout and "overflies MNG (overflight)" in github.stdout
    plain = invoke("batch", str(legs_csv), "--format", "json", "--no-legs")
    assert all(row["leg"] is None for row in json.loads(plain.stdout)["rows"])
    assert "legs" not in plain.stderr


def test_csv_lines_quote_as_the_csv_module_does(dataset, tmp_path: Path) -> None:
    """The fast CSV writer against csv.writer on awkward values: commas, quotes, line breaks."""
    import csv
    import datetime as dt
    import io

    from icc_travel.cli.batch_output import FLAT, csv_lines, flat
    from icc_travel.engine.batch import evaluate
    from icc_travel.engine.batch_input import read_rows

    text = (
        "itinerary,subject,place,date,kind\n"
        '"trip, one",putin,"47.92,106.92",2024-09-03,visit\n'
        '"say ""hi""",putin,airport:ULN,2024-09-04,transit\n'
        '"two\nlines",Putin,Freedonia,2024-09-03,visit\n'
        "b,netanyahu,airport:TLV,2025-04-02,visit\n"
        "b,netanyahu,airport:BUD,2025-04-03,visit\n"
        'c,"nobody, really",MN,2024-09-03,visit\n'
    )
    outcome = evaluate(dataset, read_rows(str(tmp_path / "odd, name.csv"), text, "csv"), dt.date(2024, 9, 3))
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(FLAT)
    writer.writerows(flat(row, outcome.data_as_of) for row in outcome.rows())
    assert ",".join(FLAT) + "\n" + "".join(csv_lines(outcome)) == expected.getvalue()
    assert outcome.errors == 2 and len(outcome.leg_of_row) == 1  # b: Tel Aviv to Budapest
    # the fast JSON texts are the rows as json.dumps writes them
    assert list(outcome.json_texts()) == [json.dumps(row, ensure_ascii=False) for row in outcome.rows()]


def test_github_messages_keep_commas_and_escape_only_what_ends_them(invoke, tmp_path: Path) -> None:
    rows = tmp_path / "a,b.csv"
    rows.write_text('subject,place,date\nputin,"-26.2,28.0",2023-08-22\nputin,Freedonia,2024-01-01\n')
    out = invoke("batch", str(rows), "--format", "github").stdout.splitlines()
    where = str(rows).replace(",", "%2C")
    assert out[0] == f"::error file={where},line=2::putin in South Africa on 2023-08-22: arrest (state_party)"
    assert out[1].startswith(f"::error file={where},line=3::unknown place 'Freedonia'")
    assert all("%2C" not in line.split("::", 2)[2] for line in out)  # commas in messages stay commas


@pytest.mark.parametrize(
    "text",
    [
        "Subject,Place,Date\nputin,MN,2024-09-03\n",  # title case, as spreadsheets export
        " SUBJECT , PLACE , DATE \nputin,MN,2024-09-03\n",
        "Subject;Place;Date\nputin;MN;2024-09-03\n",  # a semicolon locale
        "subject\tplace\tdate\nputin\tMN\t2024-09-03\n",
    ],
    ids=["title case", "padded capitals", "semicolons", "tabs"],
)
def test_csv_headers_from_spreadsheets(invoke, tmp_path: Path, text: str) -> None:
    rows = tmp_path / "export.csv"
    rows.write_text(text)
    result = json.loads(invoke("batch", str(rows), "--format", "json").stdout)["rows"]
    assert [(r["subject"], r["country"]["iso3"], r["obligation"]) for r in result] == [("putin", "MNG", "arrest")]


def test_output_files_are_written_whole_or_not_at_all(invoke, visits: Path, tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("previous report\n")
    assert invoke("batch", str(visits), "--format", "csv", "-o", str(target)).exit_code == 2  # visits has error rows
    assert target.read_text().startswith("file,line,")  # the whole new report replaced the old one
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # the mode a new file gets, not mkstemp's


STREAMED = (
    "itinerary,subject,place,date,kind\n"
    "a,netanyahu,airport:TLV,2025-04-02,visit\n"
    "a,netanyahu,airport:BUD,2025-04-03,visit\n"
    'a,netanyahu,"48.1,11.6",2025-04-04,transit\n'
    '"two\nlines",putin,MN,2024-09-03,visit\n'
    "b,nobody,HU,2025-04-03,visit\n"
    "b,putin,airport:ULN,2024-09-03,visit\n"
    "\n"
    'c,putin,"47.9,106.9",2024-09-03,visit\n'
    'c,putin,"55.75,37.6",2024-09-04,visit\n'
    'c,putin,"91,10",2024-09-05,visit\n'
    "c,putin,airport:JFK,2024-09-06,transit\n"
    'd,putin,"unclosed,2024-09-03,visit\n'
    "d,putin,Mongolia,2024-09-03,visit\n"
)


@pytest.mark.parametrize("lines", [1, 2, 3, 5, 1000])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_chunks_give_the_rows_and_legs_of_the_whole(dataset, lines: int, fmt: str) -> None:
    """Reading, evaluating and writing in chunks changes nothing: the same rows in the same
    order, legs across chunk boundaries, a quoted field over a block's end, a bad line at its
    place. The batch command streams with 50,000-row chunks; here blocks are a few lines."""
    import datetime as dt
    import io

    from icc_travel.data.inputs import text_blocks
    from icc_travel.engine.batch import Evaluator, evaluate
    from icc_travel.engine.batch_input import read_chunks, read_rows

    text = STREAMED
    if fmt == "jsonl":
        import csv as csv_module

        records = list(csv_module.DictReader(io.StringIO(STREAMED)))
        text = "".join(json.dumps(record) + "\n" for record in records)
    raw = text.encode().replace(b"nobody", b"nob\xffody", 1) if fmt == "csv" else text.encode()
    day = dt.date(2024, 9, 3)
    whole = evaluate(dataset, read_rows("v", raw.decode("utf-8", "replace"), fmt), day)
    evaluator = Evaluator(dataset, day)
    chunked = [
        row
        for rows, _ in read_chunks("v", text_blocks(io.BytesIO(raw), lines=lines), fmt)
        for row in evaluator(rows).rows()
    ]
    expected = list(whole.rows())
    if fmt == "csv":  # the undecodable line is an error row at its own line, not a misread place
        bad = next(n for n, row in enumerate(chunked) if row["error"] and "not UTF-8" in row["error"])
        assert chunked[bad]["line"] == expected[bad]["line"] == 7
        del chunked[bad], expected[bad]
    assert [(r["line"], r["error"] is None) for r in chunked] == [(r["line"], r["error"] is None) for r in expected]
    assert chunked == expected
    assert (
        sum(row.get("leg") is not None for row in chunked) == 4
    )  # TLV-BUD, BUD-Munich, Ulaanbaatar-Moscow, Moscow-JFK


def test_batch_json_summary_counts_after_the_rows(invoke, tmp_path: Path) -> None:
    """The JSON document's summary, written after the rows it counts, adds up."""
    source = tmp_path / "v.csv"
    source.write_text(STREAMED)
    result = invoke("batch", str(source), "--format", "json")
    document = json.loads(result.stdout)
    assert list(document) == ["rows", "summary"]
    summary = document["summary"]
    assert summary["rows"] == len(document["rows"]) == summary["results"] + summary["errors"]
    assert summary["errors"] == sum(row["error"] is not None for row in document["rows"])


def test_csv_levels_agree_with_the_full_answers_over_many_dates(invoke, tmp_path: Path) -> None:
    """The CSV takes each level and basis from the answer decided once per interval between the
    dates that can change it (stops and overflown territories alike); JSON decides each row's
    full obligation for its own day. Over days on either side of withdrawals, accessions and
    warrants, for three subjects, the two must say the same for every row and every leg."""
    import csv
    import datetime as dt
    import io

    airports = ["BUD", "VKO", "ULN", "MNL", "BJM", "TLV", "JNB", "KRT", "FRA", "DEL", "CCS", "BKO"]
    days = [dt.date(2011, 2, 1) + dt.timedelta(days=97 * n) for n in range(60)]
    days += [dt.date(2017, 10, 26), dt.date(2017, 10, 27), dt.date(2019, 3, 16), dt.date(2019, 3, 17)]
    days += [dt.date(2023, 3, 16), dt.date(2023, 3, 17), dt.date(2026, 6, 1), dt.date(2026, 6, 2)]
    lines = ["itinerary,subject,place,date,kind"]
    for number, day in enumerate(days):
        subject = ("putin", "netanyahu", "bashir")[number % 3]
        for stop in range(3):
            airport = airports[(number * 5 + stop * 7) % len(airports)]
            lines.append(f"i{number},{subject},airport:{airport},{day + dt.timedelta(days=stop)},visit")
    source = written(tmp_path / "many.csv", "\n".join(lines) + "\n")
    flat = list(csv.DictReader(io.StringIO(invoke("batch", str(source), "--format", "csv").stdout)))
    rows = json.loads(invoke("batch", str(source), "--format", "json").stdout)["rows"]
    assert len(flat) == len(rows) == len(lines) - 1
    legs = 0
    for cells, row in zip(flat, rows, strict=True):
        assert (cells["obligation"], cells["basis"]) == (row["obligation"], row["basis"]), row["date"]
        leg = row["leg"]
        if leg is not None:
            legs += 1
            expected = "; ".join(f"{o['iso3']} {o['km']} km {o['obligation']}" for o in leg["overflown"])
            assert cells["overflown"] == expected
    assert legs == 2 * len(days)
    assert {row["obligation"] for row in rows} >= {"arrest", "none"}


def test_legs_of_itineraries_alone_and_among_one_stop_rows_are_the_same(dataset) -> None:
    """Legs are paired as columns, whatever else a chunk holds: one-stop itineraries, a country
    or an error row inside an itinerary (passed by: the leg runs from the stop before it to the
    one after). The same legs whole and in chunks of every size from one row to five (legs
    across their boundaries, a chunk holding only the stop passed by)."""
    import datetime as dt

    from icc_travel.engine.batch import Evaluator
    from icc_travel.engine.batch_input import read_rows
    from icc_travel.engine.contract import leg_json

    trips = [
        ("a", "putin", ["airport:ULN", "airport:SVO", "airport:PEK"]),
        ("b", "netanyahu", ["airport:TLV", "airport:BUD"]),
        ("c", "netanyahu", ["airport:TLV", "airport:JFK", "airport:ATH", "airport:TLV"]),
        ("d", "putin", ["airport:SVO", "airport:DXB"]),
    ]
    rows = [
        f"{name},{subject},{place},2025-0{1 + n}-0{1 + n},visit\n"
        for name, subject, places in trips
        for n, place in enumerate(places)
    ]
    header = "itinerary,subject,place,date,kind\n"
    day = dt.date(2025, 6, 1)

    def legs(text: str, lines: int) -> dict[tuple[str, str], Any]:
        evaluator = Evaluator(dataset, day)
        read = read_rows("v", header + text, "csv")
        found = {}
        for start in range(0, len(read), lines):
            chunk = read.slice(start, start + lines)
            outcome = evaluator(chunk)
            for number, leg in outcome.leg_of_row.items():
                found[chunk.columns["itinerary"][number], chunk.columns["place"][number]] = leg_json(leg)
        return found

    alone = legs("".join(rows), 1000)
    assert len(alone) == 7 and alone["c", "airport:ATH"]["from"] == "airport:JFK"
    assert alone["c", "airport:ATH"]["overflown"]  # the Atlantic and Europe: territories, levels
    among = legs(
        "".join(rows[:5])
        + "e,putin,airport:CDG,2025-01-01,visit\nf,putin,Mongolia,2025-01-01,visit\n"
        + "".join(rows[5:]),
        1000,
    )
    assert among == alone
    for lines in (1, 2, 3, 4, 5):
        assert legs("".join(rows), lines) == alone
    # in itinerary c, a country and an error row between JFK and ATH: passed by, in any chunking
    passed = [*rows[:7], "c,netanyahu,US,2025-02-03,visit\n", "c,netanyahu,nowhere-at-all,2025-02-04,visit\n"]
    passed += rows[7:]
    for lines in (1, 2, 3, 1000):
        assert legs("".join(passed), lines) == alone


def test_batch_rows_say_what_each_named_place_was_taken_to_be(invoke, tmp_path: Path) -> None:
    """As `check` does for a stop: a town given by an older name, an airport, a named area. Codes
    and coordinates need no such note (null); an error row has none."""
    source = tmp_path / "places.csv"
    source.write_text(
        "itinerary,subject,place,date,kind\n"
        "a,putin,Kiev,2025-01-01,visit\n"
        "a,putin,airport:BUD,2025-01-02,visit\n"
        "b,putin,Madeira,2025-01-03,visit\n"
        "b,putin,HU,2025-01-03,visit\n"
        'b,putin,"47.5,19.0",2025-01-04,visit\n'
        "c,putin,nowhere-at-all,2025-01-04,visit\n"
    )
    result = invoke("batch", str(source), "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row.get("resolved_as", "absent") for row in rows] == [
        "Kyiv, UA",
        "Budapest Ferenc Liszt International Airport (BUD)",
        "Madeira (Portugal)",
        None,
        None,
        "absent",
    ]
    whole = json.loads(invoke("batch", str(source), "--format", "json").stdout)
    assert [row.get("resolved_as", "absent") for row in whole["rows"]] == [
        row.get("resolved_as", "absent") for row in rows
    ]


def test_antarctica_by_name_or_code_answers_as_its_points_do(invoke, tmp_path: Path) -> None:
    """ "Antarctica", "AQ" and "ATA" were unknown places, though any point south of 60°S answered:
    no state's territory under the Antarctic Treaty. By name they answer the same, with the same
    reasons, in `batch` and in `check`, and are no point a leg is measured to."""
    source = tmp_path / "south.csv"
    source.write_text(
        "itinerary,subject,place,date,kind\n"
        'a,putin,"-75.0,0.0",2025-01-01,visit\n'
        "b,putin,Antarctica,2025-01-01,visit\n"
        "b,putin,AQ,2025-01-01,visit\n"
        "c,putin,ata,2025-01-01,visit\n"
    )
    rows = [json.loads(line) for line in invoke("batch", str(source), "--format", "jsonl").stdout.splitlines()]
    assert [row["error"] for row in rows] == [None] * 4
    point = rows[0]
    for row in rows[1:]:
        assert (row["country"], row["obligation"], row["basis"], row["reasons"]) == (
            None,
            "none",
            "no_territory",
            point["reasons"],
        )
        assert row["resolved_as"].startswith("Antarctica") and row["leg"] is None
    checked = json.loads(invoke("check", "putin", "Antarctica@2025-01-01", "--format", "json").stdout)
    assert checked["stops"][0]["reasons"] == point["reasons"] and checked["legs"] == []


def test_a_spreadsheets_empty_rows_are_no_records(invoke, tmp_path: Path) -> None:
    """A sheet saved as CSV writes its empty rows as `,,,,`. They were error rows ("no place",
    exit status 2) wherever every line of a block had the header's number of fields, though a
    line of blanks and delimiters is documented as no record."""
    source = tmp_path / "sheet.csv"
    source.write_text(
        "itinerary,subject,place,date,kind\n"
        "a,putin,MN,2024-09-03,visit\n"
        ",,,,\n"
        "a,putin,HU,2024-09-05,visit\n"
        ", , ,,\n"
        ",,,,\n"
    )
    result = invoke("batch", str(source), "--format", "csv")
    assert result.exit_code == 1, result.stderr  # arrests, no error rows
    assert "2 rows in: 2 results" in result.stderr and "0 errors" in result.stderr
    assert [line.split(",")[1] for line in result.stdout.splitlines()[1:]] == ["2", "4"]


def test_empty_fields_past_the_header_are_ignored_a_value_there_is_an_error(invoke, tmp_path: Path) -> None:
    """A sheet saved with a trailing delimiter on some rows (one more, empty, field than the
    header) gave those rows as errors. The empty field holds nothing and is ignored; a value past
    the header's columns is still an error row at its line (an unquoted "Paris, FR" has shifted
    the cells), and rows in = results + errors."""
    source = tmp_path / "sheet.csv"
    source.write_text(
        "itinerary,subject,place,date,kind\n"
        "a,putin,MN,2024-09-03,visit,\n"
        "a,putin,HU,2024-09-05,visit, ,\n"
        "b,putin,Paris, FR,2024-09-07,visit\n"
        "c,putin,FR,2024-09-07,visit\n"
    )
    result = invoke("batch", str(source), "--format", "csv")
    assert result.exit_code == 2, result.stderr  # the error row
    assert "4 rows in: 3 results" in result.stderr and "1 errors" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["line"], row["iso3"], row["error"]) for row in rows] == [
        ("2", "MNG", ""),
        ("3", "HUN", ""),
        ("4", "", "more fields than the header"),
        ("5", "FRA", ""),
    ]
