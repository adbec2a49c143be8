"""Outside text on the command line (SPEC section 9): no escape, C1 control or bidirectional override
reaches the terminal; each is shown as a visible placeholder, and markup is printed as it is.

Controls cannot come in through a CSV file, a form or (soon) a bundle, so these tests write them
into the databases with SQL after a real import: the command line must not trust a database either.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from hub_bags import HubWorld, document, intervention
from returns_samples import fill

from vrp_tui.cli import main
from vrp_tui.hub.identity import create_identity
from vrp_tui.hub.review import review_return
from vrp_tui.store import Store

PASSPHRASE = "hub cli passphrase"
HOSTILE = "A\x1b[2J\x1b]0;pwned\x07\x9b31m\u202eZ"
SHOWN = "A\u241b[2J\u241b]0;pwned\u2407<U+009B>31m<U+202E>Z"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def vrp(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], env={"VRP_PASSPHRASE": PASSPHRASE})


def assert_printable(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the terminal"


def hostile_hub(path: Path) -> HubWorld:
    world = HubWorld(path, spokes=("bristol",))
    create_identity(world.store, PASSPHRASE)
    items = [intervention("[/bold]", active=2), intervention("BR2", active=1)]
    items[1]["name"] = "[@click=app.quit]BR-002[/]"
    totals = {k: v for k, v in items[0].items() if k not in ("ref", "name", "approach", "prevention_level",
                                                              "setting")}
    doc = document(interventions=items, totals=totals, highlights="line one\nline two")
    assert world.receive(world.send(doc), received_at="2025-07-10T09:00:00+00:00").accepted
    store = world.store
    trigger = store.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'bundles_no_update'").fetchone()[0]
    stored = json.loads(store.conn.execute("SELECT document FROM bundles").fetchone()[0])
    stored["narrative"]["challenges"] = HOSTILE
    stored["interventions"][0]["name"] = HOSTILE
    with store.conn:
        store.conn.execute("DROP TRIGGER bundles_no_update")
        store.conn.execute("UPDATE bundles SET document = ?", (json.dumps(stored),))
        store.conn.execute(trigger)
    review_return(store, "bristol", "2025-26-Q1", accept=False, note=f"fix {HOSTILE}", reviewer="Hub Analyst",
                  at="2025-07-20T10:00:00+00:00")
    return world


def test_hub_show_and_status_print_controls_as_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    hostile_hub(path).store.close()
    shown = vrp(path, "hub", "show", "bristol", "2025-26-Q1")
    assert shown.exit_code == 0, shown.output
    assert_printable(shown.output)
    doc = json.loads(shown.output)
    assert doc["narrative"]["challenges"] == SHOWN
    assert doc["narrative"]["highlights"] == "line one\nline two"  # newlines kept, escaped by JSON
    assert [i["ref"] for i in doc["interventions"]] == ["[/bold]", "BR2"]
    assert [i["name"] for i in doc["interventions"]] == [SHOWN, "[@click=app.quit]BR-002[/]"]

    status = vrp(path, "hub", "status", "--year", "2025-26")
    assert status.exit_code == 0, status.output
    assert_printable(status.output)
    assert f"returned with issues (fix {SHOWN})" in status.output
    as_json = vrp(path, "hub", "status", "--year", "2025-26", "--json")
    assert_printable(as_json.output)
    cell = next(c for c in json.loads(as_json.output)["cells"] if c["period"] == "2025-26-Q1"
                and c["spoke"] == "bristol")
    assert cell["review_note"] == f"fix {SHOWN}"


def test_hub_import_prints_a_hostile_file_name_as_placeholders(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    hostile_hub(path).store.close()
    bad = tmp_path / f"evil{HOSTILE}.vrpb"
    bad.write_bytes(b"not a bundle")
    result = vrp(path, "hub", "import", str(bad))
    assert result.exit_code == 1
    assert_printable(result.output)
    assert result.stdout.startswith(f"evil{SHOWN}.vrpb: rejected: ")
    assert len(result.stdout.splitlines()) == 1  # one line per file whatever its name holds
    assert result.stderr == "Error: 1 of 1 file rejected\n"


def hostile_spoke(db: Path) -> None:
    store = Store(db)
    fill(store)
    with store.transaction():
        store.conn.execute("UPDATE interventions SET ref = ?, name = ? WHERE ref = 'MENT'",
                           ("[/bold]", f"Mentoring {HOSTILE}"))
        store.conn.execute("UPDATE interventions SET ref = ? WHERE ref = 'SPRT'", (f"SP{HOSTILE}",))
    store.close()


def test_return_show_prints_controls_as_placeholders_and_markup_as_it_is(spoke_db: Path) -> None:
    hostile_spoke(spoke_db)
    shown = vrp(spoke_db, "return", "show", "2025-26-Q1")
    assert shown.exit_code == 0, shown.output
    assert_printable(shown.output)
    assert "[/bold]" in shown.output  # printed, not read as a closing tag
    assert f"SP{SHOWN}"[:12] in shown.output  # the ref column may crop it; the placeholders show
    as_json = vrp(spoke_db, "return", "show", "2025-26-Q1", "--json")
    assert as_json.exit_code == 0, as_json.output
    assert_printable(as_json.output)
    doc = json.loads(as_json.output)
    assert {i["ref"]: i["name"] for i in doc["interventions"]}["[/bold]"] == f"Mentoring {SHOWN}"
    built = vrp(spoke_db, "return", "build", "2025-26-Q1")
    assert built.exit_code == 0, built.output
    assert_printable(built.output)
