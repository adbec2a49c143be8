"""Consolidated figures worked out by hand, and the report in JSON, CSV and XLSX, exact and published."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hub_bags import HubWorld, document, figures, intervention
from hypothesis import given, settings
from hypothesis import strategies as st

from vrp_tui.hub.consolidate import Consolidated, consolidate, from_documents
from vrp_tui.hub.report import report
from vrp_tui.hub.tables import Pounds, Table, build_tables
from vrp_tui.periods import Period
from vrp_tui.reference import SPOKES

Q1, Q2 = "2025-26-Q1", "2025-26-Q2"


def _bristol_q2() -> dict[str, Any]:
    b1 = intervention("B1", "mentoring", "secondary", referrals=10, starts=8, active=12, high_risk_active=3,
                      completions=2, other_exits=1, contacts=40, hours=30.5, spend=("1000.00", "200.00"),
                      spend_ytd=("1800.00", "350.00"), budget=("5000.00", "1000.00"),
                      ages={"10-14": 4, "15-17": 8}, sexes={"female": 5, "male": 7})
    b2 = intervention("B2", "sports-programmes", "primary", referrals=3, starts=3, active=4, contacts=8,
                      hours=6.0, spend=("150.25", "0.00"), spend_ytd=("300.25", "0.00"),
                      budget=("1000.00", "0.00"))
    # One young person attended both: 12 + 4 - 1 = 15 active at the spoke.
    totals = figures(referrals=13, starts=11, active=15, high_risk_active=3, completions=2, other_exits=1,
                     contacts=48, hours=36.5, spend=("1150.25", "200.00"), spend_ytd=("2100.25", "350.00"),
                     budget=("6000.00", "1000.00"), ages={"10-14": 4, "15-17": 11},
                     sexes={"female": 5, "male": 10})
    return document("bristol", Q2, interventions=[b1, b2], totals=totals)


def _one(spoke: str, period: str, version: int = 1, **numbers: Any) -> dict[str, Any]:
    item = intervention("N1", numbers.pop("approach", "a-and-e-navigators"), numbers.pop("level", "tertiary"),
                        **numbers)
    totals = {k: v for k, v in item.items() if k not in ("ref", "name", "approach", "prevention_level", "setting")}
    return document(spoke, period, version, interventions=[item], totals=totals)


@pytest.fixture
def world(tmp_path: Path) -> HubWorld:
    w = HubWorld(tmp_path / "hub.db")
    for doc in [
        _one("bristol", Q1, referrals=9, active=10, contacts=30, hours=20.0),
        _one("somerset", Q1, referrals=7, active=5, contacts=9, hours=4.0),
        _bristol_q2(),
        _one("banes", Q2, referrals=50, active=50, contacts=99, hours=99.0),  # superseded below
        _one("banes", Q2, 2, referrals=2, starts=2, active=2, high_risk_active=2, contacts=5, hours=3.3,
             spend=("500.00", "0.00"), spend_ytd=("900.00", "0.00"), budget=("2000.00", "0.00")),
    ]:
        assert w.receive(w.send(doc)).accepted
    return w


def test_quarter_totals_are_the_sums_of_the_held_returns(world: HubWorld) -> None:
    c = consolidate(world.store, Period.parse(Q2))
    assert c.held == {"bristol": 1, "banes": 2} and c.missing == ["north-somerset", "south-glos", "somerset"]
    assert c.vrp.counts == {"referrals": 15, "starts": 13, "active": 17, "high_risk_active": 5,
                            "completions": 2, "other_exits": 1, "contacts": 53}
    assert c.vrp.contact_hours == Decimal("39.8")
    assert c.vrp.money["spend_gbp"] == {"grant": 165025, "match": 20000}
    assert c.vrp.breakdowns["active_by_age_band"]["15-17"] == 13
    assert c.vrp.breakdowns["active_by_sex"] == {"female": 5, "male": 12, "other": 0, "not-known": 0}


def test_by_approach_and_level_add_up_the_interventions(world: HubWorld) -> None:
    c = consolidate(world.store, Period.parse(Q2))
    assert list(c.by_approach) == ["a-and-e-navigators", "mentoring", "sports-programmes"]
    assert [f.counts["referrals"] for f in c.by_approach.values()] == [2, 10, 3]
    assert [f.interventions for f in c.by_approach.values()] == [1, 1, 1]
    assert {k: f.counts["referrals"] for k, f in c.by_level.items()} == {"primary": 3, "secondary": 10,
                                                                        "tertiary": 2}
    assert c.by_intervention_total.counts["active"] == 18  # per intervention: 12 + 4 + 2, not the 17 people
    assert c.by_level["primary"].money["spend_gbp"]["grant"] == 15025


def test_year_to_date_and_trend(world: HubWorld) -> None:
    c = consolidate(world.store, Period.parse(Q2))
    assert c.ytd_returns == 4
    assert c.ytd.counts == {"referrals": 9 + 7 + 15, "starts": 13, "completions": 2, "other_exits": 1,
                            "contacts": 30 + 9 + 53}
    assert c.ytd.contact_hours == Decimal("63.8")
    assert c.ytd.money == {"spend_gbp": {"grant": 300025, "match": 35000},
                           "budget_gbp": {"grant": 800000, "match": 100000}}
    assert [(p.period, p.returns, p.figures.counts["referrals"]) for p in c.trend] == [(Q1, 2, 16), (Q2, 2, 15)]


def test_a_quarter_with_nothing_held(world: HubWorld) -> None:
    c = consolidate(world.store, Period.parse("2025-26-Q4"))
    assert c.held == {} and c.vrp.counts["referrals"] == 0
    assert [p.period for p in c.trend] == [Q1, Q2, "2025-26-Q3", "2025-26-Q4"]
    assert build_tables(c, publish=True)  # nothing to suppress, nothing breaks


def _table(tables: list[Table], name: str) -> Table:
    return next(t for t in tables if t.name == name)


def test_exact_tables(world: HubWorld) -> None:
    tables = build_tables(consolidate(world.store, Period.parse(Q2)))
    by_spoke = _table(tables, "by_spoke")
    assert by_spoke.columns[:4] == ["Spoke", "Version", "Referrals", "Starts"]
    assert by_spoke.rows[0][:4] == ["Bristol", 1, 13, 11]
    assert by_spoke.rows[2][:3] == ["North Somerset", "not returned", None]
    assert by_spoke.rows[-1][:4] == ["VRP total", None, 15, 13]
    budget = _table(tables, "spend_vs_budget")
    assert budget.rows[0] == ["Bristol", Pounds(600000), Pounds(100000), Pounds(210025), Pounds(35000),
                              Pounds(245025), Decimal("35.0")]
    ages = _table(tables, "active_by_age_band")
    assert ages.columns == ["Spoke", "0-9", "10-14", "15-17", "18-24", "25+", "Unknown", "Total"]
    assert ages.rows[-1] == ["VRP total", 0, 4, 13, 0, 0, 0, 17]


def _published_cells(table: Table) -> list[Any]:
    return [v for row in table.rows for v in row[1:]]


def test_published_tables_hide_small_counts_and_what_would_reveal_them(world: HubWorld) -> None:
    c = consolidate(world.store, Period.parse(Q2))
    exact = build_tables(c)
    tables = build_tables(c, publish=True, threshold=5)
    vrp_level = {"totals", "trend", "outcomes_trend", "spend_vs_budget"}
    for table in tables[1:]:  # after "About", which says the figures are published
        if table.name in vrp_level:
            assert table.rows == _table(exact, table.name).rows  # VRP totals, money: exact
            continue
        first = 2 if table.name in ("by_spoke", "by_approach", "by_prevention_level") else 1
        for row in table.rows[:-1]:  # every row below the VRP total, its counts
            for value in row[first:first + 7]:
                assert not (isinstance(value, int) and 1 <= value <= 4), (table.name, row)
    # The VRP totals stay exact; a VRP-wide count by age band (say) is below them and may not.
    assert _table(tables, "by_spoke").rows[-1] == _table(exact, "by_spoke").rows[-1]
    for name in ("active_by_age_band", "active_by_sex", "active_by_ethnicity"):
        assert _table(tables, name).rows[-1][-1] == 17
    assert _table(tables, "active_by_age_band").rows[-1][2] == "[c]"  # 4 aged 10-14 in the VRP
    # Rows and columns that add up never hold exactly one suppressed cell (brute force over each).
    for name in ("active_by_age_band", "active_by_sex", "active_by_ethnicity"):
        table = _table(tables, name)
        lines = [row[1:] for row in table.rows] + [list(col) for col in zip(*(r[1:] for r in table.rows),
                                                                             strict=True)]
        for line in lines:
            assert line.count("[c]") != 1, (name, line)
    for name in ("by_spoke", "by_approach", "by_prevention_level"):
        table = _table(tables, name)
        for col in range(2, 9):  # the count columns, down to the total row
            column = [row[col] for row in table.rows if row[col] is not None]
            assert column.count("[c]") != 1, (name, table.columns[col], column)
    assert "[c]" in _published_cells(_table(tables, "by_spoke"))
    assert _table(tables, "by_spoke").rows[1][2:4] == ["[c]", "[c]"]  # banes: 2 referrals, 2 starts


def test_json_report(world: HubWorld) -> None:
    c: Consolidated = consolidate(world.store, Period.parse(Q2))
    data = json.loads(report(c, "json"))
    assert (data["period"], data["published"], data["disclosure_threshold"]) == (Q2, False, None)
    assert data["returns"] == {"bristol": 1, "banes": 2}
    totals = next(t for t in data["tables"] if t["name"] == "totals")
    assert totals["rows"][0] == ["Referrals", 15, 31]
    assert ["Contact hours", 39.8, 63.8] in totals["rows"]
    assert ["Spend, VRP grant", "1650.25", "3000.25"] in totals["rows"]
    published = json.loads(report(c, "json", publish=True, threshold=5))
    assert published["published"] is True and published["disclosure_threshold"] == 5
    assert "[c]" in json.dumps(published["tables"])


def test_csv_report_is_one_long_file(world: HubWorld) -> None:
    rows = list(csv.DictReader(io.StringIO(report(consolidate(world.store, Period.parse(Q2)), "csv").decode())))
    assert set(rows[0]) == {"table", "row", "column", "value"}
    found = {(r["table"], r["row"], r["column"]): r["value"] for r in rows}
    assert found[("by_spoke", "VRP total", "Referrals")] == "15"
    assert found[("by_spoke", "Bristol", "Spend, VRP grant")] == "1150.25"
    assert found[("by_spoke", "Somerset", "Version")] == "not returned"
    assert found[("totals", "Budget for the year, VRP grant", Q2)] == ""


def test_xlsx_report_has_a_sheet_per_table(world: HubWorld, tmp_path: Path) -> None:
    c = consolidate(world.store, Period.parse(Q2))
    data = report(c, "xlsx", publish=True, threshold=5)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    sheets = re.findall(r'<sheet name="([^"]+)"', workbook)
    assert sheets == [t.title for t in build_tables(c)]
    assert sheets[:3] == ["About", "VRP totals", "By spoke"]
    assert "Active young people" in strings and "[c]" in strings and "Spend against budget" in workbook


# -- published reports over many partnerships --------------------------------------------------------

_APPROACHES = ("mentoring", "sports-programmes", "a-and-e-navigators", "focused-deterrence")
_BREAKDOWN_KEYS = {"ages": ("10-14", "15-17", "18-24", "unknown"), "sexes": ("female", "male", "not-known"),
                   "ethnicities": ("asian", "black", "white", "not-stated")}


@st.composite
def _spoke_return(draw: st.DrawFn, spoke: str) -> dict[str, Any]:
    items = []
    for n in range(draw(st.integers(1, 3))):
        active = draw(st.integers(0, 14))
        counts = {name: draw(st.integers(0, 14)) for name in ("referrals", "starts", "completions", "contacts")}
        items.append(intervention(
            f"I{n}", draw(st.sampled_from(_APPROACHES)), draw(st.sampled_from(("primary", "secondary"))),
            active=active, high_risk_active=draw(st.integers(0, active)), **counts,
            **{b: {draw(st.sampled_from(keys)): active} for b, keys in _BREAKDOWN_KEYS.items()}))
    totals = figures(**{name: sum(i[name] for i in items) for name in
                        ("referrals", "starts", "active", "high_risk_active", "completions", "contacts")},
                     ages=_summed(items, "active_by_age_band"), sexes=_summed(items, "active_by_sex"),
                     ethnicities=_summed(items, "active_by_ethnicity"))
    return document(spoke, Q2, interventions=items, totals=totals)


def _summed(items: list[dict[str, Any]], breakdown: str) -> dict[str, int]:
    return {k: sum(i[breakdown][k] for i in items) for k in items[0][breakdown]}


@settings(max_examples=40, deadline=None)
@given(st.tuples(*(_spoke_return(s) for s in SPOKES)))
def test_no_published_report_shows_or_gives_away_a_small_count(returns: tuple[dict[str, Any], ...]) -> None:
    c = from_documents(Period.parse(Q2), {(d["spoke"], Q2): d for d in returns})
    exact = {t.name: t for t in build_tables(c)}
    tables = {t.name: t for t in build_tables(c, publish=True, threshold=5)}
    assert tables["by_spoke"].rows[-1] == exact["by_spoke"].rows[-1]  # the VRP total, exact
    for name in ("by_spoke", "by_approach", "by_prevention_level"):
        rows = tables[name].rows
        for col in range(2, 9):
            column = [row[col] for row in rows]
            assert not any(isinstance(v, int) and 1 <= v <= 4 for v in column[:-1]), (name, col, column)
            if len([v for v in column[:-1] if v]) > 1 or column[-1] >= 5:  # one group alone IS the total
                assert column.count("[c]") != 1, (name, col, column)
    for name in ("active_by_age_band", "active_by_sex", "active_by_ethnicity"):
        rows = [row[1:] for row in tables[name].rows]
        assert rows[-1][-1] == c.vrp.counts["active"]
        cells = [v for row in rows for v in row][:-1]
        assert not any(isinstance(v, int) and 1 <= v <= 4 for v in cells), (name, rows)
        for line in [*rows, *map(list, zip(*rows, strict=True))]:
            assert line.count("[c]") != 1, (name, line)
