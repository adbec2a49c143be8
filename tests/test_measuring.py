"""Outcome measures as entered and read (vrp_tui/records/measuring.py) on a real SQLite file:
the window rule for a young person's history, the change since baseline turned round where lower
is better, the group's members by window, and group scores all or none with their audit rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from vrp_tui.errors import RecordError
from vrp_tui.records import measuring
from vrp_tui.records.sections import MEASUREMENTS, instrument_choice, score_text
from vrp_tui.store import Store

BASE = dict(provider="Youth Moves", approach="mentoring", prevention_level="secondary", setting="school",
            start_date="2025-01-01")


@pytest.fixture
def world(tmp_path: Path) -> tuple[Store, dict[str, int]]:
    store = Store(tmp_path / "spoke.db", worker="tester")
    ids = {ref: store.save("interventions", {**BASE, "ref": ref, "name": ref}) for ref in ("MENT01", "BOX01")}
    for ref in ("YP1", "YP2", "YP3"):
        ids[ref] = store.save("participants", {"ref": ref})
    return store, ids


def refer(store: Store, person: int, intervention: int, day: str, end: str | None = None) -> int:
    return store.save("enrolments", {"participant_id": person, "intervention_id": intervention,
                                     "referral_date": day, "referral_source": "school",
                                     **({"end_date": end, "exit_reason": "completed"} if end else {})})


def measure(store: Store, person: int, intervention: int, day: str, instrument: str, score: str) -> int:
    return store.save("measurements", {"participant_id": person, "intervention_id": intervention, "date": day,
                                       "instrument": instrument, "score_tenths": score})


def test_history_follows_the_window_rule_and_turns_lower_is_better_round(world: tuple[Store, dict[str, int]]) -> None:
    store, ids = world
    yp, ment = ids["YP1"], ids["MENT01"]
    first = refer(store, yp, ment, "2025-04-01", "2025-06-30")
    second = refer(store, yp, ment, "2025-06-15")  # from 15 June both windows hold a date: the later wins
    boxing = refer(store, yp, ids["BOX01"], "2025-05-01")
    measure(store, yp, ment, "2025-04-05", "sdq-total", "20")
    measure(store, yp, ment, "2025-06-01", "sdq-total", "15")    # first referral: 20 -> 15 is +5 (lower is better)
    measure(store, yp, ment, "2025-06-20", "sdq-total", "16")    # second referral's baseline
    measure(store, yp, ment, "2025-08-01", "sdq-total", "18")    # 16 -> 18 is -2
    measure(store, yp, ids["BOX01"], "2025-05-02", "ors", "20.5")
    measure(store, yp, ids["BOX01"], "2025-07-02", "ors", "19.8")  # higher is better: -0.7
    refer(store, ids["YP2"], ment, "2025-01-01")  # someone else's referral and scores do not show
    measure(store, ids["YP2"], ment, "2025-04-05", "sdq-total", "30")

    ref, referrals = measuring.history(store, "yp1")
    assert ref == "YP1"
    assert [(r.enrolment_id, r.intervention_ref) for r in referrals] == [
        (second, "MENT01"), (boxing, "BOX01"), (first, "MENT01")]
    shown = {r.enrolment_id: {slug: [(s.date, s.score, s.change) for s in scores]
                              for slug, scores in r.by_instrument.items()} for r in referrals}
    assert shown[first] == {"sdq-total": [("2025-04-05", "20", "baseline"), ("2025-06-01", "15", "+5")]}
    assert shown[second] == {"sdq-total": [("2025-06-20", "16", "baseline"), ("2025-08-01", "18", "-2")]}
    assert shown[boxing] == {"ors": [("2025-05-02", "20.5", "baseline"), ("2025-07-02", "19.8", "-0.7")]}
    assert referrals[0].window == "referred 2025-06-15, open"
    assert referrals[2].window == "referred 2025-04-01, ended 2025-06-30"


def test_history_lists_what_no_window_holds_last_and_refuses_an_unknown_ref(
        world: tuple[Store, dict[str, int]]) -> None:
    store, ids = world
    refer(store, ids["YP3"], ids["MENT01"], "2025-05-01", "2025-05-31")
    measure(store, ids["YP3"], ids["MENT01"], "2025-05-31", "goal-based", "4")  # the last day is in the window
    measure(store, ids["YP3"], ids["MENT01"], "2025-06-01", "goal-based", "6")  # the day after is not
    measure(store, ids["YP3"], ids["MENT01"], "2025-06-02", "goal-based", "7")
    _, referrals = measuring.history(store, "YP3")
    assert [r.enrolment_id is None for r in referrals] == [False, True]
    assert [(s.score, s.change) for s in referrals[0].by_instrument["goal-based"]] == [("4", "baseline")]
    assert [(s.score, s.change) for s in referrals[1].by_instrument["goal-based"]] == [("6", "baseline"),
                                                                                       ("7", "baseline")]
    assert referrals[1].window == "no referral window holds these"
    with pytest.raises(RecordError) as refused:
        measuring.history(store, "NOBODY")
    assert refused.value.errors == {"participant_ref": "no young person with ref 'NOBODY'"}


def test_placement_problems_name_the_window_and_the_score_already_there(world: tuple[Store, dict[str, int]]) -> None:
    store, ids = world
    refer(store, ids["YP1"], ids["MENT01"], "2025-04-01")
    taken = measure(store, ids["YP1"], ids["MENT01"], "2025-04-05", "swemwbs", "21")
    values = {"participant_ref": "yp1", "intervention_id": ids["MENT01"], "date": "2025-03-31",
              "instrument": "swemwbs"}
    assert measuring.placement_problems(store, values) == {
        "date": "no referral of 'YP1' to this intervention covers 2025-03-31"}
    values["date"] = "2025-04-05"
    assert measuring.placement_problems(store, values) == {
        "instrument": "'YP1' already has a swemwbs score on 2025-04-05 for this intervention"}
    assert measuring.placement_problems(store, values, taken) == {}  # editing that one is fine
    assert measuring.placement_problems(store, {**values, "instrument": "wemwbs"}) == {}
    assert measuring.placement_problems(store, {**values, "date": "5 April"}) == {}  # the form says why
    assert measuring.placement_problems(store, {**values, "participant_ref": "YP9"}) == {
        "participant_ref": "no young person with ref 'YP9'"}


def test_group_members_are_those_whose_window_holds_the_day(world: tuple[Store, dict[str, int]]) -> None:
    store, ids = world
    ment = ids["MENT01"]
    refer(store, ids["YP1"], ment, "2025-04-01", "2025-05-10")  # ends on the day: in
    refer(store, ids["YP2"], ment, "2025-05-11")                # starts the day after: out
    refer(store, ids["YP3"], ment, "2025-05-10")                # starts on the day: in
    refer(store, ids["YP3"], ment, "2025-01-01", "2025-12-31")  # two windows: listed once
    refer(store, ids["YP2"], ids["BOX01"], "2025-01-01")        # another intervention: out
    measure(store, ids["YP3"], ment, "2025-05-10", "sdq-total", "12")
    members = measuring.group_members(store, ment, "2025-05-10", "sdq-total")
    assert [(m.ref, m.score, m.measurement_id is not None) for m in members] == [("YP1", "", False),
                                                                                ("YP3", "12", True)]
    assert [m.score for m in measuring.group_members(store, ment, "2025-05-10", "ors")] == ["", ""]


def test_group_scores_are_saved_all_or_none_each_audited(world: tuple[Store, dict[str, int]]) -> None:
    store, ids = world
    ment = ids["MENT01"]
    for ref in ("YP1", "YP2", "YP3"):
        refer(store, ids[ref], ment, "2025-04-01")
    day = "2025-06-02"
    bad = {ids["YP1"]: "30", ids["YP2"]: "72", ids["YP3"]: ""}
    with pytest.raises(RecordError) as refused:
        measuring.save_scores(store, ment, day, "wemwbs", bad)
    assert refused.value.errors == {
        f"score-{ids['YP2']}": "outside the wemwbs scale (14 to 70, whole numbers, higher is better)"}
    with pytest.raises(RecordError) as refused:
        measuring.save_scores(store, ment, day, "wemwbs", {ids["YP1"]: "", ids["YP3"]: " "})
    assert refused.value.errors == {"": "type at least one score"}
    assert store.query("SELECT count(*) AS n FROM measurements")[0]["n"] == 0

    assert measuring.save_scores(store, ment, day, "wemwbs", {**bad, ids["YP2"]: "70"}) == 2
    assert store.query("SELECT participant_id, score_tenths FROM measurements ORDER BY participant_id") == [
        {"participant_id": ids["YP1"], "score_tenths": 300}, {"participant_id": ids["YP2"], "score_tenths": 700}]
    audit = store.query("SELECT action, worker FROM audit WHERE table_name = 'measurements' ORDER BY id")
    assert audit == [{"action": "create", "worker": "tester"}] * 2

    # a second round changes what is there and adds the one not measured before
    assert measuring.save_scores(store, ment, day, "wemwbs",
                                 {ids["YP1"]: "31", ids["YP2"]: "70", ids["YP3"]: "14"}) == 3
    assert [r["action"] for r in store.query(
        "SELECT action FROM audit WHERE table_name = 'measurements' ORDER BY id")] == [
        "create", "create", "update", "update", "create"]
    with pytest.raises(RecordError) as refused:  # someone outside the group
        measuring.save_scores(store, ids["BOX01"], day, "wemwbs", {ids["YP1"]: "40"})
    assert refused.value.errors == {f"score-{ids['YP1']}": "no referral to this intervention covers this date"}


def test_scores_and_instruments_as_shown() -> None:
    assert [score_text(t) for t in (0, 70, 315, 400, None)] == ["0", "7", "31.5", "40", ""]
    assert instrument_choice("sdq-total") == "sdq-total (0-40, lower is better)"
    assert instrument_choice("ors") == "ors (0-40, one decimal, higher is better)"
    assert MEASUREMENTS.describe({"instrument": "ors", "participant_ref": "YP1", "date": "2025-05-02"}) == (
        "the ors score of YP1 on 2025-05-02")
