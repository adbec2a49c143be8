"""Attendance and outcomes in the hub's consolidated figures and reports, worked out by hand.

Returns from before attendance and outcomes were recorded (the hub_bags
documents carry neither) count as "not recorded": they add nothing, never zeros.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hub_bags import document, intervention

from vrp_tui.hub.consolidate import from_documents
from vrp_tui.hub.report import report
from vrp_tui.hub.tables import NOT_RECORDED, Table, build_tables
from vrp_tui.periods import Period
from vrp_tui.reference import INSTRUMENTS
from vrp_tui.returns.measures import attendance_rate, mean_change

Q1, Q2 = "2025-26-Q1", "2025-26-Q2"


def outcome(measured: int = 0, paired: int = 0, improved: int = 0, unchanged: int = 0, worsened: int = 0,
            change_tenths: int = 0) -> dict[str, Any]:
    return {"measured": measured, "paired": paired, "improved": improved, "unchanged": unchanged,
            "worsened": worsened, "change_sum": change_tenths / 10, "mean_change": mean_change(change_tenths, paired)}


def recorded(part: dict[str, Any], missed: int, **outcomes: dict[str, Any]) -> dict[str, Any]:
    """``part`` with attendance and outcomes as a current spoke writes them."""
    part["did_not_attend"] = missed
    part["attendance_rate"] = attendance_rate(part["contacts"], missed)
    part["outcomes"] = {slug: outcomes.get(slug.replace("-", "_"), outcome()) for slug in INSTRUMENTS}
    return part


def spoke_doc(spoke: str, period: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A return whose totals add up its interventions (active summed: one person per intervention here)."""
    totals: dict[str, Any] = {k: v for k, v in items[0].items()
                              if k not in ("ref", "name", "approach", "prevention_level", "setting")}
    totals = json.loads(json.dumps(totals))
    for item in items[1:]:
        for name in ("referrals", "starts", "active", "completions", "other_exits", "contacts", "did_not_attend"):
            totals[name] += item[name]
        for slug in INSTRUMENTS:
            mine, theirs = totals["outcomes"][slug], item["outcomes"][slug]
            for k in ("measured", "paired", "improved", "unchanged", "worsened"):
                mine[k] += theirs[k]
            mine["change_sum"] = round(mine["change_sum"] + theirs["change_sum"], 1)
    totals["attendance_rate"] = attendance_rate(totals["contacts"], totals["did_not_attend"])
    for o in totals["outcomes"].values():
        o["mean_change"] = mean_change(round(o["change_sum"] * 10), o["paired"])
    return document(spoke, period, interventions=items, totals=totals)


def docs() -> dict[tuple[str, str], dict[str, Any]]:
    bristol = spoke_doc("bristol", Q2, [
        recorded(intervention("B1", "mentoring", "secondary", contacts=30, active=5), 10,
                 ors=outcome(6, 4, improved=3, worsened=1, change_tenths=25),  # +2.5 over 4
                 sdq_total=outcome(2, 2, improved=1, unchanged=1, change_tenths=30)),
        recorded(intervention("B2", "sports-programmes", "primary", contacts=8, active=3), 0,
                 ors=outcome(3, 2, improved=1, worsened=1, change_tenths=-6)),  # -0.6 over 2
    ])
    banes = spoke_doc("banes", Q2, [
        recorded(intervention("N1", "mentoring", "secondary", contacts=12, active=4), 4,
                 ors=outcome(2, 2, improved=2, change_tenths=13)),
    ])
    banes_q1 = spoke_doc("banes", Q1, [
        recorded(intervention("N1", "mentoring", "secondary", contacts=20, active=4), 5,
                 ors=outcome(3, 1, worsened=1, change_tenths=-20)),
    ])
    somerset = document("somerset", Q2)  # from before attendance and outcomes: neither recorded
    return {("bristol", Q2): bristol, ("banes", Q2): banes, ("banes", Q1): banes_q1, ("somerset", Q2): somerset}


def test_quarter_attendance_and_outcomes_are_sums_with_rates_worked_out_again() -> None:
    c = from_documents(Period.parse(Q2), docs())
    # Attendance: Bristol 38 attended, 10 missed; BaNES 12 and 4; Somerset not recorded (left out).
    assert (c.vrp.attended, c.vrp.did_not_attend, c.vrp.attendance_parts, c.vrp.parts) == (50, 14, 2, 3)
    assert c.vrp.attendance_rate == Decimal("78.1")  # 50 / 64 = 78.125 -> 78.1, not a mean of rates
    ors = c.vrp.outcomes["ors"]
    assert ors == {"measured": 11, "paired": 8, "improved": 6, "unchanged": 0, "worsened": 2, "change_tenths": 32}
    assert c.vrp.mean_change("ors") == Decimal("0.4")  # 3.2 / 8 = 0.4
    assert c.vrp.mean_change("sdq-total") == Decimal("1.5")
    assert c.vrp.mean_change("wemwbs") is None  # nothing paired
    assert c.by_spoke["somerset"].outcomes_recorded is False
    assert c.by_spoke["somerset"].attendance_rate is None
    # By approach: mentoring is B1 and N1; sports is B2 alone.
    mentoring, sports = c.by_approach["mentoring"], c.by_approach["sports-programmes"]
    assert (mentoring.outcomes["ors"]["paired"], mentoring.change_sum("ors"), mentoring.mean_change("ors")) == (
        6, Decimal("3.8"), Decimal("0.6"))  # 3.8 / 6 = 0.633
    assert (sports.mean_change("ors"), sports.attendance_rate) == (Decimal("-0.3"), Decimal("100.0"))
    assert c.by_level["secondary"].attendance_rate == Decimal("75.0")  # (30 + 12) / (42 + 14)


def test_year_to_date_adds_up_the_quarters() -> None:
    c = from_documents(Period.parse(Q2), docs())
    banes = c.ytd_by_spoke["banes"]
    assert (banes.attended, banes.did_not_attend, banes.attendance_rate) == (32, 9, Decimal("78.0"))  # 32/41
    assert banes.outcomes["ors"]["paired"] == 3 and banes.change_sum("ors") == Decimal("-0.7")
    assert banes.mean_change("ors") == Decimal("-0.2")  # -0.7 / 3 = -0.233
    assert c.ytd.outcomes["ors"]["measured"] == 14
    assert c.ytd_by_approach["mentoring"].outcomes["ors"]["paired"] == 7


def _table(tables: list[Table], name: str) -> Table:
    return next(t for t in tables if t.name == name)


def test_report_tables_say_not_recorded_rather_than_zeros() -> None:
    tables = build_tables(from_documents(Period.parse(Q2), docs()))
    attendance = _table(tables, "attendance_by_spoke")
    rows = {r[0]: r for r in attendance.rows}
    assert rows["Bristol"][1:4] == [38, 10, Decimal("79.2")]  # 38 / 48
    assert rows["Somerset"][1] == NOT_RECORDED
    assert rows["North Somerset"][1] == "not returned"
    assert rows["VRP total"][1:4] == [50, 14, Decimal("78.1")]
    outcomes = _table(tables, "outcomes_by_spoke")
    assert outcomes.columns == ["Spoke", "Instrument", "Measured", "Paired", "Improved", "Unchanged", "Worsened",
                                "Change sum, 2025-26-Q2", "Mean change, 2025-26-Q2"]
    ors = {r[0]: r for r in outcomes.rows if r[1] == "Outcome Rating Scale"}
    assert ors["Bristol"][2:] == [9, 6, 4, 0, 2, Decimal("1.9"), Decimal("0.3")]  # 1.9 / 6 = 0.317
    assert ors["Somerset"][2] == NOT_RECORDED
    assert ors["VRP total"][2:] == [11, 8, 6, 0, 2, Decimal("3.2"), Decimal("0.4")]
    about = {r[0]: r[1] for r in _table(tables, "about").rows}
    assert about["Outcomes not recorded in"].startswith("Somerset (returns from before")
    totals = {r[0]: r[1:] for r in _table(tables, "totals").rows}
    assert totals["Did not attend"] == [14, 14 + 5]
    assert totals["Attendance rate (%)"] == [Decimal("78.1"), Decimal("78.7")]  # year: 70 / 89 = 78.65


def test_publish_suppresses_small_outcome_counts_and_what_would_reveal_them() -> None:
    c = from_documents(Period.parse(Q2), docs())
    tables = build_tables(c, publish=True, threshold=5)
    ors = {r[0]: r for r in _table(tables, "outcomes_by_spoke").rows if r[1] == "Outcome Rating Scale"}
    # BaNES measured 2 and paired 2: suppressed, and with them its change sum and mean (they give paired away).
    banes = ors["Bath and North East Somerset"]
    assert banes[2:5] == ["[c]", "[c]", "[c]"] and banes[7:] == ["[c]", "[c]"]
    # Its worsened 0 goes too: Bristol's 2 worsened is suppressed, and the total (2) would give it away.
    assert banes[6] == "[c]"
    # Bristol's 9 measured stands, but measured would then give BaNES's away: 11 - 9; so it goes too.
    bristol = ors["Bristol"]
    assert bristol[2] == "[c]"
    assert ors["VRP total"][2:7] == [11, 8, 6, 0, 2]  # VRP totals are never suppressed
    for row in _table(tables, "outcomes_by_spoke").rows:
        for value in row[2:7]:
            assert not (isinstance(value, int) and 1 <= value <= 4) or row[0] == "VRP total"


def test_reports_in_every_format_carry_the_outcomes_table() -> None:
    c = from_documents(Period.parse(Q2), docs())
    data = json.loads(report(c, "json"))
    names = [t["name"] for t in data["tables"]]
    assert {"attendance_by_spoke", "attendance_by_approach", "attendance_by_prevention_level", "outcomes_by_spoke",
            "outcomes_by_approach", "outcomes_by_prevention_level", "outcomes_ytd_by_spoke"} <= set(names)
    ors = next(r for t in data["tables"] if t["name"] == "outcomes_by_spoke" for r in t["rows"]
               if r[0] == "VRP total" and r[1] == "Outcome Rating Scale")
    assert ors[7:] == [3.2, 0.4]
    text = report(c, "csv").decode()
    assert "outcomes_by_spoke,VRP total,Mean change, 2025-26-Q2,0.4" in text.replace('"', "")
    assert report(c, "xlsx")[:2] == b"PK"


def test_the_return_viewer_says_which_figures_a_return_does_not_record() -> None:
    from vrp_tui.hub.viewer import ReturnView, figure

    old, new = docs()[("somerset", Q2)], docs()[("bristol", Q2)]
    assert ReturnView("somerset", Q2, [], [], old).not_recorded == ["did_not_attend", "attendance_rate", "outcomes"]
    assert ReturnView("bristol", Q2, [], [], new).not_recorded == []
    assert figure(old["totals"], "did_not_attend") == "not recorded"
    assert figure(old["totals"], "contacts") == old["totals"]["contacts"]
    assert figure(new["totals"], "did_not_attend") == 10


def test_outcomes_over_the_quarters_are_vrp_sums_with_the_mean_worked_out_again() -> None:
    """The trend: per quarter and instrument, the VRP's counts and its mean change (never an average of means)."""
    c = from_documents(Period.parse(Q2), docs())
    (trend,) = [t for t in build_tables(c) if t.name == "outcomes_trend"]
    rows = {(r[0], r[1]): r[2:] for r in trend.rows}
    # Q2 ORS: Bristol 6+3 measured, 4+2 paired, 3+1 better, 1+1 worse, +2.5-0.6; BaNES 2, 2, 2 better, +1.3:
    # 8 paired, change 3.2, mean 0.4 (the three means 0.6, -0.3 and 0.7 would average 0.3).
    assert rows[(Q2, INSTRUMENTS["ors"].label)] == [3, 11, 8, 6, 0, 2, Decimal("0.4")]
    assert rows[(Q2, INSTRUMENTS["sdq-total"].label)] == [3, 2, 2, 1, 1, 0, Decimal("1.5")]
    assert rows[(Q1, INSTRUMENTS["ors"].label)] == [1, 3, 1, 0, 0, 1, Decimal("-2.0")]
    assert not any(INSTRUMENTS["wemwbs"].label in key for key in rows)  # never measured: no rows


def test_an_outcomes_trend_of_returns_from_before_outcomes_says_not_recorded() -> None:
    c = from_documents(Period.parse(Q2), {("somerset", Q2): docs()[("somerset", Q2)]})
    (trend,) = [t for t in build_tables(c) if t.name == "outcomes_trend"]
    assert trend.rows == [[Q2, NOT_RECORDED, 1, None, None, None, None, None, None]]
