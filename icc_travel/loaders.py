"""Read and validate the three datasets into records. Knows nothing of the law.

Every defect becomes a Problem naming the file and the entry; loading fails with all of them
rather than letting one wrong date through to an answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from icc_travel.errors import DataError, InputError, Problem
from icc_travel.models import (
    Dataset,
    Declaration,
    Finding,
    Precedent,
    Situation,
    Subject,
    Territory,
    UnscReferral,
    Warrant,
)
from icc_travel.text import normalise

SUBJECT_STATUSES = frozenset(
    {
        "at_large",
        "in_custody",
        "deceased",
        "withdrawn",
        "convicted",
        "acquitted",
        "released",
        "application_pending",
    }
)
OUTCOMES = frozenset(
    {
        "not_arrested",
        "arrested",
        "surrendered",
        "arrested_released",
        "visit_cancelled",
        "overflight",
        "voluntary_surrender",
    }
)
MEMBERSHIP_FIELDS = (
    "signed",
    "deposited",
    "entry_into_force",
    "withdrawal_notified",
    "withdrawal_revoked",
    "withdrawal_effective",
)
APPLICATIONS = frozenset({None, "extended", "excluded", "unknown"})
# Kosovo's user-assigned code: in wide use, absent from ISO 3166-1.
EXTRA_ISO3 = frozenset({"XKX"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://\S+$")


class Checker:
    """Collects problems for one file while converting its raw values."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, entry: str, message: str) -> None:
        self.problems.append(Problem(self.file, entry, message))

    def date(self, entry: str, record: dict, key: str, *, required: bool = False) -> dt.date | None:
        value = record.get(key)
        if value is None:
            if required:
                self.add(entry, f"{key} is required")
            return None
        if isinstance(value, dt.datetime):
            self.add(entry, f"{key} must be a date without a time, got {value!r}")
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value)
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        self.add(entry, f"{key} is not an ISO date (YYYY-MM-DD): {value!r}")
        return None

    def text(self, entry: str, record: dict, key: str, *, required: bool = True) -> str | None:
        value = record.get(key)
        if value is None or value == "":
            if required:
                self.add(entry, f"{key} is required")
            return None
        if not isinstance(value, str):
            self.add(entry, f"{key} must be text, got {type(value).__name__}")
            return None
        return value

    def sources(self, entry: str, record: dict) -> tuple[str, ...]:
        value = record.get("sources")
        if not isinstance(value, list) or not value:
            self.add(entry, "sources must be a non-empty list of URLs")
            return ()
        bad = [u for u in value if not isinstance(u, str) or not URL.match(u)]
        if bad:
            self.add(entry, f"sources has entries that are not URLs: {bad[:3]}")
        return tuple(u for u in value if isinstance(u, str))

    def strings(self, entry: str, record: dict, key: str) -> tuple[str, ...]:
        value = record.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(entry, f"{key} must be a list of text")
            return ()
        return tuple(value)

    def order(
        self, entry: str, pairs: Iterable[tuple[str, dt.date | None, str, dt.date | None]], *, strict: bool = False
    ) -> None:
        for first_key, first, second_key, second in pairs:
            if first is None or second is None:
                continue
            if first > second or (strict and first == second):
                relation = "before" if strict else "on or before"
                self.add(entry, f"{first_key} ({first}) must be {relation} {second_key} ({second})")

    def records(self, data: Any, key: str) -> list[dict]:
        if not isinstance(data, dict):
            self.add("(top level)", "expected a mapping with keys as_of and " + key)
            return []
        items = data.get(key)
        if not isinstance(items, list):
            self.add("(top level)", f"{key} must be a list")
            return []
        good = []
        for number, item in enumerate(items, 1):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.add(f"{key}[{number}]", "expected a mapping")
        return good


def is_iso3(code: object, known: Callable[[str], bool]) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isupper() and known(code)


def _entry(record: dict, fallback: str) -> str:
    return str(record.get("id") or record.get("iso3") or fallback)


def feature_properties(raw: bytes) -> list[dict | None]:
    """Each feature's properties, without parsing coordinates when the layout allows.

    The build writes one feature per line with properties before geometry, so the properties
    parse in a few milliseconds; any other valid GeoJSON falls back to a full parse (~200 ms).
    """
    try:
        return _properties_by_line(raw.decode("utf-8"))
    except ValueError:
        collection = json.loads(raw)
        features = collection.get("features") if isinstance(collection, dict) else None
        if not isinstance(features, list):
            raise ValueError("expected a GeoJSON FeatureCollection") from None
        return [
            {**f["properties"], "_has_geometry": f.get("geometry") is not None}
            if isinstance(f, dict) and isinstance(f.get("properties"), dict)
            else None
            for f in features
        ]


def _properties_by_line(text: str) -> list[dict | None]:
    lines = text.split("\n")
    if not lines[0].startswith('{"type": "FeatureCollection"') or not lines[0].endswith('"features": ['):
        raise ValueError("not the canonical layout")
    found: list[dict | None] = []
    for line in lines[1:]:
        line = line.rstrip(",")
        if line in ("]}", ""):
            continue
        head, separator, geometry = line.partition(',"geometry":')
        if not separator or not head.startswith('{"type":"Feature","properties":'):
            raise ValueError("not the canonical layout")
        properties = json.loads(head[len('{"type":"Feature","properties":') :])
        properties["_has_geometry"] = not geometry.startswith("null")
        found.append(properties)
    return found


def read_territories(path: Path, check: Checker) -> list[Territory]:
    try:
        features = feature_properties(path.read_bytes())
    except FileNotFoundError:
        check.add("(file)", "missing")
        return []
    except ValueError as error:
        check.add("(file)", f"invalid GeoJSON: {error}")
        return []
    territories: list[Territory] = []
    for index, props in enumerate(features):
        if not isinstance(props, dict):
            check.add(f"features[{index}]", "feature without properties")
            continue
        entry = f"{props.get('iso3')}" + (f" ({props['territory']})" if props.get("territory") else "")
        iso3 = check.text(entry, props, "iso3")
        iso2 = check.text(entry, props, "iso2")
        name = check.text(entry, props, "name")
        sovereign = check.text(entry, props, "sovereign")
        dates = {key: check.date(entry, props, key) for key in MEMBERSHIP_FIELDS}
        application = props.get("application")
        if application not in APPLICATIONS:
            check.add(entry, f"application must be one of extended, excluded, unknown or null, got {application!r}")
        is_member = dates["entry_into_force"] is not None
        sources = check.sources(entry, props) if is_member else tuple(props.get("sources") or ())
        _check_membership_dates(check, entry, dates, succession=bool(props.get("succession")))
        if not props.get("_has_geometry"):
            check.add(entry, "geometry is missing")
        if None in (iso3, iso2, name, sovereign):
            continue
        territories.append(
            Territory(
                iso3=iso3,
                iso2=iso2,
                name=name,
                sovereign=sovereign,
                territory=props.get("territory"),
                application=application,
                sources=sources,
                control_note=props.get("control_note"),
                treaty_note=props.get("treaty_note"),
                official_name=props.get("official_name"),
                feature_index=index,
                **dates,
            )
        )
    return territories


def _check_membership_dates(check: Checker, entry: str, dates: dict[str, dt.date | None], *, succession: bool) -> None:
    """Date order; a succession is notified after the date it takes effect (independence)."""
    check.order(
        entry,
        [
            ("signed", dates["signed"], "deposited", dates["deposited"]),
            ("withdrawal_notified", dates["withdrawal_notified"], "withdrawal_revoked", dates["withdrawal_revoked"]),
        ],
    )
    if not succession:
        check.order(
            entry, [("deposited", dates["deposited"], "entry_into_force", dates["entry_into_force"])], strict=True
        )
    check.order(
        entry,
        [
            ("entry_into_force", dates["entry_into_force"], "withdrawal_notified", dates["withdrawal_notified"]),
            (
                "withdrawal_notified",
                dates["withdrawal_notified"],
                "withdrawal_effective",
                dates["withdrawal_effective"],
            ),
        ],
        strict=True,
    )
    if dates["deposited"] and not dates["entry_into_force"]:
        check.add(entry, "deposited is set but entry_into_force is missing")
    if dates["withdrawal_effective"] and not dates["withdrawal_notified"]:
        check.add(entry, "withdrawal_effective is set but withdrawal_notified is missing")
    if dates["withdrawal_effective"] and dates["withdrawal_revoked"]:
        check.add(entry, "a revoked withdrawal cannot have withdrawal_effective")
    notified, effective = dates["withdrawal_notified"], dates["withdrawal_effective"]
    if notified and effective and effective != _one_year_after(notified):
        check.add(
            entry,
            f"withdrawal_effective must be one year after notification ({_one_year_after(notified)}), Art. 127(1)",
        )


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def read_warrants(path: Path, check: Checker) -> tuple[list[Subject], dict[str, Situation], dt.date | None]:
    data = _read(path, check)
    as_of = check.date("(top level)", data, "as_of", required=True) if isinstance(data, dict) else None
    situations: dict[str, Situation] = {}
    for raw in check.records(data, "situations"):
        entry = f"situation {_entry(raw, '?')}"
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
            )
    subjects: list[Subject] = []
    seen: set[str] = set()
    for raw in check.records(data, "subjects"):
        entry = f"subject {_entry(raw, '?')}"
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
            check.order(war_entry, [("issued", issued, "public", public)])
            if issued is None and public is None:
                check.add(war_entry, "a warrant needs an issued or a public date")
            warrants.append(Warrant(issued, public, check.strings(war_entry, war, "crimes"), war.get("note")))
        if status != "application_pending" and not warrants:
            check.add(entry, "a subject needs at least one warrant unless the status is application_pending")
        situation = check.text(entry, raw, "situation")
        if situation and situation not in situations:
            check.add(entry, f"situation {situation!r} is not defined under situations")
        status_date = check.date(entry, raw, "status_date")
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
                )
            )
    return subjects, situations, as_of


def read_precedents(path: Path, check: Checker) -> tuple[list[Precedent], dt.date | None]:
    data = _read(path, check)
    as_of = check.date("(top level)", data, "as_of", required=True) if isinstance(data, dict) else None
    precedents: list[Precedent] = []
    seen: set[str] = set()
    for raw in check.records(data, "precedents"):
        entry = f"precedent {_entry(raw, '?')}"
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
            finding = Finding(
                f.get("number"),
                check.date(f"{entry}: finding", f, "date"),
                f.get("body"),
                f.get("result"),
                f.get("referral"),
                f.get("note"),
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
                    check.sources(entry, raw),
                    raw.get("note"),
                )
            )
    return precedents, as_of


def _read(path: Path, check: Checker) -> Any:
    from icc_travel.yamlio import read_yaml

    try:
        return read_yaml(path)
    except InputError as error:
        check.add("(file)", str(error).removeprefix(f"{path}: "))
        return None


def cross_check(
    dataset: Dataset, known_iso3: Callable[[str], bool], warrants_file: str, precedents_file: str, territories_file: str
) -> list[Problem]:
    """References between files and ISO codes: what no single record can check alone."""
    problems: list[Problem] = []
    subject_ids = {s.id for s in dataset.subjects}
    for territory in dataset.territories:
        for code in (territory.iso3, territory.sovereign):
            if not is_iso3(code, known_iso3):
                problems.append(
                    Problem(territories_file, territory.label, f"{code!r} is not an ISO 3166-1 alpha-3 code")
                )
    aliases: dict[str, str] = {}
    for subject in dataset.subjects:
        if not is_iso3(subject.nationality, known_iso3):
            problems.append(
                Problem(
                    warrants_file,
                    f"subject {subject.id}",
                    f"nationality {subject.nationality!r} is not an ISO alpha-3 code",
                )
            )
        first = min((w.issued or w.public for w in subject.warrants if (w.issued or w.public)), default=None)
        if (
            subject.status_date
            and first
            and subject.status_date < first
            and subject.status not in {"deceased", "withdrawn"}
        ):
            problems.append(
                Problem(
                    warrants_file,
                    f"subject {subject.id}",
                    f"status_date {subject.status_date} is before the first warrant ({first})",
                )
            )
        for alias in (subject.name, *subject.aliases):
            key = normalise(alias)
            owner = aliases.setdefault(key, subject.id)
            if owner != subject.id:
                problems.append(
                    Problem(warrants_file, f"subject {subject.id}", f"alias {alias!r} is also used by {owner}")
                )
    for situation in dataset.situations.values():
        codes = [d.state for d in situation.article_12_3]
        if situation.unsc_referral:
            codes += list(situation.unsc_referral.states_bound)
        for code in codes:
            if not is_iso3(code, known_iso3):
                problems.append(
                    Problem(warrants_file, f"situation {situation.id}", f"{code!r} is not an ISO alpha-3 code")
                )
    for precedent in dataset.precedents:
        entry = f"precedent {precedent.id}"
        if precedent.subject not in subject_ids:
            problems.append(Problem(precedents_file, entry, f"subject {precedent.subject!r} is not in {warrants_file}"))
        if not is_iso3(precedent.state, known_iso3):
            problems.append(Problem(precedents_file, entry, f"state {precedent.state!r} is not an ISO alpha-3 code"))
    return problems


def load(directory: Path | None = None) -> Dataset:
    """The dataset, from the cache when unchanged (see store.py)."""
    from icc_travel import store

    return store.load(directory)


def parse(territories_file: Path, warrants_file: Path, precedents_file: Path) -> Dataset:
    """Parse and validate the three data files; raise DataError listing every problem found."""
    files = {"territories": territories_file, "warrants": warrants_file, "precedents": precedents_file}
    checks = {key: Checker(str(path)) for key, path in files.items()}
    territories = read_territories(files["territories"], checks["territories"])
    subjects, situations, warrants_as_of = read_warrants(files["warrants"], checks["warrants"])
    precedents, precedents_as_of = read_precedents(files["precedents"], checks["precedents"])
    problems = [p for check in checks.values() for p in check.problems]
    if problems or warrants_as_of is None or precedents_as_of is None:
        raise DataError(problems)
    dataset = Dataset(
        territories,
        subjects,
        situations,
        precedents,
        warrants_as_of,
        precedents_as_of,
        territories_path=str(files["territories"]),
    )
    files_named = (str(files[k]) for k in ("warrants", "precedents", "territories"))
    problems = cross_check(dataset, _pycountry_iso3(), *files_named)
    if problems:
        raise DataError(problems)
    return dataset


def _pycountry_iso3() -> Callable[[str], bool]:
    import pycountry

    return lambda code: code in EXTRA_ISO3 or pycountry.countries.get(alpha_3=code) is not None
