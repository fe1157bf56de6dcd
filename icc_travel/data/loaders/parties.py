"""states_parties.yaml: states' membership dates, territories' application records, announcements,
areas and the reasons the map may draw sea beyond the territorial sea; the sources bound to each
fact; and the join of those records with the geometry's features into Territory records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from icc_travel.data.loaders.checker import Checker, entry_label, stated_confidence
from icc_travel.data.loaders.documents import read_document
from icc_travel.data.models import (
    EVIDENCE_FACTS,
    MEMBERSHIP_FIELDS,
    Event,
    Evidence,
    Reading,
    Sources,
    Standing,
    Territory,
)
from icc_travel.vocabulary import Application, values

APPLICATIONS = frozenset(values(Application))


class Facts(NamedTuple):
    """What states_parties.yaml says, keyed for the join with the geometry."""

    states: dict[str, dict]
    territories: dict[str, dict]
    control: dict[tuple[str, str | None], str]
    events: dict[str, list[Event]]
    areas: dict[tuple[str, str], Standing]


def read_facts(path: Path, check: Checker) -> Facts:
    data = read_document(path, check)
    states: dict[str, dict] = {}
    events: dict[str, list[Event]] = {}
    for raw in check.records(data, "states"):
        entry = f"state {entry_label(raw, '?')}"
        iso3 = check.text(entry, raw, "iso3")
        dates = {key: check.date(entry, raw, key) for key in MEMBERSHIP_FIELDS}
        succession = check.flag(entry, raw, "succession")
        _check_membership_dates(check, entry, dates, succession=succession)
        sources = check.sources(entry, raw)
        alternative = _reading(check, entry, raw, MEMBERSHIP_FIELDS)
        evidence = _evidence(check, entry, raw, ("entry_into_force", "withdrawal", "revocation"))
        alternative = _current(alternative, evidence)
        evidence = _bound_by_rule(check, entry, raw, evidence)
        if alternative is not None:
            merged = {**dates, **dict(alternative.changes)}
            _check_membership_dates(check, f"{entry}: alternative", merged, succession=succession)
        if iso3 in states:
            check.add(entry, "duplicate state")
        for number, item in enumerate(raw.get("events") or [], 1):
            event = _event(check, f"{entry}: events[{number}]", item)
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
                "confidence": stated_confidence(check, entry, raw, sources),
                "uncertain_from": min(withdrawal, default=None),
                "sourced_confidence": stated_confidence(check, entry, {}, sources),
                "alternative": alternative,
                "succession": succession,
                "evidence": evidence,
            }
    territories: dict[str, dict] = {}
    for raw in check.records(data, "territories"):
        entry = f"territory {entry_label(raw, '?')}"
        iso3, sovereign = check.text(entry, raw, "iso3"), check.text(entry, raw, "sovereign")
        application = raw.get("application")
        if application not in APPLICATIONS:
            check.add(entry, f"application must be one of {', '.join(sorted(APPLICATIONS))}, got {application!r}")
        start = check.date(entry, raw, "from")
        if start is not None and application != "extended":
            check.add(entry, "from is only for an extended application")
        sources = check.sources(entry, raw)
        alternative = _reading(check, entry, raw, ("application", "from"))
        evidence = _evidence(check, entry, raw, ("application",))
        alternative = _current(alternative, evidence)
        if not evidence:  # bound by rule: the record's own sources but the status page
            from icc_travel.data.binding import territory_binding

            applied = check.bind(territory_binding(raw)["sources"])
            if applied:
                evidence = (("application", Evidence(applied, stated_confidence(check, entry, raw, applied))),)
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
                "confidence": stated_confidence(check, entry, raw, sources),
                "alternative": alternative,
                "evidence": evidence,
            }
    control: dict[tuple[str, str | None], str] = {}
    for raw in check.records(data, "control"):
        entry = f"control {entry_label(raw, '?')}"
        iso3, note = check.text(entry, raw, "iso3"), check.text(entry, raw, "note")
        if iso3 and note:
            control[(iso3, raw.get("territory"))] = note
    for raw in check.records(data, "announcements"):
        entry = f"announcement {entry_label(raw, '?')}"
        iso3, announced = check.text(entry, raw, "iso3"), check.date(entry, raw, "announced", required=True)
        sources = check.sources(entry, raw)
        text = check.text(entry, raw, "reason", required=False) or "announced its intention to withdraw"
        if iso3 and announced:
            confidence = stated_confidence(check, entry, raw, sources)
            events.setdefault(iso3, []).append(Event(announced, "announcement", text, sources, confidence))
            notified = check.date(entry, raw, "notified")
            if iso3 in states and notified is None and states[iso3]["dates"]["withdrawal_notified"] is None:
                states[iso3]["withdrawal_announced"] = announced
    areas = _read_areas(check, data)
    _read_beyond_breadth(check, data)
    return Facts(states, territories, control, events, areas)


def _read_areas(check: Checker, data: Any) -> dict[tuple[str, str], Standing]:
    """Section `areas`: how a labelled area stands where that depends on the date or on a claim
    (see models.Standing). Optional: a facts file without it has no such area."""
    if not isinstance(data, dict) or data.get("areas") is None:
        return {}
    found: dict[tuple[str, str], Standing] = {}
    for raw in check.records(data, "areas"):
        entry = f"area {entry_label(raw, '?')} ({raw.get('territory')})"
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
        other_sources: Sources = ()
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


def _read_beyond_breadth(check: Checker, data: Any) -> None:
    """Section `beyond_breadth`: the reasons the build's audit accepts for sea drawn beyond a
    state's land plus its territorial-sea breadth (scripts/build_territories.py reads them; here
    they are only validated, their sources tiered with every other URL)."""
    if not isinstance(data, dict) or data.get("beyond_breadth") is None:
        return
    for raw in check.records(data, "beyond_breadth"):
        entry = f"beyond_breadth {entry_label(raw, '?')}" + (f" ({raw['territory']})" if raw.get("territory") else "")
        check.text(entry, raw, "iso3")
        check.text(entry, raw, "territory", required=False)
        check.text(entry, raw, "reason")
        stated_confidence(check, entry, raw, check.sources(entry, raw))
        km2 = raw.get("km2")
        if isinstance(km2, bool) or not isinstance(km2, (int, float)) or km2 <= 0:
            check.add(entry, f"km2 must be a positive number (the area the audit measured), got {km2!r}")


def _event(check: Checker, entry: str, raw: Any) -> Event | None:
    """A dated fact shown in the state's timeline only (it decides no answer)."""
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    date, text = check.date(entry, raw, "date", required=True), check.text(entry, raw, "event")
    kind = check.text(entry, raw, "kind")
    sources = check.sources(entry, raw)
    if date is None or text is None or kind is None:
        return None
    return Event(date, kind, text, sources, stated_confidence(check, entry, raw, sources))


def _reading(check: Checker, entry: str, raw: dict, fields: Iterable[str]) -> Reading | None:
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


def _evidence(check: Checker, entry: str, raw: dict, facts: tuple[str, ...]) -> tuple[tuple[str, Evidence], ...]:
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
            (
                fact,
                Evidence(sources, stated_confidence(check, where, item, sources), check.date(where, item, "dated")),
            )
        )
    return tuple(sorted(found, key=lambda pair: EVIDENCE_FACTS.index(pair[0])))


def _bound_by_rule(
    check: Checker, entry: str, raw: dict, explicit: tuple[tuple[str, Evidence], ...]
) -> tuple[tuple[str, Evidence], ...]:
    """Every fact the state record asserts, with its sources: those it binds itself, and the rest
    bound by the rule of `icc_travel.data.binding` (the treaty-status page backs an entry into
    force only). A record's stated confidence concerns its withdrawal facts when it has any, its
    entry into force otherwise."""
    from icc_travel.data.binding import ACTS, asserted, is_status_page, state_bindings

    found = dict(explicit)
    for fact in ACTS:
        if fact in found and any(is_status_page(source.url) for source in found[fact].sources):
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
        sources = check.bind(item["sources"])
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
        found[fact] = Evidence(sources, stated_confidence(check, entry, {"confidence": own}, sources), dated)
    return tuple(sorted(found.items(), key=lambda pair: EVIDENCE_FACTS.index(pair[0])))


def _current(reading: Reading | None, evidence: tuple[tuple[str, Evidence], ...]) -> Reading | None:
    """An alternative reading is shown only while a source of the same or later date supports
    it: one whose latest source predates the latest source of the recorded reading is dropped."""
    if reading is None or reading.dated is None:
        return reading
    latest = max((found.dated for _, found in evidence if found.dated), default=None)
    return None if latest is not None and reading.dated < latest else reading


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
