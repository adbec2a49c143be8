"""Run every benchmark of SPEC section 8 and print one summary: each figure, its baseline, its
value or ratio, its budget and PASS or OVER. Exits 1 when any figure is over budget (2 when a
benchmark failed to run).

    python -m bench.run_all                      (or: make bench)
    python -m bench.run_all bench_hostile ...    (only those)

A benchmark is registered in BENCHMARKS below: its module and the data set it
needs, which is generated (or found in the cache) first, so its cost is not
charged to the first benchmark. Each benchmark runs in its own process, prints
its own details and ends with ``bench.common.verdict(figures)``, which prints its
figures and hands them to this summary (through the file ``$VRP_BENCH_FIGURES``).
A benchmark that records no figures is summed up by its exit status.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCHMARK_NAME, FIGURES_FILE, Figure, read_figures

BENCH = Path(__file__).parent
SPOKE = "bench.generate"  # SPEC section 8's spoke
HUB = "bench.generate_hub"  # 5 spokes x 20 quarters x 200 interventions


@dataclass(frozen=True)
class Benchmark:
    name: str  # bench/<name>.py
    data: str | None  # the generator of the data set it reads, or None: it makes its own inputs


# Every benchmark, in the order they run. A new benchmark adds its line here.
BENCHMARKS: list[Benchmark] = [
    Benchmark("bench_startup", SPOKE),
    Benchmark("bench_returns", SPOKE),
    Benchmark("bench_returns_screen", SPOKE),
    Benchmark("bench_import", SPOKE),
    Benchmark("bench_export", SPOKE),
    Benchmark("bench_save", SPOKE),
    Benchmark("bench_hub_import", None),
    Benchmark("bench_hostile", None),
    Benchmark("bench_hub_screens", HUB),
]


def run(module: str, env: dict[str, str]) -> tuple[int, float]:
    print(f"\n== {module}", flush=True)
    started = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", module], cwd=BENCH.parent, env=env)
    return code, time.perf_counter() - started


def chosen(argv: list[str]) -> list[Benchmark] | str:
    """The registered benchmarks to run (all of them, or those named), or why not."""
    present = [b for b in BENCHMARKS if (BENCH / f"{b.name}.py").exists()]
    if not argv:
        return present
    unknown = sorted(set(argv) - {b.name for b in present})
    if unknown:
        return f"no registered benchmark {', '.join(unknown)} in bench/ (see BENCHMARKS in bench/run_all.py)"
    return [b for b in present if b.name in argv]


def summary(results: dict[str, tuple[int, float]], figures: list[Figure]) -> int:
    """Print the summary table; 0 when all is within budget, 1 when any is over, 2 when one failed."""
    print("\n== summary (SPEC section 8)")
    print(f"  {'figure':44} {'measured':>20}  {'budget':10} {'':4}  baseline")
    worst = 0
    for name, (code, seconds) in results.items():
        own = [f for f in figures if f.benchmark == name]
        print(f"  {name} ({seconds:.0f} s)")
        for figure in own:
            value, baseline, budget = figure.shown()
            print(f"    {figure.name:42} {value:>20}  {budget:10} {figure.verdict:4}  {baseline}")
        if code not in (0, 1) or (not own and code != 0):
            label = f"FAILED (exit {code})" if code != 1 else "OVER or FAILED (exit 1, no figures: see its output)"
            print(f"    {'(whole benchmark)':42} {'':>20}  {'':10} {label}")
        elif not own:
            print(f"    {'(whole benchmark, no figures recorded)':42} {'':>20}  {'':10} PASS")
        elif code == 1 and all(f.within for f in own):
            print(f"    {'(a check besides its figures)':42} {'':>20}  {'':10} OVER")
        worst = max(worst, 2 if code not in (0, 1) else code)
    over = [f"{f.benchmark}: {f.name}" for f in figures if not f.within]
    unregistered = sorted({p.stem for p in BENCH.glob("bench_*.py")} - {b.name for b in BENCHMARKS})
    if unregistered:
        print(f"  not registered in bench/run_all.py, not run: {', '.join(unregistered)}")
    print("all within budget" if worst == 0 else
          f"OVER BUDGET: {'; '.join(over)}" if worst == 1 and over else
          "OVER BUDGET" if worst == 1 else "a benchmark failed to run")
    return worst


def main(argv: list[str] | None = None) -> int:
    benches = chosen(sys.argv[1:] if argv is None else argv)
    if isinstance(benches, str):
        print(benches, file=sys.stderr)
        return 2
    for data in dict.fromkeys(b.data for b in benches if b.data):
        code, _ = run(data, dict(os.environ))
        if code != 0:
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "figures.jsonl")
        env = {**os.environ, FIGURES_FILE: path}
        results = {b.name: run(f"bench.{b.name}", {**env, BENCHMARK_NAME: b.name}) for b in benches}
        figures = read_figures(path)
    return summary(results, figures)


if __name__ == "__main__":
    sys.exit(main())
