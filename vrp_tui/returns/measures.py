"""Attendance and outcome figures of the return document (SPEC section 4), and their exact arithmetic.

Scores and changes are held as integer tenths of a point; the document
carries them as JSON numbers with one decimal (``change_sum`` ``-3.5``,
``mean_change`` ``0.3``; ``null`` when nothing is paired). An attendance
rate is a number with one decimal, 0..100 (``72.7``), ``null`` when a
quarter has neither attended nor missed sessions.

Rounding is half-up to one decimal, a half rounding away from zero
(0.25 -> 0.3, -0.25 -> -0.3), done on integers so it is exact. The base types
every document part uses (:class:`Part`, :data:`Count`) live here so the
outcome parts and the rest of ``document.py`` share them.

The hub reads returns from before attendance and outcomes existed: there
``did_not_attend``, ``attendance_rate`` and ``outcomes`` are absent, which
means "not recorded" (never zeros). When present they are strictly typed and
must agree with themselves (improved + unchanged + worsened = paired <=
measured; ``mean_change`` worked out from ``change_sum`` and ``paired``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from vrp_tui import reference

# Figures a return signed off before attendance and outcomes were recorded does not carry ("not recorded").
ADDED_LATER = ("did_not_attend", "attendance_rate", "outcomes")
NOT_RECORDED = "not recorded"

MAX_COUNT = 10**9
MAX_CHANGE_SUM = 10**11  # points: 10^9 paired enrolments, none moving more than 100 points
MAX_MEAN_CHANGE = 100  # points: no instrument's range is wider

Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]


class Part(BaseModel):
    """Every part of the document refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True,
                              json_schema_serialization_defaults_required=True)


def one_decimal(what: str) -> AfterValidator:
    """A check that a number has at most one decimal place (``what`` names it in the message)."""

    def check(value: float) -> float:
        if Decimal(str(value)) != Decimal(str(value)).quantize(Decimal("0.1")):
            raise ValueError(f"{what} one decimal place")
        return value

    return AfterValidator(check)


ChangeSum = Annotated[float, Field(strict=True, ge=-MAX_CHANGE_SUM, le=MAX_CHANGE_SUM, allow_inf_nan=False),
                      one_decimal("a change sum has")]
MeanChange = Annotated[float, Field(strict=True, ge=-MAX_MEAN_CHANGE, le=MAX_MEAN_CHANGE, allow_inf_nan=False),
                       one_decimal("a mean change has")]
Rate = Annotated[float, Field(strict=True, ge=0, le=100, allow_inf_nan=False),
                 one_decimal("an attendance rate has")]


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, a half away from zero (exact)."""
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def tenths_number(tenths: int) -> float:
    """Tenths as the document's number with one decimal (35 -> 3.5)."""
    return tenths / 10


def to_tenths(value: float | int) -> int:
    """The document's number with one decimal as exact tenths (3.5 -> 35)."""
    return int(Decimal(str(value)) * 10)


def attendance_rate(contacts: int, did_not_attend: int) -> float | None:
    """contacts / (contacts + did_not_attend) x 100, half-up to one decimal; None when both are 0."""
    offered = contacts + did_not_attend
    return None if offered == 0 else tenths_number(round_half_up(contacts * 1000, offered))


def mean_change(change_sum_tenths: int, paired: int) -> float | None:
    """change_sum / paired, half-up (away from zero) to one decimal; None when nothing is paired."""
    return None if paired == 0 else tenths_number(round_half_up(change_sum_tenths, paired))


def hours(minutes: int) -> float:
    """Minutes as hours, rounded half-up to one decimal place (25 min -> 0.4, 3 min -> 0.1)."""
    return float((Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


OUTCOME_COUNTS = ("measured", "paired", "improved", "unchanged", "worsened")


def zero_outcome() -> dict[str, Any]:
    return {**dict.fromkeys(OUTCOME_COUNTS, 0), "change_sum": 0, "mean_change": None}


def outcome_figures(counts: dict[str, int], change_sum_tenths: int) -> dict[str, Any]:
    """One instrument's outcome in document form from its counts and its exact change sum in tenths."""
    return {**{k: counts[k] for k in OUTCOME_COUNTS}, "change_sum": tenths_number(change_sum_tenths),
            "mean_change": mean_change(change_sum_tenths, counts["paired"])}


class Outcome(Part):
    """One instrument's outcomes for an intervention or the spoke (SPEC section 4)."""

    measured: Count
    paired: Count
    improved: Count
    unchanged: Count
    worsened: Count
    change_sum: ChangeSum = Field(description="Exact sum of the paired changes, one decimal")
    mean_change: MeanChange | None = Field(description="change_sum / paired half-up to one decimal; "
                                                       "null when paired is 0")

    @model_validator(mode="after")
    def _agrees(self) -> Outcome:
        if self.improved + self.unchanged + self.worsened != self.paired:
            raise ValueError("improved + unchanged + worsened is not paired")
        if self.paired > self.measured:
            raise ValueError("more paired than measured")
        if self.mean_change != mean_change(to_tenths(self.change_sum), self.paired):
            raise ValueError("mean_change is not change_sum / paired rounded half-up")
        return self


class Outcomes(Part):
    """Outcomes keyed by every instrument slug of SPEC section 2."""

    sdq_total: Outcome = Field(alias="sdq-total")
    swemwbs: Outcome
    wemwbs: Outcome
    ors: Outcome
    goal_based: Outcome = Field(alias="goal-based")


assert {f.alias or n for n, f in Outcomes.model_fields.items()} == set(reference.INSTRUMENTS)
