"""Point-in-territory lookup. The only module that imports shapely, and only when called.

Territories are disjoint by construction (scripts/build_territories.py, checked by the tests):
only points on a shared boundary touch two features. Both lookups then apply the same rule, the
feature first in the file wins, so `check`, small batches and bulk lookups always agree.
Parsed polygons are cached as WKB beside the user's cache (160 ms -> 10 ms per run).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from icc_travel.data import paths
from icc_travel.data.boundaries import parse_geometries


class TerritoryIndex:
    """An STRtree over the territory polygons, in the order of the features in the file."""

    def __init__(self, path: Path | None = None, *, geometries: Any = None) -> None:
        import shapely

        self.geometries = _load_geometries(path) if geometries is None else geometries
        self._tree = shapely.STRtree(self.geometries)

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[list[int]]:
        import numpy as np
        import shapely

        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, feature_idx = self._tree.query(points, predicate="intersects")
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
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _load_geometries(path: Path) -> Any:
    cache = paths.cache_dir() / f"territories-{file_digest(path)}.npz"
    try:
        return load_wkb(cache)
    except Exception:  # missing, or damaged in any way (a cut zip, bad WKB): rebuild it
        pass
    geometries = parse_geometries(path.read_bytes())
    save_wkb(cache, geometries)
    return geometries


def save_wkb(path: Path, geometries: Any, **arrays: Any) -> None:
    """Geometries as one WKB byte buffer plus offsets (a fixed-width bytes array would drop
    trailing zero bytes, and a WKB ending in a 0.0 coordinate with them)."""
    import os

    import numpy as np
    import shapely

    blobs = shapely.to_wkb(geometries)
    offsets = np.cumsum([0, *(len(b) for b in blobs)], dtype=np.int64)
    buffer = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(temporary, wkb=buffer, offsets=offsets, **arrays)
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
    """Bulk point lookup: a grid decides most points by array lookup, pieces decide the rest.

    Each CELL-degree cell is classified once: wholly inside one territory (answer known), touching
    no territory (answer none), or mixed. A point in a mixed cell is tested against the
    territories clipped to its cell (small prepared polygons, sorted by cell so a point's
    candidates are one slice). Answers equal an untiled polygon query: ties on shared boundaries
    resolve to the lowest feature index in both, and a point on a cell edge (a border along a
    whole degree) is answered by the untiled query, since its cell alone cannot see both sides.
    """

    CELL = 1.0

    @classmethod
    def cached(cls, path: Path, geometries: Any) -> TiledIndex:
        """The index for a territories file, built once (~2.5 s) and then read from the cache."""
        cache = paths.cache_dir() / f"tiles-v3-{file_digest(path)}-{cls.CELL}.npz"
        try:
            pieces = load_wkb(cache)
            owner, mixed, piece_owner, piece_cell = load_arrays(cache, "owner", "mixed", "piece_owner", "piece_cell")
        except Exception:  # missing, or damaged in any way: rebuild it
            index = cls.build(geometries)
            save_wkb(
                cache,
                index._pieces,
                owner=index._owner,
                mixed=index._mixed,
                piece_owner=index._piece_owner,
                piece_cell=index._piece_cell,
            )
            return index
        return cls(cls.CELL, owner, mixed, pieces, piece_owner, piece_cell, geometries)

    @classmethod
    def build(cls, geometries: Any, cell: float = CELL, coarse: float = 10.0) -> TiledIndex:
        import numpy as np
        import shapely

        # Clip to coarse boxes first: intersecting Russia with 1,700 small cells directly is slow.
        coarse_pieces, coarse_owner = _clip(np.asarray(geometries), np.arange(len(geometries)), _grid(coarse))
        cells = _grid(cell)
        cell_idx, piece_idx = shapely.STRtree(coarse_pieces).query(cells, predicate="intersects")
        clipped = shapely.intersection(coarse_pieces[piece_idx], cells[cell_idx])
        area = shapely.area(clipped) > 0
        touching = ~area & ~shapely.is_empty(clipped)  # a territory meeting the cell in a point or line
        cell_idx, piece_idx, clipped, area = (
            cell_idx[area | touching],
            piece_idx[area | touching],
            clipped[area | touching],
            area[area | touching],
        )
        counts = np.bincount(cell_idx[area], minlength=len(cells))
        single = area & (counts[cell_idx] == 1)
        whole = np.zeros(len(cell_idx), dtype=bool)
        whole[single] = shapely.covers(coarse_pieces[piece_idx[single]], cells[cell_idx[single]])
        owner = np.full(len(cells), -1, dtype=np.int32)  # -1: no territory
        owner[cell_idx[whole]] = coarse_owner[piece_idx[whole]]
        mixed = np.zeros(len(cells), dtype=bool)
        mixed[cell_idx[area & ~whole]] = True
        # pieces: every area piece of a mixed cell, and the touching ones there (a point exactly on
        # such a touch belongs to both territories, as in the untiled query)
        kept = ~whole & mixed[cell_idx]
        piece_owner = coarse_owner[piece_idx[kept]].astype(np.int32)
        return cls(cell, owner, mixed, clipped[kept], piece_owner, cell_idx[kept], geometries)

    def __init__(
        self, cell: float, owner: Any, mixed: Any, pieces: Any, piece_owner: Any, piece_cell: Any, geometries: Any
    ) -> None:
        import numpy as np
        import shapely

        self.cell = cell
        self.columns = round(360 / cell)
        self.rows = round(180 / cell)
        self._owner, self._mixed = owner, mixed
        self._geometries = geometries
        order = np.argsort(piece_cell, kind="stable")
        self._pieces = np.asarray(pieces)[order]
        self._piece_owner = np.asarray(piece_owner, dtype=np.int32)[order]
        self._piece_cell = np.asarray(piece_cell, dtype=np.int64)[order]
        shapely.prepare(self._pieces)
        self._edges  # noqa: B018 - built with the index, not on the first lookup

    @functools.cached_property
    def _untiled(self) -> TerritoryIndex:
        return TerritoryIndex(geometries=self._geometries)

    def _hits(self, piece: Any, lons: Any, lats: Any) -> Any:
        """Whether each point touches its candidate piece's territory. The clipped piece answers
        inside the cell; a point within a nanodegree of the piece's edge is answered by the whole
        territory instead, since clipping can move an edge by a rounding error either way and
        the untiled query would not."""
        import numpy as np
        import shapely

        hit = shapely.intersects_xy(self._pieces[piece], lons, lats)
        edge = np.flatnonzero(shapely.intersects_xy(self._edges[piece], lons, lats))
        if len(edge):
            owners = self._piece_owner[piece[edge]]
            geometries = np.asarray(self._geometries)
            shapely.prepare(geometries[np.unique(owners)])  # only the territories needed; kept prepared
            hit[edge] = shapely.intersects_xy(geometries[owners], lons[edge], lats[edge])
        return hit

    @functools.cached_property
    def _edges(self) -> Any:
        """Each piece's boundary grown by a nanodegree each side (prepared)."""
        import shapely

        edges = shapely.buffer(shapely.boundary(self._pieces), 1e-9, quad_segs=1)
        shapely.prepare(edges)
        return edges

    def cells(self, lats: Any, lons: Any) -> tuple[Any, Any, Any]:
        """Per point: its grid cell, the cell's sole territory (-1 if none or mixed), and whether
        the cell is mixed (holds a border or coast) so only a polygon test can answer."""
        import numpy as np

        column = np.clip(((np.asarray(lons, dtype=float) + 180) // self.cell).astype(np.int64), 0, self.columns - 1)
        row = np.clip(((np.asarray(lats, dtype=float) + 90) // self.cell).astype(np.int64), 0, self.rows - 1)
        cells = row * self.columns + column
        return cells, self._owner[cells], self._mixed[cells]

    def lookup(self, lats: Any, lons: Any) -> Any:
        """Feature index per point (-1 outside every territory), as a numpy array."""
        import numpy as np

        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        cells, owner, mixed = self.cells(lats, lons)
        result = owner.copy()
        on_edge = (np.mod(lats, self.cell) == 0) | (np.mod(lons, self.cell) == 0)
        if on_edge.any():
            edge = np.flatnonzero(on_edge)
            result[edge] = [min(hits, default=-1) for hits in self._untiled.locate_many(lats[edge], lons[edge])]
            mixed = mixed & ~on_edge
        pending = np.flatnonzero(mixed)
        if not len(pending):
            return result
        # candidate pairs: each pending point with every piece of its cell
        first = np.searchsorted(self._piece_cell, cells[pending], "left")
        count = np.searchsorted(self._piece_cell, cells[pending], "right") - first
        point = np.repeat(np.arange(len(pending)), count)
        piece = np.repeat(first - np.cumsum(count) + count, count) + np.arange(len(point))
        hit = self._hits(piece, lons[pending[point]], lats[pending[point]])
        none = np.iinfo(np.int32).max
        best = np.full(len(pending), none, dtype=np.int64)
        np.minimum.at(best, point[hit], self._piece_owner[piece[hit]])
        result[pending] = np.where(best == none, -1, best)
        return result


def _grid(cell: float) -> Any:
    """Boxes of `cell` degrees covering the globe, row by row from the south-west."""
    import numpy as np
    import shapely

    columns, rows = round(360 / cell), round(180 / cell)
    west, south = np.meshgrid(np.arange(columns) * cell - 180, np.arange(rows) * cell - 90, indexing="xy")
    return shapely.box(west, south, west + cell, south + cell).ravel()


def _clip(geometries: Any, owners: Any, boxes: Any) -> tuple[Any, Any]:
    import shapely

    box_idx, geometry_idx = shapely.STRtree(geometries).query(boxes, predicate="intersects")
    pieces = shapely.intersection(geometries[geometry_idx], boxes[box_idx])
    keep = shapely.area(pieces) > 0
    return pieces[keep], owners[geometry_idx[keep]]
