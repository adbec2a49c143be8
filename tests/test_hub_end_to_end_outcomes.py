"""End to end with attendance and outcome measures: five spokes filled by CSV (sessions with attendance,
measurements), returns signed off and exported, imported at the hub; the consolidated attendance and
outcomes are the sums of the spokes' own returns. A bundle signed off before attendance and outcomes
were recorded still imports, and the hub's report says "not recorded" rather than zeros.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_hub_end_to_end import build_partnership, ok, spoke_csvs

from vrp_tui.reference import INSTRUMENTS, SPOKES
from vrp_tui.returns.measures import attendance_rate, mean_change
from vrp_tui.store import Store

Q1, Q2 = "2025-26-Q1", "2025-26-Q2"


def outcome_csvs(folder: Path, n: int) -> dict[str, str]:
    """Spoke ``n``'s sessions with attendance and its measurements (on top of test_hub_end_to_end's files).

    P1 and P2 (on mentoring from 2025-04-10) have SWEMWBS and, at spoke n, n+1 missed sessions and a
    cancelled one; P1 goes 20 -> 24, P2 goes 22 -> 21 - n % 2 (worse); P3 has a baseline only; on A&E
    navigators P1 has ORS 18.5 -> 20.0 + n/10.
    """
    files = {
        "contacts": "participant_ref,intervention_ref,date,minutes,mode,attendance\n"
                    + "".join(f"P1,MENT01,2025-06-1{k},60,group,did-not-attend\n" for k in range(n + 1))
                    + "P2,MENT01,2025-06-19,60,group,Cancelled\nP2,MENT01,2025-06-18,60,group,\n",
        "measurements": "participant_ref,intervention_ref,date,instrument,score\n"
                        "P1,MENT01,2025-04-10,swemwbs,20\nP1,MENT01,2025-06-20,swemwbs,24\n"
                        f"P2,MENT01,2025-04-11,swemwbs,22\nP2,MENT01,2025-06-20,swemwbs,{21 - n % 2}\n"
                        "P3,MENT01,2025-05-01,swemwbs,25\n"
                        f"P1,NAV01,2025-04-21,ors,18.5\nP1,NAV01,2025-06-01,ors,{20 + n / 10:.1f}\n",
    }
    for kind, text in files.items():
        (folder / f"more_{kind}.csv").write_text(text)
    return {kind: str(folder / f"more_{kind}.csv") for kind in files}


@pytest.fixture(scope="module")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    def csvs(folder: Path, n: int) -> list[tuple[str, str]]:
        return [*spoke_csvs(folder, n).items(), *outcome_csvs(folder, n).items()]

    made = build_partnership(tmp_path_factory.mktemp("outcomes"), csvs)
    assert made["imported"].exit_code == 0, made["imported"].output
    return made


def _rows(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    table = next(t for t in report["tables"] if t["name"] == name)
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def test_each_spokes_return_counts_its_own_attendance_and_outcomes(partnership: dict[str, Any]) -> None:
    for n, doc in enumerate(partnership["documents"].values()):
        ment = next(i for i in doc["interventions"] if i["ref"] == "MENT01")
        assert ment["did_not_attend"] == n + 1
        swemwbs = ment["outcomes"]["swemwbs"]
        # P1 +4, P2 -1 or -2 (n odd), P3 measured only.
        change = 4 - (2 if n % 2 else 1)
        assert swemwbs == {"measured": 3, "paired": 2, "improved": 1, "unchanged": 0, "worsened": 1,
                           "change_sum": float(change), "mean_change": mean_change(change * 10, 2)}
        nav = next(i for i in doc["interventions"] if i["ref"] == "NAV01")
        assert nav["outcomes"]["ors"]["change_sum"] == round(1.5 + n / 10, 1)


def test_consolidated_attendance_and_outcomes_are_the_sums_of_the_spokes_returns(partnership: dict[str, Any]) -> None:
    documents = partnership["documents"]
    report = json.loads(ok(partnership["hub"], "hub", "report", Q1))
    attendance = {r["Spoke"]: r for r in _rows(report, "attendance_by_spoke")}
    attended = sum(d["totals"]["contacts"] for d in documents.values())
    missed = sum(d["totals"]["did_not_attend"] for d in documents.values())
    assert missed == 1 + 2 + 3 + 4 + 5
    total = attendance["VRP total"]
    assert (total["Sessions attended"], total["Did not attend"]) == (attended, missed)
    assert total["Attendance rate (%)"] == attendance_rate(attended, missed)
    for spoke, doc in documents.items():
        row = attendance[SPOKES[spoke].name]
        assert (row["Did not attend"], row["Attendance rate (%)"]) == (doc["totals"]["did_not_attend"],
                                                                        doc["totals"]["attendance_rate"])
    outcomes = _rows(report, "outcomes_by_spoke")
    for slug in INSTRUMENTS:
        label = INSTRUMENTS[slug].label
        vrp_row = next((r for r in outcomes if r["Spoke"] == "VRP total" and r["Instrument"] == label), None)
        summed = {k: sum(d["totals"]["outcomes"][slug][k] for d in documents.values())
                  for k in ("measured", "paired", "improved", "unchanged", "worsened")}
        change_tenths = sum(round(d["totals"]["outcomes"][slug]["change_sum"] * 10) for d in documents.values())
        if not summed["measured"]:
            assert vrp_row is None
            continue
        assert vrp_row is not None
        assert [vrp_row[k.capitalize()] for k in summed] == list(summed.values())
        assert vrp_row[f"Change sum, {Q1}"] == change_tenths / 10
        assert vrp_row[f"Mean change, {Q1}"] == mean_change(change_tenths, summed["paired"])
    # Worked by hand for SWEMWBS: 15 measured, 10 paired, 5 better, 5 worse; 3+2+3+2+3 = 13.0 over 10 = 1.3.
    swemwbs = next(r for r in outcomes if r["Spoke"] == "VRP total" and r["Instrument"].startswith("Short"))
    assert (swemwbs["Measured"], swemwbs["Paired"], swemwbs[f"Mean change, {Q1}"]) == (15, 10, 1.3)
    by_approach = {(r["Approach"], r["Instrument"]): r for r in _rows(report, "outcomes_by_approach")}
    assert by_approach[("A and E navigators", "Outcome Rating Scale")]["Paired"] == 5


def test_a_return_from_before_outcomes_still_imports_and_reads_not_recorded(partnership: dict[str, Any]) -> None:
    root, hub = partnership["root"], partnership["hub"]
    db = root / "somerset.db"
    ok(db, "return", "sign-off", Q2)
    # The frozen version as a spoke signed it off before attendance and outcomes were recorded.
    store = Store(db)
    (row,) = store.query("SELECT id, document FROM return_versions WHERE period = ?", [Q2])
    old = json.loads(row["document"])
    for part in (old["totals"], *old["interventions"]):
        for name in ("did_not_attend", "attendance_rate", "outcomes"):
            part.pop(name)
    triggers = store.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                           "'return_versions'")
    with store.transaction():  # as written then: the frozen-version guard lifted for this one write
        for trigger in triggers:
            store.conn.execute(f'DROP TRIGGER "{trigger["name"]}"')
        store.conn.execute("UPDATE return_versions SET document = ? WHERE id = ?", [json.dumps(old), row["id"]])
        for trigger in triggers:
            store.conn.execute(trigger["sql"])
    store.close()
    path = ok(db, "export", Q2, "--out", str(root / "exports")).strip()
    assert ok(hub, "hub", "import", path) == "somerset_2025-26-Q2_v1.vrpb: imported\n"
    report = json.loads(ok(hub, "hub", "report", Q2))
    somerset = next(r for r in _rows(report, "attendance_by_spoke") if r["Spoke"] == "Somerset")
    assert somerset["Did not attend"] is None and somerset["Sessions attended"] == "not recorded"
    assert {r["Instrument"] for r in _rows(report, "outcomes_by_spoke")} == {"not recorded"}
    about = {r["Item"]: r["Value"] for r in _rows(report, "about")}
    assert about["Outcomes not recorded in"].startswith("Somerset")
    assert about["Attendance not recorded in"].startswith("Somerset")
    # The year to date still adds Q1's recorded outcomes (Somerset's Q1 return has them).
    ytd = {(r["Spoke"], r["Instrument"]): r for r in _rows(report, "outcomes_ytd_by_spoke")}
    assert ytd[("Somerset", "Outcome Rating Scale")]["Paired"] == 1
