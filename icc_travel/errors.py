"""Exceptions that carry a user-facing message; the CLI turns them into one stderr line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class IccTravelError(Exception):
    """Base for errors the CLI reports without a traceback (exit status 2)."""


class Problem(NamedTuple):
    """One defect in a data file, located as precisely as the file allows. A NamedTuple, not a
    frozen dataclass: every run imports this module, and making a dataclass costs start-up ~0.4 ms."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


class DataError(IccTravelError):
    """The bundled or supplied data is invalid: the run cannot give trustworthy answers."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid data"
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class InputError(IccTravelError):
    """The user's input (a place, subject, date or file) cannot be understood."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        self.suggestions = list(suggestions)
        if self.suggestions:
            message += "; did you mean: " + ", ".join(self.suggestions) + "?"
        super().__init__(shorten(message))


class SubjectNeeded(InputError):
    """Tracks whose aircraft the data ties to no subject, or to several: the caller must name one
    (the API says so in its words, a command names its own option)."""


class WatchlistNeeded(InputError):
    """A screen with no watchlist given, where the data records no aircraft with an ICAO address
    to watch: the caller must give one (the API says so in its words, a command names its option)."""


def shorten(message: str, limit: int = 400) -> str:
    """Keep a message to one readable line: a megabyte of bad input is not echoed back whole, and
    control characters in it (an ANSI escape in an input row) are shown, not sent to the terminal."""
    from icc_travel.text import printable

    message = printable(" ".join(message.splitlines()))
    if len(message) <= limit:
        return message
    half = (limit - 5) // 2
    return f"{message[:half]} [...] {message[-half:]}"
