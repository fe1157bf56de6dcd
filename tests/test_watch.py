"""`icc-travel watch`: the engine, the live formats, the watchlists, and the installed command
against real loopback servers (HTTP snapshots, SBS and NDJSON streams, a cut, garbage)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from icc_travel.engine import feeds
from icc_travel.engine.contract import track_json
from icc_travel.engine.track import analyse
from icc_travel.engine.watch import Position, WatchEntry, Watcher, Watchlist, position_quality
from icc_travel.engine.watchlists import read_watch_entries
from icc_travel.errors import InputError
from icc_travel.geo.tracks import read_tracks

ROOT = Path(__file__).resolve().parent.parent
TRACK = ROOT / "examples" / "synthetic_track_tlv_west.json"
WATCHLIST = ROOT / "examples" / "watchlist.csv"
COMMAND = str(Path(sys.executable).parent / "icc-travel")
WING = WatchEntry("738a5b", "4X-ISR", "netanyahu", "test")


def _positions() -> list[Position]:
    track = read_tracks(TRACK)[0]
    return [Position("738a5b", f.time, f.lat, f.lon, f.altitude_ft, f.on_ground, "4X-ISR", "test") for f in track.fixes]


def _run(watcher: Watcher, positions: list[Position]) -> list[dict]:
    events = []
    for position in positions:
        events += watcher.feed(position)
        events += watcher.tick(position.time)
    return events


# --- the engine ------------------------------------------------------------------------------


def test_a_replayed_track_enters_what_track_reports(dataset, resolver) -> None:
    """Same territories, same times, same obligations as `track` for the same fixes."""
    events = _run(Watcher(dataset, Watchlist([WING]), resolver=resolver), _positions())
    entered = [(e["time"], e["iso3"], e["obligation"], e["basis"]) for e in events if e["event"] == "entered"]
    document = track_json(analyse(dataset, dataset.subject("netanyahu"), read_tracks(TRACK)[0], resolver=resolver))
    airborne = [s for s in document["segments"] if s["airborne"]]
    expected = [(s["entered"], s["iso3"], s["obligation"], s["basis"]) for s in airborne[1:]]
    assert entered[1:] == expected
    assert entered[0][1] == "ISR" and events[0]["first_seen"] is True
    assert [e["event"] for e in events[:2]] == ["entered", "took_off"]
    assert events[1]["time"] == airborne[0]["entered"]  # the take-off half-way, as `track` times it
    assert {e["iso3"] for e in events if e["obligation"] == "overflight"} == {"TUN", "ESP"}
    for event in events:
        assert "does not prove the person is on board" in event["caveat"]
        assert event["data_as_of"] == dataset.as_of.isoformat()


def test_events_only_on_a_change_of_state(dataset, resolver) -> None:
    positions = _positions()
    watcher = Watcher(dataset, Watchlist([WING]), resolver=resolver)
    first = _run(watcher, positions[:100])
    again = _run(watcher, positions[:100])  # the same positions again (a second source, a restart)
    assert first and again == []


def test_position_quality_speed_jitter_and_frozen() -> None:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    here = Position("738a5b", start, 32.0, 34.0, 37000.0, False)
    assert position_quality(None, here) == "good"
    # 0.15 degrees of latitude (17 km) in 40 s is 1,500 km/h: within the jitter margin
    assert position_quality(here, here._replace(time=start + dt.timedelta(seconds=40), lat=32.15)) == "good"
    # 500 km in 5 minutes is 6,000 km/h
    assert position_quality(here, here._replace(time=start + dt.timedelta(minutes=5), lat=36.5)) == "suspect"
    assert position_quality(here, here._replace(time=start + dt.timedelta(minutes=1))) == "frozen"


def test_a_spoofed_jump_never_fires_entered(dataset, resolver) -> None:
    positions = _positions()[:120]  # over the sea between Israel and Tunisia
    watcher = Watcher(dataset, Watchlist([WING]), resolver=resolver)
    _run(watcher, positions)
    last = positions[-1]
    jumps = [  # into Tunisia, Spain and Russia, seconds apart
        last._replace(time=last.time + dt.timedelta(seconds=10 * n), lat=lat, lon=lon)
        for n, (lat, lon) in enumerate([(36.8, 10.2), (40.4, -3.7), (55.75, 37.6)], 1)
    ]
    assert _run(watcher, jumps) == []
    assert watcher.suspect == 3
    # frozen at the last position for five minutes, then a jump of 1,000 km: measured from the
    # last fresh position, still impossible
    frozen = [last._replace(time=last.time + dt.timedelta(seconds=30 + 10 * n)) for n in range(30)]
    jump = last._replace(time=frozen[-1].time + dt.timedelta(seconds=10), lat=41.0, lon=20.0)
    assert _run(watcher, [*frozen, jump]) == []
    # and a real next position is still accepted
    onward = positions[120:125]
    assert _run(watcher, [p._replace(time=jump.time + (p.time - last.time)) for p in onward]) == []


def test_position_quality_is_track_s_judgement_of_two_positions() -> None:
    """Position by position, `watch` calls a step a jump exactly when geo.quality (`track`'s
    filter) does for the same two positions: speed, timing jitter, and the noise of each kind
    (at 5,000 ft, below the drift floors, tested on their own)."""
    import random

    from icc_travel.geo.quality import judge
    from icc_travel.geo.tracks import Fix

    rng = random.Random(27)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    kinds = [None, "adsb_icao", "mlat", "tisb_icao"]
    seen = set()
    for _ in range(400):
        seconds = rng.choice([0, 1, 2, 5, 30, 300])
        a = Position("738a5b", start, 48.0, 10.0, 5000.0, False, kind=rng.choice(kinds))
        b = a._replace(
            time=start + dt.timedelta(seconds=seconds),
            lat=48.0 + rng.uniform(-0.2, 0.2) * (1 + seconds / 60),
            lon=10.0 + rng.uniform(-0.3, 0.3) * (1 + seconds / 60),
            kind=rng.choice(kinds),
        )
        fixes = [Fix(p.time, p.lat, p.lon, p.altitude_ft, p.on_ground, p.kind) for p in (a, b)]
        jump = position_quality(a, b) == "suspect"
        assert jump == (not judge(fixes).kept[1])
        seen.add(jump)
    assert seen == {True, False}
    # 3.5 km in one second: a jump for ADS-B, within the noise of two MLAT positions
    a = Position("738a5b", start, 48.0, 10.0, 37000.0, False, kind="adsb_icao")
    b = a._replace(time=start + dt.timedelta(seconds=1), lat=48.0315)
    assert position_quality(a, b) == "suspect"
    assert position_quality(a._replace(kind="mlat"), b._replace(kind="mlat")) == "good"


def test_a_drift_at_cruise_across_a_border_never_fires_entered(dataset, resolver) -> None:
    """Over Poland at 38,000 ft, the positions slow to a walking pace and drag east into Ukraine
    (GNSS spoofing as over the Baltic since 2022): two minutes into the drift, below `track`'s
    floor (350 km/h above 30,000 ft), they are suspect and never enter Ukraine. The same path
    flown at an airliner's speed does."""
    start = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    wing = WatchEntry("738a5b", "4X-ISR", "putin", "test")

    def flight(kmh: float) -> list[Position]:
        cruise = [  # eastbound at 830 km/h (0.19 degrees of longitude a minute at 50.6 N)
            Position("738a5b", start + dt.timedelta(seconds=10 * n), 50.6, 23.0 + 0.0316 * n, 38000.0, False)
            for n in range(20)
        ]
        step = kmh / 3600 * 10 / 70.7  # degrees of longitude per 10 s at 50.6 N
        last = cruise[-1]
        dragged = [
            last._replace(time=last.time + dt.timedelta(seconds=10 * n), lon=last.lon + step * n) for n in range(1, 400)
        ]
        return cruise + [p for p in dragged if p.lon <= 24.3]

    slow = flight(60.0)
    assert resolver.locate(slow[-1].lat, slow[-1].lon).iso3 == "UKR"
    watcher = Watcher(dataset, Watchlist([wing]), resolver=resolver)
    events = _run(watcher, slow)
    assert [e["iso3"] for e in events if e["event"] == "entered"] == ["POL"]
    assert watcher.suspect > 0
    flown = _run(Watcher(dataset, Watchlist([wing]), resolver=resolver), flight(830.0))
    assert [e["iso3"] for e in flown if e["event"] == "entered"] == ["POL", "UKR"]


def test_a_consistent_new_track_moves_the_aircraft_without_entered(dataset, resolver) -> None:
    start = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    watcher = Watcher(dataset, Watchlist([WING]), resolver=resolver)
    _run(watcher, [Position("738a5b", start, 33.0, 30.0, 37000.0, False)])  # over the sea
    far = [
        Position("738a5b", start + dt.timedelta(seconds=60 * n), 36.8, 9.5 + 0.1 * n, 37000.0, False) for n in range(6)
    ]
    assert _run(watcher, far) == []  # re-anchored in Tunisia, silently
    later = Position("738a5b", far[-1].time + dt.timedelta(seconds=60), 36.8, 10.2, 0.0, True)
    events = _run(watcher, [later])
    assert [(e["event"], e["iso3"]) for e in events] == [("landed", "TUN")]


def test_signal_lost_low_near_an_airport_is_an_inferred_landing(dataset, resolver) -> None:
    start = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    # approaching Tunis-Carthage (36.851, 10.227) from the north, descending
    approach = [
        Position("738a5b", start + dt.timedelta(seconds=30 * n), 37.2 - 0.05 * n, 10.227, 9000.0 - 1100 * n, False)
        for n in range(8)
    ]
    watcher = Watcher(dataset, Watchlist([WING]), resolver=resolver, silence_s=300)
    _run(watcher, approach)
    events = watcher.tick(approach[-1].time + dt.timedelta(seconds=301))
    assert [e["event"] for e in events] == ["signal_lost", "landed"]
    landed = events[1]
    assert landed["inferred"] is True and landed["iso3"] == "TUN" and "(TUN)" in landed["airport"]
    assert landed["obligation"] == "arrest"  # on the ground in a state party
    assert watcher.tick(approach[-1].time + dt.timedelta(hours=2)) == []  # once
    back = approach[-1]._replace(time=approach[-1].time + dt.timedelta(hours=1), altitude_ft=0.0, on_ground=True)
    assert [e["event"] for e in watcher.feed(back)] == ["signal_regained"]


def test_signal_lost_low_over_a_high_airfield_is_an_inferred_landing(dataset, resolver) -> None:
    """Low is measured over the airport's elevation: lost at 6,300 ft on final into Johannesburg
    (O. R. Tambo, 5,558 ft) is 740 ft over its runway, and once made no landing at all."""
    start = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    approach = [
        Position("738a5b", start + dt.timedelta(seconds=30 * n), -25.8 + -0.048 * n, 28.246, 14000.0 - 1100 * n, False)
        for n in range(8)
    ]
    watcher = Watcher(dataset, Watchlist([WING]), resolver=resolver, silence_s=300)
    _run(watcher, approach)
    events = watcher.tick(approach[-1].time + dt.timedelta(seconds=301))
    assert [e["event"] for e in events] == ["signal_lost", "landed"]
    assert events[1]["inferred"] is True and events[1]["iso3"] == "ZAF" and "(JNB)" in events[1]["airport"]


def test_a_known_registration_under_a_new_hex(dataset, resolver) -> None:
    watcher = Watcher(dataset, Watchlist([WING]), resolver=resolver)
    position = _positions()[50]._replace(hex="abcdef")
    events = watcher.feed(position)
    assert [e["event"] for e in events] == ["new_hex", "entered"]
    assert events[0]["watched_hex"] == "738a5b" and events[0]["hex"] == "abcdef"
    # followed under the new address from now on, without a registration (SBS gives none)
    assert watcher.feed(position._replace(time=position.time + dt.timedelta(seconds=5), registration=None)) == []
    assert "abcdef" in watcher.aircraft


def test_min_level_and_cooldown(dataset, resolver) -> None:
    events = _run(Watcher(dataset, Watchlist([WING]), resolver=resolver, min_level="overflight"), _positions())
    assert events and all(e["obligation"] in ("overflight", "arrest", "continuing") for e in events)
    every = _run(Watcher(dataset, Watchlist([WING]), resolver=resolver), _positions())
    calm = _run(Watcher(dataset, Watchlist([WING]), resolver=resolver, cooldown_s=3600), _positions())
    assert len(calm) < len(every)  # the second pass over Tunisia within the hour is not repeated
    assert sum(e["event"] == "entered" and e["iso3"] == "TUN" for e in calm) == 1


def test_state_survives_a_snapshot(dataset, resolver) -> None:
    positions = _positions()
    whole = _run(Watcher(dataset, Watchlist([WING]), resolver=resolver), positions)
    first = Watcher(dataset, Watchlist([WING]), resolver=resolver)
    before = _run(first, positions[:150])
    second = Watcher(dataset, Watchlist([WING]), resolver=resolver)
    second.restore(json.loads(json.dumps(first.snapshot())))
    after = _run(second, positions[100:])  # overlapping: the first 50 were judged already
    assert [e["id"] for e in before + after] == [e["id"] for e in whole]


# --- formats ----------------------------------------------------------------------------------


# every message type, as the BaseStation documentation shows them (node-sbs1's README quotes them)
BASESTATION = """\
SEL,,496,2286,4CA4E5,27215,2010/02/19,18:06:07.710,2010/02/19,18:06:07.710,RYR1427
ID,,496,7162,405637,27928,2010/02/19,18:06:07.115,2010/02/19,18:06:07.115,EZY691A
AIR,,496,5906,400F01,27931,2010/02/19,18:06:07.128,2010/02/19,18:06:07.128
STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM
CLK,,496,-1,,-1,2010/02/19,18:18:19.036,2010/02/19,18:18:19.036
MSG,1,145,256,7404F2,11267,2008/11/28,23:48:18.611,2008/11/28,23:53:19.161,RJA1118,,,,,,,,,,,
MSG,2,496,603,400CB6,13168,2008/10/13,12:24:32.414,2008/10/13,12:28:52.074,,,0,76.4,258.3,54.05735,-4.38826,,,,,,0
MSG,3,496,211,4CA2D6,10057,2008/11/28,14:53:50.594,2008/11/28,14:58:51.153,,37000,,,51.45735,-1.02826,,,0,0,0,0
MSG,4,496,469,4CA767,27854,2010/02/19,17:58:13.039,2010/02/19,17:58:13.368,,,288.6,103.2,,,-832,,,,,
MSG,5,496,329,394A65,27868,2010/02/19,17:58:12.644,2010/02/19,17:58:13.368,,10000,,,,,,,0,,0,0
MSG,6,496,237,4CA215,27864,2010/02/19,17:58:12.846,2010/02/19,17:58:13.368,,33325,,,,,,0271,0,0,0,0
MSG,7,496,742,51106E,27929,2011/03/06,07:57:36.523,2011/03/06,07:57:37.054,,3775,,,,,,,,,,0
MSG,8,496,194,405F4E,27884,2010/02/19,17:58:13.244,2010/02/19,17:58:13.368,,,,,,,,,,,,0
"""


def test_every_basestation_message_type() -> None:
    everyone = feeds.LineReader("sbs", lambda code, registration: True)
    found = [everyone.position(line.encode(), 0.0) for line in BASESTATION.splitlines()]
    positions = [p for p in found if p is not None]
    # the documentation's MSG,2 example has one field too many (its "latitude" is 258.3): off the
    # globe, it is no position
    assert [(p.hex, p.lat, p.lon, p.on_ground, p.altitude_ft) for p in positions] == [
        ("4ca2d6", 51.45735, -1.02826, False, 37000.0),
    ]
    assert positions[0].time == dt.datetime(2008, 11, 28, 14, 53, 50, 594000, tzinfo=dt.UTC)
    # a surface position as dump1090 and readsb write it
    surface = "MSG,2,1,1,400CB6,1,2008/10/13,12:24:32.414,2008/10/13,12:24:32.414,,,0,76,54.05735,-4.38826,,,0,0,0,-1"
    on_ground = everyone.position(surface.encode(), 0.0)
    assert on_ground is not None and on_ground.on_ground and on_ground.altitude_ft == 0.0
    nobody = feeds.LineReader("sbs", lambda code, registration: False)
    assert all(nobody.position(line.encode(), 0.0) is None for line in BASESTATION.splitlines())


def test_live_formats() -> None:
    readsb = {
        "now": 1735725600.0,
        "aircraft": [
            {"hex": "738A5B", "r": "4X-ISR", "lat": 32.0, "lon": 34.8, "alt_baro": "ground", "seen_pos": 2.0},
            {"hex": "~2a0001", "alt_baro": 1000},  # no position
        ],
    }
    (position,) = feeds.aircraft_json(readsb)
    assert position.hex == "738a5b" and position.on_ground and position.registration == "4X-ISR"
    assert position.time == dt.datetime(2025, 1, 1, 9, 59, 58, tzinfo=dt.UTC)
    v2 = {"ac": [{"hex": "738a5b", "lat": 32.0, "lon": 34.8, "alt_baro": 37000}], "now": 1735725600000, "total": 1}
    assert feeds.aircraft_json(v2)[0].time == dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC)
    sbs = "MSG,3,1,1,738A5B,1,2025/01/01,10:00:00.000,2025/01/01,10:00:00.000,,37000,,,32.5,33.4,,,0,0,0,0"
    position = feeds.sbs_line(sbs)
    assert position is not None and (position.lat, position.lon, position.altitude_ft) == (32.5, 33.4, 37000.0)
    assert feeds.sbs_line("MSG,1,1,1,738A5B,1,2025/01/01,10:00:00.000,2025/01/01,10:00:00.000,ISR1,,,,,,,,,,,0") is None
    opensky = {
        "time": 1735725600,
        "states": [["738a5b", "ISR1 ", "Israel", 1735725590, 1735725599, 34.8, 32.0, 1000.0, False]],
    }
    position = feeds.opensky_states(opensky)[0]
    assert round(position.altitude_ft) == 3281 and position.time.second == 50
    for garbage in ("hello", "MSG,3,1,1,ZZZZZZ,1,2025/01/01,10:00:00.000,,,,1,,,1,1", "\x00\xff" * 40):
        with pytest.raises(feeds.FeedError):
            feeds.sbs_line(garbage)
    with pytest.raises(feeds.FeedError):
        feeds.ndjson_line(b"{not json", 0.0)
    with pytest.raises(feeds.FeedError):
        feeds.aircraft_json({"now": 1e15 * 1000, "aircraft": [{"hex": "738a5b", "lat": 1.0, "lon": 1.0}]})


PLANE_ALERT = (
    "$ICAO,$Registration,$Operator,$Type,$ICAO Type,#CMPG,$Tag 1,$#Tag 2,$#Tag 3,Category,$#Link\n"
    "738A5B,4X-ISR,Israeli Air Force,Boeing 767-338ER,B763,Mil,Wing of Zion,VIP,,Dictator Alert,https://example.org\n"
    "3C4B26,D-AIAB,Lufthansa,Airbus A321,A321,Civ,Ordinary,,,Airline,\n"
)


def test_plane_alert_watchlist_with_filters(dataset, tmp_path: Path) -> None:
    path = tmp_path / "plane-alert-db.csv"
    path.write_text(PLANE_ALERT)
    entries = read_watch_entries(path, dataset, subject="netanyahu", categories=["dictator alert"])
    assert [(e.hex, e.registration, e.subject) for e in entries] == [("738a5b", "4X-ISR", "netanyahu")]
    assert "plane-alert-db" in entries[0].source and "Wing of Zion" in entries[0].source
    assert [e.hex for e in read_watch_entries(path, dataset, tags=["ordinary"])] == ["3c4b26"]
    assert read_watch_entries(path, dataset)[0].subject is None
    with pytest.raises(InputError, match="empty after"):
        read_watch_entries(path, dataset, categories=["nothing"])


# --- the installed command ---------------------------------------------------------------------


def watch(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [COMMAND, "watch", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


class Handler(BaseHTTPRequestHandler):
    """A loopback test server's handler: silent, with a JSON reply."""

    def reply(self, document: object, status: int = 200) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback_http() -> Iterator[Callable[..., str]]:
    """`start(handler_class)` serves HTTP on 127.0.0.1 and gives its base URL; every server stops
    when the test ends, and after `lifetime` seconds whatever happens."""
    started: list[tuple[ThreadingHTTPServer, threading.Timer]] = []

    def start(handler: type[BaseHTTPRequestHandler], *, lifetime: float = 60, port: int = 0) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        timer = threading.Timer(lifetime, server.shutdown)
        timer.daemon = True
        timer.start()
        started.append((server, timer))
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server, timer in started:
        timer.cancel()
        server.shutdown()
        server.server_close()


def http_snapshots(start: Callable[..., str], snapshots: list[dict], *, limit: int = 50) -> str:
    """A loopback server serving the snapshots in turn (the last one again), for at most `limit`
    requests: its aircraft.json URL."""
    served = {"count": 0}

    class Snapshots(Handler):
        def do_GET(self) -> None:
            number = min(served["count"], len(snapshots) - 1)
            served["count"] += 1
            self.reply(snapshots[number])
            if served["count"] >= limit:
                threading.Thread(target=self.server.shutdown, daemon=True).start()

    return start(Snapshots) + "/data/aircraft.json"


@contextlib.contextmanager
def tcp_stream(connections: list[list[bytes | float]], *, lifetime: float = 60) -> Iterator[str]:
    """A TCP server on 127.0.0.1: the n-th connection gets the n-th list of chunks (a number is
    a pause, the connection open and silent), then is cut; each connection is served in a thread
    of its own. After the last it stops listening (and it stops after `lifetime` seconds
    whatever happens)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(1.0)
    deadline = time.monotonic() + lifetime

    def send(connection: socket.socket, chunks: list[bytes | float]) -> None:
        with connection:
            for chunk in chunks:
                if isinstance(chunk, float):
                    time.sleep(min(chunk, max(deadline - time.monotonic(), 0)))
                    continue
                with contextlib.suppress(OSError):
                    connection.sendall(chunk)
            time.sleep(0.2)

    def serve() -> None:
        for chunks in connections:
            while time.monotonic() < deadline:
                try:
                    connection, _ = listener.accept()
                    break
                except TimeoutError:
                    continue
                except OSError:  # closed by the test
                    return
            else:
                return
            threading.Thread(target=send, args=(connection, chunks), daemon=True).start()
        with contextlib.suppress(OSError):
            listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.close()


def _snapshot(now: float, *aircraft: dict) -> dict:
    return {"now": now, "messages": 1000, "aircraft": list(aircraft)}


T0 = 1735725600.0  # 2025-01-01T10:00:00Z
UNWATCHED = {"hex": "4ca123", "r": "EI-ABC", "lat": 53.4, "lon": -6.2, "alt_baro": 30000, "seen_pos": 1.0}


def test_aircraft_json_over_http_once_with_state(tmp_path: Path, loopback_http) -> None:
    snapshots = [
        _snapshot(
            T0,
            {"hex": "738a5b", "r": "4X-ISR", "lat": 32.01, "lon": 34.88, "alt_baro": "ground", "seen_pos": 1},
            UNWATCHED,
        ),
        _snapshot(
            T0 + 600, {"hex": "738a5b", "lat": 32.50165, "lon": 33.45603, "alt_baro": 37000, "seen_pos": 0.5}, UNWATCHED
        ),
    ]
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    args = ["--watchlist", str(WATCHLIST), "--once", "--fail-on", "never"]
    url = http_snapshots(loopback_http, snapshots)
    first = watch("--source", f"aircraft-json:{url}", *args, env=env)
    second = watch("--source", f"aircraft-json:{url}", *args, env=env)
    third = watch("--source", f"aircraft-json:{url}", *args, env=env)
    assert first.returncode == 0, first.stderr
    assert [(e["event"], e["iso3"]) for e in lines(first.stdout)] == [("entered", "ISR")]
    assert [(e["event"], e["iso3"]) for e in lines(second.stdout)] == [
        ("took_off", "ISR"),
        ("left", "ISR"),
        ("entered", None),
    ]
    assert third.stdout == ""  # the same snapshot again: nothing new
    state = tmp_path / "state" / "icc-travel" / "watch.json"
    assert state.stat().st_mode & 0o077 == 0  # the user's alone


def test_once_exits_1_when_an_event_reaches_fail_on(tmp_path: Path) -> None:
    in_tunisia = _snapshot(T0, {"hex": "738a5b", "lat": 36.85, "lon": 10.22, "alt_baro": "ground", "seen_pos": 1})
    path = tmp_path / "aircraft.json"
    path.write_text(json.dumps(in_tunisia))
    done = watch("--source", f"aircraft-json:{path}", "--watchlist", str(WATCHLIST), "--once", "--no-state")
    assert done.returncode == 1, done.stderr
    (event,) = lines(done.stdout)
    assert (event["event"], event["iso3"], event["obligation"], event["airborne"]) == (
        "entered",
        "TUN",
        "arrest",
        False,
    )


def _sbs(position: Position) -> bytes:
    stamp = position.time.strftime("%Y/%m/%d,%H:%M:%S.000")
    altitude = "" if position.altitude_ft is None else f"{position.altitude_ft:.0f}"
    return (
        f"MSG,3,1,1,{position.hex.upper()},1,{stamp},{stamp},,{altitude},450,270,{position.lat},{position.lon},"
        f",,0,0,0,{-1 if position.on_ground else 0}\r\n"
    ).encode()


def test_sbs_stream_cut_mid_stream_with_garbage(tmp_path: Path) -> None:
    """Over Tunisia, the stream cut between the two passes: the watcher says so, reconnects and
    goes on; garbage and an over-long line get one warning."""
    fixes = [p for p in _positions() if "12:40" <= p.time.strftime("%H:%M") <= "12:58"]
    other = Position("4ca123", fixes[0].time, 53.4, -6.2, 30000.0, False)
    first = [_sbs(other)] + [_sbs(p) for p in fixes[:9]] + [b"garbage\r\n", b"x" * 200_000 + b"\n"]
    first.append(b"MSG,3,1,1,738A5B,1,2025/01/01,12:4")  # cut in the middle of a line
    second = [_sbs(p) for p in fixes[9:]]
    with tcp_stream([first, second]) as address:
        done = watch(
            "--source",
            f"sbs:{address}",
            "--watchlist",
            str(WATCHLIST),
            "--no-state",
            "--duration",
            "20",
            "--max-events",
            "8",
        )
    assert done.returncode == 0, done.stderr
    events = lines(done.stdout)
    assert [(e["event"], e.get("iso3")) for e in events] == [
        ("entered", None),
        ("left", None),
        ("entered", "TUN"),
        ("source_lost", None),
        ("source_regained", None),
        ("left", "TUN"),
        ("entered", None),
        ("left", None),
    ]
    assert "Traceback" not in done.stderr
    assert done.stderr.count("unreadable input") == 1


def test_ndjson_stream_and_a_source_that_is_down(tmp_path: Path) -> None:
    fixes = [p for p in _positions() if "14:20" <= p.time.strftime("%H:%M") <= "14:32"]
    objects = [
        {
            "now": p.time.timestamp(),
            "hex": p.hex,
            "r": "4X-ISR",
            "lat": p.lat,
            "lon": p.lon,
            "alt_baro": 37000,
            "seen_pos": 0,
        }
        for p in fixes
    ]
    chunks = [(json.dumps(o) + "\n").encode() for o in objects]
    chunks[2:2] = [b'{"hex": 12}\n', b"]]]\n"]
    closed = socket.create_server(("127.0.0.1", 0))
    dead = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()  # nothing listens there
    with tcp_stream([chunks]) as address:
        done = watch(
            "--source",
            f"ndjson:{address}",
            "--source",
            f"sbs:{dead}",
            "--watchlist",
            str(WATCHLIST),
            "--no-state",
            "--duration",
            "20",
            "--max-events",
            "8",  # seven territorial events and the dead source's, in whichever order they come
        )
    assert done.returncode == 0, done.stderr
    events = lines(done.stdout)
    territorial = [(e["event"], e["iso3"]) for e in events if "iso3" in e]
    assert territorial == [
        ("entered", None),
        ("left", None),
        ("entered", "MAR"),
        ("left", "MAR"),
        ("entered", "ESP"),
        ("left", "ESP"),
        ("entered", None),
    ]
    assert [e["source"] for e in events if e["event"] == "source_lost"] == [f"sbs:{dead}"]
    assert done.stderr.count("unreadable input") == 1


def test_replay_restart_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    whole = watch("--replay", str(TRACK), "--watchlist", str(WATCHLIST), "--fail-on", "never")
    expected = [e["id"] for e in lines(whole.stdout)]
    state = ["--state", str(tmp_path / "w.json"), "--fail-on", "never", "--watchlist", str(WATCHLIST)]
    got: list[str] = []
    for _ in range(10):
        done = watch("--replay", str(TRACK), *state, "--max-events", "4", env=env)
        assert done.returncode == 0, done.stderr
        got += [e["id"] for e in lines(done.stdout)]
        if not done.stdout:
            break
    assert got == expected and len(expected) == 19


def test_kill_9_mid_stream_then_restart(tmp_path: Path) -> None:
    state = ["--state", str(tmp_path / "w.json"), "--fail-on", "never", "--watchlist", str(WATCHLIST)]
    whole = [e["id"] for e in lines(watch("--replay", str(TRACK), "--watchlist", str(WATCHLIST)).stdout)]
    process = subprocess.Popen(
        [COMMAND, "watch", "--replay", str(TRACK), "--speed", "3000", *state],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    seen = [json.loads(process.stdout.readline())["id"] for _ in range(5)]
    process.kill()
    process.wait(timeout=10)
    seen += [json.loads(line)["id"] for line in process.stdout.read().splitlines()]
    rest = watch("--replay", str(TRACK), *state)
    seen += [e["id"] for e in lines(rest.stdout)]
    assert list(dict.fromkeys(seen)) == whole  # none lost, in order
    # at most the one batch (an aircraft leaving one territory and entering the next) written as the
    # process died is written again, under the same ids
    assert len(seen) - len(whole) <= 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--source", "sbs:nohost"], "HOST:PORT"),
        (["--source", "v2:ftp://x"], "http(s) URL"),
        (["--source", "opensky:https://user:secret@opensky-network.org/api/states/all"], "environment"),
        (["--replay", "x.json", "--source", "sbs:127.0.0.1:1"], "not both"),
        ([], "not both or neither"),
        (["--source", "sbs:127.0.0.1:1", "--cooldown", "nan"], "--cooldown"),
        (["--source", "sbs:127.0.0.1:1", "--category", "VIP"], "plane-alert-db"),
        (["--source", "sbs:127.0.0.1:1", "--watchlist", "{bad}"], "hex must be"),
        (["--source", "sbs:127.0.0.1:1", "--watchlist", "{state}"], "needs the columns"),
        (["--source", "sbs:127.0.0.1:1", "--max-events", "0"], "--max-events"),
        (["--source", "sbs:127.0.0.1:1", "--webhook", "ftp://example.org/x"], "http(s) URL"),
        (["--source", "sbs:127.0.0.1:1", "--webhook", "https://u:p@example.org/x"], "ICC_TRAVEL_WEBHOOK_TOKEN"),
        (["--source", "sbs:127.0.0.1:1", "--exec", "  "], "--exec"),
    ],
)
def test_bad_options_and_watchlists_are_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("hex,registration,subject,source\nnothex,4X-ISR,netanyahu,x\n")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    args = [a.replace("{bad}", str(bad)).replace("{state}", str(other)) for a in args]
    done = watch(*args, "--no-state")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("icc-travel: error: ") and says in done.stderr


def test_webhook_retries_until_delivered_and_exec_gets_each_event(tmp_path: Path, loopback_http) -> None:
    received: list[dict] = []
    calls = {"count": 0}

    class Receiver(Handler):
        def do_POST(self) -> None:
            calls["count"] += 1
            body = self.body()
            if calls["count"] == 1:  # the first delivery fails: it is retried
                self.send_response(503)
                self.end_headers()
                return
            assert self.headers["Authorization"] == "Bearer s3cret" and self.headers["X-Team"] == "desk"
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

    base = loopback_http(Receiver)
    headers = tmp_path / "headers.txt"
    headers.write_text("# sent with every POST\nX-Team: desk\n")
    sink = tmp_path / "exec.jsonl"
    script = f"import sys; open({str(sink)!r}, 'a').write(sys.stdin.read())"
    command = f"{sys.executable} -c {json.dumps(script)}"
    done = watch(
        "--replay",
        str(ROOT / "examples" / "synthetic_positions.csv"),
        "--watchlist",
        str(WATCHLIST),
        "--webhook",
        f"{base}/hook",
        "--webhook-headers",
        str(headers),
        "--exec",
        command,
        "--state",
        str(tmp_path / "w.json"),
        "--fail-on",
        "never",
        env={"ICC_TRAVEL_WEBHOOK_TOKEN": "s3cret"},
    )
    assert done.returncode == 0, done.stderr
    printed = lines(done.stdout)
    assert len(printed) == 6
    assert sorted(e["id"] for e in received) == sorted(e["id"] for e in printed)
    assert calls["count"] == 7 and "delivery failed (HTTP 503)" in done.stderr
    assert [json.loads(line)["id"] for line in sink.read_text().splitlines()] == [e["id"] for e in printed]
    assert "s3cret" not in (tmp_path / "w.json").read_text()


def test_v2_and_opensky_over_http_with_credentials_from_the_environment(tmp_path: Path, loopback_http) -> None:
    seen_headers: list[str | None] = []
    tunis = {"hex": "738a5b", "r": "4X-ISR", "lat": 36.85, "lon": 10.22, "alt_baro": 12000, "seen_pos": 1}
    madrid = [
        "738a5b",
        "ISR1",
        "Israel",
        T0 + 10,
        T0 + 10,
        -3.56,
        40.49,
        None,
        True,
        0,
        0,
        0,
        None,
        None,
        None,
        False,
        0,
    ]

    class Feeds(Handler):
        def do_GET(self) -> None:
            seen_headers.append(self.headers.get("Authorization"))
            self.reply(
                {"ac": [tunis], "now": T0 * 1000, "total": 1} if "v2" in self.path else {"time": T0, "states": [madrid]}
            )

    base = loopback_http(Feeds)
    env = {"OPENSKY_USERNAME": "reporter", "OPENSKY_PASSWORD": "pw", "OPENSKY_CLIENT_ID": ""}
    v2 = watch("--source", f"v2:{base}/v2/hex/738a5b", "--watchlist", str(WATCHLIST), "--once", "--no-state", env=env)
    sky = watch(
        "--source", f"opensky:{base}/api/states/all", "--watchlist", str(WATCHLIST), "--once", "--no-state", env=env
    )
    assert [(e["event"], e["iso3"], e["airborne"]) for e in lines(v2.stdout)] == [("entered", "TUN", True)]
    assert v2.returncode == 0  # an overflight is below --fail-on arrest
    assert [(e["event"], e["iso3"], e["airborne"]) for e in lines(sky.stdout)] == [("entered", "ESP", False)]
    assert sky.returncode == 1  # on the ground in a state party
    assert seen_headers[0] is None and seen_headers[1] == "Basic cmVwb3J0ZXI6cHc="


def test_a_stalled_stream_is_reconnected() -> None:
    fixes = [p for p in _positions() if "12:40" <= p.time.strftime("%H:%M") <= "12:58"]
    first: list[bytes | float] = [_sbs(p) for p in fixes[:9]] + [3.0]  # then silence, the connection open
    with tcp_stream([first, [_sbs(p) for p in fixes[9:]]]) as address:
        done = watch(
            "--source",
            f"sbs:{address}",
            "--watchlist",
            str(WATCHLIST),
            "--no-state",
            "--stall",
            "1",
            "--duration",
            "20",
            "--max-events",
            "6",
        )
    assert done.returncode == 0, done.stderr
    events = lines(done.stdout)
    assert [e["event"] for e in events] == ["entered", "left", "entered", "source_lost", "source_regained", "left"]
    assert "stalled" in events[3]["reason"] and done.stderr.count("stalled") == 1


def test_a_watched_registration_under_a_new_hex_is_an_event_and_a_warning(tmp_path: Path) -> None:
    watchlist = tmp_path / "w.csv"
    watchlist.write_text("hex,registration,subject,source\n738a5c,4X-ISR,netanyahu,a note\n")
    done = watch("--replay", str(TRACK), "--watchlist", str(watchlist), "--max-events", "2", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    assert [(e["event"], e["hex"]) for e in lines(done.stdout)] == [("new_hex", "738a5b"), ("entered", "738a5b")]
    assert "4X-ISR seen under the ICAO address 738a5b, not the watchlist's 738a5c" in done.stderr


def test_a_file_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "aircraft.json"
    first = _snapshot(T0, {"hex": "738a5b", "lat": 32.01, "lon": 34.88, "alt_baro": "ground", "seen_pos": 1}, UNWATCHED)
    later = _snapshot(T0 + 600, {"hex": "738a5b", "lat": 32.50165, "lon": 33.45603, "alt_baro": 37000, "seen_pos": 0})
    path.write_text(json.dumps(first))
    process = subprocess.Popen(
        [
            *(COMMAND, "watch", "--source", f"aircraft-json:{path}", "--watchlist", str(WATCHLIST), "--no-state"),
            *("--interval", "0.2", "--duration", "30", "--max-events", "4", "--fail-on", "never"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["event"] == "entered"
    with path.open("r+") as handle:  # rewritten in place, caught half-written for a moment
        handle.truncate(0)
        handle.write(json.dumps(later)[:40])
        handle.flush()
        time.sleep(0.3)
        handle.seek(0)
        handle.write(json.dumps(later))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert [(e["event"], e["iso3"]) for e in lines(out)] == [("took_off", "ISR"), ("left", "ISR"), ("entered", None)]


def test_sigterm_ends_a_live_watch_cleanly_with_its_state(tmp_path: Path) -> None:
    import signal

    fixes = [p for p in _positions() if "12:40" <= p.time.strftime("%H:%M") <= "12:46"]
    state = tmp_path / "w.json"
    with tcp_stream([[*(_sbs(p) for p in fixes), 30.0]]) as address:
        process = subprocess.Popen(
            [COMMAND, "watch", "--source", f"sbs:{address}", "--watchlist", str(WATCHLIST), "--state", str(state)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        assert json.loads(process.stdout.readline())["event"] == "entered"
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        # the state is saved with an fsync on the way out; in two CI runs on a loaded machine
        # whose disk was filling up the watch had not exited 30 s after the signal
        _, err = process.communicate(timeout=120)
    assert process.returncode == 143 and "terminated" in err and "Traceback" not in err
    saved = json.loads(state.read_text())
    assert saved["outbox"] == [] and "738a5b" in saved["watch"]["aircraft"]
    assert state.stat().st_mode & 0o077 == 0


def test_opensky_oauth2_token_from_the_environment(loopback_http) -> None:
    seen: list[tuple[str, str | None]] = []

    class OpenSky(Handler):
        def do_POST(self) -> None:
            seen.append(("token", self.body().decode()))
            self.reply({"access_token": "tok-123", "expires_in": 300})

        def do_GET(self) -> None:
            seen.append(("states", self.headers.get("Authorization")))
            state = [
                "738a5b",
                "ISR1",
                "Israel",
                T0,
                T0,
                10.22,
                36.85,
                3000.0,
                False,
                0,
                0,
                0,
                None,
                None,
                None,
                False,
                0,
            ]
            self.reply({"time": T0, "states": [state]})

    base = loopback_http(OpenSky)
    env = {"OPENSKY_CLIENT_ID": "desk", "OPENSKY_CLIENT_SECRET": "s3cret", "OPENSKY_TOKEN_URL": f"{base}/token"}
    done = watch(
        "--source", f"opensky:{base}/api/states/all", "--watchlist", str(WATCHLIST), "--once", "--no-state", env=env
    )
    assert done.returncode == 0, done.stderr
    assert [(e["event"], e["iso3"]) for e in lines(done.stdout)] == [("entered", "TUN")]
    assert (
        seen[0][0] == "token" and "grant_type=client_credentials" in seen[0][1] and "client_secret=s3cret" in seen[0][1]
    )
    assert seen[1] == ("states", "Bearer tok-123")


# --- publishing later: --delay and --quiet-hours ------------------------------------------------


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_quiet_hours_windows_and_delay() -> None:
    from icc_travel.engine.schedule import Schedule, parse_quiet_hours

    night = parse_quiet_hours("22:00-07:00")  # UTC, across midnight
    assert night.release(_utc(2025, 1, 1, 21, 59)) == _utc(2025, 1, 1, 21, 59)  # before: at once
    assert night.release(_utc(2025, 1, 1, 22, 0)) == _utc(2025, 1, 2, 7, 0)
    assert night.release(_utc(2025, 1, 1, 23, 59, 59)) == _utc(2025, 1, 2, 7, 0)
    assert night.release(_utc(2025, 1, 2, 0, 0)) == _utc(2025, 1, 2, 7, 0)  # after midnight: the same morning
    assert night.release(_utc(2025, 1, 2, 6, 59)) == _utc(2025, 1, 2, 7, 0)
    assert night.release(_utc(2025, 1, 2, 7, 0)) == _utc(2025, 1, 2, 7, 0)  # the end is outside
    lunch = parse_quiet_hours("12:00-13:30")
    assert lunch.release(_utc(2025, 1, 1, 12, 10)) == _utc(2025, 1, 1, 13, 30)
    assert lunch.release(_utc(2025, 1, 1, 13, 31)) == _utc(2025, 1, 1, 13, 31)
    # on Paris's wall clock, across the spring change (30 March 2025, 02:00 -> 03:00): 07:00 local
    # is 06:00Z in winter and 05:00Z in summer
    paris = parse_quiet_hours("22:00-07:00", "Europe/Paris")
    assert paris.release(_utc(2025, 3, 29, 22, 30)) == _utc(2025, 3, 30, 5, 0)
    assert paris.release(_utc(2025, 3, 28, 22, 30)) == _utc(2025, 3, 29, 6, 0)
    assert paris.release(_utc(2025, 3, 28, 20, 59)) == _utc(2025, 3, 28, 20, 59)  # 21:59 in Paris: outside
    assert paris.release(_utc(2025, 3, 28, 21, 0)) == _utc(2025, 3, 29, 6, 0)  # 22:00 in Paris
    delayed = Schedule(dt.timedelta(minutes=30), night)
    assert delayed.release(_utc(2025, 1, 1, 20, 0)) == _utc(2025, 1, 1, 20, 30)
    assert delayed.release(_utc(2025, 1, 1, 21, 45)) == _utc(2025, 1, 2, 7, 0)  # delayed into the window
    for bad in ("22:00", "22-07", "24:00-07:00", "22:00-22:00", "7:5-8:00"):
        with pytest.raises(ValueError):
            parse_quiet_hours(bad)
    with pytest.raises(ValueError, match="time zone"):
        parse_quiet_hours("22:00-07:00", "Europe/Atlantis")


def test_held_events_wait_in_the_state_until_the_quiet_hours_end(dataset, resolver, tmp_path: Path, capsys) -> None:
    """On a pinned clock: events decided at 23:30 in Paris are held, survive a restart from the
    state, and come out at 07:00 Paris time, in order, once."""
    from icc_travel.cli.watch_cmd import Output, StateFile
    from icc_travel.cli.watch_notify import Notifier
    from icc_travel.engine.schedule import Schedule, parse_quiet_hours

    schedule = Schedule(quiet=parse_quiet_hours("22:00-07:00", "Europe/Paris"))
    now = {"at": _utc(2025, 1, 10, 22, 30)}  # 23:30 in Paris
    path = tmp_path / "w.json"

    def output() -> tuple[Output, Watcher]:
        watcher = Watcher(dataset, Watchlist([WING]), resolver=resolver)
        store = StateFile(path)
        store.restore(watcher)
        notifier = Notifier(None, None, {})
        return Output(
            store, watcher, None, notifier, schedule=schedule, clock=lambda: now["at"], held=store.held
        ), watcher

    out, watcher = output()
    decided = []
    for position in _positions()[:200]:
        batch = watcher.feed(position) + watcher.tick(position.time)
        decided += batch
        out.send(batch)
    assert decided and capsys.readouterr().out == ""
    assert [item["due"] for item in out.held] == ["2025-01-11T06:00:00.000000Z"] * len(decided)
    del out, watcher  # the process ends (or is killed): the held events are in the state
    out, _ = output()
    now["at"] = _utc(2025, 1, 11, 5, 59, 59)
    out.release()
    assert capsys.readouterr().out == ""
    now["at"] = _utc(2025, 1, 11, 6, 0)
    out.release()
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [e["id"] for e in decided]
    out.release()
    assert capsys.readouterr().out == ""
    saved = json.loads(path.read_text())
    assert saved["held"] == [] and saved["outbox"] == []


def _held(state: Path) -> int:
    try:
        return len(json.loads(state.read_text())["held"])
    except (OSError, ValueError):
        return 0


def test_delay_holds_events_across_a_restart_and_a_kill_9(tmp_path: Path) -> None:
    """--delay 0.05 (3 s): a run killed with its events held in the state publishes none; the
    runs after it publish each of them once, in order, when due. (A live run publishing when the
    delay passes: test_a_live_watch_publishes_held_events_when_due.)"""
    whole = [e["id"] for e in lines(watch("--replay", str(TRACK), "--watchlist", str(WATCHLIST)).stdout)]
    state = tmp_path / "w.json"
    args = ["--watchlist", str(WATCHLIST), "--state", str(state), "--fail-on", "never", "--delay", "0.05"]
    process = subprocess.Popen(
        [COMMAND, "watch", "--replay", str(TRACK), "--speed", "2000", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 30
    while _held(state) < 4 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.kill()
    out, _ = process.communicate(timeout=10)
    assert out == ""  # nothing published before the delay
    assert 4 <= _held(state) < len(whole)  # killed half-way
    resumed = watch("--replay", str(TRACK), *args)  # judges the rest, publishes what is due by then
    assert resumed.returncode == 0, resumed.stderr
    assert _held(state) > 0 and "events held" in resumed.stderr
    # the delay passes (written into the state, not slept: under libfaketime, as in CI's second
    # run, every process's clock starts again at the same moment)
    saved = json.loads(state.read_text())
    saved["held"] = [{**item, "due": "2000-01-01T00:00:00.000000Z"} for item in saved["held"]]
    state.write_text(json.dumps(saved))
    released = watch("--replay", str(TRACK), *args)
    assert [e["id"] for e in lines(resumed.stdout) + lines(released.stdout)] == whole  # each once, in order
    assert watch("--replay", str(TRACK), *args).stdout == "" and _held(state) == 0


def test_quiet_hours_now_hold_the_events_of_a_once_poll(tmp_path: Path) -> None:
    """A window around the present (crossing midnight or not, on the clock the test runs at):
    the arrest is held and the poll exits 0; it is published, exit 1, once the window is over
    (here: the held event's due time written earlier, as a later run would find it)."""
    now = dt.datetime.now(dt.UTC)
    window = f"{(now - dt.timedelta(hours=2)):%H:%M}-{(now + dt.timedelta(hours=2)):%H:%M}"
    path = tmp_path / "aircraft.json"
    path.write_text(
        json.dumps(_snapshot(now.timestamp(), {"hex": "738a5b", "lat": 36.85, "lon": 10.22, "alt_baro": "ground"}))
    )
    state = tmp_path / "w.json"
    args = ["--source", f"aircraft-json:{path}", "--watchlist", str(WATCHLIST), "--once", "--state", str(state)]
    held = watch(*args, "--quiet-hours", window)
    assert held.returncode == 0 and held.stdout == "", held.stderr
    (item,) = json.loads(state.read_text())["held"]
    due = dt.datetime.fromisoformat(item["due"].replace("Z", "+00:00"))
    assert dt.timedelta(hours=1, minutes=58) < due - now <= dt.timedelta(hours=2)
    assert watch(*args).stdout == ""  # still due later, with or without the option
    saved = json.loads(state.read_text())
    saved["held"][0]["due"] = "2000-01-01T00:00:00.000000Z"  # the window is over
    state.write_text(json.dumps(saved))
    published = watch(*args, "--quiet-hours", window)
    assert published.returncode == 1, published.stderr
    assert [(e["event"], e["iso3"], e["obligation"]) for e in lines(published.stdout)] == [("entered", "TUN", "arrest")]


# --- Apprise (the notify extra) ------------------------------------------------------------------


def test_apprise_services_from_a_config_file_and_the_environment_retry_until_delivered(
    tmp_path: Path, loopback_http
) -> None:
    """Apprise's json:// posts to a loopback receiver: the config file's service fails once and
    is retried, the environment's gets each event once; tokens reach neither stderr nor the state."""
    pytest.importorskip("apprise")
    received: dict[str, list[dict]] = {"/config": [], "/env": []}
    failures = {"/config": 1}

    class Receiver(Handler):
        def do_POST(self) -> None:
            body = json.loads(self.body())
            if failures.get(self.path):
                failures[self.path] -= 1
                self.send_response(503)
                self.end_headers()
                return
            assert self.headers["X-Token"] == "s3cret"
            received[self.path].append(body)
            self.send_response(200)
            self.end_headers()

    base = loopback_http(Receiver).replace("http://", "json://")
    config = tmp_path / "apprise.yml"
    config.write_text(f"urls:\n  - {base}/config?+X-Token=s3cret\n")
    config.chmod(0o600)
    state = tmp_path / "w.json"
    args = ["--replay", str(ROOT / "examples" / "synthetic_positions.csv"), "--watchlist", str(WATCHLIST)]
    done = watch(
        *args,
        *("--notify-config", str(config), "--notify-env", "DESK_ALERTS", "--min-level", "overflight"),
        *("--state", str(state), "--fail-on", "never"),
        env={"DESK_ALERTS": f"{base}/env?+X-Token=s3cret"},
    )
    assert done.returncode == 0, done.stderr
    printed = lines(done.stdout)
    assert len(printed) == 2
    for path in ("/config", "/env"):
        assert [m["title"] for m in received[path]] == [
            "icc-travel: 4X-ISR entered Spain (overflight)",
            "icc-travel: 4X-ISR left Spain (overflight)",
        ]
    message = received["/env"][0]["message"]
    assert "netanyahu" in message and "does not prove the person is on board" in message
    assert "delivery failed" in done.stderr and "s3cret" not in done.stderr
    saved = state.read_text()
    assert "s3cret" not in saved and json.loads(saved)["undelivered"] == []


def test_apprise_deliveries_are_kept_in_the_state_until_the_service_is_back(tmp_path: Path, loopback_http) -> None:
    pytest.importorskip("apprise")
    closed = socket.create_server(("127.0.0.1", 0))
    down = f"json://127.0.0.1:{closed.getsockname()[1]}/alerts"
    closed.close()  # nothing listens there
    state = tmp_path / "w.json"
    args = ["--watchlist", str(WATCHLIST), "--state", str(state), "--fail-on", "never", "--notify-env", "ALERTS"]
    replay = ["--replay", str(ROOT / "examples" / "synthetic_positions.csv"), "--min-level", "overflight"]
    first = watch(*replay, *args, env={"ALERTS": down})
    assert first.returncode == 0, first.stderr
    assert len(lines(first.stdout)) == 2 and "2 deliveries still pending (kept in the state)" in first.stderr
    received: list[dict] = []

    class Receiver(Handler):
        def do_POST(self) -> None:
            received.append(json.loads(self.body()))
            self.send_response(200)
            self.end_headers()

    # the same service, back: the same URL (its key in the state is a hash of the URL)
    port = down.split(":")[2].split("/")[0]
    loopback_http(Receiver, port=int(port))
    second = watch(*replay, *args, env={"ALERTS": down})
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""  # nothing new to publish: only the deliveries kept
    assert [m["title"] for m in received] == [
        "icc-travel: 4X-ISR entered Spain (overflight)",
        "icc-travel: 4X-ISR left Spain (overflight)",
    ]
    assert json.loads(state.read_text())["undelivered"] == []


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--notify-env", "NOT_SET_ANYWHERE"], {}, "unset or empty"),
        (["--notify-env", "ALERTS"], {"ALERTS": "nonsense://tok3n"}, "Apprise does not know"),
        (["--notify-config", "{missing}"], {}, "missing.yml"),
        (["--notify-config", "{empty}"], {}, "no Apprise URL"),
    ],
)
def test_bad_apprise_options_are_one_line(tmp_path: Path, args: list[str], env: dict, says: str) -> None:
    pytest.importorskip("apprise")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    args = [a.replace("{missing}", str(tmp_path / "missing.yml")).replace("{empty}", str(empty)) for a in args]
    done = watch("--source", "sbs:127.0.0.1:1", *args, "--no-state", env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("icc-travel: error: ") and says in done.stderr
    assert "tok3n" not in done.stderr


def test_without_apprise_the_notify_options_say_how_to_install_it(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "apprise.py").write_text("raise ImportError('not installed')\n")
    done = watch(
        "--source",
        "sbs:127.0.0.1:1",
        "--notify-env",
        "ALERTS",
        "--no-state",
        env={"PYTHONPATH": str(shadow), "ALERTS": "json://127.0.0.1:9/x"},
    )
    assert done.returncode == 2
    assert (
        done.stderr
        == 'icc-travel: error: --notify-config and --notify-env need Apprise: pip install "icc-travel[notify]"\n'
    )


# --- the README's service, as written -------------------------------------------------------------


def test_the_readme_systemd_unit_runs_as_written(tmp_path: Path) -> None:
    """The unit the README shows (examples/watch/icc-travel-watch.service): systemd-analyze
    verifies it where systemd is installed; its ExecStart, with %h as systemd expands it and
    readsb's port on a loopback SBS stream, appends events to its StandardOutput file, and
    SIGTERM (systemctl stop) ends it with a status the unit counts as success."""
    import shlex
    import shutil
    import signal

    unit_path = ROOT / "examples" / "watch" / "icc-travel-watch.service"
    unit = unit_path.read_text()
    readme = (ROOT / "README.md").read_text()
    assert unit in readme and (ROOT / "examples" / "watch" / "Containerfile").read_text() in readme  # shown whole
    settings = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "icc-travel").symlink_to(COMMAND)
    (home / "watched.csv").write_text(WATCHLIST.read_text())
    if shutil.which("systemd-analyze"):
        runtime = tmp_path / "run"
        runtime.mkdir(mode=0o700)
        verified = subprocess.run(
            ["systemd-analyze", "--user", "verify", str(unit_path)],
            capture_output=True,
            text=True,
            env={**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)},
            timeout=60,
        )
        assert verified.returncode == 0, verified.stderr
    command = shlex.split(settings["ExecStart"].replace("%h", str(home)))
    events = Path(settings["StandardOutput"].removeprefix("append:").replace("%h", str(home)))
    fixes = [p for p in _positions() if "12:40" <= p.time.strftime("%H:%M") <= "12:58"]
    env = {k: v for k, v in os.environ.items() if k != "XDG_STATE_HOME"}  # systemd sets none
    with tcp_stream([[*(_sbs(p) for p in fixes), 30.0]]) as address:
        command = [part.replace("sbs:127.0.0.1:30003", f"sbs:{address}") for part in command]
        with events.open("a") as output:
            process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env={**env, "HOME": str(home)}
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(events.read_text().splitlines()) < 4:
                time.sleep(0.1)
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
    assert str(process.returncode) in settings["SuccessExitStatus"].split(), err
    # --min-level overflight: over Tunisia twice, the sea between left out
    assert [(e["event"], e["iso3"]) for e in lines(events.read_text())] == [("entered", "TUN"), ("left", "TUN")] * 2
    state = home / ".local" / "state" / "icc-travel" / "watch.json"
    assert "738a5b" in json.loads(state.read_text())["watch"]["aircraft"] and state.stat().st_mode & 0o077 == 0


def test_a_live_watch_publishes_held_events_when_due(tmp_path: Path) -> None:
    """Live, held events come out while the watcher runs (its clock looks at them every second),
    not only at the next start: --delay 0.02 is 1.2 s."""
    fixes = [p for p in _positions() if "12:40" <= p.time.strftime("%H:%M") <= "12:46"]
    with tcp_stream([[*(_sbs(p) for p in fixes), 30.0]]) as address:
        began = time.monotonic()
        done = watch(
            *("--source", f"sbs:{address}", "--watchlist", str(WATCHLIST), "--state", str(tmp_path / "w.json")),
            *("--delay", "0.02", "--max-events", "2", "--duration", "25", "--fail-on", "never"),
        )
        took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    assert [e["event"] for e in lines(done.stdout)] == ["entered", "left"]
    assert 1.2 <= took < 20  # published after the delay, before --duration ended the run


def test_ground_flags_are_read_against_the_positions() -> None:
    """The rules of `quality.ground_flag_flickers` on a straight path flown at a given speed: a
    fix flagged on the ground between airborne fixes at cruise speed is airborne, a touch-and-go
    at approach speed stays on the ground, a ground run at either end stays as recorded, and
    fixes flagged airborne that never leave where the aircraft stood are on the ground."""
    import numpy as np

    from icc_travel.geo.quality import ground_flag_flickers
    from icc_travel.geo.tracks import FixArrays

    def flown(kmh: float, ground: list[int], standing: bool = False) -> FixArrays:
        count = 120  # two minutes, a fix a second
        seconds = 1_633_608_000.0 + np.arange(count, dtype=float)
        lats = np.full(count, 48.7) + (0 if standing else np.arange(count) * kmh / 3600 / 111.2)
        flags = np.zeros(count, dtype=bool)
        flags[ground] = True
        return FixArrays(seconds, lats, np.full(count, 2.35), np.full(count, np.nan), flags, np.full(count, None))

    assert ground_flag_flickers(flown(700, [60])).tolist() == [60]
    assert ground_flag_flickers(flown(420, [60, 61])).tolist() == [60, 61]
    assert ground_flag_flickers(flown(270, list(range(60, 66)))).tolist() == []  # a touch-and-go
    assert ground_flag_flickers(flown(700, [0, 1])).tolist() == []  # the track's ends stay as recorded
    assert ground_flag_flickers(flown(700, [118, 119])).tolist() == []
    at_the_gate = flown(0, [n for n in range(120) if n not in (40, 41, 80)], standing=True)
    assert ground_flag_flickers(at_the_gate).tolist() == [40, 41, 80]
    taking_off = flown(250, list(range(60)))  # rolls, then leaves: airborne fixes more than 1 km away
    assert ground_flag_flickers(taking_off).tolist() == []


def test_a_ground_flag_after_a_climb_is_no_touchdown() -> None:
    """Half a minute before touching down an aircraft is descending: one flagged on the ground
    while climbing (a turboprop leaving at 290 km/h, too slow for the speed rule alone) is
    airborne, in `track` and, from the past alone, in `watch`. A garbage altitude thousands of
    feet off, in and out within a second, is no climb: the landing it follows stays one."""
    import datetime as dt

    import numpy as np

    from icc_travel.engine.watch import Aircraft, Position
    from icc_travel.geo.quality import climbed_ft, ground_flag_flickers
    from icc_travel.geo.tracks import FixArrays

    count, kmh = 120, 290
    seconds = 1_633_608_000.0 + np.arange(count, dtype=float)
    lats = 48.7 + np.arange(count) * kmh / 3600 / 111.2

    def flagged(feet: np.ndarray, ground: list[int]) -> FixArrays:
        flags = np.zeros(count, dtype=bool)
        flags[ground] = True
        return FixArrays(seconds, lats, np.full(count, 2.35), feet, flags, np.full(count, None))

    climbing = 1_000.0 + np.arange(count) * 15.0  # 900 ft/min
    descending = 2_000.0 - np.arange(count) * 12.0  # 720 ft/min
    assert ground_flag_flickers(flagged(climbing, [60])).tolist() == [60]
    assert ground_flag_flickers(flagged(descending, [60])).tolist() == []
    garbage = descending.copy()
    garbage[40:60] = 25_000.0  # stale, with an altitude 23,000 ft off, then flagged on the ground
    assert climbed_ft(seconds[30:60], garbage[30:60]) < 0
    assert ground_flag_flickers(flagged(garbage, list(range(60, 66)))).tolist() == []

    def live(feet: np.ndarray) -> bool:
        plane = Aircraft("7cfa71")
        for n in range(60):
            moment = dt.datetime.fromtimestamp(seconds[n], dt.UTC)
            plane.accept(Position("7cfa71", moment, lats[n], 2.35, feet[n], False), 0.08)
        at = dt.datetime.fromtimestamp(seconds[60], dt.UTC)
        return plane.read_ground_flag(Position("7cfa71", at, lats[60], 2.35, None, True)).on_ground

    assert not live(climbing)
    assert live(descending)
    assert live(garbage)
