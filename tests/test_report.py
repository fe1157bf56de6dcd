"""`icc-travel report`: the page's content, validity, self-containment and determinism (the
browser tests are in test_report_browser.py)."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

html5lib = pytest.importorskip("html5lib")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRIP = EXAMPLES / "report_trip.yaml"
TRACK = EXAMPLES / "synthetic_track_tlv_west.json"
COMMAND = str(Path(sys.executable).parent / "icc-travel")
MAX_BYTES = 1_500_000


def make(invoke: Callable, tmp_path: Path, *args: str, name: str = "report.html") -> str:
    output = tmp_path / name
    result = invoke("report", *args, "-o", str(output))
    assert result.exit_code == 0, result.stderr
    assert f"wrote {output}" in result.stderr
    return output.read_text(encoding="utf-8")


def parse(page: str):
    """Strict HTML5 parsing: any parse error fails (an unclosed tag, a stray character)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)


@pytest.fixture
def trip_page(invoke, tmp_path: Path) -> str:
    return make(invoke, tmp_path, "--itinerary", str(TRIP))


def test_itinerary_page_has_each_stop_its_reasons_and_sources(trip_page: str, invoke) -> None:
    import json

    tree = parse(trip_page)
    answer = json.loads(invoke("check", "--itinerary", str(TRIP), "--format", "json").stdout)
    rows = tree.findall(".//tbody/tr[@id]")
    assert [row.get("id") for row in rows] == [f"stop-{n}" for n in range(1, len(answer["stops"]) + 1)]
    links = {a.get("href") for a in tree.iter("a")}
    for stop, row in zip(answer["stops"], rows, strict=True):
        text = "".join(row.itertext())
        assert stop["date"] in text and stop["obligation"].upper() in text and stop["basis"] in text
        for source in stop["sources"]:
            assert source["url"] in links
        for precedent in stop["precedents"]:
            assert precedent["event"] in html.unescape(trip_page)
    # Hungary's revoked withdrawal: a party after 2 June 2026, the superseded reading not shown
    hungary_2026 = rows[3]
    assert "DISPUTED" not in "".join(hungary_2026.itertext()) and answer["stops"][3]["disputed"] is None
    assert "revoked on 2026-05-29" in html.unescape(trip_page)
    for text in ("Data as of", "2026-11-23", "sealed warrant", "Benjamin Netanyahu", "2024-11-21", "at_large"):
        assert text in trip_page, text


def test_a_disputed_answer_is_marked_with_its_other_reading(invoke, tmp_path: Path) -> None:
    """A death the Court had not confirmed: the warrant's answer, marked disputed, the other
    reading (reported dead, with its source) on the page."""
    import json

    trip = tmp_path / "trip.yaml"
    trip.write_text("subject: mudacumura\nstops:\n  - {place: CD, date: 2020-01-01}\n", encoding="utf-8")
    page = make(invoke, tmp_path, "--itinerary", str(trip), name="disputed.html")
    answer = json.loads(invoke("check", "mudacumura", "CD@2020-01-01", "--format", "json").stdout)
    row = parse(page).findall(".//tbody/tr[@id]")[0]
    assert "DISPUTED" in "".join(row.itertext())
    assert answer["stops"][0]["disputed"]["reading"] in html.unescape(page)


def test_levels_are_told_in_words_and_tiers_beside_sources(trip_page: str) -> None:
    tree = parse(trip_page)
    badges = ["".join(b.itertext()) for b in tree.iter("span") if "badge" in (b.get("class") or "")]
    assert "ARREST" in badges and "NONE" in badges
    assert "obligation to arrest" in trip_page and "no obligation" in trip_page
    tiers = {"".join(t.itertext()) for t in tree.iter("span") if (t.get("class") or "").startswith("tier ")}
    assert {"depositary", "court"} <= tiers
    # real tables: a caption and column headers with scope
    for table in tree.iter("table"):
        assert table.find("caption") is not None
        assert all(th.get("scope") in {"col", "row"} for th in table.iter("th"))


def test_page_is_valid_html_for_phones_and_print(trip_page: str) -> None:
    tree = parse(trip_page)
    assert tree.get("lang") == "en"
    metas = {m.get("name") or m.get("http-equiv"): m.get("content") for m in tree.iter("meta")}
    assert metas["viewport"].startswith("width=device-width")
    assert metas["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert "@media print" in trip_page and "@media (max-width" in trip_page
    assert [h.tag for h in tree.iter() if h.tag in ("h1",)] == ["h1"]


def test_nothing_is_fetched_only_linked(trip_page: str, invoke, tmp_path: Path) -> None:
    """No element that a browser loads by itself points anywhere: only <a href> leaves the page."""
    pages = [trip_page, make(invoke, tmp_path, "--track", str(TRACK), name="t.html")]
    for page in pages:
        tree = parse(page)
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            local = element.tag.rsplit("}", 1)[-1]
            assert local not in {"script", "link", "img", "iframe", "object", "embed", "base", "video", "audio"}
            for attribute in ("src", "srcset", "data", "poster", "action", "xlink:href"):
                assert element.get(attribute) is None, (local, attribute)
            if local != "a" and element.get("href") is not None:
                assert element.get("href").startswith("#"), (local, element.get("href"))
        assert "url(" not in page.split("</style>", 1)[0] and "@import" not in page


def test_track_page_rows_aircraft_and_drawn_track(invoke, tmp_path: Path) -> None:
    import json

    page = make(invoke, tmp_path, "--track", str(TRACK))
    tree = parse(page)
    document = json.loads(invoke("track", str(TRACK), "--format", "json").stdout)["tracks"][0]
    rows = tree.findall(".//tbody/tr[@id]")
    assert len(rows) == len(document["segments"]) + len(document["landings"])
    assert "OVERFLIGHT" in page and "Tunisia" in page and "Wing of Zion" in page
    assert "does not prove the person was on board" in page
    assert 'class="track k-overflight"' in page and 'class="track k-none"' in page
    links = {a.get("href") for a in tree.iter("a")}
    for item in document["segments"] + document["landings"]:
        assert {s["url"] for s in item["sources"]} <= links
    # the subject came from the aircraft table, as `track` does it, and the page says so
    assert "ties to the aircraft" in page
    # a track across the Mediterranean is a few pixels on the world map: a detail map shows it
    detail = page.split('<svg class="detail"', 1)[1].split("</svg>", 1)[0]
    assert '<use href="#territories"' in detail and 'class="track k-overflight"' in detail
    # rows in time order, landings among the segments; each landing marked with its airport
    times = [row.findtext("td[1]") for row in rows]
    assert times == sorted(times)
    assert all(f"Landing at {landing['airport']}" in detail for landing in document["landings"])


def test_subject_page_lists_territories_with_a_duty(invoke, tmp_path: Path, dataset) -> None:
    import datetime as dt

    from icc_travel import law

    page = make(invoke, tmp_path, "--subject", "putin", "--on", "2024-09-03")
    assert len(page.encode()) < MAX_BYTES
    tree = parse(page)
    day = dt.date(2024, 9, 3)
    subject = dataset.subject("putin")
    situation = dataset.situations[subject.situation]
    owed = [t for t in dataset.territories if law.obligation(subject, t, day, situation).level != law.NONE]
    rows = tree.findall(".//tbody/tr[@id]")
    assert len(rows) >= len(owed) > 100
    assert "Mongolia" in page and "putin-mng-2024" not in page  # precedents shown by their text
    assert "Made an official visit to Ulaanbaatar" in page  # the subject's own precedent
    assert "Mongolia: arrest (obligation to arrest)" in page  # the map's territory title
    assert 'class="detail"' not in page  # nothing drawn: the world map is the whole story


def test_a_grey_map_says_why(invoke, tmp_path: Path) -> None:
    page = make(invoke, tmp_path, "--subject", "putin", "--on", "2022-01-01")
    assert "No territory has an obligation" in page and "first warrant issued 2023-03-17" in page


def test_text_from_files_is_escaped(invoke, tmp_path: Path) -> None:
    trip = tmp_path / "a<b>&c.yaml"
    trip.write_text("subject: putin\nstops:\n  - {place: MN, date: 2024-09-03}\n")
    page = make(invoke, tmp_path, "--itinerary", str(trip))
    assert "a&lt;b&gt;&amp;c.yaml" in page and "a<b>" not in page
    parse(page)


def test_same_input_same_bytes_in_one_process_and_two(invoke, tmp_path: Path) -> None:
    first = make(invoke, tmp_path, "--itinerary", str(TRIP), name="one.html")
    second = make(invoke, tmp_path, "--itinerary", str(TRIP), name="two.html")
    assert first == second
    outputs = []
    for name in ("three.html", "four.html"):
        env = {**os.environ, "PYTHONHASHSEED": "random"}
        done = subprocess.run(
            [COMMAND, "report", "--track", str(TRACK), "--subject", "netanyahu", "-o", str(tmp_path / name)],
            capture_output=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


def test_jinja_and_the_map_stay_off_the_check_path() -> None:
    code = (
        "import sys\n"
        "from icc_travel.cli.main import cli\n"
        "try:\n    cli(['check', 'putin', 'MN@2024-09-03', '--format', 'json'])\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('jinja2', 'icc_travel.geo.svgmap', 'icc_travel.engine.report') "
        "if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED []" in done.stderr, done.stderr
