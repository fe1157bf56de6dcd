"""The report page in a real browser (headless Chromium): a screenshot shows the map with a
party's colour where the party is, the DOM the browser builds holds every row and every source
link, and the page makes no network request of any kind.

Skipped when Chromium is absent, unless ICC_TRAVEL_REQUIRE_BROWSER=1 (as `.ci/run` sets it): then
a missing browser fails the run instead of passing it silently.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

html5lib = pytest.importorskip("html5lib")
Image = pytest.importorskip("PIL.Image")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRIP = EXAMPLES / "report_trip.yaml"
TRACK = EXAMPLES / "synthetic_track_tlv_west.json"
REQUIRE_ENV = "ICC_TRAVEL_REQUIRE_BROWSER"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WINDOW = (1200, 1600)
OCEAN = (0xEE, 0xF4, 0xF8)  # the map's background (geo.mapping.OCEAN): finds the map on the screenshot


@pytest.fixture(scope="module")
def chromium() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but no Chromium on PATH (Debian: apt-get install chromium)")
        pytest.skip(f"Chromium is not installed (Debian: apt-get install chromium); {REQUIRE_ENV}=1 makes this fail")
    return found


def browse(chromium: str, page: Path, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run headless Chromium on a page; return the run and the URLs the page itself requested.

    The requests come from Chromium's net log: those the browser starts for itself (updates,
    accounts) carry the initiator "not an origin"; anything the page asks for carries the page's.
    A proxy on a closed local port keeps every request from leaving the machine."""
    netlog = tmp_path / f"{page.stem}-{args[0].lstrip('-').split('=')[0]}.netlog.json"
    # faketime (CI's second run) breaks Chromium's own clock checks: the browser runs on real time
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--force-color-profile=srgb",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        f"--log-net-log={netlog}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *args,
        page.as_uri(),
    ]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run, page_requests(netlog)


def page_requests(netlog: Path) -> list[str]:
    text = netlog.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit: close it
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    urls = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        started = names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params
        if started and params.get("initiator") != "not an origin":
            urls.append(params["url"])
    return [url for url in urls if not url.startswith(("file:", "data:"))]


def write_report(invoke: Callable, tmp_path: Path, name: str, *args: str) -> Path:
    output = tmp_path / name
    result = invoke("report", *args, "-o", str(output))
    assert result.exit_code == 0, result.stderr
    return output


def map_box(image: Any) -> tuple[int, int, int, int]:
    """The world map's rectangle on the screenshot: the first unbroken run of rows with its ocean
    colour (every row of the map has ocean at its edges; a detail map below starts after a gap)."""
    pixels = image.load()
    width, height = image.size
    rows = {y for y in range(height) if any(pixels[x, y][:3] == OCEAN for x in range(0, width, 4))}
    assert rows, "no map on the screenshot"
    top = bottom = min(rows)
    while bottom + 1 in rows:
        bottom += 1
    middle = (top + bottom) // 2
    columns = [x for x in range(width) if pixels[x, top + 2][:3] == OCEAN or pixels[x, middle][:3] == OCEAN]
    return columns[0], top, columns[-1], bottom


def colour_at(image: Any, box: tuple[int, int, int, int], lon: float, lat: float) -> tuple[int, int, int]:
    from icc_travel.geo.svgmap import VIEW_HEIGHT, VIEW_WIDTH, view_position

    x, y = view_position(lon, lat)
    left, top, right, bottom = box
    column = round(left + x / VIEW_WIDTH * (right - left + 1))
    row = round(top + y / VIEW_HEIGHT * (bottom - top + 1))
    return image.getpixel((column, row))[:3]


def near(colour: tuple[int, int, int], hex_colour: str) -> bool:
    wanted = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= 6 for a, b in zip(colour, wanted, strict=True))


def test_screenshot_shows_the_map_coloured_by_level(chromium: str, invoke, tmp_path: Path) -> None:
    from icc_travel.geo.mapping import COLOURS

    page = write_report(invoke, tmp_path, "trip.html", "--itinerary", str(TRIP))
    shot = tmp_path / "trip.png"
    _, requests = browse(chromium, page, tmp_path, f"--screenshot={shot}")
    assert requests == []
    image = Image.open(shot).convert("RGB")
    assert image.size == WINDOW
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 50, "a blank screenshot"
    box = map_box(image)
    assert box[2] - box[0] > WINDOW[0] / 2  # the map spans the page's width
    # netanyahu on 2025-04-03: Brazil and Mongolia are parties, the United States and Russia are not
    for lon, lat, level in [(-55.0, -10.0, "arrest"), (103.0, 46.5, "arrest"), (-100.0, 40.0, "none")]:
        found = colour_at(image, box, lon, lat)
        assert near(found, COLOURS[level]), (lon, lat, level, found)


def test_dom_has_every_row_and_every_source_link(chromium: str, invoke, tmp_path: Path) -> None:
    page = write_report(invoke, tmp_path, "trip.html", "--itinerary", str(TRIP))
    run, requests = browse(chromium, page, tmp_path, "--dump-dom")
    assert requests == []
    tree = html5lib.parse(run.stdout, namespaceHTMLElements=False)
    answer = json.loads(invoke("check", "--itinerary", str(TRIP), "--format", "json").stdout)
    rows = tree.findall(".//tbody/tr[@id]")
    assert [row.get("id") for row in rows] == [f"stop-{n}" for n in range(1, len(answer["stops"]) + 1)]
    for stop, row in zip(answer["stops"], rows, strict=True):
        assert stop["date"] in "".join(row.itertext())
    links = {a.get("href") for a in tree.iter("a")}
    wanted = {s["url"] for stop in answer["stops"] for s in stop["sources"]}
    wanted |= {s["url"] for stop in answer["stops"] for p in stop["precedents"] for s in p["sources"]}
    wanted |= {s["url"] for stop in answer["stops"] if stop["disputed"] for s in stop["disputed"]["sources"]}
    assert wanted and wanted <= links, sorted(wanted - links)


def test_track_and_subject_pages_load_without_a_request(chromium: str, invoke, tmp_path: Path) -> None:
    track = write_report(invoke, tmp_path, "track.html", "--track", str(TRACK), "--subject", "netanyahu")
    run, requests = browse(chromium, track, tmp_path, "--dump-dom")
    assert requests == []
    tree = html5lib.parse(run.stdout, namespaceHTMLElements=False)
    document = json.loads(invoke("track", str(TRACK), "--subject", "netanyahu", "--format", "json").stdout)["tracks"][0]
    assert len(tree.findall(".//tbody/tr[@id]")) == len(document["segments"]) + len(document["landings"])
    links = {a.get("href") for a in tree.iter("a")}
    assert {s["url"] for item in document["segments"] for s in item["sources"]} <= links
    subject = write_report(invoke, tmp_path, "putin.html", "--subject", "putin", "--on", "2024-09-03")
    _, requests = browse(chromium, subject, tmp_path, f"--screenshot={tmp_path / 'putin.png'}")
    assert requests == []


def test_the_request_detector_sees_a_page_that_fetches(chromium: str, tmp_path: Path) -> None:
    """The check above means something only if a fetching page is caught: this one is."""
    page = tmp_path / "fetches.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="https://cdn.icc-travel.invalid/style.css"></head>'
        '<body><img src="http://icc-travel.invalid/pixel.png" alt=""></body></html>',
        encoding="utf-8",
    )
    _, requests = browse(chromium, page, tmp_path, "--dump-dom")
    assert "http://icc-travel.invalid/pixel.png" in requests
    assert "https://cdn.icc-travel.invalid/style.css" in requests
