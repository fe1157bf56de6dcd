"""The JSON document each command defines, with the data's as-of date."""

from __future__ import annotations

import json

from icc_travel.formats import Report


def render(report: Report) -> str:
    payload = report.payload
    if isinstance(payload, dict) and report.as_of is not None and "data_as_of" not in payload:
        payload = {**payload, "data_as_of": report.as_of.isoformat()}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
