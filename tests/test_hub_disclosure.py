"""Disclosure control (SPEC 7): no small count shows, none can be worked out, the VRP total is exact."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from vrp_tui.hub.disclosure import Grid, determined, exposed, primary, suppress


def table_grid(rows: list[list[int]]) -> Grid:
    """A table with row totals, column totals and an exact grand total, as the report lays them out."""
    grid = Grid()
    n_cols = len(rows[0])
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            grid.cell((r, c), value)
        grid.cell((r, "total"), sum(row))
        grid.line([(r, c) for c in range(n_cols)], (r, "total"))
    for c in range(n_cols):
        grid.cell(("total", c), sum(row[c] for row in rows))
        grid.line([(r, c) for r in range(len(rows))], ("total", c))
    grid.cell(("total", "total"), sum(map(sum, rows)), exact=True)
    grid.line([(r, "total") for r in range(len(rows))], ("total", "total"))
    grid.line([("total", c) for c in range(n_cols)], ("total", "total"))
    return grid


def test_one_column_small_count_and_the_next_smallest() -> None:
    grid = Grid()
    for spoke, value in zip("abcde", [3, 10, 20, 0, 7], strict=True):
        grid.cell(spoke, value)
    grid.cell("vrp", 40, exact=True)
    grid.line("abcde", "vrp")
    # 3 is primary; 0 is not disclosive and would not hide it; 7 is the next smallest.
    assert suppress(grid, 5) == {"a", "e"}


def test_the_threshold_decides_what_is_small() -> None:
    grid = Grid()
    for spoke, value in zip("abcd", [3, 10, 20, 7], strict=True):
        grid.cell(spoke, value)
    grid.cell("vrp", 40, exact=True)
    grid.line("abcd", "vrp")
    assert suppress(grid, 3) == set()
    assert suppress(grid, 5) == {"a", "d"}
    assert suppress(grid, 8) == {"a", "d"}
    assert suppress(grid, 11) == {"a", "b", "d"}


def test_a_worked_two_way_table() -> None:
    grid = table_grid([
        [2, 10, 12],  # 2 primary
        [9, 8, 15],
        [11, 0, 30],
    ])
    hidden = suppress(grid, 5)
    # Row 0 then needs a second cell (10, the smallest other), column 0 needs one too (9), which
    # leaves row 1 with one: 8 goes, and column 1 (10, 8) is then covered.
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert ("total", "total") not in hidden


def test_a_bridge_between_two_protected_blocks_is_found_by_the_linear_check() -> None:
    """Every row and column has two suppressed cells, yet the cell joining the two blocks is pinned."""
    big = 20
    rows = [[big] * 4 for _ in range(4)]
    block = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]
    for r, c in block:
        rows[r][c] = 2
    grid = table_grid(rows)
    first = primary(grid, 5)
    assert first == set(block) and exposed(grid, first) == []
    assert determined(grid, first) == {(1, 2)}
    assert not _solutions_differ(grid, first, (1, 2)) and _solutions_differ(grid, first, (0, 0))
    hidden = suppress(grid, 5)
    assert exposed(grid, hidden) == [] and determined(grid, hidden) == set()


def _solutions_differ(grid: Grid, hidden: set, cell: object) -> bool:  # type: ignore[type-arg]
    """Brute force: another non-negative assignment of the suppressed cells fits every published total."""
    unknowns = sorted(hidden, key=str)
    for step in itertools.product((-1, 0, 1), repeat=len(unknowns)):
        change = dict(zip(unknowns, step, strict=True))
        if not change[cell] or any(grid.values[c] + d < 0 for c, d in change.items()):
            continue
        if all(sum(change.get(p, 0) for p in parts) == change.get(total, 0) for parts, total in grid.lines):
            return True
    return False


counts = st.integers(min_value=0, max_value=12)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=2, max_value=3).flatmap(
    lambda n_cols: st.lists(st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=2, max_size=3)))
def test_published_cells_never_show_small_counts_and_none_can_be_worked_out(rows: list[list[int]]) -> None:
    grid = table_grid(rows)
    hidden = suppress(grid, 5)
    assert ("total", "total") not in hidden
    for cell, value in grid.values.items():
        if cell not in hidden and cell != ("total", "total"):
            assert value == 0 or value >= 5, (cell, value)
    assert exposed(grid, hidden) == []
    assert determined(grid, hidden) == set()
    if len(hidden) <= 9:
        for cell in hidden:
            assert _solutions_differ(grid, hidden, cell), cell


def test_cells_shared_by_two_tables_are_suppressed_in_both() -> None:
    grid = Grid()
    grid.cell("bristol active", 3)
    grid.cell("bristol active", 3)  # the same cell placed by a second table
    try:
        grid.cell("bristol active", 4)
    except ValueError as exc:
        assert "two values" in str(exc)
    else:
        raise AssertionError("a cell given two values must be refused")
