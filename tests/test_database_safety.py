"""Foreign, broken and unwritable databases are refused in one line before anything is written
(SPEC section 9, last paragraph); a mistyped --db creates nothing (section 6); files are private."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pyrage
import pytest
from click.testing import CliRunner, Result
from conftest import PASSPHRASE

from vrp_tui.app import make_app
from vrp_tui.cli import main
from vrp_tui.hub.migrations import migrations as hub_migrations
from vrp_tui.hub.store import SCHEMA_VERSION as HUB_SCHEMA_VERSION
from vrp_tui.hub.store import HubStore
from vrp_tui.hub_app import make_hub_app
from vrp_tui.store import Store
from vrp_tui.store.database import SCHEMA_VERSION
from vrp_tui.store.opening import (
    HUB_ID,
    SPOKE_ID,
    CorruptDatabase,
    DatabaseRefused,
    NewerDatabase,
    NoDatabase,
    NotOurDatabase,
    ReadOnlyDatabase,
    WrongRole,
)

REPO = Path(__file__).resolve().parent.parent


def vrp(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], env={"VRP_PASSPHRASE": PASSPHRASE})


def fingerprint(path: Path) -> str:
    """The bytes of the database and of any -wal beside it."""
    digest = hashlib.sha256(path.read_bytes())
    wal = Path(f"{path}-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()


def one_line_refusal(result: Result, *fragments: str) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def made_hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub set up by ``vrp hub init`` (slow: scrypt), copied per test."""
    path = tmp_path_factory.mktemp("hub") / "hub.db"
    result = vrp(path, "hub", "init")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def hub_db(made_hub: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hub.db"
    shutil.copy(made_hub, path)
    return path


def recipient(identity: pyrage.x25519.Identity) -> str:
    return str(identity.to_public())


# -- the role and version recorded in the file -------------------------------


def test_new_databases_record_their_role_and_schema(tmp_path: Path) -> None:
    for path, opener, app_id, version in ((tmp_path / "s.db", Store, SPOKE_ID, SCHEMA_VERSION),
                                          (tmp_path / "h.db", HubStore, HUB_ID, HUB_SCHEMA_VERSION)):
        opener(path).close()
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == app_id
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        conn.close()
    assert (SPOKE_ID, HUB_ID) == (0x56525053, 0x56525048)  # "VRPS", "VRPH" as docs/data.md says
    assert len(hub_migrations.pending(__import__("sqlite_utils").Database(":memory:"))) == HUB_SCHEMA_VERSION


def test_a_hub_database_is_refused_by_every_spoke_way_in(hub_db: Path, hub_identity: pyrage.x25519.Identity) -> None:
    before = fingerprint(hub_db)
    with pytest.raises(WrongRole, match=r"hub\.db is not a spoke database: it is the hub's$"):
        Store(hub_db)
    line = one_line_refusal(vrp(hub_db, "return", "show", "2025-26-Q1"), str(hub_db), "not a spoke database")
    assert line == f"Error: {hub_db} is not a spoke database: it is the hub's"
    init = vrp(hub_db, "init", "--spoke", "bristol", "--worker", "Amy", "--hub-recipient", recipient(hub_identity))
    one_line_refusal(init, "not a spoke database")
    assert fingerprint(hub_db) == before
    conn = sqlite3.connect(hub_db)
    assert "settings" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()


def test_a_spoke_database_is_refused_as_the_hub_s(spoke_db: Path) -> None:
    before = fingerprint(spoke_db)
    with pytest.raises(WrongRole, match=r"spoke\.db is not a hub database: it is a spoke's$"):
        HubStore(spoke_db)
    one_line_refusal(vrp(spoke_db, "hub", "status"), str(spoke_db), "not a hub database")
    one_line_refusal(vrp(spoke_db, "hub", "init"), "not a hub database")
    assert fingerprint(spoke_db) == before


def test_a_database_from_before_roles_were_recorded_is_adopted(spoke_db: Path, hub_db: Path) -> None:
    for path in (spoke_db, hub_db):
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA application_id = 0")
        if path == hub_db:
            conn.execute("PRAGMA user_version = 0")  # the hub did not keep its version before
        conn.commit()
        conn.close()
    store = Store(spoke_db)
    assert store.spoke == "bristol"
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == SPOKE_ID
    store.close()
    hub = HubStore(hub_db)
    assert hub.recipient and hub.recipient.startswith("age1")
    assert hub.conn.execute("PRAGMA application_id").fetchone()[0] == HUB_ID
    assert hub.conn.execute("PRAGMA user_version").fetchone()[0] == HUB_SCHEMA_VERSION
    hub.close()
    # adopted by its tables, an old hub database is still no spoke's
    conn = sqlite3.connect(hub_db)
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    with pytest.raises(WrongRole):
        Store(hub_db)


@pytest.mark.parametrize("opener", [Store, HubStore], ids=["spoke", "hub"])
def test_a_newer_schema_is_refused(tmp_path: Path, opener: type[Store] | type[HubStore]) -> None:
    path = tmp_path / "new.db"
    opener(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    knows = SCHEMA_VERSION if opener is Store else HUB_SCHEMA_VERSION
    message = f"{path} was made by a newer version of VRP Returns (schema 999, this program knows {knows})"
    with pytest.raises(NewerDatabase) as refused:
        opener(path)
    assert str(refused.value) == message
    command = ("return", "show", "2025-26-Q1") if opener is Store else ("hub", "status")
    assert one_line_refusal(vrp(path, *command)) == f"Error: {message}"
    assert fingerprint(path) == before
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 999
    conn.close()


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    for opener in (Store, HubStore):
        with pytest.raises(NotOurDatabase, match=r"notes\.db is not a VRP Returns database$"):
            opener(path)
    one_line_refusal(vrp(path, "return", "show", "2025-26-Q1"), "is not a VRP Returns database")
    one_line_refusal(vrp(path, "hub", "status"), "is not a VRP Returns database")
    one_line_refusal(vrp(path, "init", "--spoke", "bristol", "--worker", "A", "--hub-recipient", "age1x"),
                     "is not a VRP Returns database")
    assert fingerprint(path) == before
    assert not Path(f"{path}-wal").exists()  # not even switched to WAL


def test_another_program_s_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    with pytest.raises(NotOurDatabase):
        Store(path)
    assert fingerprint(path) == before


def test_a_corrupt_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spoke.db"
    path.write_bytes(bytes(range(256)) * 40)
    before = fingerprint(path)
    for opener in (Store, HubStore):
        with pytest.raises(CorruptDatabase, match=r"spoke\.db is corrupt or not a database \(file is not a database\)"):
            opener(path)
    one_line_refusal(vrp(path, "return", "versions", "2025-26-Q1"), "corrupt", "file is not a database")
    one_line_refusal(vrp(path, "hub", "status"), "corrupt")
    assert fingerprint(path) == before


def test_a_damaged_database_is_refused(spoke_db: Path) -> None:
    conn = sqlite3.connect(spoke_db)
    conn.execute("PRAGMA application_id = 0")  # from before roles were recorded: checked, then adopted
    conn.commit()
    conn.close()
    data = bytearray(spoke_db.read_bytes())
    page = 4096
    for start in range(3 * page, len(data), page):  # every page after the schema's, overwritten
        data[start:start + page] = bytes((start // page * 37 + i * 11) % 256 for i in range(page))
    spoke_db.write_bytes(bytes(data))
    before = fingerprint(spoke_db)
    with pytest.raises(CorruptDatabase, match=r"spoke\.db is (corrupt or not a database|damaged)"):
        Store(spoke_db)
    one_line_refusal(vrp(spoke_db, "return", "show", "2025-26-Q1"), str(spoke_db))
    assert fingerprint(spoke_db) == before


def test_a_folder_given_as_the_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotOurDatabase, match="is a folder, not a database"):
        Store(tmp_path)


# -- read-only files and folders, a full disk ---------------------------------


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i``: unwritable even for root (tests run as root, where chmod 0400 stops nothing)."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed: cannot make a file read-only for root")
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"this filesystem cannot make files immutable: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_file_is_refused(spoke_db: Path) -> None:
    before = fingerprint(spoke_db)
    with immutable(spoke_db):
        assert not os.access(spoke_db, os.W_OK)
        with pytest.raises(ReadOnlyDatabase, match=r"spoke\.db is a read-only file"):
            Store(spoke_db)
        one_line_refusal(vrp(spoke_db, "return", "show", "2025-26-Q1"), str(spoke_db), "read-only file")
        one_line_refusal(vrp(spoke_db, "import", "interventions", str(spoke_db)), "read-only file")
    assert fingerprint(spoke_db) == before


def test_a_read_only_folder_is_refused(spoke_db: Path, tmp_path: Path) -> None:
    before = fingerprint(spoke_db)
    with immutable(tmp_path):
        with pytest.raises(ReadOnlyDatabase, match="is in a read-only folder"):
            Store(spoke_db)
        one_line_refusal(vrp(spoke_db, "keys", "show"), "read-only folder")
        new = tmp_path / "new.db"
        one_line_refusal(vrp(new, "init", "--spoke", "bristol", "--worker", "A", "--hub-recipient", "age1x"),
                         str(new), "read-only")
        assert not new.exists()
    assert fingerprint(spoke_db) == before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs mounted for the test (we are root in the test sandbox), else skipped."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill: {made.stderr.strip() or made.returncode}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(folder: Path) -> None:
    """Fill the disk holding ``folder`` to the last byte."""
    handle = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(handle, b"\0" * size)
    finally:
        os.close(handle)


def vrp_process(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``vrp`` in its own process: a full disk must not be met by the test process itself."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "VRP_PASSPHRASE": PASSPHRASE}
    return subprocess.run([sys.executable, "-c", "from vrp_tui.cli import main; main()", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, input=stdin, timeout=120)


def test_a_full_disk_is_refused_and_nothing_is_saved(small_disk: Path, tmp_path: Path,
                                                     hub_identity: pyrage.x25519.Identity) -> None:
    path = small_disk / "spoke.db"
    made = vrp_process(path, "init", "--spoke", "bristol", "--worker", "Amy", "--hub-recipient",
                       recipient(hub_identity))
    assert made.returncode == 0, made.stderr
    rows = "".join(f"IN{n:04},Mentoring {n} {'x' * 200},Provider,mentoring,secondary,community,2025-04-01,,\n"
                   for n in range(400))
    csv = tmp_path / "interventions.csv"
    csv.write_text("ref,name,provider,approach,prevention_level,setting,start_date,end_date,description\n" + rows)
    fill(small_disk)
    before = fingerprint(path)
    done = vrp_process(path, "import", "interventions", str(csv))
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [f"Error: the disk is full; nothing was saved ({path})"]
    assert fingerprint(path) == before
    (small_disk / "filler").unlink()
    store = Store(path, create=False)
    assert store.count("interventions") == 0 and store.spoke == "bristol"
    store.close()


def test_a_new_database_on_a_full_disk_leaves_no_file(small_disk: Path, hub_identity: pyrage.x25519.Identity) -> None:
    fill(small_disk)
    path = small_disk / "spoke.db"
    made = vrp_process(path, "init", "--spoke", "bristol", "--worker", "Amy", "--hub-recipient",
                       recipient(hub_identity))
    assert made.returncode == 1
    assert len(made.stderr.splitlines()) == 1 and "the disk is full" in made.stderr, made.stderr
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


# -- a mistyped --db creates nothing -------------------------------------------


CREATING = {"init", "demo", "hub init", "", "hub"}  # and the TUIs (no command): the set-up screen


def non_creating_commands(tmp_path: Path) -> dict[str, list[str]]:
    csv = tmp_path / "x.csv"
    csv.write_text("ref\n")
    return {
        "backup": ["backup", str(tmp_path / "copy.db")],
        "export": ["export", "2025-26-Q1"],
        "import": ["import", "interventions", str(csv)],
        "keys passphrase": ["keys", "passphrase"],
        "keys recipient": ["keys", "recipient"],
        "keys rotate": ["keys", "rotate"],
        "keys show": ["keys", "show"],
        "keys hub-key": ["keys", "hub-key", "RWQ"],
        "receipt import": ["receipt", "import", str(csv)],
        "return build": ["return", "build", "2025-26-Q1"],
        "return diff": ["return", "diff", "2025-26-Q1", "1"],
        "return narrative": ["return", "narrative", "2025-26-Q1", "--highlights", "x"],
        "return reopen": ["return", "reopen", "2025-26-Q1"],
        "return show": ["return", "show", "2025-26-Q1"],
        "return sign-off": ["return", "sign-off", "2025-26-Q1"],
        "return versions": ["return", "versions", "2025-26-Q1"],
        "hub enroll": ["hub", "enroll", "bristol", "RWQ"],
        "hub import": ["hub", "import", str(csv)],
        "hub identity": ["hub", "identity"],
        "hub receipt": ["hub", "receipt", "bristol", "2025-26-Q1"],
        "hub keys": ["hub", "keys"],
        "hub report": ["hub", "report", "2025-26-Q1"],
        "hub review": ["hub", "review", "bristol", "2025-26-Q1", "--accept"],
        "hub revoke": ["hub", "revoke", "bristol"],
        "hub settings": ["hub", "settings"],
        "hub show": ["hub", "show", "bristol", "2025-26-Q1"],
        "hub status": ["hub", "status"],
    }


def every_command() -> set[str]:
    ctx = click.Context(main)
    found: set[str] = set()

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                walk(sub, [*path, name])
        found.add(" ".join(path))

    walk(main, [])
    return found - {"keys", "return", "receipt"}  # groups with no command of their own


def test_the_walk_covers_every_command(tmp_path: Path) -> None:
    assert set(non_creating_commands(tmp_path)) | CREATING == every_command()


def test_a_mistyped_db_is_refused_by_every_command_that_does_not_create_one(tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "spoek.db"
    for name, args in non_creating_commands(tmp_path).items():
        result = vrp(typo, *args)
        init = "vrp hub init" if name.startswith("hub") else "vrp init"
        line = one_line_refusal(result)
        assert line == f"Error: no database at {typo} ({init} creates one)", name
        assert not typo.parent.exists(), name


def test_an_empty_file_is_not_made_a_database_by_a_command_that_does_not_create_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    line = one_line_refusal(vrp(empty, "return", "show", "2025-26-Q1"))
    assert line == f"Error: {empty} is empty, not a database (vrp init creates one)"
    one_line_refusal(vrp(empty, "hub", "status"), "is empty, not a database (vrp hub init creates one)")
    assert empty.read_bytes() == b""
    Store(empty).close()  # what creates a database may use the empty file
    assert sqlite3.connect(empty).execute("PRAGMA application_id").fetchone()[0] == SPOKE_ID


def test_vrp_db_in_the_environment_is_checked_the_same(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    for args in (["hub", "status"], ["return", "show", "2025-26-Q1"]):
        result = CliRunner().invoke(main, args, env={"VRP_DB": str(typo)})
        assert "no database at" in one_line_refusal(result)
    assert not typo.exists()


def test_init_creates_the_database_others_then_open(tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> None:
    path = tmp_path / "spoke.db"
    made = vrp(path, "init", "--spoke", "bristol", "--worker", "Amy", "--hub-recipient", recipient(hub_identity))
    assert made.exit_code == 0, made.output
    assert vrp(path, "keys", "show").exit_code == 0
    assert Store(path, create=False).spoke == "bristol"
    with pytest.raises(NoDatabase, match=r"^no database at .*other\.db \(vrp init creates one\)$"):
        Store(tmp_path / "other.db", create=False)
    with pytest.raises(NoDatabase, match=r"\(vrp hub init creates one\)$"):
        HubStore(tmp_path / "other.db", create=False)
    assert not (tmp_path / "other.db").exists()


# -- private files ---------------------------------------------------------------


@pytest.fixture
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("usual_umask")
def test_new_databases_are_private_in_a_private_folder(tmp_path: Path,
                                                       hub_identity: pyrage.x25519.Identity) -> None:
    spoke = tmp_path / "made" / "deeper" / "spoke.db"
    made = vrp(spoke, "init", "--spoke", "bristol", "--worker", "Amy", "--hub-recipient", recipient(hub_identity))
    assert made.exit_code == 0, made.output
    assert mode(spoke) == 0o600
    assert mode(tmp_path / "made") == 0o700 and mode(tmp_path / "made" / "deeper") == 0o700
    store = Store(spoke)
    store.set_settings({"probe": "1"})
    for side in ("-wal", "-shm"):
        assert mode(Path(f"{spoke}{side}")) == 0o600, side
    store.backup(tmp_path / "copy.db")
    assert mode(tmp_path / "copy.db") == 0o600  # a backup holds the signing key too
    store.close()
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    HubStore(shared / "hub.db").close()
    assert mode(shared / "hub.db") == 0o600
    assert mode(shared) == 0o755  # a folder we did not make keeps its mode


# -- migrations under the write lock --------------------------------------------


def test_migrations_run_inside_the_write_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vrp_tui.store.migrations import migrations as spoke_migrations

    seen: list[tuple[str, bool]] = []
    for name, migrations in (("spoke", spoke_migrations), ("hub", hub_migrations)):
        real = migrations.apply

        def apply(db, *, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            seen.append((_name, db.conn.in_transaction))
            return _real(db, **kwargs)

        monkeypatch.setattr(migrations, "apply", apply)
    Store(tmp_path / "s.db").close()
    HubStore(tmp_path / "h.db").close()
    assert seen == [("spoke", True), ("hub", True)]
    seen.clear()
    Store(tmp_path / "s.db").close()  # up to date: no migration at all
    HubStore(tmp_path / "h.db").close()
    assert seen == []


# -- the TUIs --------------------------------------------------------------------


async def test_the_spoke_app_on_a_hub_database_exits_with_the_reason(hub_db: Path) -> None:
    before = fingerprint(hub_db)
    app = make_app(hub_db)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1
    assert app.refusal == f"{hub_db} is not a spoke database: it is the hub's"  # `vrp` prints it on stderr
    assert fingerprint(hub_db) == before


async def test_the_hub_app_on_a_spoke_database_exits_with_the_reason(spoke_db: Path) -> None:
    before = fingerprint(spoke_db)
    app = make_hub_app(spoke_db)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1
    assert app.refusal == f"{spoke_db} is not a hub database: it is a spoke's"
    assert fingerprint(spoke_db) == before


def test_every_refusal_is_a_database_refusal() -> None:
    for kind in (NoDatabase, NotOurDatabase, WrongRole, NewerDatabase, CorruptDatabase, ReadOnlyDatabase):
        assert issubclass(kind, DatabaseRefused)
