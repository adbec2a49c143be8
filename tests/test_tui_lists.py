"""Lists, search, paging, deletes that are refused, the palette, help and CSV import in the spoke TUI."""

from __future__ import annotations

from pathlib import Path

from test_tui_flows import (
    SIZE,
    choose,
    error_of,
    form_message,
    row_text,
    rows,
    seed,
    settle,
    started,
    type_into,
)
from textual.widgets import DataTable, Input, Static

from vrp_tui.app import make_app
from vrp_tui.screens.spoke.help import HelpScreen
from vrp_tui.screens.spoke.import_file import ImportScreen
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.screens.spoke.record_form import RecordFormScreen
from vrp_tui.store import Store


def many_young_people(db: Path, count: int) -> None:
    store = Store(db)
    with store.transaction():
        store.conn.executemany("INSERT INTO participants (ref, sex) VALUES (?, 'female')",
                               [(f"YP{n:05d}",) for n in range(count)])
    store.close()


async def test_a_long_list_loads_a_page_at_a_time(spoke_db: Path) -> None:
    many_young_people(spoke_db, 450)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("2")
        await settle(pilot)
        records = main.record_list("participants")
        assert records.table.row_count == 100  # one page, not all 450
        assert str(records.query_one("#status", Static).content) == "100 of 450 young people loaded"
        await pilot.press("end")  # the cursor nears the end of what is loaded: the next page comes
        await settle(pilot)
        assert records.table.row_count == 200
        assert row_text(records.table, 199)[0] == "YP00199"
        await pilot.press("end")
        await settle(pilot)
        assert records.table.row_count == 300


async def test_search_filters_the_list(spoke_db: Path) -> None:
    many_young_people(spoke_db, 150)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("2", "slash", *"YP0012")
        await pilot.pause(0.4)
        await settle(pilot)
        records = main.record_list("participants")
        assert [row_text(records.table, i)[0] for i in range(records.table.row_count)] == [
            "YP00120", "YP00121", "YP00122", "YP00123", "YP00124", "YP00125", "YP00126", "YP00127",
            "YP00128", "YP00129"]
        await pilot.press("enter", "e")  # back to the list, then edit the highlighted one
        await settle(pilot)
        assert app.screen.query_one("#f-ref", Input).value == "YP00120"


async def test_editing_a_referral_shows_the_young_persons_ref(spoke_db: Path) -> None:
    seed(spoke_db, participants=("YP1",), referred=("YP1",))
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        values = app.screen.form.values()
        assert (values["participant_ref"], values["referral_date"], values["referral_source"]) == (
            "YP1", "2025-05-01", "school")
        await type_into(pilot, "end_date", "2025-07-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(app, "exit_reason") == "required when there is an end date"
        await choose(pilot, "exit_reason", "Comp")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert rows(spoke_db, "SELECT end_date, exit_reason FROM enrolments") == [
        {"end_date": "2025-07-31", "exit_reason": "completed"}]


async def test_a_delete_says_what_depends_on_the_record_and_refuses(spoke_db: Path) -> None:
    """A record that others refer to is not offered for deletion: the refusal counts them."""
    seed(spoke_db, participants=("YP1", "YP2"), referred=("YP1", "YP2"))
    store = Store(spoke_db)
    ids = {r["ref"]: r["id"] for r in store.query("SELECT id, ref FROM participants")}
    (mentoring,) = [r["id"] for r in store.query("SELECT id FROM interventions")]
    for day in ("2025-05-02", "2025-05-09", "2025-05-16"):
        store.save("contacts", {"participant_id": ids["YP1"], "intervention_id": mentoring, "date": day,
                                "minutes": 60, "mode": "group"})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no question: nothing to confirm
        assert [n.message for n in app._notifications] == [
            "Intervention MENT01 has 2 referrals and 3 sessions: delete those first, or keep it."]
        await pilot.press("2")
        await settle(pilot)
        assert row_text(main.record_list("participants").table, 0)[0] == "YP1"
        await pilot.press("d")
        await settle(pilot)
        assert [n.message for n in app._notifications][-1] == (
            "Young person YP1 has 1 referral and 3 sessions: delete those first, or keep it.")
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("d")  # a session: nothing refers to it, so the question is asked
        await settle(pilot)
        assert "Delete the session of YP1 on 2025-05-16?" in str(
            app.screen.query_one(".dialog-title", Static).content)
        await pilot.press("n")
        await settle(pilot)
    assert len(rows(spoke_db, "SELECT * FROM interventions")) == 1
    assert len(rows(spoke_db, "SELECT * FROM participants")) == 2
    assert len(rows(spoke_db, "SELECT * FROM contacts")) == 3


async def test_the_command_palette_opens_the_add_forms(spoke_db: Path) -> None:
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("ctrl+p", *"add you")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen) and app.screen.section.kind == "participants"
        await pilot.press("escape")
        await pilot.press("ctrl+p", *"rec spe")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen) and app.screen.section.kind == "spend"
        assert app.screen_stack[0].query_one("#sections").active == "tab-money"


async def test_help_lists_the_key_bindings(spoke_db: Path) -> None:
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        listed = {tuple(row_text(table, i)[1:]) for i in range(table.row_count)}
        assert {("a", "Add"), ("d / del", "Delete"), ("2", "Show young people"), ("g", "Group register"), ("i", "Import CSV file"),
                ("^s", "Save")} <= listed
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_import_a_csv_file(spoke_db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "interventions.csv"
    csv.write_text(
        "ref,name,provider,approach,prevention_level,setting,start_date\n"
        "NAV1,A&E navigators,Redthread,a-and-e-navigators,secondary,hospital,2025-04-01\n"
        "FD1,Focused deterrence,Police,focused-deterence,tertiary,community,2025-13-01\n",
        encoding="utf-8",
    )
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await choose(pilot, "kind", "Int")
        await type_into(pilot, "path", str(tmp_path / "missing.csv"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(app, "path").startswith("no such file")

        await type_into(pilot, "path", str(csv))
        await pilot.press("ctrl+s")
        await settle(pilot)
        problems = app.screen.query_one("#problems", DataTable)
        listed = [row_text(problems, i) for i in range(problems.row_count)]
        assert [row[:2] for row in listed] == [["3", "approach"], ["3", "start_date"]]
        assert form_message(app).startswith("Refused: 2 problems on 1 line")
        assert rows(spoke_db, "SELECT * FROM interventions") == []

        csv.write_text(csv.read_text().replace("focused-deterence", "focused-deterrence")
                       .replace("2025-13-01", "2025-10-01"), encoding="utf-8")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_message(app).startswith("Imported: 2 added, 0 updated")
        await pilot.press("escape")
        await settle(pilot)
        assert main.record_list("interventions").table.row_count == 2
    assert [r["ref"] for r in rows(spoke_db, "SELECT ref FROM interventions ORDER BY ref")] == ["FD1", "NAV1"]


async def test_a_database_that_cannot_be_opened_ends_the_app_with_one_line(tmp_path: Path) -> None:
    app = make_app(tmp_path)  # a folder, not a database file
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert app.return_code == 1
    assert app.refusal is not None and "\n" not in app.refusal and str(tmp_path) in app.refusal


async def test_a_failed_save_keeps_the_form_and_can_be_tried_again(spoke_db: Path) -> None:
    store = Store(spoke_db)
    store.conn.execute("CREATE TRIGGER jammed BEFORE INSERT ON participants "
                       "BEGIN SELECT RAISE(ABORT, 'the disk is jammed'); END")
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("2", "a")
        await settle(pilot)
        await type_into(pilot, "ref", "YP9")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        assert [n.message for n in app._notifications] == ["the database could not do that (the disk is jammed)"]
        assert form_message(app) == "Not saved."
        assert app.screen.query_one("#f-ref", Input).value == "YP9"

        store = Store(spoke_db)
        store.conn.execute("DROP TRIGGER jammed")
        store.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert [r["ref"] for r in rows(spoke_db, "SELECT ref FROM participants")] == ["YP9"]
