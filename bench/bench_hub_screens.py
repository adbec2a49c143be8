"""The hub on a large set: the Figures tab, the return viewer and `vrp hub report --format xlsx`.

The hub is ``bench.generate_hub``'s: 5 spokes x 20 quarters, 200 interventions a
return, 105 bundles. Timed, headless at 80x24 with the real app (``make_hub_app``):

- **Figures tab**: from the key that shows it (``2``, the store already open) to
  the quarter's figures on screen (the worker consolidated eight quarters, the
  tables are filled and drawn); then the previous quarter (``[``) the same way.
- **return viewer**: from pushing the screen of one spoke's latest quarter (the
  one with two versions, so the changes are worked out too) to its figures on
  screen; then each of its tabs shown once.
- **longest event-loop block**: a 10 ms timer runs on the app's loop throughout
  and the longest gap between its ticks is kept, as ``bench_returns`` does for
  the spoke: for the Figures tab (showing it, loading, each view, another
  quarter) and for the return viewer (opening, loading, each tab).
- **report**: `vrp hub report PERIOD --format xlsx --out FILE`, a fresh process
  each run, as a person types it.

SPEC section 8 sets the loop's budget (no UI action blocks it over 50 ms) and gives
no baseline for the rest; their absolute budgets here follow the Returns screen's
(figures on screen under 1 s, a stored document under 0.3 s) and a report in under 2 s.

    python -m bench.bench_hub_screens [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Figure, as_vrp_runs_it, verdict
from bench.generate_hub import hub_db, note

FIGURES_SECONDS = 1.0
VIEWER_SECONDS = 0.3
REPORT_SECONDS = 2.0
STALL_SECONDS = 0.050
SPOKE = "bristol"


class Gaps:
    """The longest gap between ticks of a 10 ms timer on the event loop, since the last take()."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.last = time.perf_counter()

    def tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def take(self) -> float:
        self.tick()
        longest, self.longest = self.longest, 0.0
        return longest


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit("the hub app did not get there in time")
        await asyncio.sleep(0.002)


async def screens(db: Path, period: str) -> dict[str, float]:
    """One run of the app: the Figures tab, another quarter, then the return viewer."""
    from vrp_tui.hub_app import make_hub_app
    from vrp_tui.screens.hub.figures import VIEWS as FIGURE_VIEWS
    from vrp_tui.screens.hub.figures import FiguresPane
    from vrp_tui.screens.hub.return_viewer import VIEWS as RETURN_VIEWS
    from vrp_tui.screens.hub.return_viewer import ReturnViewerScreen

    app = make_hub_app(db, cursor_blink=False)
    as_vrp_runs_it()
    out: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await until(lambda: app.main_screen.ready)
        await app.workers.wait_for_complete()  # the Returns matrix, the first tab
        await pilot.pause(0.2)
        gaps = Gaps()
        app.set_interval(0.010, gaps.tick)
        await pilot.pause(0.05)
        gaps.take()

        pane = app.main_screen.query_one("#figures-pane", FiguresPane)
        started = time.perf_counter()
        await pilot.press("2")
        await until(lambda: pane.period is not None)
        await pilot.pause()  # drawn
        out["figures"] = time.perf_counter() - started
        await pilot.pause(0.1)
        out["figures gap: opening"] = gaps.take()
        for _, _, key in FIGURE_VIEWS:
            await pilot.press(key)
            await pilot.pause(0.05)
        out["figures gap: views"] = gaps.take()
        shown = pane.period
        started = time.perf_counter()
        await pilot.press("left_square_bracket")
        await until(lambda: pane.period != shown and not any(
            w.group == "figures" and not w.is_finished for w in app.workers))
        await pilot.pause()
        out["figures, another quarter"] = time.perf_counter() - started
        await pilot.pause(0.1)
        out["figures gap: another quarter"] = gaps.take()

        viewer = ReturnViewerScreen(SPOKE, period)
        started = time.perf_counter()
        await app.push_screen(viewer)
        await until(lambda: viewer.view is not None)
        await pilot.pause()
        out["viewer"] = time.perf_counter() - started
        await pilot.pause(0.1)
        out["viewer gap: opening"] = gaps.take()
        for n in (*range(2, len(RETURN_VIEWS) + 1), 1):
            await pilot.press(str(n))
            await pilot.pause(0.05)
        out["viewer gap: tabs"] = gaps.take()
    return out


async def bare_table_gap(rows: int, columns: int) -> float:
    """For comparison: the longest loop block of a bare Textual app filling and drawing one DataTable of
    ``rows`` x ``columns`` number cells at 80x24 (Textual's own cost; a row is drawn whole, every column)."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable()
            yield Footer()

    app = Bare()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        gaps = Gaps()
        app.set_interval(0.010, gaps.tick)
        await pilot.pause(0.05)
        gaps.take()
        table = app.query_one(DataTable)
        table.add_columns(*(f"Col {n}" for n in range(columns)))
        for r in range(rows):
            table.add_row(*(Text(f"{r * c:,}", justify="right") for c in range(columns)))
        await pilot.pause(0.3)
        return gaps.take()


REPORT = """
import sys
from vrp_tui.cli import main
sys.argv = ["vrp", "--db", sys.argv[1], "hub", "report", sys.argv[2], "--format", "xlsx", "--out", sys.argv[3]]
main()
"""


def report_once(db: Path, period: str, out: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", REPORT, str(db), period, str(out)], capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"vrp hub report failed (exit {done.returncode}): {done.stderr.strip()}")
    return seconds


def in_process(db: Path, period: str) -> dict[str, float]:
    """The report's parts, timed in this process: consolidating and writing the XLSX."""
    from vrp_tui.hub.consolidate import consolidate
    from vrp_tui.hub.report import report
    from vrp_tui.hub.store import HubStore
    from vrp_tui.periods import Period

    with HubStore(db, create=False) as hub:
        started = time.perf_counter()
        figures = consolidate(hub, Period.parse(period))
        consolidated = time.perf_counter()
        report(figures, "xlsx")
        written = time.perf_counter()
    return {"consolidate": consolidated - started, "write xlsx": written - consolidated}


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    db = hub_db()
    info: dict[str, Any] = note()
    period = info["last_period"]
    print(f"{db.name}: {info['bundles']} bundles, {info['scale']['interventions']} interventions a return, "
          f"{info['first_period']} to {period}")
    asyncio.run(screens(db, period))  # warm-up: file cache, imports
    runs = []
    bare = []
    for _ in range(args.runs):  # alternate, so a busy moment of the machine hits both
        runs.append(asyncio.run(screens(db, period)))
        bare.append(asyncio.run(bare_table_gap(201, 18)))
    with tempfile.TemporaryDirectory() as tmp:
        report_once(db, period, Path(tmp) / "warm.xlsx")
        reports = [report_once(db, period, Path(tmp) / f"report-{n}.xlsx") for n in range(args.runs)]
    parts = [in_process(db, period) for _ in range(args.runs)]

    print(f"medians over {args.runs} runs:")
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"  {key:34} {median(runs, key) * 1000:7.0f} ms  ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})")
    print(f"  {'vrp hub report --format xlsx':34} {statistics.median(reports) * 1000:7.0f} ms  "
          f"({min(reports) * 1000:.0f}-{max(reports) * 1000:.0f}; of which, in process, consolidate "
          f"{median(parts, 'consolidate') * 1000:.0f} ms, write xlsx {median(parts, 'write xlsx') * 1000:.0f} ms)")
    print(f"  {'bare Textual, one 201 x 18 DataTable':34} {statistics.median(bare) * 1000:7.0f} ms  longest loop "
          "block filling and drawing it (the viewer's figures table has that shape)")
    figures_gap = max(median(runs, k) for k in runs[0] if k.startswith("figures gap"))
    viewer_gap = max(median(runs, k) for k in runs[0] if k.startswith("viewer gap"))
    return verdict([
        Figure("hub Figures tab, to figures on screen", median(runs, "figures"), FIGURES_SECONDS),
        Figure("hub Figures tab, another quarter", median(runs, "figures, another quarter"), FIGURES_SECONDS),
        Figure("hub Figures tab, longest loop block", figures_gap, STALL_SECONDS, unit="ms"),
        Figure("hub return viewer, to figures on screen", median(runs, "viewer"), VIEWER_SECONDS),
        Figure("hub return viewer, longest loop block", viewer_gap, STALL_SECONDS, unit="ms"),
        Figure("vrp hub report --format xlsx", statistics.median(reports), REPORT_SECONDS),
    ], benchmark="bench_hub_screens")


if __name__ == "__main__":
    sys.exit(main())
