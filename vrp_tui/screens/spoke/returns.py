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
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
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
from vrp_tui.returns import lifecycle
from vrp_tui.returns.figures import compute_figures
from vrp_tui.returns.validation import Finding
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.spoke.return_data import Built, diff_text, frozen_findings, state_line
from vrp_tui.screens.spoke.return_panes import (
    draw_charts,
    show_figures,
    show_findings,
    show_versions,
    tab_content,
)
from vrp_tui.text import printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import spoke_store
from vrp_tui.widgets.narrative_editor import NarrativeEditor

TABS = ("figures", "charts", "validation", "narrative", "versions")
FOCUS_IN_TAB = {"figures": "#figures", "charts": "#charts-scroll", "validation": "#findings",
                "narrative": "#narrative-highlights", "versions": "#versions"}


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
            await self.query_one(f"#tab-{tab}", TabPane).mount_all(tab_content(tab))
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
        findings = draft.findings if still_open else frozen_findings(document)
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
        self.query_one("#returns-state", Static).update(state_line(built))
        show_figures(self.query_one("#figures", DataTable), built.document)
        for tab in TABS[1:]:
            self._fill(tab)

    @on(ChartLoaded)
    def _chart_loaded(self, message: ChartLoaded) -> None:
        if self.built is None or message.period != self.built.period:
            return
        self.chart = message
        self._fill("charts")

    def _draw_charts(self, message: ChartLoaded) -> None:
        assert self.built is not None
        draw_charts(self.query_one("#charts", Static), self.built.document["totals"], message.period,
                    message.by_quarter)

    # -- validation: select a message to open its record ---------------------

    def _show_findings(self, built: Built) -> None:
        show_findings(self.query_one("#findings", DataTable), self.query_one("#findings-note", Static), built)

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
        show_versions(self.query_one("#versions", DataTable), self.query_one("#diff", Static), built)

    @on(DataTable.RowHighlighted, "#versions")
    def _version_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.built is not None and event.row_key.value is not None and self.built.versions:
            self._diff(self.built, event.row_key.value)

    @work(thread=True, exit_on_error=False, group="diff", exclusive=True)
    def _diff(self, built: Built, key: str) -> None:
        self.post_message(self.DiffLoaded(built.period, diff_text(spoke_store(self), built, key)))

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

