"""Setting up a spoke and looking after its keys: who it is, where its bundles go, its key pairs.

A rotated key is retired, not deleted, so the spoke can still show the hub
every public key it has signed with.
"""

from __future__ import annotations

from dataclasses import dataclass

import minisign
import pyrage

from vrp_tui.bundle import signing
from vrp_tui.config import check_passphrase
from vrp_tui.errors import RecordError
from vrp_tui.reference import SPOKES
from vrp_tui.spoke.receipts import HUB_KEY_SETTING, check_hub_key
from vrp_tui.store import Store
from vrp_tui.store.database import now_utc


class SetupError(RecordError):
    """Set-up input that cannot be used, with a reason per field."""


def check_recipient(recipient: str) -> str | None:
    """None if ``recipient`` is an age X25519 recipient, else why not."""
    try:
        pyrage.x25519.Recipient.from_str(recipient.strip())
    except Exception:
        return "not an age recipient (age1...)"
    return None


def set_up_spoke(store: Store, *, spoke: str, worker: str, hub_recipient: str, passphrase: str,
                 hub_key: str = "") -> str:
    """Record the spoke's identity and create its key pair; returns the public key line.

    ``hub_key`` (optional) is the hub's public signing key, for its receipts.
    """
    errors: dict[str, str] = {}
    if store.spoke:
        errors["spoke"] = f"this database is already set up for {store.spoke}"
    if spoke not in SPOKES:
        errors["spoke"] = f"unknown spoke {spoke!r} (one of {', '.join(SPOKES)})"
    if not worker.strip():
        errors["worker"] = "required"
    if problem := check_recipient(hub_recipient):
        errors["hub_recipient"] = problem
    if problem := check_passphrase(passphrase):
        errors["passphrase"] = problem
    if hub_key.strip() and (problem := check_hub_key(hub_key)):
        errors["hub_key"] = problem
    if errors:
        raise SetupError(errors)
    pair = signing.generate(passphrase)
    settings = {"spoke": spoke, "worker": worker.strip(), "hub_recipient": hub_recipient.strip()}
    if hub_key.strip():
        settings[HUB_KEY_SETTING] = signing.public_key_line(hub_key)
    with store.transaction():
        store.set_settings(settings)
        store.conn.execute(
            "INSERT INTO spoke_keys (key_id, public_key, secret_key, created_at) VALUES (?, ?, ?, ?)",
            [signing.key_id(pair.public_key), pair.public_key, pair.secret_key, now_utc()],
        )
    return signing.public_key_line(pair.public_key)


def current_key(store: Store) -> dict[str, str] | None:
    """The spoke's signing key in use (not retired), or None before set-up."""
    rows = store.query("SELECT * FROM spoke_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1")
    return rows[0] if rows else None


@dataclass(frozen=True)
class SpokeKey:
    """One of the spoke's signing keys as the worker sees it."""

    key_id: str
    public_key: str  # the stored minisign .pub text
    created_at: str
    retired_at: str | None

    @property
    def line(self) -> str:
        """The ``RW...`` line to give the hub."""
        return signing.public_key_line(self.public_key)

    @property
    def in_use(self) -> bool:
        return self.retired_at is None


def list_keys(store: Store, *, retired: bool = False) -> list[SpokeKey]:
    """The key in use, then (with ``retired``) the retired ones, newest first."""
    where = "" if retired else " WHERE retired_at IS NULL"
    rows = store.query(
        f"SELECT key_id, public_key, created_at, retired_at FROM spoke_keys{where} "
        "ORDER BY retired_at IS NOT NULL, id DESC"
    )
    return [SpokeKey(**row) for row in rows]


def _key_in_use(store: Store) -> dict[str, str]:
    key = current_key(store)
    if key is None:
        raise signing.KeyProblem("this spoke has no signing key: set it up first (vrp init)")
    return key


def unlock_signing_key(store: Store, passphrase: str | None) -> tuple[str, minisign.SecretKey]:
    """The key id and unlocked secret key in use; KeyProblem if missing or the passphrase is wrong."""
    key = _key_in_use(store)
    return key["key_id"], signing.unlock(key["secret_key"], passphrase)


def change_passphrase(store: Store, old: str, new: str) -> None:
    """Re-encrypt the signing key in use under a new passphrase (retired keys sign nothing more)."""
    if problem := check_passphrase(new):
        raise signing.KeyProblem(f"new passphrase: {problem}", field="new")
    key = _key_in_use(store)
    secret = signing.change_passphrase(key["secret_key"], old, new)
    with store.transaction():
        store.conn.execute("UPDATE spoke_keys SET secret_key = ? WHERE key_id = ?", [secret, key["key_id"]])


def rotate_key(store: Store, passphrase: str) -> SpokeKey:
    """Retire the key in use and make a new pair under the same passphrase; returns the new key."""
    old = _key_in_use(store)
    signing.unlock(old["secret_key"], passphrase)  # only the worker who knows the passphrase may rotate
    pair = signing.generate(passphrase)
    now = now_utc()
    with store.transaction():
        store.conn.execute("UPDATE spoke_keys SET retired_at = ? WHERE key_id = ?", [now, old["key_id"]])
        store.conn.execute(
            "INSERT INTO spoke_keys (key_id, public_key, secret_key, created_at) VALUES (?, ?, ?, ?)",
            [signing.key_id(pair.public_key), pair.public_key, pair.secret_key, now],
        )
    return SpokeKey(signing.key_id(pair.public_key), pair.public_key, now, None)


def hub_recipient(store: Store) -> str | None:
    """The hub's age recipient bundles are encrypted to, or None if not set."""
    return store.setting("hub_recipient") or None


def set_hub_recipient(store: Store, recipient: str) -> str:
    """Set or change the hub's age recipient; SetupError if it is not one."""
    if problem := check_recipient(recipient):
        raise SetupError({"hub_recipient": problem})
    store.set_settings({"hub_recipient": recipient.strip()})
    return recipient.strip()
