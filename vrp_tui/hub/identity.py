"""The hub's age identity: made once at ``vrp hub init``, kept passphrase-encrypted.

pyrage does the cryptography: the identity string is encrypted with age's
scrypt passphrase mode, so the database alone never opens a bundle.
"""

from __future__ import annotations

import pyrage

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
    with hub.transaction():
        hub.conn.execute(
            "INSERT INTO hub_identity (id, recipient, encrypted_identity, created_at) VALUES (1, ?, ?, ?)",
            [recipient, sealed, now_utc()],
        )
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
