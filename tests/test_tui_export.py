"""The Export and Keys screens, driven by keyboard at 80x24 over a real spoke file."""

from __future__ import annotations

import json
from pathlib import Path

import pyrage
from bundle_samples import document
from conftest import PASSPHRASE
from textual.pilot import Pilot
from textual.widgets import DataTable, DirectoryTree, Input, Select, Static
from textual.worker import WorkerState

from vrp_tui.app import VrpApp, make_app
from vrp_tui.bundle import EnrolledKey, read_bundle
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.spoke.export import ExportScreen, FolderPicker
from vrp_tui.screens.spoke.keys import ChangePassphraseScreen, KeysScreen, PassphraseScreen, RecipientScreen
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.spoke.export import EXPORTS_DIR_SETTING
from vrp_tui.spoke.setup import list_keys, unlock_signing_key
from vrp_tui.store import Store

SIZE = (80, 24)
SIGNED_OFF_AT = "2025-07-03T09:05:00+00:00"


def freeze(db: Path, period: str = "2025-26-Q1", *, exported: bool = False) -> None:
    """A signed-off version 1 of ``period`` with fixed times (and, if asked, a fixed export record)."""
    store = Store(db)
    doc = document(period=period)
    store.conn.execute(
        "INSERT INTO return_versions (period, version, status, document, signed_off_by, signed_off_at) "
        "VALUES (?, 1, 'signed-off', ?, 'Amy Tester', ?)", [period, json.dumps(doc), SIGNED_OFF_AT])
    if exported:
        store.conn.execute(
            "INSERT INTO bundle_exports (period, version, bundle_id, supersedes, path, sha256, size, key_id, "
            "exported_at, exported_by) VALUES (?, 1, '9d7e3f1a-0000-4000-8000-000000000001', NULL, ?, ?, 2048, "
            "'0123456789ABCDEF', '2025-07-04T10:30:00+00:00', 'Amy Tester')",
            [period, f"/srv/vrp/exports/bristol_{period}_v1.vrpb", "ab" * 32])
        store.conn.execute("UPDATE return_versions SET status = 'exported', exported_at = ? WHERE period = ?",
                           ["2025-07-04T10:30:00+00:00", period])
    store.close()


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker is running and their messages are handled.

    A folder tree's loader waits for work for as long as the tree is shown: it is not waited for.
    """
    for _ in range(500):
        await pilot.pause(0.01)
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) and not isinstance(w.node, DirectoryTree)
                   for w in pilot.app.workers):
            await pilot.pause()
            return
    raise AssertionError("workers did not finish")


async def open_export(pilot: Pilot[None]) -> ExportScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen)
    await pilot.press("x")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    return screen


def result_text(app: VrpApp) -> str:
    return str(app.screen.query_one("#result", Static).content)


async def set_folder(pilot: Pilot[None], folder: Path) -> None:
    field = pilot.app.screen.query_one("#folder", Input)
    field.value = str(folder)
    await pilot.pause()


async def type_passphrase(pilot: Pilot[None], passphrase: str) -> None:
    assert isinstance(pilot.app.screen, PassphraseScreen)
    pilot.app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")
    await settle(pilot)


# -- exporting ------------------------------------------------------------------------


async def test_export_asks_the_passphrase_then_shows_path_id_and_sha256(
        spoke_db: Path, tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> None:
    freeze(spoke_db)
    out = tmp_path / "usb"
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        assert screen.query_one("#period", Select).value == "2025-26-Q1"
        await set_folder(pilot, out)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PassphraseScreen)
        assert not out.exists()  # nothing is written before the passphrase

        await type_passphrase(pilot, PASSPHRASE)
        assert isinstance(app.screen, ExportScreen)
        path = out / "bristol_2025-26-Q1_v1.vrpb"
        assert path.is_file()
        store = Store(spoke_db)
        (record,) = store.query("SELECT * FROM bundle_exports")
        enrolled = {k.key_id: EnrolledKey("bristol", k.public_key, False) for k in list_keys(store)}
        assert store.setting(EXPORTS_DIR_SETTING) == str(out)  # the folder is remembered
        store.close()
        assert result_text(app) == (f"Written  {path}\nBundle   {record['bundle_id']}\n"
                                    f"SHA-256  {record['sha256']}")
        bundle = read_bundle(path.read_bytes(), hub_identity, enrolled.get)
        assert bundle.bundle_id == record["bundle_id"]
        history = app.screen.query_one("#history", DataTable)
        assert history.row_count == 1
        assert [str(c) for c in history.get_row_at(0)[:2]] == ["2025-26-Q1", "1"]


async def test_a_wrong_passphrase_says_so_and_writes_nothing(spoke_db: Path, tmp_path: Path) -> None:
    freeze(spoke_db)
    out = tmp_path / "usb"
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(pilot)
        await set_folder(pilot, out)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_passphrase(pilot, "not the passphrase")
        assert isinstance(app.screen, ExportScreen)
        assert result_text(app) == "Wrong passphrase for the spoke's secret key.\nNothing was written."
        assert app.screen.query_one("#result").has_class("-error")
        assert not out.exists()

        await pilot.press("ctrl+s")  # and again, with the right one
        await settle(pilot)
        await type_passphrase(pilot, PASSPHRASE)
        assert result_text(app).startswith(f"Written  {out / 'bristol_2025-26-Q1_v1.vrpb'}")


async def test_cancelling_the_passphrase_writes_nothing(spoke_db: Path, tmp_path: Path) -> None:
    freeze(spoke_db)
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(pilot)
        await set_folder(pilot, tmp_path / "usb")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert result_text(app) == "Export cancelled: nothing was written."
        assert not (tmp_path / "usb").exists()


async def test_no_hub_recipient_is_refused_before_the_passphrase(spoke_db: Path, tmp_path: Path) -> None:
    freeze(spoke_db)
    store = Store(spoke_db)
    store.conn.execute("DELETE FROM settings WHERE key = 'hub_recipient'")
    store.close()
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(pilot)
        await set_folder(pilot, tmp_path / "usb")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert result_text(app).startswith("No hub recipient is set")


async def test_nothing_signed_off_yet(spoke_db: Path) -> None:
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        assert screen.query_one("#period", Select).is_blank()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert result_text(app) == "Choose a signed-off return first."


async def test_the_folder_picker_fills_the_folder(spoke_db: Path, tmp_path: Path) -> None:
    freeze(spoke_db)
    (tmp_path / "usb").mkdir()
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_export(pilot)
        await set_folder(pilot, tmp_path / "usb" / "not-yet")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, FolderPicker)
        assert app.screen.start == tmp_path / "usb"  # the nearest folder that exists
        await pilot.press("backspace")  # up to tmp_path
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one("#folder", Input).value == str(tmp_path)


def test_export_screen_snapshot(spoke_db: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    freeze(spoke_db, exported=True)
    store = Store(spoke_db)
    store.set_settings({EXPORTS_DIR_SETTING: "/srv/vrp/exports"})
    store.close()
    app = make_app(spoke_db, cursor_blink=False)

    async def arrive(pilot: Pilot[None]) -> None:
        await open_export(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=arrive)


# -- keys ------------------------------------------------------------------------------


async def open_keys(pilot: Pilot[None]) -> KeysScreen:
    await settle(pilot)
    await pilot.press("k")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, KeysScreen)
    return screen


async def test_keys_screen_shows_the_public_key_and_fingerprint(spoke_db: Path) -> None:
    store = Store(spoke_db)
    (key,) = list_keys(store)
    store.close()
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_keys(pilot)
        shown = str(screen.query_one("#key-in-use", Static).content)
        assert f"Fingerprint  {key.key_id}" in shown
        assert f"Public key   {key.line}" in shown
        assert screen.query_one("#retired", DataTable).get_row_at(0)[0].plain == "none"


async def test_rotating_from_the_keys_screen_lists_the_old_key(spoke_db: Path) -> None:
    store = Store(spoke_db)
    (old,) = list_keys(store)
    store.close()
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_keys(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        await type_passphrase(pilot, PASSPHRASE)
        assert app.screen is screen
        retired = screen.query_one("#retired", DataTable)
        assert retired.get_row_at(0)[0].plain == old.key_id
        assert old.key_id not in str(screen.query_one("#key-in-use", Static).content)


async def test_changing_the_passphrase_from_the_keys_screen(spoke_db: Path) -> None:
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_keys(pilot)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ChangePassphraseScreen)
        for name, value in (("current", "not the passphrase"), ("new", "a new passphrase"),
                            ("confirm", "a new passphrase")):
            form.query_one(f"#f-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "wrong passphrase" in str(form.query_one("#error-current", Static).content)
        form.query_one("#f-current", Input).value = PASSPHRASE
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, KeysScreen)
    store = Store(spoke_db)
    unlock_signing_key(store, "a new passphrase")
    store.close()


async def test_setting_the_hub_recipient_from_the_keys_screen(spoke_db: Path) -> None:
    new = str(pyrage.x25519.Identity.generate().to_public())
    app = make_app(spoke_db, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_keys(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, RecipientScreen)
        app.screen.query_one("#f-hub_recipient", Input).value = new
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert str(screen.query_one("#recipient", Static).content) == new
    store = Store(spoke_db)
    assert store.setting("hub_recipient") == new
    store.close()
