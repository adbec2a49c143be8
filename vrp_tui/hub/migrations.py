"""The hub database schema, as small numbered sqlite-utils migrations.

Add a new function at the end for every change; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("vrp_hub")


@migrations()
def m001_hub(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE hub_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE hub_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            recipient TEXT NOT NULL,
            encrypted_identity BLOB NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE enrolled_keys (
            id INTEGER PRIMARY KEY,
            spoke TEXT NOT NULL,
            key_id TEXT NOT NULL UNIQUE,
            public_key TEXT NOT NULL,
            enrolled_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX enrolled_keys_spoke ON enrolled_keys(spoke);
        CREATE TABLE bundles (
            id INTEGER PRIMARY KEY,
            bundle_id TEXT NOT NULL UNIQUE,
            spoke TEXT NOT NULL,
            period TEXT NOT NULL,
            version INTEGER NOT NULL,
            supersedes TEXT,
            bagging_date TEXT NOT NULL,
            key_id TEXT NOT NULL,
            source_name TEXT NOT NULL,
            file_name TEXT NOT NULL,
            received_at TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            raw BLOB NOT NULL,
            document TEXT NOT NULL,
            UNIQUE (spoke, period, version)
        );
        CREATE INDEX bundles_period ON bundles(period, spoke, version);
        CREATE TRIGGER bundles_no_update BEFORE UPDATE ON bundles
            BEGIN SELECT RAISE(ABORT, 'bundles are kept as received'); END;
        CREATE TRIGGER bundles_no_delete BEFORE DELETE ON bundles
            BEGIN SELECT RAISE(ABORT, 'bundles are kept as received'); END;
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            bundle INTEGER NOT NULL REFERENCES bundles(id),
            state TEXT NOT NULL CHECK (state IN ('accepted', 'issues')),
            note TEXT NOT NULL DEFAULT '',
            reviewer TEXT NOT NULL,
            reviewed_at TEXT NOT NULL
        );
        CREATE INDEX reviews_bundle ON reviews(bundle);
        CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
            BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
        CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
            BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
        """
    )


@migrations()
def m002_receipts(db: Database) -> None:
    """The hub's minisign key pair (receipts) and every receipt issued, with its bytes."""
    db.executescript(
        """
        CREATE TABLE hub_signing_key (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            key_id TEXT NOT NULL,
            public_key TEXT NOT NULL,
            secret_key TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE receipts (
            id INTEGER PRIMARY KEY,
            bundle INTEGER NOT NULL REFERENCES bundles(id),
            review INTEGER REFERENCES reviews(id),
            state TEXT NOT NULL CHECK (state IN ('received', 'accepted', 'returned-with-issues')),
            issued_at TEXT NOT NULL,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            raw BLOB NOT NULL
        );
        CREATE UNIQUE INDEX receipts_once ON receipts(bundle, ifnull(review, 0));
        CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts
            BEGIN SELECT RAISE(ABORT, 'receipts are kept as issued'); END;
        CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
            BEGIN SELECT RAISE(ABORT, 'receipts are kept as issued'); END;
        """
    )
