"""State timelines, states --all, the evidence report, and local facts files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NEWSROOM = """\
# verified by a newsroom ahead of the next data release
states:
- iso3: MLI
  name: Mali
  signed: 1998-07-17
  deposited: 2000-08-16
  entry_into_force: 2002-07-01
  withdrawal_notified: 2026-08-20
  withdrawal_revoked: null
  withdrawal_effective: 2027-08-20
  confidence: medium
  reason: "The newsroom saw the depositary notification of Mali's withdrawal, received on 20 August 2026."
  sources:
  - https://newsroom.example.org/2026/08/mali-notifies-withdrawal
subjects:
- id: example-suspect
  name: Example Suspect
  aliases: []
  nationality: MLI
  position: null
  situation: mali
  case: null
  warrants:
  - issued: 2026-10-01
    public: 2026-11-01
    crimes: ["war crimes"]
  status: at_large
  status_date: 2026-10-01
  status_note: null
  sources:
  - https://newsroom.example.org/2026/11/warrant-unsealed
hosts:
  newsroom.example.org: news
"""


def json_of(invoke, *args: str) -> dict:
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_hungary_timeline_shows_2026_and_the_dispute(invoke) -> None:
    document = json_of(invoke, "state", "Hungary", "--since", "2026-01-01")
    assert document["state"] == {"iso3": "HUN", "name": "Hungary", "status": "party"}
    kinds = {event["kind"]: event for event in document["events"]}
    assert kinds["withdrawal_revoked"]["date"] == "2026-05-29"
    assert kinds["withdrawal_revoked"]["confidence"] == "high"  # the depositary notification, read in a copy
    revoked_by = [source["url"] for source in kinds["withdrawal_revoked"]["sources"]]
    assert revoked_by[0].endswith("CN.180.2026-Eng.pdf") and not any("ViewDetails" in url for url in revoked_by)
    # the 2025 forecast of 2 June 2026 is superseded by later sources: no longer shown as a reading
    assert "disputed_withdrawal_effective" not in kinds
    assert all(event["date"] >= "2026-01-01" for event in document["events"])
    assert all(event["sources"] and event["sources"][0]["tier"] for event in document["events"])
    everything = json_of(invoke, "state", "HU")["events"]
    dates = [event["date"] for event in everything]
    assert dates == sorted(dates) and dates[0] == "1999-01-15"  # signature
    assert {"announcement", "precedent", "finding", "ruling", "withdrawal_notified"} <= {e["kind"] for e in everything}


@pytest.mark.parametrize(
    ("name", "kind", "date"),
    [
        ("Armenia", "article_12_3", "2023-11-14"),  # lodged with the ratification
        ("Ukraine", "article_12_3", "2014-04-17"),
        ("Sudan", "unsc_referral", "2005-03-31"),
        ("Philippines", "ruling", "2026-04-22"),
        ("Denmark", "extension", "2006-10-01"),  # the Faroe Islands
        ("Mongolia", "precedent", "2024-09-02"),
    ],
)
def test_timelines_gather_every_kind_of_event(invoke, name: str, kind: str, date: str) -> None:
    events = json_of(invoke, "state", name)["events"]
    assert any(e["kind"] == kind and e["date"] == date for e in events), [(e["kind"], e["date"]) for e in events]


def test_a_territory_names_its_sovereigns_timeline(invoke) -> None:
    result = invoke("state", "Réunion")
    assert "France:" in result.stdout and "is a territory of France" in result.stdout


def test_states_all_lists_former_and_withdrawing_states(invoke) -> None:
    def statuses(on: str) -> dict[str, str]:
        document = json_of(invoke, "states", "--all", "--on", on)
        return {row["iso3"]: row["status"] for row in document["states"]}

    mid_2026 = statuses("2026-07-01")
    assert mid_2026["PHL"] == mid_2026["BDI"] == "former"
    assert mid_2026["NER"] == "withdrawing" and mid_2026["HUN"] == "party"
    assert statuses("2027-07-01")["NER"] == "former"
    assert statuses("2023-12-01")["ARM"] == "not_yet"  # deposited, not yet in force
    in_force = json_of(invoke, "states", "--on", "2026-07-01")["count"]
    assert len(mid_2026) == 127
    assert list(mid_2026.values()).count("party") + list(mid_2026.values()).count("withdrawing") == in_force


def test_evidence_report_ranks_facts_weakest_first(invoke) -> None:
    document = json_of(invoke, "data", "sources")
    facts = document["facts"]
    assert sum(document["facts_by_strongest_tier"].values()) == len(facts) > 300
    tiers = ["depositary", "court", "un", "government", "ngo", "news", "aggregator"]
    ranks = [tiers.index(f["strongest_tier"]) for f in facts]
    assert ranks == sorted(ranks, reverse=True)
    assert any(f["fact"] == "state HUN: entry_into_force" for f in facts) and any(
        f["fact"].startswith("subject putin") for f in facts
    )
    weak = json_of(invoke, "data", "sources", "--at-most", "news")["facts"]
    assert weak and {f["strongest_tier"] for f in weak} <= {"news", "aggregator"}


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    path = tmp_path / "newsroom.yaml"
    path.write_text(NEWSROOM, encoding="utf-8")
    return path


def test_a_local_facts_file_changes_and_marks_answers(invoke, newsroom: Path) -> None:
    before = json_of(invoke, "check", "putin", "ML@2027-09-01")["stops"][0]
    assert (before["obligation"], before["local_facts"]) == ("arrest", [])
    after = json_of(invoke, "--facts", str(newsroom), "check", "putin", "ML@2027-09-01")["stops"][0]
    assert (after["obligation"], after["basis"]) == ("continuing", "article_127_2")
    assert after["local_facts"] == ["Mali (newsroom.yaml)"]
    assert any(r.startswith("Local fact:") for r in after["reasons"])
    assert {"url": "https://newsroom.example.org/2026/08/mali-notifies-withdrawal", "tier": "news"} in after["sources"]
    table = invoke("--facts", str(newsroom), "check", "putin", "ML@2027-09-01").stdout
    assert "LOCAL FACT" in table
    # a warrant the bundled data does not have yet
    new = json_of(invoke, "--facts", str(newsroom), "check", "example-suspect", "FR@2026-11-15")["stops"][0]
    assert new["obligation"] == "arrest" and "subject example-suspect (newsroom.yaml)" in new["local_facts"]
    counts = [
        invoke("--facts", str(newsroom), "states", "--on", day, "--count").stdout
        for day in ("2027-08-19", "2027-08-20")
    ]
    assert int(counts[0]) - int(counts[1]) == 1


def test_the_environment_variable_works_like_the_option(invoke, newsroom: Path, monkeypatch) -> None:
    monkeypatch.setenv("ICC_TRAVEL_FACTS", str(newsroom))
    answer = json_of(invoke, "check", "putin", "ML@2027-09-01")["stops"][0]
    assert answer["basis"] == "article_127_2" and answer["local_facts"]
    assert invoke("data", "validate").exit_code == 0


def test_each_dataset_answers_with_its_own_source_tiers(dataset, newsroom: Path, monkeypatch) -> None:
    """Tiers are bound to the sources when a dataset is loaded, from that dataset's table: a local
    facts file that classes a host changes the answers made from its dataset only."""
    import datetime as dt

    from icc_travel.data import store
    from icc_travel.data.paths import FACTS_ENV
    from icc_travel.data.sources import bind
    from icc_travel.engine.contract import obligation_json
    from icc_travel.law import obligation

    monkeypatch.setenv(FACTS_ENV, str(newsroom))
    local = store.load()
    mali = next(t for t in local.territories if t.iso3 == "MLI")
    on = dt.date(2026, 9, 1)
    answer = obligation(local.subjects[0], mali, on, local.situations[local.subjects[0].situation])
    newsroom_url = "https://newsroom.example.org/2026/08/mali-notifies-withdrawal"
    tiers = {s["url"]: s["tier"] for s in obligation_json(answer)["sources"]}
    assert tiers[newsroom_url] == "news"
    # the bundled dataset, loaded before and after, does not know the host: an aggregator to it
    assert "newsroom.example.org" not in dataset.source_tiers
    assert bind(newsroom_url, dataset.source_tiers).tier == "aggregator"
    bundled_mali = dataset.by_iso3["MLI"]
    bundled = obligation(dataset.subjects[0], bundled_mali, on, dataset.situations[dataset.subjects[0].situation])
    assert newsroom_url not in {s["url"] for s in obligation_json(bundled)["sources"]}
