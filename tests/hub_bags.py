"""Bundles built by hand for the hub tests, with zipfile, hashlib, minisign and pyrage only.

Independent of ``vrp_tui.bundle.writer``: a test can corrupt any one layer and
keep every other layer right (manifests recomputed, re-signed with a real spoke
key, re-encrypted), so each corruption reaches the check it targets.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import minisign
import pyrage

from vrp_tui.bundle import signing
from vrp_tui.hub.intake import IntakeResult, import_bundle
from vrp_tui.hub.spoke_keys import enrol_key
from vrp_tui.hub.store import HubStore
from vrp_tui.periods import Period
from vrp_tui.reference import SPOKES

REGULAR = 0o100644 << 16
SYMLINK = 0o120777 << 16


class SpokeKey:
    """A spoke's minisign key pair, unencrypted (nothing to unlock in tests)."""

    def __init__(self, spoke: str):
        pair = minisign.KeyPair.generate()
        self.spoke = spoke
        self.secret = pair.secret_key
        self.public_key = bytes(pair.public_key).decode()
        self.line = signing.public_key_line(self.public_key)
        self.key_id = signing.key_id(self.public_key)


# -- return documents --------------------------------------------------------------------


def figures(*, referrals: int = 0, starts: int = 0, active: int = 0, high_risk_active: int = 0,
            completions: int = 0, other_exits: int = 0, contacts: int = 0, hours: float = 0.0,
            spend: tuple[str, str] = ("0.00", "0.00"), spend_ytd: tuple[str, str] | None = None,
            budget: tuple[str, str] = ("0.00", "0.00"), ages: Mapping[str, int] | None = None,
            sexes: Mapping[str, int] | None = None,
            ethnicities: Mapping[str, int] | None = None) -> dict[str, Any]:
    """One set of return figures; breakdowns default to every active young person 15-17, male, white."""

    def breakdown(keys_: tuple[str, ...], given: Mapping[str, int] | None, default: str) -> dict[str, int]:
        out = dict.fromkeys(keys_, 0)
        out.update(given or {default: active})
        assert sum(out.values()) == active, "a breakdown must add up to active"
        return out

    ytd = spend_ytd or spend
    return {
        "referrals": referrals, "starts": starts, "active": active, "high_risk_active": high_risk_active,
        "completions": completions, "other_exits": other_exits, "contacts": contacts, "contact_hours": hours,
        "active_by_age_band": breakdown(("0-9", "10-14", "15-17", "18-24", "25+", "unknown"), ages, "15-17"),
        "active_by_sex": breakdown(("female", "male", "other", "not-known"), sexes, "male"),
        "active_by_ethnicity": breakdown(("asian", "black", "mixed", "white", "other", "not-stated"),
                                         ethnicities, "white"),
        "spend_gbp": {"grant": spend[0], "match": spend[1]},
        "spend_ytd_gbp": {"grant": ytd[0], "match": ytd[1]},
        "budget_gbp": {"grant": budget[0], "match": budget[1]},
    }


def intervention(ref: str, approach: str = "mentoring", level: str = "secondary",
                 **numbers: Any) -> dict[str, Any]:
    return {"ref": ref, "name": f"Intervention {ref}", "approach": approach, "prevention_level": level,
            "setting": "community", **figures(**numbers)}


def document(spoke: str = "bristol", period: str = "2025-26-Q1", version: int = 1, *,
             interventions: list[dict[str, Any]] | None = None, totals: dict[str, Any] | None = None,
             highlights: str = "A good quarter.") -> dict[str, Any]:
    """A frozen format-1 return; by default one mentoring intervention whose figures are the totals."""
    q = Period.parse(period)
    if interventions is None:
        interventions = [intervention("MENT-01", referrals=6, starts=5, active=7, high_risk_active=2,
                                      completions=1, other_exits=1, contacts=20, hours=15.5,
                                      spend=("1250.00", "300.50"), budget=("5000.00", "1000.00"))]
    if totals is None:
        totals = {k: v for k, v in interventions[0].items()
                  if k not in ("ref", "name", "approach", "prevention_level", "setting")}
    return {
        "format": 1, "spoke": spoke, "spoke_name": SPOKES[spoke].name if spoke in SPOKES else spoke,
        "period": period, "period_label": q.label,
        "first_day": q.first_day.isoformat(), "last_day": q.last_day.isoformat(),
        "version": version, "status": "signed-off",
        "generated_at": "2025-07-03T09:00:00+00:00", "signed_off_by": "Amy Tester",
        "signed_off_at": "2025-07-03T09:05:00+00:00", "approach_toolkit": "YEF Toolkit 2024",
        "interventions": interventions, "totals": totals,
        "narrative": {"highlights": highlights, "challenges": "Staffing.",
                      "case_study": "A young person (anonymised) stayed in school.",
                      "next_quarter": "More sessions."},
        "validation": {"errors": [], "warnings": []},
    }


# -- bags, archives, bundles ---------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(files: Mapping[str, bytes]) -> bytes:
    return "".join(f"{sha256(files[p])}  {p}\n" for p in sorted(files)).encode()


@dataclass
class Bag:
    """A bag's members by path inside its folder, and the folder's name."""

    folder: str
    files: dict[str, bytes] = field(default_factory=dict)
    bundle_id: str = ""

    def info(self) -> dict[str, str]:
        return dict(line.split(": ", 1) for line in self.files["bag-info.txt"].decode().splitlines())

    def set_info(self, **changes: str | None) -> Bag:
        """Change (None: drop) bag-info labels, written ``VRP_Spoke`` for ``VRP-Spoke``."""
        info = self.info()
        for label, value in changes.items():
            label = label.replace("_", "-")
            if value is None:
                info.pop(label, None)
            else:
                info[label] = value
        self.files["bag-info.txt"] = "".join(f"{k}: {v}\n" for k, v in info.items()).encode()
        return self

    def set_document(self, data: dict[str, Any] | bytes) -> Bag:
        raw = data if isinstance(data, bytes) else (json.dumps(data, indent=2) + "\n").encode()
        self.files["data/return.json"] = raw
        return self

    def reseal_manifests(self, *, oxum: bool = True) -> Bag:
        """Recompute the payload manifest, Payload-Oxum and tag manifest from the members."""
        payload = {"data/return.json": self.files["data/return.json"]}
        self.files["manifest-sha256.txt"] = manifest(payload)
        if oxum:
            self.set_info(Payload_Oxum=f"{len(payload['data/return.json'])}.1")
        self.reseal_tag_manifest()
        return self

    def reseal_tag_manifest(self) -> Bag:
        self.files["tagmanifest-sha256.txt"] = manifest(
            {p: self.files[p] for p in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt")})
        return self

    def sign(self, key: SpokeKey, comment: str | None = None) -> Bag:
        """Sign the tag manifest as a spoke does; the trusted comment from bag-info unless given."""
        info = self.info()
        comment = comment or (f"vrp-bundle spoke={info['VRP-Spoke']} period={info['VRP-Period']} "
                              f"version={info['VRP-Return-Version']} id={info['External-Identifier']}")
        signature = key.secret.sign(self.files["tagmanifest-sha256.txt"], prehash=True,
                                    untrusted_comment=f"signature from the {info['VRP-Spoke']} spoke key",
                                    trusted_comment=comment)
        self.files["tagmanifest-sha256.txt.minisig"] = bytes(signature) + b"\n"
        return self

    def entries(self) -> list[Entry]:
        order = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
                 "tagmanifest-sha256.txt.minisig", "data/return.json")
        return [Entry(f"{self.folder}/{p}", self.files[p]) for p in order if p in self.files] + [
            Entry(f"{self.folder}/{p}", data) for p, data in self.files.items() if p not in order]


def make_bag(doc: dict[str, Any], key: SpokeKey, *, bundle_id: str | None = None,
             supersedes: str | None = None, bagging_date: str = "2025-07-03") -> Bag:
    """A correct, signed bag for ``doc`` (spoke, period and version taken from it)."""
    spoke, period, version = doc["spoke"], doc["period"], doc["version"]
    bag = Bag(f"{spoke}_{period}_v{version}", bundle_id=bundle_id or str(uuid.uuid4()))
    bag.files["bagit.txt"] = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    bag.files["bag-info.txt"] = b""
    bag.set_info(Source_Organization=SPOKES[spoke].name if spoke in SPOKES else spoke,
                 Bagging_Date=bagging_date, External_Identifier=bag.bundle_id, Payload_Oxum="0.1",
                 VRP_Spoke=spoke, VRP_Period=period, VRP_Return_Version=str(version), VRP_Format="1",
                 VRP_Supersedes=supersedes)
    bag.set_document(doc).reseal_manifests()
    return bag.sign(key)


@dataclass
class Entry:
    """One ZIP member as written, attributes and all."""

    name: str
    data: bytes
    attrs: int = REGULAR
    compress: int = zipfile.ZIP_DEFLATED


def zip_entries(entries: list[Entry]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=(2025, 7, 3, 0, 0, 0))
            info.compress_type = entry.compress
            info.create_system = 3
            info.external_attr = entry.attrs
            archive.writestr(info, entry.data)
    return out.getvalue()


def seal(archive: bytes, recipient: str | pyrage.x25519.Recipient) -> bytes:
    to = recipient if isinstance(recipient, pyrage.x25519.Recipient) else pyrage.x25519.Recipient.from_str(recipient)
    return pyrage.encrypt(archive, [to])


def bundle(bag: Bag, recipient: str | pyrage.x25519.Recipient) -> bytes:
    """The ``.vrpb`` bytes of a bag: zipped, then age-encrypted to ``recipient``."""
    return seal(zip_entries(bag.entries()), recipient)


# -- a hub with the five spokes' keys enrolled ------------------------------------------------


class HubWorld:
    """A hub database file with an identity in hand and the spokes' keys enrolled.

    The identity is a fresh one, not the database's own (whose unlocking is
    deliberately slow): the core import takes the identity it is given.
    """

    def __init__(self, path: Path, spokes: tuple[str, ...] = tuple(SPOKES)):
        self.path = path
        self.store = HubStore(path)
        self.identity = pyrage.x25519.Identity.generate()
        self.recipient = self.identity.to_public()
        self.keys = {spoke: SpokeKey(spoke) for spoke in spokes}
        for spoke, key in self.keys.items():
            enrol_key(self.store, spoke, key.line)

    def bag(self, doc: dict[str, Any] | None = None, **kwargs: Any) -> Bag:
        doc = doc or document()
        return make_bag(doc, self.keys[doc["spoke"]], **kwargs)

    def send(self, doc: dict[str, Any] | None = None, **kwargs: Any) -> bytes:
        return bundle(self.bag(doc, **kwargs), self.recipient)

    def receive(self, data: bytes, name: str = "bundle.vrpb", received_at: str | None = None,
                today: date | None = None) -> IntakeResult:
        return import_bundle(self.store, data, self.identity, name=name, received_at=received_at, today=today)

    def dump(self) -> str:
        """Every table's schema and rows, to show a rejected bundle changed nothing."""
        return "\n".join(self.store.conn.iterdump())
