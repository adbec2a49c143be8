"""The hub's SQLite store: its own migration set, the same connection rules as the spoke's.

Open one HubStore per thread. Writes go through :meth:`HubStore.transaction`
(``BEGIN IMMEDIATE``), one per user action; a bundle's writes are one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from vrp_tui.errors import VrpError
from vrp_tui.hub.migrations import migrations
from vrp_tui.store.opening import HUB, DatabaseRefused, open_database, rows, write_transaction

# How many migrations vrp_tui/hub/migrations.py holds, kept in PRAGMA user_version
# (a test keeps this in step with the migrations module).
SCHEMA_VERSION = 2

# Kept for callers that catch it: every refusal to open a file as the hub's.
NotAHubDatabase = DatabaseRefused


class HubSettingError(VrpError):
    """A hub setting given a value it cannot take."""


@dataclass(frozen=True)
class Setting:
    key: str
    default: int
    minimum: int
    maximum: int
    label: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("deadline_days", 30, 0, 366, "days after quarter end a return is due"),
        Setting("disclosure_threshold", 5, 2, 100, "published counts below this (from 1) are suppressed"),
    )
}


FOLDER_SETTINGS = ("receipts_folder", "reports_folder")  # where the TUI writes receipts and reports


def _migrate(conn: sqlite3.Connection) -> int:
    db = Database(conn)
    migrations.apply(db)
    return len(migrations.applied(db))


class HubStore:
    """A hub database. ``HubStore(":memory:")`` for tests."""

    def __init__(self, path: str | Path, *, create: bool = True):
        """Open (and migrate, under the write lock) the hub database at ``path``.

        Refuses, before writing anything, a spoke's database, a foreign, corrupt or newer
        one, a read-only file or folder, and a missing file unless ``create``.
        """
        self.path = str(path)
        self.conn = open_database(path, HUB, SCHEMA_VERSION, _migrate, create=create)
        self.db = Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HubStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> Any:
        return write_transaction(self.conn)

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        return rows(self.conn, sql, params)

    @property
    def recipient(self) -> str | None:
        """The hub's age recipient (``age1...``), or None before ``vrp hub init``."""
        row = self.conn.execute("SELECT recipient FROM hub_identity WHERE id = 1").fetchone()
        return row[0] if row else None

    @property
    def signing_public_key(self) -> str | None:
        """The hub's minisign public key (its ``.pub`` text) for receipts, or None before it is made."""
        row = self.conn.execute("SELECT public_key FROM hub_signing_key WHERE id = 1").fetchone()
        return row[0] if row else None

    def setting(self, key: str) -> int:
        spec = SETTINGS[key]
        row = self.conn.execute("SELECT value FROM hub_settings WHERE key = ?", [key]).fetchone()
        return int(row[0]) if row else spec.default

    def folder(self, key: str, default: str = "exports") -> str:
        """A folder the hub writes into (``receipts_folder``, ``reports_folder``), as last chosen."""
        row = self.conn.execute("SELECT value FROM hub_settings WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row and row[0] else default

    def set_folder(self, key: str, folder: str) -> None:
        if key not in FOLDER_SETTINGS:
            raise HubSettingError(f"unknown folder setting {key!r}")
        with self.transaction():
            self.conn.execute(
                "INSERT INTO hub_settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, folder])

    def settings(self) -> dict[str, int]:
        return {key: self.setting(key) for key in SETTINGS}

    def set_settings(self, values: Mapping[str, int]) -> None:
        """Change settings in one transaction; HubSettingError names the first bad one."""
        for key, value in values.items():
            spec = SETTINGS.get(key)
            if spec is None:
                raise HubSettingError(f"unknown setting {key!r} (one of {', '.join(SETTINGS)})")
            if not spec.minimum <= value <= spec.maximum:
                raise HubSettingError(f"{key} must be between {spec.minimum} and {spec.maximum}")
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO hub_settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [(k, str(v)) for k, v in values.items()],
            )
