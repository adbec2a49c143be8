"""Importing bundles at the hub: SPEC section 5 "Hub acceptance", in order.

Checks 1-5 (decryption, archive bounds, signature, checksums and agreement,
schema) are the bundle reader's; this module adds 6 (replay and versions) and 7
(the raw bytes and their sha256 kept as received). Every check runs before
anything is written, and one bundle's writes are one transaction, so a rejected
file leaves the hub database exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyrage

from vrp_tui.bundle.names import SUFFIX
from vrp_tui.bundle.reader import MAX_BUNDLE_BYTES, BundleRejected, VerifiedBundle, read_bundle
from vrp_tui.errors import VrpError, one_line
from vrp_tui.hub.spoke_keys import key_lookup
from vrp_tui.hub.store import HubStore
from vrp_tui.store.database import now_utc

IMPORTED = "imported"
ALREADY_IMPORTED = "already imported"
SUPERSEDES = "supersedes"
REJECTED = "rejected"


@dataclass(frozen=True)
class IntakeResult:
    """What became of one file: its one line for the analyst, and what it held."""

    name: str
    outcome: str  # IMPORTED, ALREADY_IMPORTED, SUPERSEDES or REJECTED
    reason: str = ""  # why it was rejected
    spoke: str = ""
    period: str = ""
    version: int = 0
    superseded_version: int = 0

    @property
    def accepted(self) -> bool:
        return self.outcome != REJECTED

    @property
    def line(self) -> str:
        if self.outcome == REJECTED:
            return f"rejected: {self.reason}"
        if self.outcome == SUPERSEDES:
            return f"imported, supersedes version {self.superseded_version}"
        return self.outcome


class _Stale(Exception):
    """Check 6 failed inside the transaction: roll back, reject."""


def import_bundle(
    hub: HubStore, data: bytes, identity: pyrage.x25519.Identity, *, name: str,
    received_at: str | None = None, today: date | None = None,
) -> IntakeResult:
    """Verify one bundle's bytes and, if it passes every check, record it.

    ``today`` is the hub's date (default: the machine's), for check 5.
    """
    try:
        bundle = read_bundle(data, identity, key_lookup(hub), today=today or date.today())
    except BundleRejected as exc:
        return IntakeResult(name, REJECTED, reason=str(exc))
    try:
        with hub.transaction():
            return _record(hub, bundle, data, name, received_at or now_utc())
    except _Stale as exc:
        return _about(bundle, name, REJECTED, reason=str(exc))
    except VrpError as exc:  # the database refused the write (read-only, full disk): rolled back
        return _about(bundle, name, REJECTED, reason=exc.message)


def _record(hub: HubStore, bundle: VerifiedBundle, data: bytes, name: str, received_at: str) -> IntakeResult:
    """Check 6 (replay, versions) and 7 (keep the bytes), inside the caller's transaction."""
    same = hub.conn.execute(
        "SELECT spoke, period, version FROM bundles WHERE bundle_id = ?", [bundle.bundle_id]
    ).fetchone()
    if same is not None:
        if tuple(same) != (bundle.spoke, bundle.period, bundle.version):
            raise _Stale(f"bundle id {bundle.bundle_id} was already imported as "
                         f"{same[0]} {same[1]} version {same[2]}")
        return _about(bundle, name, ALREADY_IMPORTED)
    held = hub.conn.execute(
        "SELECT max(version) FROM bundles WHERE spoke = ? AND period = ?", [bundle.spoke, bundle.period]
    ).fetchone()[0]
    if held is not None and bundle.version <= held:
        raise _Stale(f"stale: version {bundle.version} is not newer than version {held} "
                     f"held for {bundle.spoke} {bundle.period}")
    hub.conn.execute(
        "INSERT INTO bundles (bundle_id, spoke, period, version, supersedes, bagging_date, key_id, "
        "source_name, file_name, received_at, size, sha256, raw, document) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [bundle.bundle_id, bundle.spoke, bundle.period, bundle.version, bundle.supersedes,
         bundle.bagging_date, bundle.key_id, bundle.name, name, received_at, len(data),
         hashlib.sha256(data).hexdigest(), data, json.dumps(bundle.document, sort_keys=True)],
    )
    if held is None:
        return _about(bundle, name, IMPORTED)
    return _about(bundle, name, SUPERSEDES, superseded_version=held)


def _about(bundle: VerifiedBundle, name: str, outcome: str, *, reason: str = "",
           superseded_version: int = 0) -> IntakeResult:
    return IntakeResult(name, outcome, reason=reason, spoke=bundle.spoke, period=bundle.period,
                        version=bundle.version, superseded_version=superseded_version)


def read_file(path: Path) -> bytes:
    """The file's bytes, at most one more than a bundle may hold (the reader then rejects it)."""
    with path.open("rb") as f:
        return f.read(MAX_BUNDLE_BYTES + 1)


def import_files(hub: HubStore, paths: Iterable[Path], identity: pyrage.x25519.Identity, *,
                 today: date | None = None) -> Iterator[IntakeResult]:
    """Import each file in turn, one result per file; a file that cannot be read is rejected.

    A rejected file never stops the batch, whatever went wrong with it: even
    an unexpected failure is that file's one-line rejection, and the next
    file is imported.
    """
    for path in paths:
        yield _import_file(hub, path, identity, today)


def _import_file(hub: HubStore, path: Path, identity: pyrage.x25519.Identity, today: date | None) -> IntakeResult:
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:  # said before reading a byte of it (same words as the reader)
            return IntakeResult(name, REJECTED,
                                reason=f"the file is {size} bytes, more than the {MAX_BUNDLE_BYTES} a bundle may be")
        data = read_file(path)
    except OSError as exc:
        return IntakeResult(name, REJECTED, reason=one_line(f"cannot read the file ({exc.strerror or exc})"))
    try:
        return import_bundle(hub, data, identity, name=name, today=today)
    except Exception as exc:  # noqa: BLE001 - one file's failure is its rejection, never the batch's end
        _roll_back(hub)
        return IntakeResult(name, REJECTED,
                            reason=one_line(f"the file could not be checked ({type(exc).__name__}: {exc})"))


def _roll_back(hub: HubStore) -> None:
    """Leave no half-done transaction behind a failed file (the writes are one transaction)."""
    try:
        if hub.conn.in_transaction:
            hub.conn.rollback()
    except Exception:  # noqa: BLE001, S110 - nothing more can be done for this file
        pass


def bundles_in(folder: Path) -> list[Path]:
    """Every ``.vrpb`` file directly in ``folder``, by name."""
    return sorted(p for p in folder.iterdir() if p.suffix == SUFFIX and p.is_file())
