"""Screens opened by name: one list that the key bindings, the help screen and the command palette share.

To add a screen to the spoke app, add an entry here; its key (if any) is bound on
the main screen and a command palette command opens it. Screens are imported
only when first opened, so start-up stays quick. A screen that changes records
dismisses with the frozenset of kinds it changed, so the lists reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from textual.screen import Screen


@dataclass(frozen=True)
class ScreenEntry:
    name: str
    target: str  # "package.module:ClassName", a Screen taking no arguments
    title: str  # the command's name in the palette
    label: str  # the footer's short label
    help: str  # one line for the palette and the help screen
    key: str | None = None  # bound on the main screen
    footer: bool = False  # shown in the main screen's footer (room for few at 80 columns)

    def make(self) -> Screen[object]:
        module, _, cls = self.target.partition(":")
        screen: Screen[object] = getattr(import_module(module), cls)()
        return screen


SCREENS: dict[str, ScreenEntry] = {
    e.name: e
    for e in (
        ScreenEntry("register", "vrp_tui.screens.spoke.register:RegisterScreen",
                    "Group register", "Register",
                    "Mark a group's attendance for one intervention and date, or correct a past one", "g",
                    footer=True),
        ScreenEntry("group-session", "vrp_tui.screens.spoke.group_session:GroupSessionScreen",
                    "Log group session by refs", "Refs", "Log one session for several young people by their refs",
                    "G"),
        ScreenEntry("import", "vrp_tui.screens.spoke.import_file:ImportScreen",
                    "Import CSV file", "Import", "Import interventions, young people, referrals ... from a CSV file",
                    "i", footer=True),
        ScreenEntry("returns", "vrp_tui.screens.spoke.returns:ReturnsScreen",
                    "Quarterly return", "Return", "Build, check, write, sign off and compare the quarterly return",
                    "r", footer=True),
        ScreenEntry("export", "vrp_tui.screens.spoke.export:ExportScreen",
                    "Export return bundle", "Export", "Write a signed, encrypted bundle of a signed-off return", "x",
                    footer=True),
        ScreenEntry("receipts", "vrp_tui.screens.spoke.receipts:ReceiptsScreen",
                    "Hub receipts", "Receipts", "Import the hub's receipts; the hub's state and note per version"),
        ScreenEntry("keys", "vrp_tui.screens.spoke.keys:KeysScreen",
                    "Keys and hub recipient", "Keys", "Public key, passphrase, hub recipient, key rotation", "k",
                    footer=True),
        ScreenEntry("help", "vrp_tui.screens.spoke.help:HelpScreen",
                    "Help", "Help", "The key bindings of every screen", "question_mark"),
    )
}
