"""The ``vrp`` command line (SPEC section 6).

Exit status: 0 done, 1 refused (click.ClickException: one line on stderr), 2 usage.
Textual is imported only by the commands that open a TUI, so scripted use stays quick.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import config
from .common import Context


@click.group(invoke_without_command=True)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="VRP_DB",
              help="The database file (default: the user's data folder; VRP_DB overrides).")
@click.version_option(package_name="vrp-returns")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """VRP Returns: log interventions and send the quarterly return to the hub.

    With no command, opens the spoke TUI (the set-up screen on first run).
    """
    ctx.obj = Context(db)
    if ctx.invoked_subcommand is None:
        from ..app import make_app

        make_app(config.prepare(ctx.obj.spoke_db)).run()


from . import spoke as _spoke  # noqa: E402

_spoke.register(main)

from . import records as _records  # noqa: E402

_records.register(main)

from . import hub as _hub  # noqa: E402

_hub.register(main)

from . import bundle as _bundle  # noqa: E402

_bundle.register(main)

from . import returns as _returns  # noqa: E402

_returns.register(main)
