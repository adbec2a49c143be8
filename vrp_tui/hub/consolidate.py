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
- Attendance and outcomes: did-not-attend, the outcome counts and change sums
  add up like the other counts (over spokes, interventions and the year's
  quarters: an enrolment measured in two quarters counts in both);
  the attendance rate and the mean changes are worked out again from those
  sums (half-up to one decimal, SPEC section 4), never averaged. A return from
  before attendance or outcomes were recorded carries neither: it adds nothing
  to them (never zeros) and the figures say how many parts did not record them;
  with none recorded, the figure is "not recorded" (None). The attendance rate
  counts only the sessions of the parts that recorded attendance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vrp_tui.hub.held import held_for_figures
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period
from vrp_tui.reference import (
    AGE_BAND,
    APPROACH,
    ETHNICITY,
    FUNDING_SOURCE,
    INSTRUMENTS,
    PREVENTION_LEVEL,
    SEX,
    SPOKES,
)
from vrp_tui.returns.measures import OUTCOME_COUNTS, attendance_rate, mean_change, to_tenths

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
    parts: int = 0  # returns (or interventions) added up
    # Attendance: from the parts that recorded it (returns from before it existed do not).
    attendance_parts: int = 0
    attended: int = 0  # sessions attended in those parts
    did_not_attend: int = 0
    # Outcomes: per instrument, the counts and the exact change sum in tenths, from the parts that have them.
    outcome_parts: int = 0
    outcomes: dict[str, dict[str, int]] = field(
        default_factory=lambda: {slug: dict.fromkeys((*OUTCOME_COUNTS, "change_tenths"), 0) for slug in INSTRUMENTS})

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
        self.parts += 1
        if part.get("did_not_attend") is not None:
            self.attendance_parts += 1
            self.attended += int(part["contacts"])
            self.did_not_attend += int(part["did_not_attend"])
        if part.get("outcomes") is not None:
            self.outcome_parts += 1
            for slug, mine in self.outcomes.items():
                theirs = part["outcomes"][slug]
                for name in OUTCOME_COUNTS:
                    mine[name] += int(theirs[name])
                mine["change_tenths"] += to_tenths(theirs["change_sum"])

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
        self.parts += other.parts
        self.attendance_parts += other.attendance_parts
        self.attended += other.attended
        self.did_not_attend += other.did_not_attend
        self.outcome_parts += other.outcome_parts
        for slug, mine in self.outcomes.items():
            for name, value in other.outcomes[slug].items():
                mine[name] += value

    @property
    def attendance_recorded(self) -> bool:
        return self.attendance_parts > 0

    @property
    def attendance_rate(self) -> Decimal | None:
        """Attended / (attended + did not attend) x 100 from the sums; None when not recorded or no sessions."""
        rate = attendance_rate(self.attended, self.did_not_attend) if self.attendance_recorded else None
        return None if rate is None else Decimal(str(rate))

    @property
    def outcomes_recorded(self) -> bool:
        return self.outcome_parts > 0

    def mean_change(self, slug: str) -> Decimal | None:
        o = self.outcomes[slug]
        mean = mean_change(o["change_tenths"], o["paired"]) if self.outcomes_recorded else None
        return None if mean is None else Decimal(str(mean))

    def change_sum(self, slug: str) -> Decimal:
        return (Decimal(self.outcomes[slug]["change_tenths"]) / 10).quantize(Decimal("0.1"))

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
    # Financial year to date by spoke, approach and level (attendance and outcomes add up across quarters).
    ytd_by_spoke: dict[str, Figures] = field(default_factory=dict)
    ytd_by_approach: dict[str, Figures] = field(default_factory=dict)
    ytd_by_level: dict[str, Figures] = field(default_factory=dict)
    ytd_by_intervention_total: Figures = field(default_factory=Figures)

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
    whole = [q.code for q in period.year_to_date()]  # by approach and level, for the year to date too
    return from_documents(period, held_for_figures(hub, [q.code for q in trend_quarters(period)], whole))


def from_documents(period: Period, docs: Mapping[tuple[str, str], dict[str, Any]]) -> Consolidated:
    """The VRP figures for ``period`` from return documents keyed by (spoke, period code)."""
    quarters = trend_quarters(period)
    current = {spoke: doc for (spoke, code), doc in docs.items() if code == period.code}
    by_spoke = {s: Figures.of(current[s]["totals"]) for s in SPOKES if s in current}
    vrp = Figures()
    for figures in by_spoke.values():
        vrp.add(figures)
    by_approach, by_level, everything = _groups(list(current.values()))
    ytd, ytd_returns = _year_to_date(period, docs, vrp)
    codes = {q.code for q in period.year_to_date()}
    year = [(spoke, doc) for (spoke, code), doc in docs.items() if code in codes]
    ytd_by_spoke = {s: _sum_totals([doc for spoke, doc in year if spoke == s])
                    for s in SPOKES if any(spoke == s for spoke, _ in year)}
    ytd_by_approach, ytd_by_level, ytd_everything = _groups([doc for _, doc in year])
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
        ytd_by_spoke=ytd_by_spoke, ytd_by_approach={a: ytd_by_approach[a] for a in APPROACH if a in ytd_by_approach},
        ytd_by_level=ytd_by_level, ytd_by_intervention_total=ytd_everything,
    )


def _groups(docs: list[dict[str, Any]]) -> tuple[dict[str, Figures], dict[str, Figures], Figures]:
    """The interventions of ``docs`` added up by approach, by prevention level, and all together."""
    by_approach: dict[str, Figures] = {}
    by_level = {level: Figures() for level in PREVENTION_LEVEL}
    everything = Figures()
    for doc in docs:
        for item in doc["interventions"]:
            one = Figures.of(item)
            one.interventions = 1
            by_approach.setdefault(item["approach"], Figures()).add(one)
            by_level[item["prevention_level"]].add(one)
            everything.add(one)
    return by_approach, by_level, everything


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

