"""precedents.yaml: recorded visits of warrant subjects to states, with their outcome and findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icc_travel.data.loaders.checker import Checker, entry_label, stated_confidence
from icc_travel.data.loaders.documents import read_document
from icc_travel.data.models import (
    Finding,
    Precedent,
)
from icc_travel.vocabulary import Outcome, values

OUTCOMES = frozenset(values(Outcome))


def read_precedents(path: Path, check: Checker) -> tuple[list[Precedent], dt.date | None]:
    data = read_document(path, check)
    as_of = check.date("(top level)", data, "as_of", required=True) if isinstance(data, dict) else None
    precedents: list[Precedent] = []
    seen: set[str] = set()
    for raw in check.records(data, "precedents"):
        entry = f"precedent {entry_label(raw, '?')}"
        precedent_id = check.text(entry, raw, "id")
        if precedent_id in seen:
            check.add(entry, "duplicate precedent id")
        seen.add(precedent_id or "")
        start = check.date(entry, raw, "date") or check.date(entry, raw, "start")
        end = check.date(entry, raw, "end")
        if start is None:
            check.add(entry, "date (or start) is required")
        check.order(entry, [("start", start, "end", end)])
        outcome = raw.get("outcome")
        if outcome not in OUTCOMES:
            check.add(entry, f"outcome must be one of {', '.join(sorted(OUTCOMES))}, got {outcome!r}")
        finding = None
        if isinstance(raw.get("finding"), dict):
            f = raw["finding"]
            found_in = check.sources(f"{entry}: finding", f) if f.get("sources") is not None else ()
            finding = Finding(
                f.get("number"),
                check.date(f"{entry}: finding", f, "date"),
                f.get("body"),
                f.get("result"),
                f.get("referral"),
                f.get("note"),
                found_in,
                stated_confidence(check, f"{entry}: finding", f, found_in or check.bind(raw.get("sources") or ())),
            )
        subject, state = check.text(entry, raw, "subject"), check.text(entry, raw, "state")
        if precedent_id and start and subject and state and outcome in OUTCOMES:
            precedents.append(
                Precedent(
                    precedent_id,
                    subject,
                    state,
                    start,
                    end,
                    check.text(entry, raw, "event") or "",
                    outcome,
                    finding,
                    sources := check.sources(entry, raw),
                    raw.get("note"),
                    stated_confidence(check, entry, raw, sources),
                )
            )
    return precedents, as_of
