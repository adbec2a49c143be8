"""The main screen: a tab per section, each a paged list with add, edit, delete and search.

A tab's list is built and loaded only when the tab is first shown, and reloads
when records it shows change, so opening the app costs one list and one page.
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
from textual.widgets import DataTable, Footer, Header, TabbedContent, TabPane

from ..widgets.errors import ReportsWorkerErrors
from ..widgets.record_list import RecordList
from ..widgets.store_access import thread_store
from .confirm import ConfirmScreen
from .registry import SCREENS
from .sections import SECTIONS, affected

# Tab order; spend and budgets share a tab with a tab each of their own inside it.
TABS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("interventions", "Interventions", ("interventions",)),
    ("participants", "Young people", ("participants",)),
    ("enrolments", "Referrals", ("enrolments",)),
    ("contacts", "Sessions", ("contacts",)),
    ("money", "Spend & budgets", ("spend", "budgets")),
)


def tab_of(kind: str) -> str:
    return next(tab for tab, _, kinds in TABS if kind in kinds)


class KindTabs(Vertical):
    """A tab of its own for each kind that shares one main tab (spend and budgets)."""

    def __init__(self, tab: str, kinds: tuple[str, ...]) -> None:
        super().__init__()
        self.tab = tab
        self.kinds = kinds

    def compose(self) -> ComposeResult:
        with TabbedContent(id=f"{self.tab}-kinds"):
            for kind in self.kinds:
                with TabPane(SECTIONS[kind].title, id=f"tab-{kind}"):
                    yield RecordList(SECTIONS[kind], id=f"list-{kind}")


class MainScreen(ReportsWorkerErrors, Screen[None]):
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
        yield Header()
        with TabbedContent(id="sections"):
            for n, (tab, title, _) in enumerate(TABS):
                with TabPane(title, id=f"tab-{tab}"):
                    if n == 0:
                        yield from self._pane_content(tab)
        yield Footer(compact=True)

    def _pane_content(self, tab: str) -> list[Widget]:
        kinds = SECTIONS_OF_TAB[tab]
        if len(kinds) == 1:
            return [RecordList(SECTIONS[kinds[0]], id=f"list-{kinds[0]}")]
        return [KindTabs(tab, kinds)]

    async def _build_tab(self, tab: str) -> None:
        """Mount a tab's list(s) the first time the tab is shown."""
        pane = self.query_one(f"#tab-{tab}", TabPane)
        if not pane.children:
            await pane.mount_all(self._pane_content(tab))

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
        tab = (self.query_one("#sections", TabbedContent).active or "tab-interventions").removeprefix("tab-")
        kinds = SECTIONS_OF_TAB[tab]
        if len(kinds) > 1:
            inner = self.query(f"#{tab}-kinds").results(TabbedContent)
            active = next(inner, None)
            return self.record_list((active.active if active else "").removeprefix("tab-") or kinds[0])
        return self.record_list(kinds[0])

    def _load_visible(self, focus: bool = False) -> None:
        records = self.visible_list()
        if not (self.ready and self.composed) or records is None:
            return
        if not records.loaded_once:
            records.reload()
        if focus:
            self.set_focus(records.table)  # at once, so focus restored after a dialog lands here too

    @on(TabbedContent.TabActivated)
    async def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        tab = (self.query_one("#sections", TabbedContent).active or "").removeprefix("tab-")
        if tab in SECTIONS_OF_TAB:
            await self._build_tab(tab)
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
        self.set_focus(None)  # a focused list in the old tab would pull its tab back into view
        self.query_one("#sections", TabbedContent).active = f"tab-{tab}"
        await self._build_tab(tab)
        if tab != kind:
            self.query_one(f"#{tab}-kinds", TabbedContent).active = f"tab-{kind}"
        self._load_visible(focus=True)

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
        from .record_form import RecordFormScreen  # with the models: not needed for the first screen

        self.app.push_screen(RecordFormScreen(SECTIONS[kind], record_id), self._form_closed)

    def _form_closed(self, kinds: frozenset[str] | None) -> None:
        if kinds:
            self.records_changed(kinds)

    @on(RecordList.Requested)
    def _requested(self, message: RecordList.Requested) -> None:
        kind = message.records.kind
        if message.action in ("add", "edit"):
            self.open_form(kind, message.record_id)
            return
        assert message.record_id is not None and message.row is not None
        what = SECTIONS[kind].describe(message.row)
        record_id = message.record_id

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(kind, record_id, what)

        self.app.push_screen(
            ConfirmScreen(f"Delete {what}?", "This cannot be undone (the audit trail keeps a copy).",
                          yes="Yes, delete"),
            answered,
        )

    @work(thread=True, exit_on_error=False)
    def _delete(self, kind: str, record_id: int, what: str) -> None:
        thread_store(self).delete(kind, record_id)
        self.post_message(self.Deleted(kind, what))

    @on(Deleted)
    def _deleted(self, message: Deleted) -> None:
        self.notify(f"Deleted {message.what}.", timeout=3)
        self.records_changed(frozenset({message.kind}))


SECTIONS_OF_TAB = {tab: kinds for tab, _, kinds in TABS}
