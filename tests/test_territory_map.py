"""The map the law draws: every territory present, and a place named any way resolves through the
same polygons as its coordinates."""

from __future__ import annotations

import json
from collections.abc import Callable

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
