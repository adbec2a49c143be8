"""End to end through the command line: five spokes set up and filled by CSV, returns signed off and
exported, a hub imports them; its consolidated figures are the sums of the spokes' own returns.

People are not matched across spokes (a return names no one), so the VRP's active
young people are the sum of the spokes' totals.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from vrp_tui.cli import main
from vrp_tui.reference import SPOKES

PASSPHRASE = "end to end passphrase"
Q1 = "2025-26-Q1"


def vrp(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args], env={"VRP_PASSPHRASE": PASSPHRASE})
    return result


def ok(db: Path, *args: str) -> str:
    result = vrp(db, *args)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def spoke_csvs(folder: Path, n: int) -> dict[str, str]:
    """Spoke number ``n`` (0-4): 3+n young people on mentoring, the first two also on A&E navigators."""
    people = [f"P{k}" for k in range(1, 4 + n)]
    files = {
        "interventions": "ref,name,provider,approach,prevention_level,setting,start_date\n"
                         "MENT01,Mentoring,Youth Moves,mentoring,secondary,community,2025-04-01\n"
                         "NAV01,A&E navigators,Redthread,a-and-e-navigators,tertiary,hospital,2025-04-01\n",
        "participants": "ref,date_of_birth,sex,ethnicity\n" + "".join(
            f"{p},2009-0{1 + k % 9}-15,{'female' if k % 2 else 'male'},white\n" for k, p in enumerate(people)),
        "enrolments": "participant_ref,intervention_ref,referral_date,referral_source,high_risk,start_date,"
                      "end_date,exit_reason\n" + "".join(
            f"{p},MENT01,2025-04-0{1 + k % 9},school,{'yes' if k == 0 else 'no'},2025-04-10,"
            + ("2025-06-20,completed\n" if k == 1 else ",\n") for k, p in enumerate(people))
            + "".join(f"{p},NAV01,2025-04-20,health,yes,2025-04-21,,\n" for p in people[:2]),
        "contacts": "participant_ref,intervention_ref,date,minutes,mode\n" + "".join(
            f"{p},MENT01,2025-05-0{1 + k % 9},60,one-to-one\n{p},MENT01,2025-06-0{1 + k % 9},45,group\n"
            for k, p in enumerate(people)) + "".join(f"{p},NAV01,2025-05-12,30,one-to-one\n" for p in people[:2]),
        "spend": "intervention_ref,period,funding_source,amount\n"
                 f"MENT01,{Q1},grant,{1000 + n}.50\nNAV01,{Q1},match,250\n",
        "budgets": "intervention_ref,financial_year,funding_source,amount\n"
                   "MENT01,2025-26,grant,5000\nNAV01,2025-26,match,1500\n",
    }
    for kind, text in files.items():
        (folder / f"{kind}.csv").write_text(text)
    return {kind: str(folder / f"{kind}.csv") for kind in files}


def build_partnership(root: Path, csvs: Callable[[Path, int], Iterable[tuple[str, str]]]) -> dict[str, Any]:
    """A hub and five spokes by the command line alone: each spoke set up, enrolled, its CSV files
    (``csvs(folder, n)``: (kind, path), imported in order) in, Q1 signed off and exported, every bundle imported."""
    hub = root / "hub.db"
    recipient = ok(hub, "hub", "init").splitlines()[0]  # then the signing key, for receipts
    exports = root / "exports"
    documents = {}
    for n, spoke in enumerate(SPOKES):
        db = root / f"{spoke}.db"
        line = ok(db, "init", "--spoke", spoke, "--worker", f"Worker {n}", "--hub-recipient", recipient)
        ok(hub, "hub", "enroll", spoke, line.strip().splitlines()[-1])
        folder = root / spoke
        folder.mkdir()
        for kind, path in csvs(folder, n):
            ok(db, "import", kind, path)
        ok(db, "return", "sign-off", Q1)
        ok(db, "export", Q1, "--out", str(exports))
        documents[spoke] = json.loads(ok(db, "return", "show", Q1, "--json"))
    imported = vrp(hub, "hub", "import", *(str(p) for p in sorted(exports.glob("*.vrpb"))))
    return {"root": root, "hub": hub, "documents": documents, "imported": imported}


@pytest.fixture(scope="module")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_partnership(tmp_path_factory.mktemp("partnership"), lambda f, n: spoke_csvs(f, n).items())


def test_every_bundle_is_imported(partnership: dict[str, Any]) -> None:
    result = partnership["imported"]
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == sorted(f"{s}_{Q1}_v1.vrpb: imported" for s in SPOKES)
    status = json.loads(ok(partnership["hub"], "hub", "status", "--json", "--year", "2025-26"))
    assert {c["spoke"]: c["version"] for c in status["cells"] if c["period"] == Q1} == dict.fromkeys(SPOKES, 1)


def _table(report: dict[str, Any], name: str) -> dict[str, Any]:
    table = next(t for t in report["tables"] if t["name"] == name)
    return {row[0]: dict(zip(table["columns"][1:], row[1:], strict=True)) for row in table["rows"]}


def test_consolidated_figures_are_the_sums_of_the_spokes_returns(partnership: dict[str, Any]) -> None:
    documents = partnership["documents"]
    report = json.loads(ok(partnership["hub"], "hub", "report", Q1))
    totals = {row[0]: row[1] for row in next(t for t in report["tables"] if t["name"] == "totals")["rows"]}
    by_spoke = _table(report, "by_spoke")
    for name, label in (("referrals", "Referrals"), ("starts", "Starts"), ("active", "Active young people"),
                        ("high_risk_active", "High-risk active"), ("completions", "Completions"),
                        ("contacts", "Contacts")):
        assert totals[label] == sum(d["totals"][name] for d in documents.values()), name
        for spoke, doc in documents.items():
            assert by_spoke[SPOKES[spoke].name][label] == doc["totals"][name]
    hours = sum(Decimal(str(d["totals"]["contact_hours"])) for d in documents.values())
    assert Decimal(str(totals["Contact hours"])) == hours
    grant = sum(Decimal(d["totals"]["spend_gbp"]["grant"]) for d in documents.values())
    assert Decimal(totals["Spend, VRP grant"]) == grant
    # Worked by hand: spoke n has 3+n young people on mentoring (25 in all) and 2 on A&E navigators,
    # one person on both counted once at the spoke: 3+4+5+6+7 = 25 active; grant 1000.50+...+1004.50.
    assert totals["Active young people"] == 25 and totals["Referrals"] == 25 + 10
    assert grant == Decimal("5012.50")
    by_approach = _table(report, "by_approach")
    assert by_approach["Mentoring"]["Active young people (per intervention)"] == 25
    assert by_approach["A and E navigators"]["Active young people (per intervention)"] == 10


def test_a_reopened_return_supersedes_at_the_hub(partnership: dict[str, Any]) -> None:
    root, hub = partnership["root"], partnership["hub"]
    db = root / "banes.db"
    extra = root / "banes" / "more_contacts.csv"
    extra.write_text("participant_ref,intervention_ref,date,minutes,mode\nP4,MENT01,2025-06-25,90,one-to-one\n")
    ok(db, "return", "reopen", Q1)
    ok(db, "import", "contacts", str(extra))
    ok(db, "return", "sign-off", Q1)
    path = ok(db, "export", Q1, "--out", str(root / "exports")).strip()
    assert path.endswith("banes_2025-26-Q1_v2.vrpb")
    assert ok(hub, "hub", "import", path) == "banes_2025-26-Q1_v2.vrpb: imported, supersedes version 1\n"
    report = json.loads(ok(hub, "hub", "report", Q1))
    banes = json.loads(ok(db, "return", "show", Q1, "--json"))
    assert _table(report, "by_spoke")["Bath and North East Somerset"]["Version"] == 2
    assert _table(report, "by_spoke")["Bath and North East Somerset"]["Contacts"] == banes["totals"]["contacts"]
    first = partnership["documents"]["banes"]["totals"]["contacts"]
    assert banes["totals"]["contacts"] == first + 1
