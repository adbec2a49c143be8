"""The hub's commands (``vrp hub ...``): identity, spoke keys, import, status, review, report.

``vrp hub`` on its own opens the hub TUI. Every command works on the hub
database (``--db`` or ``VRP_DB``, else ``hub.db`` in the user's data folder).
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from pathlib import Path

import click

from vrp_tui.cli import run_app
from vrp_tui.cli.common import Context, pass_context, refuse, say, say_json
from vrp_tui.cli.spoke import ask_passphrase
from vrp_tui.files import write_whole
from vrp_tui.formatting import timestamp
from vrp_tui.hub.identity import (
    IdentityProblem,
    create_identity,
    ensure_signing_key,
    signing_key_line,
    unlock_identity,
    unlock_signing_key,
)
from vrp_tui.hub.intake import bundles_in, import_files
from vrp_tui.hub.report import FORMATS, NothingToReport, default_name, report, report_figures
from vrp_tui.hub.review import ReviewRefused, review_return
from vrp_tui.hub.spoke_keys import KeyRefused, enrol_key, list_keys, revoke_keys
from vrp_tui.hub.status import completeness
from vrp_tui.hub.store import SETTINGS, HubSettingError, HubStore, NotAHubDatabase
from vrp_tui.hub.viewer import view_return
from vrp_tui.periods import Period, PeriodError, parse_financial_year


def open_hub(ctx: Context, *, set_up: bool = True, create: bool = False) -> HubStore:
    """The hub store; refuses a missing file unless ``create``, a spoke's or any other
    database that is not the hub's, and one not yet set up when ``set_up``."""
    try:
        hub = HubStore(ctx.hub_db, create=create)
    except NotAHubDatabase as exc:
        raise refuse(str(exc)) from None
    if set_up and not hub.recipient:
        hub.close()
        raise refuse(f"{ctx.hub_db} is not set up as a hub: run `vrp hub init` first")
    return hub


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise refuse(str(exc)) from None


@click.group(invoke_without_command=True)
@click.pass_context
def hub(ctx: click.Context) -> None:
    """The hub: enrol spoke keys, import bundles, review returns, report.

    With no command, opens the hub TUI.
    """
    if ctx.invoked_subcommand is None:
        from vrp_tui.hub_app import make_hub_app

        # A missing file opens the set-up screen; a spoke's database is refused here, not in the TUI.
        open_hub(ctx.obj, set_up=False, create=True).close()
        run_app(ctx, make_hub_app(ctx.obj.hub_db))


@hub.command()
@pass_context
def init(ctx: Context) -> None:
    """Set up the hub database, its age identity and signing key.

    Prints the recipient (age1...) and the signing key (RW...), each on its own
    line: a spoke needs both (`vrp init --hub-recipient ... --hub-key ...`).
    """
    with open_hub(ctx, set_up=False, create=True) as store:
        if store.recipient:
            raise refuse(f"{ctx.hub_db} is already set up; its recipient is {store.recipient}")
        try:
            click.echo(create_identity(store, ask_passphrase(confirm=True)))
        except IdentityProblem as exc:
            raise refuse(str(exc)) from None
        click.echo(signing_key_line(store))


@hub.command()
@pass_context
def identity(ctx: Context) -> None:
    """Print the hub's recipient (age1...) and signing key (RW...) again, each on its own line.

    A hub set up before receipts makes its signing key now (asks for the passphrase).
    """
    with open_hub(ctx) as store:
        line = signing_key_line(store)
        if line is None:
            try:
                line = ensure_signing_key(store, ask_passphrase())
            except IdentityProblem as exc:
                raise refuse(str(exc)) from None
        click.echo(store.recipient)
        click.echo(line)


@hub.command()
@click.argument("spoke")
@click.argument("period")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="exports",
              show_default=True, help="The folder to write the receipt into.")
@pass_context
def receipt(ctx: Context, spoke: str, period: str, out_dir: Path) -> None:
    """Write the receipt of the latest version of SPOKE's PERIOD return held, with its review state.

    Signed with the hub's key (asks for the passphrase); prints the receipt's path.
    """
    from vrp_tui.hub.receipts import ReceiptNotIssued, issue_receipt

    with open_hub(ctx) as store:
        try:
            key = unlock_signing_key(store, ask_passphrase())
            done = issue_receipt(store, spoke, period, key, out_dir)
        except (IdentityProblem, ReceiptNotIssued) as exc:
            raise refuse(str(exc)) from None
    say(done.path)
    click.echo(f"{done.receipt.spoke} {done.receipt.period} v{done.receipt.version}: {done.receipt.label}"
               + ("" if done.new else " (issued before; written again)"), err=True)


@hub.command()
@click.argument("code")
@click.argument("pubkey")
@pass_context
def enroll(ctx: Context, code: str, pubkey: str) -> None:
    """Trust PUBKEY (the RW... line, or a minisign .pub file) for spoke CODE.

    A spoke's earlier keys stay valid (key rotation); revoke a key to stop trusting it.
    """
    text = Path(pubkey).read_text(encoding="utf-8") if Path(pubkey).is_file() else pubkey
    with open_hub(ctx) as store:
        try:
            key, new = enrol_key(store, code, text)
        except KeyRefused as exc:
            raise refuse(str(exc)) from None
    say(f"{'enrolled' if new else 'already enrolled'}: {code} key {key.key_id}")


@hub.command()
@click.argument("code")
@click.option("--key", "key_id", metavar="KEYID", help="Revoke only this key (default: all the spoke's keys).")
@pass_context
def revoke(ctx: Context, code: str, key_id: str | None) -> None:
    """Stop trusting spoke CODE's key(s): bundles they sign are rejected from now on."""
    with open_hub(ctx) as store:
        try:
            revoked = revoke_keys(store, code, key_id)
        except KeyRefused as exc:
            raise refuse(str(exc)) from None
    for key in revoked:
        say(f"revoked: {code} key {key.key_id}")


@hub.command("keys")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def keys_(ctx: Context, as_json: bool) -> None:
    """The spoke keys enrolled, with fingerprints and when enrolled or revoked."""
    with open_hub(ctx) as store:
        rows = list_keys(store)
    if as_json:
        say_json([{**vars(k), "state": k.state} for k in rows], ensure_ascii=True)
        return
    for k in rows:
        revoked = f"  revoked {k.revoked_at}" if k.revoked_at else ""
        say(f"{k.spoke:<15} {k.key_id}  {k.state:<7}  enrolled {k.enrolled_at}{revoked}")


@hub.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_context
def import_(ctx: Context, files: tuple[Path, ...]) -> None:
    """Verify and import bundle FILEs (a folder: every .vrpb in it); one line per file."""
    paths = [p for f in files for p in (bundles_in(f) if f.is_dir() else [f])]
    with open_hub(ctx) as store:
        try:
            identity = unlock_identity(store, ask_passphrase())
        except IdentityProblem as exc:
            raise refuse(str(exc)) from None
        rejected = 0
        for result in import_files(store, paths, identity):
            say(f"{result.name}: {result.line}")  # a file's name and the reason it was refused
            rejected += not result.accepted
    if rejected:
        raise refuse(f"{rejected} of {len(paths)} file{'s' if len(paths) != 1 else ''} rejected")


@hub.command()
@click.option("--year", help="Financial year, e.g. 2025-26 (default: the current one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def status(ctx: Context, year: str | None, as_json: bool) -> None:
    """Spokes x quarters: version held, when received, on time or late, review state."""
    today = date.today()
    try:
        fy = parse_financial_year(year) if year else Period.containing(today).fy_start
    except PeriodError as exc:
        raise refuse(str(exc)) from None
    with open_hub(ctx) as store:
        matrix = completeness(store, fy, today)
    if as_json:
        say_json(matrix.to_json(), ensure_ascii=True)
        return
    click.echo(f"Financial year {matrix.financial_year} (due {matrix.deadline_days} days after quarter end)")
    for spoke in dict.fromkeys(s for s, _ in matrix.cells):
        for cell in matrix.row(spoke):
            held = f"v{cell.version} received {timestamp(cell.received_at)}" \
                if cell.version else "nothing held"
            note = f" ({cell.review_note})" if cell.review_note else ""
            say(f"{spoke:<15} {cell.period}  {held:<30} {cell.timeliness:<8} {cell.review_label}{note}")


@hub.command()
@click.argument("spoke")
@click.argument("period")
@click.option("--accept", is_flag=True, help="Accept the held version.")
@click.option("--issues", metavar="NOTE", help="Return it with issues, saying what they are.")
@click.option("--by", "reviewer", default=getpass.getuser, show_default="your login name",
              help="Who reviewed it.")
@pass_context
def review(ctx: Context, spoke: str, period: str, accept: bool, issues: str | None, reviewer: str) -> None:
    """Accept SPOKE's return for PERIOD, or return it with issues (--issues NOTE)."""
    if accept == (issues is not None):
        raise click.UsageError("give exactly one of --accept or --issues NOTE")
    with open_hub(ctx) as store:
        try:
            done = review_return(store, spoke, period, accept=accept, note=issues or "", reviewer=reviewer)
        except ReviewRefused as exc:
            raise refuse(str(exc)) from None
    say(f"{spoke} {_period(period).code} version {done.version}: {done.label}")


@hub.command()
@click.argument("spoke")
@click.argument("period")
@click.option("--version", "version", type=int, help="An earlier version (default: the one held).")
@pass_context
def show(ctx: Context, spoke: str, period: str, version: int | None) -> None:
    """Print SPOKE's return for PERIOD as received (return.json)."""
    code = _period(period).code
    with open_hub(ctx) as store:
        view = view_return(store, spoke, code, version)
    if view is None:
        raise refuse(f"no return from {spoke} for {code} is held")
    if version and view.document.get("version") != version:
        raise refuse(f"version {version} of {spoke} {code} is not held")
    say_json(view.document)  # as received, but no control character reaches the terminal


@hub.command("report")
@click.argument("period")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (default: standard output; xlsx: a file named for the period).")
@click.option("--publish", is_flag=True, help="Apply disclosure control, for release outside the partnership.")
@click.option("--accepted-only", is_flag=True, help="Leave out returns the hub has not accepted.")
@pass_context
def report_(ctx: Context, period: str, fmt: str, out: Path | None, publish: bool, accepted_only: bool) -> None:
    """Consolidated VRP figures for PERIOD: exact, or with --publish disclosure-controlled.

    The report names the returns it holds, their versions and review states; a
    quarter with no returns held (with --accepted-only: none accepted) is refused.
    """
    quarter = _period(period)
    with open_hub(ctx) as store:
        try:
            figures, returns = report_figures(store, quarter, accepted_only=accepted_only)
        except NothingToReport as exc:
            raise refuse(str(exc)) from None
        data = report(figures, fmt, publish=publish, threshold=store.setting("disclosure_threshold"),
                      returns=returns)
    if out is None and fmt == "xlsx":
        out = Path(default_name(figures, fmt, publish))
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    write_whole(out, data)
    say(out)



@hub.command()
@click.option("--deadline-days", type=int, help=SETTINGS["deadline_days"].label.capitalize() + ".")
@click.option("--threshold", type=int, help=SETTINGS["disclosure_threshold"].label.capitalize() + ".")
@pass_context
def settings(ctx: Context, deadline_days: int | None, threshold: int | None) -> None:
    """Show the hub's settings, or change them."""
    changes = {k: v for k, v in (("deadline_days", deadline_days), ("disclosure_threshold", threshold))
               if v is not None}
    with open_hub(ctx) as store:
        if changes:
            try:
                store.set_settings(changes)
            except HubSettingError as exc:
                raise refuse(str(exc)) from None
        values = store.settings()
    for key, value in values.items():
        click.echo(f"{key} = {value}  ({SETTINGS[key].label})")
