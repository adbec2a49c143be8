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


# Ed25519 points of small order (SPEC section 5 "Keys"): a public key or a
# signature's R among them lets a signature be forged without any secret. The
# eight such points have y in {1, p-1, 0, Y8, p-Y8} (order 1, 2, 4, 8, 8), each
# with either sign of x; an encoding is refused when its y (sign bit cleared)
# is one of these modulo p, so the non-canonical encodings y = p and y = p+1
# are refused too: libsodium's has_small_order blocklist, which stock minisign
# applies. Like libsodium, a public key whose y is not below p (any other
# non-canonical encoding) is refused as well.
_P = 2**255 - 19
_Y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022
SMALL_ORDER_Y = frozenset({0, 1, _P - 1, _Y8, _P - _Y8})


def has_small_order(point: bytes) -> bool:
    """True for a 32-byte Ed25519 point encoding of small order (in any of its encodings)."""
    y = int.from_bytes(point, "little") & ((1 << 255) - 1)
    return len(point) == 32 and y % _P in SMALL_ORDER_Y


def _key_bytes(key: minisign.PublicKey) -> bytes:
    return base64.b64decode(key.to_base64())[10:]  # after the algorithm (2 bytes) and key id (8)


def read_public_key(text: str) -> minisign.PublicKey:
    """A public key from its ``RW...`` line or a whole ``.pub`` file; a degenerate key is refused."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    try:
        key = minisign.PublicKey.from_base64(lines[-1])
    except (IndexError, minisign.Error, ValueError) as exc:
        raise KeyProblem(f"not a minisign public key: {exc}") from None
    point = _key_bytes(key)
    if has_small_order(point):
        raise KeyProblem("not a usable minisign public key: it is a degenerate (small-order) Ed25519 point")
    if int.from_bytes(point, "little") & ((1 << 255) - 1) >= _P:
        raise KeyProblem("not a usable minisign public key: its Ed25519 point is not canonically encoded")
    return key


def verify(public_key: str, data: bytes, signature: minisign.Signature) -> None:
    """Check ``signature`` over ``data`` by ``public_key`` as stock minisign does; KeyProblem if it fails.

    A degenerate key (refused by :func:`read_public_key`) or a signature whose
    R is of small order never verifies.
    """
    key = read_public_key(public_key)
    raw = bytes(signature).splitlines()
    try:
        r_points = (base64.b64decode(raw[1])[10:42], base64.b64decode(raw[3])[:32])
    except (IndexError, ValueError):
        raise KeyProblem("not a minisign signature") from None
    if any(has_small_order(r) for r in r_points):
        raise KeyProblem("the signature is degenerate (a small-order R)")
    try:
        key.verify(data, signature)
    except minisign.Error:
        raise KeyProblem("the signature does not verify") from None


def key_id(public_key: str) -> str:
    """The key's fingerprint: its key id as the stock minisign tool prints it (16 hex digits)."""
    raw = base64.b64decode(read_public_key(public_key).to_base64())
    return raw[2:10][::-1].hex().upper()


def unlock(secret_key: str, passphrase: str | None) -> minisign.SecretKey:
    """Decrypt the stored secret key; KeyProblem on a wrong or missing passphrase."""
    if not passphrase:
        raise KeyProblem("a passphrase is required (or set VRP_PASSPHRASE)", field="passphrase")
    key = minisign.SecretKey.from_bytes(secret_key.encode())
    try:
        key.decrypt(passphrase)
    except minisign.Error:
        raise KeyProblem("wrong passphrase for the spoke's secret key", field="passphrase") from None
    return key


def change_passphrase(secret_key: str, old: str | None, new: str) -> str:
    """The secret key re-encrypted under ``new``; KeyProblem if ``old`` does not unlock it."""
    if not new:
        raise KeyProblem("a passphrase is required to protect the secret key", field="new")
    try:
        key = unlock(secret_key, old)
    except KeyProblem as exc:
        raise KeyProblem(exc.message, field="current") from None
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
