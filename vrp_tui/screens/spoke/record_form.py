"""Add or edit one record: a form that checks itself as you type and keeps your values on error.

The form is checked against the record's pydantic model on every change, and
problems show beside the fields you have touched. Saving runs in a worker
(refs resolved, one transaction); a refusal from the store comes back beside
the fields it names, and the form stays open with everything you typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message

from vrp_tui.records import entry as record_entry
from vrp_tui.records.sections import PARTICIPANT_REF, Section
from vrp_tui.records.specs import iso_date_text
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.footer import KeyFooter
from vrp_tui.widgets.hosts import spoke_store
from vrp_tui.widgets.picker import RefPicker


class DiscardGuard(FormScreen):
    """Esc on a form with changes asks before it throws them away; the fields scroll within
    the screen's height, so Save stays in view at 60x20 even with every field in error."""

    BINDINGS = [Binding("f1", "app.open('help')", "Help", id="form.help")]  # a modal has no app keys
    CHROME = 9  # the screen's lines besides the fields: border, title, message, buttons, footer

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield KeyFooter()  # the form's own keys (and the register's), as far as they fit

    def on_resize(self, event: events.Resize) -> None:
        self.form.styles.max_height = max(3, event.size.height - self.CHROME)

    def has_changes(self) -> bool:
        return self.form.is_dirty()

    @on(FieldsForm.Edited)
    def _clear_fixed_message(self, message: FieldsForm.Edited) -> None:
        """"Please correct the fields marked." goes once no field is marked any more."""
        if not self.saving and not self.current_errors():
            self._form_message("")

    def action_cancel(self) -> None:
        if not self.has_changes():
            self.dismiss(None)
            return
        from vrp_tui.screens.shared.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard changes?", "What you typed in this form is not saved.",
                                           yes="Discard"), answered)


class GroupForm(DiscardGuard):
    """A form for one group of young people (the group session, the register): it opens on
    today in group mode and offers every intervention, read in a worker."""

    @dataclass
    class InterventionsLoaded(Message):
        interventions: list[tuple[str, int]]

    def on_mount(self) -> None:
        self.form.set_values({"date": date.today().isoformat(), "mode": "group"})
        self._load_interventions()

    @work(thread=True, exit_on_error=False)
    def _load_interventions(self) -> None:
        self.post_message(self.InterventionsLoaded(record_entry.intervention_options(spoke_store(self))))

    @on(InterventionsLoaded)
    def _interventions_loaded(self, message: InterventionsLoaded) -> None:
        prompt = "Choose..." if message.interventions else "No interventions yet: add one first"
        self.form.set_choices("intervention_id", message.interventions, prompt)


class RecordFormScreen(DiscardGuard):
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

    @dataclass
    class Offered(Message):
        """The interventions that make sense for the young person and date typed."""

        key: tuple[str, str]
        interventions: list[tuple[str, int]]

    def __init__(self, section: Section, record_id: int | None = None,
                 values: Mapping[str, Any] | None = None) -> None:
        super().__init__(FieldsForm(section.fields, id="fields"))
        self.section = section
        self.record_id = record_id
        self.initial = dict(values or {})
        self.saved_id: int | None = None  # the record saved, for the list's cursor
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
        if message.left and message.name in (PARTICIPANT_REF, "date", "referral_date"):
            self._offer_interventions()

    @work(thread=True, exit_on_error=False, group="ref-check")
    def _check_ref(self, ref: str) -> None:
        problem = None
        try:
            if record_entry.find_ref(spoke_store(self), "participants", ref) is None:  # any letter case
                problem = f"no young person with ref {ref.strip()!r}"
        except ValueError as exc:
            problem = str(exc)
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

    @on(RefPicker.Picked)
    def _picked(self, message: RefPicker.Picked) -> None:
        self._offer_interventions()

    # -- interventions that make sense: a session's are the young person's referrals open
    # -- that day, a referral's those running on its referral date

    def _offer_key(self) -> tuple[str, str] | None:
        values = self.form.values()
        if self.section.kind == "contacts":
            ref = str(values.get(PARTICIPANT_REF) or "").strip()
            day = iso_date_text(str(values.get("date") or "")).strip()
            return (ref, day) if ref and day else None
        if self.section.kind == "enrolments":
            day = iso_date_text(str(values.get("referral_date") or "")).strip()
            return ("", day) if day else None
        return None

    def _offer_interventions(self) -> None:
        key = self._offer_key()
        if key is not None and record_entry.check_date_text(key[1]):
            self._open_referrals(key)

    @work(thread=True, exit_on_error=False, exclusive=True, group="offer")
    def _open_referrals(self, key: tuple[str, str]) -> None:
        from vrp_tui.store.lookups import interventions_open_to, interventions_running

        store = spoke_store(self)
        if not key[0]:
            self.post_message(self.Offered(key, interventions_running(store, key[1])))
            return
        try:
            participant_id = record_entry.find_ref(store, "participants", key[0])
        except ValueError:
            participant_id = None
        if participant_id is None:
            return
        self.post_message(self.Offered(key, interventions_open_to(store, participant_id, key[1])))

    @on(Offered)
    def _offered(self, message: Offered) -> None:
        if self._offer_key() != message.key:
            return  # typed on since
        if not message.interventions:
            none = "No referral of theirs holds this date" if message.key[0] else "No intervention runs on this date"
            self.form.set_choices("intervention_id", [], none)
            return
        self.form.set_choices("intervention_id", message.interventions, "Choose...")
        if len(message.interventions) == 1:
            self.form.set_value("intervention_id", message.interventions[0][1])

    # -- saving ------------------------------------------------------------

    def save(self, values: Mapping[str, Any]) -> None:
        self._save(dict(values))

    @work(thread=True, exit_on_error=False)
    def _save(self, values: dict[str, Any]) -> None:
        record_id = record_entry.save(spoke_store(self), self.section, values, self.record_id)
        self.post_message(self.Saved(record_id))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.saved_id = message.record_id
        done = "Saved" if self.record_id is not None else "Added"
        self.saved(frozenset({self.section.kind}), f"{done} the {self.section.noun}.")
