"""What a bundle and its members are called, and the signature's trusted comment.

Writer and reader both take these names from here, so the two cannot drift apart.
"""

from __future__ import annotations

import re

FORMAT = 1  # the VRP-Format this project writes
SUFFIX = ".vrpb"

BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
SIGNATURE = TAG_MANIFEST + ".minisig"
RETURN_JSON = "data/return.json"

MANIFEST_512 = "manifest-sha512.txt"
TAG_MANIFEST_512 = "tagmanifest-sha512.txt"

# Members in the order the writer stores them; the reader requires these.
MEMBERS = (BAGIT_TXT, BAG_INFO, MANIFEST, TAG_MANIFEST, SIGNATURE, RETURN_JSON)
# What bagit-python adds by default (sha512 beside sha256): checked when there, never required.
OPTIONAL_MEMBERS = (MANIFEST_512, TAG_MANIFEST_512)
# Folder entries (as ``zip -r`` writes them) allowed inside the bag's folder, besides the folder itself.
FOLDERS = ("data/",)
# The tag files the tag manifest pins (the signature beside it cannot pin itself).
TAG_FILES = (BAG_INFO, BAGIT_TXT, MANIFEST)

_TRUSTED = re.compile(
    r"vrp-bundle spoke=(?P<spoke>\S+) period=(?P<period>\S+) version=(?P<version>[0-9]+) id=(?P<id>\S+)"
)


def bag_name(spoke: str, period: str, version: int) -> str:
    """``bristol_2025-26-Q1_v1``: the bag's folder and the file name without ``.vrpb``."""
    return f"{spoke}_{period}_v{version}"


def file_name(spoke: str, period: str, version: int) -> str:
    return bag_name(spoke, period, version) + SUFFIX


def trusted_comment(spoke: str, period: str, version: int, bundle_id: str) -> str:
    return f"vrp-bundle spoke={spoke} period={period} version={version} id={bundle_id}"


def parse_trusted_comment(text: str) -> dict[str, str] | None:
    """The four fields of a bundle's trusted comment, or None if it is not one."""
    match = _TRUSTED.fullmatch(text)
    return match.groupdict() if match else None
