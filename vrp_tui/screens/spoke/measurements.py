"""Outcome measures: the list of measurements, the form that records one, and a young person's history.

The form checks the score against the chosen instrument's range and step as you
type (the select list shows each instrument's range and which way is better),
and asks the store, in a worker, whether a referral window holds the date and
whether a score is already there, whenever the young person, the intervention,
the date or the instrument changes. The history shows a young person's
measurements by referral and instrument with the change since the baseline,
positive when the young person is better off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from vrp_tui import reference
from vrp_tui.records import measuring
from vrp_tui.records.sections import MEASUREMENTS, PARTICIPANT_REF
from vrp_tui.records.specs import iso_date_text
from vrp_tui.screens.spoke.record_form import RecordFormScreen
from vrp_tui.text import as_text, cell, cells, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import FieldsForm, text_input
from vrp_tui.widgets.footer import KeyFooter
from vrp_tui.widgets.hosts import spoke_store
from vrp_tui.widgets.record_list import RecordList

PLACING = (PARTICIPANT_REF, "intervention_id", "date", "instrument")


def instrument_hint(slug: Any) -> str:
    """The chosen instrument in full: its name, range, step and which way is better."""
    if slug not in reference.INSTRUMENTS:
        return "Choose the instrument: only its total score is recorded, never the answers."
    i = reference.INSTRUMENTS[slug]
    return f"{i.label}: {i.range_text}."


class MeasurementFormScreen(RecordFormScreen):
    """Add or edit one measurement."""

    @dataclass
    class Placed(Message):
        values: dict[str, Any]
        problems: dict[str, str]

    def __init__(self, record_id: int | None = None, values: Mapping[str, Any] | None = None) -> None:
        super().__init__(MEASUREMENTS, record_id, values)
        self._placing: set[str] = set()  # fields whose errors came from the store's answer

    def on_mount(self) -> None:  # Textual also runs RecordFormScreen.on_mount
        hint = Static(instrument_hint(None), id="instrument-hint", classes="form-error")
        self.query_one("#dialog").mount(hint, after=self.form)

    def _offer_key(self) -> tuple[str, str] | None:
        """Like a session's: the interventions offered are the young person's referrals open that day."""
        values = self.form.values()
        ref = str(values.get(PARTICIPANT_REF) or "").strip()
        day = iso_date_text(str(values.get("date") or "")).strip()
        return (ref, day) if ref and day else None

    @on(FieldsForm.Edited)
    def _placing_changed(self, message: FieldsForm.Edited) -> None:
        if message.name == "instrument":
            self.query_one("#instrument-hint", Static).update(
                as_text(instrument_hint(self.form.values().get("instrument"))))
        if message.name in PLACING and message.left == (message.name == PARTICIPANT_REF):
            self._place(self._placing_values())

    def _placing_values(self) -> dict[str, Any]:
        values = self.form.values()
        return {name: values.get(name) for name in PLACING}

    @work(thread=True, exit_on_error=False, exclusive=True, group="placing")
    def _place(self, values: dict[str, Any]) -> None:
        self.post_message(self.Placed(values, measuring.placement_problems(spoke_store(self), values,
                                                                           self.record_id)))

    @on(Placed)
    def _placed(self, message: Placed) -> None:
        if message.values != self._placing_values():
            return  # the fields changed since: a newer answer is on its way
        for name in self._placing:
            self.extra_errors.pop(name, None)
        self.extra_errors.update(message.problems)
        self._placing = set(message.problems)
        self.form.show_errors(self.current_errors(), only_touched=True)


class MeasurementList(RecordList):
    """The measurements, where esc on the list (not in its search box) goes back."""

    def action_leave_search(self) -> None:
        if not self.query_one("#search", Input).has_focus and isinstance(self.screen, MeasurementsScreen):
            self.screen.action_back()
        else:
            self.table.focus()


class MeasurementsScreen(ReportsWorkerErrors, Screen[frozenset[str] | None]):
    """Every measurement, latest first: add, edit, delete; h shows the young person's history."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="measurements.back"),
        Binding("h", "history", "History", id="measurements.history"),
    ]

    @dataclass
    class Deleted(Message):
        what: str

    def __init__(self) -> None:
        super().__init__()
        self.changed: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Measurements: a young person's total score on an instrument, latest first",
                     classes="list-status")
        yield MeasurementList(MEASUREMENTS, id="list-measurements")
        yield KeyFooter()

    @property
    def records(self) -> RecordList:
        return self.query_one("#list-measurements", MeasurementList)

    def on_mount(self) -> None:
        self.records.reload()
        self.set_focus(self.records.table)

    @on(RecordList.Requested)
    def _requested(self, message: RecordList.Requested) -> None:
        if message.action in ("add", "edit"):
            self.app.push_screen(MeasurementFormScreen(message.record_id), self._form_closed)
            return
        assert message.record_id is not None and message.row is not None
        from vrp_tui.screens.shared.confirm import ConfirmScreen

        what, record_id = MEASUREMENTS.describe(message.row), message.record_id

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(record_id, what)

        self.app.push_screen(ConfirmScreen(f"Delete {printable(what)}?",
                                           "This cannot be undone (the audit trail keeps a copy).",
                                           yes="Yes, delete"), answered)

    def _form_closed(self, kinds: frozenset[str] | None) -> None:
        if kinds:
            self.changed |= kinds
            self.records.reload()

    @work(thread=True, exit_on_error=False)
    def _delete(self, record_id: int, what: str) -> None:
        spoke_store(self).delete("measurements", record_id)
        self.post_message(self.Deleted(what))

    @on(Deleted)
    def _deleted(self, message: Deleted) -> None:
        self.changed.add("measurements")
        self.notify(f"Deleted {printable(message.what)}.", timeout=3, markup=False)
        self.records.reload()

    def action_history(self) -> None:
        row = self.records.rows.get(self.records.current_id() or -1)
        self.app.push_screen(HistoryScreen(str(row["participant_ref"]) if row else None))

    def action_back(self) -> None:
        self.dismiss(frozenset(self.changed) or None)


def ref_in_view(screen: Screen[Any]) -> tuple[str | None, str | None]:
    """The young person's ref (and the intervention's) of the row highlighted in the list shown on
    ``screen``: a referral, a young person, a session or a measurement; Nones if there is none."""
    for kind, key in (("enrolments", "participant_ref"), ("participants", "ref"),
                      ("contacts", "participant_ref"), ("measurements", "participant_ref")):
        found = next(screen.query(f"#list-{kind}").results(RecordList), None)
        if found is None or not found.display or not found.loaded_once:
            continue
        row = found.rows.get(found.current_id() or -1)
        if row is not None:
            return str(row[key]), (str(row["intervention_ref"]) if "intervention_ref" in row else None)
    return None, None


class HistoryScreen(ReportsWorkerErrors, Screen[None]):
    """A young person's measurements over time, by referral and instrument, with the change since
    each referral's baseline. Opened from a referral (or a young person) in view, it shows theirs."""

    BINDINGS = [Binding("escape", "back", "Back", id="history.back")]

    DEFAULT_CSS = """
    HistoryScreen #history-ref { height: 1; margin: 0 1; }
    HistoryScreen #history-ref Label { width: 14; color: $text-muted; }
    HistoryScreen #history-ref Input { width: 24; }
    HistoryScreen #history { height: 1fr; }
    HistoryScreen #history-summary { height: auto; padding: 0 1; }
    """

    @dataclass
    class Loaded(Message):
        asked: str
        ref: str
        referrals: list[measuring.ReferralScores]

    def __init__(self, participant_ref: str | None = None) -> None:
        super().__init__()
        self.participant_ref = participant_ref
        self.intervention_ref: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-ref"):
            yield Label("Young person")
            yield text_input(self, placeholder="their case ref", id="f-ref")
        yield Static("", id="history-summary")
        yield DataTable(id="history", zebra_stripes=True, cursor_type="row")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#history", DataTable)
        for label, width in (("Referral", 24), ("Instrument", 11), ("Date", 10), ("Score", 6),
                             ("Since baseline", 14)):
            table.add_column(label, width=width)
        if self.participant_ref is None and len(self.app.screen_stack) > 1:
            self.participant_ref, self.intervention_ref = ref_in_view(self.app.screen_stack[-2])
        if self.participant_ref:
            self.query_one("#f-ref", Input).value = printable(self.participant_ref)
            self._load(self.participant_ref)
            table.focus()
        else:
            self._summary("Type a young person's ref and press enter.")
            self.query_one("#f-ref", Input).focus()

    @on(Input.Submitted, "#f-ref")
    def _ref_typed(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.intervention_ref = None
            self._load(event.value)

    @work(thread=True, exit_on_error=False, exclusive=True, group="history")
    def _load(self, ref: str) -> None:
        found, referrals = measuring.history(spoke_store(self), ref)
        self.post_message(self.Loaded(ref, found, referrals))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one("#history", DataTable)
        table.clear()
        count = sum(len(s) for r in message.referrals for s in r.by_instrument.values())
        referrals = sum(1 for r in message.referrals if r.enrolment_id is not None)
        self._summary(f"{message.ref}: {referrals} referral{'s' * (referrals != 1)}, {count} measurement"
                      f"{'s' * (count != 1)}. The change is from each referral's first score of an "
                      "instrument; positive is better (lower-is-better scores are turned round).")
        cursor = None
        for referral in message.referrals:
            if referral.intervention_ref == self.intervention_ref and cursor is None:
                cursor = table.row_count
            label = f"{referral.intervention_ref} {referral.referral_date or ''}".strip()
            if not referral.by_instrument:
                table.add_row(*cells(label, "(none)", "", "", ""))
                continue
            first = True
            for slug, scores in referral.by_instrument.items():
                for n, score in enumerate(scores):
                    change = Text(score.change if referral.enrolment_id is not None else "no window",
                                  justify="right")
                    table.add_row(cell(label if first else ""), cell(slug if n == 0 else ""), cell(score.date),
                                  Text(score.score, justify="right"), change)
                    first = False
        if cursor is not None:
            table.move_cursor(row=cursor)

    def _summary(self, text: str) -> None:
        self.query_one("#history-summary", Static).update(as_text(text))

    def action_back(self) -> None:
        self.dismiss(None)
