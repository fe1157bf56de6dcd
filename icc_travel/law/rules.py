"""The rules, each deciding one basis on one reading of the facts: state party (Arts. 86, 89,
126, 127(1)), UNSC referral, Art. 12(3) declaration, former party (Art. 127(2)), and no obligation.
"""

from __future__ import annotations

import datetime as dt

from icc_travel.data.models import (
    Situation,
    Subject,
    Territory,
)
from icc_travel.law.answers import (
    ARREST,
    CONTINUING,
    NONE,
    TERRITORY_BASES,
    Decision,
    Obligation,
)
from icc_travel.law.notes import (
    HIGH_SEAS,
    TREATY_STATUS,
    announced_confidence,
    announced_reason,
    cited_sources,
    context_notes,
    not_extended_reason,
    one_year_after,
    record_reason,
    status_notes,
    where,
)
from icc_travel.law.warrants import warrant_in_effect


def statute_in_force(territory: Territory, on: dt.date) -> bool:
    """Art. 126 entry into force, Art. 127(1) withdrawal one year after notification."""
    if territory.entry_into_force is None or territory.entry_into_force > on:
        return False
    return territory.withdrawal_effective is None or territory.withdrawal_effective > on


def held(territory: Territory, on: dt.date) -> bool:
    """Whether the territory is its state's on the date on the recorded reading (an area held
    from a date, or only claimed, is not)."""
    rule = territory.standing
    return rule is None or (rule.held and (rule.held_from is None or on >= rule.held_from))


def decide(
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
    context = context_notes(subject, territory, kind, on)
    for rule in (_state_party, _unsc_referral, _article_12_3, _former_party):
        decided = rule(subject, territory, on, situation)
        if decided is not None:
            level, basis, reasons, sources = decided
            extra = context if level != NONE else context_notes(subject, territory, "visit", on, immunity=False)
            return Obligation(
                level,
                basis,
                (warrant_reason, *reasons, *extra),
                cited_sources(sources, subject, on, level),
                announced_confidence(territory, on, territory.confidence_on(on))
                if basis in TERRITORY_BASES
                else "high",
            )
    return _no_obligation(subject, territory, on, situation, warrant_reason)


def _state_party(subject: Subject, territory: Territory, on: dt.date, situation: Situation) -> Decision | None:
    if not statute_in_force(territory, on):
        return None
    reasons = [
        f"{where(territory)} has had the Rome Statute in force since {territory.entry_into_force} "
        "(Art. 126): States Parties must arrest and surrender persons sought by the Court (Arts. 86, 89)."
    ]
    if territory.application in ("integral", "extended"):
        reasons.append(f"The ratification by {territory.sovereign} applies to {territory.name}: {territory.reason}")
    notified, revoked = territory.withdrawal_notified, territory.withdrawal_revoked
    if notified and notified <= on and not (revoked and revoked <= on):
        takes_effect = territory.withdrawal_effective or one_year_after(notified)
        reasons.append(
            f"A withdrawal was notified on {notified}; it takes effect on {takes_effect} "
            "and does not affect obligations before then (Art. 127(1))."
        )
    elif notified and revoked and revoked <= on:
        reasons.append(f"A withdrawal notified on {notified} was revoked on {revoked} and never took effect.")
    elif (announced := territory.withdrawal_announced) and not notified and announced <= on:
        reasons.append(announced_reason(territory, on))
    reasons.extend(record_reason(territory, on))
    return Decision(ARREST, "state_party", reasons, list(territory.sources_on(on)))


def _unsc_referral(subject: Subject, territory: Territory, on: dt.date, situation: Situation) -> Decision | None:
    referral = situation.unsc_referral
    if referral is None or on < referral.date or territory.sovereign not in referral.states_bound:
        return None
    reasons = [
        f"UN Security Council resolution {referral.resolution} of {referral.date} referred the "
        f"{situation.name} to the Court and obliges {territory.name} to cooperate fully, including by "
        "arresting and surrendering suspects."
    ]
    return Decision(ARREST, "unsc_referral", reasons, list(situation.sources))


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
    return Decision(ARREST, "article_12_3", reasons, list(situation.sources))


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
        return Decision(
            CONTINUING,
            "article_127_2",
            [*reasons, *record_reason(territory, on)],
            [*territory.sources_on(on), *situation.sources],
        )
    reasons = [
        f"{territory.name} left the Rome Statute on {left}; the investigation in the {situation.name} "
        f"{'opened on ' + str(opened) if opened else 'has no recorded opening date'}, after the withdrawal took effect, "
        "so Art. 127(2) keeps no duty to cooperate in it."
    ]
    return Decision(
        NONE,
        "former_party",
        [*reasons, *record_reason(territory, on)],
        list(territory.sources_on(on)),
    )


def _no_obligation(
    subject: Subject,
    territory: Territory,
    on: dt.date,
    situation: Situation,
    warrant_reason: str,
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
            (*reasons, *status_notes(territory)),
            territory.sources_on(on),
            territory.confidence_on(on),
        )
    reasons = [warrant_reason]
    if territory.application == "not_extended":
        reasons.append(not_extended_reason(territory))
        reasons.extend(record_reason(territory, on))
    elif territory.application == "excluded" or (territory.application == "extended" and territory.entry_into_force):
        reasons.append(f"The ratification by {territory.sovereign} did not apply to {territory.name} on {on}.")
        reasons.extend(record_reason(territory, on))
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
    reasons.extend(status_notes(territory))
    sources = [*territory.sources_on(on), TREATY_STATUS]
    if referral:
        sources += situation.sources
    return Obligation(
        NONE,
        "non_party",
        tuple(reasons),
        tuple(dict.fromkeys(sources)),
        territory.confidence_on(on),
    )
