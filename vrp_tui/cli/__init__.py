"""The ``vrp`` command line (SPEC section 6).

Exit status: 0 done, 1 refused (click.ClickException: one line on stderr), 2 usage.
Textual is imported only by the commands that open a TUI, so scripted use stays quick.
The `vrp` executable starts in ``vrp_tui.launch``, which opens the spoke TUI itself when
there are no arguments and hands everything else to :data:`main` here.
"""

from __future__ import annotations

import gc

from vrp_tui.launch import freeze_imported, hold_collection

hold_collection()  # before the imports below: they are most of what is loaded

import importlib  # noqa: E402
from pathlib import Path  # noqa: E402
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

