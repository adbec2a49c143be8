"""Import a CSV or XLSX file of one kind of record: all rows or none, every problem listed by line and column.

The screen stays open after an import so several files can go in one after
another; closing it reloads the lists of whatever was imported. A file of more
than one batch of rows shows a progress bar while it is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.message import Message
from textual.widgets import Button, DataTable, ProgressBar

from vrp_tui.records.models import RecordError
from vrp_tui.records.specs import FieldSpec
from vrp_tui.screens.shared.form import FormScreen
from vrp_tui.text import cells
from vrp_tui.widgets.fields import FieldsForm
from vrp_tui.widgets.hosts import spoke_store

KIND_CHOICES = (
    ("Interventions", "interventions"),
    ("Young people (participants)", "participants"),
    ("Referrals (enrolments)", "enrolments"),
    ("Sessions (contacts)", "contacts"),
    ("Spend", "spend"),
    ("Budgets", "budgets"),
)

IMPORT_FIELDS = (
    FieldSpec("kind", "Kind of records", "select", choices=KIND_CHOICES),
    FieldSpec("path", "CSV or XLSX file", placeholder="e.g. ~/returns/interventions.csv or .xlsx"),
)


class ImportScreen(FormScreen):
    title_text = "Import a CSV or XLSX file"
    save_label = "Import"

    @dataclass
    class Imported(Message):
        kind: str
        created: int
        updated: int

    @dataclass
    class Read(Message):
        """Rows read so far, of how many the file says it has (None: it does not say)."""

        rows: int
        expected: int | None

    @dataclass
    class Refused(Message):
        summary: str
        problems: list[tuple[int, str, str]]

    def __init__(self) -> None:
        super().__init__(FieldsForm(IMPORT_FIELDS, id="fields"))
        self.changed: set[str] = set()

    def on_mount(self) -> None:
        table: DataTable[Any] = DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        self.query_one("#dialog").mount(table, before="#form-error")
        table.add_columns("Line", "Column", "Problem")
        table.display = False
        bar = ProgressBar(id="progress", show_eta=False)
        self.query_one("#dialog").mount(bar, before="#form-error")
        bar.display = False

    def check(self, values: Mapping[str, Any]) -> dict[str, str]:
        errors = {}
        if not values.get("kind"):
            errors["kind"] = "required"
        if not (values.get("path") or "").strip():
            errors["path"] = "required"
        return errors

    def save(self, values: Mapping[str, Any]) -> None:
        self._form_message("Importing...")
        self._import(values["kind"], Path(values["path"].strip()).expanduser())

    @work(thread=True, exit_on_error=False)
    def _import(self, kind: str, path: Path) -> None:
        from vrp_tui.records.importing import ImportFailed, import_file

        if not path.is_file():
            raise RecordError({"path": f"no such file: {path}"})
        try:
            result = import_file(spoke_store(self), kind, path, progress=self._report)
        except ImportFailed as exc:
            problems = [(p.line, f"{p.column} ({p.cell})" if p.cell else p.column, p.message) for p in exc.errors]
            self.post_message(self.Refused(str(exc), problems))
            return
        self.post_message(self.Imported(kind, result.created, result.updated))

    @on(Read)
    def _read(self, message: Read) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=message.expected, progress=message.rows)
        self._form_message(f"Importing... {message.rows:,} rows read")

    def _report(self, rows: int, expected: int | None) -> None:
        """From the import's thread: post how far it has read (the bar is drawn on the screen's loop)."""
        self.post_message(self.Read(rows, expected))

    def _done(self) -> None:
        self.query_one("#progress").display = False
        self.saving = False
        self.query_one("#save", Button).disabled = False

    @on(Imported)
    def _imported(self, message: Imported) -> None:
        self._done()
        self.changed.add(message.kind)
        self.query_one("#problems").display = False
        self._form_message(f"Imported: {message.created} added, {message.updated} updated. "
                           "Import another file, or esc to close.")

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._done()
        table = self.query_one("#problems", DataTable)
        table.clear()
        for line, column, problem in message.problems:
            table.add_row(*cells(line, column, problem))  # a column or problem may quote the file

        table.display = True
        self._form_message(f"Refused: {message.summary}.", error=True)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        self.query_one("#problems").display = False
        super().show_errors(errors)

    def action_cancel(self) -> None:
        self.dismiss(frozenset(self.changed))
