"""Add or edit one record: a form that checks itself as you type and keeps your values on error.

The form is checked against the record's pydantic model on every change, and
problems show beside the fields you have touched. Saving runs in a worker
(refs resolved, one transaction); a refusal from the store comes back beside
the fields it names, and the form stays open with everything you typed.
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
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from vrp_tui.records import entry as record_entry
from vrp_tui.records.sections import PARTICIPANT_REF, Section
from vrp_tui.text import as_text, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import spoke_store


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


class RecordFormScreen(FormScreen):
    """Add (``record_id`` None) or edit one record of a section."""

    @dataclass
    class Loaded(Message):
        interventions: list[tuple[str, int]] | None
        values: dict[str, Any] | None

    @dataclass
    class RefChecked(Message):
        ref: str
        problem: str | None

    @dataclass
    class Saved(Message):
        record_id: int

    def __init__(self, section: Section, record_id: int | None = None,
                 values: Mapping[str, Any] | None = None) -> None:
        super().__init__(FieldsForm(section.fields, id="fields"))
        self.section = section
        self.record_id = record_id
        self.initial = dict(values or {})
        verb = "Edit" if record_id is not None else "Add"
        self.title_text = f"{verb} {section.noun}"

    def on_mount(self) -> None:
        if self.initial:
            self.form.set_values(self.initial)
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        store = spoke_store(self)
        needs = any(spec.control == "intervention" for spec in self.section.fields)
        options = record_entry.intervention_options(store) if needs else None
        values = record_entry.form_values(store, self.section, self.record_id) if self.record_id else None
        self.post_message(self.Loaded(options, values))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.interventions is not None:
            prompt = "Choose..." if message.interventions else "No interventions yet: add one first"
            self.form.set_choices("intervention_id", message.interventions, prompt)
        if message.values is not None:
            self.form.set_values({**message.values, **self.initial})

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        return record_entry.check(self.section, values)

    # -- the young person's ref, checked when you leave the field ----------

    @on(FieldsForm.Edited)
    def _check_ref_on_leave(self, message: FieldsForm.Edited) -> None:
        if message.left and message.name == PARTICIPANT_REF:
            ref = self.form.values().get(PARTICIPANT_REF) or ""
            if ref.strip():
                self._check_ref(ref)

    @work(thread=True, exit_on_error=False, group="ref-check")
    def _check_ref(self, ref: str) -> None:
        problem = None
        if spoke_store(self).id_for_ref("participants", ref.strip()) is None:
            problem = f"no young person with ref {ref.strip()!r}"
        self.post_message(self.RefChecked(ref, problem))

    @on(RefChecked)
    def _ref_checked(self, message: RefChecked) -> None:
        if self.form.values().get(PARTICIPANT_REF) != message.ref:
            return
        if message.problem:
            self.extra_errors[PARTICIPANT_REF] = message.problem
        else:
            self.extra_errors.pop(PARTICIPANT_REF, None)
        self.form.show_errors(self.current_errors(), only_touched=True)

    # -- saving ------------------------------------------------------------

    def save(self, values: Mapping[str, Any]) -> None:
        self._save(dict(values))

    @work(thread=True, exit_on_error=False)
    def _save(self, values: dict[str, Any]) -> None:
        record_id = record_entry.save(spoke_store(self), self.section, values, self.record_id)
        self.post_message(self.Saved(record_id))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        done = "Saved" if self.record_id is not None else "Added"
        self.saved(frozenset({self.section.kind}), f"{done} the {self.section.noun}.")
