"""Recorded tracks: every reader, segments with entry and exit times, gaps, landings, the
antimeridian and a 12-nm sea border (the tests build their own small track files)."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import math
import zipfile
from pathlib import Path

import pytest

T0 = 1735725600  # 2025-01-01 10:00 UTC


def great_circle(a: tuple[float, float], b: tuple[float, float], steps: int) -> list[tuple[float, float]]:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    v1 = (math.cos(lat1) * math.cos(lon1), math.cos(lat1) * math.sin(lon1), math.sin(lat1))
    v2 = (math.cos(lat2) * math.cos(lon2), math.cos(lat2) * math.sin(lon2), math.sin(lat2))
    omega = math.acos(sum(p * q for p, q in zip(v1, v2, strict=True)))
    points = []
    for i in range(1, steps + 1):
        f = i / steps
        s1, s2 = math.sin((1 - f) * omega) / math.sin(omega), math.sin(f * omega) / math.sin(omega)
        x, y, z = (s1 * p + s2 * q for p, q in zip(v1, v2, strict=True))
        points.append((math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))))
    return points


def route(waypoints: list[tuple[float, float]], km_per_fix: float = 14.0) -> list[tuple[float, float]]:
    points = [waypoints[0]]
    for a, b in itertools.pairwise(waypoints):
        lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        km = 2 * 6371 * math.asin(math.sqrt(h))
        points += great_circle(a, b, max(1, round(km / km_per_fix)))
    return points


def readsb(
    path: Path, points: list[tuple[float, float]], *, ground_at_end: bool = False, skip: range = range(0)
) -> Path:
    trace = []
    for number, (lat, lon) in enumerate(points):
        if number in skip:
            continue
        altitude = "ground" if ground_at_end and number == len(points) - 1 else 35000
        trace.append([number * 60, round(lat, 5), round(lon, 5), altitude, 450, 270, 0])
    path.write_text(json.dumps({"icao": "738a5b", "r": "4X-ISR", "timestamp": T0, "trace": trace}))
    return path


# Tel Aviv, south of Crete and Sicily, between Sicily and Tunisia, out through Gibraltar
MEDITERRANEAN = [
    (32.01, 34.88),
    (33.3, 31.0),
    (34.3, 25.5),
    (34.6, 22.0),
    (35.6, 16.5),
    (37.4, 11.3),
    (37.6, 6.0),
    (36.6, -1.0),
    (35.95, -5.6),
    (36.2, -9.5),
    (38.0, -20.0),
]


def segments(invoke, path: Path, subject: str = "netanyahu", *extra: str) -> tuple[dict, int]:
    result = invoke("track", str(path), "--subject", subject, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["tracks"][0], result.exit_code


def test_a_mediterranean_flight_crosses_what_it_crosses(invoke, tmp_path: Path) -> None:
    track, status = segments(invoke, readsb(tmp_path / "trace_full_738a5b.json", route(MEDITERRANEAN)))
    crossed = [(s["iso3"], s["obligation"]) for s in track["segments"] if s["iso3"]]
    assert ("TUN", "overflight") in crossed and ("ESP", "overflight") in crossed and ("MAR", "none") in crossed
    assert ("GRC", "overflight") not in crossed and ("ITA", "overflight") not in crossed  # routed around them
    spain = next(s for s in track["segments"] if s["iso3"] == "ESP")
    assert spain["entered"] < spain["left"] and spain["airborne"] and spain["sources"]
    assert spain["entered"].endswith("Z") and len(spain["entered"]) == len("2025-01-01T14:25:47Z")
    assert {k: track["aircraft"][k] for k in ("hex", "registration", "callsign")} == {
        "hex": "738a5b",
        "registration": "4X-ISR",
        "callsign": None,
    }
    assert status == 0  # overflight is not an arrest
    assert (
        invoke(
            "track", str(tmp_path / "trace_full_738a5b.json"), "--subject", "netanyahu", "--fail-on", "overflight"
        ).exit_code
        == 1
    )


def test_entry_time_is_found_between_fixes(invoke, tmp_path: Path) -> None:
    """Crossing into France's 12-nm sea at a known time: fixes a minute apart, answer within seconds."""
    points = route([(43.0, 6.5), (44.0, 6.5)], km_per_fix=14)  # due north from the open sea to Provence
    track, _ = segments(invoke, readsb(tmp_path / "t.json", points))
    france = next(s for s in track["segments"] if s["iso3"] == "FRA")
    entered = dt.datetime.fromisoformat(france["entered"].replace("Z", "+00:00"))
    # the boundary is crossed where the geodesic first enters the polygon: recompute it finely
    from icc_travel.data import store
    from icc_travel.geo.places import PlaceResolver

    resolver = PlaceResolver(store.load())
    fine = [(43.0 + i / 10000, 6.5) for i in range(10001)]
    first = next(i for i, t in enumerate(resolver.locate_many(fine)) if t is not None and t.iso3 == "FRA")
    expected = T0 + (first / 10000) * (len(points) - 1) * 60
    assert abs(entered.timestamp() - expected) < 10


def test_a_gap_over_a_country_is_inferred_not_flown(invoke, tmp_path: Path) -> None:
    points = route([(48.0, -5.5), (47.0, 9.0)], km_per_fix=14)  # Brittany to Switzerland over France
    track, _ = segments(invoke, readsb(tmp_path / "gap.json", points, skip=range(10, len(points) - 10)), "putin")
    assert len(track["gaps"]) == 1 and track["gaps"][0]["minutes"] > 10
    inferred = [s for s in track["segments"] if s["inferred"]]
    assert any(s["iso3"] == "FRA" for s in inferred) and all(s["entered"] is None for s in inferred)


def test_a_landing_names_the_airport_and_the_stop_level(invoke, tmp_path: Path) -> None:
    points = route([(47.0, 100.0), (47.85, 106.77)], km_per_fix=10)  # into Ulaanbaatar
    track, status = segments(invoke, readsb(tmp_path / "uln.json", points, ground_at_end=True), "putin")
    (landing,) = track["landings"]
    assert (landing["iso3"] == "MNG" and "(UBN)" in landing["airport"]) or "(ULN)" in landing["airport"]
    assert (landing["obligation"], landing["basis"]) == ("arrest", "state_party") and status == 1


def test_the_antimeridian(invoke, tmp_path: Path) -> None:
    points = route([(-17.8, 177.4), (-13.8, -171.8)], km_per_fix=14)  # Fiji to Samoa
    path = readsb(tmp_path / "pacific.json", points)
    track, _ = segments(invoke, path, "putin")
    assert {s["iso3"] for s in track["segments"] if s["iso3"]} >= {"FJI", "WSM"}
    collection = json.loads(invoke("track", str(path), "--subject", "putin", "--format", "geojson").stdout)
    line = next(f for f in collection["features"] if f["properties"]["feature"] == "track")
    assert line["geometry"]["type"] == "MultiLineString"


def gpx_file(
    path: Path, points: list[tuple[float, float, float]], *, start: int = T0, empty_first: bool = False
) -> Path:
    """A GPX track of (lat, lon, metres above sea level) a minute apart; with `empty_first`, an
    empty <trk> before it, as editors leave them."""
    parts = ['<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">']
    if empty_first:
        parts.append("<trk><name>nothing</name><trkseg></trkseg></trk>")
    parts.append("<trk><name>t</name><trkseg>")
    for n, (lat, lon, metres) in enumerate(points):
        when = dt.datetime.fromtimestamp(start + 60 * n, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(f'<trkpt lat="{lat:.5f}" lon="{lon:.5f}"><ele>{metres:.0f}</ele><time>{when}</time></trkpt>')
    path.write_text("".join(parts) + "</trkseg></trk></gpx>")
    return path


def test_a_track_ending_on_a_high_airfield_has_landed(invoke, tmp_path: Path) -> None:
    """GPX elevations are above sea level. Al-Bashir's flight into Johannesburg (O. R. Tambo,
    5,558 ft) on 14 June 2015, recorded down to 1,700 m on its runway, once ended "airborne" over
    South Africa: only a track ending below 300 ft above sea level counted as landed."""
    approach = route([(-24.6, 28.246), (-26.1392, 28.246)], km_per_fix=6)  # from the north
    metres = [max(1700.0, 6000.0 - 150.0 * n) for n in range(len(approach))]
    points = [(lat, lon, m) for (lat, lon), m in zip(approach, metres, strict=True)]
    points += [(-26.1392, 28.246, 1700.0)] * 3  # rolled out and stood on the runway
    bashir_day = int(dt.datetime(2015, 6, 14, 10, tzinfo=dt.UTC).timestamp())
    track, status = segments(invoke, gpx_file(tmp_path / "jnb.gpx", points, start=bashir_day), "bashir")
    (landing,) = track["landings"]
    assert landing["iso3"] == "ZAF" and "(JNB)" in landing["airport"]
    assert (landing["obligation"], landing["basis"]) == ("arrest", "state_party") and status == 1
    # the same descent ending 2,000 m up, short of the field, has not landed
    high = [(lat, lon, m + 2000.0) for lat, lon, m in points]
    track, _ = segments(invoke, gpx_file(tmp_path / "high.gpx", high, start=bashir_day), "bashir")
    assert track["landings"] == []


def test_low_over_ground_answers_cruise_without_the_airport_table() -> None:
    """Every screened track's end is asked whether it is low over the ground; at cruise the
    answer needs no airport (reading the table and measuring 7,900 airports per track added a
    sixth to a screen of 200 cruising aircraft). The shortcut holds only while no IATA airport
    lies above HIGHEST_FIELD_FT, which the table is checked for here."""
    from icc_travel.geo import airfields
    from icc_travel.geo.places import airport_table

    airfields._airports.cache_clear()
    assert not airfields.low_over_ground(47.4369, 19.2556, 35_000.0, 300.0)
    assert airfields._airports.cache_info().currsize == 0
    highest = max(float(a.get("elevation") or 0.0) for a in airport_table("IATA").values())
    assert 14_000 < highest <= airfields.HIGHEST_FIELD_FT
    # a runway at 5,558 ft is low over the ground; the same place 2,000 ft up is not
    assert airfields.low_over_ground(-26.1392, 28.246, 5_600.0, 300.0)
    assert not airfields.low_over_ground(-26.1392, 28.246, 7_600.0, 300.0)


def test_a_gpx_flight_standing_an_hour_at_an_airfield_landed_there(invoke, tmp_path: Path) -> None:
    """GPX and KML carry no on-ground flag. Istanbul to Moscow with an hour at Budapest's gate on
    3 April 2025 (Hungary still a State Party) read as one flight "airborne" over Hungary; the
    fixes standing at the field's elevation (495 ft) are on the ground: a landing, two flights."""
    istanbul, budapest, moscow = (41.2753, 28.7519), (47.4369, 19.2556), (55.9726, 37.4146)
    first = route([istanbul, budapest], km_per_fix=18)
    second = route([budapest, moscow], km_per_fix=18)[1:]
    points = [(lat, lon, 11000.0 if 5 < n < len(first) - 8 else 151.0) for n, (lat, lon) in enumerate(first)]
    points += [(*budapest, 151.0)] * 60  # a minute apart: an hour standing at 151 m
    points += [(lat, lon, min(11000.0, 151.0 + 400.0 * n)) for n, (lat, lon) in enumerate(second, 1)]
    day = int(dt.datetime(2025, 4, 3, 8, tzinfo=dt.UTC).timestamp())
    track, status = segments(invoke, gpx_file(tmp_path / "stop.gpx", points, start=day))
    (landing,) = track["landings"]
    assert landing["iso3"] == "HUN" and "(BUD)" in landing["airport"]
    assert (landing["obligation"], landing["basis"]) == ("arrest", "state_party") and status == 1
    assert len(track["flights"]) == 2
    # the same hour spent 2,000 m up over the field (a balloon, not an aircraft on the ground)
    aloft = [(lat, lon, m + 2000.0) for lat, lon, m in points]
    track, _ = segments(invoke, gpx_file(tmp_path / "aloft.gpx", aloft, start=day))
    assert track["landings"] == [] and len(track["flights"]) == 1


def test_an_empty_gpx_track_is_passed_over(invoke, tmp_path: Path) -> None:
    """Route editors leave empty <trk> elements; one once made the whole file "no positions"."""
    points = [(lat, lon, 10000.0) for lat, lon in route([(36.5, -7.0), (36.0, -4.5)], km_per_fix=10)]
    track, _ = segments(invoke, gpx_file(tmp_path / "t.gpx", points, empty_first=True))
    assert track["points"] == len(points)
    only_empty = tmp_path / "e.gpx"
    only_empty.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        "<trk><trkseg></trkseg></trk></gpx>"
    )
    result = invoke("track", str(only_empty), "--subject", "putin")
    assert result.exit_code == 2 and "has no track with positions" in result.stderr


def test_every_reader(invoke, tmp_path: Path) -> None:
    points = route([(36.5, -7.0), (36.0, -4.5)], km_per_fix=10)  # into Spain's south coast
    readsb(tmp_path / "a.json", points)
    (tmp_path / "a.json.gz").write_bytes(gzip.compress((tmp_path / "a.json").read_bytes()))
    rows = ["Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction"]
    rows += [f'{T0 + 60 * n},x,ISR001,"{lat:.5f},{lon:.5f}",35000,450,90' for n, (lat, lon) in enumerate(points)]
    (tmp_path / "b.csv").write_text("\n".join(rows) + "\n")
    gpx = [
        '<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>t</name><trkseg>'
    ]
    for n, (lat, lon) in enumerate(points):
        when = dt.datetime.fromtimestamp(T0 + 60 * n, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        gpx.append(f'<trkpt lat="{lat:.5f}" lon="{lon:.5f}"><ele>10000</ele><time>{when}</time></trkpt>')
    (tmp_path / "c.gpx").write_text("".join(gpx) + "</trkseg></trk></gpx>")
    kml = [
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><Placemark><name>ISR001</name><gx:Track>'
    ]
    kml += [
        f"<when>{dt.datetime.fromtimestamp(T0 + 60 * n, dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</when>"
        for n in range(len(points))
    ]
    kml += [f"<gx:coord>{lon:.5f} {lat:.5f} 10668</gx:coord>" for lat, lon in points]
    (tmp_path / "d.kml").write_text("".join(kml) + "</gx:Track></Placemark></Document></kml>")
    with zipfile.ZipFile(tmp_path / "d.kmz", "w", compression=zipfile.ZIP_DEFLATED) as kmz:  # Google Earth's
        kmz.writestr("doc.kml", (tmp_path / "d.kml").read_text())
        kmz.writestr("files/icon.png", b"\x89PNG")
    rows = ["time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,baroaltitude"]
    rows += [
        f"{T0 + 60 * n},738a5b,{lat:.5f},{lon:.5f},230,90,0,ISR001,False,False,False,1000,10668"
        for n, (lat, lon) in enumerate(points)
    ]
    rows += [
        f"{T0 + 60 * n},4b1805,{lat:.5f},{lon:.5f},230,90,0,SWR1,False,False,False,1000,10668"
        for n, (lat, lon) in enumerate(points)
    ]
    (tmp_path / "e.csv").write_text("\n".join(rows) + "\n")
    pyarrow = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    records = [dict(zip(rows[0].split(","), line.split(","), strict=True)) for line in rows[1:]]
    for record in records:
        record["time"], record["lat"], record["lon"] = int(record["time"]), float(record["lat"]), float(record["lon"])
        record["baroaltitude"], record["onground"] = float(record["baroaltitude"]), record["onground"] == "True"
    pq.write_table(pyarrow.Table.from_pylist(records), tmp_path / "f.parquet")
    answers = []
    for name in ("a.json", "a.json.gz", "b.csv", "c.gpx", "d.kml", "d.kmz", "e.csv", "f.parquet"):
        track, _ = segments(invoke, tmp_path / name, "putin")
        answers.append([(s["iso3"], s["obligation"]) for s in track["segments"]])
    assert all(answer == answers[0] for answer in answers) and ("ESP", "overflight") in answers[0]
    document = json.loads(invoke("track", str(tmp_path / "e.csv"), "--subject", "putin", "--format", "json").stdout)
    assert [t["aircraft"]["hex"] for t in document["tracks"]] == ["4b1805", "738a5b"]  # one track per aircraft


def test_a_bad_gpx_point_is_named_by_its_line(invoke, tmp_path: Path) -> None:
    """gpxpy gives points, not lines: the error names the line of the point's <trkpt>."""
    lines = [
        '<?xml version="1.0"?>',
        '<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>',
        '<trkpt lat="36.5" lon="-7.0"><time>2025-01-01T10:00:00Z</time></trkpt>',
        "<!-- a comment -->",
        '<trkpt lat="36.4" lon="-6.9">',
        "</trkpt>",
        "</trkseg></trk></gpx>",
    ]
    path = tmp_path / "t.gpx"
    path.write_text("\n".join(lines))
    result = invoke("track", str(path), "--subject", "putin")
    assert result.exit_code == 2 and f"{path}:5: a GPX track point without a time" in result.stderr
    lines[4] = '<trkpt lat="96.4" lon="-6.9"><time>2025-01-01T10:01:00Z</time>'
    path.write_text("\n".join(lines))
    result = invoke("track", str(path), "--subject", "putin")
    assert result.exit_code == 2 and f"{path}:5: track point 2: position 96.4,-6.9 is not on the globe" in result.stderr


def test_a_jump_at_the_same_moment_is_named_in_km_not_an_absurd_speed(invoke, tmp_path: Path) -> None:
    """Two positions 85 km apart stamped in the same second once read "a 306,020,219,962,585 km/h
    jump" (a KML MultiTrack whose two tracks share their times)."""
    points = route([(36.5, -7.0), (36.0, -4.5)], km_per_fix=10)
    trace = [[60 * n, round(lat, 5), round(lon, 5), 35000] for n, (lat, lon) in enumerate(points)]
    trace.insert(10, [60 * 9, round(points[9][0] + 0.76, 5), round(points[9][1], 5), 35000])  # same time, 85 km off
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"icao": "738a5b", "timestamp": T0, "trace": trace}))
    track, _ = segments(invoke, path, "putin")
    (stretch,) = track["quality"]["suspect"]
    assert "km jump into them within a second" in stretch["why"] and "km/h jump into" not in stretch["why"]


def test_a_kmz_without_a_kml_or_expanding_past_the_limit_is_one_line(invoke, tmp_path: Path) -> None:
    empty = tmp_path / "empty.kmz"
    with zipfile.ZipFile(empty, "w") as kmz:
        kmz.writestr("images/a.png", b"x")
    result = invoke("track", str(empty), "--subject", "putin")
    assert result.exit_code == 2 and "no .kml file in it" in result.stderr
    broken = tmp_path / "broken.kmz"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    result = invoke("track", str(broken), "--subject", "putin")
    assert result.exit_code == 2 and "unreadable KMZ (ZIP) archive" in result.stderr
    bomb = tmp_path / "bomb.kmz"  # 1 MB declaring 1.1 GB inside: refused before it expands
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as kmz,
        kmz.open("doc.kml", "w", force_zip64=True) as member,
    ):
        member.write(b"<kml>")
        for _ in range(1100):
            member.write(b" " * (1 << 20))
    result = invoke("track", str(bomb), "--subject", "putin")
    assert result.exit_code == 2 and "doc.kml: too large (1,153,433,605 bytes" in result.stderr
    crowded = tmp_path / "crowded.kmz"  # every entry would be read into memory before any answer
    with zipfile.ZipFile(crowded, "w") as kmz:
        for number in range(70_000):  # past 65,535: the count is in the ZIP64 end record
            kmz.writestr(f"{number}.png", b"")
        kmz.writestr("doc.kml", "<kml/>")
    result = invoke("track", str(crowded), "--subject", "putin")
    assert result.exit_code == 2 and "a ZIP archive of 70,001 files, more than a KMZ holds" in result.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{}", "needs a 'trace' list"),
        (  # a receiver's log of readsb records, one per line (eastham/adsb_actions' tests/1hr.json)
            '{"now": 1693303200, "alt_baro": 3775, "lat": 40.76, "lon": -119.19, "hex": "a19702"}\n{"now": 1}\n',
            ":1: JSON Lines, but not rs1090/jet1090 messages (each has timestamp, icao24, df; this line has "
            "alt_baro, hex, lat, lon, now)",
        ),
        ('{"timestamp": 1, "trace": [[0, 91, 0, 1000]]}', "is not on the globe"),
        ("Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n1,x,y,bad,1,1,1\n", "t.txt:2"),
        ("hello", "not a track this tool reads"),
    ],
)
def test_bad_track_files_are_one_line(invoke, tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "t.txt"
    path.write_text(content)
    result = invoke("track", str(path), "--subject", "putin")
    assert result.exit_code == 2 and says in result.stderr and "Traceback" not in result.stderr


def test_a_known_aircraft_names_its_subject(invoke, tmp_path: Path) -> None:
    path = readsb(tmp_path / "wing.json", route([(36.5, -7.0), (36.0, -4.5)], km_per_fix=10))  # registration 4X-ISR
    result = invoke("track", str(path), "--format", "json")
    assert result.exit_code in (0, 1) and "the subject the data ties to this aircraft" in result.stderr
    document = json.loads(result.stdout)
    known = document["tracks"][0]["aircraft"]["known"]
    assert document["subject"]["id"] == "netanyahu" and known["registration"] == "4X-ISR"
    assert known["sources"] and "decoy" in known["caveat"]
    other = json.loads(path.read_text())
    other["r"], other["icao"] = "D-ABCD", "3c0000"
    path.write_text(json.dumps(other))
    unknown = invoke("track", str(path))
    assert unknown.exit_code == 2 and "give --subject" in unknown.stderr


def test_readsb_fields_of_every_kind_are_read_as_the_careful_reading_reads_them(tmp_path: Path) -> None:
    """The columnar reading of a readsb trace gives the fixes the point-by-point reading gives:
    stale points left out, 'ground' at 0 ft, null and unknown altitudes as None, the new-leg flag,
    the position source where the point has one, short points, and points out of time order."""
    from icc_travel.geo.tracks import Fix, read_tracks

    trace = [
        [0, 32.0, 34.9, "ground", 10, 0, 0, 0, None, "adsb_icao"],
        [60.5, 32.1, 34.8, 1200, 200, 270, 0, 0, None, "mlat"],
        [30, 32.05, 34.85, None, 150, 270, 2],  # earlier than the point before it; a new leg
        [90, 32.2, 34.7, 2400, 250, 270, 1, 0, None, "adsb_icao"],  # stale: not a fix
        [120, 32.3, 34.6, "unknown", 250, 270],  # an altitude that is no number: unknown
        [180.25, 32.4, 34.5, 3600.5],
    ]
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"icao": "738a5b", "r": "4X-ISR", "timestamp": T0 + 0.5, "trace": trace}))
    track = read_tracks(path)[0]

    def at(seconds: float) -> dt.datetime:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=T0 + 0.5 + seconds)

    assert list(track.fixes) == [
        Fix(at(0), 32.0, 34.9, 0.0, True, "adsb_icao", False),
        Fix(at(30), 32.05, 34.85, None, False, None, True),
        Fix(at(60.5), 32.1, 34.8, 1200.0, False, "mlat", False),
        Fix(at(120), 32.3, 34.6, None, False, None, False),
        Fix(at(180.25), 32.4, 34.5, 3600.5, False, None, False),
    ]
    assert track.fixes[-1] == list(track.fixes)[-1] and len(track.fixes[1:3]) == 2
    assert (track.hex, track.registration) == ("738a5b", "4X-ISR")


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ([60, True, 34.8, 1200], "trace[2]: latitude and longitude must be numbers"),
        ([60, 32.1, 34.8, float("nan")], "trace[2]: altitude nan is not a finite number"),
        ([60, 95.0, 34.8, 1200], "trace[2]: position 95.0,34.8 is not on the globe"),
        (["60", 32.1, 34.8, 1200], "trace[2]: time offset must be a number"),
        ([60, 32.1, 34.8], "trace[2]: expected [seconds, lat, lon, altitude, ...]"),
    ],
)
def test_a_bad_point_in_a_long_trace_is_named(invoke, tmp_path: Path, point: list, message: str) -> None:
    """The columnar reading refuses nothing silently: a bad point sends the trace to the careful
    reading, which names it, as before."""
    path = tmp_path / "trace.json"
    trace = [[0, 32.0, 34.9, 1000], point] + [[120 + n, 32.0, 34.9, 1000] for n in range(50)]
    path.write_text(json.dumps({"icao": "738a5b", "timestamp": T0, "trace": trace}))
    result = invoke("track", str(path), "--subject", "netanyahu")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_tracks_analysed_together_answer_as_each_alone(dataset, resolver, tmp_path: Path) -> None:
    """analyse_many locates the fixes of every track in one lookup and bisects every boundary at
    once: each track's result is the one `analyse` gives it alone."""
    from icc_travel.engine.contract import track_json
    from icc_travel.engine.track import analyse, analyse_many
    from icc_travel.geo.tracks import read_tracks

    tracks = [
        read_tracks(readsb(tmp_path / "west.json", route(MEDITERRANEAN), ground_at_end=True))[0],
        read_tracks(readsb(tmp_path / "gapped.json", route(MEDITERRANEAN[:4]), skip=range(20, 60)))[0],
        *read_tracks(Path(__file__).parent / "data" / "real" / "trace_full_ac671b.json"),
    ]
    subject = dataset.subject("netanyahu")
    together = analyse_many(dataset, [(subject, t, None) for t in tracks], resolver=resolver)
    for track, result in zip(tracks, together, strict=True):
        alone = analyse(dataset, subject, track, resolver=resolver)
        assert track_json(result) == track_json(alone)
        assert len(result.segments) > 1


def test_airfields_within_ten_km_are_the_nearest_airports_found_by_measuring_all() -> None:
    """Ground inference asks, for every slow fix, for an airfield within 10 km: measured against
    the airports in the fixes' band of latitude only (a day of taxiing is hundreds of thousands of
    positions, and measuring each against 7,900 airports took seconds). The same airports and km as
    measuring every one, near airports, far from them and across the antimeridian."""
    import numpy as np

    from icc_travel.geo import airfields

    rng = np.random.default_rng(28)
    airport_lats, airport_lons, _, _ = airfields._airports()
    pick = rng.integers(0, len(airport_lats), 3000)
    lats = np.concatenate([airport_lats[pick] + rng.normal(0, 0.05, 3000), rng.uniform(-80, 80, 3000), [-17.8, 51.9]])
    lons = np.concatenate(
        [airport_lons[pick] + rng.normal(0, 0.05, 3000), rng.uniform(-180, 180, 3000), [179.99, -179.99]]
    )
    lons = (lons + 180) % 360 - 180
    every_km, every_index = airfields._nearest_many(lats, lons)  # every band: all airports
    km, index = airfields._nearest_many(lats, lons, airfields.AIRPORT_GROUND_KM)
    near = every_km <= airfields.AIRPORT_GROUND_KM
    assert near.sum() > 1000 and np.allclose(km[near], every_km[near]) and (index[near] == every_index[near]).all()
    assert np.isinf(km[~near]).all()
