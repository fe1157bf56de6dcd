"""What every reader shares: the Checker that collects a file's problems, the one rule for a
record's stated confidence, and the identifiers the files use (slugs, URLs, ISO codes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from icc_travel.data.models import Sources
from icc_travel.errors import Problem

# Codes from ISO 3166-1's user-assigned range: Kosovo's (in wide use) and the UK Sovereign Base
# Areas of Akrotiri and Dhekelia (the project's; ISO gives them none).
EXTRA_ISO3 = frozenset({"XKX", "XSB"})


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


URL = re.compile(r"^https?://\S+$")


class Checker:
    """Collects problems for one file while converting its raw values.

    With a local facts file, its records are merged into this file's data as it is read, and a
    problem in one of them is reported against the local file (entries in `local`)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.overlay: dict[str, list[dict]] = {}  # section -> local records
        self.overlay_file: str | None = None
        self.local: set[str] = set()  # entry labels of records that came from the local file
        self.document: Any = None  # the file's parsed content, every mapping a Tracked one
        self.tiers: Mapping[str, str] = {}  # host -> tier, from sources.yaml and the local facts file

    @property
    def is_overlay(self) -> bool:
        return self.overlay_file is not None and self.overlay_file == self.file

    def add(self, entry: str, message: str) -> None:
        head = entry.split(":", 1)[0]
        file = self.overlay_file if self.overlay_file and head in self.local else self.file
        self.problems.append(Problem(file, entry, message))

    def date(self, entry: str, record: dict, key: str, *, required: bool = False) -> dt.date | None:
        value = record.get(key)
        if value is None:
            if required:
                self.add(entry, f"{key} is required")
            return None
        if isinstance(value, dt.datetime):
            self.add(entry, f"{key} must be a date without a time, got {value!r}")
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value)
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        self.add(entry, f"{key} is not an ISO date (YYYY-MM-DD): {value!r}")
        return None

    def text(self, entry: str, record: dict, key: str, *, required: bool = True) -> str | None:
        value = record.get(key)
        if value is None or value == "":
            if required:
                self.add(entry, f"{key} is required")
            return None
        if not isinstance(value, str):
            self.add(entry, f"{key} must be text, got {type(value).__name__}")
            return None
        return value

    def bind(self, urls: Iterable[Any]) -> Sources:
        """URLs as Sources, each with the tier its host has in `self.tiers` (set before the
        records are read)."""
        from icc_travel.data.sources import bind

        return tuple(bind(url, self.tiers) for url in urls if isinstance(url, str))

    def sources(self, entry: str, record: dict) -> Sources:
        value = record.get("sources")
        if not isinstance(value, list) or not value:
            self.add(entry, "sources must be a non-empty list of URLs")
            return ()
        bad = [u for u in value if not isinstance(u, str) or not URL.match(u)]
        if bad:
            self.add(entry, f"sources has entries that are not URLs: {bad[:3]}")
        return self.bind(value)

    def flag(self, entry: str, record: dict, key: str) -> bool:
        """A yes/no field: true or false as YAML writes them. A text such as "false" is refused,
        not read as true (any non-empty text is true to Python)."""
        value = record.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(entry, f"{key} must be true or false, got {value!r}")
            return False
        return value

    def strings(self, entry: str, record: dict, key: str) -> tuple[str, ...]:
        value = record.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(entry, f"{key} must be a list of text")
            return ()
        return tuple(value)

    def order(
        self, entry: str, pairs: Iterable[tuple[str, dt.date | None, str, dt.date | None]], *, strict: bool = False
    ) -> None:
        for first_key, first, second_key, second in pairs:
            if first is None or second is None:
                continue
            if first > second or (strict and first == second):
                relation = "before" if strict else "on or before"
                self.add(entry, f"{first_key} ({first}) must be {relation} {second_key} ({second})")

    def records(self, data: Any, key: str) -> list[dict]:
        if not isinstance(data, dict):
            self.add("(top level)", "expected a mapping with keys as_of and " + key)
            return []
        items = data.get(key)
        if not isinstance(items, list):
            self.add("(top level)", f"{key} must be a list")
            return []
        good = []
        for number, item in enumerate(items, 1):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.add(f"{key}[{number}]", "expected a mapping")
        return good


def is_iso3(code: object, known: Callable[[str], bool]) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isupper() and known(code)


def entry_label(record: dict, fallback: str) -> str:
    return str(record.get("id") or record.get("iso3") or fallback)


def stated_confidence(check: Checker, entry: str, raw: dict, sources: Sources) -> str:
    from icc_travel.data.sources import CONFIDENCES, confidence

    stated = raw.get("confidence")
    if stated is not None and stated not in CONFIDENCES:
        check.add(entry, f"confidence must be one of {', '.join(CONFIDENCES)}, got {stated!r}")
        stated = None
    return confidence(sources, stated)


def pycountry_iso3() -> Callable[[str], bool]:
    import pycountry

    return lambda code: code in EXTRA_ISO3 or pycountry.countries.get(alpha_3=code) is not None
