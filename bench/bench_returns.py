"""Building one quarter's return on the benchmark spoke, against hand-written SQL for the same figures.

The baseline is the plain query set a developer would write for SPEC section 4
straight from the definitions (no shared pair table), run on the same database,
in the same process, alternating with the build. Two times are compared with it:
``compute_figures`` (the figures alone) and ``build`` (what the Returns screen
and `vrp return build` run: figures, every validation check and the pydantic
document). Targets (SPEC section 8): at most 1x the baseline, under 0.5 s.
The baseline covers every figure: attended sessions, did-not-attend, and the
outcomes per intervention and instrument (each measurement's holding
enrolment by a correlated look-up, baseline and follow-up by window
functions), as the definitions read. Printed beside them, the limit no build
can beat (one pass over the quarter's sessions through their covering index)
and what grouping those sessions into pairs costs (the build reads the pairs
kept by triggers, ``quarter_pairs``, instead).

Then responsiveness: a headless Textual app with a timer ticking every 10 ms
builds the return in a thread worker (as the Returns screen does), and the
longest gap between ticks is the longest the event loop was held up. For
contrast the same build is run once on the event loop itself. Then the real
Returns screen is opened on the data set with the same timer and its gaps are
printed: while its worker builds and it draws the result, and while Textual
mounts its widgets (opening it, a tab's first showing: the framework's layout
work, which other screens pay too). Target: no stall over 50 ms while the
build runs in its worker (the budget is judged on the bare app, whose loop
does nothing else; the screen's figures vary with what else the machine does).

    python -m bench.bench_returns [--runs N] [--period 2025-26-Q3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App

from bench.common import Figure, as_vrp_runs_it, verdict
from bench.generate import note, spoke_db
from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.returns.figures import compute_figures
from vrp_tui.store import Store

TARGET_RATIO = 1.0
TARGET_SECONDS = 0.5
TARGET_STALL = 0.050

BAND = """CASE WHEN e.id IS NULL OR p.date_of_birth IS NULL THEN 'unknown' ELSE (
    SELECT CASE WHEN a < 10 THEN '0-9' WHEN a < 15 THEN '10-14' WHEN a < 18 THEN '15-17'
                WHEN a < 25 THEN '18-24' ELSE '25+' END
    FROM (SELECT CAST(strftime('%Y', e.referral_date) AS INTEGER) - CAST(strftime('%Y', p.date_of_birth) AS INTEGER)
                 - (strftime('%m-%d', e.referral_date) < strftime('%m-%d', p.date_of_birth)) AS a)) END"""

LATEST = """
WITH latest AS (
    SELECT intervention_id, participant_id, max(date) AS day FROM contacts
    WHERE date BETWEEN :first AND :last AND attendance = 'attended' GROUP BY intervention_id, participant_id
), held AS (
    SELECT l.*, (SELECT id FROM enrolments
                 WHERE participant_id = l.participant_id AND intervention_id = l.intervention_id
                   AND referral_date <= l.day AND (end_date IS NULL OR end_date >= l.day)
                 ORDER BY referral_date DESC LIMIT 1) AS enrolment_id
    FROM latest l
)"""

BASELINE = {
    "enrolments": """
        SELECT intervention_id,
               sum(referral_date BETWEEN :first AND :last), sum(start_date BETWEEN :first AND :last),
               sum(end_date BETWEEN :first AND :last AND exit_reason = 'completed'),
               sum(end_date BETWEEN :first AND :last AND exit_reason <> 'completed')
        FROM enrolments GROUP BY intervention_id""",
    "contacts": """
        SELECT intervention_id, sum(attendance = 'attended'),
               sum(CASE WHEN attendance = 'attended' THEN minutes ELSE 0 END),
               sum(attendance = 'did-not-attend')
        FROM contacts WHERE date BETWEEN :first AND :last GROUP BY intervention_id""",
    "outcomes": """
        WITH held AS (
            SELECT m.intervention_id, m.instrument, m.date, m.score_tenths, (
                SELECT id FROM enrolments e
                WHERE e.participant_id = m.participant_id AND e.intervention_id = m.intervention_id
                  AND e.referral_date <= m.date AND (e.end_date IS NULL OR e.end_date >= m.date)
                ORDER BY e.referral_date DESC LIMIT 1) AS enrolment_id
            FROM measurements m WHERE m.date <= :last
        ), ordered AS (
            SELECT *, count(*) OVER w AS n, max(date) OVER w AS latest,
                   first_value(score_tenths) OVER w AS baseline, last_value(score_tenths) OVER w AS follow_up
            FROM held WHERE enrolment_id IS NOT NULL
            WINDOW w AS (PARTITION BY enrolment_id, instrument ORDER BY date
                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ), per AS (
            SELECT DISTINCT enrolment_id, intervention_id, instrument, n, latest,
                   (follow_up - baseline) * CASE WHEN instrument = 'sdq-total' THEN -1 ELSE 1 END AS change
            FROM ordered WHERE latest >= :first
        )
        SELECT intervention_id, instrument, count(*), sum(n >= 2), sum(n >= 2 AND change > 0),
               sum(n >= 2 AND change = 0), sum(n >= 2 AND change < 0), sum(CASE WHEN n >= 2 THEN change END)
        FROM per GROUP BY intervention_id, instrument""",
    "active per intervention": LATEST + f"""
        SELECT h.intervention_id, coalesce(e.high_risk, 0), {BAND}, p.sex, p.ethnicity, count(*)
        FROM held h JOIN participants p ON p.id = h.participant_id
        LEFT JOIN enrolments e ON e.id = h.enrolment_id
        GROUP BY 1, 2, 3, 4, 5""",
    "active in the spoke": LATEST + f"""
        , ranked AS (
            SELECT h.*, e.referral_date, row_number() OVER (
                PARTITION BY h.participant_id
                ORDER BY h.day DESC, e.referral_date DESC, h.enrolment_id DESC, h.intervention_id DESC) AS n
            FROM held h LEFT JOIN enrolments e ON e.id = h.enrolment_id)
        SELECT coalesce(e.high_risk, 0), {BAND}, p.sex, p.ethnicity, count(*)
        FROM ranked r JOIN participants p ON p.id = r.participant_id
        LEFT JOIN enrolments e ON e.id = r.enrolment_id
        WHERE r.n = 1 GROUP BY 1, 2, 3, 4""",
    "spend": """
        SELECT intervention_id, funding_source, sum(CASE WHEN period = :period THEN amount ELSE 0 END),
               sum(amount)
        FROM spend WHERE period IN (SELECT value FROM json_each(:ytd)) GROUP BY 1, 2""",
    "budgets": """
        SELECT intervention_id, funding_source, sum(amount) FROM budgets
        WHERE financial_year = :fy GROUP BY 1, 2""",
}


def baseline(store: Store, period: Period) -> dict[str, list[Any]]:
    params = {"first": period.first_day.isoformat(), "last": period.last_day.isoformat(),
              "period": period.code, "fy": period.financial_year,
              "ytd": "[" + ", ".join(f'"{p.code}"' for p in period.year_to_date()) + "]"}
    with store.transaction():  # one snapshot, as the build has
        return {name: store.conn.execute(sql, params).fetchall() for name, sql in BASELINE.items()}


def median_seconds(action: Callable[[], Any], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


class Ticker(App[None]):
    """Ticks every 10 ms and keeps the longest gap seen while a build runs."""

    def __init__(self, db: Path, period: Period, *, in_worker: bool):
        super().__init__()
        self.db, self.period, self.in_worker = db, period, in_worker
        self.longest = 0.0
        self.last = 0.0
        self.building = False
        self.built = asyncio.Event()

    def on_mount(self) -> None:
        self.last = time.perf_counter()
        self.set_interval(0.010, self.tick)

    def tick(self) -> None:
        now = time.perf_counter()
        if self.building:
            self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.building = True
        self.last = time.perf_counter()
        if self.in_worker:
            self.build_in_worker()
        else:
            self.build_here()

    @work(thread=True, exit_on_error=False)
    def build_in_worker(self) -> None:
        store = Store(self.db)  # one store per thread
        try:
            lifecycle.build(store, self.period)
        finally:
            store.close()
        self.call_from_thread(self.done)

    def build_here(self) -> None:
        store = Store(self.db)
        try:
            lifecycle.build(store, self.period)
        finally:
            store.close()
        self.done()

    def done(self) -> None:
        self.tick()  # a build on the loop itself shows up as the gap up to now
        self.building = False
        self.built.set()


async def longest_stall(db: Path, period: Period, *, in_worker: bool) -> float:
    app = Ticker(db, period, in_worker=in_worker)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        app.start()
        await asyncio.wait_for(app.built.wait(), timeout=60)
        await pilot.pause(0.05)
    return app.longest


async def screen_stall(db: Path, period: Period) -> dict[str, float]:
    """Longest event-loop gaps with the real Returns screen: while it opens (Textual mounting its
    widgets), while its worker builds the quarter and the screen draws it, and while each tab is
    shown for the first time; and how long the build took to appear."""
    from vrp_tui.app import make_app
    from vrp_tui.screens.spoke.returns import ReturnsScreen

    app = make_app(db, cursor_blink=False)
    as_vrp_runs_it()
    gaps = {"longest": 0.0, "last": 0.0}
    out: dict[str, float] = {}

    def tick() -> None:
        now = time.perf_counter()
        gaps["longest"] = max(gaps["longest"], now - gaps["last"])
        gaps["last"] = now

    def take(name: str) -> None:
        out[name], gaps["longest"] = gaps["longest"], 0.0

    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        screen = ReturnsScreen(period)
        gaps["last"] = started = time.perf_counter()
        app.set_interval(0.010, tick)
        await app.push_screen(screen)
        await pilot.pause(0.4)  # mounted, laid out and drawn: Textual's work (the build runs on in its worker)
        assert screen.built is None, "the build finished before the screen had opened: nothing left to measure"
        take("opening")
        while screen.built is None or screen.chart is None:
            await asyncio.sleep(0.005)
        out["seconds"] = time.perf_counter() - started
        await pilot.pause(0.05)
        take("building")
        for key in "23451":
            await pilot.press(key)
            await pilot.pause(0.1)
        take("tabs")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--period", help="the quarter to build (default: the data set's last quarter)")
    args = parser.parse_args()
    db = spoke_db()
    store = Store(db)  # the first open after a migration builds its indexes: not timed
    period = Period.parse(args.period or note()["last_period"])
    lifecycle.build(store, period)  # warm the page cache for every side alike
    baseline(store, period)

    times: dict[str, list[float]] = {"baseline": [], "figures": [], "build": []}
    for _ in range(args.runs):  # alternate, so a busy moment of the machine hits every side
        for name, action in (("baseline", lambda: baseline(store, period)),
                             ("figures", lambda: compute_figures(store, period)),
                             ("build", lambda: lifecycle.build(store, period))):
            started = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - started)
    draft = lifecycle.build(store, period)
    rows = baseline(store, period)
    scan, _ = median_seconds(lambda: bare_scan(store, period), args.runs)
    store.close()
    doc = draft.document
    active_people = sum(r[-1] for r in rows["active in the spoke"])
    assert active_people == doc.totals.active, "the baseline and the build must count the same people"
    assert doc.totals.outcomes is not None and doc.totals.did_not_attend is not None
    paired = sum(getattr(doc.totals.outcomes, f).paired for f in type(doc.totals.outcomes).model_fields)
    assert paired == sum(r[3] for r in rows["outcomes"]), "the baseline and the build must pair the same measures"
    assert doc.totals.did_not_attend == sum(r[3] for r in rows["contacts"])

    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"{period.code} ({period.label}) on {db.name}: {len(doc.interventions)} interventions, "
          f"{doc.totals.active:,} young people active, {doc.totals.contacts:,} sessions, "
          f"{doc.totals.contact_hours:,} hours, {doc.totals.did_not_attend:,} not attended "
          f"({doc.totals.attendance_rate}% attendance), {paired:,} paired outcome measures, "
          f"{len(draft.findings):,} findings")
    print(f"medians over {args.runs} runs (min-max):")
    for name, label in (("baseline", "hand-written SQL (baseline)"), ("figures", "compute_figures"),
                        ("build", "build (figures + validation + document)")):
        print(f"  {label:42} {med[name] * 1000:7.0f} ms  ({min(times[name]) * 1000:.0f}-"
              f"{max(times[name]) * 1000:.0f})")
    figures_ratio, build_ratio = med["figures"] / med["baseline"], med["build"] / med["baseline"]
    print(f"  figures / baseline = {figures_ratio:.2f}x, build / baseline = {build_ratio:.2f}x "
          f"(target <= {TARGET_RATIO:.1f}x); build {med['build'] * 1000:.0f} ms (target < {TARGET_SECONDS:.1f} s)")
    print(f"  the limit, a bare scan of the quarter's sessions (count and minutes through the covering index) "
          f"{scan * 1000:.0f} ms; grouping them into (young person, intervention) pairs, which the build reads "
          f"kept by triggers instead, {median_seconds(lambda: group_pairs(db, period), 3)[0] * 1000:.0f} ms")

    in_worker = asyncio.run(longest_stall(db, period, in_worker=True))
    on_loop = asyncio.run(longest_stall(db, period, in_worker=False))
    print(f"event loop, 10 ms timer: longest gap {in_worker * 1000:.0f} ms while a thread worker builds "
          f"(target < {TARGET_STALL * 1000:.0f} ms); {on_loop * 1000:.0f} ms when the build blocks the loop")
    screen = asyncio.run(screen_stall(db, period))
    print(f"the Returns screen: longest gap {screen['building'] * 1000:.0f} ms while its worker built the quarter "
          f"and the screen drew it ({screen['seconds']:.1f} s to the charts); Textual mounting widgets: "
          f"{screen['opening'] * 1000:.0f} ms opening the screen, {screen['tabs'] * 1000:.0f} ms showing a tab "
          "the first time")

    return verdict([
        Figure("return build / hand-written SQL", med["build"], TARGET_RATIO, unit="x", baseline=med["baseline"],
               baseline_name="hand-written SQL"),
        Figure("return build", med["build"], TARGET_SECONDS),
        Figure("loop gap while a worker builds", in_worker, TARGET_STALL, unit="ms"),
    ])


def bare_scan(store: Store, period: Period) -> None:
    """What no build can beat: one pass over the quarter's sessions in the index that covers them."""
    store.conn.execute("SELECT count(*), sum(minutes) FROM contacts WHERE date BETWEEN ? AND ?",
                       [period.first_day.isoformat(), period.last_day.isoformat()]).fetchone()


def group_pairs(db: Path, period: Period) -> None:
    """The quarter's sessions grouped into pairs as the build did before quarter_pairs kept them."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        conn.execute(
            "SELECT count(*) FROM (SELECT participant_id, intervention_id, min(date), max(date), "
            "max(CASE WHEN attendance = 'attended' THEN date END), sum(attendance = 'attended'), "
            "sum(CASE WHEN attendance = 'attended' THEN minutes ELSE 0 END), sum(attendance = 'did-not-attend') "
            "FROM contacts INDEXED BY contacts_pair WHERE date BETWEEN ? AND ? GROUP BY 1, 2)",
            [period.first_day.isoformat(), period.last_day.isoformat()]).fetchone()
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
