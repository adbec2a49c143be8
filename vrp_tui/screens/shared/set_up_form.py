"""What the spoke's and the hub's first-run screens share: a form that, once its slow
worker is done, gives way to a dialog showing the one line to hand the other side."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Static

from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.text import as_text


class SetUpForm(FormScreen):
    """Subclasses say what the done dialog shows and post ``Done(value)`` from their worker."""

    done_title = ""
    done_text = ""
    done_id = ""  # the id of the Static that shows the value

    @dataclass
    class Done(Message):
        value: str

    def compose(self) -> ComposeResult:
        yield from super().compose()
        with Vertical(id="done", classes="dialog"):
            yield Label(self.done_title, classes="dialog-title")
            yield Static(self.done_text)
            yield Static("", id=self.done_id)
            with Horizontal(classes="buttons"):
                yield Button("Continue", id="continue", variant="primary", compact=True)

    @on(Done)
    def _done(self, message: Done) -> None:
        self.query_one(f"#{self.done_id}", Static).update(as_text(message.value))

        self.query_one("#dialog").display = False
        self.query_one("#done").display = True
        self.query_one("#continue", Button).focus()

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        self.dismiss(frozenset({"set-up"}))
