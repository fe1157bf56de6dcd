"""Which recorded positions an aircraft can actually have flown through.

Since 2022, GNSS spoofing and jamming over the Baltic, the Black Sea and the Eastern
Mediterranean give ADS-B positions that freeze, drift at a walking pace at cruise altitude, or
jump hundreds of kilometres at once: an aircraft over Poland is reported near Lviv for twenty
minutes (a real THY trace of 17 September 2024 does exactly this). Counted as flown, those
positions report overflights of states the aircraft never entered. Published analyses of the
interference (e.g. the GPSJam maps built from ADS-B navigation-integrity values, EASA's Safety
Information Bulletin 2022-02R3 on GNSS outages and alterations) describe these patterns; readsb
itself drops positions implying an impossible speed from the last one ("speed check" in
readsb's track.c), and the `traffic` library filters positions by kinematic consistency.

The judgement here, on time-ordered fixes:
  1. A pair of consecutive fixes is a *jump* when covering its distance needs more than
     MAX_KMH (no aircraft position in a track file moves faster: the fastest airliner ground
     speeds with the jet stream are about 1,300 km/h), allowing for timing jitter and position
     noise (more for multilateration and TIS-B positions, which receivers compute on the ground).
  2. Fixes high in the air whose path covers less than SLOWEST_AIRBORNE_KMH over at least
     WINDOW_S are *drifting*: no aeroplane cruises at a walking pace, and a holding pattern still
     covers its path at hundreds of km/h (the path, not the net displacement, is measured).
  3. Jumps cut the track into runs of mutually consistent fixes; drifting runs are never trusted.
     Of the rest, the chain of runs that could all have been flown one after the other (each
     reachable from the previous at a plausible speed) and holds the most fixes is kept; every
     other fix is suspect.

Suspect fixes never make a flown segment: `engine.track` turns each suspect stretch into a gap
whose crossings are inferred, and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from icc_travel.geo.tracks import Fix, FixArrays

MAX_KMH = 1500.0
JITTER_S = 2.0  # receivers stamp positions to the second or worse
NOISE_KM = 0.5  # ADS-B position noise (NACp 8 is under 93 m; a margin for older transponders)
GROUND_COMPUTED_NOISE_KM = 3.0  # MLAT and TIS-B positions are computed by ground stations
GROUND_COMPUTED = frozenset({"mlat", "tisb_icao", "tisb_other", "tisb_trackfile", "adsr_icao", "adsr_other", "other"})
SLOWEST_AIRBORNE_KMH = 150.0
HIGH_FT = 10_000.0  # above this, an aircraft moving at a walking pace is not flying there
# Higher up, only jets fly, at true airspeeds of 750-900 km/h: even into a 250 km/h jet-stream
# headwind their ground speed stays far above these floors.
SLOWEST_BY_ALTITUDE = ((30_000.0, 350.0), (20_000.0, 250.0), (HIGH_FT, SLOWEST_AIRBORNE_KMH))


def noise_km(source: str | None) -> float:
    """How far off a position of this kind can be (readsb's `type`: adsb_icao, mlat, tisb_...)."""
    return GROUND_COMPUTED_NOISE_KM if source in GROUND_COMPUTED else NOISE_KM


def reachable_km(seconds: Any, noise_before: Any, noise_after: Any) -> Any:
    """The farthest an aircraft can be from a position `seconds` later (numbers or numpy arrays
    alike): one rule for `track`'s filter and `watch`'s position-by-position judgement."""
    return MAX_KMH * (seconds + JITTER_S) / 3600 + noise_before + noise_after


def slowest_kmh(feet: float) -> float:
    """The slowest ground speed an aircraft holding this altitude can fly (0 below HIGH_FT)."""
    return next((kmh for floor, kmh in SLOWEST_BY_ALTITUDE if feet >= floor), 0.0)


WINDOW_S = 120.0
# Two fixes further apart in time say nothing of the path between them (an aeroplane flies a
# holding pattern's lap in four minutes): a window that holds such a silence (a receiver out of
# range, a night on the ground) is no evidence of drifting.
SILENCE_S = 300.0
LOOKBACK_RUNS = 64  # how many earlier runs a run may follow in the chain (bounds the work)


class Stretch(NamedTuple):
    """Consecutive suspect fixes (indexes into the track's fixes, inclusive) and why."""

    first: int
    last: int
    why: str


class Judgement(NamedTuple):
    kept: Any  # numpy bool array, one per fix
    stretches: tuple[Stretch, ...]
    steps_km: Any = None  # great-circle km between consecutive fixes (the analysis reuses them)

    @property
    def suspect(self) -> int:
        return int((~self.kept).sum())


def judge(fixes: Sequence[Fix] | FixArrays, columns: FixArrays | None = None) -> Judgement:
    """Which fixes can have been flown (see the module's docstring), in array arithmetic plus a
    small search over runs. `fixes` are a track's fixes or, as the analysis gives them, its
    columns (`columns` is the older way to pass those alongside the fixes)."""
    import numpy as np

    from icc_travel.geo.tracks import fix_arrays, step_km

    if columns is None:
        columns = fixes if isinstance(fixes, FixArrays) else fix_arrays(fixes)
    count = len(columns.seconds)
    if count < 2:
        return Judgement(np.ones(count, dtype=bool), (), np.zeros(max(count - 1, 0)))
    seconds, lats, lons, feet, ground = columns.seconds, columns.lats, columns.lons, columns.feet, columns.ground
    noise = np.full(count, NOISE_KM)
    sources = np.asarray(columns.sources, dtype=object)
    named = sources[sources != None]  # noqa: E711 - elementwise, not identity
    if len(named) and GROUND_COMPUTED & set(named.tolist()):  # most files name no source, or ADS-B only
        noise[np.isin(sources, list(GROUND_COMPUTED))] = GROUND_COMPUTED_NOISE_KM

    steps_km = step_km(lats, lons)
    steps_s = np.diff(seconds)
    jump = steps_km > reachable_km(steps_s, noise[:-1], noise[1:])  # between fix i and i + 1

    drifting = _drifting(seconds, steps_km, feet, ground)
    # runs: cut at every jump and wherever drifting starts or stops
    cut = jump | (drifting[1:] != drifting[:-1])
    firsts = np.concatenate([[0], np.flatnonzero(cut) + 1])
    lasts = np.concatenate([firsts[1:] - 1, [count - 1]])
    trusted = _best_chain(firsts, lasts, drifting, seconds, lats, lons, noise)
    kept = np.zeros(count, dtype=bool)
    for run in trusted:
        kept[firsts[run] : lasts[run] + 1] = True
    if kept.all():
        return Judgement(kept, (), steps_km)
    return Judgement(kept, tuple(_stretches(kept, count, seconds, lats, lons, feet, drifting)), None)


def _drifting(seconds: Any, steps_km: Any, feet: Any, ground: Any) -> Any:
    """Fixes in a window of at least WINDOW_S, all high in the air and with no silence longer
    than SILENCE_S, whose path over the window covers less than SLOWEST_AIRBORNE_KMH."""
    import numpy as np

    count = len(seconds)
    known = np.where(np.isnan(feet), 0.0, feet)  # an unknown altitude counts as low
    high = ~ground & (known >= HIGH_FT)
    path = np.concatenate([[0.0], np.cumsum(steps_km)])
    ends = np.searchsorted(seconds, seconds + WINDOW_S)  # first fix at least WINDOW_S later
    valid = ends < count
    starts = np.flatnonzero(valid)
    ends = ends[valid]
    if not len(starts):
        return np.zeros(count, dtype=bool)
    span_s = seconds[ends] - seconds[starts]
    speed = (path[ends] - path[starts]) / np.maximum(span_s, 1e-9) * 3600
    lows = np.concatenate([[0], np.cumsum(~high)])  # a window is high when it holds no low fix
    all_high = (lows[ends + 1] - lows[starts]) == 0
    silences = np.concatenate([[0], np.cumsum(np.diff(seconds) > SILENCE_S)])  # before each fix
    unbroken = silences[ends] == silences[starts]
    # the floor for the lower end of the window: the lower of its first and last fixes' altitudes
    lower = np.minimum(known[starts], known[ends])
    floor = np.zeros(len(lower))
    for feet_floor, kmh in reversed(SLOWEST_BY_ALTITUDE):  # the highest floor reached wins
        floor[lower >= feet_floor] = kmh
    slow = (speed < floor) & all_high & unbroken
    marks = np.zeros(count + 1, dtype=int)  # mark every fix of every slow window
    np.add.at(marks, starts[slow], 1)
    np.add.at(marks, ends[slow] + 1, -1)
    return np.cumsum(marks[:-1]) > 0


def _best_chain(firsts: Any, lasts: Any, drifting: Any, seconds: Any, lats: Any, lons: Any, noise: Any) -> list[int]:
    """The runs of the longest (in fixes) chain in which each run can be reached from the one
    before at a plausible speed; drifting runs take no part."""
    from icc_travel.geo.tracks import haversine_km

    runs = len(firsts)
    # a receiver's noise can cut a long track into very many runs: look back less far then, so the
    # search stays linear (a run far back is rarely the best predecessor of a noisy one)
    lookback = LOOKBACK_RUNS if runs <= 10_000 else 8
    sizes = (lasts - firsts + 1).tolist()
    usable = [not bool(drifting[firsts[r]]) for r in range(runs)]
    best = [0] * runs
    before = [-1] * runs
    for run in range(runs):
        if not usable[run]:
            continue
        best[run] = sizes[run]
        start = firsts[run]
        low = max(0, run - lookback)
        candidates = [m for m in range(low, run) if usable[m] and best[m]]
        if candidates:
            ends = [int(lasts[m]) for m in candidates]
            km = haversine_km(lats[ends], lons[ends], lats[start], lons[start])
            elapsed = seconds[start] - seconds[ends]
            allowed = reachable_km(elapsed, noise[ends], noise[start])
            for m, reachable in zip(candidates, (km <= allowed).tolist(), strict=True):
                if reachable and best[m] + sizes[run] > best[run]:
                    best[run], before[run] = best[m] + sizes[run], m
    if not any(best):
        return []
    run = max(range(runs), key=lambda r: (best[r], -r))
    chain = []
    while run >= 0:
        chain.append(run)
        run = before[run]
    return chain[::-1]


def _stretches(kept: Any, count: int, seconds: Any, lats: Any, lons: Any, feet: Any, drifting: Any) -> list[Stretch]:
    """Each run of suspect fixes, with a reason a reader can check against the positions."""
    import numpy as np

    from icc_travel.geo.tracks import haversine_km

    found = []
    for first, last in _runs_of(kept, False):
        parts = []
        minutes = (seconds[last] - seconds[first]) / 60
        if drifting[first : last + 1].any():
            span = max(seconds[last] - seconds[first], 1e-9)
            moved = float(
                np.sum(
                    haversine_km(
                        lats[first:last], lons[first:last], lats[first + 1 : last + 1], lons[first + 1 : last + 1]
                    )
                )
            )
            height = np.nanmax(feet[first : last + 1]) if np.isfinite(feet[first : last + 1]).any() else None
            at = f" at {height:,.0f} ft" if height is not None else " in flight"
            parts.append(
                f"positions near {lats[first]:.2f},{lons[first]:.2f} for {minutes:.0f} min moving at "
                f"{moved / span * 3600:,.0f} km/h{at}"
            )
        else:
            parts.append(
                f"{last - first + 1} position(s) near {lats[first]:.2f},{lons[first]:.2f} over {minutes:.0f} min"
            )
        for a, b, word in ((first - 1, first, "into"), (last, last + 1, "out of")):
            if a >= 0 and b < count:
                km = float(haversine_km(lats[a], lons[a], lats[b], lons[b]))
                elapsed = seconds[b] - seconds[a]
                speed = km / max(elapsed, 1e-9) * 3600
                if elapsed < 1 and km > reachable_km(elapsed, NOISE_KM, NOISE_KM):  # no speed to speak of
                    parts.append(f"a {km:,.1f} km jump {word} them within a second")
                elif speed > MAX_KMH:
                    parts.append(f"a {speed:,.0f} km/h jump {word} them")
        if first == 0 and last == count - 1:
            parts.append("every position of the track")
        elif first == 0 or last == count - 1:
            parts.append("not reachable from the rest of the track at a possible speed")
        found.append(Stretch(first, last, ", ".join(parts) + ": GNSS spoofing or jamming, or a receiver error"))
    return found


# The recorder's on-ground flag flickers. Real OpenSky state vectors (the `traffic` package's
# quickstart sample: 213 aircraft around Paris, 7 October 2021) hold both kinds: single fixes
# flagged on the ground in the middle of a flight, at 320-720 km/h and 2,600-7,000 ft either
# side (their own altitude missing or tens of thousands of feet off), each of which counted as a
# landing; and fixes flagged airborne for a second or a minute while an aircraft rolled out,
# taxied or stood at its gate, each of which counted as a take-off and a second landing where it
# stood (30 of the 213 aircraft "landed" two or three times within minutes; 11 "landed" in mid-flight,
# 7 of them nowhere else).
GROUND_MAX_KMH = 300.0  # touchdown speeds are 240-300 km/h: nothing on the ground, touch-and-go included, is faster
GROUND_WINDOW_S = 30.0  # a ground run is judged by where the aircraft was this long before and after it
POSITION_NOISE_KM = 0.1  # ADS-B positions (NACp 8 is under 93 m)
# On a 3° approach an aircraft is still 300-400 ft up half a minute before it touches down: one
# that climbed more than this over the GROUND_WINDOW_S before a ground flag has not touched down
# (7cfa71 in the Paris sample, a turboprop climbing out of Le Bourget at 290-320 km/h, is flagged
# on the ground for one fix at 4,300 ft, too slow for GROUND_MAX_KMH to say so from the past alone).
CLIMB_FT = 200.0
MAX_VERTICAL_FPS = 100.0  # 6,000 ft/min: airliners climb and descend at a third of this
ALTITUDE_NOISE_FT = 50.0  # Mode S altitudes come in 25-ft (or 100-ft) steps
STANDING_KM = 1.0  # airborne fixes this close to where the aircraft stood did not fly anywhere


def ground_flag_flickers(columns: FixArrays) -> Any:
    """The indexes of the fixes whose on-ground flag their positions contradict, to be read the
    other way. First, a run of fixes flagged on the ground between airborne fixes, during which
    the aircraft covered more than GROUND_MAX_KMH from GROUND_WINDOW_S before it to
    GROUND_WINDOW_S after it (the net distance, less each end's POSITION_NOISE_KM), or which the
    aircraft reached climbing more than CLIMB_FT over the GROUND_WINDOW_S before it, is airborne
    (a run at the track's start or end is left as recorded: a take-off roll alone is fast).
    Then a run of fixes flagged airborne next to a stay on the ground that never got further
    than STANDING_KM from where the aircraft stood (the fix before the run, or after it when
    the track starts airborne) is on the ground: it did not fly anywhere, and it is in the same
    territory either way. A touch-and-go at approach speed stays a landing."""
    import numpy as np

    from icc_travel.geo.tracks import haversine_km

    ground = np.asarray(columns.ground, dtype=bool).copy()
    count = len(ground)
    if count < 3 or not ground.any():
        return np.zeros(0, dtype=np.int64)
    seconds, lats, lons = columns.seconds, columns.lats, columns.lons
    original = ground.copy()
    for first, last in _runs_of(ground, True):
        if first == 0 or last == count - 1:
            continue
        before = int(np.searchsorted(seconds, seconds[first] - GROUND_WINDOW_S))
        after = int(np.searchsorted(seconds, seconds[last] + GROUND_WINDOW_S, side="right")) - 1
        hours = (seconds[after] - seconds[before]) / 3600
        moved = float(haversine_km(lats[before], lons[before], lats[after], lons[after])) - 2 * POSITION_NOISE_KM
        airborne = np.flatnonzero(~original[before:first]) + before
        if (hours > 0 and moved / hours > GROUND_MAX_KMH) or climbed_ft(
            seconds[airborne], columns.feet[airborne]
        ) > CLIMB_FT:
            ground[first : last + 1] = False
    for first, last in _runs_of(ground, False):
        anchor = first - 1 if first > 0 else last + 1  # a fix on the ground: the runs alternate
        if anchor >= count:
            continue  # airborne throughout
        apart = haversine_km(lats[anchor], lons[anchor], lats[first : last + 1], lons[first : last + 1])
        if bool(np.all(apart <= STANDING_KM)):
            ground[first : last + 1] = True
    return np.flatnonzero(ground != original)


def climbed_ft(seconds: Any, feet: Any) -> float:
    """How much these (airborne, time-ordered) fixes climbed: the sum of the changes of altitude
    from one known altitude to the next, leaving out each change faster than MAX_VERTICAL_FPS
    (a garbage altitude, tens of thousands of feet off, comes and goes in a second: the changes
    among the garbage count, the jumps into and out of it do not). `ground_flag_flickers` and
    `watch` weigh a ground flag after a climb by it."""
    climbed, previous = 0.0, None
    for moment, altitude in zip(_listed(seconds), _listed(feet), strict=True):
        if altitude is None or altitude != altitude:  # unknown (None or NaN)
            continue
        if previous is not None:
            change = altitude - previous[1]
            if abs(change) <= MAX_VERTICAL_FPS * max(moment - previous[0], 1.0) + ALTITUDE_NOISE_FT:
                climbed += change
        previous = (moment, altitude)
    return climbed


def _listed(values: Any) -> list[Any]:
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _runs_of(flags: Any, value: bool) -> list[tuple[int, int]]:
    """(first, last) of each run of consecutive flags equal to `value`."""
    import numpy as np

    padded = np.concatenate([[False], flags == value, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), (edges[1::2] - 1).tolist(), strict=True))
