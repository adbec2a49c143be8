"""First run: who this spoke is, who works it, where its returns go, the hub's key, and its signing key.

Creating the key pair (scrypt on the passphrase) takes a moment, so it runs in
a worker; the public key is shown at the end for the worker to send the hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import work

from vrp_tui.config import MIN_PASSPHRASE, check_passphrase
from vrp_tui.records.specs import FieldSpec
from vrp_tui.reference import SPOKES
from vrp_tui.screens.shared.set_up_form import SetUpForm
from vrp_tui.spoke.receipts import check_hub_key
from vrp_tui.spoke.setup import check_recipient, set_up_spoke
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import spoke_store

SETUP_FIELDS = (
    FieldSpec("spoke", "Spoke", "select", choices=tuple((s.name, s.code) for s in SPOKES.values())),
    FieldSpec("worker", "Your name", placeholder="recorded in the audit trail"),
    FieldSpec("hub_recipient", "Hub recipient", placeholder="age1... (from the hub)"),
    FieldSpec("hub_key", "Hub signing key", optional=True, placeholder="RW... (from the hub, for its receipts)"),
    FieldSpec("passphrase", "Passphrase", "password", placeholder=f"at least {MIN_PASSPHRASE} characters"),
    FieldSpec("confirm", "Passphrase again", "password"),
)


def check_setup(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values.get("spoke"):
        errors["spoke"] = "required"
    if not (values.get("worker") or "").strip():
        errors["worker"] = "required"
    recipient = (values.get("hub_recipient") or "").strip()
    if not recipient:
        errors["hub_recipient"] = "required"
    elif problem := check_recipient(recipient):
        errors["hub_recipient"] = problem
    hub_key = (values.get("hub_key") or "").strip()
    if hub_key and (problem := check_hub_key(hub_key)):
        errors["hub_key"] = problem
    passphrase = values.get("passphrase") or ""
    if problem := check_passphrase(passphrase):
        errors["passphrase"] = problem
    if values.get("confirm") != passphrase:
        errors["confirm"] = "does not match the passphrase"
    return errors


class SetupScreen(SetUpForm):
    """Dismisses with True once the spoke is set up."""

    title_text = "Set up this spoke"
    save_label = "Set up"
    done_title = "This spoke is set up"
    done_text = (
        "Send the hub this public key so it can trust your returns "
        "(`vrp keys show` prints it again):"
    )
    done_id = "public-key"
    cancel_label = None

    def __init__(self) -> None:
        super().__init__(FieldsForm(SETUP_FIELDS, id="fields"))

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        return check_setup(values)

    def save(self, values: Mapping[str, Any]) -> None:
        self._form_message("Creating the spoke's key pair...")
        self._set_up(dict(values))

    @work(thread=True, exit_on_error=False)
    def _set_up(self, values: dict[str, Any]) -> None:
        line = set_up_spoke(
            spoke_store(self), spoke=values["spoke"], worker=values["worker"],
            hub_recipient=values["hub_recipient"], passphrase=values["passphrase"],
            hub_key=(values.get("hub_key") or "").strip(),
        )
        self.post_message(self.Done(line))

    def action_cancel(self) -> None:
        self.notify("Set up the spoke to go on, or press ctrl+q to quit.", timeout=4)
