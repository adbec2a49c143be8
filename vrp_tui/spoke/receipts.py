"""The hub's receipts at the spoke (SPEC section 5 "Receipts"): the hub's key, importing, the states.

A receipt is verified with the hub's signing key the spoke recorded (``vrp init
--hub-key`` or ``vrp keys hub-key``) and matched to a bundle this spoke
exported, by its UUID and sha256; anything else is refused with the reason
and changes nothing. Of a bundle's receipts the latest by ``issued_at`` is
the hub's word: an older one arriving later changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vrp_tui.bundle import signing
from vrp_tui.bundle.receipt import MAX_RECEIPT_BYTES, STATE_LABELS, Receipt, ReceiptRefused, read_receipt
from vrp_tui.errors import VrpError
from vrp_tui.store import Store
from vrp_tui.store.database import now_utc

HUB_KEY_SETTING = "hub_key"
NO_HUB_KEY = ("no hub signing key is recorded: ask the hub for the RW... line `vrp hub identity` prints "
              "and record it with `vrp keys hub-key RW...` (or in the Receipts screen)")

RECORDED = "recorded"
ALREADY = "already recorded"
OLDER = "older"
REFUSED = "refused"


def check_hub_key(text: str) -> str | None:
    """None if ``text`` is a usable minisign public key (an ``RW...`` line or a ``.pub`` file), else why not."""
    try:
        signing.read_public_key(text)
    except signing.KeyProblem as exc:
        return exc.message
    return None


def hub_key(store: Store) -> str | None:
    """The hub's public signing key (its ``RW...`` line), or None if not recorded."""
    return store.setting(HUB_KEY_SETTING) or None


def set_hub_key(store: Store, text: str) -> str:
    """Record (or replace) the hub's public signing key; returns its ``RW...`` line."""
    if problem := check_hub_key(text):
        raise signing.KeyProblem(f"the hub key is {problem}", field="hub_key")
    line = signing.public_key_line(text)
    store.set_settings({HUB_KEY_SETTING: line})
    return line


@dataclass(frozen=True)
class ReceiptImport:
    """What became of one receipt file: its one line for the worker."""

    name: str
    outcome: str  # RECORDED, ALREADY, OLDER or REFUSED
    reason: str = ""
    receipt: Receipt | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome != REFUSED

    @property
    def line(self) -> str:
        if self.outcome == REFUSED:
            return f"refused: {self.reason}"
        r = self.receipt
        assert r is not None
        what = f"{r.spoke} {r.period} v{r.version} {r.label}" + (f": {r.note}" if r.note else "")
        if self.outcome == OLDER:
            return f"older than the receipt held for {r.spoke} {r.period} v{r.version}: nothing changed"
        return f"{self.outcome}: {what}"


def import_receipt(store: Store, data: bytes, *, name: str) -> ReceiptImport:
    """Verify one receipt's bytes and record it; every refusal leaves the database as it was."""
    key = hub_key(store)
    if key is None:
        return ReceiptImport(name, REFUSED, NO_HUB_KEY)
    try:
        receipt = read_receipt(data, key)
        with store.transaction():
            return _record(store, receipt, data, name)
    except VrpError as exc:
        return ReceiptImport(name, REFUSED, exc.message)


def _record(store: Store, receipt: Receipt, data: bytes, name: str) -> ReceiptImport:
    if receipt.spoke != store.spoke:
        raise ReceiptRefused(f"the receipt is for {receipt.spoke}, not this spoke ({store.spoke})")
    # An export of the same version again keeps its bundle id but not its bytes (age encrypts afresh):
    # the receipt must name one of the files written.
    exported = store.query("SELECT period, version, sha256 FROM bundle_exports WHERE bundle_id = ? ORDER BY id",
                           [receipt.bundle_id])
    if not exported:
        raise ReceiptRefused(f"this spoke never exported bundle {receipt.bundle_id} "
                             f"({receipt.period} v{receipt.version})")
    ours = exported[0]
    if (ours["period"], ours["version"]) != (receipt.period, receipt.version):
        raise ReceiptRefused(f"bundle {receipt.bundle_id} was exported as {ours['period']} v{ours['version']}, "
                             f"not {receipt.period} v{receipt.version}")
    if all(row["sha256"] != receipt.bundle_sha256 for row in exported):
        raise ReceiptRefused(f"the receipt's sha256 {receipt.bundle_sha256[:12]}... is not that of any bundle "
                             f"{receipt.bundle_id} this spoke exported ({exported[-1]['sha256'][:12]}...)")
    latest = store.query("SELECT issued_at, raw FROM receipts WHERE bundle_id = ? ORDER BY issued_at DESC LIMIT 1",
                         [receipt.bundle_id])
    if latest and bytes(latest[0]["raw"]) == data:
        return ReceiptImport(name, ALREADY, receipt=receipt)
    if latest and receipt.issued_at <= latest[0]["issued_at"]:
        return ReceiptImport(name, OLDER, receipt=receipt)
    row = {"bundle_id": receipt.bundle_id, "period": receipt.period, "version": receipt.version,
           "state": receipt.state, "note": receipt.note, "received_at": receipt.received_at,
           "reviewed_at": receipt.reviewed_at, "issued_at": receipt.issued_at, "imported_at": now_utc()}
    cur = store.conn.execute(
        f"INSERT INTO receipts ({', '.join(row)}, raw) VALUES ({', '.join('?' * len(row))}, ?)",
        [*row.values(), data],
    )
    assert cur.lastrowid is not None
    store.audit("receipts", cur.lastrowid, "create", None, row)
    return ReceiptImport(name, RECORDED, receipt=receipt)


def import_files(store: Store, paths: Iterable[Path]) -> list[ReceiptImport]:
    """Each file imported in turn (one refused does not stop the rest)."""
    results = []
    for path in paths:
        try:
            size = path.stat().st_size
            if size > MAX_RECEIPT_BYTES:
                raise ReceiptRefused(f"the file is {size} bytes, more than the {MAX_RECEIPT_BYTES} "
                                     "a receipt may be")
            data = path.read_bytes()
        except OSError as exc:
            results.append(ReceiptImport(path.name, REFUSED, f"cannot read it: {exc.strerror or exc}"))
            continue
        except ReceiptRefused as exc:
            results.append(ReceiptImport(path.name, REFUSED, exc.message))
            continue
        results.append(import_receipt(store, data, name=path.name))
    return results


@dataclass(frozen=True)
class ReceiptState:
    """The hub's latest word on one version: its state and note."""

    version: int
    state: str  # received, accepted or returned-with-issues
    note: str | None
    reviewed_at: str | None
    issued_at: str

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def receipt_states(store: Store, period: str) -> dict[int, ReceiptState]:
    """For each version of ``period`` the hub sent a receipt for, its latest (by ``issued_at``)."""
    rows = store.query(
        "SELECT version, state, note, reviewed_at, issued_at FROM receipts r WHERE period = ? AND issued_at = "
        "(SELECT max(issued_at) FROM receipts WHERE period = r.period AND version = r.version) ORDER BY version",
        [period],
    )
    return {row["version"]: ReceiptState(**row) for row in rows}


def all_receipt_states(store: Store) -> dict[tuple[str, int], ReceiptState]:
    """The hub's latest word on every (period, version) it sent a receipt for."""
    rows = store.query(
        "SELECT period, version, state, note, reviewed_at, issued_at FROM receipts r WHERE issued_at = "
        "(SELECT max(issued_at) FROM receipts WHERE period = r.period AND version = r.version)"
    )
    return {(row.pop("period"), row["version"]): ReceiptState(**row) for row in rows}
