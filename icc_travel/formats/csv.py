"""CSV for spreadsheets: the machine columns, every row carrying the data's as-of date, and
cells that a spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from typing import Any

from icc_travel.formats import Report, RowStream, cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number or a LAT,LON stop (-26.2,28.0@2023-08-22) is data, not a formula.
_DATA = re.compile(r"^[+-]?\d+(\.\d+)?(\s*,\s*[+-]?\d+(\.\d+)?)?(@\d{4}-\d{2}-\d{2})?$")
DATA_CELL = _DATA  # numbers, coordinates and PLACE@DATE: never taken for a formula


NEEDS = ("csv_rows",)  # the report's costly parts this format renders (formats.LAZY_PARTS)


def render(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = list(report.csv_columns or report.columns)
    if report.as_of is not None and all(key != "data_as_of" for key, _ in columns):
        columns.append(("data_as_of", "data_as_of"))
    writer.writerow([key for key, _ in columns])
    as_of = report.as_of.isoformat() if report.as_of else ""
    for row in report.csv_rows if report.csv_rows is not None else report.rows:
        values = {**row, "data_as_of": row.get("data_as_of", as_of)}
        writer.writerow([neutralise(cell(values.get(key))) for key, _ in columns])
    return buffer.getvalue()


def neutralise(text: str) -> str:
    """A cell a spreadsheet would evaluate (=HYPERLINK(...), +1, @SUM) is quoted with a leading
    apostrophe; numbers, dates and coordinates (-26.2) stay as they are."""
    if text.startswith(FORMULA_START) and not _DATA.match(text):
        return "'" + text
    return text


def stream(rows: RowStream, out: Callable[[str], Any]) -> None:
    """The flat columns, in chunks; the stream's own fast lines when it has them."""
    out(",".join(rows.flat_columns) + "\n")
    if rows.texts is not None:  # the rows already written, many to a text
        for text in rows.texts():
            out(text)
        return
    if rows.csv_lines is not None:  # whole lines, a chunk of rows at a time: written as they come
        for text in rows.csv_lines():
            out(text)
        return
    lines = (_line([neutralise(cell(value)) for value in rows.flat(row)]) for row in rows.rows())
    while chunk := list(itertools.islice(lines, 8192)):
        out("".join(chunk))


def rows_text(rows: RowStream) -> str:
    """The stream's rows as `stream` writes them, below the header."""
    if rows.csv_lines is not None:
        return "".join(rows.csv_lines())
    return "".join(_line([neutralise(cell(value)) for value in rows.flat(row)]) for row in rows.rows())


def _line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()
