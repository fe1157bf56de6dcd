"""A local facts file (--facts): sections of records in the bundled files' shape, and tiers for the
hosts it cites; records resting on it are marked so answers can say so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from icc_travel.data.loaders.checker import Checker
from icc_travel.data.loaders.documents import OVERLAY_SECTIONS, read_document
from icc_travel.data.loaders.tiers import host_key
from icc_travel.data.models import (
    Dataset,
)


def read_overlay(path: Path, check: Checker) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """A local facts file: sections of records in the bundled files' own shape (added, or
    replacing the bundled record with the same key), and tiers for hosts it cites."""
    data = read_document(path, check)
    if not isinstance(data, dict):
        check.add("(top level)", f"expected a mapping with any of {', '.join([*OVERLAY_SECTIONS, 'hosts'])}")
        return {}, {}
    unknown = sorted(set(data) - {*OVERLAY_SECTIONS, "hosts"})
    if unknown:
        check.add(
            "(top level)", f"unknown sections {', '.join(unknown)}; expected {', '.join([*OVERLAY_SECTIONS, 'hosts'])}"
        )
    sections = {}
    for section, (_, key, label) in OVERLAY_SECTIONS.items():
        if section not in data:
            continue
        records = check.records(data, section)
        for number, record in enumerate(records, 1):
            if not record.get(key):
                check.add(f"{section}[{number}]", f"{key} is required (it names the {label} added or replaced)")
        sections[section] = [r for r in records if r.get(key)]
    hosts = data.get("hosts") or {}
    if not isinstance(hosts, dict):
        check.add("hosts", "expected a mapping of host: tier")
        hosts = {}
    from icc_travel.data.sources import TIERS

    for name, tier in hosts.items():
        if tier not in TIERS:
            check.add(f"hosts: {name}", f"tier must be one of {', '.join(TIERS)}, got {tier!r}")
    return sections, {host_key(k): str(v) for k, v in hosts.items()}


def mark_local(dataset: Dataset, local: set[str], name: str) -> None:
    """Records from the local facts file carry its name, so answers can say they rest on it. A
    dependency follows its sovereign: its dates come from the sovereign's record."""
    local_states = {label.split(" ", 1)[1] for label in local if label.startswith("state ")}
    dataset.territories[:] = [
        t._replace(local=name)
        if f"territory {t.iso3}" in local or t.iso3 in local_states or t.sovereign in local_states
        else t
        for t in dataset.territories
    ]
    dataset.subjects[:] = [s._replace(local=name) if f"subject {s.id}" in local else s for s in dataset.subjects]
    dataset.precedents[:] = [p._replace(local=name) if f"precedent {p.id}" in local else p for p in dataset.precedents]
    dataset.by_iso3.clear()
    dataset.by_iso2.clear()
    dataset.reindex()


def mark_retiered(dataset: Dataset, urls: set[str], name: str) -> None:
    """A local facts file that tiers a host (its `hosts:`) changes how much every record citing
    that host can carry: those records, bundled or not, are marked as resting on the local file,
    so no answer gains a tier from it silently."""

    def cites(value: Any) -> bool:
        if isinstance(value, str):
            return value in urls
        if isinstance(value, tuple | list):
            return any(cites(item) for item in value)
        return False

    situations = {key for key, situation in dataset.situations.items() if cites(tuple(situation))}
    dataset.territories[:] = [t._replace(local=name) if cites(tuple(t)) else t for t in dataset.territories]
    dataset.subjects[:] = [
        s._replace(local=name) if cites(tuple(s)) or s.situation in situations else s for s in dataset.subjects
    ]
    dataset.precedents[:] = [p._replace(local=name) if cites(tuple(p)) else p for p in dataset.precedents]
    dataset.by_iso3.clear()
    dataset.by_iso2.clear()
    dataset.reindex()
