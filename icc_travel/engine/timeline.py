"""A state's dated events with their evidence: what `icc-travel state` prints.

Pure: gathers what the dataset already holds about one state (its membership dates and their
other reading, announcements and other recorded events, extensions to its territories, Security
Council referrals and Art. 12(3) declarations that bind it, court rulings about it, precedents and
findings on its territory) into one list, oldest first.
"""

from __future__ import annotations

import datetime as dt

from icc_travel.data.models import Dataset, Event, Territory
from icc_travel.data.sources import confidence

MEMBERSHIP_EVENTS = {
    "signed": "signed the Rome Statute",
    "deposited": "deposited its instrument of ratification or accession with the UN Secretary-General",
    "entry_into_force": "became a State Party as the Statute entered into force for it (Art. 126)",
    "withdrawal_notified": "notified its withdrawal to the UN Secretary-General (Art. 127(1))",
    "withdrawal_revoked": "revoked its notified withdrawal, which therefore never takes effect",
    "withdrawal_effective": "left the Statute as its withdrawal took effect (Art. 127(2) keeps matters begun before)",
}

# The fact each membership date belongs to (Territory.evidence binds sources to facts).
FACT_OF = {
    "signed": "entry_into_force",
    "deposited": "entry_into_force",
    "entry_into_force": "entry_into_force",
    "withdrawal_notified": "withdrawal",
    "withdrawal_revoked": "revocation",
    "withdrawal_effective": "withdrawal",
}


def state_timeline(dataset: Dataset, state: Territory) -> list[Event]:
    """Every dated event recorded for a state, oldest first."""
    iso3, name = state.iso3, state.name
    disputed = {field for field, _ in state.alternative.changes} if state.alternative else set()

    def membership_confidence(field: str, day: dt.date) -> str:
        if state.alternative is not None:  # the dispute is about the fields the other reading changes
            return state.confidence if field in disputed else state.sourced_confidence
        return state.confidence_on(day)

    def membership_event(field: str, day: dt.date, text: str) -> Event:
        """Each date with the sources bound to its fact, where the record binds them."""
        bound = state.bound(FACT_OF[field])
        if bound is not None:
            return Event(day, field, f"{name} {text}", bound.sources, bound.confidence)
        return Event(day, field, f"{name} {text}", state.sources, membership_confidence(field, day))

    events = [
        membership_event(field, day, text)
        for field, text in MEMBERSHIP_EVENTS.items()
        if (day := getattr(state, field)) is not None
    ]
    if state.alternative is not None:
        for field, value in state.alternative.changes:
            if isinstance(value, dt.date) and field in MEMBERSHIP_EVENTS:
                text = (
                    f"On another reading of the sources, {name} {MEMBERSHIP_EVENTS[field]}. {state.alternative.reason}"
                )
                events.append(Event(value, f"disputed_{field}", text, state.alternative.sources, "low"))
    events += dataset.state_events.get(iso3, [])
    for territory in dataset.territories:
        extended = territory.kind == "dependency" and territory.application == "extended"
        if territory.sovereign == iso3 and extended and territory.entry_into_force:
            text = f"{name}'s ratification was extended to {territory.name}: {territory.reason}"
            applied = territory.bound("application")
            cited, sure = (
                (applied.sources, applied.confidence) if applied else (territory.sources, territory.confidence)
            )
            events.append(Event(territory.entry_into_force, "extension", text, cited, sure))
    for situation in dataset.situations.values():
        referral = situation.unsc_referral
        if referral and iso3 in referral.states_bound:
            text = f"Security Council resolution {referral.resolution} referred the {situation.name} and binds {name} to cooperate"
            events.append(Event(referral.date, "unsc_referral", text, situation.sources, confidence(situation.sources)))
        for declaration in situation.article_12_3:
            if declaration.state == iso3:
                text = f"{name} lodged an Art. 12(3) declaration accepting the Court's jurisdiction ({situation.name})"
                events.append(
                    Event(
                        declaration.lodged,
                        "article_12_3",
                        text,
                        situation.sources,
                        confidence(situation.sources),
                    )
                )
        for contested in situation.contested_127_2:
            if contested.state == iso3:
                for ruling in contested.rulings:
                    text = f"{ruling.body} ({situation.name}): {ruling.holding}"
                    events.append(Event(ruling.date, "ruling", text, ruling.sources, confidence(ruling.sources)))
    seen_rulings = set()
    for subject in dataset.subjects:
        for ruling in subject.immunity_rulings:
            if ruling.state == name and ruling not in seen_rulings:
                seen_rulings.add(ruling)
                text = f"{ruling.body}: {ruling.holding}"
                events.append(Event(ruling.date, "ruling", text, ruling.sources, confidence(ruling.sources)))
    for precedent in dataset.precedents_in(iso3):
        subject = dataset.subject(precedent.subject)
        text = f"{subject.name}: {precedent.event} ({precedent.outcome.replace('_', ' ')})"
        events.append(Event(precedent.start, "precedent", text, precedent.sources, precedent.confidence))
        finding = precedent.finding
        if finding is not None and finding.date is not None:
            what = " ".join(x for x in (finding.body, finding.result, finding.number) if x)
            text = f"finding on {subject.name}'s visit: {what}" + (
                f" (referred: {finding.referral})" if finding.referral else ""
            )
            sources = finding.sources or precedent.sources
            weakest = max(finding.confidence, precedent.confidence, key=("high", "medium", "low").index)
            events.append(Event(finding.date, "finding", text, sources, weakest))
    return sorted(
        events, key=lambda e: (e.date, list(MEMBERSHIP_EVENTS).index(e.kind) if e.kind in MEMBERSHIP_EVENTS else 9)
    )


def state_status(state: Territory, on: dt.date) -> str:
    """One word for where a state stands on a date: party, withdrawing, former, not_yet, never."""
    if state.entry_into_force is None:
        return "never"
    if state.entry_into_force > on:
        return "not_yet"
    if state.withdrawal_effective is not None and state.withdrawal_effective <= on:
        return "former"
    notified, revoked = state.withdrawal_notified, state.withdrawal_revoked
    if notified is not None and notified <= on and not (revoked is not None and revoked <= on):
        return "withdrawing"
    return "party"
