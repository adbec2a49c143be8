"""The hub TUI closes the loop: aimed reviews, receipts, enrolling and revoking keys (issue #13).

Driven by keyboard at 80x24 over a real hub file (the set-up hub of test_tui_hub);
each test checks the database, or the file written, afterwards.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from hub_bags import HubWorld, SpokeKey
from test_tui_hub import PASSPHRASE, app_for, hub, reviews, settle, static, table_text, template
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, TabbedContent

from vrp_tui.bundle import signing
from vrp_tui.hub.identity import signing_key_line
from vrp_tui.hub.store import HubStore
from vrp_tui.screens.hub.keys import EnrolScreen
from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen
from vrp_tui.screens.hub.review import ReceiptScreen
from vrp_tui.screens.shared.confirm import ConfirmScreen

__all__ = ["hub", "template"]  # the fixtures, shared with test_tui_hub


def paste(app: Any, selector: str, text: str) -> None:
    app.screen.query_one(selector, Input).post_message(events.Paste(text))


async def test_a_review_applies_to_the_version_on_screen_or_is_refused(hub: tuple[Path, HubWorld]) -> None:
    path, _ = hub
    app = app_for(*hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Bristol Q1: v2 held
        await settle(pilot)
        await pilot.press("4", "up", "enter")  # show version 1
        await settle(pilot)
        assert "v1 (an earlier version; v2 is held)" in static(app, "#return-title")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert str(app.screen.query_one(".dialog-title", Label).content) == \
            "Accept Bristol, 2025/26 Q1 (Apr–Jun 2025), version 1?"
        await pilot.press("n")  # no: nothing recorded
        await settle(pilot)
        assert len(reviews(path)) == 2
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")  # yes, but v1 is not the latest: refused, nothing recorded
        await settle(pilot)
        assert len(reviews(path)) == 2
        assert isinstance(app.screen, ReturnViewerScreen)
        assert "v1 (an earlier version; v2 is held)" in static(app, "#return-title")  # the view stays
        shown = [str(n.message) for n in app._notifications]
        assert any("version 1 of bristol 2025-26-Q1 is not the latest held (version 2 is)" in m for m in shown)


async def test_r_in_the_viewer_writes_the_receipt_into_the_chosen_folder(
        hub: tuple[Path, HubWorld], tmp_path: Path) -> None:
    path, _ = hub
    out = tmp_path / "to-spokes"
    app = app_for(*hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # BaNES Q1: v1, returned with issues
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert app.screen.query_one("#f-folder", Input).value == "exports"  # the default
        app.screen.query_one("#f-folder", Input).value = ""
        paste(app, "#f-folder", str(out))
        paste(app, "#f-passphrase", PASSPHRASE)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReturnViewerScreen)
    receipt = out / "banes_2025-26-Q1_v1.vrpr"
    body = zipfile.ZipFile(receipt).read("receipt.json").decode()
    assert '"state": "returned-with-issues"' in body and '"note": "Spend missing for SPORT1"' in body
    with HubStore(path) as store:
        assert store.folder("receipts_folder") == str(out)  # kept for next time


async def test_the_keys_tab_shows_the_hubs_lines_enrols_and_revokes(
        hub: tuple[Path, HubWorld], tmp_path: Path) -> None:
    path, _ = hub
    with HubStore(path) as store:
        recipient, line = store.recipient, signing_key_line(store)
    assert recipient and line
    newcomer = SpokeKey("somerset")
    pub = tmp_path / "somerset.pub"
    pub.write_text(newcomer.public_key + "\n")
    app = app_for(*hub)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert static(app, "#hub-identity").splitlines() == [
            "Recipient, for vrp init --hub-recipient", recipient,
            "Signing key, for vrp init --hub-key (receipts)", line]
        before = table_text(app, "#keys")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EnrolScreen)
        app.screen.query_one("#f-spoke", Select).value = "somerset"
        paste(app, "#f-key", "RWnot a key")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EnrolScreen)  # refused beside the field
        assert str(app.screen.query_one("#error-key").content).startswith("not a minisign public key")
        app.screen.query_one("#f-key", Input).value = ""
        paste(app, "#f-key", str(pub))  # a .pub file by its path
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = table_text(app, "#keys")
        assert len(rows) == len(before) + 1
        key_id = signing.key_id(newcomer.public_key)
        row = next(n for n, r in enumerate(rows) if r[1] == key_id)
        assert rows[row][:3] == ["Somerset", key_id, "valid"]
        await pilot.press("home", *(["down"] * row), "x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert str(app.screen.query_one(".dialog-title", Label).content) == f"Revoke Somerset's key {key_id}?"
        await pilot.press("y")
        await settle(pilot)
        assert table_text(app, "#keys")[row][:3] == ["Somerset", key_id, "revoked"]
    with HubStore(path) as store:
        assert store.query("SELECT revoked_at IS NOT NULL AS r FROM enrolled_keys WHERE key_id = ?",
                           [key_id]) == [{"r": 1}]


async def test_the_inbox_path_box_keeps_focus_and_the_status_ends_in_the_outcome(
        hub: tuple[Path, HubWorld], tmp_path: Path) -> None:
    path, world = hub
    long_name = "a_file_with_a_long_name_" + "x" * 60 + ".vrpb"
    (tmp_path / long_name).write_text("not a bundle")
    app = app_for(path, world)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        field = app.screen.query_one("#inbox-path", Input)
        assert field.has_focus
        await pilot.press(*str(tmp_path / "nowhere1"), "enter")  # typed: the digit is text, not a tab key
        await settle(pilot)
        assert field.value == str(tmp_path / "nowhere1")
        assert static(app, "#inbox-status") == f"Nothing imported: no such file or folder: {tmp_path / 'nowhere1'}."
        assert field.has_focus
        field.value = str(tmp_path / long_name)
        await pilot.press("enter")
        await settle(pilot)
        assert static(app, "#inbox-status") == "1 file: 0 imported, 1 rejected."
        assert field.has_focus  # still in the path box after an import
        detail = static(app, "#inbox-detail")
        assert detail == (f"{long_name}: rejected: not an age file: a bundle is age-encrypted "
                          "(age-encryption.org/v1)")
        shown = app.screen.query_one("#inbox-detail").size
        assert shown.height >= 2 and shown.width <= 80  # wrapped, not cut
        before = field.value
        await pilot.press("1")  # typed into the box: the tab does not change
        assert len(field.value) == len(before) + 1 and field.value.count("1") == before.count("1") + 1
        assert app.screen.query_one("#hub-tabs", TabbedContent).active == "tab-inbox"


async def test_the_figures_tab_exports_the_report_as_xlsx_into_a_folder(
        hub: tuple[Path, HubWorld], tmp_path: Path) -> None:
    import openpyxl

    from vrp_tui.screens.hub.report_export import ReportExportScreen

    path, _ = hub
    out = tmp_path / "reports"
    app = app_for(*hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("left_square_bracket")  # Q1: five returns, one accepted
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ReportExportScreen)
        form = app.screen
        assert form.query_one("#f-folder", Input).value == "exports"
        form.query_one("#f-folder", Input).value = str(out)
        form.query_one("#f-accepted_only").value = True  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReportExportScreen)
    written = out / "vrp_2025-26-Q1_internal.xlsx"
    book = openpyxl.load_workbook(written)
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    # Only North Somerset's return for Q1 is accepted (Bristol's v2 and the others are not reviewed).
    assert about["Review states"] == "North Somerset v1 accepted"
    assert about["Returns included"] == "North Somerset v1"
    with HubStore(path) as store:
        assert store.folder("reports_folder") == str(out)


async def test_the_viewer_shows_the_spokes_validation_warnings(tmp_path: Path) -> None:
    from hub_bags import document

    from vrp_tui.hub.identity import create_identity

    world = HubWorld(tmp_path / "hub.db", spokes=("bristol",))
    create_identity(world.store, PASSPHRASE)
    doc = document("bristol", "2025-26-Q1")
    doc["validation"]["warnings"] = [
        {"code": "no-spend", "text": "MENT01 was active but has no spend recorded [bold]", "table": "interventions",
         "id": 1, "ref": "MENT01"},
        {"code": "missing-sex", "text": "3 young people have no sex recorded", "table": "participants"},
    ]
    assert world.receive(world.send(doc), received_at="2025-07-10T09:00:00+00:00").accepted
    world.store.close()
    app = app_for(tmp_path / "hub.db", world)
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("3")
        narrative = static(app, "#return-narrative")
        assert ("The spoke's validation warnings (2)\n"
                "  ! MENT01 was active but has no spend recorded [bold]\n"
                "  ! 3 young people have no sex recorded\n") in narrative


async def test_r_on_a_matrix_cell_writes_its_receipt(hub: tuple[Path, HubWorld], tmp_path: Path) -> None:
    out = tmp_path / "receipts"
    app = app_for(*hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "r")  # North Somerset Q1: accepted
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        app.screen.query_one("#f-folder", Input).value = str(out)
        paste(app, "#f-passphrase", "not the passphrase")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)  # refused beside the field; nothing written
        assert str(app.screen.query_one("#error-passphrase").content) == \
            "wrong passphrase for the hub's signing key"
        assert not out.exists()
        app.screen.query_one("#f-passphrase", Input).value = PASSPHRASE
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReceiptScreen)
    body = zipfile.ZipFile(out / "north-somerset_2025-26-Q1_v1.vrpr").read("receipt.json").decode()
    assert '"state": "accepted"' in body and '"note": null' in body


# Fixed keys, so the snapshot shows the same lines on every run (only public halves: nothing is signed).
FIXED_RECIPIENT = "age1aajdw20x52k373nuf683j45ayc4mgta077jfhk5h650qctpvhduqmhha2s"
FIXED_HUB_KEY = "RWQx3wGyv8WztoK2/gQpSLYsqpWfeIowcdoalWop3p5w/gVTRarrtYIY"
FIXED_SPOKE_KEYS = (("bristol", "RWRvi+W8HLQhGZBqGsHwjq8+3XdOqtaO5k/sTqJG1ilLJ2W1laaMmfNX", None),
                    ("banes", "RWTopniOFEgQL1NiK47tcrgGNmuv9QeqbjD3MuAUzxRBbNFNB9pB0cTR", "2025-09-01T12:00:00+00:00"))


def test_snapshot_keys_tab_with_recipient_and_signing_key(tmp_path: Path, snap_compare: Any) -> None:
    path = tmp_path / "hub.db"
    with HubStore(path) as store, store.transaction():
        store.conn.execute("INSERT INTO hub_identity (id, recipient, encrypted_identity, created_at) "
                           "VALUES (1, ?, x'00', '2025-06-01T09:00:00+00:00')", [FIXED_RECIPIENT])
        store.conn.execute("INSERT INTO hub_signing_key (id, key_id, public_key, secret_key, created_at) "
                           "VALUES (1, ?, ?, '', '2025-06-01T09:00:00+00:00')",
                           [signing.key_id(FIXED_HUB_KEY), signing.public_key_file(FIXED_HUB_KEY)])
        for spoke, line, revoked in FIXED_SPOKE_KEYS:
            store.conn.execute("INSERT INTO enrolled_keys (spoke, key_id, public_key, enrolled_at, revoked_at) "
                               "VALUES (?, ?, ?, '2025-06-02T10:00:00+00:00', ?)",
                               [spoke, signing.key_id(line), line, revoked])

    async def loaded(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)

    assert snap_compare(app_for(path), terminal_size=(80, 24), run_before=loaded)


async def test_ctrl_r_in_the_inbox_writes_every_outstanding_receipt(
        hub: tuple[Path, HubWorld], tmp_path: Path) -> None:
    out = tmp_path / "all"
    app = app_for(*hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3", "ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        app.screen.query_one("#f-folder", Input).value = str(out)
        app.screen.query_one("#f-passphrase", Input).value = PASSPHRASE
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReceiptScreen)
        assert any(str(n.message) == f"9 receipts written into {out}" for n in app._notifications)
    # Q1 from five spokes (Bristol's v2 held) and Q2 from four: one receipt each, none answered before.
    assert len(list(out.glob("*.vrpr"))) == 9
    assert (out / "bristol_2025-26-Q1_v2.vrpr").exists() and not (out / "bristol_2025-26-Q1_v1.vrpr").exists()
