"""The few places the widgets lean on Textual beyond its documented API, held to the tested release.

Textual has no public way to (a) add rows to a DataTable without measuring every
cell (``widgets/record_list.py`` overrides ``DataTable._update_dimensions``),
(b) draw Tabs' sliding underline without the Tabs widget (``widgets/section_tabs.py``
renders ``textual.renderables.bar.Bar``, which Tabs' own underline uses), or
(c) follow binding changes as Footer does (``widgets/footer.py`` subscribes to
``Screen.bindings_updated_signal`` and reads ``Screen.active_bindings``). These
tests fail on an upgrade past the release they were written against, and when any
of those hooks moves, saying what to re-check; the SVG snapshots then show
whether the tab bar and footer still look like Textual's.
"""

from __future__ import annotations

import inspect

import textual
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.widgets import DataTable, Static

from vrp_tui.widgets.record_list import RecordTable

TESTED = SpecifierSet(">=8.2,<8.3")
RECHECK = (
    "re-check widgets/record_list.py (RecordTable._update_dimensions), widgets/section_tabs.py (Bar) and "
    "widgets/footer.py (bindings_updated_signal, active_bindings) against the new Textual, run the snapshot "
    "tests and bench/bench_startup.py, then widen TESTED in tests/test_textual_api.py"
)


def test_textual_is_the_release_these_hooks_were_checked_against() -> None:
    assert Version(textual.__version__) in TESTED, f"Textual {textual.__version__} is outside {TESTED}: {RECHECK}"


def test_the_data_table_still_sizes_new_rows_in_update_dimensions() -> None:
    hook = getattr(DataTable, "_update_dimensions", None)
    assert hook is not None, f"DataTable._update_dimensions is gone: {RECHECK}"
    assert list(inspect.signature(hook).parameters) == ["self", "new_rows"], RECHECK
    assert "_update_dimensions" in RecordTable.__dict__  # the override is still ours to keep
    # DataTable still calls it for the rows added since the last refresh
    assert "self._update_dimensions(new_rows)" in inspect.getsource(DataTable), RECHECK


def test_the_underline_renderable_takes_what_the_tab_bar_gives_it() -> None:
    try:
        from textual.renderables.bar import Bar
    except ImportError as exc:  # pragma: no cover - only on an upgrade
        raise AssertionError(f"textual.renderables.bar moved: {RECHECK}") from exc
    parameters = inspect.signature(Bar).parameters
    assert {"highlight_range", "highlight_style", "background_style"} <= set(parameters), RECHECK


class Keys(App[None]):
    BINDINGS = [Binding("x", "bell", "Ring", tooltip="rings the bell")]

    def compose(self) -> ComposeResult:
        yield Static("keys")


async def test_screens_still_signal_binding_changes_as_the_footer_expects() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        screen = app.screen
        signal = getattr(screen, "bindings_updated_signal", None)
        assert signal is not None and callable(getattr(signal, "subscribe", None)), RECHECK
        assert callable(getattr(signal, "unsubscribe", None)), RECHECK
        seen: list[object] = []
        signal.subscribe(screen, seen.append)
        screen.refresh_bindings()
        await pilot.pause()
        assert seen and seen[-1] is screen, f"bindings_updated_signal no longer sends the screen: {RECHECK}"
        bell = screen.active_bindings["x"]
        assert isinstance(bell, ActiveBinding), RECHECK
        node, binding, enabled, tooltip = bell  # the footer unpacks exactly these four
        assert (binding.description, enabled, tooltip) == ("Ring", True, "rings the bell")
