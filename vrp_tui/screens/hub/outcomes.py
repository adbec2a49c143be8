"""One return's outcome measures as the hub's return viewer shows them (SPEC section 4).

Per intervention (the totals first) and instrument measured or paired in the
quarter: measured, paired, better (improved), same (unchanged), worse
(worsened) and the mean change, positive always an improvement. A return made
before outcome measures were kept has no ``outcomes`` and says "not recorded",
never zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.widgets import Static

from vrp_tui.reference import INSTRUMENTS
from vrp_tui.screens.hub.common import show_value
from vrp_tui.text import cell
from vrp_tui.widgets.report_table import ReportTable

OUTCOME_COLUMNS = (("measured", "Measured"), ("paired", "Paired"), ("improved", "Better"), ("unchanged", "Same"),
                   ("worsened", "Worse"), ("mean_change", "Mean change"))
NOT_RECORDED = "not recorded"


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


def show_outcomes(table: ReportTable, note: Static, doc: Mapping[str, Any]) -> None:
    """Fill ``table`` with the return's outcomes and ``note`` with what they mean (or why there are none)."""
    lines: list[list[Text]] = []
    none_at_all = True
    for ref, part in [("Totals", doc["totals"])] + [(i["ref"], i) for i in doc["interventions"]]:
        rows = outcome_rows(part)
        if rows is None:
            lines.append([cell(ref), cell(NOT_RECORDED), *(cell("") for _ in OUTCOME_COLUMNS)])
            continue
        if not rows:
            lines.append([cell(ref), cell("none measured"), *(Text("0", justify="right") if name != "mean_change"
                                                              else cell("") for name, _ in OUTCOME_COLUMNS)])
            continue
        none_at_all = False
        for n, (slug, figures) in enumerate(rows):  # every text from the bundle, shown literally
            lines.append([cell(ref if n == 0 else ""), cell(slug),
                          *(outcome_value(name, figures.get(name)) for name, _ in OUTCOME_COLUMNS)])
    table.show([cell("Ref"), cell("Instrument"), *(cell(label) for _, label in OUTCOME_COLUMNS)], lines)
    recorded = outcome_rows(doc["totals"]) is not None
    text = ("Outcomes not recorded: this return was made before outcome measures were kept."
            if not recorded else "No outcome measures dated in this quarter." if none_at_all else
            "Paired: a baseline and a follow-up up to the quarter's end, the latest in it. Mean change: "
            "follow-up less baseline, turned round where lower is better, so positive is better.")
    note.update(Text(text, style="italic"))
