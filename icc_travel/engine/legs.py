"""What a great-circle leg means: the territories `geo.routes` finds under it, each with the
obligation a landing there would carry (as overflight), the route-avoidance episodes recorded
over that state, and transit passage where the leg runs through a strait. Geo measures, the
engine applies the law."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Subject, Territory
from icc_travel.geo.routes import Endpoint, RoutePlanner, geodesic_path
from icc_travel.vocabulary import Level

ROUTE_PRECEDENTS_CITED = 2  # newest route-avoidance episodes quoted per overflown state
ROUTE_PRECEDENT = "Route precedent: "
TRANSIT_PASSAGE = (
    "Over the {strait} this leg is in transit passage, which applies to aircraft as to ships and "
    "cannot be suspended (UNCLOS Arts. 37-38 and 44): the coastal state cannot lawfully stop it, "
    "but a landing there would still bring the passengers within its obligation."
)
TRANSIT_SOURCE = "https://www.un.org/depts/los/convention_agreements/texts/unclos/part3.htm"


class Overflown(NamedTuple):
    territory: Territory
    km: float
    obligation: law.Obligation
    routes: tuple[Precedent, ...] = ()  # route-avoidance episodes over this state, newest first


class Leg(NamedTuple):
    start: str  # the stops' inputs
    end: str
    distance_km: float
    overflown: tuple[Overflown, ...]
    start_point: tuple[float, float] | None = None  # (lat, lon)
    end_point: tuple[float, float] | None = None

    def path(self) -> list[list[list[float]]]:
        """The geodesic as GeoJSON coordinate runs ([lon, lat] pairs), split at ±180°."""
        if self.start_point is None or self.end_point is None:
            return []
        runs = geodesic_path(*self.start_point, *self.end_point)
        return [[[round(lon, 5), round(lat, 5)] for lon, lat in zip(lons, lats, strict=True)] for lons, lats in runs]

    @property
    def level(self) -> str:
        return Level.worst(o.obligation.level for o in self.overflown)


def measure_legs(planner: RoutePlanner, requests: Sequence[tuple[Subject, Endpoint, Endpoint, dt.date]]) -> list[Leg]:
    """Legs (subject, start, end, departure date) measured together; the law is applied once per
    distinct subject, territory and date."""
    ends = [(start[1], start[2], end[1], end[2]) for _, start, end, _ in requests]
    measured = planner.measure_many(ends)
    decided: dict[tuple[str, int, dt.date], tuple[law.Obligation, tuple[Precedent, ...]]] = {}
    legs = []
    for (subject, start, end, on), (km, crossed, through) in zip(requests, measured, strict=True):
        overflown = []
        for territory, length in crossed:
            key = (subject.id, territory.feature_index, on)
            if key not in decided:
                decided[key] = _overflight(planner.dataset, subject, territory, on)
            obligation, routes = decided[key]
            passage = [s for s in through if territory.sovereign in s.states]
            if passage:
                obligation = obligation._replace(
                    reasons=(*obligation.reasons, *(TRANSIT_PASSAGE.format(strait=s.name) for s in passage)),
                    sources=tuple(dict.fromkeys((*obligation.sources, TRANSIT_SOURCE))),
                )
            overflown.append(Overflown(territory, round(length, 1), obligation, routes))
        legs.append(Leg(start[0], end[0], round(km, 1), tuple(overflown), (start[1], start[2]), (end[1], end[2])))
    return legs


def _overflight(
    dataset: Dataset, subject: Subject, territory: Territory, on: dt.date
) -> tuple[law.Obligation, tuple[Precedent, ...]]:
    """The overflight level and the route-avoidance episodes recorded over that state up to the
    date (any subject, newest first), which its reasons and sources also quote."""
    landing = law.obligation(subject, territory, on, dataset.situations[subject.situation])
    flown = law.overflight(landing)
    if flown.level != law.OVERFLIGHT:
        return flown, ()
    routes = [p for p in dataset.precedents_in(territory.sovereign) if p.outcome == "overflight" and p.start <= on]
    cited = tuple(routes[:ROUTE_PRECEDENTS_CITED])
    if not cited:
        return flown, ()
    reasons = (*flown.reasons, *(f"{ROUTE_PRECEDENT}{p.start} {p.subject}: {p.event}" for p in cited))
    sources = tuple(dict.fromkeys((*flown.sources, *(url for p in cited for url in p.sources))))
    return flown._replace(reasons=reasons, sources=sources), cited


def legs_for(planner: RoutePlanner, subject: Subject, stops: Sequence) -> list[Leg]:
    """Legs between consecutive stops that have coordinates (airports, LAT,LON), dated at departure."""
    located = [s for s in stops if s.place.lat is not None and s.place.lon is not None]
    return measure_legs(
        planner,
        [
            (subject, (a.spec.place, a.place.lat, a.place.lon), (b.spec.place, b.place.lat, b.place.lon), a.spec.date)
            for a, b in itertools.pairwise(located)
        ],
    )
