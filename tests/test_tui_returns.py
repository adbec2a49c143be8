"""The Returns screen, driven by keyboard at 80x24 over a real spoke file.

Each test checks the database afterwards with its own Store.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from returns_samples import fill
from rich.console import Console
from test_tui_flows import settle
from textual.pilot import Pilot
from textual.widgets import DataTable, Select, Static, TextArea

from vrp_tui.app import VrpApp, make_app
from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.spoke.record_form import RecordFormScreen
from vrp_tui.screens.spoke.returns import ReturnsScreen
from vrp_tui.store import Store
from vrp_tui.widgets.narrative_editor import NarrativeEditor
from vrp_tui.widgets.report_table import ReportTable

SIZE = (80, 24)
Q1 = Period.parse("2025-26-Q1")


@pytest.fixture
def spoke(spoke_db: Path) -> Path:
    store = Store(spoke_db)
    fill(store)
    store.close()
    return spoke_db


def app_over(db: Path) -> VrpApp:
    return make_app(db, cursor_blink=False)


async def open_returns(pilot: Pilot[None], quarter: str = "2025/26 Q1") -> ReturnsScreen:
    """Press r on the main screen, then choose the quarter by typing its label in the picker."""
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReturnsScreen)
    await pilot.press("q", "enter", *quarter, "enter")
    await settle(pilot)
    return screen


def text_of(screen: ReturnsScreen, selector: str) -> str:
    """What a Static shows, as plain text (rich tables drawn 78 columns wide)."""
    console = Console(width=78, record=True, file=io.StringIO())
    console.print(screen.query_one(selector, Static).content)
    return console.export_text().rstrip("\n")


def figure_row(screen: ReturnsScreen, ref: str) -> list[str]:
    table = screen.query_one("#figures", ReportTable)
    return next([str(cell) for cell in row] for row in table.rows if str(row[0]) == ref)


def stored(db: Path, action: Any) -> Any:
    store = Store(db)
    try:
        return action(store)
    finally:
        store.close()


async def test_open_returns_and_change_quarter(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        assert screen.query_one("#quarter", Select).value == Q1
        # 9 warnings: two of them MENT's and SPRT's completions without paired outcome measures
        assert text_of(screen, "#returns-state") == "Draft of v1 \u00b7 0 error(s) \u00b7 9 warning(s)"
        assert figure_row(screen, "MENT") == ["MENT", "2", "2", "3", "2", "1", "0", "6", "2.4", "£1,550.50",
                                              "£1,550.50", "£6,200.00", "25%"]
        assert figure_row(screen, "Spoke")[:9] == ["Spoke", "5", "4", "3", "1", "2", "1", "9", "4.2"]
        await pilot.press("2")  # charts
        await settle(pilot)
        charts = text_of(screen, "#charts")
        assert "Active young people by quarter, 2025-26 to date" in charts and "Q1" in charts
        await pilot.press("q", "enter", *"2024/25 Q4", "enter")
        await settle(pilot)
        assert screen.query_one("#quarter", Select).value == Period.parse("2024-25-Q4")
        assert figure_row(screen, "MENT") == ["MENT", "2", "1", "1", "0", "0", "0", "1", "0.5", "£1,000.00",
                                              "£1,000.00", "£4,000.00", "25%"]


async def test_jump_from_a_validation_message_to_the_record(spoke: Path) -> None:
    budget_id = stored(spoke, lambda s: s.query("SELECT id FROM budgets WHERE financial_year = '2025-26' "
                                               "AND funding_source = 'match'")[0]["id"])
    stored(spoke, lambda s: s.conn.execute("UPDATE budgets SET amount = -100 WHERE id = ?", [budget_id]))
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        assert text_of(screen, "#returns-state").startswith("Draft of v1 \u00b7 1 error(s)")
        await pilot.press("3")  # validation, the list focused
        await settle(pilot)
        findings = screen.query_one("#findings", DataTable)
        assert screen.focused is findings
        assert "Budget of MENT for 2025-26 (match) is negative" in str(findings.get_row_at(0)[1])
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, RecordFormScreen) and form.record_id == budget_id
        assert form.section.kind == "budgets"
        amount = form.query_one("#f-amount")
        amount.focus()
        await pilot.press("end", "ctrl+u", *"1200", "ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert text_of(screen, "#returns-state").startswith("Draft of v1 \u00b7 0 error(s)")
    assert stored(spoke, lambda s: s.get("budgets", budget_id)["amount"]) == 120000


async def test_empty_narrative_message_goes_to_its_field(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await pilot.press("3")
        await settle(pilot)
        findings = screen.query_one("#findings", DataTable)
        row = next(n for n in range(findings.row_count) if "case study is empty" in str(findings.get_row_at(n)[1]))
        findings.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.focused is screen.query_one("#narrative-case_study", TextArea)


async def test_narrative_is_saved_as_it_is_typed(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await pilot.press("4")  # narrative, highlights focused
        await settle(pilot)
        assert screen.focused is screen.query_one("#narrative-highlights", TextArea)
        await pilot.press(*"Two new mentors")
        await pilot.pause(1.2)  # past the pause that saves
        await settle(pilot)
        assert text_of(screen, "#narrative-state") == "Saved."
        assert stored(spoke, lambda s: lifecycle.narrative(s, Q1)["highlights"]) == "Two new mentors"
        await pilot.press("tab", *"Holidays", "escape")  # typed and left at once: still saved
        await settle(pilot)
    assert stored(spoke, lambda s: lifecycle.narrative(s, Q1)["challenges"]) == "Holidays"


async def test_sign_off_then_reopen(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert text_of(screen, "#returns-state").startswith("v1 signed-off by Amy Tester")
        assert [v.version for v in stored(spoke, lambda s: lifecycle.versions(s, Q1))] == [1]
        await pilot.press("4")
        await settle(pilot)
        assert screen.query_one("#narrative-highlights", TextArea).read_only
        await pilot.press("o", "y")
        await settle(pilot)
        assert text_of(screen, "#returns-state").startswith("Draft of v2")
        assert stored(spoke, lambda s: lifecycle.is_open(s, Q1))
        await pilot.press("5")  # versions
        await settle(pilot)
        versions = screen.query_one("#versions", DataTable)
        assert [str(versions.get_row_at(n)[1]) for n in range(versions.row_count)] == ["signed-off", "draft"]


async def test_sign_off_is_refused_while_errors_exist(spoke: Path) -> None:
    stored(spoke, lambda s: s.conn.execute("UPDATE spend SET amount = -1"))
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert pilot.app.screen is screen  # no question asked
        assert screen.query_one("#returns-tabs").active == "tab-validation"  # type: ignore[attr-defined]
    assert stored(spoke, lambda s: lifecycle.versions(s, Q1)) == []


async def test_versions_show_what_changed(spoke: Path) -> None:
    def two_versions(store: Store) -> None:
        lifecycle.sign_off(store, Q1)
        lifecycle.reopen(store, Q1)
        lifecycle.save_narrative(store, Q1, {"challenges": "Staff sickness"})
        lifecycle.sign_off(store, Q1)

    stored(spoke, two_versions)
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        screen = await open_returns(pilot)
        assert text_of(screen, "#returns-state").startswith("v2 signed-off")
        await pilot.press("5", "down")
        await settle(pilot)
        diff = text_of(screen, "#diff")
        assert "From v1 to v2: 1 change(s)" in diff
        assert "Narrative, challenges: {+Staff sickness+}" in diff


def test_returns_screen_snapshot(spoke: Path, snap_compare: Any) -> None:
    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.push_screen(ReturnsScreen(Q1))
        await settle(pilot)

    assert snap_compare(app_over(spoke), terminal_size=SIZE, run_before=show)


def test_an_older_narrative_save_never_overwrites_a_newer_one(spoke: Path) -> None:
    editor = NarrativeEditor()
    store = Store(spoke)
    try:
        editor.write(store, Q1, {"highlights": "second draft"}, 2)
        editor.write(store, Q1, {"highlights": "first draft"}, 1)  # a slow save arriving late
        assert lifecycle.narrative(store, Q1)["highlights"] == "second draft"
    finally:
        store.close()


async def test_typing_then_changing_quarter_saves_the_first_quarter(spoke: Path) -> None:
    async with app_over(spoke).run_test(size=SIZE) as pilot:
        await open_returns(pilot)
        await pilot.press("4", *"Busy", "escape")  # escape leaves the editor... and the screen
        await settle(pilot)
        await open_returns(pilot)
        await pilot.press("4", *" summer")
        await pilot.press("shift+tab", "shift+tab")  # out of the editor to the tabs
        await pilot.press("q", "enter", *"2024/25 Q4", "enter")
        await settle(pilot)
    assert stored(spoke, lambda s: lifecycle.narrative(s, Q1)["highlights"]) == "Busy summer"
