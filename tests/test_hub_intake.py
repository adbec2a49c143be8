"""Hub acceptance (SPEC 5): each check in order, an adversarial corpus, replay and versions.

Every rejected file must leave the hub database exactly as it was: the dump of
every table is compared, and the connection's change counter must not move.
"""

from __future__ import annotations

import hashlib
import json
import struct
import warnings
from collections.abc import Callable
from pathlib import Path

import pyrage
import pytest
from hub_bags import SYMLINK, Entry, HubWorld, SpokeKey, bundle, document, make_bag, seal, zip_entries

from vrp_tui.hub.intake import (
    ALREADY_IMPORTED,
    IMPORTED,
    REJECTED,
    SUPERSEDES,
    IntakeResult,
    bundles_in,
    import_files,
)
from vrp_tui.hub.spoke_keys import revoke_keys


@pytest.fixture
def world(tmp_path: Path) -> HubWorld:
    """A hub holding one imported bundle (banes, Q1), so 'unchanged' means something."""
    w = HubWorld(tmp_path / "hub.db")
    assert w.receive(w.send(document("banes"))).outcome == IMPORTED
    return w


def rejected(world: HubWorld, data: bytes) -> str:
    """Import ``data``, which must be rejected without touching the database; returns the reason."""
    before, changes = world.dump(), world.store.conn.total_changes
    result = world.receive(data)
    assert result.outcome == REJECTED, result
    assert result.line == f"rejected: {result.reason}" and "\n" not in result.reason
    assert world.store.conn.total_changes == changes
    assert world.dump() == before
    return result.reason


# -- the checks, in order --------------------------------------------------------------------------


def test_a_correct_bundle_is_imported_and_kept_as_received(world: HubWorld) -> None:
    data = world.send(document("bristol"))
    result = world.receive(data, name="bristol_2025-26-Q1_v1.vrpb", received_at="2025-07-04T10:00:00+00:00")
    assert (result.outcome, result.line) == (IMPORTED, "imported")
    row = world.store.query("SELECT * FROM bundles WHERE spoke = 'bristol'")[0]
    assert bytes(row["raw"]) == data
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert row["size"] == len(data)
    assert (row["period"], row["version"], row["file_name"]) == ("2025-26-Q1", 1, "bristol_2025-26-Q1_v1.vrpb")
    assert row["received_at"] == "2025-07-04T10:00:00+00:00"
    assert json.loads(row["document"]) == document("bristol")


def _bad_schema(spoke: str = "bristol", version: int = 1) -> dict:
    doc = document(spoke, version=version)
    doc["totals"]["referrals"] = -1
    return doc


def _fails_from_check_1(w: HubWorld) -> bytes:
    """Addressed to another hub, and (inside) a '..' member, an unknown key and bad JSON."""
    bag = make_bag(_bad_schema(), SpokeKey("bristol"))
    entries = [*bag.entries(), Entry(f"{bag.folder}/../escape.txt", b"x")]
    return seal(zip_entries(entries), pyrage.x25519.Identity.generate().to_public())


def _fails_from_check_2(w: HubWorld) -> bytes:
    bag = make_bag(_bad_schema(), SpokeKey("bristol"))
    return seal(zip_entries([*bag.entries(), Entry(f"{bag.folder}/../escape.txt", b"x")]), w.recipient)


def _fails_from_check_3(w: HubWorld) -> bytes:
    """Signed by an unknown key; its payload also fails its checksum and the schema."""
    bag = make_bag(document(), SpokeKey("bristol"))
    bag.set_document(_bad_schema())
    return bundle(bag, w.recipient)


def _fails_from_check_4(w: HubWorld) -> bytes:
    """Properly signed, but the payload no longer matches its checksum and fails the schema."""
    bag = w.bag(document())
    bag.set_document(_bad_schema())
    return bundle(bag, w.recipient)


def _fails_from_check_5(w: HubWorld) -> bytes:
    """Everything verifies, the JSON fails the schema, and the version is stale too."""
    bag = w.bag(document())
    bag.set_document(_bad_schema()).reseal_manifests()
    return bundle(bag.sign(w.keys["bristol"]), w.recipient)


def _fails_check_6(w: HubWorld) -> bytes:
    return w.send(document())  # version 1 again, under a new bundle id


@pytest.mark.parametrize(("build", "reason"), [
    (_fails_from_check_1, "not addressed to this hub"),
    (_fails_from_check_2, "the archive holds a path with '..'"),
    (_fails_from_check_3, "signed by an unknown key"),
    (_fails_from_check_4, "checksum mismatch for data/return.json"),
    (_fails_from_check_5, "return.json is not valid: totals.referrals"),
    (_fails_check_6, "stale: version 1 is not newer than version 1 held for bristol 2025-26-Q1"),
], ids=["1-decryption", "2-archive", "3-signature", "4-checksums", "5-schema", "6-replay"])
def test_the_first_failing_check_gives_the_reason(world: HubWorld, build: Callable[[HubWorld], bytes],
                                                  reason: str) -> None:
    assert world.receive(world.send(document("bristol"))).outcome == IMPORTED
    assert rejected(world, build(world)).startswith(reason)


# -- the adversarial corpus -----------------------------------------------------------------------


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def _revoked(w: HubWorld) -> bytes:
    revoke_keys(w.store, "bristol")
    return w.send(document())


def _entries(w: HubWorld, change: Callable[[list[Entry], str], list[Entry]]) -> bytes:
    bag = w.bag(document())
    return seal(zip_entries(change(bag.entries(), bag.folder)), w.recipient)


def _duplicate(w: HubWorld) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, as it should
        return _entries(w, lambda e, f: [*e, Entry(f"{f}/bagit.txt", e[0].data)])


def _zip_bomb(w: HubWorld) -> bytes:
    """A valid, signed return.json padded with 20 MB of spaces: a few KB compressed."""
    raw = json.dumps(document()).encode() + b" " * (20 * 1024 * 1024)
    bag = w.bag(document())
    bag.set_document(raw).reseal_manifests()
    archive = zip_entries(bag.sign(w.keys["bristol"]).entries())
    assert len(archive) < 100_000
    return seal(archive, w.recipient)


def _lying_bomb(w: HubWorld) -> bytes:
    """A member that declares 100 bytes and inflates to megabytes."""
    bag = w.bag(document())
    bag.files["data/return.json"] += b" " * (4 * 1024 * 1024)
    archive = bytearray(zip_entries(bag.entries()))
    central = archive.rindex(b"PK\x01\x02")  # the last member's central directory entry
    struct.pack_into("<I", archive, central + 24, 100)
    local = archive.rindex(b"PK\x03\x04")
    struct.pack_into("<I", archive, local + 22, 100)
    return seal(bytes(archive), w.recipient)


def _resigned(w: HubWorld, change: Callable, *, manifests: bool = True) -> bytes:  # type: ignore[type-arg]
    bag = w.bag(document())
    change(bag)
    if manifests:
        bag.reseal_manifests()
    return bundle(bag.sign(w.keys["bristol"]), w.recipient)


CORPUS: list[tuple[str, Callable[[HubWorld], bytes], str]] = [
    ("flipped byte", lambda w: _flip(w.send(document()), -40), "the encrypted file is damaged or truncated"),
    ("flipped header byte", lambda w: _flip(w.send(document()), 30), "not addressed to this hub"),
    ("truncated", lambda w: w.send(document())[:300], "the encrypted file is damaged or truncated"),
    ("empty file", lambda w: b"", "not an age file"),
    ("not a bundle", lambda w: b"Referrals,Starts\n3,4\n", "not an age file"),
    ("an unencrypted bag", lambda w: zip_entries(w.bag(document()).entries()), "not an age file"),
    ("over the size limit", lambda w: b"age-encryption.org/v1\n" + bytes(9 * 1024 * 1024), "more than the"),
    ("encrypted, not a ZIP", lambda w: seal(b"hello", w.recipient), "not a readable ZIP"),
    ("to another hub", lambda w: bundle(w.bag(document()), pyrage.x25519.Identity.generate().to_public()),
     "not addressed to this hub"),
    ("unknown key", lambda w: bundle(make_bag(document(), SpokeKey("bristol")), w.recipient),
     "signed by an unknown key"),
    ("another spoke's key", lambda w: bundle(make_bag(document(), w.keys["banes"]), w.recipient),
     "signed by the key of banes, not bristol"),
    ("revoked key", _revoked, "signed by a revoked key"),
    ("signature over other bytes", lambda w: bundle(
        w.bag(document()).set_info(Bagging_Date="2025-07-04").reseal_tag_manifest(), w.recipient),
     "the signature does not verify"),
    ("trusted comment disagrees with bag-info", lambda w: bundle(w.bag(document()).sign(
        w.keys["bristol"], "vrp-bundle spoke=bristol period=2025-26-Q1 version=2 id=x"), w.recipient),
     "the signature's trusted comment"),
    ("bag-info disagrees with return.json", lambda w: _resigned(
        w, lambda b: b.set_document(document(period="2025-26-Q2"))), "return.json period '2025-26-Q2'"),
    ("trusted comment and bag-info disagree with return.json", lambda w: _resigned(
        w, lambda b: b.set_document(document(version=2))), "return.json version 2"),
    ("payload checksum mismatch", lambda w: _resigned(
        w, lambda b: b.set_document(document(highlights="Altered.")), manifests=False),
     "checksum mismatch for data/return.json"),
    ("tag manifest checksum mismatch", lambda w: bundle(
        w.bag(document()).set_info(Bagging_Date="2025-07-04"), w.recipient),
     "checksum mismatch for bag-info.txt"),
    ("wrong Payload-Oxum", lambda w: bundle(
        w.bag(document()).set_info(Payload_Oxum="1.1").reseal_tag_manifest().sign(w.keys["bristol"]),
        w.recipient), "Payload-Oxum 1.1 does not match"),
    ("member path with ..", lambda w: _entries(w, lambda e, f: [*e, Entry(f"{f}/data/../../x", b"x")]),
     "a path with '..'"),
    ("absolute member path", lambda w: _entries(w, lambda e, f: [*e, Entry("/etc/cron.d/x", b"x")]),
     "an absolute path"),
    ("symlink member", lambda w: _entries(
        w, lambda e, f: [*e[:-1], Entry(e[-1].name, b"/etc/passwd", attrs=SYMLINK)]), "a link"),
    ("duplicate members", _duplicate, "twice"),
    ("unexpected member", lambda w: _entries(w, lambda e, f: [*e, Entry(f"{f}/data/notes.txt", b"x")]),
     "unexpected member"),
    ("two bag folders", lambda w: _entries(
        w, lambda e, f: [*e[:-1], Entry("other/data/return.json", e[-1].data)]), "exactly one bag folder"),
    ("too many members", lambda w: _entries(
        w, lambda e, f: [*e, *(Entry(f"{f}/data/x{n}.json", b"{}") for n in range(30))]),
     "members, more than the"),
    ("ZIP bomb", _zip_bomb, "would inflate to"),
    ("ZIP bomb lying about its size", _lying_bomb, "is damaged"),
    ("invalid JSON", lambda w: _resigned(w, lambda b: b.set_document(b'{"format": 1,')),
     "data/return.json is not valid JSON"),
    ("JSON failing the schema", lambda w: _resigned(w, lambda b: b.set_document(_bad_schema())),
     "return.json is not valid: totals.referrals"),
    ("unsupported VRP-Format", lambda w: bundle(
        w.bag(document()).set_info(VRP_Format="2").reseal_tag_manifest().sign(w.keys["bristol"]), w.recipient),
     "unsupported VRP-Format '2'"),
]


@pytest.mark.parametrize(("build", "reason"), [(b, r) for _, b, r in CORPUS], ids=[n for n, _, _ in CORPUS])
def test_the_adversarial_corpus_is_rejected_and_changes_nothing(
        world: HubWorld, build: Callable[[HubWorld], bytes], reason: str) -> None:
    assert reason in rejected(world, build(world))


# -- replay and versions ---------------------------------------------------------------------------


def test_the_same_file_twice_is_already_imported_and_changes_nothing(world: HubWorld) -> None:
    data = world.send(document())
    assert world.receive(data).line == "imported"
    before, changes = world.dump(), world.store.conn.total_changes
    again = world.receive(data)
    assert (again.outcome, again.line, again.accepted) == (ALREADY_IMPORTED, "already imported", True)
    assert world.store.conn.total_changes == changes and world.dump() == before


def test_a_newer_version_supersedes_and_the_older_stays_on_record(world: HubWorld) -> None:
    v1 = world.bag(document())
    assert world.receive(bundle(v1, world.recipient)).outcome == IMPORTED
    v2 = world.send(document(version=2, highlights="Corrected."), supersedes=v1.bundle_id)
    result = world.receive(v2)
    assert (result.outcome, result.line) == (SUPERSEDES, "imported, supersedes version 1")
    rows = world.store.query(
        "SELECT version, supersedes, bundle_id FROM bundles WHERE spoke = 'bristol' ORDER BY version")
    assert [(r["version"], r["supersedes"]) for r in rows] == [(1, None), (2, v1.bundle_id)]


def test_an_older_version_after_a_newer_is_stale(world: HubWorld) -> None:
    v1 = world.send(document())
    assert world.receive(world.send(document(version=2))).outcome == IMPORTED
    assert rejected(world, v1) == "stale: version 1 is not newer than version 2 held for bristol 2025-26-Q1"


def test_a_reused_bundle_id_for_another_return_is_rejected(world: HubWorld) -> None:
    first = world.bag(document())
    assert world.receive(bundle(first, world.recipient)).outcome == IMPORTED
    reused = world.send(document(version=2), bundle_id=first.bundle_id)
    assert rejected(world, reused) == (
        f"bundle id {first.bundle_id} was already imported as bristol 2025-26-Q1 version 1")


def test_a_file_is_rejected_by_one_spoke_and_period_only(world: HubWorld) -> None:
    """Versions are counted per spoke and period: bristol v1 is not stale against banes v1."""
    assert world.receive(world.send(document("bristol"))).outcome == IMPORTED
    assert world.receive(world.send(document("bristol", "2025-26-Q2"))).outcome == IMPORTED


# -- files and folders --------------------------------------------------------------------------


def test_files_one_result_each_and_unreadable_ones_rejected(world: HubWorld, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bristol_2025-26-Q1_v1.vrpb").write_bytes(world.send(document()))
    (inbox / "bristol_2025-26-Q2_v1.vrpb").write_bytes(world.send(document(period="2025-26-Q2")))
    (inbox / "notes.txt").write_text("not a bundle")
    (inbox / "huge.vrpb").write_bytes(b"age-encryption.org/v1\n" + bytes(9 * 1024 * 1024))
    paths = [*bundles_in(inbox), inbox / "missing.vrpb"]
    assert [p.name for p in paths[:3]] == ["bristol_2025-26-Q1_v1.vrpb", "bristol_2025-26-Q2_v1.vrpb", "huge.vrpb"]
    results: list[IntakeResult] = list(import_files(world.store, paths, world.identity))
    assert [r.line for r in results[:2]] == ["imported", "imported"]
    assert results[2].reason == f"the file is {9 * 1024 * 1024 + 22} bytes, more than the {8 * 1024 * 1024} a bundle may be"
    assert results[3].name == "missing.vrpb"
    assert results[3].reason == "cannot read the file (No such file or directory)"
