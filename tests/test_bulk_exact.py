"""The bulk grid's crossing count (geo.geometry.TiledIndex._decide) gives the polygons' answer
where a crossing count goes wrong: points exactly on edges and vertices (shared ones too), in
holes, on the grid's own lines and node centres, on segments through a vertex, across the
antimeridian and at the poles. The reference is the polygons themselves (an STRtree of boxes,
then GEOS `intersects_xy` on the prepared polygons; lowest feature index wins)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from test_bulk import untiled

from icc_travel.data import paths
from icc_travel.data.models import Dataset
from icc_travel.geo.geometry import TerritoryIndex, TiledIndex, _load_geometries, load_wkb, map_arrays, save_wkb

pytestmark = pytest.mark.dateless  # the grid's build, cache and crossing count: geometry, no date


@pytest.fixture(scope="module")
def geometries(dataset: Dataset) -> np.ndarray:
    return TerritoryIndex(Path(dataset.territories_path)).geometries


@pytest.fixture(scope="module")
def tiled(dataset: Dataset, geometries: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> TiledIndex:
    """The index as commands load it (built, written to a cache and read back, the polygons
    given through a loader, asked for on first need), in a cache of this module's own."""
    path = Path(dataset.territories_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("tiles")))
        TiledIndex.cached(path, lambda: geometries)
        loaded = []
        index = TiledIndex.cached(path, lambda: loaded.append(1) or geometries)
    assert loaded == []  # read from the cache: the polygons are not needed to answer
    return index


def boundary_vertices(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every boundary vertex (lon, lat), its ring, and whether the ring is a hole's."""
    rings, polygon = shapely.get_rings(shapely.get_parts(geometries), return_index=True)
    hole = np.concatenate([[False], polygon[1:] == polygon[:-1]])  # each polygon's first ring is its outline
    coordinates, ring = shapely.get_coordinates(rings, return_index=True)
    return coordinates, ring, hole[ring]


def test_points_on_edges_vertices_and_holes(geometries: np.ndarray, tiled: TiledIndex) -> None:
    rng = np.random.default_rng(2028)
    coordinates, ring, in_hole = boundary_vertices(geometries)
    assert in_hole.any()  # real data: lakes, enclaves (Lesotho in South Africa, San Marino in Italy)
    pick = rng.choice(len(coordinates) - 1, 6_000, replace=False)
    pick = pick[ring[pick] == ring[pick + 1]]  # an edge from vertex pick to pick + 1
    holes = np.flatnonzero(in_hole[:-1] & (ring[:-1] == ring[1:]))
    pick = np.concatenate([pick, rng.choice(holes, min(2_000, len(holes)), replace=False)])
    a, b = coordinates[pick], coordinates[pick + 1]
    axis = (a[:, 0] == b[:, 0]) | (a[:, 1] == b[:, 1])  # on these, a midpoint is exactly on the edge
    sets = {
        "vertices": a,
        "edge middles": (a + b) / 2,
        "exact middles of axis-parallel edges": ((a + b) / 2)[axis],
        "a quarter along edges": a + (b - a) / 4,
        "a nanometre off vertices": a + rng.normal(0, 1e-14, a.shape),
        "on fine-leaf lines": np.round(a * 512) / 512,
        "on leaf centres": (np.floor(a * 64) + 0.5) / 64,
        "on fine-leaf centres": (np.floor(a * 512) + 0.5) / 512,
        # beyond a vertex, seen from its fine leaf's centre: the segment back runs through it
        "behind vertices": a + (a - (np.floor(a * 512) + 0.5) / 512) * 0.25,
    }
    assert len(sets["exact middles of axis-parallel edges"]) > 10
    for name, points in sets.items():
        lons, lats = np.clip(points[:, 0], -180, 180), np.clip(points[:, 1], -90, 90)
        expected = untiled(geometries, lats, lons)
        assert np.array_equal(tiled.lookup(lats, lons), expected), name
        # as a leg's samples are looked up: the crossing count alone, in the order given
        assert np.array_equal(tiled.lookup(lats, lons, sampled=True), expected), name


def test_every_vertex_is_answered_by_the_table_as_the_polygons_answer(
    geometries: np.ndarray, tiled: TiledIndex
) -> None:
    """A point exactly on a boundary vertex is answered from the vertex table, not the crossing
    count: every distinct vertex must be found there, and the answers must be the polygons'. A
    vertex two territories share lies on both boundaries, so both hold it and the lower feature
    index wins, as in the untiled query."""
    rng = np.random.default_rng(1931)
    coordinates, feature = shapely.get_coordinates(shapely.boundary(geometries), return_index=True)
    rows = np.unique(np.column_stack([coordinates, feature]), axis=0)  # (lon, lat, feature) once each
    points, owners = np.unique(rows[:, :2], axis=0, return_counts=True)
    lats, lons = points[:, 1], points[:, 0]
    _, near = tiled._descend(lats, lons)
    assert near is not None and len(near[0]) == len(points)  # every vertex is in a leaf a boundary comes near
    place, node = near[0], near[1]
    keys = tiled._vertex_keys(node, lats[place], lons[place])
    order = np.argsort(keys)
    found, _ = tiled._at_vertices(keys[order], lats[place][order], lons[place][order])
    assert found.all()
    shared = np.flatnonzero(owners >= 2)
    assert len(shared) > 100_000  # land borders and territorial seas meeting
    pick = np.concatenate(
        [rng.choice(shared, 4_000, replace=False), rng.choice(np.flatnonzero(owners == 1), 2_000, replace=False)]
    )
    lats, lons = lats[pick], lons[pick]
    expected = untiled(geometries, lats, lons)
    assert (expected[:4_000] >= 0).all()
    assert np.array_equal(tiled.lookup(lats, lons), expected)
    # without the table (as a leg's samples are looked up) the crossing count and the polygons
    # give the same answers, in any order of the points
    shuffled = rng.permutation(len(lats))
    assert np.array_equal(tiled.lookup(lats[shuffled], lons[shuffled], sampled=True), expected[shuffled])


def test_vertices_at_zero_and_shared_corners() -> None:
    """On a small map whose squares meet at 0°, 0° (no vertex of the real map lies on the equator
    or the prime meridian): -0.0 is the same coordinate as 0.0 and finds the same vertex, and a
    corner three squares share answers the lowest of them, as the polygons do."""
    # a leaf dense with edges, as real maps have
    island = shapely.Point(10 + 5.5 / 64, 10 + 5.5 / 64).buffer(0.005, quad_segs=8)
    squares = np.array(
        [shapely.box(0, 0, 1, 1), shapely.box(-1, -1, 0, 0), shapely.box(-1, 0, 0, 1), shapely.box(5, 5, 6, 6), island]
    )
    index = TiledIndex.build(squares)
    zero = np.array([0.0, -0.0, 0.0, -0.0, 1.0, 0.0, -0.0, 5.0])
    lats, lons = zero, np.array([0.0, 0.0, -0.0, -0.0, 0.0, 1.0, -1.0, 6.0])
    _, (place, node, _, _) = index._descend(lats, lons)
    keys = index._vertex_keys(node, lats[place], lons[place])
    order = np.argsort(keys)
    found, _ = index._at_vertices(keys[order], lats[place][order], lons[place][order])
    assert len(place) == len(lats) and found.all()
    assert index.lookup(lats, lons).tolist() == untiled(squares, lats, lons).tolist() == [0, 0, 0, 0, 0, 0, 1, 3]


def test_a_small_map_without_dense_leaves() -> None:
    """A map whose boundaries are all simple (no leaf more than eight edges come near) builds
    its grid and answers as the polygons do: points inside, on the shared edge and corner, and
    outside every square."""
    squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(30, -20, 31, -19)])
    index = TiledIndex.build(squares)
    lats = np.array([0.5, 0.5, 0.2, 0.0, 5.0, -19.5, 1.0, -19.0])
    lons = np.array([0.5, 1.5, 1.0, 2.0, 5.0, 30.5, 1.0, 31.0])
    assert index.lookup(lats, lons).tolist() == untiled(squares, lats, lons).tolist() == [0, 1, 0, 1, -1, 2, 0, 2]


def test_densest_leaves(geometries: np.ndarray, tiled: TiledIndex) -> None:
    """Vertices and random points of the leaves most edges come near (split into fine leaves)."""
    rng = np.random.default_rng(64)
    coordinates = shapely.get_coordinates(shapely.boundary(geometries))
    keys = np.floor((coordinates[:, 1] + 90) * 64) * 360 * 64 + np.floor((coordinates[:, 0] + 180) * 64)
    leaf, counts = np.unique(keys, return_counts=True)
    dense = leaf[np.argsort(counts)[-300:]]
    chosen = coordinates[np.isin(keys, dense)]
    row, column = dense // (360 * 64), dense % (360 * 64)
    inside = rng.uniform(0, 1, (len(dense), 40, 2))
    lats = np.concatenate([chosen[:, 1], ((row[:, None] + inside[..., 1]) / 64 - 90).ravel()])
    lons = np.concatenate([chosen[:, 0], ((column[:, None] + inside[..., 0]) / 64 - 180).ravel()])
    assert np.array_equal(tiled.lookup(lats, lons), untiled(geometries, lats, lons))


def test_antimeridian_poles_and_non_finite(geometries: np.ndarray, tiled: TiledIndex) -> None:
    rng = np.random.default_rng(180)
    lats = np.concatenate([rng.uniform(-60, 75, 4_000), np.linspace(-90, 90, 721), rng.uniform(-90, 90, 500)])
    side = rng.choice([-1.0, 1.0], 4_000)
    lons = np.concatenate([side * (180 - rng.exponential(0.05, 4_000)), np.full(721, 180.0), np.full(500, -180.0)])
    poles = np.array([90.0, -90.0, 89.999999, -89.999999, -89.9, -85.0])
    lats = np.concatenate([lats, poles, poles])
    lons = np.concatenate([lons, np.zeros(6), np.full(6, 179.99)])
    assert np.array_equal(tiled.lookup(lats, lons), untiled(geometries, lats, lons))
    # fixes with a missing coordinate answer as the polygons do: in no territory
    odd = tiled.lookup(np.array([np.nan, 41.9029, np.inf]), np.array([12.45, np.nan, 0.0]))
    assert (
        odd.tolist()
        == untiled(geometries, np.array([np.nan, 41.9029, np.inf]), np.array([12.45, np.nan, 0.0])).tolist()
    )


def test_a_damaged_cache_is_rebuilt(dataset: Dataset, geometries: np.ndarray, tiled: TiledIndex) -> None:
    """The index's cache is a directory of memory-mapped arrays: a cut file in it (a full disk,
    a copy interrupted) is noticed on opening and the index rebuilt, with the same answers."""

    path = Path(dataset.territories_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(Path(tiled._code0.filename).parents[2]))
        cache = Path(tiled._code0.filename).parent
        assert cache.name == f"tiles-v{TiledIndex.VERSION}-{paths.file_stamp(path)}"
        cut = cache / "cut"
        cut.write_bytes((cache / "edge_vertex.npy").read_bytes()[:4096])
        cut.replace(cache / "edge_vertex.npy")  # a new file: the one mapped stays whole
        rebuilt = TiledIndex.cached(path, lambda: geometries)
        assert isinstance(TiledIndex.cached(path, lambda: geometries)._edge_vertex, np.memmap)
    lats, lons = np.array([47.92, 41.9029, -8.52, 48.85]), np.array([106.92, 12.4534, 179.19, 2.35])
    assert rebuilt.lookup(lats, lons).tolist() == untiled(geometries, lats, lons).tolist()


def test_only_the_polygons_a_point_needs_are_parsed(
    dataset: Dataset, geometries: np.ndarray, tiled: TiledIndex
) -> None:
    """A point the crossing count cannot decide (the middle of a boundary edge, within rounding
    of it) needs only its leaf's candidates: with the polygons' WKB cache written, those are
    parsed from it and prepared, the loader of all the polygons is never called, and the answers
    are the polygons' own."""
    path = Path(dataset.territories_path)
    coordinates, ring, _ = boundary_vertices(geometries)
    edges = np.flatnonzero(ring[:-1] == ring[1:])[::20_000][:30]
    middles = (coordinates[edges] + coordinates[edges + 1]) / 2
    lats, lons = middles[:, 1], middles[:, 0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(Path(tiled._code0.filename).parents[2]))
        _load_geometries(path)  # the WKB cache, as the first polygon lookup of a data version writes it
        loaded: list[int] = []
        index = TiledIndex.cached(path, lambda: loaded.append(1) or geometries)
        found = index.lookup(lats, lons)
    parsed = [feature for feature, polygon in enumerate(index._polygons_of._table) if polygon is not None]
    assert np.array_equal(found, untiled(geometries, lats, lons))
    assert loaded == []
    assert 0 < len(parsed) <= 2 * len(edges) < len(geometries) / 2


def boundary_leaf(tiled: TiledIndex, lat: float, lon: float) -> bool:
    """Whether the grid sends the point to a leaf a boundary comes near (its levels walked)."""
    split, leaves = TiledIndex.SPLIT, TiledIndex.LEAVES
    column = min(max(int((lon + 180) * leaves), 0), 360 * leaves - 1)
    row = min(max(int((lat + 90) * leaves), 0), 180 * leaves - 1)
    code = int(tiled._code0[(row // leaves) * 360 + column // leaves])
    if code <= -2:
        code = int(
            tiled._code1[(-2 - code) * split * split + ((row // split) % split) * split + (column // split) % split]
        )
    if code <= -2:
        code = int(tiled._code2[(-2 - code) * split * split + (row % split) * split + column % split])
    return code <= -2


def test_points_off_the_globe_in_boundary_leaves(geometries: np.ndarray, tiled: TiledIndex) -> None:
    """A longitude past 180° or a latitude past 90° is clipped into an edge cell. Where that cell
    is one a boundary comes near, the polygons answer it (as before the crossing count, whose
    segment would leave the leaf); elsewhere the cell's own answer stands, as it always has."""
    lats = np.array([-16.8, -16.8, 65.0, 65.0, -17.0, 89.0, 91.0, -91.0, -16.5, 66.5, 71.0, -85.0])
    lons = np.array([180.3, -180.3, 180.2, -181.0, 185.0, 190.0, 0.0, 0.0, 181.0, -180.5, 180.5, 200.0])
    found = tiled.lookup(lats, lons)
    expected = untiled(geometries, lats, lons)
    clipped = tiled.lookup(np.clip(lats, -90, 90), np.clip(lons, -180, 180))
    mixed = [boundary_leaf(tiled, lat, lon) for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True)]
    assert any(mixed)
    assert found.tolist() == [p if m else c for p, c, m in zip(expected, clipped, mixed, strict=True)]


def test_the_wkb_cache_is_memory_mapped_and_a_cut_one_is_refused(tmp_path: Path, geometries: np.ndarray) -> None:
    """The polygons' WKB cache is a directory of arrays memory-mapped where they lie (the bytes of
    two or three polygons are read, not all 30 MB); it gives back the polygons it was written
    from; a cut file is refused (and the cache then rebuilt)."""
    import shapely

    stored = tmp_path / "territories-wkb"
    some = geometries[:5]
    save_wkb(stored, some)
    wkb, offsets = map_arrays(stored, "wkb", "offsets")
    assert isinstance(wkb, np.memmap) and isinstance(offsets, np.memmap)
    assert offsets[0] == 0 and offsets[-1] == len(wkb) and len(offsets) == len(some) + 1
    assert all(shapely.equals(load_wkb(stored), some))
    cut = stored / "wkb.npy"
    cut.write_bytes(cut.read_bytes()[:5000])
    with pytest.raises(Exception):  # noqa: B017 - numpy's or shapely's: any is a damaged cache
        load_wkb(stored)
