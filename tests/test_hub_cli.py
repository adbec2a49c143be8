"""The ``vrp hub`` commands: exit status 0 done, 1 refused (one line on stderr), 2 usage."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hub_bags import HubWorld, SpokeKey, bundle, document, make_bag

from vrp_tui.cli import main
from vrp_tui.hub.store import HubStore

PASSPHRASE = "hub cli passphrase"


def vrp(db: Path, *args: str, passphrase: str = PASSPHRASE) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "hub", *args], env={"VRP_PASSPHRASE": passphrase})


@pytest.fixture(scope="module")
def set_up_hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One hub made by ``vrp hub init`` (slow: the identity is scrypt-protected), copied per test."""
    path = tmp_path_factory.mktemp("hub") / "hub.db"
    result = vrp(path, "init")
    assert result.exit_code == 0, result.output
    recipient, signing_key = result.output.splitlines()  # SPEC section 6: each on its own line
    assert signing_key.startswith("RW")
    return path, recipient


@pytest.fixture
def hub(set_up_hub: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "hub.db"
    shutil.copy(set_up_hub[0], path)
    return path, set_up_hub[1]


def test_init_prints_the_recipient_and_refuses_to_run_twice(hub: tuple[Path, str]) -> None:
    path, recipient = hub
    assert recipient.startswith("age1") and len(recipient.split()) == 1
    again = vrp(path, "init")
    assert again.exit_code == 1
    assert again.stderr.strip() == f"Error: {path} is already set up; its recipient is {recipient}"


def test_commands_refuse_a_hub_that_is_not_set_up(tmp_path: Path) -> None:
    HubStore(tmp_path / "new.db").close()  # a hub database whose `vrp hub init` never finished
    result = vrp(tmp_path / "new.db", "status")
    assert result.exit_code == 1 and "not set up as a hub: run `vrp hub init` first" in result.stderr


def test_a_spoke_database_is_refused(spoke_db: Path) -> None:
    result = vrp(spoke_db, "status")
    assert result.exit_code == 1 and "is not a hub database" in result.stderr


def test_enroll_list_and_revoke_keys(hub: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = hub
    bristol, banes = SpokeKey("bristol"), SpokeKey("banes")
    pub = tmp_path / "banes.pub"
    pub.write_text(banes.public_key)
    assert vrp(path, "enroll", "bristol", bristol.line).output == f"enrolled: bristol key {bristol.key_id}\n"
    assert vrp(path, "enroll", "banes", str(pub)).output == f"enrolled: banes key {banes.key_id}\n"
    assert vrp(path, "enroll", "bristol", bristol.line).output.startswith("already enrolled")
    refused = vrp(path, "enroll", "bath", bristol.line)
    assert refused.exit_code == 1 and refused.stderr.startswith("Error: unknown spoke 'bath'")
    listed = vrp(path, "keys").output.splitlines()
    assert [line.split()[:3] for line in listed] == [["bristol", bristol.key_id, "valid"],
                                                     ["banes", banes.key_id, "valid"]]
    assert vrp(path, "revoke", "banes").output == f"revoked: banes key {banes.key_id}\n"
    keys = json.loads(vrp(path, "keys", "--json").output)
    assert [(k["spoke"], k["state"], bool(k["revoked_at"])) for k in keys] == [
        ("bristol", "valid", False), ("banes", "revoked", True)]
    assert vrp(path, "revoke", "banes").exit_code == 1


def test_import_prints_one_line_per_file_and_fails_if_any_is_rejected(hub: tuple[Path, str],
                                                                        tmp_path: Path) -> None:
    path, recipient = hub
    key = SpokeKey("bristol")
    assert vrp(path, "enroll", "bristol", key.line).exit_code == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    v1 = make_bag(document(), key)
    (inbox / "bristol_2025-26-Q1_v1.vrpb").write_bytes(bundle(v1, recipient))
    (inbox / "bristol_2025-26-Q1_v2.vrpb").write_bytes(
        bundle(make_bag(document(version=2), key, supersedes=v1.bundle_id), recipient))
    stranger = tmp_path / "stranger.vrpb"
    stranger.write_bytes(bundle(make_bag(document("banes"), SpokeKey("banes")), recipient))
    first = vrp(path, "import", str(inbox), str(stranger))
    assert first.exit_code == 1
    lines = first.stdout.splitlines()
    assert lines[:2] == ["bristol_2025-26-Q1_v1.vrpb: imported",
                         "bristol_2025-26-Q1_v2.vrpb: imported, supersedes version 1"]
    assert lines[2].startswith("stranger.vrpb: rejected: signed by an unknown key")
    assert first.stderr.strip() == "Error: 1 of 3 files rejected"
    again = vrp(path, "import", str(inbox / "bristol_2025-26-Q1_v2.vrpb"), str(inbox / "bristol_2025-26-Q1_v1.vrpb"))
    assert again.stdout.splitlines() == [
        "bristol_2025-26-Q1_v2.vrpb: already imported",
        "bristol_2025-26-Q1_v1.vrpb: already imported",
    ]
    assert again.exit_code == 0
    wrong = vrp(path, "import", str(stranger), passphrase="not the passphrase")
    assert wrong.exit_code == 1 and wrong.stderr.strip() == "Error: wrong passphrase for the hub identity"
    assert vrp(path, "import").exit_code == 2


@pytest.fixture
def held(hub: tuple[Path, str]) -> Path:
    """The hub holding bristol's Q1 return, imported through the core (no passphrase to wait for)."""
    world = HubWorld(hub[0], spokes=("bristol",))
    assert world.receive(world.send(document()), received_at="2025-07-10T09:00:00+00:00").accepted
    world.store.close()
    return hub[0]


def test_status_review_and_show(held: Path) -> None:
    status = json.loads(vrp(held, "status", "--json", "--year", "2025-26").output)
    cell = next(c for c in status["cells"] if c["spoke"] == "bristol" and c["period"] == "2025-26-Q1")
    assert (cell["version"], cell["timeliness"], cell["review"]) == (1, "on time", "none")
    assert len(status["cells"]) == 20 and status["deadline_days"] == 30
    text = vrp(held, "status", "--year", "2025-26").output
    assert "bristol         2025-26-Q1  v1 received 2025-07-10" in text
    issues = vrp(held, "review", "bristol", "2025-26-Q1", "--issues", "Spend missing", "--by", "Hub Analyst")
    assert issues.output == "bristol 2025-26-Q1 version 1: returned with issues\n"
    assert vrp(held, "review", "bristol", "2025-26-Q1", "--accept").exit_code == 0
    cell = json.loads(vrp(held, "status", "--json", "--year", "2025-26").output)["cells"][0]
    assert cell["review"] == "accepted"
    assert vrp(held, "review", "bristol", "2025-26-Q1").exit_code == 2
    assert vrp(held, "review", "bristol", "2025-26-Q1", "--accept", "--issues", "x").exit_code == 2
    missing = vrp(held, "review", "somerset", "2025-26-Q1", "--accept")
    assert missing.exit_code == 1 and "no return from somerset" in missing.stderr
    assert vrp(held, "status", "--year", "2025").exit_code == 1
    shown = json.loads(vrp(held, "show", "bristol", "2025-26-Q1").output)
    assert shown == document()
    assert vrp(held, "show", "bristol", "2025-26-Q1", "--version", "3").exit_code == 1


def test_report_formats_and_publish(held: Path, tmp_path: Path) -> None:
    exact = json.loads(vrp(held, "report", "2025-26-Q1").output)
    by_spoke = next(t for t in exact["tables"] if t["name"] == "by_spoke")
    assert by_spoke["rows"][0][:3] == ["Bristol", 1, 6]
    published = json.loads(vrp(held, "report", "2025-26-Q1", "--publish").output)
    assert published["published"] and published["disclosure_threshold"] == 5
    rows = list(csv.reader(io.StringIO(vrp(held, "report", "2025-26-Q1", "--format", "csv").output)))
    assert rows[0] == ["table", "row", "column", "value"]
    out = tmp_path / "reports" / "q1.xlsx"
    made = vrp(held, "report", "2025Q2", "--format", "xlsx", "--out", str(out), "--publish")
    assert made.output == f"{out}\n" and out.read_bytes().startswith(b"PK")
    assert vrp(held, "report", "2025-26-Q5").exit_code == 1
    assert vrp(held, "report", "2025-26-Q1", "--format", "pdf").exit_code == 2


def test_settings(held: Path) -> None:
    assert vrp(held, "settings").output.splitlines()[0].startswith("deadline_days = 30")
    changed = vrp(held, "settings", "--deadline-days", "45", "--threshold", "10")
    assert "deadline_days = 45" in changed.output and "disclosure_threshold = 10" in changed.output
    bad = vrp(held, "settings", "--threshold", "1")
    assert bad.exit_code == 1 and "between 2 and 100" in bad.stderr


def test_the_tui_is_not_opened_on_a_spoke_database(spoke_db: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(spoke_db), "hub"])
    assert result.exit_code == 1 and "is not a hub database" in result.stderr
