"""The apps' collector: no full collection started by allocation while an app runs; one full collection
from the idle timer after each spell of use, once it has been quiet and no worker is running."""

from __future__ import annotations

import gc
import threading

import pytest
from textual import work

from vrp_tui.widgets import collector
from vrp_tui.widgets.collector import NEVER, CollectsWhenIdle


class Idle(CollectsWhenIdle):
    release = threading.Event()

    @work(thread=True)
    def busy(self) -> None:
        self.release.wait(5)


async def test_full_collections_wait_for_the_timer_while_the_app_runs() -> None:
    before = gc.get_threshold()
    async with Idle().run_test():
        assert gc.get_threshold() == (before[0], before[1], NEVER)
    assert gc.get_threshold() == before


async def test_one_full_collection_once_quiet_and_none_while_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    collections: list[int] = []
    monkeypatch.setattr(collector.gc, "collect", lambda generation=2: collections.append(generation) or 0)
    clock = [100.0]
    monkeypatch.setattr(collector, "monotonic", lambda: clock[0])
    app = Idle()
    async with app.run_test() as pilot:
        await pilot.press("x")  # input at 100.0
        app._collect_if_idle()
        assert collections == []  # not quiet yet
        clock[0] += collector.QUIET
        app._collect_if_idle()
        app._collect_if_idle()
        assert collections == [2]  # once after the spell of use
        await pilot.press("x")
        clock[0] += collector.QUIET
        app.busy()
        app._collect_if_idle()
        assert collections == [2]  # a worker is running
        app.release.set()
        await app.workers.wait_for_complete()
        app._collect_if_idle()
        assert collections == [2, 2]
