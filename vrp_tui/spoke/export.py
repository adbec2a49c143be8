"""Exporting a signed-off return as a bundle file, and the history of what was exported.

Every reason to refuse (no such period, not signed off, no hub recipient, no
key, a wrong passphrase, a folder that cannot be written) is found before the
file is written; the file itself appears whole or not at all.

How a bundle reaches the disk, so that the history knows every bundle there
and a good bundle is never deleted: the bytes go to ``.{name}.{pid}.part``
(fsynced); the export is noted as pending in the settings (committed); then one
transaction records the history row, marks the version exported, renames the
part over ``{name}`` (atomically replacing an earlier copy of the same version),
fsyncs the folder, drops the pending note and commits. Any failure before the
rename leaves the earlier file as it was; a failure or a crash after it leaves
the new file and its pending note, and the next export (``reconcile``, at the
start of ``plan_export``) records the bundle from the note once its bytes match.
Stale ``.part`` files of dead processes are removed there too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from vrp_tui import config
from vrp_tui.bundle import names, signing, write_bundle
from vrp_tui.errors import VrpError
from vrp_tui.periods import Period, PeriodError
from vrp_tui.reference import SPOKES
from vrp_tui.returns import lifecycle
from vrp_tui.spoke.setup import hub_recipient, unlock_signing_key
from vrp_tui.store import Store
from vrp_tui.store.database import now_utc

EXPORTS_DIR_SETTING = "exports_dir"
PENDING_SETTING = "export_pending:"  # + the bundle's path: an export renamed in, not yet recorded
_PART = re.compile(r"^\.(?P<name>.+\.vrpb)\.(?P<tag>[^./]+)\.part$")


class ExportRefused(VrpError):
    """Why a bundle cannot be exported; str() is one line for the worker."""


@dataclass(frozen=True)
class ExportPlan:
    """What an export will write, worked out before the passphrase is asked."""

    period: str
    version: int
    document: dict[str, Any]
    path: Path
    bundle_id: str
    supersedes: str | None


@dataclass(frozen=True)
class ExportRecord:
    """One bundle written: a row of the export history."""

    period: str
    version: int
    bundle_id: str
    supersedes: str | None
    path: str
    sha256: str
    size: int
    key_id: str
    exported_at: str
    exported_by: str


@dataclass(frozen=True)
class Exportable:
    """A period's latest signed-off version: what exporting that period writes."""

    period: str
    label: str  # "2025/26 Q1 (Apr–Jun 2025)"
    version: int
    status: str  # signed-off or exported
    signed_off_by: str
    signed_off_at: str


def exportable(store: Store) -> list[Exportable]:
    """Every period with a signed-off version, newest period first."""
    periods = [Period.parse(r["period"]) for r in store.query("SELECT DISTINCT period FROM return_versions")]
    out = []
    for period in sorted(periods, key=lambda p: p.code, reverse=True):
        last = lifecycle.versions(store, period)[-1]
        out.append(Exportable(period.code, period.label, last.version, last.status, last.signed_off_by,
                              last.signed_off_at))
    return out


def exports_dir(store: Store) -> Path:
    """Where bundles go unless the worker picks a folder: the spoke's setting, else ``exports/``."""
    chosen = store.setting(EXPORTS_DIR_SETTING)
    return Path(chosen) if chosen else config.default_exports()


def plan_export(store: Store, period: str, out_dir: Path | None = None) -> ExportPlan:
    """Check everything but the passphrase; ExportRefused says what stands in the way."""
    try:
        parsed = Period.parse(period)
    except PeriodError as exc:
        raise ExportRefused(str(exc)) from None
    code = parsed.code
    spoke = store.spoke
    if not spoke:
        raise ExportRefused("this database is not set up as a spoke: run `vrp init` first")
    frozen = lifecycle.latest_signed_off(store, parsed)
    if frozen is None:
        raise ExportRefused(
            f"the {code} return is not signed off: sign it off first (vrp return sign-off {code})"
        )
    if problem := lifecycle.export_problem(store, parsed, frozen):
        raise ExportRefused(problem)
    if not hub_recipient(store):
        raise ExportRefused("no hub recipient is set: set it first (vrp keys recipient AGE1...)")
    folder = (out_dir or exports_dir(store)).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ExportRefused(f"{folder} is not a folder")
    version = frozen.info.version
    reconcile(store, folder)
    earlier = _same_version_export(store, code, version)
    return ExportPlan(
        period=code,
        version=version,
        document=frozen.document,
        path=(folder / names.file_name(spoke, code, version)).absolute(),
        bundle_id=earlier.bundle_id if earlier else str(uuid.uuid4()),
        supersedes=earlier.supersedes if earlier else _superseded(store, code, version),
    )


def export_return(store: Store, plan: ExportPlan, passphrase: str | None, *,
                  bagging_date: date | None = None, at: datetime | None = None) -> ExportRecord:
    """Unlock the key, write the bundle, record it; ExportRefused (nothing written) on any refusal.

    ``at`` is when it was exported (default now); only a replay of the past, such as the demo's, gives another.
    """
    try:
        key_id, secret = unlock_signing_key(store, passphrase)
    except signing.KeyProblem as exc:
        raise ExportRefused(str(exc)) from None
    spoke = store.spoke
    recipient = hub_recipient(store)
    assert spoke and recipient, "plan_export checked the spoke and its hub recipient"
    try:
        data = write_bundle(
            plan.document, spoke=spoke, spoke_name=SPOKES[spoke].name, period=plan.period,
            version=plan.version, bundle_id=plan.bundle_id, supersedes=plan.supersedes,
            secret_key=secret, hub_recipient=recipient, bagging_date=bagging_date or (at.date() if at else None),
        )
    finally:
        secret.wipe()
    record = ExportRecord(
        period=plan.period, version=plan.version, bundle_id=plan.bundle_id, supersedes=plan.supersedes,
        path=str(plan.path), sha256=hashlib.sha256(data).hexdigest(), size=len(data), key_id=key_id,
        exported_at=at.astimezone(UTC).isoformat(timespec="seconds") if at else now_utc(), exported_by=store.worker,
    )
    _publish(store, record, data)
    return record


def _publish(store: Store, record: ExportRecord, data: bytes) -> None:
    """Put ``data`` at ``record.path`` and in the history together (see the module's docstring)."""
    path = Path(record.path)
    part = _write_part(path, data)
    try:
        store.set_settings({PENDING_SETTING + record.path: json.dumps(asdict(record))})
        with store.transaction():
            _record(store, record)
            try:
                os.replace(part, path)
                _fsync_folder(path.parent)
            except OSError as exc:
                raise ExportRefused(f"cannot write {path}: {exc.strerror or exc}") from None
            store.conn.execute("DELETE FROM settings WHERE key = ?", [PENDING_SETTING + record.path])
    except BaseException as exc:
        part.unlink(missing_ok=True)  # never the bundle itself: an earlier good copy, or this new one
        if not _holds(path, record.sha256):
            _forget_pending(store, record.path)
            raise
        if isinstance(exc, VrpError):  # the commit failed after the rename (a full disk, say)
            raise ExportRefused(f"{path} was written but could not be recorded ({exc.message}); "
                                "the next export records it") from exc
        raise


def _record(store: Store, record: ExportRecord) -> None:
    """The history row and the version marked exported (inside the caller's transaction)."""
    store.conn.execute(
        "INSERT INTO bundle_exports (period, version, bundle_id, supersedes, path, sha256, size, "
        "key_id, exported_at, exported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [record.period, record.version, record.bundle_id, record.supersedes, record.path,
         record.sha256, record.size, record.key_id, record.exported_at, record.exported_by],
    )
    lifecycle.mark_exported(store, Period.parse(record.period), record.version, record.exported_at)


def reconcile(store: Store, folder: Path) -> list[ExportRecord]:
    """Tidy after an export that crashed: returns the bundles recorded now.

    A pending export whose file holds its bytes is recorded in the history; one
    whose file does not (the rename never happened) is dropped. ``.part`` files of
    bundles in ``folder`` left by a process that is no longer running are removed.
    """
    recorded = []
    pending = store.query("SELECT key, value FROM settings WHERE key LIKE ? ORDER BY key",
                          [PENDING_SETTING + "%"])
    for row in pending:
        record = ExportRecord(**json.loads(row["value"]))
        with store.transaction():
            known = store.query("SELECT 1 FROM bundle_exports WHERE path = ? AND sha256 = ?",
                                [record.path, record.sha256])
            if _holds(Path(record.path), record.sha256) and not known:
                _record(store, record)
                recorded.append(record)
            store.conn.execute("DELETE FROM settings WHERE key = ?", [row["key"]])
    _remove_stale_parts(folder)
    return recorded


def _remove_stale_parts(folder: Path) -> None:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return  # no folder yet, or not readable: nothing of ours to tidy
    for entry in entries:
        match = _PART.match(entry.name)
        if match is None:
            continue
        tag = match["tag"]
        if tag.isdigit() and int(tag) != os.getpid() and _running(int(tag)):
            continue  # another export is writing it now
        try:
            entry.unlink()
        except OSError:
            pass  # removed meanwhile, or the folder is read-only: the export itself will say so


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _holds(path: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def _forget_pending(store: Store, path: str) -> None:
    try:
        with store.transaction():
            store.conn.execute("DELETE FROM settings WHERE key = ?", [PENDING_SETTING + path])
    except Exception:  # noqa: BLE001 - best effort: reconcile drops it at the next export anyway
        pass


def _write_part(path: Path, data: bytes) -> Path:
    """``data`` in ``.{name}.{pid}.part`` beside ``path``, fsynced; ExportRefused if it cannot be."""
    part = path.parent / f".{path.name}.{os.getpid()}.part"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    except OSError as exc:
        raise ExportRefused(f"cannot write into {path.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException as exc:
        part.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportRefused(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return part


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_atomically(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` whole, or is untouched: part file, fsync, rename, fsync the folder."""
    part = _write_part(path, data)
    try:
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise ExportRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    _fsync_folder(path.parent)


def history(store: Store, period: str | None = None, *, limit: int = -1) -> list[ExportRecord]:
    """Bundles written, newest first (for one period, or all; at most ``limit`` if given)."""
    where, params = (" WHERE period = ?", [period]) if period else ("", [])
    rows = store.query(
        "SELECT period, version, bundle_id, supersedes, path, sha256, size, key_id, exported_at, exported_by "
        f"FROM bundle_exports{where} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    return [ExportRecord(**row) for row in rows]


def _same_version_export(store: Store, period: str, version: int) -> ExportRecord | None:
    """An earlier export of this very version: exporting again reuses its bundle id."""
    return next((r for r in history(store, period) if r.version == version), None)


def _superseded(store: Store, period: str, version: int) -> str | None:
    """The bundle id of the newest exported earlier version of the period, if any."""
    earlier = [r for r in history(store, period) if r.version < version]
    return max(earlier, key=lambda r: r.version).bundle_id if earlier else None
