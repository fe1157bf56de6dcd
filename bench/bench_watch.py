"""`watch` on an SBS stream: positions per second through parse -> filter -> locate -> events,
and the latency from a watched position's arrival to its events.

    python bench/bench_watch.py [--messages 1000000] [--aircraft 10000] [--watched 50]

The stream is generated in memory (no socket: the socket's cost is the kernel's): every aircraft
flies a straight line over Europe and the Mediterranean, one MSG,3 line per position, the
aircraft interleaved as a receiver hears them. Lines go through the same LineReader and Watcher
the command uses. Goals (issue 27): at least 200,000 positions/s on one core, memory flat in the
number of unwatched aircraft, latency under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import tracemalloc

from icc_travel.data import store
from icc_travel.engine.feeds import LineReader
from icc_travel.engine.watch import WatchEntry, Watcher, Watchlist
from icc_travel.geo.places import PlaceResolver


def stream(messages: int, aircraft: int, seed: int = 1) -> tuple[list[bytes], list[str]]:
    rng = random.Random(seed)
    codes = [f"{rng.randrange(0x100000, 0xFFFFFF):06x}" for _ in range(aircraft)]
    starts = [(rng.uniform(30, 55), rng.uniform(-10, 35)) for _ in codes]
    headings = [(rng.uniform(-0.002, 0.002), rng.uniform(-0.003, 0.003)) for _ in codes]
    start = dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC)
    lines = []
    for n in range(messages):
        i = n % aircraft
        step = n // aircraft
        lat = starts[i][0] + headings[i][0] * step
        lon = starts[i][1] + headings[i][1] * step
        stamp = (start + dt.timedelta(seconds=step)).strftime("%Y/%m/%d,%H:%M:%S.000")
        lines.append(
            f"MSG,3,1,1,{codes[i].upper()},1,{stamp},{stamp},,35000,450,90,{lat:.5f},{lon:.5f},,,0,0,0,0".encode()
        )
    return lines, codes


def run(
    lines: list[bytes], watched: list[str], dataset: object, resolver: PlaceResolver
) -> tuple[float, list, int, float]:
    """Wall seconds, sorted latencies, watched positions judged, and CPU seconds (on a shared
    machine the wall time counts other processes' turns too; the CPU time is this core's work)."""
    entries = [WatchEntry(code, None, "netanyahu", "bench") for code in watched]
    watcher = Watcher(dataset, Watchlist(entries), resolver=resolver)  # type: ignore[arg-type]
    reader = LineReader("sbs", watcher.watchlist.wanted, "bench")
    latencies = []
    cpu = time.process_time()
    began = time.perf_counter()
    for line in lines:
        arrived = time.perf_counter()
        position = reader.position(line, 0.0)
        if position is None:
            continue
        if watcher.feed(position):
            latencies.append(time.perf_counter() - arrived)
    return time.perf_counter() - began, sorted(latencies), watcher.positions, time.process_time() - cpu


def over_tcp(lines: list[bytes], codes: list[str], watched: int, dataset: object, resolver: PlaceResolver) -> str:
    """The command's own path: a loopback server sends the stream, a Source thread reads and
    filters it into the Mailbox, the watcher takes positions from there."""
    import socket
    import threading

    from icc_travel.cli.watch_sources import Mailbox, Source, SourceSpec

    payload = b"\r\n".join(lines) + b"\r\n"
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.sendall(payload)
            time.sleep(2)
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    entries = [WatchEntry(code, None, "netanyahu", "bench") for code in codes[:watched]]
    watcher = Watcher(dataset, Watchlist(entries), resolver=resolver)  # type: ignore[arg-type]
    mailbox, stop = Mailbox(), threading.Event()
    spec = SourceSpec("sbs", f"127.0.0.1:{listener.getsockname()[1]}")
    source = Source(spec, mailbox, stop, once=True, duration=300, wanted=watcher.watchlist.wanted)
    expected = sum(1 for line in lines if line.split(b",", 5)[4].decode().lower() in set(codes[:watched]))
    began = time.perf_counter()
    source.start()
    while watcher.positions < expected and time.perf_counter() - began < 300:
        item = mailbox.get(0.25)
        if item is not None and item[0] == "position":
            watcher.feed(item[1])
    elapsed = time.perf_counter() - began
    stop.set()
    return f"{elapsed:.2f} s, {len(lines) / elapsed:,.0f} lines/s ({watcher.positions:,} watched positions judged)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--aircraft", type=int, default=10_000)
    parser.add_argument("--watched", type=int, default=50)
    args = parser.parse_args()
    lines, codes = stream(args.messages, args.aircraft)
    dataset = store.load()
    resolver = PlaceResolver(dataset)
    resolver.locate(0.0, 0.0)  # load the index outside the timing
    elapsed, latencies, judged, cpu = run(lines, codes[: args.watched], dataset, resolver)
    print(
        f"{args.messages:,} SBS messages, {args.aircraft:,} aircraft, {args.watched} watched: {elapsed:.2f} s, "
        f"{args.messages / elapsed:,.0f} positions/s ({args.messages / cpu:,.0f} per CPU second); "
        f"{judged:,} watched positions judged; latency from a "
        f"line to its events: median {latencies[len(latencies) // 2] * 1000:.2f} ms, "
        f"max {latencies[-1] * 1000:.2f} ms ({len(latencies)} lines gave events)"
    )
    print(
        f"{args.messages:,} SBS lines over loopback TCP, end to end: {over_tcp(lines, codes, args.watched, dataset, resolver)}"
    )
    # memory: the same number of messages over ten times fewer and ten times more aircraft
    for count in (args.aircraft // 10, args.aircraft):
        some, names = stream(200_000, count, seed=2)
        tracemalloc.start()
        run(some, names[: args.watched], dataset, resolver)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"200,000 messages over {count:,} aircraft: peak memory traced while watching {peak / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
