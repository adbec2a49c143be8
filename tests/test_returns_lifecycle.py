"""Draft -> signed off (frozen version N) -> exported; reopen starts N+1; the store guards frozen rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from returns_samples import contact, fill, money, set_up

from vrp_tui.periods import Period
from vrp_tui.returns import (
    ReturnError,
    SignOffRefused,
    build,
    current,
    diff,
    get_version,
    is_open,
    latest_signed_off,
    mark_exported,
    narrative,
    reopen,
    save_narrative,
    sign_off,
    versions,
)
from vrp_tui.returns.diff import figure_label, word_diff
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")


@pytest.fixture
def spoke(tmp_path: Path) -> Store:
    """A spoke file (real SQLite, WAL) with the main hand-made data."""
    store = Store(tmp_path / "spoke.db")
    fill(store)
    return store


def test_narrative_is_saved_field_by_field(spoke: Store) -> None:
    assert narrative(spoke, Q1) == dict.fromkeys(("highlights", "challenges", "case_study", "next_quarter"), "")
    save_narrative(spoke, Q1, {"highlights": "New mentors"})
    save_narrative(spoke, Q1, {"challenges": "Holidays"})
    assert narrative(spoke, Q1)["highlights"] == "New mentors"
    assert build(spoke, Q1).document.narrative.challenges == "Holidays"
    with pytest.raises(ReturnError, match="no narrative field 'summary'"):
        save_narrative(spoke, Q1, {"summary": "x"})


def test_sign_off_freezes_version_one_with_who_and_when(spoke: Store) -> None:
    save_narrative(spoke, Q1, {"highlights": "New mentors"})
    assert latest_signed_off(spoke, Q1) is None
    assert sign_off(spoke, Q1, "Sam Signer") == 1
    frozen = latest_signed_off(spoke, Q1)
    assert frozen is not None
    assert (frozen.info.version, frozen.info.status, frozen.info.signed_off_by) == (1, "signed-off", "Sam Signer")
    doc = frozen.document
    assert (doc["version"], doc["status"], doc["signed_off_by"]) == (1, "signed-off", "Sam Signer")
    assert doc["signed_off_at"] and doc["narrative"]["highlights"] == "New mentors"
    assert doc["totals"]["active"] == 3
    assert not is_open(spoke, Q1)
    audit = spoke.query("SELECT action, after FROM audit WHERE table_name = 'return_versions'")
    assert audit[0]["action"] == "create" and '"signed_off_by": "Sam Signer"' in audit[0]["after"]


def test_a_frozen_version_keeps_its_figures_when_records_change(spoke: Store) -> None:
    sign_off(spoke, Q1)
    ids = {r["ref"]: r["id"] for r in spoke.query("SELECT id, ref FROM participants")}
    ment = spoke.id_for_ref("interventions", "MENT")
    assert ment is not None
    contact(spoke, ids["CASE-D"], ment, "2025-05-01")  # D now active in Q1 too
    assert get_version(spoke, Q1, 1).document["totals"]["active"] == 3
    assert current(spoke, Q1).totals.active == 3  # not reopened: the frozen version is the return
    assert build(spoke, Q1).document.totals.active == 4  # the records say 4


def test_signed_off_return_cannot_be_changed_until_reopened(spoke: Store) -> None:
    sign_off(spoke, Q1)
    with pytest.raises(ReturnError, match="signed off as version 1: reopen"):
        save_narrative(spoke, Q1, {"highlights": "late"})
    with pytest.raises(ReturnError, match="signed off as version 1"):
        sign_off(spoke, Q1)


def test_sign_off_is_refused_while_errors_exist_and_writes_nothing(spoke: Store) -> None:
    spoke.conn.execute("UPDATE budgets SET amount = -5")  # all three budget rows
    with pytest.raises(SignOffRefused, match="cannot be signed off: 3 error") as refused:
        sign_off(spoke, Q1)
    assert {f.code for f in refused.value.errors} == {"budgets-negative"}
    assert versions(spoke, Q1) == [] and is_open(spoke, Q1)
    spoke.conn.execute("UPDATE budgets SET amount = 5")
    assert sign_off(spoke, Q1) == 1


def test_warnings_do_not_block_sign_off(spoke: Store) -> None:
    draft = build(spoke, Q1)
    assert draft.document.validation.warnings and not draft.document.validation.errors
    assert sign_off(spoke, Q1) == 1


def test_reopen_starts_the_next_version_and_keeps_the_earlier_one(spoke: Store) -> None:
    save_narrative(spoke, Q1, {"highlights": "First go"})
    sign_off(spoke, Q1, "Sam Signer")
    with pytest.raises(ReturnError, match="not been signed off"):
        reopen(spoke, Period.parse("2025-26-Q2"))
    assert reopen(spoke, Q1) == 2
    with pytest.raises(ReturnError, match="already reopened as draft version 2"):
        reopen(spoke, Q1)
    assert is_open(spoke, Q1)
    assert narrative(spoke, Q1)["highlights"] == "First go"  # carried over
    save_narrative(spoke, Q1, {"highlights": "Second go"})
    money(spoke, "spend", spoke.id_for_ref("interventions", "SPRT") or 0, "2025-26-Q1", "grant", "75")
    assert current(spoke, Q1).version is None  # the draft
    assert sign_off(spoke, Q1, "Kim Checker") == 2
    assert [(v.version, v.signed_off_by) for v in versions(spoke, Q1)] == [(1, "Sam Signer"), (2, "Kim Checker")]
    assert get_version(spoke, Q1, 1).document["narrative"]["highlights"] == "First go"
    assert get_version(spoke, Q1, 2).document["narrative"]["highlights"] == "Second go"
    with pytest.raises(ReturnError, match="no version 3"):
        get_version(spoke, Q1, 3)


def test_diff_between_versions(spoke: Store) -> None:
    sign_off(spoke, Q1)
    reopen(spoke, Q1)
    save_narrative(spoke, Q1, {"challenges": "Staff sickness"})
    sprt = spoke.id_for_ref("interventions", "SPRT") or 0
    money(spoke, "spend", sprt, "2025-26-Q1", "match", "75.25")
    sign_off(spoke, Q1)
    changes = [str(c) for c in diff(get_version(spoke, Q1, 1).document, get_version(spoke, Q1, 2).document)]
    assert changes == [
        "SPRT: Spend in the quarter (Match): £0.00 -> £75.25",
        "SPRT: Spend in the year to date (Match): £0.00 -> £75.25",
        "Spoke totals: Spend in the quarter (Match): £300.50 -> £375.75",
        "Spoke totals: Spend in the year to date (Match): £300.50 -> £375.75",
        "Narrative, challenges: {+Staff sickness+}",
    ]


def test_diff_notes_interventions_that_come_and_go() -> None:
    line = {"ref": "X", "active": 1}
    old = {"interventions": [line], "totals": {"active": 1}, "narrative": dict.fromkeys(
        ("highlights", "challenges", "case_study", "next_quarter"), "")}
    new = {**old, "interventions": [{**line, "ref": "Y"}]}
    assert [str(c) for c in diff(old, new)] == ["X: Listed in the return: yes -> (none)",
                                                "Y: Listed in the return: (none) -> yes"]


def test_store_refuses_to_change_or_delete_a_frozen_version(spoke: Store) -> None:
    sign_off(spoke, Q1)
    for statement in (
        "UPDATE return_versions SET document = '{}'",
        "UPDATE return_versions SET signed_off_by = 'someone else'",
        "UPDATE return_versions SET status = 'exported'",  # without when
        "DELETE FROM return_versions",
        "INSERT INTO return_versions (period, version, status, document, signed_off_by, signed_off_at) "
        "VALUES ('2025-26-Q1', 5, 'signed-off', '{}', 'x', 'now')",  # out of order
    ):
        with pytest.raises(sqlite3.IntegrityError):
            spoke.conn.execute(statement)
    assert get_version(spoke, Q1, 1).info.status == "signed-off"


def test_exported_is_the_one_move_allowed_and_then_nothing(spoke: Store) -> None:
    sign_off(spoke, Q1)
    mark_exported(spoke, Q1, 1, "2025-07-10T09:00:00+00:00")
    mark_exported(spoke, Q1, 1, "2025-07-11T09:00:00+00:00")  # again: the first export's time stays
    (v,) = versions(spoke, Q1)
    assert (v.status, v.exported_at) == ("exported", "2025-07-10T09:00:00+00:00")
    assert current(spoke, Q1).status == "exported"
    with pytest.raises(sqlite3.IntegrityError):
        spoke.conn.execute("UPDATE return_versions SET status = 'signed-off', exported_at = NULL")
    assert reopen(spoke, Q1) == 2  # an exported return can still be corrected


def test_build_needs_a_set_up_spoke(store: Store) -> None:
    with pytest.raises(ReturnError, match="not set up"):
        build(store, Q1)
    set_up(store)
    assert build(store, Q1).document.spoke == "bristol"


@pytest.mark.parametrize(("item", "label"), [
    ("contacts", "Sessions (contacts)"),
    ("active", "Active young people"),
    ("active_by_age_band.18-24", "Active young people aged 18-24"),
    ("active_by_age_band.unknown", "Active young people of unknown age"),
    ("active_by_sex.not-known", "Active young people, sex: Not known"),
    ("active_by_ethnicity.white", "Active young people, ethnic group: White"),
    ("spend_ytd_gbp.grant", "Spend in the year to date (VRP grant)"),
    ("budget_gbp.match", "Budget for the year (Match)"),
    ("contact_hours", "Session hours"),
])
def test_figures_are_named_as_people_see_them(item: str, label: str) -> None:
    assert figure_label(item) == label


@pytest.mark.parametrize(("old", "new", "shown"), [
    ("two young people", "three young people", "[-two-]{+three+} young people"),
    ("a b c", "a c", "a [-b-] c"),
    ("a c", "a b c", "a {+b+} c"),
    ("", "Staff sickness", "{+Staff sickness+}"),
    ("one two three four five six seven eight nine ten", "one two three four five six seven eight nine",
     "... six seven eight nine [-ten-]"),
    ("zero a b c d e f g h i j ten", "0 a b c d e f g h i j 10",  # ten unchanged words between changes
     "[-zero-]{+0+} a b c d ... g h i j [-ten-]{+10+}"),
    ("zero a b c d e f g h i ten", "0 a b c d e f g h i 10",  # nine: all kept (one word is no saving)
     "[-zero-]{+0+} a b c d e f g h i [-ten-]{+10+}"),
    ("same words", "same  words\n", "(only spacing changed)"),
    ("bad", "\x1b[2J", "[-bad-]{+\u241b[2J+}"),  # controls shown, never sent to the terminal
])
def test_word_diff(old: str, new: str, shown: str) -> None:
    assert word_diff(old, new) == shown
