"""A young person's picker: type a few letters of a ref (any case) or a postcode district, pick one.

An Input over a list of matches that filters as you type: up and down move in
the list while you keep typing, enter takes the highlighted match and moves on.
Matches come from the store in a thread worker, at most 50 at a time, so the
picker opens at once on 50,000 young people and never blocks the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from vrp_tui.text import as_text
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import spoke_store


class RefPicker(ReportsWorkerErrors, Vertical):
    """An Input (the given id) with a filtered list of young people under it while you type."""

    DEFAULT_CSS = """
    RefPicker { height: auto; width: 1fr; }
    RefPicker > OptionList {
        overlay: screen; constrain: none inside;  /* over the fields below: nothing else moves */
        height: auto; max-height: 8; width: 1fr; display: none; border: none; padding: 0;
    }
    RefPicker.-open > OptionList { display: block; }
    """

    BINDINGS = [
        Binding("down", "move(1)", "Next match", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous match", show=False, id="picker.up"),
        Binding("escape", "close", "Close the matches", show=False, id="picker.close"),
    ]

    @dataclass
    class Matched(Message):
        picker: RefPicker
        text: str
        matches: list[tuple[str, str]]  # (ref, what is shown)

    @dataclass
    class Picked(Message):
        """A young person was chosen from the list."""

        picker: RefPicker
        ref: str

    def __init__(self, input_id: str, placeholder: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.input_id = input_id
        self.placeholder = placeholder
        self._picked: str | None = None  # the value the last pick put in: no new search for it

    def compose(self) -> ComposeResult:
        from vrp_tui.widgets.fields import text_input

        yield text_input(self, placeholder=self.placeholder, id=self.input_id)
        yield OptionList(id=f"{self.input_id}-matches")

    @property
    def input(self) -> Input:
        return self.query_one(f"#{self.input_id}", Input)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    # -- searching ---------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        text = event.value
        if text == self._picked or not event.input.has_focus:
            return  # set by a pick or by the form, not typed
        self._picked = None
        if text.strip():
            self._search(text)
        else:
            self.action_close()

    @work(thread=True, exit_on_error=False, exclusive=True, group="picker")
    def _search(self, text: str) -> None:
        from vrp_tui.store.lookups import find_participants

        found = find_participants(spoke_store(self), text)
        shown = [(m.ref, m.ref + (f"  {m.postcode_district}" if m.postcode_district else "")) for m in found]
        self.post_message(self.Matched(self, text, shown))

    @on(Matched)
    def _matched(self, message: Matched) -> None:
        message.stop()
        if message.text != self.input.value or not self.input.has_focus:
            return  # typed on since, or moved away
        options = self.options
        options.clear_options()
        if not message.matches:
            options.add_option(Option(as_text(f"no young person matches {message.text.strip()!r}"),
                                      id="-none", disabled=True))
        else:
            options.add_options([Option(as_text(label), id=ref) for ref, label in message.matches])
            options.highlighted = 0
        self.add_class("-open")

    # -- choosing ----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Up, down and escape are the list's only while it is open (else escape cancels the form)."""
        if action in ("move", "close"):
            return self.is_open
        return True

    def action_move(self, step: int) -> None:
        options = self.options
        if not self.is_open or not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_close(self) -> None:
        self.remove_class("-open")

    def pick_highlighted(self) -> bool:
        """Put the highlighted match in the Input; False if there was none to take."""
        options = self.options
        if not self.is_open or options.highlighted is None:
            return False
        option = options.get_option_at_index(options.highlighted)
        if option.disabled or option.id is None:
            return False
        self._take(option.id)
        return True

    def _take(self, ref: str) -> None:
        self._picked = ref
        self.input.value = ref
        self.input.cursor_position = len(ref)
        self.action_close()
        self.post_message(self.Picked(self, ref))

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        self.pick_highlighted()  # and the form moves on to the next field

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.disabled:
            self._take(event.option.id)
            self.input.focus()

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        if not self.options.has_focus:
            self.action_close()
