"""The spoke's Receipts screen and the Export screen's history with the hub's state (issue #13).

A real spoke file with a fixed export record, a real minisign key standing for the
hub's, receipts written by the project's own writer; imported through the screen
at 80x24, then read back from the database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import minisign
from test_tui_export import SIZE, freeze, open_export, settle
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from vrp_tui.app import make_app
from vrp_tui.bundle.receipt import Receipt, write_receipt
from vrp_tui.periods import Period
from vrp_tui.screens.spoke.export import ExportScreen
from vrp_tui.screens.spoke.receipts import ReceiptsScreen
from vrp_tui.screens.spoke.returns import ReturnsScreen
from vrp_tui.spoke.export import EXPORTS_DIR_SETTING
from vrp_tui.spoke.receipts import HUB_KEY_SETTING, import_receipt
from vrp_tui.store import Store

BUNDLE_ID = "9d7e3f1a-0000-4000-8000-000000000001"  # the export record freeze() writes
NOTE = "Spend for MENT01 is missing"


def hub_pair() -> minisign.KeyPair:
    return minisign.KeyPair.generate()


def receipt(state: str = "returned-with-issues", note: str | None = NOTE,
            issued_at: str = "2025-07-20T10:00:00+00:00") -> Receipt:
    return Receipt(spoke="bristol", period="2025-26-Q1", version=1, bundle_id=BUNDLE_ID, bundle_sha256="ab" * 32,
                   received_at="2025-07-05T09:00:00+00:00", state=state, note=note,
                   reviewed_at="2025-07-20T09:59:00+00:00", issued_at=issued_at)


def spoke_with_hub_key(db: Path, pair: minisign.KeyPair, *, key: bool = True) -> None:
    freeze(db, exported=True)
    store = Store(db)
    settings = {EXPORTS_DIR_SETTING: "/srv/vrp/exports"}
    if key:
        settings[HUB_KEY_SETTING] = pair.public_key.to_base64().decode()
    store.set_settings(settings)
    store.close()


def receipt_rows(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT period, version, state, note FROM receipts ORDER BY id").fetchall()
    finally:
        conn.close()


async def open_receipts(pilot: Pilot[None]) -> ReceiptsScreen:
    await open_export(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReceiptsScreen)
    return screen


async def test_import_a_receipt_and_see_the_state_in_receipts_and_export(spoke_db: Path, tmp_path: Path) -> None:
    pair = hub_pair()
    spoke_with_hub_key(spoke_db, pair)
    good = tmp_path / "bristol_2025-26-Q1_v1.vrpr"
    good.write_bytes(write_receipt(receipt(), pair.secret_key))
    forged = tmp_path / "forged.vrpr"
    forged.write_bytes(write_receipt(receipt(state="accepted", note=None), hub_pair().secret_key))
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_receipts(pilot)
        assert app.focused is screen.query_one("#receipt-file", Input)
        await pilot.press(*str(forged), "enter")  # typing a path never triggers a shortcut
        await settle(pilot)
        result = str(screen.query_one("#receipt-result", Static).content)
        assert result.startswith("forged.vrpr: refused: signed by key ")
        assert receipt_rows(spoke_db) == []
        field = screen.query_one("#receipt-file", Input)
        field.value = str(good)
        await pilot.press("enter")
        await settle(pilot)
        assert str(screen.query_one("#receipt-result", Static).content) == (
            f"bristol_2025-26-Q1_v1.vrpr: recorded: bristol 2025-26-Q1 v1 returned with issues: {NOTE}")
        table = screen.query_one("#receipt-states", DataTable)
        assert [str(c) for c in table.get_row_at(0)][:4] == ["2025-26-Q1", "1", "returned with issues", NOTE]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        history = app.screen.query_one("#history", DataTable)
        assert str(history.get_row_at(0)[2]) == f"returned with issues: {NOTE}"
    assert receipt_rows(spoke_db) == [("2025-26-Q1", 1, "returned-with-issues", NOTE)]


async def test_no_hub_key_says_how_to_add_it_then_the_key_is_recorded(spoke_db: Path, tmp_path: Path) -> None:
    pair = hub_pair()
    spoke_with_hub_key(spoke_db, pair, key=False)
    good = tmp_path / "r.vrpr"
    good.write_bytes(write_receipt(receipt(), pair.secret_key))
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_receipts(pilot)
        assert str(screen.query_one("#hub-key", Static).content).startswith("No hub signing key is recorded")
        screen.query_one("#receipt-file", Input).value = str(good)
        await pilot.press("enter")
        await settle(pilot)
        assert "refused: no hub signing key is recorded" in str(screen.query_one("#receipt-result", Static).content)
        screen.query_one("#hub-key-line", Input).value = pair.public_key.to_base64().decode()
        screen.query_one("#hub-key-line", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert str(screen.query_one("#hub-key", Static).content).startswith("Hub signing key ")
        screen.query_one("#receipt-file", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert ": recorded: bristol" in str(screen.query_one("#receipt-result", Static).content)
    assert receipt_rows(spoke_db) == [("2025-26-Q1", 1, "returned-with-issues", NOTE)]


def test_export_screen_shows_returned_with_issues_snapshot(spoke_db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    pair = hub_pair()
    spoke_with_hub_key(spoke_db, pair)
    store = Store(spoke_db)
    from vrp_tui.spoke.receipts import import_receipt

    assert import_receipt(store, write_receipt(receipt(), pair.secret_key), name="r.vrpr").accepted
    store.close()
    app = make_app(spoke_db, cursor_blink=False)

    async def arrive(pilot: Pilot[None]) -> None:
        await open_export(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=arrive)


async def test_first_run_records_the_hubs_signing_key(tmp_path: Path, hub_identity: Any) -> None:
    from test_tui_flows import PASSPHRASE as SPOKE_PASSPHRASE
    from test_tui_flows import choose, error_of, type_into
    from test_tui_flows import settle as flow_settle

    db = tmp_path / "fresh.db"
    line = hub_pair().public_key.to_base64().decode()
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await flow_settle(pilot)
        await choose(pilot, "spoke", "Som")
        await type_into(pilot, "worker", "Sam Coordinator")
        await type_into(pilot, "hub_recipient", str(hub_identity.to_public()))
        await type_into(pilot, "hub_key", "RWnot-a-key")
        await type_into(pilot, "passphrase", SPOKE_PASSPHRASE)
        await type_into(pilot, "confirm", SPOKE_PASSPHRASE)
        await pilot.press("tab")
        await pilot.pause()
        assert error_of(app, "hub_key").startswith("not a minisign public key")
        await type_into(pilot, "hub_key", line)
        await pilot.press("ctrl+s")
        await flow_settle(pilot)
    store = Store(db)
    assert store.spoke == "somerset" and store.setting(HUB_KEY_SETTING) == line
    store.close()


async def test_a_hostile_note_is_shown_literally(spoke_db: Path, tmp_path: Path) -> None:
    pair = hub_pair()
    spoke_with_hub_key(spoke_db, pair)
    note = "[@click=app.quit]Fix[/] [bold]this\ttoo"
    (tmp_path / "r.vrpr").write_bytes(write_receipt(receipt(note=note), pair.secret_key))
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_receipts(pilot)
        screen.query_one("#receipt-file", Input).value = str(tmp_path / "r.vrpr")
        await pilot.press("enter")
        await settle(pilot)
        cell = screen.query_one("#receipt-states", DataTable).get_row_at(0)[3]
        assert "[@click=app.quit]Fix[/] [bold]this" in str(cell) and not cell.spans
        assert app.is_running


def with_receipt(db: Path, sent: Receipt) -> None:
    """``db`` an exported spoke that has imported the hub's receipt ``sent``."""
    pair = hub_pair()
    spoke_with_hub_key(db, pair)
    store = Store(db)
    try:
        assert import_receipt(store, write_receipt(sent, pair.secret_key), name="r.vrpr").accepted
    finally:
        store.close()


async def open_q1_return(pilot: Pilot[None]) -> ReturnsScreen:
    await settle(pilot)
    screen = ReturnsScreen(Period.parse("2025-26-Q1"))
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def versions_row(pilot: Pilot[None], screen: ReturnsScreen) -> list[str]:
    await pilot.press("5")  # the Versions tab
    await settle(pilot)
    return [str(c) for c in screen.query_one("#versions", DataTable).get_row_at(0)]


async def test_the_returns_screen_shows_a_return_the_hub_returned_with_issues(spoke_db: Path) -> None:
    """The hub's state and note beside the version, and prominently under the header with the key to reopen."""
    with_receipt(spoke_db, receipt(note="[/] spend for MENT01 is missing"))
    async with make_app(spoke_db, cursor_blink=False).run_test(size=SIZE) as pilot:
        screen = await open_q1_return(pilot)
        word = screen.query_one("#hub-word", Static)
        assert word.display
        shown = str(word.render())
        assert "The hub returned v1 with issues: [/] spend for MENT01 is missing" in shown
        assert "o reopens it" in shown
        row = await versions_row(pilot, screen)
        assert row[0] == "v1" and row[-1] == "returned with issues: [/] spend for MENT01 is missing"


async def test_the_returns_screen_says_nothing_of_an_accepted_return(spoke_db: Path) -> None:
    with_receipt(spoke_db, receipt(state="accepted", note=None))
    async with make_app(spoke_db, cursor_blink=False).run_test(size=SIZE) as pilot:
        screen = await open_q1_return(pilot)
        assert not screen.query_one("#hub-word", Static).display
        assert (await versions_row(pilot, screen))[-1] == "accepted"


def test_returns_screen_shows_returned_with_issues_snapshot(spoke_db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    """80x24: the hub's note under the header, with the key to reopen."""
    with_receipt(spoke_db, receipt())

    async def arrive(pilot: Pilot[None]) -> None:
        await open_q1_return(pilot)

    assert snap_compare(make_app(spoke_db, cursor_blink=False), terminal_size=SIZE, run_before=arrive)
