"""Asking the notifications service about a notification this service has not heard of yet.

A board may post its decision a moment after its notification, before ``notification.received``
has reached us; refusing it would be wrong. So, before refusing, we ask over HTTP with the
caller's own token: the notifications service then applies the same board scoping it always does
(another board's notification is 404 there too), and we learn nothing the caller may not see.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.errors import Unavailable

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT_SECONDS = 5.0


class RemoteNotification(BaseModel):
    """The part of the notifications service's answer a case is opened from."""

    model_config = ConfigDict(extra="ignore")

    id: str
    reference: str
    lscb_id: str
    notified_on: dt.date


NotificationLookup = Callable[[str], Awaitable[RemoteNotification | None]]


def http_lookup(base_url: str, authorization: str) -> NotificationLookup:
    """A lookup that asks ``base_url`` on behalf of the caller whose header is given."""

    async def lookup(notification_id: str) -> RemoteNotification | None:
        # Quoted whole: an id such as "../lscbs" must not reach another route.
        url = f"{base_url.rstrip('/')}/v1/notifications/{quote(notification_id, safe='')}"
        try:
            async with httpx.AsyncClient(timeout=LOOKUP_TIMEOUT_SECONDS) as client:
                response = await client.get(url, headers={"Authorization": authorization})
        except httpx.HTTPError as exc:
            log.warning("notification look-up failed: %r", exc)
            raise Unavailable(
                "the notifications service did not answer, so this notification could not be "
                "confirmed; retry shortly"
            ) from exc
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        if response.status_code != httpx.codes.OK:
            log.warning("notification look-up answered %s", response.status_code)
            raise Unavailable(
                f"the notifications service answered {response.status_code}; retry shortly"
            )
        try:
            return RemoteNotification.model_validate_json(response.content)
        except ValidationError as exc:
            raise Unavailable("the notifications service gave an answer we cannot read") from exc

    return lookup
