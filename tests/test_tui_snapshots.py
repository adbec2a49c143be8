"""SVG snapshots of the spoke TUI at 80x24 over a small fixed database (cursor blink off).

Update them with ``pytest tests/test_tui_snapshots.py --snapshot-update`` after a
deliberate change to the screens, and look at the new pictures before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_tui_flows import settle, type_into
from textual.pilot import Pilot

from vrp_tui.app import make_app
from vrp_tui.store import Store

SIZE = (80, 24)


def fixed_spoke(db: Path) -> Path:
    """Three interventions, five young people, their referrals and sessions, a little spend."""
    store = Store(db)
    base = dict(provider="Youth Moves", prevention_level="secondary", setting="community",
                start_date="2024-04-01")
    ids = {
        ref: store.save("interventions", {**base, "ref": ref, "name": name, "approach": approach})
        for ref, name, approach in (
            ("MENT01", "Mentoring in schools", "mentoring"),
            ("NAV01", "A&E navigators at the BRI", "a-and-e-navigators"),
            ("BOX01", "Boxing club", "sports-programmes"),
        )
    }
    young = {}
    for n, (sex, ethnicity, dob) in enumerate(
        [("male", "white", "2008-03-02"), ("female", "black", "2010-11-20"), ("male", "mixed", None),
         ("female", "asian", "2006-07-15"), ("not-known", "not-stated", "2009-01-09")], start=1):
        young[n] = store.save("participants", {"ref": f"BR-{n:04d}", "sex": sex, "ethnicity": ethnicity,
                                               "date_of_birth": dob, "postcode_district": f"BS{n}"})
    referrals = [(1, "MENT01", "2025-04-10", "school", True), (2, "MENT01", "2025-05-02", "police", False),
                 (3, "NAV01", "2025-06-18", "health", True), (4, "BOX01", "2025-04-22", "self-or-family", False),
                 (5, "BOX01", "2025-07-01", "youth-justice", True)]
    for n, iref, day, source, risk in referrals:
        store.save("enrolments", {"participant_id": young[n], "intervention_id": ids[iref],
                                  "referral_date": day, "referral_source": source, "high_risk": risk})
    for n, iref, day, _, _ in referrals:
        store.save("contacts", {"participant_id": young[n], "intervention_id": ids[iref],
                                "date": day, "minutes": 60, "mode": "one-to-one"})
    store.save("spend", {"intervention_id": ids["MENT01"], "period": "2025-26-Q1",
                         "funding_source": "grant", "amount": "12500.00"})
    store.close()
    return db


def snapshot_app(db: Path) -> Any:
    return make_app(db, cursor_blink=False)


def test_interventions_list(spoke_db: Path, snap_compare: Any) -> None:
    async def loaded(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(snapshot_app(fixed_spoke(spoke_db)), terminal_size=SIZE, run_before=loaded)


def test_referrals_list(spoke_db: Path, snap_compare: Any) -> None:
    async def referrals(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(snapshot_app(fixed_spoke(spoke_db)), terminal_size=SIZE, run_before=referrals)


def test_intervention_form_with_an_error(spoke_db: Path, snap_compare: Any) -> None:
    async def form(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_into(pilot, "ref", "KNIFE1")
        await type_into(pilot, "name", "Knife crime talks")
        await type_into(pilot, "start_date", "2025-06-01")
        await type_into(pilot, "end_date", "2025-05-01")

    assert snap_compare(snapshot_app(fixed_spoke(spoke_db)), terminal_size=SIZE, run_before=form)


def test_spend_list(spoke_db: Path, snap_compare: Any) -> None:
    async def spend(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)

    assert snap_compare(snapshot_app(fixed_spoke(spoke_db)), terminal_size=SIZE, run_before=spend)


def test_first_run_set_up_screen(tmp_path: Path, snap_compare: Any) -> None:
    async def setup(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(snapshot_app(tmp_path / "fresh.db"), terminal_size=SIZE, run_before=setup)
