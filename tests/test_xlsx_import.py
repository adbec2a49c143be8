"""XLSX import on a real spoke file: the first sheet, the same columns and checks as CSV.

Workbooks are written with xlsxwriter as a spreadsheet would save them: dates as
Excel dates, numbers as numbers, booleans as booleans. Problems name the sheet
row and the column (and its cell); a refused file changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from click.testing import CliRunner
from conftest import PASSPHRASE

from vrp_tui.cli import main
from vrp_tui.records.import_files import cell_text
from vrp_tui.records.importing import CsvProblem, ImportFailed, ImportResult, import_file
from vrp_tui.store import Store

TABLES = ("interventions", "participants", "enrolments", "contacts", "spend", "budgets", "audit")

INTERVENTIONS: list[Sequence[Any]] = [
    ("ref", "name", "provider", "approach", "prevention_level", "setting", "start_date", "end_date", "description"),
    ("MEN-1", "Lawrence Hill Mentoring", "Brightpath Youth Trust", "mentoring", "secondary", "community",
     date(2024, 4, 1), None, "Weekly mentoring"),
    ("SPT-1", "Midnight Football", "Levels Sports Foundation", "Sports-Programmes", "primary", "community",
     date(2024, 9, 1), date(2026, 3, 31), None),
]
PARTICIPANTS: list[Sequence[Any]] = [
    ("ref", "date_of_birth", "sex", "ethnicity", "postcode_district"),
    ("P-001", date(2009, 6, 15), "male", "white", "bs5"),
    ("P-002", None, "female", "black", None),
    ("P-003", datetime(2012, 1, 31), None, None, None),
]
ENROLMENTS: list[Sequence[Any]] = [
    ("participant_ref", "intervention_ref", "referral_date", "referral_source", "high_risk", "start_date",
     "end_date", "exit_reason"),
    ("P-001", "MEN-1", date(2025, 4, 10), "police", True, date(2025, 4, 14), date(2025, 9, 30), "completed"),
    ("p-002", "men-1", date(2025, 5, 1), "school", "no", date(2025, 5, 2), None, None),
    ("P-002", "SPT-1", date(2025, 6, 1), "self-or-family", False, None, None, None),
]
CONTACTS: list[Sequence[Any]] = [
    ("participant_ref", "intervention_ref", "date", "minutes", "mode"),
    ("P-001", "MEN-1", date(2025, 4, 14), 60, "one-to-one"),
    ("P-001", "MEN-1", date(2025, 9, 30), 45.0, "remote"),
    ("P-002", "MEN-1", date(2025, 5, 2), "90", "group"),
    ("P-002", "SPT-1", date(2025, 6, 1), 120, "GROUP"),
]
SPEND: list[Sequence[Any]] = [
    ("intervention_ref", "period", "funding_source", "amount"),
    ("MEN-1", "2025-26-Q1", "grant", 12500.5),
    ("MEN-1", "2025-26-Q1", "match", 2000),
    ("SPT-1", "2025-26-Q2", "grant", "£3.20"),
]
BUDGETS: list[Sequence[Any]] = [
    ("intervention_ref", "financial_year", "funding_source", "amount"),
    ("MEN-1", "2025-26", "grant", 50000),
    ("SPT-1", "2025/26", "grant", 12000.99),
]
FILES = {"interventions": INTERVENTIONS, "participants": PARTICIPANTS, "enrolments": ENROLMENTS,
         "contacts": CONTACTS, "spend": SPEND, "budgets": BUDGETS}


@pytest.fixture
def spoke(spoke_db: Path) -> Iterator[Store]:
    s = Store(spoke_db)
    yield s
    s.close()


def workbook(tmp_path: Path, rows: Sequence[Sequence[Any]], name: str = "file.xlsx",
             second_sheet: Sequence[Sequence[Any]] = ()) -> Path:
    """A workbook whose first sheet holds ``rows``; dates get a date format, as Excel saves them."""
    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("Records")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value if isinstance(value, datetime) else
                                     datetime(value.year, value.month, value.day), day)
            elif value is not None:
                sheet.write(r, c, value)
    if second_sheet:
        other = book.add_worksheet("Notes")
        for r, row in enumerate(second_sheet):
            other.write_row(r, 0, row)
    book.close()
    return path


def counts(store: Store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def load(store: Store, tmp_path: Path, *kinds: str) -> None:
    for kind in kinds:
        import_file(store, kind, workbook(tmp_path, FILES[kind], f"{kind}.xlsx"))


def refused(store: Store, tmp_path: Path, kind: str, rows: Sequence[Sequence[Any]]) -> list[CsvProblem]:
    before = counts(store)
    with pytest.raises(ImportFailed) as caught:
        import_file(store, kind, workbook(tmp_path, rows, "bad.xlsx"))
    assert counts(store) == before
    return caught.value.errors


def with_cell(rows: Sequence[Sequence[Any]], row: int, column: str, value: Any) -> list[Sequence[Any]]:
    """``rows`` with sheet row ``row`` (1 = header) holding ``value`` in ``column``."""
    out = [list(r) for r in rows]
    out[row - 1][list(rows[0]).index(column)] = value
    return out


# -- good files per kind ---------------------------------------------------------


def test_interventions_from_a_workbook(spoke: Store, tmp_path: Path) -> None:
    assert import_file(spoke, "interventions", workbook(tmp_path, INTERVENTIONS)) == ImportResult(2, 0)
    rows = spoke.query("SELECT ref, approach, start_date, end_date, description FROM interventions ORDER BY ref")
    assert rows == [
        {"ref": "MEN-1", "approach": "mentoring", "start_date": "2024-04-01", "end_date": None,
         "description": "Weekly mentoring"},
        {"ref": "SPT-1", "approach": "sports-programmes", "start_date": "2024-09-01", "end_date": "2026-03-31",
         "description": None},
    ]


def test_participants_with_excel_dates(spoke: Store, tmp_path: Path) -> None:
    assert import_file(spoke, "participants", workbook(tmp_path, PARTICIPANTS)).created == 3
    rows = spoke.query("SELECT ref, date_of_birth, postcode_district FROM participants ORDER BY ref")
    assert rows == [{"ref": "P-001", "date_of_birth": "2009-06-15", "postcode_district": "BS5"},
                    {"ref": "P-002", "date_of_birth": None, "postcode_district": None},
                    {"ref": "P-003", "date_of_birth": "2012-01-31", "postcode_district": None}]


def test_enrolments_with_booleans_and_refs_in_any_case(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants")
    assert import_file(spoke, "enrolments", workbook(tmp_path, ENROLMENTS)).created == 3
    rows = spoke.query("SELECT high_risk, exit_reason FROM enrolments ORDER BY id")
    assert rows == [{"high_risk": 1, "exit_reason": "completed"}, {"high_risk": 0, "exit_reason": None},
                    {"high_risk": 0, "exit_reason": None}]


def test_contacts_with_numbers_for_minutes(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    assert import_file(spoke, "contacts", workbook(tmp_path, CONTACTS)).created == 4
    assert spoke.query("SELECT sum(minutes) AS m, group_concat(mode) AS modes FROM contacts") == [
        {"m": 315, "modes": "one-to-one,remote,group,group"}]
    assert counts(spoke)["audit"] >= 4 + 3


def test_spend_and_budgets_from_numbers_in_pence(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "spend", "budgets")
    assert [r["amount"] for r in spoke.query("SELECT amount FROM spend ORDER BY id")] == [1250050, 200000, 320]
    assert [r["amount"] for r in spoke.query("SELECT amount FROM budgets ORDER BY id")] == [5000000, 1200099]


def test_only_the_first_sheet_is_read(spoke: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path, PARTICIPANTS, second_sheet=[("ref",), ("ZZ-9",)])
    assert import_file(spoke, "participants", path).created == 3
    assert spoke.id_for_ref("participants", "ZZ-9") is None


def test_a_row_matching_a_stored_record_updates_it_and_is_audited(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions")
    changed = with_cell(INTERVENTIONS, 2, "name", "Lawrence Hill and Easton Mentoring")
    assert import_file(spoke, "interventions", workbook(tmp_path, changed)) == ImportResult(0, 1, 1)
    men = spoke.id_for_ref("interventions", "MEN-1")
    assert men is not None
    trail = spoke.audit_trail("interventions", men)
    assert [a["action"] for a in trail] == ["create", "update"]
    assert json.loads(trail[1]["after"])["name"] == "Lawrence Hill and Easton Mentoring"


def test_blank_rows_and_trailing_empty_columns_are_skipped(spoke: Store, tmp_path: Path) -> None:
    rows = [(*PARTICIPANTS[0], None), PARTICIPANTS[1], (None,) * 6, PARTICIPANTS[2]]
    assert import_file(spoke, "participants", workbook(tmp_path, rows)).created == 2


# -- bad cells by sheet row and column -----------------------------------------------


def test_bad_cells_are_named_by_sheet_row_column_and_cell(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    rows = with_cell(with_cell(CONTACTS, 3, "mode", "solo"), 5, "minutes", 1441)
    rows = [rows[0], rows[1], rows[2], (None,) * 5, *rows[3:]]  # a blank sheet row 4: later rows keep numbers
    errors = refused(spoke, tmp_path, "contacts", rows)
    assert [(e.line, e.column, e.cell) for e in errors] == [(3, "mode", "E3"), (6, "minutes", "D6")]
    assert str(errors[1]) == "6: minutes (D6): minutes must be between 1 and 1440"


@pytest.mark.parametrize(
    ("amount", "why"),
    [(1250.555, "more than two decimal places"), (0.001, "more than two decimal places"),
     (1e30, "more than 1,000,000,000 pounds"), (-5, "negative"), (2_000_000_000, "more than"),
     ("1e3", "not an amount"), ("١٢", "not an amount")],
)
def test_bad_amounts_are_refused(spoke: Store, tmp_path: Path, amount: Any, why: str) -> None:
    load(spoke, tmp_path, "interventions")
    errors = refused(spoke, tmp_path, "spend", with_cell(SPEND, 4, "amount", amount))
    assert [(e.line, e.column, e.cell) for e in errors] == [(4, "amount", "D4")]
    assert why in errors[0].message


def test_a_date_with_a_time_of_day_or_a_bare_number_is_not_a_date(spoke: Store, tmp_path: Path) -> None:
    rows = with_cell(with_cell(PARTICIPANTS, 2, "date_of_birth", datetime(2009, 6, 15, 10, 30)),
                     3, "date_of_birth", 45748)
    errors = refused(spoke, tmp_path, "participants", rows)
    assert [(e.line, e.column) for e in errors] == [(2, "date_of_birth"), (3, "date_of_birth")]
    assert all("is not a date" in e.message for e in errors)


def test_control_characters_in_cells_are_refused(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "interventions", with_cell(INTERVENTIONS, 3, "provider", "Lev\x1bels"))
    assert errors == [CsvProblem(3, "provider", "holds a control character (U+001B) at character 4", "C3")]


def test_unknown_and_missing_columns_in_the_header(spoke: Store, tmp_path: Path) -> None:
    rows = [("ref", "shoe_size"), ("P-1", 9)]
    errors = refused(spoke, tmp_path, "participants", rows)
    assert [(e.line, e.column) for e in errors] == [(1, "shoe_size")]
    errors = refused(spoke, tmp_path, "contacts", [CONTACTS[0][:4], CONTACTS[1][:4]])
    assert [(e.line, e.column) for e in errors] == [(1, "mode")]


def test_a_value_outside_the_header_is_refused(spoke: Store, tmp_path: Path) -> None:
    rows = [PARTICIPANTS[0], (*PARTICIPANTS[1], "stray")]
    errors = refused(spoke, tmp_path, "participants", rows)
    assert [(e.line, e.cell, e.message) for e in errors] == [(2, "F2", "has a value in a column with no header")]


def test_an_error_in_the_last_row_writes_nothing(spoke: Store, tmp_path: Path) -> None:
    rows = [("ref", "sex"), *((f"P-{n:05d}", "male") for n in range(6000)), ("P-X", "mail")]
    errors = refused(spoke, tmp_path, "participants", rows)
    assert [(e.line, e.column, e.cell) for e in errors] == [(6002, "sex", "B6002")]


def test_an_empty_sheet_and_a_header_without_rows(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "participants", [])
    assert errors[0].message.startswith("the file is empty")
    errors = refused(spoke, tmp_path, "participants", [("ref", "sex")])
    assert errors[0].message == "the file has a header but no rows"


def test_a_file_that_is_not_a_workbook(spoke: Store, tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("ref,sex\nP-1,male\n")
    with pytest.raises(ImportFailed) as caught:
        import_file(spoke, "participants", path)
    assert caught.value.errors[0].message.startswith("not an Excel workbook (.xlsx)")
    assert counts(spoke)["participants"] == 0


# -- typed cells as the text a CSV would hold ---------------------------------------


@pytest.mark.parametrize(
    ("value", "column", "text"),
    [(1250.5, "amount", "1250.50"), (1250.0, "amount", "1250.00"), (7, "amount", "7"), (0.1, "amount", "0.10"),
     (1250.555, "amount", "1250.555"), (60.0, "minutes", "60"), (60.5, "minutes", "60.5"), (True, "high_risk", "yes"),
     (datetime(2025, 4, 1), "date", "2025-04-01"), (date(2025, 4, 1), "date", "2025-04-01"), (None, "ref", ""),
     (1e20, "minutes", "100000000000000000000"), (float("nan"), "amount", "nan")],
)
def test_cell_text(value: Any, column: str, text: str) -> None:
    assert cell_text(value, column) == text


# -- the command line: .xlsx and the TUI's names for the kinds ------------------------


def vrp(db: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", str(db), *args], env={"VRP_PASSPHRASE": PASSPHRASE})


def test_the_command_line_imports_a_workbook_by_the_tuis_kind_names(spoke_db: Path, tmp_path: Path) -> None:
    for kind, alias in (("interventions", "interventions"), ("participants", "young-people"),
                        ("enrolments", "referrals"), ("contacts", "sessions")):
        result = vrp(spoke_db, "import", alias, str(workbook(tmp_path, FILES[kind], f"{kind}.xlsx")))
        assert result.exit_code == 0, result.output
    assert result.output.strip() == "sessions: 4 created, 0 updated, 0 unchanged"


def test_the_command_line_names_the_sheet_row_and_cell(spoke_db: Path, tmp_path: Path) -> None:
    path = workbook(tmp_path, with_cell(PARTICIPANTS, 3, "sex", "martian"))
    result = vrp(spoke_db, "import", "young-people", str(path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{path}:3: sex (C3): unknown sex 'martian'")
    assert lines[-1] == f"Error: {path}: 1 problem on 1 line; nothing was imported"


def test_a_sheet_declaring_a_huge_size_is_read_as_the_rows_it_holds(spoke: Store, tmp_path: Path) -> None:
    import re
    import zipfile

    plain = workbook(tmp_path, PARTICIPANTS, "plain.xlsx")
    huge = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(huge, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                assert n == 1
            target.writestr(info, data)
    from vrp_tui.records.import_files import Problems, XlsxRows

    source = XlsxRows(huge, Problems())
    try:
        assert [len(row) for row in source.iterator] == [5, 4, 2]  # to the last cell written, not 16,384
    finally:
        source.close()
    assert import_file(spoke, "participants", huge).created == 3
