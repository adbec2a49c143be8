"""One money formatter for screens, one for documents, one timestamp formatter."""

from __future__ import annotations

import pytest

from vrp_tui.formatting import json_pounds, pence_of, pounds, timestamp
from vrp_tui.records.sections import SECTIONS, money


@pytest.mark.parametrize(("pence", "screen", "document"), [
    (0, "0.00", "0.00"),
    (5, "0.05", "0.05"),
    (99999, "999.99", "999.99"),
    (100000, "1,000.00", "1000.00"),
    (1250000, "12,500.00", "12500.00"),
    (460100, "4,601.00", "4601.00"),
    (123456789012, "1,234,567,890.12", "1234567890.12"),
    (-460150, "-4,601.50", "-4601.50"),
])
def test_pounds_on_screen_and_in_documents(pence: int, screen: str, document: str) -> None:
    assert pounds(pence) == screen
    assert json_pounds(pence) == document
    assert pence_of(document) == pence


def test_the_spoke_lists_show_money_as_the_hub_does() -> None:
    for kind in ("spend", "budgets"):
        (column,) = [c for c in SECTIONS[kind].columns if c.key == "amount"]
        assert column.show(1250000) == "12,500.00"
    assert money(None) == ""


@pytest.mark.parametrize(("stamp", "minute", "day"), [
    ("2025-07-03T10:04:59+00:00", "2025-07-03 10:04", "2025-07-03"),
    ("2025-07-03T23:30:00+01:00", "2025-07-03 22:30", "2025-07-03"),  # shown in UTC
    ("2025-07-03T00:30:00+01:00", "2025-07-02 23:30", "2025-07-02"),
    ("2025-07-03T10:04:00", "2025-07-03 10:04", "2025-07-03"),
    (None, "", ""),
    ("", "", ""),
    ("not a time", "not a time", "not a time"),
])
def test_stored_timestamps_as_shown(stamp: str | None, minute: str, day: str) -> None:
    assert timestamp(stamp) == minute
    assert timestamp(stamp, to="day") == day
