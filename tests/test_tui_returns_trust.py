"""The Returns screen the spoke can trust: closed quarters, findings that follow the data, stale
sign-offs, findings that lead to exactly their records, a frozen version drawn as stored, and the
Outcomes tab. Pilot at 80x24 over real spoke files; a fixed clock where the day matters.
"""

from __future__ import annotations

import copy
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from returns_samples import contact, enrol, fill, measure, person
from test_tui_flows import settle
from test_tui_returns import SIZE, app_over, figure_row, open_returns, stored, text_of
from textual.pilot import Pilot
from textual.widgets import DataTable, Select, Static
from textual.widgets._select import SelectOverlay

from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.spoke import return_data
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.screens.spoke.returns import ReturnsScreen
from vrp_tui.store import Store
from vrp_tui.widgets.record_list import RecordList
from vrp_tui.widgets.report_table import ReportTable

Q1 = Period.parse("2025-26-Q1")  # 1 April to 30 June 2025


@pytest.fixture
def spoke(spoke_db: Path) -> Path:
    store = Store(spoke_db)
    fill(store)
    store.close()
    return spoke_db


def notices(pilot: Pilot[None]) -> list[str]:
    return [n.message for n in pilot.app._notifications]


async def push_returns(pilot: Pilot[None], period: Period, today: date | None = None) -> ReturnsScreen:
    await settle(pilot)
    screen = ReturnsScreen(period, today=today)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


# -- closed quarters ----------------------------------------------------------


async def test_sign_off_refused_for_the_quarter_under_way(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await push_returns(pilot, Q1, today=date(2025, 6, 30))  # its last day
        assert "sign-off from 1 July 2025" in text_of(screen, "#returns-state")
        await pilot.press("s")
        await settle(pilot)
        assert pilot.app.screen is screen  # no "Sign off ... as version 1?"
        assert notices(pilot)[-1] == ("2025-26-Q1 cannot be signed off before the quarter has ended: "
                                      "possible from 1 July 2025")
    assert stored(spoke, lambda s: lifecycle.versions(s, Q1)) == []


async def test_sign_off_offered_the_day_after_the_quarter_ends(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await push_returns(pilot, Q1, today=date(2025, 7, 1))
        assert "sign-off from" not in text_of(screen, "#returns-state")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert text_of(screen, "#returns-state").startswith("v1 signed-off by Amy Tester")
    assert [v.version for v in stored(spoke, lambda s: lifecycle.versions(s, Q1))] == [1]


async def test_the_quarter_picker_offers_only_quarters(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await push_returns(pilot, Q1)
        assert not screen.query("#quarter-loading")  # replaced by the picker once it has its quarters
        picker = screen.query_one("#quarter", Select)
        assert picker.value == Q1
        quarters = stored(spoke, lambda s: lifecycle.quarters(s))
        overlay = picker.query_one(SelectOverlay)
        prompts = [str(overlay.get_option_at_index(n).prompt) for n in range(overlay.option_count)]
        assert prompts == [q.label for q in quarters]  # no blank "Loading quarters..." to choose


async def test_changing_quarter_never_signs_off_the_one_shown_before(spoke: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    real = return_data.build_draft

    def slow(store: Store, period: Period, today: date) -> return_data.Built:
        if period != Q1:
            gate.wait(10)
        return real(store, period, today)

    monkeypatch.setattr("vrp_tui.screens.spoke.returns.build_draft", slow)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        screen.query_one("#quarter", Select).value = Period.parse("2024-25-Q4")
        await pilot.pause(0.1)
        assert screen.built is None  # Q1's figures are gone while Q4 is read: s has nothing to sign off
        await pilot.press("s")
        await pilot.pause(0.1)
        assert pilot.app.screen is screen
        gate.set()
        await settle(pilot)
        assert screen.built is not None and screen.built.period == Period.parse("2024-25-Q4")
        assert not isinstance(pilot.app.screen, ConfirmScreen)
    assert stored(spoke, lambda s: lifecycle.versions(s, Q1)) == []


# -- validation that follows the data ------------------------------------------


async def test_validation_follows_the_narrative_without_rebuilding(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        assert text_of(screen, "#returns-state") == "Draft of v1 \u00b7 0 error(s) \u00b7 9 warning(s)"
        await pilot.press("3")
        await settle(pilot)
        findings = screen.query_one("#findings", DataTable)
        messages = [str(findings.get_row_at(n)[1]) for n in range(findings.row_count)]
        assert "Narrative: highlights is empty" in messages
        await pilot.press("4", *"Two new mentors", "tab", *"Hard work with case-a.")
        await pilot.pause(0.9)  # past the pause after typing: saved, then checked in a worker
        await settle(pilot)
        assert text_of(screen, "#returns-state") == "Draft of v1 \u00b7 1 error(s) \u00b7 7 warning(s)"
        messages = [str(findings.get_row_at(n)[1]) for n in range(findings.row_count)]
        assert messages[0] == "Narrative: challenges holds a young person's case reference: CASE-A"
        assert "Narrative: highlights is empty" not in messages
        assert "Narrative: challenges is empty" not in messages
        assert "Narrative: case study is empty" in messages


async def test_a_record_put_right_from_a_finding_refreshes_the_counts(spoke: Path) -> None:
    budget = stored(spoke, lambda s: s.query("SELECT id FROM budgets WHERE financial_year = '2025-26' "
                                              "AND funding_source = 'match'")[0]["id"])
    stored(spoke, lambda s: s.conn.execute("UPDATE budgets SET amount = -100 WHERE id = ?", [budget]))
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        assert text_of(screen, "#returns-state").startswith("Draft of v1 \u00b7 1 error(s)")
        await pilot.press("3", "enter")  # the negative budget's form
        await settle(pilot)
        amount = pilot.app.screen.query_one("#f-amount")
        amount.focus()
        await pilot.press("end", "ctrl+u", *"1200", "ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert text_of(screen, "#returns-state") == "Draft of v1 \u00b7 0 error(s) \u00b7 9 warning(s)"


# -- stale sign-offs and the frozen version as stored ----------------------------


def sign_off_then_late_session(db: Path) -> None:
    store = Store(db)
    try:
        lifecycle.sign_off(store, Q1)
        a = store.id_for_ref("participants", "CASE-A")
        ment = store.id_for_ref("interventions", "MENT")
        assert a is not None and ment is not None
        contact(store, a, ment, "2025-06-20", 15)  # entered late, after sign-off
    finally:
        store.close()


async def test_stale_notice_after_a_late_session_until_reopened_and_signed_off(spoke: Path) -> None:
    sign_off_then_late_session(spoke)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        notice = screen.query_one("#stale", Static)
        assert notice.display
        said = text_of(screen, "#stale")
        assert said.startswith("changed since v1 was signed off: 4 figures differ from the records now")
        assert "MENT: Sessions (contacts): 6 -> 7" in said and "MENT: Session hours: 2.4 -> 2.6" in said
        assert "and 2 more (5: Versions)" in said and "o reopens" in said
        await pilot.press("5")
        await settle(pilot)
        assert text_of(screen, "#diff").splitlines()[:5] == [
            "changed since v1 was signed off: 4 figures differ from the records now",
            "  MENT: Sessions (contacts): 6 -> 7", "  MENT: Session hours: 2.4 -> 2.6",
            "  Spoke totals: Sessions (contacts): 9 -> 10", "  Spoke totals: Session hours: 4.2 -> 4.4"]
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert text_of(screen, "#returns-state").startswith("Draft of v2")
        assert not notice.display
        assert figure_row(screen, "MENT")[7] == "7"  # the draft shows the records now
        await pilot.press("s", "y")
        await settle(pilot)
        assert text_of(screen, "#returns-state").startswith("v2 signed-off by Amy Tester")
        assert not notice.display
    assert [v.version for v in stored(spoke, lambda s: lifecycle.versions(s, Q1))] == [1, 2]


async def test_frozen_screen_shows_the_stored_document_when_the_records_changed(spoke: Path) -> None:
    sign_off_then_late_session(spoke)
    frozen = stored(spoke, lambda s: lifecycle.get_version(s, Q1, 1).document)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        assert screen.built is not None and not screen.built.open
        assert screen.built.document == {**frozen, "status": "signed-off"}
        assert figure_row(screen, "MENT")[7] == "6"  # as signed off, not the 7 the records give now
        assert figure_row(screen, "Spoke")[7] == "9"
        assert text_of(screen, "#returns-state").startswith("v1 signed-off by Amy Tester \u00b7 0 error(s)")
        assert "changed since v1 was signed off" in text_of(screen, "#stale")


async def test_a_frozen_quarter_is_read_not_built(spoke: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored(spoke, lambda s: lifecycle.sign_off(s, Q1))
    built: list[Period] = []
    real = return_data.build_draft

    def counting(store: Store, period: Period, today: date) -> return_data.Built:
        built.append(period)
        return real(store, period, today)

    monkeypatch.setattr("vrp_tui.screens.spoke.returns.build_draft", counting)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        assert screen.built is not None and screen.built.period == Q1 and not screen.built.open
        assert Q1 not in built
        assert not screen.query_one("#stale", Static).display  # the records agree with v1


# -- findings that lead to exactly their records -----------------------------------


def three_without_sex(db: Path) -> set[str]:
    """CASE-C (of fill) and two more young people active in Q1 with no sex recorded; one with."""
    store = Store(db)
    try:
        ment = store.id_for_ref("interventions", "MENT")
        assert ment is not None
        for ref, sex in (("CASE-E", None), ("CASE-F", None), ("CASE-G", "female")):
            p = person(store, ref, "2009-01-01", sex, "white")
            enrol(store, p, ment, "2025-04-01", start="2025-04-02")
            contact(store, p, ment, "2025-04-03")
        person(store, "CASE-H")  # no sex either, but not active in Q1: not in the warning
    finally:
        store.close()
    return {"CASE-C", "CASE-E", "CASE-F"}


async def choose_finding(pilot: Pilot[None], screen: ReturnsScreen, starts: str) -> None:
    await pilot.press("3")
    await settle(pilot)
    findings = screen.query_one("#findings", DataTable)
    row = next(n for n in range(findings.row_count) if str(findings.get_row_at(n)[1]).startswith(starts))
    findings.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)


async def test_enter_on_missing_sex_lists_exactly_those_young_people(spoke: Path) -> None:
    expected = three_without_sex(spoke)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await choose_finding(pilot, screen, "Young people active in the quarter with no sex recorded: 3")
        main = pilot.app.screen
        assert isinstance(main, MainScreen)
        people = main.query_one("#list-participants", RecordList)
        assert main.visible_list() is people and main.focused is people.table
        assert {row["ref"] for row in people.rows.values()} == expected
        status = str(people.query_one("#status", Static).content)
        assert status == ("3 young people with no sex recorded \u00b7 esc clears \u00b7 "
                          "3 of 3 young people loaded")
        await pilot.press("slash", *"case-e", "enter")  # a search inside the filter keeps it
        await pilot.pause(0.4)
        await settle(pilot)
        assert {row["ref"] for row in people.rows.values()} == {"CASE-E"}
        await pilot.press("slash", "ctrl+u", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert {row["ref"] for row in people.rows.values()} == expected
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert people.id_filter is None
        assert len(people.rows) == 8  # CASE-A to CASE-H
        await pilot.press("r")  # back to the Returns screen, on the quarter it showed
        await settle(pilot)
        again = pilot.app.screen
        assert isinstance(again, ReturnsScreen) and again.period == Q1


# -- the Outcomes tab -----------------------------------------------------------------

EMPTY = {"measured": 0, "paired": 0, "improved": 0, "unchanged": 0, "worsened": 0, "change_sum": 0.0,
         "mean_change": None}
INSTRUMENTS = ("sdq-total", "swemwbs", "wemwbs", "ors", "goal-based")


def with_outcomes(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with SPEC section 4's outcomes: MENT measured SDQ and ORS, SPRT ORS, worked by hand."""
    doc = copy.deepcopy(document)
    figures = {
        "MENT": {"sdq-total": {"measured": 3, "paired": 2, "improved": 1, "unchanged": 0, "worsened": 1,
                               "change_sum": 1.0, "mean_change": 0.5},
                 "ors": {"measured": 2, "paired": 2, "improved": 2, "unchanged": 0, "worsened": 0,
                         "change_sum": 5.5, "mean_change": 2.8}},
        "SPRT": {"ors": {"measured": 1, "paired": 1, "improved": 0, "unchanged": 1, "worsened": 0,
                         "change_sum": 0.0, "mean_change": 0.0}},
    }
    for line in doc["interventions"]:
        line["outcomes"] = {slug: figures.get(line["ref"], {}).get(slug, dict(EMPTY)) for slug in INSTRUMENTS}
    doc["totals"]["outcomes"] = {
        "sdq-total": figures["MENT"]["sdq-total"],
        "ors": {"measured": 3, "paired": 3, "improved": 2, "unchanged": 1, "worsened": 0, "change_sum": 5.5,
                "mean_change": 1.8},
        **{slug: dict(EMPTY) for slug in ("swemwbs", "wemwbs", "goal-based")},
    }
    return doc


def draft_with(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    real = return_data.build_draft

    def built(store: Store, period: Period, today: date) -> return_data.Built:
        b = real(store, period, today)
        return return_data.Built(b.period, change(b.document), b.findings, b.open, b.versions, b.narrative,
                                 b.today)

    monkeypatch.setattr("vrp_tui.screens.spoke.returns.build_draft", built)


def without_outcomes(document: dict[str, Any]) -> dict[str, Any]:
    """A return made before outcome measures were recorded."""
    doc = copy.deepcopy(document)
    for line in [*doc["interventions"], doc["totals"]]:
        line.pop("outcomes", None)
    return doc


async def test_outcomes_tab(spoke: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    draft_with(monkeypatch, with_outcomes)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = screen.query_one("#outcomes", ReportTable)
        rows = [[str(c).strip() for c in table.get_row_at(n)] for n in range(table.row_count)]
        assert rows == [
            ["Spoke", "sdq-total", "3", "2", "1", "0", "1", "+0.5"],
            ["Spoke", "ors", "3", "3", "2", "1", "0", "+1.8"],
            ["MENT", "sdq-total", "3", "2", "1", "0", "1", "+0.5"],
            ["MENT", "ors", "2", "2", "2", "0", "0", "+2.8"],
            ["SPRT", "ors", "1", "1", "0", "1", "0", "+0.0"],
        ]
        chart = text_of(screen, "#outcomes-chart")
        assert "Paired young people, better against worse" in chart
        assert "1 better, 1 worse" in chart and "2 better, 0 worse" in chart


async def test_outcomes_not_recorded(spoke: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    draft_with(monkeypatch, without_outcomes)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert screen.query_one("#outcomes", ReportTable).row_count == 0
        assert text_of(screen, "#outcomes-chart").startswith("Outcomes: not recorded in this return")


# -- 80x24 snapshots -----------------------------------------------------------------


def test_stale_signed_off_return_snapshot(spoke: Path, snap_compare: Any) -> None:
    sign_off_then_late_session(spoke)

    async def show(pilot: Pilot[None]) -> None:
        await push_returns(pilot, Q1)

    assert snap_compare(app_over(spoke), terminal_size=SIZE, run_before=show)


def test_filtered_list_snapshot(spoke: Path, snap_compare: Any) -> None:
    three_without_sex(spoke)

    async def show(pilot: Pilot[None]) -> None:
        screen = await push_returns(pilot, Q1)
        await choose_finding(pilot, screen, "Young people active in the quarter with no sex recorded")

    assert snap_compare(app_over(spoke), terminal_size=SIZE, run_before=show)


def test_outcomes_tab_snapshot(spoke: Path, snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    draft_with(monkeypatch, with_outcomes)

    async def show(pilot: Pilot[None]) -> None:
        await push_returns(pilot, Q1)
        await pilot.press("6")
        await settle(pilot)

    assert snap_compare(app_over(spoke), terminal_size=SIZE, run_before=show)


async def test_outcomes_tab_from_the_records(spoke: Path) -> None:
    """The real document's outcomes: CASE-A's SDQ on mentoring from 20 to 15 (lower is better)."""
    def scores(store: Store) -> None:
        a, ment = store.id_for_ref("participants", "CASE-A"), store.id_for_ref("interventions", "MENT")
        assert a is not None and ment is not None
        measure(store, a, ment, "2025-04-01", "sdq-total", "20")
        measure(store, a, ment, "2025-06-01", "sdq-total", "15")

    stored(spoke, scores)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = screen.query_one("#outcomes", ReportTable)
        rows = [[str(c).strip() for c in table.get_row_at(n)] for n in range(table.row_count)]
        assert rows == [["Spoke", "sdq-total", "1", "1", "1", "0", "0", "+5.0"],
                        ["MENT", "sdq-total", "1", "1", "1", "0", "0", "+5.0"]]
        assert "1 better, 0 worse" in text_of(screen, "#outcomes-chart")
