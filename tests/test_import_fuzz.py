"""Random text in every column of every kind: a refusal or an import, never anything else.

Hypothesis puts arbitrary Unicode (control characters, digits of other scripts,
huge numbers, markup) into the cells of an otherwise good row, in a CSV and in
an XLSX file, and into every field of every form. The only exception allowed
out is the project's refusal (ImportFailed, RecordError); when an import is
refused, no table and not the audit trail has changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyrage
import pytest
import xlsxwriter
from conftest import PASSPHRASE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrp_tui.records.importing import COLUMNS, ImportFailed, import_file
from vrp_tui.records.models import RecordError
from vrp_tui.spoke.setup import set_up_spoke
from vrp_tui.store import KINDS, Store

TABLES = ("interventions", "participants", "enrolments", "contacts", "measurements", "spend", "budgets", "audit")

GOOD = {
    "interventions": ["NEW-1", "Mentoring", "Trust", "mentoring", "secondary", "community", "2024-04-01", "", "Text"],
    "participants": ["NEW-P", "2009-06-15", "male", "white", "BS5"],
    "enrolments": ["P-1", "MEN-1", "2025-04-10", "police", "yes", "2025-04-14", "", ""],
    "contacts": ["P-1", "MEN-1", "2025-04-14", "60", "group", "did-not-attend"],
    "measurements": ["P-1", "MEN-1", "2025-04-14", "ors", "21.5"],
    "spend": ["MEN-1", "2025-26-Q1", "grant", "1,200.50"],
    "budgets": ["MEN-1", "2025-26", "grant", "50000"],
}

# Any text at all (no lone surrogates: a file cannot hold them), weighted towards the
# awkward: controls, bidi marks, digits of other scripts, number-like strings.
awkward = st.sampled_from(["\x00", "\x1b", "\x1b[31m", "\u202e", "\u2066", "\x85", "\x7f", "\r", "\n", "\t",
                           "١٢", "²", "½", "1e30", "1_000", "12,34,5", "Infinity", "nan", "-0", "9" * 40,
                           "[bold]x[/]", "=1+1", "\ufeff", "yp001", "MEN-1", "men-1", " ", ""])
cell_text = st.one_of(st.text(max_size=60), awkward, st.lists(awkward, max_size=4).map("".join))


@pytest.fixture(scope="module")
def spoke(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("fuzz") / "spoke.db"
    store = Store(path)
    set_up_spoke(store, spoke="bristol", worker="Amy Tester",
                 hub_recipient=str(pyrage.x25519.Identity.generate().to_public()), passphrase=PASSPHRASE)
    folder = path.parent
    files = {
        "interventions": "ref,name,provider,approach,prevention_level,setting,start_date\n"
                         "MEN-1,Mentoring,Trust,mentoring,secondary,community,2024-04-01\n",
        "participants": "ref,sex\nP-1,male\n",
        "enrolments": "participant_ref,intervention_ref,referral_date,referral_source\nP-1,MEN-1,2025-04-01,police\n",
    }
    for kind, text in files.items():
        (folder / f"{kind}.csv").write_text(text)
        import_file(store, kind, folder / f"{kind}.csv")
    yield store
    store.close()


def counts(store: Store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def csv_bytes(kind: str, row: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS[kind])
    writer.writerow(row)
    return out.getvalue().encode("utf-8", "surrogatepass")


def xlsx_file(path: Path, kind: str, row: list[Any]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, COLUMNS[kind])
    for c, value in enumerate(row):
        if value != "":
            sheet.write(1, c, value)
    book.close()
    return path


def import_or_refuse(store: Store, kind: str, path: Path) -> None:
    before = counts(store)
    try:
        import_file(store, kind, path)
    except ImportFailed as exc:
        assert exc.errors, "a refusal names at least one problem"
        assert counts(store) == before
        assert all("\n" not in problem.message and "\r" not in problem.message for problem in exc.errors)
    else:
        after = counts(store)
        assert after["audit"] - before["audit"] <= 1


def with_values(kind: str, values: dict[int, Any]) -> list[Any]:
    row: list[Any] = list(GOOD[kind])
    for index, value in values.items():
        row[index % len(row)] = value
    return row


changes = st.dictionaries(st.integers(0, 8), cell_text, min_size=1, max_size=3)


@pytest.mark.parametrize("kind", list(COLUMNS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=changes)
def test_random_text_in_a_csv(spoke: Store, tmp_path: Path, kind: str, values: dict[int, str]) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(csv_bytes(kind, with_values(kind, values)))
    import_or_refuse(spoke, kind, path)


excel_values = st.one_of(cell_text, st.integers(-(10**20), 10**20), st.booleans(),
                         st.floats(allow_nan=False, allow_infinity=False), st.dates())


@pytest.mark.parametrize("kind", list(COLUMNS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.integers(0, 8), excel_values, min_size=1, max_size=3))
def test_random_cells_in_an_xlsx(spoke: Store, tmp_path: Path, kind: str, values: dict[int, Any]) -> None:
    import datetime as dt

    row = [dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date) else v
           for v in with_values(kind, values)]
    import_or_refuse(spoke, kind, xlsx_file(tmp_path / f"{kind}.xlsx", kind, row))


FORM_FIELDS = {kind: list(KINDS[kind].model.model_fields) for kind in KINDS}
surrogates = st.lists(st.one_of(st.sampled_from(["\ud800", "\udfff", "\udc80"]), awkward), min_size=1,
                      max_size=3).map("".join)
form_text = st.one_of(cell_text, surrogates, st.text(alphabet=st.characters(codec=None, categories=None), max_size=20))


@pytest.mark.parametrize("kind", list(KINDS))
@settings(max_examples=80, deadline=None)
@given(values=st.dictionaries(st.integers(0, 8), form_text, min_size=1, max_size=4))
def test_random_text_in_every_form_field_is_checked_or_refused(kind: str, values: dict[int, str]) -> None:
    fields = FORM_FIELDS[kind]
    data: dict[str, Any] = {"participant_id": 1, "intervention_id": 1}
    data.update({f: v for f, v in zip(COLUMNS_BY_FIELD[kind], GOOD_FORM[kind], strict=True)})
    for index, value in values.items():
        data[fields[index % len(fields)]] = value
    data = {k: v for k, v in data.items() if k in fields}
    try:
        row = KINDS[kind].model.check(data)
    except RecordError as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        return
    for value in row.values():
        if isinstance(value, str):
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in value), "a lone surrogate got through"


COLUMNS_BY_FIELD = {
    "interventions": COLUMNS["interventions"],
    "participants": COLUMNS["participants"],
    "enrolments": ("referral_date", "referral_source", "high_risk"),
    "contacts": ("date", "minutes", "mode", "attendance"),
    "measurements": ("date", "instrument", "score_tenths"),
    "spend": ("period", "funding_source", "amount"),
    "budgets": ("financial_year", "funding_source", "amount"),
}
GOOD_FORM = {
    "interventions": GOOD["interventions"],
    "participants": GOOD["participants"],
    "enrolments": ("2025-04-10", "police", "yes"),
    "contacts": ("2025-04-14", "60", "group", "attended"),
    "measurements": ("2025-04-14", "ors", "21.5"),
    "spend": ("2025-26-Q1", "grant", "1,200.50"),
    "budgets": ("2025-26", "grant", "50000"),
}
