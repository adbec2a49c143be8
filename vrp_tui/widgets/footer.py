"""The main screen's footer: its shown key bindings on one line, drawn by one widget.

It looks and behaves like Textual's compact Footer (a click presses the key, a
key's tooltip shows on hover, the command palette's key at the right) but draws
every key itself instead of mounting a widget per key and rebuilding them all
for each binding refresh, which made up a good part of the time the main screen
took to appear (bench/bench_startup.py). It redraws once per burst of binding
refreshes, and only if the keys shown changed. Colours: app.tcss, as Footer's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class FooterEntry:
    """One key as shown: where it is drawn (columns start to end) and what it does."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    start: int = 0
    end: int = 0

    @property
    def width(self) -> int:
        return cell_len(self.display) + (1 + cell_len(self.description) if self.description else 0)


class KeyFooter(Widget, can_focus=False):
    """The focused widget's and the screen's shown bindings, then the command palette's key at the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--hover", "key-footer--separator"}

    def __init__(self) -> None:
        super().__init__()
        self._entries: tuple[FooterEntry, ...] = ()
        self._palette: FooterEntry | None = None
        self._hover: FooterEntry | None = None
        self._pending = False

    def on_mount(self) -> None:
        # as Footer does; tests/test_textual_api.py fails if this signal or active_bindings changes
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_later(self._update_keys)

    def _update_keys(self) -> None:
        """Read the bindings as Footer does: the first shown binding of each action, and the palette's."""
        self._pending = False
        active = self.screen.active_bindings
        firsts: dict[str, FooterEntry] = {}
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in firsts:
                firsts[binding.action] = FooterEntry(binding.key, self.app.get_key_display(binding),
                                                     binding.description, enabled, tooltip)
        column = 0
        entries = []
        for entry in firsts.values():
            entries.append(replace(entry, start=column, end=column + entry.width))
            column += entry.width + 1
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = FooterEntry(binding.key, self.app.get_key_display(binding), binding.description, enabled,
                                  binding.tooltip or binding.description)
        if (tuple(entries), palette) != (self._entries, self._palette):
            self._entries, self._palette = tuple(entries), palette
            self.refresh()

    def _placed_palette(self) -> FooterEntry | None:
        """The palette's key, against the right edge with a column to spare."""
        if self._palette is None:
            return None
        end = self.size.width - 1
        return replace(self._palette, start=end - self._palette.width, end=end)

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        palette = self._placed_palette()
        room = palette.start - 2 if palette is not None else self.size.width
        for entry in self._entries:
            if entry.end > room:
                break  # only keys that fit whole: the rest are in F1 and the palette
            line.append(" " * (entry.start - line.cell_len))
            self._draw(line, entry)
        if palette is not None and palette.start - 1 >= line.cell_len:
            line.append(" " * (palette.start - 1 - line.cell_len))
            line.append("▏", self.get_component_rich_style("key-footer--separator"))
            self._draw(line, palette)
        return line

    def _draw(self, line: Text, entry: FooterEntry) -> None:
        key = self.get_component_rich_style("key-footer--key")
        description = self.get_component_rich_style("key-footer--description")
        if not entry.enabled:
            key, description = key + Style(dim=True), description + Style(dim=True)
        if entry == self._hover:  # the hover colour is a background only
            hover = Style(bgcolor=self.get_component_rich_style("key-footer--hover").bgcolor)
            key, description = key + hover, description + hover
        line.append(entry.display, key)
        if entry.description:
            line.append(f" {entry.description}", description)

    def _entry_at(self, x: int) -> FooterEntry | None:
        palette = self._placed_palette()
        room = palette.start - 2 if palette is not None else self.size.width
        shown = (*(e for e in self._entries if e.end <= room), palette)
        return next((e for e in shown if e is not None and e.start <= x < e.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        entry = self._entry_at(event.x)
        if entry != self._hover:
            self._hover = entry
            self.tooltip = entry.tooltip or None if entry else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        entry = self._entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()

