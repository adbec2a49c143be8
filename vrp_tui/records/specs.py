"""Plain descriptions of list columns and form fields, shared by spoke and hub screens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # the least it is drawn at
    show: Callable[[Any], str] = str
    grow: int = 0  # its share of the width left over (names first); 0: stays at ``width``
    justify: str = "left"  # "right" for money


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    control: str = "text"  # text, date, money, password, refs, participant, select, yesno, intervention
    taxonomy: str | None = None  # a select's choices from reference.TAXONOMIES
    optional: bool = False
    placeholder: str = ""
    choices: tuple[tuple[str, Any], ...] = ()  # a select's choices given directly
    default: Any = None  # what a new record's form starts with


_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", re.ASCII)


def iso_date_text(text: str) -> str:
    """A date as a UK user types it (``3/7/2025``, ``03/07/2025``: day first) in ISO form
    (``2025-07-03``); anything else is given back as it is, for the model to judge."""
    match = _UK_DATE.fullmatch(text.strip())
    if match is None:
        return text
    day, month, year = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def period_text(text: str) -> str:
    """A period as typed in any letter case (``2025-26-q1``, ``2025/26 Q1``) in its stored form."""
    stripped = text.strip()
    code = re.fullmatch(r"([0-9]{4})[-/]([0-9]{2})[- ]?[qQ]([1-4])", stripped, re.ASCII)
    return f"{code[1]}-{code[2]}-Q{code[3]}" if code else text
