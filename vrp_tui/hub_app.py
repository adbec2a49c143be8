"""The hub TUI: ``make_hub_app(db_path).run()`` opens it; tests drive the same factory.

As in the spoke app, start-up does no database work on the event loop: the main
screen appears at once and a worker opens the hub store (migrating it if need
be); then the set-up screen (first run) or the tabs load. Each worker thread
opens its own HubStore. The hub's identity is unlocked once, at the first
import, and kept in memory for the session only.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding
from textual.message import Message

from vrp_tui.screens.hub.main import HubMainScreen
from vrp_tui.text import printable
from vrp_tui.widgets.collector import CollectsWhenIdle
from vrp_tui.widgets.errors import ReportsWorkerErrors

if TYPE_CHECKING:
    import pyrage

    from vrp_tui.hub.store import HubStore


class HubApp(ReportsWorkerErrors, CollectsWhenIdle):
    """The hub app over one hub database file."""

    CSS_PATH = ["app.tcss", "hub_app.tcss"]
    TITLE = "VRP Returns · Hub"
    BINDINGS = [
        Binding("f1", "help", "Help", id="hub.help"),
    ]

    @dataclass
    class StoreOpened(Message):
        recipient: str | None

    def __init__(self, db_path: Path, *, today: date | None = None,
                 identity: pyrage.x25519.Identity | None = None, cursor_blink: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.db_path = Path(db_path)
        self.today = today or date.today()  # fixed in tests, so "overdue" does not depend on the day
        self.identity = identity  # unlocked at the first import
        self.cursor_blink = cursor_blink
        self._local = threading.local()
        self._open_lock = threading.Lock()
        self.refusal: str | None = None  # why the database was refused, if it was

    def store(self) -> HubStore:
        """This thread's HubStore (opened on first use); call it only from thread workers."""
        store: HubStore | None = getattr(self._local, "store", None)
        if store is None:
            from vrp_tui.hub.store import HubStore

            with self._open_lock:
                store = HubStore(self.db_path)
            self._local.store = store
        return store

    def get_default_screen(self) -> HubMainScreen:
        return HubMainScreen()

    @property
    def main_screen(self) -> HubMainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, HubMainScreen)
        return screen

    def on_mount(self) -> None:
        self._open_store()

    @work(thread=True, exit_on_error=False)
    def _open_store(self) -> None:
        from vrp_tui.store.opening import DatabaseRefused

        try:
            store = self.store()
        except DatabaseRefused as exc:  # a spoke's database, read-only, newer...: say so and stop
            self.call_from_thread(self.refuse_database, str(exc))
            return
        self.post_message(self.StoreOpened(store.recipient))

    def refuse_database(self, reason: str) -> None:
        """End the app with status 1 once the first screen is drawn; the command line prints
        ``refusal`` (one line on stderr) when the app has closed."""
        self.refusal = reason
        self.call_after_refresh(self.exit, return_code=1)

    @on(StoreOpened)
    def _store_opened(self, message: StoreOpened) -> None:
        if message.recipient is None:
            from vrp_tui.screens.hub.setup import HubSetupScreen

            self.push_screen(HubSetupScreen(), self._set_up)
            return
        self.sub_title = printable(self.db_path.name)

        self.main_screen.start()

    def _set_up(self, done: object) -> None:
        if done:
            self._open_store()
        else:
            self.exit()

    def action_help(self) -> None:
        from vrp_tui.screens.hub.help import HubHelpScreen

        self.push_screen(HubHelpScreen())


def make_hub_app(db_path: Path, **kwargs: Any) -> HubApp:
    """The hub app over ``db_path`` (set up on first run)."""
    return HubApp(db_path, **kwargs)
