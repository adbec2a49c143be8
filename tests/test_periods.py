"""Periods (SPEC section 2): codes, labels, interop forms, boundaries, bad strings."""

from __future__ import annotations

from datetime import date

import pytest

from vrp_tui.periods import Period, PeriodError, age_on, parse_financial_year


@pytest.mark.parametrize(
    ("code", "first", "last", "label", "dhis2", "adx"),
    [
        ("2025-26-Q1", date(2025, 4, 1), date(2025, 6, 30), "2025/26 Q1 (Apr\u2013Jun 2025)", "2025Q2", "2025-04-01/P3M"),
        ("2025-26-Q2", date(2025, 7, 1), date(2025, 9, 30), "2025/26 Q2 (Jul\u2013Sep 2025)", "2025Q3", "2025-07-01/P3M"),
        ("2025-26-Q3", date(2025, 10, 1), date(2025, 12, 31), "2025/26 Q3 (Oct\u2013Dec 2025)", "2025Q4", "2025-10-01/P3M"),
        ("2025-26-Q4", date(2026, 1, 1), date(2026, 3, 31), "2025/26 Q4 (Jan\u2013Mar 2026)", "2026Q1", "2026-01-01/P3M"),
        ("2099-00-Q4", date(2100, 1, 1), date(2100, 3, 31), "2099/00 Q4 (Jan\u2013Mar 2100)", "2100Q1", "2100-01-01/P3M"),
    ],
)
def test_each_quarter_of_the_financial_year(code, first, last, label, dhis2, adx) -> None:
    period = Period.parse(code)
    assert (period.code, period.first_day, period.last_day) == (code, first, last)
    assert (period.label, period.dhis2, period.adx) == (label, dhis2, adx)
    assert Period.parse(dhis2) == period
    assert Period.parse(adx) == period


def test_a_leap_year_quarter_ends_on_31_march() -> None:
    assert Period.parse("2027-28-Q4").last_day == date(2028, 3, 31)


@pytest.mark.parametrize(
    ("day", "code"),
    [(date(2025, 3, 31), "2024-25-Q4"), (date(2025, 4, 1), "2025-26-Q1"),
     (date(2025, 6, 30), "2025-26-Q1"), (date(2025, 7, 1), "2025-26-Q2"),
     (date(2025, 12, 31), "2025-26-Q3"), (date(2026, 1, 1), "2025-26-Q4")],
)
def test_the_quarter_containing_a_day_at_each_boundary(day: date, code: str) -> None:
    assert Period.containing(day).code == code


def test_next_previous_and_year_to_date_cross_the_year() -> None:
    q4 = Period.parse("2025-26-Q4")
    assert q4.next().code == "2026-27-Q1"
    assert q4.next().previous() == q4
    assert [p.code for p in q4.year_to_date()] == ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"]
    assert [p.code for p in Period.parse("2025-26-Q1").year_to_date()] == ["2025-26-Q1"]


@pytest.mark.parametrize(
    "text",
    ["", "2025-26", "2025-27-Q1", "2025-26-Q5", "2025-26-Q0", "2025/26 Q1", "2025Q5",
     "2025-05-01/P3M", "2025-04-01/P1M", "Q1 2025", "2025-26-q1x"],
)
def test_any_other_string_is_a_clear_error(text: str) -> None:
    with pytest.raises(PeriodError, match="not a period|follow on"):
        Period.parse(text)


def test_financial_years() -> None:
    assert parse_financial_year("2025-26") == 2025
    assert parse_financial_year("2099-00") == 2099  # the century turns
    assert Period.parse("2025-26-Q3").financial_year == "2025-26"
    for bad in ("2025-27", "2025", "25-26", "1999-00", "2100-01", "２０２５-26"):
        with pytest.raises(PeriodError):
            parse_financial_year(bad)


@pytest.mark.parametrize(
    ("dob", "day", "age"),
    [(date(2010, 4, 1), date(2025, 3, 31), 14), (date(2010, 4, 1), date(2025, 4, 1), 15),
     (date(2008, 2, 29), date(2026, 2, 28), 17), (date(2008, 2, 29), date(2026, 3, 1), 18)],
)
def test_age_in_whole_years_counts_the_birthday(dob: date, day: date, age: int) -> None:
    assert age_on(dob, day) == age


@pytest.mark.parametrize("text", ["9999-00-Q4", "1999-00-Q4", "2100-01-Q1", "2000Q1", "1999-04-01/P3M",
                                  "\uff12\uff10\uff12\uff15-26-Q1", "\u0662\u0660\u0662\u0665-26-Q1",
                                  "2025-26-Q1\x1b[2J", "2025-26-Q\u00b9"])
def test_periods_outside_2000_to_2100_or_in_other_digits_are_refused(text: str) -> None:
    """SPEC section 9: a year outside 2000-2100 and non-ASCII digits are a one-line refusal."""
    with pytest.raises(PeriodError) as refused:
        Period.parse(text)
    assert "\n" not in str(refused.value)


def test_the_first_and_last_financial_years_are_accepted() -> None:
    assert Period.parse("2000-01-Q1").first_day == date(2000, 4, 1)
    assert Period.parse("2099-00-Q4").last_day == date(2100, 3, 31)
