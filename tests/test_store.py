"""The store on real SQLite files: migrations, audit trail, durability, concurrent writers, backup."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from vrp_tui.cli import main
from vrp_tui.records.models import RecordError
from vrp_tui.store import Store, StoreBusy
from vrp_tui.store import opening as store_opening
from vrp_tui.store.migrations import migrations

INTERVENTION = {"ref": "MEN-1", "name": "Mentoring", "provider": "Brightpath Youth Trust",
                "approach": "mentoring", "prevention_level": "secondary", "setting": "community",
                "start_date": "2025-04-01"}
PARTICIPANT = {"ref": "P-001", "date_of_birth": "2009-06-15", "sex": "male", "ethnicity": "white"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "spoke.db", worker="Amy Tester")
    yield s
    s.close()


def run_python(code: str) -> subprocess.Popen[str]:
    """Another process working on the same files (the package is installed in this interpreter)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# -- migrations ------------------------------------------------------------------


def test_an_empty_file_is_migrated_to_every_table(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"settings", "interventions", "participants", "enrolments", "contacts", "spend", "budgets",
            "audit", "spoke_keys", "_sqlite_migrations"} <= tables
    recorded = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'vrp_spoke' ORDER BY rowid")]
    assert recorded[:3] == ["m001_records", "m002_audit", "m003_spoke_keys"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_reopening_applies_nothing_new(tmp_path: Path) -> None:
    path = tmp_path / "spoke.db"
    Store(path).close()
    first = sqlite3.connect(path).execute("SELECT name, applied_at FROM _sqlite_migrations").fetchall()
    again = Store(path)
    assert migrations.pending(Database(again.conn)) == []
    again.close()
    assert sqlite3.connect(path).execute("SELECT name, applied_at FROM _sqlite_migrations").fetchall() == first


def test_processes_opening_a_new_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    openers = [run_python(f"from vrp_tui.store import Store; Store({str(path)!r}).close()") for _ in range(4)]
    for opener in openers:
        _, err = opener.communicate(timeout=60)
        assert opener.returncode == 0, err
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'vrp_spoke'")]
    conn.close()
    assert len(names) == len(set(names)) and "m001_records" in names


def test_every_connection_is_durable_and_checks_foreign_keys(store: Store) -> None:
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


# -- audit trail -------------------------------------------------------------------


def test_create_update_delete_each_leave_an_audit_row(store: Store) -> None:
    pid = store.save("participants", PARTICIPANT)
    store.save("participants", {**PARTICIPANT, "sex": "not-known"}, pid)
    store.delete("participants", pid)
    trail = store.audit_trail("participants", pid)
    assert [(a["action"], a["worker"]) for a in trail] == [
        ("create", "Amy Tester"), ("update", "Amy Tester"), ("delete", "Amy Tester")]
    created, updated, deleted = trail
    assert created["before"] is None
    assert json.loads(created["after"]) == {"id": pid, "ref": "P-001", "date_of_birth": "2009-06-15",
                                            "sex": "male", "ethnicity": "white", "postcode_district": None}
    assert (json.loads(updated["before"])["sex"], json.loads(updated["after"])["sex"]) == ("male", "not-known")
    assert json.loads(deleted["before"])["sex"] == "not-known" and deleted["after"] is None


def test_the_audit_trail_refuses_update_and_delete(store: Store) -> None:
    store.save("participants", PARTICIPANT)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE audit SET worker = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM audit")
    assert store.query("SELECT worker FROM audit") == [{"worker": "Amy Tester"}]


# -- writes: all or none, references ---------------------------------------------------


def test_save_many_is_all_or_none(store: Store) -> None:
    rows = [({**PARTICIPANT, "ref": f"P-{n}"}, None) for n in range(3)]
    rows.append(({**PARTICIPANT, "ref": "P-bad", "sex": "martian"}, None))
    with pytest.raises(RecordError) as caught:
        store.save_many("participants", rows)
    assert caught.value.row == 3  # type: ignore[attr-defined]
    assert "sex" in caught.value.errors
    assert store.count("participants") == 0
    assert store.query("SELECT count(*) AS n FROM audit") == [{"n": 0}]


def test_deleting_an_intervention_with_referrals_is_refused(store: Store) -> None:
    iid = store.save("interventions", INTERVENTION)
    pid = store.save("participants", PARTICIPANT)
    store.save("enrolments", {"participant_id": pid, "intervention_id": iid, "referral_date": "2025-05-01",
                              "referral_source": "police"})
    with pytest.raises(RecordError) as caught:
        store.delete("interventions", iid)
    assert caught.value.errors == {"": "this intervention still has records that refer to it; delete those first"}
    assert store.get("interventions", iid) is not None
    assert [a["action"] for a in store.audit_trail("interventions", iid)] == ["create"]


# -- durability and concurrency ----------------------------------------------------------


def test_a_committed_record_survives_kill_9_of_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "spoke.db"
    Store(path).close()
    writer = run_python(f"""
        import time
        from vrp_tui.store import Store
        s = Store({str(path)!r}, worker="writer")
        s.save("interventions", {INTERVENTION!r})
        print("committed", flush=True)
        time.sleep(60)
    """)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "committed"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert writer.returncode == -signal.SIGKILL
    reopened = Store(path)
    try:
        assert reopened.query("SELECT ref FROM interventions") == [{"ref": "MEN-1"}]
        assert reopened.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        reopened.close()


def test_two_processes_writing_the_same_file_do_not_corrupt_it(tmp_path: Path) -> None:
    path = tmp_path / "spoke.db"
    Store(path).close()
    code = """
        from vrp_tui.store import Store
        s = Store({path!r}, worker={name!r})
        for n in range(200):
            s.save("participants", {{"ref": "{name}-" + str(n), "sex": "female"}})
        print("done", flush=True)
    """
    writers = [run_python(code.format(path=str(path), name=name)) for name in ("A", "B")]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.strip() == "done"
    check = Store(path)
    try:
        assert check.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        by_worker = check.query("SELECT worker, count(*) AS n FROM audit GROUP BY worker ORDER BY worker")
        assert by_worker == [{"worker": "A", "n": 200}, {"worker": "B", "n": 200}]
        refs = {r["ref"] for r in check.query("SELECT ref FROM participants")}
        assert refs == {f"{name}-{n}" for name in "AB" for n in range(200)}
    finally:
        check.close()


def test_a_writer_blocked_beyond_the_busy_timeout_gets_store_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_opening, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "spoke.db"
    store = Store(path, worker="Amy Tester")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match="another vrp process is writing to it; try again"):
            store.save("participants", PARTICIPANT)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.count("participants") == 0
    store.save("participants", PARTICIPANT)  # the lock is gone: the same save now works
    assert store.count("participants") == 1
    store.close()


# -- backup ---------------------------------------------------------------------


def test_vrp_backup_copies_every_committed_record_and_nothing_uncommitted(tmp_path: Path) -> None:
    path = tmp_path / "spoke.db"
    store = Store(path, worker="Amy Tester")
    for n in range(50):
        store.save("participants", {**PARTICIPANT, "ref": f"P-{n:03d}"})
    # A write in progress elsewhere while the backup runs.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO participants (ref) VALUES ('uncommitted')")
    try:
        result = CliRunner().invoke(main, ["--db", str(path), "backup", str(tmp_path / "copy.db")])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "copy.db")
    copy = Store(tmp_path / "copy.db")
    try:
        assert copy.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.count("participants") == 50
        assert copy.query("SELECT count(*) AS n FROM audit") == [{"n": 50}]
        assert migrations.pending(Database(copy.conn)) == []
    finally:
        copy.close()
        store.close()


def test_schema_version_counts_every_migration(tmp_path: Path) -> None:
    """Opening an up-to-date file skips the migrations by PRAGMA user_version: it must match."""
    from vrp_tui.store.database import SCHEMA_VERSION

    store = Store(tmp_path / "new.db")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert len(migrations.pending(Database(store.conn))) == 0
    assert len(migrations.applied(Database(store.conn))) == SCHEMA_VERSION
