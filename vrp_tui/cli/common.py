"""What every command shares: the chosen database and how to refuse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from vrp_tui import config


@dataclass
class Context:
    db: Path | None

    @property
    def spoke_db(self) -> Path:
        return self.db or config.default_db()

    @property
    def hub_db(self) -> Path:
        return self.db or config.default_db(hub=True)


def refuse(message: str) -> click.ClickException:
    """Exit status 1 with a one-line reason on stderr."""
    return click.ClickException(message)


pass_context = click.make_pass_decorator(Context)
