"""The return viewer on a return with many interventions: breakdowns by page, the changes list bounded.

The breakdowns (a column per intervention) show a page of interventions at a
time; a new version that changes a great deal lists its first changes and says how
many more there are.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hub_bags import HubWorld, document, figures, intervention
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerState

from vrp_tui.hub.identity import create_identity
from vrp_tui.hub_app import HubApp, make_hub_app
from vrp_tui.screens.hub import return_viewer
from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen
from vrp_tui.widgets.report_table import ReportTable

SIZE = (80, 24)
TODAY = date(2025, 11, 1)
ITEMS = 45


def _return(version: int, extra: int) -> dict[str, Any]:
    """Bristol's 2025-26 Q1 with ITEMS interventions; intervention n has n + extra referrals."""
    items = [intervention(f"I{n:02d}", referrals=n + extra, active=1) for n in range(1, ITEMS + 1)]
    totals = figures(referrals=sum(i["referrals"] for i in items), active=ITEMS)
    return document("bristol", "2025-26-Q1", version, interventions=items, totals=totals)


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    path = tmp_path / "hub.db"
    world = HubWorld(path)
    create_identity(world.store, "hub tui passphrase")
    for version, extra in ((1, 0), (2, 1)):  # v2: every intervention one referral more
        assert world.receive(world.send(_return(version, extra)), today=TODAY).accepted
    world.store.close()
    return path


async def settle(pilot: Pilot[None]) -> None:
    app = pilot.app
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
    raise AssertionError("workers did not finish")


def columns(app: HubApp) -> list[str]:
    return [str(c) for c in app.screen.query_one("#return-breakdowns", ReportTable).columns]


def static(app: HubApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_breakdowns_show_a_page_of_interventions_and_page_with_brackets(hub: Path) -> None:
    app = make_hub_app(hub, today=TODAY, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(ReturnViewerScreen("bristol", "2025-26-Q1"))
        await settle(pilot)
        await pilot.press("2")
        assert columns(app) == ["Active young people", "Totals", *(f"I{n:02d}" for n in range(1, 21))]
        assert static(app, "#breakdowns-page") == "interventions 1-20 of 45 · [ ] page"
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert columns(app)[2:] == [f"I{n:02d}" for n in range(41, 46)]
        assert static(app, "#breakdowns-page") == "interventions 41-45 of 45 · [ ] page"
        await pilot.press("right_square_bracket")  # the last page stays
        assert columns(app)[2:] == [f"I{n:02d}" for n in range(41, 46)]
        await pilot.press("left_square_bracket")
        assert columns(app)[2:] == [f"I{n:02d}" for n in range(21, 41)]
        table = app.screen.query_one("#return-breakdowns", ReportTable)
        assert [str(c) for c in table.get_row_at(0)][:3] == ["Age: 0-9", "0", "0"]


async def test_a_long_list_of_changes_is_cut_short_and_says_how_many_more(
        hub: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(return_viewer, "CHANGES_SHOWN", 10)
    app = make_hub_app(hub, today=TODAY, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(ReturnViewerScreen("bristol", "2025-26-Q1"))
        await settle(pilot)
        await pilot.press("4")
        lines = static(app, "#return-changes").splitlines()
        assert lines[0] == "What changed from v1 to v2:"
        assert len(lines) == 1 + 10 + 1
        assert lines[-1] == "  ... and 36 more changes"  # 45 interventions and the totals, one change each
