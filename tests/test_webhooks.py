"""Webhook subscriptions and deliveries, to a real HTTP receiver started by each test, whose
signatures are checked by an independent implementation of Standard Webhooks (the
``standardwebhooks`` package). The retry schedule is compressed by the settings."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import itertools
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks import Webhook

from shared.config import PlatformSettings, ServiceSettings
from shared.embedded_broker import free_port
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.services import auth, eventually, running_app, settings_for
from tests.test_alerts import apply, consideration, report, scr_overdue

SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()
FAST = {
    "webhook_retry_seconds": [0.2, 0.2, 0.5],
    "webhook_poll_seconds": 0.05,
    "webhook_timeout_seconds": 2.0,
}
# What a delivery's body may say: the alert's ids, dates and links, nothing about the child.
DATA_KEYS = {"id", "type", "lscb_id", "case_id", "raised_on", "raised_at", "links"}


# --- the receiver ----------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """Answers each path from its script (a status, or a status and headers), then ``then``."""

    port: int
    scripts: dict[str, list[Any]] = field(default_factory=dict)
    then: dict[str, int] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def answer(self, path: str) -> tuple[int, dict[str, str]]:
        with self.lock:
            script = self.scripts.get(path, [])
            step = script.pop(0) if script else self.then.get(path, 200)
        return step if isinstance(step, tuple) else (step, {})


@contextlib.contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.received.append(
                    Received(self.path, dict(self.headers.items()), body, time.monotonic())
                )
            status, headers = state.answer(self.path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", state.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def verified(request: Received, secret: str = SECRET) -> dict[str, Any]:
    """The body, once the independent implementation has checked its signature."""
    payload = Webhook(secret).verify(request.body, request.headers)
    assert isinstance(payload, dict)
    return payload


# --- helpers ----------------------------------------------------------------------------------


@dataclass
class Api:
    client: httpx.AsyncClient
    platform: PlatformSettings

    async def subscribe(
        self, url: str, types: list[str], role: Role = Role.DFE, lscb_id: str | None = None
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/v1/subscriptions",
            json={"url": url, "alert_types": types, "secret": SECRET},
            headers=auth(self.platform, role, lscb_id=lscb_id),
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def get(self, path: str, role: Role = Role.DFE, lscb_id: str | None = None) -> Any:
        response = await self.client.get(path, headers=auth(self.platform, role, lscb_id=lscb_id))
        assert response.status_code == 200, response.text
        return response.json()

    async def deliveries(self, sid: str, role: Role = Role.DFE, lscb: str | None = None) -> Any:
        return (await self.get(f"/v1/subscriptions/{sid}/deliveries", role, lscb))["items"]


@contextlib.asynccontextmanager
async def analytics(settings: ServiceSettings) -> AsyncIterator[Api]:
    async with running_app(settings) as (_, client):
        yield Api(client, settings.platform)


async def settled(api: Api, sid: str, status: str, count: int = 1) -> list[dict[str, Any]]:
    """The subscription's deliveries once ``count`` of them have reached ``status``."""

    async def check() -> list[dict[str, Any]] | None:
        items = await api.deliveries(sid)
        done = [d for d in items if d["status"] == status]
        return items if len(done) >= count else None

    found: list[dict[str, Any]] = await eventually(check, timeout=15, interval=0.05)
    return found


# --- tests -------------------------------------------------------------------------------------


async def test_a_failing_receiver_is_retried_and_gets_the_alert_once_it_recovers(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    with receiver() as hooks:
        hooks.scripts["/hook"] = [500, 500]
        async with analytics(settings_for("analytics", platform, url, **FAST)) as api:
            sub = await api.subscribe(hooks.url("/hook"), ["statutory_breach"])
            await apply(url, [consideration("1", breach=True), report("2", short=True)])
            [delivery] = await settled(api, sub["id"], "succeeded")

            calls = hooks.at("/hook")
            assert len(calls) == 3
            bodies = [verified(call) for call in calls]
            assert all(body == bodies[0] for body in bodies)
            assert {call.headers["webhook-id"] for call in calls} == {delivery["message_id"]}
            # The schedule's pauses (0.2 s, jittered by 20% at most) came between the tries.
            gaps = [b.at - a.at for a, b in itertools.pairwise(calls)]
            assert all(gap >= 0.15 for gap in gaps), gaps

            body = bodies[0]
            alert = await api.get(f"/v1/alerts/{delivery['alert_id']}")
            assert body["type"] == "statutory_breach"
            assert set(body["data"]) == DATA_KEYS
            assert body["data"]["id"] == alert["id"]
            assert (body["data"]["lscb_id"], body["data"]["case_id"]) == ("B1", "c-1")
            assert body["data"]["links"] == alert["links"]
            assert alert["links"]["resource"] == "http://127.0.0.1:8002/v1/decisions/d-1"

            # The log shows every attempt: its time, how long it took, the answer.
            attempts = delivery["attempts"]
            assert [a["status_code"] for a in attempts] == [500, 500, 200]
            assert all(a["error"] is None and a["duration_ms"] >= 0 for a in attempts)
            times = [dt.datetime.fromisoformat(a["attempted_at"]) for a in attempts]
            assert times == sorted(times)

            # Redeliver: sent again, with the same id, and logged.
            response = await api.client.post(
                f"/v1/subscriptions/{sub['id']}/deliveries/{delivery['id']}/redeliver",
                headers=auth(platform, Role.DFE),
            )
            assert response.status_code == 202, response.text
            await eventually(lambda: _count(hooks, "/hook", 4), timeout=10, interval=0.05)
            [delivery] = await settled(api, sub["id"], "succeeded")
            assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 200, 200]
            assert verified(hooks.at("/hook")[3])["data"]["id"] == alert["id"]
            assert hooks.at("/hook")[3].headers["webhook-id"] == delivery["message_id"]


async def _count(hooks: Receiver, path: str, n: int) -> bool:
    return len(hooks.at(path)) >= n


async def test_410_disables_the_subscription_and_nothing_more_is_sent(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    with receiver() as hooks:
        hooks.then["/gone"] = 410
        async with analytics(settings_for("analytics", platform, url, **FAST)) as api:
            sub = await api.subscribe(hooks.url("/gone"), ["statutory_breach", "scr_overdue"])
            await apply(url, [consideration("1", breach=True)])
            [delivery] = await settled(api, sub["id"], "failed")
            assert [a["status_code"] for a in delivery["attempts"]] == [410]
            read = await api.get(f"/v1/subscriptions/{sub['id']}")
            assert read["active"] is False and "410" in read["disabled_reason"]

            await apply(url, [scr_overdue("2"), consideration("3", breach=True)])
            await asyncio.sleep(0.6)  # the worker looks every 0.05 s: many rounds
            assert len(hooks.at("/gone")) == 1
            assert len(await api.deliveries(sub["id"])) == 1
            response = await api.client.post(
                f"/v1/subscriptions/{sub['id']}/deliveries/{delivery['id']}/redeliver",
                headers=auth(platform, Role.DFE),
            )
            assert response.status_code == 409, response.text
            assert len(hooks.at("/gone")) == 1


async def test_retry_after_is_honoured_and_a_delivery_is_given_up_after_the_schedule(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    with receiver() as hooks:
        hooks.scripts["/busy"] = [(503, {"retry-after": "1"}), 500]
        hooks.then["/busy"] = 500
        closed = f"http://127.0.0.1:{free_port()}/nobody"
        settings = settings_for(
            "analytics", platform, url, **{**FAST, "webhook_retry_seconds": [0.2, 0.2]}
        )
        async with analytics(settings) as api:
            busy = await api.subscribe(hooks.url("/busy"), ["publication_short_notice"])
            nobody = await api.subscribe(closed, ["publication_short_notice"], role=Role.OFSTED)
            await apply(url, [report("1", short=True)])
            [delivery] = await settled(api, busy["id"], "failed")
            calls = hooks.at("/busy")
            # 503 with retry-after 1 (not the schedule's 0.2 s), then 500 twice: the schedule
            # has two pauses, so the third failure gives up.
            assert [a["status_code"] for a in delivery["attempts"]] == [503, 500, 500]
            assert calls[1].at - calls[0].at >= 0.95
            assert all(verified(call)["type"] == "publication_short_notice" for call in calls)

            async def refused() -> list[dict[str, Any]] | None:
                items = await api.deliveries(nobody["id"], Role.OFSTED)
                return items if items and items[0]["status"] == "failed" else None

            [unreachable] = await eventually(refused, timeout=15, interval=0.05)
            assert len(unreachable["attempts"]) == 3
            assert all(a["status_code"] is None and a["error"] for a in unreachable["attempts"])

            await asyncio.sleep(0.5)
            assert len(hooks.at("/busy")) == 3  # given up: nothing more
            # A failed delivery may be sent again by hand.
            hooks.then["/busy"] = 200
            response = await api.client.post(
                f"/v1/subscriptions/{busy['id']}/deliveries/{delivery['id']}/redeliver",
                headers=auth(platform, Role.DFE),
            )
            assert response.status_code == 202 and response.json()["status"] == "pending"
            [delivery] = await settled(api, busy["id"], "succeeded")
            assert [a["status_code"] for a in delivery["attempts"]] == [503, 500, 500, 200]


async def test_a_board_subscription_never_receives_another_boards_alert(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    every = ["statutory_breach", "publication_short_notice", "scr_overdue"]
    with receiver() as hooks:
        async with analytics(settings_for("analytics", platform, url, **FAST)) as api:
            b1 = await api.subscribe(hooks.url("/b1"), every, Role.LSCB, "B1")
            b2 = await api.subscribe(hooks.url("/b2"), every, Role.LSCB, "B2")
            await api.subscribe(hooks.url("/dfe"), every)
            assert b1["lscb_id"] == "B1" and b2["lscb_id"] == "B2"
            await apply(
                url,
                [
                    consideration("1", True, lscb_id="B1"),
                    consideration("2", True, lscb_id="B2"),
                    scr_overdue("3"),  # B1's
                    report("4", short=True),  # B2's
                ],
            )
            await eventually(lambda: _count(hooks, "/dfe", 4), timeout=15, interval=0.05)
            await eventually(lambda: _count(hooks, "/b1", 2), timeout=15, interval=0.05)
            await eventually(lambda: _count(hooks, "/b2", 2), timeout=15, interval=0.05)
            await asyncio.sleep(0.3)
            seen = {
                path: sorted(verified(call)["data"]["case_id"] for call in hooks.at(path))
                for path in ("/b1", "/b2", "/dfe")
            }
            assert seen == {
                "/b1": ["c-1", "c-3"],
                "/b2": ["c-2", "c-4"],
                "/dfe": ["c-1", "c-2", "c-3", "c-4"],
            }
            assert {verified(c)["data"]["lscb_id"] for c in hooks.at("/b1")} == {"B1"}


async def test_a_pending_delivery_survives_a_restart(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    with receiver() as hooks:
        hooks.then["/later"] = 503
        slow = settings_for("analytics", platform, url, **{**FAST, "webhook_retry_seconds": [1]})
        async with analytics(slow) as api:
            sub = await api.subscribe(hooks.url("/later"), ["scr_overdue"])
            await apply(url, [scr_overdue("1")])
            await eventually(lambda: _count(hooks, "/later", 1), timeout=15, interval=0.05)
            [pending] = await api.deliveries(sub["id"])
            assert pending["status"] == "pending" and pending["next_attempt_at"] is not None
        # Stopped with the delivery pending (its next try a second away, which a slow machine
        # may have reached first: then it failed too); the receiver recovers meanwhile.
        tried = len(hooks.at("/later"))
        hooks.then["/later"] = 200
        # Its own consumer group, so as not to wait for the first one's to expire: the broker
        # plays no part in delivery.
        apart = platform.model_copy(
            update={"kafka_topic_prefix": f"{platform.kafka_topic_prefix}r."}
        )
        async with analytics(settings_for("analytics", apart, url, **FAST)) as api:
            [delivery] = await settled(api, sub["id"], "succeeded")
        calls = hooks.at("/later")
        assert [a["status_code"] for a in delivery["attempts"]] == [503] * tried + [200]
        assert len(calls) == tried + 1
        assert {call.headers["webhook-id"] for call in calls} == {delivery["message_id"]}
        assert verified(calls[-1])["type"] == "scr_overdue"


async def test_subscriptions_input_ownership_and_roles(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    url = databases.new("analytics")
    settings = settings_for("analytics", platform, url, run_workers=False)
    async with analytics(settings) as api:
        client = api.client
        dfe = auth(platform, Role.DFE)
        good = {"url": "https://receiver.example/hooks", "alert_types": ["scr_overdue"]}
        short_key = "whsec_" + base64.b64encode(b"x" * 16).decode()
        for body, field_name in (
            ({**good, "url": "ftp://receiver.example/"}, "url"),
            ({**good, "url": "not a url"}, "url"),
            ({"alert_types": ["scr_overdue"]}, "url"),
            ({**good, "alert_types": []}, "alert_types"),
            ({**good, "alert_types": ["scr_overdue", "nonsense"]}, "alert_types.1"),
            ({**good, "secret": "s3cr3t"}, "secret"),
            ({**good, "secret": short_key}, "secret"),
            ({**good, "secret": "whsec_not*base64"}, "secret"),
            ({**good, "colour": "blue"}, "colour"),
        ):
            response = await client.post("/v1/subscriptions", json=body, headers=dfe)
            assert response.status_code == 422, (body, response.text)
            assert [e["field"] for e in response.json()["errors"]] == [field_name], response.text

        # The secret, generated when not given, is shown in the 201 answer only.
        response = await client.post(
            "/v1/subscriptions",
            json={**good, "alert_types": ["scr_overdue", "statutory_breach", "scr_overdue"]},
            headers={**dfe, "Idempotency-Key": "k-1"},
        )
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["secret"].startswith("whsec_")
        assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
        assert created["alert_types"] == ["scr_overdue", "statutory_breach"]
        assert (created["active"], created["lscb_id"], created["url"]) == (
            True,
            None,
            good["url"],
        )
        read = await api.get(f"/v1/subscriptions/{created['id']}")
        assert "secret" not in read and read == {k: v for k, v in created.items() if k != "secret"}
        # The same key and body: the same answer; another body: 422.
        again = await client.post(
            "/v1/subscriptions",
            json={**good, "alert_types": ["scr_overdue", "statutory_breach", "scr_overdue"]},
            headers={**dfe, "Idempotency-Key": "k-1"},
        )
        assert again.status_code == 201 and again.json() == created
        other = await client.post(
            "/v1/subscriptions", json=good, headers={**dfe, "Idempotency-Key": "k-1"}
        )
        assert other.status_code == 422
        assert other.json()["errors"][0]["field"] == "Idempotency-Key"

        # Every role may subscribe; nobody without a token.
        assert (await client.post("/v1/subscriptions", json=good)).status_code == 401
        assert (await client.get("/v1/subscriptions")).status_code == 401
        ids: dict[Role, str] = {}
        for role in Role:
            lscb_id = "B1" if role is Role.LSCB else None
            response = await client.post(
                "/v1/subscriptions",
                json={**good, "secret": SECRET},
                headers=auth(platform, role, lscb_id=lscb_id),
            )
            assert response.status_code == 201, (role, response.text)
            assert response.json()["secret"] == SECRET
            ids[role] = response.json()["id"]

        # A subscription belongs to its creator's role (and board): anyone else gets 404.
        dfe_ids = {s["id"] for s in (await api.get("/v1/subscriptions"))["items"]}
        assert dfe_ids == {created["id"], ids[Role.DFE]}
        colleague = auth(platform, Role.DFE, sub="dfe:colleague")
        response = await client.get(f"/v1/subscriptions/{created['id']}", headers=colleague)
        assert response.status_code == 200
        strangers = (
            auth(platform, Role.OFSTED),
            auth(platform, Role.PANEL),
            auth(platform, Role.LSCB, lscb_id="B1"),
        )
        for stranger in strangers:
            for method, path in (
                ("GET", f"/v1/subscriptions/{created['id']}"),
                ("GET", f"/v1/subscriptions/{created['id']}/deliveries"),
                ("DELETE", f"/v1/subscriptions/{created['id']}"),
                ("POST", f"/v1/subscriptions/{created['id']}/deliveries/x/redeliver"),
            ):
                response = await client.request(method, path, headers=stranger)
                assert response.status_code == 404, (method, path, response.text)
        other_board = auth(platform, Role.LSCB, lscb_id="B2")
        response = await client.get(f"/v1/subscriptions/{ids[Role.LSCB]}", headers=other_board)
        assert response.status_code == 404
        listed = (await client.get("/v1/subscriptions", headers=other_board)).json()
        assert listed["items"] == [] and listed["total"] == 0
        response = await client.post(
            f"/v1/subscriptions/{created['id']}/deliveries/unknown/redeliver", headers=dfe
        )
        assert response.status_code == 404
        assert (await client.get("/v1/subscriptions/unknown", headers=dfe)).status_code == 404

        # Disabling keeps the subscription (and its log), inactive; twice changes nothing.
        for _ in range(2):
            response = await client.delete(f"/v1/subscriptions/{created['id']}", headers=dfe)
            assert response.status_code == 204, response.text
        read = await api.get(f"/v1/subscriptions/{created['id']}")
        assert read["active"] is False and read["disabled_reason"] == "disabled by dfe:user"
