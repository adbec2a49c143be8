"""Where things live (databases in the user's data folder unless told otherwise) and the passphrase rule."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "vrp-returns"

# The one minimum for every passphrase that protects a key: the spoke's signing key, the hub's identity.
MIN_PASSPHRASE = 8


def check_passphrase(passphrase: str) -> str | None:
    """None if ``passphrase`` may protect a key, else why not."""
    return None if len(passphrase) >= MIN_PASSPHRASE else f"use at least {MIN_PASSPHRASE} characters"


def default_db(hub: bool = False) -> Path:
    """``VRP_DB`` if set, else ``spoke.db`` / ``hub.db`` in the user's data folder."""
    if env := os.environ.get("VRP_DB"):
        return Path(env)
    return user_data_path(APP_NAME, appauthor=False) / ("hub.db" if hub else "spoke.db")


def default_exports() -> Path:
    """Bundles go into ``exports/`` under the current folder unless ``--out`` says otherwise."""
    return Path.cwd() / "exports"


def prepare(path: Path) -> Path:
    """``path``, its missing folders made readable by their owner only (existing ones keep their mode)."""
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=0o700)
        os.chmod(made, 0o700)
    return path
