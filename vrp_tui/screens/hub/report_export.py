"""Exporting the consolidated report from the Figures tab: format, internal or published, accepted only.

The file is written into a chosen folder (kept for next time) under the name
`vrp hub report` gives it; it names the returns it holds and their review
states like the command's. A quarter with nothing to report is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.message import Message

from vrp_tui.errors import RecordError
from vrp_tui.files import write_whole
from vrp_tui.hub.report import FORMATS, default_name, report, report_figures
from vrp_tui.periods import Period
from vrp_tui.records.specs import FieldSpec
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import hub_store

REPORTS_FOLDER = "reports_folder"


class _FolderRefused(RecordError):
    """A folder the report cannot be written into, shown beside the folder field."""


class ReportExportScreen(FormScreen):
    """Write the report of ``period`` into a folder."""

    save_label = "Export"

    @dataclass
    class Written(Message):
        text: str

    def __init__(self, period: Period, folder: str) -> None:
        super().__init__(FieldsForm((
            FieldSpec("format", "Format", "select", choices=tuple((f, f) for f in FORMATS)),
            FieldSpec("kind", "Figures", "select", choices=(("internal (exact)", "internal"),
                                                            ("published (disclosure control)", "publish"))),
            FieldSpec("accepted_only", "Accepted returns only", "yesno", optional=True),
            FieldSpec("folder", "Folder", placeholder="exports"),
        ), id="fields"))
        self.period = period
        self.folder = folder
        self.title_text = f"Export the report for {period.label}"

    def on_mount(self) -> None:
        self.form.set_values({"format": "xlsx", "kind": "internal", "accepted_only": False, "folder": self.folder})

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        errors = {}
        if values.get("format") not in FORMATS:
            errors["format"] = "choose a format"
        if values.get("kind") not in ("internal", "publish"):
            errors["kind"] = "choose internal or published"
        if not (values.get("folder") or "").strip():
            errors["folder"] = "required"
        return errors

    def save(self, values: Mapping[str, Any]) -> None:
        self._form_message("Writing the report...")
        self._write(values["format"], values["kind"] == "publish", bool(values.get("accepted_only")),
                    values["folder"].strip())

    @work(thread=True, exit_on_error=False)
    def _write(self, fmt: str, publish: bool, accepted_only: bool, folder: str) -> None:
        store = hub_store(self)
        figures, returns = report_figures(store, self.period, accepted_only=accepted_only)
        data = report(figures, fmt, publish=publish, threshold=store.setting("disclosure_threshold"),
                      returns=returns)
        path = Path(folder).expanduser() / default_name(figures, fmt, publish)
        try:
            write_whole(path, data)
        except OSError as exc:
            raise _FolderRefused({"folder": f"cannot write {path}: {exc.strerror or exc}"}) from None
        store.set_folder(REPORTS_FOLDER, folder)
        self.post_message(self.Written(f"Report written: {path}"))

    @on(Written)
    def _written(self, message: Written) -> None:
        self.saved(frozenset({"report"}), message.text)
