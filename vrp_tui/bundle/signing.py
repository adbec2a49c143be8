"""Spoke signing keys: minisign key pairs, the secret key scrypt-encrypted by a passphrase.

Only py-minisign does cryptography here; this module names and stores things.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

import minisign

from vrp_tui.errors import VrpError


class KeyProblem(VrpError):
    """A missing key, a wrong passphrase or a public key we cannot read."""


@dataclass(frozen=True)
class KeyPairText:
    public_key: str  # the two-line minisign .pub file
    secret_key: str  # the two-line minisign .key file, encrypted


def generate(passphrase: str) -> KeyPairText:
    if not passphrase:
        raise KeyProblem("a passphrase is required to protect the secret key")
    pair = minisign.KeyPair.generate()
    pair.secret_key.encrypt(passphrase)
    return KeyPairText(bytes(pair.public_key).decode(), bytes(pair.secret_key).decode())


def public_key_line(public_key: str) -> str:
    """The ``RW...`` line of a minisign public key (what ``vrp keys show`` prints)."""
    return read_public_key(public_key).to_base64().decode()


def public_key_file(public_key: str, note: str = "") -> str:
    """A minisign ``.pub`` file for the key, its comment naming the key id as stock minisign does.

    Saved as a file it works with ``minisign -V -p``; its last line is the ``RW...`` line.
    """
    return f"untrusted comment: minisign public key {key_id(public_key)}{note}\n{public_key_line(public_key)}\n"


def read_public_key(text: str) -> minisign.PublicKey:
    """A public key from its ``RW...`` line or a whole ``.pub`` file."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    try:
        return minisign.PublicKey.from_base64(lines[-1])
    except (IndexError, minisign.Error, ValueError) as exc:
        raise KeyProblem(f"not a minisign public key: {exc}") from None


def key_id(public_key: str) -> str:
    """The key's fingerprint: its key id as the stock minisign tool prints it (16 hex digits)."""
    raw = base64.b64decode(read_public_key(public_key).to_base64())
    return raw[2:10][::-1].hex().upper()


def unlock(secret_key: str, passphrase: str | None) -> minisign.SecretKey:
    """Decrypt the stored secret key; KeyProblem on a wrong or missing passphrase."""
    if not passphrase:
        raise KeyProblem("a passphrase is required (or set VRP_PASSPHRASE)")
    key = minisign.SecretKey.from_bytes(secret_key.encode())
    try:
        key.decrypt(passphrase)
    except minisign.Error:
        raise KeyProblem("wrong passphrase for the spoke's secret key") from None
    return key


def change_passphrase(secret_key: str, old: str | None, new: str) -> str:
    """The secret key re-encrypted under ``new``; KeyProblem if ``old`` does not unlock it."""
    if not new:
        raise KeyProblem("a passphrase is required to protect the secret key")
    key = unlock(secret_key, old)
    key.encrypt(new)
    return bytes(key).decode()


def passphrase_from_env() -> str | None:
    return os.environ.get("VRP_PASSPHRASE")


def signature_key_id(signature: bytes) -> str:
    """The key id a minisign signature names, in the form :func:`key_id` gives (16 hex digits).

    Raises KeyProblem when ``signature`` is not a minisign signature.
    """
    try:
        minisign.Signature.from_bytes(signature)
        raw = base64.b64decode(signature.splitlines()[1], validate=True)
    except (minisign.Error, ValueError, IndexError) as exc:
        raise KeyProblem(f"not a minisign signature: {exc}") from None
    return raw[2:10][::-1].hex().upper()
