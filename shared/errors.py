"""Errors as RFC 9457 problem details (``application/problem+json``).

Use cases raise the domain errors below; the handlers turn them, validation failures and anything
unexpected into problem documents. Validation failures name the field at fault.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        # Sent with the problem document: Retry-After on a 503, say.
        self.headers = headers or {}


class Unauthorized(DomainError):
    status, title = 401, "Unauthorized"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"


class NotFound(DomainError):
    status, title = 404, "Not found"


class Conflict(DomainError):
    """A step out of order: the message names the current state."""

    status, title = 409, "Conflict"


class Invalid(DomainError):
    """A business rule broken by one field: answers 422 naming that field."""

    status, title = 422, "Unprocessable content"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])


class Unavailable(DomainError):
    """A service this step needs did not answer; the same request may succeed a little later."""

    status, title = 503, "Service unavailable"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is answered."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = Field(
        default=None, description="On 422: each field at fault and what is wrong with it."
    )


_DESCRIPTIONS = {
    401: "No valid bearer token",
    403: "The token's role may not do this",
    404: "Not found, or not the caller's to see",
    409: "A step out of order: the detail names the current state",
    422: "Invalid input: each field at fault is named",
    503: "A service this step needs did not answer: retry later",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting the problem documents a route may answer."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


# Every authenticated route may answer these.
COMMON_PROBLEMS = problem_responses(401, 403, 422)


def problem(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": str(request.url.path),
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    # ("body", "notified_on") -> "notified_on"; ("query", "from") -> "from"; keep list indices.
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in ("body", "query", "path", "header")
        else [str(p) for p in loc]
    )
    return ".".join(parts) or str(loc[0] if loc else "body")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        response = problem(exc.status, exc.title, exc.detail, request, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field_name(tuple(e.get("loc", ()))),
                "message": str(e.get("msg", "invalid")).removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "Unprocessable content", detail, request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(exc.status_code, str(exc.detail), str(exc.detail), request)
        response.headers.update(exc.headers or {})  # e.g. Allow on 405
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500, "Internal server error", "an unexpected error occurred; it is logged", request
        )
