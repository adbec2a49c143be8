"""``vrp return build|show|sign-off|reopen|versions|diff``: exit 0 done, 1 refused, 2 usage error."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from returns_samples import contact, enrol, fill, person

from vrp_tui.cli import main
from vrp_tui.periods import Period
from vrp_tui.returns import sign_off, validate_document
from vrp_tui.store import Store


def vrp(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture
def spoke(spoke_db: Path) -> Path:
    store = Store(spoke_db)
    fill(store)
    store.close()
    return spoke_db


def test_build_summarises_the_draft(spoke: Path) -> None:
    # warnings: four empty narrative fields, no spend for SPRT, CASE-C with no sex and no ethnicity,
    # MENT and SPRT with completions but no paired outcome measures
    result = vrp(spoke, "return", "build", "2025-26-Q1")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "2025-26-Q1: 2 interventions, 3 young people active, 9 sessions, 0 error(s), 9 warning(s)")


def test_show_json_prints_the_return_document(spoke: Path) -> None:
    result = vrp(spoke, "return", "show", "2025Q2", "--json")  # the DHIS2 form of 2025-26-Q1
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    validate_document(doc)
    assert (doc["period"], doc["version"], doc["status"]) == ("2025-26-Q1", None, "draft")
    assert doc["totals"]["active"] == 3 and doc["totals"]["contact_hours"] == 4.2


def test_show_prints_readable_tables(spoke: Path) -> None:
    result = vrp(spoke, "return", "show", "2025-26-Q1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Bristol return for 2025/26 Q1 (Apr\u2013Jun 2025) (draft)"
    ment = next(line for line in lines if line.strip().startswith("MENT "))
    assert ment.split() == ["MENT", "2", "2", "3", "2", "1", "0", "6", "2.4"]
    spoke_row = next(line for line in lines if line.strip().startswith("Spoke ") and "£" not in line)
    assert spoke_row.split() == ["Spoke", "5", "4", "3", "1", "2", "1", "9", "4.2"]
    assert "£1,550.50" in result.output and "Narrative" in result.output and "Validation" in result.output


def test_sign_off_reopen_versions_and_diff(spoke: Path) -> None:
    result = vrp(spoke, "return", "sign-off", "2025-26-Q1", "--worker", "Sam Signer")
    assert (result.exit_code, result.output) == (0, "2025-26-Q1 signed off as version 1\n")
    shown = json.loads(vrp(spoke, "return", "show", "2025-26-Q1", "--json").output)
    assert (shown["version"], shown["status"], shown["signed_off_by"]) == (1, "signed-off", "Sam Signer")
    again = vrp(spoke, "return", "sign-off", "2025-26-Q1")
    assert again.exit_code == 1 and "reopen it to change it" in again.output
    result = vrp(spoke, "return", "reopen", "2025-26-Q1")
    assert (result.exit_code, result.output) == (0, "2025-26-Q1 reopened: draft of version 2\n")
    listed = vrp(spoke, "return", "versions", "2025-26-Q1").output.splitlines()
    assert listed[0].startswith("v1 signed-off by Sam Signer at ") and listed[1] == "v2 draft"
    assert vrp(spoke, "return", "diff", "2025-26-Q1", "1").output == "no changes\n"


def test_sign_off_refused_lists_the_first_errors(spoke: Path) -> None:
    store = Store(spoke)
    store.conn.execute("UPDATE budgets SET amount = -1")
    store.close()
    result = vrp(spoke, "return", "sign-off", "2025-26-Q1")
    assert result.exit_code == 1
    assert "error: Budget of MENT for 2024-25 (grant) is negative" in result.output
    assert result.output.rstrip().endswith("Error: 2025-26-Q1 not signed off: 3 validation error(s)")
    assert json.loads(vrp(spoke, "return", "show", "2025-26-Q1", "--json").output)["version"] is None


@pytest.mark.parametrize("command", ["build", "show", "sign-off", "reopen", "versions"])
def test_a_period_that_is_not_one_is_refused(spoke: Path, command: str) -> None:
    result = vrp(spoke, "return", command, "2025-Q1")
    assert result.exit_code == 1
    assert "'2025-Q1' is not a period: use YYYY-YY-Qn" in result.output


def test_reopen_of_a_draft_is_refused(spoke: Path) -> None:
    result = vrp(spoke, "return", "reopen", "2025-26-Q1")
    assert result.exit_code == 1 and "has not been signed off" in result.output


def test_usage_errors_exit_2(spoke: Path) -> None:
    assert vrp(spoke, "return", "show").exit_code == 2
    assert vrp(spoke, "return", "show", "2025-26-Q1", "--yaml").exit_code == 2


def test_a_database_not_set_up_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "new.db").close()  # a spoke database whose `vrp init` never finished
    result = vrp(tmp_path / "new.db", "return", "show", "2025-26-Q1")
    assert result.exit_code == 1 and "not set up" in result.output


# --- a return the hub can trust ------------------------------------------------------------------------

def _today_quarter() -> Period:
    return Period.containing(date.today())


@pytest.mark.parametrize("which", ["current", "future"])
def test_sign_off_is_refused_until_the_quarter_has_ended(spoke: Path, which: str) -> None:
    period = _today_quarter() if which == "current" else _today_quarter().next()
    day_after = period.last_day + timedelta(days=1)
    result = vrp(spoke, "return", "sign-off", period.code)
    assert result.exit_code == 1
    assert result.output == (f"Error: {period.code} cannot be signed off before the quarter has ended: "
                             f"possible from {day_after.day} {day_after:%B %Y}\n")
    assert "not signed off" in vrp(spoke, "export", period.code).output


def test_a_quarter_not_begun_is_refused_by_build_show_and_narrative(spoke: Path) -> None:
    period = _today_quarter().next()
    for args in (("build",), ("show",), ("show", "--json"), ("narrative", "--highlights", "x")):
        result = vrp(spoke, "return", args[0], period.code, *args[1:])
        assert result.exit_code == 1, args
        assert f"{period.code} has not begun" in result.output


def test_show_json_counts_young_people_and_never_names_them(spoke: Path) -> None:
    store = Store(spoke)
    people = {r["ref"]: r for r in store.query("SELECT id, ref, date_of_birth FROM participants")}
    sprt = store.id_for_ref("interventions", "SPRT")
    store.conn.execute("INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode) "
                       "VALUES (?, ?, '2025-05-02', 30, 'group')", [people["CASE-B"]["id"], sprt])
    store.conn.execute("UPDATE participants SET sex = NULL WHERE ref IN ('CASE-A', 'CASE-B')")
    store.close()
    result = vrp(spoke, "return", "show", "2025-26-Q1", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert {(m["code"], m["text"], m["id"], m["ref"]) for m in doc["validation"]["warnings"]
            if m["table"] == "participants"} == {
        ("participant-missing-sex", "Young people active in the quarter with no sex recorded: 3", None, None),
        ("participant-missing-ethnicity", "Young people active in the quarter with no ethnicity recorded: 1",
         None, None),
    }
    assert [(m["code"], m["text"]) for m in doc["validation"]["errors"]] == [
        ("contact-not-held", "Sessions in the quarter outside every referral window: 1")]
    for ref, row in people.items():
        assert ref.lower() not in result.output.lower()
        if row["date_of_birth"]:
            assert row["date_of_birth"] not in result.output
    # inside the spoke, the text output lists exactly those young people
    text = " ".join(vrp(spoke, "return", "show", "2025-26-Q1").output.split())  # as one line, unwrapped
    assert "Young people active in the quarter with no sex recorded: 3 (CASE-A, CASE-B, CASE-C)" in text
    assert "Young people active in the quarter with no ethnicity recorded: 1 (CASE-C)" in text
    assert "Sessions in the quarter outside every referral window: 1 (CASE-B at SPRT on 2025-05-02)" in text


def test_a_long_list_of_young_people_ends_with_and_n_more(spoke: Path) -> None:
    store = Store(spoke)
    ment = store.id_for_ref("interventions", "MENT") or 0
    for n in range(12):
        p = person(store, f"NEW-{n:02d}")
        enrol(store, p, ment, "2025-04-01")
        contact(store, p, ment, "2025-04-10")
    store.close()
    text = vrp(spoke, "return", "show", "2025-26-Q1").output
    assert ("no sex recorded: 13 (CASE-C, NEW-00, NEW-01, NEW-02, NEW-03, NEW-04, NEW-05, NEW-06, NEW-07, "
            "NEW-08 and 3 more)") in " ".join(text.split())


def test_show_and_versions_say_when_the_records_changed_since_sign_off(spoke: Path) -> None:
    assert vrp(spoke, "return", "sign-off", "2025-26-Q1").exit_code == 0
    assert "changed since" not in vrp(spoke, "return", "show", "2025-26-Q1").output
    store = Store(spoke)
    ids = {r["ref"]: r["id"] for r in store.query("SELECT id, ref FROM participants")}
    late = contact(store, ids["CASE-D"], store.id_for_ref("interventions", "MENT") or 0, "2025-05-01")
    store.close()
    shown = vrp(spoke, "return", "show", "2025-26-Q1").output.splitlines()
    assert "changed since v1 was signed off: 12 figures differ from the records now" in shown
    assert "  MENT: Sessions (contacts): 6 -> 7" in shown
    listed = vrp(spoke, "return", "versions", "2025-26-Q1").output.splitlines()
    assert listed[0].startswith("v1 signed-off by Amy Tester at ")
    assert listed[1] == "changed since v1 was signed off: 12 figures differ from the records now"
    assert "  Spoke totals: Sessions (contacts): 9 -> 10" in listed
    json_result = vrp(spoke, "return", "show", "2025-26-Q1", "--json")
    assert json.loads(json_result.stdout)["totals"]["contacts"] == 9  # the frozen version, as signed off
    store = Store(spoke)
    store.delete("contacts", late)
    store.close()
    assert "changed since" not in vrp(spoke, "return", "versions", "2025-26-Q1").output
    assert "changed since" not in vrp(spoke, "return", "show", "2025-26-Q1").output


def test_narrative_sets_given_fields_and_keeps_the_others(spoke: Path) -> None:
    result = vrp(spoke, "return", "narrative", "2025-26-Q1", "--highlights", "Two new mentors",
                 "--case-study", "A young person went back to school.")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2025-26-Q1 narrative saved: highlights, case_study"
    result = vrp(spoke, "return", "narrative", "2025-26-Q1", "--next-quarter", "Summer group\nin July")
    assert result.exit_code == 0, result.output
    doc = json.loads(vrp(spoke, "return", "show", "2025-26-Q1", "--json").output)
    assert doc["narrative"] == {"highlights": "Two new mentors", "challenges": "",
                                "case_study": "A young person went back to school.",
                                "next_quarter": "Summer group\nin July"}
    assert "warning: Narrative: challenges is empty" in result.output


def test_narrative_lists_what_identifies_someone_after_saving(spoke: Path) -> None:
    result = vrp(spoke, "return", "narrative", "2025-26-Q1", "--case-study", "case-b moved to BS5 6XX.")
    assert result.exit_code == 0, result.output
    assert "error: Narrative: case_study holds a young person's case reference: CASE-B" in result.output
    assert "error: Narrative: case_study holds a full postcode: BS5 6XX" in result.output
    refused = vrp(spoke, "return", "sign-off", "2025-26-Q1")
    assert refused.exit_code == 1
    assert "error: Narrative: case_study holds a young person's case reference: CASE-B" in refused.output
    doc = json.loads(vrp(spoke, "return", "show", "2025-26-Q1", "--json").output)
    assert "Narrative: case_study holds a young person's case reference" in [
        m["text"] for m in doc["validation"]["errors"]]


def test_narrative_is_refused_on_a_signed_off_version_and_for_control_characters(spoke: Path) -> None:
    bad = vrp(spoke, "return", "narrative", "2025-26-Q1", "--highlights", "red \x1b[31m text")
    assert bad.exit_code == 1
    assert bad.output == ("Error: highlights: a control character (U+001B) at character 5: "
                          "only newline and tab are allowed\n")
    assert vrp(spoke, "return", "sign-off", "2025-26-Q1").exit_code == 0
    refused = vrp(spoke, "return", "narrative", "2025-26-Q1", "--challenges", "late")
    assert (refused.exit_code, refused.output) == (
        1, "Error: 2025-26-Q1 is signed off as version 1: reopen it to change it\n")


def test_diff_shows_figures_by_their_names_and_the_narrative_word_by_word(spoke: Path) -> None:
    vrp(spoke, "return", "narrative", "2025-26-Q1", "--highlights",
        "The group met every week at the youth centre and two young people joined the football team in June.")
    vrp(spoke, "return", "sign-off", "2025-26-Q1")
    vrp(spoke, "return", "reopen", "2025-26-Q1")
    vrp(spoke, "return", "narrative", "2025-26-Q1", "--highlights",
        "The group met every week at the youth centre and three young people joined the football team in July.")
    store = Store(spoke)
    ids = {r["ref"]: r["id"] for r in store.query("SELECT id, ref FROM participants")}
    contact(store, ids["CASE-D"], store.id_for_ref("interventions", "MENT") or 0, "2025-05-01")
    store.close()
    result = vrp(spoke, "return", "diff", "2025-26-Q1", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "MENT: Active young people aged 18-24: 0 -> 1" in lines
    assert "Spoke totals: Sessions (contacts): 9 -> 10" in lines
    assert lines[-1] == ("Narrative, highlights: ... the youth centre and [-two-]{+three+} young people joined "
                         "the football team in [-June.-]{+July.+}")


def test_export_refuses_a_version_whose_quarter_has_not_ended(spoke: Path) -> None:
    store = Store(spoke)
    late = Period.parse("2099-00-Q4")  # 1 Jan - 31 Mar 2100
    sign_off(store, late, today=date(2100, 4, 1))  # signed off under a clock set wrong
    store.close()
    result = vrp(spoke, "export", late.code)
    assert result.exit_code == 1
    assert result.output == ("Error: 2099-00-Q4 cannot be exported before the quarter has ended: "
                             "possible from 1 April 2100\n")
    listed = vrp(spoke, "return", "versions", late.code)
    assert listed.exit_code == 0 and listed.output.startswith("v1 signed-off by Amy Tester")
