"""A dialog of fields with Save and Cancel, checked as you type: the base of every form screen.

Subclasses say how to check the values (``check``) and how to save them
(``save``: a worker that calls ``saved`` or raises). Problems show beside the
fields; a refusal from a worker comes back the same way and nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from vrp_tui.text import as_text, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import FieldsForm


class FormScreen(ReportsWorkerErrors, ModalScreen[frozenset[str] | None]):
    """A dialog of fields with Save and Cancel; subclasses say how to check and save."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    title_text = ""
    save_label = "Save"
    cancel_label: str | None = "Cancel"  # None: the dialog cannot be cancelled

    def __init__(self, form: FieldsForm) -> None:
        super().__init__()
        self.form = form
        self.saving = False
        self.extra_errors: dict[str, str] = {}  # found by workers (an unknown ref) until the field changes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield self.form
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.save_label} ^s", id="save", variant="primary", compact=True)
                if self.cancel_label:
                    yield Button(f"{self.cancel_label} esc", id="cancel", compact=True)

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    def save(self, values: Mapping[str, Any]) -> None:
        """Start the worker that saves; it calls ``saved`` or raises."""
        raise NotImplementedError

    # -- checking as you type ----------------------------------------------

    def current_errors(self) -> dict[str, str]:
        return {**self.extra_errors, **self.check(self.form.values())}

    @on(FieldsForm.Edited)
    def _edited(self, message: FieldsForm.Edited) -> None:
        if not message.left:
            self.extra_errors.pop(message.name, None)
        self.form.show_errors(self.current_errors(), only_touched=True)

    # -- saving ------------------------------------------------------------

    def action_save(self) -> None:
        if self.saving:
            return
        self.form.touch_all()
        errors = self.current_errors()
        if errors:
            self._display(errors)
            return
        self.saving = True
        self.query_one("#save", Button).disabled = True
        self._form_message("Saving...")
        self.save(self.form.values())

    def worker_failed(self, exc: BaseException) -> None:
        """Whatever went wrong, the form can be saved again (field errors land via ``show_errors``)."""
        if self.saving:
            self.saving = False
            self.query_one("#save", Button).disabled = False
            self._form_message("Not saved.", error=True)
        super().worker_failed(exc)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """A save refused (by a worker): problems stay beside their fields until those fields change."""
        self.extra_errors.update({k: v for k, v in errors.items() if k in self.form.specs})
        self._display(errors)

    def _display(self, errors: Mapping[str, str]) -> None:
        """Problems beside their fields (``""``: about the whole record); the values stay as typed."""
        self.saving = False
        self.query_one("#save", Button).disabled = False
        self.form.touch_all()
        self.form.show_errors(errors)
        unplaced = [m if not k else f"{k.replace('_', ' ')}: {m}" for k, m in errors.items()
                    if k not in self.form.specs]
        self._form_message("; ".join(unplaced) or "Please correct the fields marked.", error=True)
        first = self.form.first_invalid(errors)
        if first is not None:
            first.focus()

    def _form_message(self, text: str, error: bool = False) -> None:
        line = self.query_one("#form-error", Static)
        line.update(as_text(text))  # refusals may quote what was typed or read from a file
        line.set_class(error, "-error")

    def saved(self, kinds: frozenset[str], message: str) -> None:
        self.app.notify(printable(message), timeout=3, markup=False)
        self.dismiss(kinds)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
