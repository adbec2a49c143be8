"""Disclosure control for what the hub publishes (SPEC section 7).

The published counts are cells; a *line* is a set of cells that add up to a
published total (a row or column and its total; the total is a cell too). A
count from 1 to threshold-1 is suppressed (primary). Then, while some line has
exactly one suppressed cell, which its total would give away, one more cell of
that line is suppressed (secondary): the smallest non-zero count, preferring
cells in fewer lines; a zero only if nothing else is left. Lines can also be
combined (a row's total minus a column's ...), so the suppressed cells are then
checked as a linear system: any cell the published figures pin down exactly
gets a further cell of one of its lines suppressed, until none is. Cells
marked exact (the VRP totals) are never suppressed. Zeros are not disclosive,
so never suppressed for themselves.

Cells are shared between tables by id, so a count suppressed in one table is
suppressed wherever it appears.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

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


def determined(grid: Grid, suppressed: set[CellId]) -> set[CellId]:
    """Suppressed cells whose value follows exactly from the published cells and the lines.

    Each line is an equation in the suppressed cells; a cell is determined when
    its unit vector lies in the span of those equations (exact arithmetic:
    reduced row echelon form over the rationals).
    """
    order = {c: n for n, c in enumerate(grid.values)}
    unknowns = sorted(suppressed, key=order.__getitem__)
    index = {c: n for n, c in enumerate(unknowns)}
    pivots: dict[int, dict[int, Fraction]] = {}
    for parts, total in grid.lines:
        row: dict[int, Fraction] = {}
        for cell, sign in [*((p, 1) for p in parts), (total, -1)]:
            if cell in index:
                row[index[cell]] = row.get(index[cell], Fraction(0)) + sign
        row = _reduce({k: v for k, v in row.items() if v}, pivots)
        if not row:
            continue
        lead = min(row)
        row = {k: v / row[lead] for k, v in row.items()}
        for other in pivots.values():  # keep every pivot column clear in the other rows
            if lead in other:
                factor = other[lead]
                for k, v in row.items():
                    other[k] = other.get(k, Fraction(0)) - factor * v
                    if not other[k]:
                        del other[k]
        pivots[lead] = row
    return {unknowns[col] for col, row in pivots.items() if len(row) == 1}


def _reduce(row: dict[int, Fraction], pivots: dict[int, dict[int, Fraction]]) -> dict[int, Fraction]:
    for col in sorted(k for k in row if k in pivots):
        factor = row.get(col)
        if not factor:
            continue
        for k, v in pivots[col].items():
            row[k] = row.get(k, Fraction(0)) - factor * v
            if not row[k]:
                del row[k]
    return row


def suppress(grid: Grid, threshold: int) -> set[CellId]:
    """Every cell to publish as ``[c]``: primary suppression, then secondary until nothing gives one away."""
    hidden = primary(grid, threshold)
    lines_of: dict[CellId, list[tuple[CellId, ...]]] = {}
    for parts, total in grid.lines:
        for c in (*parts, total):
            lines_of.setdefault(c, []).append((*parts, total))
    order = {c: n for n, c in enumerate(grid.values)}

    def best(members: Iterable[CellId]) -> CellId | None:
        candidates = [c for c in members if c not in hidden and c not in grid.exact]
        if not candidates:
            return None  # only exact totals left: the cell equals a published total anyway
        return min(candidates, key=lambda c: (grid.values[c] == 0, grid.values[c], len(lines_of[c]), order[c]))

    while True:
        _protect_lines(grid, hidden, best)
        for cell in sorted(determined(grid, hidden), key=order.__getitem__):
            extra = best(c for line in lines_of.get(cell, []) for c in line)
            if extra is not None:
                hidden.add(extra)
                break
        else:
            return hidden


def _protect_lines(grid: Grid, hidden: set[CellId], best: Callable[[Iterable[CellId]], CellId | None]) -> None:
    """Secondary suppression until no line has exactly one suppressed cell (where that can be helped)."""
    while exposing := exposed(grid, hidden):
        changed = False
        for parts, total in exposing:
            members = (*parts, total)
            if sum(1 for c in members if c in hidden) != 1:
                continue  # an earlier choice in this pass already covered it
            extra = best(members)
            if extra is not None:
                hidden.add(extra)
                changed = True
        if not changed:
            return
