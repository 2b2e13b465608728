"""``scr-panel``: tokens, the AsyncAPI document, migrations and the whole stack with ``up``."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import jwt
import pytest

from shared.auth import decode_token
from shared.cli import main
from shared.config import SERVICE_NAMES, PlatformSettings
from shared.devstack import READY_LINE
from shared.embedded_broker import free_port
from shared.events.asyncapi import render_asyncapi
from tests.support.databases import POSTGRES_URL, DatabaseFactory
from tests.support.processes import REPO_ROOT, log_tail, scr_panel

COMMITTED_ASYNCAPI = REPO_ROOT / "docs" / "asyncapi.json"


def test_token_carries_the_claims_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["token", "--role", "lscb", "--lscb-id", "E06000001", "--sub", "me", "--hours", "2"]
    assert main(argv) == 0
    token = capsys.readouterr().out.strip()

    principal = decode_token(PlatformSettings(), token)
    assert (principal.role.value, principal.lscb_id, principal.sub) == ("lscb", "E06000001", "me")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == dt.timedelta(hours=2).total_seconds()


def test_token_for_a_board_needs_the_board(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["token", "--role", "lscb"])
    assert exit_info.value.code == 2
    assert "--lscb-id" in capsys.readouterr().err


def test_committed_asyncapi_document_is_up_to_date(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"
    assert main(["asyncapi", "--out", str(out)]) == 0
    assert out.read_text() == render_asyncapi()
    assert out.read_text() == COMMITTED_ASYNCAPI.read_text(), (
        "the event contracts changed: run `scr-panel asyncapi` and commit docs/asyncapi.json"
    )
    assert main(["asyncapi", "--check", "--out", str(out)]) == 0
    out.write_text("{}\n")
    assert main(["asyncapi", "--check", "--out", str(out)]) == 1


def test_migrate_creates_the_four_databases(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    result = subprocess.run(
        scr_panel("migrate", "--data-dir", str(tmp_path)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.db")) == sorted(
        f"{name}.db" for name in SERVICE_NAMES
    )


def _wait_for_line(process: subprocess.Popen[bytes], output: Path, line: str) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = output.read_text()
        if line in text:
            return text
        assert process.poll() is None, f"scr-panel up exited early:\n{text}"
        time.sleep(0.2)
    raise AssertionError(f"scr-panel up not ready:\n{output.read_text()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Up:
    """One ``scr-panel up`` in a subprocess, its output in a file."""

    def __init__(self, env: dict[str, str], data_dir: Path, output: Path) -> None:
        self.data_dir, self.output = data_dir, output
        command = scr_panel("up", "--data-dir", str(data_dir), "--broker-port", str(free_port()))
        with open(output, "wb") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self) -> tuple[str, list[int]]:
        """The banner, and the pids it names (broker first, then the four services)."""
        # The banner's last line: the tokens are printed by then, not only the ready line.
        text = _wait_for_line(self.process, self.output, "Press Ctrl-C to stop.")
        assert READY_LINE in text
        pids = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", text)]
        assert len(pids) == 1 + len(SERVICE_NAMES), text
        return text, pids

    def finish(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        # Shown by pytest only when the test fails.
        print(self.output.read_text())
        for log in sorted((self.data_dir / "logs").glob("*.log")):
            print(f"----- {log.name}\n{log_tail(log, 20)}")


def test_up_runs_the_four_services_and_stops_cleanly(
    tmp_path: Path, databases: DatabaseFactory
) -> None:
    data_dir = tmp_path / "data"
    ports = {name: free_port() for name in SERVICE_NAMES}
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update({f"{name.upper()}_PORT": str(port) for name, port in ports.items()})
    if POSTGRES_URL:  # otherwise SQLite files in the data folder, as on a laptop
        env.update({f"{n.upper()}_DATABASE_URL": databases.new(n) for n in SERVICE_NAMES})

    # First run: healthy, then Ctrl-C stops everything and exits 0.
    up = Up(env, data_dir, tmp_path / "up1.out")
    try:
        text, pids = up.wait_ready()
        for name, port in ports.items():
            response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            assert response.json() == {"status": "ok", "service": name}
        assert "panel: ey" in text and "lscb E06000001 (Hartlepool): ey" in text
        up.process.send_signal(signal.SIGINT)
        assert up.process.wait(60) == 0, up.output.read_text()
    finally:
        up.finish()
    assert [pid for pid in pids if _alive(pid)] == [], "orphan processes left behind"
    if not POSTGRES_URL:
        assert {p.name for p in data_dir.glob("*.db")} == {f"{n}.db" for n in SERVICE_NAMES}

    # Second run on the same data: the registry's events are replayed to the new broker; then a
    # service dies, and ``up`` says so, stops the rest and exits 1.
    up = Up(env, data_dir, tmp_path / "up2.out")
    try:
        text, pids = up.wait_ready()
        assert re.search(r"notifications +migrated; [1-9]\d* past events will be sent", text)
        os.kill(pids[-1], signal.SIGKILL)  # the last one named: analytics
        assert up.process.wait(60) == 1, up.output.read_text()
        assert "analytics was killed by SIGKILL" in up.output.read_text()
    finally:
        up.finish()
    assert [pid for pid in pids if _alive(pid)] == [], "orphan processes left behind"
