"""The main screen: a tab per section, each a paged list with add, edit, delete and search.

A tab's list is built and loaded only when the tab is first shown, and reloads
when records it shows change, so opening the app costs one list and one page.
The tabs are a one-widget tab bar over a content switcher that fills the
screen, rather than a TabbedContent: that one keeps a pane for every tab, built
or not, a widget for every tab, and sizes panes to their content, which made
the first screen markedly slower to build and lay out (bench/bench_startup.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Header

from vrp_tui.errors import VrpError
from vrp_tui.records.sections import SECTIONS, affected
from vrp_tui.screens.spoke.registry import SCREENS
from vrp_tui.text import printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.footer import KeyFooter
from vrp_tui.widgets.hosts import spoke_store
from vrp_tui.widgets.record_list import IdFilter, RecordList
from vrp_tui.widgets.section_tabs import SectionTabs

# Tab order; spend and budgets share a tab with a tab each of their own inside it.
TABS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("interventions", "Interventions", ("interventions",)),
    ("participants", "Young people", ("participants",)),
    ("enrolments", "Referrals", ("enrolments",)),
    ("contacts", "Sessions", ("contacts",)),
    ("money", "Spend & budgets", ("spend", "budgets")),
)


class DeleteRefused(VrpError):
    """A record others refer to: its delete is refused with their counts."""

    title = "Not deleted"


# The tabs' labels when the full ones do not fit on one line (below about 75 columns).
SHORT_TITLES = {"interventions": "Interv.", "participants": "People", "money": "Money"}


def tab_of(kind: str) -> str:
    return next(tab for tab, _, kinds in TABS if kind in kinds)


def pane_id(tab: str) -> str:
    """The id of a main tab's pane: its list, or the kind tabs of a tab of several lists."""
    kinds = SECTIONS_OF_TAB[tab]
    return f"list-{kinds[0]}" if len(kinds) == 1 else f"pane-{tab}"


class KindTabs(Vertical):
    """A tab of its own for each kind that shares one main tab (spend and budgets)."""

    def __init__(self, tab: str, kinds: tuple[str, ...]) -> None:
        super().__init__(id=pane_id(tab))
        self.tab = tab
        self.kinds = kinds

    def compose(self) -> ComposeResult:
        yield SectionTabs([(f"tab-{kind}", SECTIONS[kind].title) for kind in self.kinds], id=f"{self.tab}-kinds")
        with ContentSwitcher(initial=f"list-{self.kinds[0]}"):
            for kind in self.kinds:
                yield RecordList(SECTIONS[kind], id=f"list-{kind}")

    @property
    def active(self) -> str:
        """The kind whose list is shown (the first until the tabs are composed)."""
        tabs = next(self.query(SectionTabs).results(SectionTabs), None)
        return tabs.active.removeprefix("tab-") if tabs else self.kinds[0]

    def show(self, kind: str) -> None:
        self.query_one(SectionTabs).active = f"tab-{kind}"
        self.query_one(ContentSwitcher).current = f"list-{kind}"

    @on(SectionTabs.Activated)
    def _kind_tab_shown(self, event: SectionTabs.Activated) -> None:
        if event.tabs.parent is self:  # the screen reacts too: the message goes on up
            self.query_one(ContentSwitcher).current = f"list-{event.tab.removeprefix('tab-')}"


class MainScreen(ReportsWorkerErrors, Screen[None]):
    AUTO_FOCUS = ""  # not the first focusable widget (the tabs): the list in view, see _load_visible
    BINDINGS = [
        *(Binding(str(n), f"show_tab('{tab}')", f"Show {title.lower()}" + ("; again: switch" if len(k) > 1 else ""),
                  show=False, id=f"main.tab.{tab}")
          for n, (tab, title, k) in enumerate(TABS, start=1)),
        *(Binding(e.key, f"app.open('{e.name}')", e.label, id=f"main.{e.name}",
                  show=e.footer, tooltip=e.title) for e in SCREENS.values() if e.key),
    ]

    @dataclass
    class Deleted(Message):
        kind: str
        what: str

    def __init__(self) -> None:
        super().__init__()
        self.ready = False  # the store is open and set up
        self.composed = False

    def compose(self) -> ComposeResult:
        first = TABS[0][0]
        yield Header()
        yield SectionTabs([(f"tab-{tab}", title) for tab, title, _ in TABS], id="sections",
                          short={f"tab-{tab}": label for tab, label in SHORT_TITLES.items()})
        with ContentSwitcher(initial=pane_id(first), id="panes"):
            yield self._pane(first)
        yield KeyFooter()

    def _pane(self, tab: str) -> Widget:
        kinds = SECTIONS_OF_TAB[tab]
        if len(kinds) == 1:
            return RecordList(SECTIONS[kinds[0]], id=pane_id(tab))
        return KindTabs(tab, kinds)

    async def _show_pane(self, tab: str) -> None:
        """Show a main tab's pane, building it the first time."""
        panes = self.query_one("#panes", ContentSwitcher)
        if not panes.query_children(f"#{pane_id(tab)}"):
            await panes.add_content(self._pane(tab))
        panes.current = pane_id(tab)

    def on_mount(self) -> None:
        self.composed = True
        self._load_visible(focus=True)

    def start(self) -> None:
        """The store is ready: load the list in view (now, or once the screen is mounted)."""
        self.ready = True
        self._load_visible(focus=True)

    # -- which list is in view ---------------------------------------------

    def record_list(self, kind: str) -> RecordList | None:
        """The list of ``kind``, or None if its tab has not been shown yet."""
        found = self.query(f"#list-{kind}").results(RecordList)
        return next(found, None)

    def visible_list(self) -> RecordList | None:
        tab = self.query_one("#sections", SectionTabs).active.removeprefix("tab-")
        kinds = SECTIONS_OF_TAB[tab]
        if len(kinds) > 1:
            inner = next(self.query(f"#{pane_id(tab)}").results(KindTabs), None)
            return self.record_list(inner.active if inner else kinds[0])
        return self.record_list(kinds[0])

    def on_screen_resume(self) -> None:
        if self.composed and self.focused is None:
            self._load_visible(focus=True)

    def _load_visible(self, focus: bool = False) -> None:
        """Load the list in view if it has not been (once the store is ready); focus it if asked."""
        records = self.visible_list() if self.composed else None
        if records is None or not records.is_mounted:
            return  # still being built: whatever is building it comes back here when it is done
        if self.ready and not records.loaded_once:
            records.reload()
        if focus:
            self.set_focus(records.table)  # at once, so focus restored after a dialog lands here too

    @on(SectionTabs.Activated)
    async def _tab_shown(self, event: SectionTabs.Activated) -> None:
        """A tab was chosen (by key or mouse on a tab bar, or by show_kind): show and load its list."""
        if event.tabs.id == "sections":
            await self._show_pane(event.tab.removeprefix("tab-"))
        self._load_visible(focus=self.focused is None or isinstance(self.focused, DataTable))

    async def action_show_tab(self, tab: str) -> None:
        """Show a tab's first list; pressed again on a tab of several lists, show the next one."""
        kinds = SECTIONS_OF_TAB[tab]
        shown = self.visible_list()
        if shown is not None and shown.kind in kinds:
            await self.show_kind(kinds[(kinds.index(shown.kind) + 1) % len(kinds)])
        else:
            await self.show_kind(kinds[0])

    async def show_kind(self, kind: str) -> None:
        """Bring the list of ``kind`` into view (building it if need be) and focus it."""
        tab = tab_of(kind)
        self.query_one("#sections", SectionTabs).active = f"tab-{tab}"
        await self._show_pane(tab)
        if tab != kind:
            self.query_one(f"#{pane_id(tab)}", KindTabs).show(kind)
        self._load_visible(focus=True)

    async def show_records(self, kind: str, only: IdFilter) -> None:
        """Bring the list of ``kind`` into view listing exactly ``only``'s records (a finding's)."""
        await self.show_kind(kind)
        records = self.record_list(kind)
        if records is not None:
            records.show_only(only)

    def records_changed(self, kinds: frozenset[str]) -> None:
        """Reload the lists that show records of ``kinds``; hidden ones reload when next shown."""
        visible = self.visible_list()
        for kind in affected(kinds):
            records = self.record_list(kind)
            if records is None:
                continue
            if records is visible:
                records.reload()
            else:
                records.loaded_once = False

    # -- add, edit, delete -------------------------------------------------

    def open_form(self, kind: str, record_id: int | None = None) -> None:
        from vrp_tui.screens.spoke.record_form import (
            RecordFormScreen,  # with the models: not needed for the first screen
        )

        form = RecordFormScreen(SECTIONS[kind], record_id)

        def closed(kinds: frozenset[str] | None) -> None:
            if kinds:
                shown = self.record_list(kind)
                if shown is not None and form.saved_id is not None:
                    shown.select_after_reload(form.saved_id)  # the cursor on the record just saved
                self.records_changed(kinds)

        self.app.push_screen(form, closed)

    @on(RecordList.Requested)
    def _requested(self, message: RecordList.Requested) -> None:
        kind = message.records.kind
        if message.action in ("add", "edit"):
            self.open_form(kind, message.record_id)
            return
        assert message.record_id is not None and message.row is not None
        self._weigh_delete(kind, message.record_id, SECTIONS[kind].describe(message.row))

    @work(thread=True, exit_on_error=False, group="delete")
    def _weigh_delete(self, kind: str, record_id: int, what: str) -> None:
        """Count what depends on the record before asking (the store refuses to delete a young
        person or an intervention that records still refer to, so those are refused with the counts)."""
        from vrp_tui.store.lookups import dependents, described, sessions_in_window

        store = spoke_store(self)
        counts = dependents(store, kind, record_id)
        if counts:
            raise DeleteRefused(f"{what[:1].upper()}{what[1:]} has {described(counts)}: "
                                "delete those first, or keep it.")
        detail = "This cannot be undone (the audit trail keeps a copy)."
        if kind == "enrolments" and (n := sessions_in_window(store, record_id)):
            noun = "session falls" if n == 1 else "sessions fall"
            detail = f"{n:,} {noun} in this referral's dates; they stay. " + detail
        self.post_message(self.DeleteAsked(kind, record_id, what, detail))

    @dataclass
    class DeleteAsked(Message):
        kind: str
        record_id: int
        what: str
        detail: str

    @on(DeleteAsked)
    def _ask_delete(self, message: DeleteAsked) -> None:
        from vrp_tui.screens.shared.confirm import ConfirmScreen  # only when something is deleted

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(message.kind, message.record_id, message.what)

        self.app.push_screen(ConfirmScreen(f"Delete {message.what}?", message.detail, yes="Yes, delete"),
                             answered)

    @work(thread=True, exit_on_error=False)
    def _delete(self, kind: str, record_id: int, what: str) -> None:
        spoke_store(self).delete(kind, record_id)
        self.post_message(self.Deleted(kind, what))

    @on(Deleted)
    def _deleted(self, message: Deleted) -> None:
        self.notify(f"Deleted {printable(message.what)}.", timeout=3, markup=False)

        self.records_changed(frozenset({message.kind}))


SECTIONS_OF_TAB = {tab: kinds for tab, _, kinds in TABS}
