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


@pytest.mark.parametrize(
    ("point", "iso3"),
    [
        ("16.0,-61.9", "GLP"),  # off Basse-Terre, within 12 nm: the source filed it under France
        ("14.6,-61.25", "MTQ"),  # off Fort-de-France
        ("-21.1,55.2", "REU"),  # off Saint-Paul, Reunion
        ("13.5,144.6", "GUM"),  # off Guam's west coast: the source filed it under the United States
        ("18.2,-67.4", "PRI"),  # the Mona Passage off Mayaguez
        ("18.25,-64.9", "VIR"),  # between St Thomas and St Croix, within 12 nm of St Thomas
    ],
)
def test_a_dependencys_territorial_sea_answers_the_dependency_not_its_parent(
    invoke: Callable, point: str, iso3: str
) -> None:
    """The maritime package draws Guadeloupe, Martinique, Reunion, Guam, the Northern Marianas,
    Puerto Rico and the US Virgin Islands as land only, with their seas in France's or the United
    States' feature; the build gives each its own sea, so a stop there is answered from its record."""
    stop = _stop(invoke, point, "2024-06-01", subject="putin")
    assert stop["country"]["iso3"] == iso3


@pytest.mark.parametrize(
    "point",
    [
        "51.1,-5.2",  # the outer Bristol Channel west of Lundy: no closing line, more than 12 nm out
        "59.36,-152.66",  # lower Cook Inlet: no historic bay (United States v. Alaska, 1975)
        "57.535,-155.108",  # the middle of Shelikof Strait
        "18.06,-64.85",  # the middle of the passage between St Thomas and St Croix
        "58.314,-157.998",  # the mouth of Kvichak Bay, Bristol Bay: 34 nm across, no closing line
        "66.361,-162.576",  # the south of Kotzebue Sound, off Goodhope and Spafarief Bays
        "48.6,-61.7",  # the middle of the Gulf of St Lawrence: a fishing zone of Canada (1971)
        "49.5,-59.8",  # the north-east of the gulf, between Anticosti and Newfoundland
        "47.45,-59.75",  # Cabot Strait, between St Paul Island and Cape Ray
        "44.9,-66.1",  # the Bay of Fundy beyond 12 nm: behind the 1971 closing line, no baseline
    ],
)
def test_sea_the_source_drew_beyond_12_nm_without_a_baseline_is_no_territory(invoke: Callable, point: str) -> None:
    stop = _stop(invoke, point, "2024-06-01", subject="putin")
    assert (stop["country"], stop["obligation"], stop["basis"]) == (None, "none", "no_territory")


@pytest.mark.parametrize(
    "point",
    [
        "48.80,-64.05",  # off Cap Gaspe
        "46.60,-63.30",  # off the north shore of Prince Edward Island
        "49.30,-63.00",  # off the south shore of Anticosti Island
        "47.45,-61.60",  # off the Magdalen Islands
        "48.50,-59.40",  # off Cape St George, Newfoundland
        "45.10,-66.30",  # the Bay of Fundy off Saint John's shore
        "49.10,-67.50",  # the St Lawrence estuary upstream of Pointe-des-Monts, as the source draws it
    ],
)
def test_the_gulf_of_st_lawrence_within_12_nm_of_its_shores_stays_canada(invoke: Callable, point: str) -> None:
    """Cutting the gulf and the Bay of Fundy to 12 nm leaves Canada its territorial sea around them."""
    stop = _stop(invoke, point, "2024-06-01", subject="putin")
    assert (stop["country"]["iso3"], stop["basis"]) == ("CAN", "state_party")


@pytest.mark.parametrize(
    "point",
    [
        "54.690,-161.475",  # the Sandman Reefs: islets, reefs and rocks the land package lacks
        "52.702,174.690",  # around the Ingenstrem Rocks, east of Shemya
        "64.054,-161.583",  # around Besboro Island, Norton Sound
        "63.043,-165.385",  # off the Yukon delta: measured from the low-water line on its banks
        "64.349,-162.072",  # the mouth of Norton Bay: 12 nm from a 22.9-nm closing line
        "66.641,-163.098",  # off Cape Espenberg, next to the cut south of Kotzebue Sound
    ],
)
def test_sea_beyond_12_nm_of_the_land_package_with_a_recorded_basis_stays_territory(
    invoke: Callable, point: str
) -> None:
    """More than 12 nm from the land the land package draws, but within 12 nm of islets, rocks,
    low-water lines or a closing line the record names (states_parties.yaml, beyond_breadth: USA)."""
    stop = _stop(invoke, point, "2024-06-01", subject="putin")
    assert (stop["country"]["iso3"], stop["basis"]) == ("USA", "non_party")


GULF_OF_VENEZUELA = "11.65,-71.0"  # the middle of the gulf, more than 12 nm from any shore


def test_the_middle_of_the_gulf_of_venezuela_is_beyond_the_territorial_sea_disputed_by_venezuelas_claim(
    invoke: Callable,
) -> None:
    stop = _stop(invoke, GULF_OF_VENEZUELA, "2025-06-01", subject="putin")
    assert stop["country"]["territory"] == "Gulf of Venezuela, beyond 12 nm (claimed as historic waters)"
    assert (stop["obligation"], stop["basis"]) == ("none", "no_territory")
    assert (stop["disputed"]["obligation"], stop["disputed"]["basis"]) == ("arrest", "state_party")
    assert "historic waters" in stop["disputed"]["reading"]
    shore = _stop(invoke, "11.2,-71.1", "2025-06-01", subject="putin")  # within 12 nm of the southern shore
    assert (shore["country"]["iso3"], shore["country"]["territory"], shore["disputed"]) == ("VEN", None, None)
