"""How well each recorded fact is sourced: what `icc-travel data sources` reports.

Walks the data files as written (a dependency's record apart from its sovereign's, a ruling apart
from its situation), so the weakest facts can be found and improved. Every mapping with a
`sources` list is a fact.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from icc_travel.data.models import Sources
from icc_travel.data.sources import TIERS, bind, confidence, strongest_first

# Top-level sections of the data files and the singular that names one record.
SECTIONS = {
    "states": "state",
    "territories": "territory",
    "announcements": "announcement",
    "subjects": "subject",
    "situations": "situation",
    "immunity_rulings": "immunity ruling",
    "precedents": "precedent",
}


class FactEvidence(NamedTuple):
    file: str
    entry: str  # e.g. "state HUN", "subject putin: offices[1]"
    strongest_tier: str
    confidence: str
    sources: Sources  # strongest first


def fact_evidence(files: list[Path], tiers: Mapping[str, str]) -> list[FactEvidence]:
    """Every sourced fact in the files, weakest first (by strongest tier, then confidence)."""
    from icc_travel.data.yamlio import read_yaml

    facts = []
    for path in files:
        data = read_yaml(path)
        if not isinstance(data, dict):
            continue
        for entry, record in _records(data):
            ordered = strongest_first(bind(u, tiers) for u in record.get("sources") or [] if isinstance(u, str))
            if not ordered:
                continue
            stated = record.get("confidence") if record.get("confidence") in ("high", "medium", "low") else None
            facts.append(FactEvidence(path.name, entry, ordered[0].tier, confidence(ordered, stated), ordered))
    ranks = {"low": 0, "medium": 1, "high": 2}
    return sorted(facts, key=lambda f: (-TIERS.index(f.strongest_tier), ranks[f.confidence], f.file, f.entry))


def _records(data: dict) -> Iterator[tuple[str, dict]]:
    for section, singular in SECTIONS.items():
        for number, record in enumerate(data.get(section) or [], 1):
            if isinstance(record, dict):
                name = record.get("id") or record.get("iso3") or record.get("date") or number
                if section in ("states", "territories"):
                    yield from _bound_facts(f"{singular} {name}", section, record)
                    yield from _nested(f"{singular} {name}", record, itself=False)
                else:
                    yield from _nested(f"{singular} {name}", record)


def _bound_facts(entry: str, section: str, record: dict) -> Iterator[tuple[str, dict]]:
    """A state's or territory's facts, each with the sources bound to it (by the record or by the
    rule of `icc_travel.data.binding`), as answers cite them."""
    from icc_travel.data.binding import ACTS, asserted, state_bindings, territory_binding

    if section == "territories":
        yield f"{entry}: application", territory_binding(record)
        return
    stated = record.get("confidence")
    has_acts = any(fact in asserted(record) for fact in ACTS)
    for fact, item in state_bindings(record).items():
        own = item["confidence"] if not item["derived"] else (stated if fact in ACTS or not has_acts else None)
        yield f"{entry}: {fact}", {"sources": item["sources"], "confidence": own}


def _nested(entry: str, record: dict, itself: bool = True) -> Iterator[tuple[str, dict]]:
    if itself:
        yield entry, record
    for key, value in record.items():
        if key == "evidence":  # bound facts are listed by _bound_facts
            continue
        if isinstance(value, dict) and "sources" in value:
            yield from _nested(f"{entry}: {key}", value)
        elif isinstance(value, list):
            for number, item in enumerate(value, 1):
                if isinstance(item, dict):
                    label = item.get("state") or item.get("date") or number
                    yield from _nested(f"{entry}: {key}[{label}]", item)


def tier_counts(facts: list[FactEvidence]) -> dict[str, int]:
    counts = dict.fromkeys(TIERS, 0)
    for fact in facts:
        counts[fact.strongest_tier] += 1
    return counts
