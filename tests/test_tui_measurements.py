"""Outcome measures in the spoke TUI, by keyboard at 80x24 over a real spoke file: the measurement
form (range and step beside the score, the referral window and one score a day checked against the
store as typed, a good save), the group scores entry and a young person's history.

Every test checks the database afterwards with its own Store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_tui_flows import MENTORING, choose, error_of, form_message, row_text, rows, settle, type_into
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select, Static

from vrp_tui.app import make_app
from vrp_tui.screens.spoke.group_scores import GroupScoresScreen
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.screens.spoke.measurements import HistoryScreen, MeasurementFormScreen, MeasurementsScreen
from vrp_tui.store import Store

SIZE = (80, 24)
REFS = ("YP1", "YP2", "YP3", "YP4", "YP5", "YP6")


def seed(db: Path) -> dict[str, int]:
    """MENTORING and six young people: YP1-YP5 referred on 2025-05-01 (YP5's referral ended on
    2025-06-01), YP6 not referred; YP1 has a baseline SDQ of 20 on 2025-05-02."""
    store = Store(db)
    ids = {"MENT01": store.save("interventions", MENTORING)}
    for ref in REFS:
        ids[ref] = store.save("participants", {"ref": ref, "sex": "female", "ethnicity": "white"})
        if ref != "YP6":
            store.save("enrolments", {"participant_id": ids[ref], "intervention_id": ids["MENT01"],
                                      "referral_date": "2025-05-01", "referral_source": "school",
                                      **({"end_date": "2025-06-01", "exit_reason": "moved-away"}
                                         if ref == "YP5" else {})})
    store.save("measurements", {"participant_id": ids["YP1"], "intervention_id": ids["MENT01"],
                                "date": "2025-05-02", "instrument": "sdq-total", "score_tenths": "20"})
    store.close()
    return ids


def measurements(db: Path) -> list[tuple[str, str, str, int]]:
    return [(str(r["ref"]), str(r["date"]), str(r["instrument"]), int(str(r["score_tenths"]))) for r in rows(
        db, "SELECT p.ref, m.date, m.instrument, m.score_tenths FROM measurements m "
            "JOIN participants p ON p.id = m.participant_id ORDER BY m.date, p.ref, m.instrument")]


async def open_form(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MeasurementsScreen)
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MeasurementFormScreen)


async def test_the_measurement_form_checks_range_step_window_and_one_a_day(spoke_db: Path) -> None:
    seed(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_into(pilot, "participant_ref", "yp2")
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "2025-06-10")
        await choose(pilot, "instrument", "sdq")
        hint = str(app.screen.query_one("#instrument-hint", Static).content)
        assert hint == "SDQ total difficulties: 0 to 40, whole numbers, lower is better."

        await type_into(pilot, "score_tenths", "41")
        await pilot.pause()
        assert error_of(app, "score_tenths") == "outside the sdq-total scale (0 to 40, whole numbers, lower is better)"
        await type_into(pilot, "score_tenths", "12.5")  # sdq is whole numbers: a step error
        await pilot.pause()
        assert error_of(app, "score_tenths") == "outside the sdq-total scale (0 to 40, whole numbers, lower is better)"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MeasurementFormScreen)
        assert form_message(app) == "Please correct the fields marked."

        # ors has one decimal: 31.5 is good there; 40.1 is past its top
        await choose(pilot, "instrument", "ors")
        await type_into(pilot, "score_tenths", "40.1")
        await pilot.pause()
        assert error_of(app, "score_tenths") == "outside the ors scale (0.0 to 40.0, one decimal, higher is better)"
        await type_into(pilot, "score_tenths", "31.5")
        await pilot.pause()
        assert error_of(app, "score_tenths") == ""

        # a date before the referral: the store says no window holds it, as typed
        await type_into(pilot, "date", "2025-04-30")
        await settle(pilot)
        assert error_of(app, "date") == "no referral of 'YP2' to this intervention covers 2025-04-30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MeasurementFormScreen)
        assert measurements(spoke_db) == [("YP1", "2025-05-02", "sdq-total", 200)]

        await type_into(pilot, "date", "2025-06-10")
        await settle(pilot)
        assert error_of(app, "date") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MeasurementsScreen), (form_message(app), app.screen.current_errors())
        listed = app.screen.query_one("#list-measurements DataTable", DataTable)
        assert row_text(listed, 0) == ["2025-06-10", "YP2", "MENT01", "ors", "31.5"]

    assert measurements(spoke_db) == [("YP1", "2025-05-02", "sdq-total", 200),
                                      ("YP2", "2025-06-10", "ors", 315)]
    audit = rows(spoke_db, "SELECT action, after FROM audit WHERE table_name = 'measurements' ORDER BY id")
    assert [a["action"] for a in audit] == ["create", "create"]
    assert json.loads(str(audit[1]["after"]))["score_tenths"] == 315


async def test_a_second_score_on_the_same_day_is_refused_beside_the_instrument(spoke_db: Path) -> None:
    seed(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_into(pilot, "participant_ref", "YP1")
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "2025-05-02")
        await choose(pilot, "instrument", "sdq")
        await type_into(pilot, "score_tenths", "18")
        await settle(pilot)
        assert error_of(app, "instrument") == "'YP1' already has a sdq-total score on 2025-05-02 for this intervention"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MeasurementFormScreen)
    assert measurements(spoke_db) == [("YP1", "2025-05-02", "sdq-total", 200)]


async def test_editing_and_deleting_a_measurement(spoke_db: Path) -> None:
    seed(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MeasurementFormScreen)
        assert app.screen.query_one("#f-score_tenths", Input).value == "20"
        await type_into(pilot, "score_tenths", "22")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MeasurementsScreen)
        assert measurements(spoke_db) == [("YP1", "2025-05-02", "sdq-total", 220)]

        await pilot.press("d")
        await settle(pilot)
        await pilot.press("n")  # asked first: no keeps it
        await settle(pilot)
        assert measurements(spoke_db) == [("YP1", "2025-05-02", "sdq-total", 220)]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MeasurementsScreen)
        assert app.screen.query_one("#list-measurements DataTable", DataTable).row_count == 0
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert measurements(spoke_db) == []
    assert [r["action"] for r in rows(spoke_db, "SELECT action FROM audit WHERE table_name = 'measurements' "
                                                "ORDER BY id")] == ["create", "update", "delete"]


async def test_group_scores_saves_five_scores_one_left_blank(spoke_db: Path) -> None:
    ids = seed(spoke_db)
    store = Store(spoke_db)  # a sixth young person in the window, who was not measured
    ids["YP7"] = store.save("participants", {"ref": "YP7"})
    store.save("enrolments", {"participant_id": ids["YP7"], "intervention_id": ids["MENT01"],
                              "referral_date": "2025-05-20", "referral_source": "police"})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, GroupScoresScreen)
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "2025-05-25")
        await choose(pilot, "instrument", "swemwbs")
        await settle(pilot)
        # YP5's referral ended on 2025-06-01: still in the window; YP6 was never referred
        assert [m.ref for m in screen.members] == ["YP1", "YP2", "YP3", "YP4", "YP5", "YP7"]

        for ref, score in (("YP1", "21"), ("YP2", "7"), ("YP3", "35"), ("YP4", "36")):
            await type_into(pilot, f"score-{ids[ref]}", score)
        await pilot.pause()
        assert error_of(app, f"score-{ids['YP4']}") == (
            "outside the swemwbs scale (7 to 35, whole numbers, higher is better)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, GroupScoresScreen)
        assert measurements(spoke_db) == [("YP1", "2025-05-02", "sdq-total", 200)]

        await type_into(pilot, f"score-{ids['YP4']}", "28")
        await type_into(pilot, f"score-{ids['YP5']}", "14")
        await pilot.pause()
        assert error_of(app, f"score-{ids['YP4']}") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    assert measurements(spoke_db) == [
        ("YP1", "2025-05-02", "sdq-total", 200),
        ("YP1", "2025-05-25", "swemwbs", 210), ("YP2", "2025-05-25", "swemwbs", 70),
        ("YP3", "2025-05-25", "swemwbs", 350), ("YP4", "2025-05-25", "swemwbs", 280),
        ("YP5", "2025-05-25", "swemwbs", 140),
    ]
    audit = rows(spoke_db, "SELECT count(*) AS n FROM audit WHERE table_name = 'measurements' AND action = 'create'")
    assert audit[0]["n"] == 6  # the seeded one and the five


async def test_group_scores_fill_in_what_is_recorded_and_refuse_clearing_it(spoke_db: Path) -> None:
    ids = seed(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "2025-05-02")
        await choose(pilot, "instrument", "sdq")
        await settle(pilot)
        box = app.screen.query_one(f"#f-score-{ids['YP1']}", Input)
        assert box.value == "20"
        await type_into(pilot, f"score-{ids['YP1']}", "")
        await type_into(pilot, f"score-{ids['YP2']}", "9")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, GroupScoresScreen)
        assert error_of(app, f"score-{ids['YP1']}") == (
            "a score of 20 is recorded: delete it from the measurements to remove it")
        await type_into(pilot, f"score-{ids['YP1']}", "17")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert measurements(spoke_db) == [("YP1", "2025-05-02", "sdq-total", 170), ("YP2", "2025-05-02", "sdq-total", 90)]
    assert [r["action"] for r in rows(spoke_db, "SELECT action FROM audit WHERE table_name = 'measurements' "
                                                "ORDER BY id")] == ["create", "update", "create"]


async def test_history_from_a_referral_shows_the_change_since_baseline(spoke_db: Path) -> None:
    ids = seed(spoke_db)
    store = Store(spoke_db)
    for day, score in (("2025-06-20", "14"), ("2025-07-30", "23")):  # SDQ: lower is better
        store.save("measurements", {"participant_id": ids["YP1"], "intervention_id": ids["MENT01"],
                                    "date": day, "instrument": "sdq-total", "score_tenths": score})
    store.save("measurements", {"participant_id": ids["YP1"], "intervention_id": ids["MENT01"],
                                "date": "2025-05-03", "instrument": "ors", "score_tenths": "20.5"})
    store.save("measurements", {"participant_id": ids["YP1"], "intervention_id": ids["MENT01"],
                                "date": "2025-07-30", "instrument": "ors", "score_tenths": "31"})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")  # the referrals, latest first: YP1's is the last of five on one day
        await settle(pilot)
        await pilot.press("end")
        await pilot.pause()
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.query_one("#f-ref", Input).value == "YP1"
        table = app.screen.query_one("#history", DataTable)
        assert [row_text(table, n) for n in range(table.row_count)] == [
            ["MENT01 2025-05-01", "sdq-total", "2025-05-02", "20", "baseline"],
            ["", "", "2025-06-20", "14", "+6"],
            ["", "", "2025-07-30", "23", "-3"],
            ["", "ors", "2025-05-03", "20.5", "baseline"],
            ["", "", "2025-07-30", "31", "+10.5"],
        ]
        summary = str(app.screen.query_one("#history-summary", Static).content)
        assert summary.startswith("YP1: 1 referral, 5 measurements.")

        await type_into(pilot, "ref", "yp2")
        await pilot.press("enter")
        await settle(pilot)
        assert [row_text(table, n) for n in range(table.row_count)] == [
            ["MENT01 2025-05-01", "(none)", "", "", ""]]
        await type_into(pilot, "ref", "NOBODY")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)  # refused in a notification, no traceback


def test_measurement_form_snapshot(spoke_db: Path, snap_compare: Any) -> None:
    seed(spoke_db)

    async def form(pilot: Pilot[None]) -> None:
        await open_form(pilot)
        await type_into(pilot, "participant_ref", "YP2")
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "2025-06-10")
        await choose(pilot, "instrument", "ors")
        await type_into(pilot, "score_tenths", "40.5")
        await settle(pilot)

    assert snap_compare(make_app(spoke_db, cursor_blink=False), terminal_size=SIZE, run_before=form)


async def test_refs_that_look_like_markup_show_literally_in_group_scores_and_history(spoke_db: Path) -> None:
    ids = seed(spoke_db)
    store = Store(spoke_db)
    odd = store.save("participants", {"ref": "[bold]YP9[/]"})
    store.save("enrolments", {"participant_id": odd, "intervention_id": ids["MENT01"],
                              "referral_date": "2025-05-01", "referral_source": "school"})
    store.save("measurements", {"participant_id": odd, "intervention_id": ids["MENT01"],
                                "date": "2025-05-02", "instrument": "wemwbs", "score_tenths": "40"})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "date", "2025-05-02")
        await choose(pilot, "instrument", "wemwbs")
        await settle(pilot)
        labels = [str(label.content) for label in app.screen.query("#scores .field-label").results(Label)]
        assert labels[0] == "[bold]YP9[/]"
        assert app.screen.query_one(f"#f-score-{odd}", Input).value == "40"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await type_into(pilot, "ref", "[bold]yp9[/]")
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#history", DataTable)
        assert row_text(table, 0) == ["MENT01 2025-05-01", "wemwbs", "2025-05-02", "40", "baseline"]
        assert str(app.screen.query_one("#history-summary", Static).content).startswith("[bold]YP9[/]: 1 referral")


async def test_the_form_offers_the_interventions_whose_referral_holds_the_date(spoke_db: Path) -> None:
    ids = seed(spoke_db)
    store = Store(spoke_db)
    boxing = store.save("interventions", {**MENTORING, "ref": "BOX01", "name": "Boxing club"})
    store.save("enrolments", {"participant_id": ids["YP1"], "intervention_id": boxing,
                              "referral_date": "2025-06-01", "referral_source": "police"})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot)
        await type_into(pilot, "participant_ref", "YP1")
        await type_into(pilot, "date", "2025-05-10")  # before the boxing referral: mentoring alone
        await pilot.press("tab")
        await settle(pilot)
        select = app.screen.query_one("#f-intervention_id", Select)
        assert select.value == ids["MENT01"]
        await type_into(pilot, "date", "10/06/2025")  # both open, typed the UK way: a choice of two
        await pilot.press("tab")
        await settle(pilot)
        assert sorted(value for _, value in select._options if value != Select.NULL) == sorted(
            [ids["MENT01"], boxing])
