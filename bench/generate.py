"""Write SPEC section 8's benchmark spoke: 200 interventions, 50,000 young people,
80,000 referrals, 1,000,000 sessions (about one in ten did-not-attend, a few
cancelled) and 100,000 outcome measurements over two financial years.

The database is cached at bench/data/spoke-large.db (with a JSON note of what it
holds) and reused while the note matches; ``--rebuild`` makes it afresh. It is a
set-up Bristol spoke whose key is protected by the demo passphrase, so ``vrp``
opens straight onto the main screen.

    python -m bench.generate [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pyrage

from vrp_tui.demo import spokes as demo
from vrp_tui.spoke.setup import set_up_spoke
from vrp_tui.store import Store

DATA = Path(__file__).parent / "data"
SPOKE_DB = DATA / "spoke-large.db"
NOTE = DATA / "spoke-large.json"
SPOKE = "bristol"
SEED = 2025


def spoke_db(*, rebuild: bool = False) -> Path:
    """The benchmark spoke database, generated first if it is missing or out of date."""
    if rebuild or not SPOKE_DB.exists() or note().get("scale") != asdict(demo.BENCH_SCALE):
        generate(SPOKE_DB)
    return SPOKE_DB


def note() -> dict[str, Any]:
    """What the cached database holds: scale, seed, first and last period, when it was made."""
    try:
        return dict(json.loads(NOTE.read_text()))
    except (OSError, ValueError):
        return {}


def generate(path: Path, *, today: date | None = None) -> dict[str, Any]:
    """Write the data set to ``path`` (via a temporary file, so a half-made one is never reused)."""
    today = today or date.today()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *(Path(f"{partial}{s}") for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    store = Store(partial)
    set_up_spoke(store, spoke=SPOKE, worker="Bench Worker",
                 hub_recipient=str(pyrage.x25519.Identity.generate().to_public()),
                 passphrase=demo.DEMO_PASSPHRASE)
    # Generation only: no journal and no fsync. The file goes back to WAL before use.
    store.conn.execute("PRAGMA journal_mode = OFF")
    store.conn.execute("PRAGMA synchronous = OFF")
    store.conn.execute("PRAGMA cache_size = -262144")
    # Indexes are built once at the end, from sorted data, rather than row by row.
    indexes = store.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(demo.TABLE_COLUMNS))})", list(demo.TABLE_COLUMNS)).fetchall()
    for name, _ in indexes:
        store.conn.execute(f"DROP INDEX {name}")
    counts = demo.write(store, demo.generate(SPOKE, demo.BENCH_SCALE, seed=SEED, today=today), audit=False)
    for _, sql in indexes:
        store.conn.execute(sql)
    store.conn.execute("PRAGMA journal_mode = WAL")
    store.close()
    os.replace(partial, path)
    first, last = demo.span(today)
    info = {"scale": asdict(demo.BENCH_SCALE), "seed": SEED, "spoke": SPOKE, "first_period": first.code,
            "last_period": last.code, "generated_on": today.isoformat(), "rows": counts,
            "seconds": round(time.perf_counter() - started, 1)}
    NOTE.write_text(json.dumps(info, indent=2) + "\n")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="generate afresh even if a cached copy exists")
    args = parser.parse_args()
    started = time.perf_counter()
    path = spoke_db(rebuild=args.rebuild)
    info = note()
    print(f"{path} ({path.stat().st_size / 2**20:.0f} MiB): {info['rows']}")
    print(f"periods {info['first_period']} to {info['last_period']}; "
          f"generated in {info['seconds']} s; this run took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
