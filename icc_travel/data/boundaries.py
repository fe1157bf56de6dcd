"""The territory polygons as shapely geometries, read from the boundary file (one feature per
line, as scripts/build_territories.py writes it; any other GeoJSON layout is read in full)."""

from __future__ import annotations

from typing import Any


def parse_geometries(raw: bytes) -> Any:
    """An array of geometries, in the order of the features in the file."""
    import json

    import shapely

    lines = raw.decode("utf-8").split("\n")
    features = [line.rstrip(",") for line in lines[1:] if line.rstrip(",") not in ("]}", "")]
    try:
        return shapely.from_geojson(features)
    except Exception:
        collection = json.loads(raw)
        import numpy as np
        from shapely.geometry import shape

        return np.array([shape(f["geometry"]) for f in collection["features"]], dtype=object)
