"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
the figures shown are the API's, a new event updates the page without a reload, nothing is
fetched from outside, and a screenshot is saved under ``artifacts/`` for CI. Then who may see it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

from services.analytics.schemas import SummaryRead
from shared.config import PlatformSettings
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.decisions import notification_body
from tests.support.oversight_seed import EXPECTED, YEAR, apply, year_events
from tests.support.services import auth, eventually, running_app, serving_app, settings_for

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PERIOD = {"from": YEAR[0].isoformat(), "to": YEAR[1].isoformat()}
QUERY = f"from={PERIOD['from']}&to={PERIOD['to']}"
NOTIFIER = "E08000001"  # a board with no event in the seeded year: out of touch until it notifies


def _token(platform: PlatformSettings, role: Role, lscb_id: str | None = None) -> str:
    return auth(platform, role, lscb_id=lscb_id)["Authorization"].removeprefix("Bearer ")


def _shown(text: str) -> float | int | None:
    """A figure as the page shows it ("1,234", "53.0%", an en dash) back to the API's value."""
    text = text.strip().replace(",", "").removesuffix("%")
    if text == "\u2013":
        return None
    return float(text) if "." in text else int(text)


def _lookup(summary: dict[str, Any], dotted: str) -> Any:
    value: Any = summary
    for part in dotted.split("."):
        value = value[part]
    return value


async def _summary(api: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.get("/v1/stats/summary", params=PERIOD, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_dashboard_in_chromium(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    analytics_db = databases.new("analytics")
    await apply(analytics_db, year_events())
    notifications = settings_for("notifications", platform, databases.new("notifications"))
    analytics = settings_for("analytics", platform, analytics_db)
    panel = auth(platform, Role.PANEL)
    async with (
        running_app(notifications) as (_, notifier),
        serving_app(analytics) as base,
        httpx.AsyncClient(base_url=base) as api,
        async_playwright() as playwright,
    ):
        # The registry reaches analytics through the broker, as every other event.
        registry = (await notifier.get("/v1/lscbs", headers=auth(platform, Role.ADMIN))).json()

        async def boards_known() -> bool:
            return (await _summary(api, panel))["lscbs_total"] == len(registry)

        await eventually(boards_known, timeout=60)
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London"
        )
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        # Anything for another origin would be refused (and is recorded above, and fails below).
        await context.route(lambda url: not url.startswith(base), lambda route: route.abort())
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # Console errors too: a Content-Security-Policy violation is reported there.
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        # Signing in with ?token= leaves a cookie and a URL without the token.
        await page.goto(f"{base}/dashboard?{QUERY}&token={_token(platform, Role.DFE)}")
        assert page.url == f"{base}/dashboard?{QUERY}"
        (cookie,) = [c for c in await context.cookies() if c["name"] == "scr_dashboard"]
        assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (
            True,
            "Strict",
            "/dashboard",
        )
        await page.wait_for_function(
            "() => [...document.querySelectorAll('canvas[data-chart]')]"
            ".filter(c => window.Chart.getChart(c)).length === 7"
        )
        await page.wait_for_function(
            "() => document.getElementById('live').dataset.state === 'live'"
        )

        # Every figure shown is the API's, and every figure of the summary is shown.
        summary = await _summary(api, panel)
        assert {name: summary[name] for name in EXPECTED} == EXPECTED
        shown: list[list[str]] = await page.eval_on_selector_all(
            "[data-figure]", "els => els.map(e => [e.dataset.figure, e.textContent])"
        )
        for name, text in shown:
            assert _shown(text) == _lookup(summary, name), name
        scalars = {
            name
            for name, field in SummaryRead.model_fields.items()
            if field.annotation in (int, float | None)
        }
        assert scalars <= {name for name, _ in shown}
        monthly = (await api.get("/v1/stats/monthly", params=PERIOD, headers=panel)).json()
        rows = await page.eval_on_selector_all(
            "tr[data-month]",
            "rows => rows.map(r => [...r.children].map(c => c.textContent.trim()))",
        )
        assert rows == [
            [
                m["month"],
                *(str(m[k]) for k in ("notifications", "decisions", "considerations", "reports")),
            ]
            for m in monthly["months"]
        ]
        lscbs = (await api.get("/v1/stats/lscbs", params=PERIOD, headers=panel)).json()
        listed = await page.eval_on_selector_all(
            "tr[data-lscb]", "rows => rows.map(r => r.dataset.lscb)"
        )
        flagged = [
            b["lscb_id"] for b in lscbs["boards"] if not b["in_touch"] or b["silent_12_months"]
        ]
        assert listed == flagged  # in the API's order: the least in touch first
        assert NOTIFIER in listed

        # A new event reaches the page through the broker and the stream, without a reload.
        await page.evaluate("window.stillTheSamePage = true")
        before = summary["notifications_received"]
        response = await notifier.post(
            "/v1/notifications",
            json=notification_body(dt.date(2015, 3, 2)),
            headers=auth(platform, Role.LSCB, lscb_id=NOTIFIER),
        )
        assert response.status_code == 201, response.text
        await page.wait_for_function(
            "n => window.stillTheSamePage === true && document.querySelector("
            "'[data-figure=\"notifications_received\"]').textContent.trim() === String(n)",
            arg=before + 1,
            timeout=30_000,
        )
        assert (await _summary(api, panel))["notifications_received"] == before + 1
        assert await page.locator(f'tr[data-lscb="{NOTIFIER}"]').count() == 0  # in touch now
        assert await page.eval_on_selector("#live", "e => e.dataset.state") == "updated"

        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "dashboard.png"
        await page.screenshot(path=str(shot), full_page=True)
        print(f"\ndashboard screenshot: {shot}")
        # A phone's width: everything fits, nothing scrolls sideways but the wide tables.
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.wait_for_timeout(300)
        wide = await page.evaluate(
            "() => [...document.querySelectorAll('body *')].filter(e =>"
            " e.getBoundingClientRect().right > 391 && !e.closest('.scroll'))"
            ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390, wide
        phone = ARTIFACTS / "dashboard-phone.png"
        await page.screenshot(path=str(phone), full_page=True)
        print(f"dashboard screenshot (phone): {phone}")
        await browser.close()

    assert errors == []
    assert requested and all(url.startswith(f"{base}/") for url in requested), [
        url for url in requested if not url.startswith(f"{base}/")
    ]
    assert f"{base}/dashboard/static/chart.umd.min.js" in requested
    assert any(url.startswith(f"{base}/dashboard/panel?") for url in requested)


async def test_who_may_see_the_dashboard(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    settings = settings_for("analytics", platform, databases.new("analytics"), run_workers=False)
    async with running_app(settings) as (_, client):
        anonymous = await client.get("/dashboard")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"].startswith("text/html")
        assert "Sign in" in anonymous.text and "/dashboard?token=" in anonymous.text

        board = await client.get(
            "/dashboard", headers=auth(platform, Role.LSCB, lscb_id="E06000001")
        )
        assert board.status_code == 403
        assert "not open to your role" in board.text
        via_link = await client.get(
            "/dashboard", params={"token": _token(platform, Role.LSCB, "E06000001")}
        )
        assert via_link.status_code == 403
        assert "set-cookie" not in via_link.headers
        forged = await client.get("/dashboard", params={"token": "not-a-jwt"})
        assert forged.status_code == 401
        assert "set-cookie" not in forged.headers

        # The page's own fetches want a sign-in too (answered as problem JSON).
        for path in ("/dashboard/panel", "/dashboard/stream", "/dashboard/annual-report"):
            refused = await client.get(path)
            assert refused.status_code == 401, path
            assert refused.headers["content-type"] == "application/problem+json"

        # Each overseer's bearer header works; the cookie works for the dashboard only.
        for role in (Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN):
            seen = await client.get("/dashboard", headers=auth(platform, role))
            assert seen.status_code == 200, role
            assert 'data-figure="notifications_received"' in seen.text
        signed_in = await client.get("/dashboard", params={"token": _token(platform, Role.OFSTED)})
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/dashboard"
        assert "HttpOnly" in signed_in.headers["set-cookie"]
        assert (await client.get("/dashboard")).status_code == 200  # the cookie
        assert (await client.get("/dashboard/panel")).status_code == 200
        assert (await client.get("/v1/stats/summary")).status_code == 401  # not for the API
        assert (await client.get("/v1/annual-report")).status_code == 401

        out = await client.get("/dashboard/sign-out")
        assert out.status_code == 303
        assert (await client.get("/dashboard")).status_code == 401
