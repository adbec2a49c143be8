"""Start-up: the app factories are pure (tests share them); the command that opens a TUI freezes the heap."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import vrp_tui.app
import vrp_tui.hub_app
from vrp_tui.cli import main


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_factories_do_not_freeze_the_heap(tmp_path: Path, thawed: None) -> None:
    vrp_tui.app.make_app(tmp_path / "spoke.db")
    vrp_tui.hub_app.make_hub_app(tmp_path / "hub.db")
    assert gc.get_freeze_count() == 0


class FakeApp:
    def __init__(self) -> None:
        self.frozen_at_run: int | None = None
        self.refusal: str | None = None
        self.return_code: int | None = 0

    def run(self) -> None:
        self.frozen_at_run = gc.get_freeze_count()


def test_vrp_freezes_what_it_imported_just_before_the_app_runs(
        tmp_path: Path, thawed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[Path, FakeApp]] = []

    def fake_make_app(db: Path) -> FakeApp:
        assert gc.get_freeze_count() == 0, "frozen before the app was made"
        app = FakeApp()
        made.append((db, app))
        return app

    monkeypatch.setattr(vrp_tui.app, "make_app", fake_make_app)
    done = CliRunner().invoke(main, ["--db", str(tmp_path / "spoke.db")])
    assert done.exit_code == 0, done.output
    ((db, app),) = made
    assert db == tmp_path / "spoke.db"
    assert app.frozen_at_run is not None and app.frozen_at_run > 1000  # the imported modules, classes, functions
