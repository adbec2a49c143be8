"""The dependencies are pinned: capped ranges in pyproject.toml, and a lock file that satisfies them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.+!-]*)$")


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"] + project["optional-dependencies"]["dev"]]


def locked() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.match(line.strip())
        assert match, f"requirements.lock line {number} is not name==version: {line!r}"
        name = canonicalize_name(match[1])
        assert name not in pins, f"requirements.lock pins {name} twice"
        pins[name] = Version(match[2])
    return pins


def test_every_declared_dependency_has_a_floor_and_a_cap() -> None:
    for req in declared():
        operators = {spec.operator for spec in req.specifier}
        assert ">=" in operators and "<" in operators, f"{req} needs a range like >=X.Y,<X+1"
        floor = next(Version(s.version) for s in req.specifier if s.operator == ">=")
        cap = next(Version(s.version) for s in req.specifier if s.operator == "<")
        # below the next major; for a 0.x release, below the next minor
        expected = Version(f"{floor.major + 1}") if floor.major else Version(f"0.{floor.minor + 1}")
        assert cap == expected, f"{req}: the cap should be <{expected}"


def test_the_lock_pins_every_declared_dependency_inside_its_range() -> None:
    pins = locked()
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is declared but not in requirements.lock (make lock)"
        assert pins[name] in req.specifier, f"requirements.lock pins {name}=={pins[name]}, outside {req}"


def test_the_lock_holds_the_transitive_packages_too() -> None:
    pins = locked()
    # pulled in by textual, pydantic and mypy respectively: a lock of the top level alone would miss them
    for name in ("markdown-it-py", "pydantic-core", "mypy-extensions", "et-xmlfile"):
        assert name in pins
    assert "vrp-returns" not in pins, "the project itself is installed editable, not from the lock"
