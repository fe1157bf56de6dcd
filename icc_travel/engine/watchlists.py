"""Watchlists for `watch`: the `screen` CSV (hex,registration,subject,source), the data's own
aircraft, and the plane-alert-db CSV as published (`$ICAO`, `$Registration`, `$Operator`,
`$Type`, `Category`, `$Tag 1`, `$#Tag 2`, `$#Tag 3`, `$#Link` ...)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from icc_travel.data.models import Dataset
from icc_travel.engine.watch import WatchEntry
from icc_travel.errors import InputError

PLANE_ALERT = "plane-alert-db (github.com/sdr-enthusiasts/plane-alert-db; its licence applies to the row)"


def _name(header: str) -> str:
    """plane-alert-db marks columns with $ and # (`$ICAO`, `$#Tag 2`): compare without them."""
    return " ".join(header.replace("$", "").replace("#", "").strip().lower().split())


def _hex(text: str, where: str) -> str | None:
    code = text.strip().lower()
    if not code:
        return None
    if len(code) != 6 or any(c not in "0123456789abcdef" for c in code):
        raise InputError(f"{where}: hex must be a 6-digit ICAO address, got {text.strip()[:20]!r}")
    return code


def read_watch_entries(
    path: Path,
    dataset: Dataset,
    *,
    subject: str | None = None,
    categories: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> list[WatchEntry]:
    """The entries of a watchlist file (the `screen` CSV or plane-alert-db's), with a clear
    InputError for anything else. `subject` ties rows without one (plane-alert-db's) to a subject."""
    from icc_travel.data.inputs import read_text

    text = read_text(path, 50_000_000)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [_name(h) for h in next(reader, [])]
    except csv.Error as error:
        raise InputError(f"{path}:1: unreadable CSV: {error}") from None
    plane_alert = "icao" in header and "hex" not in header
    hex_column = "icao" if plane_alert else "hex"
    if hex_column not in header and "registration" not in header:
        raise InputError(
            f"{path}:1: a watchlist needs the columns hex,registration,subject,source "
            "(or plane-alert-db's $ICAO,$Registration,...)"
        )
    if not plane_alert and "subject" not in header and subject is None:
        raise InputError(f"{path}:1: a watchlist needs a subject column (hex,registration,subject,source) or --subject")
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        raise InputError(f"{path}:1: the header repeats {', '.join(repeated)}")
    subjects = {s.id for s in dataset.subjects}
    if subject is not None and subject not in subjects:
        raise InputError(f"unknown subject {subject!r}")
    wanted_categories = {c.strip().lower() for c in categories}
    wanted_tags = {t.strip().lower() for t in tags}
    if (wanted_categories or wanted_tags) and not plane_alert:
        raise InputError(f"{path}: --category and --tag filter a plane-alert-db CSV; this watchlist is not one")
    entries: list[WatchEntry] = []
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise InputError(f"{path}:{reader.line_num}: unreadable CSV: {error}") from None
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        record = dict(zip(header, (cell.strip() for cell in row), strict=False))
        where = f"{path}:{line}"
        code = _hex(record.get(hex_column, ""), where)
        registration = record.get("registration") or None
        if code is None and registration is None:
            raise InputError(f"{where}: give a hex or a registration")
        if plane_alert:
            if wanted_categories and record.get("category", "").lower() not in wanted_categories:
                continue
            row_tags = {record.get(f"tag {n}", "").lower() for n in (1, 2, 3)} - {""}
            if wanted_tags and not (row_tags & wanted_tags):
                continue
            who = record.get("subject") or subject
            source = f"{PLANE_ALERT}: {','.join(row)}"
        else:
            who = record.get("subject") or subject
            if who is None:
                raise InputError(f"{where}: no subject (give one in the row, or --subject)")
            source = record.get("source") or None
        if who is not None and who not in subjects:
            raise InputError(f"{where}: unknown subject {who!r}")
        entry = WatchEntry(code, registration, who, source)
        if entry not in entries:
            entries.append(entry)
    if not entries:
        filtered = " after --category/--tag" if wanted_categories or wanted_tags else ""
        raise InputError(f"{path}: the watchlist is empty{filtered}")
    return entries


def data_watchlist(dataset: Dataset) -> list[WatchEntry]:
    """The data's own aircraft: by ICAO address where a source gives one, else by registration."""
    return [
        WatchEntry(a.hex, a.registration, a.subject, a.sources[0].url if a.sources else None)
        for a in dataset.aircraft
        if a.hex or a.registration
    ]
