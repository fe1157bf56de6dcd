"""The Python API: what the commands compute, as typed results, for notebooks and pipelines.

Every function here is what a command runs between parsing its options and rendering its
output, so a notebook and the terminal give the same answers from the same code:

    >>> from icc_travel import api
    >>> result = api.check("putin", ["MN@2024-09-03"])
    >>> result.stops[0].obligation.level
    'arrest'
    >>> api.to_json(result)["stops"][0]["basis"]          # the `check --format json` document
    'state_party'

Results are the engine's records (`CheckResult`, `TrackResult`, ...); `to_json` gives the JSON
contract the commands print. Each function takes an optional `dataset` (from `load_data`), so a
loop over many calls reads the data once; without it the bundled data (and `$ICC_TRAVEL_FACTS`,
if set) is loaded, from the cache when unchanged.

Nothing here prints, exits or reads the command line: bad input raises `InputError`, invalid
data `DataError` (both `IccTravelError`), with the messages the commands show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from icc_travel.data.models import Dataset, Subject
from icc_travel.errors import DataError, IccTravelError, InputError, SubjectNeeded, WatchlistNeeded

if TYPE_CHECKING:
    from pathlib import Path

    from icc_travel import law
    from icc_travel.engine.check import CheckResult
    from icc_travel.engine.results import Answer, ScreenResult, TableResult, TracksResult
    from icc_travel.geo.places import PlaceResolver

__all__ = [
    "Answer",
    "DataError",
    "IccTravelError",
    "InputError",
    "ScreenResult",
    "SubjectNeeded",
    "TableResult",
    "TracksResult",
    "WatchlistNeeded",
    "analyse_tracks",
    "check",
    "load_data",
    "obligations",
    "screen",
    "table",
    "to_json",
]

_RESULTS = ("Answer", "ScreenResult", "TableResult", "TracksResult")


def __getattr__(name: str) -> Any:
    """The result records of the other functions (`api.Answer`, ...), imported on first use: a
    check returns none of them, and their module cost its start-up about 0.6 ms."""
    if name in _RESULTS:
        from icc_travel.engine import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_GAP_MINUTES = 10.0  # fixes further apart than this are a gap (the commands' --gap default)


def load_data(directory: str | Path | None = None, *, facts: str | Path | None = None) -> Dataset:
    """The dataset every answer rests on: the bundled data (or `directory`), with a local facts
    file merged over it when `facts` is given (validated like the bundled files). Without
    `facts`, `$ICC_TRAVEL_FACTS` applies as it does for the command."""
    from icc_travel.data import store

    return store.load(directory, facts=facts if facts is not None else store.FACTS_FROM_ENVIRONMENT)


def find_subject(name: str, dataset: Dataset | None = None) -> Subject:
    """A subject by id, name or alias, as the commands take it (close matches in the error)."""
    from icc_travel.engine.subjects import SubjectFinder

    return SubjectFinder(dataset or load_data()).find(name)


def check(
    subject: str | Subject,
    stops: Iterable[str | tuple[str, dt.date | str] | tuple[str, dt.date | str, str]],
    *,
    on: dt.date | str | None = None,
    legs: bool = True,
    dataset: Dataset | None = None,
) -> CheckResult:
    """The obligation at each stop of one subject's itinerary, as `icc-travel check` answers it.

    A stop is `"PLACE[@YYYY-MM-DD]"` as typed on the command line, a tuple `(place, date)` or
    `(place, date, kind)` with kind `visit` or `transit`, or a `StopSpec` (as read from an
    itinerary file). Stops without a date take `on`
    (default: today). With `legs`, consecutive stops with coordinates get the great-circle leg
    between them and the territories it overflies."""
    from icc_travel.engine.check import check_itinerary
    from icc_travel.engine.itinerary import StopSpec, parse_stop

    dataset = dataset or load_data()
    found = subject if isinstance(subject, Subject) else find_subject(subject, dataset)
    default = _date(on) if on is not None else _today()
    specs = []
    for stop in stops:
        if isinstance(stop, StopSpec):
            specs.append(stop)
        elif isinstance(stop, str):
            specs.append(parse_stop(stop, default))
        elif isinstance(stop, tuple) and len(stop) in (2, 3):
            specs.append(StopSpec(str(stop[0]), _date(stop[1]), *(stop[2:])))
        else:
            raise InputError(f"stop {stop!r}: give 'PLACE[@DATE]' or (place, date[, kind])")
    if not specs:
        raise InputError("no stops: give at least one")
    return check_itinerary(dataset, found, specs, _resolver(dataset), legs=legs)


def obligations(
    subject: str | Subject,
    points: Iterable[Any],
    dates: Iterable[Any] | dt.date | str,
    *,
    kind: str = "visit",
    dataset: Dataset | None = None,
) -> list[Answer]:
    """The obligation at many dated points at once: a column of answers for a table of positions.

    `points` are shapely Points (x = longitude, y = latitude, as a GeoPandas geometry column
    holds them in EPSG:4326) or (lat, lon) pairs, as the command line writes coordinates.
    `dates` is one date for every point or one per point: `datetime.date`, `datetime`, pandas
    `Timestamp` or ISO text. Points are located with the bulk index when there are many; the
    law is applied once per distinct (territory, date)."""
    from icc_travel import law
    from icc_travel.engine.results import Answer
    from icc_travel.geo.places import in_antarctic_treaty_area

    dataset = dataset or load_data()
    found = subject if isinstance(subject, Subject) else find_subject(subject, dataset)
    situation = dataset.situations[found.situation]
    located = [_lat_lon(point, number) for number, point in enumerate(points, 1)]
    if isinstance(dates, dt.date | str):
        days = [_date(dates)] * len(located)
    else:
        days = [_date(value) for value in dates]
        if len(days) != len(located):
            raise InputError(f"{len(located)} points but {len(days)} dates: give one date, or one per point")
    territories = _resolver(dataset).locate_many(located, bulk=len(located) > 1000)
    decided: dict[tuple[str | None, dt.date, str | None], law.Obligation] = {}
    answers = []
    for (lat, _), territory, day in zip(located, territories, days, strict=True):
        outside = law.outside_note(in_antarctic_treaty_area(lat)) if territory is None else None
        key = (territory.iso3 if territory is not None else None, day, outside)
        obligation = decided.get(key)
        if obligation is None:
            obligation = decided[key] = law.obligation(found, territory, day, situation, kind, outside)
        answers.append(Answer(territory, obligation))
    return answers


def analyse_tracks(
    files: Iterable[str | Path],
    *,
    subject: str | Subject | None = None,
    gap_minutes: float = DEFAULT_GAP_MINUTES,
    trust_positions: bool = False,
    dataset: Dataset | None = None,
) -> TracksResult:
    """Where recorded flights went and what each territory meant for the subject, as
    `icc-travel track` answers it. Every file format the command reads is read here (readsb
    traces, Flightradar24 CSV and playback JSON, KML, GPX, OpenSky CSV/Parquet; gzip)."""
    from pathlib import Path

    from icc_travel.engine.results import TracksResult
    from icc_travel.engine.staleness import staleness_warning
    from icc_travel.engine.track import analyse_many, known_aircraft
    from icc_travel.geo.places import BULK_POINTS
    from icc_travel.geo.tracks import read_tracks

    dataset = dataset or load_data()
    tracks = [t for path in files for t in read_tracks(Path(path))]
    if not tracks:
        raise InputError("no tracks: give at least one file")
    inferred = subject is None
    if subject is None:  # an aircraft the data ties to one subject names its passenger
        known = {plane.subject for t in tracks if (plane := known_aircraft(dataset, t)) is not None}
        if len(known) != 1:
            raise SubjectNeeded("give a subject: the tracks' aircraft are not tied to one subject in the data")
        found = dataset.subject(known.pop())
    else:
        found = subject if isinstance(subject, Subject) else find_subject(subject, dataset)
    resolver = _resolver(dataset)  # one for every track: an OpenSky file may hold thousands of aircraft
    if sum(len(t.fixes) for t in tracks) >= BULK_POINTS:
        resolver.load_grid()
    results = tuple(
        analyse_many(
            dataset,
            [(found, t, None) for t in tracks],
            gap_minutes=gap_minutes,
            resolver=resolver,
            trust_positions=trust_positions,
        )
    )
    stale = staleness_warning(dataset.as_of, [f.time.date() for t in tracks for f in (t.fixes[0], t.fixes[-1])])
    warnings = [stale] if stale else []
    for result in results:
        if result.suspect and not result.fixes:
            warnings.append(
                f"{result.track.file}: no trustworthy position: every one was judged implausible ({result.suspect[0].why})"
            )
            continue
        warnings += [
            f"{result.track.file}: positions from {_clock(stretch.start)} to {_clock(stretch.end)} left out "
            f"as implausible ({stretch.why}); what lies under them is inferred"
            for stretch in result.suspect
        ]
    aircraft = tuple(known_aircraft(dataset, t) for t in tracks)
    return TracksResult(found, results, aircraft, inferred, stale, tuple(warnings), dataset.as_of)


def screen(
    positions: Iterable[str | Path],
    *,
    watchlist: str | Path | None = None,
    columns: dict[str, str] | None = None,
    gap_minutes: float = DEFAULT_GAP_MINUTES,
    trust_positions: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    dataset: Dataset | None = None,
) -> ScreenResult:
    """Screen position files (OpenSky state vectors, CSV or Parquet, files or folders) for the
    watched aircraft, as `icc-travel screen` does. Without `watchlist`, the data's own aircraft
    records are watched. `columns` maps the files' column names to OpenSky's (`{"time": "ts"}`).
    `engine="dask"` reads the parts on a Dask cluster (`scheduler` its address; a local cluster
    without); `progress(parts done, parts)` is called as parts are read."""
    from pathlib import Path

    from icc_travel.engine.results import ScreenResult
    from icc_travel.engine.screen import default_watchlist, read_watchlist, scan
    from icc_travel.engine.track import analyse_many
    from icc_travel.geo.places import BULK_POINTS

    dataset = dataset or load_data()
    watched = read_watchlist(Path(watchlist), dataset) if watchlist is not None else default_watchlist(dataset)
    if not watched:
        raise WatchlistNeeded(
            "no watchlist given, and no aircraft in the data has an ICAO address to watch: "
            "give a watchlist file (hex,registration,subject,source)"
        )
    paths = [Path(p) for p in positions]
    resolver = _resolver(dataset)  # one for every track: the index is loaded once
    if engine == "dask":
        from icc_travel.engine.screen import scan_dask
        from icc_travel.engine.track import judge_located

        # the workers locate the tracks (with their own territory index); here they are only judged
        found, results = scan_dask(
            paths,
            watched,
            columns or {},
            scheduler,
            progress=progress,
            gap_minutes=gap_minutes,
            trust_positions=trust_positions,
            judge=lambda pairs: judge_located(
                dataset, [(dataset.subject(entry.subject), one) for entry, one in pairs], resolver
            ),
        )
    elif engine == "local":
        found = scan(paths, watched, columns, progress=progress, prepare=resolver.load_grid)
        if found.positions_kept >= BULK_POINTS:
            resolver.load_grid()
        results = analyse_many(
            dataset,
            [(dataset.subject(entry.subject), track, None) for entry, track in found.tracks],
            gap_minutes=gap_minutes,
            resolver=resolver,
            trust_positions=trust_positions,
        )
    else:
        raise InputError(f"engine {engine!r}: give 'local' or 'dask'")
    analysed = tuple(zip((entry for entry, _ in found.tracks), results, strict=True))
    return ScreenResult(
        analysed,
        found.rows_read,
        found.positions_kept,
        dict(sorted(found.refused.items())),
        len(watched),
        dataset.as_of,
    )


def table(
    subjects: Sequence[str | Subject] = (),
    *,
    on: dt.date | str | None = None,
    parties_only: bool = False,
    dataset: Dataset | None = None,
) -> TableResult:
    """One row per territory, by name, with each subject's obligation there on the date. Without
    subjects, every subject with a warrant in effect on the date."""
    from icc_travel.engine.results import TableResult
    from icc_travel.engine.staleness import staleness_warning
    from icc_travel.engine.tables import obligation_matrix, subjects_at_large

    dataset = dataset or load_data()
    day = _date(on) if on is not None else _today()
    chosen = [s if isinstance(s, Subject) else find_subject(s, dataset) for s in subjects]
    chosen = chosen or subjects_at_large(dataset, day)
    unique = tuple({s.id: s for s in chosen}.values())
    rows = tuple(obligation_matrix(dataset, unique, day, parties_only=parties_only))
    stale = staleness_warning(dataset.as_of, [day])
    return TableResult(day, unique, rows, dataset.as_of, (stale,) if stale else ())


def to_json(result: Any) -> Any:
    """The JSON contract of a result, as the command's `--format json` prints it (a `dict`)."""
    from icc_travel.engine import contract

    return contract.to_json(result)


def _resolver(dataset: Dataset) -> PlaceResolver:
    from icc_travel.geo.places import PlaceResolver

    return PlaceResolver(dataset)


def _today() -> dt.date:
    from icc_travel.dates import today

    return today()


def _date(value: Any) -> dt.date:
    """A date from what a table column holds: date, datetime, pandas Timestamp or ISO text."""
    from icc_travel.dates import parse_date

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, str):
        return parse_date(value, what="date")
    raise InputError(f"date {value!r}: give a date, a datetime or YYYY-MM-DD text")


def _lat_lon(point: Any, number: int) -> tuple[float, float]:
    """(lat, lon) from a shapely Point (x = lon) or a (lat, lon) pair, checked like a typed one."""
    import math

    if hasattr(point, "x") and hasattr(point, "y") and getattr(point, "geom_type", "Point") == "Point":
        lat, lon = float(point.y), float(point.x)
    elif isinstance(point, Sequence) and not isinstance(point, str) and len(point) == 2:
        lat, lon = float(point[0]), float(point[1])
    else:
        raise InputError(f"point {number}: {point!r} is neither a shapely Point nor a (lat, lon) pair")
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"point {number}: ({lat}, {lon}) is not a position on the globe (lat, lon)")
    return lat, lon


def _clock(moment: dt.datetime) -> str:
    from icc_travel.engine.contract import utc_text

    return utc_text(moment) or ""
