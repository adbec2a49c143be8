"""The key bindings of every screen, read from the screens' own binding lists so it never goes stale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from vrp_tui.text import cells


class KeysHelp(ModalScreen[None]):
    """A table of keys: the moves that work anywhere, then each screen's own bindings."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "app.pop_screen", "Close", id="help.close")]
    MOVING: Sequence[tuple[str, str]] = ()

    def sections(self) -> Sequence[tuple[str, Sequence[BindingType]]]:
        """(where, bindings) for each screen or pane this help covers."""
        return ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys", classes="dialog-title")
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static("esc closes this help.", classes="list-status")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Does")
        for key, does in self.MOVING:
            table.add_row(*cells("Anywhere", key, does))
        table.add_row(*cells("Anywhere", "f1", "This help"))
        for where, bindings in self.sections():
            for key, does in self._rows(bindings):
                table.add_row(*cells(where, key, does))  # a key shown as "[" stays a bracket

        table.focus()

    def _rows(self, bindings: Iterable[BindingType]) -> Iterable[tuple[str, str]]:
        for binding in bindings:
            if isinstance(binding, Binding) and binding.description:
                keys = " / ".join(self.app.get_key_display(b) for b in Binding.make_bindings([binding]))
                yield keys, binding.tooltip or binding.description
