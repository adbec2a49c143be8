"""What the Returns screen does to a return: sign off (once its quarter has ended), reopen,
the notice of a signed-off version the records have moved on from, and the versions with what
changed between them. A base of ``ReturnsScreen``
(returns.py), which reads and draws the quarter; every write runs in a thread
worker and posts a message back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.returns.stale import Stale
from vrp_tui.returns.validation import Finding
from vrp_tui.screens.shared.confirm import ConfirmScreen
from vrp_tui.screens.spoke.return_data import Built, diff_text, hub_word, stale_notice
from vrp_tui.screens.spoke.return_panes import show_versions
from vrp_tui.text import printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import spoke_store
from vrp_tui.widgets.narrative_editor import NarrativeEditor


class ReturnActions(ReportsWorkerErrors, Screen[frozenset[str] | None]):
    """Sign-off, reopening and versions for the quarter ``built`` holds (set by the screen)."""

    built: Built | None
    stale: Stale | None
    shown_tabs: set[str]

    @dataclass
    class StaleChecked(Message):
        period: Period
        stale: Stale | None

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

    def rebuild(self) -> None:
        raise NotImplementedError

    def _show_state(self) -> None:
        raise NotImplementedError

    def _fill(self, tab: str) -> None:
        raise NotImplementedError

    def editor(self) -> NarrativeEditor:
        raise NotImplementedError

    def _unsaved_narrative(self) -> tuple[dict[str, str], int] | None:
        raise NotImplementedError

    async def action_show_tab(self, tab: str) -> None:
        raise NotImplementedError

    # -- sign off and reopen -------------------------------------------------

    def action_sign_off(self) -> None:
        built = self.built
        if built is None:
            self.notify("The return is still being read.", timeout=3)
            return
        if not built.open:
            self.notify(f"Already signed off as version {built.versions[-1].version}; reopen (o) to change it.")
            return
        try:
            lifecycle.require_ended(built.period, built.today)
        except lifecycle.ReturnError as exc:  # the quarter under way: say from when it can be
            self.notify(str(exc), title="Not yet", severity="warning", timeout=8, markup=False)
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
            lambda yes: self._confirmed_sign_off(built.period, built.today) if yes else None)

    def _confirmed_sign_off(self, period: Period, today: date) -> None:
        self._sign_off(period, today, self._unsaved_narrative())

    @work(thread=True, exit_on_error=False, group="lifecycle")
    def _sign_off(self, period: Period, today: date, unsaved: tuple[dict[str, str], int] | None) -> None:
        store = spoke_store(self)
        if unsaved is not None:  # typed just before: saved first, in order with the editor's own saves
            self.editor().write(store, period, *unsaved)
        try:
            version = lifecycle.sign_off(store, period, today=today)
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
        diff = self.query_one("#diff", Static)
        show_versions(self.query_one("#versions", DataTable), diff, built)
        if self._stale_lines() is not None:
            diff.update(self._stale_lines() or "")

    def _stale_lines(self) -> Text | None:
        """Every figure the records now give differently from the frozen version shown, or None."""
        if self.stale is None or self.built is None or self.built.open:
            return None
        return Text("\n".join(printable(line) for line in self.stale.lines(most=200)), style="yellow")

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
            stale = self._stale_lines()
            self.query_one("#diff", Static).update(message.text if stale is None else
                                                   Text("\n\n").join([stale, message.text]))

    # -- a signed-off version the records have moved on from ----------------

    @on(StaleChecked)
    def _stale_checked(self, message: StaleChecked) -> None:
        if self.built is None or message.period != self.built.period or self.built.open:
            return
        self.stale = message.stale
        self._show_state()
        self._show_stale()
        self._fill("versions")

    def _show_stale(self) -> None:
        """The notices under the header: the records moved on since sign-off; the hub returned it with issues."""
        notice = self.query_one("#stale", Static)
        notice.display = self.stale is not None
        if self.stale is not None:
            notice.update(stale_notice(self.stale))
        word = hub_word(self.built) if self.built is not None else None
        hub = self.query_one("#hub-word", Static)
        hub.display = word is not None
        if word is not None:
            hub.update(word)
