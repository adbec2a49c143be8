"""``vrp return build|show|sign-off|reopen|versions|diff``: exit 0 done, 1 refused, 2 usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from returns_samples import fill

from vrp_tui.cli import main
from vrp_tui.returns import validate_document
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
    # warnings: four empty narrative fields, no spend for SPRT, CASE-C with no sex and no ethnicity
    result = vrp(spoke, "return", "build", "2025-26-Q1")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "2025-26-Q1: 2 interventions, 3 young people active, 9 sessions, 0 error(s), 7 warning(s)")


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
