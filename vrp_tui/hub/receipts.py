"""Issuing receipts at the hub (SPEC section 5 "Receipts"): what the hub says of a bundle it holds.

A receipt carries the held bundle's id and sha256, when it arrived, and its
review state (``received`` until reviewed, then ``accepted`` or
``returned-with-issues`` with the note). The hub keeps every receipt it issues,
with its bytes: one receipt per (bundle, state) change. Asking again while
nothing has changed writes the same receipt again, byte for byte.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import minisign

from vrp_tui.bundle.receipt import ACCEPTED, RECEIVED, RETURNED, Receipt, file_name, write_receipt
from vrp_tui.errors import VrpError
from vrp_tui.files import write_whole
from vrp_tui.hub.held import Received, versions
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period, PeriodError
from vrp_tui.reference import SPOKES
from vrp_tui.store.database import now_utc

DEFAULT_FOLDER = "exports"
_REVIEW_STATES = {"accepted": ACCEPTED, "issues": RETURNED}


class ReceiptNotIssued(VrpError):
    """A receipt the hub cannot issue: nothing held, or the file cannot be written."""


@dataclass(frozen=True)
class Issued:
    """A receipt written out: where, what it says, and whether it is new (not issued before)."""

    path: Path
    receipt: Receipt
    new: bool


def _held(hub: HubStore, spoke: str, period: str) -> tuple[str, Received]:
    if spoke not in SPOKES:
        raise ReceiptNotIssued(f"unknown spoke {spoke!r} (one of {', '.join(SPOKES)})")
    try:
        code = Period.parse(period).code
    except PeriodError as exc:
        raise ReceiptNotIssued(str(exc)) from None
    held = versions(hub, spoke, code)
    if not held:
        raise ReceiptNotIssued(f"no return from {spoke} for {code} is held")
    return code, held[-1]


def current_receipt(hub: HubStore, spoke: str, period: str, *, issued_at: str | None = None) -> tuple[Receipt, int | None]:
    """The receipt the latest held version would get now, and the review row it reflects (None: not reviewed)."""
    code, bundle = _held(hub, spoke, period)
    row = hub.conn.execute(
        "SELECT id, state, note, reviewed_at FROM reviews WHERE bundle = ? ORDER BY id DESC LIMIT 1", [bundle.id]
    ).fetchone()
    state, note, reviewed_at = (RECEIVED, None, None) if row is None else (
        _REVIEW_STATES[row[1]], row[2] or None, row[3])
    receipt = Receipt(
        spoke=spoke, period=code, version=bundle.version, bundle_id=bundle.bundle_id,
        bundle_sha256=bundle.sha256, received_at=bundle.received_at, state=state, note=note,
        reviewed_at=reviewed_at, issued_at=issued_at or now_utc(),
    )
    return receipt, (row[0] if row else None)


def issue_receipt(hub: HubStore, spoke: str, period: str, secret_key: minisign.SecretKey,
                  out_dir: str | Path = DEFAULT_FOLDER, *, at: str | None = None) -> Issued:
    """Write the receipt of the latest version held for ``spoke`` and ``period`` into ``out_dir``.

    The first receipt for a (bundle, review) is signed and recorded; later calls
    write the recorded bytes again.
    """
    receipt, review = current_receipt(hub, spoke, period, issued_at=at)
    bundle = versions(hub, spoke, receipt.period)[-1].id
    with hub.transaction():
        row = hub.conn.execute(
            "SELECT raw FROM receipts WHERE bundle = ? AND ifnull(review, 0) = ?", [bundle, review or 0]
        ).fetchone()
        new = row is None
        if new:
            raw = write_receipt(receipt, secret_key)
            hub.conn.execute(
                "INSERT INTO receipts (bundle, review, state, issued_at, file_name, sha256, raw) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [bundle, review, receipt.state, receipt.issued_at,
                 file_name(spoke, receipt.period, receipt.version), hashlib.sha256(raw).hexdigest(), raw],
            )
        else:
            raw = bytes(row[0])
        path = Path(out_dir) / file_name(spoke, receipt.period, receipt.version)
        _write(path, raw)  # inside the transaction: a receipt that could not be written is not recorded
    return Issued(path, receipt, new)


def _write(path: Path, data: bytes) -> None:
    try:
        write_whole(path, data)
    except OSError as exc:
        raise ReceiptNotIssued(f"cannot write {path}: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class IssuedRecord:
    """A receipt on record at the hub."""

    spoke: str
    period: str
    version: int
    state: str
    issued_at: str
    file_name: str


def issued(hub: HubStore, spoke: str, period: str) -> list[IssuedRecord]:
    """The receipts issued for every version of ``spoke``'s return for ``period``, oldest first."""
    return [
        IssuedRecord(**row)
        for row in hub.query(
            "SELECT b.spoke, b.period, b.version, r.state, r.issued_at, r.file_name FROM receipts r "
            "JOIN bundles b ON b.id = r.bundle WHERE b.spoke = ? AND b.period = ? ORDER BY r.id",
            [spoke, period],
        )
    ]


def outstanding(hub: HubStore) -> list[tuple[str, str]]:
    """The (spoke, period) returns whose latest version's current state has no receipt issued yet."""
    rows = hub.query(
        "SELECT b.spoke, b.period, b.id, (SELECT max(id) FROM reviews WHERE bundle = b.id) AS review "
        "FROM bundles b WHERE b.version = (SELECT max(version) FROM bundles WHERE spoke = b.spoke AND "
        "period = b.period) ORDER BY b.period, b.spoke"
    )
    issued_for = {(r["bundle"], r["review"] or 0) for r in hub.query("SELECT bundle, review FROM receipts")}
    return [(r["spoke"], r["period"]) for r in rows if (r["id"], r["review"] or 0) not in issued_for]


def issue_outstanding(hub: HubStore, secret_key: minisign.SecretKey,
                      out_dir: str | Path = DEFAULT_FOLDER) -> list[Issued]:
    """Write every outstanding receipt into ``out_dir`` (after an import, say); returns those written."""
    return [issue_receipt(hub, spoke, period, secret_key, out_dir) for spoke, period in outstanding(hub)]
