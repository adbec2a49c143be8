"""The import layers of docs/architecture.md, checked on the source (``ast``) and in a fresh process.

Rules (each a function below, each shown to fail on a bad import by a synthetic package):

1. the core (``CORE``) imports no UI (``UI``), at module level or inside a function, with one
   allowance: a command of ``vrp_tui.cli`` that opens a TUI may import ``vrp_tui.app`` or
   ``vrp_tui.hub_app`` inside its own body (the pairs in ``LAZY_UI_ALLOWED``), so scripted use
   never loads Textual;
2. ``vrp_tui.screens.hub`` and ``vrp_tui.screens.spoke`` do not import each other, and
   ``vrp_tui.screens.shared`` imports neither;
3. ``vrp_tui.widgets`` imports no ``vrp_tui.screens``;
4. no import loops among vrp_tui modules, counting module-level imports (those that run when
   the module loads; ``if TYPE_CHECKING:`` blocks and function bodies do not);
5. imports are absolute;
6. nothing outside the stores uses a private method or attribute of `Store` or `HubStore`.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import vrp_tui

PACKAGE = Path(vrp_tui.__file__).parent

CORE = tuple(f"vrp_tui.{name}" for name in (
    "reference", "periods", "config", "errors", "text", "formatting", "records", "returns", "bundle",
    "hub", "spoke", "demo", "store", "cli"))
UI = ("textual", "vrp_tui.app", "vrp_tui.hub_app", "vrp_tui.screens", "vrp_tui.widgets")
# (module, function) -> the UI modules that function may import in its body
LAZY_UI_ALLOWED = {
    ("vrp_tui.cli", "main"): {"vrp_tui.app"},
    ("vrp_tui.cli.hub", "hub"): {"vrp_tui.hub_app"},
}
APART = {  # these packages never import each other (either way round where both are listed)
    "vrp_tui.screens.hub": ("vrp_tui.screens.spoke",),
    "vrp_tui.screens.spoke": ("vrp_tui.screens.hub",),
    "vrp_tui.screens.shared": ("vrp_tui.screens.hub", "vrp_tui.screens.spoke"),
    "vrp_tui.widgets": ("vrp_tui.screens",),
}


@dataclass(frozen=True)
class Import:
    target: str  # the most specific module imported (``from a import b``: ``a.b`` if that is a module)
    line: int
    function: str | None  # the enclosing function if the import runs only when it is called
    type_only: bool  # under ``if TYPE_CHECKING:``
    relative: bool


Graph = dict[str, list[Import]]


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def module_names(root: Path) -> dict[str, Path]:
    """Every module under the package at ``root``, by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _imports(name: str, path: Path, known: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(alias.name, child.lineno, function, type_only, False))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    target = sub if sub in known else base
                    found.append(Import(target, child.lineno, function, type_only, bool(child.level)))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, function or getattr(child, "name", "<lambda>"), type_only)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), function, True)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), function, type_only)
            else:
                visit(child, function, type_only)

    visit(tree, None, False)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def build_graph(root: Path) -> Graph:
    names = module_names(root)
    return {name: _imports(name, path, set(names)) for name, path in names.items()}


def layer_violations(graph: Graph) -> list[str]:
    """Rules 1, 2, 3 and 5: one line per offending import."""
    bad = []
    for module, imports in sorted(graph.items()):
        for imp in imports:
            where = f"{module}:{imp.line} imports {imp.target}"
            if imp.relative:
                bad.append(f"{where} relatively; write it absolute")
            if any(within(module, core) for core in CORE) and any(within(imp.target, ui) for ui in UI):
                allowed = LAZY_UI_ALLOWED.get((module, imp.function or ""), set())
                if not (imp.function and imp.target in allowed):
                    bad.append(f"{where}: the core imports no UI")
            for package, others in APART.items():
                if within(module, package) and any(within(imp.target, other) for other in others):
                    bad.append(f"{where}: {package} does not import {', '.join(others)}")
    return bad


def import_cycles(graph: Graph) -> list[list[str]]:
    """Rule 4: the loops among module-level imports (each as a path that returns to its start)."""
    edges = {m: sorted({i.target for i in imps if i.function is None and not i.type_only and i.target in graph
                        and i.target != m}) for m, imps in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node)
    return cycles


# -- the real package ---------------------------------------------------------


def test_the_graph_sees_the_package() -> None:
    graph = build_graph(PACKAGE)
    for name in ("vrp_tui.reference", "vrp_tui.store.database", "vrp_tui.bundle.signing", "vrp_tui.cli",
                 "vrp_tui.screens.hub.main", "vrp_tui.widgets.hosts", "vrp_tui.app"):
        assert name in graph
    targets = {i.target for i in graph["vrp_tui.app"]}
    assert "textual.app" in targets and "vrp_tui.screens.spoke.main" in targets
    # the allowance is used, and only as a function-level import
    (lazy,) = [i for i in graph["vrp_tui.cli"] if i.target == "vrp_tui.app"]
    assert lazy.function == "main"


def test_the_layers_hold() -> None:
    assert layer_violations(build_graph(PACKAGE)) == []


def test_no_import_loops() -> None:
    assert import_cycles(build_graph(PACKAGE)) == []


def core_modules() -> list[str]:
    return [n for n in module_names(PACKAGE) if any(within(n, core) for core in CORE)]


def test_importing_the_core_does_not_import_textual() -> None:
    """What the source says, checked at run time: every core module imported in one fresh process."""
    assert "vrp_tui.cli.records" in core_modules() and "vrp_tui.app" not in core_modules()
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


# -- the checker on synthetic packages: each rule fails on a bad import ------------


def fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "vrp_tui"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            (root / parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(text))
    return root


def test_a_good_fake_package_passes(tmp_path: Path) -> None:
    root = fake_package(tmp_path, {
        "store/database.py": "import sqlite3\nfrom vrp_tui import errors\n",
        "errors.py": "",
        "cli/__init__.py": "def main():\n    from vrp_tui.app import make_app\n",
        "app.py": "from textual.app import App\nfrom vrp_tui.screens.spoke import main\n",
        "screens/spoke/main.py": "from vrp_tui.widgets import hosts\nfrom vrp_tui.screens.shared import help\n",
        "screens/shared/help.py": "",
        "widgets/hosts.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from vrp_tui.app import VrpApp\n",
    })
    graph = build_graph(root)
    assert layer_violations(graph) == []
    assert import_cycles(graph) == []  # app -> screens -> widgets -> app is type-only


@pytest.mark.parametrize(("files", "expected"), [
    ({"store/database.py": "import textual\n"},
     "vrp_tui.store.database:1 imports textual: the core imports no UI"),
    ({"returns/figures.py": "def f():\n    from vrp_tui.widgets import fields\n", "widgets/fields.py": ""},
     "vrp_tui.returns.figures:2 imports vrp_tui.widgets.fields: the core imports no UI"),
    ({"cli/__init__.py": "from vrp_tui.app import make_app\n", "app.py": ""},
     "vrp_tui.cli:1 imports vrp_tui.app: the core imports no UI"),
    ({"cli/records.py": "def import_():\n    from vrp_tui.app import make_app\n", "app.py": ""},
     "vrp_tui.cli.records:2 imports vrp_tui.app: the core imports no UI"),
    ({"cli/__init__.py": "def main():\n    from vrp_tui.screens.spoke import main\n", "screens/spoke/main.py": ""},
     "vrp_tui.cli:2 imports vrp_tui.screens.spoke.main: the core imports no UI"),
    ({"screens/hub/main.py": "from vrp_tui.screens.spoke.keys import KeysScreen\n", "screens/spoke/keys.py": ""},
     "vrp_tui.screens.hub.main:1 imports vrp_tui.screens.spoke.keys: "
     "vrp_tui.screens.hub does not import vrp_tui.screens.spoke"),
    ({"screens/spoke/main.py": "def f():\n    import vrp_tui.screens.hub.matrix\n", "screens/hub/matrix.py": ""},
     "vrp_tui.screens.spoke.main:2 imports vrp_tui.screens.hub.matrix: "
     "vrp_tui.screens.spoke does not import vrp_tui.screens.hub"),
    ({"widgets/fields.py": "from vrp_tui.screens.shared import confirm\n", "screens/shared/confirm.py": ""},
     "vrp_tui.widgets.fields:1 imports vrp_tui.screens.shared.confirm: vrp_tui.widgets does not import vrp_tui.screens"),
    ({"records/models.py": "from . import specs\n", "records/specs.py": ""},
     "vrp_tui.records.models:1 imports vrp_tui.records.specs relatively; write it absolute"),
])
def test_each_layer_rule_fails_on_a_bad_import(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    assert layer_violations(build_graph(fake_package(tmp_path, files))) == [expected]


def test_a_loop_is_found_and_a_lazy_import_breaks_it(tmp_path: Path) -> None:
    looped = fake_package(tmp_path / "a", {
        "records/models.py": "from vrp_tui.records.sections import money\n",
        "records/sections.py": "import vrp_tui.returns.figures\n",
        "returns/figures.py": "from vrp_tui.records import models\n",
    })
    assert import_cycles(build_graph(looped)) == [
        ["vrp_tui.records.models", "vrp_tui.records.sections", "vrp_tui.returns.figures", "vrp_tui.records.models"]]
    lazy = fake_package(tmp_path / "b", {
        "records/models.py": "from vrp_tui.records.sections import money\n",
        "records/sections.py": "import vrp_tui.returns.figures\n",
        "returns/figures.py": "def f():\n    from vrp_tui.records import models\n",
    })
    assert import_cycles(build_graph(lazy)) == []


# -- the stores' private parts stay in the stores ---------------------------------

STORE_MODULES = {"vrp_tui/store/database.py": "Store", "vrp_tui/hub/store.py": "HubStore"}
# Nothing outside the stores uses their private parts; nothing may join this list.
PRIVATE_STORE_USE_ALLOWED: set[tuple[str, str]] = set()


def private_names(path: Path, cls: str) -> set[str]:
    """The private methods and attributes (``_x``, not dunders) the class ``cls`` defines."""
    tree = ast.parse(path.read_text())
    (body,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls]
    names = set()
    for node in ast.walk(body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            names.add(node.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def private_uses(root: Path, private: set[str], skip: set[str]) -> set[tuple[str, str, int]]:
    """Every ``x.<private>`` outside ``skip`` where ``x`` is not ``self``, ``cls`` or ``super()``."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).as_posix()
        if rel in skip:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Attribute) and node.attr in private):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                continue
            found.add((rel, node.attr, node.lineno))
    return found


def test_no_private_store_access_outside_the_stores() -> None:
    private = set().union(*(private_names(PACKAGE.parent / p, c) for p, c in STORE_MODULES.items()))
    assert "_audit" in private and "_save" in private
    uses = private_uses(PACKAGE, private, set(STORE_MODULES) | {"vrp_tui/store/kinds.py",
                                                                 "vrp_tui/store/migrations.py"})
    assert {(path, name) for path, name, _ in uses} <= PRIVATE_STORE_USE_ALLOWED, sorted(uses)


def test_the_private_access_check_finds_a_use(tmp_path: Path) -> None:
    root = fake_package(tmp_path, {"screens/spoke/x.py": "def f(store):\n    store._audit('t', 1)\n"
                                                         "    self._audit\n    super()._audit()\n"})
    assert private_uses(root, {"_audit"}, set()) == {("vrp_tui/screens/spoke/x.py", "_audit", 2)}
