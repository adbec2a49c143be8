"""Write the large hub of the benchmarks: 5 spokes x 20 quarters, 200 interventions a return.

Every return is a real bundle, made by the project's writer from a synthetic
format-1 document (``bench.bench_hub_import.document``, 200 interventions each,
as SPEC section 8's spoke has) and imported through ``import_bundle``, every
check of SPEC section 5 included; the last quarter has a second version from
each spoke (five referrals corrected, the narrative says so), so the return viewer
has changes to show. 105 bundles in all.

The database is cached at bench/data/hub-large.db (with a JSON note of what it
holds) and reused while the note matches; ``--rebuild`` makes it afresh. The
hub's identity is protected by ``PASSPHRASE``.

    python -m bench.generate_hub [--rebuild]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import minisign

from bench import bench_hub_import as helpers
from vrp_tui.bundle import signing
from vrp_tui.bundle.writer import write_bundle
from vrp_tui.hub.identity import create_identity, unlock_identity
from vrp_tui.hub.intake import import_bundle
from vrp_tui.hub.spoke_keys import enrol_key
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period
from vrp_tui.reference import SPOKES

DATA = Path(__file__).parent / "data"
HUB_DB = DATA / "hub-large.db"
NOTE = DATA / "hub-large.json"
PASSPHRASE = helpers.PASSPHRASE
SCALE = {"spokes": len(SPOKES), "quarters": 20, "interventions": 200, "second_versions": "last quarter, corrected"}
SEED = 2026


def hub_db(*, rebuild: bool = False) -> Path:
    """The large hub database, generated first if it is missing or out of date."""
    if rebuild or not HUB_DB.exists() or note().get("scale") != SCALE \
            or note().get("last_period") != last_quarter(date.today()).code:
        generate(HUB_DB)
    return HUB_DB


def note() -> dict[str, Any]:
    """What the cached hub holds: scale, first and last period, bundles, when it was made."""
    try:
        return dict(json.loads(NOTE.read_text()))
    except (OSError, ValueError):
        return {}


def last_quarter(today: date) -> Period:
    """The last quarter ended by ``today``: the newest a hub accepts."""
    return Period.containing(today).previous()


def quarters(today: date) -> list[Period]:
    """SCALE's quarters, oldest first, up to the last one ended by ``today``."""
    out = [last_quarter(today)]
    while len(out) < SCALE["quarters"]:
        out.insert(0, out[0].previous())
    return out


@contextmanager
def _interventions(count: int) -> Iterator[None]:
    """bench_hub_import's document writer, for returns of ``count`` interventions."""
    before = helpers.INTERVENTIONS
    helpers.INTERVENTIONS = count
    try:
        yield
    finally:
        helpers.INTERVENTIONS = before


def document(rng: random.Random, spoke: str, period: Period) -> dict[str, Any]:
    """A valid signed-off format-1 return (version 1) of SCALE's interventions."""
    with _interventions(int(SCALE["interventions"])):
        return helpers.document(rng, spoke, period)


def corrected(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The next version of ``doc`` as a spoke sends one: a few referrals more, the narrative says why."""
    again = copy.deepcopy(doc)
    again["version"] = doc["version"] + 1
    for item in rng.sample(again["interventions"], 5):
        item["referrals"] += 1
    again["totals"]["referrals"] += 5
    again["narrative"]["highlights"] = "Corrected: five referrals were entered late."
    return again


def generate(path: Path, *, today: date | None = None) -> dict[str, Any]:
    """Write the hub to ``path`` (via a temporary file, so a half-made one is never reused)."""
    today = today or date.today()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *(Path(f"{partial}{s}") for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    rng = random.Random(SEED)
    periods = quarters(today)
    hub = HubStore(partial)
    try:
        recipient = create_identity(hub, PASSPHRASE)
        identity = unlock_identity(hub, PASSPHRASE)
        imported = 0
        for spoke in SPOKES:
            pair = minisign.KeyPair.generate()
            enrol_key(hub, spoke, signing.public_key_line(bytes(pair.public_key).decode()))
            previous: str | None = None
            docs = [document(rng, spoke, p) for p in periods]
            for doc in [*docs, corrected(docs[-1], rng)]:
                period, version = Period.parse(doc["period"]), int(doc["version"])
                bundle_id = str(uuid.uuid4())
                data = write_bundle(doc, spoke=spoke,
                                    spoke_name=SPOKES[spoke].name, period=period.code, version=version,
                                    bundle_id=bundle_id, supersedes=previous if version > 1 else None,
                                    secret_key=pair.secret_key, hub_recipient=recipient)
                previous = bundle_id
                result = import_bundle(hub, data, identity, name=f"{spoke}_{period.code}_v{version}.vrpb",
                                       today=today)
                if not result.accepted:
                    raise SystemExit(f"the hub refused a generated bundle: {result.name}: {result.line}")
                imported += 1
    finally:
        hub.close()
    partial.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    info = {"scale": SCALE, "seed": SEED, "first_period": periods[0].code, "last_period": periods[-1].code,
            "bundles": imported, "generated_on": today.isoformat(),
            "seconds": round(time.perf_counter() - started, 1)}
    NOTE.write_text(json.dumps(info, indent=2) + "\n")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="generate afresh even if a cached copy exists")
    args = parser.parse_args()
    started = time.perf_counter()
    path = hub_db(rebuild=args.rebuild)
    info = note()
    print(f"{path} ({path.stat().st_size / 2**20:.0f} MiB): {info['bundles']} bundles, "
          f"periods {info['first_period']} to {info['last_period']}")
    print(f"generated in {info['seconds']} s; this run took {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
