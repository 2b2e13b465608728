"""What each ``scr-panel`` command does; ``shared.cli`` parses the command line and calls these.

Heavy imports (uvicorn, alembic, the broker) happen inside the command that needs them, so that
``scr-panel token`` stays quick.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from shared.calendar import LONDON
from shared.config import SERVICE_NAMES, PlatformSettings, service_settings


def _data_dir() -> Path:
    return PlatformSettings().scr_data_dir.resolve()


def cmd_up(args: argparse.Namespace) -> int:
    from shared.devstack import run_up

    return run_up(_data_dir(), args.broker_port)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    port = args.port or service_settings(args.name).port
    uvicorn.run(f"services.{args.name}.app:create_app", factory=True, host=args.host, port=port)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from shared.migrations import upgrade

    for name in [args.service] if args.service else SERVICE_NAMES:
        url = service_settings(name).resolved_database_url()
        upgrade(name, url)
        print(f"{name}: migrated to the newest revision", flush=True)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from shared.auth import issue_token

    ttl = dt.timedelta(hours=args.hours)
    print(issue_token(PlatformSettings(), args.role, lscb_id=args.lscb_id, sub=args.sub, ttl=ttl))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from shared.demo.command import run_demo
    from shared.demo.loader import ServiceUrls

    urls = ServiceUrls(
        notifications=args.notifications_url,
        decisions=args.decisions_url,
        publication=args.publication_url,
        analytics=args.analytics_url,
    )
    return run_demo(args.seed, args.year_from, urls, args.concurrency)


def cmd_asyncapi(args: argparse.Namespace) -> int:
    from shared.events.asyncapi import render_asyncapi

    document = render_asyncapi()
    out = Path(args.out)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != document:
            print(f"{out} is out of date: run `scr-panel asyncapi --out {out}`", file=sys.stderr)
            return 1
        print(f"{out} is up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    print(f"wrote {out}")
    return 0


def _missing_sqlite_file(database_url: str) -> bool:
    """Opening a missing SQLite file would create an empty one; say "not migrated" instead."""
    from sqlalchemy.engine import make_url

    from shared.db import is_sqlite

    database = make_url(database_url).database
    return is_sqlite(database_url) and bool(database) and not Path(str(database)).exists()


def cmd_replay(args: argparse.Namespace) -> int:
    from shared.devstack import replay_outbox

    # A business day starts at midnight in England; created_at is stored in UTC.
    since = dt.datetime.combine(args.since, dt.time(), tzinfo=LONDON) if args.since else None
    total = 0
    for name in [args.service] if args.service else SERVICE_NAMES:
        url = service_settings(name).resolved_database_url()
        if _missing_sqlite_file(url):
            print(f"{name}: no database yet (run `scr-panel migrate`)", flush=True)
            continue
        count = asyncio.run(replay_outbox(url, since))
        total += count
        print(f"{name}: {count} events marked for replay", flush=True)
    print(f"total: {total}; each service's running relay sends them again (consumers skip repeats)")
    return 0


def cmd_analytics_rebuild(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError
    from tqdm import tqdm

    from services.analytics.rebuild import SOURCE_SERVICES, RebuildFailed, rebuild

    analytics_url = service_settings("analytics").resolved_database_url()
    if _missing_sqlite_file(analytics_url):
        print("analytics: no database yet (run `scr-panel migrate`)", file=sys.stderr)
        return 1
    sources = {}
    for name in SOURCE_SERVICES:
        url = service_settings(name).resolved_database_url()
        if _missing_sqlite_file(url):
            print(f"{name}: no database yet, so no events of it to replay", flush=True)
        else:
            sources[name] = url
    with tqdm(desc="replaying", unit=" events", file=sys.stderr, dynamic_ncols=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            replay = rebuild(analytics_url, sources, progress, batch_size=args.batch_size)
            result = asyncio.run(replay)
        except (RebuildFailed, SQLAlchemyError, OSError, ValueError) as exc:
            bar.close()
            print(f"rebuild failed, the read models are unchanged: {exc}", file=sys.stderr)
            return 1
    print(result.describe(), flush=True)
    return 0


def cmd_broker(args: argparse.Namespace) -> int:
    from shared.devstack import port_is_free
    from shared.embedded_broker import EmbeddedBroker

    if not port_is_free(args.port):
        # The broker's start-up waits for the port to answer: another listener would fool it.
        print(f"port {args.port} is already in use", file=sys.stderr)
        return 1
    log_path = _data_dir() / "logs" / "broker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    broker = EmbeddedBroker(port=args.port, log_path=log_path).start()
    print(f"broker listening on {broker.bootstrap_servers} (log: {log_path}); Ctrl-C stops it")
    try:
        while not stop.wait(0.5):
            if broker.process is None or broker.process.poll() is not None:
                print(f"the broker stopped; see {log_path}", file=sys.stderr)
                return 1
        return 0
    finally:
        broker.stop()


def _next_revision_id(service: str, database_url: str) -> str | None:
    """``0002`` after ``0001``: keeps the numbered file names; alembic's random id otherwise."""
    from alembic.script import ScriptDirectory

    from shared.migrations import alembic_config

    heads = ScriptDirectory.from_config(alembic_config(service, database_url)).get_heads()
    if len(heads) == 1 and heads[0].isdigit():
        return str(int(heads[0]) + 1).zfill(len(heads[0]))
    return None if heads else "0001"


def cmd_revision(args: argparse.Namespace) -> int:
    from alembic import command

    from shared.migrations import alembic_config, upgrade

    with tempfile.TemporaryDirectory() as scratch:
        # Compare the models with a scratch database at head, not with someone's local data.
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'autogenerate.db'}"
        if not args.database_url:
            upgrade(args.service, url)
        script = command.revision(
            alembic_config(args.service, url),
            message=args.message,
            autogenerate=True,
            rev_id=_next_revision_id(args.service, url),
        )
    scripts = script if isinstance(script, list) else [script]
    for item in scripts:
        if item is not None:
            _tidy(Path(item.path))
            print(f"wrote {item.path}: review it before committing")
    return 0


def _tidy(path: Path) -> None:
    """Alembic writes its own style; bring the file to the project's (best effort)."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if Path(ruff).exists():
        subprocess.run([ruff, "check", "--fix", "--quiet", str(path)], check=False)
        subprocess.run([ruff, "format", "--quiet", str(path)], check=False)
