"""The Returns screen's tabs: their widgets, and those widgets filled from a built quarter (the
figures table, the charts, the validation messages, the versions). Each function fills the
widgets it is given; the screen decides when.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from vrp_tui.periods import Period
from vrp_tui.returns import tables
from vrp_tui.screens.spoke.return_data import Built
from vrp_tui.text import as_text, cells
from vrp_tui.widgets.narrative_editor import NarrativeEditor
from vrp_tui.widgets.record_list import RecordTable
from vrp_tui.widgets.report_table import ReportTable

SHOWN_FINDINGS = 300  # a list longer than this says how many more there are
FIGURE_COLUMNS = (
    ("ref", "Intervention"), ("referrals", "Referrals"), ("starts", "Starts"), ("active", "Active"),
    ("high_risk_active", "High risk"), ("completions", "Completed"), ("other_exits", "Other exits"),
    ("contacts", "Sessions"), ("contact_hours", "Hours"), ("spend_gbp", "Spend"), ("spend_ytd_gbp", "Year to date"),
    ("budget_gbp", "Budget"), ("used", "Used"),
)


def tab_content(tab: str) -> list[Widget]:
    """A tab's widgets (not the figures'), mounted when it is first shown so the screen opens quickly."""
    if tab == "charts":
        return [VerticalScroll(Static("Drawing the charts...", id="charts"), id="charts-scroll")]
    if tab == "validation":
        findings = RecordTable(id="findings", cursor_type="row", zebra_stripes=True)  # one-line rows
        return [findings, Static("", id="findings-note", classes="list-status")]
    if tab == "narrative":
        return [NarrativeEditor(id="narrative")]
    if tab == "outcomes":
        return [ReportTable(id="outcomes", fixed_columns=1), Static("", id="outcomes-chart")]
    versions: DataTable[Any] = DataTable(id="versions", cursor_type="row")
    versions.add_columns("Version", "Status", "By", "When", "Hub")
    return [versions, VerticalScroll(Static("", id="diff"), id="diff-scroll")]


def show_figures(table: ReportTable, doc: dict[str, Any]) -> None:
    """One row per intervention under the spoke's totals (bold, kept in view: the table's fixed row)."""
    lines = [{"ref": "Spoke", **doc["totals"]}, *doc["interventions"]]
    table.show([as_text(label, justify=None if n == 0 else "right") for n, (_, label) in enumerate(FIGURE_COLUMNS)],
               [[as_text(line["ref"], style=style),
                 *(Text(value, style=style, justify="right") for value in figure_cells(line))]
                for line, style in zip(lines, ["bold", *[""] * (len(lines) - 1)], strict=True)])


def figure_cells(line: dict[str, Any]) -> list[str]:
    """The figures of one line as shown: counts with separators, money as pounds, budget used."""
    out = []
    for name, _ in FIGURE_COLUMNS[1:]:
        if name == "used":
            ytd, budget = (sum(Decimal(v) for v in line[m].values()) for m in ("spend_ytd_gbp", "budget_gbp"))
            out.append(f"{ytd / budget:.0%}" if budget else "-")
        elif isinstance(line[name], dict):
            out.append(tables.pounds(line[name]))
        else:
            out.append(f"{line[name]:,}" if isinstance(line[name], int) else f"{line[name]:,.1f}")
    return out


def draw_charts(target: Static, totals: dict[str, Any], period: Period,
                by_quarter: list[tuple[Period, int, int]]) -> None:
    """The quarter's charts: the year to date by quarter, spend, age bands and the breakdowns."""
    label = f"{period.financial_year} to date"
    target.update(Group(
        tables.bars(f"Active young people by quarter, {label}",
                    [(f"Q{q.quarter}", active, f"{active:,}") for q, active, _ in by_quarter]),
        Text(""),
        tables.bars(f"Sessions by quarter, {label}",
                    [(f"Q{q.quarter}", sessions, f"{sessions:,}") for q, _, sessions in by_quarter]),
        Text(""),
        tables.spend_bars(totals),
        Text(""),
        tables.bars("Active young people by age band, this quarter",
                    [(band, n, str(n)) for band, n in totals["active_by_age_band"].items()]),
        Text(""),
        tables.breakdown_table(totals),
    ))


def show_findings(table: DataTable[Any], note: Static, built: Built) -> None:
    """The validation messages, errors first as found; the note under them counts them."""
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
    line = f"{errors} error(s), {len(built.findings) - errors} warning(s). "
    line += f"{more} more not shown: put these right first. " if more > 0 else ""
    line += "Enter shows the records a message names." if built.open else "Frozen with the signed-off version."
    note.update(line)


def show_versions(table: DataTable[Any], diff: Static, built: Built) -> None:
    """Every signed-off version, then the draft if one is open."""
    table.clear()
    for v in built.versions:
        word = built.receipts.get(v.version)
        hub = f"{word.label}: {word.note}" if word and word.note else (word.label if word else "")
        table.add_row(*cells(f"v{v.version}", v.status, v.signed_off_by, (v.exported_at or v.signed_off_at)[:16],
                             hub), key=str(v.version))
    if built.open:
        table.add_row(*cells(f"v{len(built.versions) + 1}", "draft", "", "", ""), key="draft")
    diff.update("Select a version to see what changed from the one before."
                if built.versions else "Nothing signed off yet.")


OUTCOME_COLUMNS = (("measured", "Measured"), ("paired", "Paired"), ("improved", "Better"),
                   ("unchanged", "Same"), ("worsened", "Worse"), ("mean_change", "Mean change"))


def outcome_rows(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]] | None:
    """(intervention ref or "Spoke", instrument slug, its outcome figures) for every instrument
    measured in the quarter, the spoke's totals first; None when the document has no outcomes
    (a return made before outcome measures were recorded)."""
    if "outcomes" not in doc["totals"]:
        return None
    rows = []
    for ref, line in (("Spoke", doc["totals"]), *((i["ref"], i) for i in doc["interventions"])):
        for slug, figures in (line.get("outcomes") or {}).items():
            if figures["measured"] or figures["paired"]:
                rows.append((ref, slug, figures))
    return rows


def show_outcomes(table: ReportTable, chart: Static, doc: dict[str, Any]) -> None:
    """Per intervention and instrument: measured, paired, better / same / worse, mean change
    (SPEC section 4, positive always an improvement); under it, better against worse by instrument."""
    rows = outcome_rows(doc)
    table.clear()
    if rows is None:
        chart.update(Text("Outcomes: not recorded in this return (made before outcome measures were kept).",
                          style="italic"))
        return
    if not rows:
        chart.update(Text("No outcome measures dated in this quarter.", style="italic"))
        return
    lines = []
    for ref, slug, figures in rows:
        shown = ("-" if figures[name] is None else f"{figures[name]:+.1f}" if name == "mean_change"
                 else f"{figures[name]:,}" for name, _ in OUTCOME_COLUMNS)
        lines.append([as_text(ref, style="bold" if ref == "Spoke" else ""), as_text(slug),
                      *(Text(value, justify="right") for value in shown)])
    table.show([as_text("Intervention"), as_text("Instrument"),
                *(as_text(label, justify="right") for _, label in OUTCOME_COLUMNS)], lines)
    chart.update(outcome_bars([(slug, figures) for ref, slug, figures in rows if ref == "Spoke"]))


def outcome_bars(totals: list[tuple[str, dict[str, Any]]], width: int = 24) -> Group:
    """Better (green) against worse (red) of the spoke's paired young people, one bar per instrument."""
    chart = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    chart.add_column(no_wrap=True)
    chart.add_column(no_wrap=True)
    chart.add_column(no_wrap=True)
    top = max((f["improved"] + f["worsened"] for _, f in totals), default=0) or 1
    for slug, f in totals:
        better, worse = (round(width * f[k] / top) for k in ("improved", "worsened"))
        chart.add_row(slug, Text("\u2588" * better, style="green") + Text("\u2588" * worse, style="red")
                      + Text("\u00b7" * (width - better - worse), style="dim"),
                      f"{f['improved']:,} better, {f['worsened']:,} worse")
    return Group(Text("Paired young people, better against worse", style="bold"), chart)
