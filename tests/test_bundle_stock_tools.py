"""The hub accepts a bundle made with stock tools alone (SPEC section 5 "Stock tools must agree").

bagit-python's ``make_bag`` (its defaults: sha256 and sha512 manifests, a
``Bag-Software-Agent`` label, BagIt 0.97), the ``minisign`` CLI (its own key
file and untrusted comment), Info-ZIP ``zip -r`` (folder entries) and the
``age`` CLI. The other direction, stock tools opening what the project writes,
is tests/test_bundle_interop.py.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import bagit
import pyrage
import pytest
from hub_bags import HubWorld, document

from vrp_tui.hub.intake import IMPORTED, REJECTED
from vrp_tui.hub.spoke_keys import enrol_key

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("age", "minisign", "zip")),
    reason="the stock age, minisign and zip tools are needed",
)

FOLDER = "bristol_2025-26-Q1_v1"


def run(*args: str, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def world(tmp_path: Path) -> HubWorld:
    return HubWorld(tmp_path / "hub.db", spokes=("banes",))


@pytest.fixture
def minisign_key(tmp_path: Path) -> tuple[Path, Path]:
    """A key pair made by ``minisign -G`` (no password), its .pub file as minisign writes it."""
    keys = tmp_path / "keys"
    keys.mkdir()
    run("minisign", "-G", "-W", "-p", "spoke.pub", "-s", "spoke.key", cwd=keys)
    return keys / "spoke.pub", keys / "spoke.key"


def stock_bag(tmp_path: Path, secret: Path, *, bundle_id: str, doc: dict | None = None) -> Path:
    """bagit-python's bag of return.json, the tag manifest signed by the minisign CLI."""
    work = tmp_path / "work"
    bag_dir = work / FOLDER
    bag_dir.mkdir(parents=True)
    (bag_dir / "return.json").write_text(json.dumps(doc or document(), indent=2), encoding="utf-8")
    bagit.make_bag(str(bag_dir), bag_info={
        "Source-Organization": "Bristol", "External-Identifier": bundle_id, "VRP-Spoke": "bristol",
        "VRP-Period": "2025-26-Q1", "VRP-Return-Version": "1", "VRP-Format": "1",
    })
    run("minisign", "-S", "-s", str(secret), "-m", "tagmanifest-sha256.txt",
        "-t", f"vrp-bundle spoke=bristol period=2025-26-Q1 version=1 id={bundle_id}", cwd=bag_dir)
    return bag_dir


def zip_and_encrypt(bag_dir: Path, recipient: str) -> bytes:
    work = bag_dir.parent
    run("zip", "-q", "-r", "bundle.zip", FOLDER, cwd=work)
    run("age", "-r", recipient, "-o", f"{FOLDER}.vrpb", "bundle.zip", cwd=work)
    return (work / f"{FOLDER}.vrpb").read_bytes()


def test_a_bundle_made_with_stock_tools_alone_is_imported(world: HubWorld, tmp_path: Path,
                                                          minisign_key: tuple[Path, Path]) -> None:
    pub, secret = minisign_key
    enrol_key(world.store, "bristol", pub.read_text())  # the .pub file as minisign wrote it
    bundle_id = str(uuid.uuid4())
    bag_dir = stock_bag(tmp_path, secret, bundle_id=bundle_id)
    names = sorted(p.name for p in bag_dir.iterdir())
    assert names == ["bag-info.txt", "bagit.txt", "data", "manifest-sha256.txt", "manifest-sha512.txt",
                     "tagmanifest-sha256.txt", "tagmanifest-sha256.txt.minisig", "tagmanifest-sha512.txt"]
    info = (bag_dir / "bag-info.txt").read_text()
    assert "Bag-Software-Agent: bagit.py" in info and "BagIt-Version: 0.97" in (bag_dir / "bagit.txt").read_text()
    assert (bag_dir / "tagmanifest-sha256.txt.minisig").read_text().startswith(
        "untrusted comment: signature from minisign secret key")
    data = zip_and_encrypt(bag_dir, str(world.recipient))
    with zipfile.ZipFile(io.BytesIO(zip_bytes(bag_dir))) as archive:
        assert {f"{FOLDER}/", f"{FOLDER}/data/"} <= set(archive.namelist())  # zip -r writes folder entries
    result = world.receive(data, name=f"{FOLDER}.vrpb")
    assert (result.outcome, result.spoke, result.period, result.version) == (IMPORTED, "bristol", "2025-26-Q1", 1)
    row = world.store.query("SELECT bundle_id, raw, document FROM bundles WHERE spoke = 'bristol'")[0]
    assert row["bundle_id"] == bundle_id and bytes(row["raw"]) == data
    assert json.loads(row["document"]) == document()


def zip_bytes(bag_dir: Path) -> bytes:
    return (bag_dir.parent / "bundle.zip").read_bytes()


def test_the_extra_sha512_manifests_are_checked_not_ignored(world: HubWorld, tmp_path: Path,
                                                            minisign_key: tuple[Path, Path]) -> None:
    pub, secret = minisign_key
    enrol_key(world.store, "bristol", pub.read_text())
    bag_dir = stock_bag(tmp_path, secret, bundle_id=str(uuid.uuid4()))
    manifest = bag_dir / "tagmanifest-sha512.txt"  # not signed itself, but must agree with the files
    manifest.write_text(manifest.read_text().replace("a", "b", 1))
    before = world.dump()
    result = world.receive(zip_and_encrypt(bag_dir, str(world.recipient)))
    assert result.outcome == REJECTED
    assert result.reason.startswith("checksum mismatch for ") and result.reason.endswith("in tagmanifest-sha512.txt")
    assert world.dump() == before


def test_a_stock_bag_with_an_invalid_return_is_still_refused(world: HubWorld, tmp_path: Path,
                                                             minisign_key: tuple[Path, Path]) -> None:
    pub, secret = minisign_key
    enrol_key(world.store, "bristol", pub.read_text())
    doc = document()
    doc["totals"]["contacts"] = 3.0
    bag_dir = stock_bag(tmp_path, secret, bundle_id=str(uuid.uuid4()), doc=doc)
    result = world.receive(zip_and_encrypt(bag_dir, str(world.recipient)))
    assert (result.outcome, result.reason) == (
        REJECTED, "return.json is not valid: totals.contacts: Input should be a valid integer")


def test_the_age_cli_with_a_few_recipients_is_accepted_and_with_many_refused(
        world: HubWorld, tmp_path: Path, minisign_key: tuple[Path, Path]) -> None:
    pub, secret = minisign_key
    enrol_key(world.store, "bristol", pub.read_text())
    bag_dir = stock_bag(tmp_path, secret, bundle_id=str(uuid.uuid4()))
    work = bag_dir.parent
    run("zip", "-q", "-r", "bundle.zip", FOLDER, cwd=work)
    others = [str(pyrage.x25519.Identity.generate().to_public()) for _ in range(25)]

    def encrypted(recipients: list[str]) -> bytes:
        run("age", *(arg for r in recipients for arg in ("-r", r)), "-o", "out.vrpb", "bundle.zip", cwd=work)
        return (work / "out.vrpb").read_bytes()

    many = world.receive(encrypted([str(world.recipient), *others]))
    assert (many.outcome, many.reason) == (
        REJECTED, "the age header has 26 recipient stanzas, more than the 20 a bundle may have")
    few = world.receive(encrypted([*others[:2], str(world.recipient)]))
    assert few.outcome == IMPORTED, few.reason
