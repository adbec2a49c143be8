"""The hub's main screen: a tab each for the inbox, the returns matrix, the figures and the keys.

A tab loads when first shown (once the store is open) and reloads when an
import or a review has changed what it shows, so opening the app costs one tab.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from vrp_tui.screens.hub.figures import FiguresPane
from vrp_tui.screens.hub.inbox import InboxPane
from vrp_tui.screens.hub.keys import KeysPane
from vrp_tui.screens.hub.matrix import MatrixPane

TABS: tuple[tuple[str, str], ...] = (
    ("matrix", "Returns"),
    ("figures", "Figures"),
    ("inbox", "Inbox"),
    ("keys", "Keys"),
)


class HubMainScreen(Screen[None]):
    BINDINGS = [
        *(Binding(str(n), f"show_tab('{tab}')", f"Show {title.lower()}", show=False, id=f"hub.tab.{tab}")
          for n, (tab, title) in enumerate(TABS, start=1)),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ready = False  # the store is open and set up
        self.composed = False
        self.stale: set[str] = set()  # tabs to reload when next shown

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="hub-tabs"):
            with TabPane("Returns", id="tab-matrix"):
                yield MatrixPane(id="matrix-pane")
            with TabPane("Figures", id="tab-figures"):
                yield FiguresPane(id="figures-pane")
            with TabPane("Inbox", id="tab-inbox"):
                yield InboxPane(id="inbox-pane")
            with TabPane("Keys", id="tab-keys"):
                yield KeysPane(id="keys-pane")
        yield Footer()

    def pane(self, tab: str) -> Any:
        """The pane of ``tab``: a widget with ``load()`` and ``focus_first()``."""
        return self.query_one(f"#{tab}-pane")

    def on_mount(self) -> None:
        self.composed = True
        self._load_visible()

    def start(self) -> None:
        """The store is open and set up: load the tab in view."""
        self.ready = True
        self.stale = {tab for tab, _ in TABS}
        self._load_visible()

    def _visible(self) -> str:
        return (self.query_one("#hub-tabs", TabbedContent).active or "tab-matrix").removeprefix("tab-")

    def _load_visible(self) -> None:
        if not self.composed:
            return
        tab = self._visible()
        pane = self.pane(tab)
        if self.ready and tab in self.stale:
            self.stale.discard(tab)
            pane.load()
        pane.focus_first()

    @on(TabbedContent.TabActivated, "#hub-tabs")
    def _tab_shown(self) -> None:
        self._load_visible()

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#hub-tabs", TabbedContent).active = f"tab-{tab}"

    def changed(self, *tabs: str) -> None:
        """What ``tabs`` show has changed: reload the visible one now, the others when shown."""
        self.stale.update(tabs)
        if self._visible() in self.stale:
            self._load_visible()

    @on(InboxPane.Imported)
    def _imported(self) -> None:
        self.changed("matrix", "figures")
