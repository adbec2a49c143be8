"""Writing a file whole or not at all: a part file beside it, then one rename over the old one."""

from __future__ import annotations

import os
from pathlib import Path


def write_whole(path: Path, data: bytes) -> None:
    """``data`` at ``path`` (its folder made if need be); OSError leaves no part file and the old file as it was."""
    part = path.parent / f".{path.name}.{os.getpid()}.part"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(data)
        os.replace(part, path)
    except OSError:
        part.unlink(missing_ok=True)
        raise
