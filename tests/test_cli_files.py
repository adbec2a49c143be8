"""A file or folder the command line cannot write ends in one line and exit status 1, never a traceback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner
from hub_bags import HubWorld, document

from vrp_tui.cli import main


def run(db: Path, *args: str) -> tuple[int, list[str]]:
    done = CliRunner().invoke(main, ["--db", str(db), *args], env={"VRP_PASSPHRASE": "a long passphrase"})
    return done.exit_code, done.stderr.splitlines()


def a_file(tmp_path: Path) -> Path:
    """A plain file: nothing can be written "inside" it, not even by root."""
    path = tmp_path / "plain.txt"
    path.write_text("not a folder\n")
    return path


def test_a_backup_under_a_file_is_one_line(spoke_db: Path, tmp_path: Path) -> None:
    code, lines = run(spoke_db, "backup", str(a_file(tmp_path) / "copy.db"))
    assert code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), lines


def test_a_hub_report_to_a_path_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    hub = tmp_path / "hub.db"
    assert run(hub, "hub", "init")[0] == 0
    world = HubWorld(hub)
    assert world.receive(world.send(document("bristol", "2025-26-Q1")), today=date(2025, 8, 1)).accepted
    world.store.close()
    target = a_file(tmp_path) / "report.xlsx"
    code, lines = run(hub, "hub", "report", "2025-26-Q1", "--format", "xlsx", "--out", str(target))
    assert code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), lines
    assert str(target.parent) in lines[0]  # the file in the way
    assert not list(tmp_path.glob("**/*.part"))
