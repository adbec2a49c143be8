"""Writing a bundle: return.json in a BagIt bag, signed with minisign, zipped, age-encrypted.

SPEC section 5 is the contract. py-minisign signs and pyrage encrypts; this
module only lays the bytes out, deterministically (same inputs, same ZIP).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

import minisign
import pyrage

from vrp_tui.bundle import bag, names

_REGULAR_FILE = 0o100644 << 16  # ZIP external attributes of a plain, readable file


def return_json(document: dict[str, Any]) -> bytes:
    """The payload: the frozen return exactly as signed off, as UTF-8 JSON."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def bag_files(
    document: dict[str, Any], *, spoke: str, spoke_name: str, period: str, version: int,
    bundle_id: str, supersedes: str | None, secret_key: minisign.SecretKey, bagging_date: date,
) -> dict[str, bytes]:
    """Every member of the bag, keyed by its path inside the bag folder."""
    for field, expected in (("spoke", spoke), ("period", period), ("version", version)):
        if document.get(field) != expected:
            raise ValueError(f"the return's {field} is {document.get(field)!r}, not {expected!r}")
    payload = {names.RETURN_JSON: return_json(document)}
    info = [
        ("Source-Organization", spoke_name),
        ("Bagging-Date", bagging_date.isoformat()),
        ("External-Identifier", bundle_id),
        ("Payload-Oxum", bag.payload_oxum(payload)),
        ("VRP-Spoke", spoke),
        ("VRP-Period", period),
        ("VRP-Return-Version", str(version)),
        ("VRP-Format", str(names.FORMAT)),
    ]
    if supersedes:
        info.append(("VRP-Supersedes", supersedes))
    files = {
        names.BAGIT_TXT: bag.BAGIT_TXT,
        names.BAG_INFO: bag.bag_info_txt(info),
        names.MANIFEST: bag.manifest_txt(payload),
    }
    tag_manifest = bag.manifest_txt({path: files[path] for path in names.TAG_FILES})
    signature = secret_key.sign(
        tag_manifest,
        prehash=True,
        untrusted_comment=f"signature from the {spoke} spoke key",
        trusted_comment=names.trusted_comment(spoke, period, version, bundle_id),
    )
    files[names.TAG_MANIFEST] = tag_manifest
    files[names.SIGNATURE] = bytes(signature) + b"\n"
    files.update(payload)
    return files


def zip_bag(folder: str, files: dict[str, bytes], bagging_date: date) -> bytes:
    """The bag in one top-level folder, members in a fixed order, DEFLATE, no extra metadata."""
    out = io.BytesIO()
    stamp = (bagging_date.year, bagging_date.month, bagging_date.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in names.MEMBERS:
            info = zipfile.ZipInfo(f"{folder}/{member}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = _REGULAR_FILE
            archive.writestr(info, files[member])
    return out.getvalue()


def encrypt(archive: bytes, hub_recipient: str) -> bytes:
    """age (X25519) to the hub's recipient: only the hub can open the bundle."""
    return pyrage.encrypt(archive, [pyrage.x25519.Recipient.from_str(hub_recipient.strip())])


def write_bundle(
    document: dict[str, Any], *, spoke: str, spoke_name: str, period: str, version: int,
    bundle_id: str, supersedes: str | None, secret_key: minisign.SecretKey, hub_recipient: str,
    bagging_date: date | None = None,
) -> bytes:
    """The bytes of a ``.vrpb`` file for one frozen version of a return."""
    when = bagging_date or date.today()
    files = bag_files(
        document, spoke=spoke, spoke_name=spoke_name, period=period, version=version,
        bundle_id=bundle_id, supersedes=supersedes, secret_key=secret_key, bagging_date=when,
    )
    return encrypt(zip_bag(names.bag_name(spoke, period, version), files, when), hub_recipient)
