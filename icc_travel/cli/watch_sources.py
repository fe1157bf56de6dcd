"""The live sources of `watch`: each runs in a thread of its own and puts what it reads on one
bounded mailbox; a source that fails says so once, reconnects with backoff, and the others go on.

Items in the mailbox: ("position", Position), ("source", kind, label, reason) for a source that
dropped or came back, ("warning", text), ("done", label) when a source has finished (--once).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import select
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel.engine import feeds

KINDS = ("aircraft-json", "ndjson", "sbs", "v2", "opensky")
MAX_DOCUMENT = 64 * 1024 * 1024  # an aircraft.json of a busy receiver is a few MB
OPENSKY_URL = "https://opensky-network.org/api/states/all"
OPENSKY_TOKEN_URL = "https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token"
BACKOFF_S = (0.5, 1, 2, 5, 10, 30)
CONNECT_TIMEOUT_S = 10.0
USER_AGENT = "icc-travel-watch"


class Mailbox:
    """A bounded queue from the source threads to the watcher. Waiting is done with select() on a
    pipe and short sleeps, never a lock with a timeout: under a moved clock (libfaketime, as CI's
    second test run uses) a timed lock wait is computed against the wrong clock and never ends."""

    def __init__(self, limit: int = 10_000) -> None:
        self.items: collections.deque = collections.deque()
        self.limit = limit
        self.lock = threading.Lock()
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)

    def put(self, item: tuple, stop: threading.Event) -> None:
        while not stop.is_set():
            with self.lock:
                if len(self.items) < self.limit:
                    self.items.append(item)
                    break
            time.sleep(0.01)  # full: the watcher is behind; the sender waits (TCP slows the feed)
        with contextlib.suppress(OSError):  # BlockingIOError: the pipe is full of wake-ups already
            os.write(self.wake_write, b"x")

    def get(self, timeout: float) -> tuple | None:
        with self.lock:
            if self.items:
                return self.items.popleft()
        select.select([self.wake_read], [], [], timeout)
        with contextlib.suppress(OSError):  # BlockingIOError: drained
            while os.read(self.wake_read, 4096):
                pass
        with self.lock:
            return self.items.popleft() if self.items else None


def pause(stop: threading.Event, seconds: float) -> None:
    """Wait `seconds` or until `stop` is set, in short sleeps (see Mailbox: no timed lock waits)."""
    end = time.monotonic() + seconds
    while not stop.is_set() and (left := end - time.monotonic()) > 0:
        time.sleep(min(left, 0.05))


class SourceSpec(NamedTuple):
    kind: str
    address: str

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.address}"


def parse_source(text: str) -> SourceSpec:
    """KIND:ADDRESS; ValueError with the reason when it is not one."""
    kind, sep, address = text.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS:
        raise ValueError(f"{text!r}: give KIND:ADDRESS, KIND one of {', '.join(KINDS)}")
    address = address.strip()
    if kind == "opensky" and not address:
        address = OPENSKY_URL
    if not address:
        raise ValueError(f"{text!r}: no address after {kind}:")
    if any(marker in address for marker in ("@", "password=", "token=")) and address.startswith("http"):
        raise ValueError(f"{kind}: credentials in an address end up in process lists: use the environment")
    if kind in ("ndjson", "sbs"):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{text!r}: a {kind} source is HOST:PORT, e.g. {kind}:127.0.0.1:30003")
    elif kind in ("v2", "opensky") and not address.startswith(("http://", "https://")):
        raise ValueError(f"{text!r}: a {kind} source is an http(s) URL")
    return SourceSpec(kind, address)


class Source(threading.Thread):
    """One source's reader. `once`: a polled source polls once, a stream reads for `duration`."""

    def __init__(
        self,
        spec: SourceSpec,
        out: Mailbox,
        stop: threading.Event,
        *,
        interval: float = 5.0,
        once: bool = False,
        duration: float = 10.0,
        stall: float = 60.0,
        wanted: Any = None,
    ) -> None:
        super().__init__(name=spec.label, daemon=True)
        self.spec, self.out, self.stop = spec, out, stop
        self.interval, self.once, self.duration, self.stall = interval, once, duration, stall
        self.down = False
        self.warned: set[str] = set()
        self.garbage = 0
        self._token: tuple[str, float] | None = None
        self.reader = feeds.LineReader(spec.kind, wanted or (lambda code, registration: True), spec.label)

    # --- messages to the watcher ---

    def _put(self, item: tuple) -> None:
        self.out.put(item, self.stop)

    def _warn_once(self, key: str, text: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            self._put(("warning", f"{self.spec.label}: {text}"))

    def _dropped(self, reason: str) -> None:
        if not self.down:
            self.down = True
            self._put(("source", "source_lost", self.spec.label, reason))

    def _back(self) -> None:
        if self.down:
            self.down = False
            self._put(("source", "source_regained", self.spec.label, "reading again"))

    def _garbage(self, why: str) -> None:
        self.garbage += 1
        if "garbage" not in self.warned:
            self._warn_once("garbage", f"unreadable input ({why}); such records are skipped")
            self._put(("source", "source_garbage", self.spec.label, why))

    # --- the loop ---

    def run(self) -> None:
        try:
            if self.spec.kind in ("ndjson", "sbs"):
                self._stream()
            else:
                self._poll()
        finally:
            self._put(("done", self.spec.label))

    def _poll(self) -> None:
        failures = 0
        while not self.stop.is_set():
            try:
                document = self._fetch()
                positions = self._parse(document)
            except (OSError, ValueError, urllib.error.URLError) as error:
                failures += 1
                reason = _reason(error)
                if failures >= (1 if self.once or self.spec.address.startswith("http") else 3):
                    self._warn_once(f"down:{reason}", f"cannot read: {reason}")
                    self._dropped(reason)
                if self.once:
                    return
                pause(self.stop, BACKOFF_S[min(failures - 1, len(BACKOFF_S) - 1)])
                continue
            failures = 0
            self._back()
            for position in positions:
                if self.reader.wanted(position.hex, position.registration):
                    self._put(("position", position))
            if self.once:
                return
            pause(self.stop, self.interval)

    def _fetch(self) -> Any:
        address = self.spec.address
        if address.startswith(("http://", "https://")):
            request = urllib.request.Request(address, headers=self._headers())
            with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_S) as response:
                body = response.read(MAX_DOCUMENT + 1)
        else:
            with Path(address).open("rb") as handle:  # rewritten in place: read it whole, once
                body = handle.read(MAX_DOCUMENT + 1)
        if len(body) > MAX_DOCUMENT:
            raise ValueError(f"over {MAX_DOCUMENT // (1024 * 1024)} MB")
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise ValueError("not JSON (a file caught half-written is read again)") from None

    def _parse(self, document: Any) -> list:
        try:
            if self.spec.kind == "opensky":
                return feeds.opensky_states(document, self.spec.label)
            return feeds.aircraft_json(document, self.spec.label)
        except feeds.FeedError as error:
            raise ValueError(str(error)) from None

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.spec.kind == "opensky":
            token = self._opensky_token()
            if token:
                headers["Authorization"] = f"Bearer {token}"
            elif os.environ.get("OPENSKY_USERNAME") and os.environ.get("OPENSKY_PASSWORD"):
                import base64

                pair = f"{os.environ['OPENSKY_USERNAME']}:{os.environ['OPENSKY_PASSWORD']}".encode()
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return headers

    def _opensky_token(self) -> str | None:
        """An OAuth2 client-credentials token from $OPENSKY_CLIENT_ID / $OPENSKY_CLIENT_SECRET."""
        client, secret = os.environ.get("OPENSKY_CLIENT_ID"), os.environ.get("OPENSKY_CLIENT_SECRET")
        if not client or not secret:
            return None
        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        import urllib.parse

        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": client, "client_secret": secret}
        ).encode()
        url = os.environ.get("OPENSKY_TOKEN_URL", OPENSKY_TOKEN_URL)
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=CONNECT_TIMEOUT_S) as response:
            answer = json.loads(response.read(1 << 20))
        token = str(answer["access_token"])
        self._token = (token, time.monotonic() + max(float(answer.get("expires_in", 300)) - 30, 30))
        return token

    def _stream(self) -> None:
        host, _, port = self.spec.address.rpartition(":")
        host = host.strip("[]")
        self.failures = 0
        started = time.monotonic()
        while not self.stop.is_set():
            if self.once and time.monotonic() - started >= self.duration:
                return
            try:
                with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S) as connection:
                    reason = self._read_lines(connection, started)
            except OSError as error:
                reason = _reason(error)
            if self.stop.is_set() or reason is None:
                return
            self.failures += 1
            self._warn_once(f"down:{reason}", reason)
            self._dropped(reason)
            if self.once and time.monotonic() - started >= self.duration:
                return
            pause(self.stop, BACKOFF_S[min(self.failures - 1, len(BACKOFF_S) - 1)])

    def _read_lines(self, connection: socket.socket, started: float) -> str | None:
        """Lines until the peer closes (the reason) or the run ends (None). A line over
        feeds.MAX_LINE is dropped up to its end: memory stays bounded whatever arrives."""
        connection.settimeout(0.5)
        buffer = b""
        skipping = False
        flowing = False
        last_data = time.monotonic()
        while not self.stop.is_set():
            if self.once and time.monotonic() - started >= self.duration:
                return None
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                if time.monotonic() - last_data > self.stall:
                    return f"no data for {self.stall:g} s (stalled)"
                continue
            except OSError as error:
                return _reason(error)
            if not chunk:
                return "the connection was closed"
            if not flowing:  # back once data flows, not on a bare connect
                flowing, self.failures = True, 0
                self._back()
            last_data = time.monotonic()
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                if skipping:
                    skipping = False
                    continue
                self._line(line)
            if len(buffer) > feeds.MAX_LINE:
                self._garbage(f"a line over {feeds.MAX_LINE // 1024} KiB")
                buffer, skipping = b"", True
        return None

    def _line(self, line: bytes) -> None:
        line = line.strip()
        if not line:
            return
        try:
            position = self.reader.position(line, time.time())
        except feeds.FeedError as error:
            self._garbage(str(error))
            return
        if position is not None:
            self._put(("position", position))


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return f"cannot connect: {_reason(error.reason) if isinstance(error.reason, BaseException) else error.reason}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
