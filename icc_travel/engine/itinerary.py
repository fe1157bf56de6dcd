"""Stops from the command line (`PLACE[@DATE]`) and from itinerary YAML files."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

from icc_travel.dates import parse_date
from icc_travel.errors import InputError
from icc_travel.law import KINDS

if TYPE_CHECKING:
    from pathlib import Path

MAX_ITINERARY_BYTES = 5_000_000  # a trip, not a dataset: batch reads large files row by row


class StopSpec(NamedTuple):
    """One stop as the user wrote it, before the place is resolved."""

    place: str
    date: dt.date
    kind: str = "visit"
    origin: str | None = None  # "file:line" where the stop came from a file


def parse_stop(text: str, default_date: dt.date) -> StopSpec:
    place, separator, date_text = text.rpartition("@")
    if not separator:
        return StopSpec(text, default_date)
    if not place.strip():
        raise InputError(f"stop {text!r}: no place before '@'")
    return StopSpec(place, parse_date(date_text, what=f"stop {text!r}: date"))


class Itinerary(NamedTuple):
    subject: str | None
    stops: list[StopSpec]


def read_itinerary(path: Path, default_date: dt.date) -> Itinerary:
    from icc_travel.data.yamlio import read_yaml

    data = read_yaml(path, max_bytes=MAX_ITINERARY_BYTES, hint=": use icc-travel batch for many stops")
    name = str(path)
    if data is None:
        raise InputError(f"{name}: empty itinerary file")
    if not isinstance(data, dict) or not isinstance(data.get("stops"), list):
        raise InputError(f"{name}: expected a mapping with 'subject' and a list of 'stops'")
    lines = _stop_lines(path)
    stops = []
    for number, raw in enumerate(data["stops"]):
        where = f"{name}:{lines[number]}" if number < len(lines) else f"{name}: stops[{number + 1}]"
        if isinstance(raw, str):
            raw = {"place": raw}
        if not isinstance(raw, dict) or not isinstance(raw.get("place"), str | int | float):
            raise InputError(f"{where}: a stop needs a 'place'")
        date = raw.get("date")
        if isinstance(date, dt.datetime) or (date is not None and not isinstance(date, dt.date | str)):
            raise InputError(f"{where}: date must be YYYY-MM-DD")
        if isinstance(date, str):
            date = parse_date(date, what=f"{where}: date")
        kind = raw.get("kind", "visit")
        if kind not in KINDS:
            raise InputError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        stops.append(StopSpec(str(raw["place"]), date or default_date, kind, where))
    if not stops:
        raise InputError(f"{name}: the itinerary has no stops")
    subject = data.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise InputError(f"{name}: subject must be text")
    return Itinerary(subject, stops)


def _stop_lines(path: Path) -> list[int]:
    """1-based line numbers of the stop items, so errors can point at file:line."""
    import yaml

    from icc_travel.data.inputs import read_limited

    try:
        text = read_limited(path, MAX_ITINERARY_BYTES).decode("utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, InputError, UnicodeDecodeError, RecursionError):
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "stops" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
