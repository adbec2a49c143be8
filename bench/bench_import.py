"""Importing 1,000,000 sessions: ``vrp import contacts`` against SQLite's own ``executemany``.

The file holds the data set's own 1,000,000 sessions (refs, dates, minutes and
modes as a person would export them), so every row passes every check and each
one adds a session and its audit row. ``vrp import contacts FILE`` runs as a
subprocess on a copy of the benchmark spoke; its wall time and peak memory
(``RUSAGE_CHILDREN``) are measured. The baseline, in the same run, on another
copy: the same rows, already parsed and with their ids resolved, written by one
``executemany`` into the same table in one transaction, over a connection with
the same pragmas (WAL, ``synchronous=FULL``).
Budget (SPEC section 8): at most 2x the baseline, at most 300 MB peak memory.

    python -m bench.bench_import [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, verdict
from bench.generate import DATA, spoke_db
from vrp_tui.store import Store

MAX_RATIO = 2.0
MAX_PEAK_MB = 300.0
CONTACT_ROWS = (
    "SELECT p.ref, i.ref, c.date, c.minutes, c.mode, c.participant_id, c.intervention_id "
    "FROM contacts c JOIN participants p ON p.id = c.participant_id "
    "JOIN interventions i ON i.id = c.intervention_id ORDER BY c.id LIMIT ?"
)


def sessions_csv(source: Path, rows: int) -> Path:
    """The file of ``rows`` sessions (cached beside the data set while that is unchanged)."""
    path = DATA / f"sessions-{rows}.csv"
    if path.exists() and path.stat().st_mtime >= source.stat().st_mtime:
        return path
    partial = path.with_name(path.name + ".partial")
    store = Store(source)
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["participant_ref", "intervention_ref", "date", "minutes", "mode"])
        writer.writerows(row[:5] for row in store.conn.execute(CONTACT_ROWS, [rows]))
    store.close()
    os.replace(partial, path)
    return path


def copy_of(source: Path, target: Path) -> Path:
    store = Store(source)
    store.backup(target)
    store.close()
    return target


def connect(db: Path) -> sqlite3.Connection:
    """The store's own connection to ``db`` (WAL, synchronous=FULL, foreign keys), for SQL of our own."""
    return Store(db).conn


def baseline(db: Path, rows: int) -> float:
    """One executemany of the same rows (parsed beforehand, not timed) into contacts."""
    conn = connect(db)
    data = [row[5:] + row[2:5] for row in conn.execute(CONTACT_ROWS, [rows])]
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO contacts (participant_id, intervention_id, date, minutes, mode) "
                     "VALUES (?, ?, ?, ?, ?)", data)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def vrp_import(db: Path, file: Path) -> tuple[float, float, str]:
    """``vrp import contacts FILE`` as a subprocess: seconds, peak RSS in MB, its output."""
    command = [sys.executable, "-c", "from vrp_tui.cli import main; main()",
               "--db", str(db), "import", "contacts", str(file)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    if done.returncode != 0:
        raise SystemExit(f"vrp import failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    return seconds, peak_mb, done.stdout.strip()


def count(db: Path, table: str) -> int:
    conn = connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    source = spoke_db()
    file = sessions_csv(source, args.rows)
    print(f"importing {file.name} ({file.stat().st_size / 2**20:.0f} MiB, {args.rows:,} rows) "
          f"into a copy of {source.name}")
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        folder = Path(tmp)
        base_db = copy_of(source, folder / "baseline.db")
        import_db = copy_of(source, folder / "import.db")
        contacts_before, audit_before = count(import_db, "contacts"), count(import_db, "audit")
        # The import first: a child forked later would start with a copy of this process's
        # pages (the baseline's rows) and RUSAGE_CHILDREN would count them as its peak.
        seconds, peak_mb, output = vrp_import(import_db, file)
        base = baseline(base_db, args.rows)
        added = count(import_db, "contacts") - contacts_before
        audited = count(import_db, "audit") - audit_before
    print(f"  vrp: {output}")
    if added != args.rows or audited != args.rows:
        print(f"FAILED: {added:,} sessions and {audited:,} audit rows added, expected {args.rows:,} of each")
        return 2
    ratio = seconds / base
    print(f"baseline executemany {base:.2f} s ({args.rows / base:,.0f} rows/s)")
    print(f"vrp import contacts  {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s), "
          f"with {audited:,} audit rows")
    print(f"ratio {ratio:.2f}x (budget {MAX_RATIO:.1f}x); peak memory {peak_mb:.0f} MB (budget {MAX_PEAK_MB:.0f} MB)")
    return verdict([
        Figure("vrp import contacts, 1,000,000 rows", seconds, MAX_RATIO, unit="x", baseline=base,
               baseline_name="executemany"),
        Figure("vrp import contacts, peak memory", peak_mb, MAX_PEAK_MB, unit="MB"),
    ])


if __name__ == "__main__":
    sys.exit(main())
