"""Exporting a bundle: the latest quarter of the benchmark spoke, signed off, then exported.

Works on a copy of the data set (sign-off and exports write to the database).
The time is ``plan_export`` + ``export_return``, as ``vrp export`` runs them
(after the store is open and the passphrase known), median of several runs.
The breakdown times each stage on its own: reading the frozen return and
planning, unlocking the key (scrypt, minisign's default cost, by design slow),
building and signing the bag and its ZIP, age encryption, and writing the file
atomically and recording the export.
Target (SPEC section 8): under 1 s. The scrypt unlock is printed as the in-run
baseline: the least any export that unlocks a key can cost.

    python -m bench.bench_export [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from bench.common import Figure, verdict
from bench.generate import note, spoke_db
from vrp_tui.bundle import names, writer
from vrp_tui.demo import spokes as demo
from vrp_tui.periods import Period
from vrp_tui.reference import SPOKES
from vrp_tui.returns import lifecycle
from vrp_tui.spoke import export as exporting
from vrp_tui.spoke.setup import hub_recipient, unlock_signing_key
from vrp_tui.store import Store

TARGET_SECONDS = 1.0
T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def prepare(folder: Path) -> tuple[Store, Period]:
    """A copy of the benchmark spoke with its last quarter signed off."""
    source = Store(spoke_db())
    copy = folder / "spoke.db"
    source.backup(copy)
    source.close()
    store = Store(copy)
    period = Period.parse(note()["last_period"])
    if lifecycle.latest_signed_off(store, period) is None:
        lifecycle.sign_off(store, period)
    return store, period


def breakdown(store: Store, period: Period, out: Path) -> dict[str, float]:
    """Each stage of one export, timed on its own."""
    plan, planning = timed(lambda: exporting.plan_export(store, period.code, out))
    (_, secret), unlocking = timed(lambda: unlock_signing_key(store, demo.passphrase()))
    spoke = store.spoke or ""
    files, signing = timed(lambda: writer.bag_files(
        plan.document, spoke=spoke, spoke_name=SPOKES[spoke].name, period=plan.period, version=plan.version,
        bundle_id=plan.bundle_id, supersedes=plan.supersedes, secret_key=secret,
        bagging_date=date.today()))
    archive, zipping = timed(lambda: writer.zip_bag(names.bag_name(spoke, plan.period, plan.version), files, date.today()))
    data, encrypting = timed(lambda: writer.encrypt(archive, hub_recipient(store) or ""))
    _, writing = timed(lambda: exporting.write_atomically(out / "breakdown.vrpb", data))
    print(f"  return.json {len(files[names.RETURN_JSON]) / 1024:.0f} KiB, "
          f"ZIP {len(archive) / 1024:.0f} KiB, bundle {len(data) / 1024:.0f} KiB")
    return {"read frozen return + plan": planning, "unlock key (scrypt)": unlocking,
            "build bag + sign": signing, "zip": zipping, "age encrypt": encrypting,
            "write file (fsync, rename)": writing}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store, period = prepare(folder)
        frozen = lifecycle.latest_signed_off(store, period)
        assert frozen is not None, "prepare() signed it off"
        print(f"exporting {store.spoke} {period.code} ({len(frozen.document['interventions'])} interventions)")
        times = []
        for _ in range(args.runs):
            record, seconds = timed(lambda: exporting.export_return(
                store, exporting.plan_export(store, period.code, folder / "out"), demo.passphrase()))
            times.append(seconds)
        stages = breakdown(store, period, folder / "out")
        store.close()
    export = statistics.median(times)
    print(f"  wrote {Path(record.path).name}, sha256 {record.sha256[:16]}...")
    print(f"export: median {export * 1000:.0f} ms over {args.runs} runs "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); target under {TARGET_SECONDS * 1000:.0f} ms")
    for stage, seconds in stages.items():
        print(f"  {stage:28} {seconds * 1000:7.1f} ms")
    unlock = stages["unlock key (scrypt)"]
    print(f"baseline scrypt unlock {unlock * 1000:.0f} ms; export / unlock = {export / unlock:.2f}x; "
          f"export without the unlock {max(export - unlock, 0) * 1000:.0f} ms")
    return verdict([Figure("exporting a bundle", export, TARGET_SECONDS)])


if __name__ == "__main__":
    sys.exit(main())
