"""Evaluate an itinerary: resolve each stop, apply the law, attach precedents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Subject, Territory
from icc_travel.data.sources import as_json
from icc_travel.engine.itinerary import StopSpec
from icc_travel.engine.staleness import staleness_warning
from icc_travel.errors import InputError
from icc_travel.geo.places import Place, PlaceResolver, outside_note

if TYPE_CHECKING:
    from icc_travel.geo.routes import Leg


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
    source_tiers: Mapping[str, str] = {}  # the dataset's host -> tier table, for the sources' tiers

    def staleness(self) -> str | None:
        return staleness_warning(self.data_as_of, (stop.spec.date for stop in self.stops))

    def worst(self) -> str:
        levels = [s.obligation.level for s in self.stops] + [leg.level for leg in self.legs]
        return max(levels, key=law.level_rank, default=law.NONE)


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
            outside_note(place.lat) if place.territory is None else None,
        )
        precedents = (
            relevant_precedents(dataset, place.territory.iso3, subject.id, spec.date) if place.territory else ()
        )
        results.append(StopResult(spec, place, obligation, precedents))
    measured: tuple = ()
    if legs and sum(1 for r in results if r.place.lat is not None) >= 2:
        from icc_travel.geo.routes import RoutePlanner, legs_for  # pyproj and the grid: only for legs

        measured = tuple(legs_for(RoutePlanner(dataset), subject, results))
    return CheckResult(subject, dataset.as_of, tuple(results), measured, dataset.source_tiers)


def dispute_json(dispute: law.Dispute | None, tiers: Mapping[str, str]) -> dict | None:
    """The other reading of a disputed fact, when it would change the answer."""
    if dispute is None:
        return None
    return {
        "obligation": dispute.level,
        "basis": dispute.basis,
        "reading": dispute.reason,
        "why_chosen": dispute.why_chosen,
        "sources": as_json(dispute.sources, tiers),
    }


def relevant_precedents(dataset: Dataset, iso3: str, subject_id: str, on: dt.date) -> tuple[Precedent, ...]:
    """A state's episodes in the order a reader of this stop needs them: the same subject's up to
    the stop's date, then other subjects' up to that date, then later ones; newest first in each."""

    def group(p: Precedent) -> int:
        if p.start > on:
            return 2
        return 0 if p.subject == subject_id else 1

    return tuple(sorted(dataset.precedents_in(iso3), key=group))  # stable: newest first within a group


def precedent_json(precedent: Precedent, tiers: Mapping[str, str]) -> dict:
    finding = precedent.finding
    return {
        "id": precedent.id,
        "subject": precedent.subject,
        "state": precedent.state,
        "date": precedent.start.isoformat(),
        "end": precedent.end.isoformat() if precedent.end else None,
        "event": precedent.event,
        "outcome": precedent.outcome,
        "confidence": precedent.confidence,
        "local": precedent.local,
        "finding": None
        if finding is None
        else {
            "number": finding.number,
            "date": finding.date.isoformat() if finding.date else None,
            "body": finding.body,
            "result": finding.result,
            "referral": finding.referral,
            "confidence": finding.confidence,
            "sources": as_json(finding.sources or precedent.sources, tiers),
        },
        "sources": as_json(precedent.sources, tiers),
    }


def result_json(result: CheckResult) -> dict:
    """The `check --format json` contract."""
    return {
        "subject": {"id": result.subject.id, "name": result.subject.name, "status": result.subject.status},
        "data_as_of": result.data_as_of.isoformat(),
        "stops": [stop_json(stop, result.data_as_of, result.source_tiers) for stop in result.stops],
        "legs": [leg_json(leg, result.source_tiers) for leg in result.legs],
        "warnings": [warning] if (warning := result.staleness()) else [],
    }


def stop_json(stop: StopResult, as_of: dt.date, tiers: Mapping[str, str]) -> dict:
    """One stop of the JSON contract."""
    return {
        "input": stop.spec.place,
        "date": stop.spec.date.isoformat(),
        "kind": stop.spec.kind,
        "country": country_json(stop.place.territory),
        **obligation_json(stop.obligation, tiers),
        "precedents": [precedent_json(p, tiers) for p in stop.precedents],
        "after_data_as_of": stop.spec.date > as_of,
    }


def country_json(territory: Territory | None) -> dict | None:
    """The `country` object of every answer: None outside every territory."""
    if territory is None:
        return None
    return {"iso3": territory.iso3, "iso2": territory.iso2, "name": territory.name, "territory": territory.territory}


def obligation_json(obligation: law.Obligation, tiers: Mapping[str, str]) -> dict:
    """The fields every answer (stop, batch row, overflown territory) carries about its obligation."""
    return {
        "obligation": obligation.level,
        "basis": obligation.basis,
        "reasons": list(obligation.reasons),
        "sources": as_json(obligation.sources, tiers),
        "confidence": obligation.confidence,
        "disputed": dispute_json(obligation.disputed, tiers),
        "local_facts": list(obligation.local),
    }


def result_features(result: CheckResult) -> list[dict]:
    """GeoJSON features: each stop a point (no geometry for a stop named by a code or a country),
    each leg its geodesic; the properties are the JSON contract's fields."""
    subject = {"subject": result.subject.id, "subject_name": result.subject.name}
    features = []
    for number, stop in enumerate(result.stops, 1):
        located = stop.place.lat is not None and stop.place.lon is not None
        geometry = {"type": "Point", "coordinates": [stop.place.lon, stop.place.lat]} if located else None
        properties = {
            "feature": "stop",
            "stop": number,
            **subject,
            **stop_json(stop, result.data_as_of, result.source_tiers),
        }
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    if result.legs:
        for number, leg in enumerate(result.legs, 1):
            from icc_travel.geo.routes import line_geometry

            geometry = line_geometry(leg.path())
            properties = {
                "feature": "leg",
                "leg": number,
                "level": leg.level,
                **subject,
                **leg_json(leg, result.source_tiers),
            }
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def leg_json(leg: Leg, tiers: Mapping[str, str]) -> dict:
    """One leg of the JSON contract: the territories it overflies and what a landing would mean."""
    return {
        "from": leg.start,
        "to": leg.end,
        "distance_km": leg.distance_km,
        "overflown": [
            {"iso3": o.territory.iso3, "name": o.territory.label, "km": o.km, **obligation_json(o.obligation, tiers)}
            for o in leg.overflown
        ],
    }
