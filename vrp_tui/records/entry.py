"""Checking and saving what a form holds: form values to records and back.

Form values arrive as strings (inputs), slugs or ids (select lists) and
booleans (check boxes); ``model_data`` turns them into the record the store
validates, with a participant's typed ref standing in for its id until the
save resolves it. No Textual here: workers call these with their own Store.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vrp_tui import reference
from vrp_tui.formatting import json_pounds
from vrp_tui.records.models import RecordError, ref_key, shown
from vrp_tui.records.sections import PARTICIPANT_REF, Section, blank
from vrp_tui.records.specs import FieldSpec, iso_date_text, period_text
from vrp_tui.store import KINDS, Store


def model_data(section: Section, values: Mapping[str, Any], participant_id: int | None = None) -> dict[str, Any]:
    """The record for the store from form values; a typed participant ref stands in as id 0."""
    data: dict[str, Any] = {}
    for spec in section.fields:
        value = values.get(spec.name)
        if spec.control == "participant":
            ref = (value or "").strip()
            data["participant_id"] = participant_id if participant_id is not None else (0 if ref else None)
        else:
            data[spec.name] = as_typed(spec, spec.default if value is None else value)
    return data


def as_typed(spec: FieldSpec, value: Any) -> Any:
    """A form value as a UK user may type it, in the form the model reads: ``3/7/2025`` as
    ``2025-07-03``, ``2025/26`` as ``2025-26``, ``2025-26-q1`` as ``2025-26-Q1``."""
    if not isinstance(value, str):
        return value
    if spec.control == "date":
        return iso_date_text(value)
    if spec.name == "period":
        return period_text(value)
    return value


_FRIENDLY = (("Input should be a valid integer", "a whole number"),)


def field_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """Store/model error keys mapped to form fields, in plain words."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        name = PARTICIPANT_REF if key == "participant_id" else key
        for prefix, plain in _FRIENDLY:
            if message.startswith(prefix):
                message = plain
        out.setdefault(name, message)
    return out


def _problems(section: Section, values: Mapping[str, Any]) -> dict[str, str]:
    try:
        KINDS[section.kind].model.check(model_data(section, values))
    except RecordError as exc:
        return field_errors(exc.errors)
    return {}


# Good values put in place of bad ones, by field name or control, to look past them.
_STAND_INS: dict[str, Any] = {"minutes": "60", "period": "2025-26-Q1", "financial_year": "2025-26",
                              "date": "2000-01-01", "money": "0", "intervention": 0, "participant": "x",
                              "yesno": False, "text": "x"}


def _stand_in(spec: FieldSpec) -> Any:
    if spec.optional:
        return None
    if spec.taxonomy:
        return next(iter(reference.TAXONOMIES[spec.taxonomy]))
    return _STAND_INS.get(spec.name, _STAND_INS.get(spec.control))


def check(section: Section, values: Mapping[str, Any]) -> dict[str, str]:
    """Per-field problems with the form as it stands (empty: it would validate).

    The model checks rules across fields (end after start) only once every field
    is good, so a second pass puts stand-ins in the bad fields to find those too,
    while the user is still filling the form in.
    """
    errors = _problems(section, values)
    if errors:
        specs = {spec.name: spec for spec in section.fields}
        patched = {**values, **{name: _stand_in(specs[name]) for name in errors if name in specs}}
        for name, message in _problems(section, patched).items():
            errors.setdefault(name, message)
    return errors


def find_ref(store: Store, table: str, ref: str) -> int | None:
    """The id of the record whose ref is ``ref`` whatever its letter case (``yp001`` finds ``YP001``).

    The exact spelling wins; failing that, one ref that differs only in (ASCII) letter
    case; ValueError if several do.
    """
    ref = ref.strip()
    exact = store.id_for_ref(table, ref)
    if exact is not None:
        return exact
    rows = store.conn.execute(f"SELECT id FROM {table} WHERE ref = ? COLLATE NOCASE LIMIT 2", [ref]).fetchall()
    if len(rows) > 1:
        raise ValueError(f"ref {shown(ref)} matches more than one record: their refs differ only in letter case")
    return int(rows[0][0]) if rows else None


def resolve_participant(store: Store, ref: str) -> int:
    """The id of the young person with ``ref`` (any letter case); RecordError naming the field if none."""
    ref = ref.strip()
    if not ref:
        raise RecordError({PARTICIPANT_REF: "required"})
    try:
        participant_id = find_ref(store, "participants", ref)
    except ValueError as exc:
        raise RecordError({PARTICIPANT_REF: str(exc)}) from None
    if participant_id is None:
        raise RecordError({PARTICIPANT_REF: f"no young person with ref {shown(ref)}"})
    return participant_id


def save(store: Store, section: Section, values: Mapping[str, Any], record_id: int | None) -> int:
    """Resolve refs, validate and write one record in one transaction; RecordError keyed by form field."""
    problems = check(section, values)
    clash = (_same_ref_but_case(store, section, str(values.get("ref") or ""), record_id)
             if section.kind in _REF_TABLES and "ref" not in problems else None)
    if clash:
        problems["ref"] = clash
    participant_id = None
    if any(spec.control == "participant" for spec in section.fields):
        try:
            participant_id = resolve_participant(store, values.get(PARTICIPANT_REF) or "")
        except RecordError as exc:
            problems.update(exc.errors)
    if problems:
        raise RecordError(problems)
    try:
        return store.save(section.kind, model_data(section, values, participant_id), record_id)
    except RecordError as exc:
        raise RecordError(field_errors(exc.errors)) from None


_REF_TABLES = ("participants", "interventions")


def _same_ref_but_case(store: Store, section: Section, ref: str, record_id: int | None) -> str | None:
    """A refusal if another record's ref differs from ``ref`` only in letter case (refs match
    whatever their case, so two such refs could not be told apart)."""
    ref = ref.strip()
    rows = store.conn.execute(
        f"SELECT ref FROM {section.kind} WHERE ref = ? COLLATE NOCASE AND ref != ? AND id IS NOT ? LIMIT 1",
        [ref, ref, record_id]).fetchone()
    if rows is None:
        return None
    return f"another {section.noun} has the ref {shown(rows[0])}: refs match whatever their letter case"


def form_values(store: Store, section: Section, record_id: int) -> dict[str, Any]:
    """A stored record as form values (dates as text, money in pounds, refs for ids)."""
    row = store.get(section.kind, record_id)
    if row is None:
        raise RecordError({"": f"this {section.noun} no longer exists"})
    listed = store.page(section.kind, filters={"id": record_id}, limit=1)
    row = {**row, **(listed[0] if listed else {})}
    values: dict[str, Any] = {}
    for spec in section.fields:
        value = row.get(spec.name)
        if spec.control == "money":
            values[spec.name] = "" if value is None else json_pounds(int(value))  # editable: no separators
        elif spec.control == "yesno":
            values[spec.name] = bool(value)
        elif spec.control in ("select", "intervention"):
            values[spec.name] = value
        else:
            values[spec.name] = blank(value)
    return values


def intervention_options(store: Store) -> list[tuple[str, int]]:
    """Every intervention as (label, id) for a select list: a spoke has a few hundred at most."""
    rows = store.query("SELECT id, ref, name FROM interventions ORDER BY ref")
    return [(f"{r['ref']} · {r['name']}"[:60], int(r["id"])) for r in rows]


def split_refs(text: str) -> list[str]:
    """Refs typed in one field, in order, each once (whatever its letter case)."""
    refs = [r.strip() for r in text.replace(",", " ").replace(";", " ").split()]
    once: dict[str, str] = {}
    for ref in refs:
        if ref:
            once.setdefault(ref_key(ref), ref)
    return list(once.values())


def check_group(values: Mapping[str, Any]) -> dict[str, str]:
    refs = split_refs(values.get("participants") or "")
    data = {k: values.get(k) for k in ("intervention_id", "date", "minutes", "mode")}
    data["date"] = iso_date_text(data["date"]) if isinstance(data["date"], str) else data["date"]
    errors: dict[str, str] = {}
    try:
        KINDS["contacts"].model.check({**data, "participant_id": 0})
    except RecordError as exc:
        errors = {k: v for k, v in field_errors(exc.errors).items() if k != PARTICIPANT_REF}
    if not refs:
        errors["participants"] = "type the ref of at least one young person"
    return errors


def save_group(store: Store, values: Mapping[str, Any]) -> int:
    """One session per young person, all in one transaction; problems name the young people."""
    errors = check_group(values)
    if errors:
        raise RecordError(errors)
    refs = split_refs(values["participants"])
    try:
        ids = {ref: find_ref(store, "participants", ref) for ref in refs}
    except ValueError as exc:
        raise RecordError({"participants": str(exc)}) from None
    if unknown := [ref for ref, pid in ids.items() if pid is None]:
        raise RecordError({"participants": "no young person with ref " + ", ".join(unknown)})
    data = {k: values.get(k) for k in ("intervention_id", "date", "minutes", "mode")}
    data["date"] = iso_date_text(str(data["date"]))
    day = str(data["date"]).strip()
    intervention_id = int(values["intervention_id"])
    outside = [ref for ref, pid in ids.items()
               if store.enrolment_holding(int(pid or 0), intervention_id, day) is None]
    if outside:
        raise RecordError({"participants": "no referral to this intervention covers this date for "
                           + ", ".join(outside)})
    rows = [({**data, "participant_id": ids[ref]}, None) for ref in refs]
    try:
        store.save_many("contacts", rows)
    except RecordError as exc:
        ref = refs[getattr(exc, "row", 0)]
        raise RecordError({"participants": f"{ref}: {exc}"}) from None
    return len(rows)


REGISTER_KEYS = ("intervention_id", "date", "minutes", "mode")


def register_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The group register's shared values, its date as ISO."""
    data = {k: values.get(k) for k in REGISTER_KEYS}
    if isinstance(data["date"], str):
        data["date"] = iso_date_text(data["date"]).strip()
    return data


def check_register(values: Mapping[str, Any]) -> dict[str, str]:
    """Problems with the register's intervention, date, minutes and mode (empty: good)."""
    try:
        KINDS["contacts"].model.check({**register_values(values), "participant_id": 0})
    except RecordError as exc:
        return {k: v for k, v in field_errors(exc.errors).items() if k != PARTICIPANT_REF}
    return {}


def check_date_text(text: str) -> bool:
    """``text`` is an ISO date in the calendar (a look-up by it makes sense)."""
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
