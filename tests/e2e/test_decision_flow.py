"""A challenged decision flows by itself, through events, to the follow-up, to the statistics and,
once the board initiates an SCR, to the publication service. Every service is its own process."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.e2e.flows import HARTLEPOOL, YEAR, bearer, notify
from tests.support.processes import ProcessStack

SETTLE_SECONDS = 20


async def _summary(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(f"{url}/v1/stats/summary", params=YEAR, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _until(check: Any, timeout: float = SETTLE_SECONDS) -> float:
    """Poll ``check()`` (an awaitable bool) until true; the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not await check():
        assert loop.time() - started < timeout, f"not reached within {timeout}s"
        await asyncio.sleep(0.1)
    return loop.time() - started


async def test_a_challenged_decision_reaches_follow_up_statistics_and_publication(
    stack: ProcessStack,
) -> None:
    notifications, decisions, analytics, publication = stack.start(
        "notifications", "decisions", "analytics", "publication"
    )
    await stack.wait_healthy()
    board = bearer(stack.platform, "lscb", HARTLEPOOL)
    panel = bearer(stack.platform, "panel")
    async with httpx.AsyncClient(timeout=10) as client:
        notified = await notify(client, notifications.url, stack.platform)
        assert notified.status_code == 201, notified.text
        decided = await client.post(
            f"{decisions.url}/v1/decisions",
            json={
                "notification_id": notified.json()["id"],
                "decision": "not_initiate",
                "decided_on": "2014-03-14",
                "reasons": ["other_review_preferred"],
                "alternative_review_type": "single_agency_review",
                "rationale": "A single agency review will do.",
            },
            headers=board,
        )
        assert decided.status_code == 201, decided.text
        decision_id = decided.json()["id"]

        challenged = await client.post(
            f"{decisions.url}/v1/decisions/{decision_id}/considerations",
            json={
                "considered_on": "2014-03-24",
                "outcome": "challenge",
                "rationale": "The criteria for an SCR appear to be met.",
                "response_due_on": "2014-04-07",
            },
            headers=panel,
        )
        assert challenged.status_code == 201, challenged.text
        follow_up = challenged.json()["follow_up"]
        assert follow_up["due_on"] == "2014-04-07"

        listed = await client.get(f"{decisions.url}/v1/follow-ups", headers=board)
        assert [f["id"] for f in listed.json()["items"]] == [follow_up["id"]]

        async def counted_as_challenged() -> bool:
            figures = await _summary(client, analytics.url, panel)
            return bool(
                figures["non_initiation_decisions_considered"] == 1
                and figures["challenged_or_queried"] == 1
                and figures["awaiting_further_information"] == 1
            )

        challenged_after = await _until(counted_as_challenged)

        answered = await client.post(
            f"{decisions.url}/v1/decisions/{decision_id}/responses",
            json={"responded_on": "2014-04-02", "action": "initiate_scr"},
            headers=board,
        )
        assert answered.status_code == 201, answered.text
        assert answered.json()["state"] == "scr_initiated_after_advice"

        async def counted_after_advice() -> bool:
            figures = await _summary(client, analytics.url, panel)
            return bool(
                figures["scr_initiated_after_advice"] == 1
                and figures["awaiting_further_information"] == 0
                and figures["challenged_or_queried"] == 1
            )

        async def publication_knows_the_scr() -> bool:
            response = await client.get(f"{publication.url}/v1/scrs", headers=board)
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            return bool(
                items
                and items[0]["decision_id"] == decision_id
                and items[0]["after_advice"] is True
                and items[0]["initiated_on"] == "2014-04-02"
            )

        advice_after = await _until(counted_after_advice)
        await _until(publication_knows_the_scr)
        # The follow-up closed with the answer: nothing is left open for this board.
        listed = await client.get(f"{decisions.url}/v1/follow-ups", headers=board)
        assert listed.json()["items"] == []
    print(f"challenge counted after {challenged_after:.2f}s, SCR after {advice_after:.2f}s")
