"""Completeness: which spoke has returned which quarter of a financial year, when, and its review.

A return is on time if its first version arrived by the due date: the
quarter's last day plus the ``deadline_days`` setting. A later correction
(a newer version) does not make it late.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from vrp_tui.hub.held import first_received, held_in
from vrp_tui.hub.review import NOT_REVIEWED, STATE_LABELS, latest_reviews
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period, financial_year_code
from vrp_tui.reference import SPOKES

ON_TIME = "on time"
LATE = "late"
OVERDUE = "overdue"  # due date passed, nothing received
AWAITED = "awaited"  # quarter over, due date not yet passed
NOT_DUE = "not due"  # quarter not yet over


@dataclass(frozen=True)
class Cell:
    """One spoke's return for one quarter, as the matrix shows it."""

    spoke: str
    period: str
    due: str
    version: int | None
    received_at: str | None  # when the held version arrived
    first_received_at: str | None  # when the first version arrived (decides on time / late)
    timeliness: str
    review: str  # accepted, issues or none
    review_note: str

    @property
    def review_label(self) -> str:
        return STATE_LABELS[self.review]


@dataclass(frozen=True)
class Completeness:
    financial_year: str
    deadline_days: int
    periods: list[str]
    cells: dict[tuple[str, str], Cell]  # (spoke, period) -> cell

    def row(self, spoke: str) -> list[Cell]:
        return [self.cells[(spoke, p)] for p in self.periods]

    def to_json(self) -> dict[str, Any]:
        return {
            "financial_year": self.financial_year,
            "deadline_days": self.deadline_days,
            "spokes": list(SPOKES),
            "periods": self.periods,
            "cells": [asdict(self.cells[(s, p)]) for s in SPOKES for p in self.periods],
        }


def due_date(period: Period, deadline_days: int) -> date:
    return period.last_day + timedelta(days=deadline_days)


def completeness(hub: HubStore, fy_start: int, today: date) -> Completeness:
    """The matrix of the five spokes by the four quarters of the financial year starting ``fy_start``."""
    quarters = [Period(fy_start, q) for q in range(1, 5)]
    codes = [q.code for q in quarters]
    deadline = hub.setting("deadline_days")
    held = held_in(hub, codes)
    first = first_received(hub, codes)
    reviews = latest_reviews(hub, [r.id for r in held.values()])
    cells: dict[tuple[str, str], Cell] = {}
    for spoke in SPOKES:
        for quarter in quarters:
            due = due_date(quarter, deadline)
            got = held.get((spoke, quarter.code))
            if got is None:
                timeliness = OVERDUE if today > due else AWAITED if today > quarter.last_day else NOT_DUE
                cells[(spoke, quarter.code)] = Cell(spoke, quarter.code, due.isoformat(), None, None, None,
                                                    timeliness, NOT_REVIEWED, "")
                continue
            arrived = first[(spoke, quarter.code)]
            review = reviews.get(got.id)
            cells[(spoke, quarter.code)] = Cell(
                spoke, quarter.code, due.isoformat(), got.version, got.received_at, arrived,
                ON_TIME if date.fromisoformat(arrived[:10]) <= due else LATE,
                review.state if review else NOT_REVIEWED, review.note if review else "",
            )
    return Completeness(financial_year_code(fy_start), deadline, codes, cells)
