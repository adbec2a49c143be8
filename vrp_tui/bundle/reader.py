"""Reading a bundle at the hub: decrypt, unpack within bounds, verify, check, validate.

The checks run in the order of SPEC section 5 "Hub acceptance", steps 1-5, and
the first that fails rejects the bundle with a one-line reason. Nothing here
writes anything: the hub records what :func:`read_bundle` returns.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import minisign
import pyrage

from vrp_tui.bundle import bag, names, signing
from vrp_tui.bundle.archive import ArchiveError, unpack
from vrp_tui.errors import VrpError
from vrp_tui.periods import Period, PeriodError
from vrp_tui.reference import SPOKES
from vrp_tui.returns.document import DocumentError, validate_document

MAX_BUNDLE_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 8 * 1024 * 1024
MAX_MEMBERS = 24

AGE_HEADER = b"age-encryption.org/v1\n"

REQUIRED_LABELS = (
    "Source-Organization", "Bagging-Date", "External-Identifier", "Payload-Oxum",
    "VRP-Spoke", "VRP-Period", "VRP-Return-Version", "VRP-Format",
)
OPTIONAL_LABELS = ("VRP-Supersedes",)

# The validator of return.json for each VRP-Format this project reads.
DOCUMENT_FORMATS: dict[str, Callable[[dict[str, Any]], Any]] = {str(names.FORMAT): validate_document}


class BundleRejected(VrpError):
    """A bundle the hub must not accept; ``str(exc)`` is the one-line reason."""

    title = "Bundle rejected"

    @property
    def reason(self) -> str:
        return self.message


@dataclass(frozen=True)
class EnrolledKey:
    """A spoke key the hub has enrolled (and perhaps since revoked)."""

    spoke: str
    public_key: str
    revoked: bool


KeyLookup = Callable[[str], EnrolledKey | None]  # by key id, as vrp_tui.bundle.signing.key_id() gives it


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle that passed every check; ``document`` is its return.json, validated."""

    bundle_id: str
    spoke: str
    period: str
    version: int
    supersedes: str | None
    bagging_date: str
    key_id: str
    name: str
    document: dict[str, Any]


def read_bundle(
    data: bytes, identity: pyrage.x25519.Identity, lookup_key: KeyLookup, *,
    max_bundle_bytes: int = MAX_BUNDLE_BYTES, max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    max_members: int = MAX_MEMBERS,
) -> VerifiedBundle:
    """Open and verify one ``.vrpb`` file; BundleRejected says why it cannot be accepted."""
    archive = _decrypt(data, identity, max_bundle_bytes)
    try:
        folder, files = unpack(archive, names.MEMBERS, max_unpacked_bytes=max_unpacked_bytes,
                               max_members=max_members)
    except ArchiveError as exc:
        raise BundleRejected(str(exc)) from None
    info = _bag_info(files)
    key_id, signature = _check_signature(files, info["VRP-Spoke"], lookup_key)
    version = _check_bag(files, info)
    document = _parse_document(files[names.RETURN_JSON])
    _check_agreement(folder, info, version, signature.trusted_comment, document)
    _check_schema(info["VRP-Format"], document)
    return VerifiedBundle(
        bundle_id=info["External-Identifier"], spoke=info["VRP-Spoke"], period=info["VRP-Period"],
        version=version, supersedes=info.get("VRP-Supersedes"), bagging_date=info["Bagging-Date"],
        key_id=key_id, name=folder, document=document,
    )


# -- 1. size and decryption ----------------------------------------------------


def _decrypt(data: bytes, identity: pyrage.x25519.Identity, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise BundleRejected(f"the file is {len(data)} bytes, more than the {max_bytes} a bundle may be")
    if not data.startswith(AGE_HEADER):
        raise BundleRejected("not an age file: a bundle is age-encrypted (age-encryption.org/v1)")
    try:
        return pyrage.decrypt(data, [identity])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise BundleRejected("not addressed to this hub: no recipient matches the hub's identity") from None
        raise BundleRejected(f"the encrypted file is damaged or truncated ({exc})") from None


# -- 3. signature ---------------------------------------------------------------


def _bag_info(files: dict[str, bytes]) -> dict[str, str]:
    """bag-info.txt read (not yet trusted) for the labels the checks need."""
    try:
        info = bag.parse_bag_info(files[names.BAG_INFO])
    except bag.BagError as exc:
        raise BundleRejected(str(exc)) from None
    for label in info:
        if label not in REQUIRED_LABELS and label not in OPTIONAL_LABELS:
            raise BundleRejected(f"bag-info.txt has an unexpected label {label}")
    missing = [label for label in REQUIRED_LABELS if label not in info]
    if missing:
        raise BundleRejected(f"bag-info.txt has no {', '.join(missing)}")
    return info


def _check_signature(files: dict[str, bytes], spoke: str,
                     lookup_key: KeyLookup) -> tuple[str, minisign.Signature]:
    """Verify the tag manifest's signature by the key enrolled for ``spoke``."""
    raw = files[names.SIGNATURE]
    try:
        key_id = signing.signature_key_id(raw)
        signature = minisign.Signature.from_bytes(raw)
    except signing.KeyProblem:
        raise BundleRejected(f"{names.SIGNATURE} is not a minisign signature") from None
    if raw != bytes(signature) + b"\n" or signature.untrusted_comment != f"signature from the {spoke} spoke key":
        raise BundleRejected(f"{names.SIGNATURE} is not as this project writes it (altered)")
    enrolled = lookup_key(key_id)
    if enrolled is None:
        raise BundleRejected(f"signed by an unknown key {key_id}")
    if enrolled.revoked:
        raise BundleRejected(f"signed by a revoked key {key_id} of {enrolled.spoke}")
    if enrolled.spoke != spoke:
        raise BundleRejected(f"signed by the key of {enrolled.spoke}, not {spoke}")
    try:
        signing.read_public_key(enrolled.public_key).verify(files[names.TAG_MANIFEST], signature)
    except (minisign.Error, signing.KeyProblem):
        raise BundleRejected(
            f"the signature does not verify with {spoke}'s key {key_id}: the tag manifest was altered"
        ) from None
    return key_id, signature


# -- 4. checksums and agreement ----------------------------------------------------


def _check_bag(files: dict[str, bytes], info: dict[str, str]) -> int:
    """Every checksum and the Payload-Oxum; returns the return version bag-info states."""
    if files[names.BAGIT_TXT] != bag.BAGIT_TXT:
        raise BundleRejected("bagit.txt is not BagIt 1.0 with UTF-8 tag files")
    payload = {names.RETURN_JSON: files[names.RETURN_JSON]}
    try:
        bag.check_manifest(names.TAG_MANIFEST, files[names.TAG_MANIFEST],
                           {path: files[path] for path in names.TAG_FILES})
        bag.check_manifest(names.MANIFEST, files[names.MANIFEST], payload)
    except bag.BagError as exc:
        raise BundleRejected(str(exc)) from None
    if info["Payload-Oxum"] != bag.payload_oxum(payload):
        raise BundleRejected(
            f"Payload-Oxum {info['Payload-Oxum']} does not match the payload ({bag.payload_oxum(payload)})"
        )
    version = info["VRP-Return-Version"]
    if not version.isdigit() or version != str(int(version)) or int(version) < 1:
        raise BundleRejected(f"VRP-Return-Version {version!r} is not a version number")
    for label in ("External-Identifier", "VRP-Supersedes"):
        if label in info and not _is_uuid(info[label]):
            raise BundleRejected(f"{label} {info[label]!r} is not a UUID")
    try:
        date.fromisoformat(info["Bagging-Date"])
    except ValueError:
        raise BundleRejected(f"Bagging-Date {info['Bagging-Date']!r} is not a date (YYYY-MM-DD)") from None
    return int(version)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _parse_document(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BundleRejected("data/return.json is not valid JSON") from None
    if not isinstance(document, dict):
        raise BundleRejected("data/return.json is not a JSON object")
    return document


def _check_agreement(folder: str, info: dict[str, str], version: int, comment: str,
                     document: dict[str, Any]) -> None:
    """bag-info, the trusted comment, the folder name and return.json name the same return."""
    spoke, period, bundle_id = info["VRP-Spoke"], info["VRP-Period"], info["External-Identifier"]
    if spoke not in SPOKES:
        raise BundleRejected(f"VRP-Spoke {spoke!r} is not a spoke of the partnership")
    if info["Source-Organization"] != SPOKES[spoke].name:
        raise BundleRejected(
            f"Source-Organization {info['Source-Organization']!r} is not {spoke}'s name {SPOKES[spoke].name!r}"
        )
    try:
        if Period.parse(period).code != period:
            raise PeriodError(period)
    except PeriodError:
        raise BundleRejected(f"VRP-Period {period!r} is not a period code (YYYY-YY-Qn)") from None
    expected = names.trusted_comment(spoke, period, version, bundle_id)
    if comment != expected:
        raise BundleRejected(f"the signature's trusted comment {comment!r} does not match bag-info ({expected!r})")
    if folder != names.bag_name(spoke, period, version):
        raise BundleRejected(f"the bag folder {folder!r} does not match bag-info "
                             f"({names.bag_name(spoke, period, version)!r})")
    for field, stated in (("spoke", spoke), ("period", period), ("version", version)):
        if document.get(field) != stated:
            raise BundleRejected(f"return.json {field} {document.get(field)!r} does not match bag-info ({stated!r})")


# -- 5. schema ----------------------------------------------------------------------


def _check_schema(vrp_format: str, document: dict[str, Any]) -> None:
    validate = DOCUMENT_FORMATS.get(vrp_format)
    if validate is None:
        raise BundleRejected(
            f"unsupported VRP-Format {vrp_format!r} (this version reads format {', '.join(DOCUMENT_FORMATS)})"
        )
    try:
        validate(document)
    except DocumentError as exc:
        raise BundleRejected(str(exc)) from None
