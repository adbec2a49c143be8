"""Attendance and outcome figures of SPEC section 4, on small data sets worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from returns_samples import enrol, intervention, measure, person, session, set_up

from vrp_tui.periods import Period
from vrp_tui.reference import INSTRUMENTS
from vrp_tui.returns import build_draft
from vrp_tui.returns.measures import attendance_rate, mean_change
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")  # 1 Apr - 30 Jun 2025
Q2 = Period.parse("2025-26-Q2")


def figures(store: Store, period: Period) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    doc = build_draft(store, period).to_json()
    return {line["ref"]: line for line in doc["interventions"]}, doc["totals"]


def outcome(measured: int = 0, paired: int = 0, improved: int = 0, unchanged: int = 0, worsened: int = 0,
            change_sum: float = 0.0, mean: float | None = None) -> dict[str, Any]:
    return {"measured": measured, "paired": paired, "improved": improved, "unchanged": unchanged,
            "worsened": worsened, "change_sum": change_sum, "mean_change": mean}


def test_a_group_of_twelve_with_three_missed_and_one_cancelled(store: Store) -> None:
    set_up(store)
    group = intervention(store, "GRP", approach="sports-programmes")
    people = [person(store, f"G{n:02}", "2010-01-01", "male", "white") for n in range(12)]
    for p in people:
        enrol(store, p, group, "2025-04-01", start="2025-04-01")
    marks = ["attended"] * 8 + ["did-not-attend"] * 3 + ["cancelled"]
    for p, attendance in zip(people, marks, strict=True):
        session(store, p, group, "2025-05-05", 60, attendance)
    lines, totals = figures(store, Q1)
    for part in (lines["GRP"], totals):
        assert part["contacts"] == 8  # the attended sessions only
        assert part["did_not_attend"] == 3
        assert part["attendance_rate"] == 72.7  # 8 / 11 = 72.727..%
        assert part["active"] == 8  # young people who came
        assert part["contact_hours"] == 8.0  # a missed session's planned hour is not an hour delivered
        assert part["active_by_sex"]["male"] == 8


def test_attendance_rate_is_null_with_no_sessions_offered(store: Store) -> None:
    set_up(store)
    i = intervention(store, "GRP")
    p = person(store, "G01")
    enrol(store, p, i, "2025-04-01")
    session(store, p, i, "2025-05-05", 60, "cancelled")
    lines, totals = figures(store, Q1)
    assert (lines["GRP"]["contacts"], lines["GRP"]["did_not_attend"], lines["GRP"]["attendance_rate"]) == (0, 0, None)
    assert lines["GRP"]["active"] == 0  # a cancelled session is no attendance
    assert totals["attendance_rate"] is None


def test_spoke_attendance_rate_is_worked_out_from_the_sums(store: Store) -> None:
    set_up(store)
    a, b = intervention(store, "A"), intervention(store, "B")
    p = person(store, "P1")
    enrol(store, p, a, "2025-04-01")
    enrol(store, p, b, "2025-04-01")
    session(store, p, a, "2025-04-02", 30, "did-not-attend")  # A: 0 of 1 = 0.0
    for day in ("2025-04-03", "2025-04-04", "2025-04-05"):
        session(store, p, b, day)  # B: 3 of 3 = 100.0
    lines, totals = figures(store, Q1)
    assert (lines["A"]["attendance_rate"], lines["B"]["attendance_rate"]) == (0.0, 100.0)
    assert totals["attendance_rate"] == 75.0  # 3 / 4, not the mean of 0 and 100


def sample(store: Store) -> dict[str, int]:
    """MENT (mentoring) and SPRT (sports); each measurement below is worked in the tests."""
    set_up(store)
    ment = intervention(store, "MENT")
    sprt = intervention(store, "SPRT", approach="sports-programmes")
    p1, p2, p3, p4, p5, p6 = (person(store, f"P{n}") for n in range(1, 7))
    enrol(store, p1, ment, "2025-01-10")
    enrol(store, p1, sprt, "2025-03-01")
    enrol(store, p2, ment, "2025-04-01")
    enrol(store, p3, ment, "2025-04-01")
    enrol(store, p4, ment, "2025-02-01")
    enrol(store, p5, ment, "2024-10-01", end="2025-03-31", exit_reason="completed")
    enrol(store, p5, ment, "2025-04-15")
    enrol(store, p6, sprt, "2025-04-01")
    # sdq-total is lower-is-better: P1 from 20 to 14 on the quarter's last day is +6 (improved);
    # 30 on 1 July belongs to Q2 and leaves Q1 alone.
    measure(store, p1, ment, "2025-01-15", "sdq-total", "20")
    measure(store, p1, ment, "2025-06-30", "sdq-total", "14")
    measure(store, p1, ment, "2025-07-01", "sdq-total", "30")
    # ors, higher is better, one decimal.
    measure(store, p2, ment, "2025-04-10", "ors", "22.5")  # P2: 22.5 -> 25.0, +2.5
    measure(store, p2, ment, "2025-06-01", "ors", "25")
    measure(store, p3, ment, "2025-05-01", "ors", "30.0")  # P3: one measurement: measured, not paired
    measure(store, p4, ment, "2025-03-01", "ors", "18.3")  # P4: a tie, unchanged
    measure(store, p4, ment, "2025-05-20", "ors", "18.3")
    # P5's first referral (ended 31 Mar) holds 10.0 and 20.0; the second holds 15.0 -> 16.1: +1.1.
    # One baseline per person would be 10.0 -> 16.1 = +6.1.
    measure(store, p5, ment, "2024-11-01", "ors", "10.0")
    measure(store, p5, ment, "2025-03-15", "ors", "20.0")
    measure(store, p5, ment, "2025-05-01", "ors", "15.0")
    measure(store, p5, ment, "2025-06-15", "ors", "16.1")
    # P1 on a second intervention: swemwbs (higher is better) 20 -> 18, -2 (worsened).
    measure(store, p1, sprt, "2025-04-01", "swemwbs", "20")
    measure(store, p1, sprt, "2025-06-01", "swemwbs", "18")
    measure(store, p6, sprt, "2025-04-02", "ors", "10.0")  # P6: +0.5
    measure(store, p6, sprt, "2025-06-02", "ors", "10.5")
    return {"ment": ment, "sprt": sprt, "p1": p1}


def test_outcomes_per_intervention(store: Store) -> None:
    sample(store)
    lines, _ = figures(store, Q1)
    ment = lines["MENT"]["outcomes"]
    assert list(ment) == list(INSTRUMENTS)  # every instrument, zeros included
    assert ment["sdq-total"] == outcome(1, 1, improved=1, change_sum=6.0, mean=6.0)
    # P2 +2.5, P3 measured only, P4 0.0, P5's second referral +1.1: 3.6 over 3 paired = 1.2
    assert ment["ors"] == outcome(4, 1 + 1 + 1, improved=2, unchanged=1, change_sum=3.6, mean=1.2)
    assert ment["swemwbs"] == ment["wemwbs"] == ment["goal-based"] == outcome()
    sprt = lines["SPRT"]["outcomes"]
    assert sprt["swemwbs"] == outcome(1, 1, worsened=1, change_sum=-2.0, mean=-2.0)
    assert sprt["ors"] == outcome(1, 1, improved=1, change_sum=0.5, mean=0.5)
    assert sprt["sdq-total"] == outcome()


def test_outcome_totals_are_sums_with_the_mean_worked_out_again(store: Store) -> None:
    sample(store)
    _, totals = figures(store, Q1)
    outcomes = totals["outcomes"]
    assert outcomes["sdq-total"] == outcome(1, 1, improved=1, change_sum=6.0, mean=6.0)
    # 3.6 + 0.5 = 4.1 over 4 paired = 1.025 -> 1.0 (the mean of 1.2 and 0.5 would be 0.85)
    assert outcomes["ors"] == outcome(5, 4, improved=3, unchanged=1, change_sum=4.1, mean=1.0)
    assert outcomes["swemwbs"] == outcome(1, 1, worsened=1, change_sum=-2.0, mean=-2.0)


def test_a_measurement_on_the_first_day_of_the_next_quarter_counts_there(store: Store) -> None:
    sample(store)
    lines, _ = figures(store, Q2)
    # Q2: P1's latest (1 Jul, 30) against the baseline (15 Jan, 20): lower is better, -10.
    assert lines["MENT"]["outcomes"]["sdq-total"] == outcome(1, 1, worsened=1, change_sum=-10.0, mean=-10.0)
    assert lines["MENT"]["outcomes"]["ors"] == outcome()  # nothing measured in Q2


def test_a_later_measurement_never_changes_an_earlier_quarter(store: Store) -> None:
    ids = sample(store)
    before = figures(store, Q1)[0]["MENT"]["outcomes"]
    measure(store, ids["p1"], ids["ment"], "2025-08-01", "sdq-total", "40")
    assert figures(store, Q1)[0]["MENT"]["outcomes"] == before


def test_measurements_outside_every_window_are_not_counted(store: Store) -> None:
    set_up(store)
    i = intervention(store, "MENT")
    p = person(store, "P1")
    enrol(store, p, i, "2025-05-01")
    store.conn.execute("INSERT INTO measurements (participant_id, intervention_id, date, instrument, "
                       "score_tenths) VALUES (?, ?, '2025-04-20', 'ors', 100)", [p, i])  # before the referral
    measure(store, p, i, "2025-06-01", "ors", "12")
    lines, _ = figures(store, Q1)
    assert lines["MENT"]["outcomes"]["ors"] == outcome(1)  # one held measurement: measured, not paired


@pytest.mark.parametrize(("tenths", "paired", "expected"), [
    (5, 2, 0.3), (-5, 2, -0.3),  # 0.25 -> 0.3 and -0.25 -> -0.3: a half rounds away from zero
    (41, 4, 1.0), (-41, 4, -1.0), (0, 3, 0.0), (10, 3, 0.3), (20, 3, 0.7), (7, 0, None),
])
def test_mean_change_rounds_half_up_away_from_zero(tenths: int, paired: int, expected: float | None) -> None:
    assert mean_change(tenths, paired) == expected


@pytest.mark.parametrize(("contacts", "missed", "expected"), [
    (8, 3, 72.7), (1, 7, 12.5), (0, 0, None), (0, 4, 0.0), (2, 0, 100.0), (1, 2, 33.3), (2, 1, 66.7),
    (1, 15, 6.3),  # 6.25 -> 6.3
])
def test_attendance_rate_rounding(contacts: int, missed: int, expected: float | None) -> None:
    assert attendance_rate(contacts, missed) == expected
