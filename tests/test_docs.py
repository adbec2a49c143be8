"""The documentation is held to the code.

* every command of ``vrp`` (walked from ``vrp_tui.cli:main``, through every group, the lazily
  imported ones included) and every option it takes is written in README.md or docs/*.md, in a
  code span that starts with the command's path (``vrp hub report PERIOD --format ...``);
* the table of packages and modules in docs/architecture.md is the layout under ``vrp_tui/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

import vrp_tui
from vrp_tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(vrp_tui.__file__).parent
SPAN = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Documented:
    path: tuple[str, ...]  # ("vrp", "hub", "report")
    options: tuple[str, ...]  # the long (else short) name of each option: ("--format", "--out", ...)


def commands(command: click.Command, path: tuple[str, ...], parent: click.Context | None) -> Iterator[Documented]:
    """``command`` and everything under it; groups list their commands as ``vrp --help`` does."""
    options = tuple(max(p.opts, key=len) for p in command.params
                    if isinstance(p, click.Option) and not p.hidden)
    yield Documented(path, options)
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1], parent=parent)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} lists {name} but cannot load it"
            if not sub.hidden:
                yield from commands(sub, (*path, name), ctx)


def code_spans(texts: dict[str, str]) -> list[str]:
    """Inline code of the docs, ``\\|`` (a pipe inside a Markdown table) read as ``|``."""
    return [s.replace("\\|", "|") for text in texts.values() for s in SPAN.findall(text)]


def words(span: str) -> set[str]:
    return set(re.findall(r"--?[A-Za-z0-9][\w-]*|[A-Za-z0-9][\w-]*", span))


def missing(command: Documented, spans: list[str]) -> list[str]:
    """What the docs do not say about ``command``: itself, or which of its options."""
    *parents, name = command.path
    prefix = " ".join(parents)
    about = [s for s in spans if (s.startswith(f"{prefix} ") and name in words(s[len(prefix):]))
             or (not parents and s.split()[:1] == [name])]
    label = " ".join(command.path)
    if not about:
        return [label]
    said = set().union(*(words(s) for s in about))
    return [f"{label} {option}" for option in command.options if option not in said]


def docs() -> dict[str, str]:
    return {p.name: p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}


def test_the_walk_sees_lazy_commands_and_nested_groups() -> None:
    found = {c.path: c for c in commands(main, ("vrp",), None)}
    assert ("vrp", "hub", "report") in found  # vrp hub is imported only when it runs
    assert ("vrp", "return", "sign-off") in found
    assert "--db" in found[("vrp",)].options
    assert {"--format", "--out", "--publish"} <= set(found[("vrp", "hub", "report")].options)


def test_every_command_and_option_is_documented() -> None:
    spans = code_spans(docs())
    gaps = [gap for command in commands(main, ("vrp",), None) for gap in missing(command, spans)]
    assert gaps == [], "document these in README.md (the command table) or docs/*.md"


@pytest.mark.parametrize(("spans", "expected"), [
    (["vrp hub report PERIOD --format json|csv|xlsx [--out FILE]"], ["vrp hub report --publish"]),
    (["vrp hub status", "vrp report PERIOD --publish"], ["vrp hub report"]),  # not under `vrp hub`
    (["vrp hub reportage --out --format --publish"], ["vrp hub report"]),  # a word, not a prefix
    (["vrp hub report PERIOD --format X", "vrp hub report --out F --publish"], []),
])
def test_the_doc_check_finds_what_is_missing(spans: list[str], expected: list[str]) -> None:
    report = Documented(("vrp", "hub", "report"), ("--format", "--out", "--publish"))
    assert missing(report, spans) == expected


# -- docs/architecture.md: the layout ---------------------------------------------


def layout_on_disk() -> dict[str, set[str]]:
    """Each top-level module (``app.py``) and package (``store/``, ``screens/hub/``) of vrp_tui,
    with a package's modules (``__init__`` left out)."""
    layout: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if "__pycache__" in rel.parts:
            continue
        if len(rel.parts) == 1:
            if rel.name != "__init__.py":
                layout[rel.name] = set()
            continue
        package = "/".join(rel.parts[:-1]) + "/"
        layout.setdefault(package, set())
        if rel.name != "__init__.py":
            layout[package].add(rel.stem)
    return layout


ROW = re.compile(r"^\|\s*`([\w/.]+)`\s*\|([^|]*)\|([^|]*)\|\s*$")


def layout_in_doc(text: str) -> dict[str, set[str]]:
    """The rows of the doc's table: | `package/` | module, module | what it does |."""
    rows: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if match:
            name, modules, job = match.groups()
            assert job.strip(), f"{name} needs its job in one line"
            assert name not in rows, f"{name} is listed twice"
            rows[name] = {m.strip() for m in modules.split(",") if m.strip() and m.strip() != "-"}
    return rows


def test_the_architecture_doc_lists_the_layout() -> None:
    assert layout_in_doc((ROOT / "docs" / "architecture.md").read_text()) == layout_on_disk()


def test_the_layout_check_reads_the_table() -> None:
    table = "| `store/` | database, kinds | SQL |\n| `app.py` | - | the spoke app |\n| not | a | row |\n"
    assert layout_in_doc(table) == {"store/": {"database", "kinds"}, "app.py": set()}
    on_disk = layout_on_disk()
    assert "app.py" in on_disk and "database" in on_disk["store/"] and "main" in on_disk["screens/hub/"]


# -- paths and module names the docs give ---------------------------------------------

NAMED = re.compile(r"\bvrp_tui(?:[./][\w-]+)*/?")


def named_in_docs(text: str) -> set[str]:
    """``vrp_tui/...`` paths and ``vrp_tui.x.y`` names written in code spans."""
    return {m.group(0).rstrip(".") for span in SPAN.findall(text) for m in NAMED.finditer(span)}


def exists(name: str) -> bool:
    """A file or folder under the repository, or a module (or an attribute of one) by dotted name."""
    if "/" in name or name.endswith(".py"):
        return (ROOT / name).exists()
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:n])
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            return True
    return False


def test_every_vrp_tui_path_in_the_docs_exists() -> None:
    texts = {**docs(), "bench/README.md": (ROOT / "bench" / "README.md").read_text()}
    stale = sorted(f"{doc}: {name}" for doc, text in texts.items() for name in named_in_docs(text)
                   if not exists(name))
    assert stale == [], "the docs name files or modules that are not there"


def test_the_path_check_finds_a_stale_name() -> None:
    names = named_in_docs("see `vrp_tui/demo_hub.py`, `vrp_tui.records.importing.import_csv(store)` and `vrp_tui/`")
    assert names == {"vrp_tui/demo_hub.py", "vrp_tui.records.importing.import_csv", "vrp_tui/"}
    assert [n for n in sorted(names) if not exists(n)] == ["vrp_tui/demo_hub.py"]
