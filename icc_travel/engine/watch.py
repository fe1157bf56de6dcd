"""Live positions of watched aircraft as dated legal events (`icc-travel watch`). Pure: no I/O.

Each watched aircraft has a small state (where it was last seen, in which territory, on the
ground or not, whether its signal is lost); a position that changes that state gives events:
`entered`, `left`, `landed`, `took_off`, `signal_lost`, `signal_regained` (and `new_hex` when a
watched registration appears under an ICAO address the watchlist does not give). Territories
and obligations are decided exactly as `track` decides them (`decide_obligation`, the same
resolver and the same boundary bisection), so a replayed track gives the entries `track` gives.

A position is first judged by `track`'s rules (geo.quality), applied one position at a time:
one not reachable from the last trusted position at a ground speed an aircraft flies (with the
same allowance for timing jitter and for the noise of its kind: more for MLAT and TIS-B), one
repeating a frozen position, and one that ends two minutes of drifting at cruise altitude below
`track`'s floors, never moves the aircraft and never fires an event. The watcher reports where
an aircraft is, never where it could go.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Territory
from icc_travel.engine.contract import obligation_json, place_json, utc_text
from icc_travel.engine.track import _boundaries, decide_obligation
from icc_travel.geo import quality as rules
from icc_travel.geo.airfields import low_over_ground, nearest_airport
from icc_travel.geo.places import PlaceResolver
from icc_travel.geo.tracks import EARLIEST, haversine_km
from icc_travel.vocabulary import Level

EVENTS = (
    "entered",
    "left",
    "landed",
    "took_off",
    "signal_lost",
    "signal_regained",
    "new_hex",
    "source_lost",
    "source_regained",
)
CAVEAT = (
    "A matching aircraft does not prove the person is on board: state fleets fly backup and decoy flights. "
    "This reports where the aircraft is, not where it could go."
)
REANCHOR_POSITIONS = 5  # suspect positions consistent among themselves for this long move the aircraft
REANCHOR_S = 120.0
INFERRED_LANDING_FT = 1500.0  # signal lost this low over an airport near it: an inferred landing
INFERRED_AIRPORT_KM = 10.0
SILENCE_S = 600.0  # default: no position for this long is a lost signal
# After a silence longer than --gap at cruise altitude (above geo.quality.HIGH_FT before and
# after: where GNSS spoofing moves aircraft), positions move the aircraft only once a run of them
# confirms it: at least this many positions over at least this long, each plausible from the one
# before, and not drifting at a pace no aircraft cruises at. Until then they are held; a
# confirmed run's events carry the positions' own times. On the ground or low, nothing is held.
CONFIRM_POSITIONS = 2
CONFIRM_S = 120.0


class Position(NamedTuple):
    hex: str  # ICAO 24-bit address, lower case
    time: dt.datetime  # UTC
    lat: float
    lon: float
    altitude_ft: float | None
    on_ground: bool
    registration: str | None = None
    source: str | None = None  # the --source it came from
    kind: str | None = None  # how it was obtained, where the source says (readsb `type`: adsb_icao, mlat...)


class WatchEntry(NamedTuple):
    """One watched aircraft for one subject (subject None: a plane-alert row without one)."""

    hex: str | None
    registration: str | None
    subject: str | None
    source: str | None


def registration_key(registration: str | None) -> str | None:
    """Registrations compare without case, hyphens or spaces (4X-ISR, 4xisr)."""
    if not registration:
        return None
    key = "".join(ch for ch in registration.upper() if ch.isalnum())
    return key or None


class Watchlist:
    """Entries by ICAO address and by registration; a registration seen under a new address is
    learnt (the aircraft is then followed under it) and reported once."""

    def __init__(self, entries: Iterable[WatchEntry]) -> None:
        self.entries = list(entries)
        self.by_hex: dict[str, list[WatchEntry]] = {}
        self.by_registration: dict[str, list[WatchEntry]] = {}
        for entry in self.entries:
            if entry.hex:
                self.by_hex.setdefault(entry.hex.lower(), []).append(entry)
            key = registration_key(entry.registration)
            if key:
                self.by_registration.setdefault(key, []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def wanted(self, hex_code: str, registration: str | None) -> bool:
        """Whether an aircraft is watched, without learning anything (the fast filter of a stream)."""
        if hex_code in self.by_hex:
            return True
        key = registration_key(registration) if registration else None
        return key is not None and key in self.by_registration

    def match(self, hex_code: str, registration: str | None) -> tuple[list[WatchEntry], bool]:
        """The entries this aircraft answers to, and whether its registration came under a new address."""
        found = self.by_hex.get(hex_code)
        if found is not None:
            return found, False
        key = registration_key(registration)
        if key is None or key not in self.by_registration:
            return [], False
        entries = self.by_registration[key]
        self.by_hex[hex_code] = entries  # followed under this address from now on (SBS gives no registration)
        new = any(e.hex and e.hex.lower() != hex_code for e in entries)
        return entries, new


def position_quality(reference: Position | None, position: Position) -> str:
    """`good`, `frozen` (airborne at exactly the last accepted point: a receiver or transponder
    repeating a stale position; the clock of the reference does not move, so a jump after it is
    measured from the last fresh position) or `suspect` (a jump: further from the last accepted
    position than geo.quality lets an aircraft fly, as `track` judges consecutive positions)."""
    return _step(reference, position)[0]


def _step(reference: Position | None, position: Position) -> tuple[str, float]:
    """The quality of a position and its great-circle km from the reference (0 without one)."""
    if reference is None:
        return "good", 0.0
    if (position.lat, position.lon) == (reference.lat, reference.lon) and not position.on_ground:
        return "frozen", 0.0
    seconds = max((position.time - reference.time).total_seconds(), 0.0)
    km = float(haversine_km(reference.lat, reference.lon, position.lat, position.lon))
    allowed = rules.reachable_km(seconds, rules.noise_km(reference.kind), rules.noise_km(position.kind))
    return ("suspect" if km > allowed else "good"), km


def _high(position: Position) -> bool:
    return not position.on_ground and position.altitude_ft is not None and position.altitude_ft >= rules.HIGH_FT


@dataclass
class Aircraft:
    hex: str
    registration: str | None = None
    reference: Position | None = None  # the last accepted, fresh position
    feature: int = -1  # the territory feature it is in (-1: none)
    on_ground: bool = False
    last_seen: dt.datetime | None = None
    lost: bool = False
    announced_new_hex: bool = False
    suspects: list[Position] = field(default_factory=list)
    held: list[Position] = field(default_factory=list)  # after a silence: the run awaiting confirmation
    # the accepted positions of the last WINDOW_S (and the one before), for the drift test and the
    # reading of on-ground flags: (Unix time, km flown since the first accepted position,
    # altitude or None, high in the air, latitude, longitude; None in a state saved before them)
    path_km: float = 0.0
    recent: list[tuple[float, float, float | None, bool, float | None, float | None]] = field(default_factory=list)
    # where the recorder last placed it on the ground, and the first position flagged airborne
    # since while it had not gone STANDING_KM from there (see `read_ground_flag`)
    stood: Position | None = None
    lifted: Position | None = None

    def accept(self, position: Position, km: float, *, fresh: bool = False) -> None:
        """Record an accepted position for the drift test (`fresh`: its path starts here)."""
        if fresh:
            self.recent.clear()
            km = 0.0
        self.path_km += km
        seconds = position.time.timestamp()
        # on the ground its altitude is no altitude flown (`read_ground_flag` weighs a climb by them)
        altitude = None if position.on_ground else position.altitude_ft
        self.recent.append((seconds, self.path_km, altitude, _high(position), position.lat, position.lon))
        start = bisect.bisect_right(self.recent, seconds - rules.WINDOW_S, key=lambda entry: entry[0]) - 1
        if start > 0:
            del self.recent[:start]

    def read_ground_flag(self, position: Position) -> Position:
        """The position with its on-ground flag read against where the aircraft has been, as
        `track` reads a recorded flag (geo.quality.ground_flag_flickers), on what is known so far:
        flagged on the ground while the aircraft came there from GROUND_WINDOW_S before faster than
        anything rolls on the ground, or climbing more than CLIMB_FT over that time, it is
        airborne (a lone ground flag in mid-flight); flagged airborne while it has not got
        STANDING_KM from where it last stood, it is on the ground, and the first such position is
        kept (`lifted`): a take-off, once the aircraft leaves, is timed from it, as `track` times
        it."""
        if position.on_ground and not self.on_ground:
            seconds = position.time.timestamp()
            start = bisect.bisect_left(self.recent, seconds - rules.GROUND_WINDOW_S, key=lambda entry: entry[0])
            earliest = self.recent[start] if start < len(self.recent) else None
            if earliest is not None and earliest[4] is not None and seconds > earliest[0]:
                moved = float(haversine_km(earliest[4], earliest[5], position.lat, position.lon))
                kmh = (moved - 2 * rules.POSITION_NOISE_KM) / (seconds - earliest[0]) * 3600
                if kmh > rules.GROUND_MAX_KMH:
                    return position._replace(on_ground=False)
            window = self.recent[start:]
            if rules.climbed_ft([e[0] for e in window], [e[2] for e in window]) > rules.CLIMB_FT:
                return position._replace(on_ground=False)  # climbing the moment before: no touchdown
        stood = self.stood
        if (
            not position.on_ground
            and self.on_ground
            and stood is not None
            and float(haversine_km(stood.lat, stood.lon, position.lat, position.lon)) <= rules.STANDING_KM
        ):
            self.lifted = self.lifted or position
            return position._replace(on_ground=True)
        return position

    def drifting_to(self, position: Position, km: float) -> bool:
        """Whether this position ends a window of at least WINDOW_S, all high in the air, whose
        path is slower than geo.quality's floor for its altitude: GNSS spoofing dragging the
        aircraft at a walking pace, judged as `track` judges it."""
        if not _high(position) or not self.recent:
            return False
        seconds = position.time.timestamp()
        start = bisect.bisect_right(self.recent, seconds - rules.WINDOW_S, key=lambda entry: entry[0]) - 1
        if start < 0:
            return False  # not yet WINDOW_S of history
        window = self.recent[start:]
        if not all(entry[3] for entry in window):
            return False
        first_seconds, first_path, first_feet = window[0][:3]
        span = seconds - first_seconds
        lower = min(first_feet or 0.0, position.altitude_ft or 0.0)
        return (self.path_km + km - first_path) / span * 3600 < rules.slowest_kmh(lower)


class Watcher:
    """The state machine for every watched aircraft; `feed` a position, `tick` the clock."""

    def __init__(
        self,
        dataset: Dataset,
        watchlist: Watchlist,
        *,
        resolver: PlaceResolver | None = None,
        silence_s: float = SILENCE_S,
        gap_minutes: float = 10.0,
        min_level: str = law.NONE,
        cooldown_s: float = 0.0,
    ) -> None:
        self.dataset = dataset
        self.watchlist = watchlist
        self.resolver = resolver or PlaceResolver(dataset)
        self.silence = dt.timedelta(seconds=silence_s)
        self.gap = dt.timedelta(minutes=gap_minutes)
        self.min_level = min_level
        self.cooldown = dt.timedelta(seconds=cooldown_s)
        self.aircraft: dict[str, Aircraft] = {}
        self.last_sent: dict[str, dt.datetime] = {}  # cooldown key -> time of the last event sent
        self.positions = 0  # positions of watched aircraft judged
        self.suspect = 0

    # --- positions -----------------------------------------------------------------------

    def feed(self, position: Position) -> list[dict[str, Any]]:
        entries, new_hex = self.watchlist.match(position.hex, position.registration)
        if not entries:
            return []
        return self._filtered(self._feed(position, entries, new_hex))

    def _feed(
        self, position: Position, entries: list[WatchEntry], new_hex: bool, *, confirmed: bool = False
    ) -> list[dict[str, Any]]:
        plane = self.aircraft.get(position.hex)
        if plane is None:
            plane = self.aircraft[position.hex] = Aircraft(position.hex)
        plane.registration = position.registration or plane.registration or entries[0].registration
        events: list[dict[str, Any]] = []
        if new_hex and not plane.announced_new_hex:
            plane.announced_new_hex = True
            events += self._events("new_hex", plane, entries, position, None, extra={"watched_hex": entries[0].hex})
        if not confirmed:
            if plane.last_seen is not None and position.time <= plane.last_seen:
                return events  # already judged (another source, or a restart replaying the same data)
            self.positions += 1
            reference = plane.reference
            silent = reference is not None and position.time - reference.time > self.gap
            if plane.held or (silent and _cruising(reference) and _cruising(position)):
                return events + self._confirm(plane, entries, position)
        quality, km = _step(plane.reference, position)
        plane.last_seen = position.time
        if quality == "frozen":
            return events
        # drifting at cruise altitude is suspect (a run confirmed after a silence was judged for
        # drift as a whole)
        if quality == "good" and not confirmed and plane.drifting_to(position, km):
            quality = "suspect"
        if quality == "suspect":
            self.suspect += 1
            if not self._reanchor(plane, position):
                return events
            quality = "reanchored"  # the aircraft now is where a consistent run of positions puts it
            run = plane.suspects
            plane.accept(run[0], 0.0, fresh=True)  # its path is the aircraft's from here
            for a, b in itertools.pairwise(run[:-1]):
                plane.accept(b, _step(a, b)[1])
            km = _step(run[-2], position)[1] if len(run) > 1 else 0.0
        plane.suspects.clear()
        recorded = position
        position = plane.read_ground_flag(position)
        territory = self.resolver.locate(position.lat, position.lon)
        feature = territory.feature_index if territory is not None else -1
        before = plane.reference
        if quality == "reanchored":
            pass  # moved without an event: a spoofed jump never fires `entered`
        elif before is None:
            events += self._events("entered", plane, entries, position, territory, first_seen=True)
        else:
            if plane.lost:
                events += self._events("signal_regained", plane, entries, position, territory)
            # a landing or take-off between two close positions: half-way, as `track` times it
            midway = before.time + (position.time - before.time) / 2
            if position.time - before.time > self.gap or plane.lost:
                midway = position.time
            old = self.resolver.territory_of_feature(plane.feature)
            took_off = plane.on_ground and not position.on_ground
            if took_off:  # from where it stood, when it was first flagged airborne there
                origin = before
                if plane.lifted is not None and plane.stood is not None and not plane.lost:
                    origin = plane.stood
                    midway = origin.time + (plane.lifted.time - origin.time) / 2
                events += self._events("took_off", plane, entries, origin, old, when=midway, airborne=True)
            if feature != plane.feature:
                when = position.time
                close = position.time - before.time <= self.gap and not plane.lost
                if close and not (before.on_ground and position.on_ground):
                    when = self._crossing(before, position, plane.feature)
                airborne = took_off or not plane.on_ground
                events += self._events("left", plane, entries, before, old, when=when, airborne=airborne)
                events += self._events("entered", plane, entries, position, territory, when=when)
            if not plane.on_ground and position.on_ground:
                events += self._landed(plane, entries, position, territory, inferred=False, when=midway)
        plane.reference, plane.feature, plane.on_ground, plane.lost = position, feature, position.on_ground, False
        if recorded.on_ground and position.on_ground:
            plane.stood, plane.lifted = position, None
        elif not position.on_ground:
            plane.stood = plane.lifted = None
        plane.accept(position, km)
        plane.registration = plane.registration or position.registration
        for event in events:
            event["quality"] = event.get("quality") or quality
        return events

    def _reanchor(self, plane: Aircraft, position: Position) -> bool:
        """A run of suspect positions consistent among themselves for REANCHOR_POSITIONS positions
        and REANCHOR_S seconds, and not drifting, is where the aircraft is (the earlier one was the
        bad one)."""
        if plane.suspects and position_quality(plane.suspects[-1], position) != "good":
            plane.suspects.clear()
        plane.suspects.append(position)
        del plane.suspects[:-REANCHOR_POSITIONS]
        span = (plane.suspects[-1].time - plane.suspects[0].time).total_seconds()
        enough = len(plane.suspects) >= REANCHOR_POSITIONS and span >= REANCHOR_S
        return enough and not drifting(plane.suspects)

    def _confirm(self, plane: Aircraft, entries: list[WatchEntry], position: Position) -> list[dict[str, Any]]:
        """After a silence: hold the position until a run confirms where the aircraft is (see
        CONFIRM_POSITIONS). A run broken by a jump or found drifting is dropped as suspect; a
        confirmed run is fed through in order, so its events carry the positions' own times, and
        one not reachable from the last trusted position moves the aircraft without an event, as a
        re-anchoring does."""
        held = plane.held
        plane.last_seen = position.time
        if held and position_quality(held[-1], position) == "suspect":
            self.suspect += len(held)
            held.clear()
        held.append(position)
        span = (held[-1].time - held[0].time).total_seconds()
        if len(held) < CONFIRM_POSITIONS or span < CONFIRM_S:
            return []
        run = list(held)
        held.clear()
        if drifting(run):
            self.suspect += len(run)
            return []
        reference = plane.reference
        if reference is not None and position_quality(reference, run[0]) == "suspect":
            self.suspect += len(run)
            territory = self.resolver.locate(run[-1].lat, run[-1].lon)
            plane.reference, plane.on_ground, plane.lost = run[-1], run[-1].on_ground, False
            plane.feature = territory.feature_index if territory is not None else -1
            plane.accept(run[0], 0.0, fresh=True)
            for a, b in itertools.pairwise(run):
                plane.accept(b, _step(a, b)[1])
            return []  # moved without an event: a spoofed jump never fires `entered`
        events = []
        for held_position in run:
            events += self._feed(held_position, entries, False, confirmed=True)
        return events

    def _crossing(self, before: Position, after: Position, feature: int) -> dt.datetime:
        """When the aircraft left `feature` between two positions: `track`'s own bisection, on a
        track of these two positions."""
        import numpy as np

        found = self.resolver.locate(after.lat, after.lon)
        crossed = _boundaries(
            np.array([(p.time - EARLIEST) / dt.timedelta(seconds=1) for p in (before, after)]),
            np.array([before.lat, after.lat]),
            np.array([before.lon, after.lon]),
            np.array([before.on_ground, after.on_ground]),
            np.array([feature, found.feature_index if found is not None else -1]),
            [(0, feature)],
            self.resolver,
        )
        return crossed[0][0]

    def _landed(
        self,
        plane: Aircraft,
        entries: list[WatchEntry],
        position: Position,
        territory: Territory | None,
        *,
        inferred: bool,
        when: dt.datetime | None = None,
    ) -> list[dict[str, Any]]:
        airport, km = nearest_airport(position.lat, position.lon)
        return self._events(
            "landed",
            plane,
            entries,
            position,
            territory,
            when=when,
            airborne=False,
            inferred=inferred,
            extra={"airport": airport, "airport_km": km},
        )

    # --- the clock -----------------------------------------------------------------------

    def tick(self, now: dt.datetime) -> list[dict[str, Any]]:
        """Signals silent for longer than the silence limit are lost; one lost low near an
        airport is an inferred landing."""
        events: list[dict[str, Any]] = []
        for plane in self.aircraft.values():
            if plane.lost or plane.reference is None or plane.last_seen is None:
                continue
            if now - plane.last_seen <= self.silence:
                continue
            entries, _ = self.watchlist.match(plane.hex, plane.registration)
            if not entries:
                continue
            plane.lost = True
            last = plane.reference
            territory = self.resolver.territory_of_feature(plane.feature)
            extra = {"detected": utc_text(now), "silent_s": round((now - plane.last_seen).total_seconds())}
            events += self._events(
                "signal_lost",
                plane,
                entries,
                last,
                territory,
                airborne=not plane.on_ground,
                quality="good",
                extra=extra,
            )
            low = last.altitude_ft is not None and low_over_ground(
                last.lat, last.lon, last.altitude_ft, INFERRED_LANDING_FT
            )
            if not plane.on_ground and low:
                _, km = nearest_airport(last.lat, last.lon)
                if km <= INFERRED_AIRPORT_KM:
                    events += self._landed(plane, entries, last, territory, inferred=True)
                    events[-len(entries) :] = [{**e, "quality": "good"} for e in events[-len(entries) :]]
                    plane.on_ground = True
        return self._filtered(events)

    def source_event(self, kind: str, source: str, now: dt.datetime, reason: str) -> dict[str, Any]:
        """A source that dropped (`source_lost`) or came back (`source_regained`)."""
        event = {"event": kind, "time": utc_text(now), "source": source, "reason": reason}
        event["data_as_of"] = self.dataset.as_of.isoformat()
        event["id"] = _event_id(kind, source, event["time"], reason)
        return event

    # --- events --------------------------------------------------------------------------

    def _events(
        self,
        kind: str,
        plane: Aircraft,
        entries: list[WatchEntry],
        position: Position,
        territory: Territory | None,
        *,
        when: dt.datetime | None = None,
        airborne: bool | None = None,
        inferred: bool = False,
        first_seen: bool = False,
        quality: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        when = when or position.time
        airborne = (not position.on_ground) if airborne is None else airborne
        out = []
        for entry in entries:
            subject = self.dataset.subject(entry.subject) if entry.subject else None
            if subject is not None:
                decided = decide_obligation(self.dataset, subject, territory, when, airborne, position.lat)
                legal = obligation_json(decided)
            else:
                legal = {
                    "obligation": None,
                    "basis": None,
                    "reasons": ["no subject is tied to this aircraft in the watchlist"],
                    "sources": [],
                    "confidence": None,
                    "disputed": None,
                    "local_facts": [],
                }
            place = place_json(territory)
            event = {
                "event": kind,
                "time": utc_text(when),
                "hex": plane.hex,
                "registration": plane.registration or entry.registration,
                "subject": entry.subject,
                "lat": round(position.lat, 5),
                "lon": round(position.lon, 5),
                "altitude_ft": None if position.altitude_ft is None else round(position.altitude_ft),
                "airborne": airborne,
                "quality": quality,
                **place,
                **legal,
                "airport": None,
                "airport_km": None,
                "inferred": inferred,
                "first_seen": first_seen,
                "watchlist_source": entry.source,
                "position_source": position.source,
                **(extra or {}),
                "data_as_of": self.dataset.as_of.isoformat(),
                "caveat": CAVEAT,
            }
            event["id"] = _event_id(kind, plane.hex, entry.subject or "", event["time"], place["iso3"] or "")
            out.append(event)
        return out

    def _filtered(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """--min-level and --cooldown: an event below the level, or repeating the same event for the
        same aircraft, subject and territory within the cooldown, is not sent."""
        kept = []
        for event in events:
            level = event.get("obligation")
            territorial = self.min_level != law.NONE and event["event"] in EVENTS[:6]
            if territorial and (level is None or not law.reaches(level, self.min_level)):
                continue
            if self.cooldown:
                key = "|".join(str(event.get(k)) for k in ("event", "hex", "subject", "iso3"))
                when = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
                last = self.last_sent.get(key)
                if last is not None and when - last < self.cooldown:
                    continue
                self.last_sent[key] = when
            kept.append(event)
        return kept

    # --- state that outlives the process -------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        def position(p: Position | None) -> list[Any] | None:
            if p is None:
                return None
            return [
                p.hex,
                p.time.timestamp(),
                p.lat,
                p.lon,
                p.altitude_ft,
                p.on_ground,
                p.registration,
                p.source,
                p.kind,
            ]

        return {
            "aircraft": {
                code: {
                    "registration": a.registration,
                    "reference": position(a.reference),
                    "feature": a.feature,
                    "on_ground": a.on_ground,
                    "last_seen": a.last_seen.timestamp() if a.last_seen else None,
                    "lost": a.lost,
                    "announced_new_hex": a.announced_new_hex,
                    "suspects": [position(p) for p in a.suspects],
                    "held": [position(p) for p in a.held],
                    "path_km": a.path_km,
                    "recent": a.recent,
                    "stood": position(a.stood),
                    "lifted": position(a.lifted),
                }
                for code, a in self.aircraft.items()
            },
            "last_sent": {key: when.timestamp() for key, when in self.last_sent.items()},
        }

    def restore(self, state: dict[str, Any]) -> None:
        def moment(seconds: float) -> dt.datetime:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)

        def position(row: list[Any] | None) -> Position | None:
            if row is None:
                return None
            kind = row[8] if len(row) > 8 else None  # states written before positions had a kind
            return Position(row[0], moment(row[1]), row[2], row[3], row[4], bool(row[5]), row[6], row[7], kind)

        for code, saved in state.get("aircraft", {}).items():
            plane = Aircraft(
                code,
                saved.get("registration"),
                position(saved.get("reference")),
                int(saved.get("feature", -1)),
                bool(saved.get("on_ground")),
                moment(saved["last_seen"]) if saved.get("last_seen") is not None else None,
                bool(saved.get("lost")),
                bool(saved.get("announced_new_hex")),
                [p for p in map(position, saved.get("suspects", [])) if p is not None],
                [p for p in map(position, saved.get("held", [])) if p is not None],
                float(saved.get("path_km", 0.0)),
                [
                    (float(e[0]), float(e[1]), e[2], bool(e[3]), *((e[4], e[5]) if len(e) > 5 else (None, None)))
                    for e in saved.get("recent", [])
                ],
                position(saved.get("stood")),
                position(saved.get("lifted")),
            )
            self.aircraft[code] = plane
            if plane.announced_new_hex or code not in self.watchlist.by_hex:
                self.watchlist.match(code, plane.registration)  # relearn an address learnt from a registration
        self.last_sent = {key: moment(when) for key, when in state.get("last_sent", {}).items()}


def _cruising(position: Position | None) -> bool:
    return position is not None and _high(position)


def drifting(run: list[Position]) -> bool:
    """Positions high in the air whose path covers less than geo.quality's slowest airborne speed:
    no aeroplane cruises at a walking pace (GNSS spoofing drags positions slowly)."""
    if not all(_high(p) for p in run):
        return False
    seconds = (run[-1].time - run[0].time).total_seconds()
    if seconds <= 0:
        return False
    path = sum(float(haversine_km(a.lat, a.lon, b.lat, b.lon)) for a, b in itertools.pairwise(run))
    lowest = min(p.altitude_ft for p in run if p.altitude_ft is not None)
    return path / seconds * 3600 < rules.slowest_kmh(lowest)


def _event_id(*parts: str) -> str:
    """A stable id: the same event from a restart's replay has the same id, so a reader can drop it."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def worst(events: Iterable[dict[str, Any]]) -> str:
    levels = [e["obligation"] for e in events if e.get("obligation")]
    return Level.worst(levels)
