"""Saving a record: one session saved through the form's path, committed and durable.

On a copy of SPEC section 8's spoke (1,000,000 sessions already there), each
save is what the session form's Save does: ``records.entry.save`` checks the
values, finds the young person by ref and writes the row and its audit entry in
one transaction (WAL, ``synchronous=FULL``: on disk when it returns). The
session saved is a copy of one already on record, so every check passes.
Budget (SPEC section 8): under 10 ms; the median of ``--runs`` saves is judged.

    python -m bench.bench_save [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, verdict
from bench.generate import DATA, spoke_db
from vrp_tui.records import entry
from vrp_tui.records.sections import SECTIONS
from vrp_tui.store import Store

BUDGET_SECONDS = 0.010


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    source = spoke_db()
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        path = Path(tmp) / "spoke.db"
        shutil.copyfile(source, path)
        store = Store(path)
        try:
            row = store.conn.execute(
                "SELECT p.ref, c.intervention_id, c.date, c.minutes, c.mode FROM contacts c "
                "JOIN participants p ON p.id = c.participant_id ORDER BY c.id DESC LIMIT 1").fetchone()
            values = {"participant_ref": row[0], "intervention_id": row[1], "date": row[2],
                      "minutes": str(row[3]), "mode": row[4]}
            before = store.conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
            entry.save(store, SECTIONS["contacts"], values, None)  # warm: the pages it touches
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                entry.save(store, SECTIONS["contacts"], values, None)
                times.append(time.perf_counter() - started)
            added = store.conn.execute("SELECT count(*) FROM contacts").fetchone()[0] - before
        finally:
            store.close()
    if added != args.runs + 1:
        print(f"FAILED: {added} sessions added, expected {args.runs + 1}")
        return 2
    seconds = statistics.median(times)
    print(f"saving a session on {source.name}: median {seconds * 1000:.1f} ms over {args.runs} saves "
          f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}), each committed with fsync")
    return verdict([Figure("saving a record (a session)", seconds, BUDGET_SECONDS, unit="ms")])


if __name__ == "__main__":
    sys.exit(main())
