"""Completeness matrix, reviews, and the return viewer's versions and diff."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hub_bags import HubWorld, document, intervention

from vrp_tui.hub.review import ReviewRefused, review_return, reviews_of
from vrp_tui.hub.status import completeness
from vrp_tui.hub.viewer import diff_versions, view_return


def _doc(spoke: str, period: str, version: int = 1, referrals: int = 6, note: str = "A good quarter.") -> dict:
    item = intervention("MENT-01", referrals=referrals, active=7, contacts=20, hours=15.5)
    totals = {k: v for k, v in item.items() if k not in ("ref", "name", "approach", "prevention_level", "setting")}
    return document(spoke, period, version, interventions=[item], totals=totals, highlights=note)


@pytest.fixture
def world(tmp_path: Path) -> HubWorld:
    w = HubWorld(tmp_path / "hub.db")
    for spoke, period, version, at in [
        ("bristol", "2025-26-Q1", 1, "2025-07-10T09:00:00+00:00"),
        ("banes", "2025-26-Q1", 1, "2025-08-05T09:00:00+00:00"),
        ("bristol", "2025-26-Q2", 1, "2025-10-30T23:59:00+00:00"),
        ("banes", "2025-26-Q2", 1, "2025-10-02T09:00:00+00:00"),
    ]:
        assert w.receive(w.send(_doc(spoke, period, version)), received_at=at).accepted
    review_return(w.store, "bristol", "2025-26-Q1", accept=True, reviewer="Hub Analyst",
                  at="2025-07-20T10:00:00+00:00")
    assert w.receive(w.send(_doc("bristol", "2025-26-Q1", 2, referrals=8, note="Corrected.")),
                     received_at="2025-08-15T09:00:00+00:00").line == "imported, supersedes version 1"
    review_return(w.store, "banes", "2025-26-Q2", accept=False, note="Spend missing for MENT-01",
                  reviewer="Hub Analyst", at="2025-10-10T10:00:00+00:00")
    return w


def test_the_matrix_shows_version_arrival_timeliness_and_review(world: HubWorld) -> None:
    m = completeness(world.store, 2025, today=date(2025, 11, 1))
    assert m.periods == ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"]
    cell = m.cells[("bristol", "2025-26-Q1")]
    # v2 held, arrived late, but the return first arrived on time; v1's review does not carry over.
    assert (cell.version, cell.received_at[:10], cell.first_received_at[:10]) == (2, "2025-08-15", "2025-07-10")
    assert (cell.due, cell.timeliness, cell.review) == ("2025-07-30", "on time", "none")
    assert m.cells[("banes", "2025-26-Q1")].timeliness == "late"
    assert m.cells[("bristol", "2025-26-Q2")].timeliness == "on time"  # on the due day itself
    issues = m.cells[("banes", "2025-26-Q2")]
    assert (issues.review, issues.review_label, issues.review_note) == (
        "issues", "returned with issues", "Spend missing for MENT-01")
    assert m.cells[("somerset", "2025-26-Q1")].timeliness == "overdue"
    assert m.cells[("somerset", "2025-26-Q3")].timeliness == "not due"
    assert [c.version for c in m.row("north-somerset")] == [None] * 4


def test_a_return_is_awaited_between_quarter_end_and_due_date(world: HubWorld) -> None:
    m = completeness(world.store, 2025, today=date(2025, 10, 15))
    assert m.cells[("somerset", "2025-26-Q2")].timeliness == "awaited"
    assert m.cells[("somerset", "2025-26-Q1")].timeliness == "overdue"


def test_the_deadline_is_a_setting(world: HubWorld) -> None:
    world.store.set_settings({"deadline_days": 60})
    m = completeness(world.store, 2025, today=date(2025, 11, 1))
    assert m.cells[("banes", "2025-26-Q1")].timeliness == "on time"
    assert m.cells[("banes", "2025-26-Q1")].due == "2025-08-29"
    assert m.to_json()["deadline_days"] == 60
    assert len(m.to_json()["cells"]) == 20


def test_review_accept_then_issues_latest_wins(world: HubWorld) -> None:
    done = review_return(world.store, "bristol", "2025-26-Q1", accept=True, reviewer="Hub Analyst")
    assert (done.version, done.label) == (2, "accepted")
    review_return(world.store, "bristol", "2025-26-Q1", accept=False, note="Hours look high", reviewer="B")
    cell = completeness(world.store, 2025, today=date(2025, 11, 1)).cells[("bristol", "2025-26-Q1")]
    assert (cell.review, cell.review_note) == ("issues", "Hours look high")
    assert [(r.version, r.state) for r in reviews_of(world.store, "bristol", "2025-26-Q1")] == [
        (1, "accepted"), (2, "accepted"), (2, "issues")]


@pytest.mark.parametrize(("spoke", "period", "accept", "note", "reason"), [
    ("bristol", "2025-26-Q1", False, "  ", "a note is required"),
    ("bath", "2025-26-Q1", True, "", "unknown spoke 'bath'"),
    ("bristol", "2025-Q1", True, "", "is not a period"),
    ("somerset", "2025-26-Q1", True, "", "no return from somerset for 2025-26-Q1 is held"),
])
def test_reviews_that_are_refused(world: HubWorld, spoke: str, period: str, accept: bool, note: str,
                                  reason: str) -> None:
    before = world.dump()
    with pytest.raises(ReviewRefused, match=reason):
        review_return(world.store, spoke, period, accept=accept, note=note, reviewer="Hub Analyst")
    assert world.dump() == before


def test_the_viewer_shows_the_held_version_its_history_and_what_changed(world: HubWorld) -> None:
    view = view_return(world.store, "bristol", "2025-26-Q1")
    assert view is not None
    assert [v.version for v in view.versions] == [1, 2] and view.held.version == 2
    assert view.document["narrative"]["highlights"] == "Corrected."
    assert view_return(world.store, "bristol", "2025-26-Q1", 1).document["version"] == 1  # type: ignore[union-attr]
    assert view_return(world.store, "somerset", "2025-26-Q1") is None
    assert [str(c) for c in diff_versions(world.store, "bristol", "2025-26-Q1", 1, 2)] == [
        "MENT-01: Referrals: 6 -> 8",
        "Spoke totals: Referrals: 6 -> 8",
        "Narrative, highlights: [-A good quarter.-]{+Corrected.+}",
    ]
    with pytest.raises(KeyError):
        diff_versions(world.store, "bristol", "2025-26-Q1", 1, 3)
