"""What a great-circle leg means: the territories `geo.routes` finds under it, each with the
obligation a landing there would carry (as overflight), the route-avoidance episodes recorded
over that state, and transit passage where the leg runs through a strait. Geo measures, the
engine applies the law."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import add, attrgetter
from typing import Any

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Source, Subject, Territory
from icc_travel.engine.answers import MARK, Answers, Texts, on_day
from icc_travel.engine.contract import obligation_json, overflown_json_head
from icc_travel.engine.results import Departure
from icc_travel.geo.routes import Endpoint, RoutePlanner, facing, geodesic_path, reverse_leg
from icc_travel.geo.routes import Measured as Chunk  # a chunk of legs as RoutePlanner measures them
from icc_travel.vocabulary import Tier

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
        found: Found,
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


# a leg's levels' entry: its worst level, its cell, the levels, and its CSV km and overflown
# cells (quoted; None until `LegColumns.csv_cells` first needs them)
Found = list[Any]
# km, (territory, km) crossed, straits, per levels of its territories (one byte per territory,
# 1 for overflight) its `Found`, the territories' feature indices as an array,
# each territory's part of the cell (`ISO3 km km `) before its level, and the territories'
# places in the order the leg flown backwards overflies them
Measured = tuple[
    float,
    list[tuple[Territory, float]],
    tuple,
    dict[bytes, Found],
    Any,
    list[str],
    list[int],
]
CSV_TAIL = 3  # in a leg's levels' entry: its CSV km and overflown cells, quoted (None until made)
MEASURED_KEPT = 100_000  # distinct legs' measurements kept between calls before starting afresh
LEG_KEY_BASE = 2**31  # a distinct leg's key: its start's point number x this + its end's
# what a leg's territories' levels share: the batch's answers, subject, date, straits
Context = tuple[Answers, Subject, dt.date, tuple]
# an overflown territory's obligation and route episodes, and whether the obligation is its
# interval's template (the day to be written in) or was decided for the day itself
Overflight = tuple[bool, law.Obligation, tuple[Precedent, ...]]
PACKED_FLAGS_LIMIT = 63  # a leg over fewer territories has its flags packed in one integer


def measure_legs(
    planner: RoutePlanner,
    requests: Sequence[tuple[Subject, Endpoint, Endpoint, dt.date]],
    *,
    answers: Answers | None = None,
    measured: MeasuredLegs | None = None,
) -> list[Leg]:
    """Legs (subject, start, end, departure date) measured together (`measure_leg_columns`)."""
    endpoints: dict[Endpoint, int] = {}
    start_of = [endpoints.setdefault(start, len(endpoints)) for _, start, _, _ in requests]
    end_of = [endpoints.setdefault(end, len(endpoints)) for _, _, end, _ in requests]
    departures = [Departure(subject, on) for subject, _, _, on in requests]
    columns = measure_leg_columns(
        planner, list(endpoints), start_of, end_of, departures, range(len(requests)), answers=answers, measured=measured
    )
    return list(columns)


class LegColumns:
    """Legs measured together, kept as columns: per leg its ends (places in `endpoints`), its
    departure (whose trip, which day), its distinct leg and its combination of leg and levels.
    A `Leg` is made when asked for (JSON, the check's tables); a CSV row needs only the cell its
    combination prints (`csv_cells`), and the counts need only the combinations' levels."""

    __slots__ = (
        "_answers",
        "_combo_of",
        "_departure_of",
        "_departures",
        "_end_of",
        "_endpoints",
        "_entries",
        "_entry_of",
        "_found",
        "_leg_of_combo",
        "_start_of",
    )

    def __init__(
        self,
        answers: Answers,
        endpoints: Sequence[Endpoint],
        columns: tuple[Any, Any, Any, Any],  # per leg: start, end, departure, distinct leg
        departures: Sequence[Any],
        entries: Sequence[Measured],
        combos: tuple[Any, list[Found], Any],  # per leg, per combination
    ) -> None:
        self._answers, self._endpoints, self._departures, self._entries = answers, endpoints, departures, entries
        self._start_of, self._end_of, self._departure_of, self._entry_of = (c.tolist() for c in columns)
        combo_of, self._found, leg_of_combo = combos
        self._combo_of, self._leg_of_combo = combo_of.tolist(), leg_of_combo.tolist()

    def __len__(self) -> int:
        return len(self._start_of)

    def __getitem__(self, number: int) -> Leg:
        departure = self._departures[self._departure_of[number]]
        km, crossed, through, shared, *_ = self._entries[self._entry_of[number]]
        return Leg(
            self._endpoints[self._start_of[number]],
            self._endpoints[self._end_of[number]],
            km,
            crossed,
            self._found[self._combo_of[number]],
            (self._answers, departure.subject, departure.day, through),
            shared,
        )

    def __iter__(self) -> Iterator[Leg]:
        return map(self.__getitem__, range(len(self)))

    def levels(self) -> Counter[str]:
        """How many legs reach each worst level."""
        counts: Counter[str] = Counter()
        for combo, count in Counter(self._combo_of).items():
            counts[self._found[combo][0]] += count
        return counts

    def csv_cells(self, quoted: Callable[[Any], str], cells: dict[Any, str] | None = None) -> list[str]:
        """Per leg, its `leg_from,leg_km,overflown` cells as CSV text (`quoted` quotes one cell,
        always the CSV's own function): made once per combination of leg and levels, which every
        leg of it shares (one of them, `_leg_of_combo`, gives the start's name). The km and
        overflown cells are kept in the levels' entry (`Found`), made once for the whole batch;
        with `cells`, kept by the caller from chunk to chunk, a km is quoted once too."""
        if cells is None:
            cells = {}
        starts: dict[int, str] = {}  # per endpoint, its name quoted (an airport starts many legs)
        texts = []
        for found, leg in zip(self._found, self._leg_of_combo, strict=True):
            start = self._start_of[leg]
            name = starts.get(start)
            if name is None:
                name = starts[start] = quoted(self._endpoints[start][0])
            tail = found[CSV_TAIL]  # the km and overflown cells: the same for every leg of these ends and levels
            if tail is None:
                km = self._entries[self._entry_of[leg]][0]
                km_cell = cells.get(km)
                if km_cell is None:
                    km_cell = cells[km] = quoted(km)
                tail = found[CSV_TAIL] = f"{km_cell},{quoted(found[1])}"
            texts.append(f"{name},{tail}")
        return list(map(texts.__getitem__, self._combo_of))


def measure_leg_columns(
    planner: RoutePlanner,
    endpoints: Sequence[Endpoint],
    start_of: Sequence[int],
    end_of: Sequence[int],
    departures: Sequence[Any],
    departure_of: Sequence[int],
    *,
    answers: Answers | None = None,
    measured: MeasuredLegs | None = None,
) -> LegColumns:
    """Legs measured together, given as columns: each leg's start and end (their places in
    `endpoints`) and its departure (an object with the `subject` and the `day`, its place in
    `departures`). Each distinct leg is measured once (and once per batch with `measured`, kept
    by the caller); each overflown territory's level is decided once per subject, territory and
    interval between the dates that can change it (`answers`), its full obligation (when asked
    for) once per interval too, as a template its days fill in. The worst level and the CSV cell
    are made once per distinct leg and levels; nothing is made per leg but a few numbers."""
    import numpy as np

    answers = answers or Answers(planner.dataset)
    if measured is None:
        measured = MeasuredLegs()
    elif len(measured) > MEASURED_KEPT:
        measured.clear()
    start_of = np.asarray(start_of, dtype=np.int64)
    end_of = np.asarray(end_of, dtype=np.int64)
    departure_of = np.asarray(departure_of, dtype=np.int64)
    # the distinct legs by their ends' names (a leg's CSV cell names its start as its row does),
    # each with the number of its measurement (by the ends' points: LHR and EGLL share one)
    width = max(len(endpoints), 1)
    pairs, pair_of = np.unique(start_of * width + end_of, return_inverse=True)
    pair_of = pair_of.ravel()
    entry_of_pair = measured.numbers(planner, endpoints, pairs // width, pairs % width)
    entries = measured.entries
    combos = _combinations(answers, departures, departure_of, measured, pair_of, entry_of_pair)
    columns = (start_of, end_of, departure_of, entry_of_pair[pair_of])
    return LegColumns(answers, endpoints, columns, departures, entries, combos)


class MeasuredLegs:
    """The distinct legs a batch has measured, numbered in the order first met: each one's
    `Measured` entry, and its territories' feature indices in one flat array (`features`, the
    entry's `start` and `size` in it), so that a chunk of legs finds its distinct legs' numbers
    and territories by array operations, not a step per distinct leg. A leg is known by its ends'
    points (so two names of one point, LHR and EGLL, share it), numbered as first met."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Start afresh (a caller keeping an earlier `entries` list keeps its own)."""
        import numpy as np

        self.entries: list[Measured] = []
        self._points: dict[tuple[float, float], int] = {}
        self._coordinates: list[tuple[float, float]] = []
        self._keys = np.zeros(0, dtype=np.int64)  # each distinct leg's key, sorted
        self._numbers = np.zeros(0, dtype=np.int64)  # the entry of each key in `_keys`
        self.features = np.zeros(0, dtype=np.int64)
        self.start = np.zeros(0, dtype=np.int64)
        self.size = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.entries)

    def numbers(self, planner: RoutePlanner, endpoints: Sequence[Endpoint], start_of: Any, end_of: Any) -> Any:
        """Per leg (its start and end: places in `endpoints`), the number of its entry, measuring
        the distinct legs not met before. Only the endpoints a leg uses are numbered, so the
        points kept grow with the legs kept (and start afresh with them), not with every located
        stop of a chunk."""
        import numpy as np

        used = np.unique(np.concatenate((start_of, end_of)))
        point_of = np.full(len(endpoints), -1, dtype=np.int64)
        point_of[used] = np.fromiter(
            (self._point(endpoints[place][1], endpoints[place][2]) for place in used.tolist()),
            dtype=np.int64,
            count=len(used),
        )
        keys, key_of = np.unique(point_of[start_of] * LEG_KEY_BASE + point_of[end_of], return_inverse=True)
        found = self._find(keys)
        if (found < 0).any():
            self._measure(planner, keys[found < 0])
            found = self._find(keys)
        return found[key_of.ravel()]

    def _point(self, lat: float, lon: float) -> int:
        number = self._points.get((lat, lon))
        if number is None:
            number = self._points[(lat, lon)] = len(self._coordinates)
            self._coordinates.append((lat, lon))
        return number

    def _find(self, keys: Any) -> Any:
        """Each key's entry number, or -1 for a leg not measured yet."""
        import numpy as np

        if not len(self._keys):
            return np.full(len(keys), -1, dtype=np.int64)
        place = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        return np.where(self._keys[place] == keys, self._numbers[place], -1)

    def _measure(self, planner: RoutePlanner, keys: Any) -> None:
        """The legs of these keys measured and kept, in their order. A leg and its return are one
        geodesic, measured once, facing forwards (`facing`): a leg whose return is kept is read
        off it, the others are measured (a return is kept only where it is asked for)."""
        import numpy as np

        coordinates = self._coordinates
        ends = [(*coordinates[key // LEG_KEY_BASE], *coordinates[key % LEG_KEY_BASE]) for key in keys.tolist()]
        returns = self._find((keys % LEG_KEY_BASE) * LEG_KEY_BASE + keys // LEG_KEY_BASE).tolist()
        ask = list(dict.fromkeys(facing(leg)[0] for leg, back in zip(ends, returns, strict=True) if back < 0))
        fresh: dict[tuple[float, float, float, float], Measured] = {}
        wanted, done = set(ends), 0
        for chunk in planner.measure_chunks(ask):
            _keep(chunk, ask[done : done + len(chunk.km)], wanted, fresh)
            done += len(chunk.km)
        entries = self.entries
        first = len(entries)
        for leg, back in zip(ends, returns, strict=True):
            entry = fresh.get(leg)
            entries.append(entry if entry is not None else _reversed(entries[back]))  # its return was kept before
        added = entries[first:]
        sizes = np.fromiter((len(entry[4]) for entry in added), dtype=np.int64, count=len(added))
        self.start = np.concatenate((self.start, len(self.features) + np.cumsum(sizes) - sizes))
        self.size = np.concatenate((self.size, sizes))
        self.features = np.concatenate((self.features, *(entry[4] for entry in added)))
        keys = np.concatenate((self._keys, keys))
        numbers = np.concatenate((self._numbers, np.arange(first, len(entries), dtype=np.int64)))
        order = np.argsort(keys, kind="stable")
        self._keys, self._numbers = keys[order], numbers[order]


def _combinations(
    answers: Answers,
    departures: Sequence[Any],
    departure_of: Any,
    measured: MeasuredLegs,
    pair_of: Any,
    entry_of_pair: Any,
) -> tuple[Any, list[Found], Any]:
    """Each leg's combination of distinct leg and levels (whether a landing in each territory it
    overflies would carry an obligation), numbered; per combination what its levels come to (the
    worst, the CSV cell, the levels: kept in the measurement's entry by levels, for every later
    chunk too) and one leg of it. A distinct leg is a pair of ends by name (`pair_of`), each with
    its measurement's number in `measured` (`entry_of_pair`). A leg's levels depend only on its
    distinct leg, its subject and the interval between the subject's event dates its day falls
    in (`OverflightFlags`), so they are worked out once per such triple, not per leg."""
    import numpy as np

    count = len(pair_of)
    if not count:
        return np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=np.int64)
    table = answers.overflight_flags
    if table is None:
        table = answers.overflight_flags = OverflightFlags(answers)
    interval_of = table.intervals(departures, departure_of)
    entries = measured.entries
    # the distinct (interval, distinct leg) triples, and one leg of each
    _, first_leg, key_of = np.unique(interval_of * len(entry_of_pair) + pair_of, return_index=True, return_inverse=True)
    key_pair, key_interval = pair_of[first_leg], interval_of[first_leg]
    key_entry = entry_of_pair[key_pair]
    counts = measured.size[key_entry]
    bounds = np.concatenate(([0], np.cumsum(counts)))
    # per (triple, territory overflown): the territory, gathered from the entries' features
    within = np.arange(int(bounds[-1])) - np.repeat(bounds[:-1], counts)
    features = measured.features[np.repeat(measured.start[key_entry], counts) + within]
    edges = bounds.tolist()

    def day_of(pair: int) -> dt.date:  # the day of a pair's triple's leg, for a flag first met
        return departures[departure_of[first_leg[bisect_right(edges, pair) - 1]]].day

    flags = table.flags(np.repeat(key_interval, counts), features, day_of)
    if int(counts.max()) < PACKED_FLAGS_LIMIT:
        # a triple's flags as one number (bit k: its k-th territory), summed from running totals
        # (unsigned: a total past 2**64 wraps, and each triple's difference is still exact)
        shift = within.astype(np.uint64)
        totals = np.concatenate(([0], np.cumsum(flags.astype(np.uint64) << shift, dtype=np.uint64)))
        patterns, pattern_of = np.unique(totals[bounds[1:]] - totals[bounds[:-1]], return_inverse=True)
        combo_keys = key_pair * len(patterns) + pattern_of.ravel()
    else:  # a leg over PACKED_FLAGS_LIMIT territories or more: triples keyed by their flags' bytes
        seen: dict[tuple[int, bytes], int] = {}
        flat = flags.tobytes()
        combo_keys = np.fromiter(
            (
                seen.setdefault((pair, flat[edges[n] : edges[n + 1]]), len(seen))
                for n, pair in enumerate(key_pair.tolist())
            ),
            dtype=np.int64,
            count=len(key_entry),
        )
    _, first_key, combo_of_key = np.unique(combo_keys, return_index=True, return_inverse=True)
    level_of_flag = (law.NONE, law.OVERFLIGHT)
    flat = flags.tobytes()
    found = []
    firsts, lasts = bounds[first_key].tolist(), bounds[first_key + 1].tolist()
    for entry, first, last in zip(key_entry[first_key].tolist(), firsts, lasts, strict=True):
        kept_entry = entries[entry]
        pattern = flat[first:last]
        kept = kept_entry[3].get(pattern)
        if kept is None:
            levels = tuple(map(level_of_flag.__getitem__, pattern))
            # a flag is 0 (none) or 1 (overflight): the worst level is the greatest flag's
            worst = level_of_flag[max(pattern)] if pattern else law.NONE
            kept = kept_entry[3][pattern] = [worst, "; ".join(map(add, kept_entry[5], levels)), levels, None]
        found.append(kept)
    return combo_of_key.ravel()[key_of.ravel()], found, first_leg[first_key]


def _keep(
    chunk: Chunk,
    legs: Sequence[tuple[float, float, float, float]],
    wanted: set[tuple[float, float, float, float]],
    measured: dict[tuple[float, float, float, float], Measured],
) -> None:
    """A measured chunk's legs, and their returns, kept in `measured` as `Measured` where they are
    `wanted`: the territories' places in the other direction's order are made for the whole chunk
    at once, a return's territories, cell parts and feature indices in its own order per return
    asked for."""
    import numpy as np

    # per territory overflown, for the whole chunk: (territory, km to 0.1) and its cell part
    tenths = tenths_of_km(np.asarray(chunk.lengths, dtype=float))
    crossed = list(zip(chunk.territories, (tenths / 10).tolist(), strict=True))
    parts = [
        f"{territory.iso3} {tenth // 10}.{tenth % 10} km "  # as the rounded km prints: "12.3"
        for territory, tenth in zip(chunk.territories, tenths.tolist(), strict=True)
    ]
    edges, features, backward = chunk.edges, chunk.features, chunk.backward
    starts = np.repeat(edges[:-1], np.diff(edges))
    forward = np.empty_like(backward)
    forward[backward] = np.arange(len(backward))
    # each direction's territories' places in the other direction's order
    backward_places, forward_places = (backward - starts).tolist(), (forward - starts).tolist()
    order_back = backward.tolist()
    for number, (leg, km, through) in enumerate(zip(legs, chunk.km, chunk.straits, strict=True)):
        first, last = edges[number], edges[number + 1]
        if leg in wanted:
            measured[leg] = (
                round(km, 1),
                crossed[first:last],
                through,
                {},
                features[first:last],
                parts[first:last],
                backward_places[first:last],
            )
        back = reverse_leg(leg)
        if back in wanted:  # the return's lists in its own order, made only when it is asked for
            order = order_back[first:last]
            measured[back] = (
                round(km, 1),
                [crossed[n] for n in order],
                through,
                {},
                features[backward[first:last]],
                [parts[n] for n in order],
                forward_places[first:last],
            )


def tenths_of_km(values: Any) -> Any:
    """`round(value, 1) * 10` as integers, for non-negative kilometres, at numpy's speed: the
    nearest integer to value x 10, but where value x 10 falls within a millionth of a half,
    whose own rounding may have carried it across, Python's `round` decides from the exact value
    (0.05 is a little above 0.05 in binary and rounds up; 0.05 x 10 is exactly 0.5 and would
    round to 0). The rounded km is then this / 10, the float `round` gives, and it prints as
    tenths // 10 "." tenths % 10."""
    import numpy as np

    scaled = values * 10
    tenths = np.rint(scaled)
    for index in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        tenths[index] = round(round(float(values[index]), 1) * 10)
    return tenths.astype(np.int64)


def _reversed(entry: Measured) -> Measured:
    """A measured leg flown backwards: the same kilometres and straits, its territories in the
    order that direction overflies them first (the entry's last item: their places in the leg's
    own lists), and as its last item the places that give the leg's own order back."""
    km, crossed, through, _, features, parts, backward = entry
    forward = [0] * len(backward)
    for place, number in enumerate(backward):
        forward[number] = place
    return km, [crossed[n] for n in backward], through, {}, features[backward], [parts[n] for n in backward], forward


class OverflightFlags:
    """Whether a landing would carry an obligation, per subject, interval between its event dates
    and territory: decided when first met, kept for the batch (`Answers.overflight_flags`). A
    subject's intervals are those between every date that can change its answer in any
    territory (its own dates and every territory's), so a leg's day places it in one interval
    for all the territories it overflies at once."""

    UNKNOWN = 255

    def __init__(self, answers: Answers) -> None:
        import numpy as np

        self._answers = answers
        self._subjects: dict[str, tuple[int, Subject, Any]] = {}  # id: first interval, subject, its days
        self._territories = {t.feature_index: t for t in answers.dataset.territories}
        self._width = max(self._territories) + 1
        self._flags = np.zeros(0, dtype=np.uint8)  # per (interval, feature): 0, 1 or UNKNOWN

    def intervals(self, departures: Sequence[Any], departure_of: Any) -> Any:
        """Per leg, its interval (numbered across subjects) from its departure's subject and day."""
        import numpy as np

        used = np.unique(departure_of)
        chosen = list(map(departures.__getitem__, used.tolist()))
        # C-level maps over the departures (a chunk has tens of thousands)
        subject_of = list(map(attrgetter("subject"), chosen))
        key_of = list(map(id, subject_of))
        known = {key: self._subject(subject) for key, subject in dict(zip(key_of, subject_of, strict=True)).items()}
        start_of = {key: start for key, (start, _) in known.items()}
        first = np.fromiter(map(start_of.__getitem__, key_of), dtype=np.int64, count=len(chosen))
        day = np.fromiter(map(dt.date.toordinal, map(attrgetter("day"), chosen)), dtype=np.int64, count=len(chosen))
        interval = np.zeros(len(departures), dtype=np.int64)
        for start, days in known.values():
            mine = first == start
            interval[used[mine]] = start + np.searchsorted(days, day[mine], side="right")
        return interval[departure_of]

    def _subject(self, subject: Subject) -> tuple[int, Any]:
        import numpy as np

        kept = self._subjects.get(subject.id)
        if kept is None:
            answers = self._answers
            days: set[dt.date] = set()
            for territory in self._territories.values():
                days.update(answers.table(subject, territory, "visit", None)[0])
            ordinals = np.fromiter(sorted(map(dt.date.toordinal, days)), dtype=np.int64, count=len(days))
            start = len(self._flags) // self._width
            kept = self._subjects[subject.id] = (start, subject, ordinals)
            more = np.full((len(ordinals) + 1) * self._width, self.UNKNOWN, dtype=np.uint8)
            self._flags = np.concatenate((self._flags, more))
        return kept[0], kept[2]

    def flags(self, intervals: Any, features: Any, day_of: Callable[[int], dt.date]) -> Any:
        """Per (interval, feature) pair, 1 where a landing would carry an obligation, else 0;
        a pair first met is decided on its day (`day_of`: the day of the pair at that place)."""
        import numpy as np

        cells = intervals * self._width + features
        flags = self._flags[cells]
        unknown = np.flatnonzero(flags == self.UNKNOWN)
        if len(unknown):
            cell, where = np.unique(cells[unknown], return_index=True)
            by_start = {start: (subject, days) for start, subject, days in self._subjects.values()}
            starts = sorted(by_start)
            answers, none, width = self._answers, law.NONE, self._width
            for number, pair in zip(cell.tolist(), unknown[where].tolist(), strict=True):
                if self._flags[number] != self.UNKNOWN:  # filled with its territory's interval below
                    continue
                interval, feature = divmod(number, width)
                start = starts[bisect_right(starts, interval) - 1]
                (subject, days), territory = by_start[start], self._territories[feature]
                day = day_of(pair)
                events, answered = answers.table(subject, territory, "visit", None)
                own = bisect_right(events, day)  # the territory's own interval, often decided already
                answer = answered.get(own)
                level = answer.level if answer is not None else answers.landing_level(subject, territory, day)
                # every interval of the subject's within the territory's own has its answer
                first = start + (int(np.searchsorted(days, events[own - 1].toordinal(), side="right")) if own else 0)
                last = start + (
                    int(np.searchsorted(days, events[own].toordinal(), side="right"))
                    if own < len(events)
                    else len(days) + 1
                )
                self._flags[first * width + feature : last * width + feature : width] = level != none
            flags = self._flags[cells]
        return flags


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
