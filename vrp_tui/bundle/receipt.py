"""The hub's receipt to a spoke (SPEC section 5 "Receipts"): written and read strictly.

A ``.vrpr`` file is a ZIP of ``receipt.json`` and ``receipt.json.minisig``,
the hub's minisign signature over ``receipt.json`` whose trusted comment is
exactly ``vrp-receipt spoke=<code> period=<period> version=<n> id=<bundle UUID>
state=<state>``. It is signed, not encrypted. The spoke reads one as it comes
from outside: bounded in bytes and members, plain members with exactly those
two names, the signature verified with the hub's key (``signing.verify``), the
JSON parsed so that NaN, huge numbers and a key given twice are refused, every
field checked, and the trusted comment matched to the fields. Every refusal
is a one-line ``ReceiptRefused``.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import minisign

from vrp_tui.bundle import signing
from vrp_tui.bundle.archive import ArchiveError, _check_directory, _check_name, _read_member
from vrp_tui.errors import VrpError
from vrp_tui.reference import SPOKES
from vrp_tui.returns.document import MAX_TEXT_BYTES, MAX_VERSION, YEARS, period_problem, shown

SUFFIX = ".vrpr"
RECEIPT_JSON = "receipt.json"
SIGNATURE = RECEIPT_JSON + ".minisig"
MEMBERS = (RECEIPT_JSON, SIGNATURE)
MAX_RECEIPT_BYTES = 256 * 1024  # a note is at most 100 kB; the rest is a few hundred bytes
MAX_MEMBERS = 2

RECEIVED = "received"
ACCEPTED = "accepted"
RETURNED = "returned-with-issues"
STATES = (RECEIVED, ACCEPTED, RETURNED)
STATE_LABELS = {RECEIVED: "received", ACCEPTED: "accepted", RETURNED: "returned with issues"}

FIELDS = ("spoke", "period", "version", "bundle_id", "bundle_sha256", "received_at", "state", "note",
          "reviewed_at", "issued_at")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(\+00:00|Z)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REGULAR_FILE = 0o100644 << 16


class ReceiptRefused(VrpError):
    """A receipt that cannot be used; ``str(exc)`` is the one-line reason."""

    title = "Receipt refused"


@dataclass(frozen=True)
class Receipt:
    """What the hub says of one bundle it holds."""

    spoke: str
    period: str
    version: int
    bundle_id: str
    bundle_sha256: str
    received_at: str
    state: str  # one of STATES
    note: str | None
    reviewed_at: str | None
    issued_at: str

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def file_name(spoke: str, period: str, version: int) -> str:
    """``bristol_2025-26-Q1_v1.vrpr``."""
    return f"{spoke}_{period}_v{version}{SUFFIX}"


def trusted_comment(receipt: Receipt) -> str:
    return (f"vrp-receipt spoke={receipt.spoke} period={receipt.period} version={receipt.version} "
            f"id={receipt.bundle_id} state={receipt.state}")


def receipt_json(receipt: Receipt) -> bytes:
    return (json.dumps(receipt.to_json(), indent=2, ensure_ascii=False) + "\n").encode()


def write_receipt(receipt: Receipt, secret_key: minisign.SecretKey) -> bytes:
    """The bytes of a ``.vrpr`` file: receipt.json and its signature, in that order."""
    check_receipt(receipt.to_json())
    body = receipt_json(receipt)
    signature = secret_key.sign(
        body, prehash=True, untrusted_comment="signature from the VRP hub key",
        trusted_comment=trusted_comment(receipt),
    )
    stamp = datetime.fromisoformat(receipt.issued_at.replace("Z", "+00:00"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in ((RECEIPT_JSON, body), (SIGNATURE, bytes(signature) + b"\n")):
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = _REGULAR_FILE
            archive.writestr(info, content)
    return out.getvalue()


# -- reading ---------------------------------------------------------------------------


def read_receipt(data: bytes, hub_key: str) -> Receipt:
    """A receipt's bytes verified with the hub's public key (its ``RW...`` line or ``.pub`` file)."""
    try:
        files = _unpack(data)
        signature = _signature(files[SIGNATURE])
        try:
            signing.verify(hub_key, files[RECEIPT_JSON], signature)
        except signing.KeyProblem as exc:
            signer = signing.signature_key_id(files[SIGNATURE])
            ours = signing.key_id(hub_key)
            if signer != ours:
                raise ReceiptRefused(f"signed by key {signer}, not the hub's key {ours}") from None
            raise ReceiptRefused(f"{exc.message}: receipt.json was altered after the hub signed it") from None
        receipt = Receipt(**check_receipt(_parse(files[RECEIPT_JSON])))
        expected = trusted_comment(receipt)
        if signature.trusted_comment != expected:
            raise ReceiptRefused(f"the signature's trusted comment {shown(signature.trusted_comment, 120)} "
                                 f"does not match receipt.json ({shown(expected, 120)})")
    except ReceiptRefused:
        raise
    except VrpError as exc:
        raise ReceiptRefused(exc.message) from None
    return receipt


def _unpack(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_RECEIPT_BYTES:
        raise ReceiptRefused(f"the file is {len(data)} bytes, more than the {MAX_RECEIPT_BYTES} a receipt may be")
    _check_directory(data, MAX_MEMBERS)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ReceiptRefused("not a receipt: the file is not a readable ZIP archive") from None
    files: dict[str, bytes] = {}
    with archive:
        infos = archive.infolist()
        budget = MAX_RECEIPT_BYTES
        for info in infos:
            _check_name(info.filename, info)
            if info.filename not in MEMBERS or info.is_dir():
                raise ArchiveError(f"the receipt holds an unexpected member {shown(info.filename, 80)}")
            if info.filename in files:
                raise ArchiveError(f"the receipt holds {info.filename} twice")
            if info.file_size > budget:
                raise ArchiveError(f"the receipt member {info.filename} inflates beyond its bounds")
            try:
                files[info.filename] = _read_member(archive, info, budget)
            except ArchiveError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
                raise ArchiveError(f"the receipt member {info.filename} is damaged") from None
            budget -= len(files[info.filename])
    missing = [name for name in MEMBERS if name not in files]
    if missing:
        raise ReceiptRefused(f"not a receipt: it has no {', '.join(missing)}")
    return files


def _signature(raw: bytes) -> minisign.Signature:
    try:
        signing.signature_key_id(raw)
        signature = minisign.Signature.from_bytes(raw)
    except (signing.KeyProblem, minisign.Error, ValueError):
        raise ReceiptRefused(f"{SIGNATURE} is not a minisign signature") from None
    if raw.splitlines()[1:] != bytes(signature).splitlines()[1:]:
        raise ReceiptRefused(f"{SIGNATURE} is altered: its signed lines are not canonical minisign")
    return signature


def _refused(what: str) -> Any:
    raise ReceiptRefused(f"receipt.json is not valid: {what}")


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        _refused("a key is given more than once")
    return out


def _parse(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReceiptRefused("receipt.json is not UTF-8") from None
    try:
        return json.loads(
            text, object_pairs_hook=_no_repeats,
            parse_constant=lambda name: _refused(f"{name} is not a JSON number"),
            parse_int=lambda t: int(t) if len(t) <= 24 else _refused("a number too large"),
            parse_float=lambda t: _refused(f"the number {shown(t)} is not a whole number"),
        )
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, ReceiptRefused):
            raise
        raise ReceiptRefused("receipt.json is not valid JSON") from None


def _text(data: dict[str, Any], field: str, *, optional: bool = False) -> str | None:
    value = data[field]
    if value is None and optional:
        return None
    if not isinstance(value, str):
        _refused(f"{field} is {shown(value)}, not text")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        _refused(f"{field} is not valid Unicode (a lone surrogate)")
    if size > MAX_TEXT_BYTES:
        _refused(f"{field} is {size} bytes, more than the {MAX_TEXT_BYTES} a field may hold")
    control = _CONTROL.search(value)
    if control:
        _refused(f"{field} holds the control character U+{ord(control.group()):04X}")
    return value


def _stamp(data: dict[str, Any], field: str, *, optional: bool = False) -> str | None:
    value = _text(data, field, optional=optional)
    if value is None:
        return None
    try:
        if not _STAMP.fullmatch(value):
            raise ValueError(value)
        year = datetime.fromisoformat(value.replace("Z", "+00:00")).year
    except ValueError:
        return _refused(f"{field} {shown(value)} is not a UTC time (YYYY-MM-DDThh:mm:ss+00:00)")
    if not YEARS[0] <= year <= YEARS[1]:
        _refused(f"{field} {shown(value)} is outside the years {YEARS[0]}-{YEARS[1]}")
    return value


def check_receipt(data: Any) -> dict[str, Any]:
    """The fields of receipt.json, each checked; ReceiptRefused names the first that is wrong."""
    if not isinstance(data, dict):
        _refused("it is not a JSON object")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        _refused(f"it has no {', '.join(missing)}")
    extra = [k for k in data if k not in FIELDS]
    if extra:
        _refused(f"unexpected field {shown(extra[0])}")
    spoke = _text(data, "spoke")
    if spoke not in SPOKES:
        _refused(f"spoke {shown(spoke)} is not a spoke of the partnership")
    period = _text(data, "period") or ""
    if problem := period_problem(period):
        _refused(f"period {shown(period)} is {problem}")
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        _refused(f"version {shown(version)} is not a version number (1 to {MAX_VERSION})")
    bundle_id = _text(data, "bundle_id") or ""
    try:
        if str(uuid.UUID(bundle_id)) != bundle_id:
            raise ValueError(bundle_id)
    except ValueError:
        _refused(f"bundle_id {shown(bundle_id)} is not a UUID")
    sha = _text(data, "bundle_sha256") or ""
    if not _SHA256.fullmatch(sha):
        _refused(f"bundle_sha256 {shown(sha)} is not a sha256 (64 lower-case hex digits)")
    state = _text(data, "state")
    if state not in STATES:
        _refused(f"state {shown(state)} is not one of {', '.join(STATES)}")
    _stamp(data, "received_at")
    _stamp(data, "issued_at")
    reviewed = _stamp(data, "reviewed_at", optional=True)
    note = _text(data, "note", optional=True)
    if state == RECEIVED and (reviewed is not None or note):
        _refused("a receipt in state received has no review note or time")
    if state != RECEIVED and reviewed is None:
        _refused(f"a receipt in state {state} has no reviewed_at")
    return {f: data[f] for f in FIELDS}
