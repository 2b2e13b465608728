"""What a generated year holds: every count that matters, as inputs.

The defaults are the panel's first year, 1 June 2013 to 31 May 2014, from its first annual
report (July 2014): para 10 (184 SCRs initiated; 66 decisions not to initiate considered, 35
agreed without challenge, 5 SCRs after the panel's advice, 16 accepted after further
information, 10 awaiting it), para 9 (no statutory breach), para 11 and 22 (74 reports before
publication, 7 decisions not to publish: 5 accepted, 1 being reconsidered, 1 since published),
para 12 (about 12 cases a month, some referred back) and para 13 (49 boards, 34%, not in touch).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The registry starts with one board per upper-tier authority (152); some areas shared a board.
# Para 13's "49 LSCBs (34%)" implies 144 boards: 49/144 = 34.0%. The first six pairs were shared
# boards in 2013-14 (Cornwall and the Isles of Scilly; City and Hackney; Bournemouth and Poole;
# Leicestershire and Rutland; the Tri-borough board of Westminster, Kensington and Chelsea and
# Hammersmith and Fulham); the last two joined later and are brought forward to make up the count.
SHARED_BOARDS_2013: tuple[tuple[str, str], ...] = (
    ("E06000053", "E06000052"),  # Isles of Scilly -> Cornwall
    ("E09000001", "E09000012"),  # City of London -> Hackney
    ("E06000029", "E06000028"),  # Poole -> Bournemouth
    ("E06000017", "E10000018"),  # Rutland -> Leicestershire
    ("E09000013", "E09000033"),  # Hammersmith and Fulham -> Westminster (Tri-borough)
    ("E09000020", "E09000033"),  # Kensington and Chelsea -> Westminster (Tri-borough)
    ("E09000027", "E09000021"),  # Richmond upon Thames -> Kingston upon Thames
    ("E06000004", "E06000001"),  # Stockton-on-Tees -> Hartlepool
)
# The boards were shared from the start of the registry, before the panel's first year.
MERGED_ON = dt.date(2013, 4, 1)

# A year's steps reach at most this far past its end (publication, reviews, implementation).
TAIL_DAYS = 200


@dataclass(frozen=True)
class YearPlan:
    """How a year stands at its end. Every count is of steps dated in the year unless said."""

    date_from: dt.date = dt.date(2013, 6, 1)
    # Para 10: decisions.
    initiations: int = 184
    agreed_without_challenge: int = 35
    scr_after_advice: int = 5
    accepted_after_information: int = 16
    awaiting_information: int = 10
    # Decided not to initiate late in the year; first considered after it (on the agenda).
    on_agenda_at_end: int = 4
    # Para 12: about 12 a month, of decisions and of notices alike, first and later.
    panel_considerations: int = 144
    referrals_back: int = 12
    # Para 9: the panel has not had cause to alert DfE and Ofsted.
    statutory_breaches: int = 0
    late_notifications: int = 23
    # Paras 11 and 22: completed SCRs.
    reports: int = 74
    short_notice: int = 3
    notices_accepted: int = 5
    notices_being_reconsidered: int = 1
    notices_since_published: int = 1
    # Of the reports and notices: SCRs initiated in this year (the others before it).
    completions_initiated_in_year: int = 24
    # Of the reports: publication confirmed (in the year or after it), and quality reviews.
    reports_published: int = 66
    quality_reviews: int = 60
    # Para 13: boards with no notification, decision, response, report or notice in the year.
    boards_not_in_touch: int = 49
    merges: tuple[tuple[str, str], ...] = SHARED_BOARDS_2013
    # Cases wholly before or wholly after the year: they must not change its figures.
    noise_before: int = 24
    noise_after: int = 24
    # Of the noise, the share on boards not in touch during the year.
    noise_on_quiet_boards: float = 0.5

    @property
    def date_to(self) -> dt.date:
        """The day before the same date a year later."""
        try:
            return self.date_from.replace(year=self.date_from.year + 1) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            return dt.date(self.date_from.year + 1, 2, 28)

    @property
    def considered(self) -> int:
        return (
            self.agreed_without_challenge
            + self.scr_after_advice
            + self.accepted_after_information
            + self.awaiting_information
        )

    @property
    def challenged_or_queried(self) -> int:
        return self.considered - self.agreed_without_challenge

    @property
    def notices(self) -> int:
        return (
            self.notices_accepted + self.notices_being_reconsidered + self.notices_since_published
        )

    @property
    def completions(self) -> int:
        return self.reports + self.notices

    @property
    def extra_rounds(self) -> int:
        """Further rounds (information, then another challenge or referral) needed to reach
        ``panel_considerations``: each first consideration, each later agreement and each
        notice's first consideration is one already."""
        return self.panel_considerations - (
            self.considered + self.accepted_after_information + self.notices
        )

    @property
    def queries(self) -> int:
        """Challenges and referrals back dated in the year."""
        return self.challenged_or_queried + self.extra_rounds

    def check(self) -> None:
        """Refuse a plan no year can satisfy (ValueError naming the count)."""
        rules = {
            "panel_considerations": 0 <= self.extra_rounds <= 3 * self.challenged_or_queried,
            "referrals_back": 0 <= self.referrals_back <= self.queries,
            "statutory_breaches": 0 <= self.statutory_breaches <= self.queries,
            "short_notice": 0 <= self.short_notice <= self.reports,
            "completions_initiated_in_year": 0
            <= self.completions_initiated_in_year
            <= min(self.initiations, self.completions),
            "reports_published": 0 <= self.reports_published <= self.reports,
            "quality_reviews": 0 <= self.quality_reviews <= self.reports,
            "late_notifications": 0
            <= self.late_notifications
            <= self.initiations + self.considered + self.on_agenda_at_end,
            "boards_not_in_touch": self.boards_not_in_touch >= 0,
        }
        for name, ok in rules.items():
            if not ok:
                raise ValueError(f"YearPlan.{name} cannot be met by this plan")


FIRST_YEAR = YearPlan()
