"""Great-circle legs between stops and the territories each one flies over.

A leg is sampled along the WGS84 geodesic (every 25 km, and every 5 km wherever a grid cell
holds a border or coast); each sample is located in the territory polygons (12-nm territorial
sea included) and stands for the stretch of the leg around it. Longitudes come back normalised to -180..180, so a leg across the antimeridian needs no
special geometry. Kilometres per territory are accurate to about one sample spacing per border.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from icc_travel import law
from icc_travel.models import Dataset, Subject, Territory

COARSE_KM = 25.0
SAMPLE_KM = 5.0  # near borders and coasts: narrower than any territorial sea (24 nm = 44 km)


@dataclass(frozen=True)
class Overflown:
    territory: Territory
    km: float
    obligation: law.Obligation


@dataclass(frozen=True)
class Leg:
    start: str  # the stops' inputs
    end: str
    distance_km: float
    overflown: tuple[Overflown, ...]

    @property
    def level(self) -> str:
        return max((o.obligation.level for o in self.overflown), key=law.level_rank, default=law.NONE)


class RoutePlanner:
    """Measures legs for one dataset; builds the geodesic and the tiled index once."""

    def __init__(self, dataset: Dataset) -> None:
        from pyproj import Geod

        from icc_travel.geometry import TerritoryIndex, TiledIndex

        self.dataset = dataset
        path = Path(dataset.territories_path)
        self._geod = Geod(ellps="WGS84")
        self._tiles = TiledIndex.cached(path, TerritoryIndex(path).geometries)
        self._by_feature = {t.feature_index: t for t in dataset.territories}

    def crossings(
        self, lat1: float, lon1: float, lat2: float, lon2: float
    ) -> tuple[float, list[tuple[Territory, float]]]:
        """Geodesic distance in km and (territory, km) in the order first overflown.

        The leg is sampled every COARSE_KM; a stretch whose ends lie in one grid cell wholly
        inside one territory (or in open sea) belongs to it, every other stretch is re-sampled
        every SAMPLE_KM and those samples are located in the polygons.
        """
        import numpy as np

        azimuth, _, metres = self._geod.inv(lon1, lat1, lon2, lat2)
        km = metres / 1000
        along = np.linspace(0.0, metres, max(1, int(np.ceil(km / COARSE_KM))) + 1)
        lons, lats = self._points(lon1, lat1, azimuth, along)
        cells, owner, mixed = self._tiles.cells(lats, lons)
        refine = mixed[:-1] | mixed[1:] | (cells[:-1] != cells[1:])
        stretch = np.diff(along)
        # plain stretches: the cell's own territory
        plain = ~refine & (owner[:-1] >= 0)
        features = [owner[:-1][plain]]
        lengths = [stretch[plain] / 1000]
        positions = [along[:-1][plain]]
        # mixed stretches: samples at the middle of SAMPLE_KM pieces
        if refine.any():
            pieces = max(1, int(np.ceil(COARSE_KM / SAMPLE_KM)))
            offsets = (np.arange(pieces) + 0.5) / pieces
            starts, widths = along[:-1][refine], stretch[refine]
            fine = (starts[:, None] + widths[:, None] * offsets[None, :]).ravel()
            fine_lons, fine_lats = self._points(lon1, lat1, azimuth, fine)
            found = self._tiles.lookup(fine_lats, fine_lons)
            inside = found >= 0
            features.append(found[inside])
            lengths.append(np.repeat(widths / pieces / 1000, pieces)[inside])
            positions.append(fine[inside])
        feature = np.concatenate(features)
        if not len(feature):
            return km, []
        totals = np.bincount(feature, weights=np.concatenate(lengths))
        position = np.concatenate(positions)
        first = {
            int(f): float(p)
            for f, p in sorted(zip(feature.tolist(), position.tolist(), strict=True), key=lambda fp: -fp[1])
        }
        order = sorted(first, key=first.__getitem__)
        return km, [(self._by_feature[f], float(totals[f])) for f in order]

    def _points(self, lon: float, lat: float, azimuth: float, along: Any) -> tuple[Any, Any]:
        import numpy as np

        count = len(along)
        lons, lats, _ = self._geod.fwd(np.full(count, lon), np.full(count, lat), np.full(count, azimuth), along)
        return lons, lats

    def leg(self, subject: Subject, start: tuple[str, float, float], end: tuple[str, float, float], on: dt.date) -> Leg:
        situation = self.dataset.situations[subject.situation]
        km, crossed = self.crossings(start[1], start[2], end[1], end[2])
        overflown = tuple(
            Overflown(territory, round(length, 1), law.overflight(law.obligation(subject, territory, on, situation)))
            for territory, length in crossed
        )
        return Leg(start[0], end[0], round(km, 1), overflown)


def legs_for(planner: RoutePlanner, subject: Subject, stops: Sequence) -> list[Leg]:
    """Legs between consecutive stops that have coordinates (airports, LAT,LON), dated at departure."""
    located = [s for s in stops if s.place.lat is not None and s.place.lon is not None]
    return [
        planner.leg(
            subject, (a.spec.place, a.place.lat, a.place.lon), (b.spec.place, b.place.lat, b.place.lon), a.spec.date
        )
        for a, b in itertools.pairwise(located)
    ]


def leg_json(leg: Leg) -> dict:
    return {
        "from": leg.start,
        "to": leg.end,
        "distance_km": leg.distance_km,
        "overflown": [
            {
                "iso3": o.territory.iso3,
                "name": o.territory.label,
                "km": o.km,
                "obligation": o.obligation.level,
                "basis": o.obligation.basis,
            }
            for o in leg.overflown
        ],
    }
