"""Spoke set-up and housekeeping commands: init, backup."""

from __future__ import annotations

from pathlib import Path

import click

from vrp_tui.bundle.signing import passphrase_from_env
from vrp_tui.cli.common import Context, pass_context, refuse, say
from vrp_tui.spoke.setup import SetupError, set_up_spoke
from vrp_tui.store import Store


def open_spoke(ctx: Context, *, set_up: bool = True, create: bool = False) -> Store:
    """The spoke store; refuses a missing file unless ``create``, and one not set up when ``set_up``.

    Any other file that is not a spoke database is refused (DatabaseRefused, one line).
    """
    store = Store(ctx.spoke_db, create=create)
    if set_up and not store.spoke:
        store.close()
        raise refuse(f"{ctx.spoke_db} is not set up: run `vrp init` (or `vrp`) first")
    return store


def ask_passphrase(confirm: bool = False) -> str:
    return passphrase_from_env() or click.prompt(
        "Passphrase", hide_input=True, confirmation_prompt=confirm
    )


@click.command()
@click.option("--spoke", required=True, help="bristol, banes, north-somerset, south-glos or somerset.")
@click.option("--worker", required=True, help="Your name, recorded in the audit trail.")
@click.option("--hub-recipient", required=True, help="The hub's age recipient (age1...).")
@click.option("--hub-key", default="", metavar="RW...", help="The hub's public signing key, for its receipts.")
@pass_context
def init(ctx: Context, spoke: str, worker: str, hub_recipient: str, hub_key: str) -> None:
    """Set up a spoke database and its key pair; prints the public key."""
    store = open_spoke(ctx, set_up=False, create=True)
    try:
        line = set_up_spoke(
            store, spoke=spoke, worker=worker, hub_recipient=hub_recipient,
            passphrase=ask_passphrase(confirm=True), hub_key=hub_key,
        )
    except SetupError as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    click.echo(line)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def backup(ctx: Context, path: Path) -> None:
    """Copy the live database to PATH (SQLite online backup)."""
    store = open_spoke(ctx, set_up=False)
    try:
        store.backup(path)
    finally:
        store.close()
    say(path)
