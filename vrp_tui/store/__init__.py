"""The spoke store (SQLite via sqlite-utils)."""

from vrp_tui.store.database import Store, StoreBusy, write_transaction
from vrp_tui.store.kinds import KINDS, Kind

__all__ = ["KINDS", "Kind", "Store", "StoreBusy", "write_transaction"]
