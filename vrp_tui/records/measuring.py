"""Outcome measures as a spoke worker enters and reads them: placing a score, group scores, history.

A measurement belongs to the young person's referral to the intervention whose
window (referral date to end date, open while there is none) holds its date,
the later referral where two do, like a session (SPEC section 3); at most one
per young person, intervention, date and instrument. No Textual here: workers
call these with their own Store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vrp_tui import reference
from vrp_tui.errors import RecordError
from vrp_tui.records.entry import find_ref
from vrp_tui.records.models import parse_iso_date, parse_score_tenths, shown
from vrp_tui.records.sections import PARTICIPANT_REF, score_text
from vrp_tui.records.specs import iso_date_text
from vrp_tui.store import Store

_ALL = 1_000_000  # a young person's referrals or measurements, or one intervention's referrals: all of them


def _in_window(enrolment: Mapping[str, Any], day: str) -> bool:
    return str(enrolment["referral_date"]) <= day and (enrolment["end_date"] is None
                                                       or str(enrolment["end_date"]) >= day)


def holding(enrolments: list[dict[str, Any]], intervention_id: int, day: str) -> dict[str, Any] | None:
    """Of one young person's referrals, the one to ``intervention_id`` whose window holds ``day``."""
    held = [e for e in enrolments if int(e["intervention_id"]) == intervention_id and _in_window(e, day)]
    return max(held, key=lambda e: (str(e["referral_date"]), int(e["id"])), default=None)


def placement_problems(store: Store, values: Mapping[str, Any], record_id: int | None = None) -> dict[str, str]:
    """What the store knows against a measurement's young person, intervention, date and instrument:
    an unknown ref, no referral window holding the date, another score already there. Empty if
    those fields are not all good yet (the form's own checks speak for them)."""
    ref = str(values.get(PARTICIPANT_REF) or "").strip()
    intervention, instrument = values.get("intervention_id"), values.get("instrument")
    try:
        day = parse_iso_date(iso_date_text(str(values.get("date") or ""))).isoformat()
    except (ValueError, TypeError):
        return {}
    if not ref or intervention is None or instrument not in reference.INSTRUMENTS:
        return {}
    try:
        participant_id = find_ref(store, "participants", ref)
    except ValueError as exc:
        return {PARTICIPANT_REF: str(exc)}
    if participant_id is None:
        return {PARTICIPANT_REF: f"no young person with ref {shown(ref)}"}
    ref = str((store.get("participants", participant_id) or {}).get("ref", ref))
    if store.enrolment_holding(participant_id, int(intervention), day) is None:
        return {"date": f"no referral of {shown(ref)} to this intervention covers {day}"}
    same = store.page("measurements", limit=2, filters={
        "participant_id": participant_id, "intervention_id": int(intervention), "date": day,
        "instrument": instrument})
    if any(int(row["id"]) != record_id for row in same):
        return {"instrument": f"{shown(ref)} already has a {instrument} score on {day} for this intervention"}
    return {}


# -- a young person's measurements over time ---------------------------------------------


@dataclass(frozen=True)
class Score:
    id: int
    date: str
    score_tenths: int
    change_tenths: int | None  # since the baseline, positive when better; None for the baseline itself

    @property
    def score(self) -> str:
        return score_text(self.score_tenths)

    @property
    def change(self) -> str:
        if self.change_tenths is None:
            return "baseline"
        sign = "+" if self.change_tenths > 0 else "-" if self.change_tenths < 0 else "±"
        return sign + score_text(abs(self.change_tenths))


@dataclass
class ReferralScores:
    """One referral's measurements, by instrument, oldest first."""

    enrolment_id: int | None  # None: measurements no referral window holds
    intervention_ref: str
    referral_date: str | None
    end_date: str | None
    by_instrument: dict[str, list[Score]] = field(default_factory=dict)

    @property
    def window(self) -> str:
        if self.referral_date is None:
            return "no referral window holds these"
        return f"referred {self.referral_date}, " + (f"ended {self.end_date}" if self.end_date else "open")


def history(store: Store, participant_ref: str) -> tuple[str, list[ReferralScores]]:
    """A young person's ref as stored and their measurements by referral (latest referral first) and
    instrument, each with its change since that referral's baseline (the earliest); RecordError if
    there is no such young person."""
    try:
        participant_id = find_ref(store, "participants", participant_ref)
    except ValueError as exc:
        raise RecordError({PARTICIPANT_REF: str(exc)}) from None
    if participant_id is None:
        raise RecordError({PARTICIPANT_REF: f"no young person with ref {shown(participant_ref.strip())}"})
    person = store.get("participants", participant_id) or {}
    enrolments = store.page("enrolments", filters={"participant_id": participant_id}, limit=_ALL)
    groups: dict[int | None, ReferralScores] = {
        int(e["id"]): ReferralScores(int(e["id"]), str(e["intervention_ref"]), str(e["referral_date"]),
                                     e["end_date"])
        for e in enrolments
    }
    measurements = store.page("measurements", filters={"participant_id": participant_id}, limit=_ALL)
    for m in sorted(measurements, key=lambda m: (str(m["date"]), int(m["id"]))):
        enrolment = holding(enrolments, int(m["intervention_id"]), str(m["date"]))
        key = int(enrolment["id"]) if enrolment else None
        if key is None and key not in groups:
            groups[None] = ReferralScores(None, "", None, None)
        group = groups[key]
        if key is None and m["intervention_ref"] not in group.intervention_ref.split(", "):
            group.intervention_ref = ", ".join(filter(None, (group.intervention_ref, str(m["intervention_ref"]))))
        scores = group.by_instrument.setdefault(str(m["instrument"]), [])
        tenths = int(m["score_tenths"])
        change = None
        if scores and key is not None:
            change = tenths - scores[0].score_tenths
            if not reference.INSTRUMENTS[str(m["instrument"])].higher_is_better:
                change = -change
        scores.append(Score(int(m["id"]), str(m["date"]), tenths, change))
    ordered = [g for g in groups.values() if g.enrolment_id is not None]
    ordered.sort(key=lambda g: (g.referral_date or "", g.enrolment_id or 0), reverse=True)
    if None in groups:
        ordered.append(groups[None])
    return str(person.get("ref", participant_ref)), ordered


# -- group scores: one intervention, date and instrument -----------------------------------


@dataclass(frozen=True)
class GroupMember:
    participant_id: int
    ref: str
    measurement_id: int | None  # a score already recorded for this date and instrument
    score: str  # as recorded ("" if none)


def group_members(store: Store, intervention_id: int, day: str, instrument: str) -> list[GroupMember]:
    """Every young person whose referral to the intervention holds ``day``, by ref, with any score
    already recorded for that day and instrument."""
    enrolments = store.page("enrolments", filters={"intervention_id": intervention_id}, limit=_ALL)
    people = {int(e["participant_id"]): str(e["participant_ref"]) for e in enrolments if _in_window(e, day)}
    recorded = {int(m["participant_id"]): m for m in store.page(
        "measurements", filters={"intervention_id": intervention_id, "date": day, "instrument": instrument},
        limit=_ALL)}
    return [
        GroupMember(pid, ref, int(recorded[pid]["id"]) if pid in recorded else None,
                    score_text(recorded[pid]["score_tenths"]) if pid in recorded else "")
        for pid, ref in sorted(people.items(), key=lambda item: (item[1].casefold(), item[1]))
    ]


def score_key(participant_id: int) -> str:
    """The error key of one young person's score in a group."""
    return f"score-{participant_id}"


def check_scores(instrument: str | None, scores: Mapping[int, str]) -> dict[str, str]:
    """Each typed score against the instrument's range and step (blank: not measured)."""
    if instrument not in reference.INSTRUMENTS:
        return {}
    scale = reference.INSTRUMENTS[instrument]
    errors: dict[str, str] = {}
    for participant_id, text in scores.items():
        if not text.strip():
            continue
        try:
            tenths = parse_score_tenths(text)
        except ValueError as exc:
            errors[score_key(participant_id)] = str(exc)
            continue
        if not scale.allows(tenths):
            errors[score_key(participant_id)] = f"outside the {scale.slug} scale ({scale.range_text})"
    return errors


def save_scores(store: Store, intervention_id: int, day: str, instrument: str,
                scores: Mapping[int, str]) -> int:
    """Save the typed scores of a group (blank: not measured) in one transaction, each audited;
    how many were saved. A score already recorded is changed; one cleared is refused (delete it
    from the list of measurements)."""
    errors = check_scores(instrument, scores)
    members = {m.participant_id: m for m in group_members(store, intervention_id, day, instrument)}
    for participant_id, text in scores.items():
        member = members.get(participant_id)
        if member is None:
            if text.strip():
                errors[score_key(participant_id)] = "no referral to this intervention covers this date"
        elif not text.strip() and member.measurement_id is not None:
            errors[score_key(participant_id)] = (f"a score of {member.score} is recorded: delete it from "
                                                 "the measurements to remove it")
    if errors:
        raise RecordError(errors)
    rows: list[tuple[dict[str, Any], int | None]] = [({"participant_id": pid, "intervention_id": intervention_id, "date": day, "instrument": instrument,
              "score_tenths": text.strip()}, members[pid].measurement_id)
            for pid, text in scores.items() if text.strip()]
    if not rows:
        raise RecordError({"": "type at least one score"})
    try:
        store.save_many("measurements", rows)
    except RecordError as exc:
        pid = int(rows[getattr(exc, "row", 0)][0]["participant_id"])
        raise RecordError({score_key(pid): "; ".join(exc.errors.values())}) from None
    return len(rows)
