"""The spoke TUI's import screen takes CSV and XLSX files: imported, or refused with every problem."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from test_tui_flows import SIZE, choose, form_message, rows, settle, started, type_into
from textual.widgets import DataTable

from vrp_tui.app import make_app
from vrp_tui.screens.spoke.import_file import ImportScreen


def workbook(path: Path, rows_: list[tuple[object, ...]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows_):
        sheet.write_row(r, 0, row)
    book.close()
    return path


async def test_import_an_xlsx_file_then_a_bad_one(spoke_db: Path, tmp_path: Path) -> None:
    good = workbook(tmp_path / "young-people.xlsx", [("ref", "sex"), ("YP1", "female"), ("yp2", "MALE")])
    bad = workbook(tmp_path / "bad.xlsx", [("ref", "sex"), ("YP3", "female"), ("YP4", "martian")])
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await choose(pilot, "kind", "Young")
        await type_into(pilot, "path", str(good))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_message(app).startswith("Imported: 2 added, 0 updated.")

        await type_into(pilot, "path", str(bad))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_message(app) == "Refused: 1 problem on 1 line; nothing was imported."
        table = app.screen.query_one("#problems", DataTable)
        assert table.row_count == 1
        line, column, problem = (str(cell) for cell in table.get_row_at(0))
        assert (line, column) == ("3", "sex (B3)")
        assert problem.startswith("unknown sex 'martian'")

    assert rows(spoke_db, "SELECT ref, sex FROM participants ORDER BY ref") == [
        {"ref": "YP1", "sex": "female"}, {"ref": "yp2", "sex": "male"}]
