"""The spoke keys the hub trusts: enrol, revoke, list, and look up by key id.

Enrolling a new key for a spoke keeps its earlier keys valid (key rotation:
bundles signed before the change and still on their way are accepted). To stop
trusting a lost or compromised key, revoke it; a revoked key is never trusted
again, for new bundles. Bundles already imported stay on record.

A degenerate (small-order) Ed25519 key is never enrolled: with one, a
signature could be forged without any secret (``vrp_tui.bundle.signing``
refuses it here and again whenever a bundle is verified).
"""

from __future__ import annotations

from dataclasses import dataclass

from vrp_tui.bundle import signing
from vrp_tui.bundle.reader import EnrolledKey, KeyLookup
from vrp_tui.errors import VrpError
from vrp_tui.hub.store import HubStore
from vrp_tui.reference import SPOKES
from vrp_tui.store.database import now_utc


class KeyRefused(VrpError):
    """A key the hub will not enrol or revoke; str() is the one-line reason."""


@dataclass(frozen=True)
class SpokeKey:
    spoke: str
    key_id: str
    public_key: str
    enrolled_at: str
    revoked_at: str | None

    @property
    def state(self) -> str:
        return "revoked" if self.revoked_at else "valid"


def _check_spoke(spoke: str) -> None:
    if spoke not in SPOKES:
        raise KeyRefused(f"unknown spoke {spoke!r} (one of {', '.join(SPOKES)})")


def enrol_key(hub: HubStore, spoke: str, public_key: str) -> tuple[SpokeKey, bool]:
    """Trust ``public_key`` (an ``RW...`` line or a ``.pub`` file's text) for ``spoke``.

    Returns the key and whether it was newly enrolled (False: it already was).
    """
    _check_spoke(spoke)
    try:
        line = signing.public_key_line(public_key)
        key_id = signing.key_id(public_key)
    except signing.KeyProblem as exc:
        raise KeyRefused(str(exc)) from None
    with hub.transaction():
        held = _rows(hub, "WHERE key_id = ?", [key_id])
        if held:
            key = held[0]
            if key.spoke != spoke:
                raise KeyRefused(f"key {key_id} is already enrolled for {key.spoke}")
            if key.revoked_at:
                raise KeyRefused(f"key {key_id} was revoked at {key.revoked_at}; it cannot be enrolled again")
            return key, False
        hub.conn.execute(
            "INSERT INTO enrolled_keys (spoke, key_id, public_key, enrolled_at) VALUES (?, ?, ?, ?)",
            [spoke, key_id, line, now_utc()],
        )
        return _rows(hub, "WHERE key_id = ?", [key_id])[0], True


def revoke_keys(hub: HubStore, spoke: str, key_id: str | None = None) -> list[SpokeKey]:
    """Stop trusting the spoke's valid keys (or just ``key_id``); returns those revoked."""
    _check_spoke(spoke)
    where = "WHERE spoke = ? AND revoked_at IS NULL"
    params = [spoke]
    if key_id:
        where += " AND key_id = ?"
        params.append(key_id.upper())
    with hub.transaction():
        valid = _rows(hub, where, params)
        if not valid:
            which = f"key {key_id.upper()}" if key_id else "keys"
            raise KeyRefused(f"{spoke} has no valid {which} enrolled")
        hub.conn.execute(f"UPDATE enrolled_keys SET revoked_at = ? {where}", [now_utc(), *params])
        marks = ",".join("?" * len(valid))
        return _rows(hub, f"WHERE key_id IN ({marks})", [k.key_id for k in valid])


def list_keys(hub: HubStore) -> list[SpokeKey]:
    """Every key ever enrolled, by spoke (partnership order) then enrolment time."""
    order = {code: n for n, code in enumerate(SPOKES)}
    return sorted(_rows(hub, "", []), key=lambda k: (order.get(k.spoke, 99), k.enrolled_at, k.key_id))


def key_lookup(hub: HubStore) -> KeyLookup:
    """The bundle reader's view of the enrolled keys."""

    def lookup(key_id: str) -> EnrolledKey | None:
        row = hub.conn.execute(
            "SELECT spoke, public_key, revoked_at FROM enrolled_keys WHERE key_id = ?", [key_id]
        ).fetchone()
        return EnrolledKey(spoke=row[0], public_key=row[1], revoked=row[2] is not None) if row else None

    return lookup


def _rows(hub: HubStore, where: str, params: list[str]) -> list[SpokeKey]:
    return [
        SpokeKey(**row)
        for row in hub.query(
            f"SELECT spoke, key_id, public_key, enrolled_at, revoked_at FROM enrolled_keys {where} ORDER BY id",
            params,
        )
    ]
