"""The main screen: a tab per section, each a paged list with add, edit, delete and search.

Lists load only when their tab is first shown, and reload when records they
show change, so opening the app costs one page of one list.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, TabbedContent, TabPane

from ..widgets.errors import ReportsWorkerErrors
from ..widgets.record_list import RecordList
from ..widgets.store_access import thread_store
from .confirm import ConfirmScreen
from .record_form import RecordFormScreen
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


class MainScreen(ReportsWorkerErrors, Screen[None]):
    BINDINGS = [
        *(Binding(str(n), f"show_tab('{tab}')", f"Show {title.lower()}", show=False, id=f"main.tab.{tab}")
          for n, (tab, title, _) in enumerate(TABS, start=1)),
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
            for tab, title, kinds in TABS:
                with TabPane(title, id=f"tab-{tab}"):
                    if len(kinds) == 1:
                        yield RecordList(SECTIONS[kinds[0]], id=f"list-{kinds[0]}")
                        continue
                    with TabbedContent(id=f"{tab}-kinds"):
                        for kind in kinds:
                            with TabPane(SECTIONS[kind].title, id=f"tab-{kind}"):
                                yield RecordList(SECTIONS[kind], id=f"list-{kind}")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.composed = True
        self._load_visible(focus=True)

    def start(self) -> None:
        """The store is ready: load the list in view (now, or once the screen is mounted)."""
        self.ready = True
        self._load_visible(focus=True)

    # -- which list is in view ---------------------------------------------

    def record_list(self, kind: str) -> RecordList:
        return self.query_one(f"#list-{kind}", RecordList)

    def visible_list(self) -> RecordList:
        tab = (self.query_one("#sections", TabbedContent).active or "tab-interventions").removeprefix("tab-")
        kinds = next(k for t, _, k in TABS if t == tab)
        if len(kinds) > 1:
            inner = self.query_one(f"#{tab}-kinds", TabbedContent).active or f"tab-{kinds[0]}"
            return self.record_list(inner.removeprefix("tab-"))
        return self.record_list(kinds[0])

    def _load_visible(self, focus: bool = False) -> None:
        if not (self.ready and self.composed):
            return
        records = self.visible_list()
        if not records.loaded_once:
            records.reload()
        if focus:
            records.table.focus()

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self._load_visible(focus=self.focused is None or isinstance(self.focused, DataTable))

    def action_show_tab(self, tab: str) -> None:
        self.show_kind(SECTIONS_OF_TAB[tab][0])

    def show_kind(self, kind: str) -> RecordList:
        """Bring the list of ``kind`` into view and focus it."""
        tab = tab_of(kind)
        self.query_one("#sections", TabbedContent).active = f"tab-{tab}"
        if tab != kind:
            self.query_one(f"#{tab}-kinds", TabbedContent).active = f"tab-{kind}"
        records = self.record_list(kind)
        if self.ready and self.composed and not records.loaded_once:
            records.reload()
        self.set_focus(records.table)  # at once, so focus restored after a dialog lands here too
        return records

    def records_changed(self, kinds: frozenset[str]) -> None:
        """Reload the lists that show records of ``kinds``; hidden ones reload when next shown."""
        visible = self.visible_list()
        for kind in affected(kinds):
            records = self.record_list(kind)
            if records is visible:
                records.reload()
            else:
                records.loaded_once = False

    # -- add, edit, delete -------------------------------------------------

    def open_form(self, kind: str, record_id: int | None = None) -> None:
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
