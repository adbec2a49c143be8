"""How money and stored times are shown: one formatter each, for every screen and the command line.

Money is held as integer pence. Screens show pounds with thousands separators
(``pounds``: ``12,500.00``); documents (return.json, SPEC section 4) write the
plain two-decimal string (``json_pounds``: ``12500.00``), which forms also
use as the value to edit. Times are stored as UTC ISO 8601 (``2025-07-03T10:00:00+00:00``)
and shown to the minute or the day in UTC (``timestamp``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal


def json_pounds(pence: int) -> str:
    """Pence as the document's money string: ``1250050`` -> ``"12500.50"`` (no separators)."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def pounds(pence: int) -> str:
    """Pence as pounds on screen: ``1250050`` -> ``"12,500.50"``."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def pence_of(text: str) -> int:
    """A document's money string (``"12500.50"``, already validated) as pence."""
    return int(Decimal(text) * 100)


def timestamp(stamp: str | None, *, to: Literal["minute", "day"] = "minute") -> str:
    """A stored UTC timestamp as shown: ``2025-07-03 10:00`` (or ``2025-07-03``); ``""`` for none.

    An offset other than UTC is converted to UTC; a value that is not an ISO 8601
    time comes back as it is (a caller shows it as outside text, like any stored string).
    """
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d" if to == "day" else "%Y-%m-%d %H:%M")
