"""The Keys tab: the hub's own recipient and signing key for a new spoke, and the spoke keys it trusts.

``e`` enrols a spoke key (paste the ``RW...`` line, or give a ``.pub`` file's
path); ``x`` revokes the highlighted key after a confirmation. The hub's two
lines are shown whole, ready to copy to a spoke's set-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from vrp_tui.errors import RecordError
from vrp_tui.formatting import timestamp
from vrp_tui.hub.identity import signing_key_line
from vrp_tui.hub.spoke_keys import KeyRefused, SpokeKey, enrol_key, list_keys, revoke_keys
from vrp_tui.records.specs import FieldSpec
from vrp_tui.reference import SPOKES
from vrp_tui.screens.hub.common import SHORT_NAMES
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.text import cells
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import hub_store

MAX_PUB_FILE = 4096  # a minisign .pub file is two short lines


class KeysPane(ReportsWorkerErrors, Vertical):
    DEFAULT_CSS = """
    #hub-identity {
        height: auto;
        padding: 0 1 1 1;
    }
    """

    BINDINGS = [
        Binding("e", "enrol", "Enrol key", id="keys.enrol"),
        Binding("x", "revoke", "Revoke key", id="keys.revoke"),
    ]

    @dataclass
    class Loaded(Message):
        keys: list[SpokeKey]
        recipient: str | None
        signing_key: str | None

    @dataclass
    class Revoked(Message):
        text: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys: list[SpokeKey] = []

    def compose(self) -> ComposeResult:
        yield Static("This hub (give both lines to a new spoke)", classes="pane-title")
        yield Static("", id="hub-identity")
        yield Static("Spoke keys the hub trusts", classes="pane-title")
        yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
        yield Static("e enrol a spoke key (RW... line or .pub file) · x revoke the highlighted key",
                     classes="list-status")

    def focus_first(self) -> None:
        self.query_one("#keys", DataTable).focus()

    def load(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="keys")
    def _load(self) -> None:
        store = hub_store(self)
        self.post_message(self.Loaded(list_keys(store), store.recipient, signing_key_line(store)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        identity = Text()  # each value on a line of its own, to copy whole
        identity.append("Recipient, for vrp init --hub-recipient\n", style="bold")
        identity.append((message.recipient or "not set up") + "\n")
        identity.append("Signing key, for vrp init --hub-key (receipts)\n", style="bold")
        identity.append(message.signing_key or "not made yet: `vrp hub identity` makes it")
        self.query_one("#hub-identity", Static).update(identity)
        self.keys = message.keys
        table = self.query_one("#keys", DataTable)
        table.clear(columns=True)
        table.add_columns("Spoke", "Key id", "State", "Enrolled", "Revoked")
        for key in message.keys:
            table.add_row(*cells(SHORT_NAMES.get(key.spoke, key.spoke), key.key_id, key.state,
                                 timestamp(key.enrolled_at), timestamp(key.revoked_at)))
        if not message.keys:
            table.add_row(*cells("No keys enrolled yet", "", "", "", ""))

    # -- enrol and revoke --------------------------------------------------

    def action_enrol(self) -> None:
        self.app.push_screen(EnrolScreen(), self._changed)

    def action_revoke(self) -> None:
        row = self.query_one("#keys", DataTable).cursor_row
        if not 0 <= row < len(self.keys):
            return
        key = self.keys[row]
        if key.revoked_at:
            self.notify(f"Key {key.key_id} of {SPOKES[key.spoke].name} is already revoked.", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._revoke(key)

        self.app.push_screen(ConfirmScreen(
            f"Revoke {SPOKES[key.spoke].name}'s key {key.key_id}?",
            "Bundles signed with it are rejected from now on. A revoked key cannot be enrolled again.",
            yes="Revoke"), answered)

    @work(thread=True, exit_on_error=False, group="keys-change")
    def _revoke(self, key: SpokeKey) -> None:
        done = revoke_keys(hub_store(self), key.spoke, key.key_id)
        self.post_message(self.Revoked(f"Revoked {SPOKES[key.spoke].name}'s key {done[0].key_id}."))

    @on(Revoked)
    def _revoked(self, message: Revoked) -> None:
        self.notify(message.text, timeout=3, markup=False)
        self.load()

    def _changed(self, done: frozenset[str] | None) -> None:
        if done:
            self.load()


class _KeyFieldRefused(RecordError):
    """A key the hub will not enrol, shown beside the key field."""


class EnrolScreen(FormScreen):
    """Enrol a spoke key: the spoke, and its ``RW...`` line or the path of its ``.pub`` file."""

    title_text = "Enrol a spoke key"
    save_label = "Enrol"

    @dataclass
    class Enrolled(Message):
        text: str

    def __init__(self) -> None:
        super().__init__(FieldsForm((
            FieldSpec("spoke", "Spoke", "select", choices=tuple((s.name, code) for code, s in SPOKES.items())),
            FieldSpec("key", "Public key", placeholder="RW... line, or the path of a .pub file"),
        ), id="fields"))

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        errors = {}
        if values.get("spoke") not in SPOKES:
            errors["spoke"] = "choose the spoke"
        if not (values.get("key") or "").strip():
            errors["key"] = "paste the RW... line or give a .pub file"
        return errors

    def save(self, values: Mapping[str, Any]) -> None:
        self._enrol(values["spoke"], values["key"].strip())

    @work(thread=True, exit_on_error=False)
    def _enrol(self, spoke: str, given: str) -> None:
        text = given
        if not given.startswith("RW"):
            path = Path(given).expanduser()
            try:
                if path.stat().st_size > MAX_PUB_FILE:
                    raise _KeyFieldRefused({"key": f"{given} is too large to be a minisign .pub file"})
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a text file"
                raise _KeyFieldRefused({"key": f"cannot read {given}: {reason}"}) from None
        try:
            key, new = enrol_key(hub_store(self), spoke, text)
        except KeyRefused as exc:
            raise _KeyFieldRefused({"key": str(exc)}) from None
        self.post_message(self.Enrolled(
            f"{'Enrolled' if new else 'Already enrolled'}: {SPOKES[spoke].name} key {key.key_id}"))

    @on(Enrolled)
    def _enrolled(self, message: Enrolled) -> None:
        self.saved(frozenset({"keys"}), message.text)

