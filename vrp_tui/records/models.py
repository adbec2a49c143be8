"""Pydantic models of what a spoke records (SPEC section 3).

Forms and CSV rows arrive as strings; these models turn them into typed values
or say, per field, what is wrong. Money is held as integer pence; a string or
Decimal given for money is read as pounds.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    model_validator,
)

from vrp_tui import reference
from vrp_tui.errors import RecordError
from vrp_tui.periods import Period, PeriodError, parse_financial_year


def errors_by_field(exc: ValidationError) -> dict[str, str]:
    """The first message for each field of a pydantic error, in plain words."""
    out: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        msg = err["msg"].removeprefix("Value error, ")
        if not field and msg.startswith("@"):
            field, _, msg = msg[1:].partition(": ")
        if err["type"] == "missing" or (err.get("input", "") is None and "type" in err["type"]):
            msg = "required"
        out.setdefault(field, msg)
    return out


def parse_pounds(value: Any) -> int:
    """Pounds (``"1250"``, ``"1,250.50"``, ``"£3.2"``) to integer pence; ints are pence already."""
    if isinstance(value, bool):
        raise ValueError("not an amount of money")
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(",", "").removeprefix("£")
    try:
        pounds = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount in pounds, e.g. 1250.00") from None
    if not pounds.is_finite():
        raise ValueError(f"{value!r} is not an amount in pounds")
    pence = pounds * 100
    if pence != pence.to_integral_value():
        raise ValueError(f"{value!r} has more than two decimal places")
    if pounds < 0:
        raise ValueError("must not be negative")
    return int(pence)


def _slug(taxonomy: str) -> AfterValidator:
    options = reference.TAXONOMIES[taxonomy]

    def check(value: str) -> str:
        slug = value.strip().lower()
        if slug not in options:
            shown = ", ".join(list(options)[:8]) + (", ..." if len(options) > 8 else "")
            raise ValueError(f"unknown {taxonomy.replace('_', ' ')} {value!r} (one of {shown})")
        return slug

    return AfterValidator(check)


def _iso_date(value: Any) -> Any:
    """Dates are ``YYYY-MM-DD`` only: a number is not read as a Unix timestamp."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2025-04-01")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the calendar") from None


def _not_future(day: date) -> date:
    if day > date.today():
        raise ValueError(f"{day.isoformat()} is in the future")
    return day


def _ref(value: str) -> str:
    ref = value.strip()
    if not ref:
        raise ValueError("required")
    if len(ref) > 40 or any(c.isspace() and c != " " for c in ref) or not ref.isprintable():
        raise ValueError("a ref is up to 40 printable characters")
    return ref


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("yes", "y", "true", "1"):
            return True
        if v in ("no", "n", "false", "0"):
            return False
        raise ValueError(f"{value!r}: use yes or no")
    return value


def _period(value: Any) -> str:
    try:
        return Period.parse(str(value)).code
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


def _financial_year(value: Any) -> str:
    try:
        parse_financial_year(str(value))
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    return str(value).strip()


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def _postcode_district(value: str) -> str:
    district = value.strip().upper()
    if not _POSTCODE_DISTRICT.match(district):
        raise ValueError(f"{value!r} is not a postcode district, e.g. BS5")
    return district


Ref = Annotated[str, AfterValidator(_ref)]
Money = Annotated[int, BeforeValidator(parse_pounds)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
PastDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_not_future)]
YesNo = Annotated[bool, BeforeValidator(_bool)]
PeriodCode = Annotated[str, BeforeValidator(_period)]
FinancialYear = Annotated[str, BeforeValidator(_financial_year)]


class Record(BaseModel):
    """Common behaviour: blank strings mean 'not given', extra fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data: Any) -> Any:
        """A blank field is not given: it takes its default (None, or e.g. high_risk's False)."""
        if isinstance(data, dict):
            fields = cls.model_fields
            return {k: v for k, v in data.items() if not (k in fields and isinstance(v, str) and not v.strip())}
        return data

    @classmethod
    def check(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Validate ``data``; the row ready for the store, or RecordError."""
        try:
            return cls.model_validate(data).model_dump()
        except ValidationError as exc:
            raise RecordError(errors_by_field(exc)) from None


class Intervention(Record):
    ref: Ref
    name: str
    provider: str
    approach: Annotated[str, _slug("approach")]
    prevention_level: Annotated[str, _slug("prevention_level")]
    setting: Annotated[str, _slug("setting")]
    start_date: IsoDate
    end_date: IsoDate | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Intervention:
        if self.end_date and self.end_date < self.start_date:
            raise _field_error("end_date", "must not be before the start date")
        return self


class Participant(Record):
    ref: Ref
    date_of_birth: PastDate | None = None
    sex: Annotated[str, _slug("sex")] | None = None
    ethnicity: Annotated[str, _slug("ethnicity")] | None = None
    postcode_district: Annotated[str, AfterValidator(_postcode_district)] | None = None


class Enrolment(Record):
    participant_id: int
    intervention_id: int
    referral_date: PastDate
    referral_source: Annotated[str, _slug("referral_source")]
    high_risk: YesNo = False
    start_date: PastDate | None = None
    end_date: PastDate | None = None
    exit_reason: Annotated[str, _slug("exit_reason")] | None = None

    @model_validator(mode="after")
    def _window(self) -> Enrolment:
        if self.start_date and self.start_date < self.referral_date:
            raise _field_error("start_date", "must not be before the referral date")
        if self.end_date:
            if self.end_date < (self.start_date or self.referral_date):
                raise _field_error("end_date", "must not be before the start (or referral) date")
            if not self.exit_reason:
                raise _field_error("exit_reason", "required when there is an end date")
        elif self.exit_reason:
            raise _field_error("end_date", "required when there is an exit reason")
        return self


class Contact(Record):
    participant_id: int
    intervention_id: int
    date: PastDate
    minutes: Annotated[int, AfterValidator(lambda m: _minutes(m))]
    mode: Annotated[str, _slug("mode")]


class Spend(Record):
    intervention_id: int
    period: PeriodCode
    funding_source: Annotated[str, _slug("funding_source")]
    amount: Money


class Budget(Record):
    intervention_id: int
    financial_year: FinancialYear
    funding_source: Annotated[str, _slug("funding_source")]
    amount: Money


def _minutes(minutes: int) -> int:
    if not 1 <= minutes <= 24 * 60:
        raise ValueError("minutes must be between 1 and 1440")
    return minutes


def _field_error(field: str, message: str) -> ValueError:
    """A cross-field error that names one field (picked up by errors_by_field)."""
    return ValueError(f"@{field}: {message}")
