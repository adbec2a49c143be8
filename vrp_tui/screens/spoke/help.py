"""The spoke app's keys, read from its screens' own binding lists so the help never goes stale."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import BindingType

from vrp_tui.screens.shared.help import KeysHelp


class HelpScreen(KeysHelp):
    """The spoke app's keys."""

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

    def sections(self) -> Sequence[tuple[str, Sequence[BindingType]]]:
        from vrp_tui.screens.shared.confirm import ConfirmScreen
        from vrp_tui.screens.shared.form import FormScreen
        from vrp_tui.screens.spoke.export import ExportScreen
        from vrp_tui.screens.spoke.keys import KeysScreen
        from vrp_tui.screens.spoke.main import MainScreen
        from vrp_tui.screens.spoke.returns import ReturnsScreen
        from vrp_tui.widgets.record_list import RecordList

        return (
            ("Main", MainScreen.BINDINGS),
            ("Lists", RecordList.BINDINGS),
            ("Forms", FormScreen.BINDINGS),
            ("Confirm", ConfirmScreen.BINDINGS),
            ("Returns", ReturnsScreen.BINDINGS),
            ("Export", ExportScreen.BINDINGS),
            ("Keys", KeysScreen.BINDINGS),
        )
