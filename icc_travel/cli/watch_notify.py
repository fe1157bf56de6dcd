"""Delivering `watch` events beyond stdout: a webhook (JSON POST, standard library) and a
command (the event on its standard input, no shell). A failed delivery is retried with backoff
and kept in the watch state until it succeeds, across restarts."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

WEBHOOK_URL_ENV = "ICC_TRAVEL_WEBHOOK_URL"  # for URLs whose path is the secret (Slack, Discord...)
WEBHOOK_TOKEN_ENV = "ICC_TRAVEL_WEBHOOK_TOKEN"  # sent as "Authorization: Bearer ..."
TIMEOUT_S = 5.0
BACKOFF_S = (1, 2, 5, 15, 60, 300)
DRAIN_S = 10.0  # how long the end of a run waits for pending deliveries
MAX_PENDING = 10_000  # deliveries kept while a receiver is down; the oldest go first past this


class NotifyError(ValueError):
    """A --webhook or --exec that cannot be used."""


def read_headers(path: Path | None) -> dict[str, str]:
    """`Name: value` lines (blank lines and # comments skipped)."""
    headers: dict[str, str] = {}
    if path is None:
        return headers
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NotifyError(f"{path}: cannot read the headers: {getattr(error, 'strerror', None) or error}") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c in name for c in " \t\r\n"):
            raise NotifyError(f"{path}:{number}: a header is 'Name: value'")
        headers[name.strip()] = value.strip()
    return headers


class Notifier:
    def __init__(
        self,
        webhook: str | None,
        command: str | None,
        headers: dict[str, str],
        pending: list[dict[str, Any]] | None = None,
        warn: Any = None,
    ) -> None:
        self.webhook = webhook or os.environ.get(WEBHOOK_URL_ENV) or None
        if self.webhook and not self.webhook.startswith(("http://", "https://")):
            raise NotifyError(f"--webhook {self.webhook[:80]!r}: give an http(s) URL")
        self.command = shlex.split(command) if command else None
        if command is not None and not self.command:
            raise NotifyError("--exec: give a command")
        self.headers = {"Content-Type": "application/json", "User-Agent": "icc-travel-watch", **headers}
        if os.environ.get(WEBHOOK_TOKEN_ENV):
            self.headers["Authorization"] = f"Bearer {os.environ[WEBHOOK_TOKEN_ENV]}"
        self.pending: list[dict[str, Any]] = list(pending or [])
        self.warn = warn or (lambda text: None)
        self.warned: set[str] = set()

    @property
    def active(self) -> bool:
        return bool(self.webhook or self.command)

    def add(self, events: list[dict[str, Any]]) -> None:
        for target in ("webhook", "exec"):
            if (target == "webhook" and self.webhook) or (target == "exec" and self.command):
                self.pending += [{"target": target, "event": e, "attempts": 0, "next": 0.0} for e in events]
        del self.pending[:-MAX_PENDING]

    def flush(self) -> None:
        """Try every delivery that is due; failures wait longer each time."""
        now = time.time()
        kept = []
        for item in self.pending:
            if item["next"] > now:
                kept.append(item)
                continue
            reason = self._deliver(item)
            if reason is None:
                continue
            item["attempts"] += 1
            item["next"] = now + BACKOFF_S[min(item["attempts"] - 1, len(BACKOFF_S) - 1)]
            kept.append(item)
            if reason not in self.warned:
                self.warned.add(reason)
                self.warn(f"{item['target']}: delivery failed ({reason}); retrying, kept until delivered")
        self.pending = kept

    def drain(self, within: float = DRAIN_S) -> None:
        """At the end of a run: keep trying what is pending for a while (the rest stays in the state)."""
        deadline = time.time() + within
        self.flush()
        while self.pending and time.time() < deadline:
            due = min(item["next"] for item in self.pending)
            time.sleep(max(0.0, min(due - time.time(), deadline - time.time())) + 0.01)
            self.flush()

    def _deliver(self, item: dict[str, Any]) -> str | None:
        body = json.dumps(item["event"], ensure_ascii=False).encode()
        if item["target"] == "webhook":
            if not self.webhook:
                return None  # no longer configured: dropped
            request = urllib.request.Request(self.webhook, data=body, headers=self.headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                    response.read(1 << 16)
            except urllib.error.HTTPError as error:
                return f"HTTP {error.code}"
            except (urllib.error.URLError, OSError) as error:
                return str(getattr(error, "reason", None) or error)
            return None
        if not self.command:
            return None
        try:
            done = subprocess.run(
                self.command,
                input=body + b"\n",
                capture_output=True,
                timeout=30,
                env={**os.environ, "ICC_TRAVEL_EVENT": str(item["event"].get("event"))},
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"{self.command[0]}: {getattr(error, 'strerror', None) or error}"
        return None if done.returncode == 0 else f"{self.command[0]} exited with status {done.returncode}"
