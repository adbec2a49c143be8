"""SVG snapshots of daily entry at 60x20, 80x24 and 160x50: the main list, a form with errors, the register.

Lists share the width (names grow at 160 columns), the tab bar stays on one line
at 60, a form full of errors keeps Save in view. Update with
``pytest tests/test_tui_entry_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_tui_flows import choose, settle, type_into
from test_tui_snapshots import fixed_spoke, snapshot_app
from textual.pilot import Pilot

from vrp_tui.screens.spoke.register import RegisterScreen

SIZES = [(60, 20), (80, 24), (160, 50)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_young_people_list(spoke_db: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    async def people(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(snapshot_app(fixed_spoke(spoke_db)), terminal_size=size, run_before=people)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_session_form_with_errors(spoke_db: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    async def form(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("4", "a")
        await settle(pilot)
        await type_into(pilot, "date", "31/02/2025")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(snapshot_app(fixed_spoke(spoke_db)), terminal_size=size, run_before=form)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_group_register(spoke_db: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    async def register(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RegisterScreen)
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "3/7/2025")
        await type_into(pilot, "minutes", "90")
        screen = pilot.app.screen
        assert isinstance(screen, RegisterScreen)
        screen.table.focus()
        await settle(pilot)
        await pilot.press("a", "down", "space")
        await settle(pilot)

    assert snap_compare(snapshot_app(fixed_spoke(spoke_db)), terminal_size=size, run_before=register)
