"""The bundled data, checked directly (not through the loader's validators): geometry for every
party, dates in order, a source on every record, unique aliases, references that resolve."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pycountry
import pytest

from icc_travel import law
from icc_travel.data.models import Dataset
from icc_travel.text import normalise

URL_PREFIXES = ("https://", "http://")


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def test_every_party_has_a_non_empty_valid_geometry(dataset: Dataset) -> None:
    shapely = pytest.importorskip("shapely")
    from icc_travel.geo.geometry import TerritoryIndex

    geometries = TerritoryIndex(Path(dataset.territories_path)).geometries
    ever_party = [t for t in dataset.territories if t.entry_into_force is not None]
    assert len({t.sovereign for t in ever_party if t.territory is None and t.application is None}) >= 125
    for territory in ever_party:
        shape = geometries[territory.feature_index]
        assert not shape.is_empty and shapely.is_valid(shape) and shape.area > 0, territory.label


def test_treaty_dates_are_in_order(dataset: Dataset) -> None:
    for t in dataset.territories:
        signed, deposited, in_force = t.signed, t.deposited, t.entry_into_force
        if signed and deposited:
            assert signed <= deposited, t.label
        succession = t.succession  # Montenegro: in force from independence
        if deposited and in_force and not succession:
            assert deposited < in_force, t.label
            # Art. 126: the first day of the month after the 60th day following deposit, or 1 July 2002
            sixtieth = deposited + dt.timedelta(days=60)
            expected = max(dt.date(2002, 7, 1), (sixtieth.replace(day=1) + dt.timedelta(days=32)).replace(day=1))
            extension = t.application is not None  # a dependency: from the sovereign's extension
            assert in_force == expected or extension, (t.label, deposited, in_force, expected)
        if t.withdrawal_notified:
            assert in_force and t.withdrawal_notified > in_force, t.label
            if t.withdrawal_revoked:
                assert t.withdrawal_notified <= t.withdrawal_revoked, t.label
                assert t.withdrawal_effective is None, t.label
            else:
                assert t.withdrawal_effective == one_year_after(t.withdrawal_notified), t.label
        else:
            assert t.withdrawal_effective is None and t.withdrawal_revoked is None, t.label


def test_warrant_and_precedent_dates_are_in_order(dataset: Dataset) -> None:
    for subject in dataset.subjects:
        for warrant in subject.warrants:
            if warrant.issued and warrant.public:
                assert warrant.issued <= warrant.public, subject.id
        first = law.first_warrant(subject)
        if subject.status == "deceased":  # a death can precede the warrant (Deif); its ending cannot
            if first and subject.proceedings_ended:
                assert subject.proceedings_ended >= first, subject.id
        elif first and subject.status_date and subject.status != "at_large":
            assert subject.status_date >= first, subject.id
    for precedent in dataset.precedents:
        if precedent.end:
            assert precedent.start <= precedent.end, precedent.id
        if precedent.finding and precedent.finding.date:
            assert precedent.finding.date >= precedent.start, precedent.id


def test_every_record_has_a_source_url(dataset: Dataset) -> None:
    records = [
        *((t.label, t.sources) for t in dataset.territories if t.entry_into_force or t.withdrawal_notified),
        *((s.id, s.sources) for s in dataset.subjects),
        *((s.id, s.sources) for s in dataset.situations.values()),
        *((p.id, p.sources) for p in dataset.precedents),
    ]
    for name, sources in records:
        assert sources, name
        assert all(s.url.startswith(URL_PREFIXES) and " " not in s.url for s in sources), name


def test_aliases_are_unique_across_subjects(dataset: Dataset) -> None:
    owner: dict[str, str] = {}
    for subject in dataset.subjects:
        for text in {normalise(x) for x in (subject.id, subject.name, *subject.aliases)}:
            assert owner.setdefault(text, subject.id) == subject.id, (text, owner[text], subject.id)


def test_precedents_refer_to_existing_subjects_and_states(dataset: Dataset) -> None:
    subjects = {s.id for s in dataset.subjects}
    for precedent in dataset.precedents:
        assert precedent.subject in subjects, precedent.id
        assert precedent.state in dataset.by_iso3 or pycountry.countries.get(alpha_3=precedent.state), precedent.id


def test_subjects_refer_to_existing_situations_and_countries(dataset: Dataset) -> None:
    for subject in dataset.subjects:
        assert subject.situation in dataset.situations, subject.id
        assert pycountry.countries.get(alpha_3=subject.nationality) or subject.nationality in dataset.by_iso3
    for situation in dataset.situations.values():
        for declaration in situation.article_12_3:
            assert declaration.state in dataset.by_iso3, situation.id
            if declaration.period_from and declaration.period_to:
                assert declaration.period_from <= declaration.period_to, situation.id


def test_every_court_finding_of_non_compliance_is_a_stop_the_law_answers_arrest(dataset: Dataset) -> None:
    """The Court's own findings check the law the tool applies: wherever a Pre-Trial Chamber found
    a state failed to arrest a visitor (Chad, Malawi, Djibouti, Uganda, South Africa, Jordan,
    Mongolia, Hungary, ...), the visit that day answers `arrest`; and a visitor not arrested where
    the tool finds no duty is so only because no warrant yet existed (El Masry in Germany, the day
    before his warrant)."""
    found = 0
    for precedent in dataset.precedents:
        subject = dataset.subject(precedent.subject)
        territory = dataset.by_iso3[precedent.state]
        obligation = law.obligation(subject, territory, precedent.start, dataset.situations[subject.situation])
        if precedent.finding is not None and precedent.finding.result == "non_compliance":
            found += 1
            assert obligation.level == law.ARREST, (precedent.id, obligation.level, obligation.basis)
        if precedent.outcome == "not_arrested" and obligation.level == law.NONE:
            assert obligation.basis == "no_warrant", precedent.id
    assert found >= 15
