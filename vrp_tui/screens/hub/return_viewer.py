"""One spoke's return for one quarter: figures, breakdowns, narrative, versions and what changed.

Reviewing (accept, or return with issues and a note) always applies to the
version held, the latest; the screen dismisses with True if a review was made.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from vrp_tui.errors import RecordError
from vrp_tui.formatting import pounds, timestamp
from vrp_tui.hub.consolidate import pence
from vrp_tui.hub.review import ReviewRefused, review_return
from vrp_tui.hub.viewer import Change, ReturnView, diff_versions, view_return
from vrp_tui.periods import Period
from vrp_tui.records.specs import FieldSpec
from vrp_tui.reference import AGE_BAND, APPROACH, ETHNICITY, INSTRUMENTS, PREVENTION_LEVEL, SEX, SPOKES
from vrp_tui.returns.document import NARRATIVE_FIELDS
from vrp_tui.screens.hub.common import SHORT_NAMES, show_value
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.text import as_text, cell, cells, printable
from vrp_tui.widgets.errors import ReportsWorkerErrors
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import hub_store

FIGURE_COLUMNS = (
    ("referrals", "Referrals"), ("starts", "Starts"), ("active", "Active"), ("high_risk_active", "High risk"),
    ("completions", "Completed"), ("other_exits", "Other exits"), ("contacts", "Contacts"),
    ("contact_hours", "Hours"),
)
MONEY_COLUMNS = (("spend_gbp", "Spend"), ("spend_ytd_gbp", "Spend to date"), ("budget_gbp", "Budget"))
BREAKDOWNS = (("active_by_age_band", "Age", AGE_BAND), ("active_by_sex", "Sex", SEX),
              ("active_by_ethnicity", "Ethnicity", ETHNICITY))
NARRATIVE_TITLES = {"highlights": "Highlights", "challenges": "Challenges", "case_study": "Case study",
                    "next_quarter": "Next quarter"}


def reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "hub"


VIEWS = (("figures", "Figures"), ("breakdowns", "Breakdowns"), ("narrative", "Narrative"), ("versions", "Versions"),
         ("outcomes", "Outcomes"))
OUTCOME_COLUMNS = (("measured", "Measured"), ("paired", "Paired"), ("improved", "Better"), ("unchanged", "Same"),
                   ("worsened", "Worse"), ("mean_change", "Mean change"))
NOT_RECORDED = "not recorded"


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
    ]

    @dataclass
    class Loaded(Message):
        view: ReturnView
        changes: list[Change]

    @dataclass
    class Reviewed(Message):
        text: str

    def __init__(self, spoke: str, period: str) -> None:
        super().__init__()
        self.spoke = spoke
        self.period = period
        self.view: ReturnView | None = None
        self.reviewed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{SHORT_NAMES[self.spoke]} · {Period.parse(self.period).label}", id="return-title")
        with TabbedContent(id="return-tabs"):
            with TabPane("Figures", id="tab-return-figures"):
                yield DataTable(id="return-figures", zebra_stripes=True, fixed_columns=1)
            with TabPane("Breakdowns", id="tab-return-breakdowns"):
                yield DataTable(id="return-breakdowns", zebra_stripes=True, fixed_columns=1)
            with TabPane("Narrative", id="tab-return-narrative"), VerticalScroll(id="narrative-scroll"):
                yield Static("", id="return-narrative")
            with TabPane("Versions", id="tab-return-versions"):
                yield DataTable(id="return-versions", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="changes-scroll"):
                    yield Static("", id="return-changes")
            with TabPane("Outcomes", id="tab-return-outcomes"):
                yield DataTable(id="return-outcomes", zebra_stripes=True, fixed_columns=2)
                yield Static("", id="return-outcomes-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#return-figures", DataTable).focus()
        self._load(None)

    @work(thread=True, exit_on_error=False, exclusive=True, group="return")
    def _load(self, version: int | None) -> None:
        store = hub_store(self)
        view = view_return(store, self.spoke, self.period, version)
        if view is None:
            raise LookupError(f"no return from {self.spoke} for {self.period} is held")
        shown = int(view.document["version"])
        changes = diff_versions(store, self.spoke, self.period, shown - 1, shown) \
            if any(v.version == shown - 1 for v in view.versions) else []
        self.post_message(self.Loaded(view, changes))

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
        self._narrative(doc["narrative"])
        self._outcomes(doc)
        self._versions(view, message.changes)

    def _figures(self, doc: Mapping[str, Any]) -> None:
        """One row per intervention (totals first): figures first, then what the intervention is."""
        table = self.query_one("#return-figures", DataTable)
        table.clear(columns=True)
        table.add_columns("Ref", *(label for _, label in FIGURE_COLUMNS), *(label for _, label in MONEY_COLUMNS),
                          "Approach", "Level", "Name")
        rows = [("Totals", "", "", "", doc["totals"])] + [
            (i["ref"], APPROACH.get(i["approach"], i["approach"]),
             PREVENTION_LEVEL.get(i["prevention_level"], i["prevention_level"]), i["name"], i)
            for i in doc["interventions"]]
        for ref, approach, level, name, figures in rows:  # every text from the bundle, shown literally
            table.add_row(cell(ref), *(show_value(figures[k]) for k, _ in FIGURE_COLUMNS),
                          *(_money(figures[k]) for k, _ in MONEY_COLUMNS), *cells(approach, level, name))

    def _breakdowns(self, doc: Mapping[str, Any]) -> None:
        table = self.query_one("#return-breakdowns", DataTable)
        table.clear(columns=True)
        items = doc["interventions"]
        table.add_columns("Active young people", "Totals", *(as_text(i["ref"]) for i in items))
        for key, title, labels in BREAKDOWNS:
            for slug, label in labels.items():
                table.add_row(cell(f"{title}: {label}"), show_value(doc["totals"][key][slug]),
                              *(show_value(i[key][slug]) for i in items))

    def _outcomes(self, doc: Mapping[str, Any]) -> None:
        """Per intervention (totals first) and instrument measured: measured, paired, better, same,
        worse and mean change (positive is better). A return made before outcome measures were
        kept says "not recorded", not zeros."""
        table = self.query_one("#return-outcomes", DataTable)
        table.clear(columns=True)
        table.add_columns("Ref", "Instrument", *(label for _, label in OUTCOME_COLUMNS))
        none_at_all = True
        for ref, part in [("Totals", doc["totals"])] + [(i["ref"], i) for i in doc["interventions"]]:
            rows = outcome_rows(part)
            if rows is None:
                table.add_row(cell(ref), cell(NOT_RECORDED), *(cell("") for _ in OUTCOME_COLUMNS))
                continue
            if not rows:
                table.add_row(cell(ref), cell("none measured"), *(Text("0", justify="right") if name != "mean_change"
                                                                   else cell("") for name, _ in OUTCOME_COLUMNS))
                continue
            none_at_all = False
            for n, (slug, figures) in enumerate(rows):
                table.add_row(cell(ref if n == 0 else ""), cell(slug),
                              *(outcome_value(name, figures.get(name)) for name, _ in OUTCOME_COLUMNS))
        recorded = outcome_rows(doc["totals"]) is not None
        note = ("Outcomes not recorded: this return was made before outcome measures were kept."
                if not recorded else "No outcome measures dated in this quarter." if none_at_all else
                "Paired: a baseline and a follow-up up to the quarter's end, the latest in it. Mean change: "
                "follow-up less baseline, turned round where lower is better, so positive is better.")
        self.query_one("#return-outcomes-note", Static).update(Text(note, style="italic"))

    def _narrative(self, narrative: Mapping[str, str]) -> None:
        text = Text()
        for field in NARRATIVE_FIELDS:
            text.append(NARRATIVE_TITLES.get(field, field) + "\n", style="bold")
            text.append(printable(narrative.get(field) or "(empty)", multiline=True) + "\n\n")
        self.query_one("#return-narrative", Static).update(text)

    def _versions(self, view: ReturnView, changes: list[Change]) -> None:
        table = self.query_one("#return-versions", DataTable)
        table.clear(columns=True)
        table.add_columns("Version", "Received", "File", "sha256", "Review")
        for v in view.versions:
            latest = next((r for r in reversed(view.reviews) if r.version == v.version), None)
            table.add_row(*cells(f"v{v.version}", timestamp(v.received_at), v.file_name, v.sha256[:12],
                                 latest.label if latest else ""), key=str(v.version))
        shown = int(view.document["version"])
        table.move_cursor(row=[v.version for v in view.versions].index(shown))
        if shown == 1:
            summary = Text("v1 is the first version received. Enter on a version shows it.")
        elif not changes:
            summary = Text(f"v{shown} has the same figures and narrative as v{shown - 1}.")
        else:
            summary = Text(f"What changed from v{shown - 1} to v{shown}:\n", style="bold")
            for change in changes:
                summary.append(f"  {printable(change)}\n")
        self.query_one("#return-changes", Static).update(summary)

    @on(DataTable.RowSelected, "#return-versions")
    def _show_version(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._load(int(event.row_key.value))

    # -- review --------------------------------------------------------

    def action_accept(self) -> None:
        if self.view is not None:
            self._accept()

    @work(thread=True, exit_on_error=False, group="review")
    def _accept(self) -> None:
        done = review_return(hub_store(self), self.spoke, self.period, accept=True, reviewer=reviewer())
        self.post_message(self.Reviewed(f"Accepted v{done.version} of {SPOKES[self.spoke].name} {self.period}."))

    def action_issues(self) -> None:
        if self.view is not None:
            self.app.push_screen(ReviewNoteScreen(self.spoke, self.period), self._noted)

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

    def action_back(self) -> None:
        self.dismiss(self.reviewed)


def outcome_rows(part: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]] | None:
    """(instrument slug, its figures) for each instrument measured or paired in an intervention's
    (or the totals') outcomes, in SPEC order; None if the return has no outcomes there."""
    outcomes = part.get("outcomes")
    if not isinstance(outcomes, Mapping):
        return None
    ordered = [*(s for s in INSTRUMENTS if s in outcomes), *(s for s in outcomes if s not in INSTRUMENTS)]
    return [(slug, outcomes[slug]) for slug in ordered
            if isinstance(outcomes[slug], Mapping) and (outcomes[slug].get("measured") or outcomes[slug].get("paired"))]


def outcome_value(name: str, value: Any) -> Text:
    """A count with separators; the mean change signed with one decimal ("-" when none are paired)."""
    if value is None:
        return Text("-", justify="right")
    if name == "mean_change":
        return Text(f"{Decimal(str(value)):+.1f}", justify="right")
    return show_value(value)


def _money(funding: Mapping[str, str]) -> Text:
    """Grant and match together, in pounds."""
    return Text(pounds(sum(pence(v) for v in funding.values())), justify="right")


class ReviewNoteScreen(FormScreen):
    """Return the held version with issues: the note says what they are."""

    title_text = "Return with issues"
    save_label = "Return it"

    def __init__(self, spoke: str, period: str) -> None:
        super().__init__(FieldsForm((FieldSpec("note", "Issues", placeholder="what the spoke should fix"),),
                                    id="fields"))
        self.spoke = spoke
        self.period = period

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {} if (values.get("note") or "").strip() else {"note": "say what the issues are"}

    def save(self, values: Mapping[str, Any]) -> None:
        self._save(values.get("note") or "")

    @work(thread=True, exit_on_error=False)
    def _save(self, note: str) -> None:
        try:
            review_return(hub_store(self), self.spoke, self.period, accept=False, note=note,
                          reviewer=reviewer())
        except ReviewRefused as exc:
            raise _NoteRefused({"note": str(exc)}) from None
        self.post_message(self.Saved())

    @dataclass
    class Saved(Message):
        pass

    @on(Saved)
    def _saved(self) -> None:
        self.dismiss(frozenset({"reviews"}))


class _NoteRefused(RecordError):
    """A review note the form will not send, shown beside its field."""
