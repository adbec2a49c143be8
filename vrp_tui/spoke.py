"""Setting up a spoke: who it is, who works it, where its bundles go, its key pair."""

from __future__ import annotations

import pyrage

from . import keys
from .reference import SPOKES
from .store import Store
from .store.database import now_utc


class SetupError(ValueError):
    """Set-up input that cannot be used, with a reason per field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def check_recipient(recipient: str) -> str | None:
    """None if ``recipient`` is an age X25519 recipient, else why not."""
    try:
        pyrage.x25519.Recipient.from_str(recipient.strip())
    except Exception:
        return "not an age recipient (age1...)"
    return None


def set_up_spoke(store: Store, *, spoke: str, worker: str, hub_recipient: str, passphrase: str) -> str:
    """Record the spoke's identity and create its key pair; returns the public key line."""
    errors: dict[str, str] = {}
    if store.spoke:
        errors["spoke"] = f"this database is already set up for {store.spoke}"
    if spoke not in SPOKES:
        errors["spoke"] = f"unknown spoke {spoke!r} (one of {', '.join(SPOKES)})"
    if not worker.strip():
        errors["worker"] = "required"
    if problem := check_recipient(hub_recipient):
        errors["hub_recipient"] = problem
    if len(passphrase) < 8:
        errors["passphrase"] = "use at least 8 characters"
    if errors:
        raise SetupError(errors)
    pair = keys.generate(passphrase)
    with store.transaction():
        store.set_settings({"spoke": spoke, "worker": worker.strip(), "hub_recipient": hub_recipient.strip()})
        store.conn.execute(
            "INSERT INTO spoke_keys (key_id, public_key, secret_key, created_at) VALUES (?, ?, ?, ?)",
            [keys.key_id(pair.public_key), pair.public_key, pair.secret_key, now_utc()],
        )
    return keys.public_key_line(pair.public_key)


def current_key(store: Store) -> dict[str, str] | None:
    """The spoke's signing key in use (not retired), or None before set-up."""
    rows = store.query("SELECT * FROM spoke_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1")
    return rows[0] if rows else None
