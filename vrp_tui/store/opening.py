"""Opening a vrp database safely: know whose it is before writing a byte.

Each database records its role in ``PRAGMA application_id`` (``SPOKE_ID`` or
``HUB_ID``, set when it is created) and its schema in ``PRAGMA user_version``.
Before anything is written the file is checked: it must be an SQLite file,
writable (and in a writable folder), ours, of the role asked for, and not
newer than this program. A file made before the role was recorded is
recognised by its tables and adopted. Migrations run under the write lock
(``BEGIN IMMEDIATE``), and the version is read again inside it, so two
processes opening an old or new file do not both migrate it.

New files are created ``0600`` (SQLite gives ``-wal``/``-shm`` the same mode),
and a folder made for them ``0700``.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vrp_tui import config
from vrp_tui.errors import VrpError

BUSY_TIMEOUT_MS = 5000
SQLITE_MAGIC = b"SQLite format 3\x00"
# PRAGMA application_id values: the ASCII of "VRPS" and "VRPH".
SPOKE_ID = 0x56525053
HUB_ID = 0x56525048


class DatabaseRefused(VrpError):
    """A database file that cannot be opened as asked; nothing in it was changed."""

    title = "Cannot open the database"


class NoDatabase(DatabaseRefused):
    """No file at the path, for a command that does not create one."""


class NotOurDatabase(DatabaseRefused):
    """An SQLite file (or a folder) that no VRP Returns program made."""


class WrongRole(DatabaseRefused):
    """A hub database opened as a spoke's, or a spoke's as the hub's."""


class NewerDatabase(DatabaseRefused):
    """A schema newer than this program knows."""


class CorruptDatabase(DatabaseRefused):
    """Not an SQLite file at all, or a damaged one."""


class ReadOnlyDatabase(DatabaseRefused):
    """The file, or its folder, cannot be written."""


class DiskFull(DatabaseRefused):
    """The disk filled up; the transaction was rolled back."""

    title = "The disk is full"


class StoreBusy(VrpError):
    """Another process held the write lock for longer than the busy timeout."""


@dataclass(frozen=True)
class Role:
    """A kind of vrp database: how it is recognised and which command makes one."""

    name: str  # "spoke" or "hub"
    application_id: int
    marker_tables: frozenset[str]  # tables a file made before application_id was set is known by
    init_command: str

    @property
    def owner(self) -> str:
        return "a spoke's" if self.name == "spoke" else "the hub's"


SPOKE = Role("spoke", SPOKE_ID, frozenset({"settings", "interventions"}), "vrp init")
HUB = Role("hub", HUB_ID, frozenset({"hub_settings", "hub_identity"}), "vrp hub init")
# The hub first: a hub database wrongly migrated as a spoke's (before roles were recorded)
# holds both sets of tables, and is the hub's.
ROLES = (HUB, SPOKE)


def _role_by_tables(tables: set[str]) -> Role | None:
    return next((r for r in ROLES if r.marker_tables <= tables), None)


def database_path(conn: sqlite3.Connection) -> str:
    """The main file of ``conn`` (``:memory:`` if none), for messages."""
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return "the database"
    return str(row[2]) if row and row[2] else ":memory:"


def translate(exc: BaseException, path: str | Path) -> VrpError | None:
    """The refusal an SQLite or OS error means (full disk, read-only, corrupt), or None."""
    if isinstance(exc, VrpError):
        return exc
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFull(f"the disk is full; nothing was saved ({path})")
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return ReadOnlyDatabase(f"{path} cannot be written: the file or its folder is read-only")
        return None
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    text = str(exc)
    if "database or disk is full" in text or ("disk I/O error" in text and _no_space_beside(path)):
        return DiskFull(f"the disk is full; nothing was saved ({path})")
    if "readonly" in text or "read-only" in text:
        return ReadOnlyDatabase(f"{path} cannot be written: the file or its folder is read-only")
    if "file is not a database" in text or "malformed" in text:
        return CorruptDatabase(f"{path} is corrupt or not a database ({text})")
    if "unable to open database file" in text:
        return ReadOnlyDatabase(f"{path} cannot be opened for writing: is its folder read-only?")
    return None


def _no_space_beside(path: str | Path) -> bool:
    """Whether the disk holding ``path`` has no block left (SQLite says "disk I/O error" when
    it cannot even make its -shm file there)."""
    try:
        return os.statvfs(Path(path).parent).f_bavail == 0
    except OSError:
        return False


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; nested calls become savepoints.

    A full disk or a read-only file ends in DiskFull or ReadOnlyDatabase, after the
    rollback, so nothing of the transaction is kept.
    """
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO nested")
            conn.execute("RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreBusy(
                "the database is busy: another vrp process is writing to it; try again"
            ) from exc
        refusal = translate(exc, database_path(conn))
        if refusal is None:
            raise
        raise refusal from exc
    try:
        yield
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolled back already (a full disk can do that)
        refusal = translate(exc, database_path(conn)) if isinstance(exc, sqlite3.Error) else None
        if refusal is not None:
            raise refusal from exc
        raise


def make_private_file(path: Path) -> None:
    """Create ``path`` empty, mode 0600, making missing folders 0700 (existing ones keep their mode)."""
    config.prepare(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _connect(path: str | Path) -> sqlite3.Connection:
    """A connection that neither creates the file nor writes to it (no journal_mode yet)."""
    if str(path) == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None)
    else:
        uri = Path(path).absolute().as_uri() + "?mode=rw"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _check_file(path: Path) -> None:
    """Refuse a folder, a read-only file or folder, and a file that is not SQLite; reads only."""
    if path.is_dir():
        raise NotOurDatabase(f"{path} is a folder, not a database")
    if not os.access(path, os.W_OK):
        raise ReadOnlyDatabase(f"{path} is a read-only file: VRP Returns must be able to write to it")
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReadOnlyDatabase(f"{path} is in a read-only folder ({folder}): SQLite must write beside it")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise CorruptDatabase(f"{path} is corrupt or not a database (file is not a database)")


def _inspect(conn: sqlite3.Connection, path: str, role: Role, schema_version: int) -> bool:
    """Refuse a foreign, wrong-role or newer database; True if it must be initialised or migrated."""
    application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application_id == 0 and tables:
        found = _role_by_tables(tables)
        if found is None:
            raise NotOurDatabase(f"{path} is not a VRP Returns database")
        application_id = found.application_id  # made before roles were recorded: adopt it
    if application_id not in (0, role.application_id):
        other = next((r for r in ROLES if r.application_id == application_id), None)
        if other is None:
            raise NotOurDatabase(f"{path} is not a VRP Returns database")
        raise WrongRole(f"{path} is not a {role.name} database: it is {other.owner}")
    if version > schema_version:
        raise NewerDatabase(f"{path} was made by a newer version of VRP Returns "
                            f"(schema {version}, this program knows {schema_version})")
    stored_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    return version != schema_version or stored_id != role.application_id


def _initialise(conn: sqlite3.Connection, path: str, role: Role, schema_version: int,
                migrate: Callable[[sqlite3.Connection], int]) -> None:
    """Migrate and record the role under the write lock, checking again inside it."""
    with write_transaction(conn):
        if not _inspect(conn, path, role, schema_version):
            return  # another process did it while this one waited for the lock
        if conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            # An existing file to migrate or adopt (rare): check it first (reads every page once).
            problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if problem != "ok":
                raise CorruptDatabase(f"{path} is damaged: {problem}")
        version = migrate(conn)
        conn.execute(f"PRAGMA application_id = {role.application_id}")
        conn.execute(f"PRAGMA user_version = {version}")


def open_database(path: str | Path, role: Role, schema_version: int,
                  migrate: Callable[[sqlite3.Connection], int], *, create: bool) -> sqlite3.Connection:
    """A connection to ``path`` as a ``role`` database, migrated; DatabaseRefused if it cannot be.

    ``schema_version`` is the newest schema this program knows; ``migrate(conn)`` applies
    the role's pending migrations (inside the transaction) and returns the version reached.
    A missing (or, when ``create``, empty) file is made a new database only when ``create``.
    """
    name = str(path)
    if name == ":memory:":
        conn = _connect(name)
        _initialise(conn, name, role, schema_version, migrate)
        return conn
    file = Path(path)
    created = False
    try:
        if not file.exists():
            if not create:
                raise NoDatabase(f"no database at {file} ({role.init_command} creates one)")
            try:
                make_private_file(file)
                created = True
            except FileExistsError:
                pass  # another process made it a moment ago: open it as theirs (migrations take the lock)
        _check_file(file)
        if not create and not created and file.stat().st_size == 0:
            raise NoDatabase(f"{file} is empty, not a database ({role.init_command} creates one)")
        conn = _connect(file)
    except (OSError, sqlite3.Error) as exc:
        _remove_if(created, file)
        raise translate(exc, file) or DatabaseRefused(f"cannot open {file}: {exc}") from None
    except BaseException:
        _remove_if(created, file)
        raise
    try:
        needs_work = _inspect(conn, name, role, schema_version)
        conn.execute("PRAGMA journal_mode = WAL")  # ours: a no-op unless it is new
        if needs_work:
            _initialise(conn, name, role, schema_version, migrate)
    except BaseException as exc:
        conn.close()
        _remove_if(created, file)
        if isinstance(exc, sqlite3.Error | OSError):
            raise translate(exc, file) or DatabaseRefused(f"cannot open {file}: {exc}") from None
        raise
    return conn


def _remove_if(created: bool, file: Path) -> None:
    """Take away a file this open created and could not finish (a full disk, say)."""
    if not created:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{file}{suffix}").unlink(missing_ok=True)


def rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
    """The rows ``sql`` selects, each a dict by column name (both stores' ``query``)."""
    cur = conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
