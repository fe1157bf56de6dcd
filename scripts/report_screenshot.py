"""Make docs/report.png, the README's picture of a report page: `icc-travel report` on
examples/report_trip.yaml, opened in headless Chromium and captured at a desktop width.

    python scripts/report_screenshot.py                 # writes docs/report.png
    python scripts/report_screenshot.py -o /tmp/r.png --keep-html /tmp/r.html

Needs the project installed (`pip install -e .`) and Chromium (Debian: apt-get install chromium).
The page is the same for the same data; the picture changes only when the page or the data does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIP = ROOT / "examples" / "report_trip.yaml"
OUTPUT = ROOT / "docs" / "report.png"
WINDOW = (1100, 1500)  # wide enough for the table's columns, tall enough for the map and the stops
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT, help="PNG to write (default docs/report.png)")
    parser.add_argument("--keep-html", type=Path, help="also keep the report page here")
    args = parser.parse_args(argv)
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if browser is None:
        print("report_screenshot: Chromium is not installed (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    command = shutil.which("icc-travel") or str(Path(sys.executable).parent / "icc-travel")
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(args.keep_html or Path(scratch) / "report.html").resolve()
        subprocess.run([command, "-q", "report", "--itinerary", str(TRIP), "-o", str(page)], check=True)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",  # root in a container has no user namespace sandbox
                "--disable-gpu",
                "--hide-scrollbars",
                "--force-color-profile=srgb",
                f"--user-data-dir={Path(scratch) / 'profile'}",
                "--proxy-server=http://127.0.0.1:9",  # the page fetches nothing; neither may the browser
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                f"--screenshot={args.output.resolve()}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            env=env,
        )
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
