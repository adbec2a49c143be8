"""``vrp demo``'s hub: every completed quarter's return imported, a correction, a gap, reviews."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vrp_tui.demo import hub as demo_hub
from vrp_tui.demo import spokes as demo
from vrp_tui.hub.consolidate import consolidate
from vrp_tui.hub.status import completeness
from vrp_tui.hub.store import HubStore
from vrp_tui.hub.viewer import view_return
from vrp_tui.periods import Period
from vrp_tui.reference import SPOKES
from vrp_tui.returns import lifecycle
from vrp_tui.store import Store

TODAY = date(2026, 5, 20)  # the demo then covers 2024-25 Q1 to 2025-26 Q4


@pytest.mark.slow
def test_the_demo_hub_holds_a_full_partnership(tmp_path: Path) -> None:
    made = demo.build(tmp_path / "demo", passphrase="demo-passphrase", today=TODAY)
    results = demo_hub.fill_hub(made, passphrase="demo-passphrase", today=TODAY)
    assert len(results) == 5 * 8 - 1 + 1  # Somerset's last quarter not yet sent; one correction
    assert [r.line for r in results].count("imported, supersedes version 1") == 1
    assert all(r.accepted for r in results)
    assert len(list((made.directory / "exports").glob("*.vrpb"))) == len(results)
    hub = HubStore(made.hub)
    try:
        matrix = completeness(hub, 2025, TODAY)
        assert matrix.cells[("somerset", "2025-26-Q4")].version is None
        assert matrix.cells[("banes", "2025-26-Q3")].version == 2
        assert matrix.cells[("south-glos", "2025-26-Q1")].timeliness == "late"
        assert matrix.cells[("bristol", "2025-26-Q1")].review == "accepted"
        assert matrix.cells[("north-somerset", "2025-26-Q3")].review == "issues"
        view = view_return(hub, "banes", "2025-26-Q3")
        assert view is not None and [v.version for v in view.versions] == [1, 2]
        # The hub's figures are the spokes' own signed-off returns added up.
        quarter = Period.parse("2025-26-Q2")
        figures = consolidate(hub, quarter)
        own = 0
        for spoke in SPOKES:
            store = Store(made.spokes[spoke])
            frozen = lifecycle.latest_signed_off(store, quarter)
            store.close()
            assert frozen is not None
            own += frozen.document["totals"]["referrals"]
        assert figures.vrp.counts["referrals"] == own > 0
    finally:
        hub.close()


@pytest.mark.slow
def test_the_demo_is_at_a_partnerships_scale_with_dates_in_order(tmp_path: Path) -> None:
    """Signed off after the quarter ends, exported after that, received after that; money as a VRP has it."""
    made = demo.build(tmp_path / "demo", passphrase="demo-passphrase", today=TODAY)
    demo_hub.fill_hub(made, passphrase="demo-passphrase", today=TODAY)
    for spoke, path in made.spokes.items():
        store = Store(path)
        try:
            exported = {(e["period"], e["version"]): e["exported_at"]
                        for e in store.query("SELECT period, version, exported_at FROM bundle_exports")}
            for row in store.query("SELECT period, version, signed_off_at FROM return_versions"):
                quarter_end = Period.parse(row["period"]).last_day.isoformat()
                assert quarter_end < row["signed_off_at"] < exported[(row["period"], row["version"])], (spoke, row)
        finally:
            store.close()
    hub = HubStore(made.hub)
    try:
        for held in hub.query("SELECT spoke, period, version, document, received_at FROM bundles"):
            signed = held["document"].split('"signed_off_at": "')[1][:25]
            assert signed < held["received_at"], held["spoke"]
        year = Period.parse("2025-26-Q4")
        figures = consolidate(hub, year)
        grant_budget_pounds = figures.ytd.money["budget_gbp"]["grant"] / 100
        assert 1_000_000 < grant_budget_pounds < 2_500_000  # about £1.6m a year for the whole VRP
    finally:
        hub.close()
    # The correction the BaNES narrative speaks of is in its figures: the diff shows the spend moved.
    store = Store(made.spokes["banes"])
    try:
        v1, v2 = (lifecycle.get_version(store, Period.parse("2025-26-Q3"), n).document for n in (1, 2))
    finally:
        store.close()
    assert int(v2["totals"]["spend_gbp"]["match"].replace(".", "")) - \
        int(v1["totals"]["spend_gbp"]["match"].replace(".", "")) == demo_hub.VENUE_HIRE_PENCE
