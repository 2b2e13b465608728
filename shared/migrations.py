"""Alembic, the same way for every service: each service keeps its revisions in its own
``migrations/`` folder; this module runs them (``scr-panel migrate`` and on start).
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import zlib
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic import command, context, op
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection, make_url

from shared.db import UTCDateTime, is_sqlite, make_engine


def migrations_dir(service_name: str) -> Path:
    spec = importlib.util.find_spec(f"services.{service_name}")
    if spec is None or spec.origin is None:
        raise LookupError(f"no service named {service_name!r}")
    return Path(spec.origin).parent / "migrations"


def alembic_config(service_name: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir(service_name)))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["service_name"] = service_name
    return config


def upgrade(service_name: str, database_url: str) -> None:
    """Bring ``database_url`` to the newest revision (blocking; run it in a thread from async)."""
    if is_sqlite(database_url):
        database = make_url(database_url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service_name, database_url), "head")


def run_env(target_metadata: list[MetaData]) -> None:
    """The body of every service's ``migrations/env.py``."""
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=target_metadata,
            literal_binds=True,
            render_as_batch=True,
            include_name=_include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    service_name = config.attributes.get("service_name", "service")
    asyncio.run(_run_online(url, target_metadata, service_name))


async def _run_online(url: str, target_metadata: list[MetaData], service_name: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            if not is_sqlite(url):
                # Replicas starting together must not migrate at the same time.
                lock_key = zlib.crc32(f"scr-panel:migrate:{service_name}".encode())
                await connection.execute(text(f"SELECT pg_advisory_lock({lock_key})"))
                await connection.commit()
            await connection.run_sync(_run_sync, target_metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes our own column types with their import, so revisions run as made."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("from shared.db import UTCDateTime")
        return "UTCDateTime()"
    return False


# Full-text search objects that revisions make by hand, the models being unable to declare them:
# SQLite FTS5 tables (``*_fts``) and their shadow tables, PostgreSQL generated ``search_vector``
# columns and their indexes. Autogenerate must not offer to drop them.
_FTS_TABLE = re.compile(r"\w+_fts(_(data|idx|content|docsize|config))?")
SEARCH_VECTOR = "search_vector"


def _include_name(name: str | None, type_: str, parent_names: MutableMapping[str, Any]) -> bool:
    """Which reflected objects autogenerate compares with the models (all but the above)."""
    if name is None:
        return True
    if type_ == "table":
        return _FTS_TABLE.fullmatch(name) is None
    if type_ == "column":
        return name != SEARCH_VECTOR
    if type_ == "index":
        return not name.endswith(f"_{SEARCH_VECTOR}")
    return True


def _run_sync(connection: Connection, target_metadata: list[MetaData]) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def create_infra_tables() -> None:
    """Outbox, inbox and idempotency keys: called by each service's first revision."""
    op.create_table(
        "outbox",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["seq"],
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    )
    op.create_index("ix_outbox_created_at", "outbox", ["created_at"])
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("applied_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(300), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response_body", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
    )


def drop_infra_tables() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("inbox")
    op.drop_index("ix_outbox_created_at", table_name="outbox")
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_table("outbox")
