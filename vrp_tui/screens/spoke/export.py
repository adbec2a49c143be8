"""Export a signed-off return as a bundle for the hub, and see what was exported before.

Choose the period (its latest signed-off version is what goes), the folder
(typed, or picked in a folder tree), then the passphrase. Everything that could
refuse is checked before the passphrase is asked; the export itself (scrypt,
signing, encryption, the atomic write) runs in a worker. The result shows the
file's path, the bundle id and the sha256 to quote to the hub.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text, TextType
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, DirectoryTree, Header, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from vrp_tui.formatting import timestamp
from vrp_tui.screens.spoke.keys import PassphraseScreen
from vrp_tui.spoke.export import (
    EXPORTS_DIR_SETTING,
    Exportable,
    ExportPlan,
    ExportRecord,
    ExportRefused,
    export_return,
    exportable,
    exports_dir,
    history,
    plan_export,
)
from vrp_tui.spoke.receipts import ReceiptState, all_receipt_states
from vrp_tui.text import as_text, cells, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import text_input
from vrp_tui.widgets.footer import KeyFooter
from vrp_tui.widgets.hosts import spoke_store

HISTORY_ROWS = 200  # the newest exports; a spoke makes a handful a quarter


class FoldersOnly(DirectoryTree):
    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if p.is_dir() and not p.name.startswith(".")]

    def process_label(self, label: TextType) -> Text:
        """A folder's name as it is (a Tree reads a ``str`` label as markup): a name is outside text."""
        return as_text(label) if isinstance(label, str) else label



class FolderPicker(ModalScreen[Path | None]):
    """A folder tree: enter opens a folder, backspace goes up one, ctrl+s chooses the highlighted one."""

    CSS_PATH = "export.tcss"
    BINDINGS = [
        Binding("ctrl+s", "choose", "Choose folder", id="folders.choose", priority=True),
        Binding("backspace", "up", "Up one folder", id="folders.up"),
        Binding("escape", "cancel", "Cancel", id="folders.cancel"),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog folder-picker"):
            yield Label("Choose the folder for the bundle", classes="dialog-title")
            yield Static(as_text(self.start), id="highlighted")
            yield FoldersOnly(self.start, id="tree")
            with Horizontal(classes="buttons"):
                yield Button("Choose ^s", id="choose", variant="primary", compact=True)
                yield Button("Up ⌫", id="up", compact=True)
                yield Button("Cancel esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#tree", FoldersOnly).focus()

    def _highlighted(self) -> Path:
        tree = self.query_one("#tree", FoldersOnly)
        node = tree.cursor_node
        return Path(node.data.path) if node is not None and node.data is not None else Path(tree.path)

    @on(DirectoryTree.NodeHighlighted)
    def _moved(self) -> None:
        self.query_one("#highlighted", Static).update(as_text(self._highlighted()))

    @on(Button.Pressed, "#choose")
    def action_choose(self) -> None:
        self.dismiss(self._highlighted())

    @on(Button.Pressed, "#up")
    def action_up(self) -> None:
        tree = self.query_one("#tree", FoldersOnly)
        tree.path = Path(tree.path).parent
        self.query_one("#highlighted", Static).update(as_text(tree.path))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def existing_ancestor(folder: Path) -> Path:
    """The folder itself if it exists, else its nearest existing parent (where the tree starts)."""
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            return candidate
    return Path.home()


class ExportScreen(ReportsWorkerErrors, Screen[None]):
    """Pick a signed-off return and a folder; the passphrase; the bundle's path, id and sha256."""

    CSS_PATH = "export.tcss"
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", id="export.export", priority=True),
        Binding("ctrl+o", "browse", "Browse folders", id="export.browse", priority=True),
        Binding("ctrl+r", "receipts", "Receipts", id="export.receipts", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="export.back"),
    ]

    @dataclass
    class Loaded(Message):
        returns: list[Exportable]
        folder: str
        history: list[ExportRecord]
        states: dict[tuple[str, int], ReceiptState]

    @dataclass
    class Planned(Message):
        plan: ExportPlan

    @dataclass
    class Exported(Message):
        record: ExportRecord

    @dataclass
    class Refused(Message):
        reason: str

    def __init__(self) -> None:
        super().__init__()
        self.busy = False
        self.states: dict[tuple[str, int], ReceiptState] = {}  # the hub's receipts, by period and version

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="export"):
            yield Label("Export a signed-off return for the hub", classes="section-title")
            with Horizontal(classes="field"):
                yield Label("Return", classes="field-label")
                yield Select[str]([], prompt="Loading...", id="period", compact=True)
            with Horizontal(classes="field"):
                yield Label("Folder", classes="field-label")
                yield text_input(self, id="folder")
                yield Button("Browse ^o", id="browse", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Export ^s", id="go", variant="primary", compact=True)
            yield Static("Choose the return and the folder, then export: the passphrase is asked next.",
                         id="result")
            yield Label("Export history", classes="section-title")
            table: DataTable[Any] = DataTable(id="history", cursor_type="row", zebra_stripes=True)
            yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#history", DataTable).add_columns("Period", "Ver", "Hub", "Exported (UTC)", "SHA-256",
                                                          "File")
        self._load()

    # -- loading ---------------------------------------------------------------

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        store = spoke_store(self)
        self.post_message(self.Loaded(exportable(store), str(exports_dir(store)), history(store, limit=HISTORY_ROWS),
                                      all_receipt_states(store)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        period = self.query_one("#period", Select)
        chosen = period.value
        period.set_options([
            (as_text(f"{r.label} · v{r.version} signed off {timestamp(r.signed_off_at, to='day')}"
                     + (", exported" if r.status == "exported" else "")), r.period)
            for r in message.returns
        ])
        period.prompt = "Choose a return..." if message.returns else "No return is signed off yet"
        if any(r.period == chosen for r in message.returns):
            period.value = chosen
        elif message.returns:
            period.value = message.returns[0].period
        folder = self.query_one("#folder", Input)
        if not folder.value:
            folder.value = message.folder
        self.states = message.states
        self._show_history(message.history)
        period.focus()

    def _show_history(self, records: list[ExportRecord]) -> None:
        table = self.query_one("#history", DataTable)
        table.clear()
        for r in records:
            hub = self.states.get((r.period, r.version))
            said = as_text((hub.label + (f": {hub.note}" if hub.note else "")) if hub else "")  # the hub's note
            if hub and hub.state == "returned-with-issues":
                said.stylize("bold red")
            table.add_row(*cells(r.period, r.version), said,
                          *cells(timestamp(r.exported_at), r.sha256[:12], Path(r.path).name))

    def action_receipts(self) -> None:
        from vrp_tui.screens.spoke.receipts import ReceiptsScreen

        self.app.push_screen(ReceiptsScreen(), self._back_from_receipts)

    def _back_from_receipts(self, _: None) -> None:
        self._load()  # the history shows the states just imported

    # -- the folder ------------------------------------------------------------

    @on(Button.Pressed, "#browse")
    def action_browse(self) -> None:
        folder = Path(self.query_one("#folder", Input).value.strip() or ".").expanduser()
        self.app.push_screen(FolderPicker(existing_ancestor(folder.absolute())), self._picked)

    def _picked(self, folder: Path | None) -> None:
        if folder is not None:
            self.query_one("#folder", Input).value = str(folder)

    # -- exporting -------------------------------------------------------------

    @on(Button.Pressed, "#go")
    def action_export(self) -> None:
        period = self.query_one("#period", Select)
        folder = self.query_one("#folder", Input).value.strip()
        if self.busy:
            return
        if period.is_blank():
            self._say("Choose a signed-off return first.", error=True)
            return
        if not folder:
            self._say("Type or browse to the folder the bundle goes into.", error=True)
            return
        self.busy = True
        self._say("Checking...")
        self._plan(str(period.value), Path(folder).expanduser())

    @work(thread=True, exit_on_error=False)
    def _plan(self, period: str, folder: Path) -> None:
        try:
            self.post_message(self.Planned(plan_export(spoke_store(self), period, folder)))
        except ExportRefused as exc:
            self.post_message(self.Refused(str(exc)))

    @on(Planned)
    def _ask_passphrase(self, message: Planned) -> None:
        plan = message.plan

        def answered(passphrase: str | None) -> None:
            if passphrase is None:
                self.busy = False
                self._say("Export cancelled: nothing was written.")
                return
            self._say("Signing and encrypting...")
            self._export(plan, passphrase)

        self.app.push_screen(PassphraseScreen(
            f"Sign the bundle of {plan.period} version {plan.version}",
            f"It goes to {plan.path}"), answered)

    @work(thread=True, exit_on_error=False)
    def _export(self, plan: ExportPlan, passphrase: str) -> None:
        store = spoke_store(self)
        try:
            record = export_return(store, plan, passphrase)
        except ExportRefused as exc:
            self.post_message(self.Refused(str(exc)))
            return
        store.set_settings({EXPORTS_DIR_SETTING: str(plan.path.parent)})
        self.post_message(self.Exported(record))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self.busy = False
        r = message.record
        self._say(f"Written  {r.path}\nBundle   {r.bundle_id}\nSHA-256  {r.sha256}")
        self.notify(f"Bundle written: {printable(Path(r.path).name)}", timeout=4, markup=False)
        self._load()

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.busy = False
        reason = message.reason[0].upper() + message.reason[1:]
        self._say(f"{reason}.\nNothing was written.", error=True)

    def _say(self, text: str, error: bool = False) -> None:
        result = self.query_one("#result", Static)
        result.update(as_text(text, multiline=True))  # paths and refusals are shown literally

        result.set_class(error, "-error")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.state is WorkerState.ERROR:
            self.busy = False
            self._say("The export could not be done (see the message).", error=True)
