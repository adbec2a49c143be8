"""The spoke command line: exit 0 done, 1 refused with a reason, 2 usage error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyrage
import pytest
from click.testing import CliRunner, Result
from conftest import PASSPHRASE

from vrp_tui.cli import main
from vrp_tui.store import Store

INTERVENTIONS = """\
ref,name,provider,approach,prevention_level,setting,start_date
MEN-1,Mentoring,Brightpath Youth Trust,mentoring,secondary,community,2025-04-01
SPT-1,Midnight Football,Levels Sports Foundation,sports-programmes,primary,community,2024-09-01
"""


def vrp(db: Path, *args: str, passphrase: str | None = PASSPHRASE, stdin: str | None = None) -> Result:
    env = {"VRP_PASSPHRASE": passphrase} if passphrase else {"VRP_PASSPHRASE": ""}
    return CliRunner().invoke(main, ["--db", str(db), *args], env=env, input=stdin)


def rows(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


# -- vrp init -------------------------------------------------------------------


def test_init_sets_up_a_spoke_and_prints_its_public_key(tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> None:
    db = tmp_path / "spoke.db"
    result = vrp(db, "init", "--spoke", "south-glos", "--worker", "Liam", "--hub-recipient",
                 str(hub_identity.to_public()))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("RW") and len(result.stdout.strip()) == 56


def test_init_asks_for_the_passphrase_twice_without_vrp_passphrase(
    tmp_path: Path, hub_identity: pyrage.x25519.Identity
) -> None:
    result = vrp(tmp_path / "spoke.db", "init", "--spoke", "banes", "--worker", "Tom", "--hub-recipient",
                 str(hub_identity.to_public()), passphrase=None, stdin=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("RW")


def test_init_twice_is_refused(spoke_db: Path, hub_identity: pyrage.x25519.Identity) -> None:
    result = vrp(spoke_db, "init", "--spoke", "bristol", "--worker", "Amy", "--hub-recipient",
                 str(hub_identity.to_public()))
    assert result.exit_code == 1
    assert "already set up for bristol" in result.stderr


def test_init_refuses_bad_input_with_a_reason_per_field(tmp_path: Path) -> None:
    result = vrp(tmp_path / "spoke.db", "init", "--spoke", "cornwall", "--worker", "Amy",
                 "--hub-recipient", "not-a-key", passphrase="short")
    assert result.exit_code == 1
    assert "unknown spoke 'cornwall'" in result.stderr
    assert "hub_recipient: not an age recipient" in result.stderr
    assert "passphrase: use at least 8 characters" in result.stderr


def test_init_without_its_options_is_a_usage_error(tmp_path: Path) -> None:
    result = vrp(tmp_path / "spoke.db", "init", "--spoke", "bristol")
    assert result.exit_code == 2
    assert "Missing option '--worker'" in result.stderr


# -- vrp import -------------------------------------------------------------------


def test_import_prints_counts(spoke_db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "interventions.csv"
    csv.write_text(INTERVENTIONS)
    first = vrp(spoke_db, "import", "interventions", str(csv))
    assert first.exit_code == 0, first.output
    assert first.stdout == "interventions: 2 created, 0 updated, 0 unchanged\n"
    csv.write_text(INTERVENTIONS.replace("Midnight Football", "Late Night Football"))
    again = vrp(spoke_db, "import", "interventions", str(csv))
    assert again.stdout == "interventions: 0 created, 1 updated, 1 unchanged\n"


def test_a_bad_file_lists_every_problem_and_changes_nothing(spoke_db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(INTERVENTIONS + "BAD-1,Bad,Acme,juggling,primary,community,2025-13-01\n"
                   "MEN-1,Again,Acme,cbt,primary,school,2025-01-01\nshort,row\n")
    audit_before = rows(spoke_db, "audit")
    result = vrp(spoke_db, "import", "interventions", str(csv))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{csv}:4: approach: unknown approach 'juggling' (one of a-and-e-navigators, "
        "adventure-wilderness-therapy, after-school-programmes, anti-bullying-programmes, "
        "bystander-interventions, boot-camps, cctv, cbt, ...)",
        f"{csv}:4: start_date: '2025-13-01' is not a date in the calendar",
        f"{csv}:5: ref: the same ref as line 2",
        f"{csv}:6: has 2 fields but the header has 7",
        f"Error: {csv}: 4 problems on 3 lines; nothing was imported",
    ]
    assert result.stdout == ""
    assert rows(spoke_db, "interventions") == 0
    assert rows(spoke_db, "audit") == audit_before


def test_import_needs_a_set_up_spoke(tmp_path: Path) -> None:
    csv = tmp_path / "interventions.csv"
    csv.write_text(INTERVENTIONS)
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()  # a spoke database that was never set up (`vrp init` not finished)
    result = vrp(fresh, "import", "interventions", str(csv))
    assert result.exit_code == 1
    assert "is not set up: run `vrp init`" in result.stderr


@pytest.mark.parametrize("args", [("import", "people", "x.csv"), ("import", "participants", "missing.csv"),
                                  ("import", "participants")])
def test_import_usage_errors(spoke_db: Path, args: tuple[str, ...]) -> None:
    result = vrp(spoke_db, *args)
    assert result.exit_code == 2


# -- vrp demo ---------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_makes_a_hub_and_five_spokes_and_will_not_overwrite_them(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(folder)], env={"VRP_PASSPHRASE": ""})
    assert result.exit_code == 0, result.output
    assert f"hub: {folder / 'hub.db'} (recipient age1" in result.stdout
    for code in ("bristol", "banes", "north-somerset", "south-glos", "somerset"):
        assert f"{code}: {folder / (code + '.db')}" in result.stdout
        assert rows(folder / f"{code}.db", "contacts") > 0
    again = CliRunner().invoke(main, ["demo", "--dir", str(folder)])
    assert again.exit_code == 1
    assert "already exists" in again.stderr
