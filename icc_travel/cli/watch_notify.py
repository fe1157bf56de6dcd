"""Delivering `watch` events beyond stdout: a webhook (JSON POST, standard library), a command
(the event on its standard input, no shell) and Apprise URLs (Matrix, Mastodon, Telegram, ntfy,
e-mail...; the `notify` extra). A failed delivery is retried with backoff and kept in the watch
state until it succeeds, across restarts.

Apprise URLs carry their tokens in the URL itself (`tgram://TOKEN/CHAT`), so they are never taken
from arguments, which other users of the machine can read in the process list: they come from
an Apprise configuration file (`--notify-config`) or an environment variable (`--notify-env`),
and the state names each target by a hash of its URL, never the URL.
"""

from __future__ import annotations

import hashlib
import json
import logging
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
CONFIG_LIMIT = 1 << 20  # an Apprise configuration file is a few lines


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


def apprise_targets(config: Path | None, variable: str | None, warn: Any = None) -> dict[str, Any]:
    """The Apprise notification services of `config` (an Apprise configuration file, text or
    YAML) and of the environment variable named `variable` (URLs separated by spaces or commas),
    each under a key the state can keep (a hash of its URL: the URL holds tokens)."""
    if config is None and variable is None:
        return {}
    try:
        import apprise
    except ImportError:
        raise NotifyError('--notify-config and --notify-env need Apprise: pip install "icc-travel[notify]"') from None
    logger = logging.getLogger("apprise")  # its warnings would repeat ours, with the URL in them
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    bundle = apprise.Apprise()
    where = []
    if config is not None:
        from icc_travel.data.inputs import read_text
        from icc_travel.errors import InputError

        try:
            text = read_text(config, CONFIG_LIMIT)
        except InputError as error:
            raise NotifyError(str(error)) from None
        except OSError as error:
            raise NotifyError(f"{config}: cannot read it: {error.strerror or error}") from None
        settings = apprise.AppriseConfig()
        if not settings.add_config(text):
            raise NotifyError(f"{config}: not an Apprise configuration (one URL a line, or Apprise's YAML)")
        bundle.add(settings)
        where.append(str(config))
    if variable is not None:
        value = os.environ.get(variable, "").strip()
        if not value:
            raise NotifyError(f"--notify-env {variable}: the variable is unset or empty")
        if not bundle.add(value):  # the value is not shown: it holds tokens
            raise NotifyError(f"${variable}: holds a URL Apprise does not know (apprise --details lists them)")
        where.append(f"${variable}")
    targets = {}
    for service in bundle:
        key = hashlib.sha256(service.url(privacy=False).encode()).hexdigest()[:16]
        targets[key] = service
    if not targets:
        raise NotifyError(f"no Apprise URL in {' or '.join(where)}")
    if config is not None and config.stat().st_mode & 0o077 and warn is not None:
        warn(f"{config} is readable by other users; it holds the notification tokens (chmod 600 it)")
    return targets


def notification(event: dict[str, Any]) -> tuple[str, str, str]:
    """A title, a body and an Apprise notification type for one event: the same facts as the
    JSON line, in words a phone shows (the JSON itself goes to --webhook and --exec)."""
    kind = event.get("event", "")
    if "hex" not in event:  # a source's event
        return f"icc-travel: {kind} {event.get('source', '')}", f"{event.get('time')}: {event.get('reason')}", "warning"
    who = event.get("registration") or event.get("hex")
    place = event.get("name") or "outside every territory"
    obligation = event.get("obligation")
    title = f"icc-travel: {who} {kind.replace('_', ' ')} {place}"
    if obligation:
        title += f" ({obligation})"
    lines = [
        f"{event.get('time')} {who} (ICAO {event.get('hex')}), subject: {event.get('subject') or 'none'}",
        f"at {event.get('lat')}, {event.get('lon')}"
        + (f", {event['altitude_ft']:,} ft" if event.get("altitude_ft") else "")
        + (f", near {event['airport']}" if event.get("airport") else "")
        + (" (inferred)" if event.get("inferred") else ""),
    ]
    reasons = event.get("reasons") or []
    if reasons:
        lines.append(" ".join(str(reason) for reason in reasons))
    lines.append(str(event.get("caveat", "")))
    severe = obligation in ("arrest", "continuing")
    return title, "\n".join(line for line in lines if line), "warning" if severe else "info"


class Notifier:
    def __init__(
        self,
        webhook: str | None,
        command: str | None,
        headers: dict[str, str],
        pending: list[dict[str, Any]] | None = None,
        warn: Any = None,
        services: dict[str, Any] | None = None,
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
        self.services = services or {}  # Apprise: key -> service
        # kept from an earlier run: tried again at once (a restart is often the fix), backoff kept
        self.pending: list[dict[str, Any]] = [{**item, "next": 0.0} for item in pending or []]
        self.warn = warn or (lambda text: None)
        self.warned: set[str] = set()

    @property
    def active(self) -> bool:
        return bool(self.webhook or self.command or self.services)

    def add(self, events: list[dict[str, Any]]) -> None:
        for target in ("webhook", "exec"):
            if (target == "webhook" and self.webhook) or (target == "exec" and self.command):
                self.pending += [{"target": target, "event": e, "attempts": 0, "next": 0.0} for e in events]
        for key in self.services:  # one delivery per service: one that fails is not sent to the others again
            self.pending += [{"target": "notify", "key": key, "event": e, "attempts": 0, "next": 0.0} for e in events]
        del self.pending[:-MAX_PENDING]

    def flush(self) -> None:
        """Try every delivery that is due; failures wait longer each time. Each receiver gets its
        events in order: behind one that waits for a retry, the later ones wait too (a phone
        shows `left` after `entered`, never before)."""
        now = time.time()
        kept = []
        waiting: set[tuple[str, str]] = set()  # receivers with an earlier delivery still pending
        for item in self.pending:
            receiver = (item["target"], item.get("key", ""))
            if receiver in waiting or item["next"] > now:
                waiting.add(receiver)
                kept.append(item)
                continue
            reason = self._deliver(item)
            if reason is None:
                continue
            waiting.add(receiver)
            item["attempts"] += 1
            item["next"] = now + BACKOFF_S[min(item["attempts"] - 1, len(BACKOFF_S) - 1)]
            kept.append(item)
            if reason not in self.warned:
                self.warned.add(reason)
                self.warn(f"{self._name(item)}: delivery failed ({reason}); retrying, kept until delivered")
        self.pending = kept

    def drain(self, within: float = DRAIN_S) -> None:
        """At the end of a run: keep trying what is pending for a while (the rest stays in the state)."""
        deadline = time.time() + within
        self.flush()
        while self.pending and time.time() < deadline:
            due = min(item["next"] for item in self.pending)
            time.sleep(max(0.0, min(due - time.time(), deadline - time.time())) + 0.01)
            self.flush()

    def _name(self, item: dict[str, Any]) -> str:
        service = self.services.get(item.get("key", ""))
        if item["target"] == "notify" and service is not None:
            return f"notify ({service.url(privacy=True).split('?')[0]})"  # tokens masked by Apprise
        return str(item["target"])

    def _deliver(self, item: dict[str, Any]) -> str | None:
        if item["target"] == "notify":
            service = self.services.get(item.get("key", ""))
            if service is None:
                return None  # no longer configured: dropped
            title, body, kind = notification(item["event"])
            try:
                sent = service.notify(body=body, title=title, notify_type=kind)
            except Exception as error:  # a plugin's own failure is a failed delivery, retried
                return f"{type(error).__name__}"
            return None if sent else "the service refused it or did not answer"
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
