"""The return document (return.json, VRP-Format 1): its model, its schema, what it may not carry."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from returns_samples import fill

from vrp_tui import reference
from vrp_tui.periods import Period
from vrp_tui.returns import DocumentError, build_draft, sign_off, validate_document
from vrp_tui.returns.document import committed_schema, json_schema, schema_text
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")
FIGURES = ("referrals", "starts", "active", "high_risk_active", "completions", "other_exits", "contacts",
           "contact_hours", "active_by_age_band", "active_by_sex", "active_by_ethnicity", "spend_gbp",
           "spend_ytd_gbp", "budget_gbp")


@pytest.fixture
def doc(store: Store) -> dict[str, Any]:
    fill(store)
    return build_draft(store, Q1).to_json()


def test_committed_schema_matches_the_models() -> None:
    """If this fails, run: python -c 'from vrp_tui.returns.document import write_schema; write_schema()'."""
    assert committed_schema() == schema_text()


def test_schema_requires_every_field_spec_names() -> None:
    schema = json_schema()
    defs = schema["$defs"]
    assert {"spoke", "period", "version", "status", "interventions", "totals", "narrative",
            "validation"} <= set(schema["required"])
    assert set(FIGURES) | {"ref", "name", "approach", "prevention_level", "setting"} <= set(
        defs["InterventionReturn"]["required"])
    assert set(FIGURES) <= set(defs["Figures"]["required"])
    assert defs["AgeBands"]["required"] == list(reference.AGE_BAND)
    assert defs["Sexes"]["required"] == list(reference.SEX)
    assert defs["Ethnicities"]["required"] == list(reference.ETHNICITY)
    assert defs["Funding"]["properties"]["grant"]["pattern"] == "^-?[0-9]+\\.[0-9]{2}$"


def test_document_shape(doc: dict[str, Any]) -> None:
    assert (doc["format"], doc["spoke"], doc["spoke_name"], doc["period"]) == (1, "bristol", "Bristol", "2025-26-Q1")
    assert doc["period_label"] == "2025/26 Q1 (Apr\u2013Jun 2025)"
    assert (doc["first_day"], doc["last_day"]) == ("2025-04-01", "2025-06-30")
    assert (doc["version"], doc["status"], doc["signed_off_by"], doc["signed_off_at"]) == (None, "draft", None, None)
    assert list(doc["interventions"][0])[:5] == ["ref", "name", "approach", "prevention_level", "setting"]
    assert isinstance(doc["totals"]["contact_hours"], float)
    assert doc["totals"]["spend_gbp"] == {"grant": "1250.00", "match": "300.50"}
    assert set(doc["validation"]) == {"errors", "warnings"}


def test_validate_document_accepts_what_the_spoke_signs_off(store: Store) -> None:
    fill(store)
    sign_off(store, Q1)
    frozen = json.loads(store.query("SELECT document FROM return_versions")[0]["document"])
    assert validate_document(frozen).to_json() == frozen


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d.update(format=2), "format 2 is not 1"),
    (lambda d: d.pop("totals"), "totals: Field required"),
    (lambda d: d["totals"]["active_by_sex"].pop("not-known"), "totals.active_by_sex.not-known: Field required"),
    (lambda d: d["totals"]["active_by_sex"].update({"unknown": 0}), "Extra inputs are not permitted"),
    (lambda d: d["totals"]["spend_gbp"].update(grant="1250.5"), "spend_gbp.grant: String should match pattern"),
    (lambda d: d["interventions"][0].update(active=-1), "interventions.0.active: Input should be greater"),
    (lambda d: d["interventions"][0].update(approach="yoga"), "unknown approach 'yoga'"),
    (lambda d: d["totals"].update(contact_hours=4.25), "contact hours have one decimal place"),
    (lambda d: d.update(spoke="atlantis"), "unknown spoke 'atlantis'"),
    (lambda d: d.update(participant_refs=["CASE-A"]), "participant_refs: Extra inputs are not permitted"),
])
def test_validate_document_refuses_with_a_clear_reason(doc: dict[str, Any], change: Any, reason: str) -> None:
    bad = copy.deepcopy(doc)
    change(bad)
    with pytest.raises(DocumentError, match="return.json") as refused:
        validate_document(bad)
    assert reason in str(refused.value)


def test_validate_document_refuses_what_is_not_an_object() -> None:
    with pytest.raises(DocumentError, match="not a JSON object"):
        validate_document([])  # type: ignore[arg-type]


def test_no_young_person_is_named_in_the_document(store: Store) -> None:
    fill(store)
    store.conn.execute("UPDATE participants SET date_of_birth = '2999-01-01' WHERE ref = 'CASE-D'")
    text = json.dumps(build_draft(store, Q1).to_json())
    for secret in ("CASE-A", "CASE-B", "CASE-C", "CASE-D", "2010-04-01", "2008-06-15", "2999-01-01", "BS5", "BS2"):
        assert secret not in text
