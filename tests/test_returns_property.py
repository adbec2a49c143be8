"""The SQL computation against a plain-Python reading of SPEC section 4, on random small spokes.

The reference below follows the definitions word for word, one record at a
time, with none of the SQL's shortcuts (shared pair table, packed index look-ups,
window functions). Rows go in by direct SQL so that sessions no referral holds
(impossible data, but data a return must still count) are generated too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from vrp_tui import reference
from vrp_tui.formatting import json_pounds
from vrp_tui.periods import Period, age_on
from vrp_tui.returns import figures as figures_module
from vrp_tui.returns.figures import compute_figures
from vrp_tui.returns.measures import attendance_rate, mean_change
from vrp_tui.store import Store

# A short span around the 2024-25 / 2025-26 year end, so that sessions share
# days, windows overlap and birthdays fall on referral dates often.
START = date(2025, 2, 1)
DAYS = 180


@dataclass(frozen=True)
class Enrolment:
    id: int
    participant: int
    intervention: int
    referral: date
    start: date | None
    end: date | None
    exit_reason: str | None
    high_risk: bool


# 31 Mar, 1 Apr, 30 Jun, 1 Jul 2025: drawn often, so quarter edges and same-day sessions come up.
EDGES = st.sampled_from([58, 59, 149, 150])
DAYS_DRAWN = EDGES | st.integers(0, DAYS)
ATTENDANCE = st.sampled_from(["attended", "attended", "attended", "did-not-attend", "cancelled"])


def day(n: int) -> date:
    return START + timedelta(days=n)


def birth(drawn: tuple[int, int]) -> date:
    """A date of birth whose birthday is one of the span's days, ``years`` before it."""
    anniversary, years = day(drawn[0]), drawn[1]
    return anniversary.replace(year=anniversary.year - years)


@st.composite
def spokes(draw: Any) -> dict[str, Any]:
    n_int = draw(st.integers(1, 3))
    interventions = []
    for i in range(1, n_int + 1):
        s = draw(st.integers(0, DAYS))
        e = draw(st.none() | st.integers(s, DAYS))
        interventions.append((i, s, e))
    people = [
        (p, draw(st.none() | st.tuples(st.integers(0, DAYS), st.integers(5, 27))),
         draw(st.sampled_from([None, *reference.SEX])), draw(st.sampled_from([None, *reference.ETHNICITY])))
        for p in range(1, draw(st.integers(1, 4)) + 1)
    ]
    enrolments: list[Enrolment] = []
    keys = set()
    for n in range(draw(st.integers(0, 10))):
        p = draw(st.integers(1, len(people)))
        i = draw(st.integers(1, n_int))
        r = draw(DAYS_DRAWN)
        if (p, i, r) in keys:
            continue
        keys.add((p, i, r))
        start = draw(st.none() | DAYS_DRAWN.filter(lambda d, r=r: d >= r))
        lo = r if start is None else start
        end = draw(st.none() | DAYS_DRAWN.filter(lambda d, lo=lo: d >= lo))
        reason = draw(st.sampled_from(list(reference.EXIT_REASON))) if end is not None else None
        enrolments.append(Enrolment(n + 1, p, i, day(r), day(start) if start is not None else None,
                                    day(end) if end is not None else None, reason, draw(st.booleans())))
    contacts = [
        (draw(st.integers(1, len(people))), draw(st.integers(1, n_int)), draw(DAYS_DRAWN),
         draw(st.integers(1, 240)), draw(ATTENDANCE))
        for _ in range(draw(st.integers(0, 20)))
    ]
    # Measurements: of one or two instruments per spoke (so pairs come up), most inside a referral window.
    used = draw(st.lists(st.sampled_from(list(reference.INSTRUMENTS)), min_size=1, max_size=2, unique=True))
    measurements = {}
    for _ in range(draw(st.integers(0, 16))):
        instrument = reference.INSTRUMENTS[draw(st.sampled_from(used))]
        lowest = instrument.lowest // instrument.step
        score = draw(st.integers(lowest, lowest + 4)) * instrument.step  # a narrow band: ties come up
        if enrolments and draw(st.integers(0, 4)):
            e = draw(st.sampled_from(enrolments))
            lo = (e.referral - START).days
            hi = (e.end - START).days if e.end else DAYS
            key = (e.participant, e.intervention, draw(st.integers(lo, hi) | EDGES), instrument.slug)
        else:
            key = (draw(st.integers(1, len(people))), draw(st.integers(1, n_int)), draw(DAYS_DRAWN),
                   instrument.slug)
        measurements[key] = score
    quarters = [Period(2024, 3), Period(2024, 4), Period(2025, 1), Period(2025, 2), Period(2025, 3)]
    spend = {
        (draw(st.integers(1, n_int)), draw(st.sampled_from(quarters)).code, draw(st.sampled_from(["grant", "match"]))):
            draw(st.integers(0, 10**7))
        for _ in range(draw(st.integers(0, 6)))
    }
    budgets = {
        (draw(st.integers(1, n_int)), draw(st.sampled_from(["2024-25", "2025-26"])),
         draw(st.sampled_from(["grant", "match"]))): draw(st.integers(0, 10**8))
        for _ in range(draw(st.integers(0, 4)))
    }
    period = draw(st.sampled_from(quarters))
    if contacts and draw(st.booleans()):  # most often a quarter with sessions in it
        period = Period.containing(day(contacts[0][2]))
    if measurements and draw(st.booleans()):
        period = Period.containing(day(next(iter(measurements))[2]))
    return {"interventions": interventions, "people": people, "enrolments": enrolments, "contacts": contacts,
            "measurements": measurements, "spend": spend, "budgets": budgets, "period": period}


def load(data: dict[str, Any]) -> Store:
    store = Store(":memory:")
    c = store.conn
    for i, s, e in data["interventions"]:
        c.execute("INSERT INTO interventions (id, ref, name, provider, approach, prevention_level, setting, "
                  "start_date, end_date) VALUES (?, ?, 'n', 'p', 'mentoring', 'primary', 'school', ?, ?)",
                  [i, f"I{i}", day(s).isoformat(), day(e).isoformat() if e is not None else None])
    for p, dob, sex, ethnicity in data["people"]:
        c.execute("INSERT INTO participants (id, ref, date_of_birth, sex, ethnicity) VALUES (?, ?, ?, ?, ?)",
                  [p, f"P{p}", birth(dob).isoformat() if dob is not None else None, sex, ethnicity])
    for e in data["enrolments"]:
        c.execute("INSERT INTO enrolments (id, participant_id, intervention_id, referral_date, referral_source, "
                  "high_risk, start_date, end_date, exit_reason) VALUES (?, ?, ?, ?, 'police', ?, ?, ?, ?)",
                  [e.id, e.participant, e.intervention, e.referral.isoformat(), int(e.high_risk),
                   e.start and e.start.isoformat(), e.end and e.end.isoformat(), e.exit_reason])
    for p, i, d, m, attendance in data["contacts"]:
        c.execute("INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode, attendance) "
                  "VALUES (?, ?, ?, ?, 'group', ?)", [p, i, day(d).isoformat(), m, attendance])
    for (p, i, d, instrument), score in data["measurements"].items():
        c.execute("INSERT INTO measurements (participant_id, intervention_id, date, instrument, score_tenths) "
                  "VALUES (?, ?, ?, ?, ?)", [p, i, day(d).isoformat(), instrument, score])
    for (i, period, source), amount in data["spend"].items():
        c.execute("INSERT INTO spend (intervention_id, period, funding_source, amount) VALUES (?, ?, ?, ?)",
                  [i, period, source, amount])
    for (i, fy, source), amount in data["budgets"].items():
        c.execute("INSERT INTO budgets (intervention_id, financial_year, funding_source, amount) "
                  "VALUES (?, ?, ?, ?)", [i, fy, source, amount])
    return store


def reference_figures(data: dict[str, Any]) -> dict[str, Any]:
    """SPEC section 4 read literally, in plain Python."""
    period: Period = data["period"]
    first, last = period.first_day, period.last_day

    def in_q(d: date | None) -> bool:
        return d is not None and first <= d <= last

    dob = {p: birth(b) if b is not None else None for p, b, _, _ in data["people"]}
    sex = {p: s or "not-known" for p, _, s, _ in data["people"]}
    ethnicity = {p: e or "not-stated" for p, _, _, e in data["people"]}
    offered = [(p, i, day(d), m, a) for p, i, d, m, a in data["contacts"] if in_q(day(d))]
    contacts = [(p, i, d, m) for p, i, d, m, a in offered if a == "attended"]

    def holding(p: int, i: int, d: date) -> Enrolment | None:
        windows = [e for e in data["enrolments"] if e.participant == p and e.intervention == i
                   and e.referral <= d and (e.end is None or e.end >= d)]
        return max(windows, key=lambda e: e.referral) if windows else None

    def band(p: int, e: Enrolment | None) -> str:
        birth = dob[p]
        return reference.age_band(age_on(birth, e.referral) if e and birth else None)

    def breakdowns(picks: list[tuple[int, Enrolment | None]]) -> dict[str, Any]:
        return {
            "active": len(picks),
            "high_risk_active": sum(1 for _, e in picks if e is not None and e.high_risk),
            "active_by_age_band": {k: Counter(band(p, e) for p, e in picks)[k] for k in reference.AGE_BAND},
            "active_by_sex": {k: Counter(sex[p] for p, _ in picks)[k] for k in reference.SEX},
            "active_by_ethnicity": {k: Counter(ethnicity[p] for p, _ in picks)[k] for k in reference.ETHNICITY},
        }

    ytd = {q.code for q in period.year_to_date()}

    def funding(rows: dict[tuple[int, str, str], int], i: int, match: set[str]) -> dict[str, int]:
        return {s: sum(v for (ii, w, src), v in rows.items() if ii == i and w in match and src == s)
                for s in ("grant", "match")}

    def outcomes(i: int, slug: str) -> dict[str, Any]:
        """SPEC section 4's outcomes of instrument ``slug`` on intervention ``i``, enrolment by enrolment."""
        sign = 1 if reference.INSTRUMENTS[slug].higher_is_better else -1
        out = dict.fromkeys(("measured", "paired", "improved", "unchanged", "worsened", "change"), 0)
        for e in data["enrolments"]:
            if e.intervention != i:
                continue
            mine = sorted((day(d), score) for (p, ii, d, instrument), score in data["measurements"].items()
                          if ii == i and instrument == slug and p == e.participant
                          and holding(p, i, day(d)) == e and day(d) <= last)
            out["measured"] += any(in_q(d) for d, _ in mine)
            if len(mine) >= 2 and in_q(mine[-1][0]):
                change = (mine[-1][1] - mine[0][1]) * sign
                out["paired"] += 1
                out["improved" if change > 0 else "unchanged" if change == 0 else "worsened"] += 1
                out["change"] += change
        return out

    lines = {}
    for i, s, e in data["interventions"]:
        mine = [c for c in contacts if c[1] == i]
        active = sorted({c[0] for c in mine})
        picks = [(p, holding(p, i, max(c[2] for c in mine if c[0] == p))) for p in active]
        own = [e for e in data["enrolments"] if e.intervention == i]
        line = {
            "referrals": sum(in_q(e.referral) for e in own),
            "starts": sum(in_q(e.start) for e in own),
            "completions": sum(in_q(e.end) and e.exit_reason == "completed" for e in own),
            "other_exits": sum(in_q(e.end) and e.exit_reason != "completed" for e in own),
            "contacts": len(mine),
            "did_not_attend": sum(1 for c in offered if c[1] == i and c[4] == "did-not-attend"),
            "outcomes": {slug: outcomes(i, slug) for slug in reference.INSTRUMENTS},
            "minutes": sum(c[3] for c in mine),
            **breakdowns(picks),
            "spend_gbp": funding(data["spend"], i, {period.code}),
            "spend_ytd_gbp": funding(data["spend"], i, ytd),
            "budget_gbp": funding(data["budgets"], i, {period.financial_year}),
        }
        overlaps = day(s) <= last and (e is None or day(e) >= first)
        busy = any(line[k] for k in ("referrals", "starts", "completions", "other_exits", "contacts",
                                     "did_not_attend")) or any(o["measured"] for o in line["outcomes"].values())
        spent = any(ii == i and w in ytd for ii, w, _ in data["spend"])
        if overlaps or busy or spent:
            lines[f"I{i}"] = line

    def latest(p: int) -> tuple[date, str, int, int, Enrolment | None]:
        options = []
        for pp, i, d, _ in contacts:
            if pp == p:
                e = holding(p, i, d)
                options.append((d, e.referral.isoformat() if e else "", e.id if e else 0, i, e))
        return max(options, key=lambda o: o[:4])

    people = sorted({c[0] for c in contacts})
    totals = {
        **{k: sum(line[k] for line in lines.values())
           for k in ("referrals", "starts", "completions", "other_exits", "contacts", "did_not_attend")},
        "outcomes": {slug: {k: sum(line["outcomes"][slug][k] for line in lines.values())
                            for k in ("measured", "paired", "improved", "unchanged", "worsened", "change")}
                     for slug in reference.INSTRUMENTS},
        **breakdowns([(p, latest(p)[4]) for p in people]),
        "hours": sum(_hours(line["minutes"]) for line in lines.values()),
        **{m: {s: sum(line[m][s] for line in lines.values()) for s in ("grant", "match")}
           for m in ("spend_gbp", "spend_ytd_gbp", "budget_gbp")},
    }
    return {"lines": lines, "totals": totals}


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def as_document(figures: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in figures.items() if k not in ("minutes", "hours")}
    out["contact_hours"] = float(figures["hours"] if "hours" in figures else _hours(figures["minutes"]))
    for m in ("spend_gbp", "spend_ytd_gbp", "budget_gbp"):
        out[m] = {s: json_pounds(v) for s, v in figures[m].items()}
    out["attendance_rate"] = attendance_rate(figures["contacts"], figures["did_not_attend"])
    out["outcomes"] = {slug: {**{k: v for k, v in o.items() if k != "change"}, "change_sum": o["change"] / 10,
                              "mean_change": mean_change(o["change"], o["paired"])}
                       for slug, o in figures["outcomes"].items()}
    return out


def matches_the_reading(data: dict[str, Any]) -> None:
    store = load(data)
    try:
        got = compute_figures(store, data["period"])
    finally:
        store.close()
    expected = reference_figures(data)
    lines = {line["ref"]: {k: v for k, v in line.items()
                           if k not in ("ref", "name", "approach", "prevention_level", "setting")}
             for line in got["interventions"]}
    assert lines == {ref: as_document(line) for ref, line in expected["lines"].items()}
    assert got["totals"] == as_document(expected["totals"])


# One young person referred twice to one intervention (the first referral ended before the quarter),
# with SDQ totals (lower is better): 0 in the first referral; 30 before the quarter and 10 in it in the
# second. The second is paired with a change of +20. A broken orientation gives -20, a baseline taken
# from the quarter 0, one baseline per person (0 -> 10) -10: each rule is exercised on every run.
TWO_REFERRALS = {
    "interventions": [(1, 0, None)], "people": [(1, None, None, None)],
    "enrolments": [Enrolment(1, 1, 1, day(0), None, day(50), "completed", False),
                   Enrolment(2, 1, 1, day(55), None, None, None, False)],
    "contacts": [], "spend": {}, "budgets": {}, "period": Period(2025, 1),
    "measurements": {(1, 1, 10, "sdq-total"): 0, (1, 1, 56, "sdq-total"): 300, (1, 1, 100, "sdq-total"): 100},
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spokes())
@example(TWO_REFERRALS)
def test_sql_figures_match_a_plain_reading_of_the_definitions(data: dict[str, Any]) -> None:
    matches_the_reading(data)




@settings(max_examples=300, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(spokes())
@example(TWO_REFERRALS)
def _property(data: dict[str, Any]) -> None:
    matches_the_reading(data)


def _broken(old: str, new: str) -> str:
    assert old in figures_module.OUTCOMES
    return figures_module.OUTCOMES.replace(old, new)


@pytest.mark.parametrize(("what", "attribute", "value"), [
    # Orientation: no instrument treated as lower-is-better (SDQ changes keep their sign).
    ("orientation", "LOWER_IS_BETTER", ("no-such-instrument",)),
    # Baseline: the earliest measurement in the quarter instead of the earliest of the enrolment.
    ("baseline", "OUTCOMES", _broken("min(date || score_tenths)",
                                     "min(CASE WHEN date >= :first THEN date || score_tenths END)")),
    # Enrolment: measurements grouped per young person, not per holding enrolment.
    ("window", "OUTCOMES", _broken("GROUP BY enrolment_id, instrument",
                                   "GROUP BY intervention_id, instrument, "
                                   "(SELECT participant_id FROM enrolments WHERE id = enrolment_id)")),
], ids=["orientation", "baseline", "window"])
def test_the_property_catches_a_broken_outcome_rule(monkeypatch: pytest.MonkeyPatch, what: str, attribute: str,
                                                    value: Any) -> None:
    monkeypatch.setattr(figures_module, attribute, value)
    with pytest.raises(AssertionError):
        _property()
