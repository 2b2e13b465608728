"""Webhook delivery, by the Standard Webhooks specification (docs: EVENTS.md, "Webhooks").

Each request carries ``webhook-id`` (the delivery's message id, the same on every attempt),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256
of ``id.timestamp.body``, keyed by the base64-decoded part of the ``whsec_`` secret. The body is
thin: the alert's ids, type, date and links, never personal data.

The worker (one per replica) takes due deliveries with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL;
SQLite is one process) and leases them by moving ``next_attempt_at`` past the attempt, then
commits before it calls anyone: no transaction stays open across the network, two replicas never
send one delivery at once, and a delivery whose sender died falls due again when its lease ends.
Pending deliveries are rows, so a restart loses none.

Only a 2xx answer delivers. 410 disables the subscription (nothing more is sent to it); 429 and
503 are retried after their ``retry-after`` if they give one; any other answer or error is retried
after the next pause of ``webhook_retry_seconds`` with +/-20% jitter, and given up (``failed``)
after the last. Every attempt is recorded.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
import email.utils
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
from dataclasses import dataclass
from typing import cast

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.analytics.alerts import CANCELLED, FAILED, PENDING, SUCCEEDED
from services.analytics.models import Alert, Delivery, DeliveryAttempt, Subscription
from shared.config import AnalyticsSettings
from shared.db import utcnow
from shared.service_app import Runtime

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
SECRET_BYTES = (24, 64)  # the key's length range, in bytes
BATCH = 20  # deliveries sent at once by one worker
LEASE_MARGIN_SECONDS = 30.0
LONGEST_RETRY_AFTER_SECONDS = 86_400.0  # a receiver may not park a delivery for longer
JITTER = 0.2
USER_AGENT = "scr-panel-webhooks/1.0"


# --- signing --------------------------------------------------------------------------------------


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret; ValueError if it is not one (24-64 bytes, base64)."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"must start with {SECRET_PREFIX}")
    try:
        encoded = secret.removeprefix(SECRET_PREFIX)
        # Padding is optional, as the reference implementations read it.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"must be {SECRET_PREFIX} followed by base64") from exc
    low, high = SECRET_BYTES
    if not low <= len(key) <= high:
        raise ValueError(f"the base64 part must decode to {low} to {high} bytes, not {len(key)}")
    return key


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for one request."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


# --- the payload ----------------------------------------------------------------------------------


def links(settings: AnalyticsSettings, alert: Alert) -> dict[str, str]:
    """Absolute links: the alert in the pull feed, and the API resource it is about."""
    bases = {
        "analytics": settings.public_url,
        "notifications": settings.notifications_public_url,
        "decisions": settings.decisions_public_url,
        "publication": settings.publication_public_url,
    }
    return {
        "alert": f"{settings.public_url.rstrip('/')}/v1/alerts/{alert.id}",
        "resource": f"{bases[alert.resource_service].rstrip('/')}{alert.resource_path}",
    }


def payload(settings: AnalyticsSettings, alert: Alert) -> bytes:
    """The body sent: the same bytes on every attempt (the alert's row does not change)."""
    raised_at = alert.raised_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    body = {
        "type": alert.type,
        "timestamp": raised_at,
        "data": {
            "id": alert.id,
            "type": alert.type,
            "lscb_id": alert.lscb_id,
            "case_id": alert.case_id,
            "raised_on": alert.raised_on.isoformat(),
            "raised_at": raised_at,
            "links": links(settings, alert),
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


# --- one attempt ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A leased delivery and what sending it needs."""

    delivery_id: str
    message_id: str
    subscription_id: str
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int
    retry_after: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def retry_after(response: httpx.Response) -> float | None:
    """``retry-after`` of a 429 or 503, in seconds (delta or HTTP date), capped; else None."""
    if response.status_code not in (429, 503):
        return None
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - utcnow()).total_seconds()
    return min(max(seconds, 0.0), LONGEST_RETRY_AFTER_SECONDS)


async def send(client: httpx.AsyncClient, job: Job) -> Outcome:
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": job.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(job.secret, job.message_id, timestamp, job.body),
    }
    started = time.monotonic()
    try:
        # Streamed and closed unread: only the status and headers matter, whatever the size.
        async with client.stream("POST", job.url, content=job.body, headers=headers) as response:
            status_code, pause = response.status_code, retry_after(response)
    except httpx.HTTPError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:1000], elapsed)
    elapsed = int((time.monotonic() - started) * 1000)
    return Outcome(status_code, None, elapsed, pause)


def next_pause(schedule: list[float], attempts_in_round: int) -> float | None:
    """The pause after the ``attempts_in_round``-th failed attempt, jittered; None: give up."""
    if attempts_in_round > len(schedule):
        return None
    pause = schedule[attempts_in_round - 1]
    return pause * random.uniform(1 - JITTER, 1 + JITTER)


async def record(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: AnalyticsSettings,
    job: Job,
    outcome: Outcome,
    attempted_at: dt.datetime,
) -> None:
    """Record the attempt and what follows from it; after a 410, disable the subscription.

    Two transactions, so that locks are always taken subscription first, then its deliveries
    (as disabling and redelivering by hand take them): this one locks the delivery alone."""
    async with sessionmaker() as session, session.begin():
        session.add(
            DeliveryAttempt(
                delivery_id=job.delivery_id,
                attempted_at=attempted_at,
                duration_ms=outcome.duration_ms,
                status_code=outcome.status_code,
                error=outcome.error,
            )
        )
        delivery = await session.get(
            Delivery, job.delivery_id, with_for_update=True, populate_existing=True
        )
        if delivery is None or delivery.status != PENDING:
            return  # cancelled meanwhile (the subscription was disabled): only the log changes
        delivery.attempts += 1
        delivery.round_attempts += 1
        now = utcnow()
        pause = None
        if not (outcome.delivered or outcome.gone):
            pause = outcome.retry_after
            if pause is None:
                pause = next_pause(settings.webhook_retry_seconds, delivery.round_attempts)
        if pause is None:
            delivery.status = SUCCEEDED if outcome.delivered else FAILED
            delivery.finished_at, delivery.next_attempt_at = now, None
        else:
            delivery.next_attempt_at = now + dt.timedelta(seconds=pause)
    if outcome.gone:
        # Should this step be lost (a crash just now), the endpoint's next delivery is answered
        # 410 again and disables it then.
        async with sessionmaker() as session, session.begin():
            await disable(session, job.subscription_id, "the endpoint answered 410 Gone", now)


async def disable(
    session: AsyncSession, subscription_id: str, reason: str, now: dt.datetime
) -> None:
    """Disable a subscription and cancel what it still had to receive (in the caller's
    transaction): nothing more is sent to it."""
    subscription = await session.get(
        Subscription, subscription_id, with_for_update=True, populate_existing=True
    )
    if subscription is not None and subscription.active:
        subscription.active = False
        subscription.disabled_at = now
        subscription.disabled_reason = reason
    await session.execute(
        update(Delivery)
        .where(Delivery.subscription_id == subscription_id, Delivery.status == PENDING)
        .values(status=CANCELLED, finished_at=now, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )


# --- the worker -----------------------------------------------------------------------------------


async def lease_due(
    sessionmaker: async_sessionmaker[AsyncSession], settings: AnalyticsSettings
) -> list[Job]:
    """Take up to ``BATCH`` due deliveries: lease them, commit, and say what to send."""
    now = utcnow()
    lease = dt.timedelta(seconds=settings.webhook_timeout_seconds + LEASE_MARGIN_SECONDS)
    async with sessionmaker() as session, session.begin():
        due = (
            await session.scalars(
                select(Delivery)
                .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not due:
            return []
        subscriptions = {
            s.id: s
            for s in await session.scalars(
                select(Subscription).where(Subscription.id.in_({d.subscription_id for d in due}))
            )
        }
        alerts = {
            a.id: a
            for a in await session.scalars(
                select(Alert).where(Alert.id.in_({d.alert_id for d in due}))
            )
        }
        jobs: list[Job] = []
        for delivery in due:
            subscription = subscriptions.get(delivery.subscription_id)
            alert = alerts.get(delivery.alert_id)
            if subscription is None or alert is None or not subscription.active:
                delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                    CANCELLED,
                    now,
                    None,
                )
                continue
            delivery.next_attempt_at = now + lease
            jobs.append(
                Job(
                    delivery.id,
                    delivery.message_id,
                    subscription.id,
                    subscription.url,
                    subscription.secret,
                    payload(settings, alert),
                )
            )
    return jobs


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: AnalyticsSettings,
    client: httpx.AsyncClient,
) -> int:
    """Send what is due, at once, and record each attempt; how many were attempted."""
    jobs = await lease_due(sessionmaker, settings)

    async def attempt(job: Job) -> None:
        attempted_at = utcnow()
        outcome = await send(client, job)
        await record(sessionmaker, settings, job, outcome, attempted_at)

    await asyncio.gather(*(attempt(job) for job in jobs))
    return len(jobs)


async def run_delivery_worker(runtime: Runtime) -> None:
    """Send due deliveries until the service stops; a failing round is logged and retried."""
    settings = cast(AnalyticsSettings, runtime.settings)
    timeout = httpx.Timeout(settings.webhook_timeout_seconds)
    # Redirects are not followed: a receiver that moved answers 3xx, which is not delivery.
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        while not runtime.stopping.is_set():
            attempted = 0
            try:
                attempted = await deliver_due(runtime.sessionmaker, settings, client)
            except Exception:
                log.exception("webhook delivery round failed")
            if attempted >= BATCH:
                continue  # more may be due
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(settings.webhook_poll_seconds):
                    await runtime.stopping.wait()
