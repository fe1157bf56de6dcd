"""FollowTheMoney entities (JSON lines), so OpenSanctions tooling can consume the data: the
command builds them with the followthemoney library, which validates every property."""

from __future__ import annotations

import json

from icc_travel.errors import InputError
from icc_travel.formats import Report

NEEDS = ("entities",)  # the report's costly parts this format renders (formats.LAZY_PARTS)


def render(report: Report) -> str:
    if report.entities is None:
        raise InputError("--format ftm: this command has no people to describe")
    return "".join(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n" for entity in report.entities)
