"""ReportTable: a table of figures that draws only the cells on screen, with a header line, fixed
columns and rows, a row cursor, zebra stripes and whole-column scrolling; cells are literal text."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from vrp_tui.text import as_text
from vrp_tui.widgets.report_table import ReportTable


class One(App[None]):
    def __init__(self, table: ReportTable) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        yield self.table


def fill(table: ReportTable, rows: int = 30, columns: int = 12) -> None:
    table.show([as_text("Ref")] + [Text(f"Col {c}", justify="right") for c in range(1, columns)],
               [[as_text(f"R{r}")] + [Text(f"{r * c:,}", justify="right") for c in range(1, columns)]
                for r in range(rows)])


def lines(table: ReportTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_the_header_and_the_rows_on_screen_are_drawn_aligned() -> None:
    table = ReportTable(id="t")
    async with One(table).run_test(size=(40, 6)) as pilot:
        fill(table)
        await pilot.pause()
        assert table.widths[:3] == [5, 7, 7]  # the widest cell (or header) plus a cell each side
        shown = lines(table)
        assert shown[0].startswith(" Ref  Col 1  Col 2  Col 3")
        assert shown[1].startswith(" R0       0      0      0")
        assert shown[4].startswith(" R3       3      6      9")
        assert all(len(line) == 40 for line in shown[:5])


async def test_the_cursor_scrolls_its_row_into_view_under_the_fixed_row() -> None:
    table = ReportTable(id="t", fixed_rows=1)
    async with One(table).run_test(size=(40, 6)) as pilot:
        fill(table)
        table.focus()
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == 29
        shown = lines(table)
        assert shown[1].startswith(" R0 ")  # the fixed row stays
        # the horizontal scrollbar takes the last line: three scrolling rows show, the cursor's last
        assert [line.split()[0] for line in shown[2:5]] == ["R27", "R28", "R29"]
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_offset.y == 0


async def test_right_scrolls_whole_columns_and_the_fixed_column_stays() -> None:
    table = ReportTable(id="t")
    async with One(table).run_test(size=(30, 6)) as pilot:
        fill(table)
        table.focus()
        await pilot.pause()
        await pilot.press("right", "right")
        await pilot.pause()
        assert lines(table)[0].startswith(" Ref  Col 3  Col 4")
        assert lines(table)[3].startswith(" R2       6      8")
        await pilot.press("left")
        await pilot.pause()
        assert lines(table)[0].startswith(" Ref  Col 2  Col 3")


async def test_markup_in_a_cell_is_text_and_a_long_cell_is_cut() -> None:
    table = ReportTable(id="t")
    async with One(table).run_test(size=(80, 4)) as pilot:
        table.show([as_text("Ref"), as_text("Name")],
                   [[as_text("[@click=app.quit]X[/]"), as_text("y" * 60)]])
        await pilot.pause()
        row = table.render_line(1)
        assert row.text.startswith(" [@click=app.quit]X[/] ")
        assert " " + "y" * 39 + "… " in row.text  # cut to MAX_WIDTH (40): 39 y and an ellipsis
        assert all(not (seg.style and seg.style.meta) for seg in row)


async def test_a_click_moves_the_cursor_to_the_row_under_it() -> None:
    table = ReportTable(id="t")
    async with One(table).run_test(size=(40, 8)) as pilot:
        fill(table)
        await pilot.click(ReportTable, offset=(2, 4))
        assert table.cursor_row == 3
        table.clear()
        await pilot.pause()
        assert table.row_count == 0 and table.cursor_row == 0
