"""The spoke database schema, as small numbered sqlite-utils migrations.

Add a new function at the end for every change; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("vrp_spoke")

# The first day of the quarter holding the ISO date {d} (a financial quarter starts a calendar one).
# Part of m009's triggers, which databases keep as they were made: a change to it needs a new
# migration that makes the triggers again.
QUARTER = "substr({d}, 1, 5) || CASE WHEN substr({d}, 6, 2) < '04' THEN '01' WHEN substr({d}, 6, 2) < '07' THEN '04' WHEN substr({d}, 6, 2) < '10' THEN '07' ELSE '10' END || '-01'"


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


@migrations()
def m004_returns(db: Database) -> None:
    """Return narratives being written, and frozen versions the store refuses to change."""
    db.executescript(
        """
        CREATE TABLE return_drafts (
            period TEXT PRIMARY KEY,
            highlights TEXT NOT NULL DEFAULT '',
            challenges TEXT NOT NULL DEFAULT '',
            case_study TEXT NOT NULL DEFAULT '',
            next_quarter TEXT NOT NULL DEFAULT '',
            open INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
            updated_at TEXT,
            updated_by TEXT
        );
        CREATE TABLE return_versions (
            id INTEGER PRIMARY KEY,
            period TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version >= 1),
            status TEXT NOT NULL CHECK (status IN ('signed-off', 'exported')),
            document TEXT NOT NULL,
            signed_off_by TEXT NOT NULL,
            signed_off_at TEXT NOT NULL,
            exported_at TEXT,
            UNIQUE (period, version)
        );
        CREATE TRIGGER return_versions_in_order BEFORE INSERT ON return_versions
            WHEN NEW.status IS NOT 'signed-off' OR NEW.exported_at IS NOT NULL
              OR NEW.version IS NOT (SELECT coalesce(max(version), 0) + 1
                                     FROM return_versions WHERE period = NEW.period)
            BEGIN SELECT RAISE(ABORT, 'a return version is added signed off, numbered after the last'); END;
        CREATE TRIGGER return_versions_frozen BEFORE UPDATE ON return_versions
            WHEN NOT (OLD.status = 'signed-off' AND NEW.status = 'exported'
                      AND NEW.exported_at IS NOT NULL AND NEW.id = OLD.id
                      AND NEW.period = OLD.period AND NEW.version = OLD.version
                      AND NEW.document = OLD.document AND NEW.signed_off_by = OLD.signed_off_by
                      AND NEW.signed_off_at = OLD.signed_off_at)
            BEGIN SELECT RAISE(ABORT, 'a signed-off return version cannot be changed: reopen the return'); END;
        CREATE TRIGGER return_versions_kept BEFORE DELETE ON return_versions
            BEGIN SELECT RAISE(ABORT, 'a signed-off return version cannot be deleted'); END;
        -- Covering indexes for building a return: a quarter's contacts without
        -- reading their rows, and the enrolment holding a contact in one look.
        CREATE INDEX contacts_quarter ON contacts(date, intervention_id, participant_id, minutes);
        CREATE INDEX enrolments_window
            ON enrolments(participant_id, intervention_id, referral_date, end_date, high_risk);
        """
    )


@migrations()
def m005_bundle_exports(db: Database) -> None:
    """The export history: every bundle written, where to, with its id and checksum."""
    db.executescript(
        """
        CREATE TABLE bundle_exports (
            id INTEGER PRIMARY KEY,
            period TEXT NOT NULL,
            version INTEGER NOT NULL,
            bundle_id TEXT NOT NULL,
            supersedes TEXT,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            key_id TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            exported_by TEXT NOT NULL
        );
        CREATE INDEX bundle_exports_period ON bundle_exports(period, version);
        """
    )


@migrations()
def m006_attendance(db: Database) -> None:
    """A session's attendance (SPEC section 2): attended unless recorded otherwise."""
    db.executescript(
        """
        ALTER TABLE contacts ADD COLUMN attendance TEXT NOT NULL DEFAULT 'attended';
        DROP INDEX contacts_quarter;
        CREATE INDEX contacts_quarter
            ON contacts(date, intervention_id, participant_id, minutes, attendance);
        """
    )


@migrations()
def m007_measurements(db: Database) -> None:
    """Outcome measures: a total score per young person, intervention, date and instrument.

    Scores are exact: stored in tenths of a point (``ors`` has one decimal).
    """
    db.executescript(
        """
        CREATE TABLE measurements (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id),
            intervention_id INTEGER NOT NULL REFERENCES interventions(id),
            date TEXT NOT NULL,
            instrument TEXT NOT NULL,
            score_tenths INTEGER NOT NULL,
            UNIQUE (participant_id, intervention_id, date, instrument)
        );
        CREATE INDEX measurements_intervention ON measurements(intervention_id, instrument, date);
        """
    )


@migrations()
def m008_receipts(db: Database) -> None:
    """The hub's receipts for the bundles this spoke exported (the hub's key is the setting hub_key)."""
    db.executescript(
        """
        CREATE TABLE receipts (
            id INTEGER PRIMARY KEY,
            bundle_id TEXT NOT NULL,
            period TEXT NOT NULL,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            note TEXT,
            received_at TEXT NOT NULL,
            reviewed_at TEXT,
            issued_at TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            raw BLOB NOT NULL
        );
        CREATE INDEX receipts_period ON receipts(period, version, issued_at);
        """
    )


@migrations()
def m009_quarter_pairs(db: Database) -> None:
    """Each quarter's sessions added up per young person and intervention, kept by triggers.

    A return reads its quarter's pairs (first and last session, latest
    attended day, attended sessions and minutes, did-not-attend) from
    ``quarter_pairs`` instead of grouping the quarter's sessions each time it
    is built. ``quarter`` is the first day of the calendar quarter holding the
    session, which is the first day of its financial quarter. A new session is
    added in; a changed or deleted one has its pair's quarter worked out again
    from ``contacts``, through ``contacts_pair`` (which replaces
    ``contacts_participant`` and covers what is added up).
    """
    add_up = """
        SELECT {quarter} AS quarter, participant_id, intervention_id, min(date), max(date),
               max(CASE WHEN attendance = 'attended' THEN date END),
               sum(attendance = 'attended'),
               sum(CASE WHEN attendance = 'attended' THEN minutes ELSE 0 END),
               sum(attendance = 'did-not-attend')
        FROM contacts INDEXED BY contacts_pair
    """.replace("{quarter}", QUARTER.format(d="date"))

    def again(row: str) -> str:
        """Statements working out again the pair and quarter of ``row`` (OLD or NEW)."""
        quarter = QUARTER.format(d=f"{row}.date")
        return f"""
            DELETE FROM quarter_pairs WHERE quarter = {quarter}
              AND participant_id = {row}.participant_id AND intervention_id = {row}.intervention_id;
            INSERT INTO quarter_pairs {add_up}
            WHERE participant_id = {row}.participant_id AND intervention_id = {row}.intervention_id
              AND date BETWEEN {quarter} AND date({quarter}, '+3 months', '-1 day')
            GROUP BY participant_id, intervention_id;"""

    db.executescript(
        f"""
        DROP INDEX contacts_participant;
        CREATE INDEX contacts_pair ON contacts(participant_id, intervention_id, date, attendance, minutes);
        CREATE TABLE quarter_pairs (
            quarter TEXT NOT NULL,
            participant_id INTEGER NOT NULL,
            intervention_id INTEGER NOT NULL,
            first_day TEXT NOT NULL,
            last_day TEXT NOT NULL,
            day TEXT,
            contacts INTEGER NOT NULL,
            minutes INTEGER NOT NULL,
            did_not_attend INTEGER NOT NULL,
            PRIMARY KEY (quarter, participant_id, intervention_id)
        ) WITHOUT ROWID;
        INSERT INTO quarter_pairs {add_up} GROUP BY quarter, participant_id, intervention_id;
        CREATE TRIGGER contacts_pair_added AFTER INSERT ON contacts BEGIN
            INSERT INTO quarter_pairs VALUES (
                {QUARTER.format(d="NEW.date")}, NEW.participant_id, NEW.intervention_id, NEW.date, NEW.date,
                CASE WHEN NEW.attendance = 'attended' THEN NEW.date END,
                NEW.attendance = 'attended', CASE WHEN NEW.attendance = 'attended' THEN NEW.minutes ELSE 0 END,
                NEW.attendance = 'did-not-attend')
            ON CONFLICT DO UPDATE SET
                first_day = min(first_day, excluded.first_day), last_day = max(last_day, excluded.last_day),
                day = coalesce(max(day, excluded.day), day, excluded.day),
                contacts = contacts + excluded.contacts, minutes = minutes + excluded.minutes,
                did_not_attend = did_not_attend + excluded.did_not_attend;
        END;
        CREATE TRIGGER contacts_pair_changed AFTER UPDATE OF participant_id, intervention_id, date, attendance,
                                                          minutes ON contacts BEGIN
            {again("OLD")}
            {again("NEW")}
        END;
        CREATE TRIGGER contacts_pair_deleted AFTER DELETE ON contacts BEGIN
            {again("OLD")}
        END;
        """
    )
