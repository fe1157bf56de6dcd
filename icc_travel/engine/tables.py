"""Country-obligation tables and profiles: the law applied across territories and subjects."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from icc_travel import law
from icc_travel.data.models import Dataset, Precedent, Subject, Territory


@dataclass(frozen=True)
class MatrixRow:
    territory: Territory
    obligations: dict[str, law.Obligation]  # subject id -> obligation
    precedents: int


def subjects_at_large(dataset: Dataset, on: dt.date) -> list[Subject]:
    """Subjects with a warrant in effect on the date (not yet in custody, dead or withdrawn)."""
    return [s for s in dataset.subjects if law.warrant_in_effect(s, on)[0]]


def obligation_matrix(
    dataset: Dataset, subjects: Sequence[Subject], on: dt.date, *, parties_only: bool = False
) -> list[MatrixRow]:
    counts = Counter(p.state for p in dataset.precedents)
    rows = []
    for territory in sorted(dataset.territories, key=lambda t: (t.label.casefold(), t.iso3)):
        if parties_only and not (law.statute_in_force(territory, on) and law.held(territory, on)):
            continue
        obligations = {s.id: law.obligation(s, territory, on, dataset.situations[s.situation]) for s in subjects}
        rows.append(MatrixRow(territory, obligations, counts.get(territory.iso3, 0)))
    return rows


def parties_in_force(dataset: Dataset, on: dt.date) -> list[Territory]:
    """States (not dependencies or sub-areas) with the Statute in force on the date, by name."""
    states = [
        t for t in dataset.territories if t.territory is None and t.iso3 == t.sovereign and law.statute_in_force(t, on)
    ]
    return sorted(states, key=lambda t: t.name.casefold())


def states_ever_parties(dataset: Dataset) -> list[Territory]:
    """States (not dependencies or sub-areas) that are, were or will be parties, by name."""
    states = [
        t
        for t in dataset.territories
        if t.territory is None and t.iso3 == t.sovereign and (t.entry_into_force or t.deposited)
    ]
    return sorted(states, key=lambda t: t.name.casefold())


def territories_with_obligation(dataset: Dataset, subject: Subject, on: dt.date) -> dict[str, int]:
    """How many territories carry each level for the subject on the date."""
    situation = dataset.situations[subject.situation]
    levels = Counter(law.obligation(subject, t, on, situation).level for t in dataset.territories)
    return {level: levels.get(level, 0) for level in law.LEVELS}


def find_precedents(
    dataset: Dataset, *, subject: str | None = None, state: str | None = None, outcome: str | None = None
) -> list[Precedent]:
    found = [
        p
        for p in dataset.precedents
        if (subject is None or p.subject == subject)
        and (state is None or p.state == state)
        and (outcome is None or p.outcome == outcome)
    ]
    return sorted(found, key=lambda p: (p.start, p.id), reverse=True)


def territory_levels(dataset: Dataset, subject: Subject, on: dt.date) -> list[str]:
    """The level a stop in each territory would carry on the date, in the dataset's order: what a
    map colours (geo draws, the engine decides)."""
    situation = dataset.situations[subject.situation]
    return [law.obligation(subject, territory, on, situation).level for territory in dataset.territories]


def why_no_obligation(subject: Subject, on: dt.date, levels: Sequence[str]) -> str | None:
    """When no territory has an obligation, say why: a map of one colour explains nothing."""
    if any(level != law.NONE for level in levels):
        return None
    in_effect, reason = law.warrant_in_effect(subject, on)
    if not in_effect:
        return f"No territory has an obligation: {reason}"
    return f"No territory has an obligation on {on}: no state is bound to execute this warrant then."
