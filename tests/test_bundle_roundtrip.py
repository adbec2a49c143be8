"""Writing a bundle and reading it back at the hub gives the same return, verified."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pyrage
import pytest
from bundle_samples import SpokeKey, document, lookup, new_id

from vrp_tui.bundle import BundleRejected, read_bundle, write_bundle
from vrp_tui.bundle.writer import bag_files, zip_bag

BUNDLE_ID = "0b6f1c2e-4d3a-4e5f-8a9b-0c1d2e3f4a5b"


def make(key: SpokeKey, hub: pyrage.x25519.Identity, *, supersedes: str | None = None,
         bundle_id: str = BUNDLE_ID, version: int = 1) -> bytes:
    return write_bundle(
        document(version=version), spoke="bristol", spoke_name="Bristol", period="2025-26-Q1",
        version=version, bundle_id=bundle_id, supersedes=supersedes, secret_key=key.unlocked(),
        hub_recipient=str(hub.to_public()), bagging_date=date(2025, 7, 3),
    )


def test_round_trip_gives_back_the_return_and_its_identity(hub_identity: pyrage.x25519.Identity) -> None:
    key = SpokeKey()
    bundle = read_bundle(make(key, hub_identity), hub_identity, lookup((key.key_id, key.enrolled())))
    assert bundle.bundle_id == BUNDLE_ID
    assert (bundle.spoke, bundle.period, bundle.version) == ("bristol", "2025-26-Q1", 1)
    assert bundle.supersedes is None
    assert bundle.bagging_date == "2025-07-03"
    assert bundle.key_id == key.key_id
    assert bundle.name == "bristol_2025-26-Q1_v1"
    assert bundle.document == document()


def test_a_later_version_names_the_bundle_it_supersedes(hub_identity: pyrage.x25519.Identity) -> None:
    key = SpokeKey()
    earlier = new_id()
    bundle = read_bundle(make(key, hub_identity, supersedes=earlier, bundle_id=new_id(), version=2),
                         hub_identity, lookup((key.key_id, key.enrolled())))
    assert bundle.version == 2
    assert bundle.supersedes == earlier
    assert bundle.name == "bristol_2025-26-Q1_v2"


def test_the_archive_is_deterministic_and_laid_out_as_the_spec_says() -> None:
    key = SpokeKey()

    def archive() -> bytes:
        files = bag_files(document(), spoke="bristol", spoke_name="Bristol", period="2025-26-Q1", version=1,
                          bundle_id=BUNDLE_ID, supersedes=None, secret_key=key.unlocked(),
                          bagging_date=date(2025, 7, 3))
        return zip_bag("bristol_2025-26-Q1_v1", files, date(2025, 7, 3))

    first = archive()
    assert first == archive()
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.namelist() == [
            "bristol_2025-26-Q1_v1/bagit.txt",
            "bristol_2025-26-Q1_v1/bag-info.txt",
            "bristol_2025-26-Q1_v1/manifest-sha256.txt",
            "bristol_2025-26-Q1_v1/tagmanifest-sha256.txt",
            "bristol_2025-26-Q1_v1/tagmanifest-sha256.txt.minisig",
            "bristol_2025-26-Q1_v1/data/return.json",
        ]
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())
        payload = z.read("bristol_2025-26-Q1_v1/data/return.json")
        info = z.read("bristol_2025-26-Q1_v1/bag-info.txt").decode()
        tag_manifest = z.read("bristol_2025-26-Q1_v1/tagmanifest-sha256.txt").decode()
    assert info == (
        "Source-Organization: Bristol\n"
        "Bagging-Date: 2025-07-03\n"
        f"External-Identifier: {BUNDLE_ID}\n"
        f"Payload-Oxum: {len(payload)}.1\n"
        "VRP-Spoke: bristol\n"
        "VRP-Period: 2025-26-Q1\n"
        "VRP-Return-Version: 1\n"
        "VRP-Format: 1\n"
    )
    assert [line.split("  ")[1] for line in tag_manifest.splitlines()] == [
        "bag-info.txt", "bagit.txt", "manifest-sha256.txt"]


def test_the_writer_refuses_a_document_of_another_return() -> None:
    key = SpokeKey()
    with pytest.raises(ValueError, match="period"):
        bag_files(document(period="2025-26-Q2"), spoke="bristol", spoke_name="Bristol", period="2025-26-Q1",
                  version=1, bundle_id=BUNDLE_ID, supersedes=None, secret_key=key.unlocked(),
                  bagging_date=date(2025, 7, 3))


def test_only_the_hub_addressed_can_open_it(hub_identity: pyrage.x25519.Identity) -> None:
    key = SpokeKey()
    other_hub = pyrage.x25519.Identity.generate()
    with pytest.raises(BundleRejected, match="^not addressed to this hub"):
        read_bundle(make(key, hub_identity), other_hub, lookup((key.key_id, key.enrolled())))
