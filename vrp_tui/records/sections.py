"""What each section of the main screen lists and what its form asks for.

One table of sections so the lists, the forms, the help screen and the command
palette agree. Kept free of the models and the store so the first screen can
be drawn before either is imported (see record_entry.py for checking and saving).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vrp_tui import reference
from vrp_tui.formatting import pounds
from vrp_tui.records.specs import Column, FieldSpec

PARTICIPANT_REF = "participant_ref"


@dataclass(frozen=True)
class Section:
    kind: str  # a store kind, see store/kinds.py
    title: str  # the tab's label
    noun: str  # singular, for titles and messages
    columns: tuple[Column, ...]
    fields: tuple[FieldSpec, ...]
    describe: Callable[[Mapping[str, Any]], str]  # a listed row in words, for confirmations


def blank(value: Any) -> str:
    return "" if value is None else str(value)


def _label(taxonomy: str) -> Callable[[Any], str]:
    labels = reference.TAXONOMIES[taxonomy]
    return lambda slug: "" if slug is None else labels.get(slug, slug)


def money(pence: Any) -> str:
    """Pence as pounds in a list: ``12,500.00``."""
    return "" if pence is None else pounds(int(pence))


def _yes_no(value: Any) -> str:
    return "yes" if value else "no"


def _date(name: str, label: str, optional: bool = False) -> FieldSpec:
    return FieldSpec(name, label, "date", optional=optional, placeholder="YYYY-MM-DD or dd/mm/yyyy")


def _select(name: str, label: str, optional: bool = False) -> FieldSpec:
    return FieldSpec(name, label, "select", taxonomy=name, optional=optional)


_INTERVENTION = FieldSpec("intervention_id", "Intervention", "intervention")
_PARTICIPANT = FieldSpec(PARTICIPANT_REF, "Young person", "participant", placeholder="type part of a ref or postcode")

SECTIONS: dict[str, Section] = {
    s.kind: s
    for s in (
        Section(
            "interventions", "Interventions", "intervention",
            (
                Column("ref", "Ref", 8), Column("name", "Name", 16, grow=3),
                Column("approach", "Approach", 12, _label("approach"), grow=1),
                Column("start_date", "Start", 10), Column("end_date", "End", 10, blank),
            ),
            (
                FieldSpec("ref", "Ref", placeholder="short code, e.g. MENT01"),
                FieldSpec("name", "Name"), FieldSpec("provider", "Provider"),
                _select("approach", "Approach"), _select("prevention_level", "Prevention level"),
                _select("setting", "Setting"), _date("start_date", "Start date"),
                _date("end_date", "End date", optional=True),
                FieldSpec("description", "Description", optional=True),
            ),
            lambda row: f"intervention {row['ref']}",
        ),
        Section(
            "participants", "Young people", "young person",
            (
                Column("ref", "Ref", 12, grow=2), Column("date_of_birth", "Date of birth", 13, blank),
                Column("sex", "Sex", 10, _label("sex")),
                Column("ethnicity", "Ethnicity", 11, _label("ethnicity"), grow=1),
                Column("postcode_district", "Postcode", 9, blank),
            ),
            (
                FieldSpec("ref", "Ref", placeholder="case reference"),
                _date("date_of_birth", "Date of birth", optional=True),
                _select("sex", "Sex", optional=True), _select("ethnicity", "Ethnicity", optional=True),
                FieldSpec("postcode_district", "Postcode district", optional=True, placeholder="e.g. BS5"),
            ),
            lambda row: f"young person {row['ref']}",
        ),
        Section(
            "enrolments", "Referrals", "referral",
            (
                Column("participant_ref", "Person", 10, grow=2), Column("intervention_ref", "Interv.", 7, grow=1),
                Column("referral_date", "Referred", 10),
                Column("referral_source", "Source", 12, _label("referral_source")),
                Column("high_risk", "Risk", 4, _yes_no),
                Column("start_date", "Started", 10, blank), Column("end_date", "Ended", 10, blank),
            ),
            (
                _PARTICIPANT, _INTERVENTION, _date("referral_date", "Referral date"),
                _select("referral_source", "Referral source"),
                FieldSpec("high_risk", "High risk", "yesno"),
                _date("start_date", "Start date", optional=True), _date("end_date", "End date", optional=True),
                _select("exit_reason", "Exit reason", optional=True),
            ),
            lambda row: f"the referral of {row['participant_ref']} to {row['intervention_ref']}",
        ),
        Section(
            "contacts", "Sessions", "session",
            (
                Column("date", "Date", 10), Column("participant_ref", "Young person", 12, grow=2),
                Column("intervention_ref", "Intervention", 12, grow=1), Column("minutes", "Mins", 4),
                Column("mode", "Mode", 9, _label("mode")),
                Column("attendance", "Attendance", 10, _label("attendance"), grow=1),
            ),
            (
                _PARTICIPANT, _date("date", "Date"), _INTERVENTION,
                FieldSpec("minutes", "Minutes", placeholder="e.g. 60"), _select("mode", "Mode"),
                FieldSpec("attendance", "Attendance", "select", taxonomy="attendance", default="attended"),
            ),
            lambda row: f"the session of {row['participant_ref']} on {row['date']}",
        ),
        Section(
            "spend", "Spend", "spend",
            (
                Column("intervention_ref", "Intervention", 12, grow=2), Column("period", "Period", 10),
                Column("funding_source", "Funding", 10, _label("funding_source"), grow=1),
                Column("amount", "Amount £", 14, money, justify="right"),
            ),
            (
                _INTERVENTION, FieldSpec("period", "Period", placeholder="e.g. 2025-26-Q1"),
                _select("funding_source", "Funding source"),
                FieldSpec("amount", "Amount (£)", "money", placeholder="e.g. 1250.00"),
            ),
            lambda row: f"the {row['funding_source']} spend of {row['intervention_ref']} in {row['period']}",
        ),
        Section(
            "budgets", "Budgets", "budget",
            (
                Column("intervention_ref", "Intervention", 12, grow=2), Column("financial_year", "Year", 8),
                Column("funding_source", "Funding", 10, _label("funding_source"), grow=1),
                Column("amount", "Amount £", 14, money, justify="right"),
            ),
            (
                _INTERVENTION, FieldSpec("financial_year", "Financial year", placeholder="e.g. 2025-26"),
                _select("funding_source", "Funding source"),
                FieldSpec("amount", "Amount (£)", "money", placeholder="e.g. 40000"),
            ),
            lambda row: f"the {row['financial_year']} {row['funding_source']} budget of {row['intervention_ref']}",
        ),
    )
}

# Which lists show data from which kinds: a change to the key kind reloads these lists.
SHOWN_IN: dict[str, frozenset[str]] = {
    "interventions": frozenset(SECTIONS),
    "participants": frozenset({"participants", "enrolments", "contacts"}),
}


def affected(kinds: frozenset[str]) -> frozenset[str]:
    """The lists to reload after records of ``kinds`` changed."""
    out: set[str] = set(kinds)
    for kind in kinds:
        out |= SHOWN_IN.get(kind, frozenset())
    return frozenset(out)


# The quick entry form: one session for several young people.

GROUP_FIELDS = (
    _INTERVENTION, _date("date", "Date"), FieldSpec("minutes", "Minutes", placeholder="e.g. 90"),
    _select("mode", "Mode"),
    FieldSpec("participants", "Young people", "refs", placeholder="refs, separated by spaces or commas"),
)


# The group register: one session, a mark for each young person (screens/spoke/register.py).

REGISTER_FIELDS = (
    _INTERVENTION, _date("date", "Date"), FieldSpec("minutes", "Minutes", placeholder="e.g. 90"),
    FieldSpec("mode", "Mode", "select", taxonomy="mode", default="group"),
)
