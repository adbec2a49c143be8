"""A row of tabs drawn by one widget: the labels on one line, the underline below.

It looks and behaves like Textual's Tabs (left and right when focused, a click
on a label or the line under it, the underline sliding to the chosen tab) but
is one widget instead of a widget per tab in three containers, which made up a
good part of the time the main screen took to appear (bench/bench_startup.py).
Its colours are component classes styled in app.tcss, mirroring Tabs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.renderables.bar import Bar  # what Tabs' underline draws; tests/test_textual_api.py guards it
from textual.widget import Widget


class SectionTabs(Widget, can_focus=True):
    """Tabs given as (id, label) pairs; ``active`` is the chosen tab's id."""

    COMPONENT_CLASSES = {
        "section-tabs--tab", "section-tabs--hover", "section-tabs--active", "section-tabs--underline",
    }
    BINDINGS = [
        Binding("left", "move(-1)", "Previous tab", show=False, id="tabs.previous"),
        Binding("right", "move(1)", "Next tab", show=False, id="tabs.next"),
    ]

    active: reactive[str] = reactive("", init=False)
    _hover: reactive[int | None] = reactive(None)
    _underline_start: reactive[float] = reactive(0.0)
    _underline_end: reactive[float] = reactive(0.0)

    @dataclass
    class Activated(Message):
        """A tab was chosen (by key, by mouse, or by setting ``active``)."""

        tabs: SectionTabs
        tab: str

        @property
        def control(self) -> SectionTabs:
            return self.tabs

    def __init__(self, tabs: Sequence[tuple[str, str]], *, id: str | None = None,
                 short: Mapping[str, str] | None = None) -> None:
        """``short``: a shorter label by tab id, used when the full labels do not fit on one line."""
        super().__init__(id=id)
        self.tabs = tuple(tabs)
        self.short = dict(short or {})
        self.set_reactive(SectionTabs.active, self.tabs[0][0])
        start, end = self._span(0)
        self.set_reactive(SectionTabs._underline_start, float(start))
        self.set_reactive(SectionTabs._underline_end, float(end))

    def _index(self, tab: str) -> int:
        return next(n for n, (tab_id, _) in enumerate(self.tabs) if tab_id == tab)

    def labels(self) -> list[str]:
        """The labels as drawn: the short ones if the full ones do not fit the width."""
        full = [label for _, label in self.tabs]
        if not self.short or not self.size.width or sum(cell_len(x) + 2 for x in full) <= self.size.width:
            return full
        return [self.short.get(tab, label) for tab, label in self.tabs]

    def _span(self, index: int) -> tuple[int, int]:
        """The columns of a tab's label (a tab is its label with a space either side)."""
        labels = self.labels()
        start = sum(cell_len(label) + 2 for label in labels[:index]) + 1
        return start, start + cell_len(labels[index])

    def on_resize(self) -> None:
        if self.short:  # the labels may have changed: the underline follows at once
            self._underline_start, self._underline_end = (float(n) for n in self._span(self._index(self.active)))

    def _tab_at(self, x: int) -> int | None:
        for index in range(len(self.tabs)):
            start, end = self._span(index)
            if start - 1 <= x <= end:
                return index
        return None

    def render(self) -> RenderableType:
        labels = Text(no_wrap=True, overflow="crop")  # one line, whatever the width
        active = self._index(self.active)
        for index, label in enumerate(self.labels()):
            role = "active" if index == active else "hover" if index == self._hover else "tab"
            labels.append(" ")
            labels.append(label, self.get_component_rich_style(f"section-tabs--{role}"))
            labels.append(" ")
        bar = self.get_component_rich_style("section-tabs--underline")
        underline = Bar(
            highlight_range=(self._underline_start, self._underline_end),
            highlight_style=Style.from_color(bar.color),
            background_style=Style.from_color(bar.bgcolor),
        )
        return Group(labels, underline)

    def watch_active(self, active: str) -> None:
        start, end = self._span(self._index(active))
        if self.app.animation_level == "none":
            self._underline_start, self._underline_end = start, end
        else:
            self.animate("_underline_start", float(start), duration=0.3, level="basic")
            self.animate("_underline_end", float(end), duration=0.3, level="basic")
        self.post_message(self.Activated(self, active))

    def action_move(self, step: int) -> None:
        self.active = self.tabs[(self._index(self.active) + step) % len(self.tabs)][0]

    def on_click(self, event: events.Click) -> None:
        index = self._tab_at(event.x)
        if index is not None:
            self.focus()
            self.active = self.tabs[index][0]

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover = self._tab_at(event.x) if event.y == 0 else None

    def on_leave(self, event: events.Leave) -> None:
        self._hover = None
