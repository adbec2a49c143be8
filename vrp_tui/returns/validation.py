"""Checks a return must pass before sign-off (SPEC section 4).

Errors are impossible data and block sign-off: an end before a start, a
contact that no enrolment window holds, a date in the future, an exit reason
without an end date (or an end date without a reason), negative money; and a
narrative field that identifies someone (a participant's ref or date of birth,
a full postcode, an email address, a phone number: ``privacy.py``).
Measurements: an error for one the quarter's outcomes read (up to its last
day, of a young person measured on that intervention in the quarter) that no
referral window holds, a score outside its instrument's range or step, or a date in the
future. Warnings do not block: an intervention active in the quarter with no spend
recorded for it, an intervention with completions in the quarter but no paired
outcome measures, young people active in the quarter with no sex or ethnicity
recorded, an empty narrative field, a figure that moved by more than half
against the previous quarter's signed-off return (``credibility.py``).

The record models already refuse most errors when a record is saved; these
checks exist for rows that arrive otherwise -- data written by older versions,
restored backups, or a wrong system clock when the record was made. Errors are
looked for across the whole spoke (impossible data anywhere must be put
right), except the holding-window check, which covers the contacts of the
return's quarter: those are the ones its figures use.

Each finding names its record (table, id, ref, field, and ``ids``/``names``)
so the UI can open it; :func:`summary` merges those about young people into
one per code that lists every record. Findings about young people
(participants, enrolments, contacts) name them in the app; in the return
document they are counted, never named, and a narrative finding says what kind
of thing it found without quoting it (:func:`for_document`).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from vrp_tui import reference
from vrp_tui.periods import Period
from vrp_tui.returns import credibility, privacy
from vrp_tui.returns.document import NARRATIVE_FIELDS, Message, Validation
from vrp_tui.returns.figures import contact_pairs, holds_table, params_of
from vrp_tui.returns.findings import COUNTED as COUNTED
from vrp_tui.returns.findings import PEOPLE_TABLES as PEOPLE_TABLES
from vrp_tui.returns.findings import RECORD_TABLES as RECORD_TABLES
from vrp_tui.returns.findings import Finding as Finding
from vrp_tui.store import Store

_ENROLMENT = """
WITH odd AS MATERIALIZED (
    SELECT * FROM enrolments NOT INDEXED
    WHERE end_date < coalesce(start_date, referral_date) OR start_date < referral_date
       OR referral_date > :today OR start_date > :today OR end_date > :today
       OR (exit_reason IS NULL) <> (end_date IS NULL)
)
SELECT e.id, p.ref AS participant_ref, i.ref AS intervention_ref, e.referral_date, e.start_date,
       e.end_date, e.exit_reason
FROM odd e JOIN participants p ON p.id = e.participant_id
JOIN interventions i ON i.id = e.intervention_id
ORDER BY e.referral_date, e.id
"""

# Only pairs whose contacts no single window spans need a contact-by-contact look.
_CONTACTS_NOT_HELD = """
SELECT c.id, c.date, p.ref AS participant_ref, i.ref AS intervention_ref
FROM {pairs} q
JOIN contacts c ON c.participant_id = q.participant_id AND c.intervention_id = q.intervention_id
               AND c.date BETWEEN :first AND :last
JOIN participants p ON p.id = c.participant_id
JOIN interventions i ON i.id = c.intervention_id
WHERE NOT EXISTS (
    SELECT 1 FROM enrolments e
    WHERE e.participant_id = q.participant_id AND e.intervention_id = q.intervention_id
      AND e.referral_date <= q.first_day AND (e.end_date IS NULL OR e.end_date >= q.last_day))
  AND NOT EXISTS (
    SELECT 1 FROM enrolments e
    WHERE e.participant_id = c.participant_id AND e.intervention_id = c.intervention_id
      AND e.referral_date <= c.date AND (e.end_date IS NULL OR e.end_date >= c.date))
ORDER BY c.date, c.id
"""

_CONTACTS_FUTURE = """
SELECT c.id, c.date, p.ref AS participant_ref, i.ref AS intervention_ref
FROM contacts c JOIN participants p ON p.id = c.participant_id
JOIN interventions i ON i.id = c.intervention_id
WHERE c.date > :today ORDER BY c.date, c.id
"""

# The holding-window check covers what the quarter's outcomes read: the measurements, up to its last
# day, of each young person and intervention measured in the quarter. Scale and future dates: everywhere.
_MEASUREMENTS_ODD = "SELECT m.id FROM measurements m NOT INDEXED WHERE m.date > :today OR NOT ({allowed})"
_MEASUREMENT = """
SELECT m.id, m.date, m.instrument, m.score_tenths, p.ref AS participant_ref, i.ref AS intervention_ref,
       m.date > :today AS future, NOT ({allowed}) AS out_of_range
FROM measurements m JOIN participants p ON p.id = m.participant_id
JOIN interventions i ON i.id = m.intervention_id
WHERE m.id IN (SELECT value FROM json_each(:ids))
ORDER BY m.date, m.id
"""
# A score its instrument allows: in range and on its step (unknown instruments allow nothing).
_ALLOWED = " OR ".join(
    f"(m.instrument = '{slug}' AND m.score_tenths BETWEEN {i.lowest} AND {i.highest} "
    f"AND m.score_tenths % {i.step} = 0)" for slug, i in reference.INSTRUMENTS.items())

_ACTIVE_PEOPLE_MISSING = """
SELECT p.id, p.ref, p.sex IS NULL AS no_sex, p.ethnicity IS NULL AS no_ethnicity
FROM participants p
WHERE (p.sex IS NULL OR p.ethnicity IS NULL)
  AND p.id IN (SELECT participant_id FROM {pairs} WHERE day IS NOT NULL)
ORDER BY p.ref
"""

_NO_SPEND = """
SELECT i.id, i.ref FROM interventions i
WHERE ((i.start_date <= :last AND (i.end_date IS NULL OR i.end_date >= :first))
       OR i.id IN (SELECT intervention_id FROM {pairs}))
  AND NOT EXISTS (SELECT 1 FROM spend s WHERE s.intervention_id = i.id AND s.period = :period)
ORDER BY i.ref
"""


def check(store: Store, period: Period, narrative: dict[str, str], *, today: date | None = None,
          figures: dict[str, Any] | None = None) -> list[Finding]:
    """Every finding for ``period``'s return, errors first.

    ``figures`` (the return's figures, in document form) adds the warnings of
    figures that moved by more than half against the previous quarter.
    """
    params = {**params_of(period), "today": (today or date.today()).isoformat()}
    with contact_pairs(store, period) as pairs:
        findings = [
            *_interventions(store),
            *_enrolments(store, params),
            *_contacts(store, params, pairs),
            *_measurements(store, params),
            *_participants(store, params, pairs),
            *_money(store),
            *_no_spend(store, params, pairs),
        ]
    findings += narrative_findings(store, period, narrative)
    if figures is not None:
        findings += _moves(store, period, figures)
        findings += _no_paired_measures(store, period, figures)
    return sorted(findings, key=lambda f: f.severity != "error")


def narrative_findings(store: Store, period: Period, narrative: dict[str, str]) -> list[Finding]:
    """An error for each field and kind of thing in it that identifies someone; a warning for an empty field."""
    scanner = privacy.Scanner(store)
    out = []
    for field in NARRATIVE_FIELDS:
        text = narrative.get(field) or ""
        if not text.strip():
            out.append(Finding("warning", "narrative-empty", f"Narrative: {field.replace('_', ' ')} is empty",
                               "return_drafts", None, period.code, field))
            continue
        for code, values in scanner.field(text).items():
            what = f"{field} holds {privacy.KINDS[code]}"
            out.append(Finding("error", code, f"Narrative: {what}: {', '.join(values)}", "return_drafts",
                               None, period.code, field, names=tuple(values), public=f"Narrative: {what}"))
    return out


def previous_return(store: Store, period: Period) -> tuple[int, dict[str, Any]] | None:
    """The previous quarter's latest signed-off version (number, document), if it has one."""
    row = store.conn.execute("SELECT version, document FROM return_versions WHERE period = ? "
                             "ORDER BY version DESC LIMIT 1", [period.previous().code]).fetchone()
    return (row[0], json.loads(row[1])) if row else None


def _moves(store: Store, period: Period, figures: dict[str, Any]) -> list[Finding]:
    previous = previous_return(store, period)
    if previous is None:
        return []
    version, document = previous
    before = period.previous().code
    out = []
    for move in credibility.moves(document, figures):
        where = f"Intervention {move.ref}" if move.ref else "Spoke totals"
        text = (f"{where}: {move.label} {move.shown(move.new)} in {period.code} against "
                f"{move.shown(move.old)} in {before} (v{version}): moved by more than half")
        if move.ref:
            out.append(Finding("warning", "figure-moved", text, "interventions",
                               store.id_for_ref("interventions", move.ref), move.ref, move.figure))
        else:
            out.append(Finding("warning", "figure-moved", text, "return_versions", None, before, move.figure))
    return out


def _interventions(store: Store) -> list[Finding]:
    return [
        Finding("error", "intervention-end-before-start",
                f"Intervention {r['ref']}: ends ({r['end_date']}) before it starts ({r['start_date']})",
                "interventions", r["id"], r["ref"], "end_date")
        for r in store.query("SELECT id, ref, start_date, end_date FROM interventions "
                             "WHERE end_date < start_date ORDER BY ref")
    ]


def _enrolments(store: Store, params: dict[str, str]) -> list[Finding]:
    out = []
    today = params["today"]
    for r in store.query(_ENROLMENT, params):
        name = f"Referral of {r['participant_ref']} to {r['intervention_ref']} on {r['referral_date']}"

        def add(code: str, problem: str, field: str, r: dict[str, Any] = r, name: str = name) -> None:
            out.append(Finding("error", code, f"{name}: {problem}", "enrolments", r["id"],
                               r["participant_ref"], field,
                               names=(f"{r['participant_ref']} to {r['intervention_ref']} ({r['referral_date']})",)))

        start = r["start_date"] or r["referral_date"]
        if r["end_date"] and r["end_date"] < start:
            add("enrolment-end-before-start", f"ends ({r['end_date']}) before it starts ({start})", "end_date")
        if r["start_date"] and r["start_date"] < r["referral_date"]:
            add("enrolment-start-before-referral", f"starts ({r['start_date']}) before the referral",
                "start_date")
        for field in ("referral_date", "start_date", "end_date"):
            if r[field] and r[field] > today:
                add("enrolment-future-date", f"{field.replace('_', ' ')} {r[field]} is in the future", field)
        if r["exit_reason"] and not r["end_date"]:
            add("enrolment-exit-without-end", f"exit reason {r['exit_reason']} but no end date", "end_date")
        if r["end_date"] and not r["exit_reason"]:
            add("enrolment-end-without-exit", f"end date {r['end_date']} but no exit reason", "exit_reason")
    return out


def _session(r: dict[str, Any]) -> tuple[str]:
    return (f"{r['participant_ref']} at {r['intervention_ref']} on {r['date']}",)


def _contacts(store: Store, params: dict[str, str], pairs: str) -> list[Finding]:
    return [
        *(Finding("error", "contact-not-held",
                  f"Session of {r['participant_ref']} at {r['intervention_ref']} on {r['date']}: "
                  "no referral window holds this date", "contacts", r["id"], r["participant_ref"], "date",
                  names=_session(r))
          for r in store.query(_CONTACTS_NOT_HELD.format(pairs=pairs), params)),
        *(Finding("error", "contact-future-date",
                  f"Session of {r['participant_ref']} at {r['intervention_ref']}: "
                  f"{r['date']} is in the future", "contacts", r["id"], r["participant_ref"], "date",
                  names=_session(r))
          for r in store.query(_CONTACTS_FUTURE, params)),
    ]


def _measurements(store: Store, params: dict[str, str]) -> list[Finding]:
    holds = holds_table(Period.parse(params["period"]))  # made with the contact pairs
    not_held = {r[0] for r in store.conn.execute(f"SELECT id FROM {holds} WHERE enrolment_id IS NULL")}
    odd = [r[0] for r in store.conn.execute(_MEASUREMENTS_ODD.format(allowed=_ALLOWED), params)]
    if not not_held and not odd:
        return []
    out = []
    ids = json.dumps(sorted(not_held | set(odd)))
    for r in store.query(_MEASUREMENT.format(allowed=_ALLOWED), {**params, "ids": ids}):
        r["not_held"] = r["id"] in not_held
        what = f"{r['instrument']} of {r['participant_ref']} at {r['intervention_ref']} on {r['date']}"
        names = (f"{r['participant_ref']} at {r['intervention_ref']} on {r['date']} ({r['instrument']})",)
        if r["not_held"]:
            out.append(Finding("error", "measurement-not-held", f"Outcome measure {what}: no referral window "
                               "holds this date", "measurements", r["id"], r["participant_ref"], "date",
                               names=names))
        if r["out_of_range"]:
            instrument = reference.INSTRUMENTS.get(r["instrument"])
            scale = f"the {instrument.slug} scale ({instrument.range_text})" if instrument else "any instrument"
            out.append(Finding("error", "measurement-out-of-range", f"Outcome measure {what}: score "
                               f"{r['score_tenths'] / 10:g} is outside {scale}", "measurements", r["id"],
                               r["participant_ref"], "score_tenths", names=names))
        if r["future"]:
            out.append(Finding("error", "measurement-future-date", f"Outcome measure {what}: the date is in "
                               "the future", "measurements", r["id"], r["participant_ref"], "date", names=names))
    return out


def _no_paired_measures(store: Store, period: Period, figures: dict[str, Any]) -> list[Finding]:
    """A warning for each intervention with completions in the quarter but no paired outcome measures."""
    out = []
    for line in figures["interventions"]:
        outcomes = line.get("outcomes") or {}
        if line["completions"] and not any(o["paired"] for o in outcomes.values()):
            out.append(Finding("warning", "intervention-no-paired-measures",
                               f"Intervention {line['ref']}: {line['completions']} completed in {period.code} "
                               "but no paired outcome measures", "interventions",
                               store.id_for_ref("interventions", line["ref"]), line["ref"], "outcomes"))
    return out


def _participants(store: Store, params: dict[str, str], pairs: str) -> list[Finding]:
    out = [
        Finding("error", "participant-future-dob",
                f"Young person {r['ref']}: date of birth in the future", "participants", r["id"], r["ref"],
                "date_of_birth")
        for r in store.query("SELECT id, ref FROM participants WHERE date_of_birth > :today ORDER BY ref",
                             params)
    ]
    for r in store.query(_ACTIVE_PEOPLE_MISSING.format(pairs=pairs), params):
        if r["no_sex"]:
            out.append(Finding("warning", "participant-missing-sex", f"Young person {r['ref']}: no sex recorded",
                               "participants", r["id"], r["ref"], "sex"))
        if r["no_ethnicity"]:
            out.append(Finding("warning", "participant-missing-ethnicity",
                               f"Young person {r['ref']}: no ethnicity recorded", "participants", r["id"],
                               r["ref"], "ethnicity"))
    return out


def _money(store: Store) -> list[Finding]:
    spend = store.query(
        "SELECT s.id, i.ref, s.period AS what, s.funding_source, s.amount FROM spend s "
        "JOIN interventions i ON i.id = s.intervention_id WHERE s.amount < 0 ORDER BY i.ref, s.period")
    budgets = store.query(
        "SELECT b.id, i.ref, b.financial_year AS what, b.funding_source, b.amount FROM budgets b "
        "JOIN interventions i ON i.id = b.intervention_id WHERE b.amount < 0 ORDER BY i.ref, b.financial_year")
    return [
        Finding("error", f"{table}-negative", f"{label} of {r['ref']} for {r['what']} ({r['funding_source']}) "
                "is negative", table, r["id"], r["ref"], "amount")
        for table, label, rows in (("spend", "Spend", spend), ("budgets", "Budget", budgets))
        for r in rows
    ]


def _no_spend(store: Store, params: dict[str, str], pairs: str) -> list[Finding]:
    return [
        Finding("warning", "intervention-no-spend",
                f"Intervention {r['ref']}: active in {params['period']} but no spend recorded",
                "interventions", r["id"], r["ref"], None)
        for r in store.query(_NO_SPEND.format(pairs=pairs), params)
    ]


def summary(findings: list[Finding]) -> list[Finding]:
    """The findings as people read them: those about young people merged, one per code, naming every record.

    ``"Young people active in the quarter with no sex recorded: 3"`` with the
    three participants' ids and refs; findings about other records stay one
    per record. The order of first appearance is kept (errors first).
    """
    merged: dict[tuple[str, str, str], list[Finding]] = {}
    order: list[Finding | tuple[str, str, str]] = []
    for f in findings:
        if f.table not in PEOPLE_TABLES:
            order.append(f)
            continue
        key = (f.severity, f.code, f.table)
        if key not in merged:
            merged[key] = []
            order.append(key)
        merged[key].append(f)
    out = []
    for item in order:
        if isinstance(item, Finding):
            out.append(item)
            continue
        severity, code, table = item
        group = merged[item]
        ids = tuple(dict.fromkeys(i for f in group for i in f.ids))
        names = tuple(dict.fromkeys(n for f in group for n in f.names))
        text = COUNTED.get(code, code + ": {n}").format(n=len(ids))
        out.append(Finding(severity, code, text, table, field=group[0].field, ids=ids, names=names))
    return out


def for_document(findings: list[Finding]) -> Validation:
    """The validation part of the return document: findings about young people counted, not named."""
    parts: dict[str, list[Message]] = {"error": [], "warning": []}
    for f in summary(findings):
        if f.table in PEOPLE_TABLES:
            parts[f.severity].append(Message(code=f.code, text=f.text, table=f.table))
        else:
            parts[f.severity].append(Message(code=f.code, text=f.public or f.text, table=f.table, id=f.id,
                                             ref=f.ref))
    return Validation(errors=parts["error"], warnings=parts["warning"])


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
