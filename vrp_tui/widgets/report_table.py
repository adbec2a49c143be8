"""A read-only table of figures that draws only the cells on screen.

Textual's DataTable draws every column of a row to show any part of it and
measures every cell it is given, so a return's 200 interventions by 18 figures
held the event loop for 60-80 ms on each first showing or long cursor move.
Here each line is built from the visible columns alone, from cells turned into
segments once and kept, so drawing costs the same for 10 columns or 1,000.

The cells are Rich ``Text`` made by ``vrp_tui.text`` (never markup); a row
cursor, zebra stripes, a header line and fixed first columns behave as in a
DataTable, with the same keys; fixed first rows (a totals line) stay in view
under the header.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

# A cell as drawn: its pieces of text (padding included) with the cell's own style on each.
Pieces = tuple[tuple[str, Style | None], ...]

MAX_WIDTH = 40  # a cell's text is cut to this many cells (an ellipsis last)
GAP = 2  # cells between columns (one each side, as a DataTable pads them)


class ReportTable(ScrollView, can_focus=True):
    """Columns and rows of ``Text`` set whole with :meth:`show`; a row cursor moved by the keys."""

    COMPONENT_CLASSES = {
        "report-table--header",
        "report-table--fixed",
        "report-table--even-row",
        "report-table--cursor",
    }

    DEFAULT_CSS = """
    ReportTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .report-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .report-table--fixed { background: $secondary-muted; color: $foreground; }
        & > .report-table--even-row { background: $surface-lighten-1 50%; }
        & > .report-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .report-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .report-table--even-row { background: $surface-darken-1 40%; }
    }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor(-1_000_000_000)", "First row", show=False),
        Binding("end", "cursor(1_000_000_000)", "Last row", show=False),
        Binding("left", "column(-1)", "Left", show=False),
        Binding("right", "column(1)", "Right", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    def __init__(self, *, fixed_columns: int = 1, fixed_rows: int = 0, zebra_stripes: bool = True,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.fixed_columns = fixed_columns
        self.fixed_rows = fixed_rows
        self.zebra_stripes = zebra_stripes
        self.columns: list[Text] = []
        self.rows: list[list[Text]] = []
        self.widths: list[int] = []
        self._starts: list[int] = [0]  # where each scrolling column starts, from the first one
        self._drawn: dict[tuple[int, int], Pieces] = {}  # (row, column) -> pieces; row -1: the header

    # -- data ---------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def get_row_at(self, row: int) -> list[Text]:
        return self.rows[row]

    def show(self, columns: Sequence[Text], rows: Sequence[Sequence[Text]]) -> None:
        """Replace the table's columns and rows; the cursor stays on the same row number if it can."""
        self.columns = list(columns)
        count = len(self.columns)
        self.rows = [list(row[:count]) + [Text()] * (count - len(row)) for row in rows]
        self.widths = [min(MAX_WIDTH, max(cell_len(c.plain) for c in column)) + GAP
                       for column in zip(self.columns, *self.rows, strict=True)]
        self._starts = [0, *accumulate(self.widths[self.fixed_columns:])]
        self._drawn.clear()
        self.virtual_size = Size(sum(self.widths), len(self.rows) + 1)
        self.cursor_row = max(0, min(self.cursor_row, len(self.rows) - 1))

    def clear(self) -> None:
        self.show([], [])

    # -- drawing ------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            return self._line(-1, self.columns, base + self.get_component_rich_style("report-table--header"), width)
        row = y - 1 if y <= self.fixed_rows else self.scroll_offset.y + y - 1
        if row >= len(self.rows):
            return Strip.blank(width, base)
        if row == self.cursor_row:
            return self._line(row, self.rows[row], base + self.get_component_rich_style("report-table--cursor"),
                              width, fixed=False)
        if self.zebra_stripes and row % 2:
            base += self.get_component_rich_style("report-table--even-row")
        return self._line(row, self.rows[row], base, width)

    def _line(self, row: int, cells: Sequence[Text], style: Style, width: int, *, fixed: bool = True) -> Strip:
        """One line: the fixed columns, then the scrolling columns from the horizontal offset on."""
        count = min(self.fixed_columns, len(cells))
        fixed_style = style + self.get_component_rich_style("report-table--fixed") if fixed else style
        left_part = [seg for n in range(count) for seg in self._cell(row, n, cells[n], fixed_style)]
        fixed_width = sum(self.widths[:count])
        room = max(0, width - fixed_width)
        left = self.scroll_offset.x
        first = max(0, bisect_right(self._starts, left) - 1)
        scrolling: list[Segment] = []
        n = first
        while n + count < len(cells) and self._starts[n] < left + room:
            scrolling += self._cell(row, n + count, cells[n + count], style)
            n += 1
        offset = left - self._starts[first]
        line = Strip.join([Strip(left_part, fixed_width), Strip(scrolling).crop(offset, offset + room)])
        return line.extend_cell_length(width, style).crop(0, width)

    def _cell(self, row: int, column: int, text: Text, style: Style) -> list[Segment]:
        pieces = self._drawn.get((row, column))
        if pieces is None:
            pieces = self._drawn[(row, column)] = self._pieces(text, self.widths[column])
        return [Segment(piece, style + own if own else style) for piece, own in pieces]

    def _pieces(self, text: Text, width: int) -> Pieces:
        """``text`` in a column ``width`` wide: a cell of padding each side, aligned as it says."""
        inner = width - GAP
        if cell_len(text.plain) > inner:
            text = text.copy()
            text.truncate(inner, overflow="ellipsis")
        pad = inner - cell_len(text.plain)
        left = pad if text.justify == "right" else pad // 2 if text.justify == "center" else 0
        own = Style.parse(text.style) if isinstance(text.style, str) else text.style
        if text.spans:
            body = tuple((s.text, own + s.style if s.style else own)
                         for s in text.render(self.app.console) if s.text)
        else:
            body = ((text.plain, own),)
        return ((" " * (1 + left), own), *body, (" " * (1 + pad - left), own))

    # -- the cursor -----------------------------------------------------------

    def watch_cursor_row(self, row: int) -> None:
        """Scroll the cursor's row into view (below the header and the fixed rows)."""
        fixed = self.fixed_rows
        shown = self._rows_shown()
        top = self.scroll_offset.y + fixed  # the first scrolling row on screen
        if row < top:  # a fixed row (the totals) scrolls back to the top
            self.scroll_to(y=max(0, row - fixed), animate=False)
        elif row >= top + shown:
            self.scroll_to(y=row - fixed - shown + 1, animate=False)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        if self.rows:
            self.cursor_row = max(0, min(len(self.rows) - 1, self.cursor_row + step))

    def _rows_shown(self) -> int:
        """How many scrolling rows fit between the header and fixed rows and the scrollbar."""
        return max(1, self.scrollable_content_region.height - 1 - self.fixed_rows)

    def action_page(self, step: int) -> None:
        self.action_cursor(step * self._rows_shown())

    def action_column(self, step: int) -> None:
        """Scroll the columns after the fixed ones by whole columns."""
        starts = self._starts[:-1] or [0]
        now = bisect_right(starts, self.scroll_offset.x) - 1
        self.scroll_to(x=starts[max(0, min(len(starts) - 1, now + step))], animate=False)

    def move_cursor(self, *, row: int) -> None:
        self.action_cursor(row - self.cursor_row)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1 and self.rows:
            row = event.y - 1 if event.y <= self.fixed_rows else self.scroll_offset.y + event.y - 1
            self.cursor_row = max(0, min(len(self.rows) - 1, row))
