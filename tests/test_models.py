"""Record models: what a form or CSV cell may hold, and the message when it may not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from vrp_tui.formatting import json_pounds
from vrp_tui.records.models import (
    Budget,
    Contact,
    Enrolment,
    Intervention,
    Participant,
    RecordError,
    Spend,
    parse_pounds,
    parse_whole,
    ref_key,
)

INTERVENTION = {"ref": "MEN-1", "name": "Mentoring", "provider": "Trust", "approach": "mentoring",
                "prevention_level": "secondary", "setting": "community", "start_date": "2025-04-01"}
ENROLMENT = {"participant_id": 1, "intervention_id": 1, "referral_date": "2025-04-01",
             "referral_source": "police"}


def errors(model, data) -> dict[str, str]:
    with pytest.raises(RecordError) as caught:
        model.check(data)
    return caught.value.errors


@pytest.mark.parametrize(
    ("text", "pence"),
    [("1250", 125000), ("1,250.50", 125050), ("\u00a33.2", 320), ("0.01", 1), ("0", 0), (" 7.00 ", 700)],
)
def test_money_in_pounds_becomes_integer_pence(text: str, pence: int) -> None:
    assert parse_pounds(text) == pence
    assert json_pounds(pence) == f"{pence // 100}.{pence % 100:02d}"


@pytest.mark.parametrize(("text", "why"), [("1.005", "two decimal"), ("-5", "negative"),
                                           ("ten", "not an amount"), ("NaN", "not an amount")])
def test_bad_money_says_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_pounds(text)


def test_a_good_intervention_is_typed() -> None:
    row = Intervention.check({**INTERVENTION, "end_date": "", "description": "  "})
    assert row["start_date"] == date(2025, 4, 1)
    assert row["end_date"] is None and row["description"] is None


def test_intervention_errors_name_each_field() -> None:
    found = errors(Intervention, {**INTERVENTION, "ref": "", "approach": "nope", "start_date": "1/4/2025"})
    assert found["ref"] == "required"
    assert "unknown approach 'nope'" in found["approach"]
    assert "start_date" in found
    assert errors(Intervention, {**INTERVENTION, "end_date": "2025-03-31"}) == {
        "end_date": "must not be before the start date"}


def test_enrolment_cross_field_rules() -> None:
    assert errors(Enrolment, {**ENROLMENT, "end_date": "2025-05-01"}) == {
        "exit_reason": "required when there is an end date"}
    assert errors(Enrolment, {**ENROLMENT, "exit_reason": "completed"}) == {
        "end_date": "required when there is an exit reason"}
    assert "start_date" in errors(Enrolment, {**ENROLMENT, "start_date": "2025-03-01"})
    row = Enrolment.check({**ENROLMENT, "high_risk": "yes", "end_date": "2025-05-01", "exit_reason": "Completed"})
    assert row["high_risk"] is True and row["exit_reason"] == "completed"


def test_dates_in_the_future_are_refused() -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert "in the future" in errors(Participant, {"ref": "YP1", "date_of_birth": tomorrow})["date_of_birth"]


def test_postcode_district_and_period_are_normalised() -> None:
    assert Participant.check({"ref": "YP1", "postcode_district": "bs5"})["postcode_district"] == "BS5"
    assert "postcode district" in errors(Participant, {"ref": "YP1", "postcode_district": "BS5 6XX"})["postcode_district"]
    spend = Spend.check({"intervention_id": 1, "period": "2025Q2", "funding_source": "grant", "amount": "10"})
    assert spend["period"] == "2025-26-Q1" and spend["amount"] == 1000


def test_unknown_fields_are_refused() -> None:
    assert "postcode" in errors(Participant, {"ref": "YP1", "postcode": "BS5 6XX"})


# -- exact values: SPEC sections 6 and 9 ------------------------------------------


@pytest.mark.parametrize(
    ("text", "pence"),
    [("1,200", 120000), ("£1,200.50", 120050), ("1200.5", 120050), ("1,234,567.89", 123456789),
     ("999", 99900), ("1000000000", 100000000000), ("£0.5", 50), ("12.", 1200)],
)
def test_money_near_misses_are_accepted(text: str, pence: int) -> None:
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    "text",
    ["1e3", "1E3", "1_000", "12,34,5", "1,2345", ",100", "100,", "1,,000", "١٢", "١٢٣", "²", "12²", "٣.٥٠",
     "Infinity", "inf", "-inf", "nan", "NaN", "0x10", "1 000", "£", ".50", "1.2.3", "+5", "£-5", "5£",
     "1000000001", "1000000000.01", "99999999999999999999999999", "1,000,000,000.01", "ten", "12\x00"],
)
def test_money_in_any_other_form_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_pounds(text)


def test_money_refusals_say_why() -> None:
    with pytest.raises(ValueError, match="more than 1,000,000,000 pounds"):
        parse_pounds("1000000001")
    with pytest.raises(ValueError, match="not an amount in pounds"):
        parse_pounds("1e3")
    with pytest.raises(ValueError, match="must not be negative"):
        parse_pounds("-1,200.50")
    with pytest.raises(ValueError, match="from 0 to 1,000,000,000 pounds"):
        parse_pounds(10**20)  # pence given as an int are bounded too: never too large for SQLite


def test_a_form_refuses_the_same_money_as_an_import() -> None:
    spend = {"intervention_id": 1, "period": "2025-26-Q1", "funding_source": "grant"}
    assert Spend.check({**spend, "amount": "£1,200.50"})["amount"] == 120050
    for bad in ("1e3", "1_000", "12,34,5", "١٢"):
        assert "amount" in errors(Spend, {**spend, "amount": bad})


CONTACT = {"participant_id": 1, "intervention_id": 1, "date": "2025-04-01", "mode": "group"}


@pytest.mark.parametrize("minutes", ["1_000", "١٢", "²", "1e2", "60.0", "-5", "0", "1441", "9" * 30, "+60"])
def test_minutes_are_ascii_digits_within_bounds(minutes: str) -> None:
    assert "minutes" in errors(Contact, {**CONTACT, "minutes": minutes})


def test_minutes_accept_plain_digits() -> None:
    assert Contact.check({**CONTACT, "minutes": " 90 "})["minutes"] == 90
    assert parse_whole("1440", 1, 1440) == 1440


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01", "0001-01-01", "9999-12-31"])
def test_years_outside_2000_to_2100_are_refused(day: str) -> None:
    assert "the year must be from 2000 to 2100" in errors(Intervention, {**INTERVENTION, "start_date": day})[
        "start_date"]


@pytest.mark.parametrize("day", ["２０２５-04-01", "٢٠٢٥-04-01", "2025-4-1", "20250401", "2025-04-01T00:00"])
def test_dates_are_iso_in_ascii_digits(day: str) -> None:
    assert "YYYY-MM-DD" in errors(Intervention, {**INTERVENTION, "start_date": day})["start_date"]


def test_edge_years_are_accepted() -> None:
    assert Intervention.check({**INTERVENTION, "start_date": "2000-01-01"})["start_date"] == date(2000, 1, 1)
    assert Intervention.check({**INTERVENTION, "start_date": "2100-12-31"})["start_date"] == date(2100, 12, 31)


@pytest.mark.parametrize(
    ("char", "code"),
    [("\x1b", "U+001B"), ("\x00", "U+0000"), ("\u202e", "U+202E"), ("\x7f", "U+007F"), ("\x85", "U+0085"),
     ("\u2066", "U+2066"), ("\ud800", "U+D800"), ("\n", "U+000A"), ("\t", "U+0009")],
)
def test_one_line_text_refuses_control_characters(char: str, code: str) -> None:
    found = errors(Intervention, {**INTERVENTION, "name": f"Men{char}toring", "provider": f"A{char}B"})
    assert found["name"] == f"holds a {'lone surrogate' if code == 'U+D800' else 'control character'} ({code}) at character 4"
    assert code in found["provider"]


def test_descriptions_keep_newlines_and_tabs_but_refuse_other_controls() -> None:
    row = Intervention.check({**INTERVENTION, "description": "Line one\n\tLine two"})
    assert row["description"] == "Line one\n\tLine two"
    assert "U+001B" in errors(Intervention, {**INTERVENTION, "description": "a\x1b[31m"})["description"]
    assert "U+DFFF" in errors(Intervention, {**INTERVENTION, "description": "a\udfff"})["description"]


def test_text_lengths_are_bounded() -> None:
    assert Intervention.check({**INTERVENTION, "name": "x" * 200})["name"] == "x" * 200
    assert errors(Intervention, {**INTERVENTION, "name": "x" * 201}) == {
        "name": "is 201 characters long: at most 200"}
    assert Intervention.check({**INTERVENTION, "description": "x" * 10_000})["description"]
    assert "at most 10,000" in errors(Intervention, {**INTERVENTION, "description": "x" * 10_001})["description"]
    assert "ref" in errors(Intervention, {**INTERVENTION, "ref": "R" * 41})


def test_refs_refuse_control_characters() -> None:
    assert "U+001B" in errors(Participant, {"ref": "YP\x1b1"})["ref"]
    assert "U+202E" in errors(Participant, {"ref": "YP\u202e1"})["ref"]


def test_ref_keys_ignore_ascii_letter_case_only() -> None:
    assert ref_key(" yp001 ") == ref_key("YP001") == "yp001"
    assert ref_key("ÉA") == "Éa"  # as SQLite's NOCASE: ASCII letters only


def test_taxonomy_values_in_any_letter_case() -> None:
    row = Intervention.check({**INTERVENTION, "approach": "MENTORING", "setting": "Community"})
    assert (row["approach"], row["setting"]) == ("mentoring", "community")


def test_periods_and_years_in_other_digits_are_refused() -> None:
    spend = {"intervention_id": 1, "funding_source": "grant", "amount": "1"}
    assert "period" in errors(Spend, {**spend, "period": "٢٠٢٥-26-Q1"})
    budget = {"intervention_id": 1, "funding_source": "grant", "amount": "1"}
    assert "financial_year" in errors(Budget, {**budget, "financial_year": "２０25-26"})
