"""Synthetic outcome measures and attendance for the demo and benchmark spokes.

Realistic in shape, not in any person: most started referrals get a baseline
score soon after the start, about two thirds of completers a follow-up at the
end, some who left early or are still open a review; the change from baseline
is a modest improvement on average, with some getting worse. Only total scores,
as the app records them (SPEC section 2). Each referral gets the instrument its
approach would use. Every measurement lies inside its referral's window, on
or before the last day the data covers, so validation finds nothing to refuse.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from vrp_tui import reference

Row = tuple[Any, ...]

# An approach's instrument; anything else uses goal-based outcomes.
INSTRUMENT_OF = {
    "mentoring": "swemwbs", "sports-programmes": "swemwbs", "after-school-programmes": "swemwbs",
    "cbt": "sdq-total", "trauma-specific-therapies": "sdq-total", "functional-family-therapy": "sdq-total",
    "multi-systemic-therapy": "sdq-total", "parenting-programmes": "sdq-total",
    "a-and-e-navigators": "ors", "other": "ors", "school-exclusion-prevention": "wemwbs",
    "social-skills-training": "wemwbs",
}
# instrument: (baseline mean, baseline spread, change mean, change spread), in points, "better" direction.
_SCORES = {
    "sdq-total": (18.0, 6.0, 2.5, 4.0),
    "swemwbs": (20.0, 4.0, 1.5, 3.0),
    "wemwbs": (42.0, 8.0, 3.0, 6.0),
    "ors": (22.0, 7.0, 3.0, 6.0),
    "goal-based": (3.0, 2.0, 2.0, 2.5),
}
DID_NOT_ATTEND = 0.10  # of the sessions offered
CANCELLED = 0.025


def attendance(rng: random.Random) -> str:
    """One session's attendance: about one in ten missed, a few cancelled by the provider."""
    r = rng.random()
    return "did-not-attend" if r < DID_NOT_ATTEND else "cancelled" if r < DID_NOT_ATTEND + CANCELLED else "attended"


def _score(rng: random.Random, slug: str, points: float) -> int:
    instrument = reference.INSTRUMENTS[slug]
    tenths = round(points * 10 / instrument.step) * instrument.step
    return max(instrument.lowest, min(instrument.highest, tenths))


def generate(rng: random.Random, approach_of: dict[int, str], enrolments: list[Row], last_day: int,
             target: int | None = None) -> list[Row]:
    """Measurement rows ``(id, participant_id, intervention_id, date, instrument, score_tenths)``.

    ``enrolments`` are the demo's rows; ``last_day`` the last day covered (an ordinal). With ``target``,
    reviews are added (or measurements left out) until there are exactly that many.
    """
    rows: list[list[Any]] = []
    seen: set[tuple[int, int, int, str]] = set()
    started: list[tuple[int, int, int, int, str, int]] = []  # pid, iid, first, last, instrument, baseline

    def add(pid: int, iid: int, day: int, slug: str, tenths: int) -> bool:
        if (pid, iid, day, slug) in seen:
            return False
        seen.add((pid, iid, day, slug))
        rows.append([pid, iid, day, slug, tenths])
        return True

    for _, pid, iid, _, _, _, start, end, reason in enrolments:
        if not start:
            continue
        slug = INSTRUMENT_OF.get(approach_of[iid], "goal-based")
        base_mu, base_sd, change_mu, change_sd = _SCORES[slug]
        sign = 1 if reference.INSTRUMENTS[slug].higher_is_better else -1
        first = date.fromisoformat(start).toordinal()
        last = min(date.fromisoformat(end).toordinal() if end else last_day, last_day)
        if rng.random() >= 0.85 or first > last:
            continue
        baseline = _score(rng, slug, rng.gauss(base_mu, base_sd))
        day = min(first + rng.randint(0, 7), last)
        add(pid, iid, day, slug, baseline)
        started.append((pid, iid, day, last, slug, baseline))
        if reason == "completed":
            follow = rng.random() < 2 / 3
        elif end:
            follow = rng.random() < 0.2
        else:
            follow = last - day > 90 and rng.random() < 0.4
        if follow and last > day:
            change = rng.gauss(change_mu, change_sd) * sign
            add(pid, iid, last if end else rng.randint(day + 1, last), slug,
                _score(rng, slug, baseline / 10 + change))
    while target is not None and len(rows) < target and started:
        pid, iid, day, last, slug, baseline = rng.choice(started)
        if last > day:
            sign = 1 if reference.INSTRUMENTS[slug].higher_is_better else -1
            change = rng.gauss(_SCORES[slug][2] / 2, _SCORES[slug][3]) * sign
            add(pid, iid, rng.randint(day + 1, last), slug, _score(rng, slug, baseline / 10 + change))
    if target is not None and len(rows) > target:
        rows = [rows[i] for i in sorted(rng.sample(range(len(rows)), target))]
    return [(n, pid, iid, date.fromordinal(day).isoformat(), slug, tenths)
            for n, (pid, iid, day, slug, tenths) in enumerate(rows, start=1)]

