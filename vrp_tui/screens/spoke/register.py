"""The group register: one session for a group, a mark for each young person, one save.

Pick an intervention and a date: the register lists everyone whose referral to
it holds that date. Space moves a young person's mark on (attended, did not
attend, cancelled, none), ``a`` marks everyone attended; the minutes and mode
are the group's. Saving writes every session in one transaction, each with its
audit row. Opened on a date that already has sessions, it shows them to
correct: a changed mark updates the session, a cleared one deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Label, Static

from vrp_tui import reference
from vrp_tui.errors import RecordError
from vrp_tui.records import entry as record_entry
from vrp_tui.records.sections import REGISTER_FIELDS
from vrp_tui.screens.spoke.record_form import GroupForm
from vrp_tui.store.lookups import RegisterRow
from vrp_tui.text import as_text
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.footer import KeyFooter
from vrp_tui.widgets.hosts import spoke_store

MARKS: tuple[str | None, ...] = (*reference.ATTENDANCE, None)  # the order space steps through
_SHOWN: dict[str | None, str] = {None: "-"}
_SHOWN.update(reference.ATTENDANCE)


def next_mark(mark: str | None) -> str | None:
    return MARKS[(MARKS.index(mark) + 1) % len(MARKS)]


class RegisterTable(DataTable[Any]):
    """The group, one row each: space moves the mark on, ``a`` marks everyone attended."""

    BINDINGS = [
        Binding("space", "mark_next", "Mark", id="register.toggle"),
        Binding("a", "all_attended", "All attended", id="register.all"),
    ]

    def action_mark_next(self) -> None:
        screen = self.screen
        if isinstance(screen, RegisterScreen) and self.row_count:
            screen.toggle(self.cursor_row)

    def action_all_attended(self) -> None:
        screen = self.screen
        if isinstance(screen, RegisterScreen):
            screen.mark_all("attended")


class RegisterScreen(GroupForm):
    title_text = "Group register"
    BINDINGS = [Binding("ctrl+a", "mark_all_attended", "All attended", id="register.all_anywhere", show=False)]

    @dataclass
    class Listed(Message):
        key: tuple[int, str]
        rows: list[RegisterRow]

    @dataclass
    class Saved(Message):
        saved: int
        deleted: int

    def __init__(self) -> None:
        super().__init__(FieldsForm(REGISTER_FIELDS, id="fields"))
        self.rows: list[RegisterRow] = []
        self.marks: dict[int, str | None] = {}
        self.loaded_marks: dict[int, str | None] = {}
        self.key: tuple[int, str] | None = None  # the intervention and date listed

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog register"):
            yield Label(self.title_text, classes="dialog-title")
            yield self.form
            yield Static("Choose an intervention and a date.", id="register-status", classes="list-status")
            yield RegisterTable(id="register", cursor_type="row", zebra_stripes=True)
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.save_label} ^s", id="save", variant="primary", compact=True)
                yield Button(f"{self.cancel_label} esc", id="cancel", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(RegisterTable)
        table.add_column("Young person", key="ref", width=20)
        table.add_column("Postcode", key="postcode", width=8)
        table.add_column("Mark", key="mark", width=14)

    def on_resize(self, event: events.Resize) -> None:
        """The fields keep their lines; the group's list takes what the screen has left."""
        self.form.styles.max_height = max(4, min(10, event.size.height - 12))
        self.table.styles.max_height = max(3, event.size.height - 18)

    @property
    def table(self) -> RegisterTable:
        return self.query_one(RegisterTable)

    # -- the intervention and date ---------------------------------------------

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        return record_entry.check_register(values)

    @on(FieldsForm.Edited)
    def _which_group(self, message: FieldsForm.Edited) -> None:
        if message.name == "intervention_id" or (message.name == "date" and message.left):
            self._list_group()

    def _list_group(self) -> None:
        values = record_entry.register_values(self.form.values())
        errors = self.check(self.form.values())
        if values["intervention_id"] is None or "date" in errors or "intervention_id" in errors:
            return
        key = (int(values["intervention_id"]), str(values["date"]))
        if key != self.key:
            self._fetch_group(key)

    @work(thread=True, exit_on_error=False, exclusive=True, group="register")
    def _fetch_group(self, key: tuple[int, str]) -> None:
        from vrp_tui.store.lookups import register_rows

        self.post_message(self.Listed(key, register_rows(spoke_store(self), *key)))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        self.key = message.key
        self.rows = message.rows
        self.marks = {row.participant_id: row.attendance for row in message.rows}
        self.loaded_marks = dict(self.marks)
        held = next((row for row in message.rows if row.contact_id is not None), None)
        if held is not None:  # correcting a past date: the group's minutes and mode as saved
            self.form.set_value("minutes", str(held.minutes))
            self.form.set_value("mode", held.mode)
        table = self.table
        table.clear()
        for row in message.rows:
            table.add_row(as_text(row.ref), as_text(row.postcode_district or ""), self._mark_cell(row),
                          key=str(row.participant_id))
        self._show_count()

    def _mark_cell(self, row: RegisterRow) -> Text:
        mark = self.marks.get(row.participant_id)
        return Text(_SHOWN[mark], style="bold" if mark == "attended" else "")

    def _show_count(self) -> None:
        if not self.rows:
            text = "No young person's referral to this intervention holds this date."
        else:
            marked = [m for m in self.marks.values() if m]
            counts = {slug: marked.count(slug) for slug in reference.ATTENDANCE}
            text = (f"{len(self.rows)} in the group: {counts['attended']} attended, "
                    f"{counts['did-not-attend']} did not attend, {counts['cancelled']} cancelled, "
                    f"{len(self.rows) - len(marked)} not marked"
                    + (" (saved before: correcting)" if any(r.contact_id for r in self.rows) else ""))
        self.query_one("#register-status", Static).update(as_text(text))

    # -- marking -----------------------------------------------------------------

    def toggle(self, index: int) -> None:
        row = self.rows[index]
        self.marks[row.participant_id] = next_mark(self.marks.get(row.participant_id))
        self._redraw(row)

    def mark_all(self, mark: str) -> None:
        for row in self.rows:
            self.marks[row.participant_id] = mark
            self._redraw(row)

    def _redraw(self, row: RegisterRow) -> None:
        self.table.update_cell(str(row.participant_id), "mark", self._mark_cell(row))
        self._show_count()

    def action_mark_all_attended(self) -> None:
        self.mark_all("attended")

    def has_changes(self) -> bool:
        return self.marks != self.loaded_marks or (self.form.is_dirty() and any(self.marks.values()))

    # -- saving --------------------------------------------------------------------

    def save(self, values: Mapping[str, Any]) -> None:
        data = record_entry.register_values(values)
        key = (int(data["intervention_id"]), str(data["date"]))
        if key != self.key:
            self._display({"": "the group for this intervention and date is still loading: save again"})
            return
        if not any(self.marks.values()) and not any(r.contact_id for r in self.rows):
            self._display({"": "mark at least one young person (space, or a for all attended)"})
            return
        existing = {r.participant_id: r.contact_id for r in self.rows if r.contact_id is not None}
        refs = {r.participant_id: r.ref for r in self.rows}
        self._save(key, data["minutes"], data["mode"], dict(self.marks), existing, refs)

    @work(thread=True, exit_on_error=False)
    def _save(self, key: tuple[int, str], minutes: Any, mode: Any, marks: dict[int, str | None],
              existing: dict[int, int], refs: dict[int, str]) -> None:
        from vrp_tui.store.lookups import save_register

        try:
            saved, deleted = save_register(spoke_store(self), key[0], key[1], minutes, mode, marks, existing)
        except RecordError as exc:
            who = refs.get(getattr(exc, "participant_id", -1))
            errors = record_entry.field_errors(exc.errors)
            shared = {k: v for k, v in errors.items() if k in self.form.specs}
            rest = [m for k, m in errors.items() if k not in self.form.specs]
            if rest or who:
                shared[""] = (f"{who}: " if who else "") + "; ".join(rest or list(shared.values()))
            raise RecordError(shared) from None
        self.post_message(self.Saved(saved, deleted))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        text = f"Saved the register: {message.saved} session{'s' if message.saved != 1 else ''}"
        if message.deleted:
            text += f", {message.deleted} removed"
        self.saved(frozenset({"contacts"}), text + ".")

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()
