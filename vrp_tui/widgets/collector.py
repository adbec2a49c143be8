"""Full garbage collections while the app is idle, never in the middle of what a key press set off.

Python's collector looks at young objects often and cheaply, and now and then
walks every object the app holds (its screens, widgets, styles and loaded
returns): such a full collection took 30-60 ms on the benchmark machine and
fell inside opening a screen or showing a tab, doubling the longest wait on the
event loop. While an app runs, the young generations are collected as usual but
full collections are not started by allocation; a timer runs one when nothing
has happened for a while (no key or mouse press, no worker running). What a
full collection finds is mostly what a closed screen left; reference counting
frees everything else the moment it is dropped. Textual pauses the collector
during smooth scrolling for the same reason (``App.PAUSE_GC_ON_SCROLL``).
"""

from __future__ import annotations

import gc
from time import monotonic

from textual import events
from textual.app import App

QUIET = 2.0  # seconds since the last key or mouse press before a full collection may run
EVERY = 1.0  # seconds between looks
NEVER = 1 << 30  # a threshold for the oldest generation that allocation never reaches


class CollectsWhenIdle(App[None]):
    """Mixed into an app (before ``App``): full collections from a timer, when the app is idle."""

    _last_input = 0.0
    _collected_since_input = False
    _thresholds: tuple[int, int, int] = (0, 0, 0)

    def on_mount(self) -> None:
        """Full collections by allocation off, the idle timer on (Textual calls each class's on_mount)."""
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, NEVER)
        self.set_interval(EVERY, self._collect_if_idle, name="idle-collector")

    def _collect_if_idle(self) -> None:
        """One full collection after each spell of use, once it has been quiet for QUIET seconds."""
        if self._collected_since_input or monotonic() - self._last_input < QUIET:
            return
        if any(not w.is_finished for w in self.workers):
            return
        gc.collect()
        self._collected_since_input = True

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp):
            self._last_input = monotonic()
            self._collected_since_input = False
        await super().on_event(event)

    def on_unmount(self) -> None:
        gc.set_threshold(*self._thresholds)
