"""What every command shares: the chosen database and how to refuse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from vrp_tui import config
from vrp_tui.errors import one_line


@dataclass
class Context:
    """The database the command works on: ``--db``/``VRP_DB``, else the default for its role.

    Only ``vrp init``, ``vrp hub init``, ``vrp demo`` and the TUIs' first run create a
    missing file; every other command refuses one (see ``open_spoke``/``open_hub``).
    """

    db: Path | None

    @property
    def spoke_db(self) -> Path:
        return self.db or config.default_db()

    @property
    def hub_db(self) -> Path:
        return self.db or config.default_db(hub=True)


def refuse(message: str) -> click.ClickException:
    """Exit status 1 with a one-line reason on stderr (controls in it shown as placeholders)."""
    from vrp_tui.text import printable  # Rich: imported only when a command refuses

    return click.ClickException(printable(one_line(message)))


pass_context = click.make_pass_decorator(Context)
