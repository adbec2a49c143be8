"""What the Returns screen shows for one quarter, read in a worker, and the lines it says in words.

No widgets here. A frozen version is read as it was stored (never rebuilt: its
figures cannot change); a draft is built from the records. The state line, the
stale notice, the findings of a frozen version, the records a finding leads to
and the text of what changed between two versions are made from what was read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text

from vrp_tui.periods import Period
from vrp_tui.records.sections import SECTIONS
from vrp_tui.returns import lifecycle, validation
from vrp_tui.returns.diff import diff
from vrp_tui.returns.stale import Stale
from vrp_tui.returns.validation import Finding
from vrp_tui.spoke.receipts import ReceiptState, receipt_states
from vrp_tui.store import Store
from vrp_tui.text import printable
from vrp_tui.widgets.record_list import IdFilter


@dataclass(frozen=True)
class Built:
    """What the screen shows for one quarter, read in one worker.

    ``findings`` are as people read them: those about young people merged, one
    per code, each naming all its records (``validation.summary``)."""

    period: Period
    document: dict[str, Any]
    findings: list[Finding]
    open: bool
    versions: list[lifecycle.VersionInfo]
    narrative: dict[str, str]
    today: date
    receipts: Mapping[int, ReceiptState] = dataclasses.field(default_factory=dict)  # the hub's word, by version

    @property
    def signable_from(self) -> date | None:
        """The day sign-off becomes possible, while the quarter has not ended; None once it has."""
        return self.period.last_day + timedelta(days=1) if self.period.last_day >= self.today else None


def read_frozen(store: Store, period: Period, today: date) -> Built | None:
    """The latest frozen version as it was signed off, or None while the return is a draft."""
    if lifecycle.is_open(store, period):
        return None
    frozen = lifecycle.latest_signed_off(store, period)
    assert frozen is not None
    document = {**frozen.document, "status": frozen.info.status}
    return Built(period, document, frozen_findings(document), False, lifecycle.versions(store, period),
                 lifecycle.narrative(store, period), today, receipt_states(store, period.code))


def build_draft(store: Store, period: Period, today: date) -> Built:
    draft = lifecycle.build(store, period, today=today)
    return Built(period, draft.document.to_json(), draft.summary, True, lifecycle.versions(store, period),
                 lifecycle.narrative(store, period), today, receipt_states(store, period.code))


def with_narrative(built: Built, narrative: dict[str, str], found: list[Finding]) -> Built:
    """``built`` with the narrative as just saved and its findings in place of the old ones."""
    kept = [f for f in built.findings if f.table != "return_drafts"]
    findings = sorted([*kept, *found], key=lambda f: f.severity != "error")
    return dataclasses.replace(built, narrative=narrative, findings=findings)


def year_so_far(store: Store, period: Period, totals: dict[str, Any]) -> list[tuple[Period, int, int]]:
    """Active young people and sessions for each quarter of the financial year up to ``period``
    (the earlier quarters from the records, by one indexed count each; this one from its figures)."""
    out = []
    for q in period.year_to_date():
        if q == period:
            out.append((q, totals["active"], totals["contacts"]))
        else:
            out.append((q, *store.quarter_activity(q.first_day, q.last_day)))
    return out


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def state_line(built: Built, stale: Stale | None = None) -> Text:
    errors = sum(f.severity == "error" for f in built.findings)
    warnings = len(built.findings) - errors
    if built.open:
        state = Text(f"Draft of v{len(built.versions) + 1}", style="bold")
    else:
        last = built.versions[-1]
        state = Text(f"v{last.version} {last.status} by {printable(last.signed_off_by)}",
                     style="bold yellow" if stale else "bold green")
    state.append(" \u00b7 ")
    state.append(f"{errors} error(s)", style="bold red" if errors else "")
    state.append(f" \u00b7 {warnings} warning(s)")
    if built.open and built.signable_from is not None:
        state.append(f" \u00b7 sign-off from {_day(built.signable_from)}", style="italic")
    return state


def stale_notice(stale: Stale, most: int = 2) -> Text:
    """The headline (``changed since vN was signed off``), the first figures that differ, the key."""
    text = Text(stale.headline, style="bold")
    for change in stale.changes[:most]:
        text.append("\n  " + printable(str(change)))
    more = len(stale.changes) - most
    text.append(f"\n  and {more} more (5: Versions)" if more > 0 else "")
    text.append("  \u00b7 o reopens it as a draft of the records now", style="italic")
    return text


def hub_word(built: Built) -> Text | None:
    """The hub's receipt for the latest signed-off version, when it returned it with issues; else None."""
    if not built.versions or built.open:
        return None
    latest = built.versions[-1].version
    word = built.receipts.get(latest)
    if word is None or word.state != "returned-with-issues":
        return None
    text = Text(f"The hub returned v{latest} with issues", style="bold red")
    if word.note:
        text.append(": ")
        text.append(printable(word.note), style="bold")
    text.append("  \u00b7 o reopens it as the next version", style="italic")
    return text


def frozen_findings(document: dict[str, Any]) -> list[Finding]:
    """The validation a frozen version was signed off with, as findings (young people counted, not named)."""
    return [
        Finding(severity, m["code"], m["text"], m["table"], m.get("id"), m.get("ref"))
        for severity, key in (("error", "errors"), ("warning", "warnings"))
        for m in document["validation"][key]
    ]


# What the records of a finding have in common, after "6 young people" (by code).
WHICH = {
    "participant-missing-sex": "with no sex recorded",
    "participant-missing-ethnicity": "with no ethnicity recorded",
    "participant-future-dob": "with a date of birth in the future",
    "enrolment-end-before-start": "that end before they start",
    "enrolment-start-before-referral": "that start before the referral date",
    "enrolment-future-date": "with a date in the future",
    "enrolment-exit-without-end": "with an exit reason but no end date",
    "enrolment-end-without-exit": "with an end date but no exit reason",
    "contact-not-held": "in the quarter outside every referral window",
    "contact-future-date": "dated in the future",
}


def records_of(finding: Finding) -> tuple[str, IdFilter] | None:
    """The list a finding leads to and exactly its records; None when it names one record that is
    not a young person's (its form opens instead) or no records at all."""
    if finding.table not in SECTIONS or not finding.ids:
        return None
    if len(finding.ids) == 1 and finding.table not in validation.PEOPLE_TABLES:
        return None
    section = SECTIONS[finding.table]
    n = len(finding.ids)
    noun = section.title.lower() if n != 1 else section.noun
    which = WHICH.get(finding.code, f"in \u201c{finding.text}\u201d")
    return finding.table, IdFilter(tuple(finding.ids), f"{n:,} {noun} {which}")


def diff_text(store: Store, built: Built, key: str) -> Text:
    """What changed from the version before to the version ``key`` (a number, or "draft")."""
    if key == "draft":
        number, new = len(built.versions) + 1, built.document
    else:
        number = int(key)
        new = lifecycle.get_version(store, built.period, number).document
    if number == 1:
        return Text("Version 1: the first signed off, nothing before it to compare.")
    old = lifecycle.get_version(store, built.period, number - 1).document
    changes = diff(old, new)
    text = Text(f"From v{number - 1} to v{number}: " + (f"{len(changes)} change(s)" if changes
                                                           else "no changes"), style="bold")
    for change in changes:
        text.append("\n" + printable(change), style="")  # a change quotes the narrative
    return text
