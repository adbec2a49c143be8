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
        self.collecting_at_run = False
        self.refusal: str | None = None
        self.return_code: int | None = 0

    def run(self) -> None:
        self.frozen_at_run = gc.get_freeze_count()
        self.collecting_at_run = gc.isenabled()


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
    assert app.collecting_at_run  # and the collector runs for everything made after


CHILD = """
import gc, sys
sys.argv[0] = sys.argv[1]
import vrp_tui.cli
print("loading", gc.isenabled())
from click.testing import CliRunner
import vrp_tui.app
vrp_tui.app.make_app = lambda db: (_ for _ in ()).throw(SystemExit("collector " + str(gc.isenabled())))
result = CliRunner().invoke(vrp_tui.cli.main, ["--db", sys.argv[2], *sys.argv[3:]])
print("command", gc.isenabled(), result.exit_code)
"""


def _child(tmp_path: Path, name: str, *args: str) -> list[str]:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", CHILD, name, str(tmp_path / "spoke.db"), *args],
                          capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_the_vrp_command_loads_with_the_collector_held_and_runs_commands_with_it_on(tmp_path: Path) -> None:
    # A command: the collector is back on before it runs (`keys show` refuses: no spoke there).
    assert _child(tmp_path, "/usr/local/bin/vrp", "keys", "show") == ["loading False", "command True 1"]


def test_a_process_that_is_not_the_vrp_command_keeps_its_collector(tmp_path: Path) -> None:
    assert _child(tmp_path, "pytest", "keys", "show") == ["loading True", "command True 1"]
