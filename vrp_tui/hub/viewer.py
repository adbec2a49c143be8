"""One spoke's return for one quarter as the hub reads it: the held version,
its history, and what changed between two versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .held import Received, document, versions
from .review import Review, reviews_of
from .store import HubStore

# Fields that differ between any two versions and say nothing about the return's content.
_BOOKKEEPING = {"version", "status", "generated_at", "signed_off_at", "signed_off_by"}


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


@dataclass(frozen=True)
class Change:
    path: str  # "totals.referrals", "interventions[M01].spend_gbp.grant", "narrative.highlights"
    before: Any
    after: Any


def view_return(hub: HubStore, spoke: str, period: str, version: int | None = None) -> ReturnView | None:
    """The return (held version unless ``version`` is given), or None if nothing is held."""
    held = versions(hub, spoke, period)
    if not held:
        return None
    shown = next((v for v in held if v.version == version), held[-1]) if version else held[-1]
    return ReturnView(spoke, period, held, reviews_of(hub, spoke, period), document(hub, shown.id))


def diff_versions(hub: HubStore, spoke: str, period: str, old: int, new: int) -> list[Change]:
    """What changed from version ``old`` to version ``new``; KeyError if either is not held."""
    by_version = {v.version: v for v in versions(hub, spoke, period)}
    return diff_documents(document(hub, by_version[old].id), document(hub, by_version[new].id))


def diff_documents(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Changed values, path by path; interventions are matched by ref, not position."""
    a, b = _flatten(before), _flatten(after)
    return [
        Change(path, a.get(path), b.get(path))
        for path in sorted(set(a) | set(b), key=_path_order)
        if a.get(path) != b.get(path) and path.split(".", 1)[0] not in _BOOKKEEPING
    ]


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and prefix in ("interventions",):
        out = {}
        for item in value:
            out.update(_flatten(item, f"{prefix}[{item.get('ref', '?')}]"))
        return out
    if isinstance(value, list):
        out = {}
        for n, item in enumerate(value):
            out.update(_flatten(item, f"{prefix}[{n}]"))
        return out
    return {prefix: value}


def _path_order(path: str) -> tuple[int, str]:
    sections = ("totals", "interventions", "narrative", "validation")
    head = path.split(".", 1)[0].split("[", 1)[0]
    return (sections.index(head) if head in sections else -1, path)
