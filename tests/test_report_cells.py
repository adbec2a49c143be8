"""Report cells a spreadsheet reads as text, never as a formula (SPEC section 9)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

from vrp_tui.hub.report import to_csv, to_xlsx
from vrp_tui.hub.tables import Pounds, Table

LINK = '=HYPERLINK("http://evil.test","Click")'
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def hostile_table() -> Table:
    return Table("by_spoke", "By spoke", ["Spoke", "Name", "Spend", "Hours", "Active"], [
        [LINK, "+SUM(A1:A9)", Pounds(-150), Decimal("2.5"), 7],
        ["Bristol", "@cmd", Pounds(125050), Decimal("0.0"), 0],
        ["-2+3", "Mentoring", None, None, None],
    ])


def test_csv_text_cells_that_start_like_a_formula_get_a_quote() -> None:
    rows = list(csv.reader(io.StringIO(to_csv([hostile_table()]).decode())))
    assert rows[0] == ["table", "row", "column", "value"]
    assert rows[1:5] == [
        ["by_spoke", "'" + LINK, "Name", "'+SUM(A1:A9)"],
        ["by_spoke", "'" + LINK, "Spend", "-1.50"],  # a negative amount stays a number
        ["by_spoke", "'" + LINK, "Hours", "2.5"],
        ["by_spoke", "'" + LINK, "Active", "7"],
    ]
    assert rows[5][1:] == ["Bristol", "Name", "'@cmd"]
    assert rows[9][1:] == ["'-2+3", "Name", "Mentoring"]
    assert rows[10][1:] == ["'-2+3", "Spend", ""]


def sheet_cells(data: bytes) -> tuple[dict[str, ElementTree.Element], list[str], set[int]]:
    """The first sheet's cells by reference, the shared strings, and the styles that quote-prefix."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        strings = [si.findtext("x:t", namespaces=NS) or ""
                   for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("x:si", NS)]
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
    xfs = styles.find("x:cellXfs", NS)
    assert xfs is not None
    quoted = {n for n, xf in enumerate(xfs.findall("x:xf", NS)) if xf.get("quotePrefix") == "1"}
    return {c.get("r", ""): c for c in sheet.iter(f"{{{NS['x']}}}c")}, strings, quoted


def test_xlsx_text_is_a_string_cell_never_a_formula() -> None:
    data = to_xlsx([hostile_table()])
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert not re.search(rb"<f[ >]", book.read("xl/worksheets/sheet1.xml"))  # no formula anywhere
    cells, strings, quoted = sheet_cells(data)

    def text(ref: str) -> str:
        cell = cells[ref]
        assert cell.get("t") == "s", f"{ref} is not a string cell"
        return strings[int(cell.findtext("x:v", namespaces=NS) or "-1")]

    assert text("A2") == LINK and int(cells["A2"].get("s", "0")) in quoted
    assert text("B2") == "+SUM(A1:A9)" and int(cells["B2"].get("s", "0")) in quoted
    assert text("B3") == "@cmd" and int(cells["B3"].get("s", "0")) in quoted
    assert text("A4") == "-2+3" and int(cells["A4"].get("s", "0")) in quoted
    assert text("A3") == "Bristol" and int(cells["A3"].get("s", "0")) not in quoted
    assert text("B4") == "Mentoring" and int(cells["B4"].get("s", "0")) not in quoted
    assert cells["C2"].get("t") is None and cells["C2"].findtext("x:v", namespaces=NS) == "-1.5"  # a number
    assert cells["E2"].findtext("x:v", namespaces=NS) == "7"
