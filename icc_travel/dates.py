"""Strict ISO date parsing: 20250101 or 2025-02-30 are errors, never guesses."""

from __future__ import annotations

import datetime as dt
import os

from icc_travel.errors import InputError

# "Today" can be pinned, so that CI runs, golden files and reports give the same answer on any day.
TODAY_ENV = "ICC_TRAVEL_TODAY"


def iso(day: dt.date | None) -> str | None:
    """A date as YYYY-MM-DD for output, None kept as None."""
    return day.isoformat() if day else None


def parse_date(text: str, *, what: str = "date") -> dt.date:
    value = text.strip()
    # YYYY-MM-DD in ASCII digits only (str.isdigit also takes ٢٠٢٤), tested without a regular
    # expression: compiling one cost every run's start-up 0.05 ms
    digits = value[:4] + value[5:7] + value[8:]
    if not (len(value) == 10 and value[4] == value[7] == "-" and digits.isascii() and digits.isdigit()):
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError as error:
        raise InputError(f"{what} {text!r} does not exist ({error})") from None


def today() -> dt.date:
    """The date a command takes when none is given: $ICC_TRAVEL_TODAY if set, else the clock.

    Every default date in the tool comes from here, so pinning the variable pins the answer."""
    pinned = os.environ.get(TODAY_ENV, "").strip()
    if not pinned:
        return dt.date.today()
    return parse_date(pinned, what=f"${TODAY_ENV}")
