"""The hub's receipts at the spoke: import a receipt file, record the hub's key, see each version's state.

Importing verifies the file with the hub's signing key and matches it to a
bundle this spoke exported (``spoke/receipts.py``); each file ends in one line,
shown literally. "Returned with issues" is shown with the hub's note.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from vrp_tui.bundle import signing
from vrp_tui.formatting import timestamp
from vrp_tui.spoke.receipts import ReceiptState, all_receipt_states, hub_key, import_files, set_hub_key
from vrp_tui.text import as_text, cells
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import text_input
from vrp_tui.widgets.hosts import spoke_store


class ReceiptsScreen(ReportsWorkerErrors, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="receipts.back"),
    ]

    @dataclass
    class Loaded(Message):
        hub_key: str | None
        states: dict[tuple[str, int], ReceiptState]

    @dataclass
    class Done(Message):
        lines: list[str]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="receipts"):
            yield Label("The hub's receipts", classes="section-title")
            yield Static("", id="hub-key")
            with Horizontal(classes="field"):
                yield Label("Receipt file", classes="field-label")
                yield text_input(self, id="receipt-file", placeholder="a .vrpr file, or a folder of them")
                yield Button("Import", id="import", variant="primary", compact=True)
            with Horizontal(classes="field"):
                yield Label("Hub key", classes="field-label")
                yield text_input(self, id="hub-key-line", placeholder="RW... (vrp hub identity, second line)")
                yield Button("Record", id="record", compact=True)
            yield Static("Type a receipt's path and press enter.", id="receipt-result")
            yield Label("What the hub says of each version", classes="section-title")
            table: DataTable[Any] = DataTable(id="receipt-states", cursor_type="row", zebra_stripes=True)
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#receipt-states", DataTable).add_columns("Period", "Ver", "Hub", "Note", "Issued (UTC)")
        self.query_one("#receipt-file", Input).focus()
        self._load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="receipts")
    def _load(self) -> None:
        store = spoke_store(self)
        self.post_message(self.Loaded(hub_key(store), all_receipt_states(store)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        key = message.hub_key
        self.query_one("#hub-key", Static).update(
            as_text(f"Hub signing key {signing.key_id(key)}: {key}") if key
            else Text("No hub signing key is recorded yet: paste the hub's RW... line below.", style="bold"))
        table = self.query_one("#receipt-states", DataTable)
        table.clear()
        for (period, version), state in sorted(message.states.items(), reverse=True):
            label = Text(state.label, style="bold red" if state.state == "returned-with-issues" else "")
            table.add_row(*cells(period, version), label, as_text(state.note or ""), *cells(timestamp(state.issued_at)))
        if not message.states:
            table.add_row(*cells("No receipts yet", "", "", "", ""))

    @on(Input.Submitted, "#receipt-file")
    @on(Button.Pressed, "#import")
    def _import_pressed(self) -> None:
        given = self.query_one("#receipt-file", Input).value.strip()
        if given:
            self._say("Importing...")
            self._import(given)

    @work(thread=True, exit_on_error=False, group="receipts-import")
    def _import(self, given: str) -> None:
        path = Path(given).expanduser()
        if not path.exists():
            self.post_message(self.Done([f"{given}: no such file or folder"]))
            return
        paths = sorted(path.glob("*.vrpr")) if path.is_dir() else [path]
        results = import_files(spoke_store(self), paths)
        self.post_message(self.Done([f"{r.name}: {r.line}" for r in results] or [f"{given}: no .vrpr files"]))

    @on(Input.Submitted, "#hub-key-line")
    @on(Button.Pressed, "#record")
    def _record_pressed(self) -> None:
        line = self.query_one("#hub-key-line", Input).value.strip()
        if line:
            self._record(line)

    @work(thread=True, exit_on_error=False, group="receipts-import")
    def _record(self, line: str) -> None:
        recorded = set_hub_key(spoke_store(self), line)
        self.post_message(self.Done([f"hub key {signing.key_id(recorded)} recorded"]))

    @on(Done)
    def _done(self, message: Done) -> None:
        self._say("\n".join(message.lines))
        self._load()

    def action_back(self) -> None:
        self.dismiss(None)

    def _say(self, text: str) -> None:
        self.query_one("#receipt-result", Static).update(as_text(text, multiline=True))
