"""Dates past the data's as-of date: the data cannot vouch for what happened after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def staleness_warning(as_of: dt.date, dates: Iterable[dt.date]) -> str | None:
    """One sentence for stderr and JSON when any date asked about is later than the data."""
    later = [day for day in dates if day > as_of]
    if not later:
        return None
    count = "1 date asked about falls" if len(later) == 1 else f"{len(later)} dates asked about fall"
    return (
        f"{count} (latest {max(later)}) after the data's as-of date {as_of}: "
        "later warrants, withdrawals or revocations may be missing from the answer"
    )
