"""A data file as a parsed document: read once through the bounded safe YAML reader, every mapping
remembering which keys the readers asked for, so a misspelt field is reported rather than ignored,
and a local facts file's records laid over the bundled ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from icc_travel.data.loaders.checker import Checker
from icc_travel.errors import InputError, Problem

# What a local facts file (--facts) may add or replace: section -> (bundled file, key field, entry label).
OVERLAY_SECTIONS = {
    "states": ("facts", "iso3", "state"),
    "territories": ("facts", "iso3", "territory"),
    "announcements": ("facts", "iso3", "announcement"),
    "subjects": ("warrants", "id", "subject"),
    "precedents": ("precedents", "id", "precedent"),
}


def read_document(path: Path, check: Checker) -> Any:
    from icc_travel.data.yamlio import read_yaml

    try:
        data = tracked(read_yaml(path, max_bytes=MAX_OVERLAY_BYTES if check.is_overlay else None))
    except InputError as error:
        check.add("(file)", str(error).removeprefix(f"{path}: "))
        return None
    if data is None:
        check.add("(file)", "is empty (a FIFO that nobody writes to reads as empty too)")
        return None
    check.document = data
    if check.overlay and isinstance(data, dict):
        data = {**data}
        for section, records in check.overlay.items():
            _, key, label = OVERLAY_SECTIONS[section]
            bundled = data.get(section) if isinstance(data.get(section), list) else []
            replaced = {str(r.get(key)) for r in records}
            kept = [r for r in bundled if not (isinstance(r, dict) and str(r.get(key)) in replaced)]
            for record in bundled:
                if record not in kept:
                    set_aside(record)
            data[section] = [*kept, *records]
            check.local |= {f"{label} {r.get(key)}" for r in records}
    return data


MAX_OVERLAY_BYTES = 5 << 20  # a local facts file: a newsroom's few records, not a dataset


class Tracked(dict):
    """A mapping read from a data file that remembers which keys the reader asked for. A key never
    asked for is a misspelling or a field this version does not know (`withdrawl_effective`):
    reported, never silently ignored. Iterating over the mapping counts as asking for every key."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.asked: set[Any] = set()

    def get(self, key: Any, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self.asked.add(key)
        return super().__contains__(key)

    def __iter__(self) -> Any:
        self.asked.update(super().keys())
        return super().__iter__()

    def items(self) -> Any:
        self.asked.update(super().keys())
        return super().items()

    def values(self) -> Any:
        self.asked.update(super().keys())
        return super().values()


def tracked(value: Any) -> Any:
    """The parsed document with every mapping made a Tracked one."""
    if isinstance(value, dict):
        return Tracked({key: tracked(item) for key, item in dict.items(value)})
    if isinstance(value, list):
        return [tracked(item) for item in value]
    return value


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) for every value in a parsed document, the path as a reader would name it:
    `states[12] (HUN).dates`."""
    yield path, value
    if isinstance(value, dict):
        for key, item in dict.items(value):
            yield from walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for number, item in enumerate(value, 1):
            name = dict.get(item, "id") or dict.get(item, "iso3") if isinstance(item, dict) else None
            yield from walk(item, f"{path}[{number}]" + (f" ({name})" if isinstance(name, str) else ""))


def strings_in(document: Any) -> Iterator[tuple[str, str]]:
    for path, value in walk(document):
        if isinstance(value, str):
            yield path or "(top level)", value
        elif isinstance(value, dict):
            for key in dict.keys(value):
                if isinstance(key, str):
                    yield path or "(top level)", key


# Fields written for the file's readers, which the tool does not read: the top level's notes on
# method, a record's `note` and `name`, an announcement's reported notification (the withdrawal
# itself is dated in the state's record).
NOTE_FIELDS = {"": frozenset({"as_of", "method", "tiers"}), "announcements": frozenset({"notified"})}


RECORD_NOTE_FIELDS = frozenset({"note", "name"})


def _shape(path: str) -> str:
    """A mapping's place in its file without record numbers: `subjects.offices` for every office."""
    return re.sub(r"\[[^\]]*\]( \([^)]*\))?", "", path)


def asked_by_shape(documents: Iterable[Any]) -> dict[str, set[str]]:
    """The keys the readers asked for, in any mapping of each shape, over all the files."""
    asked: dict[str, set[str]] = {}
    for document in documents:
        for path, value in walk(document):
            if isinstance(value, Tracked):
                asked.setdefault(_shape(path), set()).update(k for k in value.asked if isinstance(k, str))
    return asked


def unknown_keys(check: Checker, skip: set[int], asked: dict[str, set[str]]) -> list[Problem]:
    """Keys the readers never asked for in any mapping of the same shape, with close matches. A
    field the reader skipped in one record (after an error in it) is still known from the others;
    a misspelt one is asked for nowhere."""
    from icc_travel.text import suggest

    problems = []
    for path, value in walk(check.document):
        if not isinstance(value, Tracked) or id(value) in skip:
            continue
        known = asked.get(_shape(path), set())
        section = path.split("[", 1)[0] if "[" in path else ("" if not path else None)
        notes = NOTE_FIELDS.get(section or "", frozenset()) if section is not None else frozenset()
        for key in dict.keys(value):
            if key in value.asked or key in known or key in notes or (path and key in RECORD_NOTE_FIELDS):
                continue
            close = suggest(str(key), sorted(known))
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(Problem(check.file, path or "(top level)", f"unknown field {key!r}{hint}"))
    return problems


def set_aside(record: Any) -> None:
    """A bundled record that a local one replaces is not read: none of its keys is unknown."""
    for _, value in walk(record):
        if isinstance(value, Tracked):
            value.asked.update(dict.keys(value))


def mappings_in(document: Any) -> set[int]:
    return {id(value) for _, value in walk(document) if isinstance(value, dict)}
