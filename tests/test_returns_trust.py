"""A return the hub can trust (SPEC section 4): closed quarters, an anonymous narrative, figures that
still agree with the records, credibility warnings, findings that name their records inside the spoke."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from returns_samples import contact, fill, money, person

from vrp_tui.periods import Period
from vrp_tui.returns import (
    ReturnError,
    SignOffRefused,
    build,
    changed_since_sign_off,
    credibility,
    export_problem,
    latest_signed_off,
    privacy,
    reopen,
    save_narrative,
    sign_off,
)
from vrp_tui.spoke.export import ExportRefused, plan_export
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")  # 1 Apr - 30 Jun 2025
Q2 = Period.parse("2025-26-Q2")
CLEAN = {"highlights": "Two new mentors.", "challenges": "Summer holidays.",
         "case_study": "A young person returned to school.", "next_quarter": "A new group."}


@pytest.fixture
def spoke(tmp_path: Path) -> Store:
    store = Store(tmp_path / "spoke.db")
    fill(store)
    return store


def _ids(store: Store) -> dict[str, int]:
    return {r["ref"]: r["id"] for r in store.query("SELECT id, ref FROM participants")}


# --- the closed-quarter rule -------------------------------------------------------------------------

def test_a_draft_for_a_quarter_not_begun_is_refused(spoke: Store) -> None:
    with pytest.raises(ReturnError, match="2025-26-Q2 has not begun: its return can be started from 1 July 2025"):
        build(spoke, Q2, today=date(2025, 6, 30))
    assert build(spoke, Q2, today=date(2025, 7, 1)).document.period == "2025-26-Q2"  # its first day


def test_sign_off_waits_until_the_day_after_the_quarter_ends(spoke: Store) -> None:
    for today in (date(2025, 4, 1), date(2025, 6, 30)):  # its first and its last day
        with pytest.raises(ReturnError, match="2025-26-Q1 cannot be signed off before the quarter has ended: "
                                              "possible from 1 July 2025"):
            sign_off(spoke, Q1, today=today)
    assert latest_signed_off(spoke, Q1) is None
    # 1 July 2025: the sessions of 1 July (D at MENT) are today, not in the future
    assert sign_off(spoke, Q1, today=date(2025, 7, 1)) == 1


def test_export_refuses_a_version_whose_quarter_has_not_ended(spoke_db: Path) -> None:
    store = Store(spoke_db)
    late = Period.parse("2099-00-Q4")  # 1 Jan - 31 Mar 2100
    sign_off(store, late, today=date(2100, 4, 1))  # a clock set wrong at sign-off
    frozen = latest_signed_off(store, late)
    assert frozen is not None
    assert export_problem(store, late, frozen, today=date(2100, 3, 31)) == (
        "2099-00-Q4 cannot be exported before the quarter has ended: possible from 1 April 2100")
    assert export_problem(store, late, frozen, today=date(2100, 4, 1)) is None
    with pytest.raises(ExportRefused, match="cannot be exported before the quarter has ended"):
        plan_export(store, late.code)  # today's date: long before 2100
    store.close()


# --- the narrative names no one ---------------------------------------------------------------------

@pytest.fixture
def yp(spoke: Store) -> Store:
    """The hand-made spoke plus YP001, born 14 March 2009, and every intervention's spend recorded."""
    person(spoke, "YP001", "2009-03-14", "female", "white")
    money(spoke, "spend", spoke.id_for_ref("interventions", "SPRT") or 0, "2025-26-Q1", "grant", "10")
    return spoke


def privacy_codes(store: Store, case_study: str) -> list[str]:
    save_narrative(store, Q1, {**CLEAN, "case_study": case_study})
    return [f.code for f in build(store, Q1).findings if f.code.startswith("narrative-") and f.field == "case_study"]


@pytest.mark.parametrize(("text", "code"), [
    ("YP001 is doing well.", "narrative-ref"),
    ("We saw yp001 weekly.", "narrative-ref"),
    ("Progress for Yp001, at last.", "narrative-ref"),
    ("(case-a) came back.", "narrative-ref"),
    ("Born 2009-03-14, she joined in May.", "narrative-dob"),
    ("Born 14/03/2009.", "narrative-dob"),
    ("Born 14/3/2009.", "narrative-dob"),
    ("Born 14 March 2009.", "narrative-dob"),
    ("Born 14 march 2009.", "narrative-dob"),
    ("Born 15/6/2008.", "narrative-dob"),  # CASE-B
    ("Lives at BS5 6XX now.", "narrative-postcode"),
    ("Lives at BS56XX now.", "narrative-postcode"),
    ("Lives at bs5 6xx now.", "narrative-postcode"),
    ("Write to mum.jones@example.org about it.", "narrative-email"),
    ("Call 07700 900123 after school.", "narrative-phone"),
    ("Call +44 7700 900123 after school.", "narrative-phone"),
    ("Call 0117 496 0000.", "narrative-phone"),
    ("Call (0117) 4960000.", "narrative-phone"),
    ("Call 01174960000.", "narrative-phone"),
    ("Call +44 (0)117 496 0000.", "narrative-phone"),
])
def test_each_pattern_that_identifies_someone_is_an_error(yp: Store, text: str, code: str) -> None:
    assert privacy_codes(yp, text) == [code]
    with pytest.raises(SignOffRefused):
        sign_off(yp, Q1)


@pytest.mark.parametrize("text", [
    "A young person from BS5 is doing well.",  # a postcode district alone
    "In 2009 the project began; by 2025 it had grown.",  # years
    "Code XYP001Z is not a ref, nor is YP0012 or AYP001.",  # a ref inside another word
    "Spend was £1,250.50 and 1250 pounds, 0.5 hours, 12000 leaflets.",  # money and numbers
    "The group met on 2009-03-15, 13/03/2009 and 14 April 2009.",  # dates that are no one's birthday
    "She turned 16 on 14 March and started in Y10 2nd term; sessions 1 2 3.",
    "Session 2025-26-Q1 report; ages 10-14 and 15-17; call us at the office.",
    "An @ sign alone, a person@ and @home are no addresses.",
])
def test_near_misses_are_allowed(yp: Store, text: str) -> None:
    assert privacy_codes(yp, text) == []


def test_the_spoke_sees_what_was_found_and_the_document_does_not(yp: Store) -> None:
    save_narrative(yp, Q1, {**CLEAN, "case_study": "YP001 (born 14/3/2009) at BS5 6XX, 07700 900123."})
    draft = build(yp, Q1)
    texts = sorted(f.text for f in draft.findings if f.field == "case_study")
    assert texts == [
        "Narrative: case_study holds a full postcode: BS5 6XX",
        "Narrative: case_study holds a phone number: 07700 900123",
        "Narrative: case_study holds a young person's case reference: YP001",
        "Narrative: case_study holds a young person's date of birth: 14/3/2009",
    ]
    validation = draft.document.to_json()["validation"]
    assert sorted(m["text"] for m in validation["errors"]) == [
        "Narrative: case_study holds a full postcode",
        "Narrative: case_study holds a phone number",
        "Narrative: case_study holds a young person's case reference",
        "Narrative: case_study holds a young person's date of birth",
    ]
    assert not {"YP001", "2009", "BS5 6XX", "07700"} & set(json.dumps(validation).split('"'))
    for secret in ("YP001", "14/3/2009", "BS5 6XX", "07700"):
        assert secret not in json.dumps(validation)


def test_export_checks_the_narrative_again_against_the_records_now(spoke_db: Path) -> None:
    store = Store(spoke_db)
    fill(store)
    save_narrative(store, Q1, {**CLEAN, "case_study": "Zed-7 came to every session."})
    sign_off(store, Q1)  # no young person called Zed-7 yet
    person(store, "ZED-7")  # recorded after sign-off
    frozen = latest_signed_off(store, Q1)
    assert frozen is not None
    assert export_problem(store, Q1, frozen) == (
        "2025-26-Q1 version 1 cannot be exported: Narrative: case_study holds a young person's case "
        "reference: ZED-7 (reopen it, put the narrative right and sign off again)")
    with pytest.raises(ExportRefused, match="case_study holds a young person's case reference: ZED-7"):
        plan_export(store, Q1.code)
    store.close()


def test_scanner_finds_whole_words_only() -> None:
    refs = {"yp001": "YP001", "case-a": "CASE-A", "a b": "A B"}
    assert privacy.found_refs("yp001, CASE-A and a b.", refs) == ["YP001", "CASE-A", "A B"]
    assert privacy.found_refs("xyp001 yp001x case-ab _yp001 a bc", refs) == []
    assert privacy.found_refs("YP001-2", refs) == ["YP001"]  # a hyphen ends a word


def test_narrative_refuses_control_characters_but_keeps_newlines_and_tabs(spoke: Store) -> None:
    save_narrative(spoke, Q1, {"highlights": "Line one\r\n\tLine two"})
    assert build(spoke, Q1).document.narrative.highlights == "Line one\n\tLine two"
    for bad, shown in (("\x1b[2J", "U+001B"), ("bell\x07", "U+0007"), ("a\x85b", "U+0085"), ("x\rz", "U+000D")):
        with pytest.raises(ReturnError, match=re.escape(f"highlights: a control character ({shown})")):
            save_narrative(spoke, Q1, {"highlights": bad})
    assert build(spoke, Q1).document.narrative.highlights == "Line one\n\tLine two"


# --- stale frozen versions ----------------------------------------------------------------------------

def test_a_late_session_makes_the_frozen_version_stale_until_deleted_again(spoke: Store) -> None:
    sign_off(spoke, Q1)
    assert changed_since_sign_off(spoke, Q1) is None
    ment = spoke.id_for_ref("interventions", "MENT") or 0
    late = contact(spoke, _ids(spoke)["CASE-D"], ment, "2025-05-01", 30)  # D (born 1 May 2000: 24, other, mixed)
    stale = changed_since_sign_off(spoke, Q1)
    assert stale is not None and stale.version == 1
    # MENT: active 3 -> 4, sessions 6 -> 7, 142 -> 172 minutes (2.4 -> 2.9 hours); D is 24 at referral
    # (10 Jan 2025), sex other, ethnicity mixed. Totals the same, hours 4.2 -> 4.7.
    assert [str(c) for c in stale.changes] == [
        "MENT: Active young people: 3 -> 4",
        "MENT: Sessions (contacts): 6 -> 7",
        "MENT: Session hours: 2.4 -> 2.9",
        "MENT: Active young people aged 18-24: 0 -> 1",
        "MENT: Active young people, sex: Other: 0 -> 1",
        "MENT: Active young people, ethnic group: Mixed: 0 -> 1",
        "Spoke totals: Active young people: 3 -> 4",
        "Spoke totals: Sessions (contacts): 9 -> 10",
        "Spoke totals: Session hours: 4.2 -> 4.7",
        "Spoke totals: Active young people aged 18-24: 0 -> 1",
        "Spoke totals: Active young people, sex: Other: 0 -> 1",
        "Spoke totals: Active young people, ethnic group: Mixed: 0 -> 1",
    ]
    assert stale.headline == "changed since v1 was signed off: 12 figures differ from the records now"
    spoke.delete("contacts", late)
    assert changed_since_sign_off(spoke, Q1) is None  # the records agree again


def test_reopening_ends_the_stale_message_and_the_next_sign_off_agrees(spoke: Store) -> None:
    sign_off(spoke, Q1)
    contact(spoke, _ids(spoke)["CASE-D"], spoke.id_for_ref("interventions", "MENT") or 0, "2025-05-01")
    assert changed_since_sign_off(spoke, Q1) is not None
    reopen(spoke, Q1)
    assert changed_since_sign_off(spoke, Q1) is None  # a draft shows the records as they are
    sign_off(spoke, Q1)
    assert changed_since_sign_off(spoke, Q1) is None


# --- credibility against the previous quarter --------------------------------------------------------

def moved(store: Store, period: Period = Q2) -> list[str]:
    return [f.text for f in build(store, period).findings if f.code == "figure-moved"]


def test_no_credibility_warnings_without_a_previous_return(spoke: Store) -> None:
    assert moved(spoke) == []


def test_figures_that_moved_by_more_than_half_are_named_with_both_values(spoke: Store) -> None:
    sign_off(spoke, Q1)
    # Q1: MENT 3 active, 6 sessions, £1,550.50 spent; SPRT 2 active, 3 sessions, no spend; spoke 3, 9.
    # Q2: one session (D at MENT on 1 July); MENT spend £999 (not below half of £1,550.50 = £775.25).
    assert moved(spoke) == [
        "Intervention MENT: Active young people 1 in 2025-26-Q2 against 3 in 2025-26-Q1 (v1): "
        "moved by more than half",
        "Intervention MENT: Sessions (contacts) 1 in 2025-26-Q2 against 6 in 2025-26-Q1 (v1): "
        "moved by more than half",
        "Intervention SPRT: Active young people 0 in 2025-26-Q2 against 2 in 2025-26-Q1 (v1): "
        "moved by more than half",
        "Intervention SPRT: Sessions (contacts) 0 in 2025-26-Q2 against 3 in 2025-26-Q1 (v1): "
        "moved by more than half",
        "Spoke totals: Active young people 1 in 2025-26-Q2 against 3 in 2025-26-Q1 (v1): "
        "moved by more than half",
        "Spoke totals: Sessions (contacts) 1 in 2025-26-Q2 against 9 in 2025-26-Q1 (v1): "
        "moved by more than half",
    ]
    found = [f for f in build(spoke, Q2).findings if f.code == "figure-moved"]
    assert {f.severity for f in found} == {"warning"}
    assert (found[0].table, found[0].id, found[0].field) == ("interventions", spoke.id_for_ref(
        "interventions", "MENT"), "active")
    # £999 + £1,400 match = £2,399, above 1.5 x £1,550.50 = £2,325.75: spend moved up too
    money(spoke, "spend", spoke.id_for_ref("interventions", "MENT") or 0, "2025-26-Q2", "match", "1400")
    spend = [t for t in moved(spoke) if "Spend" in t]
    assert spend == [
        "Intervention MENT: Spend (grant + match) £2,399.00 in 2025-26-Q2 against £1,550.50 in 2025-26-Q1 (v1): "
        "moved by more than half",
        "Spoke totals: Spend (grant + match) £2,399.00 in 2025-26-Q2 against £1,550.50 in 2025-26-Q1 (v1): "
        "moved by more than half",
    ]


@pytest.mark.parametrize(("old", "new", "warned"), [
    (4, 2, False), (4, 1, True), (4, 6, False), (4, 7, True), (0, 5, False), (1, 0, True), (3, 3, False),
])
def test_more_than_half(old: int, new: int, warned: bool) -> None:
    assert credibility.moved(old, new) is warned
