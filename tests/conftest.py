"""Fixtures shared by every test module: real SQLite files, real keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest
import textual.constants

from vrp_tui.spoke.setup import set_up_spoke
from vrp_tui.store import Store

PASSPHRASE = "correct horse battery"


@pytest.fixture(autouse=True)
def no_animation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps made in tests do not animate, so a snapshot never catches a tab underline mid-slide."""
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def hub_identity() -> pyrage.x25519.Identity:
    return pyrage.x25519.Identity.generate()


@pytest.fixture
def store() -> Iterator[Store]:
    """An in-memory spoke store, not yet set up."""
    s = Store(":memory:", worker="tester")
    yield s
    s.close()


@pytest.fixture
def spoke_db(tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> Path:
    """A spoke database file set up for Bristol, with a key pair protected by PASSPHRASE."""
    path = tmp_path / "spoke.db"
    s = Store(path)
    set_up_spoke(s, spoke="bristol", worker="Amy Tester",
                 hub_recipient=str(hub_identity.to_public()), passphrase=PASSPHRASE)
    s.close()
    return path
