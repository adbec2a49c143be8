"""Completeness: the five spokes by the quarters of a financial year, and the return behind each cell.

A cell shows the version held, on time or late (or overdue, awaited, not due)
and the review: ✓ accepted, ! returned with issues, · not reviewed. The line
under the table says it all in words for the highlighted cell; enter opens
that return.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from vrp_tui.formatting import timestamp
from vrp_tui.hub.review import ACCEPTED, ISSUES
from vrp_tui.hub.status import LATE, ON_TIME, OVERDUE, Cell, Completeness, completeness
from vrp_tui.periods import Period, financial_year_code
from vrp_tui.reference import SPOKES
from vrp_tui.screens.hub.common import SHORT_NAMES
from vrp_tui.text import as_text
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import hub_host, hub_store

MARKS = {ACCEPTED: ("✓", "green"), ISSUES: ("!", "bold red")}
TIMELINESS_STYLE = {ON_TIME: "", LATE: "yellow", OVERDUE: "red"}


def cell_text(cell: Cell) -> Text:
    if cell.version is None:
        return Text(cell.timeliness, style=TIMELINESS_STYLE.get(cell.timeliness, "dim"))
    mark, style = MARKS.get(cell.review, ("·", "dim"))
    return Text.assemble(f"v{cell.version} ", (cell.timeliness, TIMELINESS_STYLE[cell.timeliness]), " ",
                         (mark, style))


def describe(cell: Cell) -> str:
    """The highlighted cell in words."""
    where = f"{SPOKES[cell.spoke].name}, {Period.parse(cell.period).label}"
    if cell.version is None:
        return f"{where}: nothing received; due {cell.due} ({cell.timeliness})."
    first = "" if cell.first_received_at == cell.received_at else \
        f", first version {timestamp(cell.first_received_at, to='day')}"
    review = cell.review_label + (f": {cell.review_note}" if cell.review_note else "")
    return (f"{where}: v{cell.version} received {timestamp(cell.received_at, to='day')}{first}; due {cell.due}, "
            f"{cell.timeliness}; {review}. Enter opens it.")


class MatrixPane(ReportsWorkerErrors, Vertical):
    BINDINGS = [
        Binding("left_square_bracket", "year(-1)", "Previous year", id="matrix.previous"),
        Binding("right_square_bracket", "year(1)", "Next year", id="matrix.next"),
        Binding("r", "receipt", "Receipt", id="matrix.receipt"),
    ]

    @dataclass
    class Loaded(Message):
        matrix: Completeness

    @dataclass
    class ReceiptFolder(Message):
        spoke: str
        period: str
        folder: str

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.fy: int | None = None
        self.matrix: Completeness | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="matrix-title", classes="pane-title")
        yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=True)
        yield Static("", id="matrix-detail", classes="detail")
        yield Static("✓ accepted  ! returned with issues  · not reviewed   [ ] change year  r receipt",
                     classes="list-status")

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#matrix", DataTable)

    def focus_first(self) -> None:
        self.table.focus()

    def load(self) -> None:
        if self.fy is None:
            self.fy = Period.containing(hub_host(self).today).fy_start
        self.query_one("#matrix-title", Static).update(f"Financial year {financial_year_code(self.fy)} · loading")
        self._load(self.fy)

    @work(thread=True, exit_on_error=False, exclusive=True, group="matrix")
    def _load(self, fy: int) -> None:
        self.post_message(self.Loaded(completeness(hub_store(self), fy, hub_host(self).today)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        m = self.matrix = message.matrix
        self.query_one("#matrix-title", Static).update(
            f"Financial year {m.financial_year} · due {m.deadline_days} days after quarter end")
        table = self.table
        row, col = table.cursor_coordinate
        table.clear(columns=True)
        table.add_column("Spoke", key="spoke")
        for code in m.periods:
            p = Period.parse(code)
            months = p.label.split("(", 1)[1].rsplit(" ", 1)[0]
            table.add_column(f"Q{p.quarter} {months}", key=code)
        for spoke in SPOKES:
            table.add_row(SHORT_NAMES[spoke], *(cell_text(c) for c in m.row(spoke)), key=spoke)
        table.cursor_coordinate = table.cursor_coordinate._replace(row=row, column=max(col, 1))
        self._describe()

    def action_year(self, step: int) -> None:
        if self.fy is not None:
            self.fy += step
            self.load()

    def selected(self) -> Cell | None:
        if self.matrix is None or self.table.cursor_column < 1 or self.table.row_count == 0:
            return None
        spoke = list(SPOKES)[self.table.cursor_row]
        return self.matrix.cells[(spoke, self.matrix.periods[self.table.cursor_column - 1])]

    @on(DataTable.CellHighlighted, "#matrix")
    def _describe(self) -> None:
        cell = self.selected()
        self.query_one("#matrix-detail", Static).update(as_text(describe(cell)) if cell else "")  # quotes a note

    @on(DataTable.CellSelected, "#matrix")
    def _open(self) -> None:
        cell = self.selected()
        if cell is None:
            return
        if cell.version is None:
            self.notify(f"Nothing from {SPOKES[cell.spoke].name} for {cell.period} yet.", timeout=3, markup=False)

            return
        from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen

        self.app.push_screen(ReturnViewerScreen(cell.spoke, cell.period), self._return_closed)

    def action_receipt(self) -> None:
        """Write the receipt of the highlighted return for its spoke (asks for the passphrase: it signs)."""
        cell = self.selected()
        if cell is None:
            return
        if cell.version is None:
            self.notify(f"Nothing from {SPOKES[cell.spoke].name} for {cell.period} to answer yet.", timeout=3,
                        markup=False)
            return
        self._receipt_folder(cell.spoke, cell.period)

    @work(thread=True, exit_on_error=False, group="matrix-receipt")
    def _receipt_folder(self, spoke: str, period: str) -> None:
        from vrp_tui.screens.hub.review import RECEIPTS_FOLDER

        self.post_message(self.ReceiptFolder(spoke, period, hub_store(self).folder(RECEIPTS_FOLDER)))

    @on(ReceiptFolder)
    def _ask_receipt(self, message: ReceiptFolder) -> None:
        from vrp_tui.screens.hub.review import ReceiptScreen

        self.app.push_screen(ReceiptScreen(message.spoke, message.period, message.folder))

    def _return_closed(self, reviewed: bool | None) -> None:
        if reviewed:
            self.load()
