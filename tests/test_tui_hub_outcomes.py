"""Outcome measures in the hub TUI at 80x24 over a real hub file: the return viewer's Outcomes tab
(per intervention and instrument; "not recorded" for a return made before outcomes were kept) and
the Figures tab's outcome tables (by spoke, by approach, by prevention level; quarter and year to date).

Bristol's Q1 return carries outcomes; BaNES's is from before outcomes were kept. The view tests
of the Figures tab are given fixture tables of the shape the hub's report builds (``Table``s named
``outcomes...``); one test reads the hub's own tables.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hub_bags import HubWorld, document, figures, intervention
from test_tui_hub import settle, static, table_text
from textual.pilot import Pilot

from vrp_tui.hub.consolidate import consolidate
from vrp_tui.hub.identity import create_identity
from vrp_tui.hub.intake import import_bundle
from vrp_tui.hub.store import HubStore
from vrp_tui.hub.tables import Table
from vrp_tui.hub_app import HubApp, make_hub_app
from vrp_tui.periods import Period
from vrp_tui.reference import INSTRUMENT, INSTRUMENTS, SPOKES
from vrp_tui.screens.hub import figures as figures_screen
from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen
from vrp_tui.widgets.report_table import ReportTable

SIZE = (80, 24)
TODAY = date(2025, 11, 1)


def outcomes(**measured: tuple[int, int, int, int, int, str, str | None]) -> dict[str, Any]:
    """Every instrument, zeros included; ``measured`` gives (measured, paired, improved, unchanged,
    worsened, change_sum, mean_change) for some."""
    out: dict[str, Any] = {}
    for slug in INSTRUMENTS:
        m, p, i, u, w, s, mean = measured.get(slug.replace("-", "_"), (0, 0, 0, 0, 0, "0.0", None))
        out[slug] = {"measured": m, "paired": p, "improved": i, "unchanged": u, "worsened": w,
                     "change_sum": float(s), "mean_change": None if mean is None else float(mean)}
    return out


# MENT01: six measured with SDQ, four paired: three better, one worse; changes +4, +3, +4, -2 = 9,
# mean 9 / 4 = 2.25, half-up 2.3. SPORT1: goal-based, two paired, +3 and 0: sum 3, mean 1.5.
MENT01 = outcomes(sdq_total=(6, 4, 3, 0, 1, "9.0", "2.3"))
SPORT1 = outcomes(goal_based=(3, 2, 1, 1, 0, "3.0", "1.5"))
TOTALS = outcomes(sdq_total=(6, 4, 3, 0, 1, "9.0", "2.3"), goal_based=(3, 2, 1, 1, 0, "3.0", "1.5"))


def _return(spoke: str) -> dict[str, Any]:
    items = [intervention("MENT01", "mentoring", "secondary", referrals=10, active=12, contacts=40, hours=30.5),
             intervention("SPORT1", "sports-programmes", "primary", referrals=3, active=4, contacts=8, hours=6.0)]
    return document(spoke, "2025-26-Q1", 1, interventions=items,
                    totals=figures(referrals=13, active=16, contacts=48, hours=36.5))


def with_outcomes(doc: dict[str, Any]) -> dict[str, Any]:
    doc["totals"]["outcomes"] = TOTALS
    for item, measured in zip(doc["interventions"], (MENT01, SPORT1), strict=True):
        item["outcomes"] = measured
    return doc


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, HubWorld]:
    """Bristol's Q1 with outcomes, BaNES's without (a return from before outcomes were kept), both
    imported as real signed bundles through the hub's whole intake."""
    path = tmp_path_factory.mktemp("hub") / "hub.db"
    world = HubWorld(path)
    create_identity(world.store, "hub outcomes passphrase")
    for n, doc in enumerate((with_outcomes(_return("bristol")), _return("banes"))):
        assert world.receive(world.send(doc), received_at=f"2025-07-1{n}T09:00:00+00:00").accepted
    world.store.close()
    return path, world


@pytest.fixture
def hub(template: tuple[Path, HubWorld], tmp_path: Path) -> Path:
    path = tmp_path / "hub.db"
    shutil.copy(template[0], path)
    return path


def app_for(path: Path) -> HubApp:
    return make_hub_app(path, today=TODAY, cursor_blink=False)


async def test_the_viewer_shows_outcomes_by_intervention_and_instrument(hub: Path) -> None:
    app = app_for(hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReturnViewerScreen)
        assert app.screen.spoke == "bristol"
        await pilot.press("5")
        assert table_text(app, "#return-outcomes") == [
            ["Totals", "sdq-total", "6", "4", "3", "0", "1", "+2.3"],
            ["", "goal-based", "3", "2", "1", "1", "0", "+1.5"],
            ["MENT01", "sdq-total", "6", "4", "3", "0", "1", "+2.3"],
            ["SPORT1", "goal-based", "3", "2", "1", "1", "0", "+1.5"],
        ]
        assert static(app, "#return-outcomes-note").startswith("Paired: a baseline and a follow-up")
        assert app.screen.query_one("#return-outcomes", ReportTable).has_focus


async def test_a_return_without_outcomes_says_not_recorded_not_zeros(hub: Path) -> None:
    app = app_for(hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReturnViewerScreen)
        assert app.screen.spoke == "banes"
        await pilot.press("5")
        rows = table_text(app, "#return-outcomes")
        assert rows == [[ref, "not recorded", "", "", "", "", "", ""] for ref in ("Totals", "MENT01", "SPORT1")]
        assert static(app, "#return-outcomes-note") == (
            "Outcomes not recorded: this return was made before outcome measures were kept.")


async def test_an_intervention_with_no_one_measured_shows_zeros_and_no_mean(
        template: tuple[Path, HubWorld], hub: Path) -> None:
    world = template[1]
    doc = with_outcomes(_return("bristol"))
    doc["version"] = 2
    doc["interventions"][1]["outcomes"] = outcomes()
    store = HubStore(hub)
    assert import_bundle(store, world.send(doc), world.identity, name="b.vrpb").accepted
    store.close()
    app = app_for(hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("5")
        assert table_text(app, "#return-outcomes")[-1] == ["SPORT1", "none measured", "0", "0", "0", "0", "0", ""]


# -- the consolidated figures: fixture tables of the report's shape -----------------------------------


def fixture_tables() -> list[Table]:
    """Outcome tables of the shape hub/tables.py gives (quarter, then financial year to date; by spoke,
    approach and level; instruments by label): Bristol's figures above, BaNES's return without them."""
    counts = {"sdq-total": (6, 4, 3, 0, 1, "9.0", "2.3"), "goal-based": (3, 2, 1, 1, 0, "3.0", "1.5")}

    def line(label: str, slug: str) -> list[Any]:
        *numbers, change_sum, mean = counts[slug]
        return [label, INSTRUMENT[slug], *numbers, Decimal(change_sum), Decimal(mean)]

    def not_there(label: str, slug: str, why: str) -> list[Any]:
        return [label, INSTRUMENT[slug], why, *([None] * 6)]

    by_spoke = [row for slug in counts for row in (
        line("Bristol", slug), not_there("Bath and North East Somerset", slug, "not recorded"),
        *(not_there(SPOKES[s].name, slug, "not returned") for s in ("north-somerset", "south-glos", "somerset")),
        line("VRP total", slug))]
    by_approach = [line("Mentoring", "sdq-total"), line("All interventions", "sdq-total"),
                   line("Sports programmes", "goal-based"), line("All interventions", "goal-based")]
    by_level = [line("Secondary", "sdq-total"), line("All interventions", "sdq-total"),
                line("Primary", "goal-based"), line("All interventions", "goal-based")]
    tables = []
    for ytd, span in ((False, "2025-26-Q1"), (True, "FY to date")):
        for name, title, kind, rows in (("by_spoke", "by spoke", "Spoke", by_spoke),
                                        ("by_approach", "by approach", "Approach", by_approach),
                                        ("by_prevention_level", "by level", "Level", by_level)):
            tables.append(Table(f"outcomes_{'ytd_' if ytd else ''}{name}", f"Outcomes {'FYTD ' if ytd else ''}{title}",
                                [kind, "Instrument", "Measured", "Paired", "Improved", "Unchanged", "Worsened",
                                 f"Change sum, {span}", f"Mean change, {span}"], rows))
    return tables


@pytest.fixture
def outcome_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Figures tab given the fixture outcome tables in place of any the hub builds."""
    real = figures_screen.build_tables

    def with_fixture(*args: Any, **kwargs: Any) -> list[Table]:
        return [t for t in real(*args, **kwargs) if not t.name.startswith("outcomes")] + fixture_tables()

    monkeypatch.setattr(figures_screen, "build_tables", with_fixture)


async def test_the_figures_tab_shows_each_outcome_table_in_turn(hub: Path, outcome_tables: None) -> None:
    app = app_for(hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("o")
        assert static(app, "#fig-outcomes-which") == "Outcomes by spoke · 2025-26-Q1 · o: next (1 of 6)"
        rows = table_text(app, "#fig-outcomes")
        assert rows[0] == ["Bristol", "sdq-total", "6", "4", "3", "0", "1", "9.0", "2.3"]  # slugs: room at 80
        assert rows[1][:3] == ["BaNES", "sdq-total", "not recorded"]
        assert rows[5] == ["VRP total", "sdq-total", "6", "4", "3", "0", "1", "9.0", "2.3"]
        await pilot.press("o")
        assert static(app, "#fig-outcomes-which") == "Outcomes by approach · 2025-26-Q1 · o: next (2 of 6)"
        assert [r[:2] for r in table_text(app, "#fig-outcomes")] == [
            ["Mentoring", "sdq-total"], ["All interventions", "sdq-total"],
            ["Sports programmes", "goal-based"], ["All interventions", "goal-based"]]
        await pilot.press("o", "o")
        assert static(app, "#fig-outcomes-which") == "Outcomes FYTD by spoke · FY to date · o: next (4 of 6)"
        await pilot.press("o", "o", "o")  # round to the quarter by spoke again
        assert static(app, "#fig-outcomes-which").startswith("Outcomes by spoke")
        await pilot.press("t", "o")  # from another view, o shows the table it showed last
        assert static(app, "#fig-outcomes-which").startswith("Outcomes by spoke")


async def test_the_figures_tab_says_when_it_has_no_outcome_tables(hub: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = figures_screen.build_tables
    monkeypatch.setattr(figures_screen, "build_tables",
                        lambda *a, **k: [t for t in real(*a, **k) if not t.name.startswith("outcomes")])
    app = app_for(hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("o")
        assert static(app, "#fig-outcomes-which") == "No outcome figures for this quarter."
        assert app.screen.query_one("#fig-outcomes", ReportTable).row_count == 0


def test_snapshot_outcomes_by_approach(hub: Path, outcome_tables: None, snap_compare: Any) -> None:
    async def by_approach(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("o", "o")
        await settle(pilot)

    assert snap_compare(app_for(hub), terminal_size=SIZE, run_before=by_approach)


async def test_the_figures_tab_shows_the_hubs_own_outcome_tables(hub: Path) -> None:
    """The outcome tables the hub builds from the returns held: Bristol's counts as returned, BaNES's return from before outcomes "not recorded", the three
    spokes with no return "not returned", and the VRP total Bristol's alone."""
    store = HubStore(hub)
    try:
        built = figures_screen.build_tables(consolidate(store, Period.parse("2025-26-Q1")))
    finally:
        store.close()
    assert [t.name for t in built if t.name.startswith("outcomes")] == [
        "outcomes_by_spoke", "outcomes_by_approach", "outcomes_by_prevention_level",
        "outcomes_ytd_by_spoke", "outcomes_ytd_by_approach", "outcomes_ytd_by_prevention_level", "outcomes_trend"]
    app = app_for(hub)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("o")
        assert static(app, "#fig-outcomes-which").startswith("Outcomes by spoke · 2025-26-Q1")
        rows = table_text(app, "#fig-outcomes")
        sdq = [r for r in rows if r[1] == "sdq-total"]
        assert sdq[0] == ["Bristol", "sdq-total", "6", "4", "3", "0", "1", "9.0", "2.3"]
        assert sdq[1][:3] == ["BaNES", "sdq-total", "not recorded"]
        assert [r[2] for r in sdq[2:5]] == ["not returned"] * 3
        assert sdq[-1] == ["VRP total", "sdq-total", "6", "4", "3", "0", "1", "9.0", "2.3"]
        goal = [r for r in rows if r[1] == "goal-based"]
        assert goal[0] == ["Bristol", "goal-based", "3", "2", "1", "1", "0", "3.0", "1.5"]
        await pilot.press("o")
        assert static(app, "#fig-outcomes-which").startswith("Outcomes by approach · 2025-26-Q1")
        rows = table_text(app, "#fig-outcomes")
        assert ["Mentoring", "sdq-total", "6", "4", "3", "0", "1", "9.0", "2.3"] in rows
        assert ["Sports programmes", "goal-based", "3", "2", "1", "1", "0", "3.0", "1.5"] in rows
