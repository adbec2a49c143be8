"""The spoke app's keys, read from its screens' own binding lists so the help never goes stale.

F1 starts with the keys of the screen it was opened on (the Returns screen's
tabs, say, on the Returns screen), then the moves that work anywhere, then
every other screen's.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import DataTable

from vrp_tui.screens.shared.help import KeysHelp
from vrp_tui.text import cells


class HelpScreen(KeysHelp):
    """The spoke app's keys, the screen it was opened on first."""

    MOVING = (
        ("tab / shift+tab", "Next / previous field"),
        ("up / down", "Move in a list"),
        ("pgup / pgdn", "A screenful (more rows load)"),
        ("home / end", "First / last loaded row"),
        ("enter", "Edit the record; next field"),
        ("left / right", "Switch tab (on the tabs)"),
        ("ctrl+p", "Every action by name"),
        ("ctrl+q", "Quit"),
    )

    def screens(self) -> Sequence[tuple[str, tuple[type[object], ...], Sequence[BindingType]]]:
        """(where, the screens and widgets it covers, their bindings), in the help's order."""
        from vrp_tui.screens.shared.confirm import ConfirmScreen
        from vrp_tui.screens.shared.form import FormScreen
        from vrp_tui.screens.spoke.export import ExportScreen
        from vrp_tui.screens.spoke.keys import KeysScreen
        from vrp_tui.screens.spoke.main import MainScreen
        from vrp_tui.screens.spoke.register import RegisterScreen, RegisterTable
        from vrp_tui.screens.spoke.returns import ReturnsScreen
        from vrp_tui.widgets.picker import RefPicker
        from vrp_tui.widgets.record_list import RecordList

        return (
            ("Main", (MainScreen,), MainScreen.BINDINGS),
            ("Lists", (MainScreen,), RecordList.BINDINGS),
            ("Register", (RegisterScreen,), [*RegisterTable.BINDINGS, *RegisterScreen.BINDINGS]),
            ("Forms", (FormScreen,), FormScreen.BINDINGS),
            ("Picker", (FormScreen,), RefPicker.BINDINGS),
            ("Confirm", (ConfirmScreen,), ConfirmScreen.BINDINGS),
            ("Returns", (ReturnsScreen,), ReturnsScreen.BINDINGS),
            ("Export", (ExportScreen,), ExportScreen.BINDINGS),
            ("Keys", (KeysScreen,), KeysScreen.BINDINGS),
        )

    def sections(self) -> Sequence[tuple[str, Sequence[BindingType]]]:
        return [(where, bindings) for where, _, bindings in self.screens()]

    def opened_on(self) -> Screen[object] | None:
        """The screen under this help (the one F1 was pressed on)."""
        stack = self.app.screen_stack
        below = [screen for screen in stack if screen is not self]
        return below[-1] if below else None

    def on_mount(self, event: events.Mount | None = None) -> None:
        if event is not None:
            event.prevent_default()  # this fills the table, in its own order, instead of KeysHelp
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Does")
        under = self.opened_on()
        ordered = self.screens()
        here = [s for s in ordered if under is not None and isinstance(under, s[1])]
        for where, _, bindings in here:
            for key, does in self._rows(bindings):
                table.add_row(*cells(where, key, does))  # a key shown as "[" stays a bracket
        for key, does in self.MOVING:
            table.add_row(*cells("Anywhere", key, does))
        table.add_row(*cells("Anywhere", "f1", "This help"))
        for where, _, bindings in ordered:
            if (where, _, bindings) not in here:
                for key, does in self._rows(bindings):
                    table.add_row(*cells(where, key, does))
        table.focus()
