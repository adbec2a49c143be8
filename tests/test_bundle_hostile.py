"""Hostile values in correctly signed bundles (SPEC section 5 check 5, section 9): each is refused in one line.

Every bundle here is signed by the spoke's enrolled key, with every checksum
right, so only the value itself can be what the hub refuses; the hub database
must be exactly as it was after each (a dump of every table compared). Then a
batch with a rejected file goes on to the next, also after an unexpected
failure, and ``vrp hub import BAD GOOD`` imports GOOD and exits 1.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyrage
import pytest
from click.testing import CliRunner
from hub_bags import Bag, Entry, HubWorld, SpokeKey, bundle, document, make_bag, zip_entries

from vrp_tui.cli import main
from vrp_tui.hub import intake
from vrp_tui.hub.intake import IMPORTED, REJECTED, import_files

TODAY = date(2025, 10, 15)  # the hub's date in these tests: 2025-26 Q1 and Q2 have ended, Q3 has not


@pytest.fixture
def world(tmp_path: Path) -> HubWorld:
    """A hub holding one imported bundle (banes, Q1), so 'unchanged' means something."""
    w = HubWorld(tmp_path / "hub.db")
    assert w.receive(w.send(document("banes")), today=TODAY).outcome == IMPORTED
    return w


def refused(world: HubWorld, data: bytes) -> str:
    """Import ``data``: it must be rejected in one line, the database untouched; returns the reason."""
    before, changes = world.dump(), world.store.conn.total_changes
    result = world.receive(data, today=TODAY)
    assert result.outcome == REJECTED, result
    assert "\n" not in result.reason and result.reason == result.reason.strip() and result.reason
    assert world.store.conn.total_changes == changes
    assert world.dump() == before
    return result.reason


def signed(world: HubWorld, bag: Bag, comment: str | None = None) -> bytes:
    """The bag resealed (manifests, Payload-Oxum, tag manifest), signed by its spoke's key, sealed to the hub."""
    bag.reseal_manifests()
    return bundle(bag.sign(world.keys[bag.info()["VRP-Spoke"]], comment), world.recipient)


def non_ascii_version(world: HubWorld, version: str) -> bytes:
    """bag-info's version in other digits; the trusted comment (which must be printable ASCII) says 1."""
    bag = world.bag(document()).set_info(VRP_Return_Version=version)
    return signed(world, bag, f"vrp-bundle spoke=bristol period=2025-26-Q1 version=1 id={bag.bundle_id}")


def with_json(world: HubWorld, text: str, doc: dict[str, Any] | None = None) -> bytes:
    """A bundle whose return.json is exactly ``text`` (bag-info from ``doc``)."""
    bag = world.bag(doc or document())
    return signed(world, bag.set_document(text.encode()))


def replaced(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set the value at a dotted path (list indexes as numbers) in a document."""
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value
    return change


def fresh() -> dict[str, Any]:
    """A document whose parts share nothing (document()'s totals share breakdowns with its intervention)."""
    copy: dict[str, Any] = json.loads(json.dumps(document()))
    return copy


def changed_doc(world: HubWorld, change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = fresh()
    change(doc)
    return signed(world, world.bag(document()).set_document(doc))


def raw_value(world: HubWorld, path: str, literal: str) -> bytes:
    """A return.json in which the value at ``path`` is the JSON text ``literal`` (NaN, 1e400 ...)."""
    marker = "__HOSTILE__"
    doc = fresh()
    replaced(path, marker)(doc)
    return with_json(world, json.dumps(doc, indent=2).replace(f'"{marker}"', literal))


# -- values that gave tracebacks, or were accepted, before ------------------------------------------

VALUES: list[tuple[str, Callable[[HubWorld], bytes], str]] = [
    ("superscript version", lambda w: non_ascii_version(w, "\u00b2"),
     "VRP-Return-Version '\u00b2' is not a version number"),
    ("Arabic-Indic version", lambda w: non_ascii_version(w, "\u0661"),
     "VRP-Return-Version '\u0661' is not a version number"),
    ("version 10^19", lambda w: signed(w, w.bag(document()).set_info(VRP_Return_Version=str(10**19))),
     "VRP-Return-Version '10000000000000000000' is not a version number (1 to 1000000)"),
    ("version 10^6 + 1 in return.json", lambda w: changed_doc(w, replaced("version", 10**6 + 1)),
     "return.json version 1000001 does not match bag-info (1)"),
    ("contact hours Infinity", lambda w: raw_value(w, "totals.contact_hours", "Infinity"),
     "return.json is not valid: totals.contact_hours: Infinity is not a JSON number"),
    ("contact hours NaN", lambda w: raw_value(w, "totals.contact_hours", "NaN"),
     "return.json is not valid: totals.contact_hours: NaN is not a JSON number"),
    ("contact hours -Infinity", lambda w: raw_value(w, "totals.contact_hours", "-Infinity"),
     "return.json is not valid: totals.contact_hours: -Infinity is not a JSON number"),
    ("contact hours 1e400", lambda w: raw_value(w, "totals.contact_hours", "1e400"),
     "return.json is not valid: totals.contact_hours: the number '1e400' is too large"),
    ("contact hours 1e30", lambda w: raw_value(w, "totals.contact_hours", "1e30"),
     "totals.contact_hours: Input should be less than or equal to 10000000"),
    ("contact hours negative", lambda w: raw_value(w, "totals.contact_hours", "-0.5"),
     "totals.contact_hours: Input should be greater than or equal to 0"),
    ("contact hours two decimals", lambda w: raw_value(w, "totals.contact_hours", "1.25"),
     "totals.contact_hours: Value error, contact hours have one decimal place"),
    ("contact hours as a string", lambda w: raw_value(w, "totals.contact_hours", '"15.5"'),
     "totals.contact_hours: Input should be a valid number"),
    ("count 10^400", lambda w: raw_value(w, "totals.referrals", "1" + "0" * 400),
     "return.json is not valid: totals.referrals: a number of 401 digits, too large"),
    ("count 10^9 + 1", lambda w: raw_value(w, "totals.referrals", str(10**9 + 1)),
     "totals.referrals: Input should be less than or equal to 1000000000"),
    ("count as a string", lambda w: raw_value(w, "totals.referrals", '"7"'),
     "totals.referrals: Input should be a valid integer"),
    ("count true", lambda w: raw_value(w, "totals.referrals", "true"),
     "totals.referrals: Input should be a valid integer"),
    ("count 3.0", lambda w: raw_value(w, "interventions.0.active", "3.0"),
     "interventions.0.active: Input should be a valid integer"),
    ("breakdown count as a string", lambda w: raw_value(w, "totals.active_by_sex.male", '"7"'),
     "totals.active_by_sex.male: Input should be a valid integer"),
    ("negative money", lambda w: changed_doc(w, replaced("totals.spend_gbp.grant", "-5.00")),
     "totals.spend_gbp.grant: Value error, money may not be negative"),
    ("money over 10^9 pounds", lambda w: changed_doc(w, replaced("totals.budget_gbp.match", "1000000000.01")),
     "totals.budget_gbp.match: Value error, more than 1000000000 pounds"),
    ("money as a number", lambda w: raw_value(w, "totals.spend_gbp.grant", "1250.0"),
     "totals.spend_gbp.grant: Input should be a valid string"),
    ("lone surrogate in the narrative", lambda w: raw_value(w, "narrative.highlights", '"ok \\ud800 then"'),
     "narrative.highlights: the text is not valid Unicode (a lone surrogate)"),
    ("lone surrogate in a key", lambda w: with_json(w, json.dumps(document())[:-1] + ', "\\udc00": 1}'),
     "document: a key is not valid Unicode (a lone surrogate)"),
    ("escape in an intervention's name", lambda w: changed_doc(w, replaced("interventions.0.name", "\x1b[2J")),
     "interventions.0.name: the text holds the control character U+001B"),
    ("NUL in the narrative", lambda w: changed_doc(w, replaced("narrative.challenges", "a\x00b")),
     "narrative.challenges: the text holds the control character U+0000"),
    ("C1 control in the narrative", lambda w: changed_doc(w, replaced("narrative.challenges", "a\x9bb")),
     "narrative.challenges: the text holds the control character U+009B"),
    ("a field over 100 kB", lambda w: changed_doc(w, replaced("narrative.case_study", "x" * 100_001)),
     "narrative.case_study: the text is 100001 bytes, more than the 100000 a field may hold"),
    ("a repeated key", lambda w: with_json(w, json.dumps(document())[:-1] + ', "spoke": "bristol"}'),
     "return.json is not valid: spoke: the key is given more than once in its object"),
    ("a date as a number", lambda w: changed_doc(w, replaced("generated_at", 1751533200)),
     "generated_at: Value error, not an ISO date and time"),
    ("a year outside 2000-2100", lambda w: changed_doc(w, replaced("first_day", "2999-04-01")),
     "first_day: Value error, the year is outside 2000-2100"),
    ("format true", lambda w: changed_doc(w, replaced("format", True)), "return.json format True is not 1"),
    ("a draft", lambda w: changed_doc(w, lambda d: d.update(status="draft")),
     "return.json is a draft: a bundle carries a signed-off version"),
    ("an object of more fields than any part of a return", lambda w: changed_doc(
        w, lambda d: d["totals"].update({f"k{n}": 0 for n in range(60)})),
     "return.json is not valid: totals: 74 fields, more than any part of a return has"),
    ("more values than any return", lambda w: changed_doc(w, replaced("interventions", [{}] * 200_001)),
     "return.json holds more than 200000 values, more than any return has"),
    ("return.json over 4 MiB", lambda w: with_json(w, json.dumps(document()) + " " * (4 * 1024 * 1024)),
     "bytes, more than the 4194304 a return may be"),
    ("21 recipient stanzas, the hub's among them", lambda w: pyrage.encrypt(
        b"x", [w.recipient, *(pyrage.x25519.Identity.generate().to_public() for _ in range(19))]),
     "the age header has 21 recipient stanzas, more than the 20 a bundle may have"),
    ("an age header over 8 KiB", lambda w: b"age-encryption.org/v1\n-> X25519 " + b"A" * 9_000 + b"\n--- A\n",
     "the age header is longer than the 8192 bytes a bundle's may be"),
    ("an age header without its end", lambda w: b"age-encryption.org/v1\n-> X25519 AAAA\nAAAA\n",
     "the age header is damaged or truncated (no '---' line)"),
    ("an age header without a stanza", lambda w: b"age-encryption.org/v1\n--- AAAA\n" + bytes(100),
     "the age header has no recipient stanza"),
    ("a ZIP of 5,000 members", lambda w: pyrage.encrypt(zip_entries(
        [Entry(f"bristol_2025-26-Q1_v1/{n}", b"") for n in range(5000)]), [w.recipient]),
     "the archive holds 5000 members, more than the 24 allowed"),
    ("a ZIP whose end record understates its members", lambda w: pyrage.encrypt(_understated(5000), [w.recipient]),
     "the archive's directory is 358890 bytes, more than the 65536 a bundle's may be"),
    ("pyrage's two-line message", lambda w: b"age-encryption.org/v1\n-> X25519 AAAA\nAAAA\n--- AAAA\nxx",
     "the encrypted file is damaged or truncated"),
    ("a record id over SQLite's integers", lambda w: changed_doc(w, replaced("validation.warnings", [
        {"code": "x", "text": "x", "table": "spend", "id": 2**63}])),
     "validation.warnings.0.id: Input should be less than or equal to 9223372036854775807"),
]


def _understated(count: int) -> bytes:
    """A ZIP of ``count`` members whose end record says it holds 6."""
    data = bytearray(zip_entries([Entry(f"bristol_2025-26-Q1_v1/{n}", b"") for n in range(count)]))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = (6).to_bytes(2, "little") * 2
    return bytes(data)


def _period_bundle(world: HubWorld, period: str) -> bytes:
    """Bag-info, trusted comment, folder and return.json all naming ``period`` (document dates left as Q1)."""
    doc = document()
    doc["period"] = period
    bag = make_bag(doc, world.keys["bristol"])
    return signed(world, bag)


PERIODS: list[tuple[str, str, str]] = [
    ("period 9999-00-Q4", "9999-00-Q4", "VRP-Period '9999-00-Q4' is not a period of the years 2000-2100"),
    ("period 1999-00-Q1", "1999-00-Q1", "VRP-Period '1999-00-Q1' is not a period of the years 2000-2100"),
    ("period with years that do not follow on", "2025-27-Q1", "the years must follow on"),
    ("period not ended by the hub's date", "2025-26-Q3",
     "period: Value error, a quarter that has not ended (it ends 2025-12-31)"),
    ("period far in the future", "2099-00-Q1", "a quarter that has not ended (it ends 2099-06-30)"),
]


@pytest.mark.parametrize(("build", "reason"), [(b, r) for _, b, r in VALUES], ids=[n for n, _, _ in VALUES])
def test_a_hostile_value_is_refused_in_one_line_and_changes_nothing(
        world: HubWorld, build: Callable[[HubWorld], bytes], reason: str) -> None:
    assert reason in refused(world, build(world))


@pytest.mark.parametrize(("period", "reason"), [(p, r) for _, p, r in PERIODS], ids=[n for n, _, _ in PERIODS])
def test_a_period_that_is_not_valid_or_not_ended_is_refused(world: HubWorld, period: str, reason: str) -> None:
    assert reason in refused(world, _period_bundle(world, period))


def test_a_quarter_is_accepted_from_the_day_after_it_ends(world: HubWorld) -> None:
    doc = document(period="2025-26-Q2")
    data = world.send(doc)
    before = world.dump()
    assert "it ends 2025-09-30" in world.receive(data, today=date(2025, 9, 30)).reason
    assert world.dump() == before
    assert world.receive(data, today=date(2025, 10, 1)).outcome == IMPORTED


def test_the_boundaries_themselves_are_accepted(world: HubWorld) -> None:
    doc = document()
    doc["version"] = 1
    doc["totals"]["referrals"] = 10**9
    doc["totals"]["contact_hours"] = 10**7
    doc["totals"]["spend_gbp"]["grant"] = "1000000000.00"
    doc["narrative"]["case_study"] = "\u00e9" * 50_000  # 100,000 bytes of UTF-8
    doc["narrative"]["next_quarter"] = "Line one.\n\tIndented line two."
    result = world.receive(signed(world, world.bag(document()).set_document(doc)), today=TODAY)
    assert result.outcome == IMPORTED, result.reason
    stored = json.loads(world.store.query("SELECT document FROM bundles WHERE spoke = 'bristol'")[0]["document"])
    assert stored == doc


# -- a batch goes on after a rejected file -------------------------------------------------------------


def test_import_files_goes_on_after_a_rejected_file_and_after_an_unexpected_failure(
        world: HubWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "1-bad.vrpb").write_bytes(raw_value(world, "totals.contact_hours", "Infinity"))
    (inbox / "2-broken.vrpb").write_bytes(b"age-encryption.org/v1\nBOOM")
    (inbox / "3-good.vrpb").write_bytes(world.send(document()))
    (inbox / "4-folder.vrpb").mkdir()
    real = intake.read_bundle

    def failing(data: bytes, *args: Any, **kwargs: Any) -> Any:
        if data.endswith(b"BOOM"):
            raise RuntimeError("a library failed\nover two lines")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(intake, "read_bundle", failing)
    results = list(import_files(world.store, sorted(inbox.iterdir()), world.identity, today=TODAY))
    assert [(r.name, r.outcome) for r in results] == [
        ("1-bad.vrpb", REJECTED), ("2-broken.vrpb", REJECTED), ("3-good.vrpb", IMPORTED), ("4-folder.vrpb", REJECTED)]
    assert results[0].reason == "return.json is not valid: totals.contact_hours: Infinity is not a JSON number"
    assert results[1].reason == "the file could not be checked (RuntimeError: a library failed over two lines)"
    assert results[3].reason.startswith("cannot read the file")
    assert all("\n" not in r.line for r in results)
    held = world.store.query("SELECT spoke, period, version FROM bundles ORDER BY spoke")
    assert held == [{"spoke": "banes", "period": "2025-26-Q1", "version": 1},
                    {"spoke": "bristol", "period": "2025-26-Q1", "version": 1}]


def test_vrp_hub_import_bad_good_imports_good_and_exits_1(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "hub.db"
    env = {"VRP_PASSPHRASE": "hub hostile passphrase"}
    init = CliRunner().invoke(main, ["--db", str(db), "hub", "init"], env=env)
    assert init.exit_code == 0, init.output
    recipient = init.output.split()[0]
    key = SpokeKey("bristol")
    pub = folder / "bristol.pub"
    pub.write_text(key.public_key + "\n")
    assert CliRunner().invoke(main, ["--db", str(db), "hub", "enroll", "bristol", str(pub)], env=env).exit_code == 0
    bad_doc = document()
    bad_doc["totals"]["referrals"] = "7"
    bad_bag = make_bag(document(), key).set_document(bad_doc).reseal_manifests().sign(key)
    bad, good = folder / "bad.vrpb", folder / "good.vrpb"
    bad.write_bytes(bundle(bad_bag, recipient))
    good.write_bytes(bundle(make_bag(document(), key), recipient))
    hostile = folder / "hostile.vrpb"
    hostile.write_bytes(b"age-encryption.org/v1\n" + b"-> X25519 AAAA\nAAAA\n" * 300 + b"--- AAAA\n")
    shutil.copy(good, folder / "good-again.vrpb")
    result = CliRunner().invoke(main, ["--db", str(db), "hub", "import", str(bad), str(hostile), str(good),
                                       str(folder / "good-again.vrpb")], env=env)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "bad.vrpb: rejected: return.json is not valid: totals.referrals: Input should be a valid integer",
        "hostile.vrpb: rejected: the age header has 300 recipient stanzas, more than the 20 a bundle may have",
        "good.vrpb: imported",
        "good-again.vrpb: already imported",
    ]
    assert result.stderr.strip() == "Error: 2 of 4 files rejected"
