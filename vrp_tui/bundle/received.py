"""A received ``data/return.json`` read strictly (SPEC section 5, check 5; section 9).

The bytes come from outside the hub: they are parsed so that NaN, Infinity,
numbers too large for any figure and repeated keys are refused; every string
(keys too) must be valid Unicode (no lone surrogate), without control
characters other than newline and tab, and at most 100 kB; then the document
is validated against its format with the received rules (the hub's date
included). Every refusal is a one-line ``DocumentError``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

from vrp_tui.returns.document import (
    MAX_TEXT_BYTES,
    DocumentError,
    ReturnDocument,
    shown,
    validate_document,
    where,
)

# Unicode's control characters (category Cc) but newline and tab.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_RETURN_JSON_BYTES = 4 * 1024 * 1024  # the largest real return is well under 1 MB
MAX_VALUES = 200_000  # JSON values in all (a return of 200 interventions has about 12,000)
MAX_FIELDS = 64  # in any one object: no part of a return has nearly so many
_MAX_NUMBER_CHARS = 24  # a JSON number longer than this is no figure of a return


class Refused:
    """A JSON value the parser refused, left in its place so the check that follows names where it is."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


def _refuse_constant(name: str) -> Refused:
    return Refused(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int | Refused:
    if len(text) > _MAX_NUMBER_CHARS:
        return Refused(f"a number of {len(text)} digits, too large")
    return int(text)


def _finite_float(text: str) -> float | Refused:
    if len(text) > _MAX_NUMBER_CHARS:
        return Refused(f"a number written in {len(text)} characters, too long")
    value = float(text)
    if not math.isfinite(value):
        return Refused(f"the number {shown(text)} is too large")
    return value


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                out[key] = Refused("the key is given more than once in its object")
            seen.add(key)
    return out


def parse_json(raw: bytes) -> Any:
    """Received bytes as JSON; NaN, Infinity, huge numbers and a key given twice are left as
    :class:`Refused` values, which :func:`check_texts` reports with where they are."""
    if len(raw) > MAX_RETURN_JSON_BYTES:
        raise DocumentError(f"data/return.json is {len(raw)} bytes, more than the {MAX_RETURN_JSON_BYTES} "
                            "a return may be")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError("data/return.json is not UTF-8") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int,
                          parse_float=_finite_float, object_pairs_hook=_no_repeats)
    except (ValueError, RecursionError):
        raise DocumentError("data/return.json is not valid JSON") from None


def _text_problem(value: str) -> str | None:
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    if size > MAX_TEXT_BYTES:
        return f"is {size} bytes, more than the {MAX_TEXT_BYTES} a field may hold"
    control = _CONTROL.search(value)
    if control:
        return f"holds the control character U+{ord(control.group()):04X}"
    return None


def check_texts(data: Any, start: tuple[int | str, ...] = ()) -> None:
    """Every string (keys too) valid Unicode, without controls but newline and tab, within size;
    no value the parser refused.

    Also bounds the shape before any validation work: at most MAX_VALUES
    values in all and MAX_FIELDS fields in any object.
    """
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(data, start)]
    seen = 1
    while stack:
        value, loc = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                raise DocumentError(f"return.json is not valid: {where(loc)}: the text {problem}")
        elif isinstance(value, Refused):
            raise DocumentError(f"return.json is not valid: {where(loc)}: {value.reason}")
        elif isinstance(value, dict | list):
            seen += len(value)
            if seen > MAX_VALUES:
                raise DocumentError(f"return.json holds more than {MAX_VALUES} values, more than any return has")
            if isinstance(value, list):
                stack.extend((item, (*loc, n)) for n, item in enumerate(value))
                continue
            if len(value) > MAX_FIELDS:
                raise DocumentError(f"return.json is not valid: {where(loc)}: {len(value)} fields, "
                                    f"more than any part of a return has")
            for key, item in value.items():
                problem = _text_problem(key)
                if problem:
                    raise DocumentError(f"return.json is not valid: {where(loc)}: a key {problem}")
                stack.append((item, (*loc, key)))


def parse_return_json(raw: bytes) -> dict[str, Any]:
    """A bundle's ``data/return.json`` parsed strictly and its text checked (not yet validated)."""
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise DocumentError("return.json is not a JSON object")
    check_texts(data)
    return data


def read_return_json(raw: bytes, *, today: date) -> tuple[dict[str, Any], ReturnDocument]:
    """A received ``data/return.json`` read strictly: the JSON as received and its validated model.

    DocumentError (one line) for anything outside format 1 as SPEC section 5, check 5 states it.
    """
    data = parse_return_json(raw)
    return data, validate_document(data, received=today)
