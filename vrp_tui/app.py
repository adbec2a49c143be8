"""The spoke TUI: ``make_app(db_path).run()`` opens it; tests drive the same factory.

Start-up does no database work on the event loop: the main screen appears at
once and a worker opens the store (migrating it if need be); then either the
set-up screen (first run) or the first list loads. Each worker thread opens its
own Store, because a sqlite3 connection must never cross threads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.command import Provider
from textual.message import Message

from vrp_tui.reference import SPOKES
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.screens.spoke.registry import SCREENS
from vrp_tui.store import Store  # here, not in the first worker: see _open_store
from vrp_tui.store.opening import DatabaseRefused
from vrp_tui.text import printable
from vrp_tui.widgets.collector import CollectsWhenIdle
from vrp_tui.widgets.errors import ReportsWorkerErrors


def _commands() -> type[Provider]:
    """The palette's commands, imported when the palette first opens."""
    from vrp_tui.screens.spoke.commands import VrpCommands

    return VrpCommands


class VrpApp(ReportsWorkerErrors, CollectsWhenIdle):
    """The spoke app over one database file."""

    CSS_PATH = "app.tcss"
    TITLE = "VRP Returns"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("f1", "open('help')", "Help", id="app.help"),
    ]

    @dataclass
    class StoreOpened(Message):
        spoke: str | None
        spoke_name: str
        worker: str

    def __init__(self, db_path: Path, *, cursor_blink: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.db_path = Path(db_path)
        self.cursor_blink = cursor_blink  # off for screenshots that must not depend on timing
        self._local = threading.local()
        self._open_lock = threading.Lock()
        self.refusal: str | None = None  # why the database was refused, if it was
        self.spoke: str | None = None

    # -- the store, one per thread -------------------------------------

    def store(self) -> Store:
        """This thread's Store (opened on first use); call it only from thread workers."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            with self._open_lock:  # the first open may migrate: let one thread do that
                store = Store(self.db_path)
            self._local.store = store
        return store

    # -- start-up ------------------------------------------------------

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    @property
    def main_screen(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        self._open_store()

    @work(thread=True, exit_on_error=False)
    def _open_store(self) -> None:
        """Open (or migrate) the store and say whose it is.

        The store's modules are imported before the app starts, not here: an
        import reads files, and every read gives up the interpreter lock that
        the first screen's layout then holds for up to 5 ms, so importing them in
        this worker took ~130 ms against ~10 ms on the main thread.
        """
        try:
            store = self.store()
        except DatabaseRefused as exc:  # not a spoke database, read-only, newer...: say so and stop
            self.call_from_thread(self.refuse_database, str(exc))
            return
        spoke = store.spoke
        name = SPOKES[spoke].name if spoke in SPOKES else ""
        self.post_message(self.StoreOpened(spoke, name, store.worker))

    def refuse_database(self, reason: str) -> None:
        """End the app with status 1 once the first screen is drawn; the command line prints
        ``refusal`` (one line on stderr) when the app has closed."""
        self.refusal = reason
        self.call_after_refresh(self.exit, return_code=1)

    @on(StoreOpened)
    def _store_opened(self, message: StoreOpened) -> None:
        if message.spoke is None:
            from vrp_tui.screens.spoke.setup import SetupScreen

            self.push_screen(SetupScreen(), self._set_up)
            return
        self.spoke = message.spoke
        self.sub_title = f"{message.spoke_name} · {printable(message.worker)}"

        self.main_screen.start()

    def _set_up(self, done: frozenset[str] | None) -> None:
        if done:
            self._open_store()
        else:
            self.exit()

    # -- actions shared by bindings and the command palette -----------------

    def action_open(self, name: str) -> None:
        """Open a screen of the registry by name; reload lists it says changed."""
        self.push_screen(SCREENS[name].make(), self._screen_closed)

    def _screen_closed(self, result: object) -> None:
        if isinstance(result, frozenset) and result:
            self.main_screen.records_changed(result)

    async def action_add(self, kind: str) -> None:
        """Show the list of ``kind`` and open its add form."""
        if self.spoke is None:
            return
        await self.main_screen.show_kind(kind)
        self.main_screen.open_form(kind)


def make_app(db_path: Path, **kwargs: Any) -> VrpApp:
    """The spoke app over ``db_path`` (created and set up on first run); pure, as tests share it."""
    return VrpApp(db_path, **kwargs)
