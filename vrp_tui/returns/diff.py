"""What changed between two versions of a return: figures and narrative, old -> new.

Interventions are matched by ref; breakdowns and money are compared key by
key. Figures are named as the screens name them
(``MENT: Active young people aged 18-24: 3 -> 4``), and a narrative field
that changed is shown as a word diff: unchanged words as they are, removed
words as ``[-old words-]``, added ones as ``{+new words+}``, long unchanged
stretches cut to a few words either side (``...``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vrp_tui import reference
from vrp_tui.returns.document import NARRATIVE_FIELDS
from vrp_tui.text import printable

LABELS = ("ref", "name", "approach", "prevention_level", "setting")
CONTEXT = 4  # unchanged words kept either side of a change in a word diff

FIGURE_LABELS = {
    "referrals": "Referrals",
    "starts": "Starts",
    "active": "Active young people",
    "high_risk_active": "Active young people at high risk",
    "completions": "Completions",
    "other_exits": "Other exits",
    "contacts": "Sessions (contacts)",
    "contact_hours": "Session hours",
    "did_not_attend": "Sessions not attended",
    "attendance_rate": "Attendance rate (%)",
    "spend_gbp": "Spend in the quarter",
    "spend_ytd_gbp": "Spend in the year to date",
    "budget_gbp": "Budget for the year",
    "outcomes": "Outcomes",
    "listed": "Listed in the return",
}
_OUTCOME_PARTS = {
    "measured": "measured", "paired": "paired", "improved": "improved", "unchanged": "unchanged",
    "worsened": "worsened", "change_sum": "sum of changes", "mean_change": "mean change",
}


def figure_label(item: str) -> str:
    """The name people see for a figure: ``active_by_age_band.18-24`` -> "Active young people aged 18-24"."""
    head, _, rest = item.partition(".")
    if head == "active_by_age_band" and rest:
        return "Active young people of unknown age" if rest == "unknown" else f"Active young people aged {rest}"
    if head == "active_by_sex" and rest:
        return f"Active young people, sex: {reference.SEX.get(rest, rest)}"
    if head == "active_by_ethnicity" and rest:
        return f"Active young people, ethnic group: {reference.ETHNICITY.get(rest, rest)}"
    if head in MONEY and rest:
        return f"{FIGURE_LABELS[head]} ({reference.FUNDING_SOURCE.get(rest, rest)})"
    if head == "outcomes" and rest:
        instrument, _, part = rest.partition(".")
        name = reference.TAXONOMIES.get("instrument", {}).get(instrument, instrument)
        return f"{name}: {_OUTCOME_PARTS.get(part, part)}" if part else name
    if head in FIGURE_LABELS and not rest:
        return FIGURE_LABELS[head]
    return item.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Change:
    where: str  # "totals", an intervention ref, or "narrative"
    item: str  # "active", "spend_gbp.grant", "highlights", "listed"
    old: Any
    new: Any

    @property
    def place(self) -> str:
        """Where, as people read it: the intervention's ref, "Spoke totals" or "Narrative"."""
        return {"totals": "Spoke totals", "narrative": "Narrative"}.get(self.where, self.where)

    @property
    def label(self) -> str:
        return self.item.replace("_", " ") if self.where == "narrative" else figure_label(self.item)

    def __str__(self) -> str:
        """One line for the terminal (outside text made printable)."""
        if self.where == "narrative":
            return f"Narrative, {self.label}: {word_diff(self.old or '', self.new or '')}"
        money = self.item.partition(".")[0] in MONEY
        return f"{printable(self.place)}: {self.label}: {_show(self.old, money)} -> {_show(self.new, money)}"


MONEY = ("spend_gbp", "spend_ytd_gbp", "budget_gbp")


def _show(value: Any, money: bool = False) -> str:
    if value is None:
        return "(none)"
    if money and isinstance(value, str):
        try:
            return f"£{Decimal(value):,.2f}"
        except ArithmeticError:
            pass
    return printable(value)


def word_diff(old: str, new: str, *, context: int = CONTEXT) -> str:
    """``old`` -> ``new`` as one line of words: ``[-removed-]`` and ``{+added+}`` in place, printable."""
    a, b = old.split(), new.split()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    if all(tag == "equal" for tag, *_ in ops):
        return "(only spacing changed)"
    out: list[str] = []
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            out.extend(_cut(a[i1:i2], head=0 if n == 0 else context,
                            tail=0 if n == len(ops) - 1 else context))
            continue
        removed = "[-" + " ".join(a[i1:i2]) + "-]" if i2 > i1 else ""
        added = "{+" + " ".join(b[j1:j2]) + "+}" if j2 > j1 else ""
        out.append(removed + added)
    return printable(" ".join(out))


def _cut(words: list[str], *, head: int, tail: int) -> list[str]:
    """An unchanged stretch: ``head`` words after the change before it, ``tail`` before the next one."""
    if len(words) <= head + tail + 1:
        return words
    return [*words[:head], "...", *words[len(words) - tail:]]


def _flat(figures: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


# The order figures are listed in, as on screen (a frozen document's keys are sorted by name).
ORDER = (*LABELS, "referrals", "starts", "active", "high_risk_active", "completions", "other_exits", "contacts",
         "contact_hours", "did_not_attend", "attendance_rate", "active_by_age_band", "active_by_sex",
         "active_by_ethnicity", "outcomes", "spend_gbp", "spend_ytd_gbp", "budget_gbp")
_PART_ORDER = {k: n for n, k in enumerate((*reference.AGE_BAND, *reference.SEX, *reference.ETHNICITY,
                                           *reference.FUNDING_SOURCE, *_OUTCOME_PARTS))}


def _order(item: str) -> tuple[int, int, str]:
    head, _, rest = item.partition(".")
    last = rest.rpartition(".")[2]
    return (ORDER.index(head) if head in ORDER else len(ORDER), _PART_ORDER.get(last, len(_PART_ORDER)), rest)


def _compare(where: str, old: dict[str, Any], new: dict[str, Any], labels: bool = True) -> list[Change]:
    a, b = _flat(old), _flat(new)
    keys = sorted(dict.fromkeys([*a, *b]), key=_order)
    return [Change(where, k, a.get(k), b.get(k)) for k in keys
            if a.get(k) != b.get(k) and (labels or k not in LABELS)]


def figure_changes(old: dict[str, Any], new: dict[str, Any], *, labels: bool = True) -> list[Change]:
    """The figures that differ from document ``old`` to ``new``, and the interventions' labels
    (name, approach ...) unless ``labels`` is False."""
    changes: list[Change] = []
    before = {i["ref"]: i for i in old["interventions"]}
    after = {i["ref"]: i for i in new["interventions"]}
    for ref in sorted(set(before) | set(after)):
        if ref not in after:
            changes.append(Change(ref, "listed", "yes", None))
        elif ref not in before:
            changes.append(Change(ref, "listed", None, "yes"))
        else:
            changes += _compare(ref, before[ref], after[ref], labels)
    changes += _compare("totals", old["totals"], new["totals"])
    return changes


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes from document ``old`` to ``new`` (both as JSON dicts)."""
    return [
        *figure_changes(old, new),
        *(Change("narrative", f, old["narrative"][f], new["narrative"][f])
          for f in NARRATIVE_FIELDS if old["narrative"][f] != new["narrative"][f]),
    ]
