"""The figures of a quarterly return, computed by SQL over one quarter (SPEC section 4).

Each figure follows SPEC section 4 exactly. Where SPEC is silent:

- An enrolment with an end date in the quarter and no exit reason (impossible
  data, flagged by validation) counts as an other exit.
- A participant whose latest contact in the quarter no enrolment window holds
  (also flagged) counts as not high risk, in age band ``unknown``.
- Contacts, active young people, contact hours and the breakdowns count
  attended contacts only; a did-not-attend contact counts in
  ``did_not_attend``, a cancelled one nowhere (it was not offered).
- Spoke totals: referrals, starts, completions, other exits, contacts, contact
  hours, did-not-attend, outcome counts and change sums, and money are sums of
  the interventions' figures (contact hours: the sum of the interventions'
  rounded hours, so the table adds up); the attendance rate and mean changes
  are worked out again from those sums. ``active``,
  ``high_risk_active`` and the breakdowns count each young person once, from
  their latest attended contact in the quarter across the spoke; if they had contacts on
  that day on several interventions, the holding enrolment with the later
  referral date wins (then the higher enrolment id, then intervention id).
- A return lists the interventions whose dates overlap the quarter, plus any
  other with a figure in it or spend recorded for the financial year so far;
  ordered by ref.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from vrp_tui import reference
from vrp_tui.formatting import json_pounds
from vrp_tui.periods import Period
from vrp_tui.returns.measures import OUTCOME_COUNTS, attendance_rate, hours, outcome_figures
from vrp_tui.store import Store

COUNTS = ("referrals", "starts", "completions", "other_exits")

ENROLMENT_COUNTS = """
SELECT intervention_id,
       sum(referral_date BETWEEN :first AND :last),
       sum(coalesce(start_date BETWEEN :first AND :last, 0)),
       sum(coalesce(end_date BETWEEN :first AND :last AND exit_reason IS 'completed', 0)),
       sum(coalesce(end_date BETWEEN :first AND :last AND exit_reason IS NOT 'completed', 0))
FROM enrolments NOT INDEXED
WHERE referral_date BETWEEN :first AND :last
   OR start_date BETWEEN :first AND :last
   OR end_date BETWEEN :first AND :last
GROUP BY intervention_id
"""

# One row per (intervention, participant) with contacts in the quarter: their
# first and last contact day of any attendance (for the holding-window check),
# their attended contacts, minutes and latest attended day (``day``: NULL when
# none was attended) and their did-not-attend contacts. Kept added up by the
# triggers on contacts (``quarter_pairs``, migration m009), copied once per
# return into a TEMP table shared by the figures and the validation checks.
PAIRS = """
CREATE TEMP TABLE {table} AS
SELECT intervention_id, participant_id, first_day, last_day, day, contacts, minutes, did_not_attend
FROM quarter_pairs WHERE quarter = :first
"""

DID_NOT_ATTEND = """
SELECT intervention_id, sum(did_not_attend) FROM {pairs}
GROUP BY intervention_id HAVING sum(did_not_attend) > 0
"""

# Outcomes (SPEC section 4). Only young people with a measurement in the
# quarter can count, so their (participant, intervention) pairs are found
# first; then all their measurements up to the quarter's last day, each with
# the enrolment whose window holds its date (the later referral wins: the
# contact rule; NULL when none does). Built once per return (a TEMP table, made
# with the contact pairs) and shared by the figures and the validation checks.
HOLDS = """
CREATE TEMP TABLE {table} AS
WITH cand AS MATERIALIZED (
    SELECT DISTINCT participant_id, intervention_id FROM measurements NOT INDEXED
    WHERE date BETWEEN :first AND :last
)
SELECT m.id, m.intervention_id, m.instrument, m.date, m.score_tenths, (
    SELECT id FROM enrolments
    WHERE participant_id = m.participant_id AND intervention_id = m.intervention_id
      AND referral_date <= m.date AND (end_date IS NULL OR end_date >= m.date)
    ORDER BY referral_date DESC LIMIT 1) AS enrolment_id
FROM cand c CROSS JOIN measurements m
  ON m.participant_id = c.participant_id AND m.intervention_id = c.intervention_id AND m.date <= :last
"""

# Per enrolment and instrument: whether its latest is in the quarter (measured),
# paired, and the change from the earliest to the latest score (written after
# the date, so min() and max() pick them without a sort: an enrolment has one
# score an instrument a day), oriented.
OUTCOMES = """
WITH per AS (
    SELECT intervention_id, instrument, count(*) >= 2 AS paired,
           (CAST(substr(max(date || score_tenths), 11) AS INTEGER)
            - CAST(substr(min(date || score_tenths), 11) AS INTEGER))
           * (CASE WHEN instrument IN ({lower}) THEN -1 ELSE 1 END) AS change
    FROM {holds} WHERE enrolment_id IS NOT NULL
    GROUP BY enrolment_id, instrument HAVING max(date) >= :first
)
SELECT intervention_id, instrument, count(*), sum(paired), sum(paired AND change > 0),
       sum(paired AND change = 0), sum(paired AND change < 0), sum(CASE WHEN paired THEN change ELSE 0 END)
FROM per GROUP BY intervention_id, instrument
"""
LOWER_IS_BETTER = tuple(slug for slug, i in reference.INSTRUMENTS.items() if not i.higher_is_better)

# Each pair with the enrolment whose window holds its latest contact (the
# later referral wins), grouped per intervention, then per young person across
# the spoke (intervention_id NULL) from their latest contact. The holding
# enrolment is found with one look in the covering index enrolments_window,
# which returns referral_date (10 characters), high_risk (1) and id packed in
# one string, so no table row is read (materialized: SQLite would otherwise
# look it up again for each use). Per young person, SQLite's max() with bare
# columns picks the row with the greatest (day, referral date, enrolment id,
# intervention id), packed as one sortable string (ids as 16 digits; no
# referral sorts first), without a window function's sort.
ACTIVE = """
WITH holding AS MATERIALIZED (
    SELECT c.intervention_id, c.participant_id, c.day, c.contacts, c.minutes, (
        SELECT referral_date || high_risk || id FROM enrolments
        WHERE participant_id = c.participant_id AND intervention_id = c.intervention_id
          AND referral_date <= c.day AND (end_date IS NULL OR end_date >= c.day)
        ORDER BY referral_date DESC LIMIT 1) AS hold, p.date_of_birth, p.sex, p.ethnicity
    FROM {pairs} c JOIN participants p ON p.id = c.participant_id WHERE c.day IS NOT NULL
), held AS (
    SELECT intervention_id, participant_id, day, contacts, minutes, hold, sex, ethnicity,
           coalesce(substr(hold, 11, 1) = '1', 0) AS high_risk,
           CAST(substr(hold, 1, 4) AS INTEGER) - CAST(substr(date_of_birth, 1, 4) AS INTEGER)
             - (substr(hold, 6, 5) < substr(date_of_birth, 6, 5)) AS age
    FROM holding
)
SELECT intervention_id, high_risk, {band} AS age_band, sex, ethnicity, count(*), sum(contacts), sum(minutes)
FROM held GROUP BY intervention_id, high_risk, age_band, sex, ethnicity
UNION ALL
SELECT NULL, high_risk, {band} AS age_band, sex, ethnicity, count(*), 0, 0
FROM (SELECT max(day || coalesce(substr(hold, 1, 10), '0000-00-00')
                 || (1000000000000000 + coalesce(CAST(substr(hold, 12) AS INTEGER), 0))
                 || (1000000000000000 + intervention_id)),
             high_risk, age, sex, ethnicity
      FROM held GROUP BY participant_id)
GROUP BY high_risk, age_band, sex, ethnicity
""".replace("{band}", """CASE WHEN age IS NULL THEN 'unknown' WHEN age < 10 THEN '0-9' WHEN age < 15 THEN '10-14'
     WHEN age < 18 THEN '15-17' WHEN age < 25 THEN '18-24' ELSE '25+' END""")

SPEND = """
SELECT intervention_id, funding_source,
       sum(CASE WHEN period = :period THEN amount ELSE 0 END), sum(amount)
FROM spend WHERE period IN ({ytd})
GROUP BY intervention_id, funding_source
"""

BUDGETS = """
SELECT intervention_id, funding_source, sum(amount)
FROM budgets WHERE financial_year = :fy
GROUP BY intervention_id, funding_source
"""

OVERLAPPING = """
SELECT id FROM interventions
WHERE start_date <= :last AND (end_date IS NULL OR end_date >= :first)
"""


def _zero_figures() -> dict[str, Any]:
    return {
        **dict.fromkeys(("referrals", "starts", "active", "high_risk_active", "completions",
                         "other_exits", "contacts"), 0),
        "minutes": 0,
        "did_not_attend": 0,
        "outcomes": {slug: {**dict.fromkeys(OUTCOME_COUNTS, 0), "change_tenths": 0} for slug in reference.INSTRUMENTS},
        "active_by_age_band": dict.fromkeys(reference.AGE_BAND, 0),
        "active_by_sex": dict.fromkeys(reference.SEX, 0),
        "active_by_ethnicity": dict.fromkeys(reference.ETHNICITY, 0),
        "spend_gbp": dict.fromkeys(reference.FUNDING_SOURCE, 0),
        "spend_ytd_gbp": dict.fromkeys(reference.FUNDING_SOURCE, 0),
        "budget_gbp": dict.fromkeys(reference.FUNDING_SOURCE, 0),
    }


def _add_active(fig: dict[str, Any], high_risk: int, band: str, sex: str | None,
                ethnicity: str | None, n: int) -> None:
    fig["active"] += n
    fig["high_risk_active"] += n if high_risk else 0
    fig["active_by_age_band"][band] += n
    fig["active_by_sex"][sex if sex in reference.SEX else "not-known"] += n
    fig["active_by_ethnicity"][ethnicity if ethnicity in reference.ETHNICITY else "not-stated"] += n


def _finish(fig: dict[str, Any], contact_hours: Decimal) -> dict[str, Any]:
    """Figures in document form: hours as a number, money as pounds strings."""
    out = {k: v for k, v in fig.items() if k != "minutes"}
    out["contact_hours"] = float(contact_hours)
    out["attendance_rate"] = attendance_rate(fig["contacts"], fig["did_not_attend"])
    out["outcomes"] = {slug: outcome_figures(o, o["change_tenths"]) for slug, o in fig["outcomes"].items()}
    for money in ("spend_gbp", "spend_ytd_gbp", "budget_gbp"):
        out[money] = {k: json_pounds(v) for k, v in fig[money].items()}
    return out


def params_of(period: Period) -> dict[str, str]:
    return {"first": period.first_day.isoformat(), "last": period.last_day.isoformat(),
            "period": period.code, "fy": period.financial_year}


def holds_table(period: Period) -> str:
    """The TEMP table of the measurements the period's outcomes read, with their holding enrolments
    (made by :func:`contact_pairs`, alongside the contact pairs)."""
    return f'temp."measurement_holds_{period.code}"'


@contextmanager
def contact_pairs(store: Store, period: Period) -> Iterator[str]:
    """The name of the TEMP table of the period's (intervention, participant) pairs; the table of
    :func:`holds_table` is made with it.

    Re-entrant: an inner use shares the tables an outer one made; the maker drops them.
    """
    table = f'temp."contact_pairs_{period.code}"'
    made = not store.conn.execute(
        "SELECT 1 FROM temp.sqlite_master WHERE name = ?", [f"contact_pairs_{period.code}"]).fetchone()
    if made:
        store.conn.execute(PAIRS.format(table=table), params_of(period))
        store.conn.execute(HOLDS.format(table=holds_table(period)), params_of(period))
    try:
        yield table
    finally:
        if made:
            store.conn.execute(f"DROP TABLE IF EXISTS {table}")
            store.conn.execute(f"DROP TABLE IF EXISTS {holds_table(period)}")


def compute_figures(store: Store, period: Period) -> dict[str, Any]:
    """``{"interventions": [...], "totals": {...}}`` for ``period``, in document form."""
    params = params_of(period)
    figures: dict[int, dict[str, Any]] = defaultdict(_zero_figures)
    conn = store.conn
    for row in conn.execute(ENROLMENT_COUNTS, params):
        fig = figures[row[0]]
        for name, value in zip(COUNTS, row[1:], strict=True):
            fig[name] = value
    totals = _zero_figures()
    with contact_pairs(store, period) as pairs:
        active = conn.execute(ACTIVE.format(pairs=pairs), params).fetchall()
        for intervention_id, missed in conn.execute(DID_NOT_ATTEND.format(pairs=pairs)):
            figures[intervention_id]["did_not_attend"] = missed
        lower = ", ".join(f"'{slug}'" for slug in LOWER_IS_BETTER)
        outcomes = conn.execute(OUTCOMES.format(lower=lower, holds=holds_table(period)), params).fetchall()
    for intervention_id, instrument, *counts, change in outcomes:
        if instrument in reference.INSTRUMENTS:
            outcome = figures[intervention_id]["outcomes"][instrument]
            outcome.update(zip(OUTCOME_COUNTS, counts, strict=True), change_tenths=change)
    for intervention_id, high_risk, band, sex, ethnicity, n, contacts, minutes in active:
        fig = totals if intervention_id is None else figures[intervention_id]
        _add_active(fig, high_risk, band, sex, ethnicity, n)
        fig["contacts"] += contacts
        fig["minutes"] += minutes
    ytd = [p.code for p in period.year_to_date()]
    spend_sql = SPEND.format(ytd=", ".join(f":ytd{i}" for i in range(len(ytd))))
    spend_params = {**params, **{f"ytd{i}": code for i, code in enumerate(ytd)}}
    for intervention_id, source, in_quarter, year_to_date in conn.execute(spend_sql, spend_params):
        if source in reference.FUNDING_SOURCE:
            figures[intervention_id]["spend_gbp"][source] = in_quarter
            figures[intervention_id]["spend_ytd_gbp"][source] = year_to_date
    for (intervention_id,) in conn.execute(OVERLAPPING, params):
        figures.setdefault(intervention_id, _zero_figures())  # listed even with nothing to report
    for intervention_id, source, amount in conn.execute(BUDGETS, params):
        if intervention_id in figures and source in reference.FUNDING_SOURCE:
            figures[intervention_id]["budget_gbp"][source] = amount
    return _assemble(store, figures, totals)


def _assemble(store: Store, figures: dict[int, dict[str, Any]], totals: dict[str, Any]) -> dict[str, Any]:
    interventions = []
    total_hours = Decimal(0)
    if figures:
        marks = ", ".join("?" * len(figures))
        rows = store.conn.execute(
            f"SELECT id, ref, name, approach, prevention_level, setting FROM interventions "
            f"WHERE id IN ({marks}) ORDER BY ref", list(figures),
        ).fetchall()
    else:
        rows = []
    for intervention_id, ref, name, approach, prevention_level, setting in rows:
        fig = figures[intervention_id]
        contact_hours = Decimal(str(hours(fig["minutes"])))
        total_hours += contact_hours
        for name_ in (*COUNTS, "contacts", "did_not_attend"):
            totals[name_] += fig[name_]
        for slug, outcome in fig["outcomes"].items():
            for part, value in outcome.items():
                totals["outcomes"][slug][part] += value
        for money in ("spend_gbp", "spend_ytd_gbp", "budget_gbp"):
            for source, amount in fig[money].items():
                totals[money][source] += amount
        interventions.append({"ref": ref, "name": name, "approach": approach,
                              "prevention_level": prevention_level, "setting": setting,
                              **_finish(fig, contact_hours)})
    return {"interventions": interventions, "totals": _finish(totals, total_hours)}
