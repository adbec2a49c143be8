"""Realistic synthetic spoke data, the same for the same seed, at any scale.

``vrp demo`` makes a hub and five spokes whose keys it trusts, each spoke with a
few dozen interventions written through the audit trail (one ``create`` row per
record, as an import would write). The
benchmark generator uses the same code at SPEC section 8's scale without audit
rows. The data covers two financial years up to the last complete quarter.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vrp_tui import reference
from vrp_tui.bundle.signing import passphrase_from_env
from vrp_tui.demo import measures
from vrp_tui.errors import VrpError
from vrp_tui.hub.identity import create_identity
from vrp_tui.hub.spoke_keys import enrol_key
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period, financial_year_code
from vrp_tui.spoke.setup import set_up_spoke
from vrp_tui.store import Store

DEMO_PASSPHRASE = "demo-passphrase"

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Scale:
    interventions: int
    participants: int
    enrolments: int
    contacts: int
    measurements: int | None = None  # None: as many as the referrals give (see demo/measures.py)

    def times(self, factor: float) -> Scale:
        def scaled(n: int) -> int:
            return max(1, round(n * factor))

        return Scale(scaled(self.interventions), scaled(self.participants), scaled(self.enrolments),
                     scaled(self.contacts), None if self.measurements is None else scaled(self.measurements))


DEMO_SCALE = Scale(interventions=30, participants=400, enrolments=600, contacts=6000)
BENCH_SCALE = Scale(interventions=200, participants=50_000, enrolments=80_000, contacts=1_000_000,
                    measurements=100_000)

# Written in this order so every reference points at a row already there.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "interventions": ("id", "ref", "name", "provider", "approach", "prevention_level", "setting",
                      "start_date", "end_date", "description"),
    "participants": ("id", "ref", "date_of_birth", "sex", "ethnicity", "postcode_district"),
    "budgets": ("id", "intervention_id", "financial_year", "funding_source", "amount"),
    "spend": ("id", "intervention_id", "period", "funding_source", "amount"),
    "enrolments": ("id", "participant_id", "intervention_id", "referral_date", "referral_source",
                   "high_risk", "start_date", "end_date", "exit_reason"),
    "contacts": ("id", "participant_id", "intervention_id", "date", "minutes", "mode", "attendance"),
    "measurements": ("id", "participant_id", "intervention_id", "date", "instrument", "score_tenths"),
}

# approach: (name pattern, setting, prevention level, weight, contact intensity, modes)
_PROFILES: dict[str, tuple[str, str, str, int, float, str]] = {
    "mentoring": ("{place} Mentoring Project", "community", "secondary", 8, 1.0, "one-to-one"),
    "sports-programmes": ("{place} Midnight Football", "community", "primary", 6, 1.2, "group"),
    "a-and-e-navigators": ("A&E Youth Navigators ({place})", "hospital", "tertiary", 3, 0.5, "one-to-one"),
    "focused-deterrence": ("{place} Focused Deterrence", "community", "tertiary", 2, 0.6, "outreach"),
    "knife-crime-education": ("Knife Crime Awareness: {place} schools", "school", "primary", 4, 0.4, "group"),
    "after-school-programmes": ("{place} After School Club", "school", "primary", 4, 1.2, "group"),
    "cbt": ("CBT for Young People ({place})", "community", "secondary", 2, 0.8, "one-to-one"),
    "parenting-programmes": ("{place} Parenting Together", "home", "secondary", 3, 0.7, "group"),
    "trauma-specific-therapies": ("{place} Trauma Therapy Service", "community", "tertiary", 2, 0.8, "one-to-one"),
    "police-in-schools": ("Police in Schools: {place}", "school", "primary", 2, 0.3, "group"),
    "school-exclusion-prevention": ("{place} Inclusion Project", "school", "secondary", 3, 0.9, "one-to-one"),
    "relationship-violence-prevention": ("Healthy Relationships ({place})", "school", "primary", 2, 0.4, "group"),
    "formal-pre-court-diversion": ("{place} Out of Court Diversion", "custody", "tertiary", 2, 0.5, "one-to-one"),
    "functional-family-therapy": ("{place} Functional Family Therapy", "home", "tertiary", 1, 0.9, "one-to-one"),
    "restorative-justice": ("{place} Restorative Justice", "community", "tertiary", 1, 0.3, "one-to-one"),
    "social-skills-training": ("{place} Social Skills Group", "community", "secondary", 2, 0.8, "group"),
    "trauma-informed-training": ("Trauma-Informed Practice ({place})", "other", "primary", 1, 0.2, "group"),
    "adventure-wilderness-therapy": ("{place} Outdoor Challenge", "community", "secondary", 1, 0.6, "group"),
    "multi-systemic-therapy": ("{place} MST Team", "home", "tertiary", 1, 1.0, "one-to-one"),
    "other": ("{place} Online Youth Support", "online", "secondary", 2, 0.7, "remote"),
}
_MINUTES = {"one-to-one": (30, 45, 60, 60, 90), "group": (60, 90, 90, 120),
            "remote": (15, 20, 30, 45), "outreach": (30, 60, 90, 120)}
_PROVIDERS = ("Brightpath Youth Trust", "Harbourside Mentoring CIC", "Levels Sports Foundation",
              "Second Chance Trust", "Family Futures", "Local authority youth service",
              "Avon and Somerset Police", "Creative Futures Collective", "Safer Streets Partnership")
_SPOKE_PLACES = {
    "bristol": ("BR", "Amira Hussain", ("Lawrence Hill", "Knowle West", "Southmead", "Hartcliffe",
                "St Pauls", "Easton", "Lockleaze", "Bedminster"),
                ("BS1", "BS2", "BS3", "BS4", "BS5", "BS6", "BS7", "BS10", "BS11", "BS13", "BS14", "BS16")),
    "banes": ("BA", "Tom Davies", ("Bath", "Keynsham", "Midsomer Norton", "Radstock", "Twerton", "Odd Down"),
              ("BA1", "BA2", "BA3", "BS31", "BS39")),
    "north-somerset": ("NS", "Grace Okafor", ("Weston-super-Mare", "Clevedon", "Portishead", "Nailsea", "Worle"),
                       ("BS20", "BS21", "BS22", "BS23", "BS24", "BS48", "BS49")),
    "south-glos": ("SG", "Liam Carter", ("Kingswood", "Yate", "Filton", "Patchway", "Staple Hill", "Thornbury"),
                   ("BS15", "BS16", "BS30", "BS32", "BS34", "BS35", "BS36", "BS37")),
    "somerset": ("SO", "Priya Patel", ("Taunton", "Yeovil", "Bridgwater", "Frome", "Minehead", "Chard"),
                 ("TA1", "TA2", "TA6", "TA7", "TA20", "TA24", "BA11", "BA20", "BA21")),
}
_SPOKE_SIZE = {"bristol": 1.4, "banes": 0.8, "north-somerset": 0.9, "south-glos": 1.0, "somerset": 1.2}
_SEX = {"male": 60, "female": 36, "other": 1, "not-known": 3}
_ETHNICITY = {"white": 72, "black": 8, "asian": 6, "mixed": 8, "other": 2, "not-stated": 4}
_EXIT = {"completed": 55, "disengaged": 18, "transferred": 7, "moved-away": 6, "custody": 4, "other": 7,
         "declined": 3}
_SOURCES = {
    "hospital": {"health": 70, "police": 15, "social-care": 10, "self-or-family": 5},
    "school": {"school": 65, "social-care": 10, "police": 10, "self-or-family": 10, "voluntary-sector": 5},
    "custody": {"police": 55, "youth-justice": 40, "other": 5},
    "default": {"police": 20, "youth-justice": 15, "school": 20, "social-care": 15, "health": 5,
                "voluntary-sector": 10, "self-or-family": 12, "other": 3},
}
_HIGH_RISK = {"primary": 0.08, "secondary": 0.3, "tertiary": 0.6}


def span(today: date) -> tuple[Period, Period]:
    """The quarters the data covers: Q1 of the previous financial year up to the last complete quarter."""
    last = Period.containing(today).previous()
    return Period(last.fy_start - 1, 1), last


def generate(spoke: str, scale: Scale, *, seed: int, today: date) -> dict[str, Iterable[Row]]:
    """Rows for every table, keyed by table; contacts come lazily (there may be a million)."""
    return _Generator(spoke, scale, seed, today).tables()


class _Generator:
    def __init__(self, spoke: str, scale: Scale, seed: int, today: date):
        self.rng = random.Random(f"{spoke}:{seed}")
        self.spoke, self.scale, self.seed = spoke, scale, seed
        first, last = span(today)
        self.periods = [first]
        while self.periods[-1] != last:
            self.periods.append(self.periods[-1].next())
        self.start, self.end = first.first_day.toordinal(), last.last_day.toordinal()
        self.prefix, _, self.places, self.districts = _SPOKE_PLACES[spoke]

    def _pick(self, weights: Mapping[str, float]) -> str:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def tables(self) -> dict[str, Iterable[Row]]:
        interventions = self._interventions()
        participants = self._participants()
        budgets, spend = self._money(interventions)
        enrolments = self._enrolments(interventions, participants)
        return {"interventions": interventions, "participants": participants, "budgets": budgets,
                "spend": spend, "enrolments": enrolments,
                "contacts": self._contacts(interventions, enrolments),
                "measurements": measures.generate(random.Random(f"{self.spoke}:{self.seed}:measurements"),
                                                  {row[0]: row[4] for row in interventions}, enrolments, self.end,
                                                  self.scale.measurements)}

    def _interventions(self) -> list[Row]:
        rng, rows = self.rng, []
        approaches = {a: p[3] for a, p in _PROFILES.items()}
        for n in range(1, self.scale.interventions + 1):
            approach = self._pick(approaches)
            pattern, setting, level, *_ = _PROFILES[approach]
            if rng.random() < 0.8:
                start = self.start - rng.randint(0, 700)
            else:
                start = self.start + rng.randint(0, (self.end - self.start) // 2)
            end = None
            if rng.random() < 0.12 and start + 200 < self.end - 30:
                end = rng.randint(max(start + 200, self.start + 90), self.end - 30)
            provider = "NHS Emergency Department" if setting == "hospital" else rng.choice(_PROVIDERS)
            description = None if rng.random() < 0.3 else (
                f"For young people in {self.spoke_name}; delivered by {provider}.")
            rows.append((n, f"{self.prefix}-{n:03d}", pattern.format(place=rng.choice(self.places)), provider,
                         approach, level, setting, _iso(start), _iso(end) if end else None, description))
        return rows

    @property
    def spoke_name(self) -> str:
        return reference.SPOKES[self.spoke].name

    def _participants(self) -> list[Row]:
        rng, rows = self.rng, []
        middle = (self.start + self.end) // 2
        for n in range(1, self.scale.participants + 1):
            dob = None if rng.random() < 0.05 else _iso(middle - int(rng.triangular(8, 26, 15) * 365.25))
            sex = None if rng.random() < 0.02 else self._pick(_SEX)
            ethnicity = None if rng.random() < 0.03 else self._pick(_ETHNICITY)
            district = None if rng.random() < 0.1 else rng.choice(self.districts)
            rows.append((n, f"{self.prefix}-{n:06d}", dob, sex, ethnicity, district))
        return rows

    def _active(self, intervention: Row) -> tuple[int, int]:
        """The days (ordinals) an intervention ran within the data's span."""
        start = max(date.fromisoformat(intervention[7]).toordinal(), self.start)
        end = date.fromisoformat(intervention[8]).toordinal() if intervention[8] else self.end
        return start, min(end, self.end)

    def _money(self, interventions: list[Row]) -> tuple[list[Row], list[Row]]:
        rng = self.rng
        budgets: list[Row] = []
        spend: list[Row] = []
        for row in interventions:
            first, last = self._active(row)
            yearly = {}
            for fy in sorted({p.fy_start for p in self.periods}):
                if Period(fy, 4).last_day.toordinal() < first or Period(fy, 1).first_day.toordinal() > last:
                    continue
                grant = rng.randrange(15, 151) * 100_000
                match = rng.randrange(5, 51) * 100_000 if rng.random() < 0.4 else 0
                yearly[fy] = {"grant": grant, "match": match}
                for source, amount in yearly[fy].items():
                    if amount:
                        budgets.append((len(budgets) + 1, row[0], financial_year_code(fy), source, amount))
            for period in self.periods:
                in_quarter = period.first_day.toordinal() <= last and period.last_day.toordinal() >= first
                if not in_quarter or period.fy_start not in yearly or rng.random() < 0.03:
                    continue
                for source, amount in yearly[period.fy_start].items():
                    if amount:
                        spent = int(amount / 4 * rng.uniform(0.7, 1.15))
                        spend.append((len(spend) + 1, row[0], period.code, source, spent))
        return budgets, spend

    def _enrolments(self, interventions: list[Row], participants: list[Row]) -> list[Row]:
        rng, rows = self.rng, []
        capacity = [rng.uniform(0.3, 3.0) for _ in interventions]
        chosen = rng.choices(interventions, capacity, k=self.scale.enrolments)
        seen: set[tuple[int, int, int]] = set()
        for n, intervention in enumerate(chosen, start=1):
            pid = participants[n - 1][0] if n <= len(participants) else rng.choice(participants)[0]
            first, last = self._active(intervention)
            referral = rng.randint(first, last)
            while (pid, intervention[0], referral) in seen:
                referral = rng.randint(first, last)
            seen.add((pid, intervention[0], referral))
            start = end = reason = None
            if rng.random() < 0.9:
                start = min(referral + rng.randint(0, 21), last)
                planned = start + rng.randint(30, 270)
                if planned <= last:
                    end, reason = planned, self._pick(_EXIT)
                elif intervention[8]:  # the intervention closed: everyone on it left
                    end, reason = last, "transferred"
            elif referral + 60 < last and rng.random() < 0.5:
                end, reason = referral + rng.randint(7, 40), "declined"
            elif intervention[8]:
                end, reason = last, "declined"
            high_risk = int(rng.random() < _HIGH_RISK[intervention[5]])
            source = self._pick(_SOURCES.get(intervention[6], _SOURCES["default"]))
            rows.append((n, pid, intervention[0], _iso(referral), source, high_risk,
                         _iso(start) if start else None, _iso(end) if end else None, reason))
        return rows

    def _contacts(self, interventions: list[Row], enrolments: list[Row]) -> Iterator[Row]:
        """Exactly ``scale.contacts`` sessions, shared out by each enrolment's length, inside its window."""
        rng = random.Random(f"{self.spoke}:{self.seed}:contacts")
        attended = random.Random(f"{self.spoke}:{self.seed}:attendance")  # its own stream: sessions unchanged
        intensity = {row[0]: _PROFILES[row[4]][4] for row in interventions}
        main_mode = {row[0]: _PROFILES[row[4]][5] for row in interventions}
        windows = []
        for _, pid, iid, _, _, _, start, end, _ in enrolments:
            if start:
                first = date.fromisoformat(start).toordinal()
                last = date.fromisoformat(end).toordinal() if end else self.end
                windows.append((pid, iid, first, last, (last - first + 1) * intensity[iid]))
        if not windows:
            return
        total = sum(w[4] for w in windows)
        counts = [int(self.scale.contacts * w[4] / total) for w in windows]
        for index in rng.sample(range(len(windows)), self.scale.contacts - sum(counts)):
            counts[index] += 1
        days: dict[int, str] = {}
        next_id = 1
        for (pid, iid, first, last, _), count in zip(windows, counts, strict=True):
            main = main_mode[iid]
            modes = rng.choices((main, "remote", "outreach", "one-to-one", "group"), (80, 6, 5, 5, 4), k=count)
            width = last - first + 1
            for mode in modes:
                ordinal = first + int(rng.random() * width)
                day = days.get(ordinal) or days.setdefault(ordinal, _iso(ordinal))
                yield (next_id, pid, iid, day, rng.choice(_MINUTES[mode]), mode, measures.attendance(attended))
                next_id += 1


def _iso(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def write(store: Store, tables: dict[str, Iterable[Row]], *, audit: bool) -> dict[str, int]:
    """All the rows in one transaction; with ``audit`` a ``create`` audit row for each record."""
    with store.transaction():
        return {table: store.insert_audited(table, columns, tables[table], audit=audit)
                for table, columns in TABLE_COLUMNS.items()}


# -- vrp demo: one function per step --------------------------------------


class DemoExists(VrpError):
    """The demo folder already holds a demo; we never write over one."""


@dataclass(frozen=True)
class DemoSet:
    directory: Path
    hub: Path
    hub_recipient: str
    spokes: dict[str, Path]
    public_keys: dict[str, str]  # spoke -> the RW... line the hub enrolled


def passphrase() -> str:
    """VRP_PASSPHRASE if set, else the documented demo passphrase."""
    return passphrase_from_env() or DEMO_PASSPHRASE


def default_dir() -> Path:
    """``demo/`` in the current folder: easy to find, open and delete."""
    return Path.cwd() / "demo"


def make_hub(path: Path, passphrase: str) -> str:
    """A hub database with its identity (as ``vrp hub init`` makes it); returns its recipient."""
    hub = HubStore(path)
    try:
        return create_identity(hub, passphrase)
    finally:
        hub.close()


def make_spoke(path: Path, spoke: str, *, hub_recipient: str, passphrase: str, seed: int,
               today: date, scale: Scale = DEMO_SCALE) -> str:
    """A set-up spoke database at ``path`` filled with demo data; returns its public key line."""
    store = Store(path)
    try:
        public_key = set_up_spoke(store, spoke=spoke, worker=_SPOKE_PLACES[spoke][1],
                                  hub_recipient=hub_recipient, passphrase=passphrase)
        write(store, generate(spoke, scale, seed=seed, today=today), audit=True)
        return public_key
    finally:
        store.close()


def enrol_spokes(hub_path: Path, public_keys: dict[str, str]) -> None:
    """The hub trusts each spoke's key (as ``vrp hub enroll`` does)."""
    hub = HubStore(hub_path)
    try:
        for spoke, public_key in public_keys.items():
            enrol_key(hub, spoke, public_key)
    finally:
        hub.close()


def build(directory: Path, *, passphrase: str, seed: int = 1, today: date | None = None) -> DemoSet:
    """A hub and five demo spokes in ``directory``; DemoExists if one is there already."""
    today = today or date.today()
    hub = directory / "hub.db"
    spokes = {code: directory / f"{code}.db" for code in reference.SPOKES}
    if clash := [p for p in (hub, *spokes.values()) if p.exists()]:
        raise DemoExists(f"{clash[0]} already exists: delete {directory} or pick another --dir")
    directory.mkdir(parents=True, exist_ok=True)
    recipient = make_hub(hub, passphrase)
    public_keys = {
        code: make_spoke(path, code, hub_recipient=recipient, passphrase=passphrase, seed=seed + index,
                         today=today, scale=DEMO_SCALE.times(_SPOKE_SIZE[code]))
        for index, (code, path) in enumerate(spokes.items())
    }
    enrol_spokes(hub, public_keys)
    return DemoSet(directory, hub, recipient, spokes, public_keys)
