"""What the Returns screen shows for one quarter, read in a worker, and the lines it says in words.

No widgets here: the state line, the findings of a frozen version and the text
of what changed between two versions are built from the return's documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text

from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.returns.diff import diff
from vrp_tui.returns.validation import Finding
from vrp_tui.store import Store
from vrp_tui.text import printable


@dataclass(frozen=True)
class Built:
    """What the screen shows for one quarter, read in one worker."""

    period: Period
    document: dict[str, Any]
    findings: list[Finding]
    open: bool
    versions: list[lifecycle.VersionInfo]
    narrative: dict[str, str]


def state_line(built: Built) -> Text:
    errors = sum(f.severity == "error" for f in built.findings)
    warnings = len(built.findings) - errors
    if built.open:
        state = Text(f"Draft of v{len(built.versions) + 1}", style="bold")
    else:
        last = built.versions[-1]
        state = Text(f"v{last.version} {last.status} by {printable(last.signed_off_by)}", style="bold green")
    state.append(" \u00b7 ")
    state.append(f"{errors} error(s)", style="bold red" if errors else "")
    state.append(f" \u00b7 {warnings} warning(s)")
    return state


def frozen_findings(document: dict[str, Any]) -> list[Finding]:
    """The validation a frozen version was signed off with, as findings (young people counted, not named)."""
    return [
        Finding(severity, m["code"], m["text"], m["table"], m.get("id"), m.get("ref"))
        for severity, key in (("error", "errors"), ("warning", "warnings"))
        for m in document["validation"][key]
    ]


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
