"""Great-circle legs: antimeridian, overflown territories, distances, the overflight level."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from icc_travel import law
from icc_travel.geo.routes import RoutePlanner


@pytest.fixture(scope="module")
def planner(dataset, worker_cache: Path) -> RoutePlanner:
    """Built before the per-test cache isolation applies, in the cache that isolation gives each
    test worker (conftest.worker_cache), not the user's: the grid is built once per worker (or
    copied from CI's seed) and shared with the other tests, not once more for these."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(worker_cache))
        return RoutePlanner(dataset)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


LEGS = {
    "Nadi-Honolulu": ((-17.755, 177.443), (21.318, -157.922), ["FJI", "USA"]),
    "Moscow-Ulaanbaatar": ((55.972, 37.415), (47.843, 106.767), ["RUS", "MNG"]),
}


@pytest.mark.parametrize("name", LEGS)
def test_leg_crossings_and_distance(planner: RoutePlanner, name: str) -> None:
    (lat1, lon1), (lat2, lon2), expected = LEGS[name]
    km, crossed = planner.crossings(lat1, lon1, lat2, lon2)
    codes = [territory.iso3 for territory, _ in crossed]
    assert [c for c in codes if c in expected] == expected  # in flight order
    assert abs(km - haversine_km(lat1, lon1, lat2, lon2)) / km < 0.005
    assert sum(length for _, length in crossed) <= km + 1e-6


def test_pacific_leg_crosses_the_antimeridian_without_a_wrong_way_line(planner: RoutePlanner) -> None:
    km, crossed = planner.crossings(-17.755, 177.443, 21.318, -157.922)
    assert km < 5200  # the short way across 180 degrees, not 15,000 km westward
    assert not {"AUS", "IDN", "PHL", "ZAF"} & {t.iso3 for t, _ in crossed}


def test_overflight_level_sits_between_continuing_and_none() -> None:
    assert law.level_rank("continuing") > law.level_rank("overflight") > law.level_rank("none")
    landing = law.Obligation("arrest", "state_party", ("r",), ("https://example.org",))
    flown = law.overflight(landing)
    assert (flown.level, flown.basis) == ("overflight", "state_party") and "emergency" in flown.reasons[0]
    assert law.overflight(law.Obligation("none", "non_party", ())).level == "none"


def test_check_json_has_legs_and_fail_on_overflight(invoke) -> None:
    args = ["check", "putin", "airport:SVO@2024-09-02", "airport:ULN@2024-09-03"]
    document = json.loads(invoke(*args, "--format", "json").stdout)
    (leg,) = document["legs"]
    assert (leg["from"], leg["to"]) == ("airport:SVO", "airport:ULN") and 4500 < leg["distance_km"] < 4800
    rows = {o["iso3"]: o for o in leg["overflown"]}
    assert rows["RUS"]["obligation"] == "none" and rows["MNG"]["obligation"] == "overflight"
    assert set(rows["MNG"]) == {
        "iso3",
        "name",
        "km",
        "obligation",
        "basis",
        "reasons",
        "sources",
        "confidence",
        "disputed",
        "local_facts",
    }
    moscow_only = ["check", "putin", "airport:SVO@2024-09-02", "airport:LED@2024-09-02"]
    assert invoke(*moscow_only, "--fail-on", "overflight").exit_code == 0
    assert (
        invoke(
            "check", "netanyahu", "airport:TLV@2025-04-07", "airport:JFK@2025-04-07", "--fail-on", "overflight"
        ).exit_code
        == 1
    )
    assert invoke("check", "netanyahu", "airport:TLV@2025-04-07", "airport:JFK@2025-04-07").exit_code == 0


def test_no_legs_and_code_stops(invoke) -> None:
    with_flag = json.loads(
        invoke("check", "putin", "airport:SVO", "airport:ULN", "--no-legs", "--format", "json").stdout
    )
    assert with_flag["legs"] == []
    codes_only = json.loads(invoke("check", "putin", "RU", "MN", "--format", "json").stdout)
    assert codes_only["legs"] == []  # code stops have no coordinates to draw a leg from


def test_overflown_parties_cite_route_precedents_up_to_the_date(invoke) -> None:
    def greece(day: str) -> dict:
        result = invoke("check", "netanyahu", f"airport:TLV@{day}", f"airport:JFK@{day}", "--format", "json")
        (leg,) = json.loads(result.stdout)["legs"]
        return next(o for o in leg["overflown"] if o["name"] == "Greece")  # not the 6-10 nm airspace belt

    later = greece("2026-03-01")
    assert later["obligation"] == "overflight"
    routes = [r for r in later["reasons"] if r.startswith("Route precedent: ")]
    assert routes and routes[0].startswith("Route precedent: 2026-02-10 netanyahu")
    assert "emergency or forced landing" in later["reasons"][0]
    earlier = greece("2025-01-01")  # before any recorded route-avoidance flight
    assert not [r for r in earlier["reasons"] if r.startswith("Route precedent")]


def test_a_claimed_airspace_belt_is_overflown_on_either_reading(invoke) -> None:
    """Greece's 10 nm airspace over its 6 nm Aegean sea: a leg through the belt answers high seas,
    and the other reading (Greece's) is an overflight, never an arrest in the air."""
    result = invoke("check", "netanyahu", "airport:TLV@2026-03-01", "airport:JFK@2026-03-01", "--format", "json")
    (leg,) = json.loads(result.stdout)["legs"]
    belt = next(o for o in leg["overflown"] if "airspace claimed" in o["name"])
    assert belt["obligation"] == "none" and belt["disputed"]["obligation"] == "overflight"


def test_stretches_settled_by_pure_grid_cells_measure_as_their_fine_samples(planner: RoutePlanner) -> None:
    """Where the grid's pure 1/8-degree cells around a stretch settle what its 5-km samples would
    find, the samples are skipped and the stretch counts whole: 400 real airport pairs measure
    the same either way (the same territories in the same order, the same km exactly: lengths
    are counted in fine pieces, a whole stretch as five)."""
    import numpy as np

    from icc_travel.geo import routes
    from icc_travel.geo.places import airport_table

    table = airport_table("IATA")
    codes = sorted(table)
    rng = np.random.default_rng(28)
    pairs = rng.choice(len(codes), size=(400, 2))
    legs = [
        (
            float(table[codes[a]]["lat"]),
            float(table[codes[a]]["lon"]),
            float(table[codes[b]]["lat"]),
            float(table[codes[b]]["lon"]),
        )
        for a, b in pairs.tolist()
        if a != b
    ]
    settled = []
    original = RoutePlanner._settled

    def counted(self, lons, lats, begin):  # type: ignore[no-untyped-def]
        found = original(self, lons, lats, begin)
        settled.append(int((found != routes.NOT_SETTLED).sum()))
        return found

    def never(self, lons, lats, begin):  # type: ignore[no-untyped-def]
        return np.full(len(begin), routes.NOT_SETTLED, dtype=np.int64)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RoutePlanner, "_settled", counted)
        quick = planner.measure_many(legs)
        patch.setattr(RoutePlanner, "_settled", never)
        sampled = planner.measure_many(legs)
    assert sum(settled) > 1000  # most stretches near coasts are settled, not sampled
    for (km, crossed, through), (km_sampled, crossed_sampled, through_sampled) in zip(quick, sampled, strict=True):
        assert km == km_sampled and through == through_sampled
        assert [t.iso3 for t, _ in crossed] == [t.iso3 for t, _ in crossed_sampled]
        assert [length for _, length in crossed] == [length for _, length in crossed_sampled]


def test_intervals_settled_by_whole_degree_cells_measure_as_their_samples(planner: RoutePlanner) -> None:
    """Where the 1° cells around the geodesic between two knots (300 km) all have one answer,
    the interval's 25-km points are not made and its knot stands for its twelve stretches. On
    1,500 real airport pairs, and legs through the straits, along the 80th parallels, across the
    antimeridian and over the poles, every leg measures exactly as with every point made: the
    same km, territories in the same order, the same lengths to the last bit, the same straits."""
    import numpy as np

    from icc_travel.geo import routes
    from icc_travel.geo.places import airport_table

    table = airport_table("IATA")
    codes = sorted(table)
    pairs = np.random.default_rng(2028).choice(len(codes), size=(1500, 2)).tolist()
    legs = [
        (
            float(table[codes[a]]["lat"]),
            float(table[codes[a]]["lon"]),
            float(table[codes[b]]["lat"]),
            float(table[codes[b]]["lon"]),
        )
        for a, b in pairs
        if a != b
    ]
    for strait in routes.STRAITS:  # through each strait's narrows, from 400 km off either side
        west, south, east, north = strait.bounds
        middle_lat, middle_lon = (south + north) / 2, (west + east) / 2
        legs += [(middle_lat - 3, middle_lon - 3, middle_lat + 3, middle_lon + 3)]
        legs += [(middle_lat, middle_lon - 4, middle_lat, middle_lon + 4)]
    legs += [(79.9, -170.0, 79.5, 170.0), (79.9, 10.0, 80.1, 40.0), (-80.0, -60.0, -79.0, 60.0)]
    legs += [(60.0, 179.0, 65.0, -175.0), (89.0, 0.0, 70.0, 180.0), (-89.5, 10.0, -60.0, -170.0)]
    settled = []
    original = RoutePlanner._whole_intervals

    def counted(self, knots, stretches):  # type: ignore[no-untyped-def]
        found = original(self, knots, stretches)
        settled.append(int(knots.size[found != routes.NOT_SETTLED].sum()))
        return found

    def never(self, knots, stretches):  # type: ignore[no-untyped-def]
        return np.full(len(knots.leg), routes.NOT_SETTLED, dtype=np.int64)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RoutePlanner, "_whole_intervals", counted)
        quick = planner.measure_many(legs)
        patch.setattr(RoutePlanner, "_whole_intervals", never)
        sampled = planner.measure_many(legs)
    stretches = sum(max(1, math.ceil(km / routes.COARSE_KM)) for km, _, _ in sampled)
    assert sum(settled) > stretches / 3  # most of a long leg is open sea or inland
    assert sum(1 for _, _, through in sampled if through) >= len(routes.STRAITS)
    for (km, crossed, through), (km_sampled, crossed_sampled, through_sampled) in zip(quick, sampled, strict=True):
        assert km == km_sampled and through == through_sampled
        assert [(t.iso3, length) for t, length in crossed] == [(t.iso3, length) for t, length in crossed_sampled]


def test_a_return_leg_is_its_outbound_read_backwards(planner: RoutePlanner) -> None:
    """A leg and its return are measured once, from the lesser end, and the other is read off it.
    A territory entered twice keeps the place where it is first overflown, either way: Split to
    Dubrovnik crosses Bosnia and Herzegovina's coast at Neum between two stretches of Croatia,
    Kaliningrad to St Petersburg starts and ends in Russia (a list reversed would put Bosnia and
    Herzegovina, or Estonia, first). On 300 real airport pairs each way, what is read off
    matches the leg measured as given, to the float."""
    import numpy as np

    from icc_travel.geo.places import airport_table

    table = airport_table("IATA")

    def ends(a: str, b: str) -> tuple[float, float, float, float]:
        return (float(table[a]["lat"]), float(table[a]["lon"]), float(table[b]["lat"]), float(table[b]["lon"]))

    orders = {
        (a, b): [territory.iso3 for territory, _ in crossed]
        for (a, b), (_, crossed, _) in zip(
            [("SPU", "DBV"), ("DBV", "SPU"), ("KGD", "LED"), ("LED", "KGD")],
            planner.measure_many([ends("SPU", "DBV"), ends("DBV", "SPU"), ends("KGD", "LED"), ends("LED", "KGD")]),
            strict=True,
        )
    }
    assert orders["SPU", "DBV"] == orders["DBV", "SPU"] == ["HRV", "BIH"]
    assert orders["KGD", "LED"] == ["RUS", "LTU", "LVA", "EST"]
    assert orders["LED", "KGD"] == ["RUS", "EST", "LVA", "LTU"]

    codes = sorted(table)
    pairs = np.random.default_rng(20).choice(len(codes), size=(300, 2)).tolist()
    outbound = [ends(codes[a], codes[b]) for a, b in pairs]
    legs = outbound + [(lat2, lon2, lat1, lon1) for lat1, lon1, lat2, lon2 in outbound]
    as_given = []
    for chunk in planner.measure_chunks(legs):  # each leg measured in the direction given
        for number, km in enumerate(chunk.km):
            first, last = chunk.edges[number], chunk.edges[number + 1]
            crossed = [
                (t.iso3, length)
                for t, length in zip(chunk.territories[first:last], chunk.lengths[first:last], strict=True)
            ]
            as_given.append((km, crossed, chunk.straits[number]))
    read_off = [
        (km, [(t.iso3, length) for t, length in crossed], through)
        for km, crossed, through in planner.measure_many(legs)
    ]
    assert sum(1 for km, crossed, _ in as_given if len(crossed) > 1) > 150
    assert read_off == as_given


def test_a_territory_s_last_place_is_its_furthest_even_when_one_run_spans_another_part() -> None:
    """A leg's samples come in parts (plain 25-km stretches, 5-km samples of the others), each in
    order along the leg. Two plain stretches of Croatia (at 10 and 60 km) with a re-sampled stretch
    between them (Croatia at 37.5 km, Bosnia and Herzegovina at 42.5-57.5 km) make one run of the
    plain part that spans the other's: flown backwards the leg meets Croatia (60 km) before
    Bosnia and Herzegovina (57.5 km), so Croatia's last place must be 60, not the 37.5 of its run
    that starts last."""
    import numpy as np

    from icc_travel.geo.routes import _first_and_last

    croatia, bosnia = 7, 3
    plain = (np.array([croatia, croatia]), np.array([10.0, 60.0]))
    fine = (np.array([croatia, bosnia, bosnia, bosnia, bosnia]), np.array([37.5, 42.5, 47.5, 52.5, 57.5]))
    keys, places = np.concatenate((plain[0], fine[0])), np.concatenate((plain[1], fine[1]))
    key, first, last = _first_and_last(keys, places, places, 16)
    assert key.tolist() == [bosnia, croatia]
    assert first.tolist() == [42.5, 10.0]
    assert last.tolist() == [57.5, 60.0]


def test_a_return_leg_read_off_a_kept_measurement_is_the_one_measured_afresh(dataset, planner: RoutePlanner) -> None:
    """A batch keeps its measured legs from chunk to chunk: a return leg in a later chunk is read
    off the kept outbound leg (and an outbound off a kept return), to the same row a batch of it
    alone gives."""
    import datetime as dt

    from icc_travel.engine.legs import MeasuredLegs, measure_legs
    from icc_travel.geo.places import airport_table

    table = airport_table("IATA")
    subject, day = dataset.subject("putin"), dt.date(2025, 3, 1)

    def request(a: str, b: str) -> tuple:
        return (
            subject,
            (f"airport:{a}", float(table[a]["lat"]), float(table[a]["lon"])),
            (f"airport:{b}", float(table[b]["lat"]), float(table[b]["lon"])),
            day,
        )

    def row(leg) -> tuple:  # type: ignore[no-untyped-def]
        return leg.start, leg.end, leg.distance_km, leg.cell, [(o.territory.iso3, o.km, o.level) for o in leg.overflown]

    kept = MeasuredLegs()
    for first, then in [(("SPU", "DBV"), ("DBV", "SPU")), (("LED", "KGD"), ("KGD", "LED"))]:
        measure_legs(planner, [request(*first)], measured=kept)
        (read_off,) = measure_legs(planner, [request(*then)], measured=kept)
        (afresh,) = measure_legs(planner, [request(*then)])
        assert row(read_off) == row(afresh)
    assert row(read_off)[4][0][0] == "RUS" and [iso3 for iso3, _, _ in row(read_off)[4]][1:] == ["LTU", "LVA", "EST"]


def test_pure_grid_cells_answer_as_the_lookup_does(planner: RoutePlanner) -> None:
    import numpy as np

    tiles = planner._tiles
    owner, run = np.divmod(tiles.pure_runs(), tiles.RUN_BASE)
    rng = np.random.default_rng(5)
    lats, lons = rng.uniform(-89.9, 89.9, 200_000), rng.uniform(-180, 179.999, 200_000)
    cell = np.floor((lats + 90) * tiles.SPLIT).astype(np.int64) * tiles.COLUMNS * tiles.SPLIT + np.floor(
        (lons + 180) * tiles.SPLIT
    ).astype(np.int64)
    pure = run[cell] > 0
    assert 0.5 < pure.mean() < 1  # most of the globe is pure, coasts and borders are not
    assert (tiles.lookup(lats[pure], lons[pure]) == owner[cell[pure]]).all()
    # a run counts the cells eastward with the same answer, and ends at its row's end
    width = tiles.COLUMNS * tiles.SPLIT
    for start in cell[pure][:2000].tolist():
        length = int(run[start])
        assert start + length <= (start // width + 1) * width
        assert (owner[start : start + length] == owner[start]).all()
        after = start + length
        if length < tiles.RUN_CAP and after % width:
            assert owner[after] != owner[start]


def test_pure_runs_read_back_from_the_cache(planner: RoutePlanner) -> None:
    """The sub-cells' runs are kept beside the grid's cache: a process that reads them back gets
    what one that makes them gets."""
    import shutil

    import numpy as np

    from icc_travel.geo.geometry import TiledIndex, map_arrays

    cache = planner._tiles._cache
    assert cache is not None
    shutil.rmtree(planner._tiles.runs_cache, ignore_errors=True)

    def fresh() -> TiledIndex:  # as TiledIndex.cached opens the grid in a new process
        index = TiledIndex(*map_arrays(cache, *TiledIndex.NAMES), planner._tiles._polygons_of)
        index._cache = cache
        return index

    made = fresh()
    runs = made.pure_runs()
    assert not isinstance(runs, np.memmap)  # made here
    again = fresh()
    cached = again.pure_runs()
    assert isinstance(cached, np.memmap)  # read back
    assert np.array_equal(runs, cached)


@pytest.mark.parametrize(
    ("packed", "calls", "kept"), [(True, 1, None), (False, 1, None), (True, 3, None), (False, 3, None), (True, 3, 20)]
)
def test_legs_measured_as_columns_are_each_leg_measured_alone(
    dataset, planner: RoutePlanner, monkeypatch: pytest.MonkeyPatch, packed: bool, calls: int, kept: int | None
) -> None:
    """A batch measures its legs as columns: distinct legs once, legs grouped by leg and levels
    (their flags packed in one integer, or by their bytes for a leg over many territories), in
    one call or chunk after chunk (three calls sharing the measurements and the answers, as a
    batch's chunks do: a later chunk finds the levels of legs measured before, or starts afresh
    once more than `kept` are kept). Each leg, on days either side of the dates that change a
    level over Europe and the Levant, is the leg measured on its own: the same ends, km, cell,
    worst level and territories."""
    import datetime as dt
    import random

    from icc_travel.engine import legs
    from icc_travel.engine.answers import Answers
    from icc_travel.geo.places import airport_table

    if not packed:
        monkeypatch.setattr(legs, "PACKED_FLAGS_LIMIT", 0)
    if kept is not None:
        monkeypatch.setattr(legs, "MEASURED_KEPT", kept)
    table = airport_table("IATA")
    airports = ["TLV", "BUD", "VIE", "KBP", "EVN", "ULN", "SVO", "JFK", "ATH", "NCE"]
    days = [dt.date(2024, 1, 31), dt.date(2024, 2, 1), dt.date(2025, 6, 1), dt.date(2026, 6, 3), dt.date(2025, 1, 1)]
    rng = random.Random(28)
    requests = []
    for _ in range(120):
        a, b = rng.sample(airports, 2)
        requests.append(
            (
                dataset.subject(rng.choice(["putin", "netanyahu"])),
                (f"airport:{a}", float(table[a]["lat"]), float(table[a]["lon"])),
                (f"airport:{b}", float(table[b]["lat"]), float(table[b]["lon"])),
                rng.choice(days),
            )
        )

    def row(leg) -> tuple:  # type: ignore[no-untyped-def]
        overflown = [(o.territory.iso3, o.km, o.level) for o in leg.overflown]
        return leg.start, leg.end, leg.distance_km, leg.cell, leg.level, overflown

    answers, measured = Answers(dataset), legs.MeasuredLegs()
    size = -(-len(requests) // calls)
    together = [
        row(leg)
        for start in range(0, len(requests), size)
        for leg in legs.measure_legs(planner, requests[start : start + size], answers=answers, measured=measured)
    ]
    alone = [row(legs.measure_legs(planner, [request])[0]) for request in requests]
    assert together == alone
    distinct = {(start[1:], end[1:]) for _, start, end, _ in requests}
    assert len(measured) == len(distinct) if kept is None or calls == 1 else len(measured) < len(distinct)
    assert {level for *_, level, _ in together} == {"none", "overflight"}


def test_kilometres_rounded_in_bulk_as_python_rounds_and_prints_them() -> None:
    """A batch rounds and prints its legs' kilometres per territory in bulk (`tenths_of_km`): the
    same floats as `round(km, 1)` and the same text as their repr, on random lengths, every
    twentieth of a kilometre up to 10,000 km, and the floats one step either side of each half
    (0.05 is a little above 0.05 in binary and rounds up; 2.675 a little below)."""
    import numpy as np

    from icc_travel.engine.legs import tenths_of_km

    halves = (np.arange(100_000) + 0.5) / 10
    values = np.concatenate(
        (
            np.random.default_rng(28).uniform(0, 20_000, 200_000),
            np.arange(200_000) / 20,
            halves,
            np.nextafter(halves, 0),
            np.nextafter(halves, np.inf),
            [0.0, 0.05, 0.15, 0.25, 1.25, 2.675, 999.95, 1e-9],
        )
    )
    tenths = tenths_of_km(values)
    rounded = [round(float(value), 1) for value in values]
    assert (tenths / 10).tolist() == rounded
    assert [f"{tenth // 10}.{tenth % 10}" for tenth in tenths.tolist()] == list(map(repr, rounded))
