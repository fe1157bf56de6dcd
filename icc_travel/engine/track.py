"""What a recorded track meant: the territories it crossed or landed in, when, and the
obligation for the subject in each, with the same reasons and sources as `check`.

A track is cut at gaps (fixes more than `gap` minutes apart), then into runs over one territory;
the time a run begins or ends is found by bisecting the great circle between the last fix on one
side and the first on the other (within seconds for fixes a minute apart). Territories that only
the great circle across a gap crosses are reported as `inferred`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from icc_travel import law
from icc_travel.data.models import Dataset, Subject, Territory
from icc_travel.geo.airfields import low_over_ground, nearest_airport
from icc_travel.geo.places import PlaceResolver, in_antarctic_treaty_area
from icc_travel.geo.tracks import (
    GROUND_ALTITUDE_FT,
    Fix,
    FixArrays,
    FixView,
    Track,
    great_circle,
    haversine_km,
    step_km,
    time_at,
)
from icc_travel.vocabulary import Level

BISECTIONS = 16  # halvings of the stretch between two fixes: a minute apart, under a second


class Segment(NamedTuple):
    territory: Territory | None
    entered: dt.datetime | None  # None for an inferred crossing inside a gap
    left: dt.datetime | None
    km: float
    airborne: bool
    inferred: bool
    obligation: law.Obligation
    suspect_why: str | None = None  # inferred across positions judged implausible: why they were


class Landing(NamedTuple):
    time: dt.datetime
    territory: Territory | None
    lat: float
    lon: float
    airport: str | None  # "NAME (IATA)" of the nearest airport
    airport_km: float | None
    obligation: law.Obligation
    inferred: bool = False  # no ground position recorded: inferred from a long silence low in the air


class Flight(NamedTuple):
    """From a take-off (or the first fix in the air) to a landing (or the last fix in the air)."""

    first: int  # fix indexes (of the fixes analysed), inclusive
    last: int
    departure: Landing | None  # where it left from: the ground stay before it (None: not recorded)
    arrival: Landing | None
    km: float


class Gap(NamedTuple):
    start: dt.datetime
    end: dt.datetime
    why: str | None = None  # set when the gap is positions judged implausible, not silence
    # a silence of LANDED_AWAY_MINUTES or more over which the aircraft covered too little ground to
    # have stayed in the air (`_too_slow_to_fly`), though it went silent and came back too high for
    # a stay where it was lost: it most likely landed somewhere no receiver saw, and where is not
    # known (a shorter one could be a loop flown out of range and back)
    landed_unseen: bool = False

    @property
    def minutes(self) -> float:
        return round((self.end - self.start).total_seconds() / 60, 1)


LANDED_UNSEEN_NOTE = (
    "over it the aircraft covered less ground than one that stayed in the air would have: it most likely "
    "landed somewhere unseen, where is not known, so no territory under it is inferred and the flight "
    "before it and the one after are apart"
)
GAP_INFERRED_NOTE = "territories under it are inferred"


class TrackResult(NamedTuple):
    track: Track
    segments: tuple[Segment, ...]
    landings: tuple[Landing, ...]
    gaps: tuple[Gap, ...]
    suspect: tuple[Gap, ...] = ()  # stretches of positions judged implausible (geo.quality), with why
    trusted: bool = False  # --trust-positions: the quality filter was off
    flights: tuple[Flight, ...] = ()
    fixes: tuple[Fix, ...] = ()  # the fixes analysed (the track's, less those judged implausible)
    ground_flags_corrected: int = 0  # fixes whose on-ground flag the positions contradict, read the other way

    def worst(self) -> str:
        levels = [s.obligation.level for s in self.segments] + [landing.obligation.level for landing in self.landings]
        return Level.worst(levels)


def analyse(
    dataset: Dataset,
    subject: Subject,
    track: Track,
    *,
    gap_minutes: float = 10.0,
    resolver: PlaceResolver | None = None,
    features: Sequence[int] | None = None,
    trust_positions: bool = False,
) -> TrackResult:
    """`features`, when given, are the fixes' territories already located (by Dask workers).

    Unless `trust_positions`, positions the quality filter rejects (geo.quality: jumps at
    impossible speeds, drifting at cruise altitude) are left out, and the stretch they covered is
    a gap whose crossings are inferred, with the reason."""
    return analyse_many(
        dataset,
        [(subject, track, features)],
        gap_minutes=gap_minutes,
        resolver=resolver,
        trust_positions=trust_positions,
    )[0]


class Located(NamedTuple):
    """A track's positions judged and located: all the analysis finds from the fixes and the
    territory index alone, before any law is applied (no subject, no dataset). A Dask worker finds
    it beside the data; the client only judges it (`judge_located`)."""

    track: Track
    columns: FixArrays  # the fixes analysed: the track's, less those judged implausible
    features: Any  # each analysed fix's feature index (-1: outside every territory)
    suspect: tuple[Gap, ...]  # stretches left out as implausible, with why
    steps_km: Any  # km between consecutive fixes, when the quality filter has measured them
    trusted: bool  # --trust-positions: the quality filter was off
    gaps: list[tuple[Fix, Fix, str | None]]  # fix before, fix after, why (positions left out)
    stays: list[int]  # the fixes after which the aircraft stayed on the ground unseen
    all_runs: list[list[Any]]  # per piece without a gap, its runs over one territory
    boundaries: list[tuple[dt.datetime, tuple[float, float]]]  # per run left, when and the km either side
    kept: Any = None  # the indexes of the track's fixes analysed (`columns`), or None: every fix
    reflagged: Any = None  # the analysed fixes whose on-ground flag the positions contradict, read the other way


class _Prepared(NamedTuple):
    """A track after the quality judgement: the columns analysed and what was left out."""

    track: Track
    columns: FixArrays
    features: Any  # located already (Dask), or None
    suspect: tuple[Gap, ...]
    breaks: dict[int, str]  # kept fix index -> why the stretch before it was left out
    steps_km: Any  # km between consecutive fixes, when the quality filter has measured them
    trusted: bool  # --trust-positions: the quality filter was off
    kept: Any  # the indexes of the track's fixes kept, or None: every fix
    reflagged: Any  # the analysed fixes whose on-ground flag was read the other way, or None


def analyse_many(
    dataset: Dataset,
    jobs: Sequence[tuple[Subject, Track, Sequence[int] | None]],
    *,
    gap_minutes: float = 10.0,
    resolver: PlaceResolver | None = None,
    trust_positions: bool = False,
) -> list[TrackResult]:
    """Each (subject, track, features or None) analysed as `analyse` does, the tracks together:
    located (`locate_many`), then judged (`judge_located`)."""
    resolver = resolver or PlaceResolver(dataset)
    located = locate_many(
        [(track, features) for _, track, features in jobs],
        gap_minutes=gap_minutes,
        resolver=resolver,
        trust_positions=trust_positions,
    )
    return judge_located(
        dataset, [(subject, found) for (subject, _, _), found in zip(jobs, located, strict=True)], resolver
    )


def locate_many(
    jobs: Sequence[tuple[Track, Sequence[int] | None]],
    *,
    gap_minutes: float = 10.0,
    resolver: PlaceResolver,
    trust_positions: bool = False,
) -> list[Located]:
    """Each (track, features or None) judged and located: what needs only its positions and the
    territory index, not the subject or the law.

    A track is worked on as columns, in named steps each vectorised across the track: the
    quality judgement, the territories of its fixes, the split at gaps, the runs over one
    territory and the boundary times; Python loops only over what the output lists (gaps, runs).
    Across tracks the lookups are shared: every fix of every track is located in one bulk
    lookup, and every boundary of every track is bisected at once (BISECTIONS lookups in all),
    so a screen of hundreds of aircraft or a run over many files costs a few large lookups, not
    thousands of small ones. Each boundary is bisected on its own fixes alone: a track's result
    does not depend on the tracks located with it."""
    import numpy as np

    prepared = [_prepare(track, features, trust_positions) for track, features in jobs]
    located: list[Located | None] = [
        Located(
            p.track,
            p.columns,
            np.zeros(0, dtype=np.int64),
            p.suspect,
            p.steps_km,
            p.trusted,
            [],
            [],
            [],
            [],
            p.kept,
            p.reflagged,
        )
        if not len(p.columns.seconds)
        else None
        for p in prepared
    ]
    live = [n for n, found in enumerate(located) if found is None]
    if not live:
        return located  # type: ignore[return-value]
    sizes = [len(prepared[n].columns.seconds) for n in live]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def joined(name: str) -> Any:
        return np.concatenate([getattr(prepared[n].columns, name) for n in live])

    lats, lons, seconds, ground = joined("lats"), joined("lons"), joined("seconds"), joined("ground")
    features = np.full(len(lats), -1, dtype=np.int64)
    unlocated = [k for k, n in enumerate(live) if prepared[n].features is None]
    for k, n in enumerate(live):
        if prepared[n].features is not None:
            features[offsets[k] : offsets[k + 1]] = np.asarray(prepared[n].features, dtype=np.int64)
    if unlocated:  # one bulk lookup for the fixes of every track not located already
        where = np.concatenate([np.arange(offsets[k], offsets[k + 1]) for k in unlocated])
        features[where] = resolver.feature_indexes(lats[where], lons[where])
    splits = []
    exits = []
    for k, n in enumerate(live):
        track_features = features[offsets[k] : offsets[k + 1]]
        pieces, gaps, stays = _pieces(FixView(prepared[n].columns), gap_minutes, prepared[n].breaks)
        all_runs = [_runs(track_features, prepared[n].columns.ground, start, end) for start, end in pieces]
        exits += [(int(offsets[k]) + run.last, run.feature) for runs in all_runs for run in runs[:-1]]
        splits.append((track_features, gaps, stays, all_runs))
    boundaries = _boundaries(seconds, lats, lons, ground, features, exits, resolver)
    position = 0
    for (track_features, gaps, stays, all_runs), n in zip(splits, live, strict=True):
        count = sum(len(runs) - 1 for runs in all_runs)
        p = prepared[n]
        located[n] = Located(
            p.track,
            p.columns,
            track_features,
            p.suspect,
            p.steps_km,
            p.trusted,
            gaps,
            stays,
            all_runs,
            boundaries[position : position + count],
            p.kept,
            p.reflagged,
        )
        position += count
    return located  # type: ignore[return-value]


def judge_located(
    dataset: Dataset, jobs: Sequence[tuple[Subject, Located]], resolver: PlaceResolver | None = None
) -> list[TrackResult]:
    """Each (subject, located track) judged: its segments, landings and flights, and what each
    meant for the subject. The obligations are decided once per subject, territory, day and
    state of flight for all the tracks together (see `_finish`)."""
    resolver = resolver or PlaceResolver(dataset)
    decided: dict[tuple[str, int, dt.date, bool], law.Obligation] = {}
    return [
        TrackResult(found.track, (), (), (), found.suspect)
        if not len(found.columns.seconds)
        else _finish(dataset, subject, found, resolver, decided)
        for subject, found in jobs
    ]


def _prepare(track: Track, features: Any, trust_positions: bool) -> _Prepared:
    """The quality judgement of one track (unless `trust_positions`): the fixes kept as columns,
    the stretches left out as implausible, and where each leaves a break in the kept fixes."""
    import numpy as np

    columns = track.columns
    suspect: list[Gap] = []
    breaks: dict[int, str] = {}
    steps_km = kept = reflagged = None
    if not trust_positions and len(columns.seconds) > 1:
        from icc_travel.geo.quality import judge

        judgement = judge(columns)
        steps_km = judgement.steps_km
        if judgement.stretches:
            kept = np.flatnonzero(judgement.kept)
            new_index = np.cumsum(judgement.kept) - 1  # old index -> index among the kept
            count = len(columns.seconds)
            for stretch in judgement.stretches:
                suspect.append(
                    Gap(time_at(columns.seconds[stretch.first]), time_at(columns.seconds[stretch.last]), stretch.why)
                )
                after = stretch.last + 1
                if stretch.first > 0 and after < count and judgement.kept[after]:
                    breaks[int(new_index[after])] = stretch.why
            columns = columns.take(kept)
            if features is not None:
                features = np.asarray(features, dtype=np.int64)[kept]
        from icc_travel.geo.quality import ground_flag_flickers

        reflagged = ground_flag_flickers(columns)
        columns = columns.reflagged(reflagged)
    return _Prepared(track, columns, features, tuple(suspect), breaks, steps_km, trust_positions, kept, reflagged)


def _finish(
    dataset: Dataset,
    subject: Subject,
    located: Located,
    resolver: PlaceResolver,
    decided_before: dict[tuple[str, int, dt.date, bool], law.Obligation],
) -> TrackResult:
    """One track's segments, landings and flights from its located runs and boundary times.
    `decided_before`: the obligations already decided for these tracks, by subject, territory,
    day and whether airborne (all an answer in a territory depends on), shared by the tracks
    analysed together: a screen's hundreds of tracks cross the same territories on the same days."""
    import numpy as np

    from icc_travel.geo.geometry import sorted_unique

    columns, features, gaps, stays = located.columns, located.features, located.gaps, located.stays
    all_runs, boundaries = located.all_runs, located.boundaries
    fixes = FixView(columns)  # one fix at a time, only where the output names it
    lats, lons = columns.lats, columns.lons
    by_feature = {int(f): resolver.territory_of_feature(int(f)) for f in sorted_unique(features) if f >= 0}
    steps_km = located.steps_km
    if steps_km is None:
        steps_km = step_km(lats, lons)
    flown = np.concatenate([[0.0], np.cumsum(steps_km)])

    def decide(territory: Territory | None, when: dt.datetime, airborne: bool, lat: float) -> law.Obligation:
        if territory is None:  # the answer outside every territory depends on the latitude
            return decide_obligation(dataset, subject, territory, when, airborne, lat)
        key = (subject.id, id(territory), when.date(), airborne)
        found = decided_before.get(key)
        if found is None:
            found = decided_before[key] = decide_obligation(dataset, subject, territory, when, airborne, lat)
        return found

    segments: list[Segment] = []
    decided: dict[tuple[int, dt.date, bool], law.Obligation] = {}
    position = 0
    for piece_runs in all_runs:
        piece_boundaries = boundaries[position : position + len(piece_runs) - 1]
        position += len(piece_runs) - 1
        for number, run in enumerate(piece_runs):
            entered = piece_boundaries[number - 1][0] if number > 0 else time_at(columns.seconds[run.first])
            left = piece_boundaries[number][0] if number < len(piece_boundaries) else time_at(columns.seconds[run.last])
            km = flown[run.last] - flown[run.first]
            if number > 0:
                km += piece_boundaries[number - 1][1][1]
            if number < len(piece_boundaries):
                km += piece_boundaries[number][1][0]
            territory = by_feature.get(run.feature)
            key = (run.feature, entered.date(), run.on_ground)
            if key not in decided or territory is None:
                decided[key] = decide(territory, entered, not run.on_ground, float(lats[run.first]))
            segments.append(
                Segment(territory, entered, left, round(float(km), 1), not run.on_ground, False, decided[key])
            )
    gaps_found = tuple(Gap(a.time, b.time, why, why is None and _landed_away(a, b)) for a, b, why in gaps)
    # no crossing is inferred under a silence that began with a landing somewhere unseen: the
    # great circle between where the aircraft went silent and where it came back is not where it went
    flown_across = [gap for gap, found in zip(gaps, gaps_found, strict=True) if not found.landed_unseen]
    segments = _with_gaps(resolver, segments, flown_across, decide)
    landings = _landings(fixes, features, by_feature, resolver, decide, stays)
    away = [gap.start for gap in gaps_found if gap.landed_unseen]
    flights = _flights(fixes, landings, stays, flown, away)
    return TrackResult(
        located.track,
        tuple(segments),
        tuple(landings),
        gaps_found,
        located.suspect,
        located.trusted,
        flights,
        fixes,
        0 if located.reflagged is None else len(located.reflagged),
    )


def decide_obligation(
    dataset: Dataset, subject: Subject, territory: Territory | None, when: dt.datetime, airborne: bool, lat: float
) -> law.Obligation:
    """What being over (airborne) or on (landed) `territory` at `when` meant for the subject: the
    one rule `track`, `screen` and `watch` share."""
    situation = dataset.situations[subject.situation]
    outside = law.outside_note(in_antarctic_treaty_area(lat)) if territory is None else None
    landing = law.obligation(subject, territory, when.date(), situation, "visit", outside)
    return law.overflight(landing) if airborne else landing


def _runs(features: Any, ground: Any, start: int, end: int) -> list[Any]:
    """Maximal runs of fixes in one territory and one state of flight, from index start to end."""
    import numpy as np

    from icc_travel.geo.tracks import Run

    feature, on_ground = features[start : end + 1], ground[start : end + 1]
    changes = np.flatnonzero((feature[1:] != feature[:-1]) | (on_ground[1:] != on_ground[:-1])) + 1
    firsts = np.concatenate([[0], changes]) + start
    lasts = np.concatenate([changes - 1, [end - start]]) + start
    return [
        Run(int(features[first]), int(first), int(last), bool(ground[first]))
        for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True)
    ]


GROUND_STAY_KM = 5.0  # two ground fixes this close, however far apart in time, are one stay on the ground
# A silence this long, starting and ending low (or where the recorder marks a new leg), over which
# the aircraft moved less than an aeroplane in the air could, is a stay on the ground nobody recorded.
UNSEEN_STAY_MINUTES = 45.0
UNSEEN_STAY_LOW_FT = 15_000.0
UNSEEN_STAY_KMH = 150.0
LANDED_AWAY_MINUTES = 180.0  # a silence this long, high at both ends, too slow to fly: a landing elsewhere


def _stayed_unseen(before: Fix, after: Fix) -> bool:
    low = all(
        f.on_ground or (f.altitude_ft is not None and f.altitude_ft <= UNSEEN_STAY_LOW_FT) for f in (before, after)
    )
    return (low or after.new_leg) and _too_slow_to_fly(before, after)


def _landed_away(before: Fix, after: Fix) -> bool:
    """A silence (not a stay where the aircraft was lost) of LANDED_AWAY_MINUTES or more, too slow
    to fly: `Gap.landed_unseen`."""
    long = (after.time - before.time).total_seconds() / 60 >= LANDED_AWAY_MINUTES
    return long and _too_slow_to_fly(before, after)


def _too_slow_to_fly(before: Fix, after: Fix) -> bool:
    """Whether a silence of UNSEEN_STAY_MINUTES or more ends less far from where it began than an
    aeroplane in the air would have got (UNSEEN_STAY_KMH): it was on the ground some of the time."""
    minutes = (after.time - before.time).total_seconds() / 60
    if minutes < UNSEEN_STAY_MINUTES:
        return False
    km = float(haversine_km(before.lat, before.lon, after.lat, after.lon))
    return km / (minutes / 60) < UNSEEN_STAY_KMH


def _pieces(
    fixes: FixView, gap_minutes: float, breaks: Mapping[int, str] | None = None
) -> tuple[list[tuple[int, int]], list[tuple[Fix, Fix, str | None]], list[int]]:
    """Index ranges without a gap; the gaps (fix before, fix after, why when the gap is positions
    left out as implausible); and the fixes after which the aircraft stayed on the ground unseen.

    Silence between two fixes on the ground at one place (an aircraft parked overnight) is time on
    the ground, not a gap to be flown across. So is a long silence that starts and ends low (or
    that the recorder closes with a new leg) over which the aircraft barely moved: it landed
    where no receiver saw it, and took off again; no airborne crossing is inferred for it.

    The silences are found on the whole track at once (in microseconds, as datetimes compare);
    only they are looked at one by one."""
    import numpy as np

    limit = dt.timedelta(minutes=gap_minutes) // dt.timedelta(microseconds=1)
    breaks = breaks or {}
    micros = fixes.columns.micros()
    silent = np.flatnonzero(np.diff(micros) > limit) + 1
    candidates = sorted(set(silent.tolist()) | set(breaks))
    pieces, gaps, stays, start = [], [], [], 0
    for index in candidates:
        before, after = fixes[index - 1], fixes[index]
        why = breaks.get(index)
        if (
            why is None
            and before.on_ground
            and after.on_ground
            and float(haversine_km(before.lat, before.lon, after.lat, after.lon)) <= GROUND_STAY_KM
        ):
            continue
        pieces.append((start, index - 1))
        start = index
        if why is None and not before.on_ground and _stayed_unseen(before, after):
            stays.append(index - 1)
            continue
        gaps.append((before, after, why))
    pieces.append((start, len(fixes) - 1))
    return pieces, gaps, stays


def _boundaries(
    seconds: Any,
    lats: Any,
    lons: Any,
    ground: Any,
    features: Any,
    exits: Sequence[tuple[int, int]],
    resolver: PlaceResolver,
) -> list[tuple[dt.datetime, tuple[float, float]]]:
    """For each (fix index a, feature) in `exits`: when the aircraft left `feature` between fix a
    and fix a + 1, and the km flown before and after. A take-off or landing in place is halfway;
    every other boundary is bisected along the great circle, all of them at once: BISECTIONS
    rounds, each one bulk lookup of every boundary's middle point."""
    import numpy as np

    if not exits:
        return []
    first = np.array([a for a, _ in exits], dtype=np.int64)
    feature = np.array([f for _, f in exits], dtype=np.int64)
    second = first + 1
    low = np.zeros(len(first))
    in_place = (ground[first] != ground[second]) & (features[second] == feature)
    low[in_place] = 0.5
    moving = np.flatnonzero(~in_place)
    if len(moving):
        a, b = first[moving], second[moving]
        path = great_circle(lats[a], lons[a], lats[b], lons[b])
        lo, hi = np.zeros(len(moving)), np.ones(len(moving))
        for _ in range(BISECTIONS):
            middle = (lo + hi) / 2
            lat, lon = path(middle)
            inside = resolver.feature_indexes(lat, lon) == feature[moving]
            lo = np.where(inside, middle, lo)
            hi = np.where(inside, hi, middle)
        low[moving] = lo
    total = haversine_km(lats[first], lons[first], lats[second], lons[second])
    found = []
    for a, b, fraction, km in zip(
        seconds[first].tolist(), seconds[second].tolist(), low.tolist(), total.tolist(), strict=True
    ):
        start = time_at(a)
        found.append((start + (time_at(b) - start) * fraction, (km * fraction, km * (1 - fraction))))
    return found


def _with_gaps(
    resolver: PlaceResolver, segments: list[Segment], gaps: list[tuple[Fix, Fix, str | None]], decide: Any
) -> list[Segment]:
    """Insert, after the segment each gap follows, the territories its great circle crosses
    (measured by the resolver's one route planner: not one per track)."""
    if not gaps:
        return segments
    crossings = resolver.route_planner().crossings_many([(a.lat, a.lon, b.lat, b.lon) for a, b, _ in gaps])
    out: list[Segment] = []
    pending = list(zip(gaps, crossings, strict=True))
    for segment in segments:
        while pending and segment.entered is not None and pending[0][0][1].time <= segment.entered:
            (a, _, why), (_, crossed) = pending.pop(0)
            out += [
                Segment(t, None, None, round(km, 1), True, True, decide(t, a.time, True, a.lat), why)
                for t, km in crossed
            ]
        out.append(segment)
    return out


def _landings(
    fixes: FixView,
    features: Any,
    by_feature: dict,
    resolver: PlaceResolver,
    decide: Any,
    stays: Sequence[int] = (),
) -> list[Landing]:
    """The first fix of each run on the ground, a track ending low and slow, and (inferred) the
    last fix before each stay on the ground that no receiver saw (found on the arrays; only the
    landings become fixes)."""
    import numpy as np

    columns = fixes.columns
    ground = columns.ground
    touched = ground & np.concatenate([[True], ~ground[:-1]])
    last = len(ground) - 1
    ended_low = not ground[last] and low_over_ground(
        float(columns.lats[last]), float(columns.lons[last]), float(columns.feet[last]), GROUND_ALTITUDE_FT
    )
    unseen = set(stays)
    indexes = set(np.flatnonzero(touched).tolist()) | unseen | ({last} if ended_low else set())
    found = []
    for index in sorted(indexes):
        fix = fixes[index]
        airport, distance = nearest_airport(fix.lat, fix.lon)
        territory = by_feature.get(int(features[index])) or resolver.territory_of_feature(int(features[index]))
        found.append(
            Landing(
                fix.time,
                territory,
                fix.lat,
                fix.lon,
                airport,
                distance,
                decide(territory, fix.time, False, fix.lat),
                index in unseen,
            )
        )
    return found


def _flights(
    fixes: FixView, landings: Sequence[Landing], stays: Sequence[int], flown: Any, away: Sequence[dt.datetime] = ()
) -> tuple[Flight, ...]:
    """The track cut into flights: at each stay on the ground (recorded ground fixes, or a stay
    inferred from a long low silence), where the recorder marks a new leg, and at each silence
    that began with a landing somewhere unseen (`away`: the times of the fixes before such
    silences; the flight before ends there with no known arrival, the one after starts with no
    known departure).

    Only the fixes where something can change are visited: the first of the track, those where
    the aircraft is on the ground after being in the air or the reverse, those at a landing's
    time, new legs and unseen stays; between them the state carries over unchanged."""
    import numpy as np

    columns = fixes.columns
    ground = columns.ground
    count = len(ground)
    by_time = {landing.time: landing for landing in landings}
    unseen = set(stays)
    micros = columns.micros()
    landed_at = np.isin(micros, np.array([fixes_micro(landing.time) for landing in landings], dtype=np.int64))
    changed = np.concatenate([[True], ground[1:] != ground[:-1]])
    after_stay = np.zeros(count, dtype=bool)
    stay_indexes = np.array(sorted(unseen), dtype=np.int64)
    after_stay[stay_indexes[stay_indexes + 1 < count] + 1] = True
    new_leg = columns.new_leg if columns.new_leg is not None else np.zeros(count, dtype=bool)
    visit = changed | landed_at | after_stay | (new_leg & ~ground)
    visit[stay_indexes] = True
    away_indexes = np.searchsorted(micros, np.array([fixes_micro(t) for t in away], dtype=np.int64), side="right") - 1
    visit[away_indexes] = True
    visit[away_indexes[away_indexes + 1 < count] + 1] = True
    landed_away = set(away_indexes.tolist())
    flights: list[Flight] = []
    first: int | None = None
    departure: Landing | None = None
    previous_ground: Landing | None = None
    for index in np.flatnonzero(visit).tolist():
        fix = fixes[index]
        if fix.on_ground:
            if first is not None:  # landed
                arrival = by_time.get(fix.time)
                flights.append(_flight(first, index - 1, departure, arrival, flown))
                first = None
            previous_ground = by_time.get(fix.time, previous_ground)
            continue
        if first is None:
            first, departure = index, previous_ground
            previous_ground = None
        elif fix.new_leg and index - 1 not in unseen:
            flights.append(_flight(first, index - 1, departure, None, flown))
            first, departure = index, None
        if index in unseen:
            stay = by_time.get(fix.time)
            flights.append(_flight(first, index, departure, stay, flown))
            first, departure, previous_ground = None, None, stay
        elif index in landed_away:  # landed somewhere unseen: where it arrived, and left from, is unknown
            flights.append(_flight(first, index, departure, None, flown))
            first, departure, previous_ground = None, None, None
    if first is not None:
        last = count - 1
        ended_low = by_time.get(time_at(columns.seconds[last]))
        flights.append(_flight(first, last, departure, ended_low, flown))
    return tuple(flights)


def fixes_micro(moment: dt.datetime) -> int:
    """A fix's time as integer microseconds since 1970 (as `FixArrays.micros` gives them)."""
    from icc_travel.geo.tracks import EARLIEST

    return (moment - EARLIEST) // dt.timedelta(microseconds=1)


def _flight(first: int, last: int, departure: Landing | None, arrival: Landing | None, flown: Any) -> Flight:
    return Flight(first, last, departure, arrival, round(float(flown[last] - flown[first]), 1))


def known_aircraft(dataset: Dataset, track: Track) -> Any:
    """The sourced aircraft entry matching the track's ICAO address or registration, if any."""
    for plane in dataset.aircraft:
        if (track.hex and plane.hex == track.hex.lower()) or (
            track.registration and plane.registration == track.registration.upper()
        ):
            return plane
    return None
