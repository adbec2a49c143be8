"""A long import reports how far it has read: to a callback after every batch of rows, as a rich bar on
the command line (on a terminal only), and as a progress bar on the TUI's import screen."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xlsxwriter
from rich.console import Console
from test_csv_import import load, sessions_csv, spoke, write
from test_tui_flows import SIZE, choose, form_message, settle, started, type_into
from textual.widgets import ProgressBar

from vrp_tui.app import make_app
from vrp_tui.cli.records import progress_bar
from vrp_tui.records.importing import BATCH, import_file
from vrp_tui.screens.spoke.import_file import ImportScreen
from vrp_tui.store import Store

__all__ = ["spoke"]  # the fixture, shared with the CSV import tests


def test_progress_is_reported_after_each_batch_with_the_lines_the_file_has(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    seen: list[tuple[int, int | None]] = []
    result = import_file(spoke, "contacts", write(tmp_path, sessions_csv(12_000)), progress=lambda *a: seen.append(a))
    assert result.created == 12_000
    assert BATCH == 5000 and seen == [(5000, 12_000), (10_000, 12_000)]


def test_a_file_without_its_last_newline_counts_its_last_line(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    seen: list[tuple[int, int | None]] = []
    import_file(spoke, "contacts", write(tmp_path, sessions_csv(5000).rstrip("\n")), progress=lambda *a: seen.append(a))
    assert seen == [(5000, 5000)]


def test_a_short_file_reports_nothing(spoke: Store, tmp_path: Path) -> None:
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    seen: list[tuple[int, int | None]] = []
    import_file(spoke, "contacts", write(tmp_path, sessions_csv(4999)), progress=lambda *a: seen.append(a))
    assert seen == []


def test_a_workbook_reports_the_rows_its_sheet_declares(spoke: Store, tmp_path: Path) -> None:
    path = tmp_path / "young-people.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ("ref", "sex"))
    for n in range(1, 6001):
        sheet.write_row(n, 0, (f"YP{n}", "female"))
    book.close()
    seen: list[tuple[int, int | None]] = []
    assert import_file(spoke, "participants", path, progress=lambda *a: seen.append(a)).created == 6000
    assert seen == [(5000, 6000)]


def test_the_command_line_bar_shows_rows_of_the_expected_on_a_terminal() -> None:
    out = io.StringIO()
    with progress_bar("Importing [bold]x[/].csv", Console(file=out, force_terminal=True, width=100)) as report:
        report(5000, 12_000)
        report(10_000, 12_000)
    shown = out.getvalue()
    assert "Importing [bold]x[/].csv" in shown  # the file name is not markup
    assert "10000/12000" in shown


def test_the_command_line_bar_is_not_drawn_off_a_terminal() -> None:
    out = io.StringIO()
    with progress_bar("Importing x.csv", Console(file=out, force_terminal=False)) as report:
        report(5000, 12_000)
    assert out.getvalue() == ""


async def test_the_import_screen_draws_a_bar_while_it_reads_and_hides_it_after(spoke_db: Path,
                                                                                tmp_path: Path) -> None:
    store = Store(spoke_db)
    load(store, tmp_path, "interventions", "participants", "enrolments")
    store.close()
    app = make_app(spoke_db)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        bar = screen.query_one("#progress", ProgressBar)
        screen.post_message(ImportScreen.Read(5000, 12_000))
        await settle(pilot)
        assert bar.display and (bar.progress, bar.total) == (5000, 12_000)
        assert form_message(app) == "Importing... 5,000 rows read"

        await choose(pilot, "kind", "Sessions")
        await type_into(pilot, "path", str(write(tmp_path, sessions_csv(12_000), "sessions.csv")))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form_message(app).startswith("Imported: 12000 added, 0 updated.")
        assert not bar.display and (bar.progress, bar.total) == (10_000, 12_000)


def test_rows_expected_are_never_fewer_than_rows_read(spoke: Store, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet can declare fewer rows than it holds: the bar's total then grows with what is read."""
    load(spoke, tmp_path, "interventions", "participants", "enrolments")
    path = write(tmp_path, sessions_csv(6000))
    from vrp_tui.records import import_files

    counted = import_files._check_bytes
    monkeypatch.setattr(import_files, "_check_bytes", lambda p: min(counted(p), 11))  # "10 rows"
    seen: list[tuple[int, int | None]] = []
    import_file(spoke, "contacts", path, progress=lambda *a: seen.append(a))
    assert seen == [(5000, 5000)]
