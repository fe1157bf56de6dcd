"""The map the law draws: every territory present, and a place named any way resolves through the
same polygons as its coordinates."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from icc_travel.geo.places import PlaceResolver

RAF_AKROTIRI = "34.59,32.99"


@pytest.mark.parametrize("text", [RAF_AKROTIRI, "airport:AKT", "airport:LCRA", "34.98,33.75"])
def test_the_sovereign_base_areas_are_their_own_uk_territory(resolver: PlaceResolver, text: str) -> None:
    place = resolver.resolve(text)
    assert place.territory is not None
    assert (place.territory.iso3, place.territory.sovereign, place.territory.kind) == ("XSB", "GBR", "dependency")


def test_cyprus_around_the_bases_stays_cyprus(resolver: PlaceResolver) -> None:
    for text in ("34.68,33.04", "34.92,33.63", "35.17,33.36"):  # Limassol, Larnaca, Nicosia
        assert resolver.resolve(text).territory.iso3 == "CYP", text


@pytest.mark.parametrize("day", ["2009-06-01", "2010-03-10", "2010-03-11", "2011-01-01"])
def test_an_airport_and_its_coordinates_give_one_answer_on_every_date(invoke: Callable, day: str) -> None:
    """The UK extended the Statute to the bases on 11 March 2010; Cyprus was a party from 2002."""
    answers = []
    for place in ("airport:AKT", RAF_AKROTIRI):
        result = invoke("check", "bashir", "--format", "json", "--", f"{place}@{day}")
        stop = json.loads(result.stdout)["stops"][0]
        answers.append((stop["country"]["iso3"], stop["obligation"], stop["basis"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == "XSB"
    assert (answers[0][1] == "arrest") == (day >= "2010-03-11")


BORDER_POINTS = Path(__file__).resolve().parent / "data" / "border_points.npz"


@pytest.fixture(scope="module")
def border_points() -> dict[str, np.ndarray]:
    """Written by scripts/build_territories.py (its --check keeps them current): points within
    1 km of every land border and coast of the unsimplified land package, with the territory the
    unrounded geometry gives each and whether the land package holds it."""
    with np.load(BORDER_POINTS, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def test_the_file_agrees_with_its_unrounded_source_near_every_border(
    resolver: PlaceResolver, border_points: dict[str, np.ndarray]
) -> None:
    lats, lons = border_points["lat_e6"] / 1e6, border_points["lon_e6"] / 1e6
    assert len(lats) >= 100_000
    found = resolver.feature_indexes(lats, lons)
    agreement = float(np.mean(found == border_points["feature"]))
    assert agreement >= 0.9999, f"{agreement:.4%} agreement with the unrounded source"


def test_no_point_on_land_is_in_no_territory(resolver: PlaceResolver, border_points: dict[str, np.ndarray]) -> None:
    """Seams between neighbours answered "(no state): high seas" on land; Bir Tawil (terra nullius)
    is in no land feature of the source, and Antarctica is not sampled."""
    land = border_points["land"]
    assert land.sum() >= 50_000
    lats, lons = border_points["lat_e6"][land] / 1e6, border_points["lon_e6"][land] / 1e6
    found = resolver.feature_indexes(lats, lons)
    stranded = [(float(lat), float(lon)) for lat, lon in zip(lats[found < 0], lons[found < 0], strict=True)]
    assert stranded == []


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("47.61319,7.58345", {"FRA", "DEU"}),  # the Rhine below Basel
        ("-22.0,20.0", {"NAM", "BWA"}),
        ("21.87,33.75", {None}),  # Bir Tawil: terra nullius
    ],
)
def test_border_places_that_fell_in_seams(resolver: PlaceResolver, text: str, states: set) -> None:
    place = resolver.resolve(text)
    assert (place.territory.iso3 if place.territory else None) in states


def test_legs_over_a_strait_say_transit_passage_and_keep_their_level(invoke: Callable) -> None:
    result = invoke("check", "putin", "--format", "json", "--", "airport:MAD@2024-09-03", "airport:TNG@2024-09-04")
    overflown = {o["iso3"]: o for o in json.loads(result.stdout)["legs"][0]["overflown"]}
    spain = overflown["ESP"]
    assert spain["obligation"] == "overflight"  # the level is unchanged
    assert any("Strait of Gibraltar" in r and "transit passage" in r for r in spain["reasons"])
    inland = invoke("check", "putin", "--format", "json", "--", "airport:MAD@2024-09-03", "airport:CDG@2024-09-04")
    for crossed in json.loads(inland.stdout)["legs"][0]["overflown"]:
        assert not any("transit passage" in r for r in crossed["reasons"])


ILEMI = "4.816,35.101"


def test_the_ilemi_triangle_is_kenyan_with_south_sudans_claim_disputed(invoke: Callable) -> None:
    result = invoke("check", "bashir", "--format", "json", "--", f"{ILEMI}@2024-06-01")
    stop = json.loads(result.stdout)["stops"][0]
    assert (stop["country"]["iso3"], stop["country"]["territory"]) == ("KEN", "Ilemi Triangle")
    assert (stop["obligation"], stop["basis"]) == ("arrest", "state_party")
    assert (stop["disputed"]["obligation"], stop["disputed"]["basis"]) == ("none", "non_party")
    assert "South Sudan" in stop["disputed"]["reading"]
    assert any(s["url"].startswith("https://sovereignlimits.com/") for s in stop["disputed"]["sources"])


IONIAN_BELT = "38.20,20.15"  # 9 nm west of Kefalonia: Greek sea only since the 12-nm law of 2021
CRETE_AIRSPACE = "34.75,25.74"  # south of Crete, 6 to 10 nm out: high seas under Greece's 10-nm airspace claim


def _stop(invoke: Callable, place: str, day: str, subject: str = "bashir") -> dict:
    result = invoke("check", subject, "--format", "json", "--", f"{place}@{day}")
    return json.loads(result.stdout)["stops"][0]


def test_the_ionian_belt_answers_as_under_6_nm_before_the_2021_law(invoke: Callable) -> None:
    before, on, after = (_stop(invoke, IONIAN_BELT, day) for day in ("2020-06-01", "2021-01-20", "2022-06-01"))
    assert before["country"]["territory"] == "Ionian Sea, 6 to 12 nm"
    assert (before["obligation"], before["basis"]) == ("none", "no_territory")
    assert any("6 nautical miles here (Law 230/1936)" in reason for reason in before["reasons"])
    assert (on["obligation"], on["basis"]) == ("arrest", "state_party")
    assert (after["obligation"], after["basis"], after["country"]["iso3"]) == ("arrest", "state_party", "GRC")


def test_greek_airspace_beyond_its_6_nm_sea_is_the_high_seas_disputed_by_the_10_nm_claim(invoke: Callable) -> None:
    stop = _stop(invoke, CRETE_AIRSPACE, "2024-06-01")
    assert (stop["obligation"], stop["basis"]) == ("none", "no_territory")
    assert stop["disputed"]["obligation"] == "arrest" and stop["disputed"]["basis"] == "state_party"
    assert "10 nautical miles" in stop["disputed"]["reading"]
    assert any(s["url"].startswith("https://www.mfa.gr/") for s in stop["disputed"]["sources"])
    near = _stop(invoke, "34.87,25.74", "2024-06-01")  # nearer the coast: Greece's own 6-nm sea
    assert (near["country"]["iso3"], near["country"]["territory"], near["disputed"]) == ("GRC", None, None)


@pytest.mark.parametrize("point", ["37.769,24.552", "36.815,24.966"])
def test_a_pocket_enclosed_by_greek_sea_beyond_6_nm_is_not_greek_territory(invoke: Callable, point: str) -> None:
    """Among the Cyclades, pockets more than 6 nm from any Greek land that Greek territorial sea
    surrounds: no baseline closes them, so they are high seas (the seam filling used to make them
    Greek); within 10 nm, Greece's airspace claim is the disputed reading."""
    stop = _stop(invoke, point, "2024-06-01")
    assert (stop["obligation"], stop["basis"]) == ("none", "no_territory")
    assert stop["country"]["territory"] == "Aegean and Cretan seas, 6 to 10 nm (airspace claimed)"
    assert stop["disputed"]["obligation"] == "arrest"


def test_the_dated_area_is_one_feature_not_a_second_copy_of_greece(resolver: PlaceResolver) -> None:
    """The Ionian belt and the airspace claim are labelled features of their own; Greece's main
    feature no longer holds the belt."""
    labels = {t.territory for t in resolver.dataset.territories if t.iso3 == "GRC"}
    assert labels == {None, "Ionian Sea, 6 to 12 nm", "Aegean and Cretan seas, 6 to 10 nm (airspace claimed)"}
