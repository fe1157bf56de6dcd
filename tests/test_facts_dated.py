"""Answers pinned on the dates before, at and after each recorded event, through `check`,
`batch`, `state` and the library: sealed warrants, unconfirmed deaths, withdrawals, revocations."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from icc_travel import law
from icc_travel.data.models import Dataset
from icc_travel.data.paths import data_dir

D = dt.date.fromisoformat
DATA_DIR = data_dir()


def answers(invoke, subject: str, *stops: str) -> list[tuple[str, str, str, str | None]]:
    """(obligation, basis, confidence, disputed basis) per stop, from `check --format json`."""
    result = invoke("check", subject, *stops, "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    return [
        (s["obligation"], s["basis"], s["confidence"], (s["disputed"] or {}).get("basis"))
        for s in json.loads(result.stdout)["stops"]
    ]


def batch_rows(invoke, tmp_path, rows: list[tuple[str, str, str]]) -> list[dict]:
    path = tmp_path / "rows.csv"
    path.write_text("itinerary,subject,place,date\n" + "".join(f"x,{s},{p},{d}\n" for s, p, d in rows))
    result = invoke("batch", str(path), "--format", "json", "--fail-on", "never")
    return json.loads(result.stdout)["rows"]


TARHUNAH = ["al-kani", "doumah", "al-shaqaqi", "al-zinkal", "daou", "al-salheen-salmi"]


@pytest.mark.parametrize("subject", TARHUNAH)
def test_tarhunah_warrants_bind_from_their_sealed_issue(dataset: Dataset, subject: str) -> None:
    record = dataset.subject(subject)
    assert [(w.issued_from, w.issued_by, w.public) for w in record.warrants] == [
        (D("2023-04-06"), D("2023-07-18"), D("2024-10-04"))
    ]
    assert law.first_warrant(record) == D("2023-07-18")
    in_effect, reason = law.warrant_in_effect(record, D("2024-01-01"))
    assert in_effect and "issued under seal by 2023-07-18" in reason


def test_sealed_warrant_answers_before_at_and_after_issue(invoke) -> None:
    assert answers(invoke, "al-kani", "TN@2023-04-05", "TN@2023-04-06", "TN@2023-07-18", "TN@2024-01-01") == [
        ("none", "no_warrant", "high", None),
        ("arrest", "state_party", "low", "no_warrant"),
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "high", None),
    ]
    text = invoke("check", "al-kani", "TN@2024-01-01", "--fail-on", "never").stdout
    assert "No warrant" not in text and "issued under seal by 2023-07-18" in text


def test_sealed_warrant_in_batch(invoke, tmp_path) -> None:
    rows = batch_rows(invoke, tmp_path, [("daou", "TN", "2023-03-01"), ("daou", "TN", "2024-01-01")])
    assert [(r["obligation"], r["basis"]) for r in rows] == [("none", "no_warrant"), ("arrest", "state_party")]


def test_every_subject_without_an_issue_date_states_when_it_existed(dataset: Dataset) -> None:
    """An unknown issue day is bounded: by the Court's stated period, else by the public date
    (and then a 'none' before it is low confidence, never a flat 'no warrant')."""
    for subject in dataset.subjects:
        for warrant in subject.warrants:
            if warrant.issued is None:
                assert warrant.issued_by or warrant.public, subject.id
                if warrant.issued_from is None:
                    day = (warrant.issued_by or warrant.public) - dt.timedelta(days=1)
                    result = law.obligation(subject, dataset.by_iso3["FRA"], day, dataset.situations[subject.situation])
                    assert result.confidence == "low", subject.id


def test_otti_warrant_in_effect_until_the_chamber_ended_the_case(invoke) -> None:
    assert answers(
        invoke, "otti", "UG@2007-10-01", "UG@2022-12-01", "UG@2023-01-01", "UG@2023-11-16", "UG@2023-11-17"
    ) == [
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "medium", "no_warrant"),
        ("arrest", "state_party", "medium", "no_warrant"),
        ("arrest", "state_party", "medium", "no_warrant"),
        ("none", "no_warrant", "high", None),
    ]
    text = invoke("check", "otti", "UG@2023-01-01", "--fail-on", "never").stdout
    assert "reported dead on 2007-10-02" in text and "1 December 2022" in text


@pytest.mark.parametrize(
    ("subject", "place", "death"),
    [("mudacumura", "CD", "2019-09-18"), ("saif-gaddafi", "FR", "2026-02-03")],
)
def test_unconfirmed_deaths_leave_the_warrant_disputed(invoke, tmp_path, subject: str, place: str, death: str) -> None:
    day = D(death)
    before, at, after = (str(day - dt.timedelta(days=1)), death, str(day + dt.timedelta(days=300)))
    got = answers(invoke, subject, f"{place}@{before}", f"{place}@{at}", f"{place}@{after}")
    assert got[0][:2] == ("arrest", "state_party") and got[0][3] is None
    for level, basis, confidence, disputed in got[1:]:
        assert (level, basis, disputed) == ("arrest", "state_party", "no_warrant")
        assert confidence in ("medium", "low")
    rows = batch_rows(invoke, tmp_path, [(subject, place, after)])
    assert (rows[0]["obligation"], rows[0]["disputed"]["basis"]) == ("arrest", "no_warrant")


def test_announced_withdrawals_without_notification(invoke) -> None:
    """An announcement has no legal effect: the state stays a party, and once a notification made
    after it could have taken effect, the answer says so and is no more than medium confidence."""
    got = answers(invoke, "putin", "BF@2025-09-21", "BF@2025-09-22", "BF@2026-09-21", "BF@2026-09-22", "ML@2027-07-27")
    assert [g[:2] for g in got] == [("arrest", "state_party")] * 5
    assert [g[2] for g in got] == ["high", "high", "high", "medium", "medium"]
    text = invoke("check", "putin", "ML@2027-01-01", "--fail-on", "never").stdout
    assert "announced its withdrawal on 2025-09-22" in text and "no written notification" in text


def test_niger_pending_withdrawal_and_party_counts(invoke) -> None:
    got = answers(invoke, "putin", "NE@2026-06-17", "NE@2026-06-18", "NE@2027-06-17", "NE@2027-06-18")
    assert [g[:2] for g in got[:3]] == [("arrest", "state_party")] * 3
    assert [g[2] for g in got] == ["high", "low", "low", "low"]  # the notification rests on aggregators
    assert got[3][:2] == ("continuing", "article_127_2")
    # the sources disagree on the date (a January 2026 note verbale would mean January 2027): said so
    text = invoke("check", "putin", "NE@2027-02-01", "--fail-on", "never").stdout
    assert "January 2027" in text and "18 June 2027" in text
    counts = {
        day: invoke("states", "--on", day, "--count").stdout.strip()
        for day in ("2026-07-01", "2027-06-17", "2027-06-18", "2027-07-23")
    }
    assert counts == {"2026-07-01": "125", "2027-06-17": "125", "2027-06-18": "124", "2027-07-23": "124"}


@pytest.mark.parametrize("place", ["airport:JER", "airport:GCI", "British Indian Ocean Territory", "South Georgia"])
def test_one_rule_for_territories_left_out_of_a_ratification(invoke, place: str) -> None:
    result = invoke("check", "putin", f"{place}@2025-01-01", "--format", "json", "--fail-on", "never")
    stop = json.loads(result.stdout)["stops"][0]
    assert (stop["obligation"], stop["basis"], stop["confidence"]) == ("none", "non_party", "medium")
    assert any("no extension on record names" in reason for reason in stop["reasons"])


def test_every_not_extended_territory_is_answered_alike(dataset: Dataset) -> None:
    left_out = [t for t in dataset.territories if t.application == "not_extended"]
    assert {t.iso3 for t in left_out} >= {"JEY", "GGY", "IOT", "SGS"}
    assert not [t for t in dataset.territories if t.application == "unknown" and t.sovereign == "GBR"]
    putin = dataset.subject("putin")
    for territory in left_out:
        result = law.obligation(putin, territory, D("2025-01-01"), dataset.situations["ukraine"])
        assert (result.level, result.basis) == ("none", "non_party"), territory.iso3
        assert law.not_extended_reason(territory) in result.reasons


def test_source_tiers_follow_the_written_criteria(dataset: Dataset) -> None:
    tiers = dataset.source_tiers
    for host in (
        "itamilradar.com",
        "kahawatungu.com",
        "nigerianeye.com",
        "sahelinfos.com",
        "newsmax.com",
        "qudsnen.co",
    ):
        assert tiers[host] == "aggregator", host
    for host in ("newsdirectory3.com", "todayinbrief.ai"):
        assert host not in tiers
    text = (DATA_DIR / "sources.yaml").read_text(encoding="utf-8")
    assert "Criteria" in text and "newsdirectory3.com:" in text.split("\njunk:", 1)[1]


def test_facts_recorded_in_this_round(invoke, dataset: Dataset) -> None:
    tjk = next(p for p in dataset.precedents if p.id == "putin-tjk-2025")
    assert tjk.finding is not None and (tjk.finding.number, tjk.finding.date, tjk.finding.confidence) == (
        "ICC-01/22-143",
        D("2026-03-19"),
        "low",
    )
    events = json.loads(invoke("state", "Tajikistan", "--format", "json").stdout)["events"]
    finding = next(e for e in events if e["kind"] == "finding")
    assert (finding["date"], finding["confidence"]) == ("2026-03-19", "low")
    budapest = next(p for p in dataset.precedents if p.id == "putin-hun-2025")
    assert (budapest.state, budapest.outcome, budapest.start) == ("HUN", "visit_cancelled", D("2025-10-16"))
    entebbe = next(p for p in dataset.precedents if p.id == "bashir-uga-2018")
    assert (entebbe.start, entebbe.outcome) == (D("2018-07-07"), "not_arrested")
    armenia = json.loads(invoke("state", "Armenia", "--format", "json").stdout)["events"]
    assert any(e["kind"] == "article_12_3" and e["date"] == "2023-11-14" for e in armenia)
    afghanistan = json.loads(invoke("state", "Afghanistan", "--format", "json").stdout)
    assert afghanistan["state"]["status"] == "party"
    assert any(e["kind"] == "announcement" and e["date"] == "2025-02-20" for e in afghanistan["events"])
    before, after = answers(invoke, "akhundzada", "AF@2025-12-01", "AF@2026-03-01")
    assert before[:2] == after[:2] == ("arrest", "state_party")
    text = invoke("check", "akhundzada", "AF@2026-03-01", "--fail-on", "never").stdout
    assert "duty to arrest rests on the State of Afghanistan" in text and "no legal effect" in text


def test_data_sources_lists_each_fact_with_the_sources_bound_to_it(invoke) -> None:
    facts = {f["fact"]: f for f in json.loads(invoke("data", "sources", "--format", "json").stdout)["facts"]}
    revocation = facts["state HUN: revocation"]
    assert [s["tier"] for s in revocation["sources"]] == ["depositary", "aggregator"]
    assert revocation["tiers"] == "depositary 1, aggregator 1" and revocation["confidence"] == "high"
    assert facts["state NER: withdrawal"]["strongest_tier"] == "aggregator"
    assert facts["subject otti: death"]["sources"] and facts["precedent putin-tjk-2025: finding"]["confidence"] == "low"
    table = invoke("data", "sources").stdout
    assert "TIERS" in table.upper() and "state HUN: revocation" in table and "depositary 1" in table


def test_answers_cite_only_the_sources_bound_to_their_reasons(invoke) -> None:
    """Before Hungary's withdrawal only its entry into force is cited; the revocation's depositary
    notification appears once the revocation is part of the answer."""

    def urls(stop: str) -> list[str]:
        result = invoke("check", "netanyahu", stop, "--format", "json", "--fail-on", "never")
        return [s["url"] for s in json.loads(result.stdout)["stops"][0]["sources"]]

    early, late = urls("HU@2025-01-01"), urls("HU@2026-07-01")
    assert not any("CN.180.2026" in url for url in early) and not any("coalitionfortheicc" in url for url in early)
    assert any("CN.180.2026" in url for url in late)


def test_this_rounds_answers_in_batch(invoke, tmp_path) -> None:
    rows = batch_rows(
        invoke,
        tmp_path,
        [
            ("netanyahu", "HU", "2026-07-01"),
            ("putin", "BF", "2026-09-22"),
            ("putin", "airport:JER", "2025-01-01"),
            ("akhundzada", "AF", "2026-03-01"),
            ("otti", "UG", "2023-01-01"),
            ("al-kani", "TN", "2024-01-01"),
        ],
    )
    got = [(r["obligation"], r["basis"], r["confidence"], (r["disputed"] or {}).get("basis")) for r in rows]
    assert got == [
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "medium", None),
        ("none", "non_party", "medium", None),
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "medium", "no_warrant"),
        ("arrest", "state_party", "high", None),
    ]


def test_this_rounds_events_in_state_timelines(invoke) -> None:
    def events(name: str) -> list[tuple[str, str]]:
        document = json.loads(invoke("state", name, "--format", "json").stdout)
        return [(e["kind"], e["date"]) for e in document["events"]]

    assert ("announcement", "2025-09-22") in events("Burkina Faso")
    assert ("precedent", "2018-07-07") in events("Uganda")
    assert ("precedent", "2025-10-16") in events("Hungary")
    niger = events("Niger")
    assert ("withdrawal_notified", "2026-06-18") in niger and ("withdrawal_effective", "2027-06-18") in niger


def test_a_record_binding_some_facts_falls_back_to_its_sources_for_the_others(dataset: Dataset) -> None:
    """South Africa binds only its revocation: an answer during the pending withdrawal rests on the
    record's own sources and confidence for the unbound facts."""
    south_africa, kony = dataset.by_iso3["ZAF"], dataset.subject("kony")
    pending = law.obligation(kony, south_africa, D("2017-01-01"), dataset.situations[kony.situation])
    assert (pending.level, pending.confidence) == ("arrest", "high")
    assert any("treaties.un.org" in source.url for source in pending.sources)
    philippines = dataset.by_iso3["PHL"]
    assert philippines.bound("withdrawal") is not None and philippines.confidence_on(D("2018-06-01")) == "high"


# The 2026 notifications the audit reported. Venezuela's is recorded from its depositary
# notification (C.N.298.2026): pending from 24 July 2026, effective 24 July 2027. No citable source
# confirms the others: each state stays a party on every date, its announcement (where there is one)
# capping the answer at medium one year after it, and the party count follows only the recorded
# notifications (Niger's, Venezuela's).


def test_venezuela_notified_withdrawal_before_at_and_after(invoke, tmp_path) -> None:
    days = ("2026-07-23", "2026-07-24", "2027-07-23", "2027-07-24", "2028-01-01")
    got = answers(invoke, "putin", *(f"VE@{day}" for day in days))
    assert got == [
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "high", None),
        ("continuing", "article_127_2", "high", None),  # the Ukraine investigation opened before
        ("continuing", "article_127_2", "high", None),
    ]
    pending = invoke("check", "putin", "VE@2026-07-24", "--fail-on", "never").stdout
    assert "A withdrawal was notified on 2026-07-24; it takes effect on 2027-07-24" in pending
    assert "C.N.298.2026" in pending and "no written notification" not in pending
    before = invoke("check", "putin", "VE@2026-07-23", "--format", "json", "--fail-on", "never").stdout
    assert "CN.298.2026" not in before
    rows = batch_rows(invoke, tmp_path, [("putin", "VE", day) for day in days])
    assert [(r["obligation"], r["basis"], r["confidence"]) for r in rows] == [g[:3] for g in got]
    assert any(s["url"].endswith("CN.298.2026-Eng.pdf") and s["tier"] == "depositary" for s in rows[1]["sources"])
    document = json.loads(invoke("state", "Venezuela", "--format", "json").stdout)
    assert document["state"]["status"] == "withdrawing"
    events = {e["kind"]: e for e in document["events"]}
    assert (events["announcement"]["date"], events["withdrawal_notified"]["date"]) == ("2025-12-11", "2026-07-24")
    assert (events["withdrawal_effective"]["date"], events["withdrawal_effective"]["confidence"]) == (
        "2027-07-24",
        "high",
    )
    assert events["withdrawal_notified"]["sources"][0]["tier"] == "depositary"
    facts = {f["fact"]: f for f in json.loads(invoke("data", "sources", "--format", "json").stdout)["facts"]}
    assert facts["state VEN: withdrawal"]["strongest_tier"] == "depositary"
    assert facts["state VEN: withdrawal"]["confidence"] == "high"


UNCONFIRMED_2026 = [
    ("BF", "2027-06-23", "2027-06-24"),
    ("ML", "2027-06-23", "2027-06-24"),
]


@pytest.mark.parametrize(("place", "before", "at"), UNCONFIRMED_2026)
def test_unconfirmed_2026_notifications_leave_the_state_a_party(invoke, tmp_path, place, before, at) -> None:
    after = "2028-01-01"
    got = answers(invoke, "putin", f"{place}@{before}", f"{place}@{at}", f"{place}@{after}")
    assert got == [("arrest", "state_party", "medium", None)] * 3
    rows = batch_rows(invoke, tmp_path, [("putin", place, at), ("putin", place, after)])
    assert [(r["obligation"], r["confidence"]) for r in rows] == [("arrest", "medium")] * 2
    text = invoke("check", "putin", f"{place}@{at}", "--fail-on", "never").stdout
    assert "no written notification to the UN Secretary-General is on record" in text
    assert "check the depositary's record" in text


@pytest.mark.parametrize(
    ("place", "day"),
    [("TD", "2027-07-26"), ("TD", "2027-07-27"), ("TD", "2028-01-01"), ("NR", "2027-09-23"), ("NR", "2028-01-01")],
)
def test_no_source_for_chad_or_nauru_leaves_them_parties(invoke, tmp_path, place: str, day: str) -> None:
    assert answers(invoke, "putin", f"{place}@{day}") == [("arrest", "state_party", "high", None)]
    rows = batch_rows(invoke, tmp_path, [("putin", place, day)])
    assert (rows[0]["obligation"], rows[0]["confidence"]) == ("arrest", "high")


def test_party_counts_through_2028(invoke) -> None:
    days = (
        "2026-06-01",
        "2027-06-17",
        "2027-06-18",
        "2027-06-24",
        "2027-07-23",
        "2027-07-24",
        "2027-07-27",
        "2027-09-23",
        "2028-12-31",
    )
    counts = {day: invoke("states", "--on", day, "--count").stdout.strip() for day in days}
    assert counts == {
        "2026-06-01": "125",
        "2027-06-17": "125",
        "2027-06-18": "124",  # Niger's reported notification of 18 June 2026 takes effect
        "2027-06-24": "124",  # Burkina Faso and Mali: no notification on record
        "2027-07-23": "124",
        "2027-07-24": "123",  # Venezuela's notification of 24 July 2026 (C.N.298.2026) takes effect
        "2027-07-27": "123",  # Chad: no notification on record
        "2027-09-23": "123",  # Nauru: none
        "2028-12-31": "123",
    }
    document = json.loads(invoke("states", "--on", "2027-07-24", "--format", "json").stdout)
    assert not {"NER", "VEN"} & {s["iso3"] for s in document["states"]}
    assert {"BFA", "MLI", "TCD", "NRU", "HUN"} <= {s["iso3"] for s in document["states"]}


def test_unconfirmed_notifications_in_state_timelines(invoke) -> None:
    for name in ("Burkina Faso", "Mali"):
        document = json.loads(invoke("state", name, "--format", "json").stdout)
        kinds = [e["kind"] for e in document["events"]]
        assert "announcement" in kinds and "withdrawal_notified" not in kinds
    for name in ("Chad", "Nauru"):
        document = json.loads(invoke("state", name, "--format", "json").stdout)
        assert document["state"]["status"] == "party"
        assert not {"announcement", "withdrawal_notified"} & {e["kind"] for e in document["events"]}


# Sources bound to facts by one rule for every record.


def test_every_state_binds_each_of_its_facts(dataset: Dataset) -> None:
    """Every state has sources for each fact it asserts; the treaty-status page backs an entry into
    force only, never a withdrawal or a revocation."""
    for state in dataset.territories:
        if state.kind != "state" or state.entry_into_force is None:
            continue
        facts = ["entry_into_force"] + ["withdrawal"] * bool(state.withdrawal_notified)
        facts += ["revocation"] * bool(state.withdrawal_revoked)
        for fact in facts:
            found = state.bound(fact)
            assert found is not None and found.sources, (state.iso3, fact)
            if fact != "entry_into_force":
                assert not any("Pages/ViewDetails" in source.url for source in found.sources), (state.iso3, fact)


def test_withdrawals_cite_the_act_not_the_status_page(invoke) -> None:
    """Burundi's and Gambia's withdrawals and Gambia's revocation cite the depositary notifications
    as the Portuguese gazette reproduces them; before the withdrawal only the entry into force is cited."""

    def urls(subject: str, stop: str) -> list[str]:
        result = invoke("check", subject, stop, "--format", "json", "--fail-on", "never")
        return [s["url"] for s in json.loads(result.stdout)["stops"][0]["sources"]]

    burundi_before, burundi_pending = urls("al-bashir", "BI@2016-01-01"), urls("al-bashir", "BI@2017-06-01")
    assert not any("vlex.pt" in u or "reuters" in u for u in burundi_before)
    assert any("vlex.pt" in u for u in burundi_pending)
    gambia = urls("al-bashir", "GM@2017-06-01")
    assert any("aviso-71-2018" in u for u in gambia) and any("aviso-31-2018" in u for u in gambia)
    assert (
        answers(invoke, "al-bashir", "GM@2016-11-09", "GM@2017-01-01", "GM@2017-06-01", "GM@2018-01-01")
        == [("arrest", "state_party", "high", None)] * 4
    )


def test_a_territory_cites_its_application_and_its_sovereigns_entry_into_force(dataset: Dataset) -> None:
    jersey, guiana = dataset.by_iso3["JEY"], dataset.by_iso3["GUF"]
    assert jersey.entry_into_force is None and jersey.facts_on(D("2025-01-01")) == ["application"]
    assert not any("Pages/ViewDetails" in source.url for source in jersey.sources_on(D("2025-01-01")))
    cited = guiana.sources_on(D("2025-01-01"))
    assert set(guiana.bound("application").sources) <= set(cited)
    assert set(dataset.by_iso3["FRA"].bound("entry_into_force").sources) <= set(cited)


def test_data_sources_lists_every_states_facts(invoke) -> None:
    facts = {f["fact"]: f for f in json.loads(invoke("data", "sources", "--format", "json").stdout)["facts"]}
    assert {
        "state FRA: entry_into_force",
        "state BDI: withdrawal",
        "state GMB: revocation",
        "territory JEY: application",
    } <= set(facts)
    assert "state FRA" not in facts
    assert [s["tier"] for s in facts["state GMB: withdrawal"]["sources"]] == ["government"]
    assert not any("ViewDetails" in s["url"] for s in facts["state BDI: withdrawal"]["sources"])


def test_a_recalled_deposit_day_is_not_cited_to_the_status_page(invoke, dataset: Dataset) -> None:
    """Where the deposit day was recalled from the status table, never read there, the entry into
    force rests on the sources actually read and is as confident as they allow; where the day was
    since read (Switzerland, in its own compilation of treaties) the record is like any other."""
    recalled = {t.iso3 for t in dataset.territories if t.kind == "state"} & {"MKD", "GMB", "HUN", "NZL", "NAM"}
    assert len(recalled) == 5
    for iso3 in recalled:
        found = dataset.by_iso3[iso3].bound("entry_into_force")
        assert found.sources and not any("treaties.un.org/Pages" in source.url for source in found.sources), iso3
    assert dataset.by_iso3["MKD"].confidence_on(D("2025-01-01")) == "medium"  # an NGO source only
    assert dataset.by_iso3["NZL"].confidence_on(D("2025-01-01")) == "high"  # its government's own page
    assert answers(invoke, "putin", "MK@2025-01-01", "CH@2025-01-01", "FR@2025-01-01") == [
        ("arrest", "state_party", "medium", None),
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "high", None),
    ]
    assert "treaties.un.org" not in invoke("check", "putin", "MK@2025-01-01", "--fail-on", "never").stdout
    swiss = invoke("check", "putin", "CH@2025-01-01", "--fail-on", "never").stdout
    assert "Source (government): https://www.droit-bilingue.ch/" in swiss
    facts = {f["fact"]: f for f in json.loads(invoke("data", "sources", "--format", "json").stdout)["facts"]}
    assert facts["state MKD: entry_into_force"]["strongest_tier"] == "ngo"
    assert facts["state CHE: entry_into_force"]["strongest_tier"] == "depositary"


def test_bound_sources_in_batch_and_state_timelines(invoke, tmp_path) -> None:
    """The same bindings reach batch rows and the state timeline: Burundi's notified withdrawal
    cites the depositary notification as the gazette reproduces it, never the status page."""
    rows = batch_rows(invoke, tmp_path, [("al-bashir", "BI", "2016-01-01"), ("al-bashir", "BI", "2017-06-01")])
    before, pending = ([s["url"] for s in row["sources"]] for row in rows)
    assert not any("vlex.pt" in url for url in before) and any("vlex.pt" in url for url in pending)
    document = json.loads(invoke("state", "Burundi", "--format", "json").stdout)
    notified = next(e for e in document["events"] if e["kind"] == "withdrawal_notified")
    urls = [s["url"] for s in notified["sources"]]
    assert any("vlex.pt" in url for url in urls) and not any("Pages/ViewDetails" in url for url in urls)
    entry = next(e for e in document["events"] if e["kind"] == "entry_into_force")
    assert not any("reuters" in s["url"] for s in entry["sources"])


def test_sources_the_code_cites_have_the_tier_the_table_gives_their_host(dataset: Dataset) -> None:
    """The two sources the code itself cites (the treaty-status page in non-party answers, UNCLOS
    Part III for transit passage) are bound with a tier in the code; it must be the one
    sources.yaml gives their host, as for every source read from the data."""
    from icc_travel.data.sources import bind
    from icc_travel.engine.legs import TRANSIT_SOURCE

    for source in (law.TREATY_STATUS, TRANSIT_SOURCE):
        assert bind(source.url, dataset.source_tiers) == source


def test_every_answer_source_is_bound_with_its_tier_at_load(dataset: Dataset) -> None:
    """Each record's sources carry the tier their host has in the table when loaded, so no
    answer looks a tier up or parses a URL again."""
    from icc_travel.data.sources import bind

    records = [
        *(t.sources for t in dataset.territories),
        *(s.sources for s in dataset.subjects),
        *(p.sources for p in dataset.precedents),
    ]
    checked = 0
    for sources in records:
        for source in sources:
            assert source == bind(source.url, dataset.source_tiers)
            checked += 1
    assert checked > 500


# Issue #24, item by item: the answer and its confidence on the dates before, at and after each
# event, the same through `check` and `batch` (one itinerary per row, so no leg joins two stops),
# and the event itself in `state`.


def check_and_batch(invoke, tmp_path, subject: str, place: str, days: tuple[str, ...]) -> list[tuple]:
    """(obligation, basis, confidence, disputed basis) per day from `check`, asserted equal to `batch`."""
    got = answers(invoke, subject, *(f"{place}@{day}" for day in days))
    path = tmp_path / "each.csv"
    path.write_text(
        "itinerary,subject,place,date\n" + "".join(f"i{n},{subject},{place},{day}\n" for n, day in enumerate(days))
    )
    rows = json.loads(invoke("batch", str(path), "--format", "json", "--fail-on", "never").stdout)["rows"]
    assert [(r["obligation"], r["basis"], r["confidence"], (r["disputed"] or {}).get("basis")) for r in rows] == got
    return got


def timeline(invoke, name: str) -> dict:
    return json.loads(invoke("state", name, "--format", "json").stdout)


SEALED = ("2023-04-05", "2023-04-06", "2023-07-17", "2023-07-18", "2024-10-03", "2024-10-04")


@pytest.mark.parametrize("subject", TARHUNAH)
def test_item_1_each_tarhunah_warrant_before_inside_and_after_its_sealed_period(invoke, tmp_path, subject) -> None:
    """The Court gives 6 April to 18 July 2023 for the sealed issue: none before the period, the
    warrant disputed inside it, in effect from its end, whatever the public date (4 October 2024)."""
    assert check_and_batch(invoke, tmp_path, subject, "TN", SEALED) == [
        ("none", "no_warrant", "high", None),
        ("arrest", "state_party", "low", "no_warrant"),
        ("arrest", "state_party", "low", "no_warrant"),
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "high", None),
        ("arrest", "state_party", "high", None),
    ]


DEATHS = [
    # Otti: reported dead 2 Oct 2007; a chamber refused to end the case on 1 Dec 2022, ended it 17 Nov 2023
    (
        "otti",
        "UG",
        ("2007-10-01", "2007-10-02", "2022-12-01", "2023-11-16", "2023-11-17"),
        [("arrest", "state_party", "high", None)]
        + [("arrest", "state_party", "medium", "no_warrant")] * 3
        + [("none", "no_warrant", "high", None)],
    ),
    # Deif: reported dead before the warrant of 21 Nov 2024; proceedings ended 26 Feb 2025
    (
        "deif",
        "FR",
        ("2024-11-20", "2024-11-21", "2025-02-25", "2025-02-26"),
        [("none", "no_warrant", "high", None)]
        + [("arrest", "state_party", "medium", "no_warrant")] * 2
        + [("none", "no_warrant", "high", None)],
    ),
    # Muammar Gaddafi: killed 20 Oct 2011 (a death no source doubts); proceedings ended 22 Nov 2011
    (
        "muammar-gaddafi",
        "FR",
        ("2011-10-19", "2011-10-20", "2011-11-21", "2011-11-22"),
        [("arrest", "state_party", "high", None)]
        + [("arrest", "state_party", "high", "no_warrant")] * 2
        + [("none", "no_warrant", "high", None)],
    ),
    # Al-Werfalli: killed 24 Mar 2021; proceedings ended 15 June 2022
    (
        "al-werfalli",
        "FR",
        ("2021-03-23", "2021-03-24", "2022-06-14", "2022-06-15"),
        [("arrest", "state_party", "high", None)]
        + [("arrest", "state_party", "high", "no_warrant")] * 2
        + [("none", "no_warrant", "high", None)],
    ),
    # No termination recorded: the warrant stays in effect, disputed by the death report
    (
        "saif-gaddafi",
        "FR",
        ("2026-02-02", "2026-02-03", "2026-11-23"),
        [("arrest", "state_party", "high", None)] + [("arrest", "state_party", "medium", "no_warrant")] * 2,
    ),
    (
        "mudacumura",
        "CD",
        ("2019-09-17", "2019-09-18", "2025-01-01"),
        [("arrest", "state_party", "high", None)] + [("arrest", "state_party", "medium", "no_warrant")] * 2,
    ),
]


@pytest.mark.parametrize(("subject", "place", "days", "expected"), DEATHS, ids=[d[0] for d in DEATHS])
def test_item_2_each_death_before_at_and_after_the_report_and_the_chambers_decision(
    invoke, tmp_path, subject, place, days, expected
) -> None:
    assert check_and_batch(invoke, tmp_path, subject, place, days) == expected
    document = json.loads(invoke("subject", subject, "--format", "json").stdout)
    assert document["status"] == "deceased"


def test_item_4_hungary_before_at_and_after_its_notification_and_revocation(invoke, tmp_path) -> None:
    days = ("2025-06-01", "2025-06-02", "2026-05-28", "2026-05-29", "2026-06-02", "2028-01-01")
    assert check_and_batch(invoke, tmp_path, "netanyahu", "HU", days) == [("arrest", "state_party", "high", None)] * 6
    document = timeline(invoke, "Hungary")
    events = {e["kind"]: e for e in document["events"]}
    assert (events["withdrawal_notified"]["date"], events["withdrawal_notified"]["confidence"]) == (
        "2025-06-02",
        "high",
    )
    revoked = events["withdrawal_revoked"]
    assert (revoked["date"], revoked["confidence"], revoked["sources"][0]["tier"]) == (
        "2026-05-29",
        "high",
        "depositary",
    )
    assert "withdrawal_effective" not in events and not any(k.startswith("disputed_") for k in events)
    assert document["state"]["status"] == "party"


LEFT_OUT = ["airport:JER", "airport:GCI", "British Indian Ocean Territory", "South Georgia"]


@pytest.mark.parametrize("place", LEFT_OUT)
def test_item_6_territories_left_out_on_every_date(invoke, tmp_path, place) -> None:
    """Before, at and after the UK's last extension (Gibraltar, 20 April 2015): none of them named."""
    assert (
        check_and_batch(invoke, tmp_path, "kony", place, ("2005-07-08", "2015-04-19", "2015-04-20"))
        == [("none", "non_party", "medium", None)] * 3
    )
    assert check_and_batch(invoke, tmp_path, "putin", place, ("2025-01-01",)) == [("none", "non_party", "medium", None)]


@pytest.mark.parametrize(("name", "application"), [("Jersey", "not_extended"), ("Gibraltar", "extended")])
def test_item_6_state_shows_whether_the_ratification_reaches_the_territory(invoke, name, application) -> None:
    document = timeline(invoke, name)
    assert document["state"]["iso3"] == "GBR"
    assert (document["territory"]["name"], document["territory"]["application"]) == (name, application)
    assert document["territory"]["sources"] and document["territory"]["reason"]
    assert "territory" not in timeline(invoke, "United Kingdom")


def test_item_8_armenia_declaration_with_its_ratification(invoke, tmp_path) -> None:
    """The Art. 12(3) declaration was lodged with the ratification (14 November 2023), not at the
    law's signature; it is for Armenia's own situation, so Putin's warrant binds it only from the
    Statute's entry into force (1 February 2024)."""
    days = ("2023-11-13", "2023-11-14", "2024-01-31", "2024-02-01")
    assert check_and_batch(invoke, tmp_path, "putin", "AM", days) == [("none", "non_party", "high", None)] * 3 + [
        ("arrest", "state_party", "high", None)
    ]
    kinds = [(e["kind"], e["date"]) for e in timeline(invoke, "Armenia")["events"]]
    assert kinds.index(("deposited", "2023-11-14")) < kinds.index(("article_12_3", "2023-11-14"))
    assert kinds.index(("article_12_3", "2023-11-14")) < kinds.index(("entry_into_force", "2024-02-01"))


def test_item_8_recorded_visits_and_the_tajik_finding(invoke, tmp_path) -> None:
    assert (
        check_and_batch(invoke, tmp_path, "putin", "TJ", ("2025-10-08", "2025-10-10", "2026-03-19"))
        == [("arrest", "state_party", "high", None)] * 3
    )
    tajik = [(e["kind"], e["date"], e["confidence"]) for e in timeline(invoke, "Tajikistan")["events"]]
    assert ("precedent", "2025-10-08", "medium") in tajik  # the visit: news reports and the EU's statement
    assert ("finding", "2026-03-19", "low") in tajik
    assert (
        check_and_batch(invoke, tmp_path, "bashir", "UG", ("2018-07-06", "2018-07-07", "2018-07-08"))
        == [("arrest", "state_party", "high", None)] * 3
    )
    assert ("precedent", "2018-07-07") in [(e["kind"], e["date"]) for e in timeline(invoke, "Uganda")["events"]]
    assert (
        check_and_batch(invoke, tmp_path, "putin", "HU", ("2025-10-15", "2025-10-16"))
        == [("arrest", "state_party", "high", None)] * 2
    )
    budapest = next(e for e in timeline(invoke, "Hungary")["events"] if e["date"] == "2025-10-16")
    assert budapest["kind"] == "precedent" and "visit cancelled" in budapest["event"]


def test_item_8_afghanistan_rejection_has_no_legal_effect(invoke, tmp_path) -> None:
    days = ("2025-02-19", "2025-02-20", "2025-07-07", "2025-07-08", "2026-03-01")
    assert (
        check_and_batch(invoke, tmp_path, "akhundzada", "AF", days)
        == [("none", "no_warrant", "high", None)] * 3 + [("arrest", "state_party", "high", None)] * 2
    )
    document = timeline(invoke, "Afghanistan")
    assert document["state"]["status"] == "party"
    assert [(e["kind"], e["date"]) for e in document["events"] if e["kind"] == "announcement"] == [
        ("announcement", "2025-02-20")
    ]
    assert not {"withdrawal_notified", "withdrawal_effective"} & {e["kind"] for e in document["events"]}


def test_item_7_reclassed_hosts_reach_answers_as_aggregators(invoke) -> None:
    """Hosts below the news criteria are aggregators wherever they are cited, and a fact resting on
    them alone is never high: the Netanyahu flight-path precedents citing qudsnen.co and newsmax.com."""
    document = json.loads(invoke("precedents", "--subject", "netanyahu", "--format", "json").stdout)
    cited = [
        (p["id"], p["confidence"], s["tier"])
        for p in document["precedents"]
        for s in p["sources"]
        if any(h in s["url"] for h in ("qudsnen.co", "newsmax.com"))
    ]
    assert cited and {tier for _, _, tier in cited} == {"aggregator"}
    assert all(confidence != "high" for _, confidence, _ in cited)
    assert ("netanyahu-fra-2025", "low", "aggregator") in cited
