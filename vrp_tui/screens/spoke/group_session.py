"""Quick entry: log one group session for several young people of one intervention.

The most common job of the week, so it takes one form: intervention, date,
minutes, mode and the young people's refs. Every session is saved in one
transaction, or none; a problem names the young people it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.message import Message

from vrp_tui.records import entry as record_entry
from vrp_tui.records.sections import GROUP_FIELDS
from vrp_tui.screens.spoke.record_form import GroupForm
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import spoke_store


class GroupSessionScreen(GroupForm):
    title_text = "Log a group session"

    @dataclass
    class Saved(Message):
        count: int

    def __init__(self) -> None:
        super().__init__(FieldsForm(GROUP_FIELDS, id="fields"))

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        return record_entry.check_group(values)

    def save(self, values: Mapping[str, Any]) -> None:
        self._save(dict(values))

    @work(thread=True, exit_on_error=False)
    def _save(self, values: dict[str, Any]) -> None:
        self.post_message(self.Saved(record_entry.save_group(spoke_store(self), values)))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        noun = "session" if message.count == 1 else "sessions"
        self.saved(frozenset({"contacts"}), f"Logged {message.count} {noun}.")
