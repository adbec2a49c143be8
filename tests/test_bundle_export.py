"""Exporting a signed-off return: the bundle the hub can read, its history, and every refusal."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
from bundle_samples import YOUNG_PEOPLE, fill_spoke
from conftest import PASSPHRASE

from vrp_tui.bundle import EnrolledKey, names, read_bundle
from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.spoke import export as exporting
from vrp_tui.spoke.export import ExportRefused, export_return, history, plan_export
from vrp_tui.spoke.setup import list_keys
from vrp_tui.store import Store

Q1 = Period.parse("2025-26-Q1")


@pytest.fixture
def spoke(spoke_db: Path) -> Iterator[Store]:
    """The Bristol spoke with 2025-26 Q1 signed off as version 1."""
    store = Store(spoke_db)
    fill_spoke(store)
    lifecycle.sign_off(store, Q1)
    yield store
    store.close()


def lookup(store: Store):  # type: ignore[no-untyped-def]
    enrolled = {k.key_id: EnrolledKey("bristol", k.public_key, revoked=False) for k in list_keys(store, retired=True)}
    return enrolled.get


def export(store: Store, out: Path, passphrase: str = PASSPHRASE) -> exporting.ExportRecord:
    return export_return(store, plan_export(store, "2025-26-Q1", out), passphrase)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_export_writes_a_bundle_the_hub_reads_back(spoke: Store, tmp_path: Path,
                                                   hub_identity: pyrage.x25519.Identity) -> None:
    record = export(spoke, tmp_path / "out")
    path = tmp_path / "out" / "bristol_2025-26-Q1_v1.vrpb"
    assert record.path == str(path)
    assert files_in(tmp_path / "out") == ["bristol_2025-26-Q1_v1.vrpb"]
    data = path.read_bytes()
    assert record.sha256 == hashlib.sha256(data).hexdigest() and record.size == len(data)
    bundle = read_bundle(data, hub_identity, lookup(spoke))
    assert bundle.bundle_id == record.bundle_id
    assert (bundle.spoke, bundle.period, bundle.version, bundle.supersedes) == ("bristol", "2025-26-Q1", 1, None)
    assert bundle.key_id == list_keys(spoke)[0].key_id == record.key_id
    assert bundle.document == lifecycle.latest_signed_off(spoke, Q1).document  # type: ignore[union-attr]
    assert bundle.document["totals"]["active"] == 3
    assert bundle.document["totals"]["contact_hours"] == 2.3  # 3 x 45 min = 2.25 h, half-up to 2.3


def test_export_is_recorded_and_marks_the_return_exported(spoke: Store, tmp_path: Path) -> None:
    record = export(spoke, tmp_path)
    assert history(spoke) == [record]
    assert record.exported_by == "Amy Tester"
    (version,) = lifecycle.versions(spoke, Q1)
    assert (version.status, version.exported_at) == ("exported", record.exported_at)


def test_no_young_person_s_ref_date_of_birth_or_postcode_is_in_the_bundle(
        spoke: Store, tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> None:
    record = export(spoke, tmp_path)
    archive = pyrage.decrypt(Path(record.path).read_bytes(), [hub_identity])
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        contents = [z.read(name) for name in z.namelist()]
    assert len(contents) == 6
    assert b"MENT-01" in contents[-1]  # the search does find what is there
    warnings = json.loads(contents[-1])["validation"]["warnings"]
    assert any(w["table"] == "participants" for w in warnings), warnings  # a warning about a young person
    for ref, dob in YOUNG_PEOPLE:
        day = dob.split("-")
        forms = [ref, dob, f"{day[2]}/{day[1]}/{day[0]}", dob.replace("-", "")]
        for text in forms:
            for blob in [archive, *contents]:
                assert text.encode() not in blob, f"{text} found in the bundle"
    readable = b"".join(c for name, c in zip(names.MEMBERS, contents, strict=True) if name != names.SIGNATURE)
    assert b"BS16" not in readable  # nor a postcode district


def test_exporting_the_same_version_again_reuses_its_bundle_id(spoke: Store, tmp_path: Path) -> None:
    first = export(spoke, tmp_path / "a")
    second = export(spoke, tmp_path / "b")
    assert second.bundle_id == first.bundle_id and second.supersedes is None
    assert [r.path for r in history(spoke)] == [second.path, first.path]


def test_a_later_version_supersedes_the_exported_one(spoke: Store, tmp_path: Path,
                                                    hub_identity: pyrage.x25519.Identity) -> None:
    first = export(spoke, tmp_path / "out")
    lifecycle.reopen(spoke, Q1)
    lifecycle.sign_off(spoke, Q1)
    second = export(spoke, tmp_path / "out")
    assert files_in(tmp_path / "out") == ["bristol_2025-26-Q1_v1.vrpb", "bristol_2025-26-Q1_v2.vrpb"]
    assert (second.version, second.supersedes) == (2, first.bundle_id)
    assert second.bundle_id != first.bundle_id
    bundle = read_bundle(Path(second.path).read_bytes(), hub_identity, lookup(spoke))
    assert (bundle.version, bundle.supersedes) == (2, first.bundle_id)


def test_exports_go_to_the_spoke_s_folder_setting_else_exports(spoke: Store, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert plan_export(spoke, "2025-26-Q1").path == tmp_path / "exports" / "bristol_2025-26-Q1_v1.vrpb"
    spoke.set_settings({exporting.EXPORTS_DIR_SETTING: str(tmp_path / "usb")})
    assert plan_export(spoke, "2025-26-Q1").path == tmp_path / "usb" / "bristol_2025-26-Q1_v1.vrpb"


# -- refusals: a clear reason and nothing written --------------------------------------------


def assert_nothing_written(store: Store, out: Path) -> None:
    assert files_in(out) == []
    assert history(store) == []
    assert [v.status for v in lifecycle.versions(store, Q1)] in ([], ["signed-off"])


def test_a_wrong_passphrase_is_refused(spoke: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportRefused, match="^wrong passphrase for the spoke's secret key$"):
        export(spoke, tmp_path / "out", "not the passphrase")
    assert_nothing_written(spoke, tmp_path / "out")


def test_no_passphrase_is_refused(spoke: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportRefused, match="passphrase is required"):
        export(spoke, tmp_path / "out", "")
    assert_nothing_written(spoke, tmp_path / "out")


def test_no_hub_recipient_is_refused(spoke: Store, tmp_path: Path) -> None:
    spoke.conn.execute("DELETE FROM settings WHERE key = 'hub_recipient'")
    with pytest.raises(ExportRefused, match="^no hub recipient is set"):
        export(spoke, tmp_path / "out")
    assert_nothing_written(spoke, tmp_path / "out")


def test_a_missing_key_is_refused(spoke: Store, tmp_path: Path) -> None:
    spoke.conn.execute("UPDATE spoke_keys SET retired_at = '2025-07-01T00:00:00+00:00'")
    with pytest.raises(ExportRefused, match="^this spoke has no signing key"):
        export(spoke, tmp_path / "out")
    assert_nothing_written(spoke, tmp_path / "out")


def test_a_return_not_signed_off_is_refused(spoke: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportRefused, match=r"^the 2025-26-Q2 return is not signed off: sign it off first"):
        plan_export(spoke, "2025-26-Q2", tmp_path / "out")
    with pytest.raises(ExportRefused, match="not a period"):
        plan_export(spoke, "2025-Q2", tmp_path / "out")
    assert_nothing_written(spoke, tmp_path / "out")


def test_a_reopened_return_exports_its_last_signed_off_version(spoke: Store, tmp_path: Path) -> None:
    lifecycle.reopen(spoke, Q1)
    assert export(spoke, tmp_path).version == 1


def test_a_failed_write_leaves_no_file_behind(spoke: Store, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ExportRefused, match="No space left on device"):
        export(spoke, tmp_path / "out")
    assert_nothing_written(spoke, tmp_path / "out")


def test_a_failed_record_removes_the_written_file(spoke: Store, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(lifecycle, "mark_exported", broken)
    with pytest.raises(RuntimeError):
        export(spoke, tmp_path / "out")
    assert_nothing_written(spoke, tmp_path / "out")


def test_a_file_where_the_folder_should_be(spoke: Store, tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(ExportRefused, match="is not a folder"):
        plan_export(spoke, "2025-26-Q1", tmp_path / "out")


# -- crashes and failures: no debris, the history knows every bundle, a good bundle is kept ----


REPO = Path(__file__).resolve().parent.parent
BUNDLE = "bristol_2025-26-Q1_v1.vrpb"


def export_killed(db: Path, out: Path, when: str) -> int:
    """Run an export in another process and ``kill -9`` it at ``when``; returns its pid.

    ``when`` is "fsync" (while the part file is being made durable) or "rename"
    (just after the part file was renamed into place, before the history commit).
    """
    script = f"""
import os, signal
from pathlib import Path
from vrp_tui.spoke import export as e
from vrp_tui.store import Store

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if {when!r} == "fsync":
    os.fsync = lambda fd: die()
else:
    real = os.replace
    def replace(src, dst):
        real(src, dst)
        die()
    os.replace = replace
store = Store({str(db)!r}, create=False)
e.export_return(store, e.plan_export(store, "2025-26-Q1", Path({str(out)!r})), {PASSPHRASE!r})
"""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-c", script], env=env)
    assert process.wait(timeout=120) == -signal.SIGKILL
    return process.pid


def test_a_crash_while_writing_leaves_a_part_file_the_next_export_removes(spoke: Store, spoke_db: Path,
                                                                          tmp_path: Path) -> None:
    out = tmp_path / "out"
    pid = export_killed(spoke_db, out, "fsync")
    assert files_in(out) == [f".{BUNDLE}.{pid}.part"]
    assert history(spoke) == []
    (out / f".{BUNDLE}.k2j3h4xq.part").write_bytes(b"left by an older version")  # mkstemp's names
    busy = out / f".{BUNDLE}.{os.getppid()}.part"  # a running process's export in progress
    busy.write_bytes(b"still being written")
    (out / "notes.part").write_text("not ours")
    record = export(spoke, out)
    assert files_in(out) == [busy.name, BUNDLE, "notes.part"]
    assert history(spoke) == [record]


def test_a_crash_after_the_rename_is_recorded_by_the_next_export(spoke: Store, spoke_db: Path, tmp_path: Path,
                                                                 hub_identity: pyrage.x25519.Identity) -> None:
    out = tmp_path / "out"
    export_killed(spoke_db, out, "rename")
    assert files_in(out) == [BUNDLE]
    assert history(spoke) == []  # the history transaction never committed
    data = (out / BUNDLE).read_bytes()
    plan = plan_export(spoke, "2025-26-Q1", out)  # the start of the next export puts it in the history
    (recorded,) = history(spoke)
    assert recorded.path == str(out / BUNDLE)
    assert (recorded.sha256, recorded.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert read_bundle(data, hub_identity, lookup(spoke)).bundle_id == recorded.bundle_id
    assert [v.status for v in lifecycle.versions(spoke, Q1)] == ["exported"]
    assert plan.bundle_id == recorded.bundle_id  # exporting it again sends the same bundle
    assert exporting.reconcile(spoke, out) == []  # nothing left to do


def test_re_exporting_the_same_version_replaces_the_file_whole(spoke: Store, tmp_path: Path) -> None:
    first = export(spoke, tmp_path / "out")
    second = export(spoke, tmp_path / "out")
    assert files_in(tmp_path / "out") == [BUNDLE]
    assert hashlib.sha256((tmp_path / "out" / BUNDLE).read_bytes()).hexdigest() == second.sha256
    assert history(spoke) == [second, first] and first.sha256 != second.sha256


@pytest.mark.parametrize("failing", ["history", "rename"])
def test_a_failed_re_export_keeps_the_earlier_good_bundle(spoke: Store, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    out = tmp_path / "out"
    first = export(spoke, out)
    good = (out / BUNDLE).read_bytes()

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    if failing == "history":
        monkeypatch.setattr(lifecycle, "mark_exported", broken)
    else:
        monkeypatch.setattr(os, "replace", broken)
    with pytest.raises((OSError, ExportRefused)):
        export(spoke, out)
    monkeypatch.undo()
    assert (out / BUNDLE).read_bytes() == good
    assert files_in(out) == [BUNDLE]
    assert history(spoke) == [first]
    assert exporting.reconcile(spoke, out) == [] and history(spoke) == [first]


def test_a_failure_after_the_rename_keeps_the_new_bundle_and_records_it_next_time(
        spoke: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = export(spoke, out)

    def failing_fsync(folder: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(exporting, "_fsync_folder", failing_fsync)
    with pytest.raises(ExportRefused, match=f"{BUNDLE} was written but could not be recorded .*"
                                            "the next export records it$"):
        export(spoke, out)
    monkeypatch.undo()
    kept = (out / BUNDLE).read_bytes()
    assert hashlib.sha256(kept).hexdigest() != first.sha256  # the new bundle, not deleted
    assert history(spoke) == [first]
    (second,) = exporting.reconcile(spoke, out)
    assert second.sha256 == hashlib.sha256(kept).hexdigest() and second.bundle_id == first.bundle_id
    assert history(spoke) == [second, first]
