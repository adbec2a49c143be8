"""Reviewing a held return: accept it, or return it with issues and a note.

A review belongs to the version it was made on. When a newer version arrives
the return shows as not yet reviewed again; earlier reviews stay on record.
"""

from __future__ import annotations

from dataclasses import dataclass

from vrp_tui.errors import VrpError
from vrp_tui.hub.held import versions
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period, PeriodError
from vrp_tui.reference import SPOKES
from vrp_tui.store.database import now_utc

ACCEPTED = "accepted"
ISSUES = "issues"
NOT_REVIEWED = "none"
STATE_LABELS = {ACCEPTED: "accepted", ISSUES: "returned with issues", NOT_REVIEWED: "not reviewed"}


class ReviewRefused(VrpError):
    """A review that cannot be recorded; str() is the one-line reason."""


@dataclass(frozen=True)
class Review:
    version: int
    state: str
    note: str
    reviewer: str
    reviewed_at: str

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def review_return(
    hub: HubStore, spoke: str, period: str, *, accept: bool, note: str = "", reviewer: str,
    at: str | None = None, version: int | None = None,
) -> Review:
    """Record a review of the held version of ``spoke``'s return for ``period``.

    With ``version`` (the version the analyst is looking at), the review is
    refused unless that version is still the latest held: a review never lands
    on a version nobody saw.
    """
    if spoke not in SPOKES:
        raise ReviewRefused(f"unknown spoke {spoke!r} (one of {', '.join(SPOKES)})")
    try:
        code = Period.parse(period).code
    except PeriodError as exc:
        raise ReviewRefused(str(exc)) from None
    note = note.strip()
    if not accept and not note:
        raise ReviewRefused("say what the issues are: a note is required to return a return with issues")
    if not reviewer.strip():
        raise ReviewRefused("the reviewer's name is required")
    with hub.transaction():
        held = versions(hub, spoke, code)
        if not held:
            raise ReviewRefused(f"no return from {spoke} for {code} is held")
        latest = held[-1]
        if version is not None and version != latest.version:
            known = any(v.version == version for v in held)
            raise ReviewRefused(
                f"version {version} of {spoke} {code} is not the latest held (version {latest.version} is): "
                "open the latest to review it" if known else f"version {version} of {spoke} {code} is not held"
            )
        when = at or now_utc()
        hub.conn.execute(
            "INSERT INTO reviews (bundle, state, note, reviewer, reviewed_at) VALUES (?, ?, ?, ?, ?)",
            [latest.id, ACCEPTED if accept else ISSUES, note, reviewer.strip(), when],
        )
    return Review(latest.version, ACCEPTED if accept else ISSUES, note, reviewer.strip(), when)


def reviews_of(hub: HubStore, spoke: str, period: str) -> list[Review]:
    """Every review of any version of the return, oldest first."""
    return [
        Review(**row)
        for row in hub.query(
            "SELECT b.version, r.state, r.note, r.reviewer, r.reviewed_at FROM reviews r "
            "JOIN bundles b ON b.id = r.bundle WHERE b.spoke = ? AND b.period = ? ORDER BY r.id",
            [spoke, period],
        )
    ]


def latest_reviews(hub: HubStore, bundle_ids: list[int]) -> dict[int, Review]:
    """The latest review of each bundle (by row id) that has one."""
    if not bundle_ids:
        return {}
    marks = ",".join("?" * len(bundle_ids))
    rows = hub.query(
        "SELECT r.bundle, b.version, r.state, r.note, r.reviewer, r.reviewed_at FROM reviews r "
        f"JOIN bundles b ON b.id = r.bundle WHERE r.bundle IN ({marks}) AND r.id = "
        "(SELECT max(id) FROM reviews WHERE bundle = r.bundle)",
        bundle_ids,
    )
    return {row.pop("bundle"): Review(**row) for row in rows}
