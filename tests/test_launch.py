"""`vrp` starts in vrp_tui.launch: alone, it opens the spoke TUI without loading the command line
(click); with anything after it, it is the click command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vrp_tui import launch

PROBE = """
import sys
sys.argv = ["vrp", *sys.argv[1:]]
import vrp_tui.launch as launch
launch.open_spoke_tui = lambda db: print("tui", db, "click" in sys.modules) or 3
launch.main()
"""


def probe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          check=False)


def test_vrp_alone_opens_the_tui_without_loading_click() -> None:
    done = probe(env={"PATH": "/usr/bin:/bin"})
    assert (done.stdout, done.returncode) == ("tui None False\n", 3)


def test_vrp_db_names_the_database_as_the_command_line_s_option_does(tmp_path: Path) -> None:
    done = probe(env={"PATH": "/usr/bin:/bin", "VRP_DB": str(tmp_path / "s.db")})
    assert done.stdout == f"tui {tmp_path / 's.db'} False\n"


def test_anything_after_vrp_goes_to_the_command_line() -> None:
    done = probe("--version")
    assert done.returncode == 0 and "version" in done.stdout and "tui" not in done.stdout


class Refused:
    refusal = "/x/hub.db is a hub database\x1b[2J, not a spoke's"
    return_code = 1

    def run(self) -> None:
        """The app as it ends when the database is refused."""


def test_a_refused_database_ends_in_one_printable_line_and_status_1(monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import vrp_tui.app

    monkeypatch.setattr(vrp_tui.app, "make_app", lambda db, **kw: Refused())
    monkeypatch.setattr(launch, "freeze_imported", lambda: None)  # the test process keeps its collector
    assert launch.open_spoke_tui(Path("/x/hub.db")) == 1
    assert capsys.readouterr().err == "Error: /x/hub.db is a hub database␛[2J, not a spoke's\n"


def test_a_clean_exit_is_status_0(monkeypatch: pytest.MonkeyPatch) -> None:
    import vrp_tui.app

    class Closed(Refused):
        refusal = None  # type: ignore[assignment]
        return_code: Any = None

    monkeypatch.setattr(vrp_tui.app, "make_app", lambda db, **kw: Closed())
    monkeypatch.setattr(launch, "freeze_imported", lambda: None)
    assert launch.open_spoke_tui(None) == 0
