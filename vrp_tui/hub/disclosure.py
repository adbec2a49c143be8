"""Disclosure control for what the hub publishes (SPEC section 7).

The published counts are cells; a *line* is a set of cells that add up to a
published total (a row or column and its total; the total is a cell too). A
count from 1 to threshold-1 is suppressed (primary). Then, while some line has
exactly one suppressed cell, which its total would give away, one more cell of
that line is suppressed (secondary): the smallest non-zero count, preferring
cells in fewer lines; a zero only if nothing else is left. Cells marked exact
(the VRP totals) are never suppressed. Zeros are not disclosive, so never
suppressed for themselves.

Cells are shared between tables by id, so a count suppressed in one table is
suppressed wherever it appears.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

SUPPRESSED = "[c]"

CellId = Hashable


@dataclass
class Grid:
    """The published counts and the sums a reader could use against them."""

    values: dict[CellId, int] = field(default_factory=dict)
    lines: list[tuple[tuple[CellId, ...], CellId]] = field(default_factory=list)  # (parts, total)
    exact: set[CellId] = field(default_factory=set)

    def cell(self, cell: CellId, value: int, *, exact: bool = False) -> CellId:
        if cell in self.values and self.values[cell] != value:
            raise ValueError(f"cell {cell!r} given two values: {self.values[cell]} and {value}")
        self.values[cell] = value
        if exact:
            self.exact.add(cell)
        return cell

    def line(self, parts: Iterable[CellId], total: CellId) -> None:
        """``parts`` add up to ``total`` (all already given with :meth:`cell`)."""
        members = tuple(parts)
        for c in (*members, total):
            if c not in self.values:
                raise KeyError(c)
        self.lines.append((members, total))


def primary(grid: Grid, threshold: int) -> set[CellId]:
    return {c for c, v in grid.values.items() if 1 <= v < threshold and c not in grid.exact}


def exposed(grid: Grid, suppressed: set[CellId]) -> list[tuple[tuple[CellId, ...], CellId]]:
    """Lines in which exactly one cell is suppressed: that cell could be worked out."""
    return [
        (parts, total) for parts, total in grid.lines
        if sum(1 for c in (*parts, total) if c in suppressed) == 1
    ]


def suppress(grid: Grid, threshold: int) -> set[CellId]:
    """Every cell to publish as ``[c]``: primary suppression, then secondary until no line gives one away."""
    hidden = primary(grid, threshold)
    lines_of: dict[CellId, int] = {}
    for parts, total in grid.lines:
        for c in (*parts, total):
            lines_of[c] = lines_of.get(c, 0) + 1
    order = {c: n for n, c in enumerate(grid.values)}
    while exposing := exposed(grid, hidden):
        changed = False
        for parts, total in exposing:
            if sum(1 for c in (*parts, total) if c in hidden) != 1:
                continue  # an earlier choice in this pass already covered it
            candidates = [c for c in (*parts, total) if c not in hidden and c not in grid.exact]
            if not candidates:
                continue  # only exact totals left: the cell equals a published total anyway
            hidden.add(min(candidates, key=lambda c: (grid.values[c] == 0, grid.values[c],
                                                       lines_of[c], order[c])))
            changed = True
        if not changed:
            break
    return hidden
