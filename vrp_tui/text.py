"""Outside text as data: the one way a string from a record, a file or a bundle reaches a person.

Anything that did not come from our own code (a CSV cell, a form field, a
bundle's return.json or bag-info, a file name, a review note) may hold Rich
markup (``[bold]``, ``[@click=app.quit]``) or terminal controls (ESC, C1, a
right-to-left override). ``as_text`` makes a Rich ``Text`` that never parses
markup and shows every control as a visible placeholder; ``printable`` is the
same for a plain string (the command line); ``spreadsheet_cell`` keeps a
spreadsheet from reading a cell as a formula.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

# C0 and C1 controls, DEL, bidirectional overrides and isolates, line and
# paragraph separators, lone surrogates: never sent to a terminal as they are.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("[\t\n]")


def _placeholder(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC shows as ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def printable(value: Any, *, multiline: bool = False) -> str:
    """``value`` as a string with every control character shown as a visible placeholder.

    Newline and tab are kept where ``multiline`` (a narrative, a description),
    else shown as ␊ and ␉ so one record stays on one line.
    """
    text = "" if value is None else str(value)
    text = _CONTROLS.sub(_placeholder, text)
    if not multiline:
        text = _LINE_BREAKS.sub(_placeholder, text)
    return text


def as_text(value: Any, *, multiline: bool = False, style: str = "", justify: Any = None) -> Text:
    """A Rich ``Text`` of ``value``, literally: markup is shown, not parsed; controls are placeholders."""
    return Text(printable(value, multiline=multiline), style=style, justify=justify)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """A text cell a spreadsheet reads as text, never as a formula (SPEC §9)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def printable_data(value: Any, *, multiline: bool = True) -> Any:
    """``value`` (a JSON-like tree) with every string, keys included, made ``printable``.

    For printing a document (return.json) to a terminal: the structure and the
    numbers stay as they are; newlines in a narrative are kept by default.
    """
    if isinstance(value, str):
        return printable(value, multiline=multiline)
    if isinstance(value, dict):
        return {printable_data(k, multiline=False): printable_data(v, multiline=multiline) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable_data(v, multiline=multiline) for v in value]
    return value


def cell(value: Any) -> Text:
    """A DataTable cell shown literally, on one line, cropped as a ``str`` cell would be."""
    if isinstance(value, Text):
        return value
    return Text(printable(value), no_wrap=True, end="")


def cells(*values: Any) -> list[Text]:
    """One ``cell`` per value: a DataTable row whose cells are shown literally (Texts stay as given)."""
    return [cell(value) for value in values]

