"""The worker thread's own store: screens never share a sqlite3 connection across threads."""

from __future__ import annotations

from typing import Any

from textual.dom import DOMNode


def thread_store(node: DOMNode) -> Any:
    """The calling thread's store from ``node``'s app (its ``store()``); call it only in a thread worker."""
    app: Any = node.app
    return app.store()
