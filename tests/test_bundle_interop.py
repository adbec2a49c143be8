"""Stock tools agree with the project: age opens the bundle, minisign verifies it, bagit.py validates it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pyrage
import pytest
from bundle_samples import SpokeKey, document, new_id

from vrp_tui.bundle import signing, write_bundle

BAGIT_PY = Path(sys.executable).parent / "bagit.py"

pytestmark = pytest.mark.skipif(
    not (shutil.which("age") and shutil.which("minisign")), reason="the stock age and minisign tools are needed"
)


@pytest.fixture
def unpacked(tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> dict[str, object]:
    """A bundle written to disk, decrypted by stock ``age`` and unzipped."""
    key = SpokeKey()
    bundle_id = new_id()
    bundle = tmp_path / "bristol_2025-26-Q1_v2.vrpb"
    bundle.write_bytes(write_bundle(
        document(version=2), spoke="bristol", spoke_name="Bristol", period="2025-26-Q1", version=2,
        bundle_id=bundle_id, supersedes=new_id(), secret_key=key.unlocked(),
        hub_recipient=str(hub_identity.to_public()), bagging_date=date(2025, 7, 3),
    ))
    identity_file = tmp_path / "hub.agekey"
    identity_file.write_text(f"{hub_identity}\n")
    decrypted = subprocess.run(["age", "-d", "-i", str(identity_file), str(bundle)],
                               capture_output=True, check=True).stdout
    out = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(decrypted)) as z:
        z.extractall(out)
    pub = tmp_path / "spoke.pub"
    pub.write_text(key.public_key + "\n")
    return {"bag": out / "bristol_2025-26-Q1_v2", "pub": pub, "bundle_id": bundle_id, "key": key}


def test_stock_minisign_verifies_the_tag_manifest_and_shows_the_trusted_comment(unpacked: dict) -> None:
    bag = unpacked["bag"]
    result = subprocess.run(
        ["minisign", "-V", "-p", str(unpacked["pub"]), "-m", str(bag / "tagmanifest-sha256.txt"),
         "-x", str(bag / "tagmanifest-sha256.txt.minisig")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Signature and comment signature verified" in result.stdout
    assert (f"Trusted comment: vrp-bundle spoke=bristol period=2025-26-Q1 version=2 id={unpacked['bundle_id']}"
            in result.stdout)


def test_stock_minisign_finds_the_signature_beside_the_tag_manifest(unpacked: dict) -> None:
    """Without -x, minisign looks for <file>.minisig: where the bag keeps it."""
    bag = unpacked["bag"]
    result = subprocess.run(["minisign", "-V", "-p", str(unpacked["pub"]), "-m", str(bag / "tagmanifest-sha256.txt")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_stock_minisign_rejects_an_altered_tag_manifest(unpacked: dict) -> None:
    bag = unpacked["bag"]
    manifest = bag / "tagmanifest-sha256.txt"
    manifest.write_bytes(manifest.read_bytes().replace(b"bagit.txt", b"bagit.txx"))
    result = subprocess.run(["minisign", "-V", "-p", str(unpacked["pub"]), "-m", str(manifest)],
                            capture_output=True, text=True)
    assert result.returncode != 0


def test_the_fingerprint_is_the_key_id_stock_minisign_names(unpacked: dict, tmp_path: Path) -> None:
    """minisign names the key ids when a signature is checked against the wrong key."""
    bag = unpacked["bag"]
    other = SpokeKey()
    wrong_pub = tmp_path / "other.pub"
    wrong_pub.write_text(other.public_key + "\n")
    result = subprocess.run(["minisign", "-V", "-p", str(wrong_pub), "-m", str(bag / "tagmanifest-sha256.txt")],
                            capture_output=True, text=True)
    assert result.returncode != 0
    # minisign prints a key id as a hex number, without its leading zeros
    shown = set(re.findall(r"\b[0-9A-F]{1,16}\b", result.stderr))
    assert unpacked["key"].key_id.lstrip("0") in shown
    assert other.key_id.lstrip("0") in shown
    assert signing.key_id(other.public_key) == other.key_id


def test_bagit_py_validates_the_unzipped_bag(unpacked: dict) -> None:
    result = subprocess.run([sys.executable, str(BAGIT_PY), "--validate", str(unpacked["bag"])],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stderr


def test_bagit_py_catches_an_altered_payload(unpacked: dict) -> None:
    payload = unpacked["bag"] / "data" / "return.json"
    payload.write_bytes(payload.read_bytes().replace(b"Good quarter.", b"Good quarter!"))
    result = subprocess.run([sys.executable, str(BAGIT_PY), "--validate", str(unpacked["bag"])],
                            capture_output=True, text=True)
    assert result.returncode != 0
