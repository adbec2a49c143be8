"""BagIt (RFC 8493) tag files: writing them, and reading them back strictly.

The writer makes one layout; the reader also takes what bagit-python makes
(SPEC section 5 "Stock tools must agree"): BagIt 0.97 or 1.0, sha256 and
sha512 manifests, labels it does not use (repeated or not). It does not take
line folding, and says which line is wrong.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence

from vrp_tui.errors import VrpError

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

BAGIT_VERSIONS = ("0.97", "1.0")
ALGORITHMS = {"sha256": 64, "sha512": 128}  # the manifests a bag may carry, and their digests' length

_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_MANIFEST_LINE = re.compile(r"(?P<digest>[0-9a-fA-F]+)[ \t]+(?P<path>\S(?:.*\S)?)")


class BagError(VrpError):
    """A tag file that is not what a VRP bag holds; str() names the file and line."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(algorithm: str, data: bytes) -> str:
    return hashlib.new(algorithm, data).hexdigest()


def payload_oxum(payload: Mapping[str, bytes]) -> str:
    """``octets.streams`` of the payload (RFC 8493 section 2.2.2)."""
    return f"{sum(len(b) for b in payload.values())}.{len(payload)}"


def bag_info_txt(fields: Sequence[tuple[str, str]]) -> bytes:
    lines = []
    for label, value in fields:
        if not _LABEL.fullmatch(label) or "\n" in value or "\r" in value:
            raise BagError(f"bag-info.txt: cannot write {label!r}: {value!r}")
        lines.append(f"{label}: {value}\n")
    return "".join(lines).encode()


def manifest_txt(files: Mapping[str, bytes]) -> bytes:
    """``<sha256>  <path>`` per file, sorted by path, as bagit.py writes them."""
    return "".join(f"{sha256(files[path])}  {path}\n" for path in sorted(files)).encode()


def _lines(name: str, data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BagError(f"{name} is not UTF-8") from None
    if text and not text.endswith("\n"):
        raise BagError(f"{name} does not end with a line break")
    return text.split("\n")[:-1] if text else []


def parse_tag_file(name: str, data: bytes, used: Iterable[str] = ()) -> dict[str, str]:
    """The labels and values of a tag file (bag-info.txt, bagit.txt).

    A label in ``used`` (one the hub reads) must be there at most once; other
    labels are kept as their last value and otherwise ignored.
    """
    wanted = set(used)
    fields: dict[str, str] = {}
    for number, line in enumerate(_lines(name, data), start=1):
        label, sep, value = line.partition(":")
        if not sep or not _LABEL.fullmatch(label) or "\r" in value or (value and value[0] not in " \t"):
            raise BagError(f"{name} line {number} is not 'Label: value'")
        if label in fields and label in wanted:
            raise BagError(f"{name} repeats {label}")
        fields[label] = value.strip(" \t")
    return fields


def parse_bag_info(data: bytes, used: Iterable[str] = ()) -> dict[str, str]:
    return parse_tag_file("bag-info.txt", data, used)


def check_bagit_txt(data: bytes) -> None:
    """bagit.txt declares a BagIt version this hub reads, with UTF-8 tag files."""
    fields = parse_tag_file("bagit.txt", data, ("BagIt-Version", "Tag-File-Character-Encoding"))
    if fields.get("BagIt-Version") not in BAGIT_VERSIONS:
        raise BagError(f"bagit.txt is not BagIt {' or '.join(BAGIT_VERSIONS)}")
    if fields.get("Tag-File-Character-Encoding", "").upper() not in ("UTF-8", "UTF8"):
        raise BagError("bagit.txt does not declare UTF-8 tag files")


def parse_manifest(name: str, data: bytes, algorithm: str = "sha256") -> dict[str, str]:
    """path -> hex digest (lower case) from a manifest of ``algorithm``, each path once."""
    size = ALGORITHMS[algorithm]
    entries: dict[str, str] = {}
    for number, line in enumerate(_lines(name, data), start=1):
        match = _MANIFEST_LINE.fullmatch(line)
        if not match or len(match["digest"]) != size:
            raise BagError(f"{name} line {number} is not '<{algorithm}> <path>'")
        path = match["path"]
        if path in entries:
            raise BagError(f"{name} lists {path!r} twice")
        entries[path] = match["digest"].lower()
    return entries


def check_manifest(name: str, data: bytes, files: Mapping[str, bytes], algorithm: str = "sha256") -> None:
    """The manifest lists exactly ``files`` and every digest matches."""
    entries = parse_manifest(name, data, algorithm)
    if set(entries) != set(files):
        listed = ", ".join(repr(p) for p in sorted(entries)[:5]) or "nothing"
        raise BagError(f"{name} lists {listed}, not {', '.join(sorted(files))}")
    for path, expected in sorted(entries.items()):
        if digest(algorithm, files[path]) != expected:
            raise BagError(f"checksum mismatch for {path} in {name}")
