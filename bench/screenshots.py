"""Screenshots for the README: the dashboard and a page of the annual report, from a running stack.

    make up                      # in one terminal (the analytics service on :8004)
    .venv/bin/scr-panel demo     # a living year of data
    .venv/bin/python -m bench.screenshots [--url http://127.0.0.1:8004] [--from D --to D]

writes docs/images/dashboard.png and docs/images/annual-report.png. It drives Debian's
/usr/bin/chromium (as tests/test_dashboard.py does; no browser download), signs in with a panel
token issued from this machine's settings (the JWT secret of the stack, as ``scr-panel token``),
and refuses every request to another origin, as the pages need none.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from urllib.parse import urlencode

from playwright.async_api import async_playwright

from shared.auth import issue_token
from shared.config import PlatformSettings
from shared.events.vocab import Role

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


async def shoot(url: str, token: str, period: dict[str, str]) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    query = urlencode(period)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
            device_scale_factor=1,
        )
        await context.route(lambda u: not u.startswith(url), lambda route: route.abort())
        page = await context.new_page()
        sign_in = {**period, "token": token}
        await page.goto(f"{url}/dashboard?{urlencode(sign_in)}")
        await page.wait_for_function(
            "() => [...document.querySelectorAll('canvas[data-chart]')]"
            ".every(c => window.Chart && window.Chart.getChart(c))"
        )
        dashboard = OUT / "dashboard.png"
        # The first screens (headline figures, monthly chart, outcomes), not the long tables.
        first_screens = {"x": 0, "y": 0, "width": 1280, "height": 1900}
        await page.screenshot(path=str(dashboard), clip=first_screens, full_page=True)
        await page.set_viewport_size({"width": 900, "height": 1270})
        report_query = f"{query}&format=html" if query else "format=html"
        await page.goto(f"{url}/dashboard/annual-report?{report_query}")
        report = OUT / "annual-report.png"
        await page.screenshot(path=str(report))
        await browser.close()
    return [dashboard, report]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8004", help="the analytics service")
    parser.add_argument("--token", help="a panel/dfe/ofsted/admin JWT (default: issue one)")
    parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD (default: a year ago)")
    parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD (default: today)")
    args = parser.parse_args()
    token = args.token or issue_token(PlatformSettings(), Role.PANEL, sub="panel:screenshots")
    period = {k: v for k, v in (("from", args.date_from), ("to", args.date_to)) if v}
    for path in asyncio.run(shoot(args.url.rstrip("/"), token, period)):
        print(path)


if __name__ == "__main__":
    main()
