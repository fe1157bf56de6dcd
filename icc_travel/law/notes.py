"""The texts answers quote, written for readers: the high seas, Antarctica, overflight, announced
withdrawals, territories left out of a ratification, immunity rulings; and which sources an
answer cites besides the facts' own.
"""

from __future__ import annotations

import datetime as dt

from icc_travel.data.models import (
    Ruling,
    Source,
    Sources,
    Subject,
    Territory,
)
from icc_travel.law.answers import NONE, lower_confidence
from icc_travel.vocabulary import Tier

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
OVERFLIGHT_REASON = (
    "Flying over a state's territory creates no duty to arrest, but an emergency or forced landing "
    "there would bring the aircraft's passengers within that state's obligation."
)


def outside_note(antarctic: bool) -> str | None:
    """What to say about a point in no state's territory: in the Antarctic Treaty area it is
    Antarctica, not the high seas (None: the law's own high-seas reason)."""
    return ANTARCTICA if antarctic else None


def announced_reason(territory: Territory, on: dt.date) -> str:
    """A withdrawal announced but not notified: the state stays a party; a notification received
    since would take effect one year after its receipt (Art. 127(1))."""
    announced = territory.withdrawal_announced
    text = (
        f"{territory.name} announced its withdrawal on {announced}, but no written notification to the UN "
        "Secretary-General is on record; an announcement has no legal effect, and a notification takes effect "
        "only one year after it is received (Art. 127(1))."
    )
    if announced and on >= one_year_after(announced):
        text += (
            f" A notification received on or before {one_year_before(on)} would have taken effect by "
            f"{on}: check the depositary's record."
        )
    return text


def announced_confidence(territory: Territory, on: dt.date, confidence: str) -> str:
    """Once a notification made after the announcement could have taken effect, an answer that the
    state is still a party is no more than medium confidence."""
    announced = territory.withdrawal_announced
    if announced and not territory.withdrawal_notified and on >= one_year_after(announced):
        return lower_confidence(confidence, "medium")
    return confidence


def one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def one_year_after(day: dt.date) -> dt.date:
    """Art. 127(1): a withdrawal takes effect one year after the notification is received."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def not_extended_reason(territory: Territory) -> str:
    """One rule for every territory left out of a ratification that its sovereign extends to its
    dependencies by notice: absent from every extension notified, the Statute does not apply there,
    whatever the territory's own legislation prepares for."""
    return (
        f"{territory.sovereign}'s ratification reaches its dependencies only where it has notified the UN "
        f"Secretary-General that it extends to them; no extension on record names {territory.name}, so the "
        "Statute does not apply there (legislation a territory passes in preparation does not extend the treaty)."
    )


def context_notes(
    subject: Subject,
    territory: Territory,
    kind: str,
    on: dt.date,
    *,
    immunity: bool = True,
) -> list[str]:
    notes = status_notes(territory)
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


def record_reason(territory: Territory, on: dt.date) -> list[str]:
    """The record's own explanation, written for readers, where it bears on the answer: always for
    a dependency's application (quoted by the caller), for a state once a withdrawal is notified."""
    if territory.reason is None or territory.application in ("integral", "extended"):
        return []
    if territory.kind == "dependency" or (territory.withdrawal_notified and territory.withdrawal_notified <= on):
        return [territory.reason]
    return []


def status_notes(territory: Territory) -> list[str]:
    return [territory.control_note] if territory.control_note else []


def where(territory: Territory) -> str:
    if territory.territory:
        return f"{territory.name}, whose territory includes {territory.territory},"
    return territory.name


def cited_sources(sources: list[Source], subject: Subject, on: dt.date, level: str) -> Sources:
    rulings = immunity_rulings(subject, on)[-CITED_RULINGS:] if level != NONE else []
    return tuple(dict.fromkeys([*sources, *subject.sources[:1], *(r.sources[0] for r in rulings)]))
