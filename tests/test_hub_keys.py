"""The hub's own identity, its settings, and the spoke keys it trusts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyrage
import pytest
from hub_bags import HubWorld, SpokeKey, bundle, document, make_bag

from vrp_tui.hub.identity import IdentityProblem, create_identity, unlock_identity
from vrp_tui.hub.intake import IMPORTED
from vrp_tui.hub.spoke_keys import KeyRefused, enrol_key, key_lookup, list_keys, revoke_keys
from vrp_tui.hub.store import HubSettingError, HubStore, NotAHubDatabase
from vrp_tui.store import Store

PASSPHRASE = "hub passphrase 1"


def test_the_identity_is_kept_encrypted_and_opens_with_the_passphrase(tmp_path: Path) -> None:
    hub = HubStore(tmp_path / "hub.db")
    assert hub.recipient is None
    with pytest.raises(IdentityProblem, match="not set up as a hub"):
        unlock_identity(hub, PASSPHRASE)
    recipient = create_identity(hub, PASSPHRASE)
    assert recipient.startswith("age1") and hub.recipient == recipient
    sealed = bytes(hub.conn.execute("SELECT encrypted_identity FROM hub_identity").fetchone()[0])
    assert sealed.startswith(b"age-encryption.org/v1\n-> scrypt ")
    for file in Path(hub.path).parent.glob("hub.db*"):  # the database and its write-ahead log
        assert b"AGE-SECRET-KEY" not in file.read_bytes()
    identity = unlock_identity(hub, PASSPHRASE)
    assert str(identity.to_public()) == recipient
    message = pyrage.encrypt(b"for the hub", [pyrage.x25519.Recipient.from_str(recipient)])
    assert pyrage.decrypt(message, [identity]) == b"for the hub"
    with pytest.raises(IdentityProblem, match="^wrong passphrase for the hub identity$"):
        unlock_identity(hub, "not the passphrase")
    with pytest.raises(IdentityProblem, match="already set up"):
        create_identity(hub, PASSPHRASE)


def test_a_short_passphrase_is_refused(tmp_path: Path) -> None:
    hub = HubStore(tmp_path / "hub.db")
    with pytest.raises(IdentityProblem, match="at least 8"):
        create_identity(hub, "short")
    assert hub.recipient is None


def test_a_spoke_database_is_not_taken_for_a_hub(tmp_path: Path) -> None:
    Store(tmp_path / "spoke.db").close()
    before = (tmp_path / "spoke.db").read_bytes()
    with pytest.raises(NotAHubDatabase, match="not a hub database"):
        HubStore(tmp_path / "spoke.db")
    assert (tmp_path / "spoke.db").read_bytes() == before


def test_settings_have_defaults_and_bounds(tmp_path: Path) -> None:
    hub = HubStore(tmp_path / "hub.db")
    assert hub.settings() == {"deadline_days": 30, "disclosure_threshold": 5}
    hub.set_settings({"deadline_days": 45, "disclosure_threshold": 10})
    reopened = HubStore(tmp_path / "hub.db")
    assert reopened.settings() == {"deadline_days": 45, "disclosure_threshold": 10}
    with pytest.raises(HubSettingError, match="disclosure_threshold must be between 2 and 100"):
        hub.set_settings({"deadline_days": 10, "disclosure_threshold": 1})
    assert hub.settings()["deadline_days"] == 45  # all or nothing
    with pytest.raises(HubSettingError, match="unknown setting"):
        hub.set_settings({"colour": 3})


def test_enrol_a_key_by_line_or_pub_file(tmp_path: Path) -> None:
    hub = HubStore(tmp_path / "hub.db")
    bristol, banes = SpokeKey("bristol"), SpokeKey("banes")
    key, new = enrol_key(hub, "bristol", bristol.line)
    assert new and (key.spoke, key.key_id, key.public_key, key.state) == ("bristol", bristol.key_id,
                                                                          bristol.line, "valid")
    assert enrol_key(hub, "banes", banes.public_key)[0].public_key == banes.line  # the whole .pub text
    assert enrol_key(hub, "bristol", bristol.line)[1] is False  # already enrolled: nothing changes
    assert [k.key_id for k in list_keys(hub)] == [bristol.key_id, banes.key_id]  # partnership order


@pytest.mark.parametrize(("spoke", "text", "reason"), [
    ("bath", None, "unknown spoke 'bath'"),
    ("bristol", "RWnot-a-key", "not a minisign public key"),
    ("banes", None, "is already enrolled for bristol"),
])
def test_keys_that_are_refused(tmp_path: Path, spoke: str, text: str | None, reason: str) -> None:
    hub = HubStore(tmp_path / "hub.db")
    key = SpokeKey("bristol")
    enrol_key(hub, "bristol", key.line)
    with pytest.raises(KeyRefused, match=reason):
        enrol_key(hub, spoke, text or key.line)
    assert len(list_keys(hub)) == 1


def test_rotation_keeps_the_old_key_valid_and_revoke_stops_both(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    old, new = world.keys["bristol"], SpokeKey("bristol")
    enrol_key(world.store, "bristol", new.line)
    lookup = key_lookup(world.store)
    assert lookup(old.key_id) and lookup(new.key_id) and not lookup(old.key_id).revoked  # type: ignore[union-attr]
    assert world.receive(bundle(make_bag(document(), old), world.recipient)).outcome == IMPORTED
    assert world.receive(bundle(make_bag(document(version=2), new), world.recipient)).outcome != "rejected"
    revoked = revoke_keys(world.store, "bristol")
    assert {k.key_id for k in revoked} == {old.key_id, new.key_id}
    assert all(k.revoked_at for k in revoked)
    assert lookup(new.key_id).revoked  # type: ignore[union-attr]
    result = world.receive(bundle(make_bag(document(version=3), new), world.recipient))
    assert result.reason == f"signed by a revoked key {new.key_id} of bristol"
    with pytest.raises(KeyRefused, match="bristol has no valid keys enrolled"):
        revoke_keys(world.store, "bristol")
    with pytest.raises(KeyRefused, match="cannot be enrolled again"):
        enrol_key(world.store, "bristol", new.line)
    assert world.store.query("SELECT count(*) AS n FROM bundles WHERE spoke = 'bristol'")[0]["n"] == 2


def test_revoke_one_key_by_id(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    new = SpokeKey("bristol")
    enrol_key(world.store, "bristol", new.line)
    old_id = world.keys["bristol"].key_id
    assert [k.key_id for k in revoke_keys(world.store, "bristol", old_id.lower())] == [old_id]
    states = {k.key_id: k.state for k in list_keys(world.store) if k.spoke == "bristol"}
    assert states == {old_id: "revoked", new.key_id: "valid"}


def test_bundles_are_kept_as_received(tmp_path: Path) -> None:
    world = HubWorld(tmp_path / "hub.db")
    world.receive(world.send(document()))
    for sql in ("UPDATE bundles SET raw = x'00'", "DELETE FROM bundles"):
        with pytest.raises(sqlite3.IntegrityError, match="kept as received"):
            world.store.conn.execute(sql)
