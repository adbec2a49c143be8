"""What the hub's screens share: report tables shown in a ReportTable, their cells and short names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text

from vrp_tui.formatting import pounds
from vrp_tui.hub.tables import Pounds, Table
from vrp_tui.reference import SPOKES
from vrp_tui.text import cell
from vrp_tui.widgets.report_table import ReportTable

# Spoke names as they are known locally, short enough for a column at 80x24.
SHORT_NAMES = {"bristol": "Bristol", "banes": "BaNES", "north-somerset": "North Somerset",
               "south-glos": "South Glos", "somerset": "Somerset"}
_SHORT_ROWS = {SPOKES[code].name: short for code, short in SHORT_NAMES.items()}

# Report headers are written for a spreadsheet; on an 80-column screen they are shortened.
SHORT_HEADERS = {
    "Active young people": "Active",
    "Active young people (per intervention)": "Active*",
    "High-risk active": "High risk",
    "High-risk active (per intervention)": "High risk*",
    "Contact hours": "Hours",
    "Spend, VRP grant": "Grant",
    "Spend, match": "Match",
    "Budget, VRP grant": "Budget grant",
    "Budget, match": "Budget match",
    "Spend to date, VRP grant": "To date grant",
    "Spend to date, match": "To date match",
    "Spend to date, total": "To date",
    "Budget used (%)": "Used %",
    "Approach (YEF Toolkit)": "Approach",
    "Financial year to date": "Year to date",
    "Returns held": "Returns",
    "Interventions": "Interv.",
    "Other exits": "Other exits",
}



def show_value(value: Any) -> Text:
    """A report cell as the screen shows it: numbers right-aligned, money with two decimals, text literally."""
    if value is None:
        return cell("")
    if isinstance(value, Pounds):
        return Text(pounds(value.pence), justify="right")
    if isinstance(value, Decimal | int):
        return Text(f"{value:,}", justify="right")
    return cell(value)


def fill_table(table: ReportTable, report_table: Table) -> None:
    """Replace ``table``'s columns and rows with ``report_table``'s; the cursor stays where it was."""
    table.show([cell(SHORT_HEADERS.get(label, label)) for label in report_table.columns],
               [[cell(_SHORT_ROWS.get(label, label)), *(show_value(v) for v in values)]
                for label, *values in report_table.rows])
