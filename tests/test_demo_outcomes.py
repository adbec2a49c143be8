"""The demo's attendance and outcome measures: realistic in shape, and clean enough to sign off."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from vrp_tui.demo import spokes as demo
from vrp_tui.periods import Period
from vrp_tui.returns import build_draft
from vrp_tui.store import Store

TODAY = date(2026, 11, 1)


def test_about_one_session_in_ten_missed_and_a_few_cancelled() -> None:
    contacts = list(demo.generate("bristol", demo.DEMO_SCALE, seed=7, today=TODAY)["contacts"])
    share = Counter(row[6] for row in contacts)
    assert 0.08 < share["did-not-attend"] / len(contacts) < 0.12
    assert 0.01 < share["cancelled"] / len(contacts) < 0.04


def test_most_referrals_have_a_baseline_and_most_completers_a_follow_up() -> None:
    tables = demo.generate("bristol", demo.DEMO_SCALE, seed=7, today=TODAY)
    enrolments = tables["enrolments"]
    measured = Counter((row[1], row[2]) for row in tables["measurements"])
    started = [e for e in enrolments if e[6]]
    assert len({(e[1], e[2]) for e in started} & set(measured)) > 0.7 * len(started)
    completers = [e for e in enrolments if e[8] == "completed"]
    followed = sum(1 for e in completers if measured[(e[1], e[2])] >= 2)
    assert 0.5 < followed / len(completers) < 0.85


def test_a_demo_return_shows_modest_improvement_some_worsening_and_no_measurement_errors(tmp_path: Path) -> None:
    store = Store(tmp_path / "spoke.db")
    store.set_settings({"spoke": "bristol", "worker": "Demo"})
    demo.write(store, demo.generate("bristol", demo.DEMO_SCALE, seed=7, today=TODAY), audit=False)
    period = Period.parse("2026-27-Q1")
    doc = build_draft(store, period).to_json()
    totals = doc["totals"]
    assert 80 < totals["attendance_rate"] < 95
    paired = sum(o["paired"] for o in totals["outcomes"].values())
    assert paired > 10
    assert sum(o["worsened"] for o in totals["outcomes"].values()) > 0
    assert sum(o["change_sum"] for o in totals["outcomes"].values()) > 0  # better on the whole
    assert all(0 < o["mean_change"] < 10 for o in totals["outcomes"].values() if o["paired"] >= 5)
    codes = {m["code"] for m in doc["validation"]["errors"]}
    assert not {c for c in codes if c.startswith("measurement-")}
    store.close()
