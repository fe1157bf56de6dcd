"""What a great-circle leg means: the territories `geo.routes` finds under it, each with the
obligation a landing there would carry (as overflight), the route-avoidance episodes recorded
over that state, and transit passage where the leg runs through a strait. Geo measures, the
engine applies the law."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from operator import add
from typing import Any

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Source, Subject, Territory
from icc_travel.engine.answers import MARK, Answers, Texts, on_day
from icc_travel.engine.contract import obligation_json, overflown_json_head
from icc_travel.geo.routes import Endpoint, RoutePlanner, facing, geodesic_path, reverse_leg
from icc_travel.geo.routes import Measured as Chunk  # a chunk of legs as RoutePlanner measures them
from icc_travel.vocabulary import Level, Tier

HEADS = "json heads"  # a leg's shared entry: its territories' JSON heads (`Leg.overflown_json`)
FEATURES_PER_SUBJECT = 65_536  # a (subject, territory) key: id(subject) x this + the feature index
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
    (a CSV row prints the level only), from the leg's context, which its territories share, and
    from a template per interval (`Answers.template`) where the law allows one."""

    __slots__ = ("_context", "_decided", "km", "level", "territory")

    def __init__(self, territory: Territory, km: float, level: str, context: Context) -> None:
        self.territory, self.km, self.level, self._context = territory, km, level, context
        self._decided: Overflight | None = None

    @property
    def obligation(self) -> law.Obligation:
        template, obligation, _ = self._full()
        return on_day(obligation, self._context[2]) if template else obligation

    @property
    def routes(self) -> tuple[Precedent, ...]:
        return self._full()[2]

    def _full(self) -> Overflight:
        if self._decided is None:
            answers, subject, on, through = self._context
            self._decided = _decided(answers, subject, self.territory, on, through)
        return self._decided


class Leg:
    """A great-circle leg: its ends, length and the territories it overflies. The `Overflown`
    records are made when an output asks for them (JSON, the check's tables): a CSV row needs
    the worst level and the cell only, which every leg with the same ends and levels shares."""

    __slots__ = ("_context", "_crossed", "_ends", "_found", "_overflown", "_shared", "distance_km")

    def __init__(
        self,
        start: Endpoint,
        end: Endpoint,
        distance_km: float,
        crossed: Sequence[tuple[Territory, float]],
        found: tuple[str, str, tuple[str, ...]],
        context: Context,
        shared: dict[Any, Any] | None = None,
    ) -> None:
        # the stops (input, latitude, longitude) and km; what the overflown territories come
        # to (the worst level, `ISO3 km km level; ...` as a CSV cell prints it, and the levels),
        # made once for every leg that shares them (the same ends, subject and interval between
        # the dates that can change a level): a batch makes a Leg per row, so it holds these
        # as they come and the rest is read from them when asked for; `shared` is what every
        # leg with the same ends keeps (its territories' JSON heads, see `overflown_json`)
        self._ends, self.distance_km, self._crossed, self._found, self._context, self._shared = (
            (start, end),
            distance_km,
            crossed,
            found,
            context,
            {} if shared is None else shared,
        )
        self._overflown: tuple[Overflown, ...] | None = None

    def __repr__(self) -> str:
        return f"Leg({self.start!r}, {self.end!r}, {self.distance_km!r} km, {self.cell!r})"

    @property
    def start(self) -> str:
        """The departure stop as its input names it."""
        return self._ends[0][0]

    @property
    def end(self) -> str:
        return self._ends[1][0]

    @property
    def start_point(self) -> tuple[float, float]:
        """(lat, lon)"""
        return self._ends[0][1], self._ends[0][2]

    @property
    def end_point(self) -> tuple[float, float]:
        return self._ends[1][1], self._ends[1][2]

    @property
    def overflown(self) -> tuple[Overflown, ...]:
        """The territories overflown, in the order first overflown, each with its level."""
        if self._overflown is None:
            self._overflown = tuple(
                Overflown(territory, length, level, self._context)
                for (territory, length), level in zip(self._crossed, self._found[2], strict=True)
            )
        return self._overflown

    def overflown_json(self, texts: Texts) -> str:
        """The overflown territories as `contract.leg_json` writes its list's items, joined by
        ", ": each territory's part from a text kept in `texts` per (subject, territory,
        interval, straits), which every leg over it in that interval shares, with this leg's day
        written in (`Answers.template`). Each territory's `{"iso3": ..., "km": ...` head is made
        once for every leg with these ends, its event dates once per subject (`Answers.overflight_events`):
        a batch writes a leg per row."""
        answers, subject, on, through = self._context
        heads = self._shared.get(HEADS)
        if heads is None:
            heads = self._shared[HEADS] = [overflown_json_head(territory, km) for territory, km in self._crossed]
        straits = tuple(s.name for s in through) if through else ()
        kept, events_of = texts.get, answers.overflight_events
        base = id(subject) * FEATURES_PER_SUBJECT
        parts = []
        for number, (territory, _) in enumerate(self._crossed):
            key = base + territory.feature_index
            events = events_of.get(key)
            if events is None:
                events = events_of[key] = _overflight_events(answers, subject, territory)
            interval = (key, bisect_right(events, on), straits)
            text = kept(interval)
            if text is None:
                text = self._overflown_text(number, texts, interval)
            parts.append(heads[number] + text)
        return ", ".join(parts).replace(MARK, on.isoformat())

    def _overflown_text(self, number: int, texts: Texts, key: tuple[Any, ...]) -> str:
        """An overflown territory's obligation as JSON after its head (`{` left off), kept in
        `texts` for its interval where the law gives a template (MARK for the day), or made
        for this day alone."""
        template, obligation, _ = self.overflown[number]._full()
        text = json.dumps(obligation_json(obligation), ensure_ascii=False)[1:]
        return texts.keep(key, text) if template else text

    def path(self) -> list[list[list[float]]]:
        """The geodesic as GeoJSON coordinate runs ([lon, lat] pairs), split at ±180°."""
        runs = geodesic_path(*self.start_point, *self.end_point)
        return [[[round(lon, 5), round(lat, 5)] for lon, lat in zip(lons, lats, strict=True)] for lons, lats in runs]

    @property
    def level(self) -> str:
        """The worst level of the territories overflown (`none` over none)."""
        return self._found[0]

    @property
    def cell(self) -> str:
        """The overflown territories in one CSV or table cell (see overflown_cell)."""
        return self._found[1]


# km, (territory, km) crossed, straits, per levels of its territories (one byte per territory,
# 1 for overflight) the worst level, the CSV cell and the levels, the territories' feature
# indices as an array, each territory's part of the cell (`ISO3 km km `) before its level, and
# the territories' places in the order the leg flown backwards overflies them
Measured = tuple[
    float,
    list[tuple[Territory, float]],
    tuple,
    dict[bytes, tuple[str, str, tuple[str, ...]]],
    Any,
    list[str],
    list[int],
]
MEASURED_KEPT = 100_000  # distinct legs' measurements kept between calls before starting afresh
# what a leg's territories' levels share: the batch's answers, subject, date, straits
Context = tuple[Answers, Subject, dt.date, tuple]
# an overflown territory's obligation and route episodes, and whether the obligation is its
# interval's template (the day to be written in) or was decided for the day itself
Overflight = tuple[bool, law.Obligation, tuple[Precedent, ...]]
DAYS = 3_700_000  # above any date's ordinal (date.max is 3,652,059): (key, day) as one integer


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
    it (`answers`), its full obligation (when asked for) once per interval too, as a template its
    days fill in. The worst level and the CSV cell are made once per distinct leg and levels."""
    answers = answers or Answers(planner.dataset)
    if measured is None or len(measured) > MEASURED_KEPT:
        measured = {} if measured is None else measured
        measured.clear()
    ends = [(start[1], start[2], end[1], end[2]) for _, start, end, _ in requests]
    missing = list(dict.fromkeys(leg for leg in ends if leg not in measured))
    # a leg and its return are one geodesic, measured once, facing forwards (`facing`): a leg
    # whose return is kept is read off it, the others are measured (only the legs asked for
    # are kept, so the kept measurements stay as many as the distinct legs asked for)
    ask = list(dict.fromkeys(facing(leg)[0] for leg in missing if reverse_leg(leg) not in measured))
    wanted = set(missing)
    done = 0
    for chunk in planner.measure_chunks(ask):
        _keep(chunk, ask[done : done + len(chunk.km)], wanted, measured)
        done += len(chunk.km)
    for leg in missing:
        if leg not in measured:  # its return was kept before
            measured[leg] = _reversed(measured[reverse_leg(leg)])
    entries = list(map(measured.__getitem__, ends))
    flags, bounds = _overflight_flags(answers, requests, entries)
    level_of_flag = (law.NONE, law.OVERFLIGHT)
    legs = []
    for (subject, start, end, on), (km, crossed, through, shared, _, parts, _), first, last in zip(
        requests, entries, bounds[:-1], bounds[1:], strict=True
    ):
        pattern = flags[first:last]
        found = shared.get(pattern)
        if found is None:
            levels = tuple(map(level_of_flag.__getitem__, pattern))
            found = shared[pattern] = (Level.worst(levels), "; ".join(map(add, parts, levels)), levels)
        legs.append(Leg(start, end, km, crossed, found, (answers, subject, on, through), shared))
    return legs


def _keep(
    chunk: Chunk,
    legs: Sequence[tuple[float, float, float, float]],
    wanted: set[tuple[float, float, float, float]],
    measured: dict[tuple[float, float, float, float], Measured],
) -> None:
    """A measured chunk's legs, and their returns, kept in `measured` as `Measured` where they are
    `wanted`: a return's territories, cell parts and feature indices in its own order are made
    for the whole chunk at once, as are the territories' places in the other direction's order."""
    import numpy as np

    # per territory overflown, for the whole chunk: (territory, km to 0.1) and its cell part
    lengths = [round(length, 1) for length in chunk.lengths]
    crossed = list(zip(chunk.territories, lengths, strict=True))
    parts = [f"{territory.iso3} {length} km " for territory, length in crossed]
    edges, features, backward = chunk.edges, chunk.features, chunk.backward
    order_back = backward.tolist()
    starts = np.repeat(edges[:-1], np.diff(edges))
    forward = np.empty_like(backward)
    forward[backward] = np.arange(len(backward))
    # each direction's lists, and its territories' places in the other direction's order
    directions = (
        (crossed, features, parts, (backward - starts).tolist()),
        (
            [crossed[n] for n in order_back],
            features[backward],
            [parts[n] for n in order_back],
            (forward - starts).tolist(),
        ),
    )
    for number, (leg, km, through) in enumerate(zip(legs, chunk.km, chunk.straits, strict=True)):
        first, last = edges[number], edges[number + 1]
        for way, (way_crossed, way_features, way_parts, other_order) in zip(
            (leg, reverse_leg(leg)), directions, strict=True
        ):
            if way in wanted:
                measured[way] = (
                    round(km, 1),
                    way_crossed[first:last],
                    through,
                    {},
                    way_features[first:last],
                    way_parts[first:last],
                    other_order[first:last],
                )


def _reversed(entry: Measured) -> Measured:
    """A measured leg flown backwards: the same kilometres and straits, its territories in the
    order that direction overflies them first (the entry's last item: their places in the leg's
    own lists), and as its last item the places that give the leg's own order back."""
    km, crossed, through, _, features, parts, backward = entry
    forward = [0] * len(backward)
    for place, number in enumerate(backward):
        forward[number] = place
    return km, [crossed[n] for n in backward], through, {}, features[backward], [parts[n] for n in backward], forward


def _overflight_flags(
    answers: Answers, requests: Sequence[tuple[Subject, Endpoint, Endpoint, dt.date]], entries: Sequence[Measured]
) -> tuple[bytes, list[int]]:
    """Per request and territory its leg overflies, in order, whether a landing there would carry
    an obligation (1: the overflight level, 0: none), as one byte each; and where each request's
    bytes begin (one more: where the last ends). All requests at once: a territory's level is
    the same for every day between two of its subject's and its own event dates
    (`Answers.table`), so each (subject, territory, interval) met is looked up or decided once
    and the days are placed in their intervals by one sorted search."""
    import numpy as np

    counts = np.fromiter((len(entry[4]) for entry in entries), dtype=np.int64, count=len(entries))
    bounds = np.concatenate(([0], np.cumsum(counts)))
    if not bounds[-1]:
        return b"", bounds.tolist()
    features = np.concatenate([entry[4] for entry in entries])
    subjects: dict[str, Subject] = {}
    for subject, *_ in requests:
        subjects.setdefault(subject.id, subject)
    numbers = {name: n for n, name in enumerate(subjects)}
    chosen = list(subjects.values())
    number = np.fromiter((numbers[r[0].id] for r in requests), dtype=np.int64, count=len(requests))
    day = np.fromiter((r[3].toordinal() for r in requests), dtype=np.int64, count=len(requests))
    territories = {t.feature_index: t for t in answers.dataset.territories}
    width = max(territories) + 1
    request = np.repeat(np.arange(len(requests)), counts)  # per (request, territory) pair
    keys, rank = _ranked(number[request] * width + features, len(chosen) * width)
    # each (subject, territory)'s event days, after those of the keys before it, as key x DAYS + day
    tables = []
    breaks = []
    for order, key in enumerate(keys.tolist()):
        subject, territory = chosen[key // width], territories[key % width]
        table = answers.table(subject, territory, "visit", None)
        tables.append((subject, territory, table))
        breaks.append(order * DAYS + np.fromiter(map(dt.date.toordinal, table[0]), np.int64, len(table[0])))
    starts = np.cumsum([0] + [len(b) for b in breaks])
    found = np.searchsorted(np.concatenate(breaks), rank * DAYS + day[request], side="right")
    # the interval's index in its key's table (bisect_right over its days), and one number per
    # (key, interval) for the whole chunk
    interval = found - starts[rank]
    met, which = _ranked(found + rank, int(starts[-1]) + len(keys))
    first = np.empty(int(starts[-1]) + len(keys), dtype=np.int64)
    first[found + rank] = np.arange(len(found))  # a pair in each (key, interval): any one will do
    none = law.NONE
    flag = []
    for pair in first[met].tolist():
        subject, territory, (_, answered) = tables[rank[pair]]
        answer = answered.get(int(interval[pair]))
        level = (
            answer.level
            if answer is not None
            else answers.landing_level(subject, territory, requests[request[pair]][3])
        )
        flag.append(level != none)
    return np.asarray(flag, dtype=np.uint8)[which].tobytes(), bounds.tolist()


def _ranked(values: Any, size: int) -> tuple[Any, Any]:
    """The distinct values (integers in 0..size-1), ascending, and each value's place among
    them: `np.unique(values, return_inverse=True)` for a small range, without sorting."""
    import numpy as np

    present = np.zeros(size, dtype=bool)
    present[values] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[values]


def overflown_cell(territories: Iterable[tuple[str, float, str]]) -> str:
    """`GRC 59.7 km overflight; TUR 647.3 km none`: a leg's (ISO3, km, level) in one CSV or table
    cell, whether made from the leg or from its JSON."""
    return "; ".join(f"{iso3} {km} km {level}" for iso3, km, level in territories)


def _decided(answers: Answers, subject: Subject, territory: Territory, on: dt.date, through: tuple) -> Overflight:
    """The overflight's obligation and route episodes, as its interval's template where the law
    allows one (the interval's dates are the landing's and those of the route episodes over the
    state, which it cites up to the day), with transit passage where the leg runs through one of
    the state's straits."""
    dataset = answers.dataset
    key = ("overflight", subject.id, id(territory))

    def decide(day: dt.date) -> tuple[law.Obligation, tuple[Precedent, ...]]:
        return _overflight(dataset, subject, territory, day)

    _, template = answers.template(key, _overflight_events(answers, subject, territory), on, decide)
    obligation, routes = template if template is not None else answers.on_the_day(key, on, decide)
    passage = [s for s in through if territory.sovereign in s.states]
    if passage:
        obligation = obligation._replace(
            reasons=(*obligation.reasons, *(TRANSIT_PASSAGE.format(strait=s.name) for s in passage)),
            sources=tuple(dict.fromkeys((*obligation.sources, TRANSIT_SOURCE))),
        )
    return template is not None, obligation, routes


def _overflight_events(answers: Answers, subject: Subject, territory: Territory) -> list[dt.date]:
    """The dates on which an overflight's obligation can change: the landing's, and the dates of
    the route episodes recorded over the state (cited up to the day)."""
    return answers.events_with(
        subject, territory, "routes", lambda: [p.start for p in answers.dataset.precedents_in(territory.sovereign)]
    )


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
