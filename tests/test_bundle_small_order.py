"""Degenerate (small-order) Ed25519 keys and signatures are refused, at enrolment and at verification.

A public key of small order lets anyone forge a signature without a secret:
with A the identity point, R = identity and S = 0 satisfy [S]B = R + [k]A for
every message. Stock minisign (libsodium) refuses such keys; so does the hub,
for the eight small-order points in every encoding libsodium blocks: the
canonical ones, the non-canonical y = p and y = p + 1, each with the sign bit
clear or set.
"""

from __future__ import annotations

import base64
import itertools

import minisign
import pytest
from hub_bags import HubWorld, bundle, document

from vrp_tui.bundle import signing
from vrp_tui.hub.intake import IMPORTED, REJECTED
from vrp_tui.hub.spoke_keys import KeyRefused, enrol_key

P = 2**255 - 19
D = -121665 * pow(121666, -1, P) % P

# libsodium's has_small_order blocklist (crypto_core/ed25519/ref10), as hex of the 32 little-endian bytes;
# the last byte is compared with its top (sign) bit cleared.
LIBSODIUM_BLOCKLIST = [
    "00" * 32,                                                                  # 0 (order 4)
    "01" + "00" * 31,                                                           # 1 (order 1)
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",         # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",         # order 8
    "ec" + "ff" * 30 + "7f",                                                    # p - 1 (order 2)
    "ed" + "ff" * 30 + "7f",                                                    # p (non-canonical 0)
    "ee" + "ff" * 30 + "7f",                                                    # p + 1 (non-canonical 1)
]


def _x_of(y: int) -> list[int]:
    """The x coordinates of the curve's points with this y (-x^2 + y^2 = 1 + d x^2 y^2)."""
    xx = (y * y - 1) * pow(D * y * y + 1, -1, P) % P
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    return sorted({x % P, -x % P}) if (x * x - xx) % P == 0 else []


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P, (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P)


def _order_divides_8(point: tuple[int, int]) -> bool:
    q = point
    for _ in range(3):
        q = _add(q, q)
    return q == (0, 1)


def encodings() -> list[bytes]:
    """Every 32-byte encoding that decodes to a small-order point: y and y + p below 2^255, either sign."""
    out = []
    for y, sign in itertools.product(sorted(signing.SMALL_ORDER_Y), (0, 1)):
        for value in (y, y + P):
            if value < 2**255:
                out.append((value | sign << 255).to_bytes(32, "little"))
    return out


def test_the_blocked_ys_are_exactly_the_eight_small_order_points() -> None:
    points = [(x, y) for y in signing.SMALL_ORDER_Y for x in _x_of(y)]
    assert len(points) == 8 and all(_order_divides_8(p) for p in points)
    assert {_add(p, p) for p in points} <= set(points)  # a subgroup: doubling stays inside
    base_y = 4 * pow(5, -1, P) % P  # the base point is of prime order: not blocked
    assert base_y not in signing.SMALL_ORDER_Y and not _order_divides_8((_x_of(base_y)[0], base_y))


def test_the_encodings_refused_are_libsodiums_blocklist_with_either_sign_bit() -> None:
    listed = {bytes.fromhex(h) for h in LIBSODIUM_BLOCKLIST}
    with_sign = listed | {e[:31] + bytes([e[31] | 0x80]) for e in listed}
    assert set(encodings()) == with_sign and len(with_sign) == 14
    assert all(signing.has_small_order(e) for e in with_sign)
    genuine = minisign.KeyPair.generate().public_key
    assert not signing.has_small_order(base64.b64decode(genuine.to_base64())[10:])
    near = [(2).to_bytes(32, "little"), (P - 2).to_bytes(32, "little"), (P + 2).to_bytes(32, "little")]
    assert not any(signing.has_small_order(e) for e in near)


def key_line(point: bytes, key_id: bytes = b"\x01\x02\x03\x04\x05\x06\x07\x08") -> str:
    return base64.b64encode(b"Ed" + key_id + point).decode()


@pytest.mark.parametrize("point", encodings(), ids=lambda e: e.hex()[:8] + ".." + e.hex()[-4:])
def test_a_degenerate_key_is_not_enrolled(world: HubWorld, point: bytes) -> None:
    before = world.dump()
    with pytest.raises(KeyRefused, match="degenerate \\(small-order\\)") as refused:
        enrol_key(world.store, "bristol", key_line(point))
    assert "\n" not in str(refused.value)
    pub_file = f"untrusted comment: minisign public key 0807060504030201\n{key_line(point)}\n"
    with pytest.raises(KeyRefused, match="degenerate"):
        enrol_key(world.store, "bristol", pub_file)
    assert world.dump() == before


@pytest.mark.parametrize("y", [P + 2, P + 10, P + 18])
def test_a_key_of_any_other_non_canonical_encoding_is_not_enrolled(world: HubWorld, y: int) -> None:
    """libsodium also refuses a public key whose y is not below p (these are not of small order)."""
    point = y.to_bytes(32, "little")
    assert not signing.has_small_order(point)
    with pytest.raises(KeyRefused, match="^not a usable minisign public key: its Ed25519 point is not canonically"):
        enrol_key(world.store, "bristol", key_line(point))


@pytest.fixture
def world(tmp_path) -> HubWorld:  # type: ignore[no-untyped-def]
    return HubWorld(tmp_path / "hub.db", spokes=("bristol", "banes"))


def _forged_signature(key_id: bytes, comment: str) -> bytes:
    """R = the identity, S = 0: verifies for any message under the identity public key (cofactorless)."""
    identity_then_zero = (1).to_bytes(32, "little") + bytes(32)
    line = base64.b64encode(b"ED" + key_id + identity_then_zero).decode()
    glob = base64.b64encode(identity_then_zero).decode()
    return (f"untrusted comment: forged\n{line}\ntrusted comment: {comment}\n{glob}\n").encode()


def test_a_signature_forged_for_a_degenerate_key_enrolled_earlier_is_rejected(world: HubWorld) -> None:
    """A key that got into the database before this check (by hand, or an older version) never verifies."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    identity_key = ed25519.Ed25519PublicKey.from_public_bytes((1).to_bytes(32, "little"))
    identity_key.verify((1).to_bytes(32, "little") + bytes(32), b"any message")  # the library alone accepts it
    key_id = bytes.fromhex("1122334455667788")
    line = key_line((1).to_bytes(32, "little"), key_id)
    shown_id = key_id[::-1].hex().upper()
    world.store.conn.execute(
        "INSERT INTO enrolled_keys (spoke, key_id, public_key, enrolled_at) VALUES (?, ?, ?, ?)",
        ["bristol", shown_id, line, "2025-01-01T00:00:00+00:00"])
    world.store.conn.commit()
    bag = world.bag(document())
    info = bag.info()
    comment = (f"vrp-bundle spoke=bristol period={info['VRP-Period']} version={info['VRP-Return-Version']} "
               f"id={info['External-Identifier']}")
    bag.files["tagmanifest-sha256.txt.minisig"] = _forged_signature(key_id, comment)
    before = world.dump()
    result = world.receive(bundle(bag, world.recipient))
    assert result.outcome == REJECTED
    assert result.reason == (f"the signature does not verify with bristol's key {shown_id}: not a usable "
                             "minisign public key: it is a degenerate (small-order) Ed25519 point")
    assert world.dump() == before


def test_a_signature_with_a_small_order_r_is_rejected_for_a_genuine_key(world: HubWorld) -> None:
    bag = world.bag(document())
    lines = bag.files["tagmanifest-sha256.txt.minisig"].split(b"\n")
    raw = base64.b64decode(lines[1])
    for point in ((1).to_bytes(32, "little"), bytes.fromhex(LIBSODIUM_BLOCKLIST[2])):
        lines[1] = base64.b64encode(raw[:10] + point + raw[42:])
        bag.files["tagmanifest-sha256.txt.minisig"] = b"\n".join(lines)
        result = world.receive(bundle(bag, world.recipient))
        assert result.outcome == REJECTED
        assert result.reason.endswith("the signature is degenerate (a small-order R)")
    assert world.receive(world.send(document())).outcome == IMPORTED
