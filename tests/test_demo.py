"""Demo data: deterministic, valid by the same rules as the forms, spread like a real spoke's."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from vrp_tui import reference
from vrp_tui.bundle import signing
from vrp_tui.demo import spokes as demo
from vrp_tui.hub.identity import unlock_identity
from vrp_tui.hub.spoke_keys import list_keys
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import age_on
from vrp_tui.spoke.setup import current_key
from vrp_tui.store import KINDS, Store

TODAY = date(2026, 11, 28)  # last complete quarter: 2026-27-Q2 (Jul-Sep 2026)
SMALL = demo.Scale(interventions=12, participants=150, enrolments=220, contacts=1500)


def materialise(tables: dict) -> dict[str, list[tuple]]:
    return {table: list(rows) for table, rows in tables.items()}


@pytest.fixture(scope="module")
def data() -> dict[str, list[tuple]]:
    return materialise(demo.generate("bristol", demo.DEMO_SCALE, seed=7, today=TODAY))


def records(data: dict[str, list[tuple]], table: str) -> list[dict]:
    return [dict(zip(demo.TABLE_COLUMNS[table], row, strict=True)) for row in data[table]]


def test_the_same_seed_gives_the_same_data(data: dict[str, list[tuple]]) -> None:
    assert materialise(demo.generate("bristol", demo.DEMO_SCALE, seed=7, today=TODAY)) == data
    other = materialise(demo.generate("bristol", demo.DEMO_SCALE, seed=8, today=TODAY))
    assert other["contacts"] != data["contacts"]


def test_counts_are_exactly_the_scale(data: dict[str, list[tuple]]) -> None:
    scale = demo.DEMO_SCALE
    assert [len(data[t]) for t in ("interventions", "participants", "enrolments", "contacts")] == [
        scale.interventions, scale.participants, scale.enrolments, scale.contacts]


def test_the_span_is_two_financial_years_up_to_the_last_complete_quarter() -> None:
    first, last = demo.span(TODAY)
    assert (first.code, last.code) == ("2025-26-Q1", "2026-27-Q2")
    first, last = demo.span(date(2026, 4, 1))
    assert (first.code, last.code) == ("2024-25-Q1", "2025-26-Q4")


def test_every_record_passes_the_form_rules(data: dict[str, list[tuple]]) -> None:
    for table in ("interventions", "participants", "enrolments", "contacts", "spend", "budgets"):
        model = KINDS[table].model
        for record in records(data, table):
            record.pop("id")
            model.check(record)  # RecordError would fail the test


def test_every_contact_falls_in_an_enrolment_window_within_the_span(tmp_path: Path) -> None:
    store = Store(tmp_path / "demo.db", worker="Demo")
    demo.write(store, demo.generate("banes", SMALL, seed=3, today=TODAY), audit=False)
    outside = store.query(
        "SELECT count(*) AS n FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM enrolments e "
        "WHERE e.participant_id = c.participant_id AND e.intervention_id = c.intervention_id "
        "AND e.referral_date <= c.date AND (e.end_date IS NULL OR e.end_date >= c.date))")
    assert outside == [{"n": 0}]
    assert store.query("SELECT min(date) AS lo, max(date) AS hi FROM contacts")[0]["lo"] >= "2025-04-01"
    assert store.query("SELECT max(date) AS hi FROM contacts")[0]["hi"] <= "2026-09-30"
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    store.close()


def test_young_people_vary_like_a_real_caseload(data: dict[str, list[tuple]]) -> None:
    people = records(data, "participants")
    assert set(Counter(p["sex"] for p in people)) == {*reference.SEX, None}
    assert {p["ethnicity"] for p in people} >= set(reference.ETHNICITY)
    middle = date(2025, 12, 31)
    ages = [age_on(date.fromisoformat(p["date_of_birth"]), middle) for p in people if p["date_of_birth"]]
    assert min(ages) >= 8 and max(ages) <= 26 and len(set(ages)) >= 12
    assert len(ages) < len(people)  # some dates of birth are unknown


def test_referrals_cover_every_exit_and_open_and_unstarted_cases(data: dict[str, list[tuple]]) -> None:
    enrolments = records(data, "enrolments")
    assert {e["exit_reason"] for e in enrolments} == {*reference.EXIT_REASON, None}
    assert any(e["start_date"] is None and e["end_date"] is None for e in enrolments)
    assert {e["referral_source"] for e in enrolments} >= {"police", "school", "health", "youth-justice"}
    assert 0 < sum(e["high_risk"] for e in enrolments) < len(enrolments)


def test_interventions_have_budgets_per_year_and_spend_per_quarter(data: dict[str, list[tuple]]) -> None:
    interventions = records(data, "interventions")
    assert len({i["approach"] for i in interventions}) >= 8
    assert {i["prevention_level"] for i in interventions} == set(reference.PREVENTION_LEVEL)
    assert {b["financial_year"] for b in records(data, "budgets")} == {"2025-26", "2026-27"}
    periods = {s["period"] for s in records(data, "spend")}
    assert periods == {"2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4", "2026-27-Q1", "2026-27-Q2"}


def test_written_with_audit_each_record_has_one_create_row(tmp_path: Path) -> None:
    store = Store(tmp_path / "demo.db", worker="Demo Worker")
    written = demo.write(store, demo.generate("somerset", SMALL, seed=1, today=TODAY), audit=True)
    audit = store.query("SELECT table_name, action, worker, count(*) AS n FROM audit GROUP BY 1, 2, 3")
    assert {(a["table_name"], a["action"], a["worker"], a["n"]) for a in audit} == {
        (table, "create", "Demo Worker", count) for table, count in written.items()}
    assert written["contacts"] == SMALL.contacts
    store.close()


@pytest.mark.slow
def test_build_makes_a_hub_and_five_set_up_spokes_it_trusts(tmp_path: Path) -> None:
    made = demo.build(tmp_path / "demo", passphrase="demo-passphrase", seed=1, today=TODAY)
    hub = HubStore(made.hub)
    assert str(unlock_identity(hub, "demo-passphrase").to_public()) == made.hub_recipient
    enrolled = {k.spoke: (k.public_key, k.state) for k in list_keys(hub)}
    hub.close()
    assert list(made.spokes) == list(reference.SPOKES)
    for code, path in made.spokes.items():
        store = Store(path)
        assert (store.spoke, store.setting("hub_recipient")) == (code, made.hub_recipient)
        key = current_key(store)
        assert key is not None
        signing.unlock(key["secret_key"], "demo-passphrase")
        assert enrolled[code] == (signing.public_key_line(key["public_key"]), "valid")
        assert 20 <= store.count("interventions") <= 45
        assert store.count("contacts") >= 4000
        store.close()
    with pytest.raises(demo.DemoExists):
        demo.build(tmp_path / "demo", passphrase="demo-passphrase", today=TODAY)
