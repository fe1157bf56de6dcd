"""How a batch is written: its rows as a stream every format can write (JSON, JSON Lines, CSV
with formula-neutral cells, Markdown, GitHub annotations and the step summary), its summary, and
the error lines repeated on stderr. The command (batch_cmd) reads, evaluates and calls these."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from operator import contains
from typing import Any

from icc_travel import law
from icc_travel.cli.render import warn
from icc_travel.engine.batch import BatchOutcome, BatchResult, Totals
from icc_travel.formats import RowStream
from icc_travel.formats.csv import DATA_CELL, neutralise
from icc_travel.formats.markdown import TableWriter

# the CSV columns a reader of a Markdown report needs, with their headers
MARKDOWN_COLUMNS = {
    "file": "File",
    "line": "Line",
    "itinerary": "Itinerary",
    "subject": "Subject",
    "input": "Place",
    "date": "Date",
    "state": "State",
    "obligation": "Obligation",
    "basis": "Basis",
    "overflown": "Leg overflies",
    "error": "Error",
}


FLAT = (
    "file",
    "line",
    "itinerary",
    "subject",
    "input",
    "date",
    "kind",
    "iso3",
    "state",
    "obligation",
    "basis",
    "leg_from",
    "leg_km",
    "overflown",
    "error",
    "data_as_of",
)


class _StepSummary:
    """The Markdown table appended to $GITHUB_STEP_SUMMARY as the annotations stream, a
    courtesy: if it cannot be written, a warning says so and the run goes on."""

    def __init__(self, path: str, source: RowStream) -> None:
        self.handle: Any = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.table = TableWriter(source, self._write)

    def _write(self, text: str) -> None:
        if self.handle is None:
            return
        try:
            self.handle.write(text)
        except OSError as error:
            self._give_up(error)

    def _give_up(self, error: OSError) -> None:
        warn(f"cannot append the summary to $GITHUB_STEP_SUMMARY: {error.strerror or error}")
        with contextlib.suppress(OSError):
            self.handle.close()
        self.handle = None

    def close(self) -> None:
        self.table.close()
        if self.handle is not None:
            try:
                self.handle.close()
            except OSError as error:
                self._give_up(error)


def github_step_summary(source: RowStream) -> _StepSummary | None:
    """When $GITHUB_STEP_SUMMARY is set, a Markdown table fed the same rows as the annotations."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return None
    try:
        summary = _StepSummary(path, source)
    except OSError as error:
        warn(f"cannot append the summary to $GITHUB_STEP_SUMMARY: {error.strerror or error}")
        return None
    rows = source.rows

    def tee() -> Iterator[dict[str, Any]]:
        for row in rows():
            summary.table.row(row)
            yield row

    source.rows = tee
    return summary


def error_lines(totals: Totals) -> Iterator[str]:
    """`file:line: message` for the first error rows (all of them are in the output)."""
    yield from totals.first_errors
    if totals.errors_to_show > len(totals.first_errors):
        yield f"{totals.errors_to_show - len(totals.first_errors)} more rows are errors; every one is in the output"


def summary_line(totals: Totals) -> str:
    counts = ", ".join(f"{level} {totals.levels.get(level, 0)}" for level in law.LEVELS)
    line = f"batch: {totals.rows} rows in: {totals.results} results ({counts}), {totals.errors} errors"
    if totals.legs:
        legs = totals.leg_levels
        line += f"; {totals.legs} legs ({', '.join(f'{k} {legs[k]}' for k in law.LEVELS if legs[k])})"
    return line


def flat(row: dict[str, Any], as_of: dt.date | None = None) -> list[Any]:
    country = row.get("country") or {}
    leg = row.get("leg") or {}
    values = {
        **row,
        "iso3": country.get("iso3"),
        "state": country.get("name"),
        "leg_from": leg.get("from"),
        "leg_km": leg.get("distance_km"),
        "overflown": overflown_text(leg.get("overflown")),
        "data_as_of": as_of.isoformat() if as_of else None,
    }
    return [values.get(key) for key in FLAT]


def overflown_text(overflown: list[dict[str, Any]] | None) -> str | None:
    """`GRC 59.7 km overflight; TUR 647.3 km none`: one CSV or table cell per leg."""
    if overflown is None:
        return None
    from icc_travel.engine.legs import overflown_cell

    return overflown_cell((o["iso3"], o["km"], o["obligation"]) for o in overflown)


def row_stream(outcomes: Callable[[], Iterator[BatchOutcome]], totals: Totals, fail_on: str) -> RowStream:
    """The batch as a row stream: rows are made chunk by chunk as the format writes them, and
    the summary, asked for after the rows, counts what went by."""
    cells: dict[Any, str] = {}
    return RowStream(
        rows=lambda: (row for outcome in outcomes() for row in outcome.rows()),
        summary=lambda: _summary(totals),
        summary_line=lambda: summary_line(totals),
        as_of=totals.data_as_of,
        flat_columns=FLAT,
        flat=lambda row: flat(row, totals.data_as_of),
        markdown_columns=MARKDOWN_COLUMNS,
        # a chunk's lines as one text: no generator step per row between the chunk and the file
        csv_lines=lambda: ("".join(csv_lines(outcome, cells)) for outcome in outcomes()),
        json_texts=lambda: (text for outcome in outcomes() for text in outcome.json_texts()),
        annotate=lambda row: annotations(row, fail_on),
    )


def csv_lines(outcome: BatchOutcome, cells: dict[Any, str] | None = None) -> Iterator[str]:
    """Rows as CSV text, quoted as csv.writer's QUOTE_MINIMAL quotes them. The part of a line
    that comes from its result is rendered once per result: a million rows share far fewer; with
    `cells`, kept from chunk to chunk, once per day and once per (kind, territory, level, basis)
    for the whole batch, and a leg's cells once per leg and levels (`LegColumns.csv_cells`)."""
    c = outcome.inputs.columns
    if cells is None:
        cells = {}
    elif len(cells) > CELLS_KEPT:
        cells.clear()  # the caller's dict, so the next chunks fill one cache again, not a new one each
    subject_cell = {subject: _quoted(subject) for subject in {result.subject.id for result in outcome.results}}
    subjects = [subject_cell[result.subject.id] for result in outcome.results]
    tails = [_tail(result, cells) for result in outcome.results]
    files = {file: _quoted(file) for file in set(c["file"])}
    as_of = outcome.data_as_of.isoformat()
    columns = (c["file"], c["line"], _quoted_column(c["itinerary"]), _quoted_column(c["place"]), outcome.result_of_row)
    legs = outcome.leg_of_row
    # each leg's cells, by the row it arrives at, once per combination of leg and levels
    leg_cells = legs.legs.csv_cells(_quoted, cells) if legs.legs is not None else []
    # the lines from one comprehension, each row's result part looked up, not branched on: an
    # error row's index, -1, finds the empty cells appended last and is then given its own, and
    # a row with a leg has its leg's cells put in
    row_tails = list(map([*tails, ""].__getitem__, columns[4]))
    row_subjects = list(map([*subjects, ""].__getitem__, columns[4]))
    for number, message in outcome.errors_by_row.items():
        row_tails[number] = f",,,,,,,,,{_quoted(message)}"
        row_subjects[number] = _quoted(c["subject"][number])
    if leg_cells:
        heads = [tail[: -len(NO_LEG) - 1] for tail in tails]  # a result's cells before the leg's
        arrived_from = map(columns[4].__getitem__, legs.rows)
        with_legs = map("{},{},".format, map(heads.__getitem__, arrived_from), leg_cells)
        deque(map(row_tails.__setitem__, legs.rows, with_legs), maxlen=0)  # put in, by C-level maps
    file_cells = [files[c["file"][0]]] * len(row_tails) if len(files) == 1 else list(map(files.__getitem__, c["file"]))
    lines = zip(file_cells, columns[1], columns[2], row_subjects, columns[3], row_tails, strict=True)
    yield from [
        f"{file},{line},{itinerary},{subject},{place},{tail},{as_of}\n"
        for file, line, itinerary, subject, place, tail in lines
    ]


CELLS_KEPT = 100_000  # rendered cells kept between chunks before starting afresh
NO_LEG = ",,,"  # the leg's three cells and the empty error cell, for a row without a leg


def _tail(result: BatchResult, cells: dict[Any, str]) -> str:
    """The cells from the date to the error (empty), without a leg."""
    day = cells.get(result.day)
    if day is None:
        day = cells[result.day] = _quoted(result.day.isoformat())
    territory = result.territory
    key = (result.kind, id(territory), result.answer)
    middle = cells.get(key)  # type: ignore[call-overload]
    if middle is None:
        values = (
            result.kind,
            territory.iso3 if territory else None,
            territory.name if territory else None,
            result.level,
            result.basis,
        )
        middle = cells[key] = ",".join(_quoted(value) for value in values)  # type: ignore[index]
    return f"{day},{middle}{NO_LEG},"


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _quoted_column(values: list[str | None]) -> list[str]:
    """`_quoted` for a whole column. The usual column (no empty cell, no quote or line break in
    any, every cell that starts like a formula a number or a coordinate) is judged with C-level
    maps over the cells and, when every cell holds a comma (LAT,LON stops), quoted by one
    replace over the joined column; any other column cell by cell, inline (a function call per
    cell costs a second a million; only a cell that starts like a formula pays for the check)."""
    if values and None not in values:
        text = "\n".join(values)  # type: ignore[arg-type]
        if '"' not in text and "\r" not in text and text.count("\n") == len(values) - 1:
            formula = [value[:1] in FORMULA_FIRST for value in values]  # type: ignore[index]
            if not any(formula) or all(map(_data_cell, compress(values, formula))):  # type: ignore[arg-type]
                if "," not in text:
                    return values  # type: ignore[return-value]
                if all(map(contains, values, repeat(","))):
                    return ('"' + text.replace("\n", '"\n"') + '"').split("\n")
    return _quoted_column_cells(values)


def _quoted_column_cells(values: list[str | None]) -> list[str]:
    """`_quoted_column` cell by cell."""
    return [
        ""
        if v is None
        else _quoted(v)
        if v[:1] in FORMULA_FIRST and not _data_cell(v)
        else ('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v or "\n" in v or "\r" in v) else v)
        for v in values
    ]


FORMULA_FIRST = frozenset("=+-@\t\r")
_data_cell = DATA_CELL.match  # a coordinate (-26.2,28.0) starts like a formula but is none


def _quoted(value: Any) -> str:
    """A CSV cell: quoted as QUOTE_MINIMAL would, and never a formula a spreadsheet would run."""
    if value is None:
        return ""
    text = neutralise(value if isinstance(value, str) else str(value))
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def _summary(totals: Totals) -> dict[str, Any]:
    return {
        "rows": totals.rows,
        "results": totals.results,
        "errors": totals.errors,
        "levels": dict(totals.levels),
        "data_as_of": totals.data_as_of.isoformat(),
        "warnings": [warning] if (warning := totals.staleness()) else [],
    }


def annotations(row: dict[str, Any], fail_on: str) -> Iterator[tuple[str, str, int, str]]:
    """A row's CI annotations: an error for an arrest or a bad row, a warning for a continuing
    duty, and with --fail-on overflight an error for a leg over a party."""
    where = (row["file"], row["line"])
    if row["error"] is not None:
        yield ("error", *where, row["error"])
        return
    level = row["obligation"]
    if law.reaches(level, "continuing"):
        command = "error" if level == law.ARREST and law.reaches(level, fail_on) else "warning"
        state = (row["country"] or {}).get("name", "?")
        yield (command, *where, f"{row['subject']} in {state} on {row['date']}: {level} ({row['basis']})")
    leg = row["leg"]
    if leg is not None and law.reaches(law.OVERFLIGHT, fail_on):
        parties = [o["iso3"] for o in leg["overflown"] if law.reaches(o["obligation"], fail_on)]
        if parties:
            message = f"{row['subject']}: the leg from {leg['from']} overflies {', '.join(parties)} (overflight)"
            yield ("error", *where, message)
