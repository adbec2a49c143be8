"""The inbox: import a bundle file, or every ``.vrpb`` in a folder; one line per file.

The hub's identity is unlocked (passphrase) at the first import of the session.
Files are read and checked in a worker, each result shown as it comes. The path
box keeps the focus (typing a path never reaches the tab shortcuts), the status
line always ends in the outcome (a path that is not there included), and the
highlighted result's whole line is shown below the table, wrapped.
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
from textual.widgets import Button, DataTable, Input, Static

from vrp_tui.hub.intake import (
    ALREADY_IMPORTED,
    IMPORTED,
    REJECTED,
    SUPERSEDES,
    IntakeResult,
    bundles_in,
    import_files,
)
from vrp_tui.text import cell, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import text_input
from vrp_tui.widgets.hosts import hub_host, hub_store

STYLES = {REJECTED: "red", ALREADY_IMPORTED: "dim"}


def files_at(text: str) -> list[Path]:
    """The bundle files a typed path means: the file itself, or every .vrpb in a folder."""
    path = Path(text.strip()).expanduser()
    if path.is_dir():
        found = bundles_in(path)
        if not found:
            raise FileNotFoundError(f"no .vrpb files in {path}")
        return found
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    return [path]


class InboxPane(ReportsWorkerErrors, Vertical):
    DEFAULT_CSS = """
    #inbox-detail {
        height: auto;
        max-height: 4;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("ctrl+l", "clear", "Clear results", id="inbox.clear"),
        Binding("ctrl+r", "receipts", "Write receipts", id="inbox.receipts"),
    ]

    @dataclass
    class Result(Message):
        result: IntakeResult

    @dataclass
    class Finished(Message):
        total: int
        imported: int
        rejected: int

    @dataclass
    class Stopped(Message):
        reason: str

    @dataclass
    class ReceiptFolder(Message):
        folder: str

    class Imported(Message):
        """At least one bundle was imported: the matrix and the figures are out of date."""

    def compose(self) -> ComposeResult:
        yield Static("Import bundles: a .vrpb file, or a folder to import every .vrpb in it",
                     classes="pane-title")
        with Horizontal(id="inbox-bar"):
            yield text_input(self, id="inbox-path", placeholder="path to a .vrpb file or a folder")
            yield Button("Import", id="inbox-import", variant="primary", compact=True)
        yield DataTable(id="inbox-results", cursor_type="row", zebra_stripes=True)
        yield Static("", id="inbox-detail")
        yield Static("", id="inbox-status", classes="list-status")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.results: list[IntakeResult] = []

    def on_mount(self) -> None:
        self.query_one("#inbox-results", DataTable).add_columns("File", "Result")

    def focus_first(self) -> None:
        self.query_one("#inbox-path").focus()

    def load(self) -> None:
        """Nothing to load: the inbox shows this session's imports."""

    @on(Button.Pressed, "#inbox-import")
    @on(Input.Submitted, "#inbox-path")
    def _submit(self) -> None:
        text = self.query_one("#inbox-path", Input).value.strip()
        if not text:
            self._status("Type the path of a .vrpb file or of a folder first.")
            return
        if hub_host(self).identity is None:
            from vrp_tui.screens.hub.setup import PassphraseScreen

            self.app.push_screen(PassphraseScreen(), lambda done: self._start(text) if done else None)
            return
        self._start(text)

    def _start(self, text: str) -> None:
        self._status("Importing...")
        self._import(text)

    @work(thread=True, exit_on_error=False, exclusive=True, group="inbox")
    def _import(self, text: str) -> None:
        identity = hub_host(self).identity
        assert identity is not None
        try:
            paths = files_at(text)
        except OSError as exc:
            self.post_message(self.Stopped(str(exc)))
            return
        imported = rejected = 0
        for result in import_files(hub_store(self), paths, identity):
            rejected += result.outcome == REJECTED
            imported += result.outcome in (IMPORTED, SUPERSEDES)
            self.post_message(self.Result(result))
        self.post_message(self.Finished(len(paths), imported, rejected))

    @on(Result)
    def _result(self, message: Result) -> None:
        result = message.result
        self.results.append(result)
        table = self.query_one("#inbox-results", DataTable)
        style = STYLES.get(result.outcome, "green")  # a file's name and a refusal's reason shown literally
        table.add_row(cell(result.name), Text(printable(result.line), style=style))

        table.move_cursor(row=table.row_count - 1)
        self._detail(result)

    def _detail(self, result: IntakeResult) -> None:
        """The whole line of a result, wrapped: a long reason is never cut at the table's edge."""
        text = Text(f"{printable(result.name)}: {printable(result.line)}",
                    style=STYLES.get(result.outcome, "green"))
        self.query_one("#inbox-detail", Static).update(text)

    @on(DataTable.RowHighlighted, "#inbox-results")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        index = event.cursor_row
        if 0 <= index < len(self.results):
            self._detail(self.results[index])

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        files = f"{message.total} file{'s' if message.total != 1 else ''}"
        self._status(f"{files}: {message.imported} imported, {message.rejected} rejected.")
        self.query_one("#inbox-path", Input).focus()  # the next path is typed straight away
        if message.imported:
            self.post_message(self.Imported())

    @on(Stopped)
    def _stopped(self, message: Stopped) -> None:
        self._status(f"Nothing imported: {message.reason}.")
        self.notify(printable(message.reason), title="Nothing imported", severity="error", markup=False)
        self.query_one("#inbox-path", Input).focus()

    def worker_failed(self, exc: BaseException) -> None:
        """The status line ends in the outcome whatever went wrong; the reason is reported too."""
        self._status("Import stopped: " + (str(exc) or type(exc).__name__))
        super().worker_failed(exc)

    def action_receipts(self) -> None:
        """Write the receipts of every return not yet answered (what was just imported, say)."""
        self._receipt_folder()

    @work(thread=True, exit_on_error=False, group="inbox-receipts")
    def _receipt_folder(self) -> None:
        from vrp_tui.screens.hub.review import RECEIPTS_FOLDER

        self.post_message(self.ReceiptFolder(hub_store(self).folder(RECEIPTS_FOLDER)))

    @on(ReceiptFolder)
    def _ask_receipts(self, message: ReceiptFolder) -> None:
        from vrp_tui.screens.hub.review import ReceiptScreen

        self.app.push_screen(ReceiptScreen(None, None, message.folder))

    def action_clear(self) -> None:
        self.query_one("#inbox-results", DataTable).clear()
        self.results.clear()
        self.query_one("#inbox-detail", Static).update("")
        self._status("")

    def _status(self, text: str) -> None:
        self.query_one("#inbox-status", Static).update(Text(printable(text)))  # may quote a typed path
