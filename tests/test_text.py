"""Outside text as data: markup shown literally, controls as visible placeholders, formulas as text."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from vrp_tui.text import as_text, cells, printable, printable_data, spreadsheet_cell


def rendered(text: Text) -> str:
    """What a terminal receives for ``text`` (no colour codes), as a string."""
    console = Console(width=200, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(text, end="")
    return capture.get()


@pytest.mark.parametrize("markup", ["bad [/] close", "Mentoring [pilot] scheme", "[bold]x[/bold]",
                                    "[@click=app.quit]BR-002[/]", "[/bold]", "[link=https://x.test]y[/link]"])
def test_markup_is_shown_as_the_characters_it_is(markup: str) -> None:
    text = as_text(markup)
    assert isinstance(text, Text)
    assert text.plain == markup
    assert text.spans == []  # nothing styled, no click action attached
    assert rendered(text) == markup


def test_escape_becomes_the_escape_picture() -> None:
    assert printable("a\x1b[2Jb") == "a\u241b[2Jb"  # ␛[2J
    assert printable("\x1b]0;pwned\x07") == "\u241b]0;pwned\u2407"  # ␛]0;pwned␇
    assert printable("nul\x00del\x7f") == "nul\u2400del\u2421"
    assert rendered(as_text("x\x1b[2Jy")) == "x\u241b[2Jy"


def test_c1_controls_and_bidirectional_overrides_become_code_points() -> None:
    assert printable("a\x9bb") == "a<U+009B>b"  # CSI, the one-byte escape
    assert printable("a\x85b") == "a<U+0085>b"
    assert printable("evil\u202etxt.exe") == "evil<U+202E>txt.exe"
    assert printable("\u2066x\u2069") == "<U+2066>x<U+2069>"
    assert printable("line\u2028sep") == "line<U+2028>sep"


def test_newline_and_tab_are_kept_only_where_the_text_has_lines() -> None:
    assert printable("one\ntwo\tthree") == "one\u240atwo\u2409three"  # ␊ and ␉
    assert printable("one\ntwo\tthree", multiline=True) == "one\ntwo\tthree"
    assert printable("cr\r", multiline=True) == "cr\u240d"  # a carriage return is never kept
    assert as_text("a\nb", multiline=True).plain == "a\nb"
    assert as_text("a\nb").plain == "a\u240ab"


def test_a_lone_surrogate_becomes_its_code_point() -> None:
    assert printable("x\ud800y") == "x<U+D800>y"
    assert printable("\udfff") == "<U+DFFF>"
    printable("x\ud800y").encode("utf-8")  # a terminal can be sent it


def test_ordinary_text_is_unchanged() -> None:
    for value in ("Knife crime talks in schools", "Ysgol Gymraeg – café £1,200.50", "日本語", "😀"):
        assert printable(value) == value
    assert printable(None) == ""
    assert printable(42) == "42"


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://x.test\",\"click\")", "'=HYPERLINK(\"http://x.test\",\"click\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Mentoring", "Mentoring"), ("a=b", "a=b"), ("", ""), ("'quoted", "'quoted"),
])
def test_a_cell_that_starts_like_a_formula_is_written_as_text(value: str, written: str) -> None:
    assert spreadsheet_cell(value) == written


def test_a_document_is_made_printable_throughout() -> None:
    doc = {"name": "a\x1bb", "n": 3, "hours": 1.5, "items": [{"note": "x\u202ey\nz"}], "ok": None,
           "k\x1b": True}
    assert printable_data(doc) == {"name": "a\u241bb", "n": 3, "hours": 1.5,
                                   "items": [{"note": "x<U+202E>y\nz"}], "ok": None, "k\u241b": True}


def test_cells_are_texts_and_texts_stay_as_given() -> None:
    styled = Text("v1", style="bold")
    row = cells("[b]x", 3, None, styled)
    assert [c.plain for c in row] == ["[b]x", "3", "", "v1"]
    assert row[3] is styled
