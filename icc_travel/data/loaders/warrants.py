"""warrants.yaml: subjects and their warrants, offices, immunity rulings, contested laws, the
situations (UNSC referrals, Art. 12(3) declarations) and the aircraft recorded for them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from icc_travel.data.loaders.checker import SLUG, Checker, entry_label, stated_confidence
from icc_travel.data.loaders.documents import read_document
from icc_travel.data.models import (
    Aircraft,
    ContestedLaw,
    Declaration,
    Office,
    Ruling,
    Situation,
    Subject,
    UnscReferral,
    Warrant,
)
from icc_travel.vocabulary import Level, OfficeKind, SubjectStatus, values

SUBJECT_STATUSES = frozenset(values(SubjectStatus))


OFFICE_KINDS = frozenset(values(OfficeKind))


CONTESTED_LEVELS = frozenset({Level.CONTINUING.value, Level.NONE.value})


RULING_SIDES = frozenset({"continuing", "none", "other"})


def read_aircraft(data: Any, check: Checker) -> list[Aircraft]:
    """The optional `aircraft` section of warrants.yaml: each entry sourced."""
    if not isinstance(data, dict) or data.get("aircraft") is None:
        return []
    found = []
    for raw in check.records(data, "aircraft"):
        entry = f"aircraft {raw.get('registration', '?')}"
        registration, subject = check.text(entry, raw, "registration"), check.text(entry, raw, "subject")
        hex_code = raw.get("hex")
        if hex_code is not None and not (isinstance(hex_code, str) and re.fullmatch(r"[0-9a-fA-F]{6}", hex_code)):
            check.add(entry, f"hex must be a 6-digit ICAO address, got {hex_code!r}")
            hex_code = None
        sources = check.sources(entry, raw)
        if registration and subject:
            found.append(
                Aircraft(
                    registration.upper(),
                    hex_code.lower() if hex_code else None,
                    raw.get("type"),
                    raw.get("operator"),
                    subject,
                    sources,
                    stated_confidence(check, entry, raw, sources),
                )
            )
    return found


def read_warrants(
    path: Path, check: Checker
) -> tuple[list[Subject], dict[str, Situation], dt.date | None, list[Aircraft]]:
    data = read_document(path, check)
    as_of = check.date("(top level)", data, "as_of", required=True) if isinstance(data, dict) else None
    situations: dict[str, Situation] = {}
    for raw in check.records(data, "situations"):
        entry = f"situation {entry_label(raw, '?')}"
        situation_id = check.text(entry, raw, "id")
        unsc = raw.get("unsc_referral")
        referral = None
        if isinstance(unsc, dict):
            date = check.date(entry, unsc, "date", required=True)
            bound = check.strings(entry, unsc, "states_bound")
            resolution = check.text(entry, unsc, "resolution")
            if date and resolution:
                referral = UnscReferral(resolution, date, bound)
        elif unsc is not None:
            check.add(entry, "unsc_referral must be a mapping or null")
        declarations = []
        for number, decl in enumerate(raw.get("article_12_3") or [], 1):
            decl_entry = f"{entry}: article_12_3[{number}]"
            if not isinstance(decl, dict):
                check.add(decl_entry, "expected a mapping")
                continue
            lodged = check.date(decl_entry, decl, "lodged", required=True)
            start, end = check.date(decl_entry, decl, "period_from"), check.date(decl_entry, decl, "period_to")
            check.order(decl_entry, [("period_from", start, "period_to", end)])
            state = check.text(decl_entry, decl, "state")
            if lodged and state:
                declarations.append(Declaration(state, lodged, start, end))
        contested = tuple(
            law
            for number, item in enumerate(raw.get("contested_127_2") or [], 1)
            if (law := _contested_law(check, f"{entry}: contested_127_2[{number}]", item)) is not None
        )
        if situation_id in situations:
            check.add(entry, "duplicate situation id")
        if situation_id:
            situations[situation_id] = Situation(
                id=situation_id,
                name=check.text(entry, raw, "name") or situation_id,
                icc_code=raw.get("icc_code"),
                investigation_opened=check.date(entry, raw, "investigation_opened"),
                referral=raw.get("referral"),
                unsc_referral=referral,
                article_12_3=tuple(declarations),
                sources=check.sources(entry, raw),
                note=raw.get("note"),
                contested_127_2=contested,
            )
    rulings = tuple(
        ruling
        for number, item in enumerate(check.records(data, "immunity_rulings"), 1)
        if (ruling := _ruling(check, f"immunity_rulings[{number}]", item, office=True)) is not None
    )
    subjects: list[Subject] = []
    seen: set[str] = set()
    for raw in check.records(data, "subjects"):
        entry = f"subject {entry_label(raw, '?')}"
        subject_id = check.text(entry, raw, "id")
        if subject_id and not SLUG.match(subject_id):
            check.add(entry, "id must be a lowercase slug (letters, digits, hyphens)")
        if subject_id in seen:
            check.add(entry, "duplicate subject id")
        seen.add(subject_id or "")
        status = raw.get("status")
        if status not in SUBJECT_STATUSES:
            check.add(entry, f"status must be one of {', '.join(sorted(SUBJECT_STATUSES))}, got {status!r}")
        warrants = []
        for number, war in enumerate(raw.get("warrants") or [], 1):
            war_entry = f"{entry}: warrants[{number}]"
            if not isinstance(war, dict):
                check.add(war_entry, "expected a mapping")
                continue
            issued, public = check.date(war_entry, war, "issued"), check.date(war_entry, war, "public")
            start, by = check.date(war_entry, war, "issued_from"), check.date(war_entry, war, "issued_by")
            check.order(war_entry, [("issued", issued, "public", public)])
            check.order(war_entry, [("issued_from", start, "issued_by", by), ("issued_by", by, "public", public)])
            check.order(war_entry, [("issued_from", start, "public", public)])
            if issued is None and public is None and by is None:
                check.add(war_entry, "a warrant needs an issued, issued_by or public date")
            if issued is not None and (start or by):
                check.add(war_entry, "issued_from and issued_by are for a warrant whose issue day is not known")
            warrants.append(
                Warrant(issued, public, check.strings(war_entry, war, "crimes"), war.get("note"), start, by)
            )
        if status != "application_pending" and not warrants:
            check.add(entry, "a subject needs at least one warrant unless the status is application_pending")
        situation = check.text(entry, raw, "situation")
        if situation and situation not in situations:
            check.add(entry, f"situation {situation!r} is not defined under situations")
        status_date = check.date(entry, raw, "status_date")
        ended = check.date(entry, raw, "proceedings_ended")
        if ended and status != "deceased":
            check.add(entry, "proceedings_ended is for deceased subjects (other statuses date their own end)")
        death_sources = check.sources(f"{entry}: death", raw["death"]) if isinstance(raw.get("death"), dict) else ()
        if raw.get("death") is not None and status != "deceased":
            check.add(entry, "death is for deceased subjects")
        if status == "deceased" and not death_sources:
            check.add(entry, "a deceased subject needs death: {sources: [...]}, the report of the death")
        check.order(entry, [("status_date", status_date, "proceedings_ended", ended)])
        offices = tuple(
            office
            for number, item in enumerate(raw.get("offices") or [], 1)
            if (office := _office(check, f"{entry}: offices[{number}]", item)) is not None
        )
        if subject_id and situation and status in SUBJECT_STATUSES:
            subjects.append(
                Subject(
                    id=subject_id,
                    name=check.text(entry, raw, "name") or subject_id,
                    aliases=check.strings(entry, raw, "aliases"),
                    nationality=check.text(entry, raw, "nationality") or "",
                    position=raw.get("position"),
                    situation=situation,
                    case=raw.get("case"),
                    warrants=tuple(warrants),
                    status=status,
                    status_date=status_date,
                    status_note=raw.get("status_note"),
                    sources=check.sources(entry, raw),
                    offices=offices,
                    proceedings_ended=ended,
                    death_sources=death_sources,
                    death_confidence=stated_confidence(check, f"{entry}: death", raw.get("death") or {}, death_sources),
                    immunity_rulings=tuple(r for r in rulings if r.office in {o.kind for o in offices}),
                )
            )
    return subjects, situations, as_of, read_aircraft(data, check)


def _office(check: Checker, entry: str, raw: Any) -> Office | None:
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    kind = raw.get("kind")
    if kind not in OFFICE_KINDS:
        check.add(entry, f"kind must be one of {', '.join(sorted(OFFICE_KINDS))}, got {kind!r}")
        return None
    start, end = check.date(entry, raw, "from"), check.date(entry, raw, "to")
    check.order(entry, [("from", start, "to", end)], strict=True)
    title = check.text(entry, raw, "title")
    return Office(kind, title or kind, start, end, check.sources(entry, raw))


def _ruling(check: Checker, entry: str, raw: Any, *, office: bool = False) -> Ruling | None:
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    date = check.date(entry, raw, "date", required=True)
    body, holding = check.text(entry, raw, "body"), check.text(entry, raw, "holding")
    kind, side = raw.get("office"), raw.get("side")
    if office and kind not in OFFICE_KINDS:
        check.add(entry, f"office must be one of {', '.join(sorted(OFFICE_KINDS))}, got {kind!r}")
    if not office and side not in RULING_SIDES:
        check.add(entry, f"side must be one of {', '.join(sorted(RULING_SIDES))}, got {side!r}")
    sources = check.sources(entry, raw)
    if date is None or body is None or holding is None:
        return None
    return Ruling(date, body, holding, sources, raw.get("state"), kind if office else None, None if office else side)


def _contested_law(check: Checker, entry: str, raw: Any) -> ContestedLaw | None:
    if not isinstance(raw, dict):
        check.add(entry, "expected a mapping")
        return None
    levels = raw.get("level"), (raw.get("alternative") or {}).get("level")
    if any(level not in CONTESTED_LEVELS for level in levels) or levels[0] == levels[1]:
        check.add(entry, f"level and alternative.level must differ, each one of {sorted(CONTESTED_LEVELS)}")
        return None
    alternative = raw["alternative"]
    rulings = tuple(
        ruling
        for number, item in enumerate(raw.get("rulings") or [], 1)
        if (ruling := _ruling(check, f"{entry}: rulings[{number}]", item)) is not None
    )
    texts = [check.text(entry, raw, key) for key in ("state", "reason", "why_chosen")]
    alternative_reason = check.text(f"{entry}: alternative", alternative, "reason")
    from icc_travel.data.sources import CONFIDENCES

    confidence = raw.get("confidence", "medium")
    if confidence not in CONFIDENCES:
        check.add(entry, f"confidence must be one of {', '.join(CONFIDENCES)}, got {confidence!r}")
    if None in texts or alternative_reason is None:
        return None
    state, reason, why = texts
    return ContestedLaw(
        state, levels[0], reason, levels[1], alternative_reason, why, rulings, check.sources(entry, raw), confidence
    )
