"""What the hub's screens share: the app they run in, and report tables shown in a DataTable."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.dom import DOMNode
from textual.widgets import DataTable

from ..hub.tables import Pounds, Table

if TYPE_CHECKING:
    from ..hub_app import HubApp

# Spoke names as they are known locally, short enough for a column at 80x24.
SHORT_NAMES = {"bristol": "Bristol", "banes": "BaNES", "north-somerset": "North Somerset",
               "south-glos": "South Glos", "somerset": "Somerset"}


def hub_of(node: DOMNode) -> HubApp:
    """The hub app ``node`` belongs to."""
    app: Any = node.app
    return app


def show_value(value: Any) -> Text | str:
    """A report cell as the screen shows it: numbers right-aligned, money with two decimals."""
    if value is None:
        return ""
    if isinstance(value, Pounds | Decimal | int):
        return Text(f"{value:,}" if isinstance(value, int) else str(value), justify="right")
    return str(value)


def fill_table(table: DataTable[Any], report_table: Table) -> None:
    """Replace ``table``'s columns and rows with ``report_table``'s; the cursor stays where it was."""
    row = table.cursor_row
    table.clear(columns=True)
    for n, label in enumerate(report_table.columns):
        table.add_column(label, key=str(n))
    for values in report_table.rows:
        table.add_row(*(show_value(v) for v in values))
    if report_table.rows:
        table.move_cursor(row=min(row, len(report_table.rows) - 1))
