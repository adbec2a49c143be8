"""Reference data from SPEC section 2: spokes and taxonomies.

Taxonomies are stored as slugs and shown as labels; each is an ordered mapping
slug -> label so select lists and breakdowns keep the same order everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spoke:
    code: str
    name: str
    ons_code: str


SPOKES: dict[str, Spoke] = {
    s.code: s
    for s in (
        Spoke("bristol", "Bristol", "E06000023"),
        Spoke("banes", "Bath and North East Somerset", "E06000022"),
        Spoke("north-somerset", "North Somerset", "E06000024"),
        Spoke("south-glos", "South Gloucestershire", "E06000025"),
        Spoke("somerset", "Somerset", "E06000066"),
    )
}

# The Youth Endowment Fund Toolkit version the approach labels come from.
APPROACH_TOOLKIT_VERSION = "YEF Toolkit 2024"

APPROACH: dict[str, str] = {
    "a-and-e-navigators": "A and E navigators",
    "adventure-wilderness-therapy": "Adventure and wilderness therapy",
    "after-school-programmes": "After school programmes",
    "anti-bullying-programmes": "Anti-bullying programmes",
    "bystander-interventions": "Bystander interventions to prevent sexual assault",
    "boot-camps": "Boot camps",
    "cctv": "CCTV",
    "cbt": "Cognitive behavioural therapy",
    "focused-deterrence": "Focused deterrence",
    "formal-pre-court-diversion": "Formal pre-court diversion",
    "functional-family-therapy": "Functional family therapy",
    "hot-spots-policing": "Hot spots policing",
    "school-exclusion-prevention": "Interventions to prevent school exclusion",
    "knife-crime-education": "Knife crime education programmes",
    "mentoring": "Mentoring",
    "multi-systemic-therapy": "Multi-systemic therapy",
    "parenting-programmes": "Parenting programmes",
    "police-in-schools": "Police in schools",
    "prison-awareness": "Prison awareness programmes",
    "relationship-violence-prevention": "Relationship violence prevention lessons and activities",
    "restorative-justice": "Restorative justice",
    "social-skills-training": "Social skills training",
    "sports-programmes": "Sports programmes",
    "trauma-informed-training": "Trauma-informed training and service redesign",
    "trauma-specific-therapies": "Trauma-specific therapies",
    "other": "Other (not in the Toolkit)",
}

PREVENTION_LEVEL: dict[str, str] = {
    "primary": "Primary",
    "secondary": "Secondary",
    "tertiary": "Tertiary",
}

SETTING: dict[str, str] = {
    "community": "Community",
    "school": "School",
    "home": "Home",
    "hospital": "Hospital (A&E and health)",
    "custody": "Custody",
    "online": "Online",
    "other": "Other",
}

REFERRAL_SOURCE: dict[str, str] = {
    "police": "Police",
    "school": "School",
    "youth-justice": "Youth justice",
    "health": "Health",
    "social-care": "Social care",
    "voluntary-sector": "Voluntary sector",
    "self-or-family": "Self or family",
    "other": "Other",
}

EXIT_REASON: dict[str, str] = {
    "completed": "Completed",
    "disengaged": "Disengaged",
    "declined": "Declined",
    "moved-away": "Moved away",
    "transferred": "Transferred",
    "custody": "Custody",
    "other": "Other",
}

SEX: dict[str, str] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "not-known": "Not known",
}

ETHNICITY: dict[str, str] = {
    "asian": "Asian",
    "black": "Black",
    "mixed": "Mixed",
    "white": "White",
    "other": "Other",
    "not-stated": "Not stated",
}

CONTACT_MODE: dict[str, str] = {
    "one-to-one": "One to one",
    "group": "Group",
    "remote": "Remote",
    "outreach": "Outreach",
}

FUNDING_SOURCE: dict[str, str] = {
    "grant": "VRP grant",
    "match": "Match",
}

AGE_BAND: dict[str, str] = {
    "0-9": "0-9",
    "10-14": "10-14",
    "15-17": "15-17",
    "18-24": "18-24",
    "25+": "25+",
    "unknown": "Unknown",
}

ATTENDANCE: dict[str, str] = {
    "attended": "Attended",
    "did-not-attend": "Did not attend",  # offered; the young person did not come
    "cancelled": "Cancelled",  # not offered: the provider cancelled
}


@dataclass(frozen=True)
class Instrument:
    """An outcome measure: only its total score is recorded, never the items (SPEC section 2)."""

    slug: str
    label: str
    lowest: int  # in tenths of a point, as scores are stored
    highest: int
    step: int  # tenths: 10 for whole scores, 1 for one decimal
    higher_is_better: bool

    def allows(self, tenths: int) -> bool:
        return self.lowest <= tenths <= self.highest and tenths % self.step == 0

    @property
    def range_text(self) -> str:
        whole = self.step == 10
        fmt = (lambda v: str(v // 10)) if whole else (lambda v: f"{v // 10}.{v % 10}")
        return (f"{fmt(self.lowest)} to {fmt(self.highest)}, {'whole numbers' if whole else 'one decimal'}, "
                f"{'higher' if self.higher_is_better else 'lower'} is better")


INSTRUMENTS: dict[str, Instrument] = {
    i.slug: i
    for i in (
        Instrument("sdq-total", "SDQ total difficulties", 0, 400, 10, False),
        Instrument("swemwbs", "Short Warwick-Edinburgh Mental Wellbeing Scale (raw)", 70, 350, 10, True),
        Instrument("wemwbs", "Warwick-Edinburgh Mental Wellbeing Scale", 140, 700, 10, True),
        Instrument("ors", "Outcome Rating Scale", 0, 400, 1, True),
        Instrument("goal-based", "Goal-based outcome (progress towards the young person's goal)", 0, 100, 10, True),
    )
}
INSTRUMENT: dict[str, str] = {slug: i.label for slug, i in INSTRUMENTS.items()}

TAXONOMIES: dict[str, dict[str, str]] = {
    "approach": APPROACH,
    "prevention_level": PREVENTION_LEVEL,
    "setting": SETTING,
    "referral_source": REFERRAL_SOURCE,
    "exit_reason": EXIT_REASON,
    "sex": SEX,
    "ethnicity": ETHNICITY,
    "mode": CONTACT_MODE,
    "funding_source": FUNDING_SOURCE,
    "age_band": AGE_BAND,
    "attendance": ATTENDANCE,
    "instrument": INSTRUMENT,
}


def age_band(age: int | None) -> str:
    """The age band of an age in whole years (None: no date of birth)."""
    if age is None:
        return "unknown"
    if age < 10:
        return "0-9"
    if age < 15:
        return "10-14"
    if age < 18:
        return "15-17"
    if age < 25:
        return "18-24"
    return "25+"
