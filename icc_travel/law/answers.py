"""What an answer is: the levels and bases, the Obligation decided for a stop, the Dispute
attached where another reading of the facts would answer otherwise, and the Decision of one rule.
"""

from __future__ import annotations

from typing import NamedTuple

from icc_travel.data.models import (
    Reading,
    Source,
    Sources,
    Territory,
)
from icc_travel.vocabulary import Basis, Level, StopKind, values

ARREST, CONTINUING, OVERFLIGHT, NONE = Level.ARREST, Level.CONTINUING, Level.OVERFLIGHT, Level.NONE
LEVELS = values(Level)
LEVEL_RANK = {NONE: 0, OVERFLIGHT: 1, CONTINUING: 2, ARREST: 3}
BASES = values(Basis)
KINDS = values(StopKind)


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


def level_rank(level: str) -> int:
    return LEVEL_RANK[level]


def reaches(level: str, threshold: str) -> bool:
    """Whether a level is at or above a --fail-on threshold ('never' is never reached)."""
    return threshold != "never" and LEVEL_RANK[level] >= LEVEL_RANK[threshold]


def lower_confidence(confidence: str, cap: str) -> str:
    order = ("high", "medium", "low")
    return max(confidence, cap, key=order.index)


def apply_reading(territory: Territory, reading: Reading) -> Territory:
    """The territory as the other reading has it."""
    return territory._replace(**dict(reading.changes), alternative=None)


# Bases decided by the territory's own treaty facts (their confidence is the answer's).
TERRITORY_BASES = frozenset({"state_party", "article_127_2", "former_party", "non_party", "application_unknown"})


class Decision(NamedTuple):
    """What one rule decided: the level, its basis, the reasons for readers and the sources they
    rest on (the caller adds the warrant's reason, the context and the confidence)."""

    level: str
    basis: str
    reasons: list[str]
    sources: list[Source]
