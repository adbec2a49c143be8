"""Import records from CSV files (SPEC section 6): every row or none, every problem reported.

Rows are checked with the same pydantic models as the forms, so a bad date or an
unknown taxonomy value reads the same here as on screen. Nothing is written until
the whole file is good; then all rows go in one transaction with an audit row each.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vrp_tui.errors import VrpError
from vrp_tui.periods import Period, PeriodError
from vrp_tui.records.models import RecordError
from vrp_tui.store import KINDS, Kind, Store
from vrp_tui.store.database import _sql_value, now_utc

# Column order is free in a file; this is the order written in messages and docs.
COLUMNS: dict[str, tuple[str, ...]] = {
    "interventions": ("ref", "name", "provider", "approach", "prevention_level", "setting",
                      "start_date", "end_date", "description"),
    "participants": ("ref", "date_of_birth", "sex", "ethnicity", "postcode_district"),
    "enrolments": ("participant_ref", "intervention_ref", "referral_date", "referral_source",
                   "high_risk", "start_date", "end_date", "exit_reason"),
    "contacts": ("participant_ref", "intervention_ref", "date", "minutes", "mode"),
    "spend": ("intervention_ref", "period", "funding_source", "amount"),
    "budgets": ("intervention_ref", "financial_year", "funding_source", "amount"),
}

OPTIONAL: dict[str, frozenset[str]] = {
    "interventions": frozenset({"end_date", "description"}),
    "participants": frozenset({"date_of_birth", "sex", "ethnicity", "postcode_district"}),
    "enrolments": frozenset({"high_risk", "start_date", "end_date", "exit_reason"}),
    "contacts": frozenset(),
    "spend": frozenset(),
    "budgets": frozenset(),
}

# A ref column in the file names a record of another kind; the model holds its id.
REF_COLUMNS = {
    "participant_ref": ("participant_id", "participants", "young person"),
    "intervention_ref": ("intervention_id", "interventions", "intervention"),
}
_FIELD_TO_COLUMN = {field: column for column, (field, _, _) in REF_COLUMNS.items()}


@dataclass(frozen=True)
class CsvProblem:
    """One reason a file cannot be imported. ``line`` 1 is the header; ``column`` "" is the whole row."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.column}: {self.message}" if self.column else f"{self.line}: {self.message}"


class ImportFailed(VrpError):
    """The file was refused; nothing was written."""

    def __init__(self, errors: list[CsvProblem]):
        self.errors = errors
        rows = len({p.line for p in errors})
        super().__init__(
            f"{len(errors)} problem{'s' * (len(errors) != 1)} on {rows} line{'s' * (rows != 1)}; "
            "nothing was imported"
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0  # rows identical to the stored record: not written, not audited


def import_csv(store: Store, kind: str, path: str | Path) -> ImportResult:
    """Import ``path`` as records of ``kind``; ImportFailed lists every problem and nothing changes."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown kind {kind!r} (one of {', '.join(COLUMNS)})")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed([CsvProblem(0, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    header, rows, problems = read_rows(kind, raw)
    with store.transaction():
        return _Importer(store, KINDS[kind], header).run(rows, problems)


# -- reading the file ---------------------------------------------------


def read_rows(kind: str, raw: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[CsvProblem]]:
    """The header, the (line number, row) pairs and the rows of the wrong shape.

    ImportFailed straight away if there is no usable header (then no row can be read).
    """
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise ImportFailed([CsvProblem(1, "", f"not a CSV header row: {exc}")]) from None
    if not any(header):
        expected = ",".join(COLUMNS[kind])
        raise ImportFailed([CsvProblem(1, "", f"the file is empty: expected a header row such as {expected}")])
    if problems := _check_header(kind, header):
        raise ImportFailed(problems)
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    problems.append(CsvProblem(
                        line, "", f"has {len(cells)} fields but the header has {len(header)}"))
                else:
                    rows.append((line, dict(zip(header, cells, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(CsvProblem(line, "", f"cannot be read as CSV: {exc}"))
    if not rows and not problems:
        raise ImportFailed([CsvProblem(2, "", "the file has a header but no rows")])
    return header, rows, problems


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed([CsvProblem(1, "", "the file is UTF-16: save it as CSV UTF-8")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    problems = []
    offset = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = offset + exc.start
            problems.append(CsvProblem(
                number, "", f"not UTF-8: byte 0x{raw[at]:02X} at offset {at}; save the file as CSV UTF-8"))
        offset += len(line) + 1
    raise ImportFailed(problems)


def _check_header(kind: str, header: list[str]) -> list[CsvProblem]:
    known = COLUMNS[kind]
    problems = []
    seen = set()
    for name in header:
        if name in seen:
            problems.append(CsvProblem(1, name, "appears twice in the header"))
        elif name not in known:
            shown = name or "(blank)"
            problems.append(CsvProblem(1, shown, f"unknown column for {kind} (columns: {','.join(known)})"))
        seen.add(name)
    for name in known:
        if name not in seen and name not in OPTIONAL[kind]:
            problems.append(CsvProblem(1, name, "required column missing from the header"))
    return problems


# -- checking and writing -------------------------------------------------


class _Importer:
    """Checks every row of one file against the store, then writes them all."""

    def __init__(self, store: Store, kind: Kind, header: Sequence[str]):
        self.store, self.kind, self.header = store, kind, list(header)
        self.refs = {
            table: dict(store.conn.execute(f"SELECT ref, id FROM {table}").fetchall())
            for column, (_, table, _) in REF_COLUMNS.items()
            if column in header
        }
        self.existing: dict[tuple[Any, ...], dict[str, Any]] = {}
        if kind.key:
            self.existing = {
                tuple(row[c] for c in kind.key): row for row in store.query(f"SELECT * FROM {kind.table}")
            }
        self.windows: dict[tuple[int, int], list[tuple[str, str | None]]] = {}
        if kind.name == "contacts":
            for pid, iid, start, end in store.conn.execute(
                "SELECT participant_id, intervention_id, referral_date, end_date FROM enrolments"
            ):
                self.windows.setdefault((pid, iid), []).append((start, end))

    def run(self, rows: list[tuple[int, dict[str, str]]], problems: list[CsvProblem]) -> ImportResult:
        """Check every row (adding to ``problems``, the rows already refused); write only if none."""
        creates: list[dict[str, Any]] = []
        updates: list[tuple[dict[str, Any], dict[str, Any]]] = []
        unchanged = 0
        first_line: dict[tuple[Any, ...], int] = {}
        for line, cells in rows:
            try:
                values = self._check(line, cells)
            except _RowProblems as exc:
                problems += exc.problems
                continue
            key = tuple(values[c] for c in self.kind.key)
            if self.kind.key:
                if key in first_line:
                    problems.append(self._duplicate(line, first_line[key]))
                    continue
                first_line[key] = line
            before = self.existing.get(key) if self.kind.key else None
            if before is None:
                creates.append(values)
            elif any(before[c] != v for c, v in values.items()):
                updates.append((before, {"id": before["id"], **values}))
            else:
                unchanged += 1
        if problems:
            raise ImportFailed(sorted(problems, key=lambda p: p.line))
        self._update(updates)
        next_id = self.store.conn.execute(f"SELECT coalesce(max(id), 0) FROM {self.kind.table}").fetchone()[0]
        columns = ["id", *creates[0]] if creates else ["id"]
        insert_rows(self.store, self.kind.table, columns,
                    ((next_id + n, *row.values()) for n, row in enumerate(creates, start=1)))
        return ImportResult(created=len(creates), updated=len(updates), unchanged=unchanged)

    def _check(self, line: int, cells: Mapping[str, str]) -> dict[str, Any]:
        """The row as store values, or _RowProblems naming each bad column."""
        problems = []
        data: dict[str, Any] = {}
        for column, value in cells.items():
            if column in REF_COLUMNS:
                field, table, label = REF_COLUMNS[column]
                ref = value.strip()
                data[field] = self.refs[table].get(ref, 0)
                if not ref:
                    problems.append(CsvProblem(line, column, "required"))
                elif ref not in self.refs[table]:
                    problems.append(CsvProblem(line, column, f"no {label} with ref {ref!r}"))
            else:
                data[column] = value
        before = self._stored(data)
        if before is not None:
            # Optional columns left out of the file keep their stored values.
            data = {**{f: before[f] for f in self.kind.model.model_fields if f not in data}, **data}
        try:
            row = self.kind.model.check(data)
        except RecordError as exc:
            refs_bad = {p.column for p in problems}
            for field, message in exc.errors.items():
                column = _FIELD_TO_COLUMN.get(field, field)
                if column not in refs_bad:
                    problems.append(CsvProblem(line, column, message))
            raise _RowProblems(problems) from None
        if problems:
            raise _RowProblems(problems)
        values = {c: _sql_value(v) for c, v in row.items()}
        if self.kind.name == "contacts" and not self._in_window(values):
            raise _RowProblems([CsvProblem(
                line, "date", "no referral of this young person to this intervention covers this date")])
        return values

    def _stored(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        """The stored record with this row's natural key, worked out from the raw values."""
        if not self.existing:
            return None
        try:
            key = tuple(_key_value(c, data.get(c)) for c in self.kind.key)
        except (ValueError, PeriodError):
            return None
        return self.existing.get(key)

    def _in_window(self, values: Mapping[str, Any]) -> bool:
        day = values["date"]
        return any(
            start <= day and (end is None or end >= day)
            for start, end in self.windows.get((values["participant_id"], values["intervention_id"]), ())
        )

    def _duplicate(self, line: int, first: int) -> CsvProblem:
        columns = [_FIELD_TO_COLUMN.get(c, c) for c in self.kind.key]
        if len(columns) == 1:
            return CsvProblem(line, columns[0], f"the same {columns[0]} as line {first}")
        return CsvProblem(line, "", f"the same {', '.join(columns[:-1])} and {columns[-1]} as line {first}")

    def _update(self, updates: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        if not updates:
            return
        columns = [c for c in updates[0][1] if c != "id"]
        self.store.conn.executemany(
            f"UPDATE {self.kind.table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
            [[after[c] for c in columns] + [after["id"]] for _, after in updates],
        )
        _audit(self.store, self.kind.table, "update", updates)


class _RowProblems(Exception):
    def __init__(self, problems: list[CsvProblem]):
        self.problems = problems


def insert_rows(store: Store, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]],
                *, audit: bool = True) -> int:
    """Insert rows (``columns[0]`` is ``id``) with one executemany; with ``audit``, a create row each.

    Runs inside the caller's transaction. Returns the number of rows inserted.
    """
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    if not audit:
        return store.conn.executemany(sql, rows).rowcount
    materialised = [tuple(row) for row in rows]
    store.conn.executemany(sql, materialised)
    _audit(store, table, "create", [(None, dict(zip(columns, row, strict=True))) for row in materialised])
    return len(materialised)


def _audit(store: Store, table: str, action: str,
           changes: Sequence[tuple[Mapping[str, Any] | None, Mapping[str, Any]]]) -> None:
    """One audit row per (before, after) pair, in the format Store.save writes."""
    at, worker = now_utc(), store.worker
    store.conn.executemany(
        "INSERT INTO audit (at, worker, table_name, record_id, action, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(at, worker, table, after["id"], action,
          json.dumps(dict(before)) if before is not None else None, json.dumps(dict(after)))
         for before, after in changes],
    )


def _key_value(field: str, value: Any) -> Any:
    if field.endswith("_id"):
        return value
    text = str(value or "").strip()
    if field.endswith("_date"):
        return date.fromisoformat(text).isoformat()
    if field == "period":
        return Period.parse(text).code
    if field == "funding_source":
        return text.lower()
    return text


