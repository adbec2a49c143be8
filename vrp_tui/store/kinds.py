"""What the store knows about each kind of record: table, model, natural key, list query.

One registry so the store, the CSV import and the screens agree on names.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vrp_tui.records.models import Record


@dataclass(frozen=True)
class Kind:
    name: str  # plural, as in the CLI: "interventions"
    table: str
    model_name: str  # the pydantic model in vrp_tui.records.models, loaded when first needed
    key: tuple[str, ...]  # natural key: a row with the same key is the same record
    label: str  # singular, for messages: "intervention"
    list_sql: str  # SELECT ... FROM ... with a WHERE slot for search
    search: tuple[str, ...]  # columns of list_sql searched by a filter string
    order: str

    @property
    def model(self) -> type[Record]:
        model: type[Record] = getattr(importlib.import_module("vrp_tui.records.models"), self.model_name)
        return model


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "interventions", "interventions", "Intervention", ("ref",), "intervention",
            "SELECT i.id, i.ref, i.name, i.provider, i.approach, i.prevention_level, i.setting, "
            "i.start_date, i.end_date FROM interventions i",
            ("i.ref", "i.name", "i.provider", "i.approach"), "i.ref",
        ),
        Kind(
            "participants", "participants", "Participant", ("ref",), "young person",
            "SELECT p.id, p.ref, p.date_of_birth, p.sex, p.ethnicity, p.postcode_district "
            "FROM participants p",
            ("p.ref", "p.postcode_district"), "p.ref",
        ),
        Kind(
            "enrolments", "enrolments", "Enrolment",
            ("participant_id", "intervention_id", "referral_date"), "referral",
            "SELECT e.id, p.ref AS participant_ref, i.ref AS intervention_ref, e.referral_date, "
            "e.referral_source, e.high_risk, e.start_date, e.end_date, e.exit_reason, "
            "e.participant_id, e.intervention_id "
            "FROM enrolments e JOIN participants p ON p.id = e.participant_id "
            "JOIN interventions i ON i.id = e.intervention_id",
            ("p.ref", "i.ref", "e.referral_source"), "e.referral_date DESC, e.id DESC",
        ),
        Kind(
            "contacts", "contacts", "Contact", (), "session",
            "SELECT c.id, c.date, p.ref AS participant_ref, i.ref AS intervention_ref, c.minutes, "
            "c.mode, c.attendance, c.participant_id, c.intervention_id "
            "FROM contacts c JOIN participants p ON p.id = c.participant_id "
            "JOIN interventions i ON i.id = c.intervention_id",
            ("p.ref", "i.ref", "c.mode", "c.date"), "c.date DESC, c.id DESC",
        ),
        Kind(
            "measurements", "measurements", "Measurement",
            ("participant_id", "intervention_id", "date", "instrument"), "measurement",
            "SELECT m.id, m.date, p.ref AS participant_ref, i.ref AS intervention_ref, m.instrument, "
            "m.score_tenths, m.participant_id, m.intervention_id "
            "FROM measurements m JOIN participants p ON p.id = m.participant_id "
            "JOIN interventions i ON i.id = m.intervention_id",
            ("p.ref", "i.ref", "m.instrument", "m.date"), "m.date DESC, m.id DESC",
        ),
        Kind(
            "spend", "spend", "Spend", ("intervention_id", "period", "funding_source"), "spend",
            "SELECT s.id, i.ref AS intervention_ref, s.period, s.funding_source, s.amount, "
            "s.intervention_id FROM spend s JOIN interventions i ON i.id = s.intervention_id",
            ("i.ref", "s.period", "s.funding_source"), "s.period DESC, i.ref",
        ),
        Kind(
            "budgets", "budgets", "Budget",
            ("intervention_id", "financial_year", "funding_source"), "budget",
            "SELECT b.id, i.ref AS intervention_ref, b.financial_year, b.funding_source, b.amount, "
            "b.intervention_id FROM budgets b JOIN interventions i ON i.id = b.intervention_id",
            ("i.ref", "b.financial_year", "b.funding_source"), "b.financial_year DESC, i.ref",
        ),
    )
}
