"""``vrp return build|show|narrative|sign-off|reopen|versions|diff PERIOD`` (SPEC section 6)."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.text import Text

from vrp_tui.cli.common import Context, pass_context, refuse, say, say_json
from vrp_tui.cli.spoke import open_spoke
from vrp_tui.periods import Period, PeriodError
from vrp_tui.returns import ReturnError, SignOffRefused, lifecycle, stale, tables, validation
from vrp_tui.returns.diff import diff as diff_documents
from vrp_tui.store import Store, StoreBusy
from vrp_tui.text import printable, printable_data

SHOWN_ERRORS = 5
SHOWN_NAMES = 10  # records named in one message about young people, then "and N more"


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise refuse(str(exc)) from None


@click.group("return")
def return_group() -> None:
    """The quarterly return: build, show, narrative, sign-off, reopen, versions, diff."""


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
        for finding in validation.errors(draft.summary)[:SHOWN_ERRORS]:
            click.echo(f"  error: {_finding_line(finding)}")
        if not lifecycle.is_open(store, p):
            last = lifecycle.versions(store, p)[-1]
            click.echo(f"(signed off as version {last.version}: `vrp return reopen {p.code}` to change it)")
    except ReturnError as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()


def _finding_line(finding: validation.Finding) -> str:
    """A finding for the terminal: a message counting young people also lists which."""
    text = finding.text
    if finding.table in validation.PEOPLE_TABLES and len(finding.names) > 1:
        text = f"{text} ({finding.listed(SHOWN_NAMES)})"
    return printable(text)


@return_group.command()
@click.argument("period")
@click.option("--json", "as_json", is_flag=True, help="Print the return document (return.json).")
@pass_context
def show(ctx: Context, period: str, as_json: bool) -> None:
    """Print PERIOD's return: the open draft, or else the latest signed-off version.

    A signed-off version whose figures the records no longer give says so
    (`changed since vN was signed off`) and lists the figures that differ.
    """
    p = _period(period)
    store = open_spoke(ctx)
    try:
        draft = lifecycle.build(store, p)
        if lifecycle.is_open(store, p):
            doc = draft.document.to_json()
            changed = None
        else:
            doc = lifecycle.current(store, p).to_json()
            changed = stale.changed_since_sign_off(store, p, now=draft.document.to_json())
    except ReturnError as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    if as_json:
        say_json(doc)
        if changed:
            click.echo(printable(changed.headline), err=True)
        return
    doc = printable_data(doc)  # names, refs and narrative: controls as placeholders, markup as it is
    console = Console(highlight=False, soft_wrap=False, markup=False)
    console.print(Text(tables.heading(doc), style="bold"))
    if changed:
        for line in changed.lines():
            console.print(Text(printable(line), style="bold yellow"))
    for table in (tables.figures_table(doc), tables.attendance_table(doc), tables.outcomes_table(doc),
                  tables.breakdown_table(doc["totals"]), tables.money_table(doc),
                  tables.narrative_table(doc), tables.validation_table(doc, draft.findings, most=SHOWN_NAMES)):
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
        for finding in validation.summary(exc.errors)[:SHOWN_ERRORS]:
            click.echo(f"error: {_finding_line(finding)}", err=True)
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
    """List PERIOD's signed-off versions: who, when, exported, the hub's receipt state and note,
    and whether the records changed since."""
    from vrp_tui.spoke.receipts import receipt_states

    p = _period(period)
    store = open_spoke(ctx)
    try:
        done = lifecycle.versions(store, p)
        states = receipt_states(store, p.code)
        still_open = lifecycle.is_open(store, p)
        changed = stale.changed_since_sign_off(store, p) if done and not still_open else None
    except ReturnError as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    for v in done:
        exported = f", exported {v.exported_at}" if v.exported_at else ""
        hub = states.get(v.version)
        said = f"; hub: {hub.label}" + (f": {hub.note}" if hub.note else "") if hub else ""
        say(f"v{v.version} {v.status} by {v.signed_off_by} at {v.signed_off_at}{exported}{said}")
    if still_open:
        click.echo(f"v{len(done) + 1} draft")
    if changed:
        for line in changed.lines():
            click.echo(line)


@return_group.command()
@click.argument("period")
@click.option("--highlights", help="What went well this quarter.")
@click.option("--challenges", help="What got in the way.")
@click.option("--case-study", "case_study", help="One young person's story, anonymised (no ref, date of "
              "birth, postcode, email or phone number).")
@click.option("--next-quarter", "next_quarter", help="What is planned next.")
@pass_context
def narrative(ctx: Context, period: str, highlights: str | None, challenges: str | None,
              case_study: str | None, next_quarter: str | None) -> None:
    """Set the draft's narrative fields; a field left out stays as it is.

    Refused on a signed-off version (reopen it first). Saving is allowed
    whatever the text holds; what would identify someone is listed after
    saving, and sign-off is refused until it is put right.
    """
    p = _period(period)
    given = {name: value for name, value in (("highlights", highlights), ("challenges", challenges),
                                             ("case_study", case_study), ("next_quarter", next_quarter))
             if value is not None}
    store = open_spoke(ctx)
    try:
        lifecycle.require_begun(p)
        if given:
            lifecycle.save_narrative(store, p, given)
        text = lifecycle.narrative(store, p)
        found = validation.narrative_findings(store, p, text)
    except (ReturnError, StoreBusy) as exc:
        raise refuse(str(exc)) from None
    finally:
        store.close()
    saved = ", ".join(name for name in given) or "nothing (no field given)"
    click.echo(f"{p.code} narrative saved: {saved}")
    for finding in sorted(found, key=lambda f: f.severity != "error"):
        click.echo(f"{finding.severity}: {_finding_line(finding)}")


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
