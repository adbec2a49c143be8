"""Forms find a young person by ref whatever its letter case, and refuse hostile values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vrp_tui.records import entry
from vrp_tui.records.models import RecordError
from vrp_tui.records.sections import SECTIONS
from vrp_tui.store import Store

INTERVENTION = {"ref": "MEN-1", "name": "Mentoring", "provider": "Trust", "approach": "mentoring",
                "prevention_level": "secondary", "setting": "community", "start_date": "2025-04-01"}


@pytest.fixture
def spoke(spoke_db: Path) -> Iterator[Store]:
    s = Store(spoke_db)
    s.save("interventions", INTERVENTION)
    s.save("participants", {"ref": "YP001"})
    s.save("participants", {"ref": "YP002"})
    s.save("enrolments", {"participant_id": 1, "intervention_id": 1, "referral_date": "2025-04-01",
                          "referral_source": "police"})
    s.save("enrolments", {"participant_id": 2, "intervention_id": 1, "referral_date": "2025-04-01",
                          "referral_source": "police"})
    yield s
    s.close()


def test_yp001_finds_yp001_in_a_form(spoke: Store) -> None:
    assert entry.resolve_participant(spoke, " yp001 ") == spoke.id_for_ref("participants", "YP001")
    with pytest.raises(RecordError) as caught:
        entry.resolve_participant(spoke, "yp404")
    assert caught.value.errors == {"participant_ref": "no young person with ref 'yp404'"}


def test_a_session_saved_by_a_lower_case_ref(spoke: Store) -> None:
    values = {"participant_ref": "yp002", "intervention_id": 1, "date": "2025-05-01", "minutes": "60",
              "mode": "group"}
    record_id = entry.save(spoke, SECTIONS["contacts"], values, None)
    assert spoke.get("contacts", record_id)["participant_id"] == spoke.id_for_ref("participants", "YP002")  # type: ignore[index]


def test_a_group_session_names_each_young_person_once_whatever_the_case(spoke: Store) -> None:
    values = {"participants": "yp001, YP001 Yp002", "intervention_id": 1, "date": "2025-05-01",
              "minutes": "45", "mode": "group"}
    assert entry.save_group(spoke, values) == 2
    assert spoke.query("SELECT participant_id FROM contacts ORDER BY participant_id") == [
        {"participant_id": 1}, {"participant_id": 2}]


def test_the_exact_spelling_wins_and_a_shared_one_is_named(spoke: Store) -> None:
    spoke.save("participants", {"ref": "yp001"})  # the store allows refs differing only in case
    assert entry.resolve_participant(spoke, "yp001") == spoke.id_for_ref("participants", "yp001")
    assert entry.resolve_participant(spoke, "YP001") == spoke.id_for_ref("participants", "YP001")
    with pytest.raises(RecordError) as caught:
        entry.resolve_participant(spoke, "Yp001")
    assert "matches more than one record" in caught.value.errors["participant_ref"]


@pytest.mark.parametrize(("field", "value"), [("minutes", "١٢"), ("minutes", "1_000"), ("date", "1999-05-01"),
                                             ("minutes", "99999999999999999999")])
def test_a_session_form_refuses_values_outside_the_spec(spoke: Store, field: str, value: str) -> None:
    values = {"participant_ref": "YP001", "intervention_id": 1, "date": "2025-05-01", "minutes": "60",
              "mode": "group", field: value}
    with pytest.raises(RecordError) as caught:
        entry.save(spoke, SECTIONS["contacts"], values, None)
    assert field in caught.value.errors
    assert spoke.query("SELECT count(*) AS n FROM contacts") == [{"n": 0}]


def test_an_intervention_form_refuses_an_escape_in_its_name(spoke: Store) -> None:
    values = {**INTERVENTION, "ref": "NEW-1", "name": "Evil\x1b]0;title\x07", "end_date": "", "description": ""}
    with pytest.raises(RecordError) as caught:
        entry.save(spoke, SECTIONS["interventions"], values, None)
    assert caught.value.errors["name"] == "holds a control character (U+001B) at character 5"


def test_a_form_refuses_a_ref_that_differs_only_in_case_from_another(spoke: Store) -> None:
    values = {"ref": "yp001", "date_of_birth": "", "sex": None, "ethnicity": None, "postcode_district": ""}
    with pytest.raises(RecordError) as caught:
        entry.save(spoke, SECTIONS["participants"], values, None)
    assert caught.value.errors["ref"] == (
        "another young person has the ref 'YP001': refs match whatever their letter case")
    own = spoke.id_for_ref("participants", "YP001")
    assert entry.save(spoke, SECTIONS["participants"], {**values, "ref": "Yp001"}, own) == own  # its own ref
    assert spoke.query("SELECT ref FROM participants ORDER BY id") == [{"ref": "Yp001"}, {"ref": "YP002"}]
