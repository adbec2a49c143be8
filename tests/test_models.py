"""Record models: what a form or CSV cell may hold, and the message when it may not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from vrp_tui.formatting import json_pounds
from vrp_tui.records.models import (
    Enrolment,
    Intervention,
    Participant,
    RecordError,
    Spend,
    parse_pounds,
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
