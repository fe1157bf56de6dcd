"""Strict ISO date parsing: 20250101 or 2025-02-30 are errors, never guesses."""

from __future__ import annotations

import datetime as dt
import re

from icc_travel.errors import InputError

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def iso(day: dt.date | None) -> str | None:
    """A date as YYYY-MM-DD for output, None kept as None."""
    return day.isoformat() if day else None


def parse_date(text: str, *, what: str = "date") -> dt.date:
    value = text.strip()
    match = _ISO.match(value)
    if not match:
        raise InputError(f"{what} {text!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as error:
        raise InputError(f"{what} {text!r} does not exist ({error})") from None
