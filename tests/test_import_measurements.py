"""Importing outcome measures (CSV and XLSX) and session attendance: every row or none, errors by line and column."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PASSPHRASE
from test_csv_import import load, write
from test_xlsx_import import workbook

from vrp_tui.cli import main
from vrp_tui.records.importing import CsvProblem, ImportFailed, ImportResult, import_file
from vrp_tui.store import Store

MEASUREMENTS = """\
participant_ref,intervention_ref,date,instrument,score
P-001,MEN-1,2025-04-14,sdq-total,22
p-001,men-1,2025-09-30,SDQ-Total,15
P-002,MEN-1,2025-05-02,ors,21.5
P-002,SPT-1,2025-06-01,goal-based,3
"""
TABLES = ("measurements", "contacts", "audit")


@pytest.fixture
def spoke(spoke_db: Path, tmp_path: Path) -> Iterator[Store]:
    s = Store(spoke_db)
    load(s, tmp_path, "interventions", "participants", "enrolments")
    yield s
    s.close()


def counts(store: Store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def scores(store: Store) -> list[tuple[str, str, str, str, int]]:
    return [tuple(r.values()) for r in store.query(  # type: ignore[misc]
        "SELECT p.ref AS p, i.ref AS i, m.date, m.instrument, m.score_tenths FROM measurements m "
        "JOIN participants p ON p.id = m.participant_id JOIN interventions i ON i.id = m.intervention_id "
        "ORDER BY m.id")]


def refused(store: Store, path: Path, kind: str = "measurements") -> list[CsvProblem]:
    before = counts(store)
    with pytest.raises(ImportFailed) as caught:
        import_file(store, kind, path)
    assert counts(store) == before  # nothing written, nothing audited
    return caught.value.errors


def test_measurements_from_csv_in_exact_tenths_and_audited(spoke: Store, tmp_path: Path) -> None:
    before = counts(spoke)["audit"]
    assert import_file(spoke, "measurements", write(tmp_path, MEASUREMENTS)) == ImportResult(created=4, updated=0)
    assert scores(spoke) == [
        ("P-001", "MEN-1", "2025-04-14", "sdq-total", 220), ("P-001", "MEN-1", "2025-09-30", "sdq-total", 150),
        ("P-002", "MEN-1", "2025-05-02", "ors", 215), ("P-002", "SPT-1", "2025-06-01", "goal-based", 30)]
    audit = spoke.query("SELECT table_name, action FROM audit ORDER BY id")[before:]
    assert audit == [{"table_name": "measurements", "action": "create"}] * 4


def test_a_row_with_the_same_person_intervention_date_and_instrument_updates(spoke: Store, tmp_path: Path) -> None:
    import_file(spoke, "measurements", write(tmp_path, MEASUREMENTS))
    again = "participant_ref,intervention_ref,date,instrument,score\nP-002,MEN-1,2025-05-02,ORS,23.0\n" \
            "P-001,MEN-1,2025-04-14,sdq-total,22\n"
    assert import_file(spoke, "measurements", write(tmp_path, again, "again.csv")) == ImportResult(
        created=0, updated=1, unchanged=1)
    assert ("P-002", "MEN-1", "2025-05-02", "ors", 230) in scores(spoke)
    (row,) = spoke.query("SELECT before, after FROM audit WHERE table_name = 'measurements' AND action = 'update'")
    assert (json.loads(row["before"])["score_tenths"], json.loads(row["after"])["score_tenths"]) == (215, 230)


@pytest.mark.parametrize(("line", "column", "message"), [
    ("P-001,MEN-1,2025-04-14,sdq-total,41", "score_tenths", "outside the sdq-total scale"),
    ("P-001,MEN-1,2025-04-14,sdq-total,12.5", "score_tenths", "outside the sdq-total scale"),
    ("P-001,MEN-1,2025-04-14,ors,12.25", "score", "a score is a number such as 12 or 31.5"),
    ("P-001,MEN-1,2025-04-14,ors,1e1", "score", "a score is a number such as 12 or 31.5"),
    ("P-001,MEN-1,2025-04-14,ors,-1", "score", "a score is a number such as 12 or 31.5"),
    ("P-001,MEN-1,2025-04-14,yoga,5", "instrument", "unknown instrument 'yoga'"),
    ("P-001,MEN-1,2025-04-01,ors,5", "date", "no referral of this young person to this intervention covers"),
    ("P-001,MEN-1,2099-04-01,ors,5", "date", "in the future"),
    ("P-009,MEN-1,2025-04-14,ors,5", "participant_ref", "no young person with ref 'P-009'"),
    ("P-001,MEN-1,2025-04-14,ors,", "score", "required"),
])
def test_bad_rows_are_refused_by_line_and_column(spoke: Store, tmp_path: Path, line: str, column: str,
                                                 message: str) -> None:
    text = MEASUREMENTS + line + "\n"
    errors = refused(spoke, write(tmp_path, text))
    (problem,) = errors
    assert problem.line == 6
    assert problem.column in (column, "score")  # the file's column: a score's field is score_tenths
    assert problem.column != "score_tenths"
    assert message in problem.message


def test_a_repeated_key_in_one_file_is_refused(spoke: Store, tmp_path: Path) -> None:
    text = MEASUREMENTS + "P-002,SPT-1,2025-06-01,Goal-Based,4\n"
    (problem,) = refused(spoke, write(tmp_path, text))
    assert problem.line == 6 and "as line 5" in problem.message


def test_measurements_from_a_workbook_with_numbers_for_scores(spoke: Store, tmp_path: Path) -> None:
    rows: list[tuple[Any, ...]] = [("participant_ref", "intervention_ref", "date", "instrument", "score"),
                                   ("P-001", "MEN-1", "2025-04-14", "sdq-total", 22),
                                   ("P-002", "MEN-1", "2025-05-02", "ors", 21.5)]
    assert import_file(spoke, "measurements", workbook(tmp_path, rows)).created == 2
    assert [s[-1] for s in scores(spoke)] == [220, 215]
    bad = [*rows, ("P-002", "MEN-1", "2025-05-03", "wemwbs", 80)]
    (problem,) = refused(spoke, workbook(tmp_path, bad, "bad.xlsx"))
    assert (problem.line, problem.column, problem.cell) == (4, "score", "E4")
    assert "outside the wemwbs scale" in problem.message


CONTACTS = """\
participant_ref,intervention_ref,date,minutes,mode,attendance
P-001,MEN-1,2025-04-14,60,one-to-one,
P-001,MEN-1,2025-04-21,60,one-to-one,Did-Not-Attend
P-002,MEN-1,2025-05-02,90,group,CANCELLED
P-002,MEN-1,2025-05-09,90,group,attended
"""


def test_contacts_attendance_column_in_any_case_empty_is_attended(spoke: Store, tmp_path: Path) -> None:
    assert import_file(spoke, "contacts", write(tmp_path, CONTACTS)).created == 4
    got = [r["attendance"] for r in spoke.query("SELECT attendance FROM contacts ORDER BY id")]
    assert got == ["attended", "did-not-attend", "cancelled", "attended"]


def test_contacts_without_the_attendance_column_are_attended(spoke: Store, tmp_path: Path) -> None:
    text = "participant_ref,intervention_ref,date,minutes,mode\nP-001,MEN-1,2025-04-14,60,one-to-one\n"
    import_file(spoke, "contacts", write(tmp_path, text))
    assert spoke.query("SELECT attendance FROM contacts") == [{"attendance": "attended"}]


def test_a_bad_attendance_is_refused_with_its_line_and_column(spoke: Store, tmp_path: Path) -> None:
    (problem,) = refused(spoke, write(tmp_path, CONTACTS + "P-001,MEN-1,2025-04-28,60,one-to-one,late\n"),
                         "contacts")
    assert (problem.line, problem.column) == (6, "attendance")
    assert "unknown attendance 'late'" in problem.message


def test_vrp_import_measurements(spoke_db: Path, tmp_path: Path, spoke: Store) -> None:
    path = write(tmp_path, MEASUREMENTS, "scores.csv")
    result = CliRunner().invoke(main, ["--db", str(spoke_db), "import", "measurements", str(path)],
                                env={"VRP_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 0, result.output
    assert "4" in result.output
    bad = write(tmp_path, MEASUREMENTS + "P-001,MEN-1,2025-04-15,ors,99\n", "bad.csv")
    result = CliRunner().invoke(main, ["--db", str(spoke_db), "import", "measurements", str(bad)],
                                env={"VRP_PASSPHRASE": PASSPHRASE})
    assert result.exit_code == 1
    assert "bad.csv:6: score: outside the ors scale" in result.output
    assert "nothing was imported" in result.output
