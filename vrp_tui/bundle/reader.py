"""Reading a bundle at the hub: decrypt, unpack within bounds, verify, check, validate.

The checks run in the order of SPEC section 5 "Hub acceptance", steps 1-5, and
the first that fails rejects the bundle with a one-line reason. Every stage is
bounded before it does work (the age header in ``envelope``, the ZIP in
``archive``, return.json in ``received``), so any file up to the size limit
is refused quickly whatever it holds; every refusal of any stage ends as
``BundleRejected``. What stock tools make is accepted as SPEC section 5 says:
any untrusted comment, bagit-python's labels and sha512 manifests, ``zip -r``
folder entries. Nothing here writes anything: the hub records what
:func:`read_bundle` returns.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import minisign
import pyrage

from vrp_tui.bundle import bag, names, signing
from vrp_tui.bundle.archive import unpack
from vrp_tui.bundle.envelope import AGE_HEADER, MAX_BUNDLE_BYTES, decrypt
from vrp_tui.bundle.received import parse_return_json
from vrp_tui.errors import VrpError
from vrp_tui.reference import SPOKES
from vrp_tui.returns.document import MAX_VERSION, YEARS, period_problem, shown, validate_document

__all__ = ["AGE_HEADER", "MAX_BUNDLE_BYTES", "BundleRejected", "EnrolledKey", "KeyLookup", "VerifiedBundle",
           "read_bundle"]

MAX_UNPACKED_BYTES = 8 * 1024 * 1024
MAX_MEMBERS = 24

REQUIRED_LABELS = (
    "Source-Organization", "Bagging-Date", "External-Identifier", "Payload-Oxum",
    "VRP-Spoke", "VRP-Period", "VRP-Return-Version", "VRP-Format",
)
OPTIONAL_LABELS = ("VRP-Supersedes",)  # any other label is kept (in the raw bytes) and ignored

# The validator of return.json for each VRP-Format this project reads, given the hub's date.
DOCUMENT_FORMATS: dict[int, Callable[[dict[str, Any], date], Any]] = {
    names.FORMAT: lambda data, today: validate_document(data, received=today),
}
_NUMBER = re.compile(r"[1-9][0-9]{0,6}")  # ASCII digits only: never '²' or '٣'
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
    data: bytes, identity: pyrage.x25519.Identity, lookup_key: KeyLookup, *, today: date | None = None,
    max_bundle_bytes: int = MAX_BUNDLE_BYTES, max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    max_members: int = MAX_MEMBERS,
) -> VerifiedBundle:
    """Open and verify one ``.vrpb`` file; BundleRejected (one line) says why it cannot be accepted.

    ``today`` is the hub's date (default: the machine's): a return for a
    quarter not ended by then is rejected.
    """
    try:
        archive = decrypt(data, identity, max_bytes=max_bundle_bytes)
        folder, files = unpack(archive, names.MEMBERS, optional=names.OPTIONAL_MEMBERS, folders=names.FOLDERS,
                               max_unpacked_bytes=max_unpacked_bytes, max_members=max_members)
        info = _bag_info(files)
        key_id, signature = _check_signature(files, info["VRP-Spoke"], lookup_key)
        version, vrp_format = _check_bag(files, info)
        document = parse_return_json(files[names.RETURN_JSON])
        _check_agreement(folder, info, version, signature.trusted_comment, document)
        _check_schema(vrp_format, document, today or date.today())
    except BundleRejected:
        raise
    except VrpError as exc:
        raise BundleRejected(exc.message) from None
    return VerifiedBundle(
        bundle_id=info["External-Identifier"], spoke=info["VRP-Spoke"], period=info["VRP-Period"],
        version=version, supersedes=info.get("VRP-Supersedes"), bagging_date=info["Bagging-Date"],
        key_id=key_id, name=folder, document=document,
    )


# -- 3. signature ---------------------------------------------------------------


def _bag_info(files: dict[str, bytes]) -> dict[str, str]:
    """bag-info.txt read (not yet trusted) for the labels the checks need."""
    info = bag.parse_bag_info(files[names.BAG_INFO], used=REQUIRED_LABELS + OPTIONAL_LABELS)
    missing = [label for label in REQUIRED_LABELS if label not in info]
    if missing:
        raise BundleRejected(f"bag-info.txt has no {', '.join(missing)}")
    return info


def _check_signature(files: dict[str, bytes], spoke: str,
                     lookup_key: KeyLookup) -> tuple[str, minisign.Signature]:
    """Verify the tag manifest's signature by the key enrolled for ``spoke`` (any untrusted comment)."""
    raw = files[names.SIGNATURE]
    try:
        key_id = signing.signature_key_id(raw)
        signature = minisign.Signature.from_bytes(raw)
    except (signing.KeyProblem, minisign.Error):
        raise BundleRejected(f"{names.SIGNATURE} is not a minisign signature") from None
    if raw.splitlines()[1:] != bytes(signature).splitlines()[1:]:  # the signed lines, canonically encoded
        raise BundleRejected(f"{names.SIGNATURE} is altered: its signed lines are not canonical minisign")
    enrolled = lookup_key(key_id)
    if enrolled is None:
        raise BundleRejected(f"signed by an unknown key {key_id}")
    if enrolled.revoked:
        raise BundleRejected(f"signed by a revoked key {key_id} of {enrolled.spoke}")
    if enrolled.spoke != spoke:
        raise BundleRejected(f"signed by the key of {enrolled.spoke}, not {_bare(spoke)}")
    try:
        signing.verify(enrolled.public_key, files[names.TAG_MANIFEST], signature)
    except signing.KeyProblem as exc:
        raise BundleRejected(
            f"the signature does not verify with {spoke}'s key {key_id}: {exc.message}"
            + (": the tag manifest was altered" if exc.message == "the signature does not verify" else "")
        ) from None
    return key_id, signature


# -- 4. checksums and agreement ----------------------------------------------------


def _check_bag(files: dict[str, bytes], info: dict[str, str]) -> tuple[int, int]:
    """Every checksum and the Payload-Oxum; returns the return version and VRP-Format bag-info state."""
    bag.check_bagit_txt(files[names.BAGIT_TXT])
    payload = {names.RETURN_JSON: files[names.RETURN_JSON]}
    tag_files = [*names.TAG_FILES, *([names.MANIFEST_512] if names.MANIFEST_512 in files else [])]
    bag.check_manifest(names.TAG_MANIFEST, files[names.TAG_MANIFEST], {p: files[p] for p in tag_files})
    if names.TAG_MANIFEST_512 in files:
        bag.check_manifest(names.TAG_MANIFEST_512, files[names.TAG_MANIFEST_512],
                           {p: files[p] for p in tag_files}, "sha512")
    bag.check_manifest(names.MANIFEST, files[names.MANIFEST], payload)
    if names.MANIFEST_512 in files:
        bag.check_manifest(names.MANIFEST_512, files[names.MANIFEST_512], payload, "sha512")
    if info["Payload-Oxum"] != bag.payload_oxum(payload):
        raise BundleRejected(
            f"Payload-Oxum {_bare(info['Payload-Oxum'])} does not match the payload ({bag.payload_oxum(payload)})"
        )
    version = _number(info, "VRP-Return-Version", MAX_VERSION, "a version number")
    vrp_format = _number(info, "VRP-Format", MAX_VERSION, "a format number")
    for label in ("External-Identifier", "VRP-Supersedes"):
        if label in info and not _is_uuid(info[label]):
            raise BundleRejected(f"{label} {shown(info[label])} is not a UUID")
    stated = info["Bagging-Date"]
    try:
        if not _DATE.fullmatch(stated) or not YEARS[0] <= date.fromisoformat(stated).year <= YEARS[1]:
            raise ValueError(stated)
    except ValueError:
        raise BundleRejected(f"Bagging-Date {shown(stated)} is not a date (YYYY-MM-DD)") from None
    return version, vrp_format


def _bare(text: str) -> str:
    """Outside text in a reason as it is when short and printable, else escaped and cut short."""
    return text if text.isprintable() and len(text) <= 60 else shown(text)


def _number(info: dict[str, str], label: str, most: int, what: str) -> int:
    """A bag-info number read from ASCII digits only, from 1 to ``most``."""
    text = info[label]
    if not _NUMBER.fullmatch(text) or int(text) > most:
        raise BundleRejected(f"{label} {shown(text)} is not {what} (1 to {most})")
    return int(text)


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _check_agreement(folder: str, info: dict[str, str], version: int, comment: str,
                     document: dict[str, Any]) -> None:
    """bag-info, the trusted comment, the folder name and return.json name the same return."""
    spoke, period, bundle_id = info["VRP-Spoke"], info["VRP-Period"], info["External-Identifier"]
    if spoke not in SPOKES:
        raise BundleRejected(f"VRP-Spoke {shown(spoke)} is not a spoke of the partnership")
    if info["Source-Organization"] != SPOKES[spoke].name:
        raise BundleRejected(f"Source-Organization {shown(info['Source-Organization'])} "
                             f"is not {spoke}'s name {SPOKES[spoke].name!r}")
    problem = period_problem(period)
    if problem:
        raise BundleRejected(f"VRP-Period {shown(period)} is {problem}")
    expected = names.trusted_comment(spoke, period, version, bundle_id)
    if comment != expected:
        raise BundleRejected(f"the signature's trusted comment {shown(comment, 120)} does not match bag-info "
                             f"({shown(expected, 120)})")
    if folder != names.bag_name(spoke, period, version):
        raise BundleRejected(f"the bag folder {shown(folder)} does not match bag-info "
                             f"({shown(names.bag_name(spoke, period, version))})")
    for field, stated in (("spoke", spoke), ("period", period), ("version", version)):
        if document.get(field) != stated:
            raise BundleRejected(f"return.json {field} {shown(document.get(field))} "
                                 f"does not match bag-info ({shown(stated)})")


# -- 5. schema ----------------------------------------------------------------------


def _check_schema(vrp_format: int, document: dict[str, Any], today: date) -> None:
    validate = DOCUMENT_FORMATS.get(vrp_format)
    if validate is None:
        raise BundleRejected(
            f"unsupported VRP-Format {shown(str(vrp_format))} (this version reads format "
            f"{', '.join(str(f) for f in DOCUMENT_FORMATS)})"
        )
    validate(document, today)
