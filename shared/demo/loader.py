"""Posts a generated year to the four services over HTTP, as boards, the panel and an operator.

Each case's steps go in order; cases run concurrently (a bounded number at a time), oldest first.
A report or a notice waits until its SCR, initiated in the decisions service, has reached the
publication service by events. Every POST carries an ``Idempotency-Key`` made from the seed, the
year and the step, so a retried request (or the same demo loaded again) creates nothing twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.auth import issue_token
from shared.config import DEFAULT_PORTS, PlatformSettings
from shared.demo.plan import MERGED_ON
from shared.demo.timeline import Case, Kind, Step, Timeline
from shared.events.vocab import Role

RETRIES = 4
SCR_ARRIVAL_SECONDS = 120.0


class LoadError(Exception):
    """A step the services refused, or a service that did not answer; one line."""


@dataclass(frozen=True)
class ServiceUrls:
    notifications: str = f"http://127.0.0.1:{DEFAULT_PORTS['notifications']}"
    decisions: str = f"http://127.0.0.1:{DEFAULT_PORTS['decisions']}"
    publication: str = f"http://127.0.0.1:{DEFAULT_PORTS['publication']}"
    analytics: str = f"http://127.0.0.1:{DEFAULT_PORTS['analytics']}"

    def items(self) -> list[tuple[str, str]]:
        return [(n, getattr(self, n)) for n in DEFAULT_PORTS]


@dataclass
class LoadResult:
    cases: int
    steps: int
    seconds: float


@dataclass
class Api:
    """HTTP clients of the four services and tokens minted with the platform's secret."""

    urls: ServiceUrls
    platform: PlatformSettings
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    tokens: dict[tuple[str, str | None], str] = field(default_factory=dict)

    async def __aenter__(self) -> Api:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        for name, url in self.urls.items():
            self.clients[name] = httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits)
        return self

    async def __aexit__(self, *_: object) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()))

    def headers(self, role: Role, lscb_id: str | None = None, key: str | None = None) -> dict:
        if (role.value, lscb_id) not in self.tokens:
            sub = f"lscb:{lscb_id}" if lscb_id else f"{role.value}:demo"
            token = issue_token(self.platform, role, lscb_id=lscb_id, sub=sub)
            self.tokens[(role.value, lscb_id)] = token
        headers = {"Authorization": f"Bearer {self.tokens[(role.value, lscb_id)]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        headers: dict[str, str],
        body: dict[str, Any] | None = None,
        ok: tuple[int, ...] = (200, 201),
    ) -> httpx.Response:
        """The response if its status is in ``ok``; retried on a dropped connection or a 502,
        503 or 504 (safe: every creating POST has its idempotency key)."""
        client = self.clients[service]
        for attempt in range(RETRIES):
            try:
                response = await client.request(method, path, json=body, headers=headers)
            except httpx.TransportError as exc:
                if attempt == RETRIES - 1:
                    raise LoadError(
                        f"{service} at {client.base_url} did not answer: {exc!r}"
                    ) from exc
            else:
                if response.status_code not in (502, 503, 504) or attempt == RETRIES - 1:
                    break
            await asyncio.sleep(0.5 * 2**attempt)
        if response.status_code not in ok:
            raise LoadError(
                f"{method} {client.base_url}{path} answered {response.status_code}: "
                + _detail(response)
            )
        return response

    async def post(
        self, service: str, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> dict[str, Any]:
        return dict((await self.call(service, "POST", path, headers, body)).json())


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))[:300]
    except ValueError:
        return response.text[:300]


async def registry(api: Api) -> list[str]:
    """Every board id the registry holds, merged or not."""
    response = await api.call("notifications", "GET", "/v1/lscbs", api.headers(Role.ADMIN))
    return sorted(str(board["id"]) for board in response.json())


async def unreachable(urls: ServiceUrls, timeout: float = 3.0) -> list[str]:
    """The services whose ``/healthz`` does not answer 200."""

    async def down(url: str) -> bool:
        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                return (await client.get(f"{url}/healthz")).status_code != 200
        except httpx.HTTPError:
            return True

    results = await asyncio.gather(*(down(url) for _, url in urls.items()))
    return [
        f"{name} ({url})" for (name, url), bad in zip(urls.items(), results, strict=True) if bad
    ]


async def merge_boards(api: Api, merges: tuple[tuple[str, str], ...]) -> None:
    """The shared boards of the plan, merged as an operator would (skipped if done already)."""
    admin = api.headers(Role.ADMIN)
    for source, into in merges:
        board = (await api.call("notifications", "GET", f"/v1/lscbs/{source}", admin)).json()
        if board["merged_into"] == into:
            continue
        body = {"into": into, "merged_on": MERGED_ON.isoformat()}
        await api.call("notifications", "POST", f"/v1/lscbs/{source}/merge", admin, body)


class CaseRun:
    """One case's steps in order, remembering the ids the services answer with."""

    def __init__(self, api: Api, timeline: Timeline, case: Case) -> None:
        self.api, self.case = api, case
        self.prefix = f"demo-{timeline.seed}-{timeline.plan.date_from}-{case.id}"
        self.ids: dict[str, str] = {}
        self.recommendations: list[str] = []
        self.scr_arrived = False

    def board(self, index: int | None = None) -> dict[str, str]:
        key = None if index is None else f"{self.prefix}-{index}"
        return self.api.headers(Role.LSCB, self.case.board, key)

    def panel(self, index: int) -> dict[str, str]:
        return self.api.headers(Role.PANEL, key=f"{self.prefix}-{index}")

    async def step(self, index: int, step: Step) -> None:
        """Post ``step``, the ``index``-th of the case (its idempotency key says which)."""
        ids, body = self.ids, dict(step.body)
        if step.kind is Kind.NOTIFY:
            body["lscb_id"] = self.case.board
            made = await self.api.post(
                "notifications", "/v1/notifications", body, self.board(index)
            )
            ids["notification"] = made["id"]
        elif step.kind is Kind.DECIDE:
            body["notification_id"] = ids["notification"]
            made = await self.api.post("decisions", "/v1/decisions", body, self.board(index))
            ids["decision"] = made["id"]
        elif step.kind is Kind.CONSIDER:
            path = f"/v1/decisions/{ids['decision']}/considerations"
            await self.api.post("decisions", path, body, self.panel(index))
        elif step.kind is Kind.RESPOND:
            path = f"/v1/decisions/{ids['decision']}/responses"
            await self.api.post("decisions", path, body, self.board(index))
        elif step.kind in (Kind.REPORT, Kind.NOTICE):
            await self.wait_for_scr()
            body["scr_id"] = ids["notification"]  # an SCR is known by its case's id
            path = "/v1/reports" if step.kind is Kind.REPORT else "/v1/non-publication-notices"
            made = await self.api.post("publication", path, body, self.board(index))
            ids[step.kind.value] = made["id"]
            ordered = sorted(made["recommendations"], key=lambda r: r["position"])
            self.recommendations = [r["id"] for r in ordered]
        elif step.kind is Kind.PUBLISH:
            path = f"/v1/reports/{ids['report']}/publication"
            await self.api.post("publication", path, body, self.board(index))
        elif step.kind is Kind.REVIEW:
            path = f"/v1/reports/{ids['report']}/quality-reviews"
            await self.api.post("publication", path, body, self.panel(index))
        elif step.kind is Kind.NOTICE_CONSIDER:
            path = f"/v1/non-publication-notices/{ids['notice']}/considerations"
            await self.api.post("publication", path, body, self.panel(index))
        elif step.kind is Kind.NOTICE_RESPOND:
            path = f"/v1/non-publication-notices/{ids['notice']}/responses"
            await self.api.post("publication", path, body, self.board(index))
        elif step.kind is Kind.UPDATE_RECOMMENDATION:
            assert step.position is not None
            await self.update_recommendation(self.recommendations[step.position], body)

    async def wait_for_scr(self) -> None:
        """The SCR reaches the publication service by the decisions service's events."""
        if self.scr_arrived:
            return
        path = f"/v1/scrs/{self.ids['notification']}"
        deadline = time.monotonic() + SCR_ARRIVAL_SECONDS
        while time.monotonic() < deadline:
            response = await self.api.call("publication", "GET", path, self.board(), ok=(200, 404))
            if response.status_code == 200:
                self.scr_arrived = True
                return
            await asyncio.sleep(0.2)
        raise LoadError(
            f"SCR {self.ids['notification']} did not reach the publication service within "
            f"{SCR_ARRIVAL_SECONDS:.0f}s: are its consumers (and the broker) running?"
        )

    async def update_recommendation(self, recommendation_id: str, body: dict[str, Any]) -> None:
        """PATCH has no idempotency key: a refusal is fine if the history has this change
        already (the same year loaded again)."""
        path = f"/v1/recommendations/{recommendation_id}"
        response = await self.api.call(
            "publication", "PATCH", path, self.board(), body, ok=(200, 409, 422)
        )
        if response.status_code != 200:
            current = (await self.api.call("publication", "GET", path, self.board())).json()
            done = any(
                h["status"] == body["status"] and h["changed_on"] == body["changed_on"]
                for h in current["history"]
            )
            if not done:
                raise LoadError(
                    f"PATCH {path} answered {response.status_code}: {_detail(response)}"
                )


async def load(
    timeline: Timeline,
    api: Api,
    concurrency: int = 8,
    progress: Callable[[Step], None] | None = None,
) -> LoadResult:
    """Post every step of ``timeline``: the plan's merges first, then the cases, the earliest
    first, ``concurrency`` at a time. Raises :class:`LoadError` on the first refusal."""
    began = time.monotonic()
    await merge_boards(api, timeline.plan.merges)
    gate = asyncio.Semaphore(concurrency)

    async def run(case: Case) -> None:
        async with gate:
            case_run = CaseRun(api, timeline, case)
            for index, step in enumerate(case.steps):
                await case_run.step(index, step)
                if progress is not None:
                    progress(step)

    ordered = sorted(timeline.cases, key=lambda c: (c.steps[0].on, c.id))
    tasks = [asyncio.create_task(run(case)) for case in ordered]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return LoadResult(len(timeline.cases), timeline.step_count, time.monotonic() - began)
