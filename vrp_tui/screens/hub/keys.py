"""The spoke keys the hub trusts, with fingerprints and when each was enrolled or revoked.

Keys are enrolled and revoked at the command line (`vrp hub enroll`, `vrp hub revoke`),
where the public key arrives as a file or a pasted line.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from vrp_tui.formatting import timestamp
from vrp_tui.hub.spoke_keys import SpokeKey, list_keys
from vrp_tui.screens.hub.common import SHORT_NAMES
from vrp_tui.text import cells
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import hub_store


class KeysPane(ReportsWorkerErrors, Vertical):
    @dataclass
    class Loaded(Message):
        keys: list[SpokeKey]

    def compose(self) -> ComposeResult:
        yield Static("Spoke keys the hub trusts", classes="pane-title")
        yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
        yield Static("Enrol with `vrp hub enroll CODE PUBKEY`; revoke with `vrp hub revoke CODE`.",
                     classes="list-status")

    def focus_first(self) -> None:
        self.query_one("#keys", DataTable).focus()

    def load(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="keys")
    def _load(self) -> None:
        self.post_message(self.Loaded(list_keys(hub_store(self))))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one("#keys", DataTable)
        table.clear(columns=True)
        table.add_columns("Spoke", "Key id", "State", "Enrolled", "Revoked")
        for key in message.keys:
            table.add_row(*cells(SHORT_NAMES.get(key.spoke, key.spoke), key.key_id, key.state,
                                 timestamp(key.enrolled_at), timestamp(key.revoked_at)))
        if not message.keys:
            table.add_row(*cells("No keys enrolled yet", "", "", "", ""))

