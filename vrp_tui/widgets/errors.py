"""One way to turn a failed worker into something a person can act on.

Workers raise; the node that started them (a screen or widget using
``ReportsWorkerErrors``) receives the state change and hands the exception to
``report_error``: field errors go beside the fields if the node can show them,
anything else becomes a notification. A traceback never reaches the screen.
"""

from __future__ import annotations

import sqlite3
import traceback
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from vrp_tui.errors import VrpError, one_line
from vrp_tui.text import printable


@runtime_checkable
class ShowsFieldErrors(Protocol):
    def show_errors(self, errors: Mapping[str, str]) -> None: ...


def describe_error(exc: BaseException) -> str:
    """One line a spoke worker or analyst can read, whatever went wrong."""
    if isinstance(exc, VrpError):
        return exc.message
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return one_line(f"{exc.strerror or exc}{where}")
    if isinstance(exc, sqlite3.DatabaseError):
        return one_line(f"the database could not do that ({exc})")
    return one_line(f"unexpected problem ({type(exc).__name__}): {exc}")


def report_error(node: DOMNode, exc: BaseException) -> None:
    """Field errors beside the fields of ``node`` if it shows them, else a notification.

    A ``VrpError`` is a refusal and says why; anything else is a bug, and its
    traceback goes to the Textual log (``textual console``), never the screen.
    """
    if isinstance(exc, VrpError) and exc.field_errors and isinstance(node, ShowsFieldErrors):
        node.show_errors(exc.field_errors)
        return
    if not isinstance(exc, VrpError | OSError | sqlite3.Error):
        node.log.error("".join(traceback.format_exception(exc)))
    title = exc.title if isinstance(exc, VrpError) else "Could not do that"
    node.app.notify(printable(describe_error(exc)), title=title, severity="error", timeout=8, markup=False)


class ReportsWorkerErrors:
    """Mixin for a screen or widget whose workers may fail: their errors are reported, not raised."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker.error)

    def worker_failed(self, exc: BaseException) -> None:
        """Override to tidy up (and call this) when a worker fails."""
        node: Any = self
        report_error(node, exc)
