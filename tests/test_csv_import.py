"""CSV import on a real spoke file: good files per kind, updates by key, bad files refused whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from vrp_tui.records.importing import CsvProblem, ImportFailed, ImportResult, import_csv
from vrp_tui.store import Store

TABLES = ("interventions", "participants", "enrolments", "contacts", "spend", "budgets", "audit")

INTERVENTIONS = """\
ref,name,provider,approach,prevention_level,setting,start_date,end_date,description
MEN-1,Lawrence Hill Mentoring,Brightpath Youth Trust,mentoring,secondary,community,2024-04-01,,Weekly mentoring
SPT-1,Midnight Football,Levels Sports Foundation,Sports-Programmes,primary,community,2024-09-01,2026-03-31,
"""
PARTICIPANTS = """\
ref,date_of_birth,sex,ethnicity,postcode_district
P-001,2009-06-15,male,white,bs5
P-002,,female,black,
P-003,2012-01-31,,,
"""
ENROLMENTS = """\
participant_ref,intervention_ref,referral_date,referral_source,high_risk,start_date,end_date,exit_reason
P-001,MEN-1,2025-04-10,police,yes,2025-04-14,2025-09-30,completed
P-002,MEN-1,2025-05-01,school,no,2025-05-02,,
P-002,SPT-1,2025-06-01,self-or-family,,,,
"""
CONTACTS = """\
participant_ref,intervention_ref,date,minutes,mode
P-001,MEN-1,2025-04-14,60,one-to-one
P-001,MEN-1,2025-09-30,45,remote
P-002,MEN-1,2025-05-02,90,group
P-002,SPT-1,2025-06-01,120,group
"""
SPEND = """\
intervention_ref,period,funding_source,amount
MEN-1,2025-26-Q1,grant,"12,500.50"
MEN-1,2025-26-Q1,match,2000
SPT-1,2025-26-Q2,grant,£3.2
"""
BUDGETS = """\
intervention_ref,financial_year,funding_source,amount
MEN-1,2025-26,grant,50000
SPT-1,2025-26,grant,12000.99
"""


@pytest.fixture
def spoke(spoke_db: Path) -> Iterator[Store]:
    s = Store(spoke_db)
    yield s
    s.close()


def write(tmp_path: Path, text: str | bytes, name: str = "file.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def counts(store: Store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def load(store: Store, tmp_path: Path, *kinds: str) -> None:
    files = {"interventions": INTERVENTIONS, "participants": PARTICIPANTS, "enrolments": ENROLMENTS,
             "contacts": CONTACTS, "spend": SPEND, "budgets": BUDGETS}
    for kind in kinds:
        import_csv(store, kind, write(tmp_path, files[kind], f"{kind}.csv"))


def refused(store: Store, tmp_path: Path, kind: str, text: str | bytes) -> list[CsvProblem]:
    """Import a bad file; it must be refused and leave every table (and the audit trail) as it was."""
    before = counts(store)
    with pytest.raises(ImportFailed) as caught:
        import_csv(store, kind, write(tmp_path, text, "bad.csv"))
    assert counts(store) == before
    return caught.value.errors


# -- good files -------------------------------------------------------------


def test_interventions_are_created_with_their_fields(spoke: Store, tmp_path: Path) -> None:
    result = import_csv(spoke, "interventions", write(tmp_path, INTERVENTIONS))
    assert result == ImportResult(created=2, updated=0)
    rows = spoke.query("SELECT ref, approach, start_date, end_date, description FROM interventions ORDER BY ref")
    assert rows == [
        {"ref": "MEN-1", "approach": "mentoring", "start_date": "2024-04-01", "end_date": None,
         "description": "Weekly mentoring"},
        {"ref": "SPT-1", "approach": "sports-programmes", "start_date": "2024-09-01", "end_date": "2026-03-31",
         "description": None},
    ]


def test_participants_keep_blank_optional_fields_empty(spoke: Store, tmp_path: Path) -> None:
    assert import_csv(spoke, "participants", write(tmp_path, PARTICIPANTS)).created == 3
    rows = spoke.query("SELECT ref, date_of_birth, sex, ethnicity, postcode_district FROM participants ORDER BY ref")
    assert rows[0] == {"ref": "P-001", "date_of_birth": "2009-06-15", "sex": "male", "ethnicity": "white",
                       "postcode_district": "BS5"}
    assert rows[2] == {"ref": "P-003", "date_of_birth": "2012-01-31", "sex": None, "ethnicity": None,
                       "postcode_district": None}


def test_enrolments_resolve_refs_to_ids(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants")
    assert import_csv(spoke, "enrolments", write(tmp_path, ENROLMENTS)).created == 3
    rows = spoke.query(
        "SELECT p.ref AS p, i.ref AS i, e.high_risk, e.start_date, e.exit_reason FROM enrolments e "
        "JOIN participants p ON p.id = e.participant_id JOIN interventions i ON i.id = e.intervention_id "
        "ORDER BY e.id")
    assert rows == [
        {"p": "P-001", "i": "MEN-1", "high_risk": 1, "start_date": "2025-04-14", "exit_reason": "completed"},
        {"p": "P-002", "i": "MEN-1", "high_risk": 0, "start_date": "2025-05-02", "exit_reason": None},
        {"p": "P-002", "i": "SPT-1", "high_risk": 0, "start_date": None, "exit_reason": None},
    ]


def test_contacts_inside_enrolment_windows_are_added(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    assert import_csv(spoke, "contacts", write(tmp_path, CONTACTS)).created == 4
    # Contacts are always added: the same file again adds four more.
    assert import_csv(spoke, "contacts", write(tmp_path, CONTACTS)).created == 4
    assert spoke.query("SELECT sum(minutes) AS m, count(*) AS n FROM contacts") == [{"m": 630, "n": 8}]


def test_spend_and_budgets_are_held_in_pence(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "spend", "budgets")
    spend = spoke.query("SELECT period, funding_source, amount FROM spend ORDER BY id")
    assert spend == [
        {"period": "2025-26-Q1", "funding_source": "grant", "amount": 1250050},
        {"period": "2025-26-Q1", "funding_source": "match", "amount": 200000},
        {"period": "2025-26-Q2", "funding_source": "grant", "amount": 320},
    ]
    assert [r["amount"] for r in spoke.query("SELECT amount FROM budgets ORDER BY id")] == [5000000, 1200099]


def test_every_created_record_has_a_create_audit_row(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions")
    audit = spoke.query("SELECT * FROM audit WHERE table_name = 'interventions' ORDER BY id")
    assert [(a["action"], a["worker"], a["before"]) for a in audit] == [("create", "Amy Tester", None)] * 2
    after = json.loads(audit[1]["after"])
    assert after["ref"] == "SPT-1" and after["id"] == spoke.id_for_ref("interventions", "SPT-1")


def test_a_quoted_field_across_lines_and_blank_lines_keep_line_numbers(spoke: Store, tmp_path: Path) -> None:
    text = (
        "\ufeffref,name,provider,approach,prevention_level,setting,start_date,description\n"
        'A,Alpha,Acme,cbt,primary,school,2025-01-01,"two\nlines"\n'
        "\n"
        "B,Beta,Acme,cbt,primary,nowhere,2025-01-01,\n"
    )
    assert refused(spoke, tmp_path, "interventions", text) == [
        CsvProblem(5, "setting", "unknown setting 'nowhere' (one of community, school, home, hospital, "
                                 "custody, online, other)")]


# -- updates by natural key --------------------------------------------------


def test_a_row_with_a_stored_ref_updates_it_and_is_audited(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions")
    men = spoke.id_for_ref("interventions", "MEN-1")
    changed = INTERVENTIONS.replace("Lawrence Hill Mentoring", "Lawrence Hill and Easton Mentoring")
    changed += "NEW-1,New work,Acme,cbt,secondary,school,2025-01-01,,\n"
    assert import_csv(spoke, "interventions", write(tmp_path, changed)) == ImportResult(1, 1, 1)
    assert spoke.get("interventions", men)["name"] == "Lawrence Hill and Easton Mentoring"  # type: ignore[index]
    trail = spoke.audit_trail("interventions", men)
    assert [a["action"] for a in trail] == ["create", "update"]
    assert json.loads(trail[1]["before"])["name"] == "Lawrence Hill Mentoring"
    assert json.loads(trail[1]["after"])["name"] == "Lawrence Hill and Easton Mentoring"


def test_an_unchanged_file_writes_nothing(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions")
    before = counts(spoke)
    assert import_csv(spoke, "interventions", write(tmp_path, INTERVENTIONS)) == ImportResult(0, 0, 2)
    assert counts(spoke) == before


def test_optional_columns_left_out_keep_their_stored_values(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "participants")
    assert import_csv(spoke, "participants", write(tmp_path, "ref,sex\nP-001,not-known\n")).updated == 1
    row = spoke.query("SELECT * FROM participants WHERE ref = 'P-001'")[0]
    assert (row["sex"], row["date_of_birth"], row["postcode_district"]) == ("not-known", "2009-06-15", "BS5")


def test_enrolments_update_by_participant_intervention_and_referral_date(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    text = ("participant_ref,intervention_ref,referral_date,referral_source,end_date,exit_reason\n"
            "P-002,MEN-1,2025-05-01,school,2025-08-01,moved-away\n")
    assert import_csv(spoke, "enrolments", write(tmp_path, text)) == ImportResult(0, 1)
    row = spoke.query("SELECT * FROM enrolments WHERE referral_date = '2025-05-01'")[0]
    assert (row["start_date"], row["end_date"], row["exit_reason"]) == ("2025-05-02", "2025-08-01", "moved-away")


def test_spend_updates_by_intervention_period_and_source_in_any_period_form(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "spend")
    text = "intervention_ref,period,funding_source,amount\nMEN-1,2025Q2,Grant,13000\n"  # DHIS2 form of 2025-26-Q1
    assert import_csv(spoke, "spend", write(tmp_path, text)) == ImportResult(0, 1)
    assert spoke.query("SELECT count(*) AS n, max(amount) AS m FROM spend") == [{"n": 3, "m": 1300000}]


# -- bad files: every problem named, nothing changed ---------------------------


def test_unknown_column(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "participants", "ref,sex,shoe_size\nP-1,male,9\n")
    assert [(e.line, e.column) for e in errors] == [(1, "shoe_size")]
    assert "unknown column" in errors[0].message


def test_missing_required_column(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "contacts", "participant_ref,intervention_ref,date,mode\nP,I,2025-01-01,group\n")
    assert [(e.line, e.column, e.message) for e in errors] == [(1, "minutes", "required column missing from the header")]


def test_bad_dates_on_every_row_are_all_reported(spoke: Store, tmp_path: Path) -> None:
    text = "ref,date_of_birth\nP-1,2009-06-15\nP-2,15/06/2009\nP-3,2009-02-30\nP-4,2099-01-01\n"
    errors = refused(spoke, tmp_path, "participants", text)
    assert [(e.line, e.column) for e in errors] == [(3, "date_of_birth"), (4, "date_of_birth"), (5, "date_of_birth")]
    assert "use YYYY-MM-DD" in errors[0].message
    assert "in the future" in errors[2].message


def test_unknown_taxonomy_value(spoke: Store, tmp_path: Path) -> None:
    text = INTERVENTIONS.replace("mentoring,secondary", "mentoring,quaternary")
    errors = refused(spoke, tmp_path, "interventions", text)
    assert [(e.line, e.column) for e in errors] == [(2, "prevention_level")]
    assert "unknown prevention level 'quaternary'" in errors[0].message


def test_unknown_refs(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants")
    text = ENROLMENTS.replace("P-002,SPT-1", "P-404,XXX-9")
    errors = refused(spoke, tmp_path, "enrolments", text)
    assert [(e.line, e.column, e.message) for e in errors] == [
        (4, "participant_ref", "no young person with ref 'P-404'"),
        (4, "intervention_ref", "no intervention with ref 'XXX-9'"),
    ]


def test_duplicate_ref_within_the_file(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "participants", PARTICIPANTS + "P-001,2010-01-01,female,asian,BS1\n")
    assert [(e.line, e.column, e.message) for e in errors] == [(5, "ref", "the same ref as line 2")]


def test_duplicate_composite_key_within_the_file(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions")
    errors = refused(spoke, tmp_path, "budgets", BUDGETS + "MEN-1,2025-26,GRANT,1\n")
    assert [(e.line, e.column) for e in errors] == [(4, "")]
    assert errors[0].message == "the same intervention_ref, financial_year and funding_source as line 2"


@pytest.mark.parametrize("text", ["", "\n\n", " , \n"])
def test_empty_file(spoke: Store, tmp_path: Path, text: str) -> None:
    errors = refused(spoke, tmp_path, "interventions", text)
    assert [(e.line, e.column) for e in errors] == [(1, "")]
    assert errors[0].message.startswith("the file is empty")


def test_header_without_rows(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "participants", "ref,sex\n")
    assert [(e.line, e.message) for e in errors] == [(2, "the file has a header but no rows")]


def test_not_utf8_names_line_and_byte_offset(spoke: Store, tmp_path: Path) -> None:
    raw = b"ref,postcode_district\nP-1,BS5\n" + b"Z\xe9e,BS6\n" + b"P-3,BS7\n"
    errors = refused(spoke, tmp_path, "participants", raw)
    assert errors == [CsvProblem(3, "", "not UTF-8: byte 0xE9 at offset 31; save the file as CSV UTF-8")]


def test_utf16_is_named(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "participants", "ref\nP-1\n".encode("utf-16"))
    assert errors[0].message == "the file is UTF-16: save it as CSV UTF-8"


def test_wrong_number_of_fields_is_reported_with_the_other_rows(spoke: Store, tmp_path: Path) -> None:
    text = "ref,sex\nP-1,male\nP-2,male,extra\nP-3,martian\n"
    errors = refused(spoke, tmp_path, "participants", text)
    assert [(e.line, e.column) for e in errors] == [(3, ""), (4, "sex")]
    assert errors[0].message == "has 3 fields but the header has 2"


def test_contact_outside_every_enrolment_window(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    # P-001 left MEN-1 on 2025-09-30; P-002 was referred to SPT-1 on 2025-06-01.
    text = CONTACTS + "P-001,MEN-1,2025-10-01,60,one-to-one\nP-002,SPT-1,2025-05-31,60,group\n"
    errors = refused(spoke, tmp_path, "contacts", text)
    assert [(e.line, e.column) for e in errors] == [(6, "date"), (7, "date")]
    assert "no referral of this young person to this intervention covers this date" in errors[0].message


def test_cross_field_rules_name_the_field(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants")
    text = ("participant_ref,intervention_ref,referral_date,referral_source,end_date,exit_reason\n"
            "P-001,MEN-1,2025-04-10,police,2025-04-01,completed\n"
            "P-002,MEN-1,2025-04-10,police,,completed\n")
    errors = refused(spoke, tmp_path, "enrolments", text)
    assert [(e.line, e.column) for e in errors] == [(2, "end_date"), (3, "end_date")]


def test_a_bad_row_among_thousands_leaves_nothing_behind(spoke: Store, tmp_path: Path) -> None:
    rows = "".join(f"P-{n:05d},male\n" for n in range(5000))
    errors = refused(spoke, tmp_path, "participants", "ref,sex\n" + rows + "P-X,mail\n")
    assert [(e.line, e.column) for e in errors] == [(5002, "sex")]


def test_unreadable_file(spoke: Store, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_csv(spoke, "participants", tmp_path / "missing.csv")
    assert caught.value.errors[0].line == 0
    assert "cannot read the file" in caught.value.errors[0].message


# -- exact values and hostile text (SPEC sections 6 and 9) -------------------------


@pytest.mark.parametrize(
    "amount",
    ["1e3", "1_000", '"12,34,5"', "١٢", "²", "Infinity", "nan", "1000000001", "1.005", "-5", "0x10", "£-1"],
)
def test_every_bad_money_form_is_refused_with_line_and_column(spoke: Store, tmp_path: Path, amount: str) -> None:
    load(spoke, tmp_path, "interventions")
    text = f"intervention_ref,period,funding_source,amount\nMEN-1,2025-26-Q1,grant,10\nSPT-1,2025-26-Q1,grant,{amount}\n"
    errors = refused(spoke, tmp_path, "spend", text)
    assert [(e.line, e.column) for e in errors] == [(3, "amount")]


def test_money_near_misses_are_imported(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions")
    text = ("intervention_ref,period,funding_source,amount\n"
            'MEN-1,2025-26-Q1,grant,"1,200"\nMEN-1,2025-26-Q2,grant,"£1,200.50"\nMEN-1,2025-26-Q3,grant,1200.5\n')
    assert import_csv(spoke, "spend", write(tmp_path, text)).created == 3
    assert [r["amount"] for r in spoke.query("SELECT amount FROM spend ORDER BY period")] == [120000, 120050, 120050]


GOOD_ROWS = {
    "interventions": (INTERVENTIONS, ()),
    "participants": (PARTICIPANTS, ("interventions",)),
    "enrolments": (ENROLMENTS, ("interventions", "participants")),
    "contacts": (CONTACTS, ("interventions", "participants", "enrolments")),
    "spend": (SPEND, ("interventions",)),
    "budgets": (BUDGETS, ("interventions",)),
}
EVERY_COLUMN = [(kind, column) for kind, (text, _) in GOOD_ROWS.items() for column in text.splitlines()[0].split(",")]


def _with_cell(text: str, column: str, value: str) -> str:
    """``text`` with the cell of ``column`` on its first data row set to ``value`` (quoted)."""
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = next(iter(__import__("csv").reader([lines[1]])))
    cells[header.index(column)] = value
    quoted = ",".join('"' + c.replace('"', '""') + '"' for c in cells)
    return "\n".join([lines[0], quoted, *lines[2:]]) + "\n"


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\u202e", "\x7f", "\x9b"])
@pytest.mark.parametrize(("kind", "column"), EVERY_COLUMN)
def test_control_characters_in_every_column_are_refused_with_line_and_column(
    spoke: Store, tmp_path: Path, kind: str, column: str, char: str
) -> None:
    text, needs = GOOD_ROWS[kind]
    load(spoke, tmp_path, *needs)
    lines = text.splitlines()
    value = next(iter(__import__("csv").reader([lines[1]])))[lines[0].split(",").index(column)] or "x"
    bad = _with_cell(text, column, value[:1] + char + value[1:])
    errors = refused(spoke, tmp_path, kind, bad)
    assert (2, column) in [(e.line, e.column) for e in errors]
    assert {e.line for e in errors} == {2}


def test_a_control_character_names_what_and_where(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "interventions", _with_cell(INTERVENTIONS, "name", "Men\x1b[2Jtoring"))
    assert errors == [CsvProblem(2, "name", "holds a control character (U+001B) at character 4")]


def test_descriptions_keep_newlines_and_tabs(spoke: Store, tmp_path: Path) -> None:
    import_csv(spoke, "interventions", write(tmp_path, _with_cell(INTERVENTIONS, "description", "One\n\ttwo")))
    assert spoke.query("SELECT description FROM interventions WHERE ref = 'MEN-1'") == [{"description": "One\n\ttwo"}]


def test_too_long_text_is_refused(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "interventions", _with_cell(INTERVENTIONS, "provider", "p" * 201))
    assert errors == [CsvProblem(2, "provider", "is 201 characters long: at most 200")]


def test_minutes_and_dates_in_other_digits_are_refused(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    text = ("participant_ref,intervention_ref,date,minutes,mode\n"
            "P-001,MEN-1,2025-04-14,1_000,group\nP-001,MEN-1,2025-04-14,١٢,group\n"
            "P-001,MEN-1,٢٠٢٥-04-14,60,group\nP-001,MEN-1,1999-04-14,60,group\n"
            "P-001,MEN-1,2025-04-14,99999999999999999999999,group\n")
    errors = refused(spoke, tmp_path, "contacts", text)
    assert [(e.line, e.column) for e in errors] == [(2, "minutes"), (3, "minutes"), (4, "date"), (5, "date"),
                                                    (6, "minutes")]
    assert errors[3].message == "1999-04-14: the year must be from 2000 to 2100"


def test_sessions_get_the_same_messages_as_the_model(spoke: Store, tmp_path: Path) -> None:
    from vrp_tui.records.models import Contact, RecordError

    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    cases = [("2025-13-01", "60", "group"), ("", "60", "group"), ("2099-01-01", "0", "Solo"),
             ("01/04/2025", "", ""), ("2025-02-30", "sixty", "GROUP ")]
    text = "participant_ref,intervention_ref,date,minutes,mode\n" + "".join(
        f"P-001,MEN-1,{d},{m},{mode}\n" for d, m, mode in cases)
    errors = refused(spoke, tmp_path, "contacts", text)
    expected = []
    for line, (d, m, mode) in enumerate(cases, start=2):
        with pytest.raises(RecordError) as caught:
            Contact.check({"participant_id": 1, "intervention_id": 1, "date": d, "minutes": m, "mode": mode})
        expected += [(line, field, message) for field, message in caught.value.errors.items()]
    assert sorted((e.line, e.column, e.message) for e in errors) == sorted(expected)


# -- refs whatever their letter case ----------------------------------------------


def test_lower_case_refs_find_their_records_in_every_kind(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants")
    lower = {kind: GOOD_ROWS[kind][0].replace("P-00", "p-00").replace("MEN-1", "men-1").replace("SPT-1", "Spt-1")
             for kind in ("enrolments", "contacts", "spend", "budgets")}
    for kind in ("enrolments", "contacts", "spend", "budgets"):
        assert import_csv(spoke, kind, write(tmp_path, lower[kind], f"{kind}.csv")).created > 0
    pid = spoke.id_for_ref("participants", "P-001")
    iid = spoke.id_for_ref("interventions", "MEN-1")
    assert spoke.query("SELECT count(*) AS n FROM contacts WHERE participant_id = ? AND intervention_id = ?",
                       [pid, iid]) == [{"n": 2}]


def test_yp001_finds_yp001_and_keeps_its_spelling(spoke: Store, tmp_path: Path) -> None:
    import_csv(spoke, "participants", write(tmp_path, "ref,sex\nYP001,male\n"))
    assert import_csv(spoke, "participants", write(tmp_path, "ref,sex\nyp001,female\n")) == ImportResult(0, 1)
    assert spoke.query("SELECT ref, sex FROM participants") == [{"ref": "YP001", "sex": "female"}]
    assert import_csv(spoke, "interventions", write(tmp_path, INTERVENTIONS)).created == 2
    assert import_csv(spoke, "interventions", write(tmp_path, INTERVENTIONS.lower().replace(
        "lawrence hill mentoring", "New name"))).updated == 2
    assert [r["ref"] for r in spoke.query("SELECT ref FROM interventions ORDER BY ref")] == ["MEN-1", "SPT-1"]


def test_refs_differing_only_in_case_are_duplicates_in_one_file(spoke: Store, tmp_path: Path) -> None:
    errors = refused(spoke, tmp_path, "participants", "ref\nYP001\nyp001\n")
    assert errors == [CsvProblem(3, "ref", "the same ref as line 2")]


def test_a_ref_two_stored_records_share_but_for_case_is_named(spoke: Store, tmp_path: Path) -> None:
    spoke.save("participants", {"ref": "AB1"})
    spoke.save("participants", {"ref": "ab1"})
    load(spoke, tmp_path, "interventions")
    text = ("participant_ref,intervention_ref,referral_date,referral_source\n"
            "aB1,MEN-1,2025-04-10,police\nab1,MEN-1,2025-04-10,police\n")
    errors = refused(spoke, tmp_path, "enrolments", text[: text.index("ab1,")])
    assert errors[0].column == "participant_ref" and "more than one young person" in errors[0].message
    assert import_csv(spoke, "enrolments", write(tmp_path, text.replace("aB1,MEN-1", "AB1,MEN-1"))).created == 2


# -- long files: streamed, all or none, problems capped -----------------------------


def sessions_csv(n: int) -> str:
    days = [f"2025-{month:02d}-{day:02d}" for month in (5, 6, 7, 8) for day in range(2, 29)]
    return "participant_ref,intervention_ref,date,minutes,mode\n" + "".join(
        f"P-002,MEN-1,{days[i % len(days)]},{30 + i % 90},group\n" for i in range(n))


def test_twenty_thousand_sessions_go_in_with_an_audit_row_each(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    audit = counts(spoke)["audit"]
    assert import_csv(spoke, "contacts", write(tmp_path, sessions_csv(20_000))).created == 20_000
    assert counts(spoke)["contacts"] == 20_000
    assert counts(spoke)["audit"] == audit + 20_000
    ids = [r["id"] for r in spoke.query("SELECT id FROM contacts ORDER BY id")]
    last = spoke.audit_trail("contacts", ids[-1])
    assert len(set(ids)) == 20_000 and [a["action"] for a in last] == ["create"]
    assert json.loads(last[0]["after"])["minutes"] == 30 + 19_999 % 90


def test_an_error_in_the_last_of_twenty_thousand_rows_writes_nothing(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    before = counts(spoke)
    errors = refused(spoke, tmp_path, "contacts", sessions_csv(20_000) + "P-002,MEN-1,2025-05-02,60,solo\n")
    assert [(e.line, e.column) for e in errors] == [(20_002, "mode")]
    assert counts(spoke) == before


def test_the_first_hundred_problems_are_listed_and_every_one_counted(spoke: Store, tmp_path: Path) -> None:
    rows = "".join(f"P-{n:04d},martian\n" for n in range(250))
    with pytest.raises(ImportFailed) as caught:
        import_csv(spoke, "participants", write(tmp_path, "ref,sex\n" + rows))
    failed = caught.value
    assert len(failed.errors) == 100 and failed.total == 250
    assert [e.line for e in failed.errors] == list(range(2, 102))
    assert str(failed) == "250 problems on 250 lines (the first 100 listed); nothing was imported"
    assert counts(spoke)["participants"] == 0


def test_kind_aliases_are_the_tuis_names(spoke: Store, tmp_path: Path) -> None:
    from vrp_tui.records.importing import import_file

    assert import_file(spoke, "young-people", write(tmp_path, PARTICIPANTS)).created == 3
    load(spoke, tmp_path, "interventions")
    assert import_file(spoke, "referrals", write(tmp_path, ENROLMENTS)).created == 3
    assert import_file(spoke, "sessions", write(tmp_path, CONTACTS)).created == 4


def test_a_financial_year_with_a_slash_is_the_same_year(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "budgets")
    text = "intervention_ref,financial_year,funding_source,amount\nmen-1,2025/26,GRANT,60000\n"
    assert import_csv(spoke, "budgets", write(tmp_path, text)) == ImportResult(0, 1)
    assert spoke.query("SELECT financial_year, amount FROM budgets WHERE amount = 6000000") == [
        {"financial_year": "2025-26", "amount": 6000000}]
