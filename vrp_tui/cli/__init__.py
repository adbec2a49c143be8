"""The ``vrp`` command line (SPEC section 6).

Exit status: 0 done, 1 refused (click.ClickException: one line on stderr), 2 usage.
Textual is imported only by the commands that open a TUI, so scripted use stays quick.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path


def _hold_collection() -> None:
    """In the `vrp` command, no garbage collection while its modules load (see freeze_imported).

    Loading Textual, click and the first screen's modules allocates enough for
    several full collections, each walking every object imported so far, none
    of which is garbage: ~25 ms of the start-up budget. Only in a process that is
    the `vrp` command, so a test or a script importing this package keeps an
    ordinary collector; the command turns it back on as soon as it knows what
    it runs (``main``), and the TUI's start-up after freezing what it imported.
    """
    if Path(sys.argv[0]).name == "vrp":
        gc.disable()


_hold_collection()  # before the imports below: they are most of what is loaded

import importlib  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402

from vrp_tui.cli.common import Context, refuse  # noqa: E402
from vrp_tui.errors import VrpError  # noqa: E402

# Each command is imported only when it runs (or when help lists it), so
# `vrp` opening the TUI does not pay for the hub, bundle and returns code.
COMMANDS = {
    "init": "vrp_tui.cli.spoke:init",
    "backup": "vrp_tui.cli.spoke:backup",
    "import": "vrp_tui.cli.records:import_",
    "demo": "vrp_tui.cli.records:demo_",
    "return": "vrp_tui.cli.returns:return_group",
    "export": "vrp_tui.cli.bundle:export",
    "keys": "vrp_tui.cli.bundle:keys_group",
    "receipt": "vrp_tui.cli.bundle:receipt_group",
    "hub": "vrp_tui.cli.hub:hub",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named here and imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attr = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a refusal it did not catch itself (a full disk, a database that is
        not the right one, a busy store, a file that cannot be written) still ends in one line
        on stderr and exit status 1."""
        try:
            return super().invoke(ctx)
        except VrpError as exc:
            raise refuse(str(exc)) from None
        except OSError as exc:  # a file or folder that cannot be read or written
            where = f": {exc.filename}" if exc.filename else ""
            raise refuse(f"{exc.strerror or exc}{where}") from None


def run_app(ctx: click.Context, app: Any) -> None:
    """Run a TUI (the spoke's or the hub's); a database it refused ends in its one line and exit status 1."""
    freeze_imported()
    app.run()
    if app.refusal:
        raise refuse(app.refusal)
    if app.return_code:
        ctx.exit(app.return_code)


def freeze_imported() -> None:
    """Exempt what is loaded by now from garbage collection; called just before a TUI runs.

    The modules, classes and functions imported to run an app live as long as the
    process, yet each full collection walks them all again: building the spoke's
    first screen allocates enough to trigger one, about 50 ms spent proving that
    nothing imported is garbage. Process-wide, so here at the entry point and not
    in the app factories that tests share. The collector is on again afterwards
    (``_hold_collection`` kept it off while the command's modules loaded).
    """
    gc.freeze()
    gc.enable()


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="VRP_DB",
              help="The database file (default: the user's data folder; VRP_DB overrides).")
@click.version_option(package_name="vrp-returns")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """VRP Returns: log interventions and send the quarterly return to the hub.

    With no command, opens the spoke TUI (the set-up screen on first run).
    """
    ctx.obj = Context(db)
    if ctx.invoked_subcommand is not None:
        gc.enable()  # a command, not the TUI: the collector as usual for its work
    if ctx.invoked_subcommand is None:
        from vrp_tui.app import make_app

        run_app(ctx, make_app(ctx.obj.spoke_db))  # a missing file opens the set-up screen

