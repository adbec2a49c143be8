"""``vrp return show`` prints attendance and outcomes, and "not recorded" for a version from before them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from returns_samples import enrol, fill, measure, session
from test_returns_document_outcomes import _freeze_as_before

from vrp_tui.cli import main
from vrp_tui.periods import Period
from vrp_tui.returns import sign_off
from vrp_tui.store import Store

Q1 = "2025-26-Q1"


def vrp(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture
def spoke(spoke_db: Path) -> Path:
    store = Store(spoke_db)
    ids = fill(store)
    session(store, ids["a"], ids["ment"], "2025-06-02", 60, "did-not-attend")
    enrol(store, ids["b"], ids["sprt"], "2025-04-03")
    measure(store, ids["b"], ids["sprt"], "2025-04-03", "ors", "20.5")
    measure(store, ids["b"], ids["sprt"], "2025-05-03", "ors", "22.0")
    store.close()
    return spoke_db


def _line(output: str, *starts: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.split()[: len(starts)] == list(starts))


def test_show_prints_attendance_and_outcomes(spoke: Path) -> None:
    result = vrp(spoke, "return", "show", Q1)
    assert result.exit_code == 0, result.output
    assert "Attendance" in result.output and "Outcomes (change since baseline; positive is better)" in result.output
    # MENT: 6 attended, 1 missed: 6 / 7 = 85.7%.
    assert _line(result.output, "MENT", "6") == ["MENT", "6", "1", "85.7%"]
    assert _line(result.output, "SPRT", "ors") == ["SPRT", "ors", "1", "1", "1", "0", "0", "+1.5"]
    assert _line(result.output, "Spoke", "ors") == ["Spoke", "ors", "1", "1", "1", "0", "0", "+1.5"]


def test_show_of_a_version_from_before_them_says_not_recorded(spoke: Path) -> None:
    store = Store(spoke)
    sign_off(store, Period.parse(Q1))
    _freeze_as_before(store)
    store.close()
    result = vrp(spoke, "return", "show", Q1)
    assert result.exit_code == 0, result.output
    assert _line(result.output, "MENT", "6") == ["MENT", "6", "not", "recorded", "not", "recorded"]
    assert _line(result.output, "SPRT", "not") == ["SPRT", "not", "recorded"]
    assert "changed since" not in result.output
