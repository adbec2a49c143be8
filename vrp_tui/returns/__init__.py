"""Quarterly returns: the figures, their validation, the narrative and the frozen versions.

Core only (no Textual): the CLI and the Returns screen are thin over this.
"""

from vrp_tui.returns.diff import Change, diff
from vrp_tui.returns.document import DocumentError, ReturnDocument, json_schema, validate_document
from vrp_tui.returns.lifecycle import (
    Draft,
    FrozenReturn,
    ReturnError,
    SignOffRefused,
    VersionInfo,
    build,
    build_draft,
    current,
    export_problem,
    get_version,
    is_open,
    latest_signed_off,
    mark_exported,
    narrative,
    reopen,
    require_begun,
    require_ended,
    save_narrative,
    sign_off,
    versions,
)
from vrp_tui.returns.stale import Stale, changed_since_sign_off
from vrp_tui.returns.validation import Finding

__all__ = [
    "Change", "DocumentError", "Draft", "Finding", "FrozenReturn", "ReturnDocument", "ReturnError",
    "SignOffRefused", "Stale", "VersionInfo", "build", "build_draft", "changed_since_sign_off", "current",
    "diff", "export_problem", "get_version", "is_open", "json_schema", "latest_signed_off", "mark_exported",
    "narrative", "reopen", "require_begun", "require_ended", "save_narrative", "sign_off",
    "validate_document", "versions",
]
