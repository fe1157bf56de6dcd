"""`track` on real receiver recordings (tests/data/real/README.md says where each comes from):
GNSS spoofing, a readsb day of flights with an unseen landing, a Flightradar24 playback."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parent / "data" / "real"
MAX_FLOWN_KMH = 1500


def document(invoke, name: str, *extra: str) -> dict:
    result = invoke("track", str(REAL / name), "--subject", "putin", "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)["tracks"][0]


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.iterdir() if p.name != "README.md"))
def test_no_flown_segment_is_faster_than_an_aircraft(invoke, name: str) -> None:
    result = invoke("track", str(REAL / name), "--subject", "putin", "--format", "json")
    tracks = json.loads(result.stdout)["tracks"]  # the Paris collection: all 213 aircraft
    for segment in (segment for track in tracks for segment in track["segments"]):
        if segment["inferred"] or not segment["airborne"]:
            continue
        hours = (when(segment["left"]) - when(segment["entered"])).total_seconds() / 3600
        if segment["km"] > 2:  # a border a few hundred metres past a fix: timing, not speed
            assert segment["km"] / max(hours, 1 / 3600) <= MAX_FLOWN_KMH, (name, segment)


def test_spoofed_positions_are_not_flown(invoke) -> None:
    """The THY flight of 17 September 2024 never entered Ukraine's airspace (closed since 2022);
    its spoofed positions near Lviv once gave a 324 km flown overflight of Ukraine."""
    track = document(invoke, "traffic_noisy_spoofing.csv.gz")
    flown = [s for s in track["segments"] if not s["inferred"]]
    assert "UKR" not in {s["iso3"] for s in flown}
    stretch = track["quality"]["suspect"]
    # from the freeze over north-west Romania (09:04) to the last position drifting near Lviv
    assert len(stretch) == 1 and "09:03" <= stretch[0]["from"][11:16] <= "09:24" and stretch[0]["to"][11:16] == "09:47"
    assert "jump" in stretch[0]["why"] and "spoofing" in stretch[0]["why"]
    for segment in flown:  # no flown segment rests on a rejected position
        assert not (
            when(segment["entered"]) < when(stretch[0]["to"]) and when(segment["left"]) > when(stretch[0]["from"])
        )
    crossed = [s for s in track["segments"] if s["inferred"]]
    assert crossed and all(s["quality"]["suspect"] for s in crossed)
    trusting = document(invoke, "traffic_noisy_spoofing.csv.gz", "--trust-positions")
    assert "UKR" in {s["iso3"] for s in trusting["segments"] if not s["inferred"]}  # the filter is what keeps it out
    assert trusting["quality"]["filter"].startswith("off")


def test_the_spoofing_warning_names_the_time_span(invoke) -> None:
    result = invoke("track", str(REAL / "traffic_noisy_spoofing.csv.gz"), "--subject", "putin")
    assert "(suspect positions)" in result.stdout
    assert "to 2024-09-17T09:47:44Z left out as implausible" in result.stderr


def test_a_receiver_s_silence_is_a_gap_not_positions_standing_still(invoke) -> None:
    """N171SY leaves the receiver's range descending at 04:37 and comes back climbing ten hours
    later three kilometres away. The last fixes before the silence and the first after it once
    made a two-minute window "moving at 3 km/h at 31,450 ft" and were left out as GNSS spoofing;
    a window that holds a silence is no evidence of drifting, so every position is kept and the
    silence is a gap. Three kilometres in ten hours is no flight: the gap says it most likely
    landed somewhere unseen (it went silent and came back at cruise height, so not where it was
    lost). N899DN's gaps of 15 to 37 minutes say nothing of the kind."""
    track = document(invoke, "trace_full_a11e8b.json")
    assert not track["quality"]["suspect"]
    (gap,) = track["gaps"]
    assert gap["minutes"] > 600 and not gap.get("quality") and gap["landed_unseen"] is True
    assert gap["from"].startswith("2023-08-30T04:37") and gap["to"].startswith("2023-08-30T14:58")
    text = invoke("track", str(REAL / "trace_full_a11e8b.json"), "--subject", "putin").stdout
    assert "it most likely landed somewhere unseen, where is not known" in text
    # so the flight out and the flight back are two, neither with a known airport, and no
    # airborne crossing is made up under the silence
    first, second = track["flights"]
    assert first["end"] == gap["from"] and second["start"] == gap["to"]
    assert first["arrival"]["airport"] is None and second["departure"]["airport"] is None
    assert not any(segment["inferred"] for segment in track["segments"])
    day = document(invoke, "trace_full_ac671b.json")
    assert day["gaps"] and not any(g.get("landed_unseen") for g in day["gaps"])


def test_opensky_positions_are_read_at_their_own_time(invoke) -> None:
    """State vectors repeat a position until a new one arrives: read once, at lastposupdate."""
    from icc_travel.geo.tracks import read_tracks

    fixes = read_tracks(REAL / "traffic_noisy_spoofing.csv.gz")[0].fixes
    assert len(fixes) < 8670  # rows with a position
    assert len({f.time for f in fixes}) == len(fixes)  # each received position once, at its own time
    positions = [(f.lat, f.lon) for f in fixes]
    assert sum(a == b for a, b in itertools.pairwise(positions)) <= 1  # not repeated each second


def test_a_readsb_day_is_split_into_flights(invoke) -> None:
    track = document(invoke, "trace_full_ac671b.json")
    flights = track["flights"]
    assert [(f["departure"]["airport"] or "", f["arrival"]["airport"] or "") for f in flights] == [
        ("", "Minneapolis-St Paul International/Wold-Chamberlain Airport (MSP)"),
        ("Minneapolis-St Paul International/Wold-Chamberlain Airport (MSP)", "Felts Field (SFF)"),
        ("Felts Field (SFF)", "Minneapolis-St Paul International/Wold-Chamberlain Airport (MSP)"),
        ("Minneapolis-St Paul International/Wold-Chamberlain Airport (MSP)", "Denver International Airport (DEN)"),
    ]
    assert flights[0]["departure"]["recorded"] is False  # the trace starts in the air over Belize
    assert flights[1]["arrival"]["inferred"] and flights[2]["departure"]["inferred"]
    inferred = [landing for landing in track["landings"] if landing["inferred"]]
    assert len(inferred) == 1 and inferred[0]["iso3"] == "USA"
    # parked at MSP overnight and between flights: time on the ground, never an airborne gap
    for gap in track["gaps"]:
        assert gap["minutes"] < 120, gap
    assert not [s for s in track["segments"] if s["airborne"] and s["inferred"] and s["km"] == 0]
    covered = {index for f in flights for index in f["segments"]}
    assert covered == {i for i, s in enumerate(track["segments"]) if s["airborne"]}


def test_an_unseen_landing_is_inferred_in_every_format(invoke) -> None:
    """N899DN's landing at Spokane was inferred from an eight-hour silence: the CSV said
    `inferred` False for it while the JSON said true."""
    import csv
    import io

    track = document(invoke, "trace_full_ac671b.json")
    expected = [(a["time"], a["inferred"]) for a in track["landings"]]
    assert (True in {inferred for _, inferred in expected}) and (False in {inferred for _, inferred in expected})
    result = invoke("track", str(REAL / "trace_full_ac671b.json"), "--subject", "putin", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    landed = [(r["time"], r["inferred"] == "True") for r in rows if r["record"] == "landing"]
    assert sorted(landed) == sorted(expected)


def test_the_table_groups_rows_by_flight(invoke) -> None:
    result = invoke("track", str(REAL / "trace_full_ac671b.json"), "--subject", "putin", "--format", "csv")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["flight"] for row in rows if row["airborne"] == "airborne"} == {"1", "2", "3", "4"}


def test_a_flightradar24_playback_is_a_track(invoke) -> None:
    track = document(invoke, "fr24_2ce4f83f.json")
    assert track["aircraft"]["hex"] == "ae503d" and track["aircraft"]["callsign"] == "SPAR19"
    assert [landing["iso3"] for landing in track["landings"]] == ["MYS", "TWN"]
    assert {"IDN", "SGP"} <= {s["iso3"] for s in track["segments"]}
    assert len(track["flights"]) == 1 and "(TSA)" in track["flights"][0]["arrival"]["airport"]


def test_the_quality_filter_keeps_clean_tracks_whole(invoke) -> None:
    for name in ("trace_full_ac671b.json", "fr24_2ce4f83f.json", "traffic_noisy_landing.csv.gz"):
        assert document(invoke, name)["quality"]["suspect_positions"] == 0, name


def test_every_position_rejected_is_an_answer(invoke, tmp_path: Path) -> None:
    """Two positions 3,000 km apart one second apart: neither can be trusted alone, one is kept."""
    from test_tracks import T0

    path = tmp_path / "t.json"
    trace = [[0, 50.0, 10.0, 35000], [1, 50.0, 50.0, 35000]]
    path.write_text(json.dumps({"icao": "abcdef", "timestamp": T0, "trace": trace}))
    result = invoke("track", str(path), "--subject", "putin", "--format", "json")
    assert result.exit_code in (0, 1) and json.loads(result.stdout)["tracks"][0]["quality"]["suspect_positions"] == 1


# one aircraft's recordings: the Paris collection (213 aircraft) is screened, not drawn
SINGLE_TRACKS = sorted(p.name for p in REAL.iterdir() if p.name not in ("README.md", "traffic_quickstart.parquet"))


@pytest.mark.parametrize("name", SINGLE_TRACKS)
def test_report_and_map_follow_real_tracks(invoke, tmp_path: Path, name: str) -> None:
    """The report once failed on a track whose gap crossed a state with a duty (no time to date it)."""
    html5lib = pytest.importorskip("html5lib")
    page = tmp_path / "page.html"
    result = invoke("report", "--track", str(REAL / name), "--subject", "putin", "-o", str(page))
    assert result.exit_code == 0, result.stderr
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.read_text())
    if name.startswith("traffic_noisy_spoofing"):
        assert "Suspect positions" in page.read_text() and "judged implausible" in page.read_text()
    if name == "trace_full_ac671b.json":
        assert "flight 2: landed unseen (inferred)" in page.read_text()
    drawn = tmp_path / "map.svg"
    assert invoke("map", "--track", str(REAL / name), "--subject", "putin", "-o", str(drawn)).exit_code == 0
    assert drawn.read_text().startswith("<?xml")


def test_screen_reads_real_state_vectors_as_track_does(invoke, tmp_path: Path) -> None:
    """`screen` over the spoofed OpenSky vectors gives `track`'s rows (lastposupdate, the quality
    filter); the Dask engine's, in the test below."""
    import gzip

    positions = tmp_path / "states.csv"
    positions.write_bytes(gzip.decompress((REAL / "traffic_noisy_spoofing.csv.gz").read_bytes()))
    watchlist = tmp_path / "watched.csv"
    watchlist.write_text("hex,registration,subject,source\n4baac6,,putin,\n")
    local = invoke("screen", str(positions), "--watchlist", str(watchlist), "--format", "jsonl")
    rows = [json.loads(line) for line in local.stdout.splitlines()]
    track = document(invoke, "traffic_noisy_spoofing.csv.gz")
    assert [(r["iso3"], r["inferred"]) for r in rows] == [(s["iso3"], s["inferred"]) for s in track["segments"]]
    assert "UKR" not in {r["iso3"] for r in rows if not r["inferred"]}


def test_screen_of_three_real_recordings_in_one_file_matches_each_track_on_both_engines(invoke, tmp_path: Path) -> None:
    """The three OpenSky recordings in one file, three aircraft for three subjects: each
    aircraft's rows are its own `track`'s segments, and the Dask workers (which take shares of
    the watched aircraft and locate their tracks) write what one process writes."""
    import gzip

    recordings = {"3c664e": "landing", "4baac6": "spoofing", "4b1815": "time_issue"}
    subjects = dict(zip(recordings, ("putin", "netanyahu", "bashir"), strict=True))
    lines: list[str] = []
    for name in recordings.values():
        text = gzip.decompress((REAL / f"traffic_noisy_{name}.csv.gz").read_bytes()).decode()
        lines += text.splitlines()[0 if not lines else 1 :]
    positions = tmp_path / "three.csv"
    positions.write_text("\n".join(lines) + "\n")
    watchlist = tmp_path / "watched.csv"
    watchlist.write_text("hex,registration,subject,source\n" + "".join(f"{h},,{s},\n" for h, s in subjects.items()))
    local = invoke("screen", str(positions), "--watchlist", str(watchlist), "--format", "jsonl")
    rows = [json.loads(line) for line in local.stdout.splitlines()]
    for hex_, name in recordings.items():
        track = invoke(
            "track", str(REAL / f"traffic_noisy_{name}.csv.gz"), "--subject", subjects[hex_], "--format", "json"
        )
        found = json.loads(track.stdout)["tracks"][0]
        mine = [(r["iso3"], r["inferred"], r["obligation"]) for r in rows if r["hex"] == hex_ and "entered" in r]
        assert mine == [(s["iso3"], s["inferred"], s["obligation"]) for s in found["segments"]]
        landed = [(r["iso3"], r["time"], r["airport"]) for r in rows if r["hex"] == hex_ and "time" in r]
        assert landed == [(a["iso3"], a["time"], a["airport"]) for a in found["landings"]]
    assert {r["hex"] for r in rows} == set(recordings)
    # two recordings end on short final into Zurich (1,416 ft), near or below the field's
    # elevation (DLH4TR at 1,700 ft, 4b1815 at 1,175 ft on a high-pressure day): both landed there
    landed = [(r["hex"], r["iso3"], r["airport"]) for r in rows if "time" in r]
    assert landed == [("3c664e", "CHE", "Zurich Airport (ZRH)"), ("4b1815", "CHE", "Zurich Airport (ZRH)")]
    pytest.importorskip("distributed")
    dask = invoke("screen", str(positions), "--watchlist", str(watchlist), "--format", "jsonl", "--engine", "dask")
    assert dask.stdout == local.stdout


def test_a_track_of_only_implausible_positions_is_an_answer(invoke, tmp_path: Path) -> None:
    """Twenty minutes frozen at cruise altitude: no trustworthy position, nothing drawn as flown."""
    from test_tracks import T0

    path = tmp_path / "frozen.json"
    trace = [[minute * 60, 50.0, 10.0, 35000, 450, 60, 0] for minute in range(20)]
    path.write_text(json.dumps({"icao": "abcdef", "timestamp": T0, "trace": trace}))
    result = invoke("track", str(path), "--subject", "putin")
    assert result.exit_code == 0 and "no trustworthy position" in result.stdout + result.stderr
    document = json.loads(invoke("track", str(path), "--subject", "putin", "--format", "json").stdout)["tracks"][0]
    assert document["segments"] == [] and document["quality"]["suspect_positions"] == 20
    drawn = json.loads(invoke("track", str(path), "--subject", "putin", "--format", "geojson").stdout)
    assert drawn["features"] == []


def test_watch_replaying_the_spoofed_flight_never_enters_ukraine(tmp_path: Path, monkeypatch) -> None:
    """Live, the spoofed positions after the 18-minute silence are held until a run of them
    confirms where the aircraft is; drifting at cruise altitude, they never do."""
    import subprocess
    import sys

    watchlist = tmp_path / "watched.csv"
    watchlist.write_text("hex,registration,subject,source\n4baac6,,putin,\n")
    command = str(Path(sys.executable).parent / "icc-travel")
    env = {**__import__("os").environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [command, "watch", "--replay", str(REAL / "traffic_noisy_spoofing.csv.gz"), "--watchlist", str(watchlist)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    events = [json.loads(line) for line in done.stdout.splitlines()]
    entered = [(e["iso3"], e["time"][11:16]) for e in events if e["event"] == "entered"]
    assert "UKR" not in {iso3 for iso3, _ in entered}
    assert ("POL", "09:58") in entered and ("SWE", "10:21") in entered


QUICKSTART = REAL / "traffic_quickstart.parquet"


def _screen_rows(invoke, tmp_path: Path, *extra: str, positions: Path = QUICKSTART) -> list[dict]:
    """`screen` of the real Paris traffic (213 aircraft, three hours) for every aircraft in it."""
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    hexes = sorted(set(pyarrow_parquet.read_table(QUICKSTART, columns=["icao24"]).column(0).to_pylist()))
    subjects = ("putin", "netanyahu", "bashir")
    watchlist = tmp_path / "everyone.csv"
    watchlist.write_text(
        "hex,registration,subject,source\n" + "".join(f"{h},,{subjects[n % 3]},\n" for n, h in enumerate(hexes))
    )
    result = invoke("screen", str(positions), "--watchlist", str(watchlist), "--format", "jsonl", *extra)
    assert result.exit_code == 1, result.stderr  # al-Bashir's landings in France, a state party
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_on_ground_flags_that_flicker_in_real_traffic_make_no_landing(invoke, tmp_path: Path) -> None:
    """Real OpenSky vectors around Paris flag single fixes on the ground in mid-flight (399c41 at
    12:10:43, 7,000 ft at some 420 km/h) and fixes airborne while an aircraft stands at its gate
    (393324 at Orly). Read as recorded (`--trust-positions`), 30 of the 213 aircraft land two or three
    times within minutes and 11 land in mid-flight; read against the positions, each lands once."""
    rows = _screen_rows(invoke, tmp_path)
    landings: dict[str, list[str]] = {}
    for row in rows:
        if row["record"] == "landing":
            landings.setdefault(row["hex"], []).append(row["time"])
    assert len(landings) > 100 and all(len(times) == 1 for times in landings.values())
    assert landings["399c41"] == ["2021-10-07T12:23:09Z"]
    assert not [r for r in rows if r["record"] == "segment" and r["airborne"] and r["km"] < 0.5]
    parked = [r for r in rows if r["hex"] == "393324" and r["record"] == "segment"]
    assert [r["airborne"] for r in parked] == [False, True]  # at the gate until it leaves, then flying
    raw = _screen_rows(invoke, tmp_path, "--trust-positions")
    raw_landings = [r for r in raw if r["record"] == "landing"]
    assert len([r for r in raw_landings if r["hex"] == "393324"]) == 3
    assert "2021-10-07T12:10:43Z" in {r["time"] for r in raw_landings if r["hex"] == "399c41"}
    pytest.importorskip("distributed")
    assert _screen_rows(invoke, tmp_path, "--engine", "dask") == rows


def test_real_traffic_without_its_onground_column_lands_where_the_flags_say(invoke, tmp_path: Path) -> None:
    """Position datasets without an on-ground column had no landing at all: every aircraft at a
    gate was "airborne" over France. Without the column, standing and taxiing on an airfield is
    inferred as for GPX. On the real Paris traffic with its column dropped, aircraft that land by
    the flags land at the same airports in the same order (OpenSky leaves the altitude out on the
    ground but for a fix now and then, so an aircraft parked throughout with none given stays
    unseen), and no inferred landing is in a territory the aircraft never flew over."""
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    dropped = tmp_path / "no_onground.parquet"
    pyarrow_parquet.write_table(pyarrow_parquet.read_table(QUICKSTART).drop(["onground"]), dropped)

    def landings(rows: list[dict]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for row in rows:
            if row["record"] == "landing":
                found.setdefault(row["hex"], []).append(row["airport"])
        return found

    flagged_rows = _screen_rows(invoke, tmp_path)
    inferred_rows = _screen_rows(invoke, tmp_path, positions=dropped)
    flagged, inferred = landings(flagged_rows), landings(inferred_rows)
    both = set(flagged) & set(inferred)
    assert len(inferred) > 100 and len(both) >= 0.8 * len(flagged)
    assert sum(flagged[h] == inferred[h] for h in both) >= 0.95 * len(both)  # the same airports, in order
    flown = {(r["hex"], r["iso3"]) for r in flagged_rows if r["record"] == "segment"}
    assert all((r["hex"], r["iso3"]) in flown for r in inferred_rows if r["record"] == "landing")
    pytest.importorskip("distributed")
    assert _screen_rows(invoke, tmp_path, "--engine", "dask", positions=dropped) == inferred_rows


def test_a_real_landing_without_its_onground_column_lands_at_the_same_time(invoke, tmp_path: Path) -> None:
    """traffic's noisy landing at Zurich, its `onground` column left out: `track` infers the
    ground from speed and height over the field, and lands at Zurich when the flags do."""
    import gzip

    lines = gzip.decompress((REAL / "traffic_noisy_landing.csv.gz").read_bytes()).decode().splitlines()
    header = lines[0].split(",")
    column = header.index("onground")
    dropped = tmp_path / "landing.csv"
    dropped.write_text("\n".join(",".join(c for n, c in enumerate(line.split(",")) if n != column) for line in lines))
    flagged = document(invoke, "traffic_noisy_landing.csv.gz")
    result = invoke("track", str(dropped), "--subject", "putin", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (track,) = json.loads(result.stdout)["tracks"]
    (landing,) = track["landings"]
    assert "(ZRH)" in landing["airport"] and landing["time"] == flagged["landings"][0]["time"]


def test_track_says_how_many_ground_flags_it_read_the_other_way(invoke) -> None:
    result = invoke("track", str(QUICKSTART), "--subject", "bashir", "--format", "json")
    tracks = {t["aircraft"]["hex"]: t for t in json.loads(result.stdout)["tracks"]}
    assert len(tracks) == 213
    assert tracks["393324"]["quality"]["ground_flags_corrected"] > 0
    assert sum(t["quality"]["ground_flags_corrected"] > 0 for t in tracks.values()) >= 30
    table = invoke("track", str(REAL / "traffic_noisy_takeoff.csv.gz"), "--subject", "bashir")
    assert "read the other way: fixes flagged on the ground mid-flight" in table.stdout


def test_watch_replaying_real_paris_traffic_reads_ground_flags_as_track_does(tmp_path: Path) -> None:
    """Live, on what it has seen so far: a lone ground flag at 7,000 ft (399c41), or at 4,300 ft
    climbing (7cfa71), is no landing, and an aircraft flagged airborne for seconds at its gate at
    Orly (393324) neither takes off nor lands until it leaves; the aircraft that flicker on the
    ground each land at most once."""
    import subprocess
    import sys

    watched = ("399c41", "393324", "3946e1", "06a2b1", "39cea2", "34610f", "3946e2", "7cfa71")
    watchlist = tmp_path / "watched.csv"
    watchlist.write_text("hex,registration,subject,source\n" + "".join(f"{h},,bashir,\n" for h in watched))
    command = str(Path(sys.executable).parent / "icc-travel")
    env = {**__import__("os").environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [command, "watch", "--replay", str(QUICKSTART), "--watchlist", str(watchlist)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    events = [json.loads(line) for line in done.stdout.splitlines()]
    landed: dict[str, list[str]] = {}
    for event in events:
        if event["event"] == "landed":
            landed.setdefault(event["hex"], []).append(event["time"])
    assert landed and all(len(times) == 1 for times in landed.values())
    assert landed["399c41"] == ["2021-10-07T12:23:08Z"]
    # flagged on the ground once at 4,300 ft while climbing out of Le Bourget at 290-320 km/h
    assert "7cfa71" not in landed
    assert [(e["event"], e["time"]) for e in events if e["hex"] == "393324" and e["event"] != "signal_lost"] == [
        ("entered", "2021-10-07T12:44:03Z"),
        ("took_off", "2021-10-07T13:06:48Z"),
    ]


def test_traffic_s_noisy_takeoff_sample_takes_off_once(invoke) -> None:
    """The `traffic` library ships this Zurich departure as its example of noisy on-ground flags:
    taxiing, it flickers airborne for seconds at a time. It is one stay on the ground and one
    take-off; read as recorded, it landed a second time before leaving."""
    name = "traffic_noisy_takeoff.csv.gz"
    track = document(invoke, name)
    assert [s["airborne"] for s in track["segments"]] == [False, True]
    assert track["segments"][1]["entered"] == "2019-11-11T17:39:48Z"
    assert len(track["landings"]) == 1 and track["quality"]["ground_flags_corrected"] > 0
    assert len(document(invoke, name, "--trust-positions")["landings"]) == 2


JET1090 = "rs1090_full_flight_short.jsonl.gz"


def test_a_jet1090_recording_of_mode_s_messages_is_a_flight(invoke) -> None:
    """A receiver's decoded messages (rs1090 JSON Lines): the surface positions at Charles de
    Gaulle, the take-off, the flight and the landing at Toulouse, from the position messages
    alone; the callsign from the identification messages."""
    track = document(invoke, JET1090)
    assert track["aircraft"]["hex"] == "393322" and track["aircraft"]["callsign"] == "AFR34ZG"
    assert track["points"] == 8324  # 1,867 surface and 6,457 airborne positions of 57,793 messages
    (flight,) = track["flights"]
    assert flight["departure"]["airport"] == "Charles de Gaulle International Airport (CDG)"
    assert flight["arrival"]["airport"] == "Toulouse-Blagnac Airport (TLS)"
    assert flight["departure"]["recorded"] and flight["arrival"]["recorded"]
    assert [(s["iso3"], s["airborne"]) for s in track["segments"]] == [("FRA", False), ("FRA", True), ("FRA", False)]
    assert 600 < flight["km"] < 700  # CDG to TLS is 587 km as the crow flies; this is the path flown
    assert track["quality"]["suspect_positions"] == 0


def test_a_bad_line_in_a_jet1090_recording_is_named(invoke, tmp_path: Path) -> None:
    lines = gzip.decompress((REAL / JET1090).read_bytes()).decode().splitlines()[:40]
    for number, bad in (
        (7, '{"timestamp": 1720248195.0, "df": "17", "icao24": "393322", "latitude": 91.5, "longitude": 2.5}'),
        (7, '{"timestamp": 1720248195.0, "df": "17", "icao24": "393322", "latitude": "49.0", "longitude": 2.5}'),
        (7, '{"timestamp": 1720248195.0, "df": "17", "icao24": "393322", "latitude": 49.0, "longit'),
        (7, '{"timestamp": "soon", "df": "17", "icao24": "393322", "latitude": 49.0, "longitude": 2.5}'),
    ):
        path = tmp_path / "messages.jsonl"
        path.write_text("\n".join([*lines[: number - 1], bad, *lines[number - 1 :]]) + "\n")
        result = invoke("track", str(path), "--subject", "putin")
        assert result.exit_code == 2 and "Traceback" not in result.stderr
        assert result.stderr.startswith(f"icc-travel: error: {path}:{number}: "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_each_aircraft_in_a_jet1090_recording_is_a_track(invoke, tmp_path: Path) -> None:
    """A receiver hears many aircraft: each address is a track, whatever order the lines are in."""
    lines = gzip.decompress((REAL / JET1090).read_bytes()).decode().splitlines()
    positions = [json.loads(line) for line in lines if '"latitude"' in line][:400]
    for number, message in enumerate(positions):
        if number % 2:  # a second aircraft, 1 degree east, heard in between
            message["icao24"], message["longitude"] = "4ca7b4", message["longitude"] + 1
    path = tmp_path / "two.jsonl"
    path.write_text("".join(json.dumps(m) + "\n" for m in positions))
    result = invoke("track", str(path), "--subject", "putin", "--format", "json")
    tracks = json.loads(result.stdout)["tracks"]
    assert [(t["aircraft"]["hex"], t["points"]) for t in tracks] == [("393322", 200), ("4ca7b4", 200)]


def test_watch_replaying_a_jet1090_recording_follows_the_flight(invoke, tmp_path: Path) -> None:
    """The receiver's messages through `watch`: first seen on the ground at Charles de Gaulle,
    the take-off, the landing near Toulouse, each where `track` puts it."""
    import subprocess
    import sys

    watchlist = tmp_path / "watched.csv"
    watchlist.write_text("hex,registration,subject,source\n393322,,putin,\n")
    command = str(Path(sys.executable).parent / "icc-travel")
    env = {**__import__("os").environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [command, "watch", "--replay", str(REAL / JET1090), "--watchlist", str(watchlist)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(e["event"], e["iso3"], e["airborne"]) for e in events] == [
        ("entered", "FRA", False),
        ("took_off", "FRA", True),
        ("landed", "FRA", False),
        ("signal_lost", "FRA", False),
    ]
    landed = next(e for e in events if e["event"] == "landed")
    assert landed["airport"] == "Toulouse-Blagnac Airport (TLS)" and landed["obligation"] == "arrest"
    flight = document(invoke, JET1090)["flights"][0]
    assert landed["time"] == flight["arrival"]["time"]
