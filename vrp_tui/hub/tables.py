"""The consolidated figures laid out as the tables a report holds, exact or published.

Every count is placed as a cell of a :class:`~.disclosure.Grid` with the sums a
reader could use against it; when publishing, the cells disclosure control
picks show as ``[c]``. VRP-level totals (the VRP row, FY to date, the trend) are
exact and never suppressed. Money and contact hours are not counts of people
and are shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vrp_tui.hub.consolidate import ADDITIVE, BREAKDOWNS, COUNTS, Consolidated, Figures
from vrp_tui.hub.disclosure import SUPPRESSED, CellId, Grid, suppress
from vrp_tui.reference import APPROACH, PREVENTION_LEVEL, SPOKES

FIGURE_LABELS = {
    "referrals": "Referrals",
    "starts": "Starts",
    "active": "Active young people",
    "high_risk_active": "High-risk active",
    "completions": "Completions",
    "other_exits": "Other exits",
    "contacts": "Contacts",
}
BREAKDOWN_TITLES = {
    "active_by_age_band": "Active by age band",
    "active_by_sex": "Active by sex",
    "active_by_ethnicity": "Active by ethnicity",
}
NOT_RETURNED = "not returned"


@dataclass(frozen=True)
class Pounds:
    """Money in a table: exact pence, shown as pounds with two decimals."""

    pence: int

    def __str__(self) -> str:
        sign = "-" if self.pence < 0 else ""
        return f"{sign}{abs(self.pence) // 100}.{abs(self.pence) % 100:02d}"


@dataclass(frozen=True)
class Count:
    """A count whose value depends on disclosure control (resolved once the grid is complete)."""

    cell: CellId


@dataclass
class Table:
    name: str  # a short key: file and JSON name
    title: str  # readable; the XLSX sheet name (at most 31 characters)
    columns: list[str]
    rows: list[list[Any]]  # the first cell labels the row


def build_tables(c: Consolidated, *, publish: bool = False, threshold: int = 5) -> list[Table]:
    """The report's tables; with ``publish``, small counts and what would reveal them are ``[c]``."""
    grid = Grid()
    tables = [
        _about(c, publish, threshold),
        _totals(c),
        _by_spoke(c, grid),
        _by_group(c, grid, "by_approach", "By approach", "Approach (YEF Toolkit)", "approach",
                  {a: APPROACH[a] for a in c.by_approach}, c.by_approach),
        _by_group(c, grid, "by_prevention_level", "By prevention level", "Prevention level", "level",
                  PREVENTION_LEVEL, c.by_level),
        *(_breakdown(c, grid, name) for name in BREAKDOWNS),
        _spend_vs_budget(c),
        _trend(c),
    ]
    hidden = suppress(grid, threshold) if publish else set()
    for table in tables:
        table.rows = [
            [(SUPPRESSED if v.cell in hidden else grid.values[v.cell]) if isinstance(v, Count) else v
             for v in row]
            for row in table.rows
        ]
    return tables


def _about(c: Consolidated, publish: bool, threshold: int) -> Table:
    held = ", ".join(f"{SPOKES[s].name} v{v}" for s, v in c.held.items()) or "none"
    missing = ", ".join(SPOKES[s].name for s in c.missing) or "none"
    figures = (f"published: counts from 1 to {threshold - 1} and counts that would reveal them are {SUPPRESSED}"
               if publish else "exact, for use inside the partnership only")
    return Table("about", "About", ["Item", "Value"], [
        ["Period", c.period.label],
        ["Period code", c.period.code],
        ["Figures", figures],
        ["Returns included", held],
        ["Returns missing", missing],
        ["Active young people", "counted once per spoke; not matched across spokes or quarters"],
    ])


def _totals(c: Consolidated) -> Table:
    rows: list[list[Any]] = [
        [FIGURE_LABELS[n], c.vrp.counts[n], c.ytd.counts.get(n)] for n in COUNTS
    ]
    rows.append(["Contact hours", c.vrp.contact_hours, c.ytd.contact_hours])
    for fund, label in (("grant", "VRP grant"), ("match", "match")):
        rows.append([f"Spend, {label}", Pounds(c.vrp.money["spend_gbp"][fund]),
                     Pounds(c.ytd.money["spend_gbp"][fund])])
    for fund, label in (("grant", "VRP grant"), ("match", "match")):
        rows.append([f"Budget for the year, {label}", None, Pounds(c.ytd.money["budget_gbp"][fund])])
    return Table("totals", "VRP totals", ["Figure", c.period.code, "Financial year to date"], rows)


def _count_columns() -> list[str]:
    return [FIGURE_LABELS[n] for n in COUNTS] + ["Contact hours", "Spend, VRP grant", "Spend, match"]


def _by_spoke(c: Consolidated, grid: Grid) -> Table:
    for name in COUNTS:
        grid.cell(("vrp", name), c.vrp.counts[name], exact=True)
    rows: list[list[Any]] = []
    for spoke in SPOKES:
        figures = c.by_spoke.get(spoke)
        if figures is None:
            rows.append([SPOKES[spoke].name, NOT_RETURNED] + [None] * (len(COUNTS) + 3))
            continue
        cells = [Count(grid.cell(("spoke", spoke, n), figures.counts[n])) for n in COUNTS]
        rows.append([SPOKES[spoke].name, c.held[spoke], *cells, figures.contact_hours,
                     Pounds(figures.money["spend_gbp"]["grant"]), Pounds(figures.money["spend_gbp"]["match"])])
    for name in COUNTS:
        grid.line([("spoke", s, name) for s in c.by_spoke], ("vrp", name))
    rows.append(["VRP total", None, *(Count(("vrp", n)) for n in COUNTS), c.vrp.contact_hours,
                 Pounds(c.vrp.money["spend_gbp"]["grant"]), Pounds(c.vrp.money["spend_gbp"]["match"])])
    return Table("by_spoke", "By spoke", ["Spoke", "Version", *_count_columns()], rows)


def _by_group(c: Consolidated, grid: Grid, name: str, title: str, header: str, kind: str,
              labels: dict[str, str], groups: dict[str, Figures]) -> Table:
    """Interventions grouped by approach or prevention level, with an all-interventions total."""
    everything = c.by_intervention_total
    for n in COUNTS:
        grid.cell(("interventions", n), everything.counts[n], exact=True)
    rows: list[list[Any]] = []
    for key, label in labels.items():
        figures = groups[key]
        cells = [Count(grid.cell((kind, key, n), figures.counts[n])) for n in COUNTS]
        rows.append([label, figures.interventions, *cells, figures.contact_hours,
                     Pounds(figures.money["spend_gbp"]["grant"]), Pounds(figures.money["spend_gbp"]["match"])])
    for n in COUNTS:
        grid.line([(kind, key, n) for key in labels], ("interventions", n))
    rows.append(["All interventions", everything.interventions,
                 *(Count(("interventions", n)) for n in COUNTS), everything.contact_hours,
                 Pounds(everything.money["spend_gbp"]["grant"]), Pounds(everything.money["spend_gbp"]["match"])])
    columns = [header, "Interventions", *_count_columns()]
    for i, n in enumerate(COUNTS):
        if n not in ADDITIVE:  # a young person on two interventions counts on both
            columns[2 + i] += " (per intervention)"
    return Table(name, title, columns, rows)


def _breakdown(c: Consolidated, grid: Grid, name: str) -> Table:
    """Active young people by spoke and one characteristic: rows and columns both add up."""
    keys = BREAKDOWNS[name]
    vrp_part = c.vrp.breakdowns[name]
    for key in keys:
        grid.cell(("vrp", name, key), vrp_part[key])
    rows: list[list[Any]] = []
    for spoke, figures in c.by_spoke.items():
        cells = [grid.cell(("spoke", spoke, name, key), figures.breakdowns[name][key]) for key in keys]
        grid.line(cells, ("spoke", spoke, "active"))
        rows.append([SPOKES[spoke].name, *(Count(cell) for cell in cells), Count(("spoke", spoke, "active"))])
    for key in keys:
        grid.line([("spoke", s, name, key) for s in c.by_spoke], ("vrp", name, key))
    grid.line([("vrp", name, key) for key in keys], ("vrp", "active"))
    rows.append(["VRP total", *(Count(("vrp", name, key)) for key in keys), Count(("vrp", "active"))])
    return Table(name, BREAKDOWN_TITLES[name], ["Spoke", *keys.values(), "Total"], rows)


def _spend_vs_budget(c: Consolidated) -> Table:
    rows: list[list[Any]] = []
    for spoke in SPOKES:
        figures = c.by_spoke.get(spoke)
        if figures is None:
            rows.append([SPOKES[spoke].name, None, None, None, None, None, NOT_RETURNED])
            continue
        rows.append(_spend_row(SPOKES[spoke].name, figures))
    rows.append(_spend_row("VRP total", c.vrp))
    return Table("spend_vs_budget", "Spend against budget", [
        "Spoke", "Budget, VRP grant", "Budget, match", "Spend to date, VRP grant", "Spend to date, match",
        "Spend to date, total", "Budget used (%)",
    ], rows)


def _spend_row(label: str, f: Figures) -> list[Any]:
    budget, spent = f.total("budget_gbp"), f.total("spend_ytd_gbp")
    used = (Decimal(spent * 100) / budget).quantize(Decimal("0.1")) if budget else None
    return [label, Pounds(f.money["budget_gbp"]["grant"]), Pounds(f.money["budget_gbp"]["match"]),
            Pounds(f.money["spend_ytd_gbp"]["grant"]), Pounds(f.money["spend_ytd_gbp"]["match"]),
            Pounds(spent), used]


def _trend(c: Consolidated) -> Table:
    rows = [
        [p.period, p.returns, p.figures.counts["referrals"], p.figures.counts["starts"],
         p.figures.counts["active"], p.figures.counts["contacts"], p.figures.contact_hours,
         Pounds(p.figures.total("spend_gbp"))]
        for p in c.trend
    ]
    return Table("trend", "Trend by quarter", [
        "Quarter", "Returns held", "Referrals", "Starts", "Active young people", "Contacts",
        "Contact hours", "Spend, total",
    ], rows)
