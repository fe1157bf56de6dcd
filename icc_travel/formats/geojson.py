"""GeoJSON (RFC 7946) for GIS and web maps, as fio and rio write it: a FeatureCollection whose
features the command builds (stops as points, legs as lines), properties being the JSON fields,
with the data's as-of date on the collection."""

from __future__ import annotations

import json

from icc_travel.errors import InputError
from icc_travel.formats import Report

NEEDS = ("features",)  # the report's costly parts this format renders (formats.LAZY_PARTS)


def render(report: Report) -> str:
    if report.features is None:
        raise InputError("--format geojson: this command has no places to draw")
    collection = {
        "type": "FeatureCollection",
        "data_as_of": report.as_of.isoformat() if report.as_of else None,
        "features": report.features,
    }
    return json.dumps(collection, ensure_ascii=False) + "\n"
