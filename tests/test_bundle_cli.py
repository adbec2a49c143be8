"""``vrp export`` and ``vrp keys``: exit 0 done, 1 refused with one line, 2 usage error."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pyrage
import pytest
from bundle_samples import fill_spoke
from click.testing import CliRunner, Result
from conftest import PASSPHRASE

from vrp_tui.bundle import EnrolledKey, read_bundle, signing
from vrp_tui.cli import main
from vrp_tui.periods import Period
from vrp_tui.returns import lifecycle
from vrp_tui.store import Store


def vrp(db: Path, *args: str, passphrase: str = PASSPHRASE, env: dict[str, str] | None = None,
        stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args],
                              env={"VRP_PASSPHRASE": passphrase, **(env or {})}, input=stdin)


@pytest.fixture
def signed_off(spoke_db: Path) -> Path:
    store = Store(spoke_db)
    fill_spoke(store)
    lifecycle.sign_off(store, Period.parse("2025-26-Q1"))
    store.close()
    return spoke_db


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


# -- vrp export --------------------------------------------------------------------------


def test_export_prints_the_path_then_the_bundle_id_and_sha256(
        signed_off: Path, tmp_path: Path, hub_identity: pyrage.x25519.Identity) -> None:
    out = tmp_path / "usb"
    result = vrp(signed_off, "export", "2025-26-Q1", "--out", str(out))
    assert result.exit_code == 0, result.output
    path = out / "bristol_2025-26-Q1_v1.vrpb"
    assert result.stdout == f"{path}\n"
    data = path.read_bytes()
    bundle = read_bundle(data, hub_identity, lambda key_id: EnrolledKey("bristol", shown_key(signed_off), False))
    assert result.stderr == f"bundle id {bundle.bundle_id}\nsha256 {hashlib.sha256(data).hexdigest()}\n"
    assert count(signed_off, "bundle_exports") == 1


def shown_key(db: Path) -> str:
    return vrp(db, "keys", "show").stdout


def test_export_goes_into_exports_by_default(signed_off: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = vrp(signed_off, "export", "2025-26-Q1")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "exports" / "bristol_2025-26-Q1_v1.vrpb").is_file()


@pytest.mark.parametrize(("args", "passphrase", "reason"), [
    (("export", "2025-26-Q1"), "wrong passphrase!", "wrong passphrase for the spoke's secret key"),
    (("export", "2025-26-Q2"), PASSPHRASE, "the 2025-26-Q2 return is not signed off: sign it off first"),
    (("export", "Q2-2025"), PASSPHRASE, "not a period"),
])
def test_export_refusals_write_nothing(signed_off: Path, tmp_path: Path, args: tuple[str, ...],
                                       passphrase: str, reason: str) -> None:
    result = vrp(signed_off, *args, "--out", str(tmp_path / "usb"), passphrase=passphrase)
    assert result.exit_code == 1
    assert reason in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert not (tmp_path / "usb").exists()
    assert count(signed_off, "bundle_exports") == 0


def test_export_without_a_hub_recipient_is_refused(signed_off: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(signed_off)
    conn.execute("DELETE FROM settings WHERE key = 'hub_recipient'")
    conn.commit()
    conn.close()
    result = vrp(signed_off, "export", "2025-26-Q1", "--out", str(tmp_path / "usb"))
    assert result.exit_code == 1
    assert "no hub recipient is set" in result.stderr
    assert not (tmp_path / "usb").exists()


def test_export_asks_for_the_passphrase_without_vrp_passphrase(signed_off: Path, tmp_path: Path) -> None:
    result = vrp(signed_off, "export", "2025-26-Q1", "--out", str(tmp_path), passphrase="",
                 stdin=PASSPHRASE + "\n")
    assert result.exit_code == 0, result.output
    assert "Passphrase" in result.output


def test_export_usage_errors(signed_off: Path) -> None:
    assert vrp(signed_off, "export").exit_code == 2
    assert vrp(signed_off, "export", "2025-26-Q1", "--bogus").exit_code == 2


def test_export_on_a_database_not_set_up(tmp_path: Path) -> None:
    Store(tmp_path / "new.db").close()  # a spoke database whose `vrp init` never finished
    result = vrp(tmp_path / "new.db", "export", "2025-26-Q1")
    assert result.exit_code == 1 and "is not set up" in result.stderr


# -- vrp keys --------------------------------------------------------------------------------


def test_keys_show_prints_a_minisign_public_key_file(spoke_db: Path, tmp_path: Path) -> None:
    result = vrp(spoke_db, "keys", "show")
    assert result.exit_code == 0
    comment, line = result.stdout.splitlines()
    store = Store(spoke_db)
    key_id = store.query("SELECT key_id FROM spoke_keys")[0]["key_id"]
    store.close()
    assert comment == f"untrusted comment: minisign public key {key_id}"
    assert line.startswith("RW") and signing.key_id(line) == key_id
    assert signing.public_key_line(result.stdout) == line  # the whole output works as PUBKEY too


def test_keys_rotate_prints_the_new_key_and_show_all_lists_the_old(spoke_db: Path) -> None:
    before = vrp(spoke_db, "keys", "show").stdout
    rotated = vrp(spoke_db, "keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert rotated.stdout != before
    assert vrp(spoke_db, "keys", "show").stdout == rotated.stdout
    old_id, new_id = signing.key_id(before), signing.key_id(rotated.stdout)
    assert rotated.stderr == f"retired key {old_id}; give the hub the new key {new_id}\n"
    listing = vrp(spoke_db, "keys", "show", "--all").stdout.splitlines()
    assert len(listing) == 4
    assert listing[0].startswith(f"untrusted comment: minisign public key {old_id} (retired ")
    assert listing[1] == before.splitlines()[1]
    assert listing[2].startswith(f"untrusted comment: minisign public key {new_id} (in use since ")
    assert listing[3] == rotated.stdout.splitlines()[1]


def test_keys_rotate_with_a_wrong_passphrase_is_refused(spoke_db: Path) -> None:
    before = vrp(spoke_db, "keys", "show").stdout
    result = vrp(spoke_db, "keys", "rotate", passphrase="wrong passphrase!")
    assert result.exit_code == 1 and "wrong passphrase" in result.stderr
    assert len(vrp(spoke_db, "keys", "show", "--all").stdout.splitlines()) == 2
    assert vrp(spoke_db, "keys", "show").stdout == before


def test_keys_passphrase_changes_it(signed_off: Path, tmp_path: Path) -> None:
    result = vrp(signed_off, "keys", "passphrase", env={"VRP_NEW_PASSPHRASE": "the new passphrase"})
    assert result.exit_code == 0, result.output
    assert vrp(signed_off, "export", "2025-26-Q1", "--out", str(tmp_path)).exit_code == 1
    assert vrp(signed_off, "export", "2025-26-Q1", "--out", str(tmp_path),
               passphrase="the new passphrase").exit_code == 0


def test_keys_passphrase_prompts_for_the_new_one_twice(spoke_db: Path) -> None:
    result = vrp(spoke_db, "keys", "passphrase", stdin="the new passphrase\nthe new passphrase\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("New passphrase") == 1 and "Repeat for confirmation" in result.output


def test_keys_passphrase_refuses_a_short_one(spoke_db: Path) -> None:
    result = vrp(spoke_db, "keys", "passphrase", env={"VRP_NEW_PASSPHRASE": "short"})
    assert result.exit_code == 1 and "at least 8 characters" in result.stderr


def test_keys_recipient_sets_and_prints_it(spoke_db: Path) -> None:
    new = str(pyrage.x25519.Identity.generate().to_public())
    assert vrp(spoke_db, "keys", "recipient", new).stdout == f"{new}\n"
    assert vrp(spoke_db, "keys", "recipient").stdout == f"{new}\n"
    bad = vrp(spoke_db, "keys", "recipient", "age1nope")
    assert bad.exit_code == 1 and "not an age recipient" in bad.stderr
    assert vrp(spoke_db, "keys", "recipient").stdout == f"{new}\n"


# -- end to end: records in, return signed off, bundle out, hub imports it -------------------

CSV = {
    "interventions": "ref,name,provider,approach,prevention_level,setting,start_date\n"
                     "MENT-01,Street mentoring,Brightpath Youth Trust,mentoring,secondary,community,2025-01-01\n",
    "participants": "ref,date_of_birth,sex,ethnicity,postcode_district\n"
                    "BRS-CASE-40417,2009-03-14,male,white,BS5\nBRS-CASE-40418,2008-11-02,female,black,BS2\n",
    "enrolments": "participant_ref,intervention_ref,referral_date,referral_source,high_risk,start_date\n"
                  "BRS-CASE-40417,MENT-01,2025-04-02,school,yes,2025-04-10\n"
                  "BRS-CASE-40418,MENT-01,2025-04-03,police,no,2025-04-11\n",
    "contacts": "participant_ref,intervention_ref,date,minutes,mode\n"
                "BRS-CASE-40417,MENT-01,2025-05-10,45,one-to-one\n"
                "BRS-CASE-40418,MENT-01,2025-05-11,60,group\n",
    "spend": "intervention_ref,period,funding_source,amount\nMENT-01,2025-26-Q1,grant,1250.00\n",
}


def test_from_records_to_sign_off_to_export_to_the_hub(tmp_path: Path,
                                                      hub_identity: pyrage.x25519.Identity) -> None:
    spoke, hub, out = tmp_path / "spoke.db", tmp_path / "hub.db", tmp_path / "usb"
    hub_made = vrp(hub, "hub", "init")
    assert hub_made.exit_code == 0, hub_made.output
    recipient = hub_made.stdout.splitlines()[0]
    assert vrp(spoke, "init", "--spoke", "bristol", "--worker", "Amy Tester",
               "--hub-recipient", recipient).exit_code == 0
    for kind, text in CSV.items():
        (tmp_path / f"{kind}.csv").write_text(text)
        imported = vrp(spoke, "import", kind, str(tmp_path / f"{kind}.csv"))
        assert imported.exit_code == 0, imported.output

    assert vrp(spoke, "export", "2025-26-Q1", "--out", str(out)).exit_code == 1  # a draft: not yet
    signed = vrp(spoke, "return", "sign-off", "2025-26-Q1")
    assert signed.exit_code == 0, signed.output
    first = vrp(spoke, "export", "2025-26-Q1", "--out", str(out))
    assert first.exit_code == 0, first.output
    assert first.stdout == f"{out / 'bristol_2025-26-Q1_v1.vrpb'}\n"

    assert vrp(spoke, "return", "reopen", "2025-26-Q1").exit_code == 0
    assert vrp(spoke, "return", "sign-off", "2025-26-Q1").exit_code == 0
    second = vrp(spoke, "export", "2025-26-Q1", "--out", str(out))
    assert second.exit_code == 0, second.output
    frozen = json.loads(vrp(spoke, "return", "show", "2025-26-Q1", "--json").stdout)

    enrolled = vrp(hub, "hub", "enroll", "bristol", vrp(spoke, "keys", "show").stdout)
    assert enrolled.exit_code == 0, enrolled.output
    imported = vrp(hub, "hub", "import", first.stdout.strip(), second.stdout.strip())
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.count("imported") == 2, imported.stdout
    held = json.loads(vrp(hub, "hub", "show", "bristol", "2025-26-Q1").stdout)
    assert held["version"] == 2
    assert {k: v for k, v in held.items() if k != "status"} == {k: v for k, v in frozen.items() if k != "status"}
    assert held["totals"]["active"] == 2 and held["totals"]["contact_hours"] == 1.8  # 105 min
    again = vrp(hub, "hub", "import", first.stdout.strip())
    assert "already imported" in again.stdout
