"""The spoke's keys: the public key and fingerprint to give the hub, retired keys, and key care.

From here the worker changes the passphrase, sets the hub's age recipient and
rotates the signing key (the old key stays listed as retired). Every action
runs in a worker: unlocking a key is scrypt, slow on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from vrp_tui.config import MIN_PASSPHRASE
from vrp_tui.formatting import timestamp
from vrp_tui.records.specs import FieldSpec
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.spoke.setup import (
    SpokeKey,
    change_passphrase,
    check_passphrase,
    check_recipient,
    hub_recipient,
    list_keys,
    rotate_key,
    set_hub_recipient,
)
from vrp_tui.text import as_text, cells, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import FieldsForm, text_input
from vrp_tui.widgets.footer import KeyFooter
from vrp_tui.widgets.hosts import spoke_store


class PassphraseScreen(ModalScreen[str | None]):
    """Asks for the passphrase; dismisses with it, or None if cancelled."""

    CSS_PATH = "keys.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="passphrase.cancel")]

    def __init__(self, title: str, detail: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog passphrase"):
            yield Label(as_text(self.title_text), classes="dialog-title")
            if self.detail:
                yield Static(as_text(self.detail, multiline=True), classes="passphrase-detail")
            with Horizontal(classes="field"):
                yield Label("Passphrase", classes="field-label")
                yield text_input(self, password=True, id="passphrase")
            with Horizontal(classes="buttons"):
                yield Button("OK enter", id="ok", variant="primary", compact=True)
                yield Button("Cancel esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.dismiss(self.query_one("#passphrase", Input).value)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


PASSPHRASE_FIELDS = (
    FieldSpec("current", "Current passphrase", "password"),
    FieldSpec("new", "New passphrase", "password", placeholder=f"at least {MIN_PASSPHRASE} characters"),
    FieldSpec("confirm", "New one again", "password"),
)


class ChangePassphraseScreen(FormScreen):
    """Re-encrypt the signing key under a new passphrase."""

    title_text = "Change the passphrase"
    save_label = "Change"

    def __init__(self) -> None:
        super().__init__(FieldsForm(PASSPHRASE_FIELDS, id="fields"))

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        errors = {}
        if not values.get("current"):
            errors["current"] = "required"
        if problem := check_passphrase(values.get("new") or ""):
            errors["new"] = problem
        if values.get("confirm") != values.get("new"):
            errors["confirm"] = "does not match the new passphrase"
        return errors

    def save(self, values: Mapping[str, Any]) -> None:
        self._form_message("Re-encrypting the key...")
        self._change(values["current"], values["new"])

    @work(thread=True, exit_on_error=False)
    def _change(self, current: str, new: str) -> None:
        change_passphrase(spoke_store(self), current, new)  # a KeyProblem names its field
        self.app.call_from_thread(self.saved, frozenset({"keys"}), "Passphrase changed.")


RECIPIENT_FIELDS = (FieldSpec("hub_recipient", "Hub recipient", placeholder="age1... (from the hub)"),)


class RecipientScreen(FormScreen):
    """Set or change the hub's age recipient that bundles are encrypted to."""

    title_text = "The hub's recipient"

    def __init__(self, current: str) -> None:
        super().__init__(FieldsForm(RECIPIENT_FIELDS, id="fields"))
        self.current = current

    def on_mount(self) -> None:
        self.form.set_values({"hub_recipient": self.current})

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        recipient = (values.get("hub_recipient") or "").strip()
        problem = "required" if not recipient else check_recipient(recipient)
        return {"hub_recipient": problem} if problem else {}

    def save(self, values: Mapping[str, Any]) -> None:
        self._set(values["hub_recipient"])

    @work(thread=True, exit_on_error=False)
    def _set(self, recipient: str) -> None:
        set_hub_recipient(spoke_store(self), recipient)
        self.app.call_from_thread(self.saved, frozenset({"keys"}), "Hub recipient saved.")


class KeysScreen(ReportsWorkerErrors, Screen[None]):
    """The key in use, the hub recipient, retired keys; change passphrase, recipient, rotate."""

    CSS_PATH = "keys.tcss"
    BINDINGS = [
        Binding("p", "passphrase", "Passphrase", id="keys.passphrase"),
        Binding("h", "recipient", "Hub recipient", id="keys.recipient"),
        Binding("r", "rotate", "Rotate key", id="keys.rotate"),
        Binding("escape", "app.pop_screen", "Back", id="keys.back"),
    ]

    @dataclass
    class Loaded(Message):
        keys: list[SpokeKey]
        recipient: str | None

    @dataclass
    class Rotated(Message):
        key: SpokeKey

    def __init__(self) -> None:
        super().__init__()
        self.recipient = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="keys"):
            yield Label("Signing key in use", classes="section-title")
            yield Static("Loading...", id="key-in-use")
            yield Label("Hub recipient (bundles are encrypted to it)", classes="section-title")
            yield Static("", id="recipient")
            yield Label("Retired keys", classes="section-title")
            table: DataTable[Any] = DataTable(id="retired", cursor_type="row", zebra_stripes=True)
            yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#retired", DataTable).add_columns("Fingerprint", "Created", "Retired", "Public key")
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        store = spoke_store(self)
        self.post_message(self.Loaded(list_keys(store, retired=True), hub_recipient(store)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        in_use = [k for k in message.keys if k.in_use]
        shown = self.query_one("#key-in-use", Static)
        if in_use:
            key = in_use[0]
            shown.update(as_text(f"Fingerprint  {key.key_id}   created {timestamp(key.created_at, to='day')}\n"
                                 f"Public key   {key.line}", multiline=True))
        else:
            shown.update("No signing key: set the spoke up first.")
        self.recipient = message.recipient or ""
        self.query_one("#recipient", Static).update(as_text(self.recipient or "Not set: press h to set it."))
        table = self.query_one("#retired", DataTable)
        table.clear()
        for key in message.keys:
            if not key.in_use:
                table.add_row(*cells(key.key_id, timestamp(key.created_at, to="day"), timestamp(key.retired_at, to="day"),
                                     key.line))
        if not table.row_count:
            table.add_row(*cells("none", "", "", ""))

    def _changed(self, result: object) -> None:
        if result:
            self._load()

    def action_passphrase(self) -> None:
        self.app.push_screen(ChangePassphraseScreen(), self._changed)

    def action_recipient(self) -> None:
        self.app.push_screen(RecipientScreen(self.recipient), self._changed)

    def action_rotate(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(
                    PassphraseScreen("Rotate the signing key", "Your passphrase protects the new key too."),
                    self._rotate_with)

        self.app.push_screen(ConfirmScreen(
            "Rotate the signing key?",
            "A new key pair replaces the one in use; the old key stays listed as retired. "
            "Give the hub the new public key before your next export.", yes="Yes, rotate"), confirmed)

    def _rotate_with(self, passphrase: str | None) -> None:
        if passphrase is not None:
            self.notify("Making the new key pair...", timeout=2)
            self._rotate(passphrase)

    @work(thread=True, exit_on_error=False)
    def _rotate(self, passphrase: str) -> None:
        self.post_message(self.Rotated(rotate_key(spoke_store(self), passphrase)))

    @on(Rotated)
    def _rotated(self, message: Rotated) -> None:
        self.notify(f"New key {printable(message.key.key_id)} in use: give the hub its public key.", timeout=6,
                    markup=False)

        self._load()
