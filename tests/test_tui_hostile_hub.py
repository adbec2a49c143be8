"""Outside text stays text in the hub TUI (SPEC section 9): a signed bundle whose intervention name
is ``[@click=app.quit]BR-002[/]``, whose ref is ``[/bold]`` and whose narrative holds terminal
escapes is shown literally; clicking the name does nothing; an analyst's note ``[/] done`` is text.

The bundle goes through the real import. Escapes are then written into the stored return with SQL
(the import may refuse them; a database can still hold them): the screens must not trust it either.
"""

from __future__ import annotations

import json
from pathlib import Path

from hub_bags import HubWorld, document, intervention
from rich.text import Text
from test_tui_hub import PASSPHRASE, SIZE, app_for, reviews, settle, static, table_text
from textual.widgets import DataTable, Input

from vrp_tui.hub.identity import create_identity
from vrp_tui.hub.store import HubStore
from vrp_tui.screens.hub.main import HubMainScreen
from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen, ReviewNoteScreen
from vrp_tui.widgets.report_table import ReportTable

QUIT_NAME = "[@click=app.quit]BR-002[/]"
ACCEPT_NAME = "[@click=screen.accept]BR-003[/]"
ESC_NARRATIVE = "Cleared \x1b[2J the screen\x1b]0;pwned\x07 and \x9b31m, \u202eevil"
ESC_SHOWN = "Cleared \u241b[2J the screen\u241b]0;pwned\u2407 and <U+009B>31m, <U+202E>evil"


def hostile_hub(path: Path) -> HubWorld:
    world = HubWorld(path)
    create_identity(world.store, PASSPHRASE)
    items = [intervention("[/bold]", referrals=3, starts=2, active=4),
             intervention("BR2", referrals=1, starts=1, active=1),
             intervention("BR3", referrals=1, starts=1, active=1)]
    items[0]["name"] = "[bold]Bold[/bold] claims"
    items[1]["name"] = QUIT_NAME
    items[2]["name"] = ACCEPT_NAME
    totals = {k: v for k, v in items[0].items() if k not in ("ref", "name", "approach", "prevention_level",
                                                              "setting")}
    doc = document("bristol", "2025-26-Q1", interventions=items, totals=totals,
                   highlights="[@click=app.quit]Press here[/] and [/]")
    assert world.receive(world.send(doc), name="[red]bristol[/red].vrpb",
                         received_at="2025-07-10T09:00:00+00:00").accepted
    _write_escapes(world.store)
    world.store.close()
    return world


def _write_escapes(store: HubStore) -> None:
    """Put terminal controls into the stored return (narrative and a name), past the kept-as-received rule."""
    trigger = store.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'bundles_no_update'").fetchone()[0]
    doc = json.loads(store.conn.execute("SELECT document FROM bundles").fetchone()[0])
    doc["narrative"]["challenges"] = ESC_NARRATIVE
    doc["interventions"][0]["name"] = "Bold \x1b[2J claims"
    with store.conn:
        store.conn.execute("DROP TRIGGER bundles_no_update")
        store.conn.execute("UPDATE bundles SET document = ?", (json.dumps(doc),))
        store.conn.execute(trigger)


def click_meta(table: ReportTable) -> list[dict[str, object]]:
    """The meta of every segment the table draws on screen: where a ``@click`` action would hide."""
    return [dict(seg.style.meta) for y in range(table.size.height) for seg in table.render_line(y)
            if seg.style and seg.style.meta]


async def test_a_hostile_bundle_shows_literally_and_clicks_do_nothing(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    world = hostile_hub(path)
    app = app_for(path, world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_text(app, "#matrix")[0][1] == "v1 on time ·"
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReturnViewerScreen)

        figures = screen.query_one("#return-figures", ReportTable)
        rows = table_text(app, "#return-figures")
        assert [r[0] for r in rows] == ["Totals", "[/bold]", "BR2", "BR3"]  # `[/bold]` crashed the viewer
        assert [r[-1] for r in rows] == ["", "Bold \u241b[2J claims", QUIT_NAME, ACCEPT_NAME]
        figures.focus()
        figures.action_column(len(figures.columns))  # the names (the last column) into view
        await pilot.pause()
        shown = [s.text for s in figures.render_line(3)]
        assert QUIT_NAME in "".join(shown)
        assert all("@click" not in meta for meta in click_meta(figures))

        # a click on each name: nothing runs, the app stays, no review is recorded
        name_x = figures.widths[0] + sum(figures.widths[1:-1]) - int(figures.scroll_x) + 2
        for row in (2, 3):
            assert await pilot.click(figures, offset=(name_x, row + 1 - int(figures.scroll_y)))
            await settle(pilot)
            assert app.is_running and app.screen is screen
        assert reviews(path) == []

        await pilot.press("2")  # breakdowns: a column per intervention, headed by its ref
        labels = [str(c) for c in screen.query_one("#return-breakdowns", ReportTable).columns]
        assert labels == ["Active young people", "Totals", "[/bold]", "BR2", "BR3"]

        await pilot.press("3")
        narrative = static(app, "#return-narrative")
        assert "[@click=app.quit]Press here[/] and [/]" in narrative
        assert ESC_SHOWN in narrative
        assert "\x1b" not in narrative and "\x9b" not in narrative and "\u202e" not in narrative

        await pilot.press("4")
        assert table_text(app, "#return-versions")[0][2] == "[red]bristol[/red].vrpb"

        # the analyst's own note, with markup in it, is text in the title and in the matrix
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ReviewNoteScreen)
        app.screen.query_one("#f-note", Input).value = "[/] done"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert static(app, "#return-title").endswith("· returned with issues: [/] done")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HubMainScreen) and app.is_running
        assert static(app, "#matrix-detail").endswith("returned with issues: [/] done. Enter opens it.")
    assert [(r[2], r[3]) for r in reviews(path)] == [("issues", "[/] done")]


async def test_the_inbox_shows_a_hostile_file_name_and_path_literally(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    world = hostile_hub(path)
    inbox = tmp_path / "inbox [@click=app.quit]x"
    inbox.mkdir()
    (inbox / "[red]evil [@click=app.quit]\x1b[2J.vrpb").write_bytes(b"not a bundle")
    app = app_for(path, world)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        app.screen.query_one("#inbox-path", Input).value = str(inbox)
        await pilot.press("enter")
        await settle(pilot)
        assert table_text(app, "#inbox-results") == [
            ["[red]evil [@click=app.quit]\u241b[2J.vrpb", "rejected: not an age file: a bundle is age-encrypted "
                                             "(age-encryption.org/v1)"]]
        name = app.screen.query_one("#inbox-results", DataTable).get_row_at(0)[0]
        assert isinstance(name, Text) and not name.spans  # a str cell would be read as markup
        field = app.screen.query_one("#inbox-path", Input)
        field.value = str(inbox / "[/] missing\x1b[2J")
        field.focus()
        await pilot.press("enter")
        await settle(pilot)  # refused with the path in the notification: shown, not parsed
        shown = [n.message for n in app._notifications]
        assert any("[/] missing\u241b[2J" in m and "\x1b" not in m for m in shown), shown
        assert app.is_running
