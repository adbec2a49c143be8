"""Outside text stays text in the spoke TUI (SPEC section 9): markup and terminal controls in
records, imported through CSV as a spoke worker would, are shown literally and do nothing.

The controls cannot come in through a CSV file or a form (both refuse them), so the test writes
them with SQL, as a database from an older version or another tool could hold them.
"""

from __future__ import annotations

from pathlib import Path

from test_tui_flows import SIZE, row_text, settle, started
from textual.widgets import DataTable, Input, Label, Select, Static, TextArea

from vrp_tui.app import make_app
from vrp_tui.periods import Period
from vrp_tui.records.importing import import_csv
from vrp_tui.returns import lifecycle
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.screens.spoke.record_form import RecordFormScreen
from vrp_tui.screens.spoke.returns import ReturnsScreen
from vrp_tui.store import Store
from vrp_tui.widgets.report_table import ReportTable

# (ref, name as stored, the name as the screen must show it)
HOSTILE = (
    ("BAD1", "bad [/] close", "bad [/] close"),
    ("PILOT", "Mentoring [pilot] scheme", "Mentoring [pilot] scheme"),
    ("[/bold]", "[bold]x[/bold]", "[bold]x[/bold]"),
    ("CLEAR", "wipe \x1b[2J now", "wipe \u241b[2J now"),
    ("TITLE", "retitle \x1b]0;t\x07 it", "retitle \u241b]0;t\u2407 it"),
)


ESC_REF = "CLEAR\x1b[2J"  # a ref no form or file lets in, but a database may hold
SHOWN_REFS = {"CLEAR": "CLEAR\u241b[2J"}


def hostile_spoke(db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "interventions.csv"
    lines = ["ref,name,provider,approach,prevention_level,setting,start_date"]
    for ref, name, _ in HOSTILE:
        printable_name = name if "\x1b" not in name else f"placeholder {ref}"
        lines.append(f'"{ref}","{printable_name}",Youth [b]Moves[/b],mentoring,secondary,community,2025-04-01')
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store(db)
    result = import_csv(store, "interventions", csv)
    assert result.created == len(HOSTILE)
    with store.transaction():
        for ref, name, _ in HOSTILE:
            if "\x1b" in name:
                store.conn.execute("UPDATE interventions SET name = ? WHERE ref = ?", (name, ref))
        store.conn.execute("UPDATE interventions SET ref = ? WHERE ref = 'CLEAR'", (ESC_REF,))
    q1 = Period.parse("2025-26-Q1")
    lifecycle.save_narrative(store, q1, {"highlights": "Good quarter"})
    with store.transaction():  # saving refuses controls now; a database written before that may hold them
        store.conn.execute("UPDATE return_drafts SET highlights = ? WHERE period = ?",
                           ("Good \x1b[2Jquarter\n\tindeed", q1.code))
    assert [r["name"] for r in store.query("SELECT name FROM interventions ORDER BY id")] == \
        [name for _, name, _ in HOSTILE]
    store.close()


def rows_left(db: Path) -> int:
    store = Store(db)
    try:
        return int(store.conn.execute("SELECT count(*) FROM interventions").fetchone()[0])
    finally:
        store.close()


def listed(table: DataTable[object] | ReportTable, column: int) -> list[str]:
    return [row_text(table, n)[column] for n in range(table.row_count)]


async def test_markup_and_controls_in_records_show_literally(spoke_db: Path, tmp_path: Path) -> None:
    hostile_spoke(spoke_db, tmp_path)
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)  # `bad [/] close` once crashed the app right here
        records = main.record_list("interventions")
        assert records is not None
        table = records.table
        shown = {row_text(table, n)[0]: row_text(table, n)[1] for n in range(table.row_count)}
        assert shown == {SHOWN_REFS.get(ref, ref): literal for ref, _, literal in HOSTILE}
        for n in range(table.row_count):
            for value in table.get_row_at(n):
                assert not value.spans  # no style and no click action came from a record
        assert "\x1b" not in "".join(listed(table, 1))

        # the form of `bad [/] close`: the fields hold what is stored, character for character
        table.move_cursor(row=0)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        assert app.screen.query_one("#f-name", Input).value == "bad [/] close"
        assert app.screen.query_one("#f-provider", Input).value == "Youth [b]Moves[/b]"
        await pilot.press("escape")
        await settle(pilot)
        table.move_cursor(row=listed(table, 0).index("CLEAR\u241b[2J"))  # an Input draws its value raw
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#f-name", Input).value == "wipe \u241b[2J now"
        assert app.screen.query_one("#f-ref", Input).value == "CLEAR\u241b[2J"
        await pilot.press("escape")
        await settle(pilot)

        # the delete confirmation names the record literally, controls as pictures
        refs = listed(table, 0)
        for ref, question in (("[/bold]", "Delete intervention [/bold]?"),
                              ("CLEAR\u241b[2J", "Delete intervention CLEAR\u241b[2J?")):
            table.move_cursor(row=refs.index(ref))
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            assert str(app.screen.query_one(".dialog-title", Label).content) == question
            await pilot.press("n")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
        assert rows_left(spoke_db) == len(HOSTILE)

        # a referral's intervention picker lists the names as they are
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        picker = app.screen.query_one("#f-intervention_id", Select)
        labels = [str(prompt) for prompt, _ in picker._options[1:]]
        for _, _, literal in HOSTILE:
            assert any(literal in label for label in labels), (literal, labels)
        await pilot.press("escape")
        await settle(pilot)

        # the Returns screen: each intervention's row under its own ref, and the app still running
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReturnsScreen)
        await pilot.press("q", "enter", *"2025/26 Q1", "enter")
        await settle(pilot)
        figures = app.screen.query_one("#figures", ReportTable)
        refs = [c.strip() for c in listed(figures, 0)]
        assert refs[0] == "Spoke" and set(refs[1:]) == {SHOWN_REFS.get(ref, ref) for ref, _, _ in HOSTILE}
        await pilot.press("3")  # validation messages quote refs and names
        await settle(pilot)
        findings = app.screen.query_one("#findings", DataTable)
        messages = " ".join(listed(findings, 1))
        assert "\x1b" not in messages
        assert "\x1b" not in str(app.screen.query_one("#returns-state", Static).content)
        await pilot.press("4")  # the narrative's editors draw their text raw: placeholders go in
        await settle(pilot)
        assert app.screen.query_one("#narrative-highlights", TextArea).text == "Good \u241b[2Jquarter\n\tindeed"
        assert app.is_running
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.is_running


async def test_folder_names_in_the_folder_picker_show_literally(spoke_db: Path, tmp_path: Path) -> None:
    from test_tui_export import freeze, open_export, set_folder
    from test_tui_export import settle as settle_export
    from textual.widgets import DirectoryTree

    from vrp_tui.screens.spoke.export import FolderPicker

    freeze(spoke_db)
    base = tmp_path / "usb"
    names = ("[bold]b", "[@click=app.quit]q", "clear\x1b[2J")  # a name cannot hold "/", so no closing tag
    for name in names:
        (base / name).mkdir(parents=True)
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(pilot)
        await set_folder(pilot, base)
        await pilot.press("ctrl+o")
        await settle_export(pilot)
        assert isinstance(app.screen, FolderPicker)
        tree = app.screen.query_one(DirectoryTree)
        labels = sorted(str(node.label) for node in tree.root.children)
        assert labels == sorted(["[bold]b", "[@click=app.quit]q", "clear\u241b[2J"])
        assert all(not node.label.spans for node in tree.root.children)
        await pilot.press("escape")
        await settle_export(pilot)
        assert app.is_running
