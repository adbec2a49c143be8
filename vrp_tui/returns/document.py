"""The return document (SPEC section 4): the JSON a spoke signs off and the hub reads.

The pydantic models here are the one definition of ``return.json`` format 1:
the spoke builds them, ``vrp return show --json`` prints them, the bundle
carries them and the hub checks what it receives with :func:`validate_document`.
The JSON Schema in ``vrp_tui/schemas/return-v1.json`` is generated from them.

Money is a two-decimal string of pounds (``"1250.00"``); contact hours are a
JSON number with one decimal place (``12.5``). The document names no young
person: no participant refs, dates of birth, postcodes or names.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from vrp_tui import reference
from vrp_tui.errors import VrpError

FORMAT = 1

Pounds = Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", examples=["1250.00"])]
Count = Annotated[int, Field(ge=0)]
PeriodCode = Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}-Q[1-4]$", examples=["2025-26-Q1"])]


def _one_decimal(value: float) -> float:
    if Decimal(str(value)) != Decimal(str(value)).quantize(Decimal("0.1")):
        raise ValueError("contact hours have one decimal place")
    return value


Hours = Annotated[float, Field(ge=0), AfterValidator(_one_decimal)]


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


class Part(BaseModel):
    """Every part of the document refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True,
                              json_schema_serialization_defaults_required=True)


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
    active_by_age_band: AgeBands
    active_by_sex: Sexes
    active_by_ethnicity: Ethnicities
    spend_gbp: Funding
    spend_ytd_gbp: Funding
    budget_gbp: Funding


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
    id: int | None = None
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
    first_day: date
    last_day: date
    version: Annotated[int, Field(ge=1)] | None
    status: Literal["draft", "signed-off", "exported"]
    generated_at: datetime
    signed_off_by: str | None
    signed_off_at: datetime | None
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


def validate_document(data: dict[str, Any]) -> ReturnDocument:
    """Check a ``return.json`` (already parsed) against format 1; DocumentError says why not."""
    if not isinstance(data, dict):
        raise DocumentError("return.json is not a JSON object")
    if data.get("format") != FORMAT:
        raise DocumentError(f"return.json format {data.get('format')!r} is not {FORMAT}")
    try:
        return ReturnDocument.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or 'document'}: {err['msg']}"
            for err in exc.errors()[:3]
        ]
        more = f" (and {exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
        raise DocumentError("return.json is not valid: " + "; ".join(problems) + more) from None


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


def hours(minutes: int) -> float:
    """Minutes as hours, rounded half-up to one decimal place (25 min -> 0.4, 3 min -> 0.1)."""
    return float((Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def write_schema() -> None:
    """Regenerate the committed schema after changing the models (the drift test says when)."""
    target = Path(__file__).parent.parent / "schemas" / "return-v1.json"
    target.write_text(schema_text(), encoding="utf-8")
