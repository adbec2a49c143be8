"""The hub TUI driven by keyboard at 80x24 over a real hub file: inbox, matrix, viewer, review, figures.

Every test checks the database afterwards with its own HubStore. The day is
fixed (``today``) so what is overdue does not depend on when the tests run.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pyrage
import pytest
from hub_bags import HubWorld, SpokeKey, bundle, document, figures, intervention, make_bag
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import WorkerState

from vrp_tui.hub.identity import create_identity
from vrp_tui.hub.review import review_return
from vrp_tui.hub.spoke_keys import enrol_key
from vrp_tui.hub.store import HubStore
from vrp_tui.hub_app import HubApp, make_hub_app
from vrp_tui.screens.hub.main import HubMainScreen
from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen, ReviewNoteScreen
from vrp_tui.screens.hub.setup import HubSetupScreen, PassphraseScreen
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.widgets.report_table import ReportTable

SIZE = (80, 24)
TODAY = date(2025, 11, 1)
PASSPHRASE = "hub tui passphrase"
SPOKE_ORDER = ("bristol", "banes", "north-somerset", "south-glos", "somerset")


def _return(spoke: str, period: str, n: int, version: int = 1, note: str = "A good quarter.") -> dict[str, Any]:
    items = [
        intervention("MENT01", "mentoring", "secondary", referrals=10 + n, starts=8, active=12 + n, contacts=40,
                     hours=30.5, spend=("1000.00", "200.00"), spend_ytd=("1800.00", "350.00"),
                     budget=("5000.00", "1000.00")),
        intervention("SPORT1", "sports-programmes", "primary", referrals=3, starts=3, active=4, contacts=8,
                     hours=6.0, spend=("150.25", "0.00"), spend_ytd=("300.25", "0.00"), budget=("1000.00", "0.00")),
    ]
    totals = figures(referrals=13 + n, starts=11, active=15 + n, contacts=48, hours=36.5,
                     spend=("1150.25", "200.00"), spend_ytd=("2100.25", "350.00"), budget=("6000.00", "1000.00"))
    return document(spoke, period, version, interventions=items, totals=totals, highlights=note)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, HubWorld]:
    """A set-up hub: Q1 from all five spokes (Bristol's corrected to v2), Q2 from four, two reviews."""
    path = tmp_path_factory.mktemp("hub") / "hub.db"
    world = HubWorld(path)
    create_identity(world.store, PASSPHRASE)
    for period, day in (("2025-26-Q1", "2025-07-1"), ("2025-26-Q2", "2025-10-1")):
        for n, spoke in enumerate(SPOKE_ORDER):
            if (spoke, period) != ("somerset", "2025-26-Q2"):
                assert world.receive(world.send(_return(spoke, period, n)),
                                     received_at=f"{day}{n}T09:00:00+00:00").accepted
    review_return(world.store, "banes", "2025-26-Q1", accept=False, note="Spend missing for SPORT1",
                  reviewer="Hub Analyst", at="2025-07-20T10:00:00+00:00")
    review_return(world.store, "north-somerset", "2025-26-Q1", accept=True, reviewer="Hub Analyst",
                  at="2025-07-20T10:00:00+00:00")
    assert world.receive(world.send(_return("bristol", "2025-26-Q1", 0, 2, "Corrected figures.")),
                         received_at="2025-08-20T09:00:00+00:00").accepted
    world.store.close()
    return path, world


@pytest.fixture
def hub(template: tuple[Path, HubWorld], tmp_path: Path) -> tuple[Path, HubWorld]:
    path = tmp_path / "hub.db"
    shutil.copy(template[0], path)
    return path, template[1]


def app_for(path: Path, world: HubWorld | None = None) -> HubApp:
    return make_hub_app(path, today=TODAY, identity=world.identity if world else None, cursor_blink=False)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker is running and the messages they posted are handled."""
    app = pilot.app
    for _ in range(100):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
    raise AssertionError("workers did not finish")


def table_text(app: HubApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable | ReportTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


def static(app: HubApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def reviews(path: Path) -> list[tuple[str, int, str, str]]:
    store = HubStore(path)
    try:
        return [(r["spoke"], r["version"], r["state"], r["note"]) for r in store.query(
            "SELECT b.spoke, b.version, r.state, r.note FROM reviews r JOIN bundles b ON b.id = r.bundle "
            "ORDER BY r.id")]
    finally:
        store.close()


# -- the matrix --------------------------------------------------------------------------------


async def test_the_matrix_shows_each_spoke_and_quarter(hub: tuple[Path, HubWorld]) -> None:
    app = app_for(*hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = table_text(app, "#matrix")
        assert rows[0][:3] == ["Bristol", "v2 on time ·", "v1 on time ·"]
        assert rows[1][1] == "v1 on time !" and rows[2][1] == "v1 on time ✓"
        assert rows[4][1:] == ["v1 on time ·", "overdue", "not due", "not due"]
        assert static(app, "#matrix-detail").startswith(
            "Bristol, 2025/26 Q1 (Apr–Jun 2025): v2 received 2025-08-20, first version 2025-07-10")
        await pilot.press("down", "right")
        assert "Bath and North East Somerset, 2025/26 Q2" in static(app, "#matrix-detail")
        await pilot.press("down", "down", "down")
        assert static(app, "#matrix-detail") == \
            "Somerset, 2025/26 Q2 (Jul–Sep 2025): nothing received; due 2025-10-30 (overdue)."
        await pilot.press("enter")
        assert isinstance(app.screen, HubMainScreen)  # nothing to open
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert static(app, "#matrix-title").startswith("Financial year 2024-25")
        assert table_text(app, "#matrix")[0][1] == "overdue"


# -- the return viewer and review -------------------------------------------------------------------


async def test_the_viewer_shows_figures_narrative_and_what_changed(hub: tuple[Path, HubWorld]) -> None:
    app = app_for(*hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReturnViewerScreen)
        assert static(app, "#return-title") == "Bristol · 2025/26 Q1 (Apr–Jun 2025) · v2 (held) · not reviewed"
        figures_rows = table_text(app, "#return-figures")
        assert [r[0] for r in figures_rows] == ["Totals", "MENT01", "SPORT1"]
        assert figures_rows[0][1:4] == ["13", "11", "15"]
        assert figures_rows[1][-3:] == ["Mentoring", "Secondary", "Intervention MENT01"]
        await pilot.press("3")
        assert "Corrected figures." in static(app, "#return-narrative")
        await pilot.press("4")
        assert [r[0] for r in table_text(app, "#return-versions")] == ["v1", "v2"]
        assert static(app, "#return-changes").splitlines() == [
            "What changed from v1 to v2:",
            "  Narrative, highlights: [-A good quarter.-]{+Corrected figures.+}",
        ]
        await pilot.press("up", "enter")  # show version 1
        await settle(pilot)
        assert "v1 (an earlier version; v2 is held)" in static(app, "#return-title")
        assert static(app, "#return-changes").startswith("v1 is the first version received")
        await pilot.press("escape")
        assert isinstance(app.screen, HubMainScreen)


async def test_accept_and_return_with_issues_from_the_viewer(hub: tuple[Path, HubWorld]) -> None:
    path, _ = hub
    app = app_for(*hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # naming spoke, quarter and version
        assert str(app.screen.query_one(".dialog-title", Label).content) == \
            "Accept Bristol, 2025/26 Q1 (Apr–Jun 2025), version 2?"
        assert len(reviews(path)) == 2  # nothing yet
        await pilot.press("y")
        await settle(pilot)
        assert reviews(path)[-1] == ("bristol", 2, "accepted", "")
        assert static(app, "#return-title").endswith("· accepted")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ReviewNoteScreen)
        await pilot.press("ctrl+s")  # no note: refused beside the field, nothing written
        await pilot.pause()
        assert str(app.screen.query_one("#error-note", Static).content) == "say what the issues are"
        assert len(reviews(path)) == 3
        app.screen.query_one("#f-note", Input).post_message(events.Paste("Hours do not match sessions"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReturnViewerScreen)
        assert reviews(path)[-1] == ("bristol", 2, "issues", "Hours do not match sessions")
        assert static(app, "#return-title").endswith("returned with issues: Hours do not match sessions")
        await pilot.press("escape")
        await settle(pilot)
        assert table_text(app, "#matrix")[0][1] == "v2 on time !"
        assert "returned with issues: Hours do not match sessions" in static(app, "#matrix-detail")


# -- the inbox ------------------------------------------------------------------------------------


async def test_the_inbox_asks_for_the_passphrase_then_imports_a_folder(hub: tuple[Path, HubWorld],
                                                                       tmp_path: Path) -> None:
    path, _ = hub
    store = HubStore(path)
    recipient = store.recipient
    assert recipient
    key = SpokeKey("somerset")
    enrol_key(store, "somerset", key.line)
    store.close()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "somerset_2025-26-Q2_v1.vrpb").write_bytes(bundle(make_bag(_return("somerset", "2025-26-Q2", 4), key),
                                                              recipient))
    (inbox / "x_other_hub.vrpb").write_bytes(bundle(make_bag(_return("somerset", "2025-26-Q3", 4), key),
                                                   pyrage.x25519.Identity.generate().to_public()))
    app = app_for(path)  # no identity in hand: the passphrase is asked for
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        field = app.screen.query_one("#inbox-path", Input)
        assert field.has_focus
        field.post_message(events.Paste(str(inbox)))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassphraseScreen)
        app.screen.query_one("#f-passphrase", Input).post_message(events.Paste("not the passphrase"))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PassphraseScreen)
        assert str(app.screen.query_one("#error-passphrase", Static).content) == \
            "wrong passphrase for the hub identity"
        await pilot.press("end", "ctrl+u")
        app.screen.query_one("#f-passphrase", Input).post_message(events.Paste(PASSPHRASE))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HubMainScreen) and app.identity is not None
        assert table_text(app, "#inbox-results") == [
            ["somerset_2025-26-Q2_v1.vrpb", "imported"],
            ["x_other_hub.vrpb", "rejected: not addressed to this hub: no recipient matches the hub's identity"],
        ]
        assert static(app, "#inbox-status") == "2 files: 1 imported, 1 rejected."
        await pilot.press("tab", "1")  # the path box keeps the focus after an import: leave it first
        await settle(pilot)
        assert table_text(app, "#matrix")[4][2].startswith("v1 late")  # the matrix reloaded (received today)
    store = HubStore(path)
    assert store.query("SELECT count(*) AS n FROM bundles WHERE spoke = 'somerset'")[0]["n"] == 2
    store.close()


async def test_the_inbox_says_what_is_wrong_with_a_path(hub: tuple[Path, HubWorld], tmp_path: Path) -> None:
    path, world = hub
    (tmp_path / "notes.txt").write_text("not a bundle")
    app = app_for(path, world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        field = app.screen.query_one("#inbox-path", Input)
        field.post_message(events.Paste(str(tmp_path / "notes.txt")))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert table_text(app, "#inbox-results") == [["notes.txt", "rejected: not an age file: a bundle is "
                                                                    "age-encrypted (age-encryption.org/v1)"]]
        await pilot.press("ctrl+u")
        field.post_message(events.Paste(str(tmp_path / "nowhere")))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert len(table_text(app, "#inbox-results")) == 1  # refused before anything was read


# -- the consolidated view ----------------------------------------------------------------------------


async def test_the_figures_tab_shows_the_latest_quarter_by_view(hub: tuple[Path, HubWorld]) -> None:
    app = app_for(*hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert static(app, "#figures-title") == \
            "2025/26 Q2 (Jul–Sep 2025) · returns from 4 of 5 spokes (none from Somerset)"
        totals = table_text(app, "#fig-totals")
        assert totals[0] == ["Referrals", "58", "133"]  # Q2: 13+14+15+16; FY: Q1 13+14+15+16+17 = 75, + 58
        await pilot.press("s")
        by_spoke = table_text(app, "#fig-by_spoke")
        assert by_spoke[4][:2] == ["Somerset", "not returned"]
        assert by_spoke[-1][:4] == ["VRP total", "", "58", "44"]
        await pilot.press("a")
        assert [r[0] for r in table_text(app, "#fig-by_approach")] == ["Mentoring", "Sports programmes",
                                                                        "All interventions"]
        await pilot.press("b")
        assert table_text(app, "#fig-spend_vs_budget")[0][1:4] == ["6,000.00", "1,000.00", "2,100.25"]
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert static(app, "#figures-title").startswith("2025/26 Q1 (Apr–Jun 2025) · returns from 5 of 5")
        await pilot.press("r")
        assert [r[:3] for r in table_text(app, "#fig-trend")] == [["2025-26-Q1", "5", "75"]]


async def test_help_lists_the_hub_keys(hub: tuple[Path, HubWorld]) -> None:
    app = app_for(*hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        does = [row[2] for row in table_text(app, "#keys")]
        assert "Return with issues" in does and "Previous quarter" in does and "Clear results" in does
        await pilot.press("escape")
        assert isinstance(app.screen, HubMainScreen)


# -- first run ------------------------------------------------------------------------------------------


async def test_first_run_sets_up_the_hub_and_shows_the_recipient(tmp_path: Path) -> None:
    path = tmp_path / "new-hub.db"
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HubSetupScreen)
        for name, text in (("passphrase", PASSPHRASE), ("confirm", "something else")):
            app.screen.query_one(f"#f-{name}", Input).post_message(events.Paste(text))
            await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert str(app.screen.query_one("#error-confirm", Static).content) == "does not match the passphrase"
        confirm = app.screen.query_one("#f-confirm", Input)
        confirm.value = PASSPHRASE
        await pilot.press("ctrl+s")
        await settle(pilot)
        recipient = static(app, "#recipient")
        assert recipient.startswith("age1")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HubMainScreen)
    store = HubStore(path)
    assert store.recipient == recipient
    store.close()


# -- snapshots --------------------------------------------------------------------------------------


def test_snapshot_matrix(hub: tuple[Path, HubWorld], snap_compare: Any) -> None:
    async def loaded(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(app_for(*hub), terminal_size=SIZE, run_before=loaded)


def test_snapshot_figures(hub: tuple[Path, HubWorld], snap_compare: Any) -> None:
    async def loaded(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)

    assert snap_compare(app_for(*hub), terminal_size=SIZE, run_before=loaded)


def test_snapshot_figures_trend(hub: tuple[Path, HubWorld], snap_compare: Any) -> None:
    async def loaded(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("2", "r")
        await settle(pilot)

    assert snap_compare(app_for(*hub), terminal_size=SIZE, run_before=loaded)
