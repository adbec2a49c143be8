"""Figures that moved by more than half against the previous quarter (a warning, SPEC section 4).

A return whose figures jump or collapse from one quarter to the next is
usually right (a programme starting, a summer break) but sometimes a sign of
data missing or entered twice, so the worker is asked to look before signing
off. What is compared:

- ``active`` (young people), ``contacts`` (sessions) and spend in the quarter
  (VRP grant plus match), for each intervention and for the spoke's totals;
- against the previous quarter's latest signed-off version (what the hub
  holds or will hold), not a fresh build of it: when the previous quarter has
  never been signed off there is nothing to compare and no warning;
- an intervention is compared only when it is in both returns, and a figure
  only when it was above zero the quarter before (from nothing, any start
  would be "more than half");
- "more than half": the new value is below half of the old one or above one
  and a half times it (exactly half either way is not a warning).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FIGURES = {"active": "Active young people", "contacts": "Sessions (contacts)", "spend": "Spend (grant + match)"}


@dataclass(frozen=True)
class Move:
    """One figure that moved by more than half: where (an intervention's ref, or None for the totals)."""

    ref: str | None
    figure: str  # "active" | "contacts" | "spend"
    old: int | Decimal
    new: int | Decimal

    @property
    def label(self) -> str:
        return FIGURES[self.figure]

    def shown(self, value: int | Decimal) -> str:
        return f"£{value:,.2f}" if self.figure == "spend" else f"{value:,}"


def _value(figures: dict[str, Any], name: str) -> int | Decimal:
    if name == "spend":
        return sum((Decimal(v) for v in figures["spend_gbp"].values()), Decimal(0))
    return int(figures[name])


def moved(old: int | Decimal, new: int | Decimal) -> bool:
    """More than half up or down from a previous value above zero."""
    return old > 0 and (new * 2 < old or new * 2 > old * 3)


def moves(previous: dict[str, Any], current: dict[str, Any]) -> list[Move]:
    """The figures of ``current`` (a return's figures) that moved by more than half from ``previous``."""
    before = {line["ref"]: line for line in previous["interventions"]}
    pairs: list[tuple[str | None, dict[str, Any], dict[str, Any]]] = [
        (line["ref"], before[line["ref"]], line) for line in current["interventions"] if line["ref"] in before]
    pairs.append((None, previous["totals"], current["totals"]))
    out = []
    for ref, old_figures, new_figures in pairs:
        for name in FIGURES:
            old, new = _value(old_figures, name), _value(new_figures, name)
            if moved(old, new):
                out.append(Move(ref, name, old, new))
    return out
