"""One point located without numpy or shapely: what `check` on a coordinate or an airport, and
the bisection of a track's border crossings, ask for one point at a time.

Importing numpy and shapely and loading the polygons costs a command several times its own
start-up, to answer one point. A compact cache, written once per territories file (with numpy
and shapely, the first time it is needed), answers instead, read through a memory map with the
standard library alone:

  - a grid of 1/8° sub-cells (blocks of 8 x 8 under 1° cells, as in geo.geometry's grid): a
    sub-cell that no boundary segment of any territory comes within a nanodegree of (closed box)
    is *pure*, and its territory (or none) is stored: every point in it has that answer;
  - for each other sub-cell, its candidate territories (those whose boundaries come near it and
    those holding its centre), whether each holds the centre, and the runs of each one's
    boundary vertices that come near it (the vertices themselves stored once, as float64).

A point in a mixed sub-cell is inside a candidate when the segment from the sub-cell's centre
to the point crosses that candidate's boundary an odd number of times if the centre is outside
it, or an even number if inside: only the boundary within the sub-cell can be crossed, so a few
dozen edges decide. Every orientation test whose sign floating point cannot guarantee (a point
on a boundary, an edge through the centre's line of sight at a vertex) gives up, and so does a
sub-cell whose centre lies on a boundary: the caller then asks the polygons (shapely), whose
answer for a point on a shared boundary, the lowest feature index, this path gives everywhere
else too. The answers are therefore the polygons' answers, or none at all.
"""

from __future__ import annotations

import functools
import mmap
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

from icc_travel.data import paths

VERSION = 1
MAGIC = b"ICCPTS%02d" % VERSION
SPLIT = 8  # sub-cells per degree
COLUMNS, ROWS = 360, 180  # 1° cells
EPSILON = 1e-9  # degrees: a segment this close to a sub-cell's closed box makes it mixed
# Relative bound on the rounding of an orientation determinant (Shewchuk's is 3.3e-16; this
# leaves a wide margin): within it, the sign is not trusted and the polygons answer.
ORIENTATION_ERROR = 1e-13
_HEADER = struct.Struct("<8s6q")  # magic, blocks, mixed sub-cells, candidates, runs, vertices, unused


class PointGrid:
    """The cache file of one territories file, memory-mapped: `lookup` reads a few dozen bytes."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        magic, blocks, mixed, candidates, runs, vertices, _ = _HEADER.unpack_from(self._map, 0)
        if magic != MAGIC:
            raise ValueError("not a point grid of this version")
        offset = _HEADER.size
        self._level0 = offset
        offset += 4 * COLUMNS * ROWS
        self._level1 = offset
        offset += 4 * blocks * SPLIT * SPLIT
        self._cell_start = offset  # int64 [mixed + 1]: each mixed sub-cell's first candidate
        offset += 8 * (mixed + 1)
        self._cell_flag = offset  # int32 [mixed]: 1 where the centre lies on a boundary
        offset += 4 * mixed
        self._owner = offset  # int32 [candidates]
        offset += 4 * candidates
        self._inside = offset  # int32 [candidates]: 1 where the candidate holds the centre
        offset += 4 * candidates
        self._run_start = offset  # int64 [candidates + 1]: each candidate's first run
        offset += 8 * (candidates + 1)
        self._runs = offset  # int64 [runs, 2]: first and last vertex of a chain of edges
        offset += 16 * runs
        self._vertices = offset  # float64 [vertices, 2]: lon, lat
        offset += 16 * vertices
        if offset != len(self._map):
            raise ValueError("point grid of the wrong size")
        self._decoded: dict[int, list[tuple[int, int, list[Any]]] | None] = {}

    def _cell(self, cell: int) -> list[tuple[int, int, list[Any]]] | None:
        """A mixed sub-cell's candidates (owner, holds the centre, chains of edges with their
        boxes), decoded once: a border crossing's bisection asks a dozen points in one sub-cell.
        None for a sub-cell whose centre lies on a boundary."""
        found = self._decoded.get(cell)
        if found is not None or cell in self._decoded:
            return found
        data = self._map
        candidates: list[tuple[int, int, list[Any]]] | None = []
        if struct.unpack_from("<i", data, self._cell_flag + 4 * cell)[0]:
            candidates = None
        else:
            first, last = struct.unpack_from("<2q", data, self._cell_start + 8 * cell)
            for candidate in range(first, last):
                (owner,) = struct.unpack_from("<i", data, self._owner + 4 * candidate)
                (inside,) = struct.unpack_from("<i", data, self._inside + 4 * candidate)
                run_first, run_last = struct.unpack_from("<2q", data, self._run_start + 8 * candidate)
                chains = []
                for run in range(run_first, run_last):
                    start, end = struct.unpack_from("<2q", data, self._runs + 16 * run)
                    chain = struct.unpack_from(f"<{2 * (end - start + 1)}d", data, self._vertices + 16 * start)
                    xs, ys = chain[0::2], chain[1::2]
                    chains.append((chain, (min(xs), max(xs), min(ys), max(ys))))
                candidates.append((owner, inside, chains))
        if len(self._decoded) >= 4096:
            self._decoded.clear()
        self._decoded[cell] = candidates
        return candidates

    def lookup(self, lat: float, lon: float) -> int | None:
        """The lowest feature index whose territory holds the point (on its boundary counts), -1
        for none, or None when only the polygons can tell."""
        column = min(max(int((lon + 180) * SPLIT), 0), COLUMNS * SPLIT - 1)
        row = min(max(int((lat + 90) * SPLIT), 0), ROWS * SPLIT - 1)
        data = self._map
        (code,) = struct.unpack_from("<i", data, self._level0 + 4 * ((row // SPLIT) * COLUMNS + column // SPLIT))
        if code >= -1:
            return code
        inner = (row % SPLIT) * SPLIT + column % SPLIT
        (code,) = struct.unpack_from("<i", data, self._level1 + 4 * ((-2 - code) * SPLIT * SPLIT + inner))
        if code >= -1:
            return code
        candidates = self._cell(-2 - code)
        if candidates is None:
            return None
        centre_x = (column + 0.5) / SPLIT - 180
        centre_y = (row + 0.5) / SPLIT - 90
        low_x, high_x = (centre_x, lon) if centre_x <= lon else (lon, centre_x)
        low_y, high_y = (centre_y, lat) if centre_y <= lat else (lat, centre_y)
        for owner, inside, chains in candidates:
            crossings = 0
            for chain, (left, right, bottom, top) in chains:
                if right < low_x or left > high_x or top < low_y or bottom > high_y:
                    continue  # the chain's box misses the segment's: it cannot cross or touch it
                crossed = _crossings(chain, centre_x, centre_y, lon, lat)
                if crossed is None:
                    return None
                crossings += crossed
            if inside ^ (crossings & 1):
                return owner
        return -1


def _crossings(chain: tuple[float, ...], px: float, py: float, qx: float, qy: float) -> int | None:
    """How many edges of the chain (x0, y0, x1, y1, ...) the segment P-Q properly crosses, or
    None when any test is too close to call (a point on an edge, a vertex on the segment)."""
    low_x, high_x = (px, qx) if px <= qx else (qx, px)
    low_y, high_y = (py, qy) if py <= qy else (qy, py)
    dx, dy = qx - px, qy - py
    count = 0
    ax, ay = chain[0], chain[1]
    for index in range(2, len(chain), 2):
        bx, by = chain[index], chain[index + 1]
        if (
            (ax < low_x and bx < low_x)
            or (ax > high_x and bx > high_x)
            or (ay < low_y and by < low_y)
            or (ay > high_y and by > high_y)
        ):
            ax, ay = bx, by
            continue
        ex, ey = bx - ax, by - ay
        side_p = _side(ex, ey, px - ax, py - ay)  # which side of the edge P and Q lie on
        side_q = _side(ex, ey, qx - ax, qy - ay)
        if side_p is None or side_q is None:
            return None
        if (side_p > 0) == (side_q > 0):
            ax, ay = bx, by
            continue
        side_a = _side(dx, dy, ax - px, ay - py)  # the edge's ends on either side of the segment P-Q
        side_b = _side(dx, dy, bx - px, by - py)
        if side_a is None or side_b is None:
            return None
        if (side_a > 0) != (side_b > 0):
            count += 1
        ax, ay = bx, by
    return count


def _side(ux: float, uy: float, vx: float, vy: float) -> float | None:
    """The cross product of u and v (which side of u the point v lies on), or None when it is within
    the rounding error of its terms: too close to call, so the caller leaves it to the polygons."""
    term1, term2 = ux * vy, uy * vx
    side = term1 - term2
    return None if abs(side) <= ORIENTATION_ERROR * (abs(term1) + abs(term2)) else side


def cache_path(territories: Path) -> Path:
    """The cache's name: the territories file's stamp (paths.file_stamp: a stat, not a hash of its
    38 MB, which would cost more than the lookup saves) and this module's VERSION."""
    return paths.cache_dir() / f"points-v{VERSION}-{paths.file_stamp(territories)}.bin"


@functools.lru_cache(maxsize=4)
def _grid(cache: Path) -> PointGrid | None:
    try:
        return PointGrid(cache)
    except (OSError, ValueError, struct.error):
        return None


def point_grid(territories: Path, geometries: Callable[[], Any]) -> PointGrid | None:
    """The point grid of a territories file, built from `geometries()` (the polygons in feature
    order; with numpy and shapely: seconds, once per version of the file) when missing or
    damaged; None if it can be neither read nor written."""
    cache = cache_path(territories)
    found = _grid(cache)
    if found is not None:
        return found
    _grid.cache_clear()
    try:
        write(cache, geometries())
    except OSError:
        return None
    return _grid(cache)


def write(path: Path, geometries: Any) -> None:
    """Build the cache for these polygons (in feature order) and write it whole, then move it in
    place (a concurrent reader sees no half-written file)."""
    import numpy as np
    import shapely

    geometries = np.asarray(geometries)
    rings, ring_owner = shapely.get_parts(shapely.boundary(geometries), return_index=True)
    vertices, ring = shapely.get_coordinates(rings, return_index=True)
    segment = np.flatnonzero(ring[1:] == ring[:-1])  # an edge from vertex i to i + 1
    owner = ring_owner[ring[segment]].astype(np.int64)
    cell, edge = _cells_near(vertices[segment], vertices[segment + 1])  # (sub-cell key, edge) pairs
    edge_owner = owner[edge]
    order = np.lexsort((segment[edge], edge_owner, cell))
    cell, edge, edge_owner = cell[order], edge[order], edge_owner[order]
    mixed = _unique(cell)
    sub_columns = COLUMNS * SPLIT
    centre_x = (mixed % sub_columns + 0.5) / SPLIT - 180
    centre_y = (mixed // sub_columns + 0.5) / SPLIT - 90

    # a sub-cell whose centre lies on (or within a nanodegree of) a boundary: the polygons answer
    ax, ay = vertices[segment[edge], 0], vertices[segment[edge], 1]
    bx, by = vertices[segment[edge] + 1, 0], vertices[segment[edge] + 1, 1]
    position = np.searchsorted(mixed, cell)
    near = _distance(centre_x[position], centre_y[position], ax, ay, bx, by) <= 1e-7
    flag = np.zeros(len(mixed), dtype=np.int32)
    flag[position[near]] = 1

    # candidates: (sub-cell, owner) pairs from the boundaries, and the territories holding the centre
    tree = shapely.STRtree(geometries)
    shapely.prepare(geometries)
    point, holder = tree.query(shapely.points(centre_x, centre_y))
    hit = shapely.intersects_xy(geometries[holder], centre_x[point], centre_y[point])
    point, holder = point[hit].astype(np.int64), holder[hit].astype(np.int64)
    owners = 1 << 20
    boundary_pairs = position * owners + edge_owner
    holding = _unique(point * owners + holder)
    pairs = _unique(np.concatenate([boundary_pairs, holding]))
    candidate_cell, candidate_owner = pairs // owners, pairs % owners
    candidate_inside = _contains(holding, pairs).astype(np.int32)
    cell_start = np.searchsorted(candidate_cell, np.arange(len(mixed) + 1)).astype(np.int64)

    # runs: consecutive edges of one (sub-cell, owner) pair, as first and last vertex
    vertex = segment[edge]
    pair_of_edge = np.searchsorted(pairs, boundary_pairs)
    breaks = np.flatnonzero((np.diff(vertex) != 1) | (np.diff(pair_of_edge) != 0)) + 1
    run_first = np.concatenate([[0], breaks])
    run_last = np.concatenate([breaks - 1, [len(vertex) - 1]]) if len(vertex) else np.zeros(0, dtype=np.int64)
    runs = np.stack([vertex[run_first], vertex[run_last] + 1], axis=1).astype(np.int64) if len(vertex) else None
    run_pair = pair_of_edge[run_first] if len(vertex) else np.zeros(0, dtype=np.int64)
    run_start = np.searchsorted(run_pair, np.arange(len(pairs) + 1)).astype(np.int64)
    if runs is None:
        runs = np.zeros((0, 2), dtype=np.int64)

    # the grid: 1° cells, and blocks of sub-cells under each 1° cell that holds a mixed one
    mixed_row, mixed_column = mixed // sub_columns, mixed % sub_columns
    mixed_degree = _unique((mixed_row // SPLIT) * COLUMNS + mixed_column // SPLIT)
    level0 = np.full(COLUMNS * ROWS, -1, dtype=np.int32)
    pure0 = np.setdiff1d(np.arange(COLUMNS * ROWS), mixed_degree)
    level0[pure0] = _lowest_holders(tree, geometries, pure0 % COLUMNS + 0.5 - 180, pure0 // COLUMNS + 0.5 - 90)
    level0[mixed_degree] = -2 - np.arange(len(mixed_degree), dtype=np.int32)
    offset_row, offset_column = np.divmod(np.arange(SPLIT * SPLIT), SPLIT)
    sub_row = (mixed_degree // COLUMNS)[:, None] * SPLIT + offset_row[None, :]
    sub_column = (mixed_degree % COLUMNS)[:, None] * SPLIT + offset_column[None, :]
    keys = (sub_row * sub_columns + sub_column).ravel()
    found = np.searchsorted(mixed, keys)
    is_mixed = (found < len(mixed)) & (mixed[np.minimum(found, len(mixed) - 1)] == keys)
    level1 = np.full(len(keys), -1, dtype=np.int32)
    level1[is_mixed] = -2 - found[is_mixed]
    pure = np.flatnonzero(~is_mixed)
    level1[pure] = _lowest_holders(
        tree, geometries, (keys[pure] % sub_columns + 0.5) / SPLIT - 180, (keys[pure] // sub_columns + 0.5) / SPLIT - 90
    )

    header = _HEADER.pack(MAGIC, len(mixed_degree), len(mixed), len(pairs), len(runs), len(vertices), 0)
    parts = [
        level0.astype("<i4"),
        level1.astype("<i4"),
        cell_start.astype("<i8"),
        flag.astype("<i4"),
        candidate_owner.astype("<i4"),
        candidate_inside.astype("<i4"),
        run_start.astype("<i8"),
        runs.astype("<i8"),
        np.ascontiguousarray(vertices, dtype="<f8"),
    ]
    # written whole and moved into place, older grids pruned, nothing left behind by a full disk
    if not paths.write_cache(path, header + b"".join(part.tobytes() for part in parts)):
        raise OSError(f"cannot write {path}")


def _cells_near(start: Any, end: Any) -> tuple[Any, Any]:
    """(sub-cell key, edge) pairs, distinct and sorted, for every sub-cell an edge comes within
    EPSILON of (the bulk grid's walk, at this grid's resolution)."""
    from icc_travel.geo.geometry import cells_near_segments

    keys, edges = cells_near_segments(start, end, SPLIT, EPSILON)
    packed = _unique(keys * (1 << 24) + edges)
    return packed >> 24, packed & ((1 << 24) - 1)


def _unique(values: Any) -> Any:
    """Sorted distinct values, by a sort (numpy's hashing unique is several times slower on
    millions of integers)."""
    import numpy as np

    ordered = np.sort(values, kind="stable")
    if not len(ordered):
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


def _contains(sorted_values: Any, values: Any) -> Any:
    """Whether each of `values` is in `sorted_values` (sorted, distinct)."""
    import numpy as np

    position = np.searchsorted(sorted_values, values)
    inside = position < len(sorted_values)
    inside[inside] = sorted_values[position[inside]] == values[inside]
    return inside


def _distance(px: Any, py: Any, ax: Any, ay: Any, bx: Any, by: Any) -> Any:
    """Planar distance (degrees) from points to segments, element by element."""
    import numpy as np

    ex, ey = bx - ax, by - ay
    length = ex * ex + ey * ey
    t = np.clip(((px - ax) * ex + (py - ay) * ey) / np.where(length > 0, length, 1.0), 0.0, 1.0)
    return np.hypot(ax + t * ex - px, ay + t * ey - py)


def _lowest_holders(tree: Any, geometries: Any, xs: Any, ys: Any) -> Any:
    """The lowest feature index holding each point (-1: none), by the prepared polygons."""
    import numpy as np
    import shapely

    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    point, feature = tree.query(shapely.points(xs, ys))
    hit = shapely.intersects_xy(geometries[feature], xs[point], ys[point])
    none = np.iinfo(np.int64).max
    best = np.full(len(xs), none, dtype=np.int64)
    np.minimum.at(best, point[hit], feature[hit].astype(np.int64))
    return np.where(best == none, -1, best).astype(np.int32)
