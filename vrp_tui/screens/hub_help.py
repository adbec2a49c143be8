"""The hub's keys, read from its screens' own binding lists so the help never goes stale."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from .hub_figures import FiguresPane
from .hub_inbox import InboxPane
from .hub_main import HubMainScreen
from .hub_matrix import MatrixPane
from .hub_return import ReturnScreen

MOVING = (
    ("tab / shift+tab", "Next / previous control"),
    ("arrows", "Move in a table or between tabs"),
    ("enter", "Returns tab: open the highlighted return; Versions: show that version"),
    ("ctrl+p", "Command palette"),
    ("ctrl+q", "Quit"),
)


class HubHelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1", "app.pop_screen", "Close", id="hub-help.close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys", classes="dialog-title")
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static("esc closes this help.", classes="list-status")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Does")
        for key, does in MOVING:
            table.add_row("Anywhere", key, does)
        table.add_row("Anywhere", "f1", "This help")
        for where, bindings in (
            ("Main screen", HubMainScreen.BINDINGS),
            ("Returns", MatrixPane.BINDINGS),
            ("Figures", FiguresPane.BINDINGS),
            ("Inbox", InboxPane.BINDINGS),
            ("A return", ReturnScreen.BINDINGS),
        ):
            for key, does in self._rows(bindings):
                table.add_row(where, key, does)
        table.focus()

    def _rows(self, bindings: Iterable[BindingType]) -> Iterable[tuple[str, str]]:
        for binding in bindings:
            if isinstance(binding, Binding) and binding.description:
                keys = " / ".join(self.app.get_key_display(b) for b in Binding.make_bindings([binding]))
                yield keys, binding.description
