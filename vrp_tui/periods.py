"""Financial-year quarters (SPEC section 2).

A period code is ``YYYY-YY-Qn``; ``2025-26-Q1`` is 1 Apr-30 Jun 2025 and
``2025-26-Q4`` is 1 Jan-31 Mar 2026. DHIS2 (``2025Q2``) and ADX
(``2025-04-01/P3M``) forms are accepted on input too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from vrp_tui.errors import VrpError

# ASCII digits only: \d would take other scripts' digits too.
_CODE = re.compile(r"([0-9]{4})-([0-9]{2})-Q([1-4])")
_DHIS2 = re.compile(r"([0-9]{4})Q([1-4])")
_ADX = re.compile(r"([0-9]{4})-([0-9]{2})-01/P3M")
_FY = re.compile(r"([0-9]{4})-([0-9]{2})")
# SPEC section 9: a year outside 2000-2100 is refused, so a financial year starts in 2000-2099.
FIRST_FY, LAST_FY = 2000, 2099
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class PeriodError(VrpError):
    """A string that is not a period or financial year we understand."""


@dataclass(frozen=True, order=True)
class Period:
    """Quarter ``quarter`` (1-4) of the financial year starting 1 April ``fy_start``."""

    fy_start: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        s = text.strip()
        if m := _CODE.fullmatch(s):
            start, end2, q = int(m[1]), int(m[2]), int(m[3])
            if (start + 1) % 100 != end2:
                raise PeriodError(
                    f"{text!r}: the years must follow on (e.g. 2025-26-Q1)"
                )
            return cls(_in_range(start, text), q)
        if m := _DHIS2.fullmatch(s):
            year, cq = int(m[1]), int(m[2])
            period = cls(year - 1, 4) if cq == 1 else cls(year, cq - 1)
            return cls(_in_range(period.fy_start, text), period.quarter)
        if m := _ADX.fullmatch(s):
            year, month = int(m[1]), int(m[2])
            if month in (4, 7, 10, 1):
                period = cls.containing(date(year, month, 1))
                return cls(_in_range(period.fy_start, text), period.quarter)
        raise PeriodError(
            f"{text!r} is not a period: use YYYY-YY-Qn, e.g. 2025-26-Q1 "
            "(Apr-Jun 2025)"
        )

    @classmethod
    def containing(cls, day: date) -> Period:
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @property
    def code(self) -> str:
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d}-Q{self.quarter}"

    @property
    def financial_year(self) -> str:
        return financial_year_code(self.fy_start)

    @property
    def first_day(self) -> date:
        month = 4 + 3 * (self.quarter - 1)
        year = self.fy_start
        if month > 12:
            month -= 12
            year += 1
        return date(year, month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def label(self) -> str:
        first, last = self.first_day, self.last_day
        return (
            f"{self.fy_start}/{(self.fy_start + 1) % 100:02d} Q{self.quarter} "
            f"({_MONTHS[first.month - 1]}\u2013{_MONTHS[last.month - 1]} {last.year})"
        )

    @property
    def dhis2(self) -> str:
        first = self.first_day
        return f"{first.year}Q{(first.month - 1) // 3 + 1}"

    @property
    def adx(self) -> str:
        return f"{self.first_day.isoformat()}/P3M"

    def next(self) -> Period:
        return Period(self.fy_start + 1, 1) if self.quarter == 4 else Period(self.fy_start, self.quarter + 1)

    def previous(self) -> Period:
        return Period(self.fy_start - 1, 4) if self.quarter == 1 else Period(self.fy_start, self.quarter - 1)

    def year_to_date(self) -> list[Period]:
        """The quarters of this financial year up to and including this one."""
        return [Period(self.fy_start, q) for q in range(1, self.quarter + 1)]

    def __str__(self) -> str:
        return self.code


def financial_year_code(fy_start: int) -> str:
    return f"{fy_start}-{(fy_start + 1) % 100:02d}"


def parse_financial_year(text: str) -> int:
    """``2025-26`` -> 2025 (the calendar year the financial year starts in)."""
    m = _FY.fullmatch(text.strip())
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        raise PeriodError(f"{text!r} is not a financial year: use YYYY-YY, e.g. 2025-26")
    return _in_range(int(m[1]), text)


def _in_range(fy_start: int, text: str) -> int:
    if not FIRST_FY <= fy_start <= LAST_FY:
        raise PeriodError(f"{text!r}: years run from {FIRST_FY} to {LAST_FY + 1}")
    return fy_start


def age_on(date_of_birth: date, day: date) -> int:
    """Age in whole years on ``day``: the birthday itself counts."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
