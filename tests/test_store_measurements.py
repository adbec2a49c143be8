"""Measurements are a store kind: the generic save, update, delete and audit trail cover them."""

from __future__ import annotations

import json

import pytest
from returns_samples import enrol, intervention, measure, person, set_up

from vrp_tui.records.models import RecordError
from vrp_tui.store import Store


def test_save_update_delete_and_audit_a_measurement(store: Store) -> None:
    set_up(store)
    i, p = intervention(store, "MENT"), person(store, "CASE-A")
    enrol(store, p, i, "2025-04-01")
    m = measure(store, p, i, "2025-04-02", "ors", "22.5")
    assert store.get("measurements", m)["score_tenths"] == 225
    store.save("measurements", {"participant_id": p, "intervention_id": i, "date": "2025-04-02",
                                "instrument": "ors", "score_tenths": "23"}, m)
    assert store.get("measurements", m)["score_tenths"] == 230
    (listed,) = store.page("measurements", offset=0, limit=10)
    assert (listed["participant_ref"], listed["intervention_ref"], listed["instrument"]) == ("CASE-A", "MENT", "ors")
    store.delete("measurements", m)
    trail = store.audit_trail("measurements", m)
    assert [t["action"] for t in trail] == ["create", "update", "delete"]
    assert json.loads(trail[1]["before"])["score_tenths"] == 225


def test_one_per_person_intervention_date_and_instrument(store: Store) -> None:
    set_up(store)
    i, p = intervention(store, "MENT"), person(store, "CASE-A")
    enrol(store, p, i, "2025-04-01")
    measure(store, p, i, "2025-04-02", "ors", "22.5")
    measure(store, p, i, "2025-04-02", "sdq-total", "12")  # another instrument that day: fine
    with pytest.raises(RecordError) as refused:
        measure(store, p, i, "2025-04-02", "ors", "30")
    assert "instrument" in refused.value.errors


def test_a_score_off_the_scale_is_refused_by_field(store: Store) -> None:
    set_up(store)
    i, p = intervention(store, "MENT"), person(store, "CASE-A")
    enrol(store, p, i, "2025-04-01")
    with pytest.raises(RecordError) as refused:
        measure(store, p, i, "2025-04-02", "goal-based", "10.5")
    assert "outside the goal-based scale" in refused.value.errors["score_tenths"]
