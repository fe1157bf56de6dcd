"""Full validation for `data validate`: everything load() checks, plus the geometry itself.

Slower than loading (it parses every polygon), so it runs on demand and in the test suite.
"""

from __future__ import annotations

from pathlib import Path

from icc_travel.data import paths
from icc_travel.data.loaders import cross_check
from icc_travel.data.loaders.checker import pycountry_iso3
from icc_travel.data.store import load
from icc_travel.errors import DataError, Problem


def validate_all(directory: Path, facts: Path | None = None) -> list[Problem]:
    """Every problem in the data files of `directory` and the local facts file `facts`."""
    try:
        dataset = load(directory, facts=facts)
    except DataError as error:
        return error.problems
    problems = cross_check(
        dataset,
        pycountry_iso3(),
        str(directory / paths.WARRANTS_FILE),
        str(directory / paths.PRECEDENTS_FILE),
        str(directory / paths.TERRITORIES_FILE),
    )
    problems += _geometry_problems(directory / paths.TERRITORIES_FILE, [t.label for t in dataset.territories])
    return problems


def _geometry_problems(path: Path, labels: list[str]) -> list[Problem]:
    import shapely

    from icc_travel.data.boundaries import read_geometries

    geometries = read_geometries(path)
    problems = []
    for label, geometry in zip(labels, geometries, strict=False):
        if geometry is None or geometry.is_empty:
            problems.append(Problem(str(path), label, "empty geometry"))
        elif not shapely.is_valid(geometry):
            problems.append(Problem(str(path), label, f"invalid geometry: {shapely.is_valid_reason(geometry)}"))
    return problems
