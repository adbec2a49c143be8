"""What changed between two versions of a return: figures and narrative, old -> new.

Interventions are matched by ref; breakdowns and money are compared key by
key, so a change reads like ``MENT01 active_by_sex.female: 3 -> 4``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vrp_tui.returns.document import NARRATIVE_FIELDS

LABELS = ("ref", "name", "approach", "prevention_level", "setting")


@dataclass(frozen=True)
class Change:
    where: str  # "totals", an intervention ref, or "narrative"
    item: str  # "active", "spend_gbp.grant", "highlights", "listed"
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.where} {self.item}: {_show(self.old)} -> {_show(self.new)}"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str) and len(value) > 40:
        return repr(value[:37] + "...")
    return repr(value) if isinstance(value, str) else str(value)


def _flat(figures: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _compare(where: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    a, b = _flat(old), _flat(new)
    return [Change(where, k, a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes from document ``old`` to ``new`` (both as JSON dicts)."""
    changes: list[Change] = []
    before = {i["ref"]: i for i in old["interventions"]}
    after = {i["ref"]: i for i in new["interventions"]}
    for ref in sorted(set(before) | set(after)):
        if ref not in after:
            changes.append(Change(ref, "listed", "yes", None))
        elif ref not in before:
            changes.append(Change(ref, "listed", None, "yes"))
        else:
            changes += _compare(ref, before[ref], after[ref])
    changes += _compare("totals", old["totals"], new["totals"])
    changes += [
        Change("narrative", f, old["narrative"][f], new["narrative"][f])
        for f in NARRATIVE_FIELDS if old["narrative"][f] != new["narrative"][f]
    ]
    return changes
