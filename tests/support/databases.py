"""Throwaway databases for tests.

With ``SCR_TEST_POSTGRES_URL`` set (CI does), every test gets fresh PostgreSQL databases cloned
from a template migrated once per run; otherwise fresh SQLite files copied from a migrated one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import upgrade

POSTGRES_URL = os.environ.get("SCR_TEST_POSTGRES_URL", "")


def backend() -> str:
    return "postgresql" if POSTGRES_URL else "sqlite"


def _off_loop(fn, *args):  # type: ignore[no-untyped-def]
    """Run blocking set-up (which may call asyncio.run) outside the test's event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


async def _admin_execute(*statements: str) -> None:
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


def _pg_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


class DatabaseFactory:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex[:8]
        self.templates: dict[str, str] = {}
        self.created: list[str] = []

    def _template(self, service: str) -> str:
        if service in self.templates:
            return self.templates[service]
        if POSTGRES_URL:
            name = f"scr_tpl_{self.run_id}_{service}"
            asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
            self.created.append(name)
            upgrade(service, _pg_url(name))
        else:
            name = str(self.workdir / f"template-{service}.db")
            upgrade(service, f"sqlite+aiosqlite:///{name}")
        self.templates[service] = name
        return name

    def new(self, service: str) -> str:
        """A migrated, empty database for ``service``; returns its async URL."""
        return _off_loop(self._new, service)

    def _new(self, service: str) -> str:
        template = self._template(service)
        suffix = uuid.uuid4().hex[:10]
        if POSTGRES_URL:
            name = f"scr_t_{self.run_id}_{service}_{suffix}"
            asyncio.run(_admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            self.created.append(name)
            return _pg_url(name)
        path = self.workdir / f"{service}-{suffix}.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"

    def empty(self, service: str) -> str:
        """An empty, unmigrated database (to test migration on start)."""
        return _off_loop(self._empty, service)

    def _empty(self, service: str) -> str:
        suffix = uuid.uuid4().hex[:10]
        if POSTGRES_URL:
            name = f"scr_t_{self.run_id}_{service}_{suffix}"
            asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
            self.created.append(name)
            return _pg_url(name)
        return f"sqlite+aiosqlite:///{self.workdir / f'{service}-{suffix}.db'}"

    def drop_all(self) -> None:
        if not POSTGRES_URL or not self.created:
            return
        statements = [f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in reversed(self.created)]
        asyncio.run(_admin_execute(*statements))
