"""``vrp return build|show|sign-off|reopen|versions|diff PERIOD`` (SPEC section 6)."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console

from vrp_tui.cli.common import Context, pass_context, refuse, say, say_json
from vrp_tui.cli.spoke import open_spoke
from vrp_tui.periods import Period, PeriodError
from vrp_tui.returns import ReturnError, SignOffRefused, lifecycle, tables, validation
from vrp_tui.returns.diff import diff as diff_documents
from vrp_tui.store import Store, StoreBusy
from vrp_tui.text import printable_data

SHOWN_ERRORS = 5


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise refuse(str(exc)) from None


@click.group("return")
def return_group() -> None:
    """The quarterly return: build, show, sign-off, reopen, versions, diff."""


@return_group.command()
@click.argument("period")
@pass_context
def build(ctx: Context, period: str) -> None:
    """Compute PERIOD's draft from the records and say what validation found."""
    p = _period(period)
    store = open_spoke(ctx)
    try:
        draft = lifecycle.build(store, p)
        doc = draft.document
        totals = doc.totals
        click.echo(f"{p.code}: {len(doc.interventions)} interventions, {totals.active} young people active, "
                   f"{totals.contacts} sessions, {len(doc.validation.errors)} error(s), "
                   f"{len(doc.validation.warnings)} warning(s)")
        for finding in validation.errors(draft.findings)[:SHOWN_ERRORS]:
            say(f"  error: {finding.text}")
        if not lifecycle.is_open(store, p):
            last = lifecycle.versions(store, p)[-1]
            click.echo(f"(signed off as version {last.version}: `vrp return reopen {p.code}` to change it)")
    except ReturnError as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()


@return_group.command()
@click.argument("period")
@click.option("--json", "as_json", is_flag=True, help="Print the return document (return.json).")
@pass_context
def show(ctx: Context, period: str, as_json: bool) -> None:
    """Print PERIOD's return: the open draft, or else the latest signed-off version."""
    p = _period(period)
    store = open_spoke(ctx)
    try:
        doc = lifecycle.current(store, p).to_json()
    except ReturnError as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    if as_json:
        say_json(doc)
        return
    doc = printable_data(doc)  # names, refs and narrative: controls as placeholders, markup as it is
    console = Console(highlight=False, soft_wrap=False, markup=False)
    console.print(tables.heading(doc), style="bold")
    for table in (tables.figures_table(doc), tables.breakdown_table(doc["totals"]), tables.money_table(doc),
                  tables.narrative_table(doc), tables.validation_table(doc)):
        console.print(table)


@return_group.command("sign-off")
@click.argument("period")
@click.option("--worker", help="Who signs off (default: the spoke's worker).")
@pass_context
def sign_off(ctx: Context, period: str, worker: str | None) -> None:
    """Freeze PERIOD's draft as the next version; refused while validation errors exist."""
    p = _period(period)
    store = open_spoke(ctx)
    try:
        version = lifecycle.sign_off(store, p, worker)
    except SignOffRefused as exc:
        for finding in exc.errors[:SHOWN_ERRORS]:
            say(f"error: {finding.text}", err=True)
        more = len(exc.errors) - SHOWN_ERRORS
        raise refuse(f"{p.code} not signed off: {len(exc.errors)} validation error(s)"
                     + (f" ({more} more not shown)" if more > 0 else "")) from None
    except (ReturnError, StoreBusy) as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    click.echo(f"{p.code} signed off as version {version}")


@return_group.command()
@click.argument("period")
@pass_context
def reopen(ctx: Context, period: str) -> None:
    """Start PERIOD's next version as a draft (earlier versions stay as they were)."""
    p = _period(period)
    store = open_spoke(ctx)
    try:
        version = lifecycle.reopen(store, p)
    except (ReturnError, StoreBusy) as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    click.echo(f"{p.code} reopened: draft of version {version}")


@return_group.command()
@click.argument("period")
@pass_context
def versions(ctx: Context, period: str) -> None:
    """List PERIOD's signed-off versions: who, when, exported."""
    p = _period(period)
    store = open_spoke(ctx)
    try:
        done = lifecycle.versions(store, p)
        still_open = lifecycle.is_open(store, p)
    finally:
        store.close()
    for v in done:
        exported = f", exported {v.exported_at}" if v.exported_at else ""
        say(f"v{v.version} {v.status} by {v.signed_off_by} at {v.signed_off_at}{exported}")
    if still_open:
        click.echo(f"v{len(done) + 1} draft")


@return_group.command()
@click.argument("period")
@click.argument("old", type=int)
@click.argument("new", type=int, required=False)
@pass_context
def diff(ctx: Context, period: str, old: int, new: int | None) -> None:
    """What changed from version OLD to NEW (default: the open draft, else the latest version)."""
    p = _period(period)
    store = open_spoke(ctx)
    try:
        before = lifecycle.get_version(store, p, old).document
        after = _version_or_current(store, p, new)
    except ReturnError as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    changes = diff_documents(before, after)
    for change in changes:
        say(change)

    if not changes:
        click.echo("no changes")


def _version_or_current(store: Store, p: Period, version: int | None) -> dict[str, Any]:
    if version is None:
        return lifecycle.current(store, p).to_json()
    return lifecycle.get_version(store, p, version).document
