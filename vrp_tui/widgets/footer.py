"""A Footer that rebuilds its keys only when the keys it shows have changed.

Textual's Footer rebuilds all its keys for every binding refresh, and a screen
coming up asks for several in a row (the screen shown, focus set, focus moved).
Each rebuild mounts and styles every key again, which is a good part of the
time the first screen takes to settle. This one rebuilds once per burst, and
not at all when the shown keys are the same as before.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    """Footer whose keys are rebuilt at most once per burst of binding refreshes, and only on a change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rebuild_pending = False
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_later(self._rebuild)

    def _keys_shown(self) -> tuple[object, ...]:
        """What compose() would show: every shown binding and the command palette's."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
