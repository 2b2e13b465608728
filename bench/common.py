"""What the benchmarks share: uvicorn processes on free loopback ports, throwaway databases,
a lean HTTP/1.1 load client, latency statistics and process CPU accounting."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
REGISTRY_CSV = (
    ROOT / "services" / "notifications" / "reference" / "local_authorities_england_2013.csv"
)
DEFAULT_POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
BENCH_JWT_SECRET = "benchmark-secret-" + uuid.uuid4().hex
# Settings of ours that a caller's environment must not leak into the processes we start.
_SETTING_PREFIXES = ("NOTIFICATIONS_", "DECISIONS_", "PUBLICATION_", "ANALYTICS_", "KAFKA_", "JWT_")


# --- statistics -------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not sorted_values:
        return float("nan")
    rank = (len(sorted_values) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int]:
    values = sorted(seconds)
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "mean_ms": round(1000 * sum(values) / len(values), 3),
        "p50_ms": round(1000 * percentile(values, 50), 3),
        "p95_ms": round(1000 * percentile(values, 95), 3),
        "p99_ms": round(1000 * percentile(values, 99), 3),
        "max_ms": round(1000 * values[-1], 3),
    }


def ratio(numerator: float | int | None, denominator: float | int | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(float(numerator) / float(denominator), 3)


def environment() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        # Other work on the machine skews the figures: the load average when we began.
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def emit(document: dict[str, Any]) -> None:
    """The one JSON document a benchmark prints on stdout."""
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


# --- the board registry and request bodies ----------------------------------------------------


def board_ids(count: int) -> list[str]:
    """The first ``count`` boards of the registry the notifications service seeds."""
    with REGISTRY_CSV.open(encoding="utf-8") as handle:
        ids = [row["ons_code"] for row in csv.DictReader(handle)]
    return ids[: max(1, min(count, len(ids)))]


_ABUSE = ["physical_abuse", "emotional_abuse", "sexual_abuse", "neglect"]
_AGENCIES = ["childrens_social_care", "health", "police", "education", "early_years"]
_SEXES = ["female", "male", "not_known"]


def notification_body(i: int, today: dt.date, notified_on: dt.date | None = None) -> dict[str, Any]:
    """A valid serious incident notification, varied by ``i``; no ``lscb_id`` (the token's)."""
    aware = today - dt.timedelta(days=2 + i % 10)
    return {
        "incident_date": (aware - dt.timedelta(days=i % 4)).isoformat(),
        "became_aware_on": aware.isoformat(),
        "notified_on": (notified_on or today).isoformat(),
        "outcome": "died" if i % 3 == 0 else "seriously_harmed",
        "abuse_or_neglect": _ABUSE[: 1 + i % 4],
        "age_years": i % 18,
        "sex": _SEXES[i % 3],
        "looked_after": i % 5 == 0,
        "on_child_protection_plan": i % 4 == 0,
        "agencies_involved": _AGENCIES[: i % 6],
        "summary": f"Benchmark notification {i}: serious harm, multi-agency involvement noted.",
    }


def today_in_england() -> dt.date:
    from shared.calendar import today

    return today()


# --- throwaway databases ----------------------------------------------------------------------


async def _admin(server_url: str, *statements: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@dataclass
class Databases:
    """One database URL per name: temporary SQLite files, a ``{service}`` URL template, or
    throwaway PostgreSQL databases created on a server and dropped afterwards."""

    workdir: Path
    template: str | None = None
    postgres_server: str | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    created: list[str] = field(default_factory=list)

    @property
    def backend(self) -> str:
        if self.postgres_server:
            return "postgresql"
        if self.template:
            return make_url(self.template.replace("{service}", "x")).get_backend_name()
        return "sqlite"

    def url(self, name: str) -> str:
        if self.postgres_server:
            database = f"scr_bench_{self.run_id}_{name}"
            asyncio.run(_admin(self.postgres_server, f'CREATE DATABASE "{database}"'))
            self.created.append(database)
            return (
                make_url(self.postgres_server)
                .set(database=database)
                .render_as_string(hide_password=False)
            )
        if self.template:
            return self.template.replace("{service}", name)
        return f"sqlite+aiosqlite:///{self.workdir / f'{name}.db'}"

    def drop_all(self) -> None:
        if not (self.postgres_server and self.created):
            return
        statements = [f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in reversed(self.created)]
        with contextlib.suppress(Exception):
            asyncio.run(_admin(self.postgres_server, *statements))
        self.created.clear()


def add_database_arguments(parser: Any, multi: bool) -> None:
    names = "notifications and analytics" if multi else "the service and the bare app"
    parser.add_argument(
        "--database-url",
        help=(
            "SQLAlchemy async URL for "
            + names
            + "; '{service}' in it is replaced by each one's name"
            + (" (required here: each service needs its own database)" if multi else "")
            + ". Default: temporary SQLite files."
        ),
    )
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="create throwaway PostgreSQL databases on --postgres-server and drop them after",
    )
    parser.add_argument(
        "--postgres-server",
        default=DEFAULT_POSTGRES_SERVER,
        help="a PostgreSQL URL whose user may CREATE DATABASE (default: %(default)s)",
    )


@contextlib.contextmanager
def workspace(args: Any) -> Iterator[tuple[Path, Databases]]:
    workdir = Path(tempfile.mkdtemp(prefix="scr-bench-"))
    databases = Databases(
        workdir,
        template=args.database_url,
        postgres_server=args.postgres_server if args.postgres else None,
    )
    try:
        yield workdir, databases
    finally:
        databases.drop_all()
        if os.environ.get("SCR_BENCH_KEEP_WORKDIR"):
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# --- uvicorn processes ------------------------------------------------------------------------


def clean_environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SETTING_PREFIXES)}
    env.pop("SCR_DATA_DIR", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["JWT_SECRET"] = BENCH_JWT_SECRET
    env.update(extra)
    return env


class ServerProcess:
    """``python -m uvicorn <factory> --factory`` on a loopback port, one worker, no access log."""

    def __init__(
        self, name: str, factory: str, port: int, env: dict[str, str], workdir: Path
    ) -> None:
        self.name = name
        self.factory = factory
        self.port = port
        self.env = clean_environment(env)
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> ServerProcess:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            self.factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        with self.log_path.open("ab") as log_file:
            # The working directory is the scratch folder: no stray .env is read.
            self.process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    async def wait_ready(self, path: str = "/readyz", timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
                try:
                    response = await client.get(path)
                    if response.status_code == 200:
                        return
                    last = f"{response.status_code} {response.text[:300]}"
                except httpx.HTTPError as exc:
                    last = repr(exc)
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s ({last}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- a lean HTTP/1.1 keep-alive client for the load -------------------------------------------


def http_request(method: str, path: str, port: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class RawConnection:
    """One keep-alive connection: far less client CPU per request than a full HTTP library,
    so the load generator does not become the bottleneck on a small machine."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self._connect()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def _read_chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def close(self) -> None:
        writer, self.writer, self.reader = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


@dataclass
class LoadResult:
    latencies: list[float]
    statuses: dict[int, int]
    seconds: float
    sample_error: str | None
    stopped_by_time_limit: bool

    @property
    def completed(self) -> int:
        return len(self.latencies)

    def as_dict(self, expected_status: int, server_cpu_seconds: float | None) -> dict[str, Any]:
        ok = self.statuses.get(expected_status, 0)
        return {
            "completed": self.completed,
            "ok": ok,
            "errors": self.completed - ok,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "sample_error": self.sample_error,
            "stopped_by_time_limit": self.stopped_by_time_limit,
            "seconds": round(self.seconds, 3),
            "throughput_rps": round(ok / self.seconds, 1) if self.seconds else None,
            "latency_ms": latency_summary(self.latencies),
            "server_cpu_ms_per_request": (
                round(1000 * server_cpu_seconds / self.completed, 3)
                if server_cpu_seconds is not None and self.completed
                else None
            ),
        }


async def run_load(
    port: int,
    requests: Sequence[bytes],
    concurrency: int,
    time_limit: float,
    expected_status: int,
) -> LoadResult:
    """Closed loop: ``concurrency`` connections each send the next request as soon as the last
    one is answered, until every request is sent or ``time_limit`` seconds have passed."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sample_error: list[str] = []
    next_index = 0
    started = time.perf_counter()
    deadline = started + time_limit
    timed_out = False

    async def worker() -> None:
        nonlocal next_index, timed_out
        connection = RawConnection(port)
        try:
            while next_index < len(requests):
                if time.perf_counter() > deadline:
                    timed_out = True
                    return
                request = requests[next_index]
                next_index += 1
                t0 = time.perf_counter()
                status, body = await connection.send(request)
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status != expected_status and not sample_error:
                    sample_error.append(f"{status} {body[:500].decode(errors='replace')}")
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(
        latencies,
        statuses,
        time.perf_counter() - started,
        sample_error[0] if sample_error else None,
        timed_out,
    )
