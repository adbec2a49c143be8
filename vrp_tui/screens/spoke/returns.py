"""Returns: pick a quarter, read the return, put right what validation finds, write the
narrative, sign off, reopen and compare versions.

A signed-off quarter is drawn from its frozen document as stored (nothing is
rebuilt: its figures cannot change), and then a worker works out whether the
records have moved on since (``changed since vN was signed off``). A draft is
built in a worker: its figures are drawn first, the charts follow. The
narrative is saved as it is typed and its findings checked again after each
save; a record edited from here rebuilds the return. Selecting a finding opens
the main screen's list of exactly its records (or the one record's form).
Sign-off is offered only once the quarter has ended. A tab's widgets are
mounted the first time it is shown, so the screen opens quickly.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, Select, Static

from vrp_tui.periods import Period
from vrp_tui.records.sections import SECTIONS
from vrp_tui.returns import lifecycle, validation
from vrp_tui.returns.figures import compute_figures
from vrp_tui.returns.stale import Stale, changed_since_sign_off
from vrp_tui.returns.validation import Finding
from vrp_tui.screens.spoke.return_actions import ReturnActions
from vrp_tui.screens.spoke.return_data import (
    Built,
    build_draft,
    read_frozen,
    records_of,
    state_line,
    with_narrative,
    year_so_far,
)
from vrp_tui.screens.spoke.return_panes import (
    draw_charts,
    show_figures,
    show_findings,
    show_outcomes,
    tab_content,
)
from vrp_tui.widgets.hosts import spoke_store
from vrp_tui.widgets.narrative_editor import NarrativeEditor
from vrp_tui.widgets.report_table import ReportTable
from vrp_tui.widgets.section_tabs import SectionTabs

TABS = ("figures", "charts", "validation", "narrative", "versions", "outcomes")
FOCUS_IN_TAB = {"figures": "#figures", "charts": "#charts-scroll", "validation": "#findings",
                "narrative": "#narrative-highlights", "versions": "#versions", "outcomes": "#outcomes"}
SHOWN: weakref.WeakKeyDictionary[App[Any], Period] = weakref.WeakKeyDictionary()  # the quarter last shown


class ReturnsScreen(ReturnActions):
    """The quarterly return of one spoke; dismisses with the record kinds edited from it.

    ``today`` fixes the clock (tests); by default it is the day the screen is used."""

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

    @dataclass
    class Loaded(Message):
        built: Built

    @dataclass
    class FiguresRead(Message):
        """A draft's figures, computed before its checks: drawn while the build goes on."""

        period: Period
        figures: dict[str, Any]

    @dataclass
    class ChartLoaded(Message):
        period: Period
        by_quarter: list[tuple[Period, int, int]]  # quarter, active, sessions
        totals: dict[str, Any]

    @dataclass
    class NarrativeChecked(Message):
        period: Period
        narrative: dict[str, str]
        findings: list[Finding]

    def __init__(self, period: Period | None = None, *, today: date | None = None) -> None:
        super().__init__()
        self.period = period
        self.today = today
        self.built: Built | None = None
        self.stale: Stale | None = None
        self.edited: set[str] = set()  # record kinds changed from this screen
        self.chart: ReturnsScreen.ChartLoaded | None = None
        self.figures_for: Period | None = None  # the quarter whose figures the table shows
        self.shown_tabs = {"figures"}  # tabs whose widgets are mounted (the others on first showing)
        self.switching_to: str | None = None
        self.quarters: list[Period] | None = None  # what the picker offers, once read
        self.figures_drawn = False

    def day(self) -> date:
        return self.today or date.today()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="returns-bar"):
            yield Static("Loading quarters...", id="quarter-loading")  # the picker, once it has its quarters
            yield Static("", id="returns-state")
        yield Static("", id="stale")
        yield Static("", id="hub-word")
        # One widget of tabs over the panes mounted so far (a TabbedContent mounts a pane and three
        # containers of tabs for every tab, which cost a good part of the screen's opening).
        yield SectionTabs([(f"tab-{tab}", tab.capitalize()) for tab in TABS], id="returns-tabs")
        with ContentSwitcher(initial="tab-figures", id="returns-panes"):
            with Vertical(id="tab-figures"):
                yield ReportTable(id="figures", fixed_columns=1, fixed_rows=1)
        yield Footer(compact=True)

    async def show_tab(self, tab: str, focus: str | None = None) -> None:
        """Bring a tab into view (mounting and filling its widgets the first time) and focus in it."""
        tabs = self.query_one("#returns-tabs", SectionTabs)
        if tabs.active != f"tab-{tab}":
            self.switching_to = tab  # the Activated that follows leaves the focus alone
            tabs.active = f"tab-{tab}"
        await self._mount_tab(tab)
        self.query_one("#returns-panes", ContentSwitcher).current = f"tab-{tab}"
        self.query_one(focus or self._focus_in(tab)).focus()

    def _focus_in(self, tab: str) -> str:
        """Where focus goes in a tab: a frozen narrative is read in its scroll, not its (locked) editors."""
        if tab == "narrative" and self.built is not None and not self.built.open:
            return "#narrative"
        return FOCUS_IN_TAB[tab]

    async def _mount_tab(self, tab: str) -> None:
        if tab not in self.shown_tabs:
            self.shown_tabs.add(tab)
            pane = Vertical(*tab_content(tab), id=f"tab-{tab}")
            await self.query_one("#returns-panes", ContentSwitcher).add_content(pane)
            self._fill(tab)

    def _fill(self, tab: str) -> None:
        if tab == "charts" and tab in self.shown_tabs and self.chart is not None:
            self._draw_charts(self.chart)  # a draft's charts come with its figures, before its checks
        if tab not in self.shown_tabs or self.built is None:
            return
        if tab == "validation":
            self._show_findings(self.built)
        elif tab == "narrative":
            self.editor().show(self.built.period, self.built.narrative, self.built.open)
        elif tab == "versions":
            self._show_versions(self.built)
        elif tab == "outcomes":
            show_outcomes(self.query_one("#outcomes", ReportTable), self.query_one("#outcomes-chart", Static),
                          self.built.document)

    def on_mount(self) -> None:
        self.query_one("#figures", ReportTable).focus()
        self.query_one("#stale", Static).display = False
        self.query_one("#hub-word", Static).display = False
        self.period = self.period or SHOWN.get(self.app) or Period.containing(self.day()).previous()
        self.rebuild()  # at once: the picker's quarters load beside it
        self._load_quarters(self.period)

    # -- choosing the quarter ----------------------------------------------

    @work(thread=True, exit_on_error=False, group="quarters")
    def _load_quarters(self, wanted: Period) -> None:
        quarters = lifecycle.quarters(spoke_store(self), today=self.day())
        self.post_message(self.QuartersLoaded(sorted({*quarters, wanted}, reverse=True)))

    @on(QuartersLoaded)
    def _quarters_loaded(self, message: QuartersLoaded) -> None:
        self.quarters = message.quarters
        if self.figures_drawn and not self.query("#quarter"):  # else once the figures are drawn
            self._mount_picker(message.quarters)

    def _mount_picker(self, quarters: list[Period]) -> None:
        """The picker replaces "Loading quarters...": every choice in it is a quarter."""
        assert self.period is not None
        picker = Select[Period]([(q.label, q) for q in quarters], id="quarter", value=self.period,
                                compact=True, allow_blank=False)
        loading = self.query_one("#quarter-loading", Static)
        self.query_one("#returns-bar", Horizontal).mount(picker, before=loading)  # not awaited: the
        loading.remove()  # screen's messages (the figures read meanwhile) are not held up for it

    @on(Select.Changed, "#quarter")
    def _quarter_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, Period) and event.value != self.period:
            if "narrative" in self.shown_tabs:
                self.editor().flush()
            self.period = event.value
            self.built, self.stale, self.chart = None, None, None  # nothing to sign off until it is read
            self.figures_for = None
            self.query_one("#figures", ReportTable).clear()
            self._show_stale()
            self.rebuild()

    def action_focus_quarter(self) -> None:
        pickers = self.query("#quarter")
        if pickers:
            pickers.first().focus()

    async def action_show_tab(self, tab: str) -> None:
        await self.show_tab(tab)

    @on(SectionTabs.Activated, "#returns-tabs")
    async def _tab_shown(self, event: SectionTabs.Activated) -> None:
        """A tab chosen on the tab bar: mount it; focus moves into it unless it stays on the tabs."""
        tab = event.tab.removeprefix("tab-")
        await self._mount_tab(tab)
        self.query_one("#returns-panes", ContentSwitcher).current = event.tab
        if self.switching_to == tab:
            self.switching_to = None
        elif not isinstance(self.focused, SectionTabs):
            self.query_one(self._focus_in(tab)).focus()

    # -- reading the quarter -------------------------------------------------

    def rebuild(self) -> None:
        if self.period is None:
            return
        SHOWN[self.app] = self.period
        self.query_one("#returns-state", Static).update("Reading..." if self.built is None else "Updating...")
        self._load(self.period, self.day())

    def action_rebuild(self) -> None:
        self.rebuild()

    @work(thread=True, exit_on_error=False, group="build", exclusive=True)
    def _load(self, period: Period, today: date) -> None:
        """A frozen version as stored, else the draft built; the charts; then, if frozen, whether the
        records have changed since it was signed off (a build, after the figures are on screen)."""
        store = spoke_store(self)
        built = read_frozen(store, period, today)
        if built is None:  # a draft: its figures and charts first, then the checks with the build
            lifecycle.require_begun(period, today)
            figures = compute_figures(store, period)
            self.post_message(self.FiguresRead(period, figures))
            self.post_message(self.ChartLoaded(period, year_so_far(store, period, figures["totals"]),
                                               figures["totals"]))
            self.post_message(self.Loaded(build_draft(store, period, today)))
            return
        self.post_message(self.Loaded(built))
        totals = built.document["totals"]
        self.post_message(self.ChartLoaded(period, year_so_far(store, period, totals), totals))
        now = compute_figures(store, period)  # the figures alone are compared: no validation, no document
        self.post_message(self.StaleChecked(period, changed_since_sign_off(store, period, today=today, now=now)))

    @on(FiguresRead)
    def _figures_read(self, message: FiguresRead) -> None:
        if message.period == self.period:
            self.figures_for = message.period
            self._draw(message.figures)
            self.query_one("#returns-state", Static).update("Checking the records...")

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        built = message.built
        if built.period != self.period:
            return  # a quarter the worker has since moved on from
        if self.built is None or self.built.open != built.open or built.open:
            self.stale = None  # a new reading: a frozen one is checked again
        self.built = built
        self._show_state()
        if not (built.open and self.figures_for == built.period):  # a draft's are drawn already
            self.figures_for = built.period
            self._draw(built.document)
        self._show_stale()
        self.call_after_refresh(self._fill_tabs)  # the figures are drawn first

    def _draw(self, document: dict[str, Any]) -> None:
        """The figures, then the quarter picker if its quarters came while the figures were read."""
        show_figures(self.query_one("#figures", ReportTable), document)
        self.figures_drawn = True
        if self.quarters is not None and not self.query("#quarter"):
            self._mount_picker(self.quarters)

    def _fill_tabs(self) -> None:
        for tab in TABS[1:]:
            self._fill(tab)

    def _show_state(self) -> None:
        if self.built is not None:
            self.query_one("#returns-state", Static).update(state_line(self.built, self.stale))

    @on(ChartLoaded)
    def _chart_loaded(self, message: ChartLoaded) -> None:
        if message.period != self.period:
            return
        self.chart = message
        self._fill("charts")

    def _draw_charts(self, message: ChartLoaded) -> None:
        draw_charts(self.query_one("#charts", Static), message.totals, message.period, message.by_quarter)

    # -- validation: select a message to see its records --------------------

    def _show_findings(self, built: Built) -> None:
        show_findings(self.query_one("#findings", DataTable), self.query_one("#findings-note", Static), built)

    @on(DataTable.RowSelected, "#findings")
    async def _finding_chosen(self, event: DataTable.RowSelected) -> None:
        if self.built is None or event.row_key.value is None:
            return
        await self.open_records(self.built.findings[int(event.row_key.value)])

    async def open_records(self, finding: Finding) -> None:
        """Show what ``finding`` names: the main screen's list filtered to exactly its records, the
        one record's form, or the narrative field."""
        if finding.table == "return_drafts" and finding.field:
            await self.show_tab("narrative", focus=f"#narrative-{finding.field}")
            return
        listed = records_of(finding)
        main = getattr(self.app, "main_screen", None)
        if listed is not None and main is not None:
            self.action_close()
            main.call_later(main.show_records, *listed)
            return
        if finding.table not in SECTIONS or finding.id is None:
            self.notify("Signed off: reopen the return (o) to see the records a message counts as they are now."
                        if self.built is not None and not self.built.open
                        else "This message names no record.", timeout=5)
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

    # -- the narrative: saved as typed, its findings checked after each save ---

    def editor(self) -> NarrativeEditor:
        return self.query_one("#narrative", NarrativeEditor)

    def _unsaved_narrative(self) -> tuple[dict[str, str], int] | None:
        return self.editor().take() if "narrative" in self.shown_tabs else None

    @on(NarrativeEditor.Saved)
    def _narrative_saved(self, message: NarrativeEditor.Saved) -> None:
        if self.built is not None and self.built.open and message.period == self.built.period:
            self._check_narrative(message.period, message.fields)

    @work(thread=True, exit_on_error=False, group="narrative-check", exclusive=True)
    def _check_narrative(self, period: Period, fields: dict[str, str]) -> None:
        found = validation.narrative_findings(spoke_store(self), period, fields)
        self.post_message(self.NarrativeChecked(period, fields, found))

    @on(NarrativeChecked)
    def _narrative_checked(self, message: NarrativeChecked) -> None:
        if self.built is None or not self.built.open or message.period != self.built.period:
            return
        self.built = with_narrative(self.built, message.narrative, message.findings)
        self._show_state()
        self._fill("validation")

    # -- leaving ---------------------------------------------------------------

    def action_close(self) -> None:
        unsaved = self._unsaved_narrative()
        if unsaved is not None and self.period is not None:  # typed in the last moment: the app saves it
            period, editor, app = self.period, self.editor(), self.app

            def save() -> None:
                editor.write(app.store(), period, *unsaved)  # type: ignore[attr-defined]

            self.app.run_worker(save, thread=True, exit_on_error=False, group="narrative")
        self.dismiss(frozenset(self.edited))

