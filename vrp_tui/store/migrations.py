"""The spoke database schema, as small numbered sqlite-utils migrations.

Add a new function at the end for every change; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("vrp_spoke")


@migrations()
def m001_records(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE interventions (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            provider TEXT NOT NULL,
            approach TEXT NOT NULL,
            prevention_level TEXT NOT NULL,
            setting TEXT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT,
            description TEXT
        );
        CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            ref TEXT NOT NULL UNIQUE,
            date_of_birth TEXT,
            sex TEXT,
            ethnicity TEXT,
            postcode_district TEXT
        );
        CREATE TABLE enrolments (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id),
            intervention_id INTEGER NOT NULL REFERENCES interventions(id),
            referral_date TEXT NOT NULL,
            referral_source TEXT NOT NULL,
            high_risk INTEGER NOT NULL DEFAULT 0,
            start_date TEXT,
            end_date TEXT,
            exit_reason TEXT,
            UNIQUE (participant_id, intervention_id, referral_date)
        );
        CREATE INDEX enrolments_intervention ON enrolments(intervention_id);
        CREATE INDEX enrolments_referral_date ON enrolments(referral_date);
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id),
            intervention_id INTEGER NOT NULL REFERENCES interventions(id),
            date TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            mode TEXT NOT NULL
        );
        CREATE INDEX contacts_date ON contacts(date, intervention_id, participant_id);
        CREATE INDEX contacts_participant ON contacts(participant_id, intervention_id, date);
        CREATE TABLE spend (
            id INTEGER PRIMARY KEY,
            intervention_id INTEGER NOT NULL REFERENCES interventions(id),
            period TEXT NOT NULL,
            funding_source TEXT NOT NULL,
            amount INTEGER NOT NULL,
            UNIQUE (intervention_id, period, funding_source)
        );
        CREATE TABLE budgets (
            id INTEGER PRIMARY KEY,
            intervention_id INTEGER NOT NULL REFERENCES interventions(id),
            financial_year TEXT NOT NULL,
            funding_source TEXT NOT NULL,
            amount INTEGER NOT NULL,
            UNIQUE (intervention_id, financial_year, funding_source)
        );
        """
    )


@migrations()
def m002_audit(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            worker TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_record ON audit(table_name, record_id);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        """
    )


@migrations()
def m003_spoke_keys(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE spoke_keys (
            id INTEGER PRIMARY KEY,
            key_id TEXT NOT NULL UNIQUE,
            public_key TEXT NOT NULL,
            secret_key TEXT NOT NULL,
            created_at TEXT NOT NULL,
            retired_at TEXT
        );
        """
    )
