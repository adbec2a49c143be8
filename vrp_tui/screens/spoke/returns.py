"""Returns: pick a quarter, read the draft return, put right what validation finds,
write the narrative, sign off, reopen and compare versions.

Every build, save, sign-off and diff runs in a thread worker with the thread's
own store and posts a message back; the event loop only draws. The narrative
is saved as it is typed (widgets/narrative_editor.py). Selecting a validation
message opens that record's form. A tab's widgets are mounted the first time
it is shown, so the screen opens quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Select,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
)

from vrp_tui.periods import Period
from vrp_tui.records.sections import SECTIONS
from vrp_tui.returns import lifecycle, tables
from vrp_tui.returns.diff import diff
from vrp_tui.returns.figures import compute_figures
from vrp_tui.returns.validation import Finding
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.text import as_text, cells, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import spoke_store
from vrp_tui.widgets.narrative_editor import NarrativeEditor

SHOWN_FINDINGS = 300  # a list longer than this says how many more there are
TABS = ("figures", "charts", "validation", "narrative", "versions")
FOCUS_IN_TAB = {"figures": "#figures", "charts": "#charts-scroll", "validation": "#findings",
                "narrative": "#narrative-highlights", "versions": "#versions"}
FIGURE_COLUMNS = (
    ("ref", "Intervention"), ("referrals", "Referrals"), ("starts", "Starts"), ("active", "Active"),
    ("high_risk_active", "High risk"), ("completions", "Completed"), ("other_exits", "Other exits"),
    ("contacts", "Sessions"), ("contact_hours", "Hours"), ("spend_gbp", "Spend"), ("spend_ytd_gbp", "Year to date"),
    ("budget_gbp", "Budget"), ("used", "Used"),
)


@dataclass(frozen=True)
class Built:
    """What the screen shows for one quarter, read in one worker."""

    period: Period
    document: dict[str, Any]
    findings: list[Finding]
    open: bool
    versions: list[lifecycle.VersionInfo]
    narrative: dict[str, str]


class ReturnsScreen(ReportsWorkerErrors, Screen[frozenset[str] | None]):
    """The quarterly return of one spoke; dismisses with the record kinds edited from it."""

    CSS_PATH = "returns.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back", id="returns.close"),
        Binding("s", "sign_off", "Sign off", id="returns.sign_off"),
        Binding("o", "reopen", "Reopen", id="returns.reopen"),
        Binding("b", "rebuild", "Rebuild", id="returns.rebuild"),
        Binding("q", "focus_quarter", "Quarter", id="returns.quarter"),
        *(Binding(str(n), f"show_tab('{tab}')", f"Show {tab}", show=False, id=f"returns.tab.{tab}")
          for n, tab in enumerate(TABS, start=1)),
    ]

    @dataclass
    class QuartersLoaded(Message):
        quarters: list[Period]
        chosen: Period

    @dataclass
    class Loaded(Message):
        built: Built

    @dataclass
    class ChartLoaded(Message):
        period: Period
        by_quarter: list[tuple[Period, int, int]]  # quarter, active, sessions

    @dataclass
    class Done(Message):
        text: str

    @dataclass
    class Refused(Message):
        errors: list[Finding]
        text: str

    @dataclass
    class DiffLoaded(Message):
        period: Period
        text: Text

    def __init__(self, period: Period | None = None) -> None:
        super().__init__()
        self.period = period
        self.built: Built | None = None
        self.edited: set[str] = set()  # record kinds changed from this screen
        self.chart: ReturnsScreen.ChartLoaded | None = None
        self.shown_tabs = {"figures"}  # tabs whose widgets are mounted (the others on first showing)
        self.switching_to: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="returns-bar"):
            yield Select[Period]([], id="quarter", prompt="Loading quarters...", compact=True, allow_blank=True)
            yield Static("", id="returns-state")
        with TabbedContent(id="returns-tabs"):
            with TabPane("Figures", id="tab-figures"):
                yield DataTable(id="figures", zebra_stripes=True, fixed_columns=1)
            for tab in TABS[1:]:
                yield TabPane(tab.capitalize(), id=f"tab-{tab}")
        yield Footer(compact=True)

    def _content(self, tab: str) -> list[Widget]:
        """A tab's widgets, mounted when it is first shown so the screen opens quickly."""
        if tab == "charts":
            return [VerticalScroll(Static("Drawing the charts...", id="charts"), id="charts-scroll")]
        if tab == "validation":
            findings: DataTable[Any] = DataTable(id="findings", cursor_type="row", zebra_stripes=True)
            return [findings, Static("", id="findings-note", classes="list-status")]
        if tab == "narrative":
            return [NarrativeEditor(id="narrative")]
        versions: DataTable[Any] = DataTable(id="versions", cursor_type="row")
        versions.add_columns("Version", "Status", "By", "When")
        return [versions, VerticalScroll(Static("", id="diff"), id="diff-scroll")]

    async def show_tab(self, tab: str, focus: str | None = None) -> None:
        """Bring a tab into view (mounting and filling its widgets the first time) and focus in it."""
        tabs = self.query_one("#returns-tabs", TabbedContent)
        if tabs.active != f"tab-{tab}":
            self.switching_to = tab  # the TabActivated that follows leaves the focus alone
            tabs.active = f"tab-{tab}"
        await self._mount_tab(tab)
        self.query_one(focus or self._focus_in(tab)).focus()

    def _focus_in(self, tab: str) -> str:
        """Where focus goes in a tab: a frozen narrative is read in its scroll, not its (locked) editors."""
        if tab == "narrative" and self.built is not None and not self.built.open:
            return "#narrative"
        return FOCUS_IN_TAB[tab]

    async def _mount_tab(self, tab: str) -> None:
        if tab not in self.shown_tabs:
            self.shown_tabs.add(tab)
            await self.query_one(f"#tab-{tab}", TabPane).mount_all(self._content(tab))
            self._fill(tab)

    def _fill(self, tab: str) -> None:
        if tab not in self.shown_tabs or self.built is None:
            return
        if tab == "charts" and self.chart is not None:
            self._draw_charts(self.chart)
        elif tab == "validation":
            self._show_findings(self.built)
        elif tab == "narrative":
            self.editor().show(self.built.period, self.built.narrative, self.built.open)
        elif tab == "versions":
            self._show_versions(self.built)

    def on_mount(self) -> None:
        self.query_one("#figures", DataTable).focus()
        self._load_quarters(self.period)

    # -- choosing the quarter ----------------------------------------------

    @work(thread=True, exit_on_error=False, group="quarters")
    def _load_quarters(self, wanted: Period | None) -> None:
        quarters = lifecycle.quarters(spoke_store(self))
        if wanted is not None and wanted not in quarters:
            quarters = sorted({*quarters, wanted}, reverse=True)
        chosen = wanted or (quarters[1] if len(quarters) > 1 else quarters[0])  # the last complete quarter
        self.post_message(self.QuartersLoaded(quarters, chosen))

    @on(QuartersLoaded)
    def _quarters_loaded(self, message: QuartersLoaded) -> None:
        select = self.query_one("#quarter", Select)
        select.set_options([(q.label, q) for q in message.quarters])
        select.value = message.chosen  # Select.Changed starts the build

    @on(Select.Changed, "#quarter")
    def _quarter_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, Period) and event.value != (self.built and self.built.period):
            if "narrative" in self.shown_tabs:
                self.editor().flush()
            self.period = event.value
            self.rebuild()

    def action_focus_quarter(self) -> None:
        self.query_one("#quarter", Select).focus()

    async def action_show_tab(self, tab: str) -> None:
        await self.show_tab(tab)

    @on(TabbedContent.TabActivated, "#returns-tabs")
    async def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """A tab chosen on the tab bar: mount it; focus moves into it unless it stays on the tabs."""
        tab = (event.pane.id or "").removeprefix("tab-")
        await self._mount_tab(tab)
        if self.switching_to == tab:
            self.switching_to = None
        elif not isinstance(self.focused, Tabs):
            self.query_one(self._focus_in(tab)).focus()

    # -- building ------------------------------------------------------------

    def rebuild(self) -> None:
        if self.period is None:
            return
        self.query_one("#returns-state", Static).update("Building...")
        self._build(self.period)

    def action_rebuild(self) -> None:
        self.rebuild()

    @work(thread=True, exit_on_error=False, group="build", exclusive=True)
    def _build(self, period: Period) -> None:
        store = spoke_store(self)
        draft = lifecycle.build(store, period)
        still_open = lifecycle.is_open(store, period)
        document = draft.document.to_json() if still_open else lifecycle.current(store, period).to_json()
        findings = draft.findings if still_open else _frozen_findings(document)
        self.post_message(self.Loaded(Built(period, document, findings, still_open,
                                            lifecycle.versions(store, period), lifecycle.narrative(store, period))))
        if period.quarter > 1:
            self._chart(period, document)
        else:
            self.post_message(self.ChartLoaded(period, [(period, document["totals"]["active"],
                                                         document["totals"]["contacts"])]))

    @work(thread=True, exit_on_error=False, group="chart", exclusive=True)
    def _chart(self, period: Period, document: dict[str, Any]) -> None:
        store = spoke_store(self)
        by_quarter = []
        for q in period.year_to_date():
            totals = document["totals"] if q == period else compute_figures(store, q)["totals"]
            by_quarter.append((q, totals["active"], totals["contacts"]))
        self.post_message(self.ChartLoaded(period, by_quarter))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        built = message.built
        if built.period != self.period:
            return  # a quarter the worker has since moved on from
        self.built = built
        self.chart = None
        self.query_one("#returns-state", Static).update(_state_line(built))
        self._show_figures(built.document)
        for tab in TABS[1:]:
            self._fill(tab)

    def _show_figures(self, doc: dict[str, Any]) -> None:
        """One row per intervention under the spoke's totals (kept in view): a table draws only what shows.

        Numbers are padded to their column's width, so they line up on the right."""
        lines = [{"ref": "Spoke", **doc["totals"]}, *doc["interventions"]]
        rows = [[printable(line["ref"]), *_figure_cells(line)] for line in lines]
        labels = [label for _, label in FIGURE_COLUMNS]
        widths = [max(len(x) for x in column) for column in zip(labels, *rows, strict=False)]
        table = self.query_one("#figures", DataTable)
        table.fixed_rows = 0
        table.clear(columns=True)
        for n, (label, width) in enumerate(zip(labels, widths, strict=True)):  # widths known: nothing to measure
            table.add_column(label if n == 0 else label.rjust(width), width=width)
        for n, row in enumerate(rows):
            cells = [row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))]
            table.add_row(*(Text(cell, style="bold" if n == 0 else "") for cell in cells), key=row[0])
        table.fixed_rows = 1  # the spoke's totals; set once there are rows (an empty table cannot fix one)

    @on(ChartLoaded)
    def _chart_loaded(self, message: ChartLoaded) -> None:
        if self.built is None or message.period != self.built.period:
            return
        self.chart = message
        self._fill("charts")

    def _draw_charts(self, message: ChartLoaded) -> None:
        assert self.built is not None
        totals = self.built.document["totals"]
        label = f"{message.period.financial_year} to date"
        self.query_one("#charts", Static).update(Group(
            tables.bars(f"Active young people by quarter, {label}",
                        [(f"Q{q.quarter}", active, f"{active:,}") for q, active, _ in message.by_quarter]),
            Text(""),
            tables.bars(f"Sessions by quarter, {label}",
                        [(f"Q{q.quarter}", sessions, f"{sessions:,}") for q, _, sessions in message.by_quarter]),
            Text(""),
            tables.spend_bars(totals),
            Text(""),
            tables.bars("Active young people by age band, this quarter",
                        [(band, n, str(n)) for band, n in totals["active_by_age_band"].items()]),
            Text(""),
            tables.breakdown_table(totals),
        ))

    # -- validation: select a message to open its record ---------------------

    def _show_findings(self, built: Built) -> None:
        table = self.query_one("#findings", DataTable)
        table.clear(columns=True)
        shown = built.findings[:SHOWN_FINDINGS]
        table.add_column("", width=7)
        texts = [as_text(f.text) for f in shown]  # a message quotes refs and names
        table.add_column("Message", width=max((len(t) for t in texts), default=7))
        for n, (f, text) in enumerate(zip(shown, texts, strict=True)):
            style = "bold red" if f.severity == "error" else "yellow"
            table.add_row(Text(f.severity, style=style), text, key=str(n))
        more = len(built.findings) - SHOWN_FINDINGS
        errors = sum(f.severity == "error" for f in built.findings)
        note = f"{errors} error(s), {len(built.findings) - errors} warning(s). "
        note += f"{more} more not shown: put these right first. " if more > 0 else ""
        note += "Enter opens the record a message names." if built.open else "Frozen with the signed-off version."
        self.query_one("#findings-note", Static).update(note)

    @on(DataTable.RowSelected, "#findings")
    async def _finding_chosen(self, event: DataTable.RowSelected) -> None:
        if self.built is None or event.row_key.value is None:
            return
        await self.open_record(self.built.findings[int(event.row_key.value)])

    async def open_record(self, finding: Finding) -> None:
        """Open the form of the record ``finding`` names (the narrative field, for an empty one)."""
        if finding.table == "return_drafts" and finding.field:
            await self.show_tab("narrative", focus=f"#narrative-{finding.field}")
            return
        if finding.table not in SECTIONS or finding.id is None:
            self.notify("This message counts several records: open the lists to find them.", timeout=5)
            return
        from vrp_tui.screens.spoke.record_form import RecordFormScreen

        self.app.push_screen(RecordFormScreen(SECTIONS[finding.table], finding.id), self._record_closed)

    def _record_closed(self, kinds: frozenset[str] | None) -> None:
        if kinds:
            self.edited |= kinds
            main = getattr(self.app, "main_screen", None)
            if main is not None:
                main.records_changed(kinds)
            self.rebuild()

    # -- the narrative ---------------------------------------------------------

    def editor(self) -> NarrativeEditor:
        return self.query_one("#narrative", NarrativeEditor)

    def _unsaved_narrative(self) -> tuple[dict[str, str], int] | None:
        return self.editor().take() if "narrative" in self.shown_tabs else None

    # -- sign off and reopen -------------------------------------------------

    def action_sign_off(self) -> None:
        built = self.built
        if built is None:
            return
        if not built.open:
            self.notify(f"Already signed off as version {built.versions[-1].version}; reopen (o) to change it.")
            return
        errors = [f for f in built.findings if f.severity == "error"]
        if errors:
            self.post_message(self.Refused(errors, f"{len(errors)} error(s) to put right before sign-off."))
            return
        number = len(built.versions) + 1
        self.app.push_screen(ConfirmScreen(
            f"Sign off {built.period.label} as version {number}?",
            "The figures and narrative are frozen as they are now. To change them later, reopen the "
            f"return: that starts version {number + 1}.", yes="Sign off"),
            lambda yes: self._confirmed_sign_off(built.period) if yes else None)

    def _confirmed_sign_off(self, period: Period) -> None:
        self._sign_off(period, self._unsaved_narrative())

    @work(thread=True, exit_on_error=False, group="lifecycle")
    def _sign_off(self, period: Period, unsaved: tuple[dict[str, str], int] | None) -> None:
        store = spoke_store(self)
        if unsaved is not None:  # typed just before: saved first, in order with the editor's own saves
            self.editor().write(store, period, *unsaved)
        try:
            version = lifecycle.sign_off(store, period)
        except lifecycle.SignOffRefused as exc:
            self.post_message(self.Refused(exc.errors, str(exc)))
            return
        self.post_message(self.Done(f"Signed off {period.label} as version {version}."))

    def action_reopen(self) -> None:
        built = self.built
        if built is None:
            return
        if built.open:
            self.notify("This return is a draft already: nothing to reopen.")
            return
        number = len(built.versions) + 1
        self.app.push_screen(ConfirmScreen(
            f"Reopen {built.period.label} as version {number}?",
            f"Version {number - 1} stays as it was signed off; the draft of version {number} starts with "
            "its narrative.", yes="Reopen"),
            lambda yes: self._confirmed_reopen(built.period) if yes else None)

    def _confirmed_reopen(self, period: Period) -> None:
        self._reopen(period)

    @work(thread=True, exit_on_error=False, group="lifecycle")
    def _reopen(self, period: Period) -> None:
        version = lifecycle.reopen(spoke_store(self), period)
        self.post_message(self.Done(f"Reopened {period.label}: draft of version {version}."))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.notify(message.text, timeout=5, markup=False)
        self.rebuild()

    @on(Refused)
    async def _refused(self, message: Refused) -> None:
        self.notify(f"Not signed off: {printable(message.text)}", title="Sign-off refused", severity="error",
                    timeout=8, markup=False)
        await self.action_show_tab("validation")

    # -- versions and what changed -----------------------------------------

    def _show_versions(self, built: Built) -> None:
        table = self.query_one("#versions", DataTable)
        table.clear()
        for v in built.versions:
            table.add_row(*cells(f"v{v.version}", v.status, v.signed_off_by, (v.exported_at or v.signed_off_at)[:16]),
                          key=str(v.version))
        if built.open:
            table.add_row(*cells(f"v{len(built.versions) + 1}", "draft", "", ""), key="draft")
        self.query_one("#diff", Static).update("Select a version to see what changed from the one before."
                                               if built.versions else "Nothing signed off yet.")

    @on(DataTable.RowHighlighted, "#versions")
    def _version_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.built is not None and event.row_key.value is not None and self.built.versions:
            self._diff(self.built, event.row_key.value)

    @work(thread=True, exit_on_error=False, group="diff", exclusive=True)
    def _diff(self, built: Built, key: str) -> None:
        store = spoke_store(self)
        if key == "draft":
            number, new = len(built.versions) + 1, built.document
        else:
            number = int(key)
            new = lifecycle.get_version(store, built.period, number).document
        if number == 1:
            text = Text("Version 1: the first signed off, nothing before it to compare.")
        else:
            old = lifecycle.get_version(store, built.period, number - 1).document
            changes = diff(old, new)
            text = Text(f"From v{number - 1} to v{number}: " + (f"{len(changes)} change(s)" if changes
                                                                   else "no changes"), style="bold")
            for change in changes:
                text.append("\n" + printable(change), style="")  # a change quotes the narrative
        self.post_message(self.DiffLoaded(built.period, text))

    @on(DiffLoaded)
    def _diff_loaded(self, message: DiffLoaded) -> None:
        if self.built is not None and message.period == self.built.period and "versions" in self.shown_tabs:
            self.query_one("#diff", Static).update(message.text)

    # -- leaving ---------------------------------------------------------------

    def action_close(self) -> None:
        unsaved = self._unsaved_narrative()
        if unsaved is not None and self.period is not None:  # typed in the last moment: the app saves it
            period, editor, app = self.period, self.editor(), self.app

            def save() -> None:
                editor.write(app.store(), period, *unsaved)  # type: ignore[attr-defined]

            self.app.run_worker(save, thread=True, exit_on_error=False, group="narrative")
        self.dismiss(frozenset(self.edited))


def _figure_cells(line: dict[str, Any]) -> list[str]:
    """The figures of one line as shown: counts with separators, money as pounds, budget used."""
    cells = []
    for name, _ in FIGURE_COLUMNS[1:]:
        if name == "used":
            ytd, budget = (sum(Decimal(v) for v in line[m].values()) for m in ("spend_ytd_gbp", "budget_gbp"))
            cells.append(f"{ytd / budget:.0%}" if budget else "-")
        elif isinstance(line[name], dict):
            cells.append(tables.pounds(line[name]))
        else:
            cells.append(f"{line[name]:,}" if isinstance(line[name], int) else f"{line[name]:,.1f}")
    return cells


def _state_line(built: Built) -> Text:
    errors = sum(f.severity == "error" for f in built.findings)
    warnings = len(built.findings) - errors
    if built.open:
        state = Text(f"Draft of v{len(built.versions) + 1}", style="bold")
    else:
        last = built.versions[-1]
        state = Text(f"v{last.version} {last.status} by {printable(last.signed_off_by)}", style="bold green")

    state.append(" \u00b7 ")
    state.append(f"{errors} error(s)", style="bold red" if errors else "")
    state.append(f" \u00b7 {warnings} warning(s)")
    return state


def _frozen_findings(document: dict[str, Any]) -> list[Finding]:
    """The validation a frozen version was signed off with, as findings (young people counted, not named)."""
    return [
        Finding(severity, m["code"], m["text"], m["table"], m.get("id"), m.get("ref"))
        for severity, key in (("error", "errors"), ("warning", "warnings"))
        for m in document["validation"][key]
    ]
