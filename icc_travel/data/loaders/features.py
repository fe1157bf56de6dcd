"""The identity half of member_states.geojson: each feature's properties, read without building
any geometry (the polygons load lazily, only for coordinate lookups).
"""

from __future__ import annotations

import json
from pathlib import Path

from icc_travel.data.loaders.checker import Checker
from icc_travel.data.models import (
    MEMBERSHIP_FIELDS,
)
from icc_travel.errors import DataError
from icc_travel.vocabulary import TerritoryKind, values


def feature_properties(raw: bytes) -> list[dict | None]:
    """Each feature's properties, without parsing coordinates when the layout allows.

    The build writes one feature per line with properties before geometry, so the properties
    parse in a few milliseconds; any other valid GeoJSON falls back to a full parse (~200 ms).
    """
    try:
        return _properties_by_line(raw.decode("utf-8"))
    except ValueError:
        collection = json.loads(raw)
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(features, list):
            raise ValueError("expected a GeoJSON FeatureCollection") from None
        return [
            {**f["properties"], "_has_geometry": f.get("geometry") is not None}
            if isinstance(f, dict) and isinstance(f.get("properties"), dict)
            else None
            for f in features
        ]


def _properties_by_line(text: str) -> list[dict | None]:
    lines = text.split("\n")
    if not lines[0].startswith('{"type": "FeatureCollection"') or not lines[0].endswith('"features": ['):
        raise ValueError("not the canonical layout")
    if text.rstrip()[-2:] != "]}":  # cut short (a line boundary would otherwise look complete)
        raise ValueError("not the canonical layout")
    found: list[dict | None] = []
    for line in lines[1:]:
        line = line.rstrip(",")
        if line in ("]}", ""):
            continue
        head, separator, geometry = line.partition(',"geometry":')
        if not separator or not head.startswith('{"type":"Feature","properties":'):
            raise ValueError("not the canonical layout")
        properties = json.loads(head[len('{"type":"Feature","properties":') :])
        properties["_has_geometry"] = not geometry.startswith("null")
        found.append(properties)
    return found


IDENTITY_KINDS = frozenset(values(TerritoryKind))


def read_features(path: Path, check: Checker) -> list[dict]:
    """The geometry file's identity properties (ISO codes, name, sovereign, kind, sub-area).

    Facts are refused here: they belong in states_parties.yaml, where they are sourced."""
    from icc_travel.data.boundaries import read_geometry_bytes

    try:
        features = feature_properties(read_geometry_bytes(path))
    except DataError as error:
        check.problems += error.problems
        return []
    except (ValueError, RecursionError) as error:
        check.add("(file)", f"invalid GeoJSON: {'nested too deeply' if isinstance(error, RecursionError) else error}")
        return []
    found = []
    for index, props in enumerate(features):
        if not isinstance(props, dict):
            check.add(f"features[{index}]", "feature without properties")
            continue
        entry = f"{props.get('iso3')}" + (f" ({props['territory']})" if props.get("territory") else "")
        values = {key: check.text(entry, props, key) for key in ("iso3", "iso2", "name", "sovereign", "kind")}
        if values["kind"] is not None and values["kind"] not in IDENTITY_KINDS:
            check.add(entry, f"kind must be one of {', '.join(sorted(IDENTITY_KINDS))}, got {values['kind']!r}")
        facts = sorted(set(props) & {*MEMBERSHIP_FIELDS, "sources", "application", "control_note", "treaty_note"})
        if facts:
            check.add(entry, f"holds facts ({', '.join(facts)}): they belong in states_parties.yaml")
        if not props.get("_has_geometry"):
            check.add(entry, "geometry is missing")
        if None in values.values():
            continue
        found.append(
            {**values, "territory": props.get("territory"), "official_name": props.get("official_name"), "index": index}
        )
    return found
