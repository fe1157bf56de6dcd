"""The vectorised geodesic sampling (geo.geodesic) against GeographicLib's own points: legs'
samples decide which territories a leg overflies, so they must stay where `Geod.fwd` puts them."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from icc_travel.geo.geodesic import KNOT_EVERY, even_points
from icc_travel.geo.places import airport_table

pytestmark = pytest.mark.dateless  # geodesic sampling: geometry, no date

GEOD = Geod(ellps="WGS84")
TOLERANCE_M = 0.01  # a centimetre: the sampling is 25 km, borders are placed to about 5 km

# (from, to) by IATA code: across the antimeridian, over the Arctic, nearly antipodal, short
AIRPORT_PAIRS = [
    ("NAN", "HNL"),  # Nadi - Honolulu, across 180°
    ("AKL", "SCL"),  # Auckland - Santiago, across 180° far south
    ("ANC", "HEL"),  # Anchorage - Helsinki, near the North Pole
    ("LYR", "FAI"),  # Svalbard - Fairbanks, over the Arctic Ocean
    ("JFK", "SIN"),  # New York - Singapore, over the pole region
    ("MAD", "WLG"),  # Madrid - Wellington, nearly antipodal
    ("EZE", "PEK"),  # Buenos Aires - Beijing, nearly antipodal
    ("SYD", "DXB"),
    ("LHR", "CDG"),
    ("LGW", "LHR"),  # under 50 km: one or two stretches
    ("TLV", "TLV"),  # no distance at all
]
# legs no airport offers: over both poles, exactly antipodal, along the equator and a meridian
SYNTHETIC = [
    (80.0, 0.0, 80.0, 180.0),
    (89.999, 10.0, -89.999, -170.0),
    (0.0, 0.0, 0.5, 179.7),
    (0.0, -179.9, 0.0, 179.9),
    (-60.0, 30.0, 60.0, 30.0),
    (10.0, 20.0, 10.0, 20.0),
]


def exact_and_vectorised(legs: np.ndarray, spacing_km: float = 25.0) -> tuple[np.ndarray, int]:
    """Distances in metres between each vectorised point and `Geod.fwd`'s, and the point count."""
    lat1, lon1, lat2, lon2 = legs.T
    azimuth, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    stretches = np.maximum(1, np.ceil(np.asarray(metres) / 1000 / spacing_km)).astype(np.int64)
    spacing = np.asarray(metres) / stretches
    lons, lats = even_points(GEOD, lat1, lon1, azimuth, spacing, stretches)
    leg = np.repeat(np.arange(len(legs)), stretches + 1)
    number = np.arange(len(leg)) - np.repeat(np.cumsum(stretches + 1) - stretches - 1, stretches + 1)
    exact_lons, exact_lats, _ = GEOD.fwd(lon1[leg], lat1[leg], azimuth[leg], number * spacing[leg])
    assert np.all(np.abs(lons) <= 180) and np.all(np.abs(lats) <= 90)
    _, _, apart = GEOD.inv(lons, lats, exact_lons, exact_lats)
    return np.asarray(apart), len(leg)


def airport_legs(pairs: list[tuple[str, str]]) -> np.ndarray:
    table = airport_table("IATA")
    return np.array([(table[a]["lat"], table[a]["lon"], table[b]["lat"], table[b]["lon"]) for a, b in pairs])


def test_named_airport_pairs_and_synthetic_legs_within_a_centimetre() -> None:
    legs = np.concatenate((airport_legs(AIRPORT_PAIRS), np.array(SYNTHETIC)))
    apart, points = exact_and_vectorised(legs)
    assert points > 2_000
    assert apart.max() < TOLERANCE_M


def test_ten_thousand_real_airport_pairs_within_a_centimetre() -> None:
    table = list(airport_table("IATA").values())
    rng = np.random.default_rng(28)
    pairs = rng.integers(0, len(table), size=(10_000, 2))
    legs = np.array([(table[a]["lat"], table[a]["lon"], table[b]["lat"], table[b]["lon"]) for a, b in pairs])
    apart, points = exact_and_vectorised(legs)
    assert points > 1_000_000
    assert apart.max() < TOLERANCE_M


def test_knots_are_geographiclibs_points_exactly() -> None:
    """Every KNOT_EVERY-th point and each leg's last point are GeographicLib's own (to rounding)."""
    legs = airport_legs([("JFK", "SIN"), ("NAN", "HNL"), ("LHR", "CDG")])
    lat1, lon1, lat2, lon2 = legs.T
    azimuth, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    stretches = np.maximum(1, np.ceil(np.asarray(metres) / 25_000)).astype(np.int64)
    lons, lats = even_points(GEOD, lat1, lon1, azimuth, np.asarray(metres) / stretches, stretches)
    first = np.cumsum(stretches + 1) - stretches - 1
    for number in range(len(legs)):
        ends = lons[first[number] + stretches[number]], lats[first[number] + stretches[number]]
        assert ends == pytest.approx((lon2[number], lat2[number]), abs=1e-9)
        knot = min(KNOT_EVERY, int(stretches[number]))
        exact_lon, exact_lat, _ = GEOD.fwd(
            lon1[number], lat1[number], azimuth[number], knot * metres[number] / stretches[number]
        )
        assert (lons[first[number] + knot], lats[first[number] + knot]) == pytest.approx(
            (exact_lon, exact_lat), abs=1e-9
        )


@pytest.mark.parametrize("every", [1, 2, 5, KNOT_EVERY, 40])
def test_any_knot_spacing_gives_every_point_once(every: int) -> None:
    """Legs of 1 to 45 stretches, whatever the knots' spacing: stretches + 1 points each, in order."""
    legs = np.array([(10.0, 10.0, 10.0 + k * 0.2, 10.0) for k in range(1, 46)])
    lat1, lon1, lat2, lon2 = legs.T
    azimuth, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    stretches = np.arange(1, 46)
    _, lats = even_points(GEOD, lat1, lon1, azimuth, np.asarray(metres) / stretches, stretches, every)
    assert len(lats) == int((stretches + 1).sum())
    first = np.cumsum(stretches + 1) - stretches - 1
    for number in range(len(legs)):
        run = lats[first[number] : first[number] + stretches[number] + 1]
        assert run[0] == pytest.approx(10.0) and run[-1] == pytest.approx(lat2[number], abs=1e-9)
        assert np.all(np.diff(run) > 0)  # due north: latitude grows point by point
