"""Receipts end to end (issue #13, SPEC section 5 "Receipts"): the hub's review reaches the spoke.

A spoke exports, the hub imports and reviews, writes a receipt, the spoke
imports it and `vrp return versions` shows the hub's state and note. Every
refusal leaves the spoke's database exactly as it was.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import minisign
import pytest
from click.testing import CliRunner, Result
from test_hub_end_to_end import spoke_csvs

from vrp_tui.bundle import receipt as receipts
from vrp_tui.bundle import signing
from vrp_tui.cli import main

PASSPHRASE = "receipt round trip passphrase"
Q1 = "2025-26-Q1"


def vrp(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], env={"VRP_PASSPHRASE": PASSPHRASE})


def ok(db: Path, *args: str) -> str:
    result = vrp(db, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def dump(db: Path) -> list[Any]:
    """Every row of every table: the database's whole content, to compare before and after."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)) for t in tables]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A hub and the BaNES spoke (with the hub's key), v1 of Q1 exported and imported at the hub."""
    root = tmp_path_factory.mktemp("receipts")
    hub, spoke = root / "hub.db", root / "banes.db"
    recipient, hub_key = ok(hub, "hub", "init").splitlines()
    line = ok(spoke, "init", "--spoke", "banes", "--worker", "Bea Worker", "--hub-recipient", recipient,
              "--hub-key", hub_key)
    ok(hub, "hub", "enroll", "banes", line.strip().splitlines()[-1])
    folder = root / "csv"
    folder.mkdir()
    for kind, path in spoke_csvs(folder, 1).items():
        ok(spoke, "import", kind, path)
    ok(spoke, "return", "sign-off", Q1)
    bundle = ok(spoke, "export", Q1, "--out", str(root / "exports")).strip()
    assert ok(hub, "hub", "import", bundle) == "banes_2025-26-Q1_v1.vrpb: imported\n"
    return {"root": root, "hub": hub, "spoke": spoke, "recipient": recipient, "hub_key": hub_key}


@pytest.fixture
def world(made: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """A private copy of the made hub and spoke for one test."""
    hub, spoke = tmp_path / "hub.db", tmp_path / "banes.db"
    shutil.copy(made["hub"], hub)
    shutil.copy(made["spoke"], spoke)
    return {**made, "hub": hub, "spoke": spoke, "out": tmp_path / "receipts"}


def test_hub_init_and_identity_print_the_recipient_and_the_signing_key(world: dict[str, Any]) -> None:
    assert world["recipient"].startswith("age1") and world["hub_key"].startswith("RW")
    assert ok(world["hub"], "hub", "identity").splitlines() == [world["recipient"], world["hub_key"]]
    # The key is a usable minisign key, the one the hub signs receipts with.
    assert signing.public_key_line(world["hub_key"]) == world["hub_key"]


def test_round_trip_returned_with_issues_then_accepted_after_v2(world: dict[str, Any]) -> None:
    hub, spoke, out = world["hub"], world["spoke"], world["out"]
    ok(hub, "hub", "review", "banes", Q1, "--issues", "Spend for NAV01 looks doubled", "--by", "Ann Analyst")
    path = Path(ok(hub, "hub", "receipt", "banes", Q1, "--out", str(out)).strip())
    assert path == out / "banes_2025-26-Q1_v1.vrpr"
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["receipt.json", "receipt.json.minisig"]
        body = json.loads(archive.read("receipt.json"))
    assert sorted(body) == sorted(receipts.FIELDS)
    assert (body["spoke"], body["period"], body["version"], body["state"], body["note"]) == (
        "banes", Q1, 1, "returned-with-issues", "Spend for NAV01 looks doubled")
    exported = sqlite3.connect(spoke).execute("SELECT bundle_id, sha256 FROM bundle_exports").fetchone()
    assert (body["bundle_id"], body["bundle_sha256"]) == exported

    assert ok(spoke, "receipt", "import", str(path)) == (
        "banes_2025-26-Q1_v1.vrpr: recorded: banes 2025-26-Q1 v1 returned with issues: "
        "Spend for NAV01 looks doubled\n")
    lines = ok(spoke, "return", "versions", Q1).splitlines()
    assert lines[0].endswith("; hub: returned with issues: Spend for NAV01 looks doubled"), lines
    # The same file again changes nothing.
    assert ok(spoke, "receipt", "import", str(path)).endswith(": already recorded: banes 2025-26-Q1 v1 "
                                                            "returned with issues: Spend for NAV01 looks doubled\n")

    ok(spoke, "return", "reopen", Q1)
    ok(spoke, "return", "sign-off", Q1)
    v2 = ok(spoke, "export", Q1, "--out", str(world["root"] / "exports2")).strip()
    assert ok(hub, "hub", "import", v2).endswith("imported, supersedes version 1\n")
    ok(hub, "hub", "review", "banes", Q1, "--accept", "--by", "Ann Analyst")
    path2 = Path(ok(hub, "hub", "receipt", "banes", Q1, "--out", str(out)).strip())
    assert path2.name == "banes_2025-26-Q1_v2.vrpr"
    assert ok(spoke, "receipt", "import", str(path2)).startswith("banes_2025-26-Q1_v2.vrpr: recorded: "
                                                                "banes 2025-26-Q1 v2 accepted")
    lines = ok(spoke, "return", "versions", Q1).splitlines()
    assert lines[0].endswith("; hub: returned with issues: Spend for NAV01 looks doubled")
    assert lines[1].startswith("v2 ") and lines[1].endswith("; hub: accepted"), lines


def test_one_receipt_per_bundle_and_state(world: dict[str, Any]) -> None:
    hub, out = world["hub"], world["out"]
    first = Path(ok(hub, "hub", "receipt", "banes", Q1, "--out", str(out)).strip()).read_bytes()
    again = Path(ok(hub, "hub", "receipt", "banes", Q1, "--out", str(out / "again")).strip()).read_bytes()
    assert first == again  # nothing changed: the same receipt, byte for byte
    assert json.loads(zipfile.ZipFile(io.BytesIO(first)).read("receipt.json"))["state"] == "received"
    ok(hub, "hub", "review", "banes", Q1, "--accept", "--by", "Ann Analyst")
    third = Path(ok(hub, "hub", "receipt", "banes", Q1, "--out", str(out)).strip()).read_bytes()
    assert json.loads(zipfile.ZipFile(io.BytesIO(third)).read("receipt.json"))["state"] == "accepted"
    count = sqlite3.connect(hub).execute("SELECT count(*) FROM receipts").fetchone()[0]
    assert count == 2


def test_hub_receipt_for_nothing_held_is_refused(world: dict[str, Any]) -> None:
    result = vrp(world["hub"], "hub", "receipt", "bristol", Q1, "--out", str(world["out"]))
    assert result.exit_code == 1 and "no return from bristol for 2025-26-Q1 is held" in result.stderr


def _refused(world: dict[str, Any], path: Path, reason: str) -> None:
    before = dump(world["spoke"])
    result = vrp(world["spoke"], "receipt", "import", str(path))
    assert result.exit_code == 1, result.output
    assert result.stdout == f"{path.name}: refused: {reason}\n"
    assert result.stderr.strip().splitlines() == ["Error: 1 of 1 receipt refused"]
    assert dump(world["spoke"]) == before


def _receipt(world: dict[str, Any]) -> Path:
    ok(world["hub"], "hub", "review", "banes", Q1, "--issues", "Two contacts dated in July", "--by", "A")
    return Path(ok(world["hub"], "hub", "receipt", "banes", Q1, "--out", str(world["out"])).strip())


def _rezip(files: dict[str, bytes], path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def test_a_receipt_signed_by_another_key_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    path = _receipt(world)
    files = {n: zipfile.ZipFile(path).read(n) for n in receipts.MEMBERS}
    other = minisign.KeyPair.generate()
    body = json.loads(files["receipt.json"])
    forged = receipts.write_receipt(receipts.Receipt(**body), other.secret_key)
    (tmp_path / "forged.vrpr").write_bytes(forged)
    their = signing.key_id(bytes(other.public_key).decode())
    ours = signing.key_id(world["hub_key"])
    _refused(world, tmp_path / "forged.vrpr", f"signed by key {their}, not the hub's key {ours}")


def test_a_receipt_for_a_bundle_never_exported_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    path = _receipt(world)
    body = json.loads(zipfile.ZipFile(path).read("receipt.json"))
    body["bundle_id"] = "0b5c3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
    conn = sqlite3.connect(world["hub"])
    secret = conn.execute("SELECT secret_key FROM hub_signing_key").fetchone()[0]
    key = signing.unlock(secret, PASSPHRASE)
    (tmp_path / "other.vrpr").write_bytes(receipts.write_receipt(receipts.Receipt(**body), key))
    _refused(world, tmp_path / "other.vrpr",
             "this spoke never exported bundle 0b5c3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b (2025-26-Q1 v1)")


def test_a_tampered_receipt_json_is_refused(world: dict[str, Any], tmp_path: Path) -> None:
    path = _receipt(world)
    files = {n: zipfile.ZipFile(path).read(n) for n in receipts.MEMBERS}
    files["receipt.json"] = files["receipt.json"].replace(b"returned-with-issues", b"accepted")
    _refused(world, _rezip(files, tmp_path / "tampered.vrpr"),
             "the signature does not verify: receipt.json was altered after the hub signed it")


def test_an_older_receipt_after_a_newer_one_changes_nothing(world: dict[str, Any]) -> None:
    spoke, hub, out = world["spoke"], world["hub"], world["out"]
    older = Path(ok(hub, "hub", "receipt", "banes", Q1, "--out", str(out / "first")).strip())
    newer = _receipt(world)
    ok(spoke, "receipt", "import", str(newer))
    before = dump(spoke)
    assert ok(spoke, "receipt", "import", str(older)) == (
        f"{older.name}: older than the receipt held for banes 2025-26-Q1 v1: nothing changed\n")
    assert dump(spoke) == before
    assert ok(spoke, "return", "versions", Q1).splitlines()[0].endswith(
        "; hub: returned with issues: Two contacts dated in July")


def test_no_hub_key_recorded_says_how_to_add_it(world: dict[str, Any]) -> None:
    path = _receipt(world)
    conn = sqlite3.connect(world["spoke"])
    conn.execute("DELETE FROM settings WHERE key = 'hub_key'")
    conn.commit()
    conn.close()
    _refused(world, path, "no hub signing key is recorded: ask the hub for the RW... line `vrp hub identity` "
                          "prints and record it with `vrp keys hub-key RW...` (or in the Receipts screen)")
    assert ok(world["spoke"], "keys", "hub-key", world["hub_key"]).startswith("hub key ")
    assert "recorded: banes" in ok(world["spoke"], "receipt", "import", str(path))


def test_keys_hub_key_refuses_what_is_not_a_key(world: dict[str, Any]) -> None:
    result = vrp(world["spoke"], "keys", "hub-key", "RWnot-a-key")
    assert result.exit_code == 1 and result.stderr.startswith("Error: the hub key is not a minisign public key")


@pytest.mark.skipif(shutil.which("minisign") is None, reason="the stock minisign tool is not installed")
def test_a_receipt_verifies_with_stock_minisign(world: dict[str, Any], tmp_path: Path) -> None:
    path = _receipt(world)
    pub = tmp_path / "hub.pub"
    pub.write_text(f"untrusted comment: the VRP hub's key\n{world['hub_key']}\n")
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "x")
    done = subprocess.run(["minisign", "-V", "-p", str(pub), "-m", str(tmp_path / "x" / "receipt.json")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert ("Trusted comment: vrp-receipt spoke=banes period=2025-26-Q1 version=1 id="
            in done.stdout) and done.stdout.strip().endswith("state=returned-with-issues")


def test_review_of_a_version_not_the_latest_is_refused(world: dict[str, Any]) -> None:
    from vrp_tui.hub.review import ReviewRefused, review_return
    from vrp_tui.hub.store import HubStore

    with HubStore(world["hub"]) as store:
        with pytest.raises(ReviewRefused, match="version 2 of banes 2025-26-Q1 is not held"):
            review_return(store, "banes", Q1, accept=True, reviewer="A", version=2)
        assert review_return(store, "banes", Q1, accept=True, reviewer="A", version=1).version == 1


def test_report_names_returns_and_states_and_accepted_only_leaves_out(world: dict[str, Any]) -> None:
    hub = world["hub"]
    report = json.loads(ok(hub, "hub", "report", Q1))
    assert report["returns_held"] == [{"spoke": "banes", "name": "Bath and North East Somerset",
                                       "version": 1, "state": "not reviewed"}]
    about = {row[0]: row[1] for row in next(t for t in report["tables"] if t["name"] == "about")["rows"]}
    assert about["Review states"] == "Bath and North East Somerset v1 not reviewed"
    refused = vrp(hub, "hub", "report", Q1, "--accepted-only")
    assert refused.exit_code == 1 and "no return for 2025-26-Q1 is accepted" in refused.stderr
    ok(hub, "hub", "review", "banes", Q1, "--accept", "--by", "A")
    report = json.loads(ok(hub, "hub", "report", Q1, "--accepted-only"))
    assert [r["state"] for r in report["returns_held"]] == ["accepted"]
    empty = vrp(hub, "hub", "report", "2025-26-Q2")
    assert empty.exit_code == 1 and "no return for 2025-26-Q2 is held" in empty.stderr


def test_a_hub_without_a_signing_key_gains_one_on_first_use(world: dict[str, Any]) -> None:
    hub = world["hub"]
    conn = sqlite3.connect(hub)
    conn.execute("DELETE FROM hub_signing_key")  # as a hub set up before receipts is after migrating
    conn.commit()
    conn.close()
    before = dump(hub)
    wrong = CliRunner().invoke(main, ["--db", str(hub), "hub", "identity"], env={"VRP_PASSPHRASE": "not it"})
    assert wrong.exit_code == 1 and wrong.stderr == "Error: wrong passphrase for the hub identity\n"
    assert dump(hub) == before
    recipient, line = ok(hub, "hub", "identity").splitlines()
    assert recipient == world["recipient"] and line.startswith("RW") and line != world["hub_key"]
    assert ok(hub, "hub", "identity").splitlines() == [recipient, line]  # made once


HOSTILE = {
    "empty": (b"", "not a receipt: the file is not a readable ZIP archive"),
    "text": (b"hello, hub", "not a receipt: the file is not a readable ZIP archive"),
    "huge": (b"PK" + b"\0" * (receipts.MAX_RECEIPT_BYTES + 1),
             f"the file is {receipts.MAX_RECEIPT_BYTES + 3} bytes, more than the {receipts.MAX_RECEIPT_BYTES} "
             "a receipt may be"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_receipt_files_are_refused_in_one_line(world: dict[str, Any], tmp_path: Path, case: str) -> None:
    data, reason = HOSTILE[case]
    (tmp_path / "x.vrpr").write_bytes(data)
    _refused(world, tmp_path / "x.vrpr", reason)


def test_receipt_archives_out_of_shape_are_refused(world: dict[str, Any], tmp_path: Path) -> None:
    path = _receipt(world)
    files = {n: zipfile.ZipFile(path).read(n) for n in receipts.MEMBERS}
    _refused(world, _rezip({**files, "extra.txt": b"x"}, tmp_path / "extra.vrpr"),
             "the archive holds 3 members, more than the 2 allowed")
    _refused(world, _rezip({"receipt.json": files["receipt.json"]}, tmp_path / "nosig.vrpr"),
             "not a receipt: it has no receipt.json.minisig")
    _refused(world, _rezip({"receipt.json": files["receipt.json"], "../receipt.json.minisig":
                            files["receipt.json.minisig"]}, tmp_path / "dots.vrpr"),
             "the archive holds a path with '..': '../receipt.json.minisig'")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("receipt.json", b" " * (10 * 1024 * 1024))
        archive.writestr("receipt.json.minisig", files["receipt.json.minisig"])
    (tmp_path / "bomb.vrpr").write_bytes(bomb.getvalue())
    _refused(world, tmp_path / "bomb.vrpr", "the receipt member receipt.json inflates beyond its bounds")


def test_a_signed_receipt_with_bad_fields_is_refused_naming_the_field(world: dict[str, Any], tmp_path: Path) -> None:
    conn = sqlite3.connect(world["hub"])
    secret = conn.execute("SELECT secret_key FROM hub_signing_key").fetchone()[0]
    conn.close()
    key = signing.unlock(secret, PASSPHRASE)
    path = _receipt(world)
    good = json.loads(zipfile.ZipFile(path).read("receipt.json"))
    cases = {
        "version": (1.5, "receipt.json is not valid: the number '1.5' is not a whole number"),
        "state": ("lost", "receipt.json is not valid: state 'lost' is not one of received, accepted, "
                          "returned-with-issues"),
        "note": ("a\x1b[2Jb", "receipt.json is not valid: note holds the control character U+001B"),
        "issued_at": ("yesterday", "receipt.json is not valid: issued_at 'yesterday' is not a UTC time "
                                   "(YYYY-MM-DDThh:mm:ss+00:00)"),
    }
    for field, (value, reason) in cases.items():
        body = (json.dumps({**good, field: value}) + "\n").encode()
        signature = key.sign(body, prehash=True, trusted_comment=receipts.trusted_comment(receipts.Receipt(**good)))
        made = _rezip({"receipt.json": body, "receipt.json.minisig": bytes(signature) + b"\n"},
                      tmp_path / f"{field}.vrpr")
        _refused(world, made, reason)


def test_receipt_import_of_a_folder_imports_every_receipt_in_it(world: dict[str, Any], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = vrp(world["spoke"], "receipt", "import", str(empty))
    assert result.exit_code == 1 and result.stderr == f"Error: no .vrpr files in {empty}\n"
    path = _receipt(world)
    assert ok(world["spoke"], "receipt", "import", str(path.parent)) == (
        f"{path.name}: recorded: banes 2025-26-Q1 v1 returned with issues: Two contacts dated in July\n")


def test_a_receipt_whose_sha256_is_not_the_exported_bundles_is_refused(world: dict[str, Any],
                                                                      tmp_path: Path) -> None:
    path = _receipt(world)
    body = json.loads(zipfile.ZipFile(path).read("receipt.json"))
    body["bundle_sha256"] = "0" * 64
    secret = sqlite3.connect(world["hub"]).execute("SELECT secret_key FROM hub_signing_key").fetchone()[0]
    made = tmp_path / "sha.vrpr"
    made.write_bytes(receipts.write_receipt(receipts.Receipt(**body), signing.unlock(secret, PASSPHRASE)))
    ours = sqlite3.connect(world["spoke"]).execute("SELECT bundle_id, sha256 FROM bundle_exports").fetchone()
    _refused(world, made, f"the receipt's sha256 000000000000... is not that of any bundle {ours[0]} "
                          f"this spoke exported ({ours[1][:12]}...)")


def test_a_receipt_for_a_second_export_of_the_same_version_is_recorded(world: dict[str, Any],
                                                                     tmp_path: Path) -> None:
    spoke = world["spoke"]
    ok(spoke, "export", Q1, "--out", str(world["out"] / "again"))  # the same bundle id, new bytes (age)
    conn = sqlite3.connect(spoke)
    (first_id, first_sha), (second_id, second_sha) = conn.execute(
        "SELECT bundle_id, sha256 FROM bundle_exports ORDER BY id").fetchall()
    conn.close()
    assert first_id == second_id and first_sha != second_sha
    # A hub that was sent the second file names its sha256: the spoke wrote that file, so it is recorded.
    body = json.loads(zipfile.ZipFile(_receipt(world)).read("receipt.json"))
    body["bundle_sha256"] = second_sha
    secret = sqlite3.connect(world["hub"]).execute("SELECT secret_key FROM hub_signing_key").fetchone()[0]
    made = tmp_path / "second.vrpr"
    made.write_bytes(receipts.write_receipt(receipts.Receipt(**body), signing.unlock(secret, PASSPHRASE)))
    assert "recorded: banes" in ok(spoke, "receipt", "import", str(made))
