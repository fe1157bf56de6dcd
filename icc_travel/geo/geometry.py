"""Point-in-territory lookup. The only module that imports shapely, and only when called.

Territories are disjoint by construction (scripts/build_territories.py, checked by the tests):
only points on a shared boundary touch two features. Both lookups (an STRtree over the polygons
for a few points, a three-level grid for many) then apply the same rule, the feature first in
the file wins, so `check`, small batches and bulk lookups always agree.
Parsed polygons are cached as WKB beside the user's cache (160 ms -> 10 ms per run).
"""

from __future__ import annotations

import functools
import hashlib
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


def file_digest(path: Path) -> str:
    """A short content hash naming the caches built from a territories file; the polygons and
    the grid both need it, so the file is read and hashed once per process."""
    stat = path.stat()
    return _digest(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    from icc_travel.data.boundaries import read_geometry_bytes

    return hashlib.sha256(read_geometry_bytes(path)).hexdigest()[:16]


def _load_geometries(path: Path) -> Any:
    cache = paths.cache_dir() / f"territories-{file_digest(path)}.npz"
    try:
        return load_wkb(cache)
    except Exception:  # missing, or damaged in any way (a cut zip, bad WKB): rebuild it
        pass
    geometries = read_geometries(path)
    save_wkb(cache, geometries)
    return geometries


def save_wkb(path: Path, geometries: Any, **arrays: Any) -> None:
    """Geometries as one WKB byte buffer plus offsets (a fixed-width bytes array would drop
    trailing zero bytes, and a WKB ending in a 0.0 coordinate with them)."""
    import numpy as np
    import shapely

    blobs = shapely.to_wkb(geometries)
    offsets = np.cumsum([0, *(len(b) for b in blobs)], dtype=np.int64)
    save_arrays(path, wkb=np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets=offsets, **arrays)


def save_arrays(path: Path, **arrays: Any) -> None:
    """A cache file of named arrays, written whole beside its final name and then moved there (a
    concurrent reader sees the old file or the new one); a cache that cannot be written is skipped."""
    import os

    import numpy as np

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(temporary, **arrays)
        temporary.replace(path)
    except OSError:
        pass


def load_wkb(path: Path) -> Any:
    import numpy as np
    import shapely

    with np.load(path, allow_pickle=False) as stored:
        data, offsets = stored["wkb"].tobytes(), stored["offsets"]
        return shapely.from_wkb([data[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)])


def load_arrays(path: Path, *names: str) -> list[Any]:
    import numpy as np

    with np.load(path, allow_pickle=False) as stored:
        return [stored[name] for name in names]


class TiledIndex:
    """Bulk point lookup: a three-level grid decides almost every point by array lookups, and the
    territories' own polygons decide the few points next to a boundary.

    The grid has 1° cells, split into 8 x 8 sub-cells of 1/8°, split again into 8 x 8 leaves of
    1/64° (about 1.7 km). A cell at any level is *pure* when no boundary segment of any territory
    comes within a nanodegree of it (closed box), found by walking every segment through the
    leaves it crosses. A pure cell lies wholly inside one territory or outside all of them, and
    so do the pure cells that share an edge with it: each connected group of pure cells is
    answered once, by testing one cell centre against the untiled polygons. A point in a leaf a
    boundary comes near is tested against the whole polygons of the territories whose boundaries
    come near its sub-cell or that hold the sub-cell's centre (no clipped pieces, so no rounding
    from clipping), and ties on a shared
    boundary go to the lowest feature index, as in the untiled query. The answers are therefore
    the untiled polygons' answers, at array speed everywhere except within a leaf of a border.

    Codes per cell: a feature index (>= 0), -1 for no territory, or -2 - k: look in block k of
    the next level (at the last level, -2 means "test the polygons").
    """

    SPLIT = 8  # sub-cells per side at each level below the 1° grid
    LEAVES = 64  # leaves per degree: SPLIT * SPLIT
    COLUMNS, ROWS = 360, 180  # 1° cells
    EPSILON = 1e-9  # degrees: a segment this close to a cell makes it impure (rounding margin)
    VERSION = 5  # of the cached arrays' layout and rules

    @classmethod
    def cached(cls, path: Path, geometries: Any) -> TiledIndex:
        """The index for a territories file, built once (a few seconds) and then read from the cache."""
        cache = paths.cache_dir() / f"tiles-v{cls.VERSION}-{file_digest(path)}.npz"
        names = ("code0", "code1", "code2", "candidate_start", "candidate_owner")
        try:
            arrays = load_arrays(cache, *names)
            code0, code1, code2, start, _ = arrays
            cells = cls.SPLIT * cls.SPLIT
            if len(code0) != cls.COLUMNS * cls.ROWS or len(code1) % cells or len(code2) != (len(start) - 1) * cells:
                raise ValueError("cached grid of the wrong shape")
        except Exception:  # missing, or damaged in any way: rebuild it
            index = cls.build(geometries)
            save_arrays(cache, **{name: getattr(index, f"_{name}") for name in names})
            return index
        return cls(*arrays, geometries)

    @classmethod
    def build(cls, geometries: Any) -> TiledIndex:
        import numpy as np

        geometries = np.asarray(geometries)
        crossed, crossed_by = _boundary_leaves(geometries, cls.LEAVES, cls.EPSILON)  # (leaf, territory) pairs
        leaf_keys = np.unique(crossed)
        leaf_columns = cls.COLUMNS * cls.LEAVES
        row, column = crossed // leaf_columns, crossed % leaf_columns
        sub_columns = cls.COLUMNS * cls.SPLIT
        mixed_sub = np.unique((row // cls.SPLIT) * sub_columns + column // cls.SPLIT)
        mixed_cell = np.unique((row // cls.LEAVES) * cls.COLUMNS + column // cls.LEAVES)
        untiled = TerritoryIndex(geometries=geometries)

        # 1° cells: pure ones answered by their centres
        code0 = np.full(cls.COLUMNS * cls.ROWS, -1, dtype=np.int32)
        pure0 = np.setdiff1d(np.arange(len(code0)), mixed_cell)
        code0[pure0] = _first_hits(untiled, (pure0 // cls.COLUMNS) + 0.5 - 90, (pure0 % cls.COLUMNS) + 0.5 - 180)
        code0[mixed_cell] = -2 - np.arange(len(mixed_cell), dtype=np.int32)

        # 1/8° sub-cells of each mixed cell
        code1 = _block_codes(untiled, mixed_cell, cls.COLUMNS, 1.0, cls.SPLIT, mixed_sub, sub_columns).astype(np.int32)
        # 1/64° leaves of each mixed sub-cell
        code2 = _block_codes(untiled, mixed_sub, sub_columns, 1.0 / cls.SPLIT, cls.SPLIT, leaf_keys, leaf_columns)
        code2 = np.maximum(code2, -2)  # the last level: -2 means "test the polygons"
        # candidates for a point in a leaf a boundary touches: the territories whose boundaries
        # come near its sub-cell (a superset: the marking is conservative), and whichever hold
        # the sub-cell's centre. A territory that reaches into the sub-cell without its boundary
        # coming near holds all of it, centre included, so no owner is left out.
        block_of_leaf = np.searchsorted(mixed_sub, (row // cls.SPLIT) * sub_columns + column // cls.SPLIT)
        centre_lats = (mixed_sub // sub_columns + 0.5) / cls.SPLIT - 90
        centre_lons = (mixed_sub % sub_columns + 0.5) / cls.SPLIT - 180
        block_of_centre, holder = _all_hits(untiled, centre_lats, centre_lons)
        pairs = np.unique(
            np.concatenate([block_of_leaf.astype(np.int64) * _OWNERS + crossed_by, block_of_centre * _OWNERS + holder])
        )
        candidate_owner = (pairs % _OWNERS).astype(np.int32)
        candidate_start = np.searchsorted(pairs // _OWNERS, np.arange(len(mixed_sub) + 1)).astype(np.int64)
        return cls(code0, code1, code2.astype(np.int16), candidate_start, candidate_owner, geometries)

    def __init__(
        self, code0: Any, code1: Any, code2: Any, candidate_start: Any, candidate_owner: Any, geometries: Any
    ) -> None:
        self._code0, self._code1, self._code2 = code0, code1, code2
        self._candidate_start, self._candidate_owner = candidate_start, candidate_owner
        self._geometries = geometries
        self.columns, self.rows = self.COLUMNS, self.ROWS

    @functools.cached_property
    def _prepared(self) -> Any:
        """The whole polygons, prepared on first need (only points next to a boundary use them)."""
        import numpy as np
        import shapely

        geometries = np.asarray(self._geometries)
        shapely.prepare(geometries)
        return geometries

    def cells(self, lats: Any, lons: Any) -> tuple[Any, Any, Any]:
        """Per point: its 1° cell, the cell's sole territory (-1 if none or mixed), and whether a
        boundary crosses the cell, so only a finer look can answer."""
        import numpy as np

        column = np.clip(((np.asarray(lons, dtype=float) + 180) // 1).astype(np.int64), 0, self.COLUMNS - 1)
        row = np.clip(((np.asarray(lats, dtype=float) + 90) // 1).astype(np.int64), 0, self.ROWS - 1)
        cells = row * self.COLUMNS + column
        code = self._code0[cells]
        return cells, np.where(code >= 0, code, -1), code <= -2

    def lookup(self, lats: Any, lons: Any) -> Any:
        """Feature index per point (-1 outside every territory), as a numpy array."""
        import numpy as np

        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        split, leaves = self.SPLIT, self.LEAVES
        column = np.clip(((lons + 180) * leaves).astype(np.int64), 0, self.COLUMNS * leaves - 1)
        row = np.clip(((lats + 90) * leaves).astype(np.int64), 0, self.ROWS * leaves - 1)
        result = self._code0[(row // leaves) * self.COLUMNS + column // leaves]
        deeper = np.flatnonzero(result <= -2)
        if not len(deeper):
            return result
        row, column = row[deeper], column[deeper]
        code = self._code1[
            (-2 - result[deeper]) * (split * split) + ((row // split) % split) * split + (column // split) % split
        ]
        result[deeper] = code
        inner = np.flatnonzero(code <= -2)
        if not len(inner):
            return result
        block = -2 - code[inner].astype(np.int64)
        code = self._code2[block * (split * split) + (row[inner] % split) * split + column[inner] % split]
        result[deeper[inner]] = code
        near = np.flatnonzero(code == -2)
        if len(near):
            points = deeper[inner[near]]
            result[points] = self._test(block[near], lats[points], lons[points])
        return result

    def _test(self, block: Any, lats: Any, lons: Any) -> Any:
        """The lowest feature index whose polygon holds each point, among its sub-cell's candidates."""
        import numpy as np
        import shapely

        first = self._candidate_start[block]
        count = self._candidate_start[block + 1] - first
        point = np.repeat(np.arange(len(block)), count)
        pair = np.repeat(first - np.cumsum(count) + count, count) + np.arange(len(point))
        owner = self._candidate_owner[pair]
        hit = shapely.intersects_xy(self._prepared[owner], lons[point], lats[point])
        none = np.iinfo(np.int32).max
        best = np.full(len(block), none, dtype=np.int64)
        np.minimum.at(best, point[hit], owner[hit])
        return np.where(best == none, -1, best)


def _boundary_leaves(geometries: Any, leaves: int, epsilon: float) -> tuple[Any, Any]:
    """Every leaf (1/`leaves` degree) that a boundary segment comes within `epsilon` of, as
    sorted unique keys (row * columns + column), with the territory whose boundary it is.
    Segments are cut into pieces shorter than a leaf, and each piece's box, grown by epsilon,
    marks the leaves it touches: a superset of the leaves the exact segment touches."""
    import numpy as np
    import shapely

    rings, owner_of_ring = shapely.get_parts(shapely.boundary(geometries), return_index=True)
    coordinates, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    start, end = coordinates[:-1][same], coordinates[1:][same]
    owner = owner_of_ring[ring[:-1][same]]
    keys, segments = cells_near_segments(start, end, leaves, epsilon)
    pairs = np.unique(keys * _OWNERS + owner[segments])
    return pairs // _OWNERS, pairs % _OWNERS


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
