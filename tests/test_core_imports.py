"""The core never imports Textual: every module outside the UI is imported in a fresh process to prove it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import vrp_tui

PACKAGE = Path(vrp_tui.__file__).parent
UI_MODULES = {"vrp_tui.app", "vrp_tui.hub_app", "vrp_tui.screens.spoke.commands"}
UI_PACKAGES = ("vrp_tui.screens", "vrp_tui.widgets")


def core_modules() -> list[str]:
    """Every module under vrp_tui except the UI, found from the files so new modules are checked too."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name in UI_MODULES or any(name == p or name.startswith(p + ".") for p in UI_PACKAGES):
            continue
        names.append(name)
    return names


def test_the_list_covers_the_core() -> None:
    modules = core_modules()
    for name in ("vrp_tui.reference", "vrp_tui.periods", "vrp_tui.records.models", "vrp_tui.store",
                 "vrp_tui.store.database", "vrp_tui.bundle.signing", "vrp_tui.spoke.setup", "vrp_tui.records.importing",
                 "vrp_tui.demo.spokes", "vrp_tui.cli", "vrp_tui.cli.records"):
        assert name in modules
    assert not any(m.startswith(("vrp_tui.screens", "vrp_tui.widgets")) for m in modules)
    assert "vrp_tui.app" not in modules


def test_importing_the_core_does_not_import_textual() -> None:
    script = (
        "import importlib, json, sys\n"
        "report = {'textual_after': None, 'failed': {}}\n"
        f"for name in {core_modules()!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        report['failed'][name] = repr(exc)\n"
        "    if 'textual' in sys.modules and report['textual_after'] is None:\n"
        "        report['textual_after'] = name\n"
        "print(json.dumps(report))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["failed"] == {}, "core modules that do not import"
    assert report["textual_after"] is None, "this module (or one it imports) pulled in textual"
