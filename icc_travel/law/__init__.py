"""The Rome Statute rules that decide whether a stop carries an obligation to arrest.

Pure: no I/O, no click, no rich. `obligation()` applies the rules in a fixed order, the first
that decides wins. Every rule is one short function a lawyer can read and check:
  1 no_warrant    2 state_party    3 unsc_referral    4 article_12_3
  5 article_127_2 (former party: continuing duty)     6 former_party
  7 non_party / no_territory / application_unknown

The modules: `answers` (what an answer is: levels, Obligation, Dispute, Decision), `warrants`
(whether a warrant is in effect on a date, and where that is disputed), `rules` (the rules above,
on one reading of the facts), `readings` (`obligation()`: the rules on the recorded reading, with
the other readings on record attached as disputes), `notes` (the texts quoted in reasons).
"""

from icc_travel.law.answers import (
    ARREST,
    BASES,
    CONTINUING,
    KINDS,
    LEVELS,
    NONE,
    OVERFLIGHT,
    Decision,
    Dispute,
    Obligation,
    level_rank,
    reaches,
)
from icc_travel.law.notes import (
    ANTARCTICA,
    HIGH_SEAS,
    SEALED_WARRANT_CAVEAT,
    TREATY_STATUS,
    announced_reason,
    immunity_note,
    immunity_rulings,
    not_extended_reason,
    outside_note,
)
from icc_travel.law.readings import obligation, overflight
from icc_travel.law.rules import held, statute_in_force
from icc_travel.law.warrants import first_warrant, warrant_doubt, warrant_in_effect

__all__ = [
    "ANTARCTICA",
    "ARREST",
    "BASES",
    "CONTINUING",
    "HIGH_SEAS",
    "KINDS",
    "LEVELS",
    "NONE",
    "OVERFLIGHT",
    "SEALED_WARRANT_CAVEAT",
    "TREATY_STATUS",
    "Decision",
    "Dispute",
    "Obligation",
    "announced_reason",
    "first_warrant",
    "held",
    "immunity_note",
    "immunity_rulings",
    "level_rank",
    "not_extended_reason",
    "obligation",
    "outside_note",
    "overflight",
    "reaches",
    "statute_in_force",
    "warrant_doubt",
    "warrant_in_effect",
]
