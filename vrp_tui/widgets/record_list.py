"""A searchable list of records that loads one page at a time.

Rows come from ``store.page`` in a thread worker, a page of 100 at a time: the
next page loads as the cursor nears the end of what is loaded, so a list of
50,000 young people costs the same to open as a list of ten. Adding, editing
and deleting are asked of the screen by messages; the list only lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey, RowKey

from vrp_tui.formatting import pounds
from vrp_tui.records.specs import Column
from vrp_tui.text import as_text, cells
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import text_input
from vrp_tui.widgets.hosts import spoke_store


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Each column's width in ``width`` cells (a cell of padding each side of every column):
    its least, plus a share of what is left by its ``grow``; the first growing column takes
    the odd cells. Below the least they stay at the least and the table scrolls."""
    least = [c.width for c in columns]
    spare = width - sum(least) - 2 * len(columns)
    weights = sum(c.grow for c in columns)
    if spare <= 0 or not weights:
        return least
    shares = [spare * c.grow // weights for c in columns]
    first = next(i for i, c in enumerate(columns) if c.grow)
    shares[first] += spare - sum(shares)
    return [n + extra for n, extra in zip(least, shares, strict=True)]


def row_cells(columns: Sequence[Column], row: Mapping[str, Any]) -> list[Text]:
    """A row's cells as Texts (never markup), money right-aligned."""
    out = cells(*(c.show(row.get(c.key)) for c in columns))
    for text, column in zip(out, columns, strict=True):
        if column.justify != "left":
            text.justify = column.justify  # type: ignore[assignment]
    return out


class ListSpec(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def columns(self) -> tuple[Column, ...]: ...


@dataclass(frozen=True)
class IdFilter:
    """Exactly these records, as a validation finding names them; ``label`` says which in words."""

    ids: tuple[int, ...]
    label: str  # "6 young people with no sex recorded"


class RecordTable(DataTable[Any]):
    """A DataTable whose home and end go to the first and last loaded row."""

    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last loaded row", show=False),
    ]

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Size the table without measuring the new rows' cells.

        Every column is added with a fixed width and every row is one line high,
        so measuring each cell of a page (DataTable does, for auto-width columns)
        would change nothing and costs more than drawing the page. Textual has no
        public hook for this; tests/test_textual_api.py fails on an upgrade.
        """
        super()._update_dimensions(())

    def refresh_columns(self) -> None:
        """Redraw after column widths changed: the virtual size and the cached lines are
        recomputed (Textual has no public call for a width change; see test_textual_api)."""
        self._require_update_dimensions = True
        self._clear_caches()
        self.refresh()


class RecordList(ReportsWorkerErrors, Vertical):
    """A paged DataTable of one kind of record with a search box above and a status line below."""

    PAGE = 100
    NEAR_END = 20  # rows from the end of what is loaded at which the next page is fetched
    SEARCH_DELAY = 0.25

    BINDINGS = [
        Binding("a", "add", "Add", id="list.add"),
        Binding("e", "edit", "Edit", id="list.edit"),
        Binding("d,delete", "delete", "Delete", id="list.delete"),
        Binding("slash", "search", "Search", show=False, id="list.search"),
        Binding("escape", "leave_search", "Back to the list", show=False, id="list.leave_search"),
    ]

    @dataclass
    class PageLoaded(Message):
        generation: int
        offset: int
        rows: list[dict[str, Any]]

    @dataclass
    class Counted(Message):
        generation: int
        total: int
        amount: int | None = None  # the pence of the rows counted, for lists of money

    @dataclass
    class Requested(Message):
        """The user asked to add (``record_id`` None), edit or delete a record of this list."""

        records: RecordList
        action: str  # "add", "edit" or "delete"
        record_id: int | None = None
        row: dict[str, Any] | None = None

    def __init__(self, spec: ListSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.generation = 0
        self.rows: dict[int, dict[str, Any]] = {}
        self.total: int | None = None
        self.complete = False
        self.loaded_once = False
        self._fetching = False
        self._keep_cursor_on: int | None = None
        self._select_next: int | None = None
        self.amount_total: int | None = None  # spend and budgets: the total of the rows listed
        self._search_timer: Timer | None = None
        self.id_filter: IdFilter | None = None  # exactly these records (a finding's), until esc clears it

    @property
    def kind(self) -> str:
        return self.spec.kind

    def compose(self) -> ComposeResult:
        yield text_input(self, placeholder=f"Search {self.spec.title.lower()} (/)", id="search")
        yield RecordTable(id="table", cursor_type="row", zebra_stripes=True)
        yield Static("Loading...", id="status", classes="list-status", markup=False)  # shows what was searched

    def on_mount(self) -> None:
        table = self.table
        for column in self.spec.columns:  # a Text label: a str would be parsed as markup (and load emoji)
            table.add_column(Text(column.label), key=column.key, width=column.width)

    # -- columns that share the width ----------------------------------------

    def on_resize(self) -> None:
        self._fit_columns(self.size.width)

    def _fit_columns(self, width: int) -> None:
        """Give each column its least width, then share what is left by ``grow`` (names first)."""
        table = self.table
        widths = column_widths(self.spec.columns, width - 2)  # the scroll bar's room
        changed = False
        for column, new in zip(self.spec.columns, widths, strict=True):
            shown = table.columns.get(ColumnKey(column.key))
            if shown is not None and shown.width != new:
                shown.width = new
                changed = True
        if changed:
            table.refresh_columns()

    @property
    def table(self) -> RecordTable:
        return self.query_one("#table", RecordTable)

    @property
    def search(self) -> str:
        return self.query_one("#search", Input).value

    # -- loading ---------------------------------------------------------

    def select_after_reload(self, record_id: int) -> None:
        """Put the cursor on ``record_id`` once the next reload has it (a record just saved)."""
        self._select_next = record_id

    def reload(self) -> None:
        """Start again from the first page (keeping the cursor on the same record if it is there)."""
        self.generation += 1
        self._keep_cursor_on = self._select_next if self._select_next is not None else self.current_id()
        self._select_next = None
        self.complete = False
        self._fetching = True
        self.loaded_once = True
        self._fetch(self.generation, 0, self.search, count=True)

    @work(thread=True, exit_on_error=False, group="list-page")
    def _fetch(self, generation: int, offset: int, search: str, count: bool = False) -> None:
        """A page of rows; then, if asked, how many there are in all (the page is shown first)."""
        store = spoke_store(self)
        if self.id_filter is not None:
            rows, matching = store.page_of_ids(self.kind, self.id_filter.ids, search=search, offset=offset,
                                               limit=self.PAGE)
            self.post_message(self.PageLoaded(generation, offset, rows))
            self.post_message(self.Counted(generation, matching))
            return
        rows = store.page(self.kind, search=search, offset=offset, limit=self.PAGE)
        self.post_message(self.PageLoaded(generation, offset, rows))
        if count:
            total = None
            if any(c.key == "amount" for c in self.spec.columns):
                from vrp_tui.store.lookups import amount_total

                total = amount_total(store, self.kind, search)
            self.post_message(self.Counted(generation, store.count(self.kind, search=search), total))

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        message.stop()
        if message.generation != self.generation:
            return
        table = self.table
        if message.offset == 0:
            table.clear()
            self.rows.clear()
        for row in message.rows:
            record_id = int(row["id"])
            self.rows[record_id] = row
            table.add_row(*row_cells(self.spec.columns, row), key=str(record_id))
        self.complete = len(message.rows) < self.PAGE
        self._fetching = False
        if message.offset == 0 and self._keep_cursor_on is not None:
            if self._keep_cursor_on in self.rows:
                table.move_cursor(row=table.get_row_index(str(self._keep_cursor_on)))
            self._keep_cursor_on = None
        self._show_status()

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        message.stop()
        if message.generation == self.generation:
            self.total = message.total
            self.amount_total = message.amount
            self._show_status()

    def _show_status(self) -> None:
        shown, noun = len(self.rows), self.spec.title.lower()
        if self.search and not shown and self.complete:
            text = f"No {noun} match {self.search!r}."
        elif not shown and self.complete:
            text = f"No {noun} yet: press a to add."
        elif self.total is None:
            text = f"{shown:,} {noun} loaded"
        else:
            text = f"{shown:,} of {self.total:,} {noun} loaded" + (
                f" matching {self.search!r}" if self.search else ""
            )
        if self.amount_total is not None and shown:
            text += f"; total £{pounds(self.amount_total)}"
        if self.id_filter is not None:
            text = f"{self.id_filter.label} \u00b7 esc clears \u00b7 {text}"
        self.query_one("#status", Static).update(as_text(text), layout=False)  # one line whatever it says


    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        table = self.table
        if not self.complete and not self._fetching and event.cursor_row >= table.row_count - self.NEAR_END:
            self._fetching = True
            self._fetch(self.generation, table.row_count, self.search)

    # -- search ------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.SEARCH_DELAY, self.reload)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_leave_search(self) -> None:
        if self.id_filter is not None and self.table.has_focus:
            self.show_only(None)
            return
        self.table.focus()

    # -- a filter to exactly some records ------------------------------------

    def show_only(self, only: IdFilter | None) -> None:
        """List exactly the records of ``only`` (kept through reloads and searches), or all again."""
        self.id_filter = only
        self.query_one("#search", Input).value = ""
        self.reload()

    # -- asking for changes ----------------------------------------------

    def current_id(self) -> int | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def _request(self, action: str) -> None:
        record_id = self.current_id()
        if action != "add" and record_id is None:
            self.notify(f"There is nothing in {self.spec.title.lower()} to {action}.", severity="warning")
            return
        row = self.rows.get(record_id) if record_id is not None else None
        self.post_message(self.Requested(self, action, record_id if action != "add" else None, row))

    def action_add(self) -> None:
        self._request("add")

    def action_edit(self) -> None:
        self._request("edit")

    def action_delete(self) -> None:
        self._request("delete")

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._request("edit")
