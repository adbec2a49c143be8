"""Has a signed-off return fallen behind its records? (SPEC section 4, Lifecycle)

A frozen version keeps the figures it was signed off with. When the records
change afterwards (a late session, a corrected referral) so that the figures
they give now differ from the frozen ones, the spoke is told wherever it looks
at that return: ``changed since vN was signed off`` and which figures differ,
old and new. The message lasts until the spoke reopens the return (the draft
then shows the figures as they are) or the records agree with the frozen
version again (the late session deleted). A draft is never stale.

Working it out builds the return from the records (as fast as a build) and
compares the figures only: the narrative and validation of a frozen version
are what was signed off and do not go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.returns.diff import Change, figure_changes
from vrp_tui.returns.measures import ADDED_LATER
from vrp_tui.store import Store


@dataclass(frozen=True)
class Stale:
    """The latest signed-off version and the figures the records now give differently."""

    version: int
    changes: list[Change]

    @property
    def headline(self) -> str:
        n = len(self.changes)
        differ = "1 figure differs" if n == 1 else f"{n} figures differ"
        return f"changed since v{self.version} was signed off: {differ} from the records now"

    def lines(self, most: int = 20) -> list[str]:
        """The headline, then one line per figure (at most ``most``, then "and N more")."""
        out = [self.headline, *(f"  {change}" for change in self.changes[:most])]
        if len(self.changes) > most:
            out.append(f"  and {len(self.changes) - most} more")
        return out


def changed_since_sign_off(store: Store, period: Period, *, today: date | None = None,
                           now: dict[str, Any] | None = None) -> Stale | None:
    """The figures that differ between the latest frozen version and the records now; None when the
    return is a draft (never signed off, or reopened) or the records agree with it.

    ``now``: the document just built from the records, if the caller has it (saves a build).
    """
    if lifecycle.is_open(store, period) or period.first_day > (today or date.today()):
        return None  # a draft; or a version signed off under a wrong clock, for a quarter not begun
    frozen = lifecycle.latest_signed_off(store, period)
    if frozen is None:
        return None
    if now is None:
        now = lifecycle.build(store, period, today=today).document.to_json()
    changes = figure_changes(frozen.document, _as_recorded(frozen.document, now), labels=False)
    return Stale(frozen.info.version, changes) if changes else None


def _as_recorded(frozen: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """``now`` without the figures a version signed off before they existed does not carry: such a
    version has not "changed" because the app now records attendance and outcomes."""
    if all(name in frozen["totals"] for name in ADDED_LATER):
        return now
    def strip(part: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in part.items() if k not in ADDED_LATER or k in frozen["totals"]}
    return {**now, "totals": strip(now["totals"]), "interventions": [strip(i) for i in now["interventions"]]}
