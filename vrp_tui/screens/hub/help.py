"""The hub's keys, read from its screens' own binding lists so the help never goes stale."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding, BindingType

from vrp_tui.screens.shared.help import KeysHelp


class HubHelpScreen(KeysHelp):
    BINDINGS = [Binding("escape,q,f1", "app.pop_screen", "Close", id="hub-help.close")]
    MOVING = (
        ("tab / shift+tab", "Next / previous control"),
        ("arrows", "Move in a table or between tabs"),
        ("enter", "Returns tab: open the highlighted return; Versions: show that version"),
        ("ctrl+p", "Command palette"),
        ("ctrl+q", "Quit"),
    )

    def sections(self) -> Sequence[tuple[str, Sequence[BindingType]]]:
        from vrp_tui.screens.hub.figures import FiguresPane
        from vrp_tui.screens.hub.inbox import InboxPane
        from vrp_tui.screens.hub.main import HubMainScreen
        from vrp_tui.screens.hub.matrix import MatrixPane
        from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen

        return (
            ("Main screen", HubMainScreen.BINDINGS),
            ("Returns", MatrixPane.BINDINGS),
            ("Figures", FiguresPane.BINDINGS),
            ("Inbox", InboxPane.BINDINGS),
            ("A return", ReturnViewerScreen.BINDINGS),
        )
