"""The demo partnership's paperwork: returns signed off, exported as bundles and imported at the hub.

After :func:`vrp_tui.demo.spokes.build` has made the hub and five spokes, this writes
each spoke's narrative and signs off its return for every completed quarter,
exports the bundles into ``exports/`` in the demo folder, and imports them at
the hub as if they had arrived by post: some early, one spoke habitually late,
one correction (a version 2 superseding version 1), one return not yet in, and
reviews on most of the rest. So ``vrp hub`` opens on a full partnership.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from vrp_tui.demo.spokes import DemoSet, span
from vrp_tui.hub.identity import unlock_identity
from vrp_tui.hub.intake import IntakeResult, import_bundle, read_file
from vrp_tui.hub.review import review_return
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period
from vrp_tui.reference import SPOKES
from vrp_tui.returns import lifecycle
from vrp_tui.spoke.export import export_return, plan_export
from vrp_tui.store import Store

# Days after quarter end each spoke's return usually arrives (south-glos: after the 30-day deadline).
_DAYS_AFTER = {"bristol": 12, "banes": 20, "north-somerset": 26, "south-glos": 38, "somerset": 17}
_ANALYST = "Hub Analyst"


@dataclass(frozen=True)
class Sent:
    spoke: str
    period: Period
    version: int
    path: Path
    arrived: date


def _quarters(today: date) -> list[Period]:
    first, last = span(today)
    quarters = [first]
    while quarters[-1] != last:
        quarters.append(quarters[-1].next())
    return quarters


def _narrative(store: Store, period: Period, spoke: str) -> dict[str, str]:
    doc = lifecycle.build_draft(store, period)
    busiest = max(doc.interventions, key=lambda i: i.active, default=None)
    return {
        "highlights": f"{doc.totals.active} young people took part across {len(doc.interventions)} "
                      f"interventions in {SPOKES[spoke].name}"
                      + (f"; {busiest.name} was the busiest with {busiest.active}." if busiest else "."),
        "challenges": "Recruiting sessional youth workers remains hard; two posts were vacant for part "
                      "of the quarter.",
        "case_study": "A 15-year-old referred after an incident near school was supported by a mentor "
                      "for twelve weeks and is now attending full-time (details changed).",
        "next_quarter": "Extend the school-based sessions into the summer holidays.",
    }


def _arrival(spoke: str, period: Period, today: date, extra: int = 0) -> date:
    return min(period.last_day + timedelta(days=_DAYS_AFTER[spoke] + extra), today)


def _send(store: Store, spoke: str, period: Period, folder: Path, passphrase: str, arrived: date) -> Sent:
    plan = plan_export(store, period.code, folder)
    record = export_return(store, plan, passphrase, bagging_date=arrived - timedelta(days=1))
    return Sent(spoke, period, record.version, Path(record.path), arrived)


def sign_off_and_export(made: DemoSet, *, passphrase: str, today: date) -> list[Sent]:
    """Every spoke's completed quarters signed off and exported (Somerset's latest not yet)."""
    quarters = _quarters(today)
    folder = made.directory / "exports"
    sent: list[Sent] = []
    for spoke, path in made.spokes.items():
        store = Store(path)
        try:
            for period in quarters:
                if spoke == "somerset" and period == quarters[-1]:
                    continue  # still being written: the matrix shows it awaited or overdue
                lifecycle.save_narrative(store, period, _narrative(store, period, spoke))
                lifecycle.sign_off(store, period, today=today)
                sent.append(_send(store, spoke, period, folder, passphrase, _arrival(spoke, period, today)))
            if spoke == "banes" and len(quarters) > 1:  # a correction after the hub's questions
                period = quarters[-2]
                lifecycle.reopen(store, period)
                lifecycle.save_narrative(store, period, {
                    "challenges": "Corrected: spend for the quarter now includes the match-funded venue hire."})
                lifecycle.sign_off(store, period, today=today)
                sent.append(_send(store, spoke, period, folder, passphrase,
                                  _arrival(spoke, period, today, extra=14)))
        finally:
            store.close()
    return sent


def import_at_hub(made: DemoSet, sent: list[Sent], *, passphrase: str) -> list[IntakeResult]:
    """Import the bundles in the order they arrived, then review most of them."""
    hub = HubStore(made.hub)
    try:
        identity = unlock_identity(hub, passphrase)
        results = [
            import_bundle(hub, read_file(s.path), identity, name=s.path.name,
                          received_at=f"{s.arrived.isoformat()}T10:00:00+00:00")
            for s in sorted(sent, key=lambda s: (s.arrived, s.spoke, s.version))
        ]
        latest = max(s.period for s in sent)
        corrected = {(s.spoke, s.period) for s in sent if s.version > 1}
        for s in sent:
            if (s.spoke, s.period) in corrected or s.period == latest:
                continue  # the correction and the latest quarter are waiting for review
            at = f"{(s.arrived + timedelta(days=7)).isoformat()}T15:00:00+00:00"
            if s.spoke == "north-somerset" and s.period == latest.previous():
                review_return(hub, s.spoke, s.period.code, accept=False, reviewer=_ANALYST, at=at,
                              note="Contact hours look low for the number of sessions: please check.")
            else:
                review_return(hub, s.spoke, s.period.code, accept=True, reviewer=_ANALYST, at=at)
        return results
    finally:
        hub.close()


def fill_hub(made: DemoSet, *, passphrase: str, today: date | None = None) -> list[IntakeResult]:
    """Sign off, export and import the demo's returns; one import result per bundle."""
    today = today or date.today()
    return import_at_hub(made, sign_off_and_export(made, passphrase=passphrase, today=today),
                         passphrase=passphrase)
