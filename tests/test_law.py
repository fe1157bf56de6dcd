"""The legal engine, rule by rule, on synthetic records and on the real data."""

from __future__ import annotations

import datetime as dt

import pytest

from icc_travel import law
from icc_travel.data.models import Dataset, Declaration, Situation, Source, Subject, Territory, UnscReferral, Warrant

D = dt.date.fromisoformat


def territory(**changes: object) -> Territory:
    base = Territory(
        iso3="XAA",
        iso2="XA",
        name="Testland",
        sovereign="XAA",
        territory=None,
        signed=None,
        deposited=D("2010-01-05"),
        entry_into_force=D("2010-04-01"),
        withdrawal_notified=None,
        withdrawal_revoked=None,
        withdrawal_effective=None,
        application=None,
        sources=(Source("https://example.org/state", "court"),),
        control_note=None,
    )
    return base._replace(**changes)


SUBJECT = Subject(
    id="doe",
    name="John Doe",
    aliases=(),
    nationality="XBB",
    position="Militia commander",
    situation="s",
    case=None,
    warrants=(Warrant(D("2015-06-01"), D("2015-07-01"), ("war crimes",)),),
    status="at_large",
    status_date=D("2015-06-01"),
    status_note=None,
    sources=(Source("https://example.org/case", "court"),),
)
SITUATION = Situation(
    id="s",
    name="Situation in Somewhere",
    icc_code=None,
    investigation_opened=D("2014-01-10"),
    referral=None,
    unsc_referral=None,
    article_12_3=(),
    sources=(Source("https://example.org/situation", "court"),),
)


def decide(
    on: str,
    where: Territory | None = None,
    subject: Subject = SUBJECT,
    situation: Situation = SITUATION,
    kind: str = "visit",
) -> law.Obligation:
    return law.obligation(subject, where if where is not None else territory(), D(on), situation, kind)


def test_no_warrant_before_first_issue_even_in_a_party() -> None:
    assert (decide("2015-05-31").level, decide("2015-05-31").basis) == ("none", "no_warrant")
    assert (decide("2015-06-01").level, decide("2015-06-01").basis) == ("arrest", "state_party")


def test_sealed_warrant_binds_from_issue_and_says_so() -> None:
    reasons = " ".join(decide("2015-06-15").reasons)
    assert "under seal" in reasons and "2015-07-01" in reasons


@pytest.mark.parametrize("status", ["deceased", "withdrawn", "in_custody", "convicted", "acquitted"])
def test_no_warrant_after_status_ends_it(status: str) -> None:
    ended = SUBJECT._replace(status=status, status_date=D("2020-01-01"))
    if status == "deceased":  # a death ends the warrant only once a chamber ends the proceedings
        ended = ended._replace(proceedings_ended=D("2020-01-01"))
    assert decide("2019-12-31", subject=ended).level == "arrest"
    assert (decide("2020-01-01", subject=ended).level, decide("2020-01-01", subject=ended).basis) == (
        "none",
        "no_warrant",
    )


def test_application_pending_has_no_obligation() -> None:
    pending = SUBJECT._replace(warrants=(), status="application_pending")
    assert decide("2025-01-01", subject=pending).basis == "no_warrant"


def test_day_before_and_day_of_entry_into_force() -> None:
    late = territory(deposited=D("2019-11-26"), entry_into_force=D("2020-02-01"))
    assert decide("2020-01-31", late).basis == "non_party"
    assert "not yet a State Party" in " ".join(decide("2020-01-31", late).reasons)
    assert decide("2020-02-01", late).basis == "state_party"


def test_notified_withdrawal_keeps_obligation_until_effective() -> None:
    leaving = territory(withdrawal_notified=D("2021-03-01"), withdrawal_effective=D("2022-03-01"))
    result = decide("2022-02-28", leaving)
    assert result.level == "arrest" and "Art. 127(1)" in " ".join(result.reasons)


def test_revoked_withdrawal_never_takes_effect() -> None:
    revoked = territory(withdrawal_notified=D("2016-10-19"), withdrawal_revoked=D("2017-03-07"))
    result = decide("2018-01-01", revoked)
    assert result.basis == "state_party" and "revoked" in " ".join(result.reasons)


def test_former_party_with_investigation_opened_before_withdrawal_is_continuing() -> None:
    former = territory(withdrawal_notified=D("2016-01-01"), withdrawal_effective=D("2017-01-01"))
    assert decide("2016-12-31", former).level == "arrest"
    after = decide("2017-01-01", former)
    assert (after.level, after.basis) == ("continuing", "article_127_2")
    assert "contested" in " ".join(after.reasons)


def test_former_party_with_investigation_opened_after_withdrawal_is_none() -> None:
    former = territory(withdrawal_notified=D("2012-01-01"), withdrawal_effective=D("2013-01-01"))
    result = decide("2016-01-01", former)
    assert (result.level, result.basis) == ("none", "former_party")


def test_unsc_referral_binds_only_the_named_state() -> None:
    referred = SITUATION._replace(unsc_referral=UnscReferral("S/RES/1 (2005)", D("2005-03-31"), ("XBB",)))
    bound = territory(iso3="XBB", sovereign="XBB", entry_into_force=None, deposited=None)
    other = territory(iso3="XCC", sovereign="XCC", entry_into_force=None, deposited=None)
    assert decide("2016-01-01", bound, situation=referred).basis == "unsc_referral"
    result = decide("2016-01-01", other, situation=referred)
    assert (result.level, result.basis) == ("none", "non_party")
    assert "urges" in " ".join(result.reasons)


def test_article_12_3_declaration_binds_from_lodging() -> None:
    declared = SITUATION._replace(article_12_3=(Declaration("XBB", D("2015-09-08"), D("2014-02-20"), None),))
    state = territory(iso3="XBB", sovereign="XBB", entry_into_force=None, deposited=None)
    assert decide("2015-09-07", state, situation=declared).basis == "non_party"
    assert decide("2015-09-08", state, situation=declared).basis == "article_12_3"


def test_no_territory_on_the_high_seas() -> None:
    result = law.obligation(SUBJECT, None, D("2020-01-01"), SITUATION)
    assert (result.level, result.basis) == ("none", "no_territory")


def test_excluded_and_unknown_dependencies() -> None:
    excluded = territory(iso3="TKL", sovereign="NZL", application="excluded", entry_into_force=None, deposited=None)
    assert decide("2020-01-01", excluded).basis == "non_party"
    unknown = territory(iso3="JEY", sovereign="GBR", application="unknown", entry_into_force=None, deposited=None)
    assert decide("2020-01-01", unknown).basis == "application_unknown"


def test_transit_is_territory_too() -> None:
    result = decide("2020-01-01", kind="transit")
    assert result.level == "arrest" and any("transit" in r for r in result.reasons)


def test_levels_are_ordered() -> None:
    assert law.reaches("arrest", "continuing") and law.reaches("continuing", "continuing")
    assert not law.reaches("none", "continuing") and not law.reaches("arrest", "never")


# The real data: the cases users ask about.
@pytest.mark.parametrize(
    ("subject", "iso3", "day", "level", "basis"),
    [
        ("putin", "MNG", "2024-09-03", "arrest", "state_party"),
        ("putin", "MNG", "2023-03-16", "none", "no_warrant"),
        ("putin", "ARM", "2024-01-31", "none", "non_party"),
        ("putin", "ARM", "2024-02-01", "arrest", "state_party"),
        ("putin", "UKR", "2023-06-01", "arrest", "article_12_3"),
        ("putin", "BDI", "2024-01-01", "none", "former_party"),
        ("putin", "RUS", "2024-01-01", "none", "non_party"),
        ("netanyahu", "HUN", "2025-04-03", "arrest", "state_party"),
        ("netanyahu", "HUN", "2026-06-02", "arrest", "state_party"),  # withdrawal revoked 2026-05-29
        ("bashir", "SDN", "2015-06-14", "arrest", "unsc_referral"),
        ("bashir", "ZAF", "2015-06-14", "arrest", "state_party"),
        ("bashir", "EGY", "2015-06-14", "none", "non_party"),
        ("duterte", "PHL", "2025-03-11", "continuing", "article_127_2"),  # contested: see test_facts
    ],
)
def test_real_cases(dataset: Dataset, subject: str, iso3: str, day: str, level: str, basis: str) -> None:
    person = dataset.subject(subject)
    result = law.obligation(person, dataset.by_iso3[iso3], D(day), dataset.situations[person.situation])
    assert (result.level, result.basis) == (level, basis)
    assert result.sources


def test_a_death_the_court_has_not_confirmed_leaves_the_warrant_in_effect_disputed() -> None:
    dead = SUBJECT._replace(
        status="deceased",
        status_date=D("2020-01-01"),
        proceedings_ended=D("2021-06-01"),
        death_sources=(Source("https://example.org/report", "court"),),
        death_confidence="medium",
    )
    before, reported, ended = (
        decide("2019-12-31", subject=dead),
        decide("2020-01-01", subject=dead),
        decide("2021-06-01", subject=dead),
    )
    assert (before.level, before.disputed) == ("arrest", None)
    assert (reported.level, reported.basis, reported.confidence) == ("arrest", "state_party", "medium")
    assert reported.disputed is not None and (reported.disputed.level, reported.disputed.basis) == (
        "none",
        "no_warrant",
    )
    assert "reported dead on 2020-01-01 (https://example.org/report)" in reported.disputed.reason
    assert "formally in effect" in reported.reasons[0]
    assert (ended.level, ended.basis) == ("none", "no_warrant")
    assert "ended the proceedings on 2021-06-01" in ended.reasons[0]
    weak = dead._replace(death_confidence="low")
    assert decide("2020-06-01", subject=weak).confidence == "low"


def test_a_warrant_issued_under_seal_on_an_undisclosed_day() -> None:
    from icc_travel.data.models import Warrant

    sealed = SUBJECT._replace(
        warrants=(Warrant(None, D("2024-10-04"), ("war crimes",), None, D("2023-04-06"), D("2023-07-18")),)
    )
    before, window, by, after = (
        decide(day, subject=sealed) for day in ("2023-04-05", "2023-05-01", "2023-07-18", "2024-01-01")
    )
    assert (before.level, before.basis, before.confidence) == ("none", "no_warrant", "high")
    assert "issued under seal between 2023-04-06 and 2023-07-18" in before.reasons[0]
    assert (window.level, window.confidence) == ("arrest", "low")
    assert window.disputed is not None and window.disputed.basis == "no_warrant"
    assert (by.level, by.disputed, after.level) == ("arrest", None, "arrest")
    assert "issued under seal by 2023-07-18; made public 2024-10-04" in after.reasons[0]
    unknown = SUBJECT._replace(warrants=(Warrant(None, D("2024-10-04"), ("war crimes",)),))
    early = decide("2024-01-01", subject=unknown)
    assert (early.level, early.basis, early.confidence) == ("none", "no_warrant", "low")
    assert "may already have existed" in early.reasons[0]


def test_a_doubt_about_the_warrant_changes_nothing_where_there_is_no_duty() -> None:
    dead = SUBJECT._replace(status="deceased", status_date=D("2020-01-01"), death_confidence="low")
    outside = territory(iso3="XCC", sovereign="XCC", entry_into_force=None, deposited=None)
    result = decide("2020-06-01", outside, subject=dead)
    assert (result.level, result.basis, result.disputed, result.confidence) == ("none", "non_party", None, "high")


# Areas whose standing depends on the date or on a claim (models.Standing).
def _area(**standing: object) -> Territory:
    from icc_travel.data.models import Standing

    rule = Standing(
        held=True,
        held_from=None,
        reason="Beyond the 6-nm sea: the high seas.",
        sources=(Source("https://example.org/sea", "court"),),
    )
    return territory(territory="Outer belt", kind="area", standing=rule._replace(**standing))


def test_an_area_held_from_a_date_is_the_high_seas_before_it() -> None:
    belt = _area(held_from=D("2021-01-20"))
    before = law.obligation(SUBJECT, belt, D("2021-01-19"), SITUATION)
    after = law.obligation(SUBJECT, belt, D("2021-01-20"), SITUATION)
    assert (before.level, before.basis) == ("none", "no_territory")
    assert "Beyond the 6-nm sea: the high seas." in before.reasons
    assert "https://example.org/sea" in {source.url for source in before.sources}
    assert (after.level, after.basis) == ("arrest", "state_party")
    assert before.disputed is None and after.disputed is None


def test_a_claimed_area_answers_the_high_seas_with_the_claim_as_the_disputed_reading() -> None:
    claim = _area(
        held=False,
        other_iso3="XAA",
        other_reason="Testland claims 10 nm of airspace.",
        other_sources=(Source("https://example.org/claim", "court"),),
        why_chosen="Airspace follows the sea.",
    )
    claim = claim._replace(standing=claim.standing._replace(other=territory()))
    decided = law.obligation(SUBJECT, claim, D("2024-01-01"), SITUATION)
    assert (decided.level, decided.basis) == ("none", "no_territory")
    assert decided.disputed is not None
    assert (decided.disputed.level, decided.disputed.basis) == ("arrest", "state_party")
    assert decided.disputed.reason == "Testland claims 10 nm of airspace."
    assert any(
        r.startswith("Disputed: on another reading") and "Airspace follows the sea." in r for r in decided.reasons
    )
    # before the claimant was a party, both readings agree: nothing to dispute
    assert law.obligation(SUBJECT, claim, D("2009-01-01"), SITUATION).disputed is None


def test_an_area_held_by_one_state_and_claimed_by_another_shows_the_claim() -> None:
    claimant = territory(
        iso3="XBB", iso2="XB", name="Otherland", sovereign="XBB", deposited=None, entry_into_force=None
    )
    held = _area(
        other_iso3="XBB",
        other_reason="Otherland claims it.",
        other_sources=(Source("https://example.org/o", "court"),),
        why_chosen="Testland administers it.",
    )
    held = held._replace(standing=held.standing._replace(other=claimant))
    decided = law.obligation(SUBJECT, held, D("2024-01-01"), SITUATION)
    assert (decided.level, decided.basis) == ("arrest", "state_party")
    assert (decided.disputed.level, decided.disputed.basis) == ("none", "non_party")
