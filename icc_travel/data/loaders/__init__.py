"""Read and validate the data files into a Dataset. Knows nothing of the law.

Every defect becomes a Problem naming the file and the entry; loading fails with all of them
rather than letting one wrong date through to an answer. One module per data file, each parsing
its file once: `features` (the territories' identity), `parties` (states_parties.yaml and its join
with the geometry), `warrants`, `precedents`, `tiers` (sources.yaml and every cited URL), `overlay`
(a local facts file); `checker` and `documents` hold what they share.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from icc_travel.data.loaders.checker import Checker, is_iso3, pycountry_iso3
from icc_travel.data.loaders.documents import OVERLAY_SECTIONS, asked_by_shape, mappings_in, unknown_keys
from icc_travel.data.loaders.features import read_features
from icc_travel.data.loaders.overlay import mark_local, mark_retiered, read_overlay
from icc_travel.data.loaders.parties import join, read_facts
from icc_travel.data.loaders.precedents import read_precedents
from icc_travel.data.loaders.tiers import cited_urls, read_tiers, source_problems
from icc_travel.data.loaders.warrants import read_warrants
from icc_travel.data.models import Dataset
from icc_travel.errors import DataError, Problem
from icc_travel.text import normalise


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
        first = min((w.latest_issue for w in subject.warrants if w.latest_issue), default=None)
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
    for plane in dataset.aircraft:
        if plane.subject not in subject_ids:
            problems.append(
                Problem(warrants_file, f"aircraft {plane.registration}", f"subject {plane.subject!r} is unknown")
            )
    for precedent in dataset.precedents:
        entry = f"precedent {precedent.id}"
        if precedent.subject not in subject_ids:
            problems.append(Problem(precedents_file, entry, f"subject {precedent.subject!r} is not in {warrants_file}"))
        if not is_iso3(precedent.state, known_iso3):
            problems.append(Problem(precedents_file, entry, f"state {precedent.state!r} is not an ISO alpha-3 code"))
    return problems


def parse(
    territories_file: Path,
    warrants_file: Path,
    precedents_file: Path,
    facts_file: Path,
    tiers_file: Path,
    overlay_file: Path | None = None,
) -> Dataset:
    """Parse and validate the data files, with a local facts file merged in; raise DataError
    listing every problem found."""
    files = {
        "territories": territories_file,
        "warrants": warrants_file,
        "precedents": precedents_file,
        "facts": facts_file,
        "tiers": tiers_file,
    }
    checks = {key: Checker(str(path)) for key, path in files.items()}
    overlay_check = Checker(str(overlay_file))
    overlay_check.overlay_file = str(overlay_file) if overlay_file is not None else None
    overlay_hosts: dict[str, str] = {}
    if overlay_file is not None:
        sections, overlay_hosts = read_overlay(overlay_file, overlay_check)
        for section, records in sections.items():
            target = checks[OVERLAY_SECTIONS[section][0]]
            target.overlay[section] = records
            target.overlay_file = str(overlay_file)
    tiers, junk = read_tiers(files["tiers"], checks["tiers"])
    for name in sorted(set(overlay_hosts) & set(junk)):
        overlay_check.add(f"hosts: {name}", f"is junk in sources.yaml ({junk[name]}): it cannot be given a tier")
    tiers = {**tiers, **overlay_hosts}
    for check in checks.values():
        check.tiers = tiers
    features = read_features(files["territories"], checks["territories"])
    facts = read_facts(files["facts"], checks["facts"])
    territories = join(features, facts, checks["facts"], files["facts"].name)
    subjects, situations, warrants_as_of, aircraft = read_warrants(files["warrants"], checks["warrants"])
    precedents, precedents_as_of = read_precedents(files["precedents"], checks["precedents"])
    problems = [p for check in (*checks.values(), overlay_check) for p in check.problems]
    unreadable = [p for p in problems if p.entry == "(file)"]
    if unreadable:  # what the other files say of a file that could not be read is only noise
        raise DataError(unreadable)
    local_records = mappings_in(overlay_check.document)
    asked = asked_by_shape(check.document for check in (*checks.values(), overlay_check))
    unknown = [
        problem
        for check in (overlay_check, *checks.values())
        for problem in unknown_keys(check, local_records if check is not overlay_check else set(), asked)
    ]
    problems = unknown + problems  # a misspelt field explains the "required" problems it causes
    cited = list(cited_urls((*checks.values(), overlay_check)))
    problems += source_problems(cited, tiers, junk)
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
        source_tiers=tiers,
        state_events=facts.events,
        aircraft=aircraft,
    )
    if overlay_file is not None:
        mark_local(dataset, {label for check in checks.values() for label in check.local}, overlay_file.name)
        mark_retiered(dataset, {url for _, _, url, name in cited if name in overlay_hosts}, overlay_file.name)
    files_named = (str(files[k]) for k in ("warrants", "precedents", "territories"))
    problems = cross_check(dataset, pycountry_iso3(), *files_named)
    if problems and overlay_file is not None:  # a local record's problem is the local file's
        local = {label for check in checks.values() for label in check.local}
        local |= {t.label for t in dataset.territories if t.local and f"territory {t.iso3}" in local}
        problems = [p._replace(file=str(overlay_file)) if p.entry.split(":", 1)[0] in local else p for p in problems]
    if problems:
        raise DataError(problems)
    return dataset
