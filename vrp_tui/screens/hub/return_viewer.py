"""One spoke's return for one quarter: figures, breakdowns, narrative, versions and what changed.

Reviewing (accept after a confirmation naming spoke, quarter and version, or
return with issues and a note) applies to the version on screen and is refused
if it is not the latest held; ``r`` writes the receipt for the spoke. The
screen dismisses with True if a review was made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from vrp_tui.formatting import pounds, timestamp
from vrp_tui.hub.consolidate import pence
from vrp_tui.hub.review import review_return
from vrp_tui.hub.viewer import Change, ReturnView, diff_versions, view_return
from vrp_tui.periods import Period
from vrp_tui.reference import AGE_BAND, APPROACH, ETHNICITY, PREVENTION_LEVEL, SEX, SPOKES
from vrp_tui.returns.document import NARRATIVE_FIELDS
from vrp_tui.screens.hub.common import SHORT_NAMES, show_value
from vrp_tui.screens.hub.outcomes import show_outcomes
from vrp_tui.screens.hub.review import (
    RECEIPTS_FOLDER,
    ReceiptScreen,
    ReviewNoteScreen,
    confirm_accept,
    naming,
    reviewer,
)
from vrp_tui.text import as_text, cell, cells, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.hosts import hub_store
from vrp_tui.widgets.report_table import ReportTable

FIGURE_COLUMNS = (
    ("referrals", "Referrals"), ("starts", "Starts"), ("active", "Active"), ("high_risk_active", "High risk"),
    ("completions", "Completed"), ("other_exits", "Other exits"), ("contacts", "Contacts"),
    ("contact_hours", "Hours"),
)
MONEY_COLUMNS = (("spend_gbp", "Spend"), ("spend_ytd_gbp", "Spend to date"), ("budget_gbp", "Budget"))
BREAKDOWNS = (("active_by_age_band", "Age", AGE_BAND), ("active_by_sex", "Sex", SEX),
              ("active_by_ethnicity", "Ethnicity", ETHNICITY))
# Breakdowns show this many interventions' columns at a time ([ and ] page), so 200 interventions are
# ten pages rather than 200 presses of the right arrow.
BREAKDOWN_PAGE = 20
# What changed is listed up to this many lines; a version that changes everything says how much more.
CHANGES_SHOWN = 200
NARRATIVE_TITLES = {"highlights": "Highlights", "challenges": "Challenges", "case_study": "Case study",
                    "next_quarter": "Next quarter"}


VIEWS = (("figures", "Figures"), ("breakdowns", "Breakdowns"), ("narrative", "Narrative"), ("versions", "Versions"),
         ("outcomes", "Outcomes"))


class ReturnViewerScreen(ReportsWorkerErrors, Screen[bool]):
    DEFAULT_CSS = """
    ReturnViewerScreen #return-outcomes { height: 1fr; }
    ReturnViewerScreen #return-outcomes-note { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="return.back"),
        *(Binding(str(n), f"show_view('{view}')", f"Show {title.lower()}", show=False, id=f"return.{view}")
          for n, (view, title) in enumerate(VIEWS, start=1)),
        Binding("a", "accept", "Accept", id="return.accept"),
        Binding("i", "issues", "Return with issues", id="return.issues"),
        Binding("r", "receipt", "Receipt", id="return.receipt"),
        Binding("left_square_bracket", "breakdown_page(-1)", "Previous interventions", show=False,
                id="return.breakdowns.previous"),
        Binding("right_square_bracket", "breakdown_page(1)", "Next interventions", show=False,
                id="return.breakdowns.next"),
    ]

    @dataclass
    class Loaded(Message):
        view: ReturnView
        changes: list[Change] | None  # None: still being worked out (Changed follows)

    @dataclass
    class Changed(Message):
        """What changed from the version before the one shown, worked out after it is on screen."""

        version: int
        changes: list[Change]

    @dataclass
    class Reviewed(Message):
        text: str

    @dataclass
    class ReceiptFolder(Message):
        folder: str

    def __init__(self, spoke: str, period: str) -> None:
        super().__init__()
        self.spoke = spoke
        self.period = period
        self.view: ReturnView | None = None
        self.reviewed = False
        self.breakdown_page = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{SHORT_NAMES[self.spoke]} · {Period.parse(self.period).label}", id="return-title")
        with TabbedContent(id="return-tabs"):
            with TabPane("Figures", id="tab-return-figures"):
                yield ReportTable(id="return-figures", fixed_columns=1)
            with TabPane("Breakdowns", id="tab-return-breakdowns"):
                yield ReportTable(id="return-breakdowns", fixed_columns=1)
                yield Static("", id="breakdowns-page", classes="list-status")
            with TabPane("Narrative", id="tab-return-narrative"), VerticalScroll(id="narrative-scroll"):
                yield Static("", id="return-narrative")
            with TabPane("Versions", id="tab-return-versions"):
                yield DataTable(id="return-versions", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="changes-scroll"):
                    yield Static("", id="return-changes")
            with TabPane("Outcomes", id="tab-return-outcomes"):
                yield ReportTable(id="return-outcomes", fixed_columns=2)
                yield Static("", id="return-outcomes-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#return-figures", ReportTable).focus()
        self._load(None)

    @work(thread=True, exit_on_error=False, exclusive=True, group="return")
    def _load(self, version: int | None) -> None:
        store = hub_store(self)
        view = view_return(store, self.spoke, self.period, version)
        if view is None:
            raise LookupError(f"no return from {self.spoke} for {self.period} is held")
        self.post_message(self.Loaded(view, None))  # the figures first; the diff reads two more documents
        shown = int(view.document["version"])
        if any(v.version == shown - 1 for v in view.versions):
            self.post_message(self.Changed(shown, diff_versions(store, self.spoke, self.period, shown - 1, shown)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        view = self.view = message.view
        doc = view.document
        shown, held = doc["version"], view.held.version
        which = "held" if shown == held else f"an earlier version; v{held} is held"
        review = next((r for r in reversed(view.reviews) if r.version == held), None)
        state = f"{review.label}" + (f": {review.note}" if review and review.note else "") if review \
            else "not reviewed"
        self.query_one("#return-title", Static).update(as_text(  # the note is the analyst's own words
            f"{SHORT_NAMES[self.spoke]} · {Period.parse(self.period).label} · v{shown} ({which}) · {state}"))
        self._figures(doc)
        self._breakdowns(doc)
        self._narrative(doc["narrative"], doc.get("validation") or {})
        show_outcomes(self.query_one("#return-outcomes", ReportTable), self.query_one("#return-outcomes-note", Static),
                      doc)
        self._versions(view, message.changes)

    def _figures(self, doc: Mapping[str, Any]) -> None:
        """One row per intervention (totals first): figures first, then what the intervention is."""
        rows = [("Totals", "", "", "", doc["totals"])] + [
            (i["ref"], APPROACH.get(i["approach"], i["approach"]),
             PREVENTION_LEVEL.get(i["prevention_level"], i["prevention_level"]), i["name"], i)
            for i in doc["interventions"]]
        self.query_one("#return-figures", ReportTable).show(  # every text from the bundle, shown literally
            cells("Ref", *(label for _, label in FIGURE_COLUMNS), *(label for _, label in MONEY_COLUMNS),
                  "Approach", "Level", "Name"),
            [[cell(ref), *(show_value(figures[k]) for k, _ in FIGURE_COLUMNS),
              *(_money(figures[k]) for k, _ in MONEY_COLUMNS), *cells(approach, level, name)]
             for ref, approach, level, name, figures in rows])

    def _breakdowns(self, doc: Mapping[str, Any]) -> None:
        """The totals and one page of interventions, a column each."""
        every = doc["interventions"]
        pages = max(1, -(-len(every) // BREAKDOWN_PAGE))
        self.breakdown_page = min(max(self.breakdown_page, 0), pages - 1)
        first = self.breakdown_page * BREAKDOWN_PAGE
        items = every[first:first + BREAKDOWN_PAGE]
        self.query_one("#breakdowns-page", Static).update(
            f"interventions {first + 1}-{first + len(items)} of {len(every)} · [ ] page" if pages > 1 else "")
        self.query_one("#return-breakdowns", ReportTable).show(
            [cell("Active young people"), cell("Totals"), *(cell(i["ref"]) for i in items)],
            [[cell(f"{title}: {label}"), show_value(doc["totals"][key][slug]), *(show_value(i[key][slug]) for i in items)]
             for key, title, labels in BREAKDOWNS for slug, label in labels.items()])

    def _narrative(self, narrative: Mapping[str, str], validation: Mapping[str, Any]) -> None:
        text = Text()
        for field in NARRATIVE_FIELDS:
            text.append(NARRATIVE_TITLES.get(field, field) + "\n", style="bold")
            text.append(printable(narrative.get(field) or "(empty)", multiline=True) + "\n\n")
        text.append_text(validation_text(validation))
        self.query_one("#return-narrative", Static).update(text)

    def _versions(self, view: ReturnView, changes: list[Change] | None) -> None:
        table = self.query_one("#return-versions", DataTable)
        table.clear(columns=True)
        table.add_columns("Version", "Received", "File", "sha256", "Review")
        for v in view.versions:
            latest = next((r for r in reversed(view.reviews) if r.version == v.version), None)
            table.add_row(*cells(f"v{v.version}", timestamp(v.received_at), v.file_name, v.sha256[:12],
                                 latest.label if latest else ""), key=str(v.version))
        shown = int(view.document["version"])
        table.move_cursor(row=[v.version for v in view.versions].index(shown))
        self._changes(shown, changes)

    def _changes(self, shown: int, changes: list[Change] | None) -> None:
        if changes is None and shown > 1:
            summary = Text(f"Working out what changed from v{shown - 1}...")
        elif shown == 1 or changes is None:
            summary = Text("v1 is the first version received. Enter on a version shows it.")
        elif not changes:
            summary = Text(f"v{shown} has the same figures and narrative as v{shown - 1}.")
        else:
            summary = Text(f"What changed from v{shown - 1} to v{shown}:\n", style="bold")
            for change in changes[:CHANGES_SHOWN]:
                summary.append(f"  {printable(change)}\n")
            if len(changes) > CHANGES_SHOWN:
                summary.append(f"  ... and {len(changes) - CHANGES_SHOWN:,} more changes\n")
        self.query_one("#return-changes", Static).update(summary)

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        if self.view is not None and int(self.view.document["version"]) == message.version:
            self._changes(message.version, message.changes)

    @on(DataTable.RowSelected, "#return-versions")
    def _show_version(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._load(int(event.row_key.value))

    # -- review --------------------------------------------------------

    @property
    def shown_version(self) -> int | None:
        """The version on screen: what a review made here applies to."""
        return int(self.view.document["version"]) if self.view is not None else None

    def action_accept(self) -> None:
        version = self.shown_version
        if version is not None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self._accept(version)

            self.app.push_screen(confirm_accept(self.spoke, self.period, version), answered)

    @work(thread=True, exit_on_error=False, group="review")
    def _accept(self, version: int) -> None:
        done = review_return(hub_store(self), self.spoke, self.period, accept=True, reviewer=reviewer(),
                             version=version)
        self.post_message(self.Reviewed(f"Accepted {naming(self.spoke, self.period, done.version)}."))

    def action_issues(self) -> None:
        version = self.shown_version
        if version is not None:
            self.app.push_screen(ReviewNoteScreen(self.spoke, self.period, version), self._noted)

    def action_receipt(self) -> None:
        if self.view is not None:
            self._receipt_folder()

    @work(thread=True, exit_on_error=False, group="review")
    def _receipt_folder(self) -> None:
        self.post_message(self.ReceiptFolder(hub_store(self).folder(RECEIPTS_FOLDER)))

    @on(ReceiptFolder)
    def _ask_receipt(self, message: ReceiptFolder) -> None:
        self.app.push_screen(ReceiptScreen(self.spoke, self.period, message.folder))

    def _noted(self, done: frozenset[str] | None) -> None:
        if done:
            self.post_message(self.Reviewed(f"Returned {SPOKES[self.spoke].name} {self.period} with issues."))

    @on(Reviewed)
    def _reviewed(self, message: Reviewed) -> None:
        self.reviewed = True
        self.notify(message.text, timeout=3, markup=False)

        self._load(None)

    def action_show_view(self, view: str) -> None:
        self.query_one("#return-tabs", TabbedContent).active = f"tab-return-{view}"
        target = "#narrative-scroll" if view == "narrative" else f"#return-{view}"
        self.query_one(target).focus()

    def action_breakdown_page(self, step: int) -> None:
        if self.view is not None:
            self.breakdown_page += step
            self._breakdowns(self.view.document)

    def action_back(self) -> None:
        self.dismiss(self.reviewed)


def validation_text(validation: Mapping[str, Any]) -> Text:
    """The spoke's own validation findings as the return carries them (warnings did not block sign-off)."""
    warnings = validation.get("warnings") or []
    text = Text(f"The spoke's validation warnings ({len(warnings)})\n", style="bold")
    for finding in warnings:
        text.append(f"  ! {printable(finding.get('text', ''))}\n", style="yellow")
    if not warnings:
        text.append("  none\n")
    return text


def _money(funding: Mapping[str, str]) -> Text:
    """Grant and match together, in pounds."""
    return Text(pounds(sum(pence(v) for v in funding.values())), justify="right")
