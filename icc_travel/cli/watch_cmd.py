"""`icc-travel watch`: live positions of watched aircraft as dated legal events (JSON Lines)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from icc_travel import law
from icc_travel.cli.context import load
from icc_travel.cli.options import (
    InputFailure,
    fail_on_option,
    gap_option,
    min_level_option,
    reports_errors,
    seconds_option,
    subject_option,
)
from icc_travel.cli.render import quiet
from icc_travel.vocabulary import Level

STATE_VERSION = 1


def _sources(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[Any]:
    from icc_travel.cli.watch_sources import parse_source

    try:
        return [parse_source(text) for text in value]
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _minutes(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not (value >= 0 and value <= 7 * 24 * 60):
        raise click.BadParameter(f"{value!r}: give minutes, from 0 to a week (10080)")
    return value


def _positive(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and value < 1:
        raise click.BadParameter(f"{value!r} is not a positive number")
    return value


@click.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="KIND:ADDRESS",
    callback=_sources,
    help="A live source, repeatable: aircraft-json:FILE|URL (readsb/dump1090), ndjson:HOST:PORT "
    "(readsb --net-json-port), sbs:HOST:PORT (BaseStation, port 30003), v2:URL (adsb.lol, "
    "airplanes.live, ADS-B Exchange v2), opensky[:URL] (states/all; $OPENSKY_CLIENT_ID and "
    "$OPENSKY_CLIENT_SECRET, never arguments).",
)
@click.option(
    "--replay",
    "replay_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Feed a recorded track or position file (any format `track` reads) through the watcher instead.",
)
@click.option(
    "--speed", type=float, default=0.0, show_default=True, help="With --replay: times real time (0: as fast as read)."
)
@click.option(
    "--watchlist",
    type=click.Path(path_type=Path),
    help="CSV hex,registration,subject,source, or a plane-alert-db CSV (default: the data's aircraft).",
)
@subject_option()
@click.option("--category", "categories", multiple=True, help="plane-alert-db rows of this Category only; repeatable.")
@click.option("--tag", "tags", multiple=True, help="plane-alert-db rows with this tag only; repeatable.")
@click.option("--once", is_flag=True, help="Poll each source once (read a stream for --duration), then exit.")
@seconds_option("--interval", default=5.0, help="Seconds between polls of a polled source.")
@seconds_option("--silence", default=600.0, help="No position for this long is a lost signal.")
@seconds_option("--stall", default=60.0, help="A stream silent for this long is reconnected.")
@seconds_option("--duration", default=None, help="Stop after this long (with --once, how long a stream is read: 10).")
@click.option("--max-events", type=int, default=None, callback=_positive, help="Stop after this many events.")
@min_level_option
@seconds_option("--cooldown", default=0.0, help="Do not repeat an event for one aircraft and territory within this.")
@gap_option("Positions further apart than this are not bisected for a border crossing.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The state file (default $XDG_STATE_HOME/icc-travel/watch.json; none for --replay).",
)
@click.option("--no-state", is_flag=True, help="Keep no state between runs.")
@click.option(
    "--webhook",
    metavar="URL",
    help="Also POST each event as JSON here (or $ICC_TRAVEL_WEBHOOK_URL; a bearer token from "
    "$ICC_TRAVEL_WEBHOOK_TOKEN); failed deliveries are retried and kept in the state.",
)
@click.option(
    "--webhook-headers",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Headers for --webhook, one 'Name: value' a line.",
)
@click.option("--exec", "command", metavar="CMD", help="Also run CMD for each event, the event on its standard input.")
@click.option(
    "--notify-config",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Also send each event to the Apprise URLs of this Apprise configuration file (Matrix, Mastodon, "
    'Telegram, ntfy, e-mail...; pip install "icc-travel[notify]").',
)
@click.option(
    "--notify-env",
    metavar="VAR",
    help="Also send each event to the Apprise URLs in this environment variable (never URLs as arguments: "
    "they hold tokens).",
)
@click.option(
    "--delay",
    type=float,
    default=0.0,
    metavar="MINUTES",
    callback=_minutes,
    help="Publish each event this long after it is decided (held in the state meanwhile).",
)
@click.option(
    "--quiet-hours",
    metavar="HH:MM-HH:MM",
    help="Hold the events decided in this daily window (22:00-07:00 crosses midnight) and publish them when it ends.",
)
@click.option(
    "--quiet-tz",
    default="UTC",
    show_default=True,
    metavar="ZONE",
    help="The time zone of --quiet-hours, an IANA name such as Europe/Paris.",
)
@fail_on_option
@reports_errors
def watch(
    sources: list[Any],
    replay_files: tuple[Path, ...],
    speed: float,
    watchlist: Path | None,
    subject_name: str | None,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    once: bool,
    interval: float,
    silence: float,
    stall: float,
    duration: float | None,
    max_events: int | None,
    min_level: str,
    cooldown: float,
    gap: float,
    state_path: Path | None,
    no_state: bool,
    webhook: str | None,
    webhook_headers: Path | None,
    command: str | None,
    notify_config: Path | None,
    notify_env: str | None,
    delay: float,
    quiet_hours: str | None,
    quiet_tz: str,
    fail_on: str,
) -> None:
    """Follow watched aircraft live and print one JSON line per change of an aircraft's state:
    `entered` or `left` a territory, `landed`, `took_off`, `signal_lost`, `signal_regained`
    (and `new_hex`, `source_lost`, `source_regained`), each with the territory and what it
    meant for the subject, decided as `track` decides it. A matching aircraft does not prove the
    person is on board; `watch` reports where an aircraft is, never where it could go.

    \b
    Examples:
      icc-travel watch --source aircraft-json:/run/readsb/aircraft.json
      icc-travel watch --source sbs:127.0.0.1:30003 --watchlist watched.csv --min-level arrest
      icc-travel watch --replay trace_full_738a5b.json --speed 60
      icc-travel watch --source v2:https://api.adsb.lol/v2/hex/738a5b --once
      icc-travel watch --source sbs:127.0.0.1:30003 --notify-config apprise.yml --quiet-hours 22:00-07:00 --quiet-tz Europe/Paris

    Exit status: 1 when an event reaches --fail-on, 2 on bad input.
    """
    from icc_travel.engine.watch import Watcher, Watchlist
    from icc_travel.engine.watchlists import data_watchlist, read_watch_entries

    if bool(sources) == bool(replay_files):
        raise InputFailure("give --source KIND:ADDRESS (live) or --replay FILE (recorded), not both or neither")
    if not (speed >= 0 and speed < float("inf")):
        raise InputFailure(f"--speed {speed!r}: give a factor of real time, 0 for as fast as read")
    if (categories or tags) and watchlist is None:
        raise InputFailure("--category and --tag filter a plane-alert-db --watchlist: give one")
    from icc_travel.engine.schedule import Schedule, parse_quiet_hours, zone

    try:
        quiet_window = parse_quiet_hours(quiet_hours, quiet_tz) if quiet_hours else None
        if quiet_window is None and quiet_tz.upper() != "UTC":
            zone(quiet_tz)  # checked all the same: a mistyped zone is not silently ignored
    except ValueError as error:
        raise InputFailure(f"--quiet-hours/--quiet-tz: {error}") from None
    schedule = Schedule(dt.timedelta(minutes=delay), quiet_window)
    keeps_state = not no_state and (state_path is not None or not replay_files)
    if schedule.active and not keeps_state:
        raise InputFailure("--delay and --quiet-hours hold events in the state: give --state FILE, not --no-state")
    dataset = load()
    subject = None
    if subject_name:
        from icc_travel.engine.subjects import SubjectFinder

        subject = SubjectFinder(dataset).find(subject_name).id
    if watchlist is not None:
        entries = read_watch_entries(watchlist, dataset, subject=subject, categories=categories, tags=tags)
    else:
        entries = data_watchlist(dataset)
        if subject:
            entries = [e for e in entries if e.subject == subject]
    if not entries:
        raise InputFailure("no aircraft to watch: give --watchlist FILE (hex,registration,subject,source)")
    watcher = Watcher(
        dataset, Watchlist(entries), silence_s=silence, gap_minutes=gap, min_level=min_level, cooldown_s=cooldown
    )
    store = None
    if keeps_state:
        store = StateFile(state_path or default_state_path())
        store.restore(watcher)
    from icc_travel.cli.watch_notify import Notifier, NotifyError, apprise_targets, read_headers

    try:
        if webhook and "@" in webhook.split("/")[2 if "//" in webhook else 0]:
            raise NotifyError("--webhook: credentials in a URL end up in process lists; use $ICC_TRAVEL_WEBHOOK_TOKEN")
        services = apprise_targets(notify_config, notify_env, warn=_warn)
        notifier = Notifier(
            webhook,
            command,
            read_headers(webhook_headers),
            store.undelivered if store else [],
            warn=_warn,
            services=services,
        )
    except NotifyError as error:
        raise InputFailure(str(error)) from None
    out = Output(store, watcher, max_events, notifier, schedule=schedule, held=store.held if store else [])
    try:
        out.publish(store.outbox if store else [])  # events of a run that stopped before they were written
        out.release()  # held events now due
        if replay_files:
            _replay(watcher, out, replay_files, speed)
        else:
            _live(watcher, out, sources, once=once, interval=interval, duration=duration, stall=stall)
        notifier.drain()  # not on an interrupt or SIGTERM: what is pending waits in the state
    finally:
        out.save()
        if notifier.pending:
            kept = "kept in the state" if store else "lost: --no-state"
            _warn(f"{len(notifier.pending)} deliveries still pending ({kept})")
        if out.held:
            first = min(item["due"] for item in out.held)
            _warn(
                f"{len(out.held)} events held for --delay/--quiet-hours, the first due at {first} (kept in the state)"
            )
    if not quiet():
        click.echo(
            f"watch: {watcher.positions:,} positions of watched aircraft, {watcher.suspect:,} suspect, "
            f"{out.count:,} events",
            err=True,
        )
    if law.reaches(out.worst, fail_on):
        raise SystemExit(1)


class Finished(Exception):
    """--max-events reached."""


class Output:
    """Events to stdout, each batch first written to the state's outbox (so a crash between the
    two loses none; a reader drops a repeat by its `id`).

    With --delay or --quiet-hours, `send` holds events in the state with the time they are due
    (on `clock`, the wall clock unless a test pins it) and `release` publishes those due; the
    state that drops them from the held list is the one that puts them in the outbox (one atomic
    replacement), so a held event is neither lost nor published twice across a kill."""

    def __init__(
        self,
        store: StateFile | None,
        watcher: Any,
        max_events: int | None,
        notifier: Any,
        *,
        schedule: Any = None,
        clock: Any = None,
        held: list[dict[str, Any]] | None = None,
    ) -> None:
        from icc_travel.engine.schedule import Schedule

        self.store, self.watcher, self.max_events, self.notifier = store, watcher, max_events, notifier
        self.schedule = schedule or Schedule()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.held: list[dict[str, Any]] = list(held or [])  # {"due": ISO time, "event": ...}, in order
        self.count = 0
        self.worst = law.NONE
        self.last_save = 0.0
        self.pending: list[dict[str, Any]] = []  # events held for the next run (past --max-events)

    def send(self, events: list[dict[str, Any]]) -> None:
        """Publish the events now, or hold them until --delay and --quiet-hours allow."""
        if not self.schedule.active:
            self.publish(events)
            return
        if events:
            due = _utc(self.schedule.release(self.clock()))
            self.held += [{"due": due, "event": event} for event in events]
            self.save()
        self.release()

    def release(self) -> None:
        """Publish the held events that are due, in the order they were decided."""
        if not self.held:
            return
        now = _utc(self.clock())
        due = [item for item in self.held if item["due"] <= now]  # ISO UTC strings sort as times
        if due:
            self.held = [item for item in self.held if item["due"] > now]
            self.publish([item["event"] for item in due])

    def publish(self, events: list[dict[str, Any]]) -> None:
        if not events or (self.max_events is not None and self.count >= self.max_events):
            if events:  # reached --max-events: kept for the next run
                self.pending += events
            return
        later: list[dict[str, Any]] = []
        if self.max_events is not None:  # those past --max-events wait in the outbox for the next run
            events, later = events[: self.max_events - self.count], events[self.max_events - self.count :]
        if self.store is not None:
            self.store.save(self.watcher, events + later, self.notifier.pending, self.held)
        for event in events:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
            if event["event"] == "new_hex":
                _warn(
                    f"{event['registration']} seen under the ICAO address {event['hex']}, not the watchlist's "
                    f"{event['watched_hex']}: followed under it too (re-registered, or a spoofed identity?)"
                )
            if event.get("obligation"):
                self.worst = Level.worst((self.worst, event["obligation"]))
        sys.stdout.flush()
        self.count += len(events)
        self.notifier.add(events)
        self.pending = later
        if self.store is not None:
            self.store.save(self.watcher, later, self.notifier.pending, self.held)
        if self.notifier.pending:
            self.notifier.flush()
            self.save()
        if self.max_events is not None and self.count >= self.max_events:
            raise Finished

    def save(self, *, every: float = 0.0) -> None:
        if self.store is not None and time.monotonic() - self.last_save >= every:
            self.store.save(self.watcher, self.pending, self.notifier.pending, self.held)
            self.last_save = time.monotonic()


class DataClock:
    """Now, as the data tells it: the latest position's time plus the wall time since it came
    (recorded data served again keeps its own time; live data is the wall clock)."""

    def __init__(self) -> None:
        self.latest: dt.datetime | None = None
        self.at = 0.0

    def saw(self, moment: dt.datetime) -> None:
        if self.latest is None or moment > self.latest:
            self.latest, self.at = moment, time.monotonic()

    def now(self) -> dt.datetime:
        if self.latest is None:
            return dt.datetime.now(dt.UTC)
        return self.latest + dt.timedelta(seconds=time.monotonic() - self.at)


def _live(
    watcher: Any, out: Output, specs: list[Any], *, once: bool, interval: float, duration: float | None, stall: float
) -> None:
    from icc_travel.cli import stopping
    from icc_travel.cli.watch_sources import Mailbox, Source

    items = Mailbox()
    stop = threading.Event()
    readers = [
        Source(
            spec,
            items,
            stop,
            interval=interval,
            once=once,
            duration=duration or 10.0,
            stall=stall,
            wanted=watcher.watchlist.wanted,
        )
        for spec in specs
    ]
    with stopping.held():  # the readers leave SIGTERM and SIGINT to this thread, from their start
        for reader in readers:
            reader.start()
    clock = DataClock()
    started = time.monotonic()
    running = len(readers)
    last_tick = 0.0
    try:
        while running:
            stopping.check()  # told to stop, and the exception raised for it swallowed somewhere
            if duration is not None and not once and time.monotonic() - started >= duration:
                break
            item = items.get(timeout=0.25)
            if item is not None:
                kind = item[0]
                if kind == "position":
                    clock.saw(item[1].time)
                    out.send(watcher.feed(item[1]))
                elif kind == "source":
                    _, event, label, reason = item
                    if event != "source_garbage":
                        out.send([watcher.source_event(event, label, dt.datetime.now(dt.UTC), reason)])
                elif kind == "warning":
                    _warn(item[1])
                elif kind == "done":
                    running -= 1
            if not once and time.monotonic() - last_tick >= 1.0:
                last_tick = time.monotonic()
                out.send(watcher.tick(clock.now()))
                out.release()
                if out.notifier.pending:
                    out.notifier.flush()
                out.save(every=5.0)
        if once:
            out.send(watcher.tick(clock.now()))
            out.release()
    except Finished:
        pass
    finally:
        stop.set()  # the mailbox's pipe stays open: a source thread may still write to it


def _replay(watcher: Any, out: Output, files: tuple[Path, ...], speed: float) -> None:
    import heapq

    from icc_travel.engine.watch import Position
    from icc_travel.geo.tracks import read_tracks

    streams = []
    for path in files:
        for track in read_tracks(path):
            code = (track.hex or "").lower()
            if not code:
                _warn(f"{path}: the track gives no ICAO address: not replayed")
                continue
            streams.append(
                [
                    Position(
                        code,
                        f.time,
                        f.lat,
                        f.lon,
                        f.altitude_ft,
                        f.on_ground,
                        track.registration,
                        f"replay:{path}",
                        f.source,
                    )
                    for f in track.fixes
                ]
            )
    previous: dt.datetime | None = None
    try:
        for position in heapq.merge(*streams, key=lambda p: p.time):
            if speed and previous is not None:
                time.sleep(min((position.time - previous).total_seconds() / speed, 60.0))
            previous = position.time
            out.send(watcher.feed(position))
            out.send(watcher.tick(position.time))
        if previous is not None:  # the recording ends: every signal is lost after the silence
            out.send(watcher.tick(previous + watcher.silence + dt.timedelta(seconds=1)))
    except Finished:
        pass


def _utc(moment: dt.datetime) -> str:
    """A fixed-width UTC time (microseconds kept), so held events compare as strings."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _warn(text: str) -> None:
    if not quiet():
        from icc_travel.text import printable

        click.echo(f"icc-travel: warning: {printable(text)}", err=True)


def default_state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "icc-travel" / "watch.json"


class StateFile:
    """The watcher's state and its unsent events, replaced atomically (write, fsync, rename),
    readable by the user alone."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.outbox: list[dict[str, Any]] = []
        self.undelivered: list[dict[str, Any]] = []
        self.held: list[dict[str, Any]] = []

    def restore(self, watcher: Any) -> None:
        if not self.path.exists():
            return
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            if saved.get("version") != STATE_VERSION:
                raise ValueError(f"version {saved.get('version')!r}")
            watcher.restore(saved["watch"])
            self.outbox = list(saved.get("outbox", []))
            self.undelivered = list(saved.get("undelivered", []))
            self.held = [dict(item, due=str(item["due"]), event=dict(item["event"])) for item in saved.get("held", [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            raise InputFailure(f"{self.path}: unreadable watch state ({error}); move it away to start afresh") from None

    def save(
        self,
        watcher: Any,
        outbox: list[dict[str, Any]],
        undelivered: list[dict[str, Any]],
        held: list[dict[str, Any]] | None = None,
    ) -> None:
        import tempfile

        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        state = {
            "version": STATE_VERSION,
            "watch": watcher.snapshot(),
            "outbox": outbox,
            "undelivered": undelivered,
            "held": held or [],
        }
        payload = json.dumps(state)
        handle, temporary = tempfile.mkstemp(prefix=".watch-", dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
