"""The words the data, the rules and the outputs share, defined once.

Each is a `StrEnum`: members compare and serialise as their text, so records and JSON keep plain
strings while code names them (`Level.ARREST`), and a validator or a `--choice` lists them from
here. Adding a value is one line, and every check that enumerates them follows.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """What a stop obliges a state to do, strongest first."""

    ARREST = "arrest"
    CONTINUING = "continuing"  # a former party's Art. 127(2) duty
    OVERFLIGHT = "overflight"  # legs only: a landing would oblige
    NONE = "none"


class Basis(StrEnum):
    """Why: the rule that decided the level (law.py applies them in this order)."""

    NO_WARRANT = "no_warrant"
    STATE_PARTY = "state_party"
    UNSC_REFERRAL = "unsc_referral"
    ARTICLE_12_3 = "article_12_3"
    ARTICLE_127_2 = "article_127_2"
    FORMER_PARTY = "former_party"
    NON_PARTY = "non_party"
    NO_TERRITORY = "no_territory"
    APPLICATION_UNKNOWN = "application_unknown"


class Confidence(StrEnum):
    """How far a fact can be relied on, strongest first (a source's tier caps it)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Tier(StrEnum):
    """What kind of source a URL is, strongest first (data/sources.yaml classes every host)."""

    DEPOSITARY = "depositary"
    COURT = "court"
    UN = "un"
    GOVERNMENT = "government"
    NGO = "ngo"
    NEWS = "news"
    AGGREGATOR = "aggregator"


class StopKind(StrEnum):
    VISIT = "visit"
    TRANSIT = "transit"  # an airside stop is still on the state's territory


class SubjectStatus(StrEnum):
    AT_LARGE = "at_large"
    IN_CUSTODY = "in_custody"
    DECEASED = "deceased"
    WITHDRAWN = "withdrawn"
    CONVICTED = "convicted"
    ACQUITTED = "acquitted"
    RELEASED = "released"
    APPLICATION_PENDING = "application_pending"


class Outcome(StrEnum):
    """What happened in a recorded episode."""

    NOT_ARRESTED = "not_arrested"
    ARRESTED = "arrested"
    SURRENDERED = "surrendered"
    ARRESTED_RELEASED = "arrested_released"
    VISIT_CANCELLED = "visit_cancelled"
    OVERFLIGHT = "overflight"
    VOLUNTARY_SURRENDER = "voluntary_surrender"


class Application(StrEnum):
    """How a sovereign's ratification reaches one of its territories."""

    INTEGRAL = "integral"
    EXTENDED = "extended"
    EXCLUDED = "excluded"
    NOT_EXTENDED = "not_extended"  # absent from every extension its sovereign notified
    UNKNOWN = "unknown"


class OfficeKind(StrEnum):
    HEAD_OF_STATE = "head_of_state"
    HEAD_OF_GOVERNMENT = "head_of_government"
    MINISTER = "minister"


class TerritoryKind(StrEnum):
    STATE = "state"
    DEPENDENCY = "dependency"
    AREA = "area"  # a sub-area drawn apart (Crimea, East Jerusalem, ...)


def values(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    """The plain texts, in definition order (for click choices and messages)."""
    return tuple(member.value for member in vocabulary)
