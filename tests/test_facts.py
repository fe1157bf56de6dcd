"""Facts as the answers carry them: territorial application, source tiers, confidence, disputes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_data import edit

from icc_travel import law
from icc_travel.data.models import Dataset
from icc_travel.data.sources import TIERS, host

RESEARCH_WORDS = re.compile(r"HIGH PRIORITY|TODO|is left null|[Rr]e-check|[Vv]erify against|\bCONFIRMED\b|as recalled")


def stop(invoke, *args: str) -> dict:
    return json.loads(invoke("check", *args, "--format", "json").stdout)["stops"][0]


def test_every_territory_of_a_party_answers_from_an_application_record(dataset: Dataset) -> None:
    ever_party = {t.iso3 for t in dataset.territories if t.kind == "state" and t.entry_into_force}
    dependencies = [t for t in dataset.territories if t.kind == "dependency" and t.sovereign in ever_party]
    assert len(dependencies) >= 40
    missing = [t.label for t in dependencies if t.application is None or not t.reason or not t.sources]
    assert missing == []


@pytest.mark.parametrize(
    ("place", "day", "level", "basis"),
    [
        ("airport:RUN", "2025-01-01", "arrest", "state_party"),  # Réunion: part of France
        ("French Guiana", "2025-01-01", "arrest", "state_party"),
        ("airport:NOU", "2025-01-01", "arrest", "state_party"),  # New Caledonia
        ("airport:MHQ", "2025-01-01", "arrest", "state_party"),  # Åland
        ("airport:LYR", "2025-01-01", "arrest", "state_party"),  # Svalbard
        ("airport:XCH", "2025-01-01", "arrest", "state_party"),  # Christmas Island
        ("airport:CUR", "2025-01-01", "arrest", "state_party"),  # Curaçao
        ("airport:FAE", "2006-09-30", "none", "non_party"),  # Faroe Islands before the extension
        ("airport:FAE", "2006-10-01", "arrest", "state_party"),
        ("airport:GIB", "2015-04-19", "none", "non_party"),  # Gibraltar before the 2015 extension
        ("airport:GIB", "2015-04-20", "arrest", "state_party"),
        ("airport:JER", "2025-01-01", "none", "non_party"),  # absent from every UK extension
        ("Tokelau", "2025-01-01", "none", "non_party"),
    ],
)
def test_territories_follow_their_application_record(invoke, place: str, day: str, level: str, basis: str) -> None:
    # the 2006 and 2015 dates precede Putin's warrant: ask for a subject at large then (Kony, 2005)
    answer = stop(invoke, "kony" if day < "2023" else "putin", f"{place}@{day}")
    assert (answer["obligation"], answer["basis"]) == (level, basis), answer["reasons"]
    assert answer["sources"]


def test_sources_are_tiered_strongest_first_and_never_junk(invoke, data_copy: Path) -> None:
    answer = stop(invoke, "putin", "MN@2024-09-03")
    tiers = [source["tier"] for source in answer["sources"]]
    assert set(tiers) <= set(TIERS) and tiers == sorted(tiers, key=TIERS.index)
    assert tiers[0] == "depositary"
    junk = set((data_copy / "sources.yaml").read_text().split("junk:", 1)[1].split())
    assert not {host(s["url"]) + ":" for s in answer["sources"]} & junk


def test_hungary_revoked_its_withdrawal_and_the_superseded_reading_is_not_shown(invoke) -> None:
    """Every source after May 2026 reports the revocation, and the depositary notification itself
    (C.N.180.2026, read in an archived copy) records it: the 2025 forecast of 2 June 2026 is
    superseded, so no alternative is shown, the answer is high confidence, and from the revocation
    on it cites the revocation's own notification."""
    for day in ("2025-06-01", "2025-06-02", "2026-05-28"):
        before = stop(invoke, "netanyahu", f"HU@{day}")
        assert (before["obligation"], before["basis"], before["confidence"], before["disputed"]) == (
            "arrest",
            "state_party",
            "high",
            None,
        ), day
        assert not any("CN.180.2026" in source["url"] for source in before["sources"]), day
    for day in ("2026-05-29", "2026-06-02", "2026-07-01", "2027-06-02"):
        after = stop(invoke, "netanyahu", f"HU@{day}")
        assert (after["obligation"], after["basis"], after["confidence"], after["disputed"]) == (
            "arrest",
            "state_party",
            "high",
            None,
        ), day
        assert any("revoked on 2026-05-29" in reason for reason in after["reasons"])
        urls = [source["url"] for source in after["sources"]]
        assert any(url.endswith("CN.180.2026-Eng.pdf") for url in urls)
    table = invoke("check", "netanyahu", "HU@2026-07-01").stdout
    assert "DISPUTED" not in table
    assert invoke("check", "netanyahu", "HU@2026-07-01", "--fail-on", "arrest").exit_code == 1
    assert invoke("states", "--on", "2026-07-01", "--count").stdout == "125\n"


def test_the_other_reading_decides_when_the_data_is_changed(invoke, data_copy: Path) -> None:
    """A newsroom that prefers the other reading edits one record; no rebuild is needed."""
    edit(
        data_copy / "states_parties.yaml",
        "  withdrawal_revoked: 2026-05-29\n  withdrawal_effective: null\n",
        "  withdrawal_revoked: null\n  withdrawal_effective: 2026-06-02\n",
    )
    edit(
        data_copy / "states_parties.yaml",
        "    withdrawal_revoked: null\n    withdrawal_effective: 2026-06-02\n    dated: 2025-06-02\n",
        "    withdrawal_revoked: 2026-05-29\n    withdrawal_effective: null\n",
    )
    answer = stop(invoke, "netanyahu", "HU@2026-07-01")
    assert (answer["obligation"], answer["basis"]) == ("continuing", "article_127_2")
    assert (answer["disputed"]["obligation"], answer["disputed"]["basis"]) == ("arrest", "state_party")
    assert invoke("check", "netanyahu", "HU@2026-07-01").exit_code == 0
    assert invoke("check", "netanyahu", "HU@2026-07-01", "--fail-on", "continuing").exit_code == 1
    assert invoke("states", "--on", "2026-06-02", "--count").stdout == "124\n"


def test_reasons_are_written_for_readers(dataset: Dataset) -> None:
    for subject_id in ("putin", "netanyahu", "bashir"):
        person = dataset.subject(subject_id)
        situation = dataset.situations[person.situation]
        for territory in dataset.territories:
            for day in ("2016-01-01", "2025-01-01", "2026-07-01"):
                result = law.obligation(person, territory, law_date(day), situation)
                for reason in result.reasons:
                    assert not RESEARCH_WORDS.search(reason), (territory.label, reason)


def law_date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_philippines_contested_law_gives_both_readings_with_decisions_to_date(invoke) -> None:
    answer = stop(invoke, "duterte", "PH@2025-03-08")
    assert (answer["obligation"], answer["basis"], answer["confidence"]) == ("continuing", "article_127_2", "medium")
    assert (answer["disputed"]["obligation"], answer["disputed"]["basis"]) == ("none", "former_party")
    text = " ".join(answer["reasons"])
    assert "is contested" in text and "Pre-Trial Chamber I, 2021-09-15" in text
    assert "Perrin de Brichambaut" in answer["disputed"]["reading"]  # the other side's decision
    assert "2025-10-23" not in text and "2026-04-22" not in text  # not yet decided on that date
    later = " ".join(stop(invoke, "dela-rosa", "PH@2026-05-12")["reasons"])
    assert "2025-10-23" in later and "2026-04-22" in later


@pytest.mark.parametrize(
    ("subject", "place", "cited", "not_cited"),
    [
        ("putin", "MN@2024-09-03", "Jordan, 2019-05-06", "Mongolia"),  # the stop is before that ruling
        ("putin", "MN@2024-11-01", "Mongolia, 2024-10-24", None),
        ("putin", "FR@2023-06-01", "Jordan, 2019-05-06", "Mongolia"),
        ("netanyahu", "FR@2025-09-01", "Hungary, 2025-07-24", None),  # head of government
        ("netanyahu", "HU@2025-04-03", None, "immunity"),  # no ruling on heads of government yet
        ("bashir", "ZA@2015-06-13", "Democratic Republic of the Congo, 2014-04-09", "Jordan"),
        ("bashir", "TD@2020-01-01", None, "immunity"),  # no longer in office
        ("ngaissona", "FR@2018-12-12", None, "immunity"),  # a football federation is not an office
        ("gallant", "FR@2025-01-01", None, "immunity"),  # left office before the warrant
    ],
)
def test_immunity_context_follows_the_office_held_and_rulings_to_date(
    invoke, subject: str, place: str, cited: str | None, not_cited: str | None
) -> None:
    text = " ".join(stop(invoke, subject, place)["reasons"])
    note = next((reason for reason in text.split(". On ") if "held office" in reason), "")
    if cited:
        assert cited in note
    else:
        assert note == ""
    if not_cited:
        assert not_cited not in note


def test_one_rule_for_every_death(dataset: Dataset) -> None:
    """A reported death leaves the warrant formally in effect, disputed, until a chamber ends the
    proceedings; from then no warrant is left to execute."""
    import datetime as dt

    deceased = [s for s in dataset.subjects if s.status == "deceased"]
    assert {"deif", "saif-gaddafi", "mudacumura", "otti"} <= {s.id for s in deceased}
    territory = dataset.by_iso3["FRA"]
    for subject in deceased:
        situation = dataset.situations[subject.situation]
        first = max(subject.status_date, law.first_warrant(subject))  # Deif died before his warrant
        for day in (first, first + dt.timedelta(days=200)):
            result = law.obligation(subject, territory, day, situation)
            ended = subject.proceedings_ended
            if ended and ended <= day:
                assert (result.level, result.basis, result.disputed) == ("none", "no_warrant", None), subject.id
                assert "ended the proceedings on" in result.reasons[0], (subject.id, day)
            else:
                assert (result.level, result.basis) == ("arrest", "state_party"), (subject.id, day)
                assert result.disputed is not None and result.disputed.basis == "no_warrant", (subject.id, day)
                assert "reported dead on" in result.disputed.reason, (subject.id, day)
                order = ("high", "medium", "low")
                assert order.index(result.confidence) >= order.index(subject.death_confidence), (subject.id, day)


def test_offices_are_validated(data_copy: Path) -> None:
    from icc_travel.data import store
    from icc_travel.errors import DataError

    edit(data_copy / "warrants.yaml", "      - kind: head_of_government\n", "      - kind: prime_minister\n")
    with pytest.raises(DataError, match=r"warrants\.yaml: subject netanyahu: offices\[1\]: kind must be one of"):
        store.load(data_copy)
