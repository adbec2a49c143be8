"""A return's life: draft -> signed off (frozen as version N) -> exported (SPEC section 4).

The draft is computed from the records whenever it is asked for; only its
narrative is stored (saved as the worker types). Signing off freezes the whole
document as version N in ``return_versions``, where SQLite triggers refuse any
change but the one move from signed off to exported, and any delete. Reopening
starts version N+1 as a draft with the narrative carried over.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from vrp_tui.errors import VrpError
from vrp_tui.periods import Period
from vrp_tui.reference import APPROACH_TOOLKIT_VERSION, SPOKES
from vrp_tui.returns import validation
from vrp_tui.returns.document import FORMAT, NARRATIVE_FIELDS, ReturnDocument
from vrp_tui.returns.figures import compute_figures, contact_pairs
from vrp_tui.returns.validation import Finding
from vrp_tui.store import Store
from vrp_tui.store.database import now_utc


class ReturnError(VrpError):
    """A return action that cannot be done now, with the reason in plain words."""


class SignOffRefused(ReturnError):
    """Sign-off while validation errors exist; ``errors`` lists them."""

    def __init__(self, period: Period, errors: list[Finding]):
        self.errors = errors
        super().__init__(
            f"{period.code} cannot be signed off: {len(errors)} error(s) to put right first, "
            f"e.g. {errors[0].text}"
        )


@dataclass(frozen=True)
class Draft:
    """A computed draft: the document and the findings behind its validation part."""

    document: ReturnDocument
    findings: list[Finding]

    @property
    def summary(self) -> list[Finding]:
        """The findings with those about young people merged per code, each naming its records."""
        return validation.summary(self.findings)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def require_begun(period: Period, today: date | None = None) -> None:
    """A draft can be built for any quarter that has begun (SPEC section 4)."""
    if period.first_day > (today or date.today()):
        raise ReturnError(f"{period.code} has not begun: its return can be started from "
                          f"{_day(period.first_day)}", record=period.code)


def require_ended(period: Period, today: date | None = None, *, doing: str = "signed off") -> None:
    """Sign-off and export wait until the quarter has ended: possible from the day after its last."""
    if period.last_day >= (today or date.today()):
        raise ReturnError(f"{period.code} cannot be {doing} before the quarter has ended: possible from "
                          f"{_day(period.last_day + timedelta(days=1))}", record=period.code)


@dataclass(frozen=True)
class VersionInfo:
    version: int
    status: str
    signed_off_by: str
    signed_off_at: str
    exported_at: str | None


@dataclass(frozen=True)
class FrozenReturn:
    """A signed-off version: the document as frozen (a dict, ready for return.json) and its record."""

    document: dict[str, Any]
    info: VersionInfo


@contextmanager
def _snapshot(store: Store) -> Iterator[None]:
    """One read transaction, so every query of a build sees the same data."""
    if store.conn.in_transaction:
        yield
        return
    store.conn.execute("BEGIN")
    try:
        yield
    finally:
        store.conn.execute("COMMIT")


def _spoke(store: Store) -> str:
    spoke = store.spoke
    if not spoke:
        raise ReturnError("this database is not set up as a spoke: run `vrp init` first")
    return spoke


def narrative(store: Store, period: Period) -> dict[str, str]:
    """The narrative as last saved (empty fields when nothing is saved yet)."""
    rows = store.query(f"SELECT {', '.join(NARRATIVE_FIELDS)} FROM return_drafts WHERE period = ?",
                       [period.code])
    return rows[0] if rows else dict.fromkeys(NARRATIVE_FIELDS, "")


def versions(store: Store, period: Period) -> list[VersionInfo]:
    """Every frozen version of the period's return, oldest first."""
    return [
        VersionInfo(r["version"], r["status"], r["signed_off_by"], r["signed_off_at"], r["exported_at"])
        for r in store.query(
            "SELECT version, status, signed_off_by, signed_off_at, exported_at FROM return_versions "
            "WHERE period = ? ORDER BY version", [period.code])
    ]


def is_open(store: Store, period: Period) -> bool:
    """True while the period's return is a draft: never signed off, or reopened since."""
    if not versions(store, period):
        return True
    row = store.conn.execute("SELECT open FROM return_drafts WHERE period = ?", [period.code]).fetchone()
    return bool(row and row[0])


def build(store: Store, period: Period, *, today: date | None = None) -> Draft:
    """Compute the draft return from the records as they are now; refused for a quarter not begun."""
    spoke = _spoke(store)
    require_begun(period, today)
    with _snapshot(store), contact_pairs(store, period):
        text = narrative(store, period)
        figures = compute_figures(store, period)
        findings = validation.check(store, period, text, today=today, figures=figures)
    document = ReturnDocument.model_validate({
        "format": FORMAT, "spoke": spoke, "spoke_name": SPOKES[spoke].name,
        "period": period.code, "period_label": period.label,
        "first_day": period.first_day, "last_day": period.last_day,
        "version": None, "status": "draft",
        "generated_at": datetime.now(UTC).replace(microsecond=0),
        "signed_off_by": None, "signed_off_at": None,
        "approach_toolkit": APPROACH_TOOLKIT_VERSION,
        **figures, "narrative": text,
        "validation": validation.for_document(findings),
    })
    return Draft(document, findings)


def build_draft(store: Store, period: Period, *, today: date | None = None) -> ReturnDocument:
    return build(store, period, today=today).document


def save_narrative(store: Store, period: Period, fields: Mapping[str, str]) -> None:
    """Save some or all narrative fields of the open draft (one transaction)."""
    unknown = set(fields) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ReturnError(f"no narrative field {sorted(unknown)[0]!r} (one of {', '.join(NARRATIVE_FIELDS)})")
    fields = {name: narrative_text(name, value) for name, value in fields.items()}
    with store.transaction():
        _require_open(store, period)
        store.conn.execute("INSERT INTO return_drafts (period) VALUES (?) ON CONFLICT DO NOTHING",
                           [period.code])
        sets = ", ".join(f"{f} = ?" for f in fields)
        store.conn.execute(
            f"UPDATE return_drafts SET {sets}, updated_at = ?, updated_by = ? WHERE period = ?",
            [*fields.values(), now_utc(), store.worker, period.code])


NARRATIVE_LIMIT = 100_000  # bytes of UTF-8 a field, as the hub accepts (SPEC section 5)
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def narrative_text(field: str, value: str) -> str:
    """A narrative field as stored: Windows line ends made newlines; other controls refused."""
    text = value.replace("\r\n", "\n")
    bad = _FORBIDDEN.search(text)
    if bad:
        what = "a lone surrogate" if "\ud800" <= bad.group() <= "\udfff" else "a control character"
        raise ReturnError(f"{field}: {what} (U+{ord(bad.group()):04X}) at character {bad.start() + 1}: "
                          "only newline and tab are allowed", field=field)
    if len(text.encode("utf-8")) > NARRATIVE_LIMIT:
        raise ReturnError(f"{field}: longer than {NARRATIVE_LIMIT // 1000} kB", field=field)
    return text


def _require_open(store: Store, period: Period) -> None:
    if not is_open(store, period):
        last = versions(store, period)[-1]
        raise ReturnError(f"{period.code} is signed off as version {last.version}: reopen it to change it")


def sign_off(store: Store, period: Period, worker: str | None = None, *, today: date | None = None,
             at: datetime | None = None) -> int:
    """Freeze the draft as the next version; SignOffRefused while validation errors exist.

    ``at`` is when it was signed off (default now, in UTC); only a replay of the
    past, such as the demo's, gives another, with ``today`` its date.
    """
    who = (worker or store.worker).strip()
    with store.transaction():
        _require_open(store, period)
        require_ended(period, today)
        draft = build(store, period, today=today)
        problems = validation.errors(draft.findings)
        if problems:
            raise SignOffRefused(period, problems)
        version = len(versions(store, period)) + 1
        at_text = at.astimezone(UTC).isoformat(timespec="seconds") if at else now_utc()
        frozen = draft.document.model_copy(update={
            "version": version, "status": "signed-off", "signed_off_by": who,
            "signed_off_at": datetime.fromisoformat(at_text)})
        cur = store.conn.execute(
            "INSERT INTO return_versions (period, version, status, document, signed_off_by, signed_off_at) "
            "VALUES (?, ?, 'signed-off', ?, ?, ?)",
            [period.code, version, json.dumps(frozen.to_json(), sort_keys=True), who, at_text])
        store.conn.execute(
            "INSERT INTO return_drafts (period, open) VALUES (?, 0) "
            "ON CONFLICT(period) DO UPDATE SET open = 0", [period.code])
        store.audit("return_versions", int(cur.lastrowid or 0), "create", None,
                    {"period": period.code, "version": version, "signed_off_by": who})
    return version


def reopen(store: Store, period: Period) -> int:
    """Start the next version as a draft (narrative carried over); returns its number."""
    with store.transaction():
        done = versions(store, period)
        if not done:
            raise ReturnError(f"{period.code} has not been signed off: it is already a draft")
        if is_open(store, period):
            raise ReturnError(f"{period.code} is already reopened as draft version {len(done) + 1}")
        store.conn.execute("UPDATE return_drafts SET open = 1 WHERE period = ?", [period.code])
        rowid = store.conn.execute("SELECT rowid FROM return_drafts WHERE period = ?", [period.code]).fetchone()[0]
        store.audit("return_drafts", rowid, "update", {"period": period.code, "open": 0},
                    {"period": period.code, "open": 1, "draft_version": len(done) + 1})
    return len(done) + 1


def get_version(store: Store, period: Period, version: int) -> FrozenReturn:
    """A frozen version as it was signed off, with its current status."""
    rows = store.query("SELECT * FROM return_versions WHERE period = ? AND version = ?",
                       [period.code, version])
    if not rows:
        raise ReturnError(f"{period.code} has no version {version}")
    r = rows[0]
    return FrozenReturn(json.loads(r["document"]), VersionInfo(
        r["version"], r["status"], r["signed_off_by"], r["signed_off_at"], r["exported_at"]))


def latest_signed_off(store: Store, period: Period) -> FrozenReturn | None:
    """The newest frozen version (what a bundle carries), or None if never signed off."""
    done = versions(store, period)
    return get_version(store, period, done[-1].version) if done else None


def mark_exported(store: Store, period: Period, version: int, at: str | None = None) -> None:
    """Record that a frozen version went into a bundle (the first export's time is kept)."""
    with store.transaction():
        if get_version(store, period, version).info.status == "exported":
            return
        store.conn.execute(
            "UPDATE return_versions SET status = 'exported', exported_at = ? WHERE period = ? AND version = ?",
            [at or now_utc(), period.code, version])
        row_id = store.conn.execute("SELECT id FROM return_versions WHERE period = ? AND version = ?",
                                    [period.code, version]).fetchone()[0]
        store.audit("return_versions", row_id, "update", {"status": "signed-off"}, {"status": "exported"})


def export_problem(store: Store, period: Period, frozen: FrozenReturn, *, today: date | None = None) -> str | None:
    """Why ``frozen`` cannot go into a bundle now, or None: its quarter has not ended, or its
    narrative identifies someone (checked again against the records as they are now)."""
    try:
        require_ended(period, today, doing="exported")
    except ReturnError as exc:
        return str(exc)
    found = validation.errors(validation.narrative_findings(store, period, frozen.document["narrative"]))
    if found:
        return (f"{period.code} version {frozen.info.version} cannot be exported: {found[0].text} "
                f"(reopen it, put the narrative right and sign off again)")
    return None


def current(store: Store, period: Period, *, today: date | None = None) -> ReturnDocument:
    """What the period's return is now: the open draft, or else the latest frozen version."""
    if is_open(store, period):
        return build_draft(store, period, today=today)
    frozen = latest_signed_off(store, period)
    assert frozen is not None
    return ReturnDocument.model_validate({**frozen.document, "status": frozen.info.status})


def quarters(store: Store, *, today: date | None = None, most: int = 40) -> list[Period]:
    """The quarters a return can be made for, newest first: from the first record to this quarter."""
    now = Period.containing(today or date.today())
    row = store.conn.execute(
        "SELECT min(d) FROM (SELECT min(start_date) AS d FROM interventions "
        "UNION ALL SELECT min(referral_date) FROM enrolments UNION ALL SELECT min(date) FROM contacts)"
    ).fetchone()
    first = now.previous()
    if row and row[0]:
        first = min(first, Period.containing(date.fromisoformat(row[0])))
    out = [now]
    while out[-1] > first and len(out) < most:
        out.append(out[-1].previous())
    return out
