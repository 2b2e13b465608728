"""HTTP routes of alerts, the pull feed and webhook subscriptions: thin, the use cases live in
``alert_feed.py``, ``lscb_silent.py`` and ``subscriptions.py``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.analytics import alert_feed, subscriptions
from services.analytics.alert_schemas import (
    AlertFeed,
    AlertRead,
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
)
from services.analytics.lscb_silent import check_now
from shared.auth import Principal, require_roles
from shared.calendar import today
from shared.config import AnalyticsSettings
from shared.errors import COMMON_PROBLEMS, problem_responses
from shared.events.vocab import AlertType, Role
from shared.idempotency import IdempotencyKeyHeader, IdempotencyRequest
from shared.queries import PageLimit, PageOffset
from shared.schemas import Page
from shared.service_app import get_session

router = APIRouter(prefix="/v1", responses=COMMON_PROBLEMS)
Session = Annotated[AsyncSession, Depends(get_session)]
# Everyone reads alerts; a board reads its own board's only.
AlertReader = Annotated[
    Principal,
    Depends(require_roles(Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN, Role.LSCB)),
]
# Who may subscribe: the overseers, the panel and operators, and a board (its own alerts only).
Subscriber = Annotated[
    Principal,
    Depends(require_roles(Role.OFSTED, Role.DFE, Role.LSCB, Role.PANEL, Role.ADMIN)),
]
PanelOrAdmin = Annotated[Principal, Depends(require_roles(Role.PANEL, Role.ADMIN))]


def _settings(request: Request) -> AnalyticsSettings:
    settings = request.app.state.settings
    assert isinstance(settings, AnalyticsSettings)
    return settings


# --- alerts -------------------------------------------------------------------------------------


@router.get("/alerts", tags=["alerts"], summary="The pull feed of alerts, oldest first")
async def list_alerts(
    request: Request,
    session: Session,
    principal: AlertReader,
    since: Annotated[
        str | None,
        Query(
            max_length=64,
            description="The `next_since` of the previous call (a cursor), or a timestamp "
            "with its offset: only alerts raised after it.",
        ),
    ] = None,
    type: Annotated[AlertType | None, Query(description="Only alerts of this type.")] = None,
    lscb_id: Annotated[str | None, Query(max_length=20)] = None,
    limit: PageLimit = 100,
) -> AlertFeed:
    return await alert_feed.feed(
        session, _settings(request), principal, since, type, lscb_id, limit
    )


@router.get("/alerts/{alert_id}", tags=["alerts"], responses=problem_responses(404))
async def get_alert(
    alert_id: str, request: Request, session: Session, principal: AlertReader
) -> AlertRead:
    return await alert_feed.get_alert(session, _settings(request), principal, alert_id)


@router.post(
    "/alerts/lscb-silent-check",
    tags=["alerts"],
    summary="Check now for boards silent for twelve months; answers the alerts it raised",
)
async def check_silent_now(request: Request, session: Session, _: PanelOrAdmin) -> list[AlertRead]:
    raised = await check_now(session, today())
    settings = _settings(request)
    return [alert_feed.alert_read(settings, alert) for alert in raised]


# --- subscriptions ------------------------------------------------------------------------------


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    tags=["subscriptions"],
    summary="Subscribe a webhook to alerts; the answer shows the signing secret, once",
)
async def create_subscription(
    body: SubscriptionCreate,
    request: Request,
    session: Session,
    principal: Subscriber,
    idempotency_key: IdempotencyKeyHeader = None,
) -> SubscriptionCreated:
    idem = IdempotencyRequest.from_request(idempotency_key, request, principal, body)
    return await subscriptions.create(session, principal, body, idem)


@router.get("/subscriptions", tags=["subscriptions"], summary="The caller's subscriptions")
async def list_subscriptions(
    session: Session, principal: Subscriber, limit: PageLimit = 50, offset: PageOffset = 0
) -> Page[SubscriptionRead]:
    return await subscriptions.list_subscriptions(session, principal, limit, offset)


@router.get(
    "/subscriptions/{subscription_id}", tags=["subscriptions"], responses=problem_responses(404)
)
async def get_subscription(
    subscription_id: str, session: Session, principal: Subscriber
) -> SubscriptionRead:
    return await subscriptions.get_subscription(session, principal, subscription_id)


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["subscriptions"],
    summary="Disable a subscription: nothing more is sent; its delivery log stays",
    responses=problem_responses(404),
)
async def delete_subscription(
    subscription_id: str, session: Session, principal: Subscriber
) -> Response:
    await subscriptions.disable_subscription(session, principal, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    tags=["subscriptions"],
    summary="The delivery log: every delivery, the newest first, with every attempt",
    responses=problem_responses(404),
)
async def list_deliveries(
    subscription_id: str,
    session: Session,
    principal: Subscriber,
    limit: PageLimit = 50,
    offset: PageOffset = 0,
) -> Page[DeliveryRead]:
    return await subscriptions.list_deliveries(session, principal, subscription_id, limit, offset)


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["subscriptions"],
    summary="Send a delivery again, now, with a fresh retry schedule",
    responses=problem_responses(404, 409),
)
async def redeliver(
    subscription_id: str, delivery_id: str, session: Session, principal: Subscriber
) -> DeliveryRead:
    return await subscriptions.redeliver(session, principal, subscription_id, delivery_id)
