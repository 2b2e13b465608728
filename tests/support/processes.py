"""Services as real processes (``python -m uvicorn``), for end-to-end tests.

In-process apps (``tests.support.services``) share one event loop and cannot be killed with
SIGKILL; these can, which is what a crash test needs. Each process logs to a file, so a failing
test can show what the services said.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import SecretStr

from shared.config import PlatformSettings
from shared.embedded_broker import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


def scr_panel(*args: str) -> list[str]:
    """The installed console script, or the module when the project is not installed."""
    script = Path(sys.executable).with_name("scr-panel")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "shared.cli", *args]


def log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> ServiceProcess:
        """Start (or restart: same port, same database, log appended)."""
        assert not self.running, f"{self.name} is already running"
        self.starts += 1
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            f"services.{self.name}.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    async def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    raise AssertionError(f"{self.name} exited while starting:\n{self.tail()}")
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} not healthy after {timeout}s:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM (uvicorn's graceful shutdown), SIGKILL if it lingers; the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def tail(self, lines: int = 60) -> str:
        return log_tail(self.log_path, lines)


@dataclass
class ProcessStack:
    """Services of one test: one broker, one topic prefix, one JWT secret, own databases."""

    workdir: Path
    bootstrap_servers: str
    topic_prefix: str
    # Makes a migrated, empty database for a service (``DatabaseFactory.new``); called once per
    # service, so a restarted process finds its data again.
    new_database: Callable[[str], str]
    database_urls: dict[str, str] = field(default_factory=dict)
    jwt_secret: str = "e2e-secret-shared-by-every-process-of-the-test"
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    @property
    def platform(self) -> PlatformSettings:
        """Settings to issue tokens the processes accept."""
        return PlatformSettings(
            kafka_bootstrap_servers=self.bootstrap_servers,
            kafka_topic_prefix=self.topic_prefix,
            jwt_secret=SecretStr(self.jwt_secret),
        )

    def database_url(self, name: str) -> str:
        if name not in self.database_urls:
            self.database_urls[name] = self.new_database(name)
        return self.database_urls[name]

    def env_for(self, name: str) -> dict[str, str]:
        prefix = name.upper()
        env = dict(os.environ)
        env.update(
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
                "KAFKA_TOPIC_PREFIX": self.topic_prefix,
                "KAFKA_SESSION_TIMEOUT_MS": "3000",
                "KAFKA_HEARTBEAT_INTERVAL_MS": "1000",
                "JWT_SECRET": self.jwt_secret,
                "SCR_DATA_DIR": str(self.workdir),
                f"{prefix}_DATABASE_URL": self.database_url(name),
                # The ``databases`` fixture hands out databases that are already migrated.
                f"{prefix}_MIGRATE_ON_START": "false",
                f"{prefix}_OUTBOX_POLL_SECONDS": "0.2",
                f"{prefix}_CONSUMER_RETRY_SECONDS": "0.05",
            }
        )
        if "notifications" in self.services:
            env[f"{prefix}_NOTIFICATIONS_URL"] = self.services["notifications"].url
        return env

    def start(self, *names: str, **env: str) -> list[ServiceProcess]:
        """Start services by name; ``env`` adds to (or overrides) each one's environment."""
        started = []
        for name in names:
            service = ServiceProcess(name, self.env_for(name) | env, self.workdir / f"{name}.log")
            self.services[name] = service.start()
            started.append(service)
        return started

    def start_replica(self, name: str, replica: str, **env: str) -> ServiceProcess:
        """One more process of service ``name`` on the same database (``name#replica``)."""
        key = f"{name}#{replica}"
        service = ServiceProcess(name, self.env_for(name) | env, self.workdir / f"{key}.log")
        self.services[key] = service.start()
        return service

    async def wait_healthy(self) -> None:
        await asyncio.gather(*(s.wait_healthy() for s in self.services.values() if s.running))

    def stop_all(self) -> dict[str, int | None]:
        for service in self.services.values():
            if service.running:
                assert service.process is not None
                service.process.terminate()
        return {name: service.stop() for name, service in self.services.items()}

    def logs(self, lines: int = 60) -> str:
        return "\n".join(
            f"----- {name} ({service.log_path}) -----\n{service.tail(lines)}"
            for name, service in self.services.items()
        )
