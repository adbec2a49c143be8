"""BagIt (RFC 8493) tag files: writing them, and reading them back strictly.

The bag is tiny and made only by this project, so the reader accepts exactly
what the writer makes (no line folding, no repeated labels) and says which line
is wrong otherwise.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from vrp_tui.errors import VrpError

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_MANIFEST_LINE = re.compile(r"(?P<digest>[0-9a-f]{64}) +(?P<path>\S(?:.*\S)?)")


class BagError(VrpError):
    """A tag file that is not what a VRP bag holds; str() names the file and line."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def parse_bag_info(data: bytes) -> dict[str, str]:
    """The labels and values of bag-info.txt, each label once."""
    fields: dict[str, str] = {}
    for number, line in enumerate(_lines("bag-info.txt", data), start=1):
        label, sep, value = line.partition(": ")
        if not sep or not _LABEL.fullmatch(label) or "\r" in value:
            raise BagError(f"bag-info.txt line {number} is not 'Label: value'")
        if label in fields:
            raise BagError(f"bag-info.txt repeats {label}")
        fields[label] = value
    return fields


def parse_manifest(name: str, data: bytes) -> dict[str, str]:
    """path -> sha256 hex digest from a manifest, each path once."""
    entries: dict[str, str] = {}
    for number, line in enumerate(_lines(name, data), start=1):
        match = _MANIFEST_LINE.fullmatch(line)
        if not match:
            raise BagError(f"{name} line {number} is not '<sha256> <path>'")
        path = match["path"]
        if path in entries:
            raise BagError(f"{name} lists {path} twice")
        entries[path] = match["digest"]
    return entries


def check_manifest(name: str, data: bytes, files: Mapping[str, bytes]) -> None:
    """The manifest lists exactly ``files`` and every digest matches."""
    entries = parse_manifest(name, data)
    if set(entries) != set(files):
        raise BagError(f"{name} lists {', '.join(sorted(entries)) or 'nothing'}, "
                       f"not {', '.join(sorted(files))}")
    for path, digest in sorted(entries.items()):
        if sha256(files[path]) != digest:
            raise BagError(f"checksum mismatch for {path} in {name}")
