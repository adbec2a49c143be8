"""Run every benchmark in bench/ (each ``bench_*.py``, in name order) and sum up.

The data set is generated (or found in the cache) first, so its cost is not
charged to the first benchmark. Each benchmark runs in its own process, prints
its own figures and exits non-zero when it is over its budget.

    python -m bench.run_all        (or: make bench)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).parent


def run(module: str) -> tuple[int, float]:
    print(f"\n== {module}", flush=True)
    started = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", module], cwd=BENCH.parent)
    return code, time.perf_counter() - started


def main() -> int:
    code, _ = run("bench.generate")
    if code != 0:
        return code
    results = {path.stem: run(f"bench.{path.stem}") for path in sorted(BENCH.glob("bench_*.py"))}
    print("\n== summary")
    for name, (code, seconds) in results.items():
        verdict = "ok" if code == 0 else "OVER BUDGET" if code == 1 else f"FAILED (exit {code})"
        print(f"  {name:30} {verdict:20} {seconds:6.1f} s")
    return 0 if all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
