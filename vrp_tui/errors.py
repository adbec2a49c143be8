"""The error every layer uses for a record that cannot be saved.

Kept apart from the pydantic models so the store can raise it without loading them.
"""

from __future__ import annotations


class RecordError(ValueError):
    """A record that cannot be saved, with a reason per field (``""``: the whole record)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
