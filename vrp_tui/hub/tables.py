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
from vrp_tui.reference import APPROACH, INSTRUMENT, PREVENTION_LEVEL, SPOKES
from vrp_tui.returns.measures import OUTCOME_COUNTS

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
NOT_RECORDED = "not recorded"  # a return from before attendance or outcomes were recorded


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


@dataclass(frozen=True)
class Derived:
    """A rate or mean worked out from counts: shown unless one of ``cells`` is suppressed
    (with the counts it could give a suppressed one away)."""

    value: Decimal | None
    cells: tuple[CellId, ...]


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
        *_attendance_tables(c, grid),
        *_outcome_tables(c, grid),
        _outcomes_trend(c),
    ]
    hidden = suppress(grid, threshold) if publish else set()
    for table in tables:
        table.rows = [[_resolve(v, grid, hidden) for v in row] for row in table.rows]
    return tables


def _resolve(value: Any, grid: Grid, hidden: set[CellId]) -> Any:
    if isinstance(value, Count):
        return SUPPRESSED if value.cell in hidden else grid.values[value.cell]
    if isinstance(value, Derived):
        return SUPPRESSED if any(c in hidden for c in value.cells) else value.value
    return value


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
        ["Attendance not recorded in", _not_recorded(c, "attendance_recorded")],
        ["Outcomes not recorded in", _not_recorded(c, "outcomes_recorded")],
        ["Outcomes", "per enrolment and instrument (SPEC section 4); financial year to date adds up the "
                     "quarters, so an enrolment measured in two quarters counts in both; mean change worked out "
                     "from the sums (positive is better)"],
    ])


def _not_recorded(c: Consolidated, flag: str) -> str:
    """The held returns (this quarter's) from before attendance or outcomes were recorded: they add nothing."""
    names = [SPOKES[s].name for s, f in c.by_spoke.items() if not getattr(f, flag)]
    return ", ".join(names) + " (returns from before it was recorded: left out, not counted as zeros)" \
        if names else "none"


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
    rows.append(["Did not attend", *(f.did_not_attend if f.attendance_recorded else NOT_RECORDED
                                     for f in (c.vrp, c.ytd))])
    rows.append(["Attendance rate (%)", *(f.attendance_rate if f.attendance_recorded else NOT_RECORDED
                                          for f in (c.vrp, c.ytd))])
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


# -- attendance and outcomes ---------------------------------------------------------------

Groups = list[tuple[str, str, Figures | None]]  # (key, label, figures; None: no return held)


def _groupings(c: Consolidated, ytd: bool) -> list[tuple[str, str, str, Groups, Figures]]:
    """(name, title, kind, groups, total) for by spoke, by approach and by prevention level."""
    spokes, approach = (c.ytd_by_spoke, c.ytd_by_approach) if ytd else (c.by_spoke, c.by_approach)
    levels = c.ytd_by_level if ytd else c.by_level
    vrp = c.ytd if ytd else c.vrp
    everything = c.ytd_by_intervention_total if ytd else c.by_intervention_total
    return [
        ("by_spoke", "by spoke", "spoke", [(s, SPOKES[s].name, spokes.get(s)) for s in SPOKES], vrp),
        ("by_approach", "by approach", "approach", [(a, APPROACH[a], f) for a, f in approach.items()], everything),
        ("by_prevention_level", "by level", "level", [(k, PREVENTION_LEVEL[k], levels.get(k)) for k in PREVENTION_LEVEL],
         everything),
    ]


def _attendance_tables(c: Consolidated, grid: Grid) -> list[Table]:
    """Sessions attended and missed, and the attendance rate, by spoke, approach and level; quarter and year.

    A quarter's attended sessions are the same cells as the sessions column of the tables above when
    every part recorded attendance, so a count suppressed there is suppressed here too."""
    out = []
    for (name, title, kind, q_groups, q_total), (_, _, _, y_groups, y_total) in zip(
            _groupings(c, False), _groupings(c, True), strict=True):
        quarter = {key: (label, f) for key, label, f in q_groups}
        year = {key: (label, f) for key, label, f in y_groups}
        keys = [k for k in (SPOKES if kind == "spoke" else APPROACH if kind == "approach" else PREVENTION_LEVEL)
                if k in quarter or k in year]
        rows: list[list[Any]] = [[(quarter.get(k) or year[k])[0]] for k in keys]
        total_row: list[Any] = ["VRP total" if kind == "spoke" else "All interventions"]
        for when, groups, total in (("q", quarter, q_total), ("ytd", year, y_total)):
            shared = "vrp" if kind == "spoke" else "interventions"
            attended = grid.cell(
                (shared, "contacts") if when == "q" and total.attendance_parts == total.parts
                else (when, kind, "total", "attended"), total.attended, exact=True)
            missed = grid.cell((when, kind, "total", "did_not_attend"), total.did_not_attend, exact=True)
            parts_a, parts_m = [], []
            for key, row in zip(keys, rows, strict=True):
                f = groups.get(key, ("", None))[1]
                if f is None or (f.parts and not f.attendance_recorded):
                    gone = kind != "spoke" and key not in groups
                    row += ["-" if gone else NOT_RETURNED if f is None else NOT_RECORDED, None, None]
                    continue
                a = grid.cell((kind, key, "contacts") if when == "q" and f.attendance_parts == f.parts
                              else (when, kind, key, "attended"), f.attended)
                m = grid.cell((when, kind, key, "did_not_attend"), f.did_not_attend)
                parts_a.append(a)
                parts_m.append(m)
                row += [Count(a), Count(m), Derived(f.attendance_rate, (a, m))]
            if total.attendance_parts == total.parts or parts_a:
                grid.line(parts_a, attended)
                grid.line(parts_m, missed)
            total_row += ([Count(attended), Count(missed), Derived(total.attendance_rate, (attended, missed))]
                          if total.attendance_recorded or not total.parts else [NOT_RECORDED, None, None])
        out.append(Table(f"attendance_{name}", f"Attendance {title}",
                         [kind.capitalize(), "Sessions attended", "Did not attend", "Attendance rate (%)",
                          "Sessions attended, FY to date", "Did not attend, FY to date",
                          "Attendance rate (%), FY to date"], [*rows, total_row]))
    return out


OUTCOME_LABELS = {"measured": "Measured", "paired": "Paired", "improved": "Improved", "unchanged": "Unchanged",
                  "worsened": "Worsened"}


def _outcome_tables(c: Consolidated, grid: Grid) -> list[Table]:
    """Outcomes per instrument by spoke, approach and level, for the quarter and the year to date."""
    out = []
    for ytd in (False, True):
        for name, title, kind, groups, total in _groupings(c, ytd):
            when = "ytd" if ytd else "q"
            rows: list[list[Any]] = []
            instruments = [slug for slug, o in total.outcomes.items() if o["measured"] or o["paired"]]
            for slug in instruments:
                scope = (when, "outcomes", kind, slug)
                totals = {k: grid.cell((*scope, "total", k), total.outcomes[slug][k], exact=True)
                          for k in OUTCOME_COUNTS}
                grid.line([totals[k] for k in ("improved", "unchanged", "worsened")], totals["paired"])
                parts: dict[str, list[CellId]] = {k: [] for k in OUTCOME_COUNTS}
                for key, label, f in groups:
                    if f is None or (f.parts and not f.outcomes_recorded):
                        rows.append([label, INSTRUMENT[slug], NOT_RETURNED if f is None else NOT_RECORDED,
                                     *[None] * (len(OUTCOME_COUNTS) + 1)])
                        continue
                    cells = {k: grid.cell((*scope, key, k), f.outcomes[slug][k]) for k in OUTCOME_COUNTS}
                    grid.line([cells[k] for k in ("improved", "unchanged", "worsened")], cells["paired"])
                    for k, cell in cells.items():
                        parts[k].append(cell)
                    rows.append(_outcome_row(label, slug, cells, f))
                for k in OUTCOME_COUNTS:
                    grid.line(parts[k], totals[k])
                rows.append(_outcome_row("VRP total" if kind == "spoke" else "All interventions", slug, totals,
                                         total))
            if not total.outcomes_recorded:
                rows.append(["VRP total" if kind == "spoke" else "All interventions", NOT_RECORDED,
                             *[None] * (len(OUTCOME_COUNTS) + 2)])
            span = "FY to date" if ytd else c.period.code
            out.append(Table(f"outcomes_{'ytd_' if ytd else ''}{name}",
                             f"Outcomes {'FYTD ' if ytd else ''}{title}",
                             [kind.capitalize(), "Instrument", *OUTCOME_LABELS.values(),
                              f"Change sum, {span}", f"Mean change, {span}"], rows))
    return out


def _outcomes_trend(c: Consolidated) -> Table:
    """VRP outcomes per instrument and quarter (VRP totals, as the trend): distance travelled over time."""
    measured = [slug for slug in INSTRUMENT
                if any(p.figures.outcomes[slug]["measured"] or p.figures.outcomes[slug]["paired"] for p in c.trend)]
    rows: list[list[Any]] = []
    for point in c.trend:
        f = point.figures
        if not f.outcomes_recorded:
            rows.append([point.period, NOT_RECORDED if point.returns else NOT_RETURNED, point.returns,
                         *[None] * (len(OUTCOME_COUNTS) + 1)])
            continue
        for slug in measured:
            o = f.outcomes[slug]
            rows.append([point.period, INSTRUMENT[slug], point.returns, *(o[k] for k in OUTCOME_COUNTS),
                         f.mean_change(slug)])
    return Table("outcomes_trend", "Outcomes trend by quarter",
                 ["Quarter", "Instrument", "Returns held", *OUTCOME_LABELS.values(), "Mean change"], rows)


def _outcome_row(label: str, slug: str, cells: dict[str, CellId], f: Figures) -> list[Any]:
    """One row: the counts, then the change sum and mean (hidden with the paired count they could reveal)."""
    return [label, INSTRUMENT[slug], *(Count(cells[k]) for k in OUTCOME_COUNTS),
            Derived(f.change_sum(slug), (cells["paired"],)), Derived(f.mean_change(slug), (cells["paired"],))]
