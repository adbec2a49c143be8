"""One spoke's return for one quarter as the hub reads it: the held version,
its history, and what changed between two versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vrp_tui.hub.held import Received, document, versions
from vrp_tui.hub.review import Review, reviews_of
from vrp_tui.hub.store import HubStore
from vrp_tui.returns.diff import Change, diff
from vrp_tui.returns.measures import ADDED_LATER, NOT_RECORDED


@dataclass(frozen=True)
class ReturnView:
    spoke: str
    period: str
    versions: list[Received]  # oldest first; the last is the held one
    reviews: list[Review]
    document: dict[str, Any]  # of the version being viewed

    @property
    def held(self) -> Received:
        return self.versions[-1]

    @property
    def not_recorded(self) -> list[str]:
        """The figures this return does not carry because it was signed off before they were recorded
        (``did_not_attend``, ``attendance_rate``, ``outcomes``): shown as "not recorded", never as zeros."""
        return [name for name in ADDED_LATER if name not in self.document["totals"]]


def figure(part: dict[str, Any], name: str) -> Any:
    """A figure of an intervention's line or the totals, or "not recorded" when the return predates it."""
    return part.get(name, NOT_RECORDED)


def view_return(hub: HubStore, spoke: str, period: str, version: int | None = None) -> ReturnView | None:
    """The return (held version unless ``version`` is given), or None if nothing is held."""
    held = versions(hub, spoke, period)
    if not held:
        return None
    shown = next((v for v in held if v.version == version), held[-1]) if version else held[-1]
    return ReturnView(spoke, period, held, reviews_of(hub, spoke, period), document(hub, shown.id))


def diff_versions(hub: HubStore, spoke: str, period: str, old: int, new: int) -> list[Change]:
    """What changed from version ``old`` to version ``new`` (the returns package's diff: figures and
    narrative, interventions matched by ref); KeyError if either is not held."""
    by_version = {v.version: v for v in versions(hub, spoke, period)}
    return diff(document(hub, by_version[old].id), document(hub, by_version[new].id))
