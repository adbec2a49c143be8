"""Import records from a CSV or XLSX file (SPEC section 6): every row or none, every problem named.

The file is streamed: rows are read, checked and written a batch at a time
inside one write transaction, so memory does not grow with the file and a
problem anywhere (the last row included) rolls every row back. Rows are checked
by the same models as the forms, so a bad date or an unknown taxonomy value
reads the same here as on screen; sessions, by far the longest files, go through
the same checks as plain functions with their results cached, which gives the
same messages at a fraction of the cost. The store writes each record's audit row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vrp_tui.errors import VrpError
from vrp_tui.periods import Period, PeriodError, financial_year_code, parse_financial_year
from vrp_tui.records.import_checks import NOT_IN_WINDOW, ContactChecks, RefIds, RowProblems, held, windows
from vrp_tui.records.import_files import (
    CsvProblem,
    ImportFailed,
    Problems,
    XlsxRows,
    column_letter,
    open_rows,
)
from vrp_tui.records.models import RecordError, ref_key
from vrp_tui.store import KINDS, Kind, Store
from vrp_tui.store.database import sql_value

__all__ = ["COLUMNS", "KIND_ALIASES", "CsvProblem", "ImportFailed", "ImportResult", "import_csv",
           "import_file", "kind_name"]

# Column order is free in a file; this is the order written in messages and docs.
COLUMNS: dict[str, tuple[str, ...]] = {
    "interventions": ("ref", "name", "provider", "approach", "prevention_level", "setting",
                      "start_date", "end_date", "description"),
    "participants": ("ref", "date_of_birth", "sex", "ethnicity", "postcode_district"),
    "enrolments": ("participant_ref", "intervention_ref", "referral_date", "referral_source",
                   "high_risk", "start_date", "end_date", "exit_reason"),
    "contacts": ("participant_ref", "intervention_ref", "date", "minutes", "mode", "attendance"),
    "measurements": ("participant_ref", "intervention_ref", "date", "instrument", "score"),
    "spend": ("intervention_ref", "period", "funding_source", "amount"),
    "budgets": ("intervention_ref", "financial_year", "funding_source", "amount"),
}

OPTIONAL: dict[str, frozenset[str]] = {
    "interventions": frozenset({"end_date", "description"}),
    "participants": frozenset({"date_of_birth", "sex", "ethnicity", "postcode_district"}),
    "enrolments": frozenset({"high_risk", "start_date", "end_date", "exit_reason"}),
    "contacts": frozenset({"attendance"}),
    "measurements": frozenset(),
    "spend": frozenset(),
    "budgets": frozenset(),
}

# The TUI's names for the kinds, accepted on the command line too.
KIND_ALIASES = {"sessions": "contacts", "young-people": "participants", "referrals": "enrolments"}

# A ref column in the file names a record of another kind; the model holds its id.
REF_COLUMNS = {
    "participant_ref": ("participant_id", "participants", "young person"),
    "intervention_ref": ("intervention_id", "interventions", "intervention"),
}
# A file's column whose model field has another name: a score as written becomes exact tenths.
RENAMED = {"score": "score_tenths"}
_FIELD_TO_COLUMN = {**{field: column for column, (field, _, _) in REF_COLUMNS.items()},
                    **{field: column for column, field in RENAMED.items()}}
BATCH = 5000  # rows checked, then written, at a time


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0  # rows identical to the stored record: not written, not audited


def kind_name(kind: str) -> str:
    """The store kind for a KIND or one of its aliases; VrpError for anything else."""
    name = KIND_ALIASES.get(kind, kind)
    if name not in COLUMNS:
        raise VrpError(f"unknown kind {kind!r} (one of {', '.join([*COLUMNS, *KIND_ALIASES])})")
    return name


def import_file(store: Store, kind: str, path: str | Path, *,
                progress: Callable[[int, int | None], None] | None = None) -> ImportResult:
    """Import ``path`` (``.xlsx``: its first sheet; else CSV) as records of ``kind``.

    ImportFailed lists the problems (the first 100, and how many in all) and nothing changes.
    ``progress(rows read, rows expected or None)`` is called after every BATCH rows, so a file
    shorter than that never calls it; the rows expected are never fewer than the rows read.
    """
    name = kind_name(kind)
    problems = Problems()
    source = open_rows(Path(path), problems)
    try:
        header = source.header
        if not any(header):
            expected = ",".join(COLUMNS[name])
            raise ImportFailed([CsvProblem(1, "", f"the file is empty: expected a header row such as {expected}")])
        if header_problems := _check_header(name, header):
            raise ImportFailed(header_problems)
        try:
            with store.transaction():
                importer = _Importer(store, KINDS[name], header, problems, cell_refs=isinstance(source, XlsxRows))
                for line, cells in source.rows():
                    importer.add(line, cells)
                    if progress and importer.rows % BATCH == 0:
                        in_file = source.expected
                        progress(importer.rows, None if in_file is None else max(in_file, importer.rows))
                return importer.finish()
        except sqlite3.IntegrityError as exc:  # the checks above should leave none: never a traceback
            raise ImportFailed([CsvProblem(0, "", f"the database refused the rows: {exc}")]) from None
    finally:
        source.close()


import_csv = import_file  # the name the first CSV-only version had


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


class _Importer:
    """Checks rows against the store as they come and writes them a batch at a time."""

    def __init__(self, store: Store, kind: Kind, header: Sequence[str], problems: Problems,
                 *, cell_refs: bool = False):
        self.store, self.kind, self.header, self.problems = store, kind, list(header), problems
        self.cell_refs = cell_refs  # an XLSX: problems name their cell too
        self.position = {column: n for n, column in enumerate(header)}
        self.refs = {table: RefIds(store, table, label) for column, (_, table, label) in REF_COLUMNS.items()
                     if column in header}
        self.existing: dict[tuple[Any, ...], dict[str, Any]] = {}
        if kind.key:
            self.existing = {_natural_key(kind, row): row for row in store.query(f"SELECT * FROM {kind.table}")}
        self.first_line: dict[tuple[Any, ...], int] = {}
        self.next_id = int(store.conn.execute(f"SELECT coalesce(max(id), 0) FROM {kind.table}").fetchone()[0])
        self.columns: list[str] | None = None
        self.creates: list[tuple[Any, ...]] = []
        self.updates: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.created = self.updated = self.unchanged = 0
        self.rows = 0
        self.contacts = (ContactChecks(store, header, self.refs["participants"], self.refs["interventions"])
                         if kind.name == "contacts" else None)
        if self.contacts is not None:
            self.columns = ["id", "participant_id", "intervention_id", "date", "minutes", "mode", "attendance"]
        self.windows = windows(store) if kind.name == "measurements" else None

    # -- one row ------------------------------------------------------------

    def add(self, line: int, cells: list[str]) -> None:
        self.rows += 1
        try:
            if self.contacts is not None:
                self._create(self.contacts.check(line, cells))  # always added: no key to match
            else:
                self._add_record(line, cells)
        except RowProblems as exc:
            position = self.position
            for problem in sorted(exc.problems, key=lambda p: position.get(p.column, len(position))):
                self.problems.add(self._where(problem))
            self.creates.clear()
            self.updates.clear()
            return
        if len(self.creates) >= BATCH or len(self.updates) >= BATCH:
            self._flush()

    def _where(self, problem: CsvProblem) -> CsvProblem:
        """In an XLSX, the problem's cell (``D7``) beside its column."""
        if not self.cell_refs or problem.column not in self.position:
            return problem
        cell = f"{column_letter(self.position[problem.column])}{problem.line}"
        return CsvProblem(problem.line, problem.column, problem.message, cell)

    def _add_record(self, line: int, cells: list[str]) -> None:
        values = self._check(line, dict(zip(self.header, cells, strict=True)))
        kind = self.kind
        key = _natural_key(kind, values)
        if key in self.first_line:
            raise RowProblems([self._duplicate(line, self.first_line[key])])
        self.first_line[key] = line
        before = self.existing.get(key)
        if before is None:
            if self.columns is None:
                self.columns = ["id", *values]
            self._create(tuple(values.values()))
            return
        if "ref" in values:
            values["ref"] = before["ref"]  # a ref matched whatever its case keeps its stored spelling
        if any(before[c] != v for c, v in values.items()):
            if not self.problems:
                self.updates.append((before, {"id": before["id"], **values}))
            self.updated += 1
        else:
            self.unchanged += 1

    def _create(self, values: Sequence[Any]) -> None:
        """A new record, ``values`` in the order of ``self.columns`` after ``id``."""
        self.created += 1
        if self.problems:
            return  # the file is refused: keep checking, write nothing more
        self.next_id += 1
        self.creates.append((self.next_id, *values))

    def _check(self, line: int, cells: Mapping[str, str]) -> dict[str, Any]:
        """The row as store values, or RowProblems naming each bad column."""
        problems = []
        data: dict[str, Any] = {}
        for column, value in cells.items():
            if column in REF_COLUMNS:
                field, table, _ = REF_COLUMNS[column]
                found, problem = self.refs[table].resolve(value)
                data[field] = found
                if problem:
                    problems.append(CsvProblem(line, column, problem))
            else:
                data[RENAMED.get(column, column)] = value
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
            raise RowProblems(problems) from None
        if problems:
            raise RowProblems(problems)
        if self.windows is not None and not held(self.windows.get((row["participant_id"], row["intervention_id"]), []),
                                                 row["date"].isoformat()):
            raise RowProblems([CsvProblem(line, "date", NOT_IN_WINDOW)])
        return {c: sql_value(v) for c, v in row.items()}

    def _stored(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        """The stored record with this row's natural key, worked out from the raw values."""
        if not self.existing:
            return None
        try:
            key = tuple(_key_value(c, data.get(c)) for c in self.kind.key)
        except (ValueError, PeriodError):
            return None
        return self.existing.get(key)

    def _duplicate(self, line: int, first: int) -> CsvProblem:
        columns = [_FIELD_TO_COLUMN.get(c, c) for c in self.kind.key]
        if len(columns) == 1:
            return CsvProblem(line, columns[0], f"the same {columns[0]} as line {first}")
        return CsvProblem(line, "", f"the same {', '.join(columns[:-1])} and {columns[-1]} as line {first}")

    # -- writing --------------------------------------------------------------

    def _flush(self) -> None:
        if self.problems:
            return
        if self.updates:
            self.store.update_audited(self.kind.table, self.updates)
            self.updates = []
        if self.creates:
            assert self.columns is not None
            self.store.insert_audited(self.kind.table, self.columns, self.creates, batch=BATCH)
            self.creates = []

    def finish(self) -> ImportResult:
        if not self.rows and not self.problems:
            raise ImportFailed([CsvProblem(2, "", "the file has a header but no rows")])
        self._flush()
        if self.problems:
            raise self.problems.failure()
        return ImportResult(created=self.created, updated=self.updated, unchanged=self.unchanged)


# -- keys and values ----------------------------------------------------------------


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _natural_key(kind: Kind, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(ref_key(row[c]) if c == "ref" else row[c] for c in kind.key)


def _key_value(field: str, value: Any) -> Any:
    if field.endswith("_id"):
        return value
    text = str(value or "").strip()
    if field == "ref":
        return ref_key(text)
    if field.endswith("_date") or field == "date":
        return date.fromisoformat(text).isoformat()
    if field == "instrument":
        return text.lower()
    if field == "period":
        return Period.parse(text).code
    if field == "financial_year":
        return financial_year_code(parse_financial_year(text.replace("/", "-", 1)))
    if field == "funding_source":
        return text.lower()
    return text
