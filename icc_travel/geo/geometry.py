"""Point-in-territory lookup. The only module that imports shapely, and only when called.

Territories are disjoint by construction (scripts/build_territories.py, checked by the tests):
only points on a shared boundary touch two features. Both lookups (an STRtree over the polygons
for a few points, a three-level grid for many) then apply the same rule, the feature first in
the file wins, so `check`, small batches and bulk lookups always agree.
Parsed polygons are cached as WKB beside the user's cache (160 ms -> 10 ms per run).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from icc_travel.data import paths
from icc_travel.data.boundaries import read_geometries


class TerritoryIndex:
    """An STRtree over the territory polygons, in the order of the features in the file."""

    def __init__(self, path: Path | None = None, *, geometries: Any = None) -> None:
        import shapely

        self.geometries = _load_geometries(path) if geometries is None else geometries
        self.tree = shapely.STRtree(self.geometries)

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[list[int]]:
        import numpy as np
        import shapely

        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, feature_idx = self.tree.query(points, predicate="intersects")
        found: list[list[int]] = [[] for _ in range(len(points))]
        for point, feature in zip(point_idx.tolist(), feature_idx.tolist(), strict=True):
            found[point].append(feature)
        return [sorted(hits) for hits in found]


def _geometries_cache(path: Path) -> Path:
    """The WKB cache of a territories file's polygons, named by the file's stamp (paths.file_stamp:
    a stat, as the grid's and the point cache's names; hashing the 38 MB file took 0.1 s)."""
    return paths.cache_dir() / f"territories-{paths.file_stamp(path)}-wkb"


def _load_geometries(path: Path) -> Any:
    cache = _geometries_cache(path)
    try:
        return load_wkb(cache)
    except Exception:  # missing, or damaged in any way (a cut zip, bad WKB): rebuild it
        pass
    geometries = read_geometries(path)
    save_wkb(cache, geometries)
    return geometries


class Polygons:
    """The territory polygons in feature order, each parsed and prepared only when a lookup first
    needs it. A grid lookup asks the polygons only about a point too close to call, and such a
    point needs its leaf's two or three candidates: parsing and preparing all 258 for it (and
    hashing the file to find their cache) cost 0.3-0.4 s, more than locating a million points.

    `source`: the polygons, or a callable giving them all (to build them, or when the cache
    cannot be read); `cache`: the WKB cache (`save_wkb`) to parse single polygons from."""

    def __init__(self, source: Any, cache: Path | None = None) -> None:
        self._source = source
        self._cache = cache
        self._wkb: tuple[Any, Any] | None = None  # the cache's bytes and offsets, read once
        self._table: Any = None  # prepared polygon per feature index, None until first needed

    def take(self, owners: Any) -> Any:
        """The prepared polygons of these feature indexes, in their order (an object array)."""
        import numpy as np
        import shapely

        owners = np.asarray(owners, dtype=np.int64)
        wanted = sorted_unique(owners)
        missing = wanted if self._table is None else wanted[np.equal(self._table[wanted], None)]
        if len(missing):
            found, count = self._parse(missing)
            if self._table is None:
                self._table = np.full(count, None, dtype=object)
            shapely.prepare(found)
            self._table[missing] = found
        return self._table[owners]

    def _parse(self, owners: Any) -> tuple[Any, int]:
        """The polygons of these feature indexes, parsed, and how many features there are: from
        the WKB cache when it reads, else from all the polygons."""
        import numpy as np
        import shapely

        if not callable(self._source):  # the polygons are in memory already
            geometries = np.asarray(self._source)
            return geometries[owners], len(geometries)
        if self._cache is not None:
            try:
                if self._wkb is None:  # read once: a later point may need other candidates
                    # memory-mapped: a point too close to call needs two or three polygons' bytes
                    self._wkb = tuple(map_arrays(self._cache, "wkb", "offsets"))
                data, offsets = self._wkb
                if int(owners.max()) >= len(offsets) - 1 or offsets[-1] != len(data):
                    raise ValueError("a WKB cache of another file")
                found = shapely.from_wkb([data[offsets[i] : offsets[i + 1]].tobytes() for i in owners.tolist()])
                return found, len(offsets) - 1
            except Exception:  # missing or damaged: all the polygons, which rebuilds it
                self._wkb = None
        self._source = np.asarray(self._source())
        return self._source[owners], len(self._source)


def save_wkb(path: Path, geometries: Any) -> None:
    """Geometries as one WKB byte buffer plus offsets, in a cache of memory-mapped arrays (a
    fixed-width bytes array would drop trailing zero bytes, and a WKB ending in a 0.0 coordinate
    with them)."""
    import numpy as np
    import shapely

    blobs = shapely.to_wkb(geometries)
    offsets = np.cumsum([0, *(len(b) for b in blobs)], dtype=np.int64)
    save_mapped(path, wkb=np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets=offsets)


def load_wkb(path: Path) -> Any:
    import shapely

    wkb, offsets = map_arrays(path, "wkb", "offsets")
    data = wkb.tobytes()
    return shapely.from_wkb([data[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)])


def save_mapped(path: Path, **arrays: Any) -> None:
    """A cache directory of named .npy files, written whole beside its final name and then moved
    there (a reader sees the whole directory or none); a damaged one it replaces is removed
    first. A cache that cannot be written is skipped."""
    import os
    import shutil

    import numpy as np

    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.mkdir(parents=True, exist_ok=True)
        for name, values in arrays.items():
            np.save(temporary / f"{name}.npy", np.ascontiguousarray(values), allow_pickle=False)
        shutil.rmtree(path, ignore_errors=True)
        temporary.replace(path)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)


def map_arrays(path: Path, *names: str) -> list[Any]:
    """The named arrays of a cache directory, memory-mapped read-only."""
    import numpy as np

    return [np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in names]


def runs_eastward(owner: Any, mixed: int, cap: int | None = None) -> Any:
    """Per cell of a grid of answers (rows of cells, west to east), how many cells from it
    eastwards, itself included, have its answer before the row ends (at most `cap`); 0 for a
    `mixed` cell. A box of cells whose rows all start with a run as wide as the box and one
    answer is answered alike throughout."""
    import numpy as np

    flat = owner.ravel()
    # a run ends where the next cell differs or the row ends: each cell's run is the distance
    # to the first such end at or after it
    ends = np.ones(len(flat), dtype=bool)
    ends[:-1] = flat[:-1] != flat[1:]
    ends[owner.shape[1] - 1 :: owner.shape[1]] = True
    position = np.arange(len(flat))
    next_end = np.minimum.accumulate(np.where(ends, position, len(flat))[::-1])[::-1]
    run = next_end - position + 1
    if cap is not None:
        run = np.minimum(run, cap)
    run[flat == mixed] = 0
    return run


class TiledIndex:
    """Bulk point lookup: a three-level grid decides almost every point by array lookups, and a
    vectorised crossing count over the few boundary edges of its leaf decides a point next to a
    boundary; the polygons (GEOS) are asked only where floating point cannot be trusted.

    The grid has 1° cells, split into 8 x 8 sub-cells of 1/8°, split again into 8 x 8 leaves of
    1/64° (about 1.7 km). A cell at any level is *pure* when no boundary segment of any territory
    comes within a nanodegree of it (closed box), found by walking every segment through the
    leaves it crosses. A pure cell lies wholly inside one territory or outside all of them, and
    so do the pure cells that share an edge with it: each connected group of pure cells is
    answered once, by testing one cell centre against the untiled polygons.

    A leaf a boundary comes near (*mixed*) keeps its candidates (the territories whose boundaries
    come near it, and those holding its centre: a territory reaching into the leaf without its
    boundary coming near holds all of it), whether each holds the leaf's centre (asked of the
    polygons once, at build), and each candidate's edges that come near the leaf. A point in the
    leaf is in a candidate when the segment from the centre to the point crosses that candidate's
    edges an odd number of times if the centre is outside, an even number if inside: only edges
    near the leaf can cross a segment inside it, so a point costs a handful of edges, evaluated
    for all points at once in numpy rather than one GEOS call each (whose fixed cost per call is
    what made the border and vertex sets slow at full resolution).

    Exactness: a point equal to an edge's end lies on that candidate's boundary, which counts as
    inside (the polygons' `intersects` rule). Every other orientation test whose sign rounding
    could flip (Shewchuk's bound, with a wide margin: a point on or within ~1e-13 relative of an
    edge, a segment through a vertex) leaves its point to the prepared polygons, as before; so do
    non-finite coordinates. Ties on a shared boundary go to the lowest feature index, as in the
    untiled query. The answers are therefore the untiled polygons' answers.

    A point exactly on a boundary vertex is answered before any of this, from a table of every
    distinct vertex and its answer (found once at build by the same rules, cached with the grid):
    such points are where edges are densest and the crossing count costs most.

    The polygons themselves are loaded only when such a point occurs (`geometries` may be a
    callable that loads them, or `Polygons`): a cached index answers without parsing them, and
    then parses from the WKB cache only the candidates of the points it asks about.

    Codes per cell: a feature index (>= 0), -1 for no territory, or -2 - k: look in block k of
    the next level. For leaves (code2), k below the number of nodes is the node (a mixed leaf
    that is not dense) whose edges decide, and k = nodes + b sends to block b of fine leaves
    (code3), where -2 - k names node k (a mixed fine leaf). Nodes' arrays: candidates
    (candidate_start per node; owner, ascending, and whether it holds the centre), edges
    (edge_start per node; the candidate's slot, the first vertex, the centre's side). Vertex
    table: keys ascending (`_vertex_keys`), the vertex each is, and its answer.
    """

    SPLIT = 8  # sub-cells per side at each level below the 1° grid
    LEAVES = 64  # leaves per degree: SPLIT * SPLIT
    COLUMNS, ROWS = 360, 180  # 1° cells
    EPSILON = 1e-9  # degrees: a segment this close to a cell makes it impure (rounding margin)
    # Relative bound on the rounding of an orientation determinant computed from differences
    # (Shewchuk's is 3.3e-16; this leaves a wide margin): within it, the sign is not trusted.
    ORIENTATION_ERROR = 1e-13
    VERSION = 9  # of the cached arrays' layout and rules
    DENSE = 8  # edges: a mixed leaf more come near is split into 8 x 8 fine leaves
    MIXED = -3  # pure_runs: a sub-cell a boundary comes near
    RUN_CAP = 64  # pure_runs: runs are counted up to this many sub-cells
    RUN_BASE = 128  # pure_runs: a sub-cell's number is answer x RUN_BASE + run (run <= RUN_CAP)
    RUNS_VERSION = 2  # of the cached pure_runs (beside the grid's, whose version they follow)
    NAMES = (
        "code0",
        "code1",
        "code2",
        "code3",
        "candidate_start",
        "candidate_owner",
        "candidate_inside",
        "edge_start",
        "edge_slot",
        "edge_vertex",
        "edge_side",
        "vertex_lon",
        "vertex_lat",
        "vertex_key",
        "vertex_index",
        "vertex_answer",
    )

    @classmethod
    def is_cached(cls, path: Path) -> bool:
        """Whether the index for a territories file is in the cache (then `cached` opens it in
        milliseconds; building it takes seconds)."""
        return (cls._cache_of(path) / f"{cls.NAMES[0]}.npy").is_file()

    @classmethod
    def _cache_of(cls, path: Path) -> Path:
        return paths.cache_dir() / f"tiles-v{cls.VERSION}-{paths.file_stamp(path)}"

    @classmethod
    def cached(cls, path: Path, geometries: Any) -> TiledIndex:
        """The index for a territories file, built once (seconds) and then read from the cache.
        `geometries`: the polygons in feature order, or a callable giving them (called only to
        build the index or to decide a point floating point cannot).

        The cache is a directory of .npy files, memory-mapped: opening it reads nothing, a
        lookup reads the pages of the cells its points fall in, and the processes of one
        machine (a screen's workers) share those pages instead of holding a copy each."""
        cache = cls._cache_of(path)
        try:
            arrays = map_arrays(cache, *cls.NAMES)
            code0, code1, code2, code3, start, _, _, edge_start, *_ = arrays
            vertex_key, vertex_index, vertex_answer = arrays[-3:]
            cells = cls.SPLIT * cls.SPLIT
            if (
                len(code0) != cls.COLUMNS * cls.ROWS
                or len(code1) % cells
                or len(code2) % cells
                or len(code3) % cells
                or len(start) != len(edge_start)
                or not len(vertex_key) == len(vertex_index) == len(vertex_answer)
            ):
                raise ValueError("cached grid of the wrong shape")
        except Exception:  # missing, or damaged in any way: rebuild it
            index = cls.build(geometries() if callable(geometries) else geometries)
            save_mapped(cache, **{name: getattr(index, f"_{name}") for name in cls.NAMES})
        else:
            index = cls(*arrays, Polygons(geometries, _geometries_cache(path)))
        index._cache = cache
        return index

    @classmethod
    def build(cls, geometries: Any) -> TiledIndex:
        import numpy as np

        geometries = np.asarray(geometries)
        leaf_columns = cls.COLUMNS * cls.LEAVES
        sub_columns = cls.COLUMNS * cls.SPLIT
        fine_columns = leaf_columns * cls.SPLIT
        vertices, segment_vertex, segment_owner = _boundary_segments(geometries)
        entry_leaf, entry_segment = _edges_near(vertices, segment_vertex, cls.LEAVES, cls.EPSILON)
        leaf_keys, leaf_edges = np.unique(entry_leaf, return_counts=True)
        row, column = leaf_keys // leaf_columns, leaf_keys % leaf_columns
        mixed_sub = sorted_unique((row // cls.SPLIT) * sub_columns + column // cls.SPLIT)
        mixed_cell = sorted_unique((row // cls.LEAVES) * cls.COLUMNS + column // cls.LEAVES)
        untiled = TerritoryIndex(geometries=geometries)

        # 1° cells: pure ones answered by their centres
        code0 = np.full(cls.COLUMNS * cls.ROWS, -1, dtype=np.int32)
        pure0 = np.setdiff1d(np.arange(len(code0)), mixed_cell)
        code0[pure0] = _first_hits(untiled, (pure0 // cls.COLUMNS) + 0.5 - 90, (pure0 % cls.COLUMNS) + 0.5 - 180)
        code0[mixed_cell] = -2 - np.arange(len(mixed_cell), dtype=np.int32)

        # 1/8° sub-cells of each mixed cell
        code1 = _block_codes(untiled, mixed_cell, cls.COLUMNS, 1.0, cls.SPLIT, mixed_sub, sub_columns).astype(np.int32)
        # 1/64° leaves of each mixed sub-cell, and 1/512° fine leaves of each dense leaf (one that
        # more than DENSE edges come near: a point's cost is the number of edges of its leaf)
        code2 = _block_codes(untiled, mixed_sub, sub_columns, 1.0 / cls.SPLIT, cls.SPLIT, leaf_keys, leaf_columns)
        dense = leaf_edges > cls.DENSE
        dense_keys = leaf_keys[dense]
        in_dense = dense[np.searchsorted(leaf_keys, entry_leaf)]
        fine_entry_key, fine_entry_segment = _edges_near(
            vertices, segment_vertex, cls.LEAVES * cls.SPLIT, cls.EPSILON, np.unique(entry_segment[in_dense])
        )
        parent = (fine_entry_key // fine_columns // cls.SPLIT) * leaf_columns + (
            fine_entry_key % fine_columns
        ) // cls.SPLIT
        kept = _contains(dense_keys, parent)
        fine_entry_key, fine_entry_segment = fine_entry_key[kept], fine_entry_segment[kept]
        fine_keys = sorted_unique(fine_entry_key)
        code3 = _block_codes(untiled, dense_keys, leaf_columns, 1.0 / cls.LEAVES, cls.SPLIT, fine_keys, fine_columns)

        # nodes: the mixed leaves that are not dense, then the mixed fine leaves
        coarse = np.flatnonzero(~dense)
        nodes = len(coarse) + len(fine_keys)
        node_of_leaf = np.full(len(leaf_keys), -1, dtype=np.int64)
        node_of_leaf[coarse] = np.arange(len(coarse))
        block_of_leaf = np.full(len(leaf_keys), -1, dtype=np.int64)
        block_of_leaf[dense] = np.arange(len(dense_keys))
        position = np.where(code2 <= -2, -2 - code2, 0)
        code2 = np.where(
            code2 >= -1,
            code2,
            np.where(dense[position], -2 - nodes - block_of_leaf[position], -2 - node_of_leaf[position]),
        )
        code3 = np.where(code3 >= -1, code3, -2 - len(coarse) - (-2 - code3))
        keep_entry = ~in_dense
        entry_node = np.concatenate(
            [
                node_of_leaf[np.searchsorted(leaf_keys, entry_leaf[keep_entry])],
                len(coarse) + np.searchsorted(fine_keys, fine_entry_key),
            ]
        )
        entry_segment = np.concatenate([entry_segment[keep_entry], fine_entry_segment])
        centre_lats = np.concatenate(
            [(row[coarse] + 0.5) / cls.LEAVES - 90, (fine_keys // fine_columns + 0.5) / (cls.LEAVES * cls.SPLIT) - 90]
        )  # as `lookup` computes them
        centre_lons = np.concatenate(
            [
                (column[coarse] + 0.5) / cls.LEAVES - 180,
                (fine_keys % fine_columns + 0.5) / (cls.LEAVES * cls.SPLIT) - 180,
            ]
        )

        # candidates of each node: owners of the edges near it, and the holders of its centre
        node_of_centre, holder = _all_hits(untiled, centre_lats, centre_lons)
        entry_owner = segment_owner[entry_segment]
        near = entry_node * _OWNERS + entry_owner
        order = np.lexsort((entry_segment, near))
        near, entry_node, entry_segment = near[order], entry_node[order], entry_segment[order]
        held = node_of_centre * _OWNERS + holder
        pairs = sorted_unique(np.concatenate([near, held]))
        candidate_inside = _contains(sorted_unique(held), pairs).astype(np.int8)
        candidate_owner = _narrow(pairs % _OWNERS)
        candidate_start = np.searchsorted(pairs // _OWNERS, np.arange(nodes + 1))
        # an edge's candidate as its place among its node's candidates (a handful: one byte)
        edge_slot = _narrow(np.searchsorted(pairs, near) - candidate_start[entry_node])
        edge_start = np.searchsorted(entry_node, np.arange(nodes + 1))
        # the side of each edge its node's centre lies on: +1, -1, or 0 where rounding could flip it
        edge_vertex = segment_vertex[entry_segment].astype(np.int32)
        ax, ay = vertices[edge_vertex, 0], vertices[edge_vertex, 1]
        bx, by = vertices[edge_vertex + 1, 0], vertices[edge_vertex + 1, 1]
        side, sure = cls._side(bx - ax, by - ay, centre_lons[entry_node] - ax, centre_lats[entry_node] - ay)
        edge_side = np.where(sure, np.sign(side), 0).astype(np.int8)
        no_vertices = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int16)
        index = cls(
            code0,
            code1,
            code2.astype(np.int32),
            code3.astype(np.int32),
            _narrow(candidate_start),
            candidate_owner,
            candidate_inside,
            _narrow(edge_start),
            edge_slot,
            edge_vertex,
            edge_side,
            np.ascontiguousarray(vertices[:, 0]),
            np.ascontiguousarray(vertices[:, 1]),
            *no_vertices,
            geometries,
        )
        index._vertex_key, index._vertex_index, index._vertex_answer = index._vertex_table()
        return index

    def __init__(
        self,
        code0: Any,
        code1: Any,
        code2: Any,
        code3: Any,
        candidate_start: Any,
        candidate_owner: Any,
        candidate_inside: Any,
        edge_start: Any,
        edge_slot: Any,
        edge_vertex: Any,
        edge_side: Any,
        vertex_lon: Any,
        vertex_lat: Any,
        vertex_key: Any,
        vertex_index: Any,
        vertex_answer: Any,
        geometries: Any,
    ) -> None:
        self._code0, self._code1, self._code2, self._code3 = code0, code1, code2, code3
        self._candidate_start, self._candidate_owner = candidate_start, candidate_owner
        self._candidate_inside = candidate_inside
        self._edge_start, self._edge_slot, self._edge_vertex = edge_start, edge_slot, edge_vertex
        self._edge_side, self._vertex_lon, self._vertex_lat = edge_side, vertex_lon, vertex_lat
        self._vertex_key, self._vertex_index, self._vertex_answer = vertex_key, vertex_index, vertex_answer
        # only points the crossing count cannot decide ask the polygons, each parsed on first need
        self._polygons_of = geometries if isinstance(geometries, Polygons) else Polygons(geometries)
        self._pure_runs: Any = None
        self._cache: Path | None = None  # the grid's cache directory, beside which `pure_runs` keeps its arrays
        self.columns, self.rows = self.COLUMNS, self.ROWS

    def cells(self, lats: Any, lons: Any) -> tuple[Any, Any, Any, Any, Any]:
        """Per point: its 1° cell, the cell's sole territory (-1 if none or mixed), whether a
        boundary crosses the cell, so only a finer look can answer, and the cell's row and
        column (cell = row x COLUMNS + column)."""
        import numpy as np

        # np.floor, not // 1: the same values, at a quarter of the cost
        column = np.clip(np.floor(np.asarray(lons, dtype=float) + 180).astype(np.int64), 0, self.COLUMNS - 1)
        row = np.clip(np.floor(np.asarray(lats, dtype=float) + 90).astype(np.int64), 0, self.ROWS - 1)
        cells = row * self.COLUMNS + column
        code = self._code0[cells]
        return cells, np.where(code >= 0, code, -1), code <= -2, row, column

    @property
    def runs_cache(self) -> Path | None:
        """Where `pure_runs` are kept: beside the grid's cache, named after it under a prefix of
        their own (a kind of cache pruned apart from the grids, data.paths.CACHE_KINDS)."""
        return self._cache.with_name(f"runs-v{self.RUNS_VERSION}-{self._cache.name}") if self._cache else None

    def pure_runs(self) -> Any:
        """The grid's 1/8° sub-cells, row after row (rows from 90° S, columns from 180° W, as a
        flat array: row x 2880 + column), each as one number, answer x RUN_BASE + run: its
        territory if it is pure (-1: open sea; MIXED where a boundary comes near it), and how
        many sub-cells from it eastwards, itself included, are pure with the same answer (at
        most RUN_CAP; 0 for a mixed sub-cell). Every point of a box of sub-cells whose rows all
        start with a run that long is answered alike, so its points need no lookup; one number
        per sub-cell is one memory access per test, not two. Made from the grid on first use (a
        quarter of a second) and kept beside the grid's cache, memory-mapped like it, for the
        next process."""
        if self._pure_runs is None:
            cache = self.runs_cache
            size = self.ROWS * self.SPLIT * self.COLUMNS * self.SPLIT
            try:
                if cache is None:
                    raise FileNotFoundError
                (runs,) = map_arrays(cache, "runs")
                if len(runs) != size:
                    raise ValueError("cached runs of the wrong shape")
            except Exception:  # missing, or damaged in any way: make them
                runs = self._make_runs()
                if cache is not None:
                    save_mapped(cache, runs=runs)
            self._pure_runs = runs
        return self._pure_runs

    def _make_runs(self) -> Any:
        import numpy as np

        split = self.SPLIT
        code0 = np.asarray(self._code0).reshape(self.ROWS, self.COLUMNS)
        block = np.where(code0 <= -2, -2 - code0, 0)
        code1 = np.asarray(self._code1).reshape(-1, split, split)
        sub = np.where((code0 <= -2)[:, :, None, None], code1[block], code0[:, :, None, None])
        owner = sub.transpose(0, 2, 1, 3).reshape(self.ROWS * split, self.COLUMNS * split).astype(np.int32)
        owner[owner <= -2] = self.MIXED
        run = runs_eastward(owner, self.MIXED, self.RUN_CAP).astype(np.int32)
        return owner.ravel() * self.RUN_BASE + run

    def cell_answers(self) -> Any:
        """Per 1° cell (row x COLUMNS + column, rows from 90° S): its sole territory, -1 for
        none, MIXED where a boundary crosses it."""
        import numpy as np

        code = np.asarray(self._code0)
        return np.where(code >= 0, code, np.where(code == -1, -1, self.MIXED)).astype(np.int64)

    def lookup(self, lats: Any, lons: Any, *, sampled: bool = False) -> Any:
        """Feature index per point (-1 outside every territory), as a numpy array. `sampled`:
        the points were made by arithmetic along a line (a leg's samples), which lands on a
        boundary vertex only by chance, so the crossing count answers all of them in the order
        given, without the vertex table's search and sort: the same answers (`_vertex_table`),
        a quarter less time on such points."""
        import numpy as np

        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        result, near = self._descend(lats, lons)
        if near is not None:
            points, node, centre_lats, centre_lons = near
            decide = self._count_crossings if sampled else self._decide
            result[points] = decide(node, lats[points], lons[points], centre_lats, centre_lons)
        return result

    def _descend(self, lats: Any, lons: Any) -> tuple[Any, Any]:
        """Per point, its code at the level where the grid answers it, and for the points in a
        mixed leaf (None if there are none) their places, nodes and nodes' centres."""
        import numpy as np

        split, leaves = self.SPLIT, self.LEAVES
        # rows and columns are clipped to be non-negative and SPLIT is a power of two: shifts and
        # masks give the same cells as // and %, which numpy does not vectorise for integers
        bits, mask = split.bit_length() - 1, split - 1
        with np.errstate(invalid="ignore"):  # NaN or inf: any cell; the polygons decide them below
            column = np.clip(((lons + 180) * leaves).astype(np.int64), 0, self.COLUMNS * leaves - 1)
            row = np.clip(((lats + 90) * leaves).astype(np.int64), 0, self.ROWS * leaves - 1)
        result = self._code0[(row >> 2 * bits) * self.COLUMNS + (column >> 2 * bits)]
        deeper = np.flatnonzero(result <= -2)
        if not len(deeper):
            return result, None
        row, column = row[deeper], column[deeper]
        code = self._code1[
            (-2 - result[deeper]) * (split * split) + ((row >> bits) & mask) * split + ((column >> bits) & mask)
        ]
        result[deeper] = code
        inner = np.flatnonzero(code <= -2)
        if not len(inner):
            return result, None
        block = -2 - code[inner].astype(np.int64)
        row, column = row[inner], column[inner]
        code = self._code2[block * (split * split) + (row & mask) * split + (column & mask)]
        result[deeper[inner]] = code
        near = np.flatnonzero(code <= -2)
        if not len(near):
            return result, None
        points = deeper[inner[near]]
        node = -2 - code[near].astype(np.int64)
        centre_lats = (row[near] + 0.5) / leaves - 90
        centre_lons = (column[near] + 0.5) / leaves - 180
        nodes = len(self._candidate_start) - 1
        fine = np.flatnonzero(node >= nodes)  # in a dense leaf: look in its block of fine leaves
        if len(fine):
            scale = leaves * split
            fine_column = np.clip(((lons[points[fine]] + 180) * scale).astype(np.int64), 0, self.COLUMNS * scale - 1)
            fine_row = np.clip(((lats[points[fine]] + 90) * scale).astype(np.int64), 0, self.ROWS * scale - 1)
            code = self._code3[
                (node[fine] - nodes) * (split * split) + (fine_row & mask) * split + (fine_column & mask)
            ]
            node[fine] = -2 - code
            centre_lats[fine] = (fine_row + 0.5) / scale - 90
            centre_lons[fine] = (fine_column + 0.5) / scale - 180
            pure = code >= -1
            if pure.any():
                result[points[fine[pure]]] = code[pure]
                rest = np.ones(len(node), dtype=bool)
                rest[fine[pure]] = False
                points, node, centre_lats, centre_lons = points[rest], node[rest], centre_lats[rest], centre_lons[rest]
        return result, (points, node, centre_lats, centre_lons)

    def _decide(self, leaf: Any, lats: Any, lons: Any, centre_lats: Any, centre_lons: Any) -> Any:
        """The lowest feature index holding each point (-1: none), among its leaf's candidates: a
        point exactly on a boundary vertex by the vertex table, any other by the crossing count."""
        import numpy as np

        keys = self._vertex_keys(leaf, lats, lons)
        # sorted by key, points of one node come together (their edges are read in order) and the
        # table is searched with ascending keys, which numpy's binary search walks in cache order
        order = np.argsort(keys)
        keys, leaf, lats, lons = keys[order], leaf[order], lats[order], lons[order]
        centre_lats, centre_lons = centre_lats[order], centre_lons[order]
        answer = np.empty(len(leaf), dtype=np.int64)
        at_vertex, position = self._at_vertices(keys, lats, lons)
        if len(position):
            answer[order[at_vertex]] = self._vertex_answer[position]
            rest = np.flatnonzero(~at_vertex)
            leaf, lats, lons, centre_lats, centre_lons = (
                leaf[rest],
                lats[rest],
                lons[rest],
                centre_lats[rest],
                centre_lons[rest],
            )
            order = order[rest]
        answer[order] = self._count_crossings(leaf, lats, lons, centre_lats, centre_lons)
        return answer

    # odd 64-bit multipliers (golden ratio, MurmurHash3's finaliser) that mix a coordinate's bits
    _MIX_LON, _MIX_LAT = 0x9E3779B97F4A7C15, 0xC4CEB9FE1A85EC53

    def _vertex_keys(self, node: Any, lats: Any, lons: Any) -> Any:
        """A point's key in the vertex table: its node in the high bits, then the high bits of a
        hash of its exact coordinates (-0.0 counted as 0.0, as equality counts it). Equal points
        of one node have equal keys; a key shared by different points (a hash collision within a
        node) only sends one of them to the crossing count, since a match needs equal coordinates."""
        import numpy as np

        node_bits = max(1, (len(self._candidate_start) - 1).bit_length())
        hash_bits = np.uint64(64 - node_bits)
        lon_bits = (np.asarray(lons, dtype=float) + 0.0).view(np.uint64)
        lat_bits = (np.asarray(lats, dtype=float) + 0.0).view(np.uint64)
        mixed = ((lon_bits * np.uint64(self._MIX_LON)) ^ lat_bits) * np.uint64(self._MIX_LAT)
        return (np.asarray(node).astype(np.uint64) << hash_bits) | (mixed >> np.uint64(node_bits))

    def _at_vertices(self, keys: Any, lats: Any, lons: Any) -> tuple[Any, Any]:
        """Which points (keys ascending) are exactly a boundary vertex in the table, and the table
        positions of those that are."""
        import numpy as np

        table = self._vertex_key
        if not len(table):
            return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
        position = np.searchsorted(table, keys)
        np.minimum(position, len(table) - 1, out=position)
        vertex = self._vertex_index[position]
        found = (table[position] == keys) & (self._vertex_lon[vertex] == lons) & (self._vertex_lat[vertex] == lats)
        return found, position[found]

    def _vertex_table(self) -> tuple[Any, Any, Any]:
        """Every distinct boundary vertex, sorted by its key (`_vertex_keys`): the key, the vertex
        (its place in vertex_lon and vertex_lat) and the lowest feature index holding it.

        A point exactly on a vertex is the costliest for the crossing count: vertices lie where
        edges are densest, and the point is an end of two edges or more (a vertex shared by two
        territories is on both boundaries, and the lowest feature index holds it, as in the
        untiled query). The answers are the crossing count's own, with the polygons deciding what
        it cannot, so the table changes no answer; it is built once with the grid and cached with
        it, and a point's lookup in it is one binary search in about a million keys."""
        import numpy as np

        lons, lats = np.asarray(self._vertex_lon) + 0.0, np.asarray(self._vertex_lat) + 0.0
        ordered = np.lexsort((lats, lons))
        distinct = np.concatenate(
            [[True], (lons[ordered[1:]] != lons[ordered[:-1]]) | (lats[ordered[1:]] != lats[ordered[:-1]])]
        )
        vertex = ordered[distinct]
        lats, lons = lats[vertex], lons[vertex]
        _, near = self._descend(lats, lons)
        if near is None:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int16)
        points, node, centre_lats, centre_lons = near
        keys = self._vertex_keys(node, lats[points], lons[points])
        order = np.argsort(keys)
        points, node, centre_lats, centre_lons = points[order], node[order], centre_lats[order], centre_lons[order]
        answer = self._count_crossings(node, lats[points], lons[points], centre_lats, centre_lons)
        narrow = np.int16 if answer.max(initial=-1) < 2**15 else np.int32
        return keys[order], vertex[points].astype(np.int32), answer.astype(narrow)

    def _count_crossings(self, leaf: Any, lats: Any, lons: Any, centre_lats: Any, centre_lons: Any) -> Any:
        """The lowest feature index holding each point (-1: none), among its leaf's candidates: by
        the parity of crossings between the leaf's centre and the point, or by the polygons where
        an orientation test is too close to call. Points of one node should come together
        (for speed only: any order gives the same answers)."""
        import numpy as np

        count = len(leaf)
        # (point, candidate) pairs, each point's candidates in ascending owner order
        first = self._candidate_start[leaf]
        candidates = self._candidate_start[leaf + 1] - first
        pair_point = np.repeat(np.arange(count), candidates)
        pair_base = np.cumsum(candidates) - candidates  # each point's first pair
        pair_candidate = np.repeat(first - pair_base, candidates) + np.arange(len(pair_point))
        # (point, edge) pairs: every edge near the point's node
        edge_first = self._edge_start[leaf]
        edges = self._edge_start[leaf + 1] - edge_first
        edge_point = np.repeat(np.arange(count), edges)
        entry = np.repeat(edge_first - (np.cumsum(edges) - edges), edges) + np.arange(len(edge_point))
        vertex = self._edge_vertex[entry]
        ax, ay = np.take(self._vertex_lon, vertex), np.take(self._vertex_lat, vertex)
        vertex += 1
        bx, by = np.take(self._vertex_lon, vertex), np.take(self._vertex_lat, vertex)
        px, py = np.repeat(lons, edges), np.repeat(lats, edges)
        # which side of each edge the point lies on; the node's centre's side was found at build
        rx, ry = px - ax, py - ay
        side_p, sure_p = self._side(bx - ax, by - ay, rx, ry)
        side_q = self._edge_side[entry]
        unsure = ~sure_p | (side_q == 0)
        straddle = np.flatnonzero(~unsure & ((side_p > 0) != (side_q > 0)))
        # a straddling edge crosses the segment from the point to the centre when its ends lie
        # on either side of that segment
        sx, sy, point = px[straddle], py[straddle], edge_point[straddle]
        dx, dy = centre_lons[point] - sx, centre_lats[point] - sy
        side_a, sure_a = self._side(dx, dy, ax[straddle] - sx, ay[straddle] - sy)
        side_b, sure_b = self._side(dx, dy, bx[straddle] - sx, by[straddle] - sy)
        unsure[straddle[~(sure_a & sure_b)]] = True
        crossed = straddle[sure_a & sure_b & ((side_a > 0) != (side_b > 0))]
        # a point equal to an edge's end lies on that candidate's boundary (its side is then 0);
        # an edge's end is the next edge's start, and that edge comes near the point's node too
        close = np.flatnonzero(~sure_p)
        on_vertex = close[(rx[close] == 0) & (ry[close] == 0)]
        unsure = np.flatnonzero(unsure)

        def pair(selected: Any) -> Any:
            return pair_base[edge_point[selected]] + self._edge_slot[entry[selected]]

        pairs = len(pair_point)
        parity = np.bincount(pair(crossed), minlength=pairs) & 1
        boundary = np.bincount(pair(on_vertex), minlength=pairs) > 0  # on the boundary: inside
        doubt = (np.bincount(pair(unsure), minlength=pairs) > 0) & ~boundary
        hit = boundary | ((self._candidate_inside[pair_candidate] ^ parity) == 1)
        owner = self._candidate_owner[pair_candidate]
        none = np.iinfo(np.int64).max
        best = _first_per_point(pair_point, owner, hit, count, none)
        doubted = _first_per_point(pair_point, owner, doubt, count, none)
        # a doubt about the answer's owner or a lower one (or any, with no answer) could change it;
        # a point off the globe (or not a number) was put in an edge leaf by clipping and lies
        # outside it: its segment leaves the leaf, so the polygons answer it, as before
        on_globe = (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
        ask = np.flatnonzero(((doubted != none) & (doubted <= best)) | ~on_globe)
        if len(ask):
            best[ask] = self._polygons(ask, pair_point, pair_candidate, count, lats, lons)
        return np.where(best == none, -1, best)

    @classmethod
    def _side(cls, ux: Any, uy: Any, vx: Any, vy: Any) -> tuple[Any, Any]:
        """The cross product of u and v (which side of u the point v lies on), and whether its
        sign is certain: outside the rounding error of its terms."""
        import numpy as np

        term1, term2 = ux * vy, uy * vx
        side = term1 - term2
        bound = np.abs(term1, out=term1)
        bound += np.abs(term2, out=term2)
        bound *= cls.ORIENTATION_ERROR
        return side, np.abs(side) > bound

    def _polygons(self, ask: Any, pair_point: Any, pair_candidate: Any, count: int, lats: Any, lons: Any) -> Any:
        """The lowest candidate owner whose polygon holds each asked point, by GEOS."""
        import numpy as np
        import shapely

        asked = np.zeros(count, dtype=bool)
        asked[ask] = True
        chosen = np.flatnonzero(asked[pair_point])
        point, owner = pair_point[chosen], self._candidate_owner[pair_candidate[chosen]]
        hit = shapely.intersects_xy(self._polygons_of.take(owner), lons[point], lats[point])
        best = _first_per_point(point, owner, hit, count, np.iinfo(np.int64).max)
        return best[ask]


def _narrow(values: Any) -> Any:
    """Non-negative integers in the narrowest of int8, int16 and int32 that holds them (the
    index is held in memory by every process that locates points in bulk)."""
    import numpy as np

    top = int(values.max()) if len(values) else 0
    for kind in (np.int8, np.int16, np.int32):
        if top <= np.iinfo(kind).max:
            return values.astype(kind)
    return values.astype(np.int64)


def _first_per_point(point: Any, owner: Any, keep: Any, count: int, none: int) -> Any:
    """Per point, the first kept owner (pairs come grouped by point, owners ascending), or `none`."""
    import numpy as np

    best = np.full(count, none, dtype=np.int64)
    kept = np.flatnonzero(keep)
    if len(kept):
        points = point[kept]
        first = np.concatenate([[True], points[1:] != points[:-1]])
        best[points[first]] = owner[kept[first]]
    return best


def sorted_unique(values: Any) -> Any:
    """Sorted distinct values, by a sort: numpy's unique is slower on millions of integers, and
    its first call imports numpy.ma (about 10 ms of CPU), which nothing else here needs."""
    import numpy as np

    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


def _boundary_segments(geometries: Any) -> tuple[Any, Any, Any]:
    """The boundaries' vertices (lon, lat), and per edge its first vertex (it runs to the next)
    and its territory."""
    import numpy as np
    import shapely

    rings, owner_of_ring = shapely.get_parts(shapely.boundary(geometries), return_index=True)
    coordinates, ring = shapely.get_coordinates(rings, return_index=True)
    segment = np.flatnonzero(ring[1:] == ring[:-1])
    return np.ascontiguousarray(coordinates, dtype=float), segment, owner_of_ring[ring[segment]].astype(np.int64)


def _edges_near(
    vertices: Any, segment_vertex: Any, per_degree: int, epsilon: float, among: Any = None
) -> tuple[Any, Any]:
    """Distinct (cell key, edge) pairs, sorted, for every cell of a 1/`per_degree`-degree grid
    that an edge (of `among`, or all) comes within `epsilon` of (see cells_near_segments)."""
    import numpy as np

    among = np.arange(len(segment_vertex)) if among is None else among
    first = segment_vertex[among]
    keys, edges = cells_near_segments(vertices[first], vertices[first + 1], per_degree, epsilon)
    order = np.lexsort((edges, keys))
    keys, edges = keys[order], edges[order]
    distinct = np.ones(len(keys), dtype=bool)  # empty when no edge comes near (a map with no dense leaf)
    distinct[1:] = (keys[1:] != keys[:-1]) | (edges[1:] != edges[:-1])
    return keys[distinct], among[edges[distinct]]


def _contains(sorted_values: Any, values: Any) -> Any:
    """Whether each of `values` is in `sorted_values` (sorted, distinct)."""
    import numpy as np

    position = np.searchsorted(sorted_values, values)
    inside = position < len(sorted_values)
    inside[inside] = sorted_values[position[inside]] == values[inside]
    return inside


def cells_near_segments(start: Any, end: Any, per_degree: int, epsilon: float) -> tuple[Any, Any]:
    """(cell key, segment) pairs, not distinct, for every cell of a 1/`per_degree`-degree grid
    that a segment (lon, lat arrays `start` -> `end`) comes within `epsilon` degrees of; a key is
    row * columns + column. Segments are cut into pieces shorter than a cell, and each piece's
    box, grown by epsilon, marks the cells it touches: a superset of the cells the exact segment
    touches. Shared by the bulk grid's leaves and the point grid's sub-cells."""
    import numpy as np

    origin = np.array([180.0, 90.0])  # cell units, computed as lookups compute them: (lon + 180) * per_degree
    start = (start + origin) * per_degree
    end = (end + origin) * per_degree
    pieces = np.maximum(1, np.ceil(np.abs(end - start).max(axis=1))).astype(np.int64)
    segment = np.repeat(np.arange(len(start)), pieces)
    step = np.arange(len(segment)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    share = (end - start)[segment] / pieces[segment, None]
    a = start[segment] + share * step[:, None]
    b = start[segment] + share * (step[:, None] + 1)
    margin = epsilon * per_degree
    low = np.floor(np.minimum(a, b) - margin).astype(np.int64)
    high = np.floor(np.maximum(a, b) + margin).astype(np.int64)
    columns, rows = 360 * per_degree, 180 * per_degree
    span = int((high - low).max()) + 1 if len(low) else 0  # pieces are shorter than a cell: at most 3
    keys, segments = [], []
    for dx in range(span):
        for dy in range(span):
            column, row = low[:, 0] + dx, low[:, 1] + dy
            ok = (column <= high[:, 0]) & (row <= high[:, 1])
            keys.append(np.clip(row[ok], 0, rows - 1) * columns + np.clip(column[ok], 0, columns - 1))
            segments.append(segment[ok])
    if not keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(segments)


_OWNERS = 1 << 16  # more territories than any boundary file holds: (key, owner) pairs packed in one int64


def _block_codes(
    untiled: TerritoryIndex, parents: Any, parent_columns: int, parent_size: float, split: int, mixed: Any, columns: int
) -> Any:
    """Codes of the split x split children of each parent cell: -2 - k for the k-th mixed child
    (in `mixed`, sorted keys at the children's level), else the territory holding the child,
    found once per connected group of pure children by testing one centre."""
    import numpy as np

    if not len(parents):  # no cell at this level needs splitting (a small map)
        return np.zeros(0, dtype=np.int64)
    size = parent_size / split
    parent_row, parent_column = parents // parent_columns, parents % parent_columns
    offset_row, offset_column = np.divmod(np.arange(split * split), split)
    child_row = parent_row[:, None] * split + offset_row[None, :]
    child_column = parent_column[:, None] * split + offset_column[None, :]
    keys = child_row * columns + child_column
    position = np.searchsorted(mixed, keys)
    is_mixed = (position < len(mixed)) & (mixed[np.minimum(position, len(mixed) - 1)] == keys)
    labels = _components(~is_mixed.reshape(-1, split, split)).reshape(len(parents), -1)
    first = np.unique(labels[~is_mixed])
    lats = (child_row.ravel()[first] + 0.5) * size - 90
    lons = (child_column.ravel()[first] + 0.5) * size - 180
    owner_of_label = np.full(labels.size, -1, dtype=np.int64)
    owner_of_label[first] = _first_hits(untiled, lats, lons)
    codes = np.where(is_mixed, -2 - position, owner_of_label[np.where(is_mixed, 0, labels)])
    return codes.ravel()


def _components(pure: Any) -> Any:
    """Connected groups (sharing an edge) of pure cells in each block, labelled by the flat index
    of their first cell; impure cells get the largest index. Labels spread by taking the smallest
    label among pure neighbours until nothing changes (blocks are small: a few dozen rounds)."""
    import numpy as np

    big = np.iinfo(np.int64).max
    labels = np.where(pure, np.arange(pure.size).reshape(pure.shape), big)
    while True:
        spread = labels.copy()
        np.minimum(spread[:, 1:, :], labels[:, :-1, :], out=spread[:, 1:, :])
        np.minimum(spread[:, :-1, :], labels[:, 1:, :], out=spread[:, :-1, :])
        np.minimum(spread[:, :, 1:], labels[:, :, :-1], out=spread[:, :, 1:])
        np.minimum(spread[:, :, :-1], labels[:, :, 1:], out=spread[:, :, :-1])
        spread = np.where(pure, spread, big)
        if np.array_equal(spread, labels):
            return labels
        labels = spread


def _all_hits(untiled: TerritoryIndex, lats: Any, lons: Any) -> tuple[Any, Any]:
    """(point, feature) pairs for every territory holding each point, by the untiled polygons:
    the tree's boxes give candidates, the prepared polygons decide (an STRtree predicate query
    would not use them prepared, and is several times slower)."""
    import numpy as np
    import shapely

    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    point, feature = untiled.tree.query(shapely.points(lons, lats))
    shapely.prepare(untiled.geometries)
    hit = shapely.intersects_xy(untiled.geometries[feature], lons[point], lats[point])
    return point[hit].astype(np.int64), feature[hit].astype(np.int64)


def _first_hits(untiled: TerritoryIndex, lats: Any, lons: Any) -> Any:
    """The lowest feature index holding each point (-1: none), by the untiled polygons."""
    import numpy as np

    point, feature = _all_hits(untiled, lats, lons)
    none = np.iinfo(np.int64).max
    best = np.full(len(lats), none, dtype=np.int64)
    np.minimum.at(best, point, feature)
    return np.where(best == none, -1, best)
