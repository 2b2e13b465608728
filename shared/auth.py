"""JWT bearer tokens (PyJWT, HS256). Every service verifies them itself with the shared secret.

Claims: ``sub`` (who: a person or system), ``role`` (lscb, panel, dfe, ofsted, admin) and, for
``lscb``, ``lscb_id`` (the one board it speaks for and may see).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.config import PlatformSettings
from shared.errors import Forbidden, Unauthorized
from shared.events.vocab import Role

ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    sub: str
    role: Role
    lscb_id: str | None = None

    def can_see_board(self, lscb_id: str) -> bool:
        """A board sees only itself; every other role sees every board."""
        return self.role is not Role.LSCB or self.lscb_id == lscb_id


def issue_token(
    platform: PlatformSettings,
    role: Role | str,
    lscb_id: str | None = None,
    sub: str | None = None,
    ttl: dt.timedelta = dt.timedelta(hours=12),
) -> str:
    role = Role(role)
    if role is Role.LSCB and not lscb_id:
        raise ValueError("an lscb token needs lscb_id")
    now = dt.datetime.now(dt.UTC)
    claims = {
        "sub": sub or (f"lscb:{lscb_id}" if role is Role.LSCB else f"{role.value}:user"),
        "role": role.value,
        "iss": platform.jwt_issuer,
        "aud": platform.jwt_audience,
        "iat": now,
        "exp": now + ttl,
    }
    if lscb_id:
        claims["lscb_id"] = lscb_id
    return jwt.encode(claims, platform.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def decode_token(platform: PlatformSettings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            platform.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            audience=platform.jwt_audience,
            issuer=platform.jwt_issuer,
            options={"require": ["exp", "sub", "role"]},
        )
        role = Role(claims["role"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise Unauthorized(f"invalid token: {exc}") from exc
    lscb_id = claims.get("lscb_id")
    if role is Role.LSCB and not lscb_id:
        raise Unauthorized("an lscb token must carry lscb_id")
    return Principal(sub=str(claims["sub"]), role=role, lscb_id=lscb_id)


_bearer = HTTPBearer(auto_error=False)


def current_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("a bearer token is required")
    return decode_token(request.app.state.settings.platform, credentials.credentials)


def require_roles(*roles: Role) -> Callable[..., Principal]:
    allowed = frozenset(roles)

    def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"role '{principal.role.value}' may not do this (needs: {names})")
        return principal

    return dependency
