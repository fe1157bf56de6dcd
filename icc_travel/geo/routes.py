"""Great-circle legs between stops and the territories each one flies over.

A leg is sampled along the WGS84 geodesic every 25 km; where a stretch touches a grid cell
that holds a border or coast it is re-sampled every 5 km, on the chord between its ends
(metres from the geodesic at that length). Each sample is located in the territory polygons
(12-nm territorial sea included) and stands for the stretch around it; where the grid's pure
1/8° cells around a stretch settle what all its 5-km samples would find, they are not made.
Longitudes come back normalised to -180..180, so a leg across the antimeridian needs no special
geometry.
Kilometres per territory are accurate to about one sample spacing per border. Many legs are
measured together: one geodesic call and one polygon lookup per chunk of legs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from icc_travel.data.models import Dataset, Territory

if TYPE_CHECKING:
    from icc_travel.geo.places import PlaceResolver

COARSE_KM = 25.0
CHUNK = 500  # legs per vectorised pass: small enough that its arrays are reused hot (2,000 took a quarter more CPU)
STRAIT_MARGIN = 0.3  # degrees around a strait's box where the 25-km samples send a leg to the 2-km search
SAMPLE_KM = 5.0  # near borders and coasts: narrower than any territorial sea (24 nm = 44 km)
PIECES = math.ceil(COARSE_KM / SAMPLE_KM)  # fine samples per stretch re-sampled
BULGE_DEGREES = 0.002  # margin around a stretch's ends that holds the arc between them (see _settled)
NOT_SETTLED = -2  # RoutePlanner._settled: a stretch the grid's pure sub-cells cannot answer
WHOLE_ROWS = 5  # RoutePlanner._whole_intervals: rows of 1° cells a settled interval may span
EARTH_MINOR_M = 6_356_752.3  # the WGS84 semi-minor axis: the least radius, the widest bulge


Endpoint = tuple[str, float, float]  # the stop's input, latitude, longitude


class Strait(NamedTuple):
    name: str
    bounds: tuple[float, float, float, float]  # west, south, east, north: the narrows
    states: frozenset[str]  # sovereigns whose territorial seas meet there


# Straits used for international navigation in which the territorial seas of the coastal states
# meet, so that aircraft overfly them in transit passage (UNCLOS Part III). Left out: the Turkish
# Straits and the Danish straits, under long-standing conventions of their own (Art. 35(c)), and
# archipelagic sea lanes (Part IV). The boxes hold the narrows, roughly.
STRAITS = (
    Strait("Strait of Gibraltar", (-6.05, 35.75, -5.25, 36.2), frozenset({"ESP", "MAR", "GBR"})),
    Strait("Strait of Dover", (1.2, 50.8, 1.95, 51.2), frozenset({"GBR", "FRA"})),
    Strait("Bab el-Mandeb", (43.1, 12.3, 43.65, 12.8), frozenset({"YEM", "DJI", "ERI"})),
    Strait("Strait of Hormuz", (55.9, 25.9, 56.9, 26.8), frozenset({"IRN", "OMN"})),
    Strait("Strait of Tiran", (34.35, 27.85, 34.6, 28.1), frozenset({"EGY", "SAU"})),
    Strait("Singapore Strait", (103.55, 1.05, 104.45, 1.45), frozenset({"IDN", "MYS", "SGP"})),
    Strait("Strait of Malacca (One Fathom Bank narrows)", (100.6, 2.3, 101.7, 3.1), frozenset({"IDN", "MYS"})),
    Strait("Bering Strait", (-169.6, 65.45, -168.0, 66.2), frozenset({"USA", "RUS"})),
    Strait("Torres Strait", (141.5, -10.8, 143.4, -9.2), frozenset({"AUS", "PNG"})),
)


class RoutePlanner:
    """Measures legs for one dataset; builds the geodesic and the tiled index once."""

    def __init__(self, dataset: Dataset, resolver: PlaceResolver | None = None) -> None:
        """With `resolver`, its polygons and grid index serve the legs too: one index per
        process (a `PlaceResolver.route_planner()` is the way to get one)."""
        from pyproj import Geod

        from icc_travel.geo.geometry import TerritoryIndex, TiledIndex

        self.dataset = dataset
        path = Path(dataset.territories_path)
        self._geod = Geod(ellps="WGS84")
        if resolver is not None:
            self._tiles = resolver.tiled_index()
        else:
            self._tiles = TiledIndex.cached(path, lambda: TerritoryIndex(path).geometries)
        self._by_feature = {t.feature_index: t for t in dataset.territories}
        self._features = max(self._by_feature) + 1
        self._degree_table: Any = None

    def crossings(
        self, lat1: float, lon1: float, lat2: float, lon2: float
    ) -> tuple[float, list[tuple[Territory, float]]]:
        """Geodesic distance in km and (territory, km) in the order first overflown."""
        return self.crossings_many([(lat1, lon1, lat2, lon2)])[0]

    def crossings_many(
        self, legs: Sequence[tuple[float, float, float, float]]
    ) -> list[tuple[float, list[tuple[Territory, float]]]]:
        """`crossings` for many legs (lat1, lon1, lat2, lon2) at once, in chunks of CHUNK legs:
        one geodesic pass and one polygon lookup per chunk, not per leg."""
        return [(km, crossed) for km, crossed, _ in self.measure_many(legs, straits=False)]

    def measure_many(
        self, legs: Sequence[tuple[float, float, float, float]], *, straits: bool = True
    ) -> list[tuple[float, list[tuple[Territory, float]], tuple[Strait, ...]]]:
        """Distance, territories overflown and straits passed for many legs: the 25-km samples
        serve both the crossings and the search for straits. Identical legs are measured once,
        and so are a leg and its return (`facing`)."""
        distinct: dict[tuple[float, float, float, float], int] = {}
        slots = []
        for leg in legs:
            key, backwards = facing(tuple(leg))  # type: ignore[arg-type]
            slots.append((distinct.setdefault(key, len(distinct)), backwards))
        measured: list[
            tuple[float, list[tuple[Territory, float]], tuple[Strait, ...], list[tuple[Territory, float]]]
        ] = []
        for chunk in self.measure_chunks(list(distinct), straits=straits):
            crossed = list(zip(chunk.territories, chunk.lengths, strict=True))
            crossed_back = [crossed[n] for n in chunk.backward.tolist()]
            for number, total in enumerate(chunk.km):
                first, last = chunk.edges[number], chunk.edges[number + 1]
                measured.append((total, crossed[first:last], chunk.straits[number], crossed_back[first:last]))
        # each leg its own list: a caller may change one without changing its twins
        legs_measured = []
        for slot, backwards in slots:
            km, crossed, through, back = measured[slot]
            legs_measured.append((km, list(back if backwards else crossed), through))
        return legs_measured

    def measure_chunks(
        self, legs: Sequence[tuple[float, float, float, float]], *, straits: bool = True
    ) -> Iterator[Measured]:
        """`measure_many` for distinct legs, as it measures them: CHUNK legs at a time, each
        chunk's territories in flat lists (a caller that keeps its own records per leg makes
        them from these, not from a list per leg made here first). Each leg is measured in the
        direction given: a caller that measures a leg's return from it asks for the legs
        `facing` gives."""
        for start in range(0, len(legs), CHUNK):
            chunk = legs[start : start + CHUNK]
            samples = self._samples(chunk)
            through = self._straits(chunk, samples) if straits else [() for _ in chunk]
            yield self._crossings_chunk(chunk, samples)._replace(straits=through)

    def _samples(self, legs: Sequence[tuple[float, float, float, float]]) -> Samples:
        """Each leg sampled every COARSE_KM along the geodesic, its ends included, all legs at once
        (`geo.geodesic`: GeographicLib's points to within millimetres), but for the stretches
        between two knots that lie wholly in 1° cells of one answer (`_whole_intervals`): of
        those only the first point is made, and it stands for all of them."""
        import numpy as np

        from icc_travel.geo import geodesic

        lat1, lon1, lat2, lon2 = np.asarray(legs, dtype=float).reshape(-1, 4).T
        azimuth, _, metres = self._geod.inv(lon1, lat1, lon2, lat2)
        metres = np.asarray(metres, dtype=float)
        stretches = np.maximum(1, np.ceil(metres / 1000 / COARSE_KM)).astype(np.int64)
        spacing = metres / stretches
        knots = geodesic.knots(self._geod, lat1, lon1, azimuth, spacing, stretches)
        settled = self._whole_intervals(knots, stretches)
        whole = settled == NOT_SETTLED
        lons, lats = geodesic.points(knots, whole)
        # per point: its leg, its number along the leg, and the stretches it starts (none at a
        # leg's end; all of its interval's at a knot standing for them)
        counts = np.where(whole, knots.size, 1)
        first = np.cumsum(counts) - counts
        leg = np.repeat(knots.leg, counts)
        number = np.repeat(knots.start - first, counts) + np.arange(len(leg))
        span = (number != stretches[leg]).astype(np.int64)
        span[first[~whole]] = knots.size[~whole]
        answer = np.full(len(leg), NOT_SETTLED, dtype=np.int64)
        answer[first[~whole]] = settled[~whole]
        step = spacing[leg]
        along = number * step
        cells, owner, mixed, row, column = self._tiles.cells(lats, lons)
        return Samples(
            metres, stretches, leg, number, span, answer, step, along, lons, lats, cells, owner, mixed, row, column
        )

    def _whole_intervals(self, knots: Any, stretches: Any) -> Any:
        """Per interval between knots (`geodesic.Knots`): the answer (feature index, or -1 for
        open sea) of every point of every stretch in it, where the 1° cells around the geodesic
        between its knot and the next one settle it, else NOT_SETTLED. The geodesic's longitude
        runs monotonically between two points; its latitude bulges poleward by at most
        (1 / cos(half the arc) - 1) / cos(latitude) radians (about 0.09° for 300 km at 80°),
        taken half again with a margin for the ellipsoid. Cells a strait's search reaches into
        settle nothing, so the straits see every sample near them; intervals beyond 80° or
        across ±180° are left to the samples. A stretch wholly in cells of one answer has that
        answer at each of its samples, whether it is plain, settled by sub-cells or sampled,
        so the kilometres and the order of the territories are those its samples give."""
        import numpy as np

        settled = np.full(len(knots.leg), NOT_SETTLED, dtype=np.int64)
        # the intervals with stretches (not a leg's last point): the next knot is on their leg
        inner = np.flatnonzero(knots.start < stretches[knots.leg])
        if not len(inner):
            return settled
        lat_a, lat_b = knots.lats[inner], knots.lats[inner + 1]
        half = knots.size[inner] * knots.spacing[knots.leg[inner]] / 2 / EARTH_MINOR_M
        with np.errstate(invalid="ignore", divide="ignore"):
            steepest = np.radians(np.maximum(np.abs(lat_a), np.abs(lat_b)))
            margin = 1.5 * np.degrees((1 / np.cos(half) - 1) / np.cos(steepest)) + 0.005
        settled[inner] = one_answer(
            self._degree_runs(), 1, lat_a, lat_b, knots.lons[inner], knots.lons[inner + 1], margin, WHOLE_ROWS, 90
        )
        return settled

    def _degree_runs(self) -> Any:
        """The 1° cells as `one_answer` reads them: each cell's answer (`TiledIndex.cell_answers`,
        cells a strait's search reaches into counted as mixed) x RUN_BASE + its run eastwards
        (`geometry.runs_eastward`, at most RUN_BASE - 1)."""
        if self._degree_table is None:
            from icc_travel.geo.geometry import TiledIndex, runs_eastward

            owner = self._tiles.cell_answers()
            owner[_strait_cells()] = TiledIndex.MIXED
            run = runs_eastward(owner.reshape(TiledIndex.ROWS, -1), TiledIndex.MIXED, TiledIndex.RUN_BASE - 1)
            self._degree_table = owner * TiledIndex.RUN_BASE + run
        return self._degree_table

    def _crossings_chunk(self, legs: Sequence[tuple[float, float, float, float]], samples: Samples) -> Measured:
        """Each leg is sampled every COARSE_KM; a stretch whose ends lie in one grid cell wholly
        inside one territory (or in open sea) belongs to it, every other stretch is re-sampled
        every SAMPLE_KM and those samples are located in the polygons."""
        import numpy as np

        if not len(legs):
            return Measured([], [0], [], [], np.zeros(0, dtype=np.int64), [], np.zeros(0, dtype=np.int64))
        metres, stretches, leg, _, span, answer, step, along, lons, lats, _, owner, mixed, row, column = samples
        # stretches run from each point that is not its leg's last to the next point; a knot
        # whose interval is settled whole (`_whole_intervals`) stands for all of its stretches
        starts = span[:-1] > 0
        whole_interval = answer[:-1] != NOT_SETTLED
        # A stretch between two whole cells of one owner (or two open-sea cells) that share an
        # edge lies in that owner; one whose ends are diagonal neighbours may clip a third cell.
        # (computed from each point to the next over the whole chunk, then kept at the stretches)
        refine = mixed[:-1] | mixed[1:]
        refine |= owner[:-1] != owner[1:]
        refine |= (row[:-1] != row[1:]) & (column[:-1] != column[1:])
        refine &= ~whole_interval
        plain_owner = np.where(whole_interval, answer[:-1], owner[:-1])
        plain = np.flatnonzero(~refine & starts & (plain_owner >= 0))
        # Lengths are counted in fine pieces (a whole stretch is PIECES of them), exactly: a leg's
        # km in a territory is its count times the piece's length, whatever order the stretches
        # and samples were met in. A part's entries have a first and a last position along the
        # leg: a knot standing for its interval's stretches spans from its own to its last one's.
        legs_of, features, pieces = [leg[plain]], [plain_owner[plain]], [span[plain] * PIECES]
        firsts = [along[plain]]
        lasts = [firsts[0] + (span[plain] - 1) * step[plain]]
        rough = np.flatnonzero(refine & starts)
        if len(rough):
            # a stretch whose ends' box (widened by the arc's bulge) is covered by pure grid
            # sub-cells of one answer has that answer at every fine sample: it is kept whole, as
            # a plain stretch is (its span is its own, so its start places it along the leg as
            # its samples would), and only the others are sampled and looked up
            settled = self._settled(lons, lats, rough)
            whole = rough[settled >= 0]
            legs_of.append(leg[whole])
            features.append(settled[settled >= 0])
            pieces.append(np.full(len(whole), PIECES))
            firsts.append(along[whole])
            lasts.append(firsts[-1])
            sampled = rough[settled == NOT_SETTLED]
            if len(sampled):
                offsets = (np.arange(PIECES) + 0.5) / PIECES
                fine_lons, fine_lats = _between(lons, lats, sampled, offsets)
                found = self._tiles.lookup(fine_lats, fine_lons, sampled=True)
                inside = found >= 0
                legs_of.append(np.repeat(leg[sampled], PIECES)[inside])
                features.append(found[inside])
                pieces.append(np.ones(int(inside.sum()), dtype=np.int64))
                firsts.append((along[sampled][:, None] + step[sampled][:, None] * offsets[None, :]).ravel()[inside])
                lasts.append(firsts[-1])
        territories = self._features
        keys = np.concatenate([of * territories + feature for of, feature in zip(legs_of, features, strict=True)])
        counts = np.bincount(keys, weights=np.concatenate(pieces), minlength=len(legs) * territories)
        key, first, last = _first_and_last(keys, np.concatenate(firsts), np.concatenate(lasts), len(counts))
        order = np.lexsort((first, key // territories))  # per leg, in the order first overflown
        # the same territories in the order the leg flown backwards overflies them first (the
        # samples' intervals along the leg never overlap, so that is by their last, descending)
        backward = np.empty(len(key), dtype=np.int64)
        backward[order] = np.arange(len(key))
        backward = backward[np.lexsort((-last, key // territories))]
        key = key[order]
        bounds = np.searchsorted(key // territories, np.arange(len(legs) + 1))
        piece_km = metres / stretches / PIECES / 1000  # per leg
        lengths = counts[key] * piece_km[key // territories]
        # plain Python lists from here: indexing numpy arrays one scalar at a time costs more than
        # the rest of the chunk
        features = key % territories
        by_feature = self._by_feature
        crossed = [by_feature[f] for f in features.tolist()]
        return Measured((metres / 1000).tolist(), bounds.tolist(), crossed, lengths.tolist(), features, [], backward)

    def _settled(self, lons: Any, lats: Any, begin: Any) -> Any:
        """Per stretch from point `begin` to the next: the answer (feature index, or -1 for open
        sea) every point between its ends has, where the grid's pure sub-cells settle it, else
        NOT_SETTLED. The arc between two points lies in the box of their latitudes and
        longitudes widened by BULGE_DEGREES: a great circle's longitude runs monotonically
        between them (the stretch is short and crosses no pole), its latitude bulges poleward
        by at most (1 / cos(half the arc) - 1) / cos(latitude) radians, under 0.001° for 25 km
        below 80°. Stretches beyond 80°, across ±180° or whose box spans more than 3 rows of
        sub-cells or RUN_CAP columns are left to the samples."""

        return one_answer(
            self._tiles.pure_runs(),
            self._tiles.SPLIT,
            lats[begin],
            lats[begin + 1],
            lons[begin],
            lons[begin + 1],
            BULGE_DEGREES,
            3,
            1,
        )

    def straits_many(self, legs: Sequence[tuple[float, float, float, float]]) -> list[tuple[Strait, ...]]:
        """The straits of STRAITS each leg (lat1, lon1, lat2, lon2) passes through."""
        return [through for _, _, through in self.measure_many(legs)]

    def _straits(self, legs: Sequence[tuple[float, float, float, float]], samples: Samples) -> list[tuple[Strait, ...]]:
        """The straits each leg passes through: the geodesic sampled every 2 km where its 25-km
        samples come within 0.3 degrees of a strait (a 2-km sample in a strait's box is within
        12.5 km of a 25-km one, under 0.3 degrees even at the Bering Strait's latitude), on the
        stretches next to those samples only."""
        import numpy as np

        found: list[tuple[Strait, ...]] = [() for _ in legs]
        if not len(legs):
            return found
        near = np.zeros(len(samples.leg), dtype=bool)
        close = np.flatnonzero(_strait_cells()[samples.cells])  # in a 1° cell the margins reach
        if not len(close):
            return found
        for strait in STRAITS:
            near[close] |= _inside(samples.lons[close], samples.lats[close], strait.bounds, STRAIT_MARGIN)
        candidates = np.unique(samples.leg[near])
        if not len(candidates):
            return found
        lat1, lon1, lat2, lon2 = np.asarray(legs, dtype=float).reshape(-1, 4)[candidates].T
        azimuth = np.asarray(self._geod.inv(lon1, lat1, lon2, lat2)[0], dtype=float)
        metres = samples.metres[candidates]
        counts = np.maximum(1, np.ceil(metres / 2000.0)).astype(np.int64) + 1
        stretches = samples.stretches[candidates]
        spacing, stretch_length = metres / (counts - 1), metres / stretches
        # Keep the 2-km samples on a stretch that starts or ends at a near 25-km sample (one
        # stretch either way besides, against rounding at a stretch's end): a near sample k is
        # the clipped start, end or a neighbour of stretches k - 2 to k + 1, and only the 2-km
        # samples on or next to those stretches are looked at, not the whole leg's.
        slot = np.zeros(len(legs), dtype=np.int64)
        slot[candidates] = np.arange(len(candidates))
        points = np.flatnonzero(near)
        owner = slot[samples.leg[points]]
        number = samples.number[points]
        # the near samples by (candidate, number): all the 25-km samples near a strait are made
        # (`_whole_intervals` settles no interval by them), so this is the test over the whole leg
        width = int(stretches.max()) + 1
        near_keys = owner * width + number
        stretch = (number[:, None] + np.arange(-2, 2)[None, :]).ravel()
        owner = np.repeat(owner, 4)
        valid = (stretch >= 0) & (stretch <= stretches[owner])
        stretch, owner = stretch[valid], owner[valid]
        low = np.maximum(np.floor(stretch * stretch_length[owner] / spacing[owner]).astype(np.int64) - 1, 0)
        high = np.minimum(
            np.ceil((stretch + 1) * stretch_length[owner] / spacing[owner]).astype(np.int64) + 1, counts[owner] - 1
        )
        sizes = high - low + 1
        index = np.repeat(low, sizes) + np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        key = np.unique(np.repeat(owner, sizes) * (int(counts.max()) + 1) + index)  # each sample once, in order
        position, index = np.divmod(key, int(counts.max()) + 1)
        along = index * spacing[position]
        # the test for each of them, as over the whole leg
        stretch = np.floor(along / stretch_length[position]).astype(np.int64)
        last = stretches[position]
        keep = np.zeros(len(position), dtype=bool)
        for shift in (-1, 0, 1, 2):
            keep |= np.isin(position * width + np.clip(stretch + shift, 0, last), near_keys)
        lons, lats, _ = self._geod.fwd(lon1[position[keep]], lat1[position[keep]], azimuth[position[keep]], along[keep])
        lons, lats = np.asarray(lons), np.asarray(lats)
        leg = candidates[position[keep]]
        for strait in STRAITS:
            for number in np.unique(leg[_inside(lons, lats, strait.bounds, 0.0)]).tolist():
                found[number] = (*found[number], strait)
        return found


Ends = tuple[float, float, float, float]  # a leg's ends: lat1, lon1, lat2, lon2


def facing(leg: Ends) -> tuple[Ends, bool]:
    """The leg as it is measured, and whether that is backwards. A leg and its return are one
    geodesic: the samples of one are the other's, read backwards (to the millimetre), so both are
    measured from the lesser of their ends (the southern one; the western one at equal latitudes)
    and the other's territories are read off in the order that direction first overflies them
    (`Measured.backward`). A leg's answer then never depends on whether its return was asked for
    with it, in a batch or by another worker."""
    back = reverse_leg(leg)
    return (back, True) if back < leg else (leg, False)


def reverse_leg(leg: Ends) -> Ends:
    """The leg flown the other way."""
    return leg[2], leg[3], leg[0], leg[1]


class Measured(NamedTuple):
    """A chunk of legs measured: per leg its length in km, where its territories begin in the
    flat lists (one more: where the last ends) and the straits it passes; per territory
    overflown, leg after leg in the order first overflown, the territory, its km and its
    feature index (an array); and the same territories leg after leg, each leg's in the order
    it overflies them flown backwards (`backward`: their places in the flat lists, an array)."""

    km: list[float]
    edges: list[int]
    territories: list[Territory]
    lengths: list[float]
    features: Any
    straits: list[tuple[Strait, ...]]
    backward: Any


class Samples(NamedTuple):
    """A chunk's 25-km samples: per leg its length and stretches; per point made its leg, its
    number along the leg, the stretches it starts (1; 0 at a leg's end; all of its interval's
    at a knot that stands for them) and their answer (NOT_SETTLED but at such a knot), the
    stretch length, the distance along the leg, the position and its 1° cell."""

    metres: Any
    stretches: Any
    leg: Any
    number: Any
    span: Any
    answer: Any
    step: Any
    along: Any
    lons: Any
    lats: Any
    cells: Any  # TiledIndex.cells: the 1° cell, its sole owner, whether a boundary crosses it, its row and column
    owner: Any
    mixed: Any
    row: Any
    column: Any


@functools.cache
def _strait_cells() -> Any:
    """Per 1° cell (TiledIndex.cells' numbering), whether any strait's box widened by
    STRAIT_MARGIN reaches into it: only samples in those cells are tested against the boxes."""
    import numpy as np

    from icc_travel.geo.geometry import TiledIndex

    table = np.zeros((TiledIndex.ROWS, TiledIndex.COLUMNS), dtype=bool)
    for strait in STRAITS:
        west, south, east, north = strait.bounds
        columns = slice(int(np.floor(west - STRAIT_MARGIN + 180)), int(np.floor(east + STRAIT_MARGIN + 180)) + 1)
        rows = slice(int(np.floor(south - STRAIT_MARGIN + 90)), int(np.floor(north + STRAIT_MARGIN + 90)) + 1)
        table[rows, columns] = True
    return table.ravel()


def one_answer(
    runs: Any, per_degree: int, lat_a: Any, lat_b: Any, lon_a: Any, lon_b: Any, margin: Any, rows: int, longest: float
) -> Any:
    """Per pair of points (a to b): the answer all the cells of a grid have in the box of the two
    points widened by `margin` degrees, where they all have one, else NOT_SETTLED. `runs` is the
    grid (`per_degree` cells to a degree, rows from 90° S, columns from 180° W, flat), each cell
    its answer x RUN_BASE + its run eastwards: a box whose rows each start with a run of one
    answer as wide as the box has that answer throughout. Boxes beyond 80° of latitude, over
    more than `rows` rows of cells, or whose points are `longest` degrees of longitude apart or
    more (across ±180°) are not settled."""
    import numpy as np

    from icc_travel.geo.geometry import TiledIndex

    base, columns = TiledIndex.RUN_BASE, TiledIndex.COLUMNS * per_degree
    settled = np.full(len(lat_a), NOT_SETTLED, dtype=np.int64)
    with np.errstate(invalid="ignore"):  # NaN fails every test below
        row0 = np.floor((np.minimum(lat_a, lat_b) - margin + 90) * per_degree)
        row1 = np.floor((np.maximum(lat_a, lat_b) + margin + 90) * per_degree)
        column0 = np.floor((np.minimum(lon_a, lon_b) - margin + 180) * per_degree)
        column1 = np.floor((np.maximum(lon_a, lon_b) + margin + 180) * per_degree)
        usable = (
            (np.abs(lat_a) <= 80)
            & (np.abs(lat_b) <= 80)
            & (np.abs(lon_a - lon_b) < longest)
            & (column0 >= 0)
            & (column1 < columns)
            & (row1 - row0 < rows)
        )
    candidates = np.flatnonzero(usable)
    if not len(candidates):
        return settled
    row0, row1 = row0[candidates].astype(np.int64), row1[candidates].astype(np.int64)
    column0 = column0[candidates].astype(np.int64)
    width = column1[candidates].astype(np.int64) - column0 + 1
    answer, run = np.divmod(runs[row0 * columns + column0], base)
    ok = run >= width
    for extra in range(1, rows):
        cell = runs[np.minimum(row0 + extra, row1) * columns + column0]  # rows past the box repeat its last
        ok &= (cell - answer * base >= width) & (cell < (answer + 1) * base)  # that answer, a run that long
    settled[candidates[ok]] = answer[ok]
    return settled


def line_geometry(runs: list[list[list[float]]]) -> dict[str, Any] | None:
    """GeoJSON geometry for coordinate runs already split at ±180°: one run is a LineString,
    several a MultiLineString (RFC 7946 asks lines crossing the antimeridian to be cut there).
    A line needs two positions (RFC 7946, 3.1.4): a run of one is left out, and a path that is only
    that (a segment of one fix) is its Point."""
    lines = [run for run in runs if len(run) >= 2]
    if not lines:
        position = next((run[0] for run in runs if run), None)
        return {"type": "Point", "coordinates": position} if position is not None else None
    runs = lines
    if len(runs) == 1:
        return {"type": "LineString", "coordinates": runs[0]}
    return {"type": "MultiLineString", "coordinates": runs}


def geodesic_path(
    lat1: float, lon1: float, lat2: float, lon2: float, spacing_km: float = 50.0
) -> list[tuple[list[float], list[float]]]:
    """The geodesic as (lons, lats) runs for drawing, broken where it crosses ±180°."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    _, _, metres = geod.inv(lon1, lat1, lon2, lat2)
    count = int(metres / 1000 / spacing_km) if metres == metres else 0  # NaN: no inner point
    # pyproj refuses npts=0 (it reads 0 as "no count given"): a short or zero-length leg has none
    inner = geod.npts(lon1, lat1, lon2, lat2, count) if count > 0 else []
    points = [(lon1, lat1), *inner, (lon2, lat2)]
    runs: list[tuple[list[float], list[float]]] = [([], [])]
    for (lon, lat), previous in zip(points, [None, *points], strict=False):
        if previous is not None and abs(lon - previous[0]) > 180:
            edge = 180.0 if previous[0] > 0 else -180.0
            runs[-1][0].append(edge)
            runs[-1][1].append(lat)
            runs.append(([-edge], [lat]))
        runs[-1][0].append(lon)
        runs[-1][1].append(lat)
    return runs


def _first_and_last(keys: Any, firsts: Any, lasts: Any, size: int) -> tuple[Any, Any, Any]:
    """Each distinct key (ascending, below `size`) with its least first and greatest last
    position among its entries, reduced in a table of every key (a chunk's legs x territories),
    which costs less than sorting the entries. The greatest last is taken over all of a key's
    entries, not its last run's: a run of one territory's plain stretches can span a re-sampled
    stretch between them, whose samples come in another part."""
    import numpy as np

    first = np.full(size, np.inf)
    np.minimum.at(first, keys, firsts)
    last = np.full(size, -np.inf)
    np.maximum.at(last, keys, lasts)
    present = np.flatnonzero(first != np.inf)
    return present, first[present], last[present]


def _inside(lons: Any, lats: Any, bounds: tuple[float, float, float, float], margin: float) -> Any:
    west, south, east, north = bounds
    return (lons >= west - margin) & (lons <= east + margin) & (lats >= south - margin) & (lats <= north + margin)


def _between(lons: Any, lats: Any, begin: Any, fractions: Any) -> tuple[Any, Any]:
    """Points at `fractions` of the way from point `begin` to the next, by chords through the
    unit sphere: over one COARSE_KM stretch this strays from the geodesic by metres, and it
    needs no care at the antimeridian or the poles. Each end's unit vector is made once, however
    many stretches it ends (a stretch's end is the next one's start)."""
    import numpy as np

    needed = np.zeros(len(lons) + 1, dtype=bool)
    needed[begin] = True
    needed[begin + 1] = True
    ends = np.flatnonzero(needed)
    slot = np.cumsum(needed) - 1  # each needed point's place among `ends`
    lon, lat = np.radians(lons[ends]), np.radians(lats[ends])
    cos_lat = np.cos(lat)
    t = np.asarray(fractions, dtype=float)[None, :]
    start, end = slot[begin], slot[begin + 1]
    x, y, z = (
        (unit[start][:, None] * (1 - t) + unit[end][:, None] * t).ravel()
        for unit in (cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat))
    )
    return np.degrees(np.arctan2(y, x)), np.degrees(np.arctan2(z, np.sqrt(x * x + y * y)))
