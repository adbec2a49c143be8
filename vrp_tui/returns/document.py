"""The return document (SPEC section 4): the JSON a spoke signs off and the hub reads.

The pydantic models here are the one definition of ``return.json`` format 1:
the spoke builds them, ``vrp return show --json`` prints them, the bundle
carries them and the hub checks what it receives with :func:`validate_document`.
The JSON Schema in ``vrp_tui/schemas/return-v1.json`` is generated from them.

Money is a two-decimal string of pounds (``"1250.00"``), at most 10^9;
contact hours a finite number 0..10^7 with one decimal (``12.5``); counts JSON
integers 0..10^9 (never strings, booleans or floats); attendance rates,
outcome change sums and mean changes numbers with one decimal
(``measures.py``: absent in returns from before they existed, meaning "not
recorded"); versions 1..10^6;
periods and dates in 2000-2100. The document names no young person. A document
the hub received (``validate_document(..., received=today)``, after
``vrp_tui.bundle.received`` checked its bytes and text) must also be a
signed-off version with no negative money for a quarter ended by the hub's
date (a spoke's draft may carry negative money: its validation reports it).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from vrp_tui import reference
from vrp_tui.errors import VrpError
from vrp_tui.returns import measures
from vrp_tui.returns.measures import Count, Outcomes, Part, Rate

FORMAT = 1

MAX_HOURS = 10**7
MAX_POUNDS = 10**9
MAX_VERSION = 10**6
MAX_ID = 2**63 - 1  # a record id: what SQLite holds
MAX_TEXT_BYTES = 100_000  # a string field, UTF-8 encoded
YEARS = (2000, 2100)  # dates and periods outside these years are refused (SPEC section 9)
_RECEIVED = "received"  # validation context key: the hub's date, set when the hub reads a bundle


def _received(info: ValidationInfo) -> date | None:
    """The hub's date when the document is being read as received, else None (a spoke's own)."""
    return info.context.get(_RECEIVED) if isinstance(info.context, dict) else None


def _pounds(value: str, info: ValidationInfo) -> str:
    if Decimal(value) > MAX_POUNDS or Decimal(value) < -MAX_POUNDS:
        raise ValueError(f"more than {MAX_POUNDS} pounds")
    if _received(info) is not None and value.startswith("-"):
        raise ValueError("money may not be negative")
    return value


Pounds = Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", max_length=14, examples=["1250.00"],
                               description="Pounds with two decimals, at most 10^9; never negative in a "
                                           "signed-off return (the hub refuses it)"),
                   AfterValidator(_pounds)]
RecordId = Annotated[int, Field(strict=True, ge=0, le=MAX_ID)]
Version = Annotated[int, Field(strict=True, ge=1, le=MAX_VERSION)]
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})-Q([1-4])")


def period_problem(code: str, today: date | None = None) -> str | None:
    """What is wrong with a period code (None: nothing); with ``today``, a quarter not ended is wrong."""
    match = _PERIOD.fullmatch(code)
    if not match:
        return "not a period code (YYYY-YY-Qn)"
    start, end, quarter = int(match[1]), int(match[2]), int(match[3])
    if (start + 1) % 100 != end:
        return "not a period: the years must follow on (e.g. 2025-26-Q1)"
    if not YEARS[0] <= start < YEARS[1]:
        return f"not a period of the years {YEARS[0]}-{YEARS[1]}"
    if today is not None:
        month = 4 + 3 * quarter  # the first month after the quarter (13: January, 16: April next year)
        day_after = date(start + month // 13, (month - 1) % 12 + 1, 1)
        if today < day_after:
            return f"a quarter that has not ended (it ends {(day_after - timedelta(days=1)).isoformat()})"
    return None


def _period(code: str, info: ValidationInfo) -> str:
    problem = period_problem(code, _received(info))
    if problem:
        raise ValueError(problem)
    return code


PeriodCode = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-Q[1-4]$", examples=["2025-26-Q1"],
                                   description="YYYY-YY-Qn of the years 2000-2100; the hub refuses a "
                                               "quarter that has not ended by its date"),
                       AfterValidator(_period)]


Hours = Annotated[float, Field(strict=True, ge=0, le=MAX_HOURS, allow_inf_nan=False),
                  measures.one_decimal("contact hours have")]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?")


def _iso(pattern: re.Pattern[str], kind: type) -> BeforeValidator:
    """Dates and times as ISO text only (never a number), or as the spoke's own objects."""

    def check(value: Any) -> Any:
        if not isinstance(value, kind) and not (isinstance(value, str) and pattern.fullmatch(value)):
            raise ValueError(f"not an ISO {'date' if kind is date else 'date and time'}")
        return value

    return BeforeValidator(check)


def _in_years(value: date) -> date:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"the year is outside {YEARS[0]}-{YEARS[1]}")
    return value


Day = Annotated[date, _iso(_ISO_DATE, date), AfterValidator(_in_years)]
Stamp = Annotated[datetime, _iso(_ISO_STAMP, datetime), AfterValidator(_in_years)]


def _slug_of(taxonomy: str) -> Any:
    """A string restricted to one taxonomy's slugs (an ``enum`` in the schema)."""
    return Field(json_schema_extra={"enum": list(reference.TAXONOMIES[taxonomy])})


def _check_slug(taxonomy: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in reference.TAXONOMIES[taxonomy]:
            raise ValueError(f"unknown {taxonomy.replace('_', ' ')} {value!r}")
        return value

    return AfterValidator(check)


Approach = Annotated[str, _slug_of("approach"), _check_slug("approach")]
PreventionLevel = Annotated[str, _slug_of("prevention_level"), _check_slug("prevention_level")]
Setting = Annotated[str, _slug_of("setting"), _check_slug("setting")]
SpokeCode = Annotated[str, Field(json_schema_extra={"enum": list(reference.SPOKES)}),
                      AfterValidator(lambda c: _known_spoke(c))]


def _known_spoke(code: str) -> str:
    if code not in reference.SPOKES:
        raise ValueError(f"unknown spoke {code!r}")
    return code


class Funding(Part):
    """An amount per funding source, in pounds."""

    grant: Pounds
    match: Pounds


class AgeBands(Part):
    """Active young people by age band (age on the referral date of the enrolment
    holding their latest contact in the quarter)."""

    age_0_9: Count = Field(alias="0-9")
    age_10_14: Count = Field(alias="10-14")
    age_15_17: Count = Field(alias="15-17")
    age_18_24: Count = Field(alias="18-24")
    age_25_plus: Count = Field(alias="25+")
    unknown: Count


class Sexes(Part):
    """Active young people by sex; not recorded counts as ``not-known``."""

    female: Count
    male: Count
    other: Count
    not_known: Count = Field(alias="not-known")


class Ethnicities(Part):
    """Active young people by ethnic group; not recorded counts as ``not-stated``."""

    asian: Count
    black: Count
    mixed: Count
    white: Count
    other: Count
    not_stated: Count = Field(alias="not-stated")


class Figures(Part):
    """The figures of SPEC section 4, for one intervention or the spoke."""

    referrals: Count
    starts: Count
    active: Count
    high_risk_active: Count
    completions: Count
    other_exits: Count
    contacts: Count
    contact_hours: Hours
    # Absent in returns from before attendance and outcomes were recorded: "not recorded".
    did_not_attend: Count | None = None
    attendance_rate: Rate | None = None
    active_by_age_band: AgeBands
    active_by_sex: Sexes
    active_by_ethnicity: Ethnicities
    outcomes: Outcomes | None = None
    spend_gbp: Funding
    spend_ytd_gbp: Funding
    budget_gbp: Funding

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    @model_validator(mode="after")
    def _rate_agrees(self) -> Figures:
        if self.did_not_attend is not None and self.attendance_rate != measures.attendance_rate(
                self.contacts, self.did_not_attend):
            raise ValueError("attendance_rate is not contacts / (contacts + did_not_attend) x 100")
        if self.did_not_attend is None and self.attendance_rate is not None:
            raise ValueError("attendance_rate without did_not_attend")
        return self


class InterventionLabels(Part):
    """What names an intervention in the return (its ref is the spoke's own code)."""

    ref: str
    name: str
    approach: Approach
    prevention_level: PreventionLevel
    setting: Setting


class InterventionReturn(Figures, InterventionLabels):
    """One intervention's line: its labels, then its figures."""


class Narrative(Part):
    highlights: str
    challenges: str
    case_study: str
    next_quarter: str


NARRATIVE_FIELDS: tuple[str, ...] = tuple(Narrative.model_fields)


class Message(Part):
    """One validation finding and the record it names.

    ``id`` and ``ref`` are absent when a message counts several records about
    young people (the document never names a young person)."""

    code: str
    text: str
    table: str
    id: RecordId | None = None
    ref: str | None = None


class Validation(Part):
    errors: list[Message]
    warnings: list[Message]


class ReturnDocument(Part):
    """One spoke's return for one quarter: a draft (``version`` null) or a frozen version."""

    format: Literal[1]
    spoke: SpokeCode
    spoke_name: str
    period: PeriodCode
    period_label: str
    first_day: Day
    last_day: Day
    version: Version | None
    status: Literal["draft", "signed-off", "exported"]
    generated_at: Stamp
    signed_off_by: str | None
    signed_off_at: Stamp | None
    approach_toolkit: str
    interventions: list[InterventionReturn]
    totals: Figures
    narrative: Narrative
    validation: Validation

    def to_json(self) -> dict[str, Any]:
        """The document as JSON-ready data (slugs as keys, money as strings)."""
        return self.model_dump(mode="json", by_alias=True)


class DocumentError(VrpError):
    """A return document that is not valid VRP-Format 1, with the first problems found."""


def shown(value: Any, limit: int = 40) -> str:
    """An outside value in a reason: its repr (controls and surrogates escaped), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def where(loc: tuple[int | str, ...]) -> str:
    """A place in the document, ``totals.active_by_sex.male``; outside keys escaped and cut short."""
    parts = [str(p) if isinstance(p, int) or (p.isprintable() and len(p) <= 40) else shown(p) for p in loc]
    return ".".join(parts) or "document"


def _cut(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "\u2026"


def _problems(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> str:
    problems = [f"{where((*prefix, *err['loc']))}: {_cut(err['msg'])}" for err in exc.errors()[:3]]
    more = f" (and {exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return "; ".join(problems) + more


class _ItemError(Exception):
    def __init__(self, error: ValidationError, loc: tuple[int | str, ...]):
        self.error, self.loc = error, loc


def _items_first(data: dict[str, Any], context: dict[str, Any] | None) -> None:
    """Validate the lists' items one by one first, stopping at the first bad one.

    Thousands of bad items then cost one item's errors, not all of theirs.
    """
    lists: list[tuple[tuple[str, ...], Any, type[BaseModel]]] = [(("interventions",), data.get("interventions"),
                                                                  InterventionReturn)]
    checks = data.get("validation")
    if isinstance(checks, dict):
        lists += [(("validation", kind), checks.get(kind), Message) for kind in ("errors", "warnings")]
    for loc, items, model in lists:
        if isinstance(items, list):
            for n, item in enumerate(items):
                try:
                    model.model_validate(item, context=context)
                except ValidationError as exc:
                    raise _ItemError(exc, (*loc, n)) from None


def validate_document(data: dict[str, Any], *, received: date | None = None) -> ReturnDocument:
    """Check a ``return.json`` (already parsed) against format 1; DocumentError says why not.

    ``received``: the hub's date, for a document read from a bundle: the
    received rules apply too (see the module's docstring).
    """
    if not isinstance(data, dict):
        raise DocumentError("return.json is not a JSON object")
    stated = data.get("format")
    if type(stated) is not int or stated != FORMAT:
        raise DocumentError(f"return.json format {shown(stated)} is not {FORMAT}")
    context = {_RECEIVED: received} if received else None
    try:
        _items_first(data, context)
        document = ReturnDocument.model_validate(data, context=context)
    except ValidationError as exc:
        raise DocumentError("return.json is not valid: " + _problems(exc)) from None
    except _ItemError as exc:
        raise DocumentError("return.json is not valid: " + _problems(exc.error, exc.loc)) from None
    if received is not None and (document.version is None or document.status == "draft"):
        raise DocumentError("return.json is a draft: a bundle carries a signed-off version")
    return document


def json_schema() -> dict[str, Any]:
    """The JSON Schema of format 1, generated from the models."""
    schema = ReturnDocument.model_json_schema(by_alias=True, mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:vrp-returns:schema:return:1"
    schema["title"] = "VRP quarterly return, format 1"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def committed_schema() -> str:
    """The schema file shipped with the package."""
    return resources.files("vrp_tui").joinpath("schemas/return-v1.json").read_text(encoding="utf-8")


def write_schema() -> None:
    """Regenerate the committed schema after changing the models (the drift test says when)."""
    target = Path(__file__).parent.parent / "schemas" / "return-v1.json"
    target.write_text(schema_text(), encoding="utf-8")
