"""The figures beyond the summary's counts: which boards are in touch (para 13) and silent, the
monthly series, and the summary as CSV. Events are built by hand, as the producers send them, and
applied through the analytics handlers; the routes are read over HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from services.analytics.models import Lscb
from services.analytics.registry import active_boards
from services.analytics.schemas import Period
from services.analytics.stats import months_of
from shared.config import PlatformSettings
from shared.events.contracts import (
    Authority,
    LscbRegisteredV1,
    LscbUpdatedV1,
    NonPublicationConsideredV1,
    NonPublicationNotifiedV1,
    NonPublicationRespondedV1,
    ReportPublishedV1,
    ReportReceivedV1,
)
from shared.events.envelope import EventData
from shared.events.vocab import (
    ConsiderationOutcome,
    NonPublicationAction,
    NonPublicationOutcome,
    NonPublicationProposal,
    NonPublicationReason,
    NonPublicationState,
    ResponseAction,
    Role,
    WorkingTogether,
)
from tests.support.databases import DatabaseFactory
from tests.support.publication import notification_received, scr_initiated
from tests.support.services import auth, running_app, settings_for
from tests.test_analytics_decisions import answered, apply, considered, decided, opened

FROM, TO = dt.date(2013, 6, 1), dt.date(2014, 5, 31)
BEFORE, AFTER = FROM - dt.timedelta(days=1), TO + dt.timedelta(days=1)
MID = dt.date(2013, 11, 14)
LATER_AGREE = dt.date(2014, 1, 10)
REGISTERED = dt.date(2013, 4, 1)
BOARDS = [f"E0900000{n}" for n in range(1, 10)] + ["E09000010", "E09000011"]
(
    NOTIFIES,
    DECIDES,
    RESPONDS,
    PUBLISHES,
    NOTICE,
    NOTICE_ANSWER,
    OUTSIDE,
    NOTHING,
    MERGED_AWAY,
    MERGED_INTO,
    MERGES_LATER,
) = BOARDS


def _board(lscb_id: str) -> LscbRegisteredV1:
    authority = Authority(ons_code=lscb_id, name=f"Area {lscb_id}", dfe_la_code="300")
    return LscbRegisteredV1(
        lscb_id=lscb_id, name=f"Board {lscb_id}", registered_on=REGISTERED, authorities=(authority,)
    )


def _merge(lscb_id: str, into: str, on: dt.date) -> LscbUpdatedV1:
    authority = Authority(ons_code=lscb_id, name=f"Area {lscb_id}", dfe_la_code="300")
    return LscbUpdatedV1(
        lscb_id=lscb_id,
        name=f"Board {lscb_id}",
        active=False,
        merged_into=into,
        changed_on=on,
        authorities=(authority,),
    )


def _notified(board: str, on: dt.date) -> EventData:
    scr = scr_initiated(board, on + dt.timedelta(days=20))
    return notification_received(scr)  # notified 20 days before the SCR's initiation: on `on`


def _report(board: str, n: str, submitted: dt.date) -> ReportReceivedV1:
    return ReportReceivedV1(
        scr_id=f"s-{n}",
        case_id=f"c-{n}",
        lscb_id=board,
        report_id=f"r-{n}",
        submitted_on=submitted,
        planned_publication_on=submitted + dt.timedelta(days=14),
        short_notice=False,
        notice_days=14,
        initiated_on=submitted - dt.timedelta(days=150),
        working_together=WorkingTogether.UNDER_2013,
    )


def _notice(board: str, n: str, on: dt.date) -> NonPublicationNotifiedV1:
    return NonPublicationNotifiedV1(
        scr_id=f"s-{n}",
        case_id=f"c-{n}",
        lscb_id=board,
        notice_id=f"n-{n}",
        state=NonPublicationState.AWAITING_PANEL,
        seq=1,
        notified_on=on,
        reasons=(NonPublicationReason.CRIMINAL_PROCEEDINGS,),
        proposal=NonPublicationProposal.WITHHOLD,
        initiated_on=on - dt.timedelta(days=150),
    )


def _events() -> list[EventData]:
    """One board for each kind of contact in the period, and boards with none in it."""
    common = {"scr_id": "s-na", "case_id": "c-na", "lscb_id": NOTICE_ANSWER, "notice_id": "n-na"}
    earlier = decided("resp", BEFORE - dt.timedelta(days=30)).model_copy(
        update={"lscb_id": RESPONDS}
    )
    challenge = considered(
        earlier, 1, BEFORE - dt.timedelta(days=10), ConsiderationOutcome.CHALLENGE, True
    )
    follow_up = opened(challenge, MID)
    response, closed = answered(follow_up, MID, ResponseAction.PROVIDE_INFORMATION)
    published_report = _report(PUBLISHES, "pub", BEFORE - dt.timedelta(days=20))
    return [
        *(_board(b) for b in BOARDS),
        _notified(NOTIFIES, MID),
        _notified(DECIDES, BEFORE),  # outside: the decision in the period is its contact
        decided("dec", MID).model_copy(update={"lscb_id": DECIDES}),
        earlier,
        challenge,
        follow_up,
        response,
        closed,
        considered(earlier, 2, LATER_AGREE, ConsiderationOutcome.AGREE, False),
        published_report,
        _report(PUBLISHES, "pub2", FROM),
        ReportPublishedV1(
            scr_id="s-pub",
            case_id="c-pub",
            lscb_id=PUBLISHES,
            report_id="r-pub",
            published_on=MID,
            url="https://example.org/r",
        ),
        _notice(NOTICE, "nn", TO),
        NonPublicationConsideredV1(
            scr_id="s-nn",
            case_id="c-nn",
            lscb_id=NOTICE,
            notice_id="n-nn",
            state=NonPublicationState.ACCEPTED,
            seq=2,
            consideration_id="k-nn",
            considered_on=TO,
            outcome=NonPublicationOutcome.ACCEPT,
            first_consideration=True,
        ),
        _notice(NOTICE_ANSWER, "na", BEFORE - dt.timedelta(days=40)),
        NonPublicationConsideredV1(
            **common,
            state=NonPublicationState.AWAITING_LSCB,
            seq=2,
            consideration_id="k-na",
            considered_on=BEFORE - dt.timedelta(days=20),
            outcome=NonPublicationOutcome.CHALLENGE,
            first_consideration=True,
        ),
        NonPublicationRespondedV1(
            **common,
            state=NonPublicationState.AWAITING_PANEL,
            seq=3,
            response_id="a-na",
            responded_on=FROM,
            action=NonPublicationAction.MAINTAIN,
        ),
        # A board busy only the day before the period and the day after it: not in touch.
        _notified(OUTSIDE, BEFORE),
        decided("out", AFTER).model_copy(update={"lscb_id": OUTSIDE}),
        _report(OUTSIDE, "out", AFTER),
        _notice(OUTSIDE, "out2", AFTER),
        # A board merged away during the period: its notification is its successor's contact.
        _notified(MERGED_AWAY, MID),
        _merge(MERGED_AWAY, MERGED_INTO, TO),
        # A merge after the period: the board was still active, and in touch through nothing.
        _merge(MERGES_LATER, NOTIFIES, AFTER),
    ]


async def _serve(databases: DatabaseFactory, platform: PlatformSettings):  # type: ignore[no-untyped-def]
    url = databases.new("analytics")
    await apply(url, _events())
    return settings_for("analytics", platform, url, run_workers=False)


def _params(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


async def test_boards_in_touch_and_silent(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    panel = auth(platform, Role.PANEL)
    async with running_app(await _serve(databases, platform)) as (_, stats):
        response = await stats.get("/v1/stats/lscbs", params=_params(FROM, TO), headers=panel)
        assert response.status_code == 200, response.text
        body = response.json()
        summary = await stats.get("/v1/stats/summary", params=_params(FROM, TO), headers=panel)
        figures = summary.json()

    # Everyone but the board merged away on `to` is active; the merge after `to` is not yet.
    active = set(BOARDS) - {MERGED_AWAY}
    quiet = {OUTSIDE, NOTHING, MERGES_LATER}
    assert body["not_in_touch"] == sorted(quiet)
    assert figures["lscbs_total"] == len(active) == 10
    assert figures["lscbs_not_in_touch"] == 3
    assert figures["lscbs_not_in_touch_pct"] == 30.0
    # Heard from within twelve months up to `to`: a notification on the day before the period
    # is exactly twelve months old, so its board is silent.
    assert body["silent_12_months"] == sorted(active - {NOTIFIES, MERGED_INTO})
    assert figures["lscbs_silent_12_months"] == 8

    rows = {b["lscb_id"]: b for b in body["boards"]}
    assert set(rows) == active
    kinds = ("notifications", "decisions", "responses", "reports", "notices")

    def counts(board: str) -> tuple[int, ...]:
        return tuple(rows[board][k] for k in kinds)

    assert counts(NOTIFIES) == (1, 0, 0, 0, 0)
    assert counts(DECIDES) == (0, 1, 0, 0, 0)
    assert counts(RESPONDS) == (0, 0, 1, 0, 0)
    assert counts(PUBLISHES) == (0, 0, 0, 2, 0)  # one received in P, one published in P
    assert counts(NOTICE) == (0, 0, 0, 0, 1)
    assert counts(NOTICE_ANSWER) == (0, 0, 1, 0, 0)  # its answer after the panel's challenge
    assert counts(MERGED_INTO) == (1, 0, 0, 0, 0)  # the board merged into it notified
    for board in quiet:
        assert counts(board) == (0, 0, 0, 0, 0) and not rows[board]["in_touch"]
    assert rows[DECIDES]["last_notified_on"] == BEFORE.isoformat()
    assert rows[NOTHING]["last_notified_on"] is None
    # The least in touch first, never-notified before long-silent.
    order = [b["lscb_id"] for b in body["boards"]]
    assert order[:3] == [NOTHING, MERGES_LATER, OUTSIDE]  # by id among the never-notified
    assert all(not rows[b]["in_touch"] for b in order[:3])
    assert all(rows[b]["in_touch"] for b in order[3:])


async def test_one_day_more_or_less_moves_a_board(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """The board busy only on the days either side of the period comes into touch when the
    period takes in either day; a period starting after everything has nobody in touch."""
    panel = auth(platform, Role.PANEL)
    async with running_app(await _serve(databases, platform)) as (_, stats):

        async def quiet(start: dt.date, end: dt.date) -> list[str]:
            response = await stats.get("/v1/stats/lscbs", params=_params(start, end), headers=panel)
            assert response.status_code == 200, response.text
            return list(response.json()["not_in_touch"])

        assert OUTSIDE in await quiet(FROM, TO)
        assert OUTSIDE not in await quiet(BEFORE, TO)
        assert OUTSIDE not in await quiet(FROM, AFTER)
        later = await quiet(AFTER + dt.timedelta(days=1), AFTER + dt.timedelta(days=30))
        assert NOTHING in later and NOTIFIES in later and OUTSIDE in later


async def test_the_monthly_series(platform: PlatformSettings, databases: DatabaseFactory) -> None:
    panel = auth(platform, Role.PANEL)
    async with running_app(await _serve(databases, platform)) as (_, stats):

        async def series(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
            response = await stats.get(
                "/v1/stats/monthly", params=_params(start, end), headers=panel
            )
            assert response.status_code == 200, response.text
            assert response.json()["period"] == _params(start, end)
            return list(response.json()["months"])

        year = await series(FROM, TO)
        assert [m["month"] for m in year] == months_of(Period(date_from=FROM, date_to=TO))
        assert len(year) == 12 and year[0]["month"] == "2013-06" and year[-1]["month"] == "2014-05"
        busy = {m["month"]: m for m in year if any(v for k, v in m.items() if k != "month")}
        zero = {"notifications": 0, "decisions": 0, "considerations": 0, "reports": 0}
        assert busy == {
            "2013-06": {"month": "2013-06", **zero, "reports": 1},
            "2013-11": {"month": "2013-11", **zero, "notifications": 2, "decisions": 1},
            "2014-01": {"month": "2014-01", **zero, "considerations": 1},
            "2014-05": {"month": "2014-05", **zero, "considerations": 1},
        }
        # Part months count only the period's days: 14 November is in, 13 December-9 January
        # holds nothing, 10 January is the last day.
        part = await series(MID, LATER_AGREE)
        assert [m["month"] for m in part] == ["2013-11", "2013-12", "2014-01"]
        assert [m["notifications"] for m in part] == [2, 0, 0]
        assert [m["considerations"] for m in part] == [0, 0, 1]
        after_mid = await series(MID + dt.timedelta(days=1), LATER_AGREE - dt.timedelta(days=1))
        assert all(m == {"month": m["month"], **zero} for m in after_mid)
        # The series adds up to the summary's counts.
        summary = await stats.get("/v1/stats/summary", params=_params(FROM, TO), headers=panel)
        figures = summary.json()
        assert sum(m["notifications"] for m in year) == figures["notifications_received"]
        assert sum(m["considerations"] for m in year) == figures["panel_considerations"]
        assert sum(m["reports"] for m in year) == figures["reports_received_before_publication"]


async def test_the_summary_as_csv(platform: PlatformSettings, databases: DatabaseFactory) -> None:
    panel = auth(platform, Role.PANEL)
    async with running_app(await _serve(databases, platform)) as (_, stats):
        params = _params(FROM, TO)
        as_json = (await stats.get("/v1/stats/summary", params=params, headers=panel)).json()
        response = await stats.get("/v1/stats/summary.csv", params=params, headers=panel)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "2013-06-01-2014-05-31.csv" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["figure", "value"]
    values = dict(rows[1:])
    assert len(values) == len(rows) - 1  # every name once
    assert values["period.from"] == "2013-06-01" and values["period.to"] == "2014-05-31"

    # Every figure of the JSON, flattened: the same value, an empty cell for a null share.
    def flat(prefix: str, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                out.update(flat(f"{prefix}.{key}" if prefix else key, item))
            return out
        return {prefix: "" if value is None else str(value)}

    assert values == flat("", as_json)
    assert values["lscbs_not_in_touch"] == "3"
    assert values["quality.under_working_together_2013.reports_reviewed"] == "0"


@pytest.mark.parametrize("path", ["/v1/stats/monthly", "/v1/stats/lscbs", "/v1/stats/summary.csv"])
async def test_the_routes_refuse_boards_and_bad_periods(
    platform: PlatformSettings, databases: DatabaseFactory, path: str
) -> None:
    async with running_app(await _serve(databases, platform)) as (_, stats):
        board = auth(platform, Role.LSCB, lscb_id=NOTIFIES)
        assert (await stats.get(path, headers=board)).status_code == 403
        assert (await stats.get(path)).status_code == 401
        for role in (Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN):
            assert (await stats.get(path, headers=auth(platform, role))).status_code == 200
        panel = auth(platform, Role.PANEL)
        backwards = await stats.get(path, params=_params(TO, FROM), headers=panel)
        assert backwards.status_code == 422
        assert [e["field"] for e in backwards.json()["errors"]] == ["to"]
        bad = await stats.get(path, params={"from": "2014-02-30"}, headers=panel)
        assert bad.status_code == 422 and "from" in bad.text
        # Nothing is dated before LSCBs began; the floor also bounds the months of a period.
        early = await stats.get(path, params={"from": "2006-03-31"}, headers=panel)
        assert early.status_code == 422
        assert [e["field"] for e in early.json()["errors"]] == ["from"]
        floor = await stats.get(path, params={"from": "2006-04-01"}, headers=panel)
        assert floor.status_code == 200


def test_active_boards_ignores_registration_after_the_day() -> None:
    late = Lscb(id="X", name="X", registered_on=dt.date(2015, 1, 1), merged_on=None)
    assert active_boards([late], dt.date(2014, 12, 31)) == set()
    assert active_boards([late], dt.date(2015, 1, 1)) == {"X"}
