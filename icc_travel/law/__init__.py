"""The Rome Statute rules that decide whether a stop carries an obligation to arrest.

Pure: no I/O, no click, no rich. `obligation()` applies the rules in a fixed order, the first
that decides wins. Every rule in this module is one short function a lawyer can read and check:
  1 no_warrant    2 state_party    3 unsc_referral    4 article_12_3
  5 article_127_2 (former party: continuing duty)     6 former_party
  7 non_party / no_territory / application_unknown
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from icc_travel.data.models import (
    ContestedLaw,
    Reading,
    Ruling,
    Situation,
    Source,
    Sources,
    Subject,
    Territory,
    Warrant,
)
from icc_travel.vocabulary import Basis, Level, StopKind, Tier, values

ARREST, CONTINUING, OVERFLIGHT, NONE = Level.ARREST, Level.CONTINUING, Level.OVERFLIGHT, Level.NONE
LEVELS = values(Level)
_RANK = {NONE: 0, OVERFLIGHT: 1, CONTINUING: 2, ARREST: 3}
BASES = values(Basis)
KINDS = values(StopKind)
# Statuses after which no warrant remains to be executed, from status_date on.
ENDED = {
    "in_custody": "in the Court's custody since {date}: the warrant has been executed",
    "convicted": "convicted on {date}: the warrant was executed",
    "acquitted": "acquitted on {date}: the warrant was executed",
    "released": "released on {date} after the proceedings ended",
    "deceased": "died on {date}",  # used only once the Court has ended the proceedings
    "withdrawn": "the warrant was withdrawn or the case ended on {date}",
}
# The depositary's list of participants: absence from it is what makes a state a non-party.
TREATY_STATUS = Source(
    "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-10&chapter=18&clang=_en",
    Tier.DEPOSITARY.value,
)
CITED_RULINGS = 3  # the latest rulings quoted in the immunity note (and their sources)
HIGH_SEAS = "The point is outside every state's land and territorial sea (the high seas)."
# Every answer that can say "none" says this too: the data holds public warrants only.
SEALED_WARRANT_CAVEAT = (
    "Absence from the data does not prove there is no sealed warrant; check the Court's "
    "own records before relying on a 'none'."
)
ANTARCTICA = (
    "The point is in Antarctica, south of 60°S: the Antarctic Treaty freezes every territorial claim, "
    "so it is no state's territory and no state's obligation to arrest reaches it."
)

OFFICE_NAMES = {
    "head_of_state": "a sitting head of state",
    "head_of_government": "a sitting head of government",
    "minister": "a sitting minister",
}


class Dispute(NamedTuple):
    """What the answer would be on the other reading of a disputed fact."""

    level: str
    basis: str
    reason: str  # the other reading, for readers
    why_chosen: str | None  # why the recorded reading was preferred
    sources: Sources


class Obligation(NamedTuple):
    level: str
    basis: str
    reasons: tuple[str, ...]
    sources: Sources = ()
    confidence: str = "high"  # of the territory's facts the answer rests on
    disputed: Dispute | None = None
    local: tuple[str, ...] = ()  # records from a local facts file the answer rests on


OVERFLIGHT_REASON = (
    "Flying over a state's territory creates no duty to arrest, but an emergency or forced landing "
    "there would bring the aircraft's passengers within that state's obligation."
)


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


def outside_note(antarctic: bool) -> str | None:
    """What to say about a point in no state's territory: in the Antarctic Treaty area it is
    Antarctica, not the high seas (None: the law's own high-seas reason)."""
    return ANTARCTICA if antarctic else None


def level_rank(level: str) -> int:
    return _RANK[level]


def reaches(level: str, threshold: str) -> bool:
    """Whether a level is at or above a --fail-on threshold ('never' is never reached)."""
    return threshold != "never" and _RANK[level] >= _RANK[threshold]


def statute_in_force(territory: Territory, on: dt.date) -> bool:
    """Art. 126 entry into force, Art. 127(1) withdrawal one year after notification."""
    if territory.entry_into_force is None or territory.entry_into_force > on:
        return False
    return territory.withdrawal_effective is None or territory.withdrawal_effective > on


def first_warrant(subject: Subject) -> dt.date | None:
    """The earliest date by which a warrant certainly existed: its issue date, else the latest day
    the Court says it was issued under seal by, else the day it was made public."""
    dates = [w.latest_issue for w in subject.warrants]
    return min((d for d in dates if d), default=None)


def _first_issue(subject: Subject) -> str:
    """When the first warrant was issued, as the record knows it."""
    first = min((w for w in subject.warrants if w.latest_issue), key=lambda w: w.latest_issue or dt.date.max)
    if first.issued is None and first.issued_from is not None:
        return f"first warrant issued under seal between {first.issued_from} and {first.latest_issue}"
    return f"first warrant issued {first.latest_issue}"


def _sealed_window(subject: Subject, on: dt.date) -> tuple[dt.date | None, Warrant] | None:
    """Before the first certain date: the warrant that may already have existed under seal on the
    date (its issue day not given by the Court), with the first day it may have existed (None:
    not known). None when no warrant can have existed on the date."""
    for warrant in sorted(subject.warrants, key=lambda w: w.latest_issue or dt.date.max):
        if warrant.issued is not None or warrant.latest_issue is None or on >= warrant.latest_issue:
            continue
        start = warrant.issued_from
        if start is None or start <= on:
            return start, warrant
    return None


def warrant_in_effect(subject: Subject, on: dt.date) -> tuple[bool, str]:
    first = first_warrant(subject)
    if first is None:
        if subject.status == "application_pending":
            return False, f"No warrant has been issued for {subject.name}: the Prosecutor's application is pending."
        return False, f"No warrant is on record for {subject.name}."
    if on < first:
        window = _sealed_window(subject, on)
        if window is None:
            return False, f"No warrant had been issued for {subject.name} by {on} ({_first_issue(subject)})."
        start, sealed = window
        if start is None:
            return False, (
                f"No warrant for {subject.name} had been made public by {on}: the first was issued under seal by "
                f"{sealed.latest_issue} (made public {sealed.public}), on a day the Court has not given, so it may "
                "already have existed."
            )
        return True, (
            f"An ICC arrest warrant for {subject.name} may have been in effect on {on}: the Court states it was "
            f"issued under seal between {start} and {sealed.latest_issue} (made public {sealed.public}) without "
            "giving the day."
        )
    if subject.status == "deceased" and subject.status_date and on >= subject.status_date:
        ended = subject.proceedings_ended
        if ended and ended <= on:
            return False, (
                f"No warrant to execute on {on}: {subject.name} died on {subject.status_date}; "
                f"the Court ended the proceedings on {ended}."
            )
        return True, (
            f"An ICC arrest warrant for {subject.name} remained formally in effect on {on}: {subject.name} was "
            f"reported dead on {subject.status_date}, but the Court had not ended the proceedings, and only a "
            "chamber's decision ending them renders a warrant without effect."
        )
    if subject.status in ENDED and subject.status_date and on >= subject.status_date:
        why = ENDED[subject.status].format(date=subject.status_date)
        return False, f"No warrant to execute on {on}: {subject.name} {why}."
    sealed = [w for w in subject.warrants if w.latest_issue and w.public and w.latest_issue <= on < w.public]
    note = ""
    if sealed:
        issued = "issued under seal" if sealed[0].issued else f"issued under seal by {sealed[0].latest_issue}"
        note = f" ({issued}; made public {sealed[0].public})"
    return True, f"An ICC arrest warrant for {subject.name} was in effect on {on}{note}."


# Why an answer does not follow the reading that no warrant was in effect.
WHY_SEALED = (
    "A warrant issued under seal binds from the day it is issued; the Court's statement leaves open that "
    "it already existed on this date, so the answer does not say there was none."
)
WHY_DEATH = (
    "Only a chamber's decision ending the proceedings renders a warrant without effect; until then it stays "
    "formally in effect, and the Court has refused to end proceedings on a reported death it found unproven "
    "(Vincent Otti: termination rejected on 1 December 2022, proceedings ended on 17 November 2023)."
)


def warrant_doubt(subject: Subject, on: dt.date) -> tuple[Dispute, str] | None:
    """Where the warrant is in effect on one reading of the record only: the other reading (no
    warrant) and the most confidence the answer can claim."""
    first = first_warrant(subject)
    if first is not None and on < first:
        window = _sealed_window(subject, on)
        if window is None or window[0] is None:
            return None
        start, sealed = window
        reason = (
            f"The warrant may not yet have been issued on {on}: the Court gives only the period "
            f"{start} to {sealed.latest_issue}."
        )
        return Dispute(NONE, "no_warrant", reason, WHY_SEALED, subject.sources[:1]), "low"
    if subject.status != "deceased" or subject.status_date is None or on < subject.status_date:
        return None
    if subject.proceedings_ended and subject.proceedings_ended <= on:
        return None
    cited = subject.death_sources or subject.sources
    reason = f"{subject.name} was reported dead on {subject.status_date} ({cited[0].url})."
    return Dispute(NONE, "no_warrant", reason, WHY_DEATH, cited), subject.death_confidence


def _issue_unknown(subject: Subject, on: dt.date) -> bool:
    """Whether a 'no warrant' answer rests on an issue date the Court has not given."""
    first = first_warrant(subject)
    return first is not None and on < first and _sealed_window(subject, on) is not None


def _lower(confidence: str, cap: str) -> str:
    order = ("high", "medium", "low")
    return max(confidence, cap, key=order.index)


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


def held(territory: Territory, on: dt.date) -> bool:
    """Whether the territory is its state's on the date on the recorded reading (an area held
    from a date, or only claimed, is not)."""
    rule = territory.standing
    return rule is None or (rule.held and (rule.held_from is None or on >= rule.held_from))


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
        if _issue_unknown(subject, on):
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
        confidence=_lower(decided.confidence, cap),
        disputed=decided.disputed or dispute,
    )


def _with_other_readings(
    subject: Subject, territory: Territory | None, on: dt.date, situation: Situation, kind: str, outside: str | None
) -> Obligation:
    decided = _decide(subject, territory, on, situation, kind, outside)
    if decided.basis in ("article_127_2", "former_party") and territory is not None:
        contested = next((c for c in situation.contested_127_2 if c.state == territory.sovereign), None)
        if contested is not None:
            return _contested(decided, contested, territory, on)
    if territory is None or territory.alternative is None or decided.basis == "no_warrant":
        return decided
    reading = territory.alternative
    other = _decide(subject, apply_reading(territory, reading), on, situation, kind)
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
    dispute = Dispute(law.alternative_level, basis[law.alternative_level], other_reason, law.why_chosen, law.sources)
    return Obligation(
        law.level,
        basis[law.level],
        (*reasons, note),
        tuple(dict.fromkeys([*law.sources, *side_sources, *territory.sources_on(on)])),
        law.confidence,
        dispute,
    )


def apply_reading(territory: Territory, reading: Reading) -> Territory:
    """The territory as the other reading has it."""
    return territory._replace(**dict(reading.changes), alternative=None)


def _decide(
    subject: Subject,
    territory: Territory | None,
    on: dt.date,
    situation: Situation,
    kind: str,
    outside: str | None = None,
) -> Obligation:
    in_effect, warrant_reason = warrant_in_effect(subject, on)
    if not in_effect:
        return Obligation(NONE, "no_warrant", (warrant_reason,), subject.sources[:1])
    if territory is None:
        return Obligation(NONE, "no_territory", (warrant_reason, outside or HIGH_SEAS))
    context = _context(subject, territory, kind, on)
    for rule in (_state_party, _unsc_referral, _article_12_3, _former_party):
        decided = rule(subject, territory, on, situation)
        if decided is not None:
            level, basis, reasons, sources = decided
            extra = context if level != NONE else _context(subject, territory, "visit", on, immunity=False)
            return Obligation(
                level,
                basis,
                (warrant_reason, *reasons, *extra),
                _sources(sources, subject, on, level),
                announced_confidence(territory, on, territory.confidence_on(on))
                if basis in TERRITORY_BASES
                else "high",
            )
    return _no_obligation(subject, territory, on, situation, warrant_reason)


# Bases decided by the territory's own treaty facts (their confidence is the answer's).
TERRITORY_BASES = frozenset({"state_party", "article_127_2", "former_party", "non_party", "application_unknown"})


Decision = tuple[str, str, list[str], list[str]]


def _state_party(subject: Subject, territory: Territory, on: dt.date, situation: Situation) -> Decision | None:
    if not statute_in_force(territory, on):
        return None
    reasons = [
        f"{_where(territory)} has had the Rome Statute in force since {territory.entry_into_force} "
        "(Art. 126): States Parties must arrest and surrender persons sought by the Court (Arts. 86, 89)."
    ]
    if territory.application in ("integral", "extended"):
        reasons.append(f"The ratification by {territory.sovereign} applies to {territory.name}: {territory.reason}")
    notified, revoked = territory.withdrawal_notified, territory.withdrawal_revoked
    if notified and notified <= on and not (revoked and revoked <= on):
        takes_effect = territory.withdrawal_effective or _one_year_after(notified)
        reasons.append(
            f"A withdrawal was notified on {notified}; it takes effect on {takes_effect} "
            "and does not affect obligations before then (Art. 127(1))."
        )
    elif notified and revoked and revoked <= on:
        reasons.append(f"A withdrawal notified on {notified} was revoked on {revoked} and never took effect.")
    elif (announced := territory.withdrawal_announced) and not notified and announced <= on:
        reasons.append(announced_reason(territory, on))
    reasons.extend(_record_reason(territory, on))
    return ARREST, "state_party", reasons, list(territory.sources_on(on))


def announced_reason(territory: Territory, on: dt.date) -> str:
    """A withdrawal announced but not notified: the state stays a party; a notification received
    since would take effect one year after its receipt (Art. 127(1))."""
    announced = territory.withdrawal_announced
    text = (
        f"{territory.name} announced its withdrawal on {announced}, but no written notification to the UN "
        "Secretary-General is on record; an announcement has no legal effect, and a notification takes effect "
        "only one year after it is received (Art. 127(1))."
    )
    if announced and on >= _one_year_after(announced):
        text += (
            f" A notification received on or before {_one_year_after_back(on)} would have taken effect by "
            f"{on}: check the depositary's record."
        )
    return text


def announced_confidence(territory: Territory, on: dt.date, confidence: str) -> str:
    """Once a notification made after the announcement could have taken effect, an answer that the
    state is still a party is no more than medium confidence."""
    announced = territory.withdrawal_announced
    if announced and not territory.withdrawal_notified and on >= _one_year_after(announced):
        return _lower(confidence, "medium")
    return confidence


def _one_year_after_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _one_year_after(day: dt.date) -> dt.date:
    """Art. 127(1): a withdrawal takes effect one year after the notification is received."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _unsc_referral(subject: Subject, territory: Territory, on: dt.date, situation: Situation) -> Decision | None:
    referral = situation.unsc_referral
    if referral is None or on < referral.date or territory.sovereign not in referral.states_bound:
        return None
    reasons = [
        f"UN Security Council resolution {referral.resolution} of {referral.date} referred the "
        f"{situation.name} to the Court and obliges {territory.name} to cooperate fully, including by "
        "arresting and surrendering suspects."
    ]
    return ARREST, "unsc_referral", reasons, list(situation.sources)


def _article_12_3(subject: Subject, territory: Territory, on: dt.date, situation: Situation) -> Decision | None:
    declarations = [d for d in situation.article_12_3 if d.state == territory.sovereign and d.lodged <= on]
    if not declarations:
        return None
    latest = max(declarations, key=lambda d: d.lodged)
    period = f"from {latest.period_from}" if latest.period_from else "for the situation"
    if latest.period_to:
        period += f" to {latest.period_to}"
    reasons = [
        f"{territory.name} lodged an Article 12(3) declaration on {latest.lodged} accepting the Court's "
        f"jurisdiction {period}; it must cooperate without delay or exception under Part 9, arrest included."
    ]
    return ARREST, "article_12_3", reasons, list(situation.sources)


def _former_party(subject: Subject, territory: Territory, on: dt.date, situation: Situation) -> Decision | None:
    """Art. 127(2): withdrawal does not discharge cooperation in matters begun before it took effect."""
    left = territory.withdrawal_effective
    if left is None or left > on:
        return None
    opened = situation.investigation_opened
    if opened is not None and opened < left:
        reasons = [
            f"{territory.name} left the Rome Statute on {left}, but the investigation in the "
            f"{situation.name} opened on {opened}, before that: under Art. 127(2) its duty to cooperate in "
            "investigations and proceedings begun before the withdrawal continues.",
            "Whether that duty extends to arresting a suspect after withdrawal is contested; no chamber has "
            "ruled on it for arrest.",
        ]
        return (
            CONTINUING,
            "article_127_2",
            [*reasons, *_record_reason(territory, on)],
            [*territory.sources_on(on), *situation.sources],
        )
    reasons = [
        f"{territory.name} left the Rome Statute on {left}; the investigation in the {situation.name} "
        f"{'opened on ' + str(opened) if opened else 'has no recorded opening date'}, after the withdrawal took effect, "
        "so Art. 127(2) keeps no duty to cooperate in it."
    ]
    return NONE, "former_party", [*reasons, *_record_reason(territory, on)], list(territory.sources_on(on))


def _no_obligation(
    subject: Subject, territory: Territory, on: dt.date, situation: Situation, warrant_reason: str
) -> Obligation:
    if territory.application == "unknown":
        reasons = [
            warrant_reason,
            f"It is not established whether the ratification by {territory.sovereign} extends to "
            f"{territory.name}; treat the obligation as unconfirmed. {territory.reason}",
        ]
        return Obligation(
            NONE,
            "application_unknown",
            (*reasons, *_status_notes(territory)),
            territory.sources_on(on),
            territory.confidence_on(on),
        )
    reasons = [warrant_reason]
    if territory.application == "not_extended":
        reasons.append(not_extended_reason(territory))
        reasons.extend(_record_reason(territory, on))
    elif territory.application == "excluded" or (territory.application == "extended" and territory.entry_into_force):
        reasons.append(f"The ratification by {territory.sovereign} did not apply to {territory.name} on {on}.")
        reasons.extend(_record_reason(territory, on))
    elif territory.entry_into_force and territory.entry_into_force > on:
        reasons.append(
            f"{territory.name} was not yet a State Party on {on}: the Statute entered into force for it on "
            f"{territory.entry_into_force} (Art. 126)."
        )
    else:
        reasons.append(f"{territory.name} was not a State Party to the Rome Statute on {on}.")
    referral = situation.unsc_referral
    if referral and on >= referral.date:
        reasons.append(
            f"Resolution {referral.resolution} binds only {', '.join(referral.states_bound)}; it urges other "
            "states to cooperate but creates no obligation for them."
        )
    reasons.extend(_status_notes(territory))
    sources = [*territory.sources_on(on), TREATY_STATUS]
    if referral:
        sources += situation.sources
    return Obligation(NONE, "non_party", tuple(reasons), tuple(dict.fromkeys(sources)), territory.confidence_on(on))


def not_extended_reason(territory: Territory) -> str:
    """One rule for every territory left out of a ratification that its sovereign extends to its
    dependencies by notice: absent from every extension notified, the Statute does not apply there,
    whatever the territory's own legislation prepares for."""
    return (
        f"{territory.sovereign}'s ratification reaches its dependencies only where it has notified the UN "
        f"Secretary-General that it extends to them; no extension on record names {territory.name}, so the "
        "Statute does not apply there (legislation a territory passes in preparation does not extend the treaty)."
    )


def _context(subject: Subject, territory: Territory, kind: str, on: dt.date, *, immunity: bool = True) -> list[str]:
    notes = _status_notes(territory)
    if kind == "transit":
        notes.append("An airside transit stop is still on the state's territory: the same obligation applies.")
    if immunity and (note := immunity_note(subject, on)):
        notes.append(note)
    return notes


def immunity_rulings(subject: Subject, on: dt.date) -> list[Ruling]:
    """Rulings on the office the subject held on the date, decided on or before it."""
    office = subject.office_on(on)
    if office is None:
        return []
    found = [r for r in subject.immunity_rulings if r.office == office.kind and r.date <= on]
    return sorted(found, key=lambda r: r.date)


def immunity_note(subject: Subject, on: dt.date) -> str | None:
    rulings = immunity_rulings(subject, on)
    office = subject.office_on(on)
    if office is None or not rulings:
        return None
    latest = rulings[-CITED_RULINGS:]
    cited = "; ".join(f"{r.body} ({r.state}, {r.date})" for r in latest)
    if len(rulings) > len(latest):
        cited += f"; and {len(rulings) - len(latest)} earlier decision{'s' if len(rulings) - len(latest) > 1 else ''}"
    return (
        f"On {on} {subject.name} held office as {office.title}. The Court has ruled that immunity claimed for "
        f"{OFFICE_NAMES[office.kind]} does not relieve a State Party of the duty to arrest: {cited}."
    )


def _record_reason(territory: Territory, on: dt.date) -> list[str]:
    """The record's own explanation, written for readers, where it bears on the answer: always for
    a dependency's application (quoted by the caller), for a state once a withdrawal is notified."""
    if territory.reason is None or territory.application in ("integral", "extended"):
        return []
    if territory.kind == "dependency" or (territory.withdrawal_notified and territory.withdrawal_notified <= on):
        return [territory.reason]
    return []


def _status_notes(territory: Territory) -> list[str]:
    return [territory.control_note] if territory.control_note else []


def _where(territory: Territory) -> str:
    if territory.territory:
        return f"{territory.name}, whose territory includes {territory.territory},"
    return territory.name


def _sources(sources: list[Source], subject: Subject, on: dt.date, level: str) -> Sources:
    rulings = immunity_rulings(subject, on)[-CITED_RULINGS:] if level != NONE else []
    return tuple(dict.fromkeys([*sources, *subject.sources[:1], *(r.sources[0] for r in rulings)]))
