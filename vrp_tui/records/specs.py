"""Plain descriptions of list columns and form fields, shared by spoke and hub screens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    show: Callable[[Any], str] = str


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    control: str = "text"  # text, date, money, password, refs, participant, select, yesno, intervention
    taxonomy: str | None = None  # a select's choices from reference.TAXONOMIES
    optional: bool = False
    placeholder: str = ""
    choices: tuple[tuple[str, Any], ...] = ()  # a select's choices given directly
