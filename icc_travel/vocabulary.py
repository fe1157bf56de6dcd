"""The words the data, the rules and the outputs share, defined once.

Each is a `StrEnum`: members compare and serialise as their text, so records and JSON keep plain
strings while code names them (`Level.ARREST`), and a validator or a `--choice` lists them from
here. Adding a value is one line, and every check that enumerates them follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum
from typing import NamedTuple


class Level(StrEnum):
    """What a stop obliges a state to do, strongest first."""

    ARREST = "arrest"
    CONTINUING = "continuing"  # a former party's Art. 127(2) duty
    OVERFLIGHT = "overflight"  # legs only: a landing would oblige
    NONE = "none"

    @classmethod
    def worst(cls, levels: Iterable[str]) -> Level:
        """The strongest of some levels (`none` when there are none): what a trip, a track or a
        batch amounts to, and what `--fail-on` compares."""
        found = set(levels)  # members hash and compare as their text: no member made per level
        if not found.issubset(cls._value2member_map_):
            found = {cls(level) for level in found}  # names the value that is no level
        for level in _STRONGEST_FIRST:  # a tuple: iterating the enum class costs more than the test
            if level in found:
                return level
        return cls.NONE


_STRONGEST_FIRST = tuple(Level)


class LevelLook(NamedTuple):
    """How a level is shown, the same in every output: words beside the colour (colour alone
    tells nothing to a colour-blind reader or on a black-and-white printout)."""

    words: str  # the page's legend and lead, after the level's name
    label: str  # a map's legend
    colour: str  # the territory's fill on maps and the page
    track_colour: str  # a recorded track's line over such a territory
    style: str  # rich style on a terminal


LEVEL_LOOKS = {
    Level.ARREST: LevelLook("obligation to arrest", "Obligation to arrest", "#c0392b", "#7b0000", "bold red"),
    Level.CONTINUING: LevelLook(
        "continuing duty (former party, Art. 127(2))",
        "Continuing duty (former party, Art. 127(2))",
        "#f39c12",
        "#b35900",
        "yellow",
    ),
    Level.OVERFLIGHT: LevelLook(
        "overflight: a landing there would oblige",
        "Overflight: a landing would oblige",
        "#6a1b9a",
        "#6a1b9a",
        "magenta",
    ),
    Level.NONE: LevelLook("no obligation", "No obligation", "#d0d3d4", "#1b4f72", "green"),
}


class ExitStatus(IntEnum):
    """What every command's exit status means."""

    OK = 0  # nothing reached --fail-on
    REACHED = 1  # an answer reached --fail-on
    BAD_INPUT = 2  # bad input or invalid data: one line on stderr
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as a shell reports it
    BROKEN_PIPE = 141  # the reader of the output went away (128 + SIGPIPE): not 1, "reached"
    TERMINATED = 143  # stopped by SIGTERM (128 + 15), temporary files removed


class Basis(StrEnum):
    """Why: the rule that decided the level (the law package applies them in this order)."""

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
