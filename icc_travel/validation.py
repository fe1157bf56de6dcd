"""Full validation for `data validate`: everything load() checks, plus geometry and the build input.

Slower than loading (it parses every polygon), so it runs on demand and in the test suite.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icc_travel import paths
from icc_travel.errors import DataError, InputError, Problem
from icc_travel.loaders import MEMBERSHIP_FIELDS, _pycountry_iso3, cross_check, load
from icc_travel.yamlio import read_yaml


def validate_all(directory: Path) -> list[Problem]:
    try:
        dataset = load(directory)
    except DataError as error:
        return error.problems
    problems = cross_check(
        dataset,
        _pycountry_iso3(),
        str(directory / paths.WARRANTS_FILE),
        str(directory / paths.PRECEDENTS_FILE),
        str(directory / paths.TERRITORIES_FILE),
    )
    problems += _geometry_problems(directory / paths.TERRITORIES_FILE, [t.label for t in dataset.territories])
    problems += _parties_table_problems(directory, {t.iso3: t for t in dataset.territories if t.territory is None})
    return problems


def _geometry_problems(path: Path, labels: list[str]) -> list[Problem]:
    import shapely

    from icc_travel.geometry import _parse

    geometries = _parse(path.read_bytes())
    problems = []
    for label, geometry in zip(labels, geometries, strict=False):
        if geometry is None or geometry.is_empty:
            problems.append(Problem(str(path), label, "empty geometry"))
        elif not shapely.is_valid(geometry):
            problems.append(Problem(str(path), label, f"invalid geometry: {shapely.is_valid_reason(geometry)}"))
    return problems


def _parties_table_problems(directory: Path, territories: dict) -> list[Problem]:
    """The geojson is built from states_parties.yaml: a difference means the build is stale."""
    path = directory / paths.PARTIES_FILE
    if not path.exists():
        return []
    try:
        table = read_yaml(path)
    except InputError as error:
        return [Problem(str(path), "(file)", str(error))]
    problems = []
    for state in table.get("states", []):
        territory = territories.get(state.get("iso3"))
        if territory is None:
            problems.append(Problem(str(path), str(state.get("iso3")), "no territory in member_states.geojson"))
            continue
        if not state.get("sources"):
            problems.append(Problem(str(path), state["iso3"], "sources must list at least one URL"))
        for field in MEMBERSHIP_FIELDS:
            value = state.get(field)
            expected = value.isoformat() if isinstance(value, dt.date) else value
            actual = getattr(territory, field)
            if expected != (actual.isoformat() if actual else None):
                problems.append(
                    Problem(
                        str(directory / paths.TERRITORIES_FILE),
                        state["iso3"],
                        f"{field} is {actual} but {path.name} says {expected}: rebuild with scripts/build_territories.py",
                    )
                )
    return problems
