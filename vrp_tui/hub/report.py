"""Writing the consolidated report: JSON, CSV or XLSX.

- JSON: one object, ``tables`` a list of {name, title, columns, rows}; money is a
  two-decimal string of pounds (as in return.json), hours, rates, change sums and
  mean changes numbers with one decimal, ``[c]`` a suppressed count (or a rate or
  mean that would reveal one), ``"not recorded"`` a figure a return from before
  it existed does not carry, null an empty cell. The tables include attendance
  and outcomes by spoke, approach and prevention level (``hub/tables.py``).
- CSV: one file in long form, ``table,row,column,value``: every table in one
  file that filters and pivots easily.
- XLSX (xlsxwriter): one sheet per table, named by its title, headers in bold,
  money and hours as numbers with their formats.

Every report says which spokes' returns it holds, their versions and review
states (SPEC section 7): the JSON's ``returns_held`` and a "Review states" row
of the About table. ``accepted_only`` leaves out returns the hub has not
accepted; a quarter with no returns to report is refused.

Text is never a formula (SPEC section 9): a CSV cell that starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return is written after a ``'``; in XLSX
every text is a string cell (``write_string``), and one that starts so also
carries the quote-prefix style, so editing it in the spreadsheet keeps it text.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter

from vrp_tui.errors import VrpError
from vrp_tui.hub.consolidate import Consolidated, from_documents, trend_quarters
from vrp_tui.hub.held import held_documents, held_in
from vrp_tui.hub.review import ACCEPTED, NOT_REVIEWED, STATE_LABELS, latest_reviews
from vrp_tui.hub.store import HubStore
from vrp_tui.hub.tables import Pounds, Table, build_tables
from vrp_tui.periods import Period
from vrp_tui.reference import SPOKES
from vrp_tui.text import spreadsheet_cell

FORMATS = ("json", "csv", "xlsx")


class NothingToReport(VrpError):
    """A report of a quarter with no returns to put in it."""


@dataclass(frozen=True)
class HeldReturn:
    """One spoke's return in a report: the version held and its review state."""

    spoke: str
    version: int
    state: str  # accepted, issues or none (hub.review's states)

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def to_json(self) -> dict[str, Any]:
        return {"spoke": self.spoke, "name": SPOKES[self.spoke].name, "version": self.version,
                "state": self.label}


def report_figures(hub: HubStore, period: Period, *,
                   accepted_only: bool = False) -> tuple[Consolidated, list[HeldReturn]]:
    """The figures a report of ``period`` holds and the returns in it with their review states.

    With ``accepted_only`` a return the hub has not accepted (in any quarter the
    report reads) is left out. NothingToReport when no return of ``period`` is left.
    """
    codes = [q.code for q in trend_quarters(period)]
    docs = held_documents(hub, codes)
    held = held_in(hub, codes)
    reviews = latest_reviews(hub, [r.id for r in held.values()])
    states = {key: reviews[r.id].state if r.id in reviews else NOT_REVIEWED for key, r in held.items()}
    if accepted_only:
        docs = {key: doc for key, doc in docs.items() if states.get(key) == ACCEPTED}
    returns = [HeldReturn(s, held[(s, period.code)].version, states[(s, period.code)])
               for s in SPOKES if (s, period.code) in docs]
    if not returns:
        some = any(code == period.code for _, code in held)
        raise NothingToReport(f"no return for {period.code} is accepted: nothing to report" if some and accepted_only
                              else f"no return for {period.code} is held: nothing to report")
    return from_documents(period, docs), returns


def report(c: Consolidated, fmt: str, *, publish: bool = False, threshold: int = 5,
           returns: list[HeldReturn] | None = None) -> bytes:
    """The report for ``c`` in format ``fmt`` (json, csv or xlsx), as bytes to write out.

    ``returns`` (from :func:`report_figures`) names the returns it holds and their states.
    """
    tables = build_tables(c, publish=publish, threshold=threshold)
    if returns is not None:
        _add_review_states(tables, returns)
    if fmt == "json":
        return to_json(c, tables, publish, threshold, returns)
    if fmt == "csv":
        return to_csv(tables)
    if fmt == "xlsx":
        return to_xlsx(tables)
    raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")


def default_name(c: Consolidated, fmt: str, publish: bool) -> str:
    return f"vrp_{c.period.code}_{'published' if publish else 'internal'}.{fmt}"


def _json_value(value: Any) -> Any:
    if isinstance(value, Pounds):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _add_review_states(tables: list[Table], returns: list[HeldReturn]) -> None:
    line = "; ".join(f"{SPOKES[r.spoke].name} v{r.version} {r.label}" for r in returns)
    for table in tables:
        if table.name == "about":
            table.rows.append(["Review states", line])


def to_json(c: Consolidated, tables: list[Table], publish: bool, threshold: int,
            returns: list[HeldReturn] | None = None) -> bytes:
    data = {
        "period": c.period.code,
        "period_label": c.period.label,
        "published": publish,
        "disclosure_threshold": threshold if publish else None,
        "returns": dict(c.held),
        "missing": c.missing,
        **({"returns_held": [r.to_json() for r in returns]} if returns is not None else {}),
        "tables": [
            {"name": t.name, "title": t.title, "columns": t.columns,
             "rows": [[_json_value(v) for v in row] for row in t.rows]}
            for t in tables
        ],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def to_csv(tables: list[Table]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value"])
    for table in tables:
        for row in table.rows:
            label = _csv_text(row[0])
            for column, value in zip(table.columns[1:], row[1:], strict=True):
                writer.writerow([_csv_text(table.name), label, _csv_text(column), _csv_value(value)])
    return out.getvalue().encode()


def _csv_text(value: Any) -> str:
    return spreadsheet_cell("" if value is None else str(value))


def _csv_value(value: Any) -> str:
    """A number as it is (a negative one starts with ``-`` and is still a number); text guarded."""
    if value is None:
        return ""
    if isinstance(value, Pounds | Decimal | int | float):
        return str(value)
    return _csv_text(value)


def to_xlsx(tables: list[Table]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    hours = book.add_format({"num_format": "0.0"})
    text_right = book.add_format({"align": "right"})
    header_quoted = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1,
                                     "quote_prefix": True})
    quoted = book.add_format({"quote_prefix": True})
    right_quoted = book.add_format({"align": "right", "quote_prefix": True})

    def text(sheet: Any, row: int, col: int, value: str, plain: Any, guarded: Any) -> None:
        """A string cell, never a formula; one that starts like a formula also quote-prefixed."""
        sheet.write_string(row, col, value, guarded if spreadsheet_cell(value) != value else plain)

    for table in tables:
        sheet = book.add_worksheet(table.title[:31])
        widths = [len(col) for col in table.columns]
        for col, label in enumerate(table.columns):
            text(sheet, 0, col, str(label), header, header_quoted)
        for r, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, Pounds):
                    sheet.write_number(r, col, value.pence / 100, money)
                elif isinstance(value, Decimal):
                    sheet.write_number(r, col, float(value), hours)
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(r, col, value)
                elif value is None:
                    continue
                elif col:
                    text(sheet, r, col, str(value), text_right, right_quoted)
                else:
                    text(sheet, r, col, str(value), None, quoted)

                widths[col] = max(widths[col], len(str(value)))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width, 8), 60) + 2 if col == 0 else min(max(width, 8), 18) + 2)
        sheet.freeze_panes(1, 1)
    book.close()
    return out.getvalue()
