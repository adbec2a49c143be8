"""quarter_pairs (migration m009): each quarter's sessions added up per young person and intervention,
kept by triggers on contacts. Worked out by hand for small cases, then held against a fresh
GROUP BY over contacts after a random run of inserts, updates and deletes."""

from __future__ import annotations

import random
from typing import Any

import pytest
from returns_samples import intervention, person, set_up

from vrp_tui.store import Store

FRESH = """
SELECT substr(date, 1, 5) || CASE WHEN substr(date, 6, 2) < '04' THEN '01' WHEN substr(date, 6, 2) < '07' THEN '04'
                                  WHEN substr(date, 6, 2) < '10' THEN '07' ELSE '10' END || '-01',
       participant_id, intervention_id, min(date), max(date), max(CASE WHEN attendance = 'attended' THEN date END),
       sum(attendance = 'attended'), sum(CASE WHEN attendance = 'attended' THEN minutes ELSE 0 END),
       sum(attendance = 'did-not-attend')
FROM contacts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
KEPT = "SELECT * FROM quarter_pairs ORDER BY quarter, participant_id, intervention_id"


@pytest.fixture()
def spoke() -> tuple[Store, int, int, int, int]:
    store = set_up(Store(":memory:"))
    return store, person(store, "CASE-A"), person(store, "CASE-B"), intervention(store, "MENT"), \
        intervention(store, "SPRT")


def session(store: Store, p: int, i: int, day: str, minutes: int = 30, attendance: str = "attended") -> int:
    """A session written straight into the table: the triggers, not the form's rules, are under test."""
    with store.transaction():
        return store.conn.execute(
            "INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode, attendance) "
            "VALUES (?, ?, ?, ?, 'group', ?)", [p, i, day, minutes, attendance]).lastrowid or 0


def kept(store: Store) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store.conn.execute(KEPT)]


def test_sessions_are_added_up_per_pair_and_quarter(spoke: tuple[Store, int, int, int, int]) -> None:
    store, a, b, ment, sprt = spoke
    session(store, a, ment, "2025-06-30", 60)                       # the last day of 2025-26 Q1
    session(store, a, ment, "2025-07-01", 30)                       # the first day of Q2
    session(store, a, ment, "2025-08-15", 45, "did-not-attend")
    session(store, a, ment, "2025-09-30", 20, "cancelled")
    session(store, a, sprt, "2025-12-31", 15)                       # Q3's last day
    session(store, b, sprt, "2026-01-01", 25, "did-not-attend")     # Q4 (Jan-Mar) of 2025-26
    session(store, b, sprt, "2026-03-31", 35)
    assert kept(store) == [
        ("2025-04-01", a, ment, "2025-06-30", "2025-06-30", "2025-06-30", 1, 60, 0),
        ("2025-07-01", a, ment, "2025-07-01", "2025-09-30", "2025-07-01", 1, 30, 1),
        ("2025-10-01", a, sprt, "2025-12-31", "2025-12-31", "2025-12-31", 1, 15, 0),
        ("2026-01-01", b, sprt, "2026-01-01", "2026-03-31", "2026-03-31", 1, 35, 1),
    ]


def test_a_changed_or_deleted_session_is_worked_out_again(spoke: tuple[Store, int, int, int, int]) -> None:
    store, a, b, ment, sprt = spoke
    first = session(store, a, ment, "2025-07-01", 30)
    last = session(store, a, ment, "2025-09-01", 40)
    only = session(store, b, ment, "2025-08-01", 50)
    with store.transaction():
        store.conn.execute("UPDATE contacts SET date = '2025-10-02' WHERE id = ?", [last])  # into Q3
    assert kept(store) == [
        ("2025-07-01", a, ment, "2025-07-01", "2025-07-01", "2025-07-01", 1, 30, 0),
        ("2025-07-01", b, ment, "2025-08-01", "2025-08-01", "2025-08-01", 1, 50, 0),
        ("2025-10-01", a, ment, "2025-10-02", "2025-10-02", "2025-10-02", 1, 40, 0),
    ]
    with store.transaction():
        store.conn.execute("UPDATE contacts SET attendance = 'did-not-attend' WHERE id = ?", [first])
        store.conn.execute("UPDATE contacts SET participant_id = ?, minutes = 5 WHERE id = ?", [a, only])
        store.conn.execute("DELETE FROM contacts WHERE id = ?", [last])
    assert kept(store) == [
        ("2025-07-01", a, ment, "2025-07-01", "2025-08-01", "2025-08-01", 1, 5, 1),
    ]


def test_random_changes_keep_the_sums_those_of_the_sessions(spoke: tuple[Store, int, int, int, int]) -> None:
    store, a, b, ment, sprt = spoke
    rng = random.Random(14)
    days = [f"2025-{m:02d}-{d:02d}" for m in (3, 4, 6, 7, 9, 10, 12) for d in (1, 15, 30)] + ["2026-01-01"]
    marks = ("attended", "did-not-attend", "cancelled")
    ids: list[int] = []
    for step in range(300):
        if ids and step % 3 == 1:
            change = ("UPDATE contacts SET date = ?, attendance = ?, minutes = ?, participant_id = ? WHERE id = ?",
                      [rng.choice(days), rng.choice(marks), rng.randint(1, 90), rng.choice((a, b)), rng.choice(ids)])
        elif ids and step % 5 == 2:
            change = ("DELETE FROM contacts WHERE id = ?", [ids.pop(rng.randrange(len(ids)))])
        else:
            ids.append(session(store, rng.choice((a, b)), rng.choice((ment, sprt)), rng.choice(days),
                               rng.randint(1, 90), rng.choice(marks)))
            continue
        with store.transaction():
            store.conn.execute(*change)
    fresh = [tuple(r) for r in store.conn.execute(FRESH)]
    assert len(fresh) > 10
    assert kept(store) == fresh
