"""``scr-panel demo``: load a generated year into a running stack and say what to look at."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import sys

from shared.auth import issue_token
from shared.calendar import today
from shared.config import PlatformSettings
from shared.demo.generator import generate
from shared.demo.loader import Api, LoadError, LoadResult, ServiceUrls, load, registry, unreachable
from shared.demo.plan import FIRST_YEAR, TAIL_DAYS, YearPlan
from shared.events.vocab import Role


def run_demo(seed: int, year_from: dt.date, urls: ServiceUrls, concurrency: int) -> int:
    plan = dataclasses.replace(FIRST_YEAR, date_from=year_from)
    latest = today() - dt.timedelta(days=TAIL_DAYS + 366)
    if year_from > latest:
        # Business dates are never in the future, and a year's steps run on after its end.
        print(f"--year-from must be on or before {latest} (steps are never dated in the future)")
        return 1
    platform = PlatformSettings()
    try:
        result = asyncio.run(_load(plan, seed, urls, platform, concurrency))
    except LoadError as exc:
        hint = " (is JWT_SECRET the stack's?)" if " 401" in str(exc) else ""
        print(f"demo stopped: {exc}{hint}", file=sys.stderr)
        return 1
    if result is None:
        return 1
    _say_what_to_try(plan, urls, platform, result)
    return 0


async def _load(
    plan: YearPlan, seed: int, urls: ServiceUrls, platform: PlatformSettings, concurrency: int
) -> LoadResult | None:
    from tqdm import tqdm

    down = await unreachable(urls)
    if down:
        print(
            f"the stack is not up: no answer from {', '.join(down)}; start it with `make up`",
            file=sys.stderr,
        )
        return None
    async with Api(urls, platform) as api:
        timeline = generate(plan, await registry(api), seed)
        description = f"{plan.date_from} to {plan.date_to}"
        with tqdm(
            total=timeline.step_count, desc=description, unit=" steps", dynamic_ncols=True
        ) as bar:
            return await load(timeline, api, concurrency, progress=lambda _: bar.update())


def _say_what_to_try(
    plan: YearPlan, urls: ServiceUrls, platform: PlatformSettings, result: LoadResult
) -> None:
    token = issue_token(platform, Role.PANEL, sub="panel:demo", ttl=dt.timedelta(hours=12))
    period = f"from={plan.date_from}&to={plan.date_to}"
    auth = '-H "Authorization: Bearer $TOKEN"'
    print(
        f"Loaded {result.cases} cases ({result.steps} steps) dated {plan.date_from} to "
        f"{plan.date_to}, in {result.seconds:.0f} s. The analytics service may take a few "
        "seconds more to take in the last events.\n"
        "\nThe dashboard (as the panel, for 12 hours):\n"
        f"  {urls.analytics}/dashboard?{period}&token={token}\n"
        f"\nThen try, after  export TOKEN={token}\n"
        f"  the year's figures:  curl {auth} '{urls.analytics}/v1/stats/summary?{period}'\n"
        f"  boards not in touch: curl {auth} '{urls.analytics}/v1/stats/lscbs?{period}'\n"
        f"  the annual report:   curl {auth} "
        f"'{urls.analytics}/v1/annual-report?{period}&format=md'\n"
        f"  the panel's agenda:  curl {auth} '{urls.decisions}/v1/agenda'\n"
        f"  the learning repository: curl {auth} "
        f"'{urls.publication}/v1/repository/search?q=neglect'\n"
        f"  the next year:       scr-panel demo --year-from {plan.date_to + dt.timedelta(days=1)}",
        flush=True,
    )
