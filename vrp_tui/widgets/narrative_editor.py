"""The return's narrative: four text editors, saved as the worker types.

A change waits ``SAVE_AFTER`` seconds for more typing, then a thread worker
saves all four fields as they stand. Every save carries a number; saves of a
quarter run one at a time and one older than a save already written is
skipped, so a slow save can never put back text that was typed over.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Label, Static, TextArea

from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.returns.document import NARRATIVE_FIELDS
from vrp_tui.text import printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import spoke_store

SAVE_AFTER = 0.5  # seconds of no typing before the narrative is saved (and its findings checked again)
LABELS = {
    "highlights": "Highlights of the quarter",
    "challenges": "Challenges",
    "case_study": "Case study (anonymised: no names, refs or dates of birth)",
    "next_quarter": "Plans for next quarter",
}


class NarrativeEditor(ReportsWorkerErrors, VerticalScroll):
    """The narrative of one quarter's return; locked (read only) once it is signed off."""

    @dataclass
    class Saved(Message):
        """A save written: ``fields`` as they now stand (the screen checks them again)."""

        period: Period
        fields: dict[str, str]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.period: Period | None = None
        self.editable = False
        self.shown: dict[str, str] = {}  # the text as loaded or last sent to be saved
        self.dirty = False
        self.timer: Timer | None = None
        self.number = 0  # of the latest save started
        self.save_lock = threading.Lock()
        self.written: dict[Period, int] = {}  # the number of the latest save written, per quarter

    def compose(self) -> ComposeResult:
        for field in NARRATIVE_FIELDS:
            yield Label(LABELS[field], classes="narrative-label")
            yield TextArea(id=f"narrative-{field}", classes="narrative", soft_wrap=True, compact=True)
        yield Static("", id="narrative-state", classes="list-status")

    def show(self, period: Period, narrative: dict[str, str], editable: bool) -> None:
        """Show ``period``'s narrative (keeping what is being typed for it).

        A TextArea draws its text as it is: control characters other than newline
        and tab are put in as their visible placeholders, never sent to the terminal.
        """
        if period != self.period:
            self.flush()  # what was typed for the quarter shown before
        self.period, self.editable = period, editable
        for field in NARRATIVE_FIELDS:
            area = self.area(field)
            text = printable(narrative[field], multiline=True)
            if not self.dirty and area.text != text:
                area.load_text(text)

                area.move_cursor(area.document.end)  # carry on writing where it stopped
            area.read_only = not editable
            area.can_focus = editable
        self.shown = self.texts() if not self.dirty else self.shown
        self.say("Saved as you type." if editable else "Signed off: reopen the return (o) to change the narrative.")

    def area(self, field: str) -> TextArea:
        return self.query_one(f"#narrative-{field}", TextArea)

    def texts(self) -> dict[str, str]:
        return {field: self.area(field).text for field in NARRATIVE_FIELDS}

    def say(self, text: str) -> None:
        self.query_one("#narrative-state", Static).update(text)

    @on(TextArea.Changed, ".narrative")
    def _typed(self, event: TextArea.Changed) -> None:
        field = (event.text_area.id or "").removeprefix("narrative-")
        if not self.editable or self.shown.get(field) == event.text_area.text:
            return  # loading, not typing
        self.dirty = True
        self.say("Editing...")
        if self.timer is None:
            self.timer = self.set_timer(SAVE_AFTER, self.flush)
        else:
            self.timer.reset()

    def take(self) -> tuple[dict[str, str], int] | None:
        """The unsaved text and the number its save must carry, or None if all is saved."""
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if not self.dirty:
            return None
        self.dirty = False
        self.number += 1
        self.shown = self.texts()
        return dict(self.shown), self.number

    def flush(self) -> None:
        """Save what was typed now, in a worker."""
        taken = self.take()
        if taken is not None and self.period is not None:
            self._save(self.period, *taken)

    @work(thread=True, exit_on_error=False, group="narrative")
    def _save(self, period: Period, fields: dict[str, str], number: int) -> None:
        if self.write(spoke_store(self), period, fields, number):
            self.post_message(self.Saved(period, fields))

    def write(self, store: Any, period: Period, fields: dict[str, str], number: int) -> bool:
        """Save ``fields`` unless a later save of the quarter is written already (any thread);
        True when they were written."""
        with self.save_lock:
            if number <= self.written.get(period, 0):
                return False
            lifecycle.save_narrative(store, period, fields)
            self.written[period] = number
            return True

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        if message.period == self.period and not self.dirty:
            self.say("Saved.")
