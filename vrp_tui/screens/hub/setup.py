"""The hub's identity in the TUI: set it up on first run, unlock it before an import.

Both run the slow part (age's scrypt on the passphrase) in a worker; a wrong
passphrase comes back beside the field and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyrage
from textual import on, work
from textual.message import Message

from vrp_tui.config import MIN_PASSPHRASE, check_passphrase
from vrp_tui.errors import RecordError
from vrp_tui.hub.identity import IdentityProblem, create_identity, unlock_identity
from vrp_tui.records.specs import FieldSpec
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.screens.shared.set_up_form import SetUpForm
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import hub_host, hub_store


class PassphraseRefused(RecordError):
    """A passphrase the identity would not take, shown beside the passphrase field."""

    def __init__(self, message: str):
        super().__init__({"passphrase": message})


class HubSetupScreen(SetUpForm):
    """First run: make the hub's identity; shows the recipient to give the spokes."""

    title_text = "Set up this hub"
    save_label = "Set up"
    done_title = "This hub is set up"
    done_text = (
        "Give the spokes this recipient for `vrp init --hub-recipient` "
        "(`vrp hub init` on a set-up hub prints it again):"
    )
    done_id = "recipient"

    def __init__(self) -> None:
        super().__init__(FieldsForm((
            FieldSpec("passphrase", "Passphrase", "password", placeholder=f"at least {MIN_PASSPHRASE} characters"),
            FieldSpec("confirm", "Passphrase again", "password"),
        ), id="fields"))

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        passphrase = values.get("passphrase") or ""
        errors = {}
        if problem := check_passphrase(passphrase):
            errors["passphrase"] = problem
        if values.get("confirm") != passphrase:
            errors["confirm"] = "does not match the passphrase"
        return errors

    def save(self, values: Mapping[str, Any]) -> None:
        self._form_message("Creating the hub's identity...")
        self._create(values["passphrase"])

    @work(thread=True, exit_on_error=False)
    def _create(self, passphrase: str) -> None:
        try:
            recipient = create_identity(hub_store(self), passphrase)
        except IdentityProblem as exc:
            raise PassphraseRefused(str(exc)) from None
        self.post_message(self.Done(recipient))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PassphraseScreen(FormScreen):
    """Unlock the hub's identity for this session; dismisses with a set once unlocked."""

    title_text = "Unlock the hub's identity to open bundles"
    save_label = "Unlock"

    @dataclass
    class Unlocked(Message):
        identity: pyrage.x25519.Identity

    def __init__(self) -> None:
        super().__init__(FieldsForm((FieldSpec("passphrase", "Passphrase", "password"),), id="fields"))

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {} if values.get("passphrase") else {"passphrase": "required"}

    def save(self, values: Mapping[str, Any]) -> None:
        self._form_message("Unlocking...")
        self._unlock(values["passphrase"])

    @work(thread=True, exit_on_error=False)
    def _unlock(self, passphrase: str) -> None:
        try:
            identity = unlock_identity(hub_store(self), passphrase)
        except IdentityProblem as exc:
            raise PassphraseRefused(str(exc)) from None
        self.post_message(self.Unlocked(identity))

    @on(Unlocked)
    def _unlocked(self, message: Unlocked) -> None:
        hub_host(self).identity = message.identity
        self.dismiss(frozenset({"unlocked"}))
