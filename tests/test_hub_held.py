"""The quarter the hub's figures open on, read by the core (no SQL in the screens)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hub_bags import HubWorld, document

from vrp_tui.hub.held import held_documents, held_for_figures, latest_quarter
from vrp_tui.periods import Period


def test_with_nothing_received_the_figures_open_on_the_last_quarter_ended(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    assert latest_quarter(world.store, date(2025, 11, 3)) == Period.parse("2025-26-Q2")
    assert latest_quarter(world.store, date(2025, 4, 1)) == Period.parse("2024-25-Q4")


def test_the_figures_open_on_the_latest_quarter_received_whatever_today_is(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    for spoke, period in [("bristol", "2025-26-Q2"), ("banes", "2025-26-Q1")]:
        assert world.receive(world.send(document(spoke, period))).accepted
    assert latest_quarter(world.store, date(2026, 6, 1)) == Period.parse("2025-26-Q2")


def test_figures_read_the_chosen_quarters_interventions_and_only_the_totals_of_the_others(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    sent = {(spoke, period): document(spoke, period, highlights=f"{spoke} {period}")
            for spoke, period in [("bristol", "2025-26-Q1"), ("bristol", "2025-26-Q2"), ("banes", "2025-26-Q2")]}
    for doc in sent.values():
        assert world.receive(world.send(doc), today=date(2026, 1, 5)).accepted
    again = document("bristol", "2025-26-Q1", version=2, highlights="corrected")
    assert world.receive(world.send(again), today=date(2026, 1, 5)).accepted
    read = held_for_figures(world.store, ["2025-26-Q1", "2025-26-Q2"], ["2025-26-Q2"])
    assert set(read) == set(sent)
    for key in [("bristol", "2025-26-Q2"), ("banes", "2025-26-Q2")]:  # the quarter itself: whole
        assert read[key] == held_documents(world.store, ["2025-26-Q2"])[key]
        assert read[key]["interventions"][0]["ref"] == "MENT-01"
    earlier = read[("bristol", "2025-26-Q1")]  # another quarter: the held version, all but its lines
    assert "interventions" not in earlier
    assert earlier["version"] == 2 and earlier["narrative"]["highlights"] == "corrected"
    assert earlier["totals"] == again["totals"]
