"""A validation finding and the records it names; how the document counts those about young people.

Kept apart from ``validation.py`` (which makes the findings) so the checks stay
readable; ``validation`` re-exports everything here.
"""

from __future__ import annotations

from dataclasses import dataclass

PEOPLE_TABLES = ("participants", "enrolments", "contacts", "measurements")
RECORD_TABLES = ("interventions", *PEOPLE_TABLES, "spend", "budgets")


@dataclass(frozen=True)
class Finding:
    """One validation message and the records it names.

    ``table`` is the kind of record; ``ids`` the records (inside the spoke, for
    the app to open them) and ``names`` how each is named to the worker (a
    young person's ref, "CASE-A at MENT on 2025-05-02"). A finding about one
    record also has its ``id`` and ``ref``. ``public`` is the text return.json
    carries where ``text`` quotes what must not leave the spoke.
    """

    severity: str  # "error" | "warning"
    code: str
    text: str
    table: str
    id: int | None = None
    ref: str | None = None
    field: str | None = None
    ids: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    public: str | None = None

    def __post_init__(self) -> None:
        if self.id is not None and not self.ids:
            object.__setattr__(self, "ids", (self.id,))
        if self.ref is not None and not self.names and self.table in RECORD_TABLES:
            object.__setattr__(self, "names", (self.ref,))

    def listed(self, most: int = 10) -> str:
        """``names`` for a line of text: the first ``most``, then "and N more"."""
        shown = ", ".join(self.names[:most])
        more = len(self.names) - most
        return f"{shown} and {more} more" if more > 0 else shown


# code -> how the document counts findings about young people ({n}: how many).
COUNTED = {
    "enrolment-end-before-start": "Referrals that end before they start: {n}",
    "enrolment-start-before-referral": "Referrals that start before the referral date: {n}",
    "enrolment-future-date": "Referral dates in the future: {n}",
    "enrolment-exit-without-end": "Referrals with an exit reason but no end date: {n}",
    "enrolment-end-without-exit": "Referrals with an end date but no exit reason: {n}",
    "contact-not-held": "Sessions in the quarter outside every referral window: {n}",
    "contact-future-date": "Sessions dated in the future: {n}",
    "measurement-not-held": "Outcome measures up to the quarter's end outside every referral window: {n}",
    "measurement-out-of-range": "Outcome measures with a score outside the instrument's scale: {n}",
    "measurement-future-date": "Outcome measures dated in the future: {n}",
    "participant-future-dob": "Young people with a date of birth in the future: {n}",
    "participant-missing-sex": "Young people active in the quarter with no sex recorded: {n}",
    "participant-missing-ethnicity": "Young people active in the quarter with no ethnicity recorded: {n}",
}
