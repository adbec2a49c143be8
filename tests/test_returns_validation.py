"""Every validation rule of SPEC section 4, each triggered on purpose.

The record forms refuse most impossible data, so the bad rows here go in by
direct SQL, as rows from older versions, restored backups or a wrong clock would.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from returns_samples import contact, enrol, fill, intervention, money, person, set_up

from vrp_tui.periods import Period
from vrp_tui.returns import build, save_narrative
from vrp_tui.returns.validation import Finding
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")
FUTURE = "2999-01-01"
FULL_NARRATIVE = {"highlights": "Two new mentors.", "challenges": "Summer holidays.",
                  "case_study": "A young person returned to school.", "next_quarter": "A new group."}


@pytest.fixture
def ids(store: Store) -> dict[str, Any]:
    """The main hand-made spoke with every intervention's spend recorded and the narrative written."""
    out = fill(store)
    money(store, "spend", out["sprt"], "2025-26-Q1", "grant", "10")
    save_narrative(store, Q1, FULL_NARRATIVE)
    return out


def findings(store: Store, period: Period = Q1) -> list[Finding]:
    return build(store, period).findings


def codes(store: Store, period: Period = Q1) -> set[tuple[str, str]]:
    return {(f.severity, f.code) for f in findings(store, period)}


def sql(store: Store, statement: str, *params: Any) -> None:
    store.conn.execute(statement, params)


def test_clean_data_has_nothing_to_say(store: Store, ids: dict[str, Any]) -> None:
    # MENT and SPRT have completions in Q1 and no outcome measures: the one warning about outcomes.
    assert codes(store) == {("warning", "participant-missing-sex"), ("warning", "participant-missing-ethnicity"),
                            ("warning", "intervention-no-paired-measures")}


def test_intervention_ending_before_it_starts(store: Store, ids: dict[str, Any]) -> None:
    sql(store, "UPDATE interventions SET end_date = '2023-12-31' WHERE id = ?", ids["nav"])
    (f,) = [f for f in findings(store) if f.code == "intervention-end-before-start"]
    assert (f.severity, f.table, f.id, f.ref, f.field) == ("error", "interventions", ids["nav"], "NAV", "end_date")


@pytest.mark.parametrize(("change", "code", "field"), [
    ("end_date = '2025-03-31', exit_reason = 'completed'", "enrolment-end-before-start", "end_date"),
    ("start_date = '2025-03-01'", "enrolment-start-before-referral", "start_date"),
    (f"referral_date = '{FUTURE}'", "enrolment-future-date", "referral_date"),
    (f"start_date = '{FUTURE}'", "enrolment-future-date", "start_date"),
    (f"end_date = '{FUTURE}', exit_reason = 'completed'", "enrolment-future-date", "end_date"),
    ("exit_reason = 'declined'", "enrolment-exit-without-end", "end_date"),
])
def test_enrolment_errors(store: Store, ids: dict[str, Any], change: str, code: str, field: str) -> None:
    # A's mentoring referral: 31 Mar 2025, started 1 Apr, open.
    enrolment = store.enrolment_holding(ids["a"], ids["ment"], "2025-04-01")
    sql(store, f"UPDATE enrolments SET {change} WHERE id = ?", enrolment)
    found = [f for f in findings(store) if f.code == code]
    assert [(f.severity, f.table, f.id, f.field) for f in found] == [("error", "enrolments", enrolment, field)]
    assert "CASE-A" in found[0].text and "MENT" in found[0].text


def test_enrolment_with_an_end_date_but_no_exit_reason(store: Store, ids: dict[str, Any]) -> None:
    enrolment = store.enrolment_holding(ids["c"], ids["ment"], "2025-06-01")
    sql(store, "UPDATE enrolments SET exit_reason = NULL WHERE id = ?", enrolment)
    (f,) = [f for f in findings(store) if f.code == "enrolment-end-without-exit"]
    assert (f.severity, f.id, f.field) == ("error", enrolment, "exit_reason")


def test_session_that_no_referral_window_holds(store: Store, ids: dict[str, Any]) -> None:
    # D's mentoring window is 10 Jan - 1 Jul 2025; B has no sports referral before 30 Jun.
    sql(store, "INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode) "
               "VALUES (?, ?, '2025-05-02', 30, 'group')", ids["b"], ids["sprt"])
    orphan = int(store.conn.execute("SELECT max(id) FROM contacts").fetchone()[0])
    (f,) = [f for f in findings(store) if f.code == "contact-not-held"]
    assert (f.severity, f.table, f.id, f.ref, f.field) == ("error", "contacts", orphan, "CASE-B", "date")


def test_sessions_held_by_two_consecutive_windows_are_fine(store: Store) -> None:
    set_up(store)
    i = intervention(store, "SPLIT")
    p = person(store, "CASE-S", sex="male", ethnicity="white")
    enrol(store, p, i, "2025-04-01", start="2025-04-01", end="2025-04-30", exit_reason="transferred")
    enrol(store, p, i, "2025-05-15")
    contact(store, p, i, "2025-04-10")
    contact(store, p, i, "2025-05-20")
    assert not [f for f in findings(store) if f.code == "contact-not-held"]
    sql(store, "INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode) "
               "VALUES (?, ?, '2025-05-05', 30, 'group')", p, i)  # between the two windows
    assert [f.code for f in findings(store) if f.severity == "error"] == ["contact-not-held"]


def test_session_dated_in_the_future(store: Store, ids: dict[str, Any]) -> None:
    sql(store, "INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode) "
               "VALUES (?, ?, ?, 30, 'group')", ids["a"], ids["ment"], FUTURE)
    (f,) = [f for f in findings(store) if f.code == "contact-future-date"]
    assert (f.severity, f.table, f.ref) == ("error", "contacts", "CASE-A")


def test_date_of_birth_in_the_future(store: Store, ids: dict[str, Any]) -> None:
    sql(store, "UPDATE participants SET date_of_birth = ? WHERE id = ?", FUTURE, ids["d"])
    (f,) = [f for f in findings(store) if f.code == "participant-future-dob"]
    assert (f.severity, f.table, f.id, f.ref, f.field) == ("error", "participants", ids["d"], "CASE-D",
                                                           "date_of_birth")


@pytest.mark.parametrize("table", ["spend", "budgets"])
def test_negative_money(store: Store, ids: dict[str, Any], table: str) -> None:
    sql(store, f"UPDATE {table} SET amount = -100 WHERE id = (SELECT min(id) FROM {table})")
    (f,) = [f for f in findings(store) if f.code == f"{table}-negative"]
    assert (f.severity, f.table, f.ref, f.field) == ("error", table, "MENT", "amount")


def test_active_intervention_with_no_spend_for_the_quarter(store: Store, ids: dict[str, Any]) -> None:
    sql(store, "DELETE FROM spend WHERE intervention_id = ? AND period = '2025-26-Q1'", ids["sprt"])
    found = [f for f in findings(store) if f.code == "intervention-no-spend"]
    assert [(f.severity, f.ref) for f in found] == [("warning", "SPRT")]


def test_intervention_whose_dates_span_the_quarter_wants_spend_without_sessions(store: Store) -> None:
    set_up(store)
    intervention(store, "QUIET", start="2025-01-01", end="2025-12-31")
    intervention(store, "LATER", start="2025-07-01")
    intervention(store, "OVER", start="2024-01-01", end="2025-03-31")
    assert [f.ref for f in findings(store) if f.code == "intervention-no-spend"] == ["QUIET"]


def test_young_people_active_in_the_quarter_missing_sex_or_ethnicity(store: Store, ids: dict[str, Any]) -> None:
    person(store, "CASE-IDLE")  # missing both, but not active in Q1: no warning
    found = sorted((f.code, f.ref, f.field) for f in findings(store) if f.table == "participants")
    assert found == [("participant-missing-ethnicity", "CASE-C", "ethnicity"),
                     ("participant-missing-sex", "CASE-C", "sex")]


def test_each_empty_narrative_field_is_a_warning(store: Store, ids: dict[str, Any]) -> None:
    save_narrative(store, Q1, {"case_study": "  ", "next_quarter": ""})
    found = [f for f in findings(store) if f.code == "narrative-empty"]
    assert [(f.severity, f.table, f.field) for f in found] == [
        ("warning", "return_drafts", "case_study"), ("warning", "return_drafts", "next_quarter")]


def test_errors_come_before_warnings(store: Store, ids: dict[str, Any]) -> None:
    save_narrative(store, Q1, {"highlights": ""})
    sql(store, "UPDATE budgets SET amount = -1")
    severities = [f.severity for f in findings(store)]
    assert severities == sorted(severities)  # "error" < "warning"
    assert severities[0] == "error" and severities[-1] == "warning"


def test_the_document_counts_young_people_and_never_names_them(store: Store, ids: dict[str, Any]) -> None:
    sql(store, "INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode) "
               "VALUES (?, ?, '2025-05-02', 30, 'group')", ids["b"], ids["sprt"])
    sql(store, "UPDATE participants SET sex = NULL WHERE ref IN ('CASE-A', 'CASE-B')")
    sql(store, "UPDATE budgets SET amount = -1 WHERE id = (SELECT min(id) FROM budgets)")
    draft = build(store, Q1)
    validation = draft.document.to_json()["validation"]
    assert {(m["code"], m["text"]) for m in validation["warnings"]} == {
        ("participant-missing-sex", "Young people active in the quarter with no sex recorded: 3"),
        ("participant-missing-ethnicity", "Young people active in the quarter with no ethnicity recorded: 1"),
        *(("intervention-no-paired-measures", f"Intervention {ref}: 1 completed in 2025-26-Q1 but no paired "
           "outcome measures") for ref in ("MENT", "SPRT")),
    }
    people = [m for m in validation["errors"] if m["table"] == "contacts"]
    assert [(m["code"], m["id"], m["ref"]) for m in people] == [("contact-not-held", None, None)]
    budget = [m for m in validation["errors"] if m["table"] == "budgets"]
    assert budget[0]["ref"] == "MENT" and budget[0]["id"] is not None  # interventions may be named
    text = json.dumps(draft.document.to_json())
    for secret in ("CASE-", "2010-04-01", "2008-06-15", "BS5", "BS2"):
        assert secret not in text
    assert any("CASE-B" in f.text for f in draft.findings)  # the app's own list still names them


def test_a_finding_about_young_people_names_exactly_those_records(store: Store, ids: dict[str, Any]) -> None:
    sql(store, "UPDATE participants SET sex = NULL WHERE ref IN ('CASE-A', 'CASE-B')")
    person(store, "CASE-IDLE")  # no sex recorded either, but not active in Q1
    draft = build(store, Q1)
    (sex,) = [f for f in draft.summary if f.code == "participant-missing-sex"]
    assert (sex.severity, sex.table, sex.text) == (
        "warning", "participants", "Young people active in the quarter with no sex recorded: 3")
    assert sex.ids == (ids["a"], ids["b"], ids["c"]) and sex.names == ("CASE-A", "CASE-B", "CASE-C")
    assert sex.listed(2) == "CASE-A, CASE-B and 1 more"
    # one finding per record underneath, each with its own id
    assert [f.ids for f in draft.findings if f.code == "participant-missing-sex"] == [
        (ids["a"],), (ids["b"],), (ids["c"],)]


def test_a_referral_found_twice_is_counted_once(store: Store, ids: dict[str, Any]) -> None:
    enrolment = store.enrolment_holding(ids["a"], ids["ment"], "2025-04-01")
    sql(store, f"UPDATE enrolments SET start_date = '{FUTURE}', end_date = '{FUTURE}', "
               "exit_reason = 'completed' WHERE id = ?", enrolment)
    (future,) = [f for f in build(store, Q1).summary if f.code == "enrolment-future-date"]
    assert future.ids == (enrolment,) and future.names == ("CASE-A to MENT (2025-03-31)",)
    assert future.text == "Referral dates in the future: 1"
