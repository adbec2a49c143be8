"""The spoke's keys: shown with their fingerprint, rotated (the old one kept), re-protected, recipient set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import minisign
import pyrage
import pytest
from conftest import PASSPHRASE

from vrp_tui.bundle import signing
from vrp_tui.spoke.setup import (
    SetupError,
    change_passphrase,
    hub_recipient,
    list_keys,
    rotate_key,
    set_hub_recipient,
    unlock_signing_key,
)
from vrp_tui.store import Store


@pytest.fixture
def spoke(spoke_db: Path) -> Iterator[Store]:
    store = Store(spoke_db)
    yield store
    store.close()


def test_a_set_up_spoke_has_one_key_in_use(spoke: Store) -> None:
    (key,) = list_keys(spoke, retired=True)
    assert key.in_use
    assert re.fullmatch(r"[0-9A-F]{16}", key.key_id)
    assert key.line.startswith("RW") and len(key.line) == 56
    assert signing.key_id(key.line) == key.key_id


def test_the_public_key_file_names_the_key_id_and_works_with_minisign(spoke: Store) -> None:
    (key,) = list_keys(spoke)
    text = signing.public_key_file(key.public_key)
    assert text == f"untrusted comment: minisign public key {key.key_id}\n{key.line}\n"
    assert minisign.PublicKey.from_bytes(text.encode().rstrip(b"\n")).to_base64().decode() == key.line
    assert signing.public_key_line(text) == key.line


def test_the_key_id_is_read_back_from_a_signature(spoke: Store) -> None:
    key_id, secret = unlock_signing_key(spoke, PASSPHRASE)
    signature = bytes(secret.sign(b"data", trusted_comment="x"))
    assert signing.signature_key_id(signature) == key_id
    with pytest.raises(signing.KeyProblem):
        signing.signature_key_id(b"untrusted comment: nothing\nAAAA\n")


def test_a_wrong_passphrase_does_not_unlock(spoke: Store) -> None:
    with pytest.raises(signing.KeyProblem, match="wrong passphrase"):
        unlock_signing_key(spoke, "not the passphrase")
    with pytest.raises(signing.KeyProblem, match="passphrase is required"):
        unlock_signing_key(spoke, "")


def test_rotating_retires_the_old_key_and_keeps_it_listed(spoke: Store) -> None:
    (old,) = list_keys(spoke)
    new = rotate_key(spoke, PASSPHRASE)
    assert new.key_id != old.key_id
    in_use, retired = list_keys(spoke, retired=True)
    assert (in_use.key_id, in_use.in_use) == (new.key_id, True)
    assert (retired.key_id, retired.in_use, retired.line) == (old.key_id, False, old.line)
    assert retired.retired_at is not None
    assert [k.key_id for k in list_keys(spoke)] == [new.key_id]
    key_id, secret = unlock_signing_key(spoke, PASSPHRASE)  # the same passphrase unlocks the new key
    assert key_id == new.key_id
    assert signing.key_id(bytes(secret.get_public_key()).decode()) == new.key_id


def test_rotating_needs_the_passphrase(spoke: Store) -> None:
    (old,) = list_keys(spoke)
    with pytest.raises(signing.KeyProblem, match="wrong passphrase"):
        rotate_key(spoke, "not the passphrase")
    assert [k.key_id for k in list_keys(spoke, retired=True)] == [old.key_id]


def test_changing_the_passphrase(spoke: Store) -> None:
    (before,) = list_keys(spoke)
    change_passphrase(spoke, PASSPHRASE, "a brand new passphrase")
    with pytest.raises(signing.KeyProblem):
        unlock_signing_key(spoke, PASSPHRASE)
    key_id, _ = unlock_signing_key(spoke, "a brand new passphrase")
    assert key_id == before.key_id
    assert list_keys(spoke)[0].public_key == before.public_key


def test_changing_the_passphrase_refuses_a_wrong_old_one_or_a_short_new_one(spoke: Store) -> None:
    with pytest.raises(signing.KeyProblem, match="wrong passphrase"):
        change_passphrase(spoke, "not the passphrase", "a brand new passphrase")
    with pytest.raises(signing.KeyProblem, match="at least 8 characters"):
        change_passphrase(spoke, PASSPHRASE, "short")
    unlock_signing_key(spoke, PASSPHRASE)


def test_a_store_with_no_key_says_so(store: Store) -> None:
    with pytest.raises(signing.KeyProblem, match="no signing key"):
        unlock_signing_key(store, PASSPHRASE)
    with pytest.raises(signing.KeyProblem, match="no signing key"):
        rotate_key(store, PASSPHRASE)


def test_setting_the_hub_recipient(spoke: Store) -> None:
    new = pyrage.x25519.Identity.generate().to_public()
    assert set_hub_recipient(spoke, f"  {new} ") == str(new)
    assert hub_recipient(spoke) == str(new)
    with pytest.raises(SetupError, match="not an age recipient"):
        set_hub_recipient(spoke, "age1notarecipient")
    assert hub_recipient(spoke) == str(new)
