"""The hub's identity: its age identity and its minisign signing key, kept passphrase-encrypted.

Both are made at ``vrp hub init``. pyrage does the age part: the identity string
is encrypted with age's scrypt passphrase mode, so the database alone never
opens a bundle. The signing key (for receipts, SPEC section 5) is a minisign key
pair whose secret is encrypted with the same passphrase in minisign's scrypt
format; a hub set up before receipts gains one the first time it needs it.
"""

from __future__ import annotations

import minisign
import pyrage

from vrp_tui.bundle import signing
from vrp_tui.config import MIN_PASSPHRASE
from vrp_tui.errors import VrpError
from vrp_tui.hub.store import HubStore
from vrp_tui.store.database import now_utc


class IdentityProblem(VrpError):
    """No identity yet, one already made, or a wrong passphrase."""


def create_identity(hub: HubStore, passphrase: str) -> str:
    """Make and store the hub's identity; returns its recipient (``age1...``) for the spokes."""
    if hub.recipient:
        raise IdentityProblem(f"this hub is already set up; its recipient is {hub.recipient}")
    if len(passphrase) < MIN_PASSPHRASE:
        raise IdentityProblem(f"use a passphrase of at least {MIN_PASSPHRASE} characters")
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    sealed = pyrage.passphrase.encrypt(str(identity).encode(), passphrase)
    pair = signing.generate(passphrase)
    with hub.transaction():
        hub.conn.execute(
            "INSERT INTO hub_identity (id, recipient, encrypted_identity, created_at) VALUES (1, ?, ?, ?)",
            [recipient, sealed, now_utc()],
        )
        _store_signing_key(hub, pair)
    return recipient


def unlock_identity(hub: HubStore, passphrase: str | None) -> pyrage.x25519.Identity:
    """The hub's identity, decrypted; IdentityProblem if not set up or the passphrase is wrong."""
    row = hub.conn.execute("SELECT encrypted_identity FROM hub_identity WHERE id = 1").fetchone()
    if row is None:
        raise IdentityProblem(f"{hub.path} is not set up as a hub: run `vrp hub init` first")
    if not passphrase:
        raise IdentityProblem("the hub passphrase is required (or set VRP_PASSPHRASE)")
    try:
        secret = pyrage.passphrase.decrypt(bytes(row[0]), passphrase)
    except pyrage.DecryptError:
        raise IdentityProblem("wrong passphrase for the hub identity") from None
    return pyrage.x25519.Identity.from_str(secret.decode())


def _store_signing_key(hub: HubStore, pair: signing.KeyPairText) -> None:
    hub.conn.execute(
        "INSERT INTO hub_signing_key (id, key_id, public_key, secret_key, created_at) VALUES (1, ?, ?, ?, ?)",
        [signing.key_id(pair.public_key), pair.public_key, pair.secret_key, now_utc()],
    )


def signing_key_line(hub: HubStore) -> str | None:
    """The hub's public signing key as its ``RW...`` line (what a spoke records), or None if not made yet."""
    public = hub.signing_public_key
    return signing.public_key_line(public) if public else None


def ensure_signing_key(hub: HubStore, passphrase: str | None) -> str:
    """The hub's signing key line, made now (under the hub's passphrase) if this hub has none yet.

    The passphrase must unlock the hub's identity, so only the analyst can add the key.
    """
    line = signing_key_line(hub)
    if line:
        return line
    unlock_identity(hub, passphrase)
    assert passphrase is not None
    pair = signing.generate(passphrase)
    with hub.transaction():
        if hub.signing_public_key is None:  # another process may have made it meanwhile
            _store_signing_key(hub, pair)
    line = signing_key_line(hub)
    assert line is not None
    return line


def unlock_signing_key(hub: HubStore, passphrase: str | None) -> minisign.SecretKey:
    """The hub's secret signing key, decrypted (made first if the hub has none);
    IdentityProblem on a wrong or missing passphrase."""
    ensure_signing_key(hub, passphrase)
    row = hub.conn.execute("SELECT secret_key FROM hub_signing_key WHERE id = 1").fetchone()
    try:
        return signing.unlock(row[0], passphrase)
    except signing.KeyProblem:
        raise IdentityProblem("wrong passphrase for the hub's signing key") from None
