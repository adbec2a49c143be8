"""Look-ups for quick entry: pickers, the group register, what a delete would take with it.

Every query is limited or indexed, so a picker opens at once on 50,000 young
people; the register's save is one transaction with an audit row per session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vrp_tui.errors import RecordError
from vrp_tui.store.database import Store
from vrp_tui.store.kinds import KINDS

PICKER_LIMIT = 50


@dataclass(frozen=True)
class Match:
    """One young person offered by a picker."""

    id: int
    ref: str
    postcode_district: str | None


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it literally (``%`` and ``_`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_participants(store: Store, text: str, limit: int = PICKER_LIMIT) -> list[Match]:
    """Young people whose ref starts with ``text`` (any letter case), then those whose ref
    holds it or whose postcode district starts with it; at most ``limit``, by ref."""
    text = text.strip()
    pattern = _like(text)
    prefix = store.conn.execute(
        "SELECT id, ref, postcode_district FROM participants WHERE ref LIKE ? ESCAPE '\\' "
        "ORDER BY ref LIMIT ?", [pattern + "%", limit]).fetchall()
    found = [Match(int(i), str(r), d) for i, r, d in prefix]
    if len(found) < limit and text:
        seen = [m.id for m in found]
        not_seen = f" AND id NOT IN ({', '.join('?' * len(seen))})" if seen else ""
        rest = store.conn.execute(
            "SELECT id, ref, postcode_district FROM participants "
            f"WHERE (ref LIKE ? ESCAPE '\\' OR postcode_district LIKE ? ESCAPE '\\'){not_seen} "
            "ORDER BY ref LIMIT ?",
            ["%" + pattern + "%", pattern + "%", *seen, limit - len(found)]).fetchall()
        found += [Match(int(i), str(r), d) for i, r, d in rest]
    return found


def interventions_open_to(store: Store, participant_id: int, day: str) -> list[tuple[str, int]]:
    """The interventions ``participant_id`` has a referral to whose window holds ``day``, as
    (label, id) for a select list."""
    rows = store.conn.execute(
        "SELECT DISTINCT i.id, i.ref, i.name FROM enrolments e JOIN interventions i ON i.id = e.intervention_id "
        "WHERE e.participant_id = ? AND e.referral_date <= ? AND (e.end_date IS NULL OR e.end_date >= ?) "
        "ORDER BY i.ref", [participant_id, day, day]).fetchall()
    return [(f"{ref} · {name}"[:60], int(i)) for i, ref, name in rows]


def interventions_running(store: Store, day: str) -> list[tuple[str, int]]:
    """The interventions running on ``day`` (started, not ended), as (label, id)."""
    rows = store.conn.execute(
        "SELECT id, ref, name FROM interventions WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?) "
        "ORDER BY ref", [day, day]).fetchall()
    return [(f"{ref} · {name}"[:60], int(i)) for i, ref, name in rows]


# -- the group register ----------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    """A young person whose referral holds the register's date, and their session that day if any."""

    participant_id: int
    ref: str
    postcode_district: str | None
    contact_id: int | None
    attendance: str | None  # None: no session recorded that day
    minutes: int | None
    mode: str | None


def register_rows(store: Store, intervention_id: int, day: str) -> list[RegisterRow]:
    """Everyone whose referral to the intervention holds ``day``, by ref, with that day's session."""
    rows = store.conn.execute(
        "SELECT p.id, p.ref, p.postcode_district, c.id, c.attendance, c.minutes, c.mode "
        "FROM participants p "
        "LEFT JOIN contacts c ON c.participant_id = p.id AND c.intervention_id = ? AND c.date = ? "
        "WHERE EXISTS (SELECT 1 FROM enrolments e WHERE e.participant_id = p.id AND e.intervention_id = ? "
        "AND e.referral_date <= ? AND (e.end_date IS NULL OR e.end_date >= ?)) "
        "ORDER BY p.ref, c.id", [intervention_id, day, intervention_id, day, day]).fetchall()
    out: list[RegisterRow] = []
    seen: set[int] = set()
    for pid, ref, district, cid, attendance, minutes, mode in rows:
        if pid in seen:  # two sessions on one day: the register shows the first
            continue
        seen.add(pid)
        out.append(RegisterRow(int(pid), str(ref), district, None if cid is None else int(cid),
                               attendance, minutes, mode))
    return out


def save_register(store: Store, intervention_id: int, day: str, minutes: Any, mode: Any,
                  marks: Mapping[int, str | None], existing: Mapping[int, int]) -> tuple[int, int]:
    """Save a group's register in one transaction: a session per young person marked (insert, or
    update ``existing[participant_id]``), and the session deleted of one whose mark was cleared.
    Every change has its audit row. Returns (saved, deleted); RecordError names the young person."""
    contacts = KINDS["contacts"]
    saved = deleted = 0
    with store.transaction():
        for participant_id, attendance in marks.items():
            record_id = existing.get(participant_id)
            if attendance is None:
                if record_id is not None:
                    before = store.get("contacts", record_id)
                    store.conn.execute("DELETE FROM contacts WHERE id = ?", [record_id])
                    store.audit(contacts.table, record_id, "delete", before, None)
                    deleted += 1
                continue
            data = {"participant_id": participant_id, "intervention_id": intervention_id, "date": day,
                    "minutes": minutes, "mode": mode, "attendance": attendance}
            try:
                store.save_audited(contacts.name, data, record_id)
            except RecordError as exc:
                exc.participant_id = participant_id  # type: ignore[attr-defined]
                raise
            saved += 1
    return saved, deleted


# -- what depends on a record ------------------------------------------------

_DEPENDENTS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    # kind: (table, column, singular, plural) of each kind of record that refers to it
    "participants": (("enrolments", "participant_id", "referral", "referrals"),
                     ("contacts", "participant_id", "session", "sessions"),
                     ("measurements", "participant_id", "outcome measure", "outcome measures")),
    "interventions": (("enrolments", "intervention_id", "referral", "referrals"),
                      ("contacts", "intervention_id", "session", "sessions"),
                      ("spend", "intervention_id", "spend record", "spend records"),
                      ("budgets", "intervention_id", "budget", "budgets"),
                      ("measurements", "intervention_id", "outcome measure", "outcome measures")),
}


def dependents(store: Store, kind: str, record_id: int) -> list[tuple[int, str]]:
    """The records that refer to ``record_id`` of ``kind``, as (count, noun) for each kind that has any."""
    out: list[tuple[int, str]] = []
    for table, column, one, many in _DEPENDENTS.get(kind, ()):
        (n,) = store.conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [record_id]).fetchone()
        if n:
            out.append((int(n), one if n == 1 else many))
    return out


def sessions_in_window(store: Store, enrolment_id: int) -> int:
    """How many sessions fall in a referral's window (they need it, or another, to stay valid)."""
    (n,) = store.conn.execute(
        "SELECT count(*) FROM contacts c JOIN enrolments e ON e.participant_id = c.participant_id "
        "AND e.intervention_id = c.intervention_id WHERE e.id = ? AND c.date >= e.referral_date "
        "AND (e.end_date IS NULL OR c.date <= e.end_date)", [enrolment_id]).fetchone()
    return int(n)


def amount_total(store: Store, kind: str, search: str = "") -> int:
    """The pence of every spend or budget row the list shows for ``search``."""
    k = KINDS[kind]
    clauses, params = "", []
    if search.strip():
        clauses = " WHERE (" + " OR ".join(f"{c} LIKE ?" for c in k.search) + ")"
        params = [f"%{search.strip()}%"] * len(k.search)
    from_part = k.list_sql.split(" FROM ", 1)[1]
    alias = from_part.split()[1]
    (total,) = store.conn.execute(f"SELECT coalesce(sum({alias}.amount), 0) FROM {from_part}{clauses}",
                                  params).fetchone()
    return int(total)


def described(counts: Sequence[tuple[int, str]]) -> str:
    """``[(12, "referrals"), (340, "sessions")]`` as ``12 referrals and 340 sessions``."""
    parts = [f"{n:,} {noun}" for n, noun in counts]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
