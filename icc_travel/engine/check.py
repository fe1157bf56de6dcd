"""Evaluate an itinerary: resolve each stop, apply the law, attach precedents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Subject
from icc_travel.engine.itinerary import StopSpec
from icc_travel.engine.staleness import staleness_warning
from icc_travel.errors import InputError
from icc_travel.geo.places import Place, PlaceResolver, in_antarctic_treaty_area
from icc_travel.vocabulary import Level

if TYPE_CHECKING:
    from icc_travel.engine.legs import Leg


class StopResult(NamedTuple):
    spec: StopSpec
    place: Place
    obligation: law.Obligation
    precedents: tuple[Precedent, ...]


class CheckResult(NamedTuple):
    subject: Subject
    data_as_of: dt.date
    stops: tuple[StopResult, ...]
    legs: tuple[Leg, ...] = ()  # between consecutive stops with coordinates

    def staleness(self) -> str | None:
        return staleness_warning(self.data_as_of, (stop.spec.date for stop in self.stops))

    def worst(self) -> str:
        levels = [s.obligation.level for s in self.stops] + [leg.level for leg in self.legs]
        return Level.worst(levels)


def check_itinerary(
    dataset: Dataset,
    subject: Subject,
    stops: Sequence[StopSpec],
    resolver: PlaceResolver | None = None,
    *,
    legs: bool = True,
) -> CheckResult:
    resolver = resolver or PlaceResolver(dataset)
    situation = dataset.situations[subject.situation]
    results = []
    for spec in stops:
        try:
            place = resolver.resolve(spec.place)
        except InputError as error:
            if spec.origin is None:
                raise
            raise InputError(f"{spec.origin}: {error}") from None
        obligation = law.obligation(
            subject,
            place.territory,
            spec.date,
            situation,
            spec.kind,
            law.outside_note(in_antarctic_treaty_area(place.lat)) if place.territory is None else None,
        )
        precedents = (
            relevant_precedents(dataset, place.territory.iso3, subject.id, spec.date) if place.territory else ()
        )
        results.append(StopResult(spec, place, obligation, precedents))
    measured: tuple = ()
    if legs and sum(1 for r in results if r.place.lat is not None) >= 2:
        from icc_travel.engine.legs import legs_for  # pyproj and the grid: only for legs

        measured = tuple(legs_for(resolver.route_planner(), subject, results))
    return CheckResult(subject, dataset.as_of, tuple(results), measured)


def relevant_precedents(dataset: Dataset, iso3: str, subject_id: str, on: dt.date) -> tuple[Precedent, ...]:
    """A state's episodes in the order a reader of this stop needs them: the same subject's up to
    the stop's date, then other subjects' up to that date, then later ones; newest first in each."""

    def group(p: Precedent) -> int:
        if p.start > on:
            return 2
        return 0 if p.subject == subject_id else 1

    return tuple(sorted(dataset.precedents_in(iso3), key=group))  # stable: newest first within a group
