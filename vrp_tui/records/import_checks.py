"""Checks an import makes once per row, kept cheap: refs looked up in dicts loaded once,
and a session row checked as the Contact model checks it, each column's result cached.

A sessions file is the long one (SPEC section 8: a million rows). Checking it through
the pydantic model costs more than writing it, so its columns go through the same
functions the model uses (``parse_iso_date``, ``parse_minutes``, the mode's slug
check) with the same messages, and a value seen before is not worked out again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from vrp_tui.records.import_files import CsvProblem
from vrp_tui.records.models import parse_iso_date, parse_minutes, ref_key, shown, slug_check
from vrp_tui.store import Store

AMBIGUOUS = -1  # a ref key two stored refs share (they differ only in letter case)
NOT_IN_WINDOW = "no referral of this young person to this intervention covers this date"


class RowProblems(Exception):
    """What is wrong with one row, by column."""

    def __init__(self, problems: list[CsvProblem]):
        self.problems = problems


class RefIds:
    """Every stored ref of a table, loaded once, found whatever its letter case.

    ``ids`` holds each exact spelling and each case-free key that only one stored ref
    has: a cell spelt either way is one lookup. Where two stored refs differ only in
    letter case, only their exact spellings find them.
    """

    def __init__(self, store: Store, table: str, label: str):
        self.label = label
        self.keys: dict[str, int] = {}
        self.exact: dict[str, int] = {}
        for ref, record_id in store.conn.execute(f"SELECT ref, id FROM {table}"):
            key = ref_key(ref)
            self.keys[key] = AMBIGUOUS if key in self.keys else record_id
            self.exact[ref] = record_id
        self.ids = {key: record_id for key, record_id in self.keys.items() if record_id != AMBIGUOUS}
        self.ids.update(self.exact)

    def resolve(self, value: str) -> tuple[int, str | None]:
        """The id a ref cell names, or 0 and the problem."""
        found = self.ids.get(value)
        if found is not None:
            return found, None
        ref = value.strip()
        if not ref:
            return 0, "required"
        found = self.exact.get(ref)
        if found is None:
            found = self.keys.get(ref_key(ref))
        if found is None:
            return 0, f"no {self.label} with ref {shown(ref)}"
        if found == AMBIGUOUS:
            return 0, (f"ref {shown(ref)} matches more than one {self.label} "
                       "(their refs differ only in letter case): write it exactly")
        return found, None


class Cached:
    """``check(text)`` as ``(value, None)`` or ``(None, message)``, remembered for texts seen before.

    A blank cell is "required", as the model says of a field not given. At most
    ``LIMIT`` texts are remembered, so a file of all-different values costs no memory.
    """

    LIMIT = 20_000

    def __init__(self, check: Callable[[str], Any], *, past: bool = False):
        self.check, self.past = check, past
        self.seen: dict[str, tuple[Any, str | None]] = {}
        self.today = date.today().isoformat()

    def __call__(self, text: str) -> tuple[Any, str | None]:
        found = self.seen.get(text)
        if found is None:
            found = self.work_out(text)
            if len(self.seen) >= self.LIMIT:
                self.seen.clear()
            self.seen[text] = found
        return found

    def work_out(self, text: str) -> tuple[Any, str | None]:
        if not text.strip():
            return None, "required"
        try:
            value = self.check(text)
        except ValueError as exc:
            return None, str(exc)
        if self.past and value > self.today:
            return None, f"{value} is in the future"
        return value, None


def windows(store: Store) -> dict[tuple[int, int], list[tuple[str, str | None]]]:
    """Every referral window, by (participant id, intervention id): (referral date, end date or None)."""
    out: dict[tuple[int, int], list[tuple[str, str | None]]] = {}
    for pid, iid, start, end in store.conn.execute(
        "SELECT participant_id, intervention_id, referral_date, end_date FROM enrolments"
    ):
        out.setdefault((pid, iid), []).append((start, end))
    return out


def held(windows: list[tuple[str, str | None]], day: str) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in windows)


class ContactChecks:
    """A session row as ``(participant_id, intervention_id, date, minutes, mode, attendance)``, or RowProblems
    with the messages the Contact model and the store give."""

    def __init__(self, store: Store, header: Sequence[str], participants: RefIds, interventions: RefIds):
        position = {column: n for n, column in enumerate(header)}
        self.columns = tuple(position[c] for c in ("participant_ref", "intervention_ref", "date", "minutes", "mode"))
        self.attendance_column = position.get("attendance")  # optional: attended when left out or empty
        self.attendances = Cached(slug_check("attendance"))
        self.attendances.seen[""] = ("attended", None)
        self.participants, self.interventions = participants.ids, interventions.ids
        self.refs = (participants, interventions)
        self.dates = Cached(lambda text: parse_iso_date(text).isoformat(), past=True)
        self.minutes = Cached(parse_minutes)
        self.modes = Cached(slug_check("mode"))
        self.windows = windows(store)

    def check(self, line: int, cells: list[str]) -> tuple[int, int, str, int, str, str]:
        p, i, d, m, o = self.columns
        attendance, attendance_problem = "attended", None
        if self.attendance_column is not None:
            text = cells[self.attendance_column]
            attendance, attendance_problem = self.attendances.seen.get(text) or self.attendances(text)
            if attendance is None and not text.strip():
                attendance, attendance_problem = "attended", None
        pid = self.participants.get(cells[p], AMBIGUOUS)
        iid = self.interventions.get(cells[i], AMBIGUOUS)
        day, date_problem = self.dates.seen.get(cells[d]) or self.dates(cells[d])
        minutes, minutes_problem = self.minutes.seen.get(cells[m]) or self.minutes(cells[m])
        mode, mode_problem = self.modes.seen.get(cells[o]) or self.modes(cells[o])
        if (pid == AMBIGUOUS or iid == AMBIGUOUS or date_problem or minutes_problem or mode_problem
                or attendance_problem):
            problems = []
            if pid == AMBIGUOUS:
                pid, problem = self.refs[0].resolve(cells[p])
                if problem:
                    problems.append(CsvProblem(line, "participant_ref", problem))
            if iid == AMBIGUOUS:
                iid, problem = self.refs[1].resolve(cells[i])
                if problem:
                    problems.append(CsvProblem(line, "intervention_ref", problem))
            for column, problem in (("date", date_problem), ("minutes", minutes_problem), ("mode", mode_problem),
                                    ("attendance", attendance_problem)):
                if problem:
                    problems.append(CsvProblem(line, column, problem))
            if problems:
                raise RowProblems(problems)
        for start, end in self.windows.get((pid, iid), ()):
            if start <= day and (end is None or end >= day):
                return pid, iid, day, minutes, mode, attendance
        raise RowProblems([CsvProblem(line, "date", NOT_IN_WINDOW)])
