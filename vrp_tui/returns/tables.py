"""Rich tables of a return document, shared by ``vrp return show`` and the Returns screen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from vrp_tui import formatting, reference
from vrp_tui.returns import validation
from vrp_tui.returns.document import NARRATIVE_FIELDS
from vrp_tui.returns.validation import Finding
from vrp_tui.text import as_text, printable

NOT_RECORDED = "not recorded"  # a figure a return from before it existed does not carry
COLUMNS = (  # two-line headings keep the table inside 80 columns
    ("referrals", "Refer-\nrals"), ("starts", "Starts"), ("active", "Active"), ("high_risk_active", "High\nrisk"),
    ("completions", "Com-\npleted"), ("other_exits", "Other\nexits"), ("contacts", "Ses-\nsions"),
    ("contact_hours", "Hours"),
)


def pounds(funding: dict[str, str]) -> str:
    """Grant plus match, as pounds with thousands separators: ``£12,500.00``."""
    return "£" + formatting.pounds(sum(formatting.pence_of(v) for v in funding.values()))


def figures_table(doc: dict[str, Any]) -> Table:
    """One row per intervention and a totals row: the counts of SPEC section 4."""
    table = Table(title="Figures", title_justify="left", box=None, padding=(0, 0, 0, 1),
                  header_style="bold underline")
    table.add_column("Interven-\ntion", no_wrap=True)
    for _, label in COLUMNS:
        table.add_column(label, justify="right", min_width=max(len(line) for line in label.splitlines()))
    for line in doc["interventions"]:
        table.add_row(as_text(line["ref"]), *(_num(line[name]) for name, _ in COLUMNS))
    table.add_row(Text("Spoke", style="bold"), *(_num(doc["totals"][name]) for name, _ in COLUMNS),
                  style="bold", end_section=True)
    return table


def attendance_table(doc: dict[str, Any]) -> Table:
    """Sessions attended and missed, and the attendance rate, per intervention and for the spoke.

    A return signed off before attendance was recorded shows "not recorded"."""
    table = Table(title="Attendance", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Intervention", no_wrap=True)
    for head in ("Attended", "Did not attend", "Attendance rate"):
        table.add_column(head, justify="right")
    for line in [*doc["interventions"], {"ref": "Spoke", **doc["totals"]}]:
        if line["ref"] == "Spoke":
            table.add_section()
        if line.get("did_not_attend") is None:
            missed, rate = NOT_RECORDED, NOT_RECORDED
        else:
            missed = f"{line['did_not_attend']:,}"
            rate = "-" if line["attendance_rate"] is None else f"{line['attendance_rate']:.1f}%"
        table.add_row(as_text(line["ref"]), f"{line['contacts']:,}", missed, rate,
                      style="bold" if line["ref"] == "Spoke" else None)
    return table


def outcomes_table(doc: dict[str, Any]) -> Table:
    """Per intervention and instrument with a measurement in the quarter, then the spoke: measured,
    paired, improved / unchanged / worsened and the mean change (positive: better). Instruments by
    slug (their labels are long); SPEC section 2 and the Outcomes tab give the labels."""
    table = Table(title="Outcomes (change since baseline; positive is better)", title_justify="left",
                  box=box.SIMPLE_HEAD)
    table.add_column("Intervention", no_wrap=True)
    table.add_column("Instrument", no_wrap=True, min_width=len(NOT_RECORDED))
    for head in ("Measured", "Paired", "Better", "Same", "Worse", "Mean\nchange"):
        table.add_column(head, justify="right", no_wrap=True)
    for line in [*doc["interventions"], {"ref": "Spoke", **doc["totals"]}]:
        spoke = line["ref"] == "Spoke"
        if spoke:
            table.add_section()
        outcomes = line.get("outcomes")
        if outcomes is None:
            table.add_row(as_text(line["ref"]), NOT_RECORDED, style="bold" if spoke else None)
            continue
        for slug, o in outcomes.items():
            if o["measured"] or (spoke and o["paired"]):
                mean = "-" if o["mean_change"] is None else f"{o['mean_change']:+.1f}"
                table.add_row(as_text(line["ref"]), slug, f"{o['measured']:,}",
                              f"{o['paired']:,}", f"{o['improved']:,}", f"{o['unchanged']:,}",
                              f"{o['worsened']:,}", mean, style="bold" if spoke else None)
    if not table.row_count:
        table.add_row("", "No outcome measures in the quarter.")
    return table


def money_table(doc: dict[str, Any]) -> Table:
    """Spend in the quarter and year to date against the year's budget, grant and match."""
    table = Table(title="Spend against budget", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Intervention", no_wrap=True)
    for head in ("Quarter", "Year to date", "Budget", "Used"):
        table.add_column(head, justify="right")
    for line in [*doc["interventions"], {"ref": "Spoke", **doc["totals"]}]:
        ytd = sum(Decimal(v) for v in line["spend_ytd_gbp"].values())
        budget = sum(Decimal(v) for v in line["budget_gbp"].values())
        used = f"{ytd / budget:.0%}" if budget else "-"
        if line["ref"] == "Spoke":
            table.add_section()
        table.add_row(as_text(line["ref"]), pounds(line["spend_gbp"]), pounds(line["spend_ytd_gbp"]),
                      pounds(line["budget_gbp"]), used, style="bold" if line["ref"] == "Spoke" else None)
    return table


def breakdown_table(figures: dict[str, Any]) -> Table:
    """Active young people by age band, sex and ethnicity (taxonomy labels, zeros included)."""
    table = Table(title="Active young people", title_justify="left", box=box.SIMPLE_HEAD, show_header=False)
    for _ in range(3):
        table.add_column()
        table.add_column(justify="right")
    parts = [
        [(reference.AGE_BAND[k], v) for k, v in figures["active_by_age_band"].items()],
        [(reference.SEX[k], v) for k, v in figures["active_by_sex"].items()],
        [(reference.ETHNICITY[k], v) for k, v in figures["active_by_ethnicity"].items()],
    ]
    for i in range(max(len(p) for p in parts)):
        row: list[str] = []
        for part in parts:
            row += [part[i][0], str(part[i][1])] if i < len(part) else ["", ""]
        table.add_row(*row)
    return table


def validation_table(doc: dict[str, Any], findings: list[Finding] | None = None, *, most: int = 10) -> Table:
    """The document's errors and warnings; with ``findings`` (inside the spoke), each message that
    counts young people lists which (their refs, up to ``most``), and a narrative message says what
    it found. For a frozen version the records listed are those the checks find now."""
    table = Table(title="Validation", title_justify="left", box=box.SIMPLE_HEAD, show_header=False)
    table.add_column()
    table.add_column()
    named = {_key(f.code, f.table, f.public or f.text): f for f in validation.summary(findings or []) if f.names}
    for severity, style in (("errors", "bold red"), ("warnings", "yellow")):
        for message in doc["validation"][severity]:
            text = message["text"]
            found = named.get(_key(message["code"], message["table"], text))
            if found and message["table"] in validation.PEOPLE_TABLES:
                now = "as the records are now: " if doc["version"] is not None else ""
                text = f"{text} ({now}{found.listed(most)})"
            elif found:
                text = found.text
            table.add_row(Text(severity[:-1], style=style), as_text(text))
    if not table.row_count:
        table.add_row("", "No errors or warnings.")
    return table


def _key(code: str, table: str, text: str) -> tuple[str, str]:
    return (code, "" if table in validation.PEOPLE_TABLES else text)


def narrative_table(doc: dict[str, Any]) -> Table:
    table = Table(title="Narrative", title_justify="left", box=box.SIMPLE_HEAD, show_header=False)
    table.add_column(no_wrap=True)
    table.add_column()
    for field in NARRATIVE_FIELDS:
        text = doc["narrative"][field]
        table.add_row(field.replace("_", " ").capitalize(),
                      as_text(text, multiline=True) if text else Text("(empty)", "dim"))
    return table


def heading(doc: dict[str, Any]) -> str:
    """One line naming the return and its state (printable: the signer's name is outside text)."""
    state = ("draft" if doc["version"] is None
             else f"version {doc['version']}, {doc['status']} by {doc['signed_off_by']}")
    return printable(f"{doc['spoke_name']} return for {doc['period_label']} ({state})")


def _num(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def _chart() -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    return table


def bars(title: str, rows: list[tuple[str, float, str]], width: int = 40) -> Group:
    """A horizontal bar chart: one row per (label, value, value as shown), scaled to the largest."""
    table = _chart()
    top = max((value for _, value, _ in rows), default=0) or 1
    for label, value, shown in rows:
        filled = round(width * value / top)
        table.add_row(label, Text("\u2588" * filled, style="cyan") + Text("\u00b7" * (width - filled), style="dim"),
                      shown)
    return Group(Text(title, style="bold"), table)


def spend_bars(figures: dict[str, Any], width: int = 40) -> Group:
    """Spend in the year so far against the year's budget, per funding source and in all."""
    parts = [(reference.FUNDING_SOURCE[s], Decimal(figures["spend_ytd_gbp"][s]), Decimal(figures["budget_gbp"][s]))
             for s in reference.FUNDING_SOURCE]
    parts.append(("All", sum((p[1] for p in parts), Decimal(0)), sum((p[2] for p in parts), Decimal(0))))
    table = _chart()
    for label, spent, budget in parts:
        share = spent / budget if budget else Decimal(0)
        filled = min(width, round(width * share))
        used = Text("\u2588" * filled, style="red" if share > 1 else "green")
        table.add_row(label, used + Text("\u00b7" * (width - filled), style="dim"),
                      f"{share:.0%} of \u00a3{budget:,.0f}" if budget else "no budget")
    return Group(Text("Spend so far this year against the year's budget", style="bold"), table)
