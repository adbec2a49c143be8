"""Group scores: one intervention, one date, one instrument, a score for each young person.

The register's sibling for outcome measures. Once the intervention, date and
instrument are chosen, every young person whose referral window on the
intervention holds the date is listed with a box for their score (blank: not
measured; a score already recorded for that day is filled in and can be
changed). Each score is checked against the instrument as it is typed; Save
writes them all in one transaction, each with its audit row, or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from vrp_tui import reference
from vrp_tui.records import entry as record_entry
from vrp_tui.records import measuring
from vrp_tui.records.models import RecordError, parse_iso_date
from vrp_tui.records.sections import GROUP_SCORE_FIELDS, score_text
from vrp_tui.records.specs import iso_date_text
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.screens.spoke.measurements import instrument_hint
from vrp_tui.store import KINDS
from vrp_tui.text import as_text
from vrp_tui.widgets.fields import FieldsForm, text_input
from vrp_tui.widgets.hosts import spoke_store

CHOSEN = ("intervention_id", "date", "instrument")


def check_chosen(values: Mapping[str, Any]) -> dict[str, str]:
    """The intervention, date and instrument against the measurement's own rules."""
    slug = values.get("instrument")
    stand_in = score_text(reference.INSTRUMENTS[slug].lowest) if slug in reference.INSTRUMENTS else "0"
    data = {**{k: values.get(k) for k in CHOSEN}, "participant_id": 0, "score_tenths": stand_in}
    if isinstance(data["date"], str):
        data["date"] = iso_date_text(data["date"])  # 3/7/2025 as a UK user types it
    try:
        KINDS["measurements"].model.check(data)
    except RecordError as exc:
        return {k: v for k, v in record_entry.field_errors(exc.errors).items() if k in CHOSEN}
    return {}


def chosen_day(chosen: Mapping[str, Any]) -> str:
    """The chosen date in ISO form (it has been checked)."""
    return parse_iso_date(iso_date_text(str(chosen["date"]))).isoformat()


class GroupScoresScreen(FormScreen):
    title_text = "Enter a group's scores"
    save_label = "Save scores"

    DEFAULT_CSS = """
    GroupScoresScreen #scores { height: auto; max-height: 12; }
    GroupScoresScreen #scores .field-label { width: 19; }
    GroupScoresScreen #scores Input { width: 12; }
    GroupScoresScreen #scores-status { height: auto; margin-top: 1; color: $text-muted; }
    """

    @dataclass
    class Loaded(Message):
        chosen: dict[str, Any]
        interventions: list[tuple[str, int]] | None
        members: list[measuring.GroupMember] | None

    @dataclass
    class Saved(Message):
        count: int

    def __init__(self) -> None:
        super().__init__(FieldsForm(GROUP_SCORE_FIELDS, id="fields"))
        self.members: list[measuring.GroupMember] = []
        self.chosen: dict[str, Any] = {}  # the choice the listed young people are for
        self.score_errors: dict[str, str] = {}  # a refused save's, until that score changes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield self.form
            yield Static(instrument_hint(None), id="scores-status")
            yield VerticalScroll(id="scores")
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.save_label} ^s", id="save", variant="primary", compact=True)
                yield Button("Cancel esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.form.set_values({"date": date.today().isoformat()})
        self._load({}, with_interventions=True)

    # -- who is in the group -----------------------------------------------------

    def _chosen_now(self) -> dict[str, Any] | None:
        values = self.form.values()
        chosen = {k: values.get(k) for k in CHOSEN}
        return None if check_chosen(chosen) else chosen

    @on(FieldsForm.Edited)
    def _choice_changed(self, message: FieldsForm.Edited) -> None:
        if message.name not in CHOSEN or message.left:
            return
        chosen = self._chosen_now()
        if chosen is None:
            self._status(instrument_hint(self.form.values().get("instrument")))
            self._show_members({}, [])
        elif chosen != self.chosen:
            self._status("Finding the young people...")
            self._load(chosen)

    @work(thread=True, exit_on_error=False, exclusive=True, group="group-scores")
    def _load(self, chosen: dict[str, Any], with_interventions: bool = False) -> None:
        store = spoke_store(self)
        options = record_entry.intervention_options(store) if with_interventions else None
        members = None
        if chosen:
            day = chosen_day(chosen)
            members = measuring.group_members(store, int(chosen["intervention_id"]), day,
                                              str(chosen["instrument"]))
        self.post_message(self.Loaded(chosen, options, members))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.interventions is not None:
            prompt = "Choose..." if message.interventions else "No interventions yet: add one first"
            self.form.set_choices("intervention_id", message.interventions, prompt)
        if message.members is None or message.chosen != self._chosen_now():
            return
        self._show_members(message.chosen, message.members)

    def _show_members(self, chosen: dict[str, Any], members: list[measuring.GroupMember]) -> None:
        if chosen == self.chosen and [m.participant_id for m in members] == [m.participant_id for m in self.members]:
            return
        self.chosen, self.members, self.score_errors = chosen, members, {}
        scores = self.query_one("#scores", VerticalScroll)
        scores.remove_children()
        rows = []
        for member in members:
            key = measuring.score_key(member.participant_id)
            box = text_input(self, placeholder="not measured", id=f"f-{key}")
            box.value = member.score
            rows += [Horizontal(Label(as_text(member.ref), classes="field-label"), box, classes="field"),
                     Static("", id=f"error-{key}", classes="field-error")]
        scores.mount_all(rows)
        if chosen:
            slug = chosen["instrument"]
            if members:
                self._status(f"{len(members)} young people on this intervention on {chosen_day(chosen)}. "
                             + instrument_hint(slug) + " Blank: not measured.")
            else:
                self._status(f"No young person's referral to this intervention covers {chosen_day(chosen)}.")

    def _status(self, text: str) -> None:
        self.query_one("#scores-status", Static).update(as_text(text))

    # -- scores ------------------------------------------------------------------

    def typed_scores(self) -> dict[int, str]:
        out = {}
        for member in self.members:
            found = self.query(f"#f-{measuring.score_key(member.participant_id)}").results(Input)
            box = next(found, None)
            if box is not None:
                out[member.participant_id] = box.value
        return out

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        errors = check_chosen(values)
        if not errors:
            errors.update(measuring.check_scores(values.get("instrument"), self.typed_scores()))
        return errors

    @on(Input.Changed)
    def _score_changed(self, event: Input.Changed) -> None:
        if not (event.input.id or "").startswith("f-score-"):
            return
        event.stop()
        self.score_errors.pop((event.input.id or "").removeprefix("f-"), None)
        self._show_scores(self.check(self.form.values()))

    def _show_scores(self, errors: Mapping[str, str]) -> None:
        for member in self.members:
            key = measuring.score_key(member.participant_id)
            message = errors.get(key) or self.score_errors.get(key, "")
            for line in self.query(f"#error-{key}").results(Static):
                line.update(as_text(message))
                line.set_class(bool(message), "-shown")
            for box in self.query(f"#f-{key}").results(Input):
                box.set_class(bool(message), "-invalid")

    def show_errors(self, errors: Mapping[str, str]) -> None:
        self.score_errors.update({k: v for k, v in errors.items() if k.startswith("score-")})
        super().show_errors(errors)

    def _display(self, errors: Mapping[str, str]) -> None:
        scores = {k: v for k, v in errors.items() if k.startswith("score-")}
        super()._display({k: v for k, v in errors.items() if k not in scores})
        self._show_scores(scores)
        if scores and not any(k in self.form.specs for k in errors):
            first = next((m for m in self.members if measuring.score_key(m.participant_id) in scores), None)
            if first is not None:
                self.query_one(f"#f-{measuring.score_key(first.participant_id)}", Input).focus()

    # -- saving ------------------------------------------------------------------

    def save(self, values: Mapping[str, Any]) -> None:
        if not self.members or self.chosen != self._chosen_now():
            self._display({"": "there is no one to score: choose an intervention, date and instrument"})
            return
        self._save(dict(self.chosen), self.typed_scores())

    @work(thread=True, exit_on_error=False)
    def _save(self, chosen: dict[str, Any], scores: dict[int, str]) -> None:
        count = measuring.save_scores(spoke_store(self), int(chosen["intervention_id"]),
                                      chosen_day(chosen), str(chosen["instrument"]),
                                      scores)
        self.post_message(self.Saved(count))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        noun = "score" if message.count == 1 else "scores"
        self.saved(frozenset({"measurements"}), f"Saved {message.count} {noun}.")
