"""Whether a warrant is in effect on a date: issued (or possibly issued under seal), executed,
ended, or formally in effect despite a death the Court has not confirmed, with the other reading
where the record leaves it open.
"""

from __future__ import annotations

import datetime as dt

from icc_travel.data.models import (
    Subject,
    Warrant,
)
from icc_travel.law.answers import NONE, Dispute

# Statuses after which no warrant remains to be executed, from status_date on.
ENDED = {
    "in_custody": "in the Court's custody since {date}: the warrant has been executed",
    "convicted": "convicted on {date}: the warrant was executed",
    "acquitted": "acquitted on {date}: the warrant was executed",
    "released": "released on {date} after the proceedings ended",
    "deceased": "died on {date}",  # used only once the Court has ended the proceedings
    "withdrawn": "the warrant was withdrawn or the case ended on {date}",
}


def first_warrant(subject: Subject) -> dt.date | None:
    """The earliest date by which a warrant certainly existed: its issue date, else the latest day
    the Court says it was issued under seal by, else the day it was made public."""
    dates = [w.latest_issue for w in subject.warrants]
    return min((d for d in dates if d), default=None)


def _first_issue(subject: Subject) -> str:
    """When the first warrant was issued, as the record knows it."""
    first = min(
        (w for w in subject.warrants if w.latest_issue),
        key=lambda w: w.latest_issue or dt.date.max,
    )
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
            return (
                False,
                f"No warrant has been issued for {subject.name}: the Prosecutor's application is pending.",
            )
        return False, f"No warrant is on record for {subject.name}."
    if on < first:
        window = _sealed_window(subject, on)
        if window is None:
            return (
                False,
                f"No warrant had been issued for {subject.name} by {on} ({_first_issue(subject)}).",
            )
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
    return (
        True,
        f"An ICC arrest warrant for {subject.name} was in effect on {on}{note}.",
    )


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


def issue_unknown(subject: Subject, on: dt.date) -> bool:
    """Whether a 'no warrant' answer rests on an issue date the Court has not given."""
    first = first_warrant(subject)
    return first is not None and on < first and _sealed_window(subject, on) is not None
