"""``scr-panel up``: the whole platform on one machine, each service in its own process.

The embedded broker keeps nothing between runs while the services' databases do, so every start
marks all outbox rows unpublished: the relays send the history again to the fresh broker and the
consumers' inboxes skip whatever they had already applied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from shared.auth import issue_token
from shared.config import SERVICE_NAMES, PlatformSettings, service_settings
from shared.db import make_engine
from shared.embedded_broker import EmbeddedBroker, die_with_parent
from shared.events.vocab import Role
from shared.migrations import upgrade
from shared.outbox import mark_for_replay

EXAMPLE_BOARD = ("E06000001", "Hartlepool")
READY_LINE = "scr-panel is up."
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0


class StackFailure(Exception):
    """Something the user must hear about; the stack is stopped and ``up`` exits 1."""


class Interrupted(Exception):
    """Ctrl-C or SIGTERM arrived while starting: stop what runs and exit 0."""


@dataclass
class Child:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def say(message: str = "") -> None:
    # Flushed at once: ``up`` is often watched through a pipe or a file (tests, CI).
    print(message, flush=True)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _child_env(broker: EmbeddedBroker, data_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    env = dict(os.environ)
    env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
    env["SCR_DATA_DIR"] = str(data_dir)
    # The embedded broker forgets a vanished member only after its session times out, and a
    # join waits about half of it: keep it short here (Apache Kafka's floor is 6 s).
    env.setdefault("KAFKA_SESSION_TIMEOUT_MS", "3000")
    env.setdefault("KAFKA_HEARTBEAT_INTERVAL_MS", "1000")
    for name in SERVICE_NAMES:
        prefix = name.upper()
        # ``up`` has just migrated every database; four processes migrating again only race.
        env[f"{prefix}_MIGRATE_ON_START"] = "false"
        env.setdefault(f"{prefix}_NOTIFICATIONS_URL", f"http://127.0.0.1:{ports['notifications']}")
    return env


def spawn_service(name: str, port: int, env: dict[str, str], log_path: Path) -> Child:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        f"services.{name}.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with open(log_path, "ab") as log:
        log.write(f"\n===== scr-panel up, {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
        log.flush()
        # Its own process group: a terminal's Ctrl-C reaches ``up`` only, which then stops the
        # services before the broker (otherwise the broker may vanish under their shutdown).
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=die_with_parent,
        )
    return Child(name, port, process, log_path)


def stop_children(children: list[Child], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """SIGTERM all (uvicorn then runs each lifespan's shutdown), SIGKILL whoever lingers."""
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {timeout:.0f}s; killing it")
            child.process.kill()
            child.process.wait()


def _check_alive(children: list[Child], broker: EmbeddedBroker) -> None:
    for child in children:
        code = child.process.poll()
        if code is not None:
            how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited ({code})"
            raise StackFailure(
                f"{child.name} {how}; the end of {child.log_path}:\n{log_tail(child.log_path)}"
            )
    if broker.process is None or broker.process.poll() is not None:
        raise StackFailure(f"the broker stopped; see {broker.log_path}")


def _wait_healthy(children: list[Child], broker: EmbeddedBroker, stop: threading.Event) -> None:
    pending = {child.name: child for child in children}
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    with httpx.Client(timeout=2.0) as client:
        while pending:
            if stop.is_set():
                raise Interrupted
            _check_alive(children, broker)
            if time.monotonic() > deadline:
                names = ", ".join(sorted(pending))
                raise StackFailure(f"not healthy after {START_TIMEOUT_SECONDS:.0f}s: {names}")
            for name, child in list(pending.items()):
                try:
                    if client.get(f"{child.url}/healthz").status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass  # not listening yet
            stop.wait(0.2)


async def replay_outbox(database_url: str, since: dt.datetime | None = None) -> int:
    """Mark the outbox rows of one database unpublished again; how many."""
    engine = make_engine(database_url)
    try:
        return await mark_for_replay(engine, since)
    finally:
        await engine.dispose()


def _prepare_databases() -> None:
    for name in SERVICE_NAMES:
        url = service_settings(name).resolved_database_url()
        upgrade(name, url)
        replayed = asyncio.run(replay_outbox(url))
        say(f"  {name:<14} migrated; {replayed} past events will be sent to the broker again")


def _print_banner(children: list[Child], broker: EmbeddedBroker, data_dir: Path) -> None:
    assert broker.process is not None
    say()
    say(READY_LINE)
    say(f"  {'broker':<14} {broker.bootstrap_servers}  (pid {broker.process.pid})")
    for child in children:
        say(f"  {child.name:<14} {child.url}  docs: {child.url}/docs  (pid {child.process.pid})")
    say(f"  data: {data_dir}   logs: {data_dir / 'logs'}")
    say()
    say("Tokens (12 hours; send as 'Authorization: Bearer <token>'):")
    platform = PlatformSettings()
    board_id, board_name = EXAMPLE_BOARD
    for role in Role:
        lscb_id = board_id if role is Role.LSCB else None
        label = f"lscb {board_id} ({board_name})" if lscb_id else role.value
        say(f"  {label}: {issue_token(platform, role, lscb_id=lscb_id)}")
    say()
    analytics = next((c.url for c in children if c.name == "analytics"), None)
    if analytics is not None:
        token = issue_token(platform, Role.PANEL)
        say("Dashboard (opens as the panel; the link sets a cookie, then drops the token):")
        say(f"  {analytics}/dashboard?token={token}")
        say(f"  annual report: {analytics}/v1/annual-report?format=html (Bearer token)")
        say("A year of demo data: `scr-panel demo` in another terminal.")
        say()
    say("Press Ctrl-C to stop.")


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    def handler(signum: int, _frame: FrameType | None) -> None:
        if not stop.is_set():
            say(f"\n{signal.Signals(signum).name} received: stopping")
        stop.set()

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def run_up(data_dir: Path, broker_port: int) -> int:
    data_dir = data_dir.resolve()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    # Settings read it (the SQLite files' folder); the children inherit it.
    os.environ["SCR_DATA_DIR"] = str(data_dir)
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    ports = {name: service_settings(name).port for name in SERVICE_NAMES}
    broker: EmbeddedBroker | None = None
    children: list[Child] = []
    try:
        for name, port in [("broker", broker_port), *ports.items()]:
            if not port_is_free(port):
                raise StackFailure(f"port {port} (for {name}) is already in use")
        broker = EmbeddedBroker(port=broker_port, log_path=logs / "broker.log").start()
        say(f"broker listening on {broker.bootstrap_servers}")
        _prepare_databases()
        if stop.is_set():
            raise Interrupted
        env = _child_env(broker, data_dir, ports)
        for name, port in ports.items():
            children.append(spawn_service(name, port, env, logs / f"{name}.log"))
        _wait_healthy(children, broker, stop)
        _print_banner(children, broker, data_dir)
        while not stop.wait(0.5):
            _check_alive(children, broker)
        return 0
    except Interrupted:
        return 0
    except StackFailure as exc:
        say(f"scr-panel up: {exc}")
        return 1
    finally:
        if children:
            say("stopping the services...")
            stop_children(children)
        if broker is not None:
            say("stopping the broker...")
            broker.stop()
        say("stopped.")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
