"""Hostile bundles at the hub: every one is refused within 2 s (SPEC section 5, the bounded-time paragraph).

Each file is at most the size limit a bundle may have (8 MB) and is refused
whatever it holds, without any key: the hub reads the age header up to its
``---`` line before any decryption work and refuses more than a few
recipient stanzas. Timed: the whole import of one file (the checks of SPEC 5
and, for a refusal, nothing written) into a hub whose identity is in hand.

    python -m bench.bench_hostile

Exits 1 when a file takes longer than the budget (or is not refused).
"""

from __future__ import annotations

import base64
import io
import os
import resource
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import minisign
import pyrage

from bench.common import Figure, verdict
from vrp_tui.bundle import signing
from vrp_tui.bundle.envelope import MAX_BUNDLE_BYTES
from vrp_tui.bundle.writer import bag_files, encrypt, return_json, zip_bag
from vrp_tui.hub.intake import REJECTED, import_bundle
from vrp_tui.hub.spoke_keys import enrol_key
from vrp_tui.hub.store import HubStore

BUDGET_SECONDS = 2.0
FOLDER = "bristol_2025-26-Q1_v1"


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def stanza_header(count: int, *, pad_to: int = 0) -> bytes:
    """An age header of ``count`` X25519 stanzas written by hand (random shares and bodies), then junk."""
    lines = [b"age-encryption.org/v1\n"]
    for _ in range(count):
        lines.append(b"-> X25519 " + _b64(os.urandom(32)) + b"\n" + _b64(os.urandom(32)) + b"\n")
    lines.append(b"--- " + _b64(os.urandom(32)) + b"\n")
    data = b"".join(lines) + os.urandom(64)
    return data + os.urandom(max(0, pad_to - len(data)))


def _long_body(size: int) -> bytes:
    """One X25519 stanza whose body is ``size`` bytes of 64-column lines (the parser's slowest input)."""
    lines = (b"A" * 64 + b"\n") * (size // 65)
    return (b"age-encryption.org/v1\n-> X25519 " + _b64(os.urandom(32)) + b"\n" + lines + b"A\n--- "
            + _b64(os.urandom(32)) + b"\n")


def real_many_recipients(count: int) -> bytes:
    """A real age file (pyrage) to ``count`` recipients, none of them the hub."""
    recipients = [pyrage.x25519.Identity.generate().to_public() for _ in range(count)]
    return pyrage.encrypt(b"PK\x05\x06" + bytes(18), recipients)


def _document() -> dict[str, object]:
    figures = {
        "referrals": 1, "starts": 1, "active": 0, "high_risk_active": 0, "completions": 0, "other_exits": 0,
        "contacts": 0, "contact_hours": 0.0,
        "active_by_age_band": {"0-9": 0, "10-14": 0, "15-17": 0, "18-24": 0, "25+": 0, "unknown": 0},
        "active_by_sex": {"female": 0, "male": 0, "other": 0, "not-known": 0},
        "active_by_ethnicity": {"asian": 0, "black": 0, "mixed": 0, "white": 0, "other": 0, "not-stated": 0},
        "spend_gbp": {"grant": "0.00", "match": "0.00"}, "spend_ytd_gbp": {"grant": "0.00", "match": "0.00"},
        "budget_gbp": {"grant": "0.00", "match": "0.00"},
    }
    return {
        "format": 1, "spoke": "bristol", "spoke_name": "Bristol", "period": "2025-26-Q1",
        "period_label": "2025/26 Q1 (Apr\u2013Jun 2025)", "first_day": "2025-04-01", "last_day": "2025-06-30",
        "version": 1, "status": "signed-off", "generated_at": "2025-07-03T09:00:00Z",
        "signed_off_by": "Bench", "signed_off_at": "2025-07-03T09:05:00Z", "approach_toolkit": "YEF Toolkit 2024",
        "interventions": [], "totals": figures,
        "narrative": {"highlights": "", "challenges": "", "case_study": "", "next_quarter": ""},
        "validation": {"errors": [], "warnings": []},
    }


def signed_with_payload(secret: minisign.SecretKey, recipient: str, payload: bytes) -> bytes:
    """A correctly signed bundle whose return.json is ``payload`` (manifests and signature over it)."""
    files = bag_files(_document(), spoke="bristol", spoke_name="Bristol", period="2025-26-Q1", version=1,
                      bundle_id=str(uuid.uuid4()), supersedes=None, secret_key=secret,
                      bagging_date=date(2025, 7, 3))
    assert files["data/return.json"] == return_json(_document())
    from vrp_tui.bundle import bag, names

    files[names.RETURN_JSON] = payload
    files[names.MANIFEST] = bag.manifest_txt({names.RETURN_JSON: payload})
    info = files[names.BAG_INFO].decode().splitlines()
    info = [f"Payload-Oxum: {len(payload)}.1" if line.startswith("Payload-Oxum:") else line for line in info]
    files[names.BAG_INFO] = ("\n".join(info) + "\n").encode()
    files[names.TAG_MANIFEST] = bag.manifest_txt({p: files[p] for p in names.TAG_FILES})
    comment = bytes(files[names.SIGNATURE]).decode().splitlines()[2].removeprefix("trusted comment: ")
    files[names.SIGNATURE] = bytes(secret.sign(files[names.TAG_MANIFEST], prehash=True,
                                               trusted_comment=comment)) + b"\n"
    archive = zip_bag(FOLDER, files, date(2025, 7, 3))
    return encrypt(archive, recipient)


JSON = 4 * 1024 * 1024 - 64  # just under return.json's own limit


def _document_with(member: bytes) -> bytes:
    """The valid document's JSON with one member replaced by (or added as) ``member``."""
    import json

    doc = _document()
    key = member.split(b'"')[1].decode()
    doc.pop(key, None)
    return json.dumps(doc).encode()[:-1] + b", " + member + b"}"


def _keys(count: int) -> bytes:
    return _document_with(b'"totals": {' + b",".join(b'"k%d": 0' % n for n in range(count)) + b"}")


def _many_members(count: int, say: int | None = None) -> bytes:
    """A ZIP of ``count`` empty members; ``say``: the member count its end record states instead."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(count):
            archive.writestr(f"b/{n}", b"")
    data = bytearray(out.getvalue())
    if say is not None:
        end = data.rfind(b"PK\x05\x06")
        data[end + 8:end + 12] = say.to_bytes(2, "little") * 2
    return bytes(data)


def zip_bomb(recipient: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{FOLDER}/data/return.json", b"0" * 200_000_000)
    return encrypt(out.getvalue(), recipient)


def cases(secret: minisign.SecretKey, recipient: str) -> list[tuple[str, Callable[[], bytes]]]:
    limit = MAX_BUNDLE_BYTES
    return [
        ("3,000 recipient stanzas (294 KB header)", lambda: stanza_header(3000)),
        ("80,000 recipient stanzas (the whole 8 MB)", lambda: stanza_header(80_000)[:limit]),
        ("3,000 real recipients by pyrage, none the hub", lambda: real_many_recipients(3000)),
        ("3,000 minimal stanzas in a 60 KB header", lambda: b"age-encryption.org/v1\n"
         + b"-> X25519 AAAA\nAAAA\n" * 3000 + b"--- AAAA\n" + os.urandom(64)),
        ("300 minimal stanzas in a 6 KB header", lambda: b"age-encryption.org/v1\n"
         + b"-> X25519 AAAA\nAAAA\n" * 300 + b"--- AAAA\n" + os.urandom(64)),
        ("one stanza of 8 KiB of body lines", lambda: _long_body(8 * 1024 - 200)),
        ("one stanza of 60 KB of body lines", lambda: _long_body(60_000)),
        ("one stanza with an 8 KiB body line", lambda: b"age-encryption.org/v1\n-> X25519 " + _b64(os.urandom(32))
         + b"\n" + b"A" * (8 * 1024 - 200) + b"\n--- " + _b64(os.urandom(32)) + b"\n"),
        ("20 real recipients (21 stanzas with grease), none the hub", lambda: real_many_recipients(20)),
        ("19 real recipients, none the hub", lambda: real_many_recipients(19)),
        ("a header with no end, 8 MB", lambda: b"age-encryption.org/v1\n-> X25519 " + b"A" * (limit - 40)),
        ("one stanza, 8 MB of junk after it", lambda: stanza_header(1, pad_to=limit)),
        ("to the hub, 8 MB random plaintext", lambda: encrypt(os.urandom(limit - 4096), recipient)),
        ("to the hub, a ZIP bomb (200 MB of zeros)", lambda: zip_bomb(recipient)),
        ("to the hub, a ZIP of 60,000 members", lambda: encrypt(_many_members(60_000), recipient)),
        ("to the hub, a ZIP64 of 75,000 members", lambda: encrypt(_many_members(75_000), recipient)),
        ("to the hub, 60,000 members, the end record says 6", lambda: encrypt(_many_members(60_000, say=6),
                                                                             recipient)),
        ("signed, return.json 7 MB (over its 4 MiB)",
         lambda: signed_with_payload(secret, recipient, b" " * (7 * 1024 * 1024))),
        ("signed, return.json 4 MB of '[' (deep nesting)", lambda: signed_with_payload(secret, recipient, b"[" * JSON)),
        ("signed, return.json a 4 MB number", lambda: signed_with_payload(secret, recipient, b"1" * JSON)),
        ("signed, return.json 4 MB of one-letter strings",
         lambda: signed_with_payload(secret, recipient, b"[" + b'"x",' * (JSON // 4 - 1) + b'"x"]')),
        ("signed, return.json 4 MB of zeros in a list",
         lambda: signed_with_payload(secret, recipient, b"[" + b"0," * (JSON // 2 - 1) + b"0]")),
        ("signed, return.json 300,000 unknown keys", lambda: signed_with_payload(
            secret, recipient, _keys(300_000))),
        ("signed, return.json 1,300,000 empty interventions", lambda: signed_with_payload(
            secret, recipient, _document_with(b'"interventions": [' + b",".join([b"{}"] * 1_300_000) + b"]"))),
        ("signed, return.json 1,000 bad interventions", lambda: signed_with_payload(
            secret, recipient, _document_with(b'"interventions": [' + b",".join([b'{"ref": 1}'] * 1000) + b"]"))),
        ("signed, return.json 60,000 extra keys in 1,000 objects", lambda: signed_with_payload(
            secret, recipient, _document_with(b'"interventions": [' + b",".join(
                [b"{" + b",".join(b'"k%d": 0' % n for n in range(60)) + b"}"] * 1000) + b"]"))),
        ("signed, return.json a 4 MB narrative field", lambda: signed_with_payload(
            secret, recipient, _document_with(b'"spoke_name": "' + b"x" * (JSON - 2000) + b'"'))),
    ]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubStore(Path(tmp) / "hub.db")
        identity = pyrage.x25519.Identity.generate()
        pair = minisign.KeyPair.generate()
        enrol_key(hub, "bristol", signing.public_key_line(bytes(pair.public_key).decode()))
        over = 0
        slowest = 0.0
        print(f"{'hostile file':52} {'size':>9} {'refused in':>11}  reason")
        for name, build in cases(pair.secret_key, str(identity.to_public())):
            data = build()
            before = hub.conn.total_changes
            started = time.perf_counter()
            result = import_bundle(hub, data, identity, name=name, today=date(2026, 1, 1))
            seconds = time.perf_counter() - started
            ok = result.outcome == REJECTED and hub.conn.total_changes == before and seconds < BUDGET_SECONDS
            over += not ok
            slowest = max(slowest, seconds)
            print(f"{name:52} {len(data) / 1024:7.0f} K {seconds * 1000:8.0f} ms  "
                  f"{'' if ok else 'OVER: '}{result.line[:90]}", flush=True)
        hub.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB; budget {BUDGET_SECONDS:.0f} s a file")
    figures = verdict([Figure("hostile bundles, the slowest refusal", slowest, BUDGET_SECONDS)])
    return 1 if over else figures


if __name__ == "__main__":
    sys.exit(main())
