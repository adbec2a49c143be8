"""Pydantic models of what a spoke records (SPEC section 3).

Forms and CSV rows arrive as strings; these models turn them into typed values
or say, per field, what is wrong. Money is held as integer pence; a string or
Decimal given for money is read as pounds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
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
from vrp_tui.periods import Period, PeriodError, financial_year_code, parse_financial_year


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
        elif err["type"] == "string_unicode" and isinstance(err.get("input"), str):
            msg = _surrogate_message(err["input"])
        out.setdefault(field, msg)
    return out


MAX_POUNDS = 10**9  # SPEC section 5: money from 0 up to 10^9 pounds
MAX_PENCE = MAX_POUNDS * 100
# Pounds as SPEC section 6 writes them: ASCII digits, commas only in groups of three,
# an optional point with up to two decimals, an optional leading pound sign.
_POUNDS = re.compile(r"£?(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<pence>[0-9]{0,2}))?", re.ASCII)


def parse_pounds(value: Any) -> int:
    """Pounds (``"1250"``, ``"1,250.50"``, ``"£3.2"``) to integer pence; ints are pence already.

    The one money parser of forms and imports: anything but the SPEC's form (``1e3``,
    ``1_000``, ``12,34,5``, ``١٢``, ``Infinity``) or over 10^9 pounds is refused.
    """
    if isinstance(value, bool):
        raise ValueError("not an amount of money")
    if isinstance(value, int):
        if not 0 <= value <= MAX_PENCE:
            raise ValueError(f"must be from 0 to {MAX_POUNDS:,} pounds")
        return value
    if isinstance(value, Decimal):
        value = f"{value:f}" if value.is_finite() else str(value)
    if not isinstance(value, str):
        raise ValueError("not an amount in pounds, e.g. 1250.00")
    text = value.strip()
    match = _POUNDS.fullmatch(text) if len(text) <= 40 else None
    if match is None:
        if text.startswith("-") and _POUNDS.fullmatch(text[1:].strip()):
            raise ValueError("must not be negative")
        decimals = text.rpartition(".")[2]
        if "." in text and len(decimals) > 2 and decimals.isascii() and decimals.isdigit():
            raise ValueError(f"{shown(text)} has more than two decimal places")
        raise ValueError(f"{shown(text)} is not an amount in pounds, e.g. 1,250.50")
    pounds = int(match["whole"].replace(",", ""))
    if pounds > MAX_POUNDS:
        raise ValueError(f"{shown(text)} is more than {MAX_POUNDS:,} pounds")
    pence = pounds * 100 + int((match["pence"] or "").ljust(2, "0"))
    if pence > MAX_PENCE:
        raise ValueError(f"{shown(text)} is more than {MAX_POUNDS:,} pounds")
    return pence


def parse_whole(value: Any, low: int, high: int, what: str = "value") -> int:
    """A whole number of ASCII digits from ``low`` to ``high`` (never too large for SQLite)."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not (0 < len(text) <= 12 and text.isascii() and text.isdigit()):
            raise ValueError(f"{shown(text)} is not a whole number")
        number = int(text)
    else:
        raise ValueError(f"{what} must be a whole number")
    if not low <= number <= high:
        raise ValueError(f"{what} must be between {low} and {high}")
    return number


def shown(value: str, limit: int = 40) -> str:
    """A value quoted for a message, cut short if long (messages stay one readable line)."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


# Controls no text field holds: C0 (newline and tab only where a field is multiline), DEL,
# C1, bidirectional overrides, isolates and marks, line and paragraph separators, lone
# surrogates. The same set vrp_tui.text shows as placeholders.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_LINE_CONTROL = re.compile("[\t\n]")
NAME_MAX = 200  # names, providers: one line
DESCRIPTION_MAX = 10_000  # descriptions: several lines


def check_text(value: str, *, max_length: int, multiline: bool = False) -> str:
    """``value`` if it is text a person typed: no control characters, at most ``max_length``."""
    found = _CONTROL.search(value) or (None if multiline else _LINE_CONTROL.search(value))
    if found:
        code = ord(found.group(0))
        kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
        raise ValueError(f"holds {kind} (U+{code:04X}) at character {found.start() + 1}")
    if len(value) > max_length:
        raise ValueError(f"is {len(value):,} characters long: at most {max_length:,}")
    return value


def _surrogate_message(value: str) -> str:
    found = _SURROGATE.search(value)
    if found is None:
        return "is not valid Unicode text"
    return f"holds a lone surrogate (U+{ord(found.group(0)):04X}) at character {found.start() + 1}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _one_line(value: str) -> str:
    return check_text(value, max_length=NAME_MAX)


def _several_lines(value: str) -> str:
    return check_text(value, max_length=DESCRIPTION_MAX, multiline=True)


def slug_check(taxonomy: str) -> Callable[[str], str]:
    """The check of a taxonomy column: a slug of SPEC section 2 in any letter case, as stored."""
    options = reference.TAXONOMIES[taxonomy]

    def check(value: str) -> str:
        slug = value.strip().lower()
        if slug not in options:
            listed = ", ".join(list(options)[:8]) + (", ..." if len(options) > 8 else "")
            raise ValueError(f"unknown {taxonomy.replace('_', ' ')} {shown(value.strip())} (one of {listed})")
        return slug

    return check


def _slug(taxonomy: str) -> AfterValidator:
    return AfterValidator(slug_check(taxonomy))


FIRST_YEAR, LAST_YEAR = 2000, 2100  # SPEC section 9: a year outside these is refused


def parse_iso_date(value: Any) -> date:
    """Dates are ``YYYY-MM-DD`` in ASCII digits, years 2000 to 2100: a number is not a timestamp."""
    if isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(f"{shown(text)} is not a date: use YYYY-MM-DD, e.g. 2025-04-01")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{shown(text)} is not a date in the calendar") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.isoformat()}: the year must be from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def not_future(day: date) -> date:
    if day > date.today():
        raise ValueError(f"{day.isoformat()} is in the future")
    return day


REF_MAX = 40


def check_ref(value: str) -> str:
    """A ref as stored: trimmed, one line of at most 40 printable characters."""
    ref = value.strip()
    if not ref:
        raise ValueError("required")
    check_text(ref, max_length=REF_MAX)
    if any(c.isspace() and c != " " for c in ref) or not ref.isprintable():
        raise ValueError(f"a ref is up to {REF_MAX} printable characters")
    return ref


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ref_key(ref: str) -> str:
    """What two refs have in common when they match whatever their letter case (``yp001``, ``YP001``).

    ASCII letters only, as SQLite's NOCASE does, so a lookup in SQL agrees with one in Python.
    """
    ref = ref.strip()
    return ref.lower() if ref.isascii() else ref.translate(_ASCII_LOWER)


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("yes", "y", "true", "1"):
            return True
        if v in ("no", "n", "false", "0"):
            return False
        raise ValueError(f"{shown(value)}: use yes or no")
    return value


def _period(value: Any) -> str:
    if not str(value).isascii():
        raise ValueError(f"{shown(str(value).strip())} is not a period, e.g. 2025-26-Q1")
    try:
        return Period.parse(str(value)).code
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


def _financial_year(value: Any) -> str:
    if not str(value).isascii():
        raise ValueError(f"{shown(str(value).strip())} is not a financial year, e.g. 2025-26")
    text = str(value).strip()
    try:
        return financial_year_code(parse_financial_year(text.replace("/", "-", 1)))
    except PeriodError:
        raise ValueError(f"{shown(text)} is not a financial year: use YYYY-YY, e.g. 2025-26") from None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def _postcode_district(value: str) -> str:
    district = value.strip().upper() if value.isascii() else value
    if not _POSTCODE_DISTRICT.match(district):
        raise ValueError(f"{shown(value)} is not a postcode district, e.g. BS5")
    return district


Ref = Annotated[str, AfterValidator(check_ref)]
Name = Annotated[str, AfterValidator(_one_line)]
Description = Annotated[str, AfterValidator(_several_lines)]
Money = Annotated[int, BeforeValidator(parse_pounds)]
IsoDate = Annotated[date, BeforeValidator(parse_iso_date)]
PastDate = Annotated[date, BeforeValidator(parse_iso_date), AfterValidator(not_future)]
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
    name: Name
    provider: Name
    approach: Annotated[str, _slug("approach")]
    prevention_level: Annotated[str, _slug("prevention_level")]
    setting: Annotated[str, _slug("setting")]
    start_date: IsoDate
    end_date: IsoDate | None = None
    description: Description | None = None

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
    minutes: Annotated[int, BeforeValidator(lambda m: parse_minutes(m))]
    mode: Annotated[str, _slug("mode")]
    attendance: Annotated[str, _slug("attendance")] = "attended"


class Measurement(Record):
    """An outcome measure's total score; ``score_tenths`` is the score times ten, exact."""

    participant_id: int
    intervention_id: int
    date: PastDate
    instrument: Annotated[str, _slug("instrument")]
    score_tenths: Annotated[int, BeforeValidator(lambda s: parse_score_tenths(s))]

    @model_validator(mode="after")
    def _in_range(self) -> Measurement:
        instrument = reference.INSTRUMENTS[self.instrument]
        if not instrument.allows(self.score_tenths):
            raise _field_error("score_tenths", f"outside the {instrument.slug} scale ({instrument.range_text})")
        return self


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


def parse_minutes(value: Any) -> int:
    return parse_whole(value, 1, 24 * 60, "minutes")


_SCORE = re.compile(r"([0-9]{1,4})(?:\.([0-9]))?")


def parse_score_tenths(value: Any) -> int:
    """A score as written (``12``, ``31.5``: ASCII digits, at most one decimal, or an int of whole points) in tenths."""
    if isinstance(value, bool):
        raise ValueError("a score is a number such as 12 or 31.5")
    if isinstance(value, int):
        value = str(value)
    match = _SCORE.fullmatch(str(value).strip())
    if not match:
        raise ValueError(f"a score is a number such as 12 or 31.5, not {shown(str(value).strip())}")
    return int(match.group(1)) * 10 + int(match.group(2) or 0)


def _field_error(field: str, message: str) -> ValueError:
    """A cross-field error that names one field (picked up by errors_by_field)."""
    return ValueError(f"@{field}: {message}")
