"""Opening a bundle's ZIP in memory, within bounds, before anything in it is trusted.

A bundle comes from outside the hub, so the ZIP is read as hostile: a cap on
members and on bytes (the declared sizes and the bytes actually inflated, read
in bounded chunks), and only plain files with the names a bag has, all in one
top-level folder. Folder entries (as Info-ZIP ``zip -r`` writes them) are
allowed for the bag's own folders only: the top-level folder and ``data/``.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterable

from vrp_tui.errors import VrpError

_CHUNK = 64 * 1024


def _named(name: str) -> str:
    """A member's name in a reason: quoted, controls escaped, cut short (names come from outside)."""
    text = repr(name)
    return text if len(text) <= 80 else text[:79] + "\u2026"


class ArchiveError(VrpError):
    """An archive that is not a bounded, plain bag; str() is the one-line reason."""


def _check_name(name: str, info: zipfile.ZipInfo) -> None:
    if info.orig_filename != name or "\\" in name or "\x00" in name or not name.isprintable():
        raise ArchiveError(f"the archive holds a member with an unusable name {_named(info.orig_filename)}")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"the archive holds an absolute path {_named(name)}")
    if ".." in name.split("/"):
        raise ArchiveError(f"the archive holds a path with '..': {_named(name)}")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ArchiveError(f"the archive holds a link {_named(name)}")
    if info.flag_bits & 0x1:
        raise ArchiveError(f"the archive holds an encrypted member {_named(name)}")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ArchiveError(f"the archive member {_named(name)} uses an unsupported compression")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The member's bytes, inflating no more than its declared size and the remaining budget."""
    limit = min(info.file_size, budget)
    parts: list[bytes] = []
    got = 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(_CHUNK, limit + 1 - got)):
            got += len(chunk)
            if got > limit:
                raise ArchiveError(f"the archive member {_named(info.filename)} inflates beyond its bounds")
            parts.append(chunk)
    if got != info.file_size:
        raise ArchiveError(f"the archive member {_named(info.filename)} is shorter than it declares")
    return b"".join(parts)


MAX_DIRECTORY_BYTES = 64 * 1024  # a bag's few members take about 1 KiB of central directory
_END = b"PK\x05\x06"  # end of central directory record
_END_ZIP64_LOCATOR = b"PK\x06\x07"


def _check_directory(data: bytes, max_members: int) -> None:
    """The member count the archive's end record states, read before zipfile parses the directory.

    zipfile reads the whole central directory first (0.5 s for the 80,000
    members 8 MB can hold), as many entries as the directory size the end
    record states: that size and the count are checked up front. zipfile looks for the record where this does (the last 22
    bytes, else the last signature within 64 KiB of the end). A bundle is
    small, so ZIP64 is refused.
    """
    end = len(data) - 22 if data[-22:-18] == _END else data.rfind(_END, max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return  # no end record: zipfile says the archive is unreadable
    if data[max(0, end - 20):end].startswith(_END_ZIP64_LOCATOR):
        raise ArchiveError("the archive is a ZIP64 archive, which no bundle is")
    total = int.from_bytes(data[end + 10:end + 12], "little")
    if total > max_members:
        raise ArchiveError(f"the archive holds {total} members, more than the {max_members} allowed")
    size = int.from_bytes(data[end + 12:end + 16], "little")  # zipfile reads entries until this is used up
    if size > MAX_DIRECTORY_BYTES:
        raise ArchiveError(f"the archive's directory is {size} bytes, more than the {MAX_DIRECTORY_BYTES} "
                           "a bundle's may be")


def unpack(data: bytes, expected: Iterable[str], *, max_unpacked_bytes: int, max_members: int,
           optional: Iterable[str] = (), folders: Iterable[str] = ()) -> tuple[str, dict[str, bytes]]:
    """The single top-level folder and its files (paths inside it -> bytes).

    Every name in ``expected`` must be there; those in ``optional`` may be;
    nothing else but empty entries for the top-level folder and ``folders``
    (inside it, each ending in ``/``).
    """
    wanted = set(expected)
    allowed = wanted | set(optional)
    folder_entries = {"", *folders}
    _check_directory(data, max_members)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise ArchiveError(f"the decrypted content is not a readable ZIP archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_members:
            raise ArchiveError(f"the archive holds {len(infos)} members, more than the {max_members} allowed")
        declared = 0
        seen: set[str] = set()
        tops: set[str] = set()
        for info in infos:
            name = info.filename
            _check_name(name, info)
            if name in seen:
                raise ArchiveError(f"the archive holds {_named(name)} twice")
            seen.add(name)
            folder, sep, inner = name.partition("/")
            if not sep or not folder:
                raise ArchiveError(f"the archive member {_named(name)} is outside the bag's folder")
            tops.add(folder)
            if info.is_dir():
                if inner not in folder_entries or info.file_size:
                    raise ArchiveError(f"the archive holds an unexpected folder entry {_named(name)}")
                continue
            if inner not in allowed:
                raise ArchiveError(f"the archive holds an unexpected member {_named(name)}")
            declared += info.file_size
        if declared > max_unpacked_bytes:
            raise ArchiveError(
                f"the archive would inflate to {declared} bytes, more than the {max_unpacked_bytes} allowed"
            )
        if len(tops) != 1:
            raise ArchiveError("the archive does not hold exactly one bag folder "
                               f"({', '.join(sorted(repr(t) for t in tops)[:5]) or 'none'})")
        (folder,) = tops
        missing = sorted(wanted - {n.partition("/")[2] for n in seen})
        if missing:
            raise ArchiveError(f"the bag has no {', '.join(missing)}")
        files: dict[str, bytes] = {}
        budget = max_unpacked_bytes
        for info in infos:
            if info.is_dir():
                continue
            try:
                content = _read_member(archive, info, budget)
            except ArchiveError:
                raise
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
                raise ArchiveError(f"the archive member {_named(info.filename)} is damaged ({exc})") from None
            budget -= len(content)
            files[info.filename.partition("/")[2]] = content
    return folder, files
