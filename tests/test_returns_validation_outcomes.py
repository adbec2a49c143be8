"""Validation of attendance and outcome records (SPEC section 4): each finding names its records."""

from __future__ import annotations

from datetime import date

from returns_samples import enrol, intervention, measure, person, set_up

from vrp_tui.periods import Period
from vrp_tui.returns import build_draft, validation
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")
TODAY = date(2025, 8, 1)


def raw(store: Store, p: int, i: int, day: str, instrument: str, tenths: int) -> int:
    """A measurement written around the checks (an older version, a restored backup)."""
    cur = store.conn.execute("INSERT INTO measurements (participant_id, intervention_id, date, instrument, "
                             "score_tenths) VALUES (?, ?, ?, ?, ?)", [p, i, day, instrument, tenths])
    return int(cur.lastrowid or 0)


def by_code(store: Store) -> dict[str, list[validation.Finding]]:
    out: dict[str, list[validation.Finding]] = {}
    for f in validation.check(store, Q1, {}, today=TODAY):
        out.setdefault(f.code, []).append(f)
    return out


def test_a_measurement_no_window_holds_is_an_error_naming_it(store: Store) -> None:
    set_up(store)
    i = intervention(store, "MENT")
    p = person(store, "CASE-A")
    enrol(store, p, i, "2025-05-01")
    early = raw(store, p, i, "2025-04-20", "ors", 100)  # before the referral
    measure(store, p, i, "2025-06-01", "ors", "12")  # held: no finding
    found = by_code(store)["measurement-not-held"]
    assert [(f.severity, f.table, f.ids, f.field) for f in found] == [("error", "measurements", (early,), "date")]
    assert found[0].names == ("CASE-A at MENT on 2025-04-20 (ors)",)


def test_scores_outside_the_range_or_step_are_errors(store: Store) -> None:
    set_up(store)
    i = intervention(store, "MENT")
    p = person(store, "CASE-A")
    enrol(store, p, i, "2025-01-01")
    too_high = raw(store, p, i, "2025-04-02", "sdq-total", 410)  # 41 on a 0-40 scale
    off_step = raw(store, p, i, "2025-04-03", "wemwbs", 455)  # 45.5 on a whole-number scale
    unknown = raw(store, p, i, "2025-04-04", "yoga", 10)
    measure(store, p, i, "2025-04-05", "ors", "39.9")  # fine
    found = by_code(store)["measurement-out-of-range"]
    assert sorted(f.ids[0] for f in found) == sorted([too_high, off_step, unknown])
    texts = {f.ids[0]: f.text for f in found}
    assert "score 41 is outside the sdq-total scale (0 to 40" in texts[too_high]
    assert "score 45.5 is outside the wemwbs scale" in texts[off_step]
    assert all(f.severity == "error" for f in found)


def test_a_measurement_in_the_future_is_an_error(store: Store) -> None:
    set_up(store)
    i = intervention(store, "MENT")
    p = person(store, "CASE-A")
    enrol(store, p, i, "2025-01-01")
    later = raw(store, p, i, "2025-09-01", "ors", 100)  # after the checks' today (1 Aug 2025)
    found = by_code(store)
    assert [f.ids for f in found["measurement-future-date"]] == [(later,)]
    assert "measurement-not-held" not in found  # after the quarter: not a record Q1 uses


def test_completions_without_paired_measures_are_a_warning(store: Store) -> None:
    set_up(store)
    ment, sprt = intervention(store, "MENT"), intervention(store, "SPRT")
    a, b = person(store, "CASE-A"), person(store, "CASE-B")
    enrol(store, a, ment, "2025-01-01", start="2025-01-02", end="2025-06-01", exit_reason="completed")
    enrol(store, b, sprt, "2025-01-01", start="2025-01-02", end="2025-06-01", exit_reason="completed")
    measure(store, b, sprt, "2025-01-05", "goal-based", "3")
    measure(store, b, sprt, "2025-05-30", "goal-based", "7")
    draft = build_draft(store, Q1)
    warnings = [m for m in draft.validation.warnings if m.code == "intervention-no-paired-measures"]
    assert [(m.table, m.ref) for m in warnings] == [("interventions", "MENT")]  # SPRT has a pair
    assert warnings[0].text == "Intervention MENT: 1 completed in 2025-26-Q1 but no paired outcome measures"


def test_the_document_counts_measurement_findings_without_naming_anyone(store: Store) -> None:
    set_up(store)
    i = intervention(store, "MENT")
    p = person(store, "CASE-A")
    enrol(store, p, i, "2025-05-01")
    raw(store, p, i, "2025-04-20", "ors", 100)
    raw(store, p, i, "2025-04-21", "ors", 900)
    document = validation.for_document(validation.check(store, Q1, {}, today=TODAY))
    texts = [m.text for m in document.errors]
    assert "Outcome measures up to the quarter's end outside every referral window: 2" in texts
    assert "Outcome measures with a score outside the instrument's scale: 1" in texts
    assert not any("CASE-A" in t for t in texts)


def test_the_window_check_covers_what_the_quarters_outcomes_read(store: Store) -> None:
    set_up(store)
    i = intervention(store, "MENT")
    a, b = person(store, "CASE-A"), person(store, "CASE-B")
    enrol(store, a, i, "2025-03-01")
    enrol(store, b, i, "2025-03-01")
    baseline = raw(store, a, i, "2025-02-01", "ors", 100)  # before A's referral: A's Q1 follow-up reads it
    measure(store, a, i, "2025-05-01", "ors", "12")
    raw(store, b, i, "2025-02-01", "ors", 100)  # B has nothing in Q1: Q4 2024-25's return flags it
    assert [f.ids for f in by_code(store)["measurement-not-held"]] == [(baseline,)]
    q4 = validation.check(store, Period.parse("2024-25-Q4"), {}, today=TODAY)
    assert len([f for f in q4 if f.code == "measurement-not-held"]) == 2
