"""The figures of SPEC section 4 on small data sets whose answers are worked out by hand.

tests/returns_samples.fill describes the main data set; each expected figure
below says which records make it up.
"""

from __future__ import annotations

from typing import Any

import pytest
from returns_samples import contact, enrol, fill, intervention, money, person, set_up

from vrp_tui.periods import Period
from vrp_tui.reference import AGE_BAND, ETHNICITY, EXIT_REASON, INSTRUMENTS, SEX
from vrp_tui.returns import build_draft
from vrp_tui.returns.measures import hours
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")  # 1 Apr - 30 Jun 2025


def figures(store: Store, period: Period) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    doc = build_draft(store, period).to_json()
    return {line["ref"]: line for line in doc["interventions"]}, doc["totals"]


def bands(**counts: int) -> dict[str, int]:
    keys = {"b0_9": "0-9", "b10_14": "10-14", "b15_17": "15-17", "b18_24": "18-24", "b25": "25+",
            "unknown": "unknown"}
    return {band: counts.get(name, 0) for name, band in keys.items()}


def by(taxonomy: dict[str, str], **counts: int) -> dict[str, int]:
    return {slug: counts.get(slug.replace("-", "_"), 0) for slug in taxonomy}


def test_quarter_one_per_intervention(store: Store) -> None:
    fill(store)
    lines, _ = figures(store, Q1)
    assert list(lines) == ["MENT", "SPRT"]  # NAV starts 1 Jul: not in Q1
    ment = lines["MENT"]
    # Referred 1 Apr (B) and 10 May (C); A's 31 Mar referral is Q4's.
    assert ment["referrals"] == 2
    # Started 1 Apr (A) and 12 May (C); B never started, D started in January.
    assert ment["starts"] == 2
    # C completed on 30 Jun; D's exit on 1 Jul is Q2's.
    assert (ment["completions"], ment["other_exits"]) == (1, 0)
    # A 3 sessions, B 1, C 2; D's 31 Mar and 1 Jul sessions fall outside.
    assert ment["contacts"] == 6
    assert ment["contact_hours"] == 2.4  # 25+3+9+45+50+10 = 142 min = 2.366.. h
    assert ment["active"] == 3
    # B's and C's holding referrals are high risk; A's is not.
    assert ment["high_risk_active"] == 2
    # A is 14 on 31 Mar 2025 (15 the next day); B is 16 on 1 Apr 2025; C has no date of birth.
    assert ment["active_by_age_band"] == bands(b10_14=1, b15_17=1, unknown=1)
    assert ment["active_by_sex"] == by(SEX, male=1, female=1, not_known=1)
    assert ment["active_by_ethnicity"] == by(ETHNICITY, white=1, black=1, not_stated=1)
    assert ment["spend_gbp"] == {"grant": "1250.00", "match": "300.50"}
    assert ment["spend_ytd_gbp"] == {"grant": "1250.00", "match": "300.50"}  # 2024-25 Q4 is last year's
    assert ment["budget_gbp"] == {"grant": "5000.00", "match": "1200.00"}
    assert (ment["ref"], ment["name"], ment["approach"], ment["prevention_level"], ment["setting"]) == (
        "MENT", "MENT programme", "mentoring", "secondary", "community")

    sprt = lines["SPRT"]
    assert sprt["referrals"] == 3  # B 30 Jun, A 15 Apr and 1 Jun
    assert sprt["starts"] == 2  # B 30 Jun, A 20 Apr; A's second referral has no start
    assert (sprt["completions"], sprt["other_exits"]) == (1, 1)  # A completed 31 May; B moved away 30 Jun
    assert (sprt["contacts"], sprt["contact_hours"]) == (3, 1.8)  # 60+30+20 = 110 min
    assert sprt["active"] == 2
    # A's latest session (10 Jun) is held by the 1 Jun referral (high risk), not the ended one.
    assert sprt["high_risk_active"] == 1
    # A is 15 on 1 Jun 2025; B is 17 on 30 Jun 2025 (18 on 15 Jun 2026).
    assert sprt["active_by_age_band"] == bands(b15_17=2)
    assert sprt["spend_gbp"] == sprt["spend_ytd_gbp"] == sprt["budget_gbp"] == {"grant": "0.00", "match": "0.00"}


def test_quarter_one_spoke_totals(store: Store) -> None:
    fill(store)
    _, totals = figures(store, Q1)
    assert (totals["referrals"], totals["starts"], totals["completions"], totals["other_exits"]) == (5, 4, 2, 1)
    assert (totals["contacts"], totals["contact_hours"]) == (9, 4.2)  # 2.4 + 1.8
    # A and B attended both interventions: counted once each.
    assert totals["active"] == 3
    # Each young person once, from their latest session in the quarter across the spoke:
    # A 30 Jun at MENT (not high risk, 14), B 30 Jun at SPRT (not high risk, 17), C 30 Jun at MENT (high risk).
    assert totals["high_risk_active"] == 1
    assert totals["active_by_age_band"] == bands(b10_14=1, b15_17=1, unknown=1)
    assert totals["active_by_sex"] == by(SEX, male=1, female=1, not_known=1)
    assert totals["active_by_ethnicity"] == by(ETHNICITY, white=1, black=1, not_stated=1)
    assert totals["spend_gbp"] == {"grant": "1250.00", "match": "300.50"}
    assert totals["budget_gbp"] == {"grant": "5000.00", "match": "1200.00"}


def test_previous_quarter_across_the_financial_year_boundary(store: Store) -> None:
    fill(store)
    lines, totals = figures(store, Period.parse("2024-25-Q4"))  # 1 Jan - 31 Mar 2025
    assert list(lines) == ["MENT", "SPRT"]
    ment = lines["MENT"]
    # A's referral on 31 Mar and D's on 10 Jan; D started 15 Jan, A on 1 Apr (Q1).
    assert (ment["referrals"], ment["starts"]) == (2, 1)
    assert (ment["contacts"], ment["contact_hours"], ment["active"]) == (1, 0.5, 1)  # D, 31 Mar, 30 min
    # D is 24 on 10 Jan 2025 (25 on 1 May 2025).
    assert ment["active_by_age_band"] == bands(b18_24=1)
    assert ment["spend_gbp"] == ment["spend_ytd_gbp"] == {"grant": "1000.00", "match": "0.00"}
    assert ment["budget_gbp"] == {"grant": "4000.00", "match": "0.00"}
    assert totals["active"] == 1


def test_next_quarter_and_spend_year_to_date(store: Store) -> None:
    fill(store)
    lines, totals = figures(store, Period.parse("2025-26-Q2"))  # 1 Jul - 30 Sep 2025
    assert list(lines) == ["MENT", "NAV", "SPRT"]  # NAV starts 1 Jul: listed, with nothing to report
    ment = lines["MENT"]
    assert (ment["referrals"], ment["starts"], ment["completions"], ment["other_exits"]) == (0, 0, 0, 1)
    assert (ment["contacts"], ment["active"]) == (1, 1)  # D on 1 Jul, the last day of their window
    assert ment["spend_gbp"] == {"grant": "999.00", "match": "0.00"}
    assert ment["spend_ytd_gbp"] == {"grant": "2249.00", "match": "300.50"}  # Q1 + Q2
    assert ment["budget_gbp"] == {"grant": "5000.00", "match": "1200.00"}
    assert lines["NAV"]["contacts"] == 0 and lines["NAV"]["active_by_sex"] == by(SEX)
    assert totals["spend_ytd_gbp"] == {"grant": "2249.00", "match": "300.50"}


def test_an_empty_quarter_is_all_zeros_with_every_breakdown_key(store: Store) -> None:
    fill(store)
    lines, totals = figures(store, Period.parse("2023-24-Q3"))  # before anything started
    assert lines == {}
    assert totals == {
        "referrals": 0, "starts": 0, "active": 0, "high_risk_active": 0, "completions": 0,
        "other_exits": 0, "contacts": 0, "contact_hours": 0.0,
        "active_by_age_band": dict.fromkeys(AGE_BAND, 0), "active_by_sex": dict.fromkeys(SEX, 0),
        "active_by_ethnicity": dict.fromkeys(ETHNICITY, 0),
        "spend_gbp": {"grant": "0.00", "match": "0.00"}, "spend_ytd_gbp": {"grant": "0.00", "match": "0.00"},
        "budget_gbp": {"grant": "0.00", "match": "0.00"},
        "did_not_attend": 0, "attendance_rate": None,
        "outcomes": {slug: {"measured": 0, "paired": 0, "improved": 0, "unchanged": 0, "worsened": 0,
                            "change_sum": 0.0, "mean_change": None} for slug in INSTRUMENTS},
    }


def test_a_running_intervention_with_no_activity_is_listed_with_zeros(store: Store) -> None:
    set_up(store)
    intervention(store, "IDLE", start="2025-01-01")
    lines, totals = figures(store, Q1)
    assert lines["IDLE"]["active"] == lines["IDLE"]["contacts"] == 0
    assert lines["IDLE"]["active_by_age_band"] == dict.fromkeys(AGE_BAND, 0)
    assert totals["active"] == 0


def test_age_bands_at_each_boundary_birthday(store: Store) -> None:
    """Age in whole years on the referral date: the birthday itself counts."""
    set_up(store)
    i = intervention(store, "AGES")
    cases = [  # (date of birth, referral date): age
        ("2015-02-10", "2025-02-09"),  # 9  -> 0-9
        ("2015-02-10", "2025-02-10"),  # 10 -> 10-14
        ("2010-02-10", "2025-02-09"),  # 14 -> 10-14
        ("2010-02-10", "2025-02-10"),  # 15 -> 15-17
        ("2007-02-10", "2025-02-09"),  # 17 -> 15-17
        ("2007-02-10", "2025-02-10"),  # 18 -> 18-24
        ("2000-02-10", "2025-02-09"),  # 24 -> 18-24
        ("2000-02-10", "2025-02-10"),  # 25 -> 25+
        ("2000-02-29", "2025-02-28"),  # 24: a leap-day birthday falls on 1 March in other years
        ("2000-02-29", "2025-03-01"),  # 25 -> 25+
        (None, "2025-02-10"),  # no date of birth -> unknown
    ]
    for n, (dob, referral) in enumerate(cases):
        p = person(store, f"AGE-{n}", dob)
        enrol(store, p, i, referral)
        contact(store, p, i, referral)
    lines, totals = figures(store, Period.parse("2024-25-Q4"))
    expected = bands(b0_9=1, b10_14=2, b15_17=2, b18_24=3, b25=2, unknown=1)
    assert lines["AGES"]["active_by_age_band"] == expected
    assert totals["active_by_age_band"] == expected


def test_age_and_risk_come_from_the_referral_holding_the_latest_session(store: Store) -> None:
    set_up(store)
    i = intervention(store, "TWICE")
    p = person(store, "CASE-T", "2015-03-10")
    enrol(store, p, i, "2025-01-05", start="2025-01-06", end="2025-02-01", exit_reason="disengaged",
          high_risk=True)  # aged 9
    enrol(store, p, i, "2025-03-15")  # aged 10, not high risk
    contact(store, p, i, "2025-01-20")
    contact(store, p, i, "2025-03-20")
    lines, _ = figures(store, Period.parse("2024-25-Q4"))
    assert lines["TWICE"]["active"] == 1
    assert lines["TWICE"]["high_risk_active"] == 0
    assert lines["TWICE"]["active_by_age_band"] == bands(b10_14=1)


def test_overlapping_windows_the_later_referral_holds_the_session(store: Store) -> None:
    set_up(store)
    i = intervention(store, "OVER")
    p = person(store, "CASE-O", "2010-06-01")
    enrol(store, p, i, "2025-04-01")  # open, not high risk, aged 14
    enrol(store, p, i, "2025-06-05", high_risk=True)  # open too, aged 15
    contact(store, p, i, "2025-06-10")
    lines, _ = figures(store, Q1)
    assert lines["OVER"]["high_risk_active"] == 1
    assert lines["OVER"]["active_by_age_band"] == bands(b15_17=1)


def test_spoke_totals_tie_on_the_same_day_goes_to_the_later_referral(store: Store) -> None:
    set_up(store)
    first = intervention(store, "FIRST")
    second = intervention(store, "SECOND")
    p = person(store, "CASE-S", "2012-01-01")
    enrol(store, p, first, "2025-05-01", high_risk=True)
    enrol(store, p, second, "2025-04-01")
    contact(store, p, first, "2025-06-02")
    contact(store, p, second, "2025-06-02")
    lines, totals = figures(store, Q1)
    assert (lines["FIRST"]["high_risk_active"], lines["SECOND"]["high_risk_active"]) == (1, 0)
    assert (totals["active"], totals["high_risk_active"]) == (1, 1)


@pytest.mark.parametrize(("minutes", "expected"), [
    (25, 0.4),  # 0.4166..
    (3, 0.1),  # 0.05 exactly: half-up
    (9, 0.2),  # 0.15 exactly: half-up (binary floating point would give 0.1)
    (1, 0.0),  # 0.0166..
    (57, 1.0),  # 0.95 exactly
    (90, 1.5),
    (1440, 24.0),
])
def test_contact_hours_round_half_up(minutes: int, expected: float) -> None:
    assert hours(minutes) == expected


def test_spoke_contact_hours_add_up_the_interventions_rounded_hours(store: Store) -> None:
    set_up(store)
    p = person(store, "CASE-H")
    for ref, minutes in (("H1", 25), ("H2", 3), ("H3", 9)):
        i = intervention(store, ref)
        enrol(store, p, i, "2025-04-01")
        contact(store, p, i, "2025-04-02", minutes)
    lines, totals = figures(store, Q1)
    assert [lines[r]["contact_hours"] for r in ("H1", "H2", "H3")] == [0.4, 0.1, 0.2]
    assert totals["contact_hours"] == 0.7  # the table adds up (37 min alone would round to 0.6)


def test_money_is_exact_to_the_penny(store: Store) -> None:
    set_up(store)
    i = intervention(store, "PENNY")
    money(store, "spend", i, "2025-26-Q1", "grant", "0.10")
    money(store, "spend", i, "2025-26-Q2", "grant", "0.20")
    lines, totals = figures(store, Period.parse("2025-26-Q2"))
    assert lines["PENNY"]["spend_ytd_gbp"]["grant"] == "0.30"  # not 0.30000000000000004
    assert totals["spend_ytd_gbp"]["grant"] == "0.30"


@pytest.mark.parametrize("reason", list(EXIT_REASON))
def test_each_exit_reason_is_a_completion_or_an_other_exit(store: Store, reason: str) -> None:
    set_up(store)
    i = intervention(store, "EXITS")
    p = person(store, "CASE-X")
    enrol(store, p, i, "2025-04-01", start="2025-04-02", end="2025-06-30", exit_reason=reason)
    enrol(store, p, i, "2025-03-01", start="2025-03-02", end="2025-03-31", exit_reason=reason)  # Q4's exit
    lines, _ = figures(store, Q1)
    expected = (1, 0) if reason == "completed" else (0, 1)
    assert (lines["EXITS"]["completions"], lines["EXITS"]["other_exits"]) == expected
