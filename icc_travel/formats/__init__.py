"""One output layer for every command: a command builds a `Report`, a format module renders it.

Each format is one module here with `render(report) -> str | None` (None when it printed itself,
as the rich table does on a terminal) and `NEEDS`, the report's costly parts it renders (the
JSON document, GeoJSON features, machine rows, entities, the page); `FORMATS` names them. A
command may give those parts as functions: only the parts the chosen format needs are computed
(a table never builds the JSON document, the JSON never builds GeoJSON). Adding a format is one module and
one line below. A report carries what the formats need: rows for the tabular ones, the JSON
document, GeoJSON features where the command has places, FollowTheMoney entities where it has
people, and always the data's as-of date.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from icc_travel.vocabulary import LEVEL_LOOKS

# format name -> module under icc_travel.formats
FORMATS = {
    "table": "table",
    "json": "json",
    "jsonl": "jsonl",
    "csv": "csv",
    "markdown": "markdown",
    "geojson": "geojson",
    "ftm": "ftm",
    "github": "github",
    "html": "html",  # the self-contained page of `report`: needs Report.page
}

# How each obligation level looks on a terminal, in every command.
LEVEL_STYLES = {str(level): look.style for level, look in LEVEL_LOOKS.items()}


class Report:
    """What a command has to say, independent of format. A plain class, not a dataclass: every
    command makes one, and making a dataclass costs each run's start-up about 0.4 ms."""

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],  # (key, header)
        rows: list[dict[str, Any]],
        payload: Any,  # the JSON document (or a function making it: see LAZY_PARTS)
        as_of: dt.date | None = None,  # the data's as-of date: every format shows it
        title: str | None = None,
        details: list[tuple[str, list[str]]] | None = None,  # (heading, lines) below the table
        footer: list[str] | None = None,
        styles: dict[str, dict[str, str]] | None = None,  # column -> value -> rich style
        csv_columns: Sequence[tuple[str, str]] | None = None,  # machine columns, when they differ
        # each of these may also be a function making it, called only for a format that needs it
        csv_rows: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] | None = None,  # machine rows
        features: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] | None = None,  # GeoJSON features
        entities: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]] | None = None,  # FollowTheMoney
        page: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,  # the report page's model, for html
    ) -> None:
        self.columns = columns
        self.rows = rows
        self.payload = payload
        self.as_of = as_of
        self.title = title
        self.details = [] if details is None else details
        self.footer = [] if footer is None else footer
        self.styles = {} if styles is None else styles
        self.csv_columns = csv_columns
        self.csv_rows = csv_rows
        self.features = features
        self.entities = entities
        self.page = page

    def compute(self, parts: Iterable[str]) -> None:
        """Compute the parts given as functions that a format needs (the others stay uncomputed)."""
        for part in parts:
            value = getattr(self, part)
            if callable(value):
                setattr(self, part, value())

    def footer_lines(self) -> list[str]:
        """The footer, ending with the as-of date unless the command already says it."""
        lines = list(self.footer)
        if self.as_of is not None and not any(str(self.as_of) in line for line in lines):
            lines.append(f"Data as of {self.as_of}.")
        return lines


class RowStream:
    """Rows too many to hold as a report (a batch of millions): each format writes them as they
    come, and the summary once they have all gone by (it counts them). `rows` yields the JSON
    rows, once; `flat` turns one into the values of `flat_columns`; `csv_lines` and
    `json_texts`, when given, yield ready CSV lines and JSON texts faster than converting every
    row (a format uses one of these sources; each text `csv_lines` yields is one or more whole
    lines: a batch yields a chunk's rows as one text);
    `annotate` gives a row's (command, file, line, message) annotations for CI logs; `texts`,
    when given, yields the rows already written in the chosen format, many rows to a text
    (`format_rows` writes them), and the format adds only what comes before, between and after
    them. A plain class, as Report is (a step summary replaces `rows` with a tee of them)."""

    def __init__(
        self,
        rows: Callable[[], Iterator[dict[str, Any]]],
        summary: Callable[[], dict[str, Any]],
        summary_line: Callable[[], str],
        as_of: dt.date,
        flat_columns: Sequence[str],
        flat: Callable[[dict[str, Any]], list[Any]],
        markdown_columns: dict[str, str],
        csv_lines: Callable[[], Iterator[str]] | None = None,
        json_texts: Callable[[], Iterator[str]] | None = None,  # each row's JSON text, faster than dumping every row
        annotate: Callable[[dict[str, Any]], Iterable[tuple[str, str, int, str]]] | None = None,
        texts: Callable[[], Iterator[str]] | None = None,  # rows already written in the format
    ) -> None:
        self.rows = rows
        self.summary = summary
        self.summary_line = summary_line
        self.as_of = as_of
        self.flat_columns = flat_columns
        self.flat = flat
        self.markdown_columns = markdown_columns
        self.csv_lines = csv_lines
        self.json_texts = json_texts
        self.annotate = annotate
        self.texts = texts


# The parts of a Report a command may give as a function, computed only for a format that needs them.
LAZY_PARTS = ("payload", "features", "entities", "page", "csv_rows")


def render(report: Report, fmt: str) -> str | None:
    module = _module(fmt)
    report.compute(module.NEEDS)
    return module.render(report)


def stream(rows: RowStream, fmt: str, out: Callable[[str], Any]) -> None:
    """Write a row stream in a format, piece by piece."""
    _module(fmt).stream(rows, out)


def format_rows(rows: RowStream, fmt: str) -> str:
    """A stream's rows written in a format as one text, for another stream's `texts`: the
    characters the format's `stream` writes for them, without what comes before the rows (JSON's
    separator before the first of them included) and after them."""
    return _module(fmt).rows_text(rows)


def _module(fmt: str) -> Any:
    return importlib.import_module(f"icc_travel.formats.{FORMATS[fmt.lower()]}")


def cell(value: Any) -> str:
    """One value as text for a table cell: lists joined with '; ', sources as their URLs."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("url") or value.get("name") or value)
    return str(value)
