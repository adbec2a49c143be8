"""Hand-built return documents and keys for the bundle tests (no young person in them)."""

from __future__ import annotations

import uuid
from typing import Any

import minisign

from vrp_tui.bundle import EnrolledKey, signing

PASSPHRASE = "bundle test passphrase"


def _funding(grant: str = "0.00", match: str = "0.00") -> dict[str, str]:
    return {"grant": grant, "match": match}


def figures(active: int = 3) -> dict[str, Any]:
    return {
        "referrals": 4, "starts": 3, "active": active, "high_risk_active": 1,
        "completions": 1, "other_exits": 0, "contacts": 9, "contact_hours": 7.5,
        "active_by_age_band": {"0-9": 0, "10-14": 1, "15-17": active - 1, "18-24": 0, "25+": 0, "unknown": 0},
        "active_by_sex": {"female": 1, "male": active - 1, "other": 0, "not-known": 0},
        "active_by_ethnicity": {"asian": 0, "black": 1, "mixed": 0, "white": active - 1, "other": 0,
                                "not-stated": 0},
        "spend_gbp": _funding("1250.00", "300.50"),
        "spend_ytd_gbp": _funding("1250.00", "300.50"),
        "budget_gbp": _funding("5000.00", "1200.00"),
    }


def document(spoke: str = "bristol", period: str = "2025-26-Q1", version: int = 1) -> dict[str, Any]:
    """A frozen format-1 return for one mentoring intervention."""
    return {
        "format": 1,
        "spoke": spoke,
        "spoke_name": "Bristol",
        "period": period,
        "period_label": "2025/26 Q1 (Apr–Jun 2025)",
        "first_day": "2025-04-01",
        "last_day": "2025-06-30",
        "version": version,
        "status": "signed-off",
        "generated_at": "2025-07-03T09:00:00Z",
        "signed_off_by": "Amy Tester",
        "signed_off_at": "2025-07-03T09:05:00Z",
        "approach_toolkit": "YEF Toolkit 2024",
        "interventions": [{
            "ref": "MENT-01", "name": "Street mentoring", "approach": "mentoring",
            "prevention_level": "secondary", "setting": "community", **figures(),
        }],
        "totals": figures(),
        "narrative": {"highlights": "Good quarter.", "challenges": "Staffing.",
                      "case_study": "A young person (anonymised) stayed in school.",
                      "next_quarter": "More sessions."},
        "validation": {"errors": [], "warnings": []},
    }


class SpokeKey:
    """A spoke key pair: the unlocked secret key, its public key text and id."""

    def __init__(self, spoke: str = "bristol"):
        pair = signing.generate(PASSPHRASE)
        self.spoke = spoke
        self.public_key = pair.public_key
        self.secret_key_text = pair.secret_key
        self.key_id = signing.key_id(pair.public_key)

    def unlocked(self) -> minisign.SecretKey:
        return signing.unlock(self.secret_key_text, PASSPHRASE)

    def enrolled(self, *, spoke: str | None = None, revoked: bool = False) -> EnrolledKey:
        return EnrolledKey(spoke=spoke or self.spoke, public_key=self.public_key, revoked=revoked)


def lookup(*enrolled: tuple[str, EnrolledKey]):  # type: ignore[no-untyped-def]
    table = dict(enrolled)
    return table.get


def new_id() -> str:
    return str(uuid.uuid4())


# -- a set-up spoke with records, for export tests ------------------------------------------

# (ref, date of birth): what must never leave the spoke
YOUNG_PEOPLE = (("BRS-CASE-40417", "2009-03-14"), ("BRS-CASE-40418", "2008-11-02"),
                ("BRS-CASE-40419", "2007-06-30"))


def fill_spoke(store) -> None:  # type: ignore[no-untyped-def]
    """One mentoring intervention, three young people, their referrals, sessions and spend in 2025-26 Q1.

    The last young person has no sex or ethnicity recorded, so the return carries a warning about them.
    """
    intervention = store.save("interventions", {
        "ref": "MENT-01", "name": "Street mentoring", "provider": "Brightpath Youth Trust",
        "approach": "mentoring", "prevention_level": "secondary", "setting": "community",
        "start_date": "2025-01-01"})
    for n, (ref, dob) in enumerate(YOUNG_PEOPLE):
        known = n < len(YOUNG_PEOPLE) - 1
        person = store.save("participants", {"ref": ref, "date_of_birth": dob, "sex": "male" if known else None,
                                             "ethnicity": "white" if known else None,
                                             "postcode_district": "BS16"})
        store.save("enrolments", {"participant_id": person, "intervention_id": intervention,
                                  "referral_date": "2025-04-0" + str(n + 2), "referral_source": "school",
                                  "high_risk": n == 0, "start_date": "2025-04-10"})
        store.save("contacts", {"participant_id": person, "intervention_id": intervention,
                                "date": "2025-05-1" + str(n), "minutes": 45, "mode": "one-to-one"})
    store.save("spend", {"intervention_id": intervention, "period": "2025-26-Q1",
                         "funding_source": "grant", "amount": "1250.00"})
