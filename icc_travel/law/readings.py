"""`obligation()`: the rules applied on the recorded reading of the facts, with every other
reading on record (a disputed withdrawal, an area only claimed, a contested Art. 127(2) duty,
a sealed warrant's issue day, an unconfirmed death) decided too and attached as a dispute
where it would change the answer; and what overflying a territory means.
"""

from __future__ import annotations

import datetime as dt

from icc_travel.data.models import (
    ContestedLaw,
    Situation,
    Subject,
    Territory,
)
from icc_travel.law.answers import (
    CONTINUING,
    NONE,
    OVERFLIGHT,
    TERRITORY_BASES,
    Dispute,
    Obligation,
    apply_reading,
    lower_confidence,
)
from icc_travel.law.notes import OVERFLIGHT_REASON
from icc_travel.law.rules import decide
from icc_travel.law.warrants import issue_unknown, warrant_doubt


def overflight(obligation_on_landing: Obligation) -> Obligation:
    """What overflying a territory means, given the obligation a landing there would carry.

    Where a landing would oblige nothing on the recorded reading but would on the other (Greece's
    10 nm airspace over its 6 nm Aegean sea), the other reading is an overflight too: nobody is
    arrested in the air on either reading."""
    if obligation_on_landing.level == NONE:
        disputed = obligation_on_landing.disputed
        if disputed is not None and disputed.level != NONE:
            return obligation_on_landing._replace(disputed=disputed._replace(level=OVERFLIGHT))
        return obligation_on_landing
    return obligation_on_landing._replace(level=OVERFLIGHT, reasons=(OVERFLIGHT_REASON, *obligation_on_landing.reasons))


def obligation(
    subject: Subject,
    territory: Territory | None,
    on: dt.date,
    situation: Situation,
    kind: str = "visit",
    outside: str | None = None,
) -> Obligation:
    """Decide the level, basis, quotable reasons and sources for one stop (`outside` says where
    a point in no territory is: the high seas unless the caller knows better, e.g. Antarctica).

    Where the territory's facts have another reading on record (a disputed withdrawal, an
    uncertain extension date), that reading is decided too; if it gives another answer, the
    obligation carries it as `disputed`, and the recorded reading still decides the level."""
    if territory is not None and territory.standing is not None:
        return _in_area(subject, territory, on, situation, kind)
    decided = _with_other_readings(subject, territory, on, situation, kind, outside)
    return _mark_local(_with_warrant_doubt(decided, subject, on), subject, territory)


def _in_area(subject: Subject, territory: Territory, on: dt.date, situation: Situation, kind: str) -> Obligation:
    """An area whose standing depends on the date or on a claim (models.Standing): on the
    recorded reading it is the state's territory (from `held_from`, if given) or the high seas;
    the other reading (the claimant's territory) is decided too and attached as disputed when it
    would change the answer."""
    rule = territory.standing
    assert rule is not None
    plain = territory._replace(standing=None)
    held = rule.held and (rule.held_from is None or on >= rule.held_from)
    if held:
        decided = obligation(subject, plain, on, situation, kind)
    else:
        decided = obligation(subject, None, on, situation, kind, rule.reason)
        if decided.basis == "no_territory":
            decided = decided._replace(sources=tuple(dict.fromkeys([*decided.sources, *rule.sources])))
    if rule.other is None or decided.basis == "no_warrant":
        return decided
    other = obligation(subject, rule.other._replace(standing=None), on, situation, kind)
    if (other.level, other.basis) == (decided.level, decided.basis):
        return decided
    reading = rule.other_reason or ""
    dispute = Dispute(other.level, other.basis, reading, rule.why_chosen, rule.other_sources)
    note = f"Disputed: on another reading of the sources the answer would be {other.level} ({other.basis}). {reading}"
    if rule.why_chosen:
        note += f" Why this answer: {rule.why_chosen}"
    return decided._replace(
        reasons=(*decided.reasons, note),
        sources=tuple(dict.fromkeys([*decided.sources, *rule.other_sources[:1]])),
        disputed=decided.disputed or dispute,
    )


def _with_warrant_doubt(decided: Obligation, subject: Subject, on: dt.date) -> Obligation:
    """A warrant in effect on one reading of the record only (a sealed warrant's undisclosed issue
    day, a death the Court has not confirmed) keeps its answer, disputed, with the confidence the
    other reading leaves it."""
    if decided.basis == "no_warrant":
        if issue_unknown(subject, on):
            return decided._replace(confidence="low")
        return decided
    doubt = warrant_doubt(subject, on)
    if doubt is None or decided.level == NONE:  # no duty on either reading: nothing to dispute
        return decided
    dispute, cap = doubt
    note = f"Disputed: on another reading of the sources the answer would be {dispute.level} ({dispute.basis}). "
    note += f"{dispute.reason} Why this answer: {dispute.why_chosen}"
    sources = tuple(dict.fromkeys([*decided.sources, *dispute.sources[:1]]))
    return decided._replace(
        reasons=(*decided.reasons, note),
        sources=sources,
        confidence=lower_confidence(decided.confidence, cap),
        disputed=decided.disputed or dispute,
    )


def _with_other_readings(
    subject: Subject,
    territory: Territory | None,
    on: dt.date,
    situation: Situation,
    kind: str,
    outside: str | None,
) -> Obligation:
    decided = decide(subject, territory, on, situation, kind, outside)
    if decided.basis in ("article_127_2", "former_party") and territory is not None:
        contested = next(
            (c for c in situation.contested_127_2 if c.state == territory.sovereign),
            None,
        )
        if contested is not None:
            return _contested(decided, contested, territory, on)
    if territory is None or territory.alternative is None or decided.basis == "no_warrant":
        return decided
    reading = territory.alternative
    other = decide(subject, apply_reading(territory, reading), on, situation, kind)
    if (other.level, other.basis) == (decided.level, decided.basis):
        return decided
    dispute = Dispute(other.level, other.basis, reading.reason, reading.why_chosen, reading.sources)
    note = f"Disputed: on another reading of the sources the answer would be {other.level} ({other.basis}). {reading.reason}"
    if reading.why_chosen:
        note += f" Why this answer: {reading.why_chosen}"
    return decided._replace(reasons=(*decided.reasons, note), disputed=dispute)


def _mark_local(decided: Obligation, subject: Subject, territory: Territory | None) -> Obligation:
    """Say so when the answer rests on a record from a local facts file, not the bundled data."""
    local = []
    if subject.local:
        local.append(f"subject {subject.id} ({subject.local})")
    if territory is not None and territory.local and decided.basis in TERRITORY_BASES:
        local.append(f"{territory.label} ({territory.local})")
    if not local:
        return decided
    note = (
        f"Local fact: this answer rests on records from a local facts file, not the bundled data: {', '.join(local)}."
    )
    return decided._replace(reasons=(*decided.reasons, note), local=tuple(local))


def _contested(decided: Obligation, law: ContestedLaw, territory: Territory, on: dt.date) -> Obligation:
    """A former party whose continuing duty the chambers and the state read differently: the
    chosen reading decides, the other is attached as disputed, each with the decisions (dated on
    or before the stop) that support it."""
    basis = {CONTINUING: "article_127_2", NONE: "former_party"}
    rulings = [r for r in law.rulings if r.date <= on]

    def cited(level: str) -> str:
        found = [r for r in rulings if r.side == level]
        if not found:
            return ""
        return " Decisions for this reading: " + "; ".join(f"{r.body}, {r.date}: {r.holding}" for r in found)

    left = territory.withdrawal_effective
    reasons = [
        decided.reasons[0],
        f"{territory.name} left the Rome Statute on {left}. Whether Art. 127(2) keeps its duty to cooperate "
        "in this situation is contested.",
        law.reason + cited(law.level),
        *(f"Also relevant: {r.body}, {r.date}: {r.holding}" for r in rulings if r.side == "other"),
    ]
    other_reason = law.alternative_reason + cited(law.alternative_level)
    note = (
        f"Disputed: on the other reading the answer would be {law.alternative_level} "
        f"({basis[law.alternative_level]}). {other_reason} Why this answer: {law.why_chosen}"
    )
    side_sources = [u for r in rulings for u in r.sources[:1]]
    dispute = Dispute(
        law.alternative_level,
        basis[law.alternative_level],
        other_reason,
        law.why_chosen,
        law.sources,
    )
    return Obligation(
        law.level,
        basis[law.level],
        (*reasons, note),
        tuple(dict.fromkeys([*law.sources, *side_sources, *territory.sources_on(on)])),
        law.confidence,
        dispute,
    )
