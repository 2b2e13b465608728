"""``Idempotency-Key`` on creating POSTs: same key and body, the original answer again; same key
with another body, 422. The key is stored in the same transaction as what the request created,
so a retry after a lost response never creates twice, and a failed request leaves no key behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Header, Request
from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.db import idempotency_table, utcnow
from shared.errors import Conflict, DomainError, Invalid

R = TypeVar("R", bound=BaseModel)

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Makes a retried POST safe: the same key and body answer the same.",
    ),
]


@dataclass(frozen=True)
class IdempotencyRequest:
    key: str
    scope: str
    fingerprint: str

    @classmethod
    def from_request(
        cls, key: str | None, request: Request, principal: Principal, body: BaseModel
    ) -> IdempotencyRequest | None:
        if key is None:
            return None
        canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        fingerprint = hashlib.sha256(
            f"{request.method} {request.url.path}\n{canonical}".encode()
        ).hexdigest()
        # Hashed: a caller's ``sub`` has no length limit, the column has.
        scope = hashlib.sha256(
            f"{principal.sub}|{request.method}|{request.url.path}".encode()
        ).hexdigest()
        return cls(key=key, scope=scope, fingerprint=fingerprint)


async def _stored_answer(
    session: AsyncSession, idem: IdempotencyRequest, read_model: type[R]
) -> R | None:
    row = (
        await session.execute(
            select(idempotency_table.c.fingerprint, idempotency_table.c.response_body).where(
                idempotency_table.c.scope == idem.scope, idempotency_table.c.key == idem.key
            )
        )
    ).first()
    if row is None:
        return None
    if row.fingerprint != idem.fingerprint:
        raise Invalid("Idempotency-Key", "this key was already used with a different request")
    return read_model.model_validate_json(row.response_body)


async def commit_once(
    session: AsyncSession,
    idem: IdempotencyRequest | None,
    operation: Callable[[], Awaitable[R]],
    read_model: type[R],
) -> R:
    """Run a creating use case and commit it once, honouring the idempotency key if given."""
    if idem is not None and (stored := await _stored_answer(session, idem, read_model)):
        await session.rollback()
        return stored
    try:
        result = await operation()
    except DomainError:
        # A retry racing its own first attempt may wait on the same row lock, then find the
        # state moved on (409): if that first attempt has committed, its answer is the answer.
        await session.rollback()
        if idem is not None and (stored := await _stored_answer(session, idem, read_model)):
            await session.rollback()
            return stored
        raise
    if idem is not None:
        await session.execute(
            insert(idempotency_table).values(
                scope=idem.scope,
                key=idem.key,
                fingerprint=idem.fingerprint,
                status_code=201,
                response_body=result.model_dump_json(),
                created_at=utcnow(),
            )
        )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        # A concurrent request with the same key won the race: answer what it answered.
        if idem is not None and (stored := await _stored_answer(session, idem, read_model)):
            return stored
        raise
    return result


async def commit_step(
    session: AsyncSession,
    idem: IdempotencyRequest | None,
    operation: Callable[[], Awaitable[R]],
    read_model: type[R],
    what: str,
) -> R:
    """:func:`commit_once` for a step on one record (a case, a notice...): a unique key broken
    by a step recorded at the same instant (the loser of a race) answers 409, not 500."""
    try:
        return await commit_once(session, idem, operation, read_model)
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            f"another step on this {what} was recorded at the same moment; reload it"
        ) from exc
