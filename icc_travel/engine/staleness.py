"""Dates past the data's as-of date: the data cannot vouch for what happened after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# Every output shows the data's as-of date; a warning is added only when a date asked about is
# this far past it: the data is compiled every few weeks, and a warning on every run from the day
# after a release would teach people to ignore it.
GRACE_DAYS = 30


def staleness_warning(as_of: dt.date, dates: Iterable[dt.date]) -> str | None:
    """One sentence for stderr and JSON when a date asked about is more than GRACE_DAYS after
    the data's as-of date."""
    later = [day for day in dates if (day - as_of).days > GRACE_DAYS]
    if not later:
        return None
    count = "1 date asked about falls" if len(later) == 1 else f"{len(later)} dates asked about fall"
    return (
        f"{count} (latest {max(later)}) after the data's as-of date {as_of}: "
        "later warrants, withdrawals or revocations may be missing from the answer"
    )
