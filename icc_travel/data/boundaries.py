"""The territory polygons as shapely geometries, read from the boundary file (one feature per
line, as scripts/build_territories.py writes it; any other GeoJSON layout is read in full)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_GEOMETRY_BYTES = 1 << 30  # the bundled file is a few MB; a full-resolution one, some hundreds


def read_geometry_bytes(path: Path) -> bytes:
    """The boundary file's bytes, read with a size limit counted while reading (a device or FIFO
    named by $ICC_TRAVEL_DATA says nothing of its size): DataError if it cannot be read."""
    from icc_travel.data.inputs import read_limited
    from icc_travel.errors import DataError, InputError, Problem

    try:
        return read_limited(path, MAX_GEOMETRY_BYTES)
    except InputError as error:
        raise DataError([Problem(str(path), "(file)", str(error).removeprefix(f"{path}: "))]) from None


def read_geometries(path: Path) -> Any:
    """The boundary file's geometries, or DataError naming the file (damaged, cut short, nested
    past any real geometry's depth)."""
    from icc_travel.errors import DataError, Problem

    raw = read_geometry_bytes(path)
    try:
        return parse_geometries(raw)
    except (ValueError, KeyError, TypeError, RecursionError, AttributeError, IndexError) as error:
        message = "nested too deeply" if isinstance(error, RecursionError) else str(error)[:200]
        raise DataError([Problem(str(path), "(file)", f"invalid GeoJSON: {message}")]) from None


def parse_geometries(raw: bytes) -> Any:
    """An array of geometries, in the order of the features in the file."""
    import json

    import shapely

    lines = raw.decode("utf-8").split("\n")
    features = [line.rstrip(",") for line in lines[1:] if line.rstrip(",") not in ("]}", "")]
    try:
        return shapely.from_geojson(features)
    except Exception:  # not one feature per line (shapely's GEOS errors are of several kinds)
        collection = json.loads(raw)
        import numpy as np
        from shapely.geometry import shape

        return np.array([shape(f["geometry"]) for f in collection["features"]], dtype=object)
