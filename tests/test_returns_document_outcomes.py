"""The document's attendance and outcome fields: strictly typed when present, "not recorded" when absent."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from returns_samples import enrol, fill, measure

from vrp_tui.periods import Period
from vrp_tui.returns import DocumentError, build_draft, sign_off, validate_document
from vrp_tui.returns.document import json_schema
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")
NEW = ("did_not_attend", "attendance_rate", "outcomes")
HUB_DATE = date(2025, 8, 1)


@pytest.fixture
def frozen(store: Store) -> dict[str, Any]:
    ids = fill(store)
    enrol(store, ids["b"], ids["sprt"], "2025-04-03")
    measure(store, ids["b"], ids["sprt"], "2025-04-03", "ors", "20.5")
    measure(store, ids["b"], ids["sprt"], "2025-05-03", "ors", "22.0")
    sign_off(store, Q1)
    data: dict[str, Any] = json.loads(store.query("SELECT document FROM return_versions")[0]["document"])
    return data


def old_format(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as a spoke wrote it before attendance and outcomes were recorded."""
    old = copy.deepcopy(doc)
    for part in (old["totals"], *old["interventions"]):
        for name in NEW:
            del part[name]
    return old


def test_the_signed_off_document_carries_the_new_figures(frozen: dict[str, Any]) -> None:
    ors = frozen["totals"]["outcomes"]["ors"]
    assert ors == {"measured": 1, "paired": 1, "improved": 1, "unchanged": 0, "worsened": 0,
                   "change_sum": 1.5, "mean_change": 1.5}
    assert isinstance(ors["change_sum"], float)
    assert validate_document(frozen, received=HUB_DATE).to_json() == frozen


def test_a_return_from_before_attendance_and_outcomes_is_accepted_as_not_recorded(frozen: dict[str, Any]) -> None:
    old = old_format(frozen)
    document = validate_document(old, received=HUB_DATE)
    assert document.totals.outcomes is None and document.totals.did_not_attend is None
    assert document.totals.attendance_rate is None
    assert all(i.outcomes is None for i in document.interventions)


def test_the_schema_names_the_new_fields_without_requiring_them() -> None:
    figures = json_schema()["$defs"]["Figures"]
    assert set(NEW) <= set(figures["properties"])
    assert not set(NEW) & set(figures["required"])
    outcome = json_schema()["$defs"]["Outcome"]
    assert outcome["required"] == ["measured", "paired", "improved", "unchanged", "worsened", "change_sum",
                                   "mean_change"]
    assert set(json_schema()["$defs"]["Outcomes"]["required"]) == {"sdq-total", "swemwbs", "wemwbs", "ors",
                                                                   "goal-based"}


def _ors(d: dict[str, Any]) -> dict[str, Any]:
    ors: dict[str, Any] = d["totals"]["outcomes"]["ors"]
    return ors


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d["totals"].update(did_not_attend="0"), "totals.did_not_attend: Input should be a valid integer"),
    (lambda d: d["totals"].update(did_not_attend=True), "totals.did_not_attend: Input should be a valid integer"),
    (lambda d: d["totals"].update(did_not_attend=10**9 + 1), "less than or equal to 1000000000"),
    (lambda d: d["totals"].update(attendance_rate=50.0), "attendance_rate is not contacts"),
    (lambda d: d["totals"].update(attendance_rate="100.0"), "totals.attendance_rate: Input should be a valid"),
    (lambda d: d["totals"].pop("did_not_attend"), "attendance_rate without did_not_attend"),  # rate 100.0
    (lambda d: d["totals"]["outcomes"].pop("sdq-total"), "totals.outcomes.sdq-total: Field required"),
    (lambda d: d["totals"]["outcomes"].update(yoga=d["totals"]["outcomes"]["ors"]), "Extra inputs"),
    (lambda d: _ors(d).update(measured=1.0), "outcomes.ors.measured: Input should be a valid integer"),
    (lambda d: _ors(d).update(measured=-1), "greater than or equal to 0"),
    (lambda d: _ors(d).update(change_sum=1.55, mean_change=1.6), "a change sum has one decimal place"),
    (lambda d: _ors(d).update(change_sum=float("nan")), "finite number"),
    (lambda d: _ors(d).update(change_sum=1e12), "less than or equal to"),
    (lambda d: _ors(d).update(change_sum="1.5"), "Input should be a valid number"),
    (lambda d: _ors(d).update(mean_change=1.4), "mean_change is not change_sum / paired"),
    (lambda d: _ors(d).update(mean_change=None), "mean_change is not change_sum / paired"),
    (lambda d: _ors(d).update(improved=0), "improved + unchanged + worsened is not paired"),
    (lambda d: _ors(d).update(measured=0), "more paired than measured"),
])
def test_the_new_fields_are_strictly_typed(frozen: dict[str, Any], change: Any, reason: str) -> None:
    bad = copy.deepcopy(frozen)
    change(bad)
    with pytest.raises(DocumentError, match="return.json") as refused:
        validate_document(bad, received=HUB_DATE)
    assert reason in str(refused.value)


def test_a_draft_always_has_the_new_fields(store: Store) -> None:
    fill(store)
    doc = build_draft(store, Q1).to_json()
    for part in (doc["totals"], *doc["interventions"]):
        assert set(NEW) <= set(part)


def _freeze_as_before(store: Store) -> None:
    """Rewrite the frozen version as it was signed off before attendance and outcomes were recorded."""
    (row,) = store.query("SELECT id, document FROM return_versions")
    triggers = store.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                           "'return_versions'")
    with store.transaction():
        for trigger in triggers:
            store.conn.execute(f'DROP TRIGGER "{trigger["name"]}"')
        store.conn.execute("UPDATE return_versions SET document = ? WHERE id = ?",
                           [json.dumps(old_format(json.loads(row["document"]))), row["id"]])
        for trigger in triggers:
            store.conn.execute(trigger["sql"])


def test_a_version_signed_off_before_the_new_figures_is_not_stale_for_lacking_them(
        store: Store, frozen: dict[str, Any]) -> None:
    from returns_samples import session

    from vrp_tui.returns.stale import changed_since_sign_off

    _freeze_as_before(store)
    assert changed_since_sign_off(store, Q1, today=HUB_DATE) is None
    ids = {r["ref"]: r["id"] for r in store.query("SELECT ref, id FROM participants")}
    ment = store.id_for_ref("interventions", "MENT")
    assert ment is not None
    session(store, ids["CASE-A"], ment, "2025-06-29", 30)  # a late session: a real change
    stale = changed_since_sign_off(store, Q1, today=HUB_DATE)
    assert stale is not None
    assert {c.item for c in stale.changes if c.where == "totals"} >= {"contacts"}
    assert not {c.item.partition(".")[0] for c in stale.changes} & {"did_not_attend", "attendance_rate", "outcomes"}
