"""Sending the return to the hub and hearing back: ``vrp export``, ``vrp keys``, ``vrp receipt import``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from vrp_tui.bundle import signing
from vrp_tui.cli.common import Context, pass_context, refuse, say
from vrp_tui.cli.spoke import ask_passphrase, open_spoke
from vrp_tui.spoke.setup import (
    SetupError,
    change_passphrase,
    hub_recipient,
    list_keys,
    rotate_key,
    set_hub_recipient,
)
from vrp_tui.store import StoreBusy


@click.command("export")
@click.argument("period")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write into (default: exports/, or the folder set for this spoke).")
@pass_context
def export(ctx: Context, period: str, out_dir: Path | None) -> None:
    """Write the bundle of PERIOD's latest signed-off return.

    Asks for the passphrase (or reads VRP_PASSPHRASE), writes
    {spoke}_{period}_v{version}.vrpb and prints its path; the bundle id and
    sha256 follow on stderr.
    """
    from vrp_tui.spoke.export import ExportRefused, export_return, plan_export

    store = open_spoke(ctx)
    try:
        plan = plan_export(store, period, out_dir)
        record = export_return(store, plan, ask_passphrase())
    except (ExportRefused, StoreBusy) as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    say(record.path)

    click.echo(f"bundle id {record.bundle_id}", err=True)
    click.echo(f"sha256 {record.sha256}", err=True)


@click.group("keys")
def keys_group() -> None:
    """Signing keys, the hub recipient and the hub's key: show, passphrase, recipient, hub-key, rotate."""


@keys_group.command("show")
@click.option("--all", "show_all", is_flag=True, help="Also list retired keys (oldest first; the key in use last).")
@pass_context
def show(ctx: Context, show_all: bool) -> None:
    """Print the public key to give the hub, as a minisign .pub file.

    The comment line names the key id (its fingerprint); the last line is the
    RW... line `vrp hub enroll` takes.
    """
    store = open_spoke(ctx)
    try:
        listed = list_keys(store, retired=show_all)
    finally:
        store.close()
    if not listed:
        raise refuse("this spoke has no signing key: run `vrp init` first")
    if not show_all:
        click.echo(signing.public_key_file(listed[0].public_key), nl=False)
        return
    for key in reversed(listed):
        note = f" (in use since {key.created_at})" if key.in_use else f" (retired {key.retired_at})"
        click.echo(signing.public_key_file(key.public_key, note), nl=False)


@keys_group.command("passphrase")
@pass_context
def passphrase(ctx: Context) -> None:
    """Change the passphrase protecting the signing key.

    Asks for the current passphrase (or VRP_PASSPHRASE) and the new one
    (or VRP_NEW_PASSPHRASE).
    """
    store = open_spoke(ctx)
    try:
        old = ask_passphrase()
        new = os.environ.get("VRP_NEW_PASSPHRASE") or click.prompt(
            "New passphrase", hide_input=True, confirmation_prompt=True)
        change_passphrase(store, old, new)
    except (signing.KeyProblem, StoreBusy) as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    click.echo("passphrase changed")


@keys_group.command("recipient")
@click.argument("recipient", required=False, metavar="AGE1...")
@pass_context
def recipient_(ctx: Context, recipient: str | None) -> None:
    """Set or change the hub's age recipient; with no argument, print it."""
    store = open_spoke(ctx)
    try:
        if recipient is None:
            current = hub_recipient(store)
            if not current:
                raise refuse("no hub recipient is set: vrp keys recipient AGE1...")
            say(current)
            return
        click.echo(set_hub_recipient(store, recipient))
    except SetupError as exc:
        raise refuse(exc.errors["hub_recipient"]) from None
    except StoreBusy as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()


@keys_group.command("hub-key")
@click.argument("key", metavar="RW...")
@pass_context
def hub_key_(ctx: Context, key: str) -> None:
    """Record (or replace) the hub's public signing key, for its receipts.

    KEY is the RW... line `vrp hub identity` prints, or the hub's minisign .pub file.
    """
    from vrp_tui.spoke.receipts import set_hub_key

    text = Path(key).read_text(encoding="utf-8") if Path(key).is_file() else key
    store = open_spoke(ctx)
    try:
        line = set_hub_key(store, text)
    except (signing.KeyProblem, StoreBusy) as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    click.echo(f"hub key {signing.key_id(line)} recorded: {line}")


@click.group("receipt")
def receipt_group() -> None:
    """The hub's receipts: import them (verified with the hub's signing key)."""


@receipt_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_context
def receipt_import(ctx: Context, files: tuple[Path, ...]) -> None:
    """Verify and record the hub's receipt FILEs (a folder: every .vrpr in it); one line per file."""
    from vrp_tui.bundle.receipt import SUFFIX
    from vrp_tui.spoke.receipts import import_files

    paths = [p for f in files for p in (sorted(f.glob("*" + SUFFIX)) if f.is_dir() else [f])]
    if not paths:
        raise refuse(f"no {SUFFIX} files in {', '.join(str(f) for f in files)}")
    store = open_spoke(ctx)
    try:
        results = import_files(store, paths)
    finally:
        store.close()
    refused = 0
    for result in results:
        say(f"{result.name}: {result.line}")
        refused += not result.accepted
    if refused:
        raise refuse(f"{refused} of {len(paths)} receipt{'s' if len(paths) != 1 else ''} refused")


@keys_group.command("rotate")
@pass_context
def rotate(ctx: Context) -> None:
    """Make a new key pair and retire the one in use (it stays listed); prints the new public key.

    Give the hub the new key before the next export: bundles are signed with it from now on.
    """
    store = open_spoke(ctx)
    try:
        old = list_keys(store)
        new = rotate_key(store, ask_passphrase())
    except (signing.KeyProblem, StoreBusy) as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    click.echo(signing.public_key_file(new.public_key), nl=False)
    if old:
        click.echo(f"retired key {old[0].key_id}; give the hub the new key {new.key_id}", err=True)
