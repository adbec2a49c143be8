"""Daily entry in the spoke TUI (issue #10): the group register, the young person's picker,
the dirty-form guard, the cursor after a save, UK dates, spend totals and what fits the width.

Driven by keyboard over real spoke files; every test reads the database afterwards.
"""

from __future__ import annotations

from pathlib import Path

from test_tui_flows import MENTORING, choose, form_message, row_text, rows, settle, started, type_into
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static
from textual.widgets.data_table import ColumnKey

from vrp_tui.app import make_app
from vrp_tui.periods import Period
from vrp_tui.records.specs import Column, iso_date_text, period_text
from vrp_tui.returns.figures import compute_figures
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.spoke.help import HelpScreen
from vrp_tui.screens.spoke.main import MainScreen
from vrp_tui.screens.spoke.record_form import RecordFormScreen
from vrp_tui.screens.spoke.register import RegisterScreen
from vrp_tui.store import Store
from vrp_tui.store.lookups import find_participants
from vrp_tui.widgets.footer import KeyFooter
from vrp_tui.widgets.record_list import column_widths

SIZE = (80, 24)
GROUP = tuple(f"BR-{n:03d}" for n in range(1, 13))  # twelve young people, all referred to MENT01
WEEK = ("2025-06-09", "2025-06-12")  # the group meets on Monday and Thursday
ABSENT = {"BR-003": "did-not-attend", "BR-007": "did-not-attend", "BR-011": "did-not-attend",
          "BR-005": "cancelled"}  # on the Monday


def group_spoke(db: Path, late: tuple[str, ...] = ()) -> dict[str, int]:
    """MENT01 with the twelve of GROUP referred on 2025-05-01, plus BOX01 and an outsider."""
    store = Store(db)
    ment = store.save("interventions", MENTORING)
    box = store.save("interventions", {**MENTORING, "ref": "BOX01", "name": "Boxing club"})
    ids = {}
    for n, ref in enumerate((*GROUP, "ZZ-999"), start=1):
        ids[ref] = store.save("participants", {"ref": ref, "postcode_district": f"BS{n % 9 + 1}"})
    for ref in GROUP:
        store.save("enrolments", {"participant_id": ids[ref], "intervention_id": ment,
                                  "referral_date": "2025-05-01", "referral_source": "school"})
    store.save("enrolments", {"participant_id": ids["BR-002"], "intervention_id": box,
                              "referral_date": "2025-05-01", "referral_source": "school"})
    store.close()
    return ids


async def open_register(pilot: Pilot[None], day: str) -> RegisterScreen:
    await pilot.press("g")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RegisterScreen)
    await choose(pilot, "intervention_id", "MENT")
    await type_into(pilot, "date", day)
    await pilot.press("tab")  # leaving the date lists the group
    await settle(pilot)
    return screen


async def test_a_week_of_group_sessions_through_the_register(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for day in WEEK:
            register = await open_register(pilot, day)
            assert [row.ref for row in register.rows] == list(GROUP)  # not ZZ-999: no referral
            assert str(register.query_one("#register-status", Static).content).startswith("12 in the group")
            await type_into(pilot, "minutes", "90")
            register.table.focus()
            await pilot.press("a")  # everyone attended ...
            if day == WEEK[0]:
                for n, ref in enumerate(GROUP):  # ... but four: space steps the mark on
                    if ref in ABSENT:
                        register.table.move_cursor(row=n)
                        await pilot.press(*["space"] * (1 if ABSENT[ref] == "did-not-attend" else 2))
                assert str(register.query_one("#register-status", Static).content) == (
                    "12 in the group: 8 attended, 3 did not attend, 1 cancelled, 0 not marked")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)

        # the Monday reopened to correct it: BR-011 came after all
        register = await open_register(pilot, "09/06/2025")  # a UK date, shown as ISO
        assert register.form.values()["date"] == "2025-06-09"
        assert register.form.values()["minutes"] == "90"
        assert {r.ref: r.attendance for r in register.rows if r.attendance != "attended"} == ABSENT
        register.table.focus()
        register.table.move_cursor(row=GROUP.index("BR-011"))
        await pilot.press("space", "space", "space")  # did-not-attend, cancelled, none, attended
        assert register.marks[register.rows[10].participant_id] == "attended"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    stored = rows(spoke_db, "SELECT c.id, p.ref, i.ref AS iref, c.date, c.minutes, c.mode, c.attendance "
                            "FROM contacts c JOIN participants p ON p.id = c.participant_id "
                            "JOIN interventions i ON i.id = c.intervention_id ORDER BY c.date, p.ref")
    assert len(stored) == 24  # twelve on each day, none twice after the correction
    assert {(r["iref"], r["minutes"], r["mode"]) for r in stored} == {("MENT01", 90, "group")}
    monday = {r["ref"]: r["attendance"] for r in stored if r["date"] == WEEK[0]}
    assert {ref: a for ref, a in monday.items() if a != "attended"} == {
        "BR-003": "did-not-attend", "BR-007": "did-not-attend", "BR-005": "cancelled"}
    assert set(r["attendance"] for r in stored if r["date"] == WEEK[1]) == {"attended"}
    audit = rows(spoke_db, "SELECT action, count(*) AS n FROM audit WHERE table_name = 'contacts' GROUP BY action")
    assert {r["action"]: r["n"] for r in audit} == {"create": 24, "update": 12}  # the correction rewrote 12

    store = Store(spoke_db)
    try:
        totals = compute_figures(store, Period.parse("2025-26-Q1"))["totals"]
    finally:
        store.close()
    if "did_not_attend" in totals:  # once the return counts attendance (SPEC section 4)
        assert (totals["contacts"], totals["did_not_attend"]) == (24 - 3, 2)
    else:
        assert totals["contacts"] == 24


async def test_the_register_of_the_first_week_as_the_issue_gives_it(spoke_db: Path) -> None:
    """Twelve young people, three did not attend and one cancelled: 8 contacts, 3 did not attend."""
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        register = await open_register(pilot, WEEK[0])
        await type_into(pilot, "minutes", "60")
        register.table.focus()
        await pilot.press("a")
        for n, ref in enumerate(GROUP):
            if ref in ABSENT:
                register.table.move_cursor(row=n)
                await pilot.press(*["space"] * (1 if ABSENT[ref] == "did-not-attend" else 2))
        await pilot.press("ctrl+s")
        await settle(pilot)
    marks = rows(spoke_db, "SELECT attendance, count(*) AS n FROM contacts GROUP BY attendance")
    assert {r["attendance"]: r["n"] for r in marks} == {"attended": 8, "did-not-attend": 3, "cancelled": 1}
    store = Store(spoke_db)
    try:
        totals = compute_figures(store, Period.parse("2025-26-Q1"))["totals"]
    finally:
        store.close()
    if "did_not_attend" in totals:
        assert (totals["contacts"], totals["did_not_attend"]) == (8, 3)


async def test_an_empty_register_saves_nothing(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        register = await open_register(pilot, WEEK[0])
        await type_into(pilot, "minutes", "60")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is register
        assert "mark at least one young person" in str(register.query_one("#form-error", Static).content)
    assert rows(spoke_db, "SELECT * FROM contacts") == []


async def test_a_session_through_the_picker_typing_part_of_a_ref_in_lower_case(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("4", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        field = form.query_one("#f-participant_ref", Input)
        field.focus()
        await pilot.press(*"br-0")
        await settle(pilot)
        matches = form.query_one("#f-participant_ref-matches", OptionList)
        assert matches.option_count == 12 and matches.display  # BR-001 ... BR-012
        await pilot.press("0")
        await settle(pilot)
        assert matches.option_count == 9  # br-00: BR-001 ... BR-009
        await pilot.press("down", "enter")
        await settle(pilot)
        await settle(pilot)
        assert field.value == "BR-002"
        await type_into(pilot, "date", "12/6/2025")
        await pilot.press("tab")
        await settle(pilot)
        assert form.query_one("#f-date", Input).value == "2025-06-12"
        interventions = form.query_one("#f-intervention_id", Select)
        assert [str(label) for label, _ in interventions._options[1:]] == [  # BR-002's two referrals
            "BOX01 · Boxing club", "MENT01 · Mentoring in schools"]
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "minutes", "45")
        await choose(pilot, "mode", "One")
        assert form.form.values()["attendance"] == "attended"  # the default
        await choose(pilot, "attendance", "Did")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        sessions = main.record_list("contacts")
        assert row_text(sessions.table, sessions.table.cursor_row)[:2] == ["2025-06-12", "BR-002"]
        assert row_text(sessions.table, 0)[-1] == "Did not attend"  # the attendance column
    (saved,) = rows(spoke_db, "SELECT p.ref, i.ref AS iref, c.date, c.minutes, c.attendance FROM contacts c "
                              "JOIN participants p ON p.id = c.participant_id "
                              "JOIN interventions i ON i.id = c.intervention_id")
    assert saved == {"ref": "BR-002", "iref": "MENT01", "date": "2025-06-12", "minutes": 45,
                     "attendance": "did-not-attend"}


async def test_one_open_referral_is_chosen_for_you(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("4", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        form.query_one("#f-participant_ref", Input).focus()
        await pilot.press(*"bs4")  # a postcode district: BR-003 and BR-012 live in BS4
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert form.form.values()["participant_ref"] == "BR-003"
        await type_into(pilot, "date", "2025-06-01")
        await pilot.press("tab")
        await settle(pilot)
        assert form.form.values()["intervention_id"] is not None  # MENT01, their one referral


async def test_escape_on_a_changed_form_asks_before_discarding(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("a")
        await settle(pilot)
        await type_into(pilot, "name", "Half typed")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert str(app.screen.query_one(".dialog-title", Static).content) == "Discard changes?"
        await pilot.press("n")  # keep typing
        await settle(pilot)
        assert isinstance(app.screen, RecordFormScreen)
        assert app.screen.form.values()["name"] == "Half typed"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert len(rows(spoke_db, "SELECT * FROM interventions")) == 2


async def test_the_cursor_lands_on_the_record_just_saved(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        main = await started(pilot)
        await pilot.press("2")
        await settle(pilot)
        people = main.record_list("participants")
        assert people.table.cursor_row == 0
        await pilot.press("a")
        await settle(pilot)
        await type_into(pilot, "ref", "BR-0065")
        await type_into(pilot, "date_of_birth", "14/2/2010")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert row_text(people.table, people.table.cursor_row)[:2] == ["BR-0065", "2010-02-14"]


def test_uk_dates_and_periods_as_typed() -> None:
    assert iso_date_text("3/7/2025") == "2025-07-03"
    assert iso_date_text(" 03/07/2025 ") == "2025-07-03"
    assert iso_date_text("2025-07-03") == "2025-07-03"
    assert iso_date_text("7/2025") == "7/2025"  # left for the model to refuse
    assert period_text("2025-26-q1") == "2025-26-Q1"
    assert period_text("2025/26 Q3") == "2025-26-Q3"
    assert period_text("2025-27-Q1") == "2025-27-Q1"  # still refused by the model: years must follow


def test_columns_share_the_width_names_first() -> None:
    columns = (Column("ref", "Ref", 8), Column("name", "Name", 16, grow=3), Column("kind", "Kind", 12, grow=1))
    assert column_widths(columns, 36 + 6) == [8, 16, 12]  # exactly the least
    assert column_widths(columns, 30) == [8, 16, 12]  # below it: the least, and the table scrolls
    assert column_widths(columns, 42 + 40) == [8, 46, 22]  # 40 spare: 30 to the name, 10 to the kind
    assert column_widths(columns, 42 + 5) == [8, 20, 13]  # odd cells to the first growing column


def test_the_picker_finds_refs_in_any_case_and_postcodes(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    store = Store(spoke_db)
    try:
        assert [m.ref for m in find_participants(store, "br-01")] == ["BR-010", "BR-011", "BR-012"]
        assert [m.ref for m in find_participants(store, "99")] == ["ZZ-999"]  # inside the ref
        assert [m.ref for m in find_participants(store, "bs4")] == ["BR-003", "BR-012"]
        assert [m.ref for m in find_participants(store, "%")] == []  # literal, not a wildcard
        assert len(find_participants(store, "", limit=5)) == 5
    finally:
        store.close()


async def test_spend_totals_and_money_right_aligned(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    store = Store(spoke_db)
    ment = store.id_for_ref("interventions", "MENT01")
    box = store.id_for_ref("interventions", "BOX01")
    for iid, period, amount in ((ment, "2025-26-Q1", "1250.50"), (ment, "2025-26-Q2", "300"),
                                (box, "2025-26-Q1", "99.50")):
        store.save("spend", {"intervention_id": iid, "period": period, "funding_source": "grant", "amount": amount})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await started(pilot)
        await pilot.press("5")
        await settle(pilot)
        spend = main.record_list("spend")
        status = str(spend.query_one("#status", Static).content)
        assert status == "3 of 3 spend loaded; total £1,650.00"
        amount = spend.table.get_row_at(0)[-1]
        assert amount.justify == "right"
        spend.query_one("#search", Input).focus()
        await pilot.press(*"q1")  # a quarter
        await pilot.pause(0.4)
        await settle(pilot)
        assert str(spend.query_one("#status", Static).content) == (
            "2 of 2 spend loaded matching 'q1'; total £1,350.00")


async def test_f1_starts_with_the_keys_of_the_screen_it_is_pressed_on(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)

        async def first_help_rows() -> list[tuple[str, ...]]:
            await pilot.press("f1")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            table = app.screen.query_one(DataTable)
            listed = [tuple(row_text(table, i)) for i in range(table.row_count)]
            await pilot.press("escape")
            await settle(pilot)
            return listed

        main_rows = await first_help_rows()
        assert main_rows[0][0] == "Main" and ("Lists", "a", "Add") in main_rows
        await pilot.press("r")
        await settle(pilot)
        returns_rows = await first_help_rows()
        assert returns_rows[0] == ("Returns", "esc", "Back")
        assert ("Returns", "1", "Show figures") in returns_rows[:12]  # the return's tab keys
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        register_rows = await first_help_rows()
        assert register_rows[:3] == [("Register", "space", "Mark"), ("Register", "a", "All attended"),
                                     ("Register", "^a", "All attended")]


async def test_the_footer_shows_the_keys_that_fit_whole(spoke_db: Path) -> None:
    app = make_app(spoke_db)
    async with app.run_test(size=(160, 30)) as pilot:
        await started(pilot)
        await pilot.pause(0.1)
        wide = str(app.screen.query_one(KeyFooter).render())
        for key in ("r Return", "x Export", "k Keys", "g Register"):
            assert key in wide
    app = make_app(spoke_db)
    async with app.run_test(size=(60, 20)) as pilot:
        await started(pilot)
        await pilot.pause(0.1)
        narrow = str(app.screen.query_one(KeyFooter).render())
        assert narrow.startswith("a Add e Edit d Delete")
        assert "^p palette" in narrow
        shown = narrow.split("▏")[0].split()
        assert shown[-1] in {"Add", "Edit", "Delete", "Register", "Import", "Return", "Export", "Keys"}  # none cut


async def test_a_period_as_typed_and_the_form_message_goes_once_fixed(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("5", "a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_message(app) == "Please correct the fields marked."
        await choose(pilot, "intervention_id", "MENT")
        await type_into(pilot, "period", "2025/26 q1")
        await choose(pilot, "funding_source", "VRP")
        assert form_message(app) != ""  # the amount is still missing
        await type_into(pilot, "amount", "250")
        await settle(pilot)
        assert form_message(app) == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    (spend,) = rows(spoke_db, "SELECT period, funding_source, amount FROM spend")
    assert spend == {"period": "2025-26-Q1", "funding_source": "grant", "amount": 25000}


async def test_names_take_the_width_there_is(spoke_db: Path) -> None:
    """At 80 columns a long name is as wide as fits; at 160 it grows; resizing refits the columns."""
    store = Store(spoke_db)
    for ref, name in (("BR-003", "Lockleaze Online Youth Outreach Programme"),
                      ("BR-004", "Lockleaze Online Youth Football")):
        store.save("interventions", {**MENTORING, "ref": ref, "name": name})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await started(pilot)
        table = main.record_list("interventions").table
        name = table.columns[ColumnKey("name")]
        at_80 = name.width
        assert at_80 > 20  # no fixed 20-character cut: "Lockleaze Online You" for both
        assert sum(c.width + 2 for c in table.columns.values()) <= 80
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        await pilot.pause()
        assert name.width > at_80 + 40
        line = "".join(seg.text for seg in app.screen._compositor.render_strips()[5])
        assert "Lockleaze Online Youth Outreach Programme" in line
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        await pilot.pause()
        assert name.width == 16  # its least: the table scrolls sideways below that


async def test_a_referral_offers_the_interventions_running_on_its_date(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    store = Store(spoke_db)
    store.save("interventions", {**MENTORING, "ref": "OLD01", "name": "Ended last year",
                                 "start_date": "2024-04-01", "end_date": "2025-03-31"})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("3", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordFormScreen)
        interventions = form.query_one("#f-intervention_id", Select)
        assert len(interventions._options) == 1 + 3  # before a date: every intervention
        await type_into(pilot, "referral_date", "1/6/2025")
        await pilot.press("tab")
        await settle(pilot)
        assert [str(label) for label, _ in interventions._options[1:]] == [
            "BOX01 · Boxing club", "MENT01 · Mentoring in schools"]
        await type_into(pilot, "referral_date", "2025-01-10")
        await pilot.press("tab")
        await settle(pilot)
        assert [str(label) for label, _ in interventions._options[1:]] == ["OLD01 · Ended last year"]
        assert form.form.values()["intervention_id"] is not None  # the one running then, chosen


HOSTILE = ("[bold]B1[/]", "[@click=app.quit]Q2")


async def test_refs_that_look_like_markup_show_literally_in_the_picker_and_the_register(spoke_db: Path) -> None:
    store = Store(spoke_db)
    ment = store.save("interventions", MENTORING)
    for ref in HOSTILE:
        pid = store.save("participants", {"ref": ref})
        store.save("enrolments", {"participant_id": pid, "intervention_id": ment,
                                  "referral_date": "2025-05-01", "referral_source": "school"})
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("4", "a")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-participant_ref", Input).focus()
        await pilot.press("[")
        await settle(pilot)
        matches = form.query_one("#f-participant_ref-matches", OptionList)
        shown = [str(matches.get_option_at_index(i).prompt) for i in range(matches.option_count)]
        assert shown == list(sorted(HOSTILE, key=str))  # the brackets as typed, nothing run
        await pilot.press("escape", "escape", "y")  # close the list, then the form (it was typed in)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        register = await open_register(pilot, "2025-06-02")
        assert [str(register.table.get_row_at(i)[0]) for i in range(2)] == sorted(HOSTILE)
        lines = ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]
        assert any("[bold]B1[/]" in line for line in lines)
        assert any("[@click=app.quit]Q2" in line for line in lines)
        await pilot.press("escape")  # nothing marked: closes without asking
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_escape_on_a_marked_register_asks_first(spoke_db: Path) -> None:
    group_spoke(spoke_db)
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        register = await open_register(pilot, WEEK[0])
        register.table.focus()
        await pilot.press("a", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert rows(spoke_db, "SELECT * FROM contacts") == []
