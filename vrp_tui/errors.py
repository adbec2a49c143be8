"""The one error type every refusal subclasses.

A refusal is something a person can act on: one line saying what and why,
and where it can be, which field or record. The UI shows any ``VrpError``
through one handler (beside the field if the screen has it, else as a
notification titled ``title``); the command line prints ``str(error)`` on
stderr and exits 1. Anything that is not a ``VrpError`` is a bug.
"""

from __future__ import annotations

from collections.abc import Mapping


def one_line(message: str) -> str:
    """``message`` on one line: a library's several-line message joined, whitespace runs folded."""
    return " ".join(message.split())


class VrpError(ValueError):
    """A refusal: ``message`` (one line), and optionally the ``field`` and ``record`` it concerns."""

    title = "Could not do that"

    def __init__(self, message: str, *, field: str | None = None, record: str | None = None,
                 title: str | None = None) -> None:
        self.message = one_line(message)
        self.field = field
        self.record = record
        if title is not None:
            self.title = title
        super().__init__(self.message)

    @property
    def field_errors(self) -> Mapping[str, str]:
        """Messages by field (``""``: the whole record) for a form to show beside its fields; empty: none."""
        return {self.field: self.message} if self.field else {}


class RecordError(VrpError):
    """A record that cannot be saved, with a reason per field (``""``: the whole record)."""

    def __init__(self, errors: Mapping[str, str], *, record: str | None = None):
        self.errors = dict(errors)
        message = "; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items())
        super().__init__(message, field=next(iter(self.errors), None) or None, record=record)

    @property
    def field_errors(self) -> Mapping[str, str]:
        return self.errors
