"""What every command shares: the chosen database and how to refuse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from vrp_tui import config
from vrp_tui.errors import one_line
from vrp_tui.text import printable, printable_data


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
    """Exit status 1 with a one-line reason on stderr (a reason quoting a file or a record shows its
    controls as visible placeholders, so it stays one line and never drives the terminal)."""
    return click.ClickException(printable(one_line(message)))


def say(text: object, *, err: bool = False) -> None:
    """Echo one line that may hold outside text (a name, a file name, a note), made printable."""
    click.echo(printable(text), err=err)


def say_json(data: object, *, ensure_ascii: bool = False) -> None:
    """Print a document as JSON, every string in it made printable (newlines kept, escaped by JSON)."""
    import json

    click.echo(json.dumps(printable_data(data), indent=2, ensure_ascii=ensure_ascii))



pass_context = click.make_pass_decorator(Context)
