"""The self-contained HTML page of `icc-travel report`: one file with its styles, SVG map and
data inline, for readers who will not run a command line.

The page is a Jinja2 template (templates/report.html.j2) filled from the plain data of
`Report.page`; autoescaping is on, so text from the data files or an input file is never markup.
Jinja2 is imported only here, when a page is rendered.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from icc_travel.formats import Report

TEMPLATE = "report.html.j2"


NEEDS = ("page",)  # the report's costly parts this format renders (formats.LAZY_PARTS)


def render(report: Report) -> str:
    if report.page is None:
        raise ValueError("the html format renders a report page: this command has none")
    return render_page(report.page)


def render_page(page: dict[str, Any]) -> str:
    """The page as text: the same page data always gives the same bytes."""
    from icc_travel import __version__

    return html_safe(_environment().get_template(TEMPLATE).render(page=page, version=__version__))


# What HTML forbids in a document (control characters other than tab, line feed, form feed and
# carriage return; C1 controls; noncharacters; lone surrogates), whichever value brought it in:
# a callsign in a track file, a reason in a local facts file.
_NOT_HTML = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")


def html_safe(text: str) -> str:
    """The page with every character HTML forbids shown as its escape (`\\x1b`), as the
    terminal output shows them, so the page parses under a strict parser."""
    return _NOT_HTML.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


@functools.cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("icc_travel.formats", "templates"),
        autoescape=True,  # every value is text, never markup: a name in the data cannot inject HTML
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the tests instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
