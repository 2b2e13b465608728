"""Who may see the dashboard, and how a browser gets in.

A browser cannot send a bearer header when it navigates, so the dashboard (and only the
dashboard: the cookie's path is ``/dashboard``) also takes its token from a cookie. The cookie is
set by opening ``/dashboard?token=JWT`` once: the token is checked, stored HttpOnly (scripts
cannot read it) and SameSite=Strict (no other site can make the browser send it), and the browser
is redirected to a URL without it. The ``/v1`` API is untouched: it still wants the bearer header
(``shared.auth``), so a cookie can never drive it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import jwt
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.analytics.rendering import render
from shared.auth import Principal, decode_token
from shared.errors import DomainError, Forbidden, Unauthorized
from shared.events.vocab import Role

COOKIE = "scr_dashboard"
COOKIE_PATH = "/dashboard"
# Boards do not read national statistics (as the /v1/stats routes); every overseer may.
OVERSEERS = frozenset({Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN})


def _allowed(principal: Principal) -> Principal:
    if principal.role not in OVERSEERS:
        names = ", ".join(sorted(r.value for r in OVERSEERS))
        raise Forbidden(f"role '{principal.role.value}' may not see the dashboard (needs: {names})")
    return principal


def _presented_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.cookies.get(COOKIE)


def viewer(request: Request) -> Principal:
    """The dashboard's dependency: a bearer header or the dashboard cookie, of an overseer's
    role. Raises 401 / 403 (problem JSON for the page's own fetches)."""
    token = _presented_token(request)
    if not token:
        raise Unauthorized("sign in: open /dashboard?token=YOUR_TOKEN")
    return _allowed(decode_token(request.app.state.settings.platform, token))


def access_page(request: Request, error: DomainError) -> HTMLResponse:
    """A page (not JSON: a person is reading) that says why and how to get in. A cookie that no
    longer works is dropped, so that the next visit starts clean."""
    response = HTMLResponse(
        render(
            "access.html",
            status=error.status,
            detail=error.detail,
            forbidden=isinstance(error, Forbidden),
            roles=sorted(r.value for r in OVERSEERS),
        ),
        status_code=error.status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
    if error.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
        if request.cookies.get(COOKIE):
            response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


def sign_in(request: Request, token: str) -> Response:
    """Check ``token``, keep it in the dashboard cookie until it expires, and redirect to the
    same dashboard URL without it (so it is not left in the address bar or the history)."""
    _allowed(decode_token(request.app.state.settings.platform, token))
    # decode_token has verified the signature and that ``exp`` is there and in the future.
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    seconds = max(0, int(expires - dt.datetime.now(dt.UTC).timestamp()))
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    response = RedirectResponse(
        f"{request.url.path}?{query}" if query else request.url.path,
        status_code=303,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        # Secure whenever the page was reached over HTTPS (a proxy in front says so).
        secure=_https(request),
    )
    return response


def _https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def sign_out() -> Response:
    response = RedirectResponse(COOKIE_PATH + "/signed-out", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response
