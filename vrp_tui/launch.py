"""The `vrp` command's entry point: `vrp` alone opens the spoke TUI without loading the command line.

Anything after `vrp` goes to the click command line (``vrp_tui.cli.main``). `vrp`
alone, the everyday way in, opens the TUI on ``$VRP_DB`` or the default database
exactly as ``vrp_tui.cli.main`` would with no arguments, but without importing
click and the command line's modules: about 20 ms of a start-up SPEC section 8
holds to 1.2x a bare Textual app ([docs/startup.md](../docs/startup.md)).

The collector is held here too, before anything else is imported (see
:func:`hold_collection`), and what is imported is frozen out of it just before
an app runs (:func:`freeze_imported`); the command line uses both.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path


def hold_collection() -> None:
    """In the `vrp` command, no garbage collection while its modules load (see freeze_imported).

    Loading Textual, click and the first screen's modules allocates enough for
    several full collections, each walking every object imported so far, none
    of which is garbage: ~25 ms of the start-up budget. Only in a process that is
    the `vrp` command, so a test or a script importing this package keeps an
    ordinary collector; the command turns it back on as soon as it knows what
    it runs, and the TUI's start-up after freezing what it imported.
    """
    if Path(sys.argv[0]).name == "vrp":
        gc.disable()


def freeze_imported() -> None:
    """Exempt what is loaded by now from garbage collection; called just before a TUI runs.

    The modules, classes and functions imported to run an app live as long as the
    process, yet each full collection walks them all again: building the spoke's
    first screen allocates enough to trigger one, about 50 ms spent proving that
    nothing imported is garbage. Process-wide, so here at the entry point and not
    in the app factories that tests share. The collector is on again afterwards
    (``hold_collection`` kept it off while the command's modules loaded).
    """
    gc.freeze()
    gc.enable()


def main() -> None:
    """`vrp`: the spoke TUI when there are no arguments, else the command line."""
    hold_collection()
    if sys.argv[1:]:
        from vrp_tui.cli import main as command_line

        command_line()
        return
    sys.exit(open_spoke_tui(Path(os.environ["VRP_DB"]) if os.environ.get("VRP_DB") else None))


def open_spoke_tui(db: Path | None) -> int:
    """Run the spoke TUI on ``db`` (None: the default database) as `vrp` with no command does; the
    exit status. A database the app refused ends in the same one line on stderr as the command line's."""
    from vrp_tui import config
    from vrp_tui.app import make_app

    app = make_app(db or config.default_db())  # a missing file opens the set-up screen
    freeze_imported()
    app.run()
    if app.refusal:
        from vrp_tui.errors import one_line
        from vrp_tui.text import printable

        print(f"Error: {printable(one_line(app.refusal))}", file=sys.stderr)
        return 1
    return app.return_code or 0
