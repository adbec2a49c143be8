"""What every benchmark shares: a figure against its budget, and its verdict.

A benchmark measures its figures, makes a :class:`Figure` of each and ends with
``return verdict(figures)``: that prints one line a figure (value, baseline,
budget, PASS/OVER) and gives the exit status, 0 when every figure is within
budget and 1 when any is over. When ``bench.run_all`` runs it, the figures also
go (one JSON object a line) to the file named by ``$VRP_BENCH_FIGURES``, and the
summary of ``make bench`` lists them all.

    from bench.common import Figure, verdict
    figures = [Figure("start-up, ready", vrp, budget=1.2, unit="x", baseline=bare, baseline_name="bare Textual")]
    return verdict(figures)
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

FIGURES_FILE = "VRP_BENCH_FIGURES"
BENCHMARK_NAME = "VRP_BENCH_NAME"  # which benchmark run_all is running


@dataclass(frozen=True)
class Figure:
    """One measured figure of SPEC section 8 against its budget.

    With a ``baseline`` (seconds, measured in the same run) the figure is the ratio
    ``value / baseline`` and ``budget`` a ratio (``unit="x"``); without one, the
    figure is ``value`` in ``unit`` (``s``, ``ms``, ``MB``) against an absolute
    budget. Within budget is ``<= budget`` for a ratio ("at most 1.2x") and
    ``< budget`` for an absolute limit ("under 50 ms").
    """

    name: str
    value: float
    budget: float
    unit: str = "s"
    baseline: float | None = None
    baseline_name: str = ""
    benchmark: str = ""

    @property
    def measured(self) -> float:
        """What is compared with the budget: the ratio to the baseline, or the value itself."""
        if self.baseline is not None:
            return self.value / self.baseline if self.baseline > 0 else float("inf")
        return self.value

    @property
    def within(self) -> bool:
        return self.measured <= self.budget if self.baseline is not None else self.measured < self.budget

    @property
    def verdict(self) -> str:
        return "PASS" if self.within else "OVER"

    def shown(self) -> tuple[str, str, str]:
        """(value, baseline, budget) as the summary prints them."""
        if self.baseline is not None:
            return (f"{self.value:.3f} s = {self.measured:.2f}x",
                    f"{self.baseline:.3f} s {self.baseline_name}".rstrip(), f"<= {self.budget:g}x")
        return _amount(self.value, self.unit), "-", f"< {_amount(self.budget, self.unit)}"

    def line(self) -> str:
        value, baseline, budget = self.shown()
        base = f"  (baseline {baseline})" if self.baseline is not None else ""
        return f"  {self.name:44} {value:>20}  budget {budget:10} {self.verdict}{base}"


def _amount(value: float, unit: str) -> str:
    if unit == "ms":
        ms = value * 1000  # held in seconds, shown in ms (a tenth below 10 ms: a save takes 0.5)
        return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:.0f} {unit}" if unit == "MB" else f"{value:.2f} {unit}"


def verdict(figures: Iterable[Figure], *, benchmark: str = "") -> int:
    """Print each figure against its budget; 0 when all are within it, 1 when any is over."""
    figures = list(figures)
    print("figures:")
    for figure in figures:
        print(figure.line())
    record(figures, benchmark=benchmark)
    over = [f.name for f in figures if not f.within]
    print("within budget" if not over else f"OVER BUDGET: {', '.join(over)}", flush=True)
    return 1 if over else 0


def record(figures: Iterable[Figure], *, benchmark: str = "") -> None:
    """Append the figures to ``$VRP_BENCH_FIGURES`` (when run_all set it) for its summary."""
    path = os.environ.get(FIGURES_FILE)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        for figure in figures:
            data: dict[str, Any] = asdict(figure)
            data["benchmark"] = benchmark or figure.benchmark or os.environ.get(BENCHMARK_NAME, "")
            f.write(json.dumps(data) + "\n")


def read_figures(path: str) -> list[Figure]:
    """The figures benchmarks recorded in ``path`` (run_all's summary)."""
    try:
        with open(path, encoding="utf-8") as f:
            return [Figure(**json.loads(line)) for line in f if line.strip()]
    except OSError:
        return []


def median_time(action: Callable[[], Any], runs: int) -> tuple[float, list[float]]:
    """The median seconds of ``runs`` calls of ``action``, and every time."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def as_vrp_runs_it() -> None:
    """Exempt what is loaded by now from garbage collection, as the `vrp` command does just before its
    TUI runs (``vrp_tui.launch.freeze_imported``): an app timed in this process then has the collector it
    has there, whose full collections walk only what the app made since it started."""
    from vrp_tui.launch import freeze_imported

    freeze_imported()
