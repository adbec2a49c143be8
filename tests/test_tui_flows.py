"""The spoke TUI's main flows, driven by keyboard at 80x24 over a real spoke file.

Every test checks the database afterwards with its own Store: what the user
saw is what was written, and nothing was written when it should not have been.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyrage
from conftest import PASSPHRASE
from textual import events
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Select, Static
from textual.worker import WorkerState

from vrp_tui.app import VrpApp, make_app
from vrp_tui.bundle import signing
from vrp_tui.screens.spoke.group_session import GroupSessionScreen
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.screens.spoke.record_form import RecordFormScreen
from vrp_tui.screens.spoke.setup import SetupScreen
from vrp_tui.spoke.setup import current_key
from vrp_tui.store import Store
from vrp_tui.widgets.report_table import ReportTable

SIZE = (80, 24)

MENTORING = dict(ref="MENT01", name="Mentoring in schools", provider="Youth Moves", approach="mentoring",
                 prevention_level="secondary", setting="school", start_date="2025-04-01")


# -- helpers -------------------------------------------------------------


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker is running and the messages they posted are handled."""
    app = pilot.app
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
    raise AssertionError("workers did not finish")


async def type_into(pilot: Pilot[None], name: str, text: str) -> None:
    """Focus the form field ``name``, clear it and type ``text`` (pasted, if long, as a terminal would)."""
    field = pilot.app.screen.query_one(f"#f-{name}", Input)
    field.focus()
    await pilot.pause()
    if field.value:
        await pilot.press("end", "ctrl+u")
    if len(text) > 4:
        field.post_message(events.Paste(text))
        await pilot.pause()
    else:
        await pilot.press(*text)


async def choose(pilot: Pilot[None], name: str, label: str) -> None:
    """Open the select list ``name`` by keyboard and pick the option that starts with ``label``."""
    select = pilot.app.screen.query_one(f"#f-{name}", Select)
    select.focus()
    await pilot.press("enter", *label, "enter")
    await pilot.pause()


def error_of(app: VrpApp, name: str) -> str:
    return str(app.screen.query_one(f"#error-{name}", Static).content)


def form_message(app: VrpApp) -> str:
    return str(app.screen.query_one("#form-error", Static).content)


def row_text(table: DataTable[Any] | ReportTable, n: int) -> list[str]:
    """Row ``n`` of a table as the strings it shows (cells are Rich Texts)."""
    return [str(cell) for cell in table.get_row_at(n)]


def rows(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, object]]:
    store = Store(db)
    try:
        return store.query(sql, params)
    finally:
        store.close()


def seed(db: Path, interventions: tuple[dict[str, str], ...] = (MENTORING,),
         participants: tuple[str, ...] = (), referred: tuple[str, ...] = ()) -> None:
    """Records made through the store, as if typed in earlier."""
    store = Store(db)
    ids = {i["ref"]: store.save("interventions", i) for i in interventions}
    first = next(iter(ids.values()), None)
    for ref in participants:
        pid = store.save("participants", {"ref": ref, "sex": "female", "ethnicity": "white"})
        if ref in referred and first is not None:
            store.save("enrolments", {"participant_id": pid, "intervention_id": first,
                                      "referral_date": "2025-05-01", "referral_source": "school"})
    store.close()


async def started(pilot: Pilot[None]) -> MainScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


# -- first run -----------------------------------------------------------


async def test_first_run_sets_up_the_spoke(tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> None:
    db = tmp_path / "fresh.db"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)

        await choose(pilot, "spoke", "Som")
        await type_into(pilot, "worker", "Sam Coordinator")
        await type_into(pilot, "hub_recipient", "age1notarecipient")
        await type_into(pilot, "passphrase", PASSPHRASE)
        await type_into(pilot, "confirm", PASSPHRASE + "x")
        await pilot.press("tab")
        await pilot.pause()
        assert "not an age recipient" in error_of(app, "hub_recipient")
        assert error_of(app, "confirm") == "does not match the passphrase"

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert rows(db, "SELECT * FROM settings WHERE key = 'spoke'") == []

        await type_into(pilot, "hub_recipient", str(hub_identity.to_public()))
        await type_into(pilot, "confirm", PASSPHRASE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown_key = str(app.screen.query_one("#public-key", Static).content)

        await pilot.press("enter")  # Continue
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.sub_title == "Somerset · Sam Coordinator"

    store = Store(db)
    assert store.spoke == "somerset"
    assert store.setting("worker") == "Sam Coordinator"
    assert store.setting("hub_recipient") == str(hub_identity.to_public())
    key = current_key(store)
    assert key is not None
    assert signing.public_key_line(key["public_key"]) == shown_key
    signing.unlock(key["secret_key"], PASSPHRASE)  # the passphrase typed protects the key
    store.close()


# -- interventions -------------------------------------------------------


async def test_add_edit_delete_an_intervention(spoke_db: Path) -> None:
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        await type_into(pilot, "ref", "KNIFE1")
        await type_into(pilot, "name", "Knife crime talks")
        await type_into(pilot, "provider", "Safer Streets")
        await choose(pilot, "approach", "Knife")
        await choose(pilot, "prevention_level", "Prim")
        await choose(pilot, "setting", "Sch")
        await type_into(pilot, "start_date", "2025-04-07")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

        saved = rows(spoke_db, "SELECT * FROM interventions")
        assert [(r["ref"], r["name"], r["provider"], r["approach"], r["prevention_level"], r["setting"],
                 r["start_date"], r["end_date"]) for r in saved] == [
            ("KNIFE1", "Knife crime talks", "Safer Streets", "knife-crime-education", "primary", "school",
             "2025-04-07", None)]
        table = main.record_list("interventions").table
        assert table.row_count == 1 and row_text(table, 0)[0] == "KNIFE1"

        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#f-name", Input).value == "Knife crime talks"
        assert app.screen.query_one("#f-approach", Select).value == "knife-crime-education"
        await type_into(pilot, "name", "Knife crime talks in schools")
        await type_into(pilot, "end_date", "2026-03-31")
        await pilot.press("ctrl+s")
        await settle(pilot)
        (edited,) = rows(spoke_db, "SELECT * FROM interventions")
        assert (edited["name"], edited["end_date"]) == ("Knife crime talks in schools", "2026-03-31")
        assert row_text(table, 0)[1] == "Knife crime talks in schools"
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert rows(spoke_db, "SELECT * FROM interventions") == []
        assert table.row_count == 0
    actions = [r["action"] for r in rows(spoke_db, "SELECT action FROM audit WHERE table_name = "
                                                   "'interventions' ORDER BY id")]
    assert actions == ["create", "update", "delete"]


async def test_a_validation_error_is_shown_then_corrected(spoke_db: Path) -> None:
    seed(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_into(pilot, "ref", "MENT01")  # already taken: only the store can tell
        await type_into(pilot, "name", "Second mentoring")
        await type_into(pilot, "provider", "Youth Moves")
        await choose(pilot, "approach", "Ment")
        await choose(pilot, "prevention_level", "Sec")
        await choose(pilot, "setting", "Comm")
        await type_into(pilot, "start_date", "2025-06-01")
        await type_into(pilot, "end_date", "2025-05")
        assert error_of(app, "end_date") == "'2025-05' is not a date: use YYYY-MM-DD, e.g. 2025-04-01"
        await type_into(pilot, "end_date", "2025-05-01")
        assert error_of(app, "end_date") == "must not be before the start date"

        await pilot.press("ctrl+s")  # refused before any worker runs: the form knows
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        assert "correct the fields" in form_message(app)

        await type_into(pilot, "end_date", "2026-03-31")
        assert error_of(app, "end_date") == ""
        await pilot.press("ctrl+s")  # now the store refuses the duplicate ref
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        assert error_of(app, "ref") == "another intervention already has this ref"
        assert app.focused is app.screen.query_one("#f-ref")
        assert rows(spoke_db, "SELECT count(*) AS n FROM interventions") == [{"n": 1}]
        typed = app.screen.form.values()
        assert (typed["name"], typed["setting"], typed["end_date"]) == (
            "Second mentoring", "community", "2026-03-31")  # nothing typed was lost

        await type_into(pilot, "ref", "MENT02")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    (saved,) = rows(spoke_db, "SELECT * FROM interventions WHERE ref = 'MENT02'")
    assert (saved["name"], saved["setting"], saved["start_date"], saved["end_date"]) == (
        "Second mentoring", "community", "2025-06-01", "2026-03-31")


# -- young people and referrals -------------------------------------------


async def test_add_a_young_person_and_refer_them(spoke_db: Path) -> None:
    seed(spoke_db, interventions=(MENTORING, {**MENTORING, "ref": "SPORT1", "name": "Boxing club",
                                              "approach": "sports-programmes"}))
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_into(pilot, "ref", "BR-0042")
        await type_into(pilot, "date_of_birth", "2009-02-14")
        await choose(pilot, "sex", "Ma")
        await choose(pilot, "ethnicity", "Bl")
        await type_into(pilot, "postcode_district", "bs5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert row_text(main.record_list("participants").table, 0)[0] == "BR-0042"

        await pilot.press("3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen) and app.screen.section.kind == "enrolments"
        await type_into(pilot, "participant_ref", "BR-0099")
        await pilot.press("tab")  # leaving the field checks the ref
        await settle(pilot)
        assert error_of(app, "participant_ref") == "no young person with ref 'BR-0099'"
        await type_into(pilot, "participant_ref", "BR-0042")
        await pilot.press("tab")
        await settle(pilot)
        assert error_of(app, "participant_ref") == ""
        await choose(pilot, "intervention_id", "SPO")
        await type_into(pilot, "referral_date", "2025-09-03")
        await choose(pilot, "referral_source", "Yo")
        app.screen.query_one("#f-high_risk", Checkbox).focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert row_text(main.record_list("enrolments").table, 0)[:3] == ["BR-0042", "SPORT1", "2025-09-03"]

    (young,) = rows(spoke_db, "SELECT * FROM participants")
    assert (young["ref"], young["date_of_birth"], young["sex"], young["ethnicity"],
            young["postcode_district"]) == ("BR-0042", "2009-02-14", "male", "black", "BS5")
    (referral,) = rows(spoke_db, "SELECT e.*, i.ref AS iref FROM enrolments e "
                                 "JOIN interventions i ON i.id = e.intervention_id")
    assert (referral["participant_id"], referral["iref"], referral["referral_date"],
            referral["referral_source"], referral["high_risk"], referral["start_date"]) == (
        young["id"], "SPORT1", "2025-09-03", "youth-justice", 1, None)


# -- sessions and spend -----------------------------------------------------


async def test_log_a_group_session(spoke_db: Path) -> None:
    seed(spoke_db, participants=("YP1", "YP2", "YP3"), referred=("YP1", "YP2"))
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("G")  # the register has g; this form takes typed refs
        await settle(pilot)
        assert isinstance(app.screen, GroupSessionScreen)
        assert app.screen.query_one("#f-mode", Select).value == "group"
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "2025-06-12")
        await type_into(pilot, "minutes", "90")
        await type_into(pilot, "participants", "YP1, YP2 YP3")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, GroupSessionScreen)
        assert error_of(app, "participants") == (
            "no referral to this intervention covers this date for YP3")
        assert rows(spoke_db, "SELECT * FROM contacts") == []  # none saved, not two of three

        await type_into(pilot, "participants", "YP1 YP2 YPX")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert error_of(app, "participants") == "no young person with ref YPX"

        await type_into(pilot, "participants", "YP1 YP2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("4")
        await settle(pilot)
        assert main.record_list("contacts").table.row_count == 2

    logged = rows(spoke_db, "SELECT p.ref, i.ref AS iref, c.date, c.minutes, c.mode FROM contacts c "
                            "JOIN participants p ON p.id = c.participant_id "
                            "JOIN interventions i ON i.id = c.intervention_id ORDER BY p.ref")
    assert logged == [
        {"ref": "YP1", "iref": "MENT01", "date": "2025-06-12", "minutes": 90, "mode": "group"},
        {"ref": "YP2", "iref": "MENT01", "date": "2025-06-12", "minutes": 90, "mode": "group"},
    ]


async def test_record_spend_and_a_budget(spoke_db: Path) -> None:
    seed(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.section.kind == "spend"
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "period", "2025-26-Q5")
        await choose(pilot, "funding_source", "VRP")
        await type_into(pilot, "amount", "£1,250.50")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not a period" in error_of(app, "period")
        await type_into(pilot, "period", "2025-26-Q2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert row_text(main.record_list("spend").table, 0) == ["MENT01", "2025-26-Q2", "VRP grant",
                                                                 "1,250.50"]

        await pilot.press("5")  # pressed again: the other list of the tab
        await settle(pilot)
        assert main.visible_list() is main.record_list("budgets")
        await pilot.press("a")
        await settle(pilot)
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "financial_year", "2025-26")
        await choose(pilot, "funding_source", "Mat")
        await type_into(pilot, "amount", "40000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    assert rows(spoke_db, "SELECT period, funding_source, amount FROM spend") == [
        {"period": "2025-26-Q2", "funding_source": "grant", "amount": 125050}]
    assert rows(spoke_db, "SELECT financial_year, funding_source, amount FROM budgets") == [
        {"financial_year": "2025-26", "funding_source": "match", "amount": 4000000}]
