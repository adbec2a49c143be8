"""The Returns screen on the benchmark spoke (SPEC section 8): how soon its figures and charts are on
screen, and the longest the event loop is held up while it opens, reads and draws.

On a copy of SPEC section 8's data set (``bench/generate.py``) the last quarter
is signed off and then a late session is added (so the stale check has work to
do, as it would after late entry), and the quarter before it is left a draft.
The real spoke app runs headless at 80x24 with a timer ticking every 10 ms on
its event loop; the longest gap between two ticks is the longest the loop was
blocked. Each figure is the median of ``--runs`` openings (the slowest shown
too), each on a fresh screen:

- **frozen open**: from pushing the Returns screen on the signed-off quarter to
  its figures drawn (the frozen version is read, not rebuilt; the stale check
  runs after, in a worker). Budget: under 0.3 s. Its in-run baseline, printed
  beside it: a bare screen (a header, one table, a footer) pushed and drawn.
- **draft to charts**: from pushing it on the draft quarter to the charts drawn
  (the Charts tab chosen as soon as the figures are on screen). Budget: under 1 s.
  Its in-run baseline is the build alone (``lifecycle.build``, what any draft
  costs), printed beside it.
- **longest loop block**: over everything above, plus showing each tab once and
  waiting for the stale check to land. Budget: under 50 ms.

    python -m bench.bench_returns_screen [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header

from bench.common import Figure, as_vrp_runs_it, verdict
from bench.generate import note, spoke_db
from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.store import Store

FROZEN_BUDGET = 0.300
CHARTS_BUDGET = 1.0
BLOCK_BUDGET = 0.050


def prepare(source: Path, folder: Path, last: Period) -> Path:
    """A copy of the data set with ``last`` signed off, then one session entered late in it."""
    db = folder / "spoke.db"
    original = Store(source)
    try:
        original.backup(db)
    finally:
        original.close()
    store = Store(db)
    try:
        if lifecycle.is_open(store, last):
            lifecycle.save_narrative(store, last, {f: "Benchmark text." for f in
                                                   ("highlights", "challenges", "case_study", "next_quarter")})
            lifecycle.sign_off(store, last)
        row = store.query("SELECT participant_id, intervention_id, date FROM contacts WHERE date BETWEEN ? AND ? "
                          "ORDER BY date DESC LIMIT 1", [last.first_day.isoformat(), last.last_day.isoformat()])[0]
        store.save("contacts", {"participant_id": row["participant_id"], "intervention_id": row["intervention_id"],
                                "date": row["date"], "minutes": 30, "mode": "one-to-one"})
    finally:
        store.close()
    return db


class Bare(Screen[None]):
    """What any screen costs Textual to push and draw: a header, one table, a footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()


async def measure(db: Path, frozen: Period, draft: Period, runs: int) -> dict[str, Any]:
    from vrp_tui.app import make_app
    from vrp_tui.screens.spoke.returns import ReturnsScreen

    app = make_app(db, cursor_blink=False)
    as_vrp_runs_it()
    gaps = {"longest": 0.0, "last": 0.0}
    out: dict[str, Any] = {"frozen": [], "figures": [], "charts": [], "stale": [], "blocks": [], "worst": {},
                           "bare": [], "checked": []}
    phase = ["start"]

    def tick() -> None:
        now = time.perf_counter()
        gap = now - gaps["last"]
        gaps["longest"] = max(gaps["longest"], gap)
        out["worst"][phase[0]] = max(out["worst"].get(phase[0], 0.0), gap)
        gaps["last"] = now

    async def drawn(screen: Screen[Any], ready: Any) -> float:
        """Seconds from now until ``ready()`` holds and the screen has refreshed after it."""
        started = time.perf_counter()
        while not ready():
            await asyncio.sleep(0.002)
        done = asyncio.Event()
        screen.call_after_refresh(done.set)
        await done.wait()
        return time.perf_counter() - started

    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        gaps["last"] = time.perf_counter()
        app.set_interval(0.010, tick)
        for _ in range(runs):
            await pilot.pause(0.1)
            gaps["last"], gaps["longest"] = time.perf_counter(), 0.0
            # the signed-off quarter: figures from the stored document, then the stale check
            # the baseline: a bare screen (header, one table, footer) pushed and drawn in the same app
            phase[0] = "a bare screen"
            bare = Bare()
            started = time.perf_counter()
            app.push_screen(bare)
            await drawn(bare, lambda b=bare: b.is_mounted)
            out["bare"].append(time.perf_counter() - started)
            await app.pop_screen()
            await pilot.pause(0.1)
            phase[0] = "frozen: opening to figures"
            screen = ReturnsScreen(frozen)
            started = time.perf_counter()
            app.push_screen(screen)
            await drawn(screen, lambda s=screen: s.built is not None)
            out["frozen"].append(time.perf_counter() - started)
            phase[0] = "frozen: the stale check"
            await drawn(screen, lambda s=screen: s.stale is not None)
            out["stale"].append(time.perf_counter() - started)
            for key in "234561":
                phase[0] = f"frozen: showing tab {key}"
                await pilot.press(key)
                await pilot.pause(0.05)
            phase[0] = "closing the screen"
            await app.pop_screen()
            await pilot.pause(0.1)
            # the draft quarter: figures first, then the charts (the Charts tab shown at once)
            phase[0] = "draft: opening to figures"
            screen = ReturnsScreen(draft)
            started = time.perf_counter()
            await app.push_screen(screen)
            await drawn(screen, lambda s=screen: s.figures_for == draft)
            out["figures"].append(time.perf_counter() - started)
            # the Charts tab, once the figures are there: a key as a person presses it (Pilot.press would
            # wait for the whole process to go idle, the build's worker included)
            app.simulate_key("2")
            phase[0] = "draft: figures to charts"
            await drawn(screen, lambda s=screen: s.chart is not None and "charts" in s.shown_tabs)
            out["charts"].append(time.perf_counter() - started)
            phase[0] = "draft: charts to its checks"
            await drawn(screen, lambda s=screen: s.built is not None)
            out["checked"].append(time.perf_counter() - started)
            await pilot.pause(0.05)
            phase[0] = "closing the screen"
            await app.pop_screen()
            await pilot.pause(0.1)
            phase[0] = "between"
            out["blocks"].append(gaps["longest"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = spoke_db()
    last = Period.parse(note()["last_period"])
    draft = last.previous()
    with tempfile.TemporaryDirectory(prefix="bench-returns-screen-") as folder:
        db = prepare(source, Path(folder), last)
        store = Store(db)
        try:
            lifecycle.build(store, draft)  # warm the page cache, as a machine in use would have it
            builds = []
            for _ in range(3):
                started = time.perf_counter()
                lifecycle.build(store, draft)
                builds.append(time.perf_counter() - started)
            interventions = len(lifecycle.latest_signed_off(store, last).document["interventions"])  # type: ignore[union-attr]
        finally:
            store.close()
        out = asyncio.run(measure(db, last, draft, args.runs))
        shutil.rmtree(folder, ignore_errors=True)

    def fig(name: str) -> str:
        return f"{statistics.median(out[name]) * 1000:6.0f} ms (slowest {max(out[name]) * 1000:.0f})"

    frozen, charts = statistics.median(out["frozen"]), statistics.median(out["charts"])
    block = max(out["blocks"])
    print(f"the Returns screen on {source.name}: {last.code} signed off ({interventions} interventions) "
          f"and stale by one late session, {draft.code} a draft; medians of {args.runs} openings")
    print(f"  baseline: a bare screen pushed, drawn  {fig('bare')}")
    print(f"  frozen open, to figures on screen      {fig('frozen')}")
    print(f"  frozen, to the stale notice            {fig('stale')}   (the figures, in a worker)")
    print(f"  draft, to figures on screen            {fig('figures')}")
    print(f"  draft, to charts on screen             {fig('charts')}")
    print(f"  draft, to its checks (the whole build) {fig('checked')}")
    print(f"  baseline: the build alone              {statistics.median(builds) * 1000:6.0f} ms")
    print(f"  longest event-loop block               {block * 1000:6.0f} ms (median of runs "
          f"{statistics.median(out['blocks']) * 1000:.0f})")
    for name, gap in sorted(out["worst"].items(), key=lambda item: -item[1]):
        print(f"    longest block {name:32} {gap * 1000:6.0f} ms")
    return verdict([
        Figure("Returns screen, frozen: to figures", frozen, FROZEN_BUDGET),
        Figure("Returns screen, draft: to charts", charts, CHARTS_BUDGET),
        Figure("Returns screen: longest loop block", block, BLOCK_BUDGET, unit="ms"),
    ])


if __name__ == "__main__":
    sys.exit(main())
