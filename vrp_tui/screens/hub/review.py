"""Reviewing a return and answering the spoke, from the return viewer or the matrix.

A review is aimed: the confirmation names the spoke, the quarter and the
version on screen, and the core refuses it if that version is no longer the
latest held. A receipt is signed with the hub's key, so writing one asks for
the passphrase; the folder it goes into is kept for next time.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message

from vrp_tui.errors import RecordError
from vrp_tui.hub.identity import IdentityProblem, unlock_signing_key
from vrp_tui.hub.receipts import issue_outstanding, issue_receipt
from vrp_tui.hub.review import ReviewRefused, review_return
from vrp_tui.periods import Period
from vrp_tui.records.specs import FieldSpec
from vrp_tui.reference import SPOKES
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import hub_store

RECEIPTS_FOLDER = "receipts_folder"


def reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "hub"


def naming(spoke: str, period: str, version: int) -> str:
    """``Bath and North East Somerset, Q1 2025-26, version 2``: what a review is aimed at."""
    return f"{SPOKES[spoke].name}, {Period.parse(period).label}, version {version}"


def confirm_accept(spoke: str, period: str, version: int) -> ConfirmScreen:
    return ConfirmScreen(f"Accept {naming(spoke, period, version)}?",
                         "The review applies to this version only; it is refused if a newer one has arrived.",
                         yes="Accept")


class _FieldRefused(RecordError):
    """A refusal shown beside a field of the dialog."""


class ReviewNoteScreen(FormScreen):
    """Return the version on screen with issues: the note says what they are."""

    save_label = "Return it"

    def __init__(self, spoke: str, period: str, version: int) -> None:
        super().__init__(FieldsForm((FieldSpec("note", "Issues", placeholder="what the spoke should fix"),),
                                    id="fields"))
        self.spoke = spoke
        self.period = period
        self.version = version
        self.title_text = f"Return with issues: {naming(spoke, period, version)}"

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {} if (values.get("note") or "").strip() else {"note": "say what the issues are"}

    def save(self, values: Mapping[str, Any]) -> None:
        self._save(values.get("note") or "")

    @work(thread=True, exit_on_error=False)
    def _save(self, note: str) -> None:
        try:
            review_return(hub_store(self), self.spoke, self.period, accept=False, note=note,
                          reviewer=reviewer(), version=self.version)
        except ReviewRefused as exc:
            raise _FieldRefused({"note": str(exc)}) from None
        self.post_message(self.Saved())

    @dataclass
    class Saved(Message):
        pass

    @on(Saved)
    def _saved(self) -> None:
        self.dismiss(frozenset({"reviews"}))


class ReceiptScreen(FormScreen):
    """Write the receipt of a held return into a folder: asks for the hub's passphrase (it signs).

    With no spoke and period: every outstanding receipt (a return whose current
    state has no receipt yet), as after an import.
    """

    save_label = "Write receipt"

    @dataclass
    class Written(Message):
        text: str

    def __init__(self, spoke: str | None, period: str | None, folder: str) -> None:
        super().__init__(FieldsForm((
            FieldSpec("folder", "Folder", placeholder="exports"),
            FieldSpec("passphrase", "Passphrase", "password"),
        ), id="fields"))
        self.spoke = spoke
        self.period = period
        self.folder = folder
        self.title_text = (f"Receipt for {SPOKES[spoke].name}, {Period.parse(period).label}" if spoke and period
                           else "Receipts for every return not yet answered")

    def on_mount(self) -> None:
        self.form.set_values({"folder": self.folder})

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        errors = {}
        if not (values.get("folder") or "").strip():
            errors["folder"] = "required"
        if not values.get("passphrase"):
            errors["passphrase"] = "required"
        return errors

    def save(self, values: Mapping[str, Any]) -> None:
        self._form_message("Signing the receipt...")
        self._write(values["folder"].strip(), values["passphrase"])

    @work(thread=True, exit_on_error=False)
    def _write(self, folder: str, passphrase: str) -> None:
        store = hub_store(self)
        try:
            key = unlock_signing_key(store, passphrase)
        except IdentityProblem as exc:
            raise _FieldRefused({"passphrase": str(exc)}) from None
        if self.spoke is None or self.period is None:
            written = issue_outstanding(store, key, folder)
            store.set_folder(RECEIPTS_FOLDER, folder)
            self.post_message(self.Written(f"{len(written)} receipt{'s' if len(written) != 1 else ''} written "
                                           f"into {folder}" if written else "Every return has its receipt already."))
            return
        done = issue_receipt(store, self.spoke, self.period, key, folder)
        store.set_folder(RECEIPTS_FOLDER, folder)
        self.post_message(self.Written(f"Receipt written ({done.receipt.label}): {done.path}"))

    @on(Written)
    def _written(self, message: Written) -> None:
        self.saved(frozenset({"receipts"}), message.text)
