"""Commands that fill a spoke with records: import from CSV or XLSX, demo data.

The importer and the demo generator are imported when their command runs, so
they add nothing to the start-up of other commands or the TUI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from vrp_tui.cli.common import Context, pass_context, refuse, say
from vrp_tui.cli.spoke import open_spoke
from vrp_tui.store import KINDS, StoreBusy

if TYPE_CHECKING:
    from rich.console import Console

# The TUI's names for the kinds (see vrp_tui.records.importing.KIND_ALIASES), kept here so
# that building the command line does not import the importer.
_KIND_CHOICES = [*KINDS, "sessions", "young-people", "referrals"]


@click.command("import")
@click.argument("kind", type=click.Choice(_KIND_CHOICES), metavar="KIND")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE")
@pass_context
def import_(ctx: Context, kind: str, file: Path) -> None:
    """Import KIND records from FILE (.csv, or .xlsx: its first sheet): all rows or none.

    KIND is interventions, participants (or young-people), enrolments (or
    referrals), contacts (or sessions), measurements, spend or budgets. A row whose key
    matches a stored record updates it. Every problem is listed as
    FILE:LINE: column: message (the first 100, then how many in all) and
    nothing is changed.
    """
    from vrp_tui.records.importing import ImportFailed, import_file
    from vrp_tui.text import printable

    store = open_spoke(ctx)
    shown = printable(file)
    try:
        with progress_bar(f"Importing {shown}") as report:
            result = import_file(store, kind, file, progress=report)
    except ImportFailed as exc:
        for problem in exc.errors:
            say(f"{shown}:{problem}", err=True)  # a problem may quote the cell
        raise refuse(f"{shown}: {exc}") from None
    except StoreBusy as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    say(f"{kind}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")


@contextmanager
def progress_bar(label: str, console: Console | None = None) -> Iterator[Callable[[int, int | None], None]]:
    """A progress report for ``import_file``: a rich bar on standard error, from its first report
    (so only for files of more than a batch of rows), on a terminal only; gone when it ends."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    console = console or Console(stderr=True)
    shown: list[tuple[Progress, TaskID]] = []

    def report(done: int, expected: int | None) -> None:
        if not console.is_terminal:
            return
        if not shown:
            bar = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                           TextColumn("rows"), TimeElapsedColumn(), console=console, transient=True)
            bar.start()
            shown.append((bar, bar.add_task(label, total=None)))
        bar, task = shown[0]
        bar.update(task, completed=done, total=expected)

    try:
        yield report
    finally:
        for bar, _ in shown:
            bar.stop()


@click.command("demo")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Where to put the demo databases (default: demo/ in the current folder).")
def demo_(directory: Path | None) -> None:
    """Create a hub and five spokes full of realistic synthetic data.

    The hub trusts every spoke's key and holds their returns for the completed
    quarters (signed off, exported and imported). Keys and the hub identity are
    protected by VRP_PASSPHRASE, or by "demo-passphrase" when it is not set.
    """
    from vrp_tui.demo import spokes as demo

    directory = directory or demo.default_dir()
    try:
        made = demo.build(directory, passphrase=demo.passphrase())
    except demo.DemoExists as exc:
        raise refuse(str(exc)) from None
    from vrp_tui.demo import hub as demo_hub

    imported = demo_hub.fill_hub(made, passphrase=demo.passphrase())
    say(f"hub: {made.hub} (recipient {made.hub_recipient})")
    for spoke, path in made.spokes.items():
        say(f"{spoke}: {path}")
    say(f"bundles: {len(imported)} signed off, exported to {made.directory / 'exports'} and imported at the hub")
    say(f"open a spoke with: vrp --db {made.spokes['bristol']}")
    say(f"open the hub with: vrp --db {made.hub} hub")
