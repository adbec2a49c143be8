"""What the hub holds: the bundles received for each spoke and quarter, latest first.

"Held" means the latest version received for a spoke and period; earlier
versions stay on record and readable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period


@dataclass(frozen=True)
class Received:
    """One bundle on record (without its raw bytes)."""

    id: int
    bundle_id: str
    spoke: str
    period: str
    version: int
    supersedes: str | None
    bagging_date: str
    key_id: str
    file_name: str
    received_at: str
    size: int
    sha256: str


_COLUMNS = ("id, bundle_id, spoke, period, version, supersedes, bagging_date, key_id, file_name, "
            "received_at, size, sha256")


def versions(hub: HubStore, spoke: str, period: str) -> list[Received]:
    """Every version received for ``spoke`` and ``period``, oldest first."""
    return [
        Received(**row)
        for row in hub.query(
            f"SELECT {_COLUMNS} FROM bundles WHERE spoke = ? AND period = ? ORDER BY version",
            [spoke, period],
        )
    ]


def held_in(hub: HubStore, periods: list[str]) -> dict[tuple[str, str], Received]:
    """The held (latest) version for each (spoke, period) among ``periods``."""
    if not periods:
        return {}
    marks = ",".join("?" * len(periods))
    rows = hub.query(
        f"SELECT {_COLUMNS} FROM bundles b WHERE period IN ({marks}) AND version = "
        "(SELECT max(version) FROM bundles WHERE spoke = b.spoke AND period = b.period)",
        periods,
    )
    return {(r["spoke"], r["period"]): Received(**r) for r in rows}


def first_received(hub: HubStore, periods: list[str]) -> dict[tuple[str, str], str]:
    """When the first version for each (spoke, period) arrived."""
    if not periods:
        return {}
    marks = ",".join("?" * len(periods))
    rows = hub.conn.execute(
        f"SELECT spoke, period, min(received_at) FROM bundles WHERE period IN ({marks}) GROUP BY spoke, period",
        periods,
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def document(hub: HubStore, bundle: int) -> dict[str, Any]:
    """The return.json of one received bundle (by its row id)."""
    row = hub.conn.execute("SELECT document FROM bundles WHERE id = ?", [bundle]).fetchone()
    if row is None:
        raise KeyError(bundle)
    data: dict[str, Any] = json.loads(row[0])
    return data


def held_documents(hub: HubStore, periods: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """The return.json of the held version of each (spoke, period) among ``periods``."""
    if not periods:
        return {}
    marks = ",".join("?" * len(periods))
    rows = hub.conn.execute(
        f"SELECT spoke, period, document FROM bundles b WHERE period IN ({marks}) AND version = "
        "(SELECT max(version) FROM bundles WHERE spoke = b.spoke AND period = b.period)",
        periods,
    ).fetchall()
    return {(r[0], r[1]): json.loads(r[2]) for r in rows}


def held_for_figures(hub: HubStore, periods: list[str], whole: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """As :func:`held_documents`, but only the ``whole`` quarters' documents keep their interventions' lines.

    Consolidating a quarter reads each intervention of that quarter and of the
    year to date (by approach and level); the trend's other quarters are read for
    their totals. SQLite drops their ``interventions`` before Python parses them:
    on the benchmark hub (200 interventions a return) most of the JSON to parse.
    """
    if not periods:
        return {}
    marks = ",".join("?" * len(periods))
    keep = ",".join("?" * len(whole)) or "NULL"
    rows = hub.conn.execute(
        f"SELECT spoke, period, CASE WHEN period IN ({keep}) THEN document "
        "ELSE json_remove(document, '$.interventions') "
        f"END FROM bundles b WHERE period IN ({marks}) AND version = "
        "(SELECT max(version) FROM bundles WHERE spoke = b.spoke AND period = b.period)",
        [*whole, *periods],
    ).fetchall()
    return {(r[0], r[1]): json.loads(r[2]) for r in rows}


def latest_quarter(hub: HubStore, today: date) -> Period:
    """The latest quarter any bundle was received for; with none yet, the last quarter ended by ``today``."""
    latest = hub.query("SELECT max(period) AS latest FROM bundles")[0]["latest"]
    return Period.parse(latest) if latest else Period.containing(today).previous()
