"""Start-up: `vrp` on the benchmark spoke against a bare Textual app with a header and footer.

Each run is a fresh process; the time is from just before the process is started
to the moment it reports its first screen ready (headless, 80x24, the same
``App.run(auto_pilot=...)`` hook for both apps). "ready" is the first screen
composed and drawn, keys accepted; "first page" also waits for the app's start-up
workers (for `vrp`: opening the store and loading the first list page). Both run
from bytecode: vrp_tui is compiled first, as an installed copy would be.
Target (SPEC section 8): ready at most 1.2x the bare app, measured in the same run.

    python -m bench.bench_startup [--runs N]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

import vrp_tui
from bench.common import Figure, verdict
from bench.generate import spoke_db

TARGET = 1.2

CHILD = """
import sys
which, db = sys.argv[1], sys.argv[2]
if which == "vrp":
    from pathlib import Path
    sys.argv[0] = "vrp"  # this process is the `vrp` command, as vrp_tui.launch checks
    import vrp_tui.launch as launch  # what `vrp` alone runs (launch.main, open_spoke_tui) up to app.run()
    launch.hold_collection()
    from vrp_tui import config
    from vrp_tui.app import make_app
    app = make_app(Path(db))
    launch.freeze_imported()
else:
    from textual.app import App
    from textual.widgets import Footer, Header

    class Bare(App):
        def compose(self):
            yield Header()
            yield Footer()

    app = Bare()


async def report(pilot):
    await pilot.pause()
    print("ready", flush=True)
    while True:  # workers may start more workers: wait until none is left running
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(w.is_finished for w in pilot.app.workers):
            break
    print("first page", flush=True)
    pilot.app.exit()


app.run(headless=True, size=(80, 24), auto_pilot=report)
"""


def start_once(which: str, db: Path) -> tuple[float, float]:
    """Seconds from process start to (ready, first page) for one fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, which, str(db)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None
    marks = {}
    for line in child.stdout:
        marks[line.strip()] = time.perf_counter() - started
    _, err = child.communicate()
    if child.returncode != 0 or set(marks) != {"ready", "first page"}:
        raise SystemExit(f"{which} did not start cleanly (exit {child.returncode}):\n{err}")
    return marks["ready"], marks["first page"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="runs of each app (after one warm-up each)")
    args = parser.parse_args()
    db = spoke_db()
    # Bytecode for vrp_tui, as an installed copy has (Textual's came with its install): the warm-up
    # run cannot write it where PYTHONDONTWRITEBYTECODE is set, and then every run would compile
    # the package from source, a cost only `vrp` paid.
    compileall.compile_dir(Path(vrp_tui.__file__).parent, quiet=1)
    times: dict[str, list[tuple[float, float]]] = {"bare": [], "vrp": []}
    for which in times:  # warm-up: file cache and bytecode
        start_once(which, db)
    for _ in range(args.runs):  # interleaved, so drift in the machine's load hits both alike
        for which, runs in times.items():
            runs.append(start_once(which, db))
    medians = {which: tuple(statistics.median(r[i] for r in runs) for i in (0, 1))
               for which, runs in times.items()}
    print(f"start-up, median of {args.runs} runs each ({db.name}):")
    print(f"  {'':28} {'ready':>8} {'first page':>11}")
    print(f"  {'bare Textual (Header+Footer)':28} {medians['bare'][0]:8.3f} {medians['bare'][1]:11.3f} s")
    print(f"  {'vrp':28} {medians['vrp'][0]:8.3f} {medians['vrp'][1]:11.3f} s")
    ratios = [medians["vrp"][i] / medians["bare"][i] for i in (0, 1)]
    print(f"  {'ratio vrp / bare':28} {ratios[0]:8.2f} {ratios[1]:11.2f} x  (target ready <= {TARGET}x)")
    return verdict([Figure("start-up to the first screen (ready)", medians["vrp"][0], TARGET, unit="x",
                           baseline=medians["bare"][0], baseline_name="bare Textual")])


if __name__ == "__main__":
    sys.exit(main())
