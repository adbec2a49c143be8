"""A column of labelled form fields, each with its error line, driven by field specs.

The form knows nothing about records: values go in and come out as a dict,
errors are shown beside the fields they name. A field counts as touched once
its value differs from what was filled in or the user leaves it, so a fresh
form does not shout "required" at every empty field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from vrp_tui import reference
from vrp_tui.records.specs import FieldSpec, iso_date_text
from vrp_tui.text import as_text, printable

_INPUT_CONTROLS = ("text", "date", "money", "participant", "refs", "password")


def control_id(name: str) -> str:
    return f"f-{name}"


def text_input(node: Widget, **kwargs: Any) -> Input:
    """An Input that blinks its cursor unless the app says not to (``app.cursor_blink``)."""
    field = Input(compact=True, **kwargs)
    field.cursor_blink = getattr(node.app, "cursor_blink", True)
    return field


def choices_for(spec: FieldSpec) -> list[tuple[str, Any]]:
    if spec.choices:
        return list(spec.choices)
    if spec.taxonomy:
        return [(label, slug) for slug, label in reference.TAXONOMIES[spec.taxonomy].items()]
    return []


class FieldsForm(VerticalScroll):
    """Labelled controls for ``fields``; ``values()`` reads them, ``show_errors`` marks them."""

    @dataclass
    class Edited(Message):
        """A field changed (``left``: the user moved off it)."""

        form: FieldsForm
        name: str
        left: bool = False

    can_focus = False  # the fields take the focus, not the scrolling column

    def __init__(self, fields: Iterable[FieldSpec], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.specs = {spec.name: spec for spec in fields}
        self.touched: set[str] = set()
        self._filled: dict[str, Any] = {}
        self._shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        for spec in self.specs.values():
            with Horizontal(classes="field"):
                yield Label(spec.label + ("" if spec.optional else " *"), classes="field-label")
                yield self._control(spec)
            yield Static("", classes="field-error", id=f"error-{spec.name}")

    def _control(self, spec: FieldSpec) -> Widget:
        cid = control_id(spec.name)
        if spec.control == "participant":
            from vrp_tui.widgets.picker import RefPicker  # forms only: not for the first screen

            return RefPicker(cid, placeholder=spec.placeholder, id=f"picker-{spec.name}")
        if spec.control in _INPUT_CONTROLS:
            return text_input(self, placeholder=spec.placeholder, password=spec.control == "password", id=cid)
        if spec.control == "yesno":
            return Checkbox("no", id=cid, compact=True)  # the label says what the box holds
        prompt = "(none)" if spec.optional else "Choose..."
        if spec.control == "intervention":
            prompt = "Loading interventions..."
        if spec.default is not None:
            return Select(choices_for(spec), prompt=prompt, id=cid, compact=True, value=spec.default)
        return Select(choices_for(spec), prompt=prompt, id=cid, compact=True)

    def control(self, name: str) -> Widget:
        return self.query_one(f"#{control_id(name)}")

    # -- values ----------------------------------------------------------

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.specs:
            widget = self.control(name)
            if isinstance(widget, Input | Checkbox):
                out[name] = widget.value
            elif isinstance(widget, Select):
                out[name] = None if widget.is_blank() else widget.value
        return out

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Fill the fields (a baseline: the user has not touched them yet).

        An Input draws its value as it is, so a control character stored in a record
        (which no form or file lets in) is put in as its visible placeholder.
        """
        for name, value in values.items():
            if name not in self.specs:
                continue
            widget = self.control(name)
            if isinstance(widget, Input):
                widget.value = "" if value is None else printable(value, multiline=True)

            elif isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, Select):
                widget.value = Select.NULL if value is None else value
        self._filled = self.values()

    def set_value(self, name: str, value: Any) -> None:
        """Set one field as if the user had chosen it (it counts as touched)."""
        widget = self.control(name)
        if isinstance(widget, Select):
            widget.value = Select.NULL if value is None else value
        elif isinstance(widget, Input | Checkbox):
            widget.value = value
        self.touched.add(name)

    def set_choices(self, name: str, choices: list[tuple[str, Any]], prompt: str) -> None:
        """Replace a select's choices; their labels (intervention names) are shown literally."""
        widget = self.control(name)
        assert isinstance(widget, Select)
        current = widget.value
        widget.prompt = prompt
        widget.set_options([(as_text(label), value) for label, value in choices])
        if not widget.is_blank() or any(value == current for _, value in choices):
            widget.value = current

    # -- errors ----------------------------------------------------------

    def touch_all(self) -> None:
        self.touched = set(self.specs)

    def show_errors(self, errors: Mapping[str, str], only_touched: bool = False) -> None:
        """Show each field's message beside it (clearing the rest)."""
        for name in self.specs:
            message = errors.get(name, "")
            if only_touched and name not in self.touched:
                message = ""
            if self._shown.get(name, "") == message:
                continue
            self._shown[name] = message
            line = self.query_one(f"#error-{name}", Static)
            line.update(as_text(message))

            line.set_class(bool(message), "-shown")
            self.control(name).set_class(bool(message), "-invalid")

    def first_invalid(self, errors: Mapping[str, str]) -> Widget | None:
        for name in self.specs:
            if name in errors:
                return self.control(name)
        return None

    # -- touch tracking ----------------------------------------------------

    def _name_of(self, widget: Widget | None) -> str | None:
        if widget is None or not widget.id or not widget.id.startswith("f-"):
            return None
        name = widget.id[2:]
        return name if name in self.specs else None

    def _edited(self, widget: Widget | None, left: bool) -> None:
        name = self._name_of(widget)
        if name is None:
            return
        if left or self.values().get(name) != self._filled.get(name, _UNSET):
            self.touched.add(name)
        self.post_message(self.Edited(self, name, left))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._edited(event.input, left=False)

    @on(Input.Blurred)
    def _input_left(self, event: Input.Blurred) -> None:
        event.stop()
        name = self._name_of(event.input)
        if name is not None and self.specs[name].control == "date":
            iso = iso_date_text(event.input.value)  # a UK date shown as it is stored
            if iso != event.input.value:
                event.input.value = iso
        self._edited(event.input, left=True)

    def is_dirty(self) -> bool:
        """The values differ from what the form was filled with (or started as)."""
        return any(value != self._filled.get(name, self._blank(name)) for name, value in self.values().items())

    def _blank(self, name: str) -> Any:
        spec = self.specs[name]
        if spec.default is not None:
            return spec.default
        return {"yesno": False, "select": None, "intervention": None}.get(spec.control, "")

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited(event.select, left=False)

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        event.checkbox.label = "yes" if event.value else "no"
        self._edited(event.checkbox, left=False)


_UNSET = object()
