"""Run every benchmark in bench/ (each ``bench_*.py``, in name order) and sum up.

The data set is generated (or found in the cache) first, so its cost is not
charged to the first benchmark. Each benchmark runs in its own process, prints
its own figures and exits non-zero when it is over its budget.

    python -m bench.run_all                      (or: make bench)
    python -m bench.run_all bench_hostile ...    (only those; the data set only if one needs it)

bench_hostile (hostile bundles refused within 2 s each) and bench_hub_import
make their own bundles and need no generated data set.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).parent
NO_DATA_SET = {"bench_hostile", "bench_hub_import"}  # these make their own inputs


def run(module: str) -> tuple[int, float]:
    print(f"\n== {module}", flush=True)
    started = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", module], cwd=BENCH.parent)
    return code, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    chosen = set(sys.argv[1:] if argv is None else argv)
    benches = [p.stem for p in sorted(BENCH.glob("bench_*.py")) if not chosen or p.stem in chosen]
    if chosen - set(benches):
        print(f"no benchmark {', '.join(sorted(chosen - set(benches)))} in bench/", file=sys.stderr)
        return 2
    if any(name not in NO_DATA_SET for name in benches):
        code, _ = run("bench.generate")
        if code != 0:
            return code
    results = {name: run(f"bench.{name}") for name in benches}
    print("\n== summary")
    for name, (code, seconds) in results.items():
        verdict = "ok" if code == 0 else "OVER BUDGET" if code == 1 else f"FAILED (exit {code})"
        print(f"  {name:30} {verdict:20} {seconds:6.1f} s")
    return 0 if all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
