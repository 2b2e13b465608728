"""A year of events for the dashboard and annual-report tests, with figures known in advance.

The events are the other services' contracts, applied through the analytics handlers each in a
transaction of its own (as the consumer applies them; the pattern of test_analytics_publication).
:data:`EXPECTED` is what the summary must say for :data:`YEAR`; the tests also read the summary
from the API, so the report is checked against both.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from services.analytics.consumers import READ_MODEL_HANDLERS
from shared.events.contracts import (
    ConsiderationRecordedV1,
    DecisionRecordedV1,
    LscbResponseRecordedV1,
    NonPublicationConsideredV1,
    NonPublicationNotifiedV1,
    NonPublicationRespondedV1,
    QualityReviewRecordedV1,
    RecommendationFacts,
    ReportReceivedV1,
)
from shared.events.envelope import EventData
from shared.events.vocab import (
    AddresseeKind,
    CaseState,
    ConsiderationOutcome,
    InitiationDecision,
    NonInitiationReason,
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationProposal,
    NonPublicationReason,
    NonPublicationState,
    QualityFeature,
    QualityProblem,
    RecommendationLevel,
    ResponseAction,
    Sector,
    WorkingTogether,
)
from tests.support.events import apply_through

YEAR = (dt.date(2014, 6, 1), dt.date(2015, 5, 31))
BOARD = "E06000001"
DAY = dt.timedelta(days=1)

# The figures of YEAR the events below make (the summary's names).
EXPECTED = {
    "scr_initiation_decisions": 14,
    "non_initiation_decisions_considered": 12,
    "agreed_without_challenge": 7,
    "agreed_without_challenge_pct": 58.3,
    "challenged_or_queried": 5,
    "scr_initiated_after_advice": 2,
    "accepted_after_further_information": 2,
    "awaiting_further_information": 1,
    "reports_received_before_publication": 9,
    "reports_short_notice": 1,
    "non_publication_cases_considered": 2,
    "non_publication_accepted": 1,
    "non_publication_since_published": 1,
    "completed_scrs": 11,
    "publication_rate_pct": 90.9,
}

_ids = itertools.count(1)


def _day(offset: int) -> dt.date:
    return YEAR[0] + offset * DAY


def _decision(n: int, decision: InitiationDecision, on: dt.date) -> DecisionRecordedV1:
    reasons = (
        ()
        if decision is InitiationDecision.INITIATE
        else (
            (NonInitiationReason.HARM_NOT_SERIOUS,)
            if n % 3
            else (NonInitiationReason.NO_INTER_AGENCY_CONCERN, NonInitiationReason.OTHER)
        )
    )
    return DecisionRecordedV1(
        decision_id=f"d-{n}",
        case_id=f"c-{n}",
        lscb_id=BOARD,
        notification_id=f"c-{n}",
        reference=f"SIN-2014-{n:05d}",
        decision=decision,
        decided_on=on,
        reasons=reasons,
        other_reason="Another reason given by the board."
        if reasons[-1:] == (NonInitiationReason.OTHER,)
        else None,
        state=CaseState.SCR_INITIATED
        if decision is InitiationDecision.INITIATE
        else CaseState.AWAITING_PANEL,
    )


def _considered(
    n: int, on: dt.date, outcome: ConsiderationOutcome, first: bool, state: CaseState
) -> ConsiderationRecordedV1:
    return ConsiderationRecordedV1(
        decision_id=f"d-{n}",
        case_id=f"c-{n}",
        lscb_id=BOARD,
        consideration_id=f"k-{next(_ids)}",
        considered_on=on,
        outcome=outcome,
        first_consideration=first,
        statutory_breach=False,
        state=state,
    )


def _responded(n: int, on: dt.date, action: ResponseAction, state: CaseState) -> EventData:
    return LscbResponseRecordedV1(
        decision_id=f"d-{n}",
        case_id=f"c-{n}",
        lscb_id=BOARD,
        response_id=f"r-{next(_ids)}",
        follow_up_id=f"f-{n}",
        responded_on=on,
        action=action,
        state=state,
    )


def decision_events() -> list[EventData]:
    agree, challenge = ConsiderationOutcome.AGREE, ConsiderationOutcome.CHALLENGE
    events: list[EventData] = []
    for n in range(14):
        events.append(_decision(n, InitiationDecision.INITIATE, _day(10 + 20 * n)))
    for n in range(100, 112):
        decided = _day(5 + 20 * (n - 100))
        events.append(_decision(n, InitiationDecision.NOT_INITIATE, decided))
        k = n - 100
        if k < 7:  # agreed at once
            events.append(
                _considered(n, decided + 5 * DAY, agree, True, CaseState.AGREED_WITHOUT_CHALLENGE)
            )
            continue
        events.append(_considered(n, decided + 5 * DAY, challenge, True, CaseState.AWAITING_LSCB))
        if k in (7, 8):  # an SCR after the panel's advice
            events.append(
                _responded(
                    n,
                    decided + 9 * DAY,
                    ResponseAction.INITIATE_SCR,
                    CaseState.SCR_INITIATED_AFTER_ADVICE,
                )
            )
        elif k in (9, 10):  # accepted after further information
            events.append(
                _responded(
                    n,
                    decided + 9 * DAY,
                    ResponseAction.PROVIDE_INFORMATION,
                    CaseState.AWAITING_PANEL,
                )
            )
            events.append(
                _considered(
                    n,
                    decided + 12 * DAY,
                    agree,
                    False,
                    CaseState.ACCEPTED_AFTER_FURTHER_INFORMATION,
                )
            )
        # k == 11: still awaiting the board
    return events


def publication_events() -> list[EventData]:
    events: list[EventData] = []
    features = list(QualityFeature)
    for n in range(9):
        on = _day(15 + 35 * n)
        short = n == 0
        wt = WorkingTogether.BEFORE_2013 if n < 4 else WorkingTogether.UNDER_2013
        recs = tuple(
            RecommendationFacts(
                recommendation_id=f"rec-{n}-{i}",
                level=RecommendationLevel.LOCAL,
                sector=Sector.HEALTH,
                addressee_kind=AddresseeKind.ORGANISATION,
                names_addressee=i == 0,
                due_on=on + 90 * DAY,
            )
            for i in range(2 if n % 2 else 1)
        )
        events.append(
            ReportReceivedV1(
                scr_id=f"s-{n}",
                case_id=f"s-{n}",
                lscb_id=BOARD,
                report_id=f"rep-{n}",
                submitted_on=on,
                planned_publication_on=on + (3 if short else 30) * DAY,
                short_notice=short,
                notice_days=3 if short else 30,
                initiated_on=on - 300 * DAY,
                working_together=wt,
                recommendations=recs,
            )
        )
        if n < 6:
            events.append(
                QualityReviewRecordedV1(
                    scr_id=f"s-{n}",
                    case_id=f"s-{n}",
                    lscb_id=BOARD,
                    review_id=f"q-{n}",
                    report_id=f"rep-{n}",
                    reviewed_on=on + 10 * DAY,
                    working_together=wt,
                    scores={f: 1 + (n + i) % 4 for i, f in enumerate(features)},
                    problems=(QualityProblem.LISTS_WITHOUT_ASKING_WHY,) if n % 2 else (),
                )
            )
    for n, publish in ((20, False), (21, True)):
        common = {"scr_id": f"s-{n}", "case_id": f"s-{n}", "lscb_id": BOARD, "notice_id": f"n-{n}"}
        notified = _day(40 + 100 * (n - 20))
        events.append(
            NonPublicationNotifiedV1(
                **common,
                state=NonPublicationState.AWAITING_PANEL,
                seq=1,
                notified_on=notified,
                reasons=(NonPublicationReason.CRIMINAL_PROCEEDINGS,),
                proposal=NonPublicationProposal.DELAY,
                initiated_on=notified - 300 * DAY,
            )
        )
        events.append(
            NonPublicationConsideredV1(
                **common,
                state=NonPublicationState.ACCEPTED,
                seq=2,
                consideration_id=f"nk-{n}",
                considered_on=notified + 7 * DAY,
                outcome=NonPublicationOutcome.ACCEPT,
                first_consideration=True,
            )
        )
        if publish:
            events.append(
                NonPublicationRespondedV1(
                    **common,
                    state=NonPublicationState.PUBLISHED,
                    seq=3,
                    response_id=f"nr-{n}",
                    responded_on=notified + 60 * DAY,
                    action=NonPublicationAction.PUBLISH,
                    published_on=notified + 60 * DAY,
                    url="https://example.org/report",
                )
            )
    return events


def year_events() -> list[EventData]:
    return decision_events() + publication_events()


async def apply(database_url: str, events: Iterable[EventData]) -> None:
    """Each event through its analytics projection, in a transaction of its own."""
    await apply_through(READ_MODEL_HANDLERS, database_url, events)
