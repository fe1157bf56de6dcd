"""What a great-circle leg means: the territories `geo.routes` finds under it, each with the
obligation a landing there would carry (as overflight), the route-avoidance episodes recorded
over that state, and transit passage where the leg runs through a strait. Geo measures, the
engine applies the law."""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Source, Subject, Territory
from icc_travel.engine.answers import Answer, Answers
from icc_travel.geo.routes import Endpoint, RoutePlanner, geodesic_path
from icc_travel.vocabulary import Level, Tier

ROUTE_PRECEDENTS_CITED = 2  # newest route-avoidance episodes quoted per overflown state
ROUTE_PRECEDENT = "Route precedent: "
TRANSIT_PASSAGE = (
    "Over the {strait} this leg is in transit passage, which applies to aircraft as to ships and "
    "cannot be suspended (UNCLOS Arts. 37-38 and 44): the coastal state cannot lawfully stop it, "
    "but a landing there would still bring the passengers within its obligation."
)
TRANSIT_SOURCE = Source("https://www.un.org/depts/los/convention_agreements/texts/unclos/part3.htm", Tier.UN.value)


class Overflown:
    """A territory a leg overflies: its kilometres and level, decided once per interval between the
    dates that can change it (`engine.answers`); the obligation with its dated reasons and the
    route-avoidance episodes over the state (newest first) are made when an output asks for them
    (a CSV row prints the level only), from the leg's context, which its territories share."""

    __slots__ = ("_context", "_decided", "km", "level", "territory")

    def __init__(self, territory: Territory, km: float, level: str, context: Context) -> None:
        self.territory, self.km, self.level, self._context = territory, km, level, context
        self._decided: tuple[law.Obligation, tuple[Precedent, ...]] | None = None

    @property
    def obligation(self) -> law.Obligation:
        return self._full()[0]

    @property
    def routes(self) -> tuple[Precedent, ...]:
        return self._full()[1]

    def _full(self) -> tuple[law.Obligation, tuple[Precedent, ...]]:
        if self._decided is None:
            dataset, decided, subject, on, through = self._context
            self._decided = _decided(dataset, decided, subject, self.territory, on, through)
        return self._decided


class Leg(NamedTuple):
    start: str  # the stops' inputs
    end: str
    distance_km: float
    overflown: tuple[Overflown, ...]
    start_point: tuple[float, float] | None = None  # (lat, lon)
    end_point: tuple[float, float] | None = None
    # what the overflown territories come to, made once for every leg that shares them (the same
    # ends, subject and interval between the dates that can change a level): the worst level and
    # `ISO3 km km level; ...` as a CSV cell prints it
    worst: str | None = None
    summary: str | None = None

    def path(self) -> list[list[list[float]]]:
        """The geodesic as GeoJSON coordinate runs ([lon, lat] pairs), split at ±180°."""
        if self.start_point is None or self.end_point is None:
            return []
        runs = geodesic_path(*self.start_point, *self.end_point)
        return [[[round(lon, 5), round(lat, 5)] for lon, lat in zip(lons, lats, strict=True)] for lons, lats in runs]

    @property
    def level(self) -> str:
        if self.worst is not None:
            return self.worst
        return Level.worst(o.level for o in self.overflown)

    @property
    def cell(self) -> str:
        """The overflown territories in one CSV or table cell (see overflown_cell)."""
        if self.summary is not None:
            return self.summary
        return overflown_cell((o.territory.iso3, o.km, o.level) for o in self.overflown)


# km, (territory, km) crossed, straits (km rounded), and per levels of its territories the worst
# level and the CSV cell
Measured = tuple[float, list[tuple[Territory, float]], tuple, dict[tuple[str, ...], tuple[str, str]]]
MEASURED_KEPT = 100_000  # distinct legs' measurements kept between calls before starting afresh
# what a leg's territories' levels share: dataset, decided obligations, subject, date, straits
Context = tuple[Dataset, dict, Subject, dt.date, tuple]


def measure_legs(
    planner: RoutePlanner,
    requests: Sequence[tuple[Subject, Endpoint, Endpoint, dt.date]],
    *,
    answers: Answers | None = None,
    measured: dict[tuple[float, float, float, float], Measured] | None = None,
) -> list[Leg]:
    """Legs (subject, start, end, departure date) measured together. Each distinct leg is measured
    once (and once per batch with `measured`, kept by the caller); each overflown territory's
    level is decided once per subject, territory and interval between the dates that can change
    it (`answers`), its full obligation once per subject, territory and date, when asked for. The
    worst level and the CSV cell are made once per distinct leg and levels."""
    answers = answers or Answers(planner.dataset)
    if measured is None or len(measured) > MEASURED_KEPT:
        measured = {} if measured is None else measured
        measured.clear()
    ends = [(start[1], start[2], end[1], end[2]) for _, start, end, _ in requests]
    missing = list(dict.fromkeys(leg for leg in ends if leg not in measured))
    for leg, (km, crossed, through) in zip(missing, planner.measure_many(missing), strict=True):
        crossed = [(territory, round(length, 1)) for territory, length in crossed]
        measured[leg] = (round(km, 1), crossed, through, {})
    decided: dict[tuple[str, int, dt.date], tuple[law.Obligation, tuple[Precedent, ...]]] = {}
    dataset = planner.dataset
    # per (subject, territory): the visit's event dates and answers per interval (`Answers.table`),
    # so an overflown territory whose interval is answered already costs a bisect and a lookup
    tables: dict[tuple[str, int], tuple[list[dt.date], dict[int, Answer]]] = {}
    none, overflight = law.NONE, law.OVERFLIGHT
    legs = []
    for (subject, start, end, on), leg in zip(requests, ends, strict=True):
        km, crossed, through, shared = measured[leg]
        levels = []
        for territory, _ in crossed:
            key = (subject.id, id(territory))
            table = tables.get(key)
            if table is None:
                table = tables[key] = answers.table(subject, territory, "visit", None)
            answer = table[1].get(bisect_right(table[0], on))
            landing = answer.level if answer is not None else answers.landing_level(subject, territory, on)
            levels.append(none if landing == none else overflight)
        summary = shared.get(tuple(levels))
        if summary is None:
            summary = shared[tuple(levels)] = _summary(crossed, levels)
        context = (dataset, decided, subject, on, through)
        overflown = tuple(
            Overflown(territory, length, level, context)
            for (territory, length), level in zip(crossed, levels, strict=True)
        )
        legs.append(Leg(start[0], end[0], km, overflown, (start[1], start[2]), (end[1], end[2]), *summary))
    return legs


def overflown_cell(territories: Iterable[tuple[str, float, str]]) -> str:
    """`GRC 59.7 km overflight; TUR 647.3 km none`: a leg's (ISO3, km, level) in one CSV or table
    cell, whether made from the leg or from its JSON."""
    return "; ".join(f"{iso3} {km} km {level}" for iso3, km, level in territories)


def _summary(crossed: list[tuple[Territory, float]], levels: list[str]) -> tuple[str, str]:
    """The worst of a leg's levels and its CSV cell."""
    cell = overflown_cell((t.iso3, length, level) for (t, length), level in zip(crossed, levels, strict=True))
    return Level.worst(levels), cell


def _decided(
    dataset: Dataset,
    decided: dict[tuple[str, int, dt.date], tuple[law.Obligation, tuple[Precedent, ...]]],
    subject: Subject,
    territory: Territory,
    on: dt.date,
    through: tuple,
) -> tuple[law.Obligation, tuple[Precedent, ...]]:
    """The overflight's obligation and route episodes (shared by the legs over the same territory
    on the same day), with transit passage where the leg runs through one of its straits."""
    key = (subject.id, territory.feature_index, on)
    if key not in decided:
        decided[key] = _overflight(dataset, subject, territory, on)
    obligation, routes = decided[key]
    passage = [s for s in through if territory.sovereign in s.states]
    if passage:
        obligation = obligation._replace(
            reasons=(*obligation.reasons, *(TRANSIT_PASSAGE.format(strait=s.name) for s in passage)),
            sources=tuple(dict.fromkeys((*obligation.sources, TRANSIT_SOURCE))),
        )
    return obligation, routes


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
