"""A narrative that identifies someone is a validation error (SPEC section 4).

The narrative goes to the hub in the bundle, so it must not name a young
person. A field is refused at sign-off and at export when it holds:

- one of the spoke's participant refs, as a whole word, in any letter case
  (``yp001`` finds ``YP001``; ``XYP001Z`` does not);
- one of its participants' dates of birth, written ``2009-03-14``,
  ``14/03/2009``, ``14/3/2009`` or ``14 March 2009`` (a day or month of one
  digit may have its leading zero or not; month names in full, any case);
- a full unit postcode (``BS5 6XX``; the district ``BS5`` alone is fine);
- an email address;
- a UK phone number (``07700 900123``, ``+44 7700 900123``, ``0117 496 0000``,
  ``(0117) 4960000``): a number starting 0, +44 or (0 whose digits, with +44
  read as 0, are 10 or 11 starting with 0.

Inside the spoke the finding says what was found; in return.json it says only
what kind of thing (``case_study holds a young person's case reference``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date

from vrp_tui.store import Store

KINDS = {  # code -> what the message says the field holds
    "narrative-ref": "a young person's case reference",
    "narrative-dob": "a young person's date of birth",
    "narrative-postcode": "a full postcode",
    "narrative-email": "an email address",
    "narrative-phone": "a phone number",
}

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})(?!\d)", re.IGNORECASE)

# The UK unit postcode: outward code (area letters, district), inward code (sector digit, unit letters).
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKPSTUW]?)[ ]?([0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE)
_ORDINALS = {"st", "nd", "rd", "th"}
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(
    r"(?<![\w+/.,£$-])(?:\+44[ ]?(?:\(0\)[ ]?)?[1-9]\d{1,4}|\(0\d{2,5}\)|0\d{1,5})(?:[ -]?\d{2,8}){0,3}(?![\d/])")


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def found_refs(text: str, refs: Mapping[str, str]) -> list[str]:
    """The refs (``refs``: lower-case ref -> ref) that ``text`` holds as whole words, in order found."""
    lowered = text.lower()
    lengths = sorted({len(r) for r in refs}, reverse=True)
    out: dict[str, None] = {}
    for i in range(len(lowered)):
        if i and _word_char(lowered[i - 1]) and _word_char(lowered[i]):
            continue  # inside a word: no whole-word match starts here
        for n in lengths:
            piece = lowered[i:i + n]
            if len(piece) < n or piece not in refs:
                continue
            after = lowered[i + n:i + n + 1]
            if after and _word_char(after) and _word_char(piece[-1]):
                continue
            out[refs[piece]] = None
            break
    return list(out)


def dates_written(text: str) -> Iterator[tuple[str, str]]:
    """Every date ``text`` writes in one of the four forms: (as written, ISO date)."""
    for m in _ISO.finditer(text):
        yield from _as_date(m.group(0), int(m[1]), int(m[2]), int(m[3]))
    for m in _SLASHED.finditer(text):
        yield from _as_date(m.group(0), int(m[3]), int(m[2]), int(m[1]))
    for m in _WORDS.finditer(text):
        yield from _as_date(m.group(0), int(m[3]), _MONTHS.index(m[2].lower()) + 1, int(m[1]))


def _as_date(written: str, year: int, month: int, day: int) -> Iterator[tuple[str, str]]:
    try:
        yield written, date(year, month, day).isoformat()
    except ValueError:
        return


def postcodes(text: str) -> list[str]:
    """Full unit postcodes; a lower-case "6th" or "2nd" after a district-like word reads as an ordinal."""
    return [m.group(0) for m in _POSTCODE.finditer(text) if m[2][1:] not in _ORDINALS]


def emails(text: str) -> list[str]:
    return [m.group(0) for m in _EMAIL.finditer(text)]


def phones(text: str) -> list[str]:
    out = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith("44") and m.group(0).startswith("+"):
            digits = "0" + digits[2:].removeprefix("0")
        if digits.startswith("0") and 10 <= len(digits) <= 11:
            out.append(m.group(0))
    return out


class Scanner:
    """What identifies someone in this spoke: its participants' refs and dates of birth (read once)."""

    def __init__(self, store: Store):
        self.store = store
        self._refs: dict[str, str] | None = None
        self._dobs: set[str] | None = None

    @property
    def refs(self) -> dict[str, str]:
        if self._refs is None:
            self._refs = {r.lower(): r for (r,) in self.store.conn.execute("SELECT ref FROM participants")}
        return self._refs

    def birthdays(self, candidates: set[str]) -> set[str]:
        if not candidates:
            return set()
        marks = ", ".join("?" * len(candidates))
        return {d for (d,) in self.store.conn.execute(
            f"SELECT DISTINCT date_of_birth FROM participants WHERE date_of_birth IN ({marks})",
            sorted(candidates))}

    def field(self, text: str) -> dict[str, list[str]]:
        """What ``text`` holds that identifies someone: code -> the values found (empty: nothing)."""
        if not text.strip():
            return {}
        written = list(dates_written(text))
        dobs = self.birthdays({iso for _, iso in written})
        found = {
            "narrative-ref": found_refs(text, self.refs),
            "narrative-dob": list(dict.fromkeys(w for w, iso in written if iso in dobs)),
            "narrative-postcode": list(dict.fromkeys(postcodes(text))),
            "narrative-email": list(dict.fromkeys(emails(text))),
            "narrative-phone": list(dict.fromkeys(phones(text))),
        }
        return {code: values for code, values in found.items() if values}

