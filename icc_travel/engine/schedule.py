"""When a `watch` event may be published: `--delay` and `--quiet-hours`. Pure: the clock is an argument.

An event is decided when its position arrives (so its `time`, territory and obligation are those
of that moment), but a desk may not want it at once: a delay publishes it later (an alert
meant for the morning's digest, or one that must not tip off a crew), and quiet hours hold it
until the window ends (no phone buzzing at night). Both only move the publication: the event
itself, and its `id`, are unchanged, and a held event waits in the crash-safe state.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class QuietHours(NamedTuple):
    """A daily window of wall-clock times in `zone` (`start` inclusive, `end` exclusive); when
    `start` is after `end` the window crosses midnight (22:00-07:00)."""

    start: dt.time
    end: dt.time
    zone: dt.tzinfo

    def release(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself outside the window, else the window's end (in UTC). Computed on the
        zone's wall clock, so a window keeps its hours across a daylight-saving change."""
        local = moment.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            inside = self.start <= clock < self.end
            end_day = local.date()
        else:  # crosses midnight
            inside = clock >= self.start or clock < self.end
            end_day = local.date() + dt.timedelta(days=1 if clock >= self.start else 0)
        if not inside:
            return moment
        end = dt.datetime.combine(end_day, self.end, tzinfo=self.zone)
        return max(end.astimezone(dt.UTC), moment)


def parse_quiet_hours(text: str, zone_name: str = "UTC") -> QuietHours:
    """`HH:MM-HH:MM` in the IANA zone `zone_name` (ValueError, with why, otherwise)."""
    start_text, sep, end_text = text.strip().partition("-")
    found = [_CLOCK.match(part.strip()) for part in (start_text, end_text)]
    if not sep or not all(found):
        raise ValueError(f"{text!r}: give HH:MM-HH:MM, e.g. 22:00-07:00")
    start, end = (dt.time(int(m.group(1)), int(m.group(2))) for m in found if m is not None)
    if start == end:
        raise ValueError(f"{text!r}: the window starts and ends at the same time")
    return QuietHours(start, end, zone(zone_name))


def zone(name: str) -> dt.tzinfo:
    """An IANA time zone (`UTC`, `Europe/Paris`). Named, never the machine's own: a service's
    zone is often not its user's (containers run in UTC), so the window's zone is said outright."""
    if name.upper() == "UTC":
        return dt.UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone (give an IANA name such as Europe/Paris, or UTC)") from None


class Schedule(NamedTuple):
    """`delay` first, then quiet hours: an event delayed into the window waits for its end."""

    delay: dt.timedelta = dt.timedelta(0)
    quiet: QuietHours | None = None

    @property
    def active(self) -> bool:
        return bool(self.delay) or self.quiet is not None

    def release(self, now: dt.datetime) -> dt.datetime:
        """When an event decided `now` may be published."""
        due = now + self.delay
        return self.quiet.release(due) if self.quiet is not None else due
