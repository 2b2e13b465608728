"""HTTP output of the analytics service. Figure names are the public contract (DOMAIN.md §5)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared.events.vocab import QualityFeature, QualityProblem, RecommendationStatus


class Period(BaseModel):
    """A closed period of business dates; the JSON keys are literally ``from`` and ``to``."""

    # ``from`` is a Python keyword, so the fields carry other names and the aliases are the keys.
    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")


class QualityRead(BaseModel):
    """The quality reviews of one side of the Working Together 2013 split."""

    reports_reviewed: int = Field(
        description="Quality reviews (one per report) with reviewed_on in the period."
    )
    mean_scores: dict[QualityFeature, float | None] = Field(
        description=(
            "For every feature of an effective SCR (para 28; all present): the mean score (1 to 4)"
            " of the reviews that scored it, to one decimal (halves rounded up); null when none"
            " did."
        )
    )
    problem_share_pct: dict[QualityProblem, float | None] = Field(
        description=(
            "For every key problem (para 27; all present): 100 * the reviews flagging it /"
            " reports_reviewed, to one decimal (halves rounded up); null when none were reviewed."
        )
    )


class QualityByWorkingTogether(BaseModel):
    """The quality of reports reviewed in the period, split by whether the SCR was initiated
    before or under Working Together 2013 (15 April 2013): para 25 compares the two."""

    before_working_together_2013: QualityRead = Field(
        description="Reviews of SCRs initiated before 15 April 2013."
    )
    under_working_together_2013: QualityRead = Field(
        description="Reviews of SCRs initiated on or after 15 April 2013."
    )


class RecommendationsRead(BaseModel):
    """The recommendations made in the period and where they stand at its end."""

    total: int = Field(
        description=(
            "Recommendations made in the period: of reports received (submitted_on) or of"
            " non-publication notices notified (notified_on) in it."
        )
    )
    by_status: dict[RecommendationStatus, int] = Field(
        description=(
            "Of those, how many are in each implementation status at `to` (all present): the"
            " status after the latest change dated on or before `to`, `proposed` before any."
        )
    )
    named_addressee_pct: float | None = Field(
        description=(
            "100 * those addressed to a specific, named organisation or person / total, to one"
            " decimal (halves rounded up); null when none were made."
        )
    )
    overdue: int = Field(
        description=(
            "Of those, the ones due before `to` and at `to` neither `implemented` nor"
            " `not_accepted`."
        )
    )


class SummaryRead(BaseModel):
    period: Period
    notifications_received: int = Field(
        description="Serious incident notifications with notified_on in the period."
    )
    notifications_late: int = Field(
        description="Of those, notified more than 5 working days after the authority knew."
    )
    lscbs_total: int = Field(
        description="Boards active at `to`: registered on or before it and not merged by then."
    )
    lscbs_silent_12_months: int = Field(
        description=(
            "Of the boards active at `to`, those with no notification in the twelve months up to"
            " `to`; a board merged by `to` notifies for the board it was merged into."
        )
    )
    lscbs_not_in_touch: int = Field(
        description=(
            "Of the boards active at `to`, those with no notification, decision, response,"
            " report or notice dated in the period (para 13); a board merged by `to` is in"
            " touch for the board it was merged into."
        )
    )
    lscbs_not_in_touch_pct: float | None = Field(
        description="100 * lscbs_not_in_touch / lscbs_total, one decimal; null with no boards."
    )
    scr_initiation_decisions: int = Field(
        description="Initiation decisions `initiate` with decided_on in the period."
    )
    non_initiation_decisions_considered: int = Field(
        description=(
            "Non-initiation decisions whose first panel consideration has considered_on in the"
            " period (a decision first considered before `from` is not counted)."
        )
    )
    agreed_without_challenge: int = Field(
        description="Of those, the ones whose first consideration was `agree`."
    )
    agreed_without_challenge_pct: float | None = Field(
        description=(
            "100 * agreed_without_challenge / non_initiation_decisions_considered, to one decimal"
            " (halves rounded up); null when none were considered."
        )
    )
    challenged_or_queried: int = Field(
        description=(
            "non_initiation_decisions_considered - agreed_without_challenge: those whose first"
            " consideration was `challenge` or `refer_back`."
        )
    )
    scr_initiated_after_advice: int = Field(
        description=(
            "Of the challenged or queried, those with an `initiate_scr` response dated on or"
            " before `to`."
        )
    )
    accepted_after_further_information: int = Field(
        description=(
            "Of the challenged or queried (and not counted above), those with a later `agree`"
            " consideration dated on or before `to`."
        )
    )
    awaiting_further_information: int = Field(
        description=(
            "Of the challenged or queried, the rest: still open at `to`. The three figures above"
            " add up to challenged_or_queried."
        )
    )
    referrals_back: int = Field(
        description="Panel considerations `refer_back` with considered_on in the period."
    )
    statutory_breaches_flagged: int = Field(
        description="Panel considerations with considered_on in the period that flagged a breach."
    )
    reports_received_before_publication: int = Field(
        description="Final SCR reports sent before publication, with submitted_on in the period."
    )
    reports_short_notice: int = Field(
        description="Of those, sent fewer than 7 days before their planned publication."
    )
    non_publication_cases_considered: int = Field(
        description=(
            "Non-publication notices whose first panel consideration has considered_on in the"
            " period (a notice first considered before `from` is not counted)."
        )
    )
    non_publication_accepted: int = Field(
        description=(
            "Of those, the ones `accepted` at `to` (the state after the notice's latest step dated"
            " on or before `to`; steps of one day in their order)."
        )
    )
    non_publication_being_reconsidered: int = Field(
        description=(
            "Of those, the ones awaiting the panel or the board again at `to`, after a challenge"
            " (`awaiting_panel` or `awaiting_lscb`)."
        )
    )
    non_publication_since_published: int = Field(
        description="Of those, the ones whose report was `published` by `to`."
    )
    completed_scrs: int = Field(
        description="reports_received_before_publication + non_publication_cases_considered."
    )
    publication_rate_pct: float | None = Field(
        description=(
            "100 * (reports_received_before_publication + non_publication_since_published) /"
            " completed_scrs, to one decimal (halves rounded up); null when none were completed."
        )
    )
    panel_considerations: int = Field(
        description=(
            "Every panel consideration record with considered_on in the period, first or later:"
            " of non-initiation decisions and of non-publication notices alike."
        )
    )
    panel_considerations_per_month: float | None = Field(
        description=(
            "panel_considerations / the calendar months in the period, to one decimal (halves"
            " rounded up). Each calendar month the period touches counts as the share of its days"
            " inside the period, so whole months count 1 each."
        )
    )
    non_initiation_reasons: dict[str, int] = Field(
        description=(
            "For every non-initiation reason code (all present, 0 when unused): the number of"
            " `not_initiate` decisions with decided_on in the period that gave it."
        )
    )
    alternative_review_types: dict[str, int] = Field(
        description=(
            "For each alternative review type cited by decisions with decided_on in the period:"
            " how many cited it, sorted by key. The key is the type's code; for `other` it is"
            " `other:` and the board's own words, lower-cased with whitespace collapsed."
        )
    )
    follow_ups_overdue: int = Field(
        description=(
            "Follow-ups open at `to` (opened on or before it, not closed on or before it) whose"
            " due date is before `to`."
        )
    )
    quality: QualityByWorkingTogether = Field(
        description=(
            "Quality reviews with reviewed_on in the period, split by Working Together 2013: each"
            " feature's mean score and the share of reports flagging each problem."
        )
    )
    recommendations: RecommendationsRead = Field(
        description=(
            "Recommendations made in the period: how many, by status at `to`, the share with a"
            " named addressee, and how many are overdue at `to`."
        )
    )


class MonthRead(BaseModel):
    """One calendar month of the series: what was dated in it (and in the period)."""

    month: str = Field(description="The calendar month, YYYY-MM.", examples=["2013-06"])
    notifications: int = Field(description="Notifications with notified_on in the month.")
    decisions: int = Field(description="Initiation decisions (either way) decided in the month.")
    considerations: int = Field(
        description="Panel considerations (of decisions and of notices) dated in the month."
    )
    reports: int = Field(description="Final reports received (submitted_on) in the month.")


class MonthlyRead(BaseModel):
    period: Period
    months: list[MonthRead] = Field(
        description=(
            "Every calendar month the period touches, in order, months with nothing included;"
            " the first and last count only the period's days."
        )
    )


class BoardRead(BaseModel):
    """One board's contact with the panel in the period, and whether it is silent."""

    lscb_id: str
    name: str
    notifications: int = Field(description="Notifications dated in the period.")
    decisions: int = Field(description="Initiation decisions dated in the period.")
    responses: int = Field(
        description="Responses to the panel dated in the period: to follow-ups and, for notices,"
        " the board's answers after a challenge."
    )
    reports: int = Field(description="Final reports received or confirmed published in it.")
    notices: int = Field(description="Decisions not to publish notified in the period.")
    last_notified_on: dt.date | None = Field(
        description="The board's latest notification on or before `to`, if any."
    )
    in_touch: bool = Field(description="Anything above dated in the period.")
    silent_12_months: bool = Field(description="No notification in the twelve months up to `to`.")


class BoardsRead(BaseModel):
    period: Period
    boards: list[BoardRead] = Field(
        description="Every board active at `to`, the least in touch first: no contact, then the"
        " longest silent, then by id. A merged board's activity counts for its successor."
    )
    not_in_touch: list[str] = Field(description="Ids of the boards not in touch, sorted.")
    silent_12_months: list[str] = Field(description="Ids of the silent boards, sorted.")
