"""Make the real-recording fixtures in tests/data/real/ from the `traffic` package's samples.

The `traffic` library (MIT licence, https://github.com/xoolive/traffic) ships real ADS-B
recordings as pandas JSON (columns of {row: value}); this script rewrites the ones the tests use
in formats journalists hold (OpenSky state-vector CSV and Parquet, readsb trace JSON), without
changing a position or a time; its rs1090 JSON Lines recording is kept as it is, gzipped. Usage: python scripts/real_tracks.py traffic-2.13-py3-none-any.whl
(the Parquet file needs pyarrow: the `parquet` extra).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "real"
SAMPLES = "traffic/data/samples/"


def records(frame: object) -> list[dict[str, object]]:
    """pandas JSON as rows, in either of its orients: columns ({column: {row: value}}) or records."""
    if isinstance(frame, list):
        return frame
    assert isinstance(frame, dict)
    return [{name: column.get(key) for name, column in frame.items()} for key in frame["timestamp"]]


def opensky_csv(frame: object, ground_flags: bool = False) -> bytes:
    """A pandas JSON frame of traffic's columns as OpenSky state vectors (metres, seconds);
    `onground` is the recording's own flag with `ground_flags`, else False (as the first
    fixtures were made: they are flights in the air)."""
    rows = sorted(records(frame), key=lambda row: row["timestamp"])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(
        ["time", "icao24", "lat", "lon", "velocity", "heading", "callsign", "onground", "baroaltitude", "lastposupdate"]
    )
    for row in rows:

        def value(name: str, row: dict[str, object] = row) -> object:
            return row.get(name)

        altitude = value("altitude")
        speed = value("groundspeed")
        last = value("last_position")
        writer.writerow(
            [
                f"{int(value('timestamp')) / 1000:.3f}",
                value("icao24"),
                value("latitude"),
                value("longitude"),
                "" if speed is None else f"{float(speed) * 0.514444:.2f}",
                "" if value("track") is None else f"{float(value('track')):.1f}",
                (value("callsign") or "").strip(),
                str(bool(value("onground"))) if ground_flags and value("onground") is not None else "False",
                "" if altitude is None else f"{float(altitude) * 0.3048:.1f}",
                "" if last is None else f"{int(last) / 1000:.3f}",
            ]
        )
    return text.getvalue().encode()


def opensky_parquet(frame: object, target: Path) -> None:
    """A traffic collection (records of many aircraft) as an OpenSky state-vector Parquet file,
    rows in time order, with the recording's own on-ground flag (traffic's `onground`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = sorted(records(frame), key=lambda row: (row["timestamp"], row["icao24"]))

    def column(name: str, scale: float = 1.0) -> list[float | None]:
        return [None if row.get(name) is None else float(row[name]) * scale for row in rows]  # type: ignore[arg-type]

    table = pa.table(
        {
            "time": [int(row["timestamp"]) / 1000 for row in rows],  # type: ignore[call-overload]
            "icao24": [row["icao24"] for row in rows],
            "lat": column("latitude"),
            "lon": column("longitude"),
            "velocity": column("groundspeed", 0.514444),  # knots to m/s
            "heading": column("track"),
            "callsign": [(row.get("callsign") or "").strip() or None for row in rows],  # type: ignore[union-attr]
            "onground": [None if row.get("onground") is None else bool(row["onground"]) for row in rows],
            "baroaltitude": column("altitude", 0.3048),  # feet to metres
        }
    )
    pq.write_table(table, target, compression="zstd", compression_level=19)


def main(wheel: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as package:
        for name in ("noisy/noisy_spoofing", "noisy/noisy_landing", "noisy/noisy_time_issue"):
            frame = json.loads(gzip.decompress(package.read(f"{SAMPLES}{name}.json.gz")))
            target = OUT / f"traffic_{name.split('/')[1]}.csv.gz"
            target.write_bytes(gzip.compress(opensky_csv(frame), mtime=0))
        (OUT / "trace_full_ac671b.json").write_bytes(package.read(f"{SAMPLES}readsb/trace_full_ac671b.json"))
        (OUT / "fr24_2ce4f83f.json").write_bytes(package.read(f"{SAMPLES}fr24/2ce4f83f.json"))
        takeoff = json.loads(gzip.decompress(package.read(f"{SAMPLES}noisy/noisy_takeoff.json.gz")))
        (OUT / "traffic_noisy_takeoff.csv.gz").write_bytes(
            gzip.compress(opensky_csv(takeoff, ground_flags=True), mtime=0)
        )
        quickstart = json.loads(gzip.decompress(package.read(f"{SAMPLES}collections/quickstart.json.gz")))
        opensky_parquet(quickstart, OUT / "traffic_quickstart.parquet")
        # a receiver's decoded Mode S messages as jet1090 writes them: kept as they are, gzipped
        messages = package.read(f"{SAMPLES}rs1090/full_flight_short.jsonl")
        (OUT / "rs1090_full_flight_short.jsonl.gz").write_bytes(gzip.compress(messages, compresslevel=9, mtime=0))


if __name__ == "__main__":
    main(sys.argv[1])
