"""Consolidated VRP figures from the held (latest) version of each spoke's return.

Exact figures, for internal use; :mod:`.disclosure` protects what is published.
Where SPEC is silent:

- People are not matched across spokes (a spoke's return names no one), so the
  VRP's ``active`` is the sum of the spokes' totals. By approach and by
  prevention level, ``active`` adds up the interventions' own counts: a young
  person on two interventions is counted on both.
- Financial year to date: referrals, starts, completions, other exits, contacts
  and contact hours add up the held returns for the year's quarters so far;
  ``active`` does not add up across quarters and is not given. Spend to date
  and budget are the spokes' own figures from their returns for the quarter.
- Contact hours are the sum of the spokes' hours as returned (each rounded to
  one decimal place), held exactly in tenths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vrp_tui.hub.held import held_for_figures
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period
from vrp_tui.reference import AGE_BAND, APPROACH, ETHNICITY, FUNDING_SOURCE, PREVENTION_LEVEL, SEX, SPOKES

COUNTS = ("referrals", "starts", "active", "high_risk_active", "completions", "other_exits", "contacts")
# Counts that add up across interventions and quarters (active does not: one person, many).
ADDITIVE = tuple(c for c in COUNTS if c not in ("active", "high_risk_active"))
BREAKDOWNS: dict[str, dict[str, str]] = {
    "active_by_age_band": AGE_BAND, "active_by_sex": SEX, "active_by_ethnicity": ETHNICITY,
}
MONEY = ("spend_gbp", "spend_ytd_gbp", "budget_gbp")
FUNDS = tuple(FUNDING_SOURCE)
TREND_QUARTERS = 8


def pence(value: Any) -> int:
    """``"1250.00"`` (or a number of pounds) as integer pence."""
    return int(Decimal(str(value)) * 100)


def tenths(value: Any) -> int:
    """Contact hours (one decimal place) as integer tenths of an hour."""
    return int(Decimal(str(value)) * 10)


@dataclass
class Figures:
    """Figures of SPEC section 4 added up over returns or interventions, exactly."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    hours_tenths: int = 0
    money: dict[str, dict[str, int]] = field(
        default_factory=lambda: {m: dict.fromkeys(FUNDS, 0) for m in MONEY})
    breakdowns: dict[str, dict[str, int]] = field(
        default_factory=lambda: {b: dict.fromkeys(keys, 0) for b, keys in BREAKDOWNS.items()})
    interventions: int = 0

    @classmethod
    def of(cls, part: Mapping[str, Any]) -> Figures:
        """One intervention's figures, or a spoke's totals, from a return document."""
        figures = cls()
        figures.add_part(part)
        return figures

    def add_part(self, part: Mapping[str, Any]) -> None:
        for name in COUNTS:
            self.counts[name] += int(part[name])
        self.hours_tenths += tenths(part["contact_hours"])
        for name in MONEY:
            for fund in FUNDS:
                self.money[name][fund] += pence(part[name][fund])
        for name, keys in BREAKDOWNS.items():
            for key in keys:
                self.breakdowns[name][key] += int(part[name][key])

    def add(self, other: Figures) -> None:
        for name, value in other.counts.items():
            self.counts[name] += value
        self.hours_tenths += other.hours_tenths
        for name in MONEY:
            for fund in FUNDS:
                self.money[name][fund] += other.money[name][fund]
        for name, keys in BREAKDOWNS.items():
            for key in keys:
                self.breakdowns[name][key] += other.breakdowns[name][key]
        self.interventions += other.interventions

    @property
    def contact_hours(self) -> Decimal:
        return (Decimal(self.hours_tenths) / 10).quantize(Decimal("0.1"))

    def total(self, money: str) -> int:
        return sum(self.money[money].values())


@dataclass(frozen=True)
class TrendPoint:
    period: str
    returns: int  # spokes whose return for the quarter is held
    figures: Figures


@dataclass
class Consolidated:
    period: Period
    held: dict[str, int]  # spoke -> version held for the quarter
    vrp: Figures  # the quarter's VRP totals
    ytd: Figures  # financial year to date (see the module docstring)
    ytd_returns: int
    by_spoke: dict[str, Figures]  # spokes whose return is held
    by_approach: dict[str, Figures]  # approaches with an intervention, in the Toolkit's order
    by_level: dict[str, Figures]  # every prevention level
    by_intervention_total: Figures  # the interventions added up (active counted per intervention)
    trend: list[TrendPoint]

    @property
    def missing(self) -> list[str]:
        return [s for s in SPOKES if s not in self.held]


def trend_quarters(period: Period) -> list[Period]:
    """The quarters a consolidation for ``period`` reads: the trend's, which include the year to date."""
    quarters = [period]
    while len(quarters) < TREND_QUARTERS:
        quarters.insert(0, quarters[0].previous())
    return quarters


def consolidate(hub: HubStore, period: Period) -> Consolidated:
    """The VRP figures for ``period`` from the held version of each spoke's return."""
    return from_documents(period, held_for_figures(hub, [q.code for q in trend_quarters(period)], period.code))


def from_documents(period: Period, docs: Mapping[tuple[str, str], dict[str, Any]]) -> Consolidated:
    """The VRP figures for ``period`` from return documents keyed by (spoke, period code)."""
    quarters = trend_quarters(period)
    current = {spoke: doc for (spoke, code), doc in docs.items() if code == period.code}
    by_spoke = {s: Figures.of(current[s]["totals"]) for s in SPOKES if s in current}
    vrp = Figures()
    for figures in by_spoke.values():
        vrp.add(figures)
    by_approach: dict[str, Figures] = {}
    by_level = {level: Figures() for level in PREVENTION_LEVEL}
    everything = Figures()
    for spoke in by_spoke:
        for item in current[spoke]["interventions"]:
            one = Figures.of(item)
            one.interventions = 1
            by_approach.setdefault(item["approach"], Figures()).add(one)
            by_level[item["prevention_level"]].add(one)
            everything.add(one)
    ytd, ytd_returns = _year_to_date(period, docs, vrp)
    trend: list[TrendPoint] = []
    for quarter in quarters:
        held = [doc for (_, code), doc in docs.items() if code == quarter.code]
        if held or trend or quarter == period:  # from the first quarter with a return
            trend.append(TrendPoint(quarter.code, len(held), _sum_totals(held)))
    return Consolidated(
        period=period,
        held={s: int(current[s]["version"]) for s in SPOKES if s in current},
        vrp=vrp, ytd=ytd, ytd_returns=ytd_returns, by_spoke=by_spoke,
        by_approach={a: by_approach[a] for a in APPROACH if a in by_approach},
        by_level=by_level, by_intervention_total=everything, trend=trend,
    )


def _sum_totals(docs: list[dict[str, Any]]) -> Figures:
    figures = Figures()
    for doc in docs:
        figures.add_part(doc["totals"])
    return figures


def _year_to_date(period: Period, docs: Mapping[tuple[str, str], dict[str, Any]],
                  vrp: Figures) -> tuple[Figures, int]:
    codes = {q.code for q in period.year_to_date()}
    held = [doc for (_, code), doc in docs.items() if code in codes]
    ytd = _sum_totals(held)
    for name in ("active", "high_risk_active"):
        del ytd.counts[name]
    ytd.breakdowns = {}
    ytd.money = {"spend_gbp": dict(vrp.money["spend_ytd_gbp"]), "budget_gbp": dict(vrp.money["budget_gbp"])}
    return ytd, len(held)

