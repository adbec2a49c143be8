"""The quarter the hub's figures open on, read by the core (no SQL in the screens)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hub_bags import HubWorld, document

from vrp_tui.hub.held import latest_quarter
from vrp_tui.periods import Period


def test_with_nothing_received_the_figures_open_on_the_last_quarter_ended(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    assert latest_quarter(world.store, date(2025, 11, 3)) == Period.parse("2025-26-Q2")
    assert latest_quarter(world.store, date(2025, 4, 1)) == Period.parse("2024-25-Q4")


def test_the_figures_open_on_the_latest_quarter_received_whatever_today_is(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    for spoke, period in [("bristol", "2025-26-Q2"), ("banes", "2025-26-Q1")]:
        assert world.receive(world.send(document(spoke, period))).accepted
    assert latest_quarter(world.store, date(2026, 6, 1)) == Period.parse("2025-26-Q2")
