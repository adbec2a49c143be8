"""Consolidated figures for a quarter: VRP totals and year to date, by spoke, approach and
prevention level, trends as charts, spend against budget. Exact figures, for use inside
the partnership (`vrp hub report --publish` makes the disclosure-controlled release).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Sparkline, Static, TabbedContent, TabPane

from vrp_tui.formatting import pounds
from vrp_tui.hub.consolidate import Consolidated, consolidate
from vrp_tui.hub.held import latest_quarter
from vrp_tui.hub.tables import Table, build_tables
from vrp_tui.periods import Period
from vrp_tui.reference import INSTRUMENT, SPOKES
from vrp_tui.screens.hub.common import fill_table
from vrp_tui.text import as_text
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import hub_host, hub_store
from vrp_tui.widgets.report_table import ReportTable

# (table, tab title, key that shows it)
VIEWS: tuple[tuple[str, str, str], ...] = (
    ("totals", "Totals", "t"),
    ("by_spoke", "By spoke", "s"),
    ("by_approach", "By approach", "a"),
    ("by_prevention_level", "By level", "l"),
    ("trend", "Trend", "r"),
    ("spend_vs_budget", "Budget", "b"),
    ("outcomes", "Outcomes", "o"),
)
OUTCOMES = "outcomes"  # the report's outcome tables are named outcomes...; o shows the next
SLUG_OF = {label: slug for slug, label in INSTRUMENT.items()}  # instruments by slug: room at 80 columns
# Outcome headers on an 80-column screen (the table's title says quarter or year to date).
OUTCOME_HEADERS = {"Improved": "Better", "Unchanged": "Same", "Worsened": "Worse", "Change sum": "Sum",
                   "Mean change": "Mean"}


def short_outcome_header(column: str) -> str:
    """``Mean change, 2025-26-Q1`` as ``Mean``; ``Unchanged`` as ``Same``; the rest as they are."""
    return OUTCOME_HEADERS.get(column.split(",")[0], column)
TRENDS = (("referrals", "Referrals"), ("active", "Active"), ("contacts", "Contacts"), ("spend", "Spend"))


class FiguresPane(ReportsWorkerErrors, Vertical):
    BINDINGS = [
        Binding("left_square_bracket", "quarter(-1)", "Previous quarter", id="figures.previous"),
        Binding("right_square_bracket", "quarter(1)", "Next quarter", id="figures.next"),
        *(Binding(key, f"show_view('{name}')", f"Show {title.lower()}", show=False, id=f"figures.{name}")
          for name, title, key in VIEWS),
        Binding("e", "export_report", "Export report", id="figures.export"),
    ]

    @dataclass
    class ReportFolder(Message):
        folder: str

    @dataclass
    class Loaded(Message):
        figures: Consolidated
        tables: list[Table]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.period: Period | None = None
        self.outcome_tables: list[Table] = []
        self.outcome_shown = 0  # which of them the Outcomes tab shows

    def compose(self) -> ComposeResult:
        yield Static("", id="figures-title", classes="pane-title")
        with TabbedContent(id="figures-tabs"):
            for name, title, _ in VIEWS:
                with TabPane(title, id=f"tab-fig-{name}"):
                    if name == "trend":
                        yield from self._trend_charts()
                    if name == OUTCOMES:
                        yield Static("", id="fig-outcomes-which", classes="list-status")
                    yield ReportTable(id=f"fig-{name}", fixed_columns=1)
        yield Static("[ ] quarter · views: t s a l r b o · e export report · * once per intervention",
                     classes="list-status")

    def _trend_charts(self) -> ComposeResult:
        with Vertical(id="trend-charts"):
            for key, label in TRENDS:
                with Horizontal(classes="trend-row"):
                    yield Label(label, classes="trend-label")
                    yield Sparkline([], id=f"spark-{key}", classes="trend-chart")
                    yield Label("", id=f"spark-{key}-last", classes="trend-last")

    def focus_first(self) -> None:
        active = self.query_one("#figures-tabs", TabbedContent).active or "tab-fig-totals"
        self.query_one(f"#fig-{active.removeprefix('tab-fig-')}", ReportTable).focus()

    @on(TabbedContent.TabActivated, "#figures-tabs")
    def _view_shown(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, ReportTable) and self in focused.ancestors:  # not while the tab is hidden
            self.focus_first()

    def load(self) -> None:
        self.query_one("#figures-title", Static).update("Loading...")
        self._load(self.period)

    @work(thread=True, exit_on_error=False, exclusive=True, group="figures")
    def _load(self, period: Period | None) -> None:
        store = hub_store(self)
        if period is None:
            period = latest_quarter(store, hub_host(self).today)
        figures = consolidate(store, period)
        self.post_message(self.Loaded(figures, build_tables(figures)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        c = message.figures
        self.period = c.period
        missing = ", ".join(SPOKES[s].name for s in c.missing)
        self.query_one("#figures-title", Static).update(
            f"{c.period.label} · returns from {len(c.held)} of {len(SPOKES)} spokes"
            + (f" (none from {missing})" if missing and c.held else ""))
        for table in message.tables:
            if any(table.name == name for name, _, _ in VIEWS):
                fill_table(self.query_one(f"#fig-{table.name}", ReportTable), table)
        self.outcome_tables = [t for t in message.tables if t.name.startswith(OUTCOMES)]
        self._show_outcomes()
        for key, _ in TRENDS:
            values = [p.figures.total("spend_gbp") if key == "spend" else p.figures.counts[key] for p in c.trend]
            self.query_one(f"#spark-{key}", Sparkline).data = values
            last = pounds(values[-1]) if key == "spend" else f"{values[-1]:,}"
            self.query_one(f"#spark-{key}-last", Label).update(f"{last} in {c.period.code}")

    def _show_outcomes(self) -> None:
        """One of the outcome tables (by spoke, by approach, by prevention level: quarter and year
        to date) in the Outcomes tab, and which it is."""
        table = self.query_one("#fig-outcomes", ReportTable)
        which = self.query_one("#fig-outcomes-which", Static)
        if not self.outcome_tables:
            table.clear()
            which.update("No outcome figures for this quarter.")
            return
        self.outcome_shown %= len(self.outcome_tables)
        shown = self.outcome_tables[self.outcome_shown]
        fill_table(table, Table(shown.name, shown.title, [short_outcome_header(c) for c in shown.columns],
                                [[SLUG_OF.get(v, v) if isinstance(v, str) else v for v in row] for row in shown.rows]))
        others = len(self.outcome_tables) - 1
        span = next((c.split(", ", 1)[1] for c in shown.columns if c.startswith("Mean change, ")), None)
        which.update(as_text(shown.title + (f" · {span}" if span else "") + (f" · o: next ({self.outcome_shown + 1} of {others + 1})"
                                             if others else "")))

    def action_show_view(self, name: str) -> None:
        tabs = self.query_one("#figures-tabs", TabbedContent)
        if name == OUTCOMES and tabs.active == f"tab-fig-{OUTCOMES}" and self.outcome_tables:
            self.outcome_shown += 1
            self._show_outcomes()
        self.query_one("#figures-tabs", TabbedContent).active = f"tab-fig-{name}"
        self.query_one(f"#fig-{name}", ReportTable).focus()

    # -- exporting the report ------------------------------------------------

    def action_export_report(self) -> None:
        if self.period is not None:
            self._report_folder()

    @work(thread=True, exit_on_error=False, group="figures-export")
    def _report_folder(self) -> None:
        from vrp_tui.screens.hub.report_export import REPORTS_FOLDER

        self.post_message(self.ReportFolder(hub_store(self).folder(REPORTS_FOLDER)))

    @on(ReportFolder)
    def _ask_report(self, message: ReportFolder) -> None:
        from vrp_tui.screens.hub.report_export import ReportExportScreen

        if self.period is not None:
            self.app.push_screen(ReportExportScreen(self.period, message.folder))

    def action_quarter(self, step: int) -> None:
        if self.period is not None:
            self.period = self.period.next() if step > 0 else self.period.previous()
            self.load()
