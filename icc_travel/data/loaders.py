"""Read and validate the three datasets into records. Knows nothing of the law.

Every defect becomes a Problem naming the file and the entry; loading fails with all of them
rather than letting one wrong date through to an answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel.data.models import (
    EVIDENCE_FACTS,
    MEMBERSHIP_FIELDS,
    Aircraft,
    ContestedLaw,
    Dataset,
    Declaration,
    Event,
    Evidence,
    Finding,
    Office,
    Precedent,
    Reading,
    Ruling,
    Situation,
    Standing,
    Subject,
    Territory,
    UnscReferral,
    Warrant,
)
from icc_travel.errors import DataError, InputError, Problem
from icc_travel.text import normalise
from icc_travel.vocabulary import Application, Level, OfficeKind, Outcome, SubjectStatus, TerritoryKind, values

SUBJECT_STATUSES = frozenset(values(SubjectStatus))
OUTCOMES = frozenset(values(Outcome))
APPLICATIONS = frozenset(values(Application))
OFFICE_KINDS = frozenset(values(OfficeKind))
CONTESTED_LEVELS = frozenset({Level.CONTINUING.value, Level.NONE.value})
RULING_SIDES = frozenset({"continuing", "none", "other"})
# Codes from ISO 3166-1's user-assigned range: Kosovo's (in wide use) and the UK Sovereign Base
# Areas of Akrotiri and Dhekelia (the project's; ISO gives them none).
EXTRA_ISO3 = frozenset({"XKX", "XSB"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://\S+$")


# What a local facts file (--facts) may add or replace: section -> (bundled file, key field, entry label).
OVERLAY_SECTIONS = {
    "states": ("facts", "iso3", "state"),
    "territories": ("facts", "iso3", "territory"),
    "announcements": ("facts", "iso3", "announcement"),
    "subjects": ("warrants", "id", "subject"),
    "precedents": ("precedents", "id", "precedent"),
}


class Checker:
    """Collects problems for one file while converting its raw values.

    With a local facts file, its records are merged into this file's data as it is read, and a
    problem in one of them is reported against the local file (entries in `local`)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.overlay: dict[str, list[dict]] = {}  # section -> local records
        self.overlay_file: str | None = None
        self.local: set[str] = set()  # entry labels of records that came from the local file
        self.document: Any = None  # the file's parsed content, every mapping a Tracked one

    @property
    def is_overlay(self) -> bool:
        return self.overlay_file is not None and self.overlay_file == self.file

    def add(self, entry: str, message: str) -> None:
        head = entry.split(":", 1)[0]
        file = self.overlay_file if self.overlay_file and head in self.local else self.file
        self.problems.append(Problem(file, entry, message))

    def date(self, entry: str, record: dict, key: str, *, required: bool = False) -> dt.date | None:
        value = record.get(key)
        if value is None:
            if required:
                self.add(entry, f"{key} is required")
            return None
        if isinstance(value, dt.datetime):
            self.add(entry, f"{key} must be a date without a time, got {value!r}")
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value)
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        self.add(entry, f"{key} is not an ISO date (YYYY-MM-DD): {value!r}")
        return None

    def text(self, entry: str, record: dict, key: str, *, required: bool = True) -> str | None:
        value = record.get(key)
        if value is None or value == "":
            if required:
                self.add(entry, f"{key} is required")
            return None
        if not isinstance(value, str):
            self.add(entry, f"{key} must be text, got {type(value).__name__}")
            return None
        return value

    def sources(self, entry: str, record: dict) -> tuple[str, ...]:
        value = record.get("sources")
        if not isinstance(value, list) or not value:
            self.add(entry, "sources must be a non-empty list of URLs")
            return ()
        bad = [u for u in value if not isinstance(u, str) or not URL.match(u)]
        if bad:
            self.add(entry, f"sources has entries that are not URLs: {bad[:3]}")
        return tuple(u for u in value if isinstance(u, str))

    def flag(self, entry: str, record: dict, key: str) -> bool:
        """A yes/no field: true or false as YAML writes them. A text such as "false" is refused,
        not read as true (any non-empty text is true to Python)."""
        value = record.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.add(entry, f"{key} must be true or false, got {value!r}")
            return False
        return value

    def strings(self, entry: str, record: dict, key: str) -> tuple[str, ...]:
        value = record.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(entry, f"{key} must be a list of text")
            return ()
        return tuple(value)

    def order(
        self, entry: str, pairs: Iterable[tuple[str, dt.date | None, str, dt.date | None]], *, strict: bool = False
    ) -> None:
        for first_key, first, second_key, second in pairs:
            if first is None or second is None:
                continue
            if first > second or (strict and first == second):
                relation = "before" if strict else "on or before"
                self.add(entry, f"{first_key} ({first}) must be {relation} {second_key} ({second})")

    def records(self, data: Any, key: str) -> list[dict]:
        if not isinstance(data, dict):
            self.add("(top level)", "expected a mapping with keys as_of and " + key)
            return []
        items = data.get(key)
        if not isinstance(items, list):
            self.add("(top level)", f"{key} must be a list")
            return []
        good = []
        for number, item in enumerate(items, 1):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.add(f"{key}[{number}]", "expected a mapping")
        return good


def is_iso3(code: object, known: Callable[[str], bool]) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isupper() and known(code)


def _entry(record: dict, fallback: str) -> str:
    return str(record.get("id") or record.get("iso3") or fallback)


def feature_properties(raw: bytes) -> list[dict | None]:
    """Each feature's properties, without parsing coordinates when the layout allows.

    The build writes one feature per line with properties before geometry, so the properties
    parse in a few milliseconds; any other valid GeoJSON falls back to a full parse (~200 ms).
    """
    try:
        return _properties_by_line(raw.decode("utf-8"))
    except ValueError:
        collection = json.loads(raw)
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(features, list):
            raise ValueError("expected a GeoJSON FeatureCollection") from None
        return [
            {**f["properties"], "_has_geometry": f.get("geometry") is not None}
            if isinstance(f, dict) and isinstance(f.get("properties"), dict)
            else None
            for f in features
        ]


def _properties_by_line(text: str) -> list[dict | None]:
    lines = text.split("\n")
    if not lines[0].startswith('{"type": "FeatureCollection"') or not lines[0].endswith('"features": ['):
        raise ValueError("not the canonical layout")
    if text.rstrip()[-2:] != "]}":  # cut short (a line boundary would otherwise look complete)
        raise ValueError("not the canonical layout")
    found: list[dict | None] = []
    for line in lines[1:]:
        line = line.rstrip(",")
        if line in ("]}", ""):
            continue
        head, separator, geometry = line.partition(',"geometry":')
        if not separator or not head.startswith('{"type":"Feature","properties":'):
            raise ValueError("not the canonical layout")
        properties = json.loads(head[len('{"type":"Feature","properties":') :])
        properties["_has_geometry"] = not geometry.startswith("null")
        found.append(properties)
    return found


IDENTITY_KINDS = frozenset(values(TerritoryKind))


def read_features(path: Path, check: Checker) -> list[dict]:
    """The geometry file's identity properties (ISO codes, name, sovereign, kind, sub-area).

    Facts are refused here: they belong in states_parties.yaml, where they are sourced."""
    from icc_travel.data.boundaries import read_geometry_bytes

    try:
        features = feature_properties(read_geometry_bytes(path))
    except DataError as error:
        check.problems += error.problems
        return []
    except (ValueError, RecursionError) as error:
        check.add("(file)", f"invalid GeoJSON: {'nested too deeply' if isinstance(error, RecursionError) else error}")
        return []
    found = []
    for index, props in enumerate(features):
        if not isinstance(props, dict):
            check.add(f"features[{index}]", "feature without properties")
            continue
        entry = f"{props.get('iso3')}" + (f" ({props['territory']})" if props.get("territory") else "")
        values = {key: check.text(entry, props, key) for key in ("iso3", "iso2", "name", "sovereign", "kind")}
        if values["kind"] is not None and values["kind"] not in IDENTITY_KINDS:
            check.add(entry, f"kind must be one of {', '.join(sorted(IDENTITY_KINDS))}, got {values['kind']!r}")
        facts = sorted(set(props) & {*MEMBERSHIP_FIELDS, "sources", "application", "control_note", "treaty_note"})
        if facts:
            check.add(entry, f"holds facts ({', '.join(facts)}): they belong in states_parties.yaml")
        if not props.get("_has_geometry"):
            check.add(entry, "geometry is missing")
        if None in values.values():
            continue
        found.append(
            {**values, "territory": props.get("territory"), "official_name": props.get("official_name"), "index": index}
        )
    return found


class Facts(NamedTuple):
    """What states_parties.yaml says, keyed for the join with the geometry."""

    states: dict[str, dict]
    territories: dict[str, dict]
    control: dict[tuple[str, str | None], str]
    events: dict[str, list[Event]]
    areas: dict[tuple[str, str], Standing]


def read_facts(path: Path, check: Checker, tiers: dict[str, str]) -> Facts:
    data = _read(path, check)
    states: dict[str, dict] = {}
    events: dict[str, list[Event]] = {}
    for raw in check.records(data, "states"):
        entry = f"state {_entry(raw, '?')}"
        iso3 = check.text(entry, raw, "iso3")
        dates = {key: check.date(entry, raw, key) for key in MEMBERSHIP_FIELDS}
        succession = check.flag(entry, raw, "succession")
        _check_membership_dates(check, entry, dates, succession=succession)
        sources = check.sources(entry, raw)
        alternative = _reading(check, entry, raw, MEMBERSHIP_FIELDS, tiers)
        evidence = _evidence(check, entry, raw, ("entry_into_force", "withdrawal", "revocation"), tiers)
        alternative = _current(alternative, evidence)
        evidence = _bound_by_rule(check, entry, raw, evidence, tiers)
        if alternative is not None:
            merged = {**dates, **dict(alternative.changes)}
            _check_membership_dates(check, f"{entry}: alternative", merged, succession=succession)
        if iso3 in states:
            check.add(entry, "duplicate state")
        for number, item in enumerate(raw.get("events") or [], 1):
            event = _event(check, f"{entry}: events[{number}]", item, tiers)
            if iso3 and event:
                events.setdefault(iso3, []).append(event)
        if iso3:
            withdrawal = [
                d
                for d in (
                    dates["withdrawal_notified"],
                    *(v for _, v in (alternative.changes if alternative else ()) if isinstance(v, dt.date)),
                )
                if d
            ]
            states[iso3] = {
                "name": check.text(entry, raw, "name"),
                "dates": dates,
                "sources": sources,
                "reason": check.text(entry, raw, "reason", required=False),
                "confidence": _confidence(check, entry, raw, sources, tiers),
                "uncertain_from": min(withdrawal, default=None),
                "sourced_confidence": _confidence(check, entry, {}, sources, tiers),
                "alternative": alternative,
                "succession": succession,
                "evidence": evidence,
            }
    territories: dict[str, dict] = {}
    for raw in check.records(data, "territories"):
        entry = f"territory {_entry(raw, '?')}"
        iso3, sovereign = check.text(entry, raw, "iso3"), check.text(entry, raw, "sovereign")
        application = raw.get("application")
        if application not in APPLICATIONS:
            check.add(entry, f"application must be one of {', '.join(sorted(APPLICATIONS))}, got {application!r}")
        start = check.date(entry, raw, "from")
        if start is not None and application != "extended":
            check.add(entry, "from is only for an extended application")
        sources = check.sources(entry, raw)
        alternative = _reading(check, entry, raw, ("application", "from"), tiers)
        evidence = _evidence(check, entry, raw, ("application",), tiers)
        alternative = _current(alternative, evidence)
        if not evidence:  # bound by rule: the record's own sources but the status page
            from icc_travel.data.binding import territory_binding

            applied = tuple(territory_binding(raw)["sources"])
            if applied:
                evidence = (("application", Evidence(applied, _confidence(check, entry, raw, applied, tiers))),)
            else:
                check.add(f"{entry}: sources", "no source backs the application but the treaty-status page, never read")
        if sovereign and sovereign not in states:
            check.add(entry, f"sovereign {sovereign} is not under states: no ratification to apply")
        if iso3 in territories:
            check.add(entry, "duplicate territory")
        if iso3 and sovereign and application in APPLICATIONS:
            territories[iso3] = {
                "name": check.text(entry, raw, "name"),
                "sovereign": sovereign,
                "application": application,
                "from": start,
                "sources": sources,
                "reason": check.text(entry, raw, "reason"),
                "confidence": _confidence(check, entry, raw, sources, tiers),
                "alternative": alternative,
                "evidence": evidence,
            }
    control: dict[tuple[str, str | None], str] = {}
    for raw in check.records(data, "control"):
        entry = f"control {_entry(raw, '?')}"
        iso3, note = check.text(entry, raw, "iso3"), check.text(entry, raw, "note")
        if iso3 and note:
            control[(iso3, raw.get("territory"))] = note
    for raw in check.records(data, "announcements"):
        entry = f"announcement {_entry(raw, '?')}"
        iso3, announced = check.text(entry, raw, "iso3"), check.date(entry, raw, "announced", required=True)
        sources = check.sources(entry, raw)
        text = check.text(entry, raw, "reason", required=False) or "announced its intention to withdraw"
        if iso3 and announced:
            confidence = _confidence(check, entry, raw, sources, tiers)
            events.setdefault(iso3, []).append(Event(announced, "announcement", text, sources, confidence))
            notified = check.date(entry, raw, "notified")
            if iso3 in states and notified is None and states[iso3]["dates"]["withdrawal_notified"] is None:
                states[iso3]["withdrawal_announced"] = announced
    areas = _read_areas(check, data, tiers)
    _read_beyond_breadth(check, data, tiers)
    return Facts(states, territories, control, events, areas)


def _read_areas(check: Checker, data: Any, tiers: dict[str, str]) -> dict[tuple[str, str], Standing]:
    """Section `areas`: how a labelled area stands where that depends on the date or on a claim
    (see models.Standing). Optional: a facts file without it has no such area."""
    if not isinstance(data, dict) or data.get("areas") is None:
        return {}
    found: dict[tuple[str, str], Standing] = {}
    for raw in check.records(data, "areas"):
        entry = f"area {_entry(raw, '?')} ({raw.get('territory')})"
        iso3, label = check.text(entry, raw, "iso3"), check.text(entry, raw, "territory")
        held = raw.get("held", True)
        if not isinstance(held, bool):
            check.add(entry, f"held must be true or false, got {held!r}")
            held = True
        held_from = check.date(entry, raw, "held_from")
        if held_from is not None and not held:
            check.add(entry, "held_from is only for an area held (from that date)")
        reason, sources = check.text(entry, raw, "reason"), check.sources(entry, raw)
        other = raw.get("alternative")
        other_iso3 = other_reason = None
        other_sources: tuple[str, ...] = ()
        if other is not None:
            where = f"{entry}: alternative"
            if not isinstance(other, dict):
                check.add(where, "expected a mapping with iso3, reason and sources")
            else:
                other_iso3, other_reason = check.text(where, other, "iso3"), check.text(where, other, "reason")
                other_sources = check.sources(where, other)
                unknown = sorted(set(other) - {"iso3", "reason", "sources"})
                if unknown:
                    check.add(where, f"unknown fields {', '.join(unknown)}")
        elif not held:
            check.add(entry, "an area not held is a claim: give the claim as alternative (iso3, reason, sources)")
        if held_from is None and held and other is None:
            check.add(entry, "says nothing: give held_from, held: false, or an alternative")
        why = check.text(entry, raw, "why_chosen", required=other is not None)
        check.text(entry, raw, "note", required=False)  # research note, never shown
        if iso3 and label and reason:
            if (iso3, label) in found:
                check.add(entry, "duplicate area")
            found[(iso3, label)] = Standing(
                held, held_from, reason, sources, other_iso3, other_reason, other_sources, why
            )
    return found


def _read_beyond_breadth(check: Checker, data: Any, tiers: dict[str, str]) -> None:
    """Section `beyond_breadth`: the reasons the build's audit accepts for sea drawn beyond a
    state's land plus its territorial-sea breadth (scripts/build_territories.py reads them; here
    they are only validated, their sources tiered with every other URL)."""
    if not isinstance(data, dict) or data.get("beyond_breadth") is None:
        return
    for raw in check.records(data, "beyond_breadth"):
        entry = f"beyond_breadth {_entry(raw, '?')}" + (f" ({raw['territory']})" if raw.get("territory") else "")
        check.text(entry, raw, "iso3")
        check.text(entry, raw, "territory", required=False)
        check.text(entry, raw, "reason")
        _confidence(check, entry, raw, check.sources(entry, raw), tiers)
        km2 = raw.get("km2")
        if isinstance(km2, bool) or not isinstance(km2, (int, float)) or km2 <= 0:
            check.add(entry, f"km2 must be a positive number (the area the audit measured), got {km2!r}")


def _event(check: Checker, entry: str, raw: Any, tiers: dict[str, str]) -> Event | None:
    """A dated fact shown in the state's timeline only (it decides no answer)."""
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    date, text = check.date(entry, raw, "date", required=True), check.text(entry, raw, "event")
    kind = check.text(entry, raw, "kind")
    sources = check.sources(entry, raw)
    if date is None or text is None or kind is None:
        return None
    return Event(date, kind, text, sources, _confidence(check, entry, raw, sources, tiers))


def _confidence(check: Checker, entry: str, raw: dict, sources: tuple[str, ...], tiers: dict[str, str]) -> str:
    from icc_travel.data.sources import CONFIDENCES, confidence

    stated = raw.get("confidence")
    if stated is not None and stated not in CONFIDENCES:
        check.add(entry, f"confidence must be one of {', '.join(CONFIDENCES)}, got {stated!r}")
        stated = None
    return confidence(sources, tiers, stated)


def _reading(check: Checker, entry: str, raw: dict, fields: Iterable[str], tiers: dict[str, str]) -> Reading | None:
    """An `alternative:` block: other values for some fields, its reason and sources."""
    alternative = raw.get("alternative")
    if alternative is None:
        return None
    where = f"{entry}: alternative"
    if not isinstance(alternative, dict):
        check.add(where, "expected a mapping")
        return None
    changes = []
    for key in fields:
        if key in alternative:
            value = alternative[key]
            if key in MEMBERSHIP_FIELDS or key == "from":
                value = check.date(where, alternative, key)
            elif key == "application" and value not in APPLICATIONS:
                check.add(where, f"application must be one of {', '.join(sorted(APPLICATIONS))}, got {value!r}")
            changes.append((key, value))
    unknown = sorted(set(alternative) - {*fields, "reason", "sources", "dated"})
    if unknown:
        check.add(where, f"unknown fields {', '.join(unknown)}")
    if not changes:
        check.add(where, "changes nothing: give the fields the other reading would set")
    return Reading(
        tuple(changes),
        check.text(where, alternative, "reason") or "",
        check.sources(where, alternative),
        check.text(entry, raw, "why_chosen", required=False),
        check.date(where, alternative, "dated"),
    )


def _evidence(
    check: Checker, entry: str, raw: dict, facts: tuple[str, ...], tiers: dict[str, str]
) -> tuple[tuple[str, Evidence], ...]:
    """An `evidence:` block: for each fact, the sources that support it (and, optionally, the
    confidence they allow and the date of the latest of them)."""
    block = raw.get("evidence")
    if block is None:
        return ()
    if not isinstance(block, dict):
        check.add(f"{entry}: evidence", "expected a mapping of fact: {sources: [...]}")
        return ()
    found = []
    for fact, item in block.items():
        where = f"{entry}: evidence.{fact}"
        if fact not in facts:
            check.add(where, f"unknown fact; expected one of {', '.join(facts)}")
            continue
        if not isinstance(item, dict):
            check.add(where, "expected a mapping with sources")
            continue
        unknown = sorted(set(item) - {"sources", "confidence", "dated"})
        if unknown:
            check.add(where, f"unknown fields {', '.join(unknown)}")
        sources = check.sources(where, item)
        found.append(
            (fact, Evidence(sources, _confidence(check, where, item, sources, tiers), check.date(where, item, "dated")))
        )
    return tuple(sorted(found, key=lambda pair: EVIDENCE_FACTS.index(pair[0])))


def _bound_by_rule(
    check: Checker, entry: str, raw: dict, explicit: tuple[tuple[str, Evidence], ...], tiers: dict[str, str]
) -> tuple[tuple[str, Evidence], ...]:
    """Every fact the state record asserts, with its sources: those it binds itself, and the rest
    bound by the rule of `icc_travel.data.binding` (the treaty-status page backs an entry into
    force only). A record's stated confidence concerns its withdrawal facts when it has any, its
    entry into force otherwise."""
    from icc_travel.data.binding import ACTS, asserted, is_status_page, state_bindings

    found = dict(explicit)
    for fact in ACTS:
        if fact in found and any(is_status_page(url) for url in found[fact].sources):
            check.add(
                f"{entry}: evidence.{fact}",
                "the treaty-status page is a table of dates, not the act: bind the notification or a statement of it",
            )
    facts = asserted(raw)
    stated = raw.get("confidence") if raw.get("confidence") in ("high", "medium", "low") else None
    has_acts = any(fact in facts for fact in ACTS)
    check.flag(entry, raw, "deposit_recalled")
    for fact, item in state_bindings(raw).items():
        if fact in found and not item.get("recalled"):
            continue
        if fact not in found and not item["derived"]:
            continue
        sources = tuple(item["sources"])
        if not sources:
            what = "a recalled deposit day" if item.get("recalled") else "the act"
            check.add(
                f"{entry}: evidence.{fact}",
                f"no source backs it (the treaty-status page, never read, cannot back {what}): cite a source read",
            )
            found.pop(fact, None)
            continue
        if fact in found:  # bound by the record, recalled deposit: the same binding without the status page
            own = found[fact].confidence
            dated = found[fact].dated
        else:
            own = stated if (fact in ACTS or not has_acts) else None
            dated = None
        found[fact] = Evidence(sources, _confidence(check, entry, {"confidence": own}, sources, tiers), dated)
    return tuple(sorted(found.items(), key=lambda pair: EVIDENCE_FACTS.index(pair[0])))


def _current(reading: Reading | None, evidence: tuple[tuple[str, Evidence], ...]) -> Reading | None:
    """An alternative reading is shown only while a source of the same or later date supports
    it: one whose latest source predates the latest source of the recorded reading is dropped."""
    if reading is None or reading.dated is None:
        return reading
    latest = max((found.dated for _, found in evidence if found.dated), default=None)
    return None if latest is not None and reading.dated < latest else reading


def read_tiers(path: Path, check: Checker) -> tuple[dict[str, str], dict[str, str]]:
    """Host -> tier, and the junk hosts that must never be cited (data/sources.yaml)."""
    from icc_travel.data.sources import TIERS

    data = _read(path, check)
    if not isinstance(data, dict):
        check.add("(top level)", "expected a mapping with keys tiers, hosts and junk")
        return {}, {}
    hosts = data.get("hosts") or {}
    junk = data.get("junk") or {}
    if not isinstance(hosts, dict) or not isinstance(junk, dict):
        check.add("(top level)", "hosts and junk must be mappings")
        return {}, {}
    for name, tier in hosts.items():
        if tier not in TIERS:
            check.add(f"hosts: {name}", f"tier must be one of {', '.join(TIERS)}, got {tier!r}")
    for name in set(hosts) & set(junk):
        check.add(f"hosts: {name}", "listed both as a source and as junk")
    return {host_key(k): str(v) for k, v in hosts.items()}, {host_key(k): str(v) for k, v in junk.items()}


def host_key(name: object) -> str:
    """A host as the tier table keys it: lower case, no `www.`, no trailing dot (as sources.host
    reads a URL), so `Example.COM.` in a table cannot miss the URLs that open example.com."""
    return str(name).strip().lower().rstrip(".").removeprefix("www.")


def join(features: list[dict], facts: Facts, check: Checker, facts_file: str) -> list[Territory]:
    """Each feature with the facts that apply to it. A dependency of a state that is or was a
    party must have an application record: it never falls through to "not a party"."""
    territories = []
    for feature in features:
        iso3, sovereign, kind = feature["iso3"], feature["sovereign"], feature["kind"]
        record = facts.states.get(iso3) if kind != "dependency" else None
        applied = facts.territories.get(iso3) if kind == "dependency" else None
        parent = facts.states.get(sovereign)
        fields: dict[str, Any] = dict.fromkeys(MEMBERSHIP_FIELDS)
        extra: dict[str, Any] = {"application": None, "sources": (), "reason": None, "confidence": "high"}
        if record is not None:
            fields = dict(record["dates"])
            extra = {
                "application": None,
                "sources": record["sources"],
                "reason": record["reason"],
                "confidence": record["confidence"],
                "alternative": record["alternative"],
                "succession": record["succession"],
                "uncertain_from": record["uncertain_from"],
                "sourced_confidence": record["sourced_confidence"],
                "evidence": record["evidence"],
                "withdrawal_announced": record.get("withdrawal_announced"),
            }
        elif kind == "dependency" and parent is not None:
            if applied is None:
                check.add(
                    f"{iso3} ({feature['name']})",
                    f"territory of {sovereign}, which is or was a State Party, has no application record under "
                    f"territories in {facts_file}",
                )
                continue
            fields = _applied_dates(parent["dates"], applied["application"], applied["from"])
            extra = {
                "application": applied["application"],
                "sources": (*applied["sources"], *parent["sources"]),
                "reason": applied["reason"],
                "confidence": applied["confidence"],
                "alternative": _applied_reading(parent["dates"], applied),
                "evidence": _applied_evidence(parent, applied),
            }
        name = (applied or record or {}).get("name") or feature["name"]
        extra["standing"] = facts.areas.get((iso3, feature["territory"] or ""))
        territories.append(
            Territory(
                iso3=iso3,
                iso2=feature["iso2"],
                name=name,
                sovereign=sovereign,
                territory=feature["territory"],
                control_note=facts.control.get((iso3, feature["territory"])),
                official_name=feature["official_name"],
                feature_index=feature["index"],
                kind=kind,
                **fields,
                **extra,
            )
        )
    drawn = {f["iso3"] for f in features}
    for iso3 in sorted(set(facts.states) - drawn):
        check.add(f"state {iso3}", "no boundary in the geometry file")
    dependencies = {f["iso3"] for f in features if f["kind"] == "dependency"}
    for iso3 in sorted(set(facts.territories) - dependencies):
        where = "is drawn as a state, not a dependency" if iso3 in drawn else "has no boundary in the geometry file"
        check.add(f"territory {iso3}", where)
    for iso3, label in sorted(facts.control, key=str):
        if not any(f["iso3"] == iso3 and f["territory"] == label for f in features):
            check.add(f"control {iso3}", f"no feature {iso3} {label or ''} in the geometry file")
    return _join_other_readings(territories, facts, check)


def _join_other_readings(territories: list[Territory], facts: Facts, check: Checker) -> list[Territory]:
    """Each area's other reading with the territory it names (the state's main feature)."""
    main = {t.iso3: t for t in territories if t.territory is None}
    labelled = {(t.iso3, t.territory) for t in territories if t.territory}
    for iso3, label in sorted(set(facts.areas) - labelled):
        check.add(f"area {iso3} ({label})", "no such labelled feature in the geometry file")
    joined = []
    for territory in territories:
        standing = territory.standing
        if standing is not None and standing.other_iso3 is not None:
            other = main.get(standing.other_iso3)
            if other is None:
                check.add(f"area {territory.iso3} ({territory.territory})", f"no territory {standing.other_iso3}")
            else:
                territory = territory._replace(standing=standing._replace(other=other))
        joined.append(territory)
    return joined


def _applied_evidence(parent: dict[str, Any], applied: dict[str, Any]) -> tuple[tuple[str, Evidence], ...]:
    """A dependency's facts: its own application record's, and its sovereign's treaty facts. Where
    it binds nothing, the application rests on the record's sources."""
    own = applied["evidence"] or (("application", Evidence(applied["sources"], applied["confidence"])),)
    parents = parent["evidence"] or (("entry_into_force", Evidence(parent["sources"], parent["confidence"])),)
    merged = [*own, *(pair for pair in parents if pair[0] != "application")]
    return tuple(sorted(merged, key=lambda pair: EVIDENCE_FACTS.index(pair[0])))


def _applied_dates(parent: dict[str, Any], application: str | None, start: dt.date | None) -> dict[str, Any]:
    """A dependency's dates: its sovereign's where the ratification reaches it, from `from` if later."""
    if application not in ("integral", "extended"):
        return dict.fromkeys(MEMBERSHIP_FIELDS)
    dates = dict(parent)
    if start is not None and dates["entry_into_force"] is not None and start > dates["entry_into_force"]:
        dates["entry_into_force"] = start
    return dates


def _applied_reading(parent: dict[str, Any], applied: dict[str, Any]) -> Reading | None:
    """An application record's alternative, expressed as the Territory fields it would change."""
    reading = applied["alternative"]
    if reading is None:
        return None
    other = {**{"application": applied["application"], "from": applied["from"]}, **dict(reading.changes)}
    dates = _applied_dates(parent, other["application"], other["from"])
    return reading._replace(changes=(("application", other["application"]), *dates.items()))


def _check_membership_dates(check: Checker, entry: str, dates: dict[str, dt.date | None], *, succession: bool) -> None:
    """Date order; a succession is notified after the date it takes effect (independence)."""
    check.order(
        entry,
        [
            ("signed", dates["signed"], "deposited", dates["deposited"]),
            ("withdrawal_notified", dates["withdrawal_notified"], "withdrawal_revoked", dates["withdrawal_revoked"]),
        ],
    )
    if not succession:
        check.order(
            entry, [("deposited", dates["deposited"], "entry_into_force", dates["entry_into_force"])], strict=True
        )
    check.order(
        entry,
        [
            ("entry_into_force", dates["entry_into_force"], "withdrawal_notified", dates["withdrawal_notified"]),
            (
                "withdrawal_notified",
                dates["withdrawal_notified"],
                "withdrawal_effective",
                dates["withdrawal_effective"],
            ),
        ],
        strict=True,
    )
    if dates["deposited"] and not dates["entry_into_force"]:
        check.add(entry, "deposited is set but entry_into_force is missing")
    if dates["withdrawal_effective"] and not dates["withdrawal_notified"]:
        check.add(entry, "withdrawal_effective is set but withdrawal_notified is missing")
    if dates["withdrawal_effective"] and dates["withdrawal_revoked"]:
        check.add(entry, "a revoked withdrawal cannot have withdrawal_effective")
    notified, effective = dates["withdrawal_notified"], dates["withdrawal_effective"]
    if notified and effective and effective != _one_year_after(notified):
        check.add(
            entry,
            f"withdrawal_effective must be one year after notification ({_one_year_after(notified)}), Art. 127(1)",
        )


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def read_aircraft(data: Any, check: Checker, tiers: dict[str, str]) -> list[Aircraft]:
    """The optional `aircraft` section of warrants.yaml: each entry sourced."""
    if not isinstance(data, dict) or data.get("aircraft") is None:
        return []
    found = []
    for raw in check.records(data, "aircraft"):
        entry = f"aircraft {raw.get('registration', '?')}"
        registration, subject = check.text(entry, raw, "registration"), check.text(entry, raw, "subject")
        hex_code = raw.get("hex")
        if hex_code is not None and not (isinstance(hex_code, str) and re.fullmatch(r"[0-9a-fA-F]{6}", hex_code)):
            check.add(entry, f"hex must be a 6-digit ICAO address, got {hex_code!r}")
            hex_code = None
        sources = check.sources(entry, raw)
        if registration and subject:
            found.append(
                Aircraft(
                    registration.upper(),
                    hex_code.lower() if hex_code else None,
                    raw.get("type"),
                    raw.get("operator"),
                    subject,
                    sources,
                    _confidence(check, entry, raw, sources, tiers),
                )
            )
    return found


def read_warrants(
    path: Path, check: Checker, tiers: dict[str, str] | None = None
) -> tuple[list[Subject], dict[str, Situation], dt.date | None, list[Aircraft]]:
    data = _read(path, check)
    as_of = check.date("(top level)", data, "as_of", required=True) if isinstance(data, dict) else None
    situations: dict[str, Situation] = {}
    for raw in check.records(data, "situations"):
        entry = f"situation {_entry(raw, '?')}"
        situation_id = check.text(entry, raw, "id")
        unsc = raw.get("unsc_referral")
        referral = None
        if isinstance(unsc, dict):
            date = check.date(entry, unsc, "date", required=True)
            bound = check.strings(entry, unsc, "states_bound")
            resolution = check.text(entry, unsc, "resolution")
            if date and resolution:
                referral = UnscReferral(resolution, date, bound)
        elif unsc is not None:
            check.add(entry, "unsc_referral must be a mapping or null")
        declarations = []
        for number, decl in enumerate(raw.get("article_12_3") or [], 1):
            decl_entry = f"{entry}: article_12_3[{number}]"
            if not isinstance(decl, dict):
                check.add(decl_entry, "expected a mapping")
                continue
            lodged = check.date(decl_entry, decl, "lodged", required=True)
            start, end = check.date(decl_entry, decl, "period_from"), check.date(decl_entry, decl, "period_to")
            check.order(decl_entry, [("period_from", start, "period_to", end)])
            state = check.text(decl_entry, decl, "state")
            if lodged and state:
                declarations.append(Declaration(state, lodged, start, end))
        contested = tuple(
            law
            for number, item in enumerate(raw.get("contested_127_2") or [], 1)
            if (law := _contested_law(check, f"{entry}: contested_127_2[{number}]", item)) is not None
        )
        if situation_id in situations:
            check.add(entry, "duplicate situation id")
        if situation_id:
            situations[situation_id] = Situation(
                id=situation_id,
                name=check.text(entry, raw, "name") or situation_id,
                icc_code=raw.get("icc_code"),
                investigation_opened=check.date(entry, raw, "investigation_opened"),
                referral=raw.get("referral"),
                unsc_referral=referral,
                article_12_3=tuple(declarations),
                sources=check.sources(entry, raw),
                note=raw.get("note"),
                contested_127_2=contested,
            )
    rulings = tuple(
        ruling
        for number, item in enumerate(check.records(data, "immunity_rulings"), 1)
        if (ruling := _ruling(check, f"immunity_rulings[{number}]", item, office=True)) is not None
    )
    subjects: list[Subject] = []
    seen: set[str] = set()
    for raw in check.records(data, "subjects"):
        entry = f"subject {_entry(raw, '?')}"
        subject_id = check.text(entry, raw, "id")
        if subject_id and not SLUG.match(subject_id):
            check.add(entry, "id must be a lowercase slug (letters, digits, hyphens)")
        if subject_id in seen:
            check.add(entry, "duplicate subject id")
        seen.add(subject_id or "")
        status = raw.get("status")
        if status not in SUBJECT_STATUSES:
            check.add(entry, f"status must be one of {', '.join(sorted(SUBJECT_STATUSES))}, got {status!r}")
        warrants = []
        for number, war in enumerate(raw.get("warrants") or [], 1):
            war_entry = f"{entry}: warrants[{number}]"
            if not isinstance(war, dict):
                check.add(war_entry, "expected a mapping")
                continue
            issued, public = check.date(war_entry, war, "issued"), check.date(war_entry, war, "public")
            start, by = check.date(war_entry, war, "issued_from"), check.date(war_entry, war, "issued_by")
            check.order(war_entry, [("issued", issued, "public", public)])
            check.order(war_entry, [("issued_from", start, "issued_by", by), ("issued_by", by, "public", public)])
            check.order(war_entry, [("issued_from", start, "public", public)])
            if issued is None and public is None and by is None:
                check.add(war_entry, "a warrant needs an issued, issued_by or public date")
            if issued is not None and (start or by):
                check.add(war_entry, "issued_from and issued_by are for a warrant whose issue day is not known")
            warrants.append(
                Warrant(issued, public, check.strings(war_entry, war, "crimes"), war.get("note"), start, by)
            )
        if status != "application_pending" and not warrants:
            check.add(entry, "a subject needs at least one warrant unless the status is application_pending")
        situation = check.text(entry, raw, "situation")
        if situation and situation not in situations:
            check.add(entry, f"situation {situation!r} is not defined under situations")
        status_date = check.date(entry, raw, "status_date")
        ended = check.date(entry, raw, "proceedings_ended")
        if ended and status != "deceased":
            check.add(entry, "proceedings_ended is for deceased subjects (other statuses date their own end)")
        death_sources = check.sources(f"{entry}: death", raw["death"]) if isinstance(raw.get("death"), dict) else ()
        if raw.get("death") is not None and status != "deceased":
            check.add(entry, "death is for deceased subjects")
        if status == "deceased" and not death_sources:
            check.add(entry, "a deceased subject needs death: {sources: [...]}, the report of the death")
        check.order(entry, [("status_date", status_date, "proceedings_ended", ended)])
        offices = tuple(
            office
            for number, item in enumerate(raw.get("offices") or [], 1)
            if (office := _office(check, f"{entry}: offices[{number}]", item)) is not None
        )
        if subject_id and situation and status in SUBJECT_STATUSES:
            subjects.append(
                Subject(
                    id=subject_id,
                    name=check.text(entry, raw, "name") or subject_id,
                    aliases=check.strings(entry, raw, "aliases"),
                    nationality=check.text(entry, raw, "nationality") or "",
                    position=raw.get("position"),
                    situation=situation,
                    case=raw.get("case"),
                    warrants=tuple(warrants),
                    status=status,
                    status_date=status_date,
                    status_note=raw.get("status_note"),
                    sources=check.sources(entry, raw),
                    offices=offices,
                    proceedings_ended=ended,
                    death_sources=death_sources,
                    death_confidence=_confidence(
                        check, f"{entry}: death", raw.get("death") or {}, death_sources, tiers or {}
                    ),
                    immunity_rulings=tuple(r for r in rulings if r.office in {o.kind for o in offices}),
                )
            )
    return subjects, situations, as_of, read_aircraft(data, check, tiers or {})


def _office(check: Checker, entry: str, raw: Any) -> Office | None:
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    kind = raw.get("kind")
    if kind not in OFFICE_KINDS:
        check.add(entry, f"kind must be one of {', '.join(sorted(OFFICE_KINDS))}, got {kind!r}")
        return None
    start, end = check.date(entry, raw, "from"), check.date(entry, raw, "to")
    check.order(entry, [("from", start, "to", end)], strict=True)
    title = check.text(entry, raw, "title")
    return Office(kind, title or kind, start, end, check.sources(entry, raw))


def _ruling(check: Checker, entry: str, raw: Any, *, office: bool = False) -> Ruling | None:
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    date = check.date(entry, raw, "date", required=True)
    body, holding = check.text(entry, raw, "body"), check.text(entry, raw, "holding")
    kind, side = raw.get("office"), raw.get("side")
    if office and kind not in OFFICE_KINDS:
        check.add(entry, f"office must be one of {', '.join(sorted(OFFICE_KINDS))}, got {kind!r}")
    if not office and side not in RULING_SIDES:
        check.add(entry, f"side must be one of {', '.join(sorted(RULING_SIDES))}, got {side!r}")
    sources = check.sources(entry, raw)
    if date is None or body is None or holding is None:
        return None
    return Ruling(date, body, holding, sources, raw.get("state"), kind if office else None, None if office else side)


def _contested_law(check: Checker, entry: str, raw: Any) -> ContestedLaw | None:
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    levels = raw.get("level"), (raw.get("alternative") or {}).get("level")
    if any(level not in CONTESTED_LEVELS for level in levels) or levels[0] == levels[1]:
        check.add(entry, f"level and alternative.level must differ, each one of {sorted(CONTESTED_LEVELS)}")
        return None
    alternative = raw["alternative"]
    rulings = tuple(
        ruling
        for number, item in enumerate(raw.get("rulings") or [], 1)
        if (ruling := _ruling(check, f"{entry}: rulings[{number}]", item)) is not None
    )
    texts = [check.text(entry, raw, key) for key in ("state", "reason", "why_chosen")]
    alternative_reason = check.text(f"{entry}: alternative", alternative, "reason")
    from icc_travel.data.sources import CONFIDENCES

    confidence = raw.get("confidence", "medium")
    if confidence not in CONFIDENCES:
        check.add(entry, f"confidence must be one of {', '.join(CONFIDENCES)}, got {confidence!r}")
    if None in texts or alternative_reason is None:
        return None
    state, reason, why = texts
    return ContestedLaw(
        state, levels[0], reason, levels[1], alternative_reason, why, rulings, check.sources(entry, raw), confidence
    )


def read_precedents(
    path: Path, check: Checker, tiers: dict[str, str] | None = None
) -> tuple[list[Precedent], dt.date | None]:
    data = _read(path, check)
    as_of = check.date("(top level)", data, "as_of", required=True) if isinstance(data, dict) else None
    precedents: list[Precedent] = []
    seen: set[str] = set()
    for raw in check.records(data, "precedents"):
        entry = f"precedent {_entry(raw, '?')}"
        precedent_id = check.text(entry, raw, "id")
        if precedent_id in seen:
            check.add(entry, "duplicate precedent id")
        seen.add(precedent_id or "")
        start = check.date(entry, raw, "date") or check.date(entry, raw, "start")
        end = check.date(entry, raw, "end")
        if start is None:
            check.add(entry, "date (or start) is required")
        check.order(entry, [("start", start, "end", end)])
        outcome = raw.get("outcome")
        if outcome not in OUTCOMES:
            check.add(entry, f"outcome must be one of {', '.join(sorted(OUTCOMES))}, got {outcome!r}")
        finding = None
        if isinstance(raw.get("finding"), dict):
            f = raw["finding"]
            found_in = check.sources(f"{entry}: finding", f) if f.get("sources") is not None else ()
            finding = Finding(
                f.get("number"),
                check.date(f"{entry}: finding", f, "date"),
                f.get("body"),
                f.get("result"),
                f.get("referral"),
                f.get("note"),
                found_in,
                _confidence(check, f"{entry}: finding", f, found_in or tuple(raw.get("sources") or ()), tiers or {}),
            )
        subject, state = check.text(entry, raw, "subject"), check.text(entry, raw, "state")
        if precedent_id and start and subject and state and outcome in OUTCOMES:
            precedents.append(
                Precedent(
                    precedent_id,
                    subject,
                    state,
                    start,
                    end,
                    check.text(entry, raw, "event") or "",
                    outcome,
                    finding,
                    sources := check.sources(entry, raw),
                    raw.get("note"),
                    _confidence(check, entry, raw, sources, tiers or {}),
                )
            )
    return precedents, as_of


def _read(path: Path, check: Checker) -> Any:
    from icc_travel.data.yamlio import read_yaml

    try:
        data = tracked(read_yaml(path, max_bytes=MAX_OVERLAY_BYTES if check.is_overlay else None))
    except InputError as error:
        check.add("(file)", str(error).removeprefix(f"{path}: "))
        return None
    if data is None:
        check.add("(file)", "is empty (a FIFO that nobody writes to reads as empty too)")
        return None
    check.document = data
    if check.overlay and isinstance(data, dict):
        data = {**data}
        for section, records in check.overlay.items():
            _, key, label = OVERLAY_SECTIONS[section]
            bundled = data.get(section) if isinstance(data.get(section), list) else []
            replaced = {str(r.get(key)) for r in records}
            kept = [r for r in bundled if not (isinstance(r, dict) and str(r.get(key)) in replaced)]
            for record in bundled:
                if record not in kept:
                    _set_aside(record)
            data[section] = [*kept, *records]
            check.local |= {f"{label} {r.get(key)}" for r in records}
    return data


def read_overlay(path: Path, check: Checker) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """A local facts file: sections of records in the bundled files' own shape (added, or
    replacing the bundled record with the same key), and tiers for hosts it cites."""
    data = _read(path, check)
    if not isinstance(data, dict):
        check.add("(top level)", f"expected a mapping with any of {', '.join([*OVERLAY_SECTIONS, 'hosts'])}")
        return {}, {}
    unknown = sorted(set(data) - {*OVERLAY_SECTIONS, "hosts"})
    if unknown:
        check.add(
            "(top level)", f"unknown sections {', '.join(unknown)}; expected {', '.join([*OVERLAY_SECTIONS, 'hosts'])}"
        )
    sections = {}
    for section, (_, key, label) in OVERLAY_SECTIONS.items():
        if section not in data:
            continue
        records = check.records(data, section)
        for number, record in enumerate(records, 1):
            if not record.get(key):
                check.add(f"{section}[{number}]", f"{key} is required (it names the {label} added or replaced)")
        sections[section] = [r for r in records if r.get(key)]
    hosts = data.get("hosts") or {}
    if not isinstance(hosts, dict):
        check.add("hosts", "expected a mapping of host: tier")
        hosts = {}
    from icc_travel.data.sources import TIERS

    for name, tier in hosts.items():
        if tier not in TIERS:
            check.add(f"hosts: {name}", f"tier must be one of {', '.join(TIERS)}, got {tier!r}")
    return sections, {host_key(k): str(v) for k, v in hosts.items()}


def cross_check(
    dataset: Dataset, known_iso3: Callable[[str], bool], warrants_file: str, precedents_file: str, territories_file: str
) -> list[Problem]:
    """References between files and ISO codes: what no single record can check alone."""
    problems: list[Problem] = []
    subject_ids = {s.id for s in dataset.subjects}
    for territory in dataset.territories:
        for code in (territory.iso3, territory.sovereign):
            if not is_iso3(code, known_iso3):
                problems.append(
                    Problem(territories_file, territory.label, f"{code!r} is not an ISO 3166-1 alpha-3 code")
                )
    aliases: dict[str, str] = {}
    for subject in dataset.subjects:
        if not is_iso3(subject.nationality, known_iso3):
            problems.append(
                Problem(
                    warrants_file,
                    f"subject {subject.id}",
                    f"nationality {subject.nationality!r} is not an ISO alpha-3 code",
                )
            )
        first = min((w.latest_issue for w in subject.warrants if w.latest_issue), default=None)
        if (
            subject.status_date
            and first
            and subject.status_date < first
            and subject.status not in {"deceased", "withdrawn"}
        ):
            problems.append(
                Problem(
                    warrants_file,
                    f"subject {subject.id}",
                    f"status_date {subject.status_date} is before the first warrant ({first})",
                )
            )
        for alias in (subject.name, *subject.aliases):
            key = normalise(alias)
            owner = aliases.setdefault(key, subject.id)
            if owner != subject.id:
                problems.append(
                    Problem(warrants_file, f"subject {subject.id}", f"alias {alias!r} is also used by {owner}")
                )
    for situation in dataset.situations.values():
        codes = [d.state for d in situation.article_12_3]
        if situation.unsc_referral:
            codes += list(situation.unsc_referral.states_bound)
        for code in codes:
            if not is_iso3(code, known_iso3):
                problems.append(
                    Problem(warrants_file, f"situation {situation.id}", f"{code!r} is not an ISO alpha-3 code")
                )
    for plane in dataset.aircraft:
        if plane.subject not in subject_ids:
            problems.append(
                Problem(warrants_file, f"aircraft {plane.registration}", f"subject {plane.subject!r} is unknown")
            )
    for precedent in dataset.precedents:
        entry = f"precedent {precedent.id}"
        if precedent.subject not in subject_ids:
            problems.append(Problem(precedents_file, entry, f"subject {precedent.subject!r} is not in {warrants_file}"))
        if not is_iso3(precedent.state, known_iso3):
            problems.append(Problem(precedents_file, entry, f"state {precedent.state!r} is not an ISO alpha-3 code"))
    return problems


def parse(
    territories_file: Path,
    warrants_file: Path,
    precedents_file: Path,
    facts_file: Path,
    tiers_file: Path,
    overlay_file: Path | None = None,
) -> Dataset:
    """Parse and validate the data files, with a local facts file merged in; raise DataError
    listing every problem found."""
    files = {
        "territories": territories_file,
        "warrants": warrants_file,
        "precedents": precedents_file,
        "facts": facts_file,
        "tiers": tiers_file,
    }
    checks = {key: Checker(str(path)) for key, path in files.items()}
    overlay_check = Checker(str(overlay_file))
    overlay_check.overlay_file = str(overlay_file) if overlay_file is not None else None
    overlay_hosts: dict[str, str] = {}
    if overlay_file is not None:
        sections, overlay_hosts = read_overlay(overlay_file, overlay_check)
        for section, records in sections.items():
            target = checks[OVERLAY_SECTIONS[section][0]]
            target.overlay[section] = records
            target.overlay_file = str(overlay_file)
    tiers, junk = read_tiers(files["tiers"], checks["tiers"])
    for name in sorted(set(overlay_hosts) & set(junk)):
        overlay_check.add(f"hosts: {name}", f"is junk in sources.yaml ({junk[name]}): it cannot be given a tier")
    tiers = {**tiers, **overlay_hosts}
    features = read_features(files["territories"], checks["territories"])
    facts = read_facts(files["facts"], checks["facts"], tiers)
    territories = join(features, facts, checks["facts"], files["facts"].name)
    subjects, situations, warrants_as_of, aircraft = read_warrants(files["warrants"], checks["warrants"], tiers)
    precedents, precedents_as_of = read_precedents(files["precedents"], checks["precedents"], tiers)
    problems = [p for check in (*checks.values(), overlay_check) for p in check.problems]
    unreadable = [p for p in problems if p.entry == "(file)"]
    if unreadable:  # what the other files say of a file that could not be read is only noise
        raise DataError(unreadable)
    local_records = _mappings(overlay_check.document)
    asked = _asked_by_shape(check.document for check in (*checks.values(), overlay_check))
    unknown = [
        problem
        for check in (overlay_check, *checks.values())
        for problem in _unknown_keys(check, local_records if check is not overlay_check else set(), asked)
    ]
    problems = unknown + problems  # a misspelt field explains the "required" problems it causes
    cited = list(_cited_urls((*checks.values(), overlay_check)))
    problems += _source_problems(cited, tiers, junk)
    if problems or warrants_as_of is None or precedents_as_of is None:
        raise DataError(problems)
    dataset = Dataset(
        territories,
        subjects,
        situations,
        precedents,
        warrants_as_of,
        precedents_as_of,
        territories_path=str(files["territories"]),
        source_tiers=tiers,
        state_events=facts.events,
        aircraft=aircraft,
    )
    # Every cited URL tiered once, here, and cached with the data: answers look a URL up, never parse it.
    dataset.source_tiers.update({url: tiers[name] for _, _, url, name in cited if name in tiers})
    if overlay_file is not None:
        _mark_local(dataset, {label for check in checks.values() for label in check.local}, overlay_file.name)
        _mark_retiered(dataset, {url for _, _, url, name in cited if name in overlay_hosts}, overlay_file.name)
    files_named = (str(files[k]) for k in ("warrants", "precedents", "territories"))
    problems = cross_check(dataset, _pycountry_iso3(), *files_named)
    if problems and overlay_file is not None:  # a local record's problem is the local file's
        local = {label for check in checks.values() for label in check.local}
        local |= {t.label for t in dataset.territories if t.local and f"territory {t.iso3}" in local}
        problems = [
            dataclasses.replace(p, file=str(overlay_file)) if p.entry.split(":", 1)[0] in local else p for p in problems
        ]
    if problems:
        raise DataError(problems)
    return dataset


def _mark_local(dataset: Dataset, local: set[str], name: str) -> None:
    """Records from the local facts file carry its name, so answers can say they rest on it. A
    dependency follows its sovereign: its dates come from the sovereign's record."""
    local_states = {label.split(" ", 1)[1] for label in local if label.startswith("state ")}
    dataset.territories[:] = [
        t._replace(local=name)
        if f"territory {t.iso3}" in local or t.iso3 in local_states or t.sovereign in local_states
        else t
        for t in dataset.territories
    ]
    dataset.subjects[:] = [s._replace(local=name) if f"subject {s.id}" in local else s for s in dataset.subjects]
    dataset.precedents[:] = [p._replace(local=name) if f"precedent {p.id}" in local else p for p in dataset.precedents]
    dataset.by_iso3.clear()
    dataset.by_iso2.clear()
    dataset.__post_init__()


def _cited_urls(checks: Iterable[Checker]) -> Iterator[tuple[Checker, str, str, str]]:
    """(file, entry, url, host) for every URL cited anywhere in the files' parsed values: YAML
    escapes (`"https://\\x6Aunk.example"`) are undone first, and each URL's host is the one a
    browser would open (see sources.host), so a userinfo `@`, a backslash or a trailing dot cannot
    slip a junk host past the table."""
    from icc_travel.data.sources import host

    for check in checks:
        for entry, text in _strings(check.document):
            for url in WEB_ADDRESS.findall(text):
                yield check, entry, url, host(url)


def _source_problems(
    cited: Iterable[tuple[Checker, str, str, str]], tiers: dict[str, str], junk: dict[str, str]
) -> list[Problem]:
    """Every URL cited anywhere has a classified host, and none is junk."""
    problems = []
    for check, entry, url, name in cited:
        if not name:
            problems.append(Problem(check.file, entry, f"{url!r} is not a URL a browser can open"))
        elif name in junk:
            problems.append(Problem(check.file, entry, f"{url} is junk ({junk[name]}): do not cite it"))
        elif name not in tiers:
            problems.append(Problem(check.file, entry, f"{name} has no tier in sources.yaml: classify it"))
    return problems


def _mark_retiered(dataset: Dataset, urls: set[str], name: str) -> None:
    """A local facts file that tiers a host (its `hosts:`) changes how much every record citing
    that host can carry: those records, bundled or not, are marked as resting on the local file,
    so no answer gains a tier from it silently."""

    def cites(value: Any) -> bool:
        if isinstance(value, str):
            return value in urls
        if isinstance(value, tuple | list):
            return any(cites(item) for item in value)
        return False

    situations = {key for key, situation in dataset.situations.items() if cites(tuple(situation))}
    dataset.territories[:] = [t._replace(local=name) if cites(tuple(t)) else t for t in dataset.territories]
    dataset.subjects[:] = [
        s._replace(local=name) if cites(tuple(s)) or s.situation in situations else s for s in dataset.subjects
    ]
    dataset.precedents[:] = [p._replace(local=name) if cites(tuple(p)) else p for p in dataset.precedents]
    dataset.by_iso3.clear()
    dataset.by_iso2.clear()
    dataset.__post_init__()


WEB_ADDRESS = re.compile(r"https?:\S+", re.IGNORECASE)
MAX_OVERLAY_BYTES = 5 << 20  # a local facts file: a newsroom's few records, not a dataset


class Tracked(dict):
    """A mapping read from a data file that remembers which keys the reader asked for. A key never
    asked for is a misspelling or a field this version does not know (`withdrawl_effective`):
    reported, never silently ignored. Iterating over the mapping counts as asking for every key."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.asked: set[Any] = set()

    def get(self, key: Any, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self.asked.add(key)
        return super().__contains__(key)

    def __iter__(self) -> Any:
        self.asked.update(super().keys())
        return super().__iter__()

    def items(self) -> Any:
        self.asked.update(super().keys())
        return super().items()

    def values(self) -> Any:
        self.asked.update(super().keys())
        return super().values()


def tracked(value: Any) -> Any:
    """The parsed document with every mapping made a Tracked one."""
    if isinstance(value, dict):
        return Tracked({key: tracked(item) for key, item in dict.items(value)})
    if isinstance(value, list):
        return [tracked(item) for item in value]
    return value


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) for every value in a parsed document, the path as a reader would name it:
    `states[12] (HUN).dates`."""
    yield path, value
    if isinstance(value, dict):
        for key, item in dict.items(value):
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for number, item in enumerate(value, 1):
            name = dict.get(item, "id") or dict.get(item, "iso3") if isinstance(item, dict) else None
            yield from _walk(item, f"{path}[{number}]" + (f" ({name})" if isinstance(name, str) else ""))


def _strings(document: Any) -> Iterator[tuple[str, str]]:
    for path, value in _walk(document):
        if isinstance(value, str):
            yield path or "(top level)", value
        elif isinstance(value, dict):
            for key in dict.keys(value):
                if isinstance(key, str):
                    yield path or "(top level)", key


# Fields written for the file's readers, which the tool does not read: the top level's notes on
# method, a record's `note` and `name`, an announcement's reported notification (the withdrawal
# itself is dated in the state's record).
NOTE_FIELDS = {"": frozenset({"as_of", "method", "tiers"}), "announcements": frozenset({"notified"})}
RECORD_NOTE_FIELDS = frozenset({"note", "name"})


def _shape(path: str) -> str:
    """A mapping's place in its file without record numbers: `subjects.offices` for every office."""
    return re.sub(r"\[[^\]]*\]( \([^)]*\))?", "", path)


def _asked_by_shape(documents: Iterable[Any]) -> dict[str, set[str]]:
    """The keys the readers asked for, in any mapping of each shape, over all the files."""
    asked: dict[str, set[str]] = {}
    for document in documents:
        for path, value in _walk(document):
            if isinstance(value, Tracked):
                asked.setdefault(_shape(path), set()).update(k for k in value.asked if isinstance(k, str))
    return asked


def _unknown_keys(check: Checker, skip: set[int], asked: dict[str, set[str]]) -> list[Problem]:
    """Keys the readers never asked for in any mapping of the same shape, with close matches. A
    field the reader skipped in one record (after an error in it) is still known from the others;
    a misspelt one is asked for nowhere."""
    from icc_travel.text import suggest

    problems = []
    for path, value in _walk(check.document):
        if not isinstance(value, Tracked) or id(value) in skip:
            continue
        known = asked.get(_shape(path), set())
        section = path.split("[", 1)[0] if "[" in path else ("" if not path else None)
        notes = NOTE_FIELDS.get(section or "", frozenset()) if section is not None else frozenset()
        for key in dict.keys(value):
            if key in value.asked or key in known or key in notes or (path and key in RECORD_NOTE_FIELDS):
                continue
            close = suggest(str(key), sorted(known))
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(Problem(check.file, path or "(top level)", f"unknown field {key!r}{hint}"))
    return problems


def _set_aside(record: Any) -> None:
    """A bundled record that a local one replaces is not read: none of its keys is unknown."""
    for _, value in _walk(record):
        if isinstance(value, Tracked):
            value.asked.update(dict.keys(value))


def _mappings(document: Any) -> set[int]:
    return {id(value) for _, value in _walk(document) if isinstance(value, dict)}


def _pycountry_iso3() -> Callable[[str], bool]:
    import pycountry

    return lambda code: code in EXTRA_ISO3 or pycountry.countries.get(alpha_3=code) is not None
