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


@runtime_checkable
class ShowsFieldErrors(Protocol):
    def show_errors(self, errors: Mapping[str, str]) -> None: ...


def field_errors_of(exc: BaseException) -> Mapping[str, str] | None:
    """The per-field messages of a RecordError, SetupError or the like, if it has them."""
    errors = getattr(exc, "errors", None)
    return errors if isinstance(errors, Mapping) else None


def describe_error(exc: BaseException) -> str:
    """One line a spoke worker can read, whatever went wrong."""
    errors = field_errors_of(exc)
    if errors:
        return "; ".join(f"{k.replace('_', ' ')}: {v}" if k else v for k, v in errors.items())
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"the database could not do that ({exc})"
    name = type(exc).__name__
    return str(exc) if name.endswith(("Busy", "Problem", "Error", "Failed")) and str(exc) else (
        f"unexpected problem ({name}): {exc}"
    )


def report_error(node: DOMNode, exc: BaseException) -> None:
    """Field errors beside the fields of ``node`` if it shows them, else a notification."""
    errors = field_errors_of(exc)
    if errors is not None and isinstance(node, ShowsFieldErrors):
        node.show_errors(errors)
        return
    if not isinstance(exc, ValueError | RuntimeError | OSError | sqlite3.Error):
        node.log.error("".join(traceback.format_exception(exc)))  # for `textual console`, not the screen
    node.app.notify(describe_error(exc), title="Could not do that", severity="error", timeout=8)


class ReportsWorkerErrors:
    """Mixin for a screen or widget whose workers may fail: their errors are reported, not raised."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker.error)

    def worker_failed(self, exc: BaseException) -> None:
        """Override to tidy up (and call this) when a worker fails."""
        node: Any = self
        report_error(node, exc)
