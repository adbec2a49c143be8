"""The spoke store (SQLite via sqlite-utils)."""

from .database import Store, StoreBusy, write_transaction
from .kinds import KINDS, Kind

__all__ = ["KINDS", "Kind", "Store", "StoreBusy", "write_transaction"]
