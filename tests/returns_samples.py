"""Small hand-made spoke data for the return tests, written through the store (as forms save it)."""

from __future__ import annotations

from typing import Any

from vrp_tui.store import Store


def set_up(store: Store) -> Store:
    store.set_settings({"spoke": "bristol", "worker": "Amy Tester"})
    return store


def intervention(store: Store, ref: str, start: str = "2024-01-01", end: str | None = None,
                 approach: str = "mentoring", setting: str = "community") -> int:
    return store.save("interventions", {
        "ref": ref, "name": f"{ref} programme", "provider": "Youth Moves", "approach": approach,
        "prevention_level": "secondary", "setting": setting, "start_date": start, "end_date": end})


def person(store: Store, ref: str, dob: str | None = None, sex: str | None = None,
           ethnicity: str | None = None, postcode: str | None = None) -> int:
    return store.save("participants", {"ref": ref, "date_of_birth": dob, "sex": sex,
                                       "ethnicity": ethnicity, "postcode_district": postcode})


def enrol(store: Store, p: int, i: int, referral: str, start: str | None = None, end: str | None = None,
          exit_reason: str | None = None, high_risk: bool = False) -> int:
    return store.save("enrolments", {
        "participant_id": p, "intervention_id": i, "referral_date": referral, "referral_source": "police",
        "high_risk": high_risk, "start_date": start, "end_date": end, "exit_reason": exit_reason})


def contact(store: Store, p: int, i: int, day: str, minutes: int = 30) -> int:
    return store.save("contacts", {"participant_id": p, "intervention_id": i, "date": day,
                                   "minutes": minutes, "mode": "one-to-one"})


def money(store: Store, kind: str, i: int, when: str, source: str, amount: str) -> int:
    key = "period" if kind == "spend" else "financial_year"
    return store.save(kind, {"intervention_id": i, key: when, "funding_source": source, "amount": amount})


def fill(store: Store) -> dict[str, Any]:
    """The main hand-made data set; tests/test_returns_figures.py works its figures out by hand.

    Mentoring (MENT) and Sports (SPRT) run from 2024; the A and E navigators (NAV)
    start on 1 Jul 2025. Young people: A (born 1 Apr 2010, male, white), B (born
    15 Jun 2008, female, black), C (no date of birth, sex or ethnicity), D (born
    1 May 2000, other, mixed).
    """
    set_up(store)
    ment = intervention(store, "MENT")
    sprt = intervention(store, "SPRT", approach="sports-programmes")
    nav = intervention(store, "NAV", start="2025-07-01", approach="a-and-e-navigators", setting="hospital")
    a = person(store, "CASE-A", "2010-04-01", "male", "white", "BS5")
    b = person(store, "CASE-B", "2008-06-15", "female", "black", "BS2")
    c = person(store, "CASE-C")
    d = person(store, "CASE-D", "2000-05-01", "other", "mixed")
    # Mentoring
    enrol(store, a, ment, "2025-03-31", start="2025-04-01")
    enrol(store, b, ment, "2025-04-01", high_risk=True)  # referred, never started
    enrol(store, c, ment, "2025-05-10", start="2025-05-12", end="2025-06-30", exit_reason="completed",
          high_risk=True)
    enrol(store, d, ment, "2025-01-10", start="2025-01-15", end="2025-07-01", exit_reason="disengaged")
    # Sports
    enrol(store, b, sprt, "2025-06-30", start="2025-06-30", end="2025-06-30", exit_reason="moved-away")
    enrol(store, a, sprt, "2025-04-15", start="2025-04-20", end="2025-05-31", exit_reason="completed")
    enrol(store, a, sprt, "2025-06-01", high_risk=True)
    for p, i, day, minutes in (
        (a, ment, "2025-04-01", 25), (a, ment, "2025-05-05", 3), (a, ment, "2025-06-30", 9),
        (b, ment, "2025-04-02", 45),
        (c, ment, "2025-06-01", 50), (c, ment, "2025-06-30", 10),
        (d, ment, "2025-03-31", 30), (d, ment, "2025-07-01", 30),
        (a, sprt, "2025-05-01", 60), (a, sprt, "2025-06-10", 30),
        (b, sprt, "2025-06-30", 20),
    ):
        contact(store, p, i, day, minutes)
    money(store, "spend", ment, "2024-25-Q4", "grant", "1000")
    money(store, "spend", ment, "2025-26-Q1", "grant", "1250")
    money(store, "spend", ment, "2025-26-Q1", "match", "300.50")
    money(store, "spend", ment, "2025-26-Q2", "grant", "999")
    money(store, "budgets", ment, "2024-25", "grant", "4000")
    money(store, "budgets", ment, "2025-26", "grant", "5000")
    money(store, "budgets", ment, "2025-26", "match", "1200")
    return {"ment": ment, "sprt": sprt, "nav": nav, "a": a, "b": b, "c": c, "d": d}


def measure(store: Store, p: int, i: int, day: str, instrument: str, score: str) -> int:
    """A measurement as a form saves it (``score`` as typed: ``"22.5"``)."""
    return store.save("measurements", {"participant_id": p, "intervention_id": i, "date": day,
                                       "instrument": instrument, "score_tenths": score})


def session(store: Store, p: int, i: int, day: str, minutes: int = 30, attendance: str = "attended") -> int:
    return store.save("contacts", {"participant_id": p, "intervention_id": i, "date": day,
                                   "minutes": minutes, "mode": "group", "attendance": attendance})
