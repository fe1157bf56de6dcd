"""A catalogue of bad input through the installed command: each case exits with status 2 and
says what was wrong in one line on stderr (with file:line where there is a file), never a
traceback. Batch runs also print their summary line; no other stderr line is allowed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from icc_travel.dates import TODAY_ENV

COMMAND = str(Path(sys.executable).parent / "icc-travel")

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
subject: putin
stops: *g
"""
CSV_HEADER = "itinerary,subject,place,date,kind\n"
# A "today" years after the data's as-of date: input errors must still be the only line on stderr.
STALE = {TODAY_ENV: "2031-06-01"}


@dataclass
class Case:
    id: str
    args: list[str]
    says: str  # expected in the error line
    files: dict[str, str | bytes] = field(default_factory=dict)  # written to the test's folder
    closed_stdin: bool = False  # else standard input is empty
    at: str | None = None  # "name:line" the error must point at
    env: dict[str, str] = field(default_factory=dict)


def itinerary(name: str, text: str | bytes, says: str, at: str | None = None, *extra: str) -> Case:
    return Case(
        f"itinerary {name}",
        ["check", "putin", "--itinerary", "{dir}/trip.yaml", *extra],
        says,
        {"trip.yaml": text},
        at=at,
    )


def batch(name: str, filename: str, text: str | bytes, says: str, at: str | None = None, *extra: str) -> Case:
    return Case(f"batch {name}", ["batch", f"{{dir}}/{filename}", *extra], says, {filename: text}, at=at)


CASES = [
    # check: arguments
    Case("no subject", ["check"], "missing SUBJECT"),
    Case("no stops", ["check", "putin"], "no stops"),
    Case("empty subject", ["check", "", "MN"], "SUBJECT"),
    Case("unknown subject", ["check", "nobody-at-all", "MN"], "unknown subject 'nobody-at-all'"),
    Case("misspelt subject", ["check", "putn", "MN"], "putin"),
    Case("ambiguous subject", ["check", "gaddafi", "LY"], "ambiguous subject"),
    Case("unknown place", ["check", "putin", "Freedonia"], "unknown place 'Freedonia'"),
    Case("misspelt place", ["check", "putin", "Mongolai"], "Mongolia"),
    Case("ambiguous place", ["check", "putin", "Congo"], "ambiguous place"),
    Case("empty place", ["check", "putin", ""], "empty place"),
    Case("blank place", ["check", "putin", "   "], "empty place"),
    Case("latitude 91", ["check", "putin", "91,10"], "latitude 91 is outside -90..90"),
    Case("longitude 181", ["check", "putin", "45,181"], "longitude 181"),
    Case("coordinates with junk", ["check", "putin", "45,10abc"], "LAT,LON"),
    Case("three numbers", ["check", "putin", "45,10,3"], "LAT,LON"),
    Case("coordinates with one hemisphere", ["check", "putin", "45 N,10"], "LAT,LON"),  # "45 N,10 E" is read
    Case("unknown airport", ["check", "putin", "airport:QQQ"], "QQQ"),
    Case("empty airport", ["check", "putin", "airport:"], "airport"),
    Case("30 February", ["check", "putin", "MN@2025-02-30"], "does not exist"),
    Case("compact date", ["check", "putin", "MN@20250101"], "YYYY-MM-DD"),
    Case("empty date", ["check", "putin", "MN@"], "YYYY-MM-DD"),
    Case("date before place", ["check", "putin", "@2025-01-01"], "no place before '@'"),
    Case("month 13 in --on", ["check", "putin", "MN", "--on", "2025-13-01"], "--on"),
    Case("words in --on", ["check", "putin", "MN", "--on", "yesterday"], "YYYY-MM-DD"),
    Case("unknown --format", ["check", "putin", "MN", "--format", "xml"], "'--format'"),
    Case("--format from the environment", ["check", "putin", "MN"], "'--format'", env={"ICC_TRAVEL_FORMAT": "xml"}),
    Case("unknown --fail-on", ["check", "putin", "MN", "--fail-on", "everything"], "'--fail-on'"),
    Case("unknown option", ["check", "putin", "MN", "--bogus"], "--bogus"),
    Case("unknown command", ["chek", "putin", "MN"], "did you mean: check"),
    Case("very long place", ["check", "putin", "X" * 100_000], "no place name is longer than 200"),
    # check --itinerary
    Case("missing itinerary", ["check", "putin", "--itinerary", "{dir}/none.yaml"], "no such file"),
    Case("itinerary is a directory", ["check", "putin", "--itinerary", "{dir}"], "is a directory"),
    Case(
        "itinerary below a file",
        ["check", "putin", "--itinerary", "{dir}/trip.yaml/x"],
        "cannot read",
        {"trip.yaml": "subject: putin\n"},
    ),
    itinerary("empty", "", "empty itinerary file"),
    itinerary("only a comment", "# nothing here\n", "empty itinerary file"),
    itinerary("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    itinerary("with NUL bytes", "subject: putin\x00\n", "binary file"),
    itinerary("huge", "subject: putin\nstops:\n" + "  - MN\n" * 2_000_000, "too large"),
    itinerary("alias bomb", BOMB, "aliases of lists and mappings are not accepted", "{dir}/trip.yaml:"),
    itinerary(
        "python tag", "subject: !!python/object/apply:os.system ['true']\nstops: [MN]\n", "invalid YAML", "trip.yaml:1"
    ),
    itinerary("unknown tag", "subject: putin\nstops: [!place MN]\n", "invalid YAML", "trip.yaml:2"),
    itinerary("bad syntax", "subject: putin\nstops: [MN\n", "invalid YAML", "trip.yaml:"),
    itinerary("a list at the root", "- MN\n- RU\n", "expected a mapping"),
    itinerary("no stops", "subject: putin\nstops: []\n", "no stops"),
    itinerary("stop without place", "subject: putin\nstops:\n  - date: 2024-09-03\n", "needs a 'place'", "trip.yaml:3"),
    itinerary(
        "bad stop date",
        "subject: putin\nstops:\n  - MN\n  - {place: MN, date: 2024-02-30}\n",
        "does not exist",
        "trip.yaml:4",
    ),
    itinerary(
        "datetime stop date",
        "subject: putin\nstops:\n  - {place: MN, date: 2024-09-03T10:00:00}\n",
        "YYYY-MM-DD",
        "trip.yaml:3",
    ),
    itinerary(
        "unknown kind", "subject: putin\nstops:\n  - {place: MN, kind: cruise}\n", "kind must be one of", "trip.yaml:3"
    ),
    itinerary("subject not text", "subject: [putin]\nstops: [MN]\n", "subject must be text"),
    itinerary(
        "unknown place", "subject: putin\nstops:\n  - MN\n  - Freedonia\n", "unknown place 'Freedonia'", "trip.yaml:4"
    ),
    # batch
    Case("batch without a file", ["batch"], "Missing argument"),
    Case("batch of a missing file", ["batch", "{dir}/none.csv"], "no such file", at="none.csv:1"),
    Case(
        "batch of a path below a file",
        ["batch", "{dir}/v.csv/x"],
        "cannot read",
        {"v.csv": CSV_HEADER},
        at="v.csv/x:1",
    ),
    Case("batch of a directory", ["batch", "{dir}"], "is a directory", at=":1"),
    Case("batch of closed stdin", ["batch", "-"], "standard input is closed", closed_stdin=True, at="<stdin>:1"),
    Case("batch of empty stdin", ["batch", "-", "--input-format", "csv"], "empty input", at="<stdin>:1"),
    Case("batch, unknown --input-format", ["batch", "-", "--input-format", "xls"], "'--input-format'"),
    Case(
        "batch output into a missing folder",
        ["batch", "{dir}/v.csv", "-o", "{dir}/no/out.json"],
        "cannot write",
        {"v.csv": CSV_HEADER + "a,putin,MN,2024-09-03,visit\n"},
    ),
    batch("empty CSV", "v.csv", "", "empty input", "v.csv:1"),
    batch(
        "CSV without place",
        "v.csv",
        "itinerary,subject,date\na,putin,2024-09-03\n",
        "CSV header lacks place",
        "v.csv:1",
    ),
    batch(
        "CSV row with extra fields",
        "v.csv",
        CSV_HEADER + "a,putin,MN,2024-09-03,visit,extra\n",
        "more fields",
        "v.csv:2",
    ),
    batch(
        "CSV unknown place",
        "v.csv",
        CSV_HEADER + "a,putin,MN,2024-09-03,visit\na,putin,Freedonia,2024-09-03,visit\n",
        "unknown place 'Freedonia'",
        "v.csv:3",
    ),
    batch(
        "CSV with BOM and CRLF, bad date",
        "v.csv",
        ("\ufeff" + CSV_HEADER + "a,putin,MN,2024-02-30,visit\n").replace("\n", "\r\n"),
        "does not exist",
        "v.csv:2",
    ),
    batch("CSV unknown kind", "v.csv", CSV_HEADER + "a,putin,MN,2024-09-03,cruise\n", "kind must be one of", "v.csv:2"),
    batch(
        "CSV unknown subject",
        "v.csv",
        CSV_HEADER + "a,nobody-at-all,MN,2024-09-03,visit\n",
        "unknown subject",
        "v.csv:2",
    ),
    batch("CSV latitude 91", "v.csv", CSV_HEADER + 'a,putin,"91,10",2024-09-03,visit\n', "latitude 91", "v.csv:2"),
    batch(
        "CSV very long line",
        "v.csv",
        CSV_HEADER + "a,putin," + "Y" * 1_000_000 + ",2024-09-03,visit\n",
        "field larger than",
        "v.csv:2",
    ),
    batch("binary", "v.csv", b"\x00\x01\x02\x03", "binary file", "v.csv:1"),
    batch("not UTF-8", "v.csv", CSV_HEADER.encode() + b"a,putin,\xff\xfe,2024-09-03,visit\n", "not UTF-8", "v.csv:2"),
    batch(
        "JSON Lines, invalid line",
        "v.jsonl",
        '{"subject": "putin", "place": "MN", "date": "2024-09-03"}\n{"subject": \n',
        "invalid JSON",
        "v.jsonl:2",
    ),
    batch("JSON Lines, not an object", "v.jsonl", '["putin", "MN"]\n', "expected a JSON object", "v.jsonl:1"),
    batch("YAML, bad syntax", "v.yaml", "- id: a\n  subject: putin\n  stops: [MN\n", "invalid YAML", "v.yaml:"),
    batch("YAML, python tag", "v.yaml", "- !!python/object/apply:os.system ['true']\n", "invalid YAML", "v.yaml:1"),
    batch("YAML, alias bomb", "v.yaml", BOMB, "alias repeats rows", "v.yaml:"),
    batch(
        "YAML, aliased itineraries",
        "v.yaml",
        "- &s {id: x, subject: putin, stops: [{place: MN, date: 2024-09-03}]}\n- *s\n- *s\n",
        "alias repeats rows",
        "v.yaml:1",
    ),
    batch("YAML, itinerary without stops", "v.yaml", "- id: a\n  subject: putin\n", "no list of stops", "v.yaml:1"),
    # the report commands
    Case("table, unknown subject", ["table", "--subject", "nobody-at-all"], "unknown subject"),
    Case("table, 29 February 2025", ["table", "--on", "2025-02-29"], "does not exist"),
    Case("states, unknown format", ["states", "--format", "yaml"], "'--format'"),
    Case("subject, empty", ["subject", ""], "empty subject"),
    Case("precedents, unknown state", ["precedents", "--state", "Freedonia"], "unknown place"),
    Case("map, wrong extension", ["map", "--subject", "putin", "-o", "{dir}/map.jpg"], ".png or .svg"),
    Case("map, missing folder", ["map", "--subject", "putin", "-o", "{dir}/no/map.png"], "does not exist"),
    Case("map, unknown subject", ["map", "--subject", "nobody-at-all", "-o", "{dir}/map.png"], "unknown subject"),
    Case("report, wrong extension", ["report", "--subject", "putin", "-o", "{dir}/r.pdf"], "written as .html"),
    Case("report, missing folder", ["report", "--subject", "putin", "-o", "{dir}/no/r.html"], "does not exist"),
    Case("report, nothing to report", ["report", "-o", "{dir}/r.html"], "nothing to report"),
    Case("report, no output", ["report", "--subject", "putin"], "'-o'"),
    Case("report, unknown subject", ["report", "--subject", "nobody-at-all", "-o", "{dir}/r.html"], "unknown subject"),
    Case("report, bad date", ["report", "--subject", "putin", "--on", "2024-9-3", "-o", "{dir}/r.html"], "YYYY-MM-DD"),
    Case(
        "report, itinerary and track",
        ["report", "--itinerary", "{dir}/trip.yaml", "--track", "{dir}/t.json", "-o", "{dir}/r.html"],
        "not both",
        {"trip.yaml": "subject: putin\nstops: [MN]\n", "t.json": "{}"},
    ),
    Case(
        "report, itinerary without subject",
        ["report", "--itinerary", "{dir}/trip.yaml", "-o", "{dir}/r.html"],
        "no subject",
        {"trip.yaml": "stops: [MN]\n"},
    ),
    Case(
        "report, itinerary's unknown place",
        ["report", "--itinerary", "{dir}/trip.yaml", "-o", "{dir}/r.html"],
        "trip.yaml:3: unknown place 'Freedonia'",
        {"trip.yaml": "subject: putin\nstops:\n  - {place: Freedonia}\n"},
    ),
    Case(
        "report, track of no known aircraft",
        ["report", "--track", "{dir}/t.json", "-o", "{dir}/r.html"],
        "give --subject",
        {"t.json": '{"icao": "3c0000", "timestamp": 1735725600, "trace": [[0, 40, 0, 1000]]}'},
    ),
    Case("report, missing track", ["report", "--track", "{dir}/none.json", "-o", "{dir}/r.html"], "no such file"),
    Case(
        "stale: report",
        ["report", "--subject", "nobody-at-all", "-o", "{dir}/r.html"],
        "unknown subject",
        env=STALE,
    ),
    # a stale "today" (years after the data) never adds a warning to an input error, in any command
    Case("stale: map", ["map", "--subject", "nobody-at-all", "-o", "{dir}/map.png"], "unknown subject", env=STALE),
    Case("stale: check subject", ["check", "nobody-at-all", "MN"], "unknown subject", env=STALE),
    Case("stale: check place", ["check", "putin", "MN", "Freedonia"], "unknown place", env=STALE),
    Case("stale: subject", ["subject", "nobody-at-all"], "unknown subject", env=STALE),
    Case("stale: table", ["table", "--subject", "nobody-at-all"], "unknown subject", env=STALE),
    Case("stale: precedents", ["precedents", "--state", "Freedonia"], "unknown place", env=STALE),
    Case(
        "stale: itinerary",
        ["check", "putin", "--itinerary", "{dir}/trip.yaml"],
        "unknown place",
        {"trip.yaml": "stops:\n  - {place: MN}\n  - {place: Freedonia}\n"},
        env=STALE,
    ),
    # the pinned "today" itself
    Case("ICC_TRAVEL_TODAY in words", ["check", "putin", "MN"], "ICC_TRAVEL_TODAY", env={TODAY_ENV: "tomorrow"}),
    Case("ICC_TRAVEL_TODAY 30 February", ["states"], "does not exist", env={TODAY_ENV: "2031-02-30"}),
    Case("ICC_TRAVEL_TODAY compact", ["data", "info"], "YYYY-MM-DD", env={TODAY_ENV: "20310101"}),
    Case("data, unknown subcommand", ["data", "bogus"], "bogus"),
    Case("data sources, unknown tier", ["data", "sources", "--at-most", "blog"], "'--at-most'"),
    # recorded tracks and screening
    Case("track, missing file", ["track", "{dir}/none.json", "--subject", "putin"], "no such file"),
    Case(
        "track, not a track",
        ["track", "{dir}/t.txt", "--subject", "putin"],
        "not a track this tool reads",
        {"t.txt": "hello\n"},
    ),
    Case("track, bad trace", ["track", "{dir}/t.json", "--subject", "putin"], "needs a 'trace' list", {"t.json": "{}"}),
    Case(
        "track, position off the globe",
        ["track", "{dir}/t.json", "--subject", "putin"],
        "t.json: trace[1]: position 91,0 is not on the globe",
        {"t.json": '{"timestamp": 1735725600, "trace": [[0, 91, 0, 1000]]}'},
    ),
    Case(
        "track, damaged gzip",
        ["track", "{dir}/t.json.gz", "--subject", "putin"],
        "damaged gzip",
        {"t.json.gz": b"\x1f\x8b\x08garbage"},
    ),
    Case(
        "track, gap too small",
        ["track", "{dir}/t.json", "--subject", "putin", "--gap", "0"],
        "'--gap'",
        {"t.json": "{}"},
    ),
    Case(
        "track, no subject and no known aircraft",
        ["track", "{dir}/t.json"],
        "give --subject",
        {"t.json": '{"icao": "3c0000", "timestamp": 1735725600, "trace": [[0, 40, 0, 1000]]}'},
    ),
    Case(
        "screen, bad watchlist",
        ["screen", "{dir}/p.csv", "--watchlist", "{dir}/w.csv"],
        "6-digit ICAO address",
        {"p.csv": "time,icao24,lat,lon\n1,abcdef,0,0\n", "w.csv": "hex,subject\nxyz,putin\n"},
    ),
    Case(
        "screen, positions lack columns",
        ["screen", "{dir}/p.csv", "--watchlist", "{dir}/w.csv"],
        "the positions lack",
        {"p.csv": "when,hex\n1,abcdef\n", "w.csv": "hex,subject\nabcdef,putin\n"},
    ),
    Case("screen, bad --columns", ["screen", "{dir}/p.csv", "--columns", "time"], "OURS=THEIRS", {"p.csv": "x\n"}),
    # state timelines
    Case("state, unknown", ["state", "Freedonia"], "unknown place"),
    Case("state, empty", ["state", ""], "empty"),
    Case("state, month 13", ["state", "Hungary", "--since", "2026-13-01"], "--since"),
    Case("states --all, 30 February", ["states", "--all", "--on", "2025-02-30"], "does not exist"),
    # local facts files (--facts, $ICC_TRAVEL_FACTS)
    Case("facts, missing file", ["--facts", "{dir}/nope.yaml", "states"], "local facts file"),
    Case("facts, invalid YAML", ["--facts", "{dir}/f.yaml", "states"], "f.yaml", {"f.yaml": "states: [\n"}),
    Case(
        "facts, unknown section", ["--facts", "{dir}/f.yaml", "states"], "unknown sections", {"f.yaml": "parties: []\n"}
    ),
    Case(
        "facts, bad date",
        ["--facts", "{dir}/f.yaml", "check", "putin", "ML"],
        "f.yaml: state MLI: withdrawal_notified",
        {
            "f.yaml": "states:\n- iso3: MLI\n  name: Mali\n  entry_into_force: 2002-07-01\n  withdrawal_notified: 2026-02-30\n  sources: [https://treaties.un.org/x]\n"
        },
    ),
    Case(
        "facts, junk source",
        ["--facts", "{dir}/f.yaml", "states"],
        "is junk",
        {
            "f.yaml": "precedents:\n- id: x-2026\n  subject: putin\n  state: MNG\n  date: 2026-01-01\n  event: e\n  outcome: not_arrested\n  sources: [https://archyde.com/x]\n"
        },
    ),
    Case(
        "facts, record without key",
        ["--facts", "{dir}/f.yaml", "states"],
        "iso3 is required",
        {"f.yaml": "states:\n- name: Mali\n"},
    ),
    Case(
        "facts from the environment, missing",
        ["states"],
        "local facts file",
        env={"ICC_TRAVEL_FACTS": "/nonexistent/facts.yaml"},
    ),
    Case("missing data directory", ["states"], "No such file", env={"ICC_TRAVEL_DATA": "/nonexistent/icc-travel-data"}),
]


def test_the_catalogue_is_large_and_ids_are_unique() -> None:
    assert len(CASES) >= 50
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_one_line_and_status_2(case: Case, tmp_path: Path) -> None:
    for name, content in case.files.items():
        target = tmp_path / name
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    args = [arg.replace("{dir}", str(tmp_path)) for arg in case.args]
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ICC_TRAVEL_")}
    env = {**inherited, TODAY_ENV: os.environ[TODAY_ENV], **case.env}  # the session's cache (conftest)
    if case.closed_stdin:  # libfaketime (CI's run in 2031) would open a file at the freed descriptor 0
        env.pop("LD_PRELOAD", None)
    # a shell closes standard input before starting the command; otherwise it is empty
    argv = ["sh", "-c", '"$0" "$@" <&-', COMMAND, *args] if case.closed_stdin else [COMMAND, *args]
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("icc-travel: error: ")]
    others = [line for line in done.stderr.splitlines() if not line.startswith(("icc-travel: error: ", "batch: "))]
    assert len(errors) == 1 and not others, done.stderr
    assert case.says in errors[0]
    assert len(errors[0]) < 600  # a megabyte of input is not echoed back
    if case.at is not None:
        assert case.at.replace("{dir}", str(tmp_path)) in errors[0]


def test_text_quirks_that_are_not_errors(invoke, tmp_path: Path) -> None:
    """A byte-order mark, CRLF line ends and harmless YAML anchors are read as intended."""
    rows = tmp_path / "v.csv"
    rows.write_bytes(("\ufeff" + CSV_HEADER + "a,putin,MN,2024-09-03,visit\n").replace("\n", "\r\n").encode())
    result = invoke("batch", str(rows), "--format", "jsonl")
    assert result.exit_code == 1 and '"obligation": "arrest"' in result.stdout
    trip = tmp_path / "trip.yaml"
    trip.write_bytes(
        "\ufeffsubject: putin\r\nstops:\r\n  - {place: MN, date: &day 2024-09-03}\r\n  - {place: RU, date: *day}\r\n".encode()
    )
    result = invoke("check", "--itinerary", str(trip), "--format", "json")
    assert result.exit_code == 1
    assert [stop["date"] for stop in json.loads(result.stdout)["stops"]] == ["2024-09-03"] * 2


def test_yaml_is_only_read_with_safe_loaders() -> None:
    """Every YAML call in the code names a safe loader; nothing can construct objects."""
    import ast

    root = Path(__file__).resolve().parent.parent
    sources = [*root.joinpath("icc_travel").rglob("*.py"), *root.joinpath("scripts").glob("*.py")]
    calls = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "yaml":
                assert node.attr not in {"unsafe_load", "full_load", "FullLoader", "UnsafeLoader", "Loader"}, source
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                func = node.func
                if isinstance(func.value, ast.Name) and func.value.id == "yaml" and func.attr in {"load", "compose"}:
                    loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                    calls.append((source.name, ast.unparse(loader) if loader is not None else None))
    assert calls
    for name, loader in calls:
        assert loader in {"SafeLoader", "yaml.SafeLoader"}, (name, loader)


def test_a_reader_that_leaves_early_gets_status_141_and_no_traceback(tmp_path: Path) -> None:
    rows = tmp_path / "many.csv"
    rows.write_text(CSV_HEADER + "".join(f"r{i},putin,MN,2024-09-03,visit\n" for i in range(5000)))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    process = subprocess.Popen(
        [COMMAND, "batch", str(rows), "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"{")
    process.stdout.close()  # like `| head -1`
    stderr = process.stderr.read().decode()
    assert process.wait() == 141
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


@pytest.mark.parametrize(
    "args",
    [
        ["table", "--on", "2024-09-03", "--wide"],  # well past any pipe buffer
        ["table", "--on", "2024-09-03", "--format", "json"],
        ["data", "sources", "--format", "json"],
        [
            "check",
            "putin",
            *(f"MN@2024-{month:02d}-{day:02d}" for month in (7, 8, 9) for day in range(1, 29)),
            "--format",
            "json",
        ],
    ],
    ids=["table", "table json", "data sources", "check"],
)
def test_every_command_exits_141_when_its_reader_leaves(args: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    process = subprocess.Popen([COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10)
    process.stdout.close()  # like `| head -c 10`
    stderr = process.stderr.read().decode()
    assert process.wait() == 141, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
