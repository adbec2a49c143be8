"""The spoke's SQLite store: one class that migrates itself on open.

Every user action is one write transaction (``BEGIN IMMEDIATE``) that also
appends to the audit trail. Open one Store per thread: a sqlite3 connection is
never shared between threads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from vrp_tui.errors import RecordError
from vrp_tui.store.kinds import KINDS, Kind
from vrp_tui.store.opening import (
    SPOKE,
    DatabaseRefused,
    StoreBusy,
    make_private_file,
    open_database,
    rows,
    translate,
    write_transaction,
)

__all__ = ["Store", "StoreBusy", "now_utc", "write_transaction"]

# How many migrations vrp_tui/store/migrations.py holds; kept in PRAGMA user_version so
# opening an up-to-date file needs neither sqlite-utils nor the migrations (a test keeps
# this in step with the migrations module).
SCHEMA_VERSION = 9


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _migrate(conn: sqlite3.Connection) -> int:
    """Apply the spoke's pending migrations (the caller holds the write lock); the version reached."""
    from sqlite_utils import Database

    from vrp_tui.store.migrations import migrations

    db = Database(conn)
    migrations.apply(db)
    return len(migrations.applied(db))


class Store:
    """A spoke database. ``Store(":memory:")`` for tests."""

    def __init__(self, path: str | Path, *, worker: str | None = None, create: bool = True):
        """Open (and migrate) the spoke database at ``path``.

        Refuses, before writing anything, a file that is not a spoke database (a hub's, a
        foreign or corrupt one, a newer schema), a read-only file or folder, and a missing
        file unless ``create`` (DatabaseRefused, one line naming the file).
        """
        self.path = str(path)
        self.conn = open_database(path, SPOKE, SCHEMA_VERSION, _migrate, create=create)
        self._worker = worker

    def close(self) -> None:
        self.conn.close()

    # -- transactions and settings ------------------------------------

    def transaction(self) -> Any:
        return write_transaction(self.conn)

    @property
    def worker(self) -> str:
        return self._worker or self.setting("worker") or "unknown"

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_settings(self, values: Mapping[str, str]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    @property
    def spoke(self) -> str | None:
        """The spoke code, or None before set-up."""
        return self.setting("spoke")

    # -- reading -------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        return rows(self.conn, sql, params)

    def get(self, kind: str, record_id: int) -> dict[str, Any] | None:
        k = KINDS[kind]
        rows = self.query(f"SELECT * FROM {k.table} WHERE id = ?", [record_id])
        return rows[0] if rows else None

    def _where(self, k: Kind, search: str, filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if search.strip():
            like = f"%{search.strip()}%"
            clauses.append("(" + " OR ".join(f"{c} LIKE ?" for c in k.search) + ")")
            params += [like] * len(k.search)
        alias = k.list_sql.split(" FROM ")[1].split()[1]
        for col, value in filters.items():
            clauses.append(f"{alias}.{col} = ?")
            params.append(value)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def page(
        self, kind: str, *, search: str = "", filters: Mapping[str, Any] | None = None,
        offset: int = 0, limit: int = 100,
    ) -> list[dict[str, Any]]:
        """One page of a list, searched and filtered, in the kind's order."""
        k = KINDS[kind]
        where, params = self._where(k, search, filters or {})
        return self.query(
            f"{k.list_sql}{where} ORDER BY {k.order} LIMIT ? OFFSET ?", [*params, limit, offset]
        )

    def count(self, kind: str, *, search: str = "", filters: Mapping[str, Any] | None = None) -> int:
        k = KINDS[kind]
        where, params = self._where(k, search, filters or {})
        from_part = k.list_sql.split(" FROM ", 1)[1]
        return int(self.conn.execute(f"SELECT count(*) FROM {from_part}{where}", params).fetchone()[0])

    def id_for_ref(self, table: str, ref: str) -> int | None:
        row = self.conn.execute(f"SELECT id FROM {table} WHERE ref = ?", [ref]).fetchone()
        return int(row[0]) if row else None

    def enrolment_holding(self, participant_id: int, intervention_id: int, day: date | str) -> int | None:
        """The enrolment whose window holds ``day`` (the later referral wins), or None."""
        row = self.conn.execute(
            "SELECT id FROM enrolments WHERE participant_id = ? AND intervention_id = ? "
            "AND referral_date <= ? AND (end_date IS NULL OR end_date >= ?) "
            "ORDER BY referral_date DESC LIMIT 1",
            [participant_id, intervention_id, str(day), str(day)],
        ).fetchone()
        return int(row[0]) if row else None

    def audit_trail(self, table: str, record_id: int) -> list[dict[str, Any]]:
        return self.query(
            "SELECT * FROM audit WHERE table_name = ? AND record_id = ? ORDER BY id", [table, record_id]
        )

    # -- writing -------------------------------------------------------

    def save(self, kind: str, data: Mapping[str, Any], record_id: int | None = None) -> int:
        """Validate and write one record (insert, or update ``record_id``) with its audit row."""
        with self.transaction():
            return self._save(KINDS[kind], data, record_id)

    def _save(self, k: Kind, data: Mapping[str, Any], record_id: int | None) -> int:
        row = k.model.check(dict(data))
        self._check_references(k, row, record_id)
        before = self.get(k.name, record_id) if record_id is not None else None
        if record_id is not None and before is None:
            raise RecordError({"": f"{k.label} {record_id} no longer exists"})
        values = {c: sql_value(v) for c, v in row.items()}
        cols = list(values)
        if before is None:
            cur = self.conn.execute(
                f"INSERT INTO {k.table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                list(values.values()),
            )
            record_id = int(cur.lastrowid or 0)
        else:
            self.conn.execute(
                f"UPDATE {k.table} SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                [*values.values(), record_id],
            )
        assert record_id is not None
        self._audit(k.table, record_id, "update" if before else "create", before, {"id": record_id, **values})
        return record_id

    def _check_references(self, k: Kind, row: dict[str, Any], record_id: int | None) -> None:
        errors: dict[str, str] = {}
        for col, table, label in (
            ("participant_id", "participants", "young person"),
            ("intervention_id", "interventions", "intervention"),
        ):
            if col in row and not self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", [row[col]]).fetchone():
                errors[col] = f"no such {label}"
        if errors:
            raise RecordError(errors)
        if k.key:
            where = " AND ".join(f"{c} = ?" for c in k.key)
            clash = self.conn.execute(
                f"SELECT id FROM {k.table} WHERE {where} AND id IS NOT ?",
                [sql_value(row[c]) for c in k.key] + [record_id],
            ).fetchone()
            if clash:
                field = k.key[-1]
                raise RecordError({field: f"another {k.label} already has this {field.replace('_', ' ')}"})
        if k.name == "contacts" and self.enrolment_holding(
            row["participant_id"], row["intervention_id"], row["date"]
        ) is None:
            raise RecordError({"date": "no referral of this young person to this intervention covers this date"})

    def delete(self, kind: str, record_id: int) -> None:
        k = KINDS[kind]
        with self.transaction():
            before = self.get(kind, record_id)
            if before is None:
                raise RecordError({"": f"{k.label} {record_id} no longer exists"})
            try:
                self.conn.execute(f"DELETE FROM {k.table} WHERE id = ?", [record_id])
            except sqlite3.IntegrityError:
                raise RecordError(
                    {"": f"this {k.label} still has records that refer to it; delete those first"}
                ) from None
            self._audit(k.table, record_id, "delete", before, None)

    def save_many(self, kind: str, rows: Sequence[tuple[Mapping[str, Any], int | None]]) -> list[int]:
        """Several records in one transaction: all saved or none (RecordError names the row index)."""
        k = KINDS[kind]
        ids = []
        with self.transaction():
            for index, (data, record_id) in enumerate(rows):
                try:
                    ids.append(self._save(k, data, record_id))
                except RecordError as exc:
                    exc.row = index  # type: ignore[attr-defined]
                    raise
        return ids

    def _audit(self, table: str, record_id: int, action: str,
               before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, worker, table_name, record_id, action, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [now_utc(), self.worker, table, record_id, action,
             json.dumps(before) if before is not None else None,
             json.dumps(after) if after is not None else None],
        )

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database, by SQLite's online backup API.

        A new copy is made readable by its owner only: it holds the signing key.
        """
        target = Path(target)
        try:
            if not target.exists():
                make_private_file(target)
            dest = sqlite3.connect(str(target))
            try:
                self.conn.backup(dest)
            finally:
                dest.close()
        except (OSError, sqlite3.Error) as exc:
            raise translate(exc, target) or DatabaseRefused(f"cannot write {target}: {exc}") from None

    # -- audited writes for the rest of the code (imports, returns, demo data) ----
    # The audit trail is written here and nowhere else: callers run these inside
    # their own ``transaction()``.

    def audit(self, table: str, record_id: int, action: str,
              before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> None:
        """Append one audit row for a change the caller has just made to ``table``."""
        self._audit(table, record_id, action, before, after)

    def insert_audited(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                       *, audit: bool = True, batch: int = 10_000) -> int:
        """Insert rows (``columns[0]`` is ``id``, given) by ``executemany``, ``batch`` rows at a time;
        with ``audit`` a ``create`` audit row each holding the row as inserted. Returns the count."""
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        if not audit:
            return self.conn.executemany(sql, rows).rowcount
        names = tuple(columns)
        # The audit rows of a run of consecutive ids are made by SQLite from the rows just
        # written (json_object of each, in id order): the same record as Python would write,
        # without building a million JSON strings in Python.
        pairs = ", ".join(f"'{c}', {c}" for c in names)
        from_rows = (
            "INSERT INTO audit (at, worker, table_name, record_id, action, before, after) "
            f"SELECT ?, ?, ?, id, 'create', NULL, json_object({pairs}) "
            f"FROM {table} WHERE id BETWEEN ? AND ? ORDER BY id"
        )
        done = 0
        for chunk in _chunks(rows, batch):
            self.conn.executemany(sql, chunk)
            ids = [row[0] for row in chunk]
            low, high = min(ids), max(ids)
            if names[0] == "id" and all(type(i) is int for i in (low, high)) and high - low + 1 == len(chunk):
                self.conn.execute(from_rows, [now_utc(), self.worker, table, low, high])
            else:
                self._audit_many(table, "create", [(None, dict(zip(names, row, strict=True))) for row in chunk])
            done += len(chunk)
        return done

    def update_audited(self, table: str,
                       changes: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> int:
        """Apply ``(before, after)`` pairs (``after`` holds ``id`` and every column it sets, the
        same columns in each pair) by one ``executemany``, with an ``update`` audit row each."""
        if not changes:
            return 0
        columns = [c for c in changes[0][1] if c != "id"]
        self.conn.executemany(
            f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            [[after[c] for c in columns] + [after["id"]] for _, after in changes],
        )
        self._audit_many(table, "update", changes)
        return len(changes)

    def _audit_many(self, table: str, action: str,
                    changes: Sequence[tuple[Mapping[str, Any] | None, Mapping[str, Any]]]) -> None:
        at, worker = now_utc(), self.worker
        self.conn.executemany(
            "INSERT INTO audit (at, worker, table_name, record_id, action, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(at, worker, table, after["id"], action,
              json.dumps(dict(before)) if before is not None else None, json.dumps(dict(after)))
             for before, after in changes],
        )

    # -- the records a validation finding names (the Returns screen's filtered lists) --

    def page_of_ids(self, kind: str, ids: Sequence[int], *, search: str = "", offset: int = 0,
                    limit: int = 100) -> tuple[list[dict[str, Any]], int]:
        """One page of a list restricted to the records ``ids`` (searched, in the kind's order),
        and how many of those records exist and match the search in all."""
        k = KINDS[kind]
        where, params = self._where(k, search, {})
        alias = k.list_sql.split(" FROM ")[1].split()[1]
        where += (" AND " if where else " WHERE ") + f"{alias}.id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps([int(i) for i in ids]))
        rows = self.query(f"{k.list_sql}{where} ORDER BY {k.order} LIMIT ? OFFSET ?", [*params, limit, offset])
        from_part = k.list_sql.split(" FROM ", 1)[1]
        total = int(self.conn.execute(f"SELECT count(*) FROM {from_part}{where}", params).fetchone()[0])
        return rows, total

    def quarter_activity(self, first: date, last: date) -> tuple[int, int]:
        """Young people with an attended session from ``first`` to ``last``, and those sessions
        (the spoke's ``active`` and ``contacts`` of SPEC section 4, read from the covering index)."""
        row = self.conn.execute(
            "SELECT count(DISTINCT participant_id), count(*) FROM contacts "
            "WHERE date BETWEEN ? AND ? AND attendance = 'attended'", [first.isoformat(), last.isoformat()]
        ).fetchone()
        return int(row[0]), int(row[1])


    def save_audited(self, kind: str, data: Mapping[str, Any], record_id: int | None = None) -> int:
        """Validate and write one record with its audit row, inside the caller's ``transaction()``
        (several records and deletes as one change, as the group register saves)."""
        return self._save(KINDS[kind], data, record_id)


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(tuple(row))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

def sql_value(value: Any) -> Any:
    """A checked field as SQLite stores it: dates ISO, booleans 0/1."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value
