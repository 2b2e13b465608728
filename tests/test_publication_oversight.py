"""The publication service over HTTP, steps 6 and 7 (DOMAIN.md §2) and the SCRs' six-month rule:
the panel's quality review of a report, recommendations and their implementation (the board's
updates, the lists, the chair's annual report), and SCRs marked overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.publication.scheduler import mark_overdue_scrs
from shared.calendar import months_before
from shared.config import PlatformSettings
from shared.db import make_engine, make_sessionmaker
from shared.events.contracts import LscbRegisteredV1
from shared.events.vocab import QualityFeature, Role
from tests.support.databases import DatabaseFactory
from tests.support.publication import (
    BOARD_A,
    BOARD_B,
    apply_events,
    publication_service,
    recommendation_body,
    review_body,
)
from tests.support.publication_checks import (
    DROP,
    D,
    changed,
    events,
    field_at_fault,
    get,
    masked,
    written,
)

SUBMITTED = D(2014, 7, 1)
FEATURES = [f.value for f in QualityFeature]


def _scores(*values: Any) -> dict[str, dict[str, Any]]:
    return {f: {"score": v, "comment": f"On {f}."} for f, v in zip(FEATURES, values, strict=True)}


# --- quality reviews ------------------------------------------------------------------------


async def test_a_quality_review_scores_the_seven_features_once(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        # Working Together 2013 came into force on 15 April 2013 (para 25).
        before_2013 = await pub.report(await pub.seed_scr(initiated_on=D(2013, 4, 14)), SUBMITTED)
        under_2013 = await pub.report(await pub.seed_scr(initiated_on=D(2013, 4, 15)), SUBMITTED)
        problems = ["lists_without_asking_why", "not_child_centred"]
        review = await pub.review(
            before_2013["id"],
            D(2014, 7, 3),
            scores=_scores(1, 2, 2, 3, 4, 4, 4),
            problems=problems,
            comment="A chronology more than an analysis.",
        )
        assert {k: v for k, v in review.items() if k not in ("id", "recorded_at")} == {
            "report_id": before_2013["id"],
            "scr_id": before_2013["scr_id"],
            "lscb_id": BOARD_A,
            "reviewed_on": "2014-07-03",
            "working_together": "before_working_together_2013",
            "scores": _scores(1, 2, 2, 3, 4, 4, 4),
            "problems": problems,
            "comment": "A chronology more than an analysis.",
            "reviewer": "panel:member",
            "mean_score": 2.9,  # 20 / 7
        }
        assert (await get(pub, f"/v1/reports/{before_2013['id']}"))["quality_review"] == review

        # Reviewed the day it was sent; no problem flagged; all fours.
        other = await pub.review(under_2013["id"], SUBMITTED, score=4, problems=[])
        assert other["working_together"] == "under_working_together_2013"
        assert (other["mean_score"], other["problems"], other["comment"]) == (4.0, [], None)

        # A second review of one report is refused; nothing written.
        before = await written(pub)
        again = await pub.review(before_2013["id"], D(2014, 7, 4), expect=409)
        assert again["state"] == "reviewed" and before_2013["id"] in again["detail"]
        assert await written(pub) == before
        assert (await get(pub, f"/v1/reports/{before_2013['id']}"))["quality_review"] == review

        # A published report may be reviewed too; a missing one is 404.
        published = await pub.report(await pub.seed_scr(), SUBMITTED)
        await pub.publish(published["id"], D(2014, 7, 8))
        assert (await pub.review(published["id"], D(2014, 7, 9)))["mean_score"] == 3.0
        missing = await pub.review("no-such-report", D(2014, 7, 9), expect=404)
        assert missing["detail"] == "no report 'no-such-report'"


async def test_only_the_panel_reviews_quality(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        report = await pub.report(await pub.seed_scr(), SUBMITTED)
        path = f"/v1/reports/{report['id']}/quality-reviews"
        body = review_body(D(2014, 7, 3))
        before = await written(pub)
        for headers in (
            pub.board(BOARD_A),  # not even the report's own board
            pub.board(BOARD_B),
            pub.as_role(Role.DFE),
            pub.as_role(Role.OFSTED),
            pub.as_role(Role.ADMIN),
        ):
            response = await pub.client.post(path, json=body, headers=headers)
            assert response.status_code == 403, response.text
        assert (await pub.client.post(path, json=body)).status_code == 401
        assert await written(pub) == before
        assert (await pub.post(path, body, pub.panel()))["report_id"] == report["id"]


def _score_of(value: Any) -> dict[str, Any]:
    scores = _scores(*[3] * 7)
    scores["causes_and_prevention"] = {"score": value, "comment": "Scored."}
    return {"scores": scores}


BAD_REVIEWS: list[tuple[str, dict[str, Any], str]] = [
    *[
        (
            f"{feature} not scored",
            {"scores": {f: s for f, s in _scores(*[3] * 7).items() if f != feature}},
            f"scores.{feature}",
        )
        for feature in FEATURES
    ],
    ("scores missing", {"scores": DROP}, "scores"),
    ("scores empty", {"scores": {}}, f"scores.{FEATURES[0]}"),
    ("scores a list", {"scores": [3] * 7}, "scores"),
    *[
        (f"score {value!r}", _score_of(value), "scores.causes_and_prevention.score")
        for value in (0, 5, -1, 2.5, 2.0, "3", True, False, None, [3])
    ],
    (
        "score missing",
        {"scores": {**_scores(*[3] * 7), FEATURES[0]: {"comment": "No score."}}},
        f"scores.{FEATURES[0]}.score",
    ),
    (
        "comment missing",
        {"scores": {**_scores(*[3] * 7), FEATURES[2]: {"score": 2}}},
        f"scores.{FEATURES[2]}.comment",
    ),
    (
        "comment blank",
        {"scores": {**_scores(*[3] * 7), FEATURES[6]: {"score": 2, "comment": " "}}},
        f"scores.{FEATURES[6]}.comment",
    ),
    (
        "feature unknown",
        {"scores": {**_scores(*[3] * 7), "humour": {"score": 2, "comment": "Dry."}}},
        "scores.humour",
    ),
    ("problem twice", {"problems": ["not_child_centred"] * 2}, "problems"),
    ("problem unknown", {"problems": ["too_long"]}, "problems.0"),
    ("problems a string", {"problems": "not_child_centred"}, "problems"),
    ("reviewed before submitted", {"reviewed_on": "2014-06-30"}, "reviewed_on"),
    ("reviewed_on future", {"reviewed_on": "FUTURE"}, "reviewed_on"),
    ("reviewed_on not ISO", {"reviewed_on": "3/7/2014"}, "reviewed_on"),
    ("comment blank", {"comment": "  "}, "comment"),
    ("unknown field", {"grade": "A"}, "grade"),
]


async def test_bad_quality_review_input_is_422_naming_the_field_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with publication_service(platform, databases) as pub:
        report = await pub.report(await pub.seed_scr(), SUBMITTED)
        path = f"/v1/reports/{report['id']}/quality-reviews"
        base = review_body(D(2014, 7, 3))
        before = await written(pub)
        for what, changes, field in BAD_REVIEWS:
            body = changed(base, changes)
            if body.get("reviewed_on") == "FUTURE":
                body["reviewed_on"] = future
            response = await pub.client.post(path, json=body, headers=pub.panel())
            assert field_at_fault(response).startswith(field), (what, response.text)
        assert await written(pub) == before
        assert (await pub.post(path, base, pub.panel()))["mean_score"] == 3.0


# --- recommendations: the lists -------------------------------------------------------------


async def test_recommendations_list_filters_and_pages(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    council = recommendation_body(due_on="2014-06-30")
    nhs = recommendation_body(
        addressee="NHS England", addressee_kind="organisation", level="national", sector="health"
    )
    police = recommendation_body(addressee="Cleveland Police", sector="police", due_on="2099-01-01")
    trust = recommendation_body(
        addressee="100% Safe_Schools Trust", sector="education", due_on="2014-05-01"
    )
    async with publication_service(platform, databases) as pub:
        a_report = await pub.report(
            await pub.seed_scr(), D(2014, 3, 3), recommendations=[council, nhs]
        )
        a_notice = await pub.notice(
            await pub.seed_scr(),
            D(2014, 5, 5),
            proposal="recommendations_only",
            delay_until_event=None,
            recommendations=[police],
        )
        b_report = await pub.report(
            await pub.seed_scr(BOARD_B), D(2014, 4, 4), board=BOARD_B, recommendations=[trust]
        )
        r1, r2 = (r["id"] for r in a_report["recommendations"])
        [r3] = [r["id"] for r in a_notice["recommendations"]]
        [r4] = [r["id"] for r in b_report["recommendations"]]
        # Past due but implemented: not overdue.
        await pub.update_recommendation(r1, "implemented", D(2014, 6, 1))

        rows: list[tuple[dict[str, Any], str | None, list[str]]] = [
            ({}, None, [r3, r4, r1, r2]),
            ({"lscb_id": BOARD_A}, None, [r3, r1, r2]),
            ({"lscb_id": BOARD_B}, None, [r4]),
            ({}, BOARD_A, [r3, r1, r2]),
            ({}, BOARD_B, [r4]),
            ({"lscb_id": BOARD_A}, BOARD_B, []),
            ({"status": "implemented"}, None, [r1]),
            ({"status": "proposed"}, None, [r3, r4, r2]),
            ({"status": "not_accepted"}, None, []),
            ({"addressee": "nhs"}, None, [r2]),
            ({"addressee": "COUNCIL"}, None, [r1]),
            ({"addressee": " police"}, None, [r3]),
            ({"addressee": "100%"}, None, [r4]),
            ({"addressee": "e_s"}, None, [r4]),
            ({"addressee": "n_s"}, None, []),  # "_" is not a wildcard (else: NHS)
            ({"addressee": "h%l"}, None, []),  # "%" is not a wildcard (else: Hartlepool)
            ({"addressee": "\\"}, None, []),
            ({"level": "national"}, None, [r2]),
            ({"level": "local"}, None, [r3, r4, r1]),
            ({"sector": "police"}, None, [r3]),
            ({"sector": "adult_services"}, None, []),
            ({"overdue": "true"}, None, [r4]),
            ({"overdue": "false"}, None, [r3, r1, r2]),
            ({"overdue": "true"}, BOARD_A, []),
            ({"from": "2014-04-04"}, None, [r3, r4]),
            ({"to": "2014-04-04"}, None, [r4, r1, r2]),
            ({"from": "2014-03-04", "to": "2014-05-04"}, None, [r4]),
            ({"from": "2014-03-03", "to": "2014-03-03"}, None, [r1, r2]),
            (
                {"level": "local", "sector": "childrens_services", "status": "implemented"},
                None,
                [r1],
            ),
            ({"limit": 2}, None, [r3, r4]),
            ({"limit": 2, "offset": 3}, None, [r2]),
        ]
        for params, board, expected in rows:
            headers = pub.board(board) if board else pub.panel()
            page = await get(pub, "/v1/recommendations", headers, **params)
            assert [i["id"] for i in page["items"]] == expected, (params, board)
            paged = "limit" in params or "offset" in params
            assert page["total"] == (4 if paged else len(expected)), (params, board)

        listed = {i["id"]: i for i in (await get(pub, "/v1/recommendations"))["items"]}
        assert [listed[r]["overdue"] for r in (r1, r2, r3, r4)] == [False, False, False, True]
        assert listed[r3]["notice_id"] == a_notice["id"] and listed[r3]["report_id"] is None
        for role in (Role.DFE, Role.OFSTED, Role.ADMIN):
            page = await get(pub, "/v1/recommendations", pub.as_role(role))
            assert page["total"] == 4, role
        for params, field in (
            ({"status": "done"}, "status"),
            ({"level": "regional"}, "level"),
            ({"sector": "church"}, "sector"),
            ({"overdue": "maybe"}, "overdue"),
            ({"from": "2014/03/03"}, "from"),
            ({"from": "2014-05-01", "to": "2014-04-30"}, "to"),
            ({"addressee": "a" * 301}, "addressee"),
            ({"limit": 0}, "limit"),
            ({"offset": -1}, "offset"),
        ):
            bad = await pub.client.get("/v1/recommendations", params=params, headers=pub.panel())
            assert field_at_fault(bad) == field, params
        assert (await pub.client.get("/v1/recommendations")).status_code == 401


# --- recommendations: the board's updates ---------------------------------------------------


async def test_the_board_moves_a_recommendation_along_its_table(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        report = await pub.report(
            await pub.seed_scr(),
            D(2014, 3, 3),
            recommendations=[recommendation_body(), recommendation_body(level="national")],
        )
        first, second = (r["id"] for r in report["recommendations"])
        path = f"/v1/recommendations/{first}"
        moves = [
            ("accepted", D(2014, 4, 1)),
            ("in_progress", D(2014, 5, 1)),
            ("accepted", D(2014, 5, 1)),  # the work stalled: back, the same day
            ("implemented", D(2014, 9, 1)),
        ]
        status = "proposed"
        for n, (to, on) in enumerate(moves, start=1):
            answer = await pub.update_recommendation(first, to, on)
            assert (answer["status"], answer["status_since"]) == (to, on.isoformat())
            assert [h["seq"] for h in answer["history"]] == list(range(1, n + 1))
            entry = answer["history"][-1]
            assert {k: v for k, v in entry.items() if k not in ("id", "recorded_at")} == {
                "seq": n,
                "changed_on": on.isoformat(),
                "status_before": status,
                "status": to,
                "action_taken": f"Moved to {to}.",
                "by_whom": "Head of Safeguarding, the local authority",
                "evidence": "Minutes of the LSCB meeting.",
                "actor": f"lscb:{BOARD_A}",
            }
            assert await get(pub, path) == answer
            status = to
        history = (await get(pub, path))["history"]
        assert [(h["status_before"], h["status"]) for h in history] == [
            ("proposed", "accepted"),
            ("accepted", "in_progress"),
            ("in_progress", "accepted"),
            ("accepted", "implemented"),
        ]

        # Implemented is final; asking for the status it has is out of order.
        before = await written(pub)
        for to in ("proposed", "accepted", "in_progress", "implemented", "not_accepted"):
            refused = await pub.update_recommendation(first, to, D(2014, 10, 1), expect=409)
            assert refused["state"] == "implemented" and "a final state" in refused["detail"], to
        refused = await pub.update_recommendation(second, "proposed", D(2014, 10, 1), expect=409)
        assert refused["state"] == "proposed" and "'proposed'" in refused["detail"]
        # Not before the status it leaves was reached.
        bad = await pub.client.patch(
            f"/v1/recommendations/{second}",
            json={
                "status": "accepted",
                "changed_on": "2014-03-02",
                "action_taken": "Agreed.",
                "by_whom": "The chair",
                "evidence": "Minutes.",
            },
            headers=pub.board(),
        )
        assert field_at_fault(bad) == "changed_on"
        assert await written(pub) == before

        # A rejected recommendation may be taken up after all; an operator may record it.
        await pub.update_recommendation(second, "not_accepted", D(2014, 3, 3))
        refused = await pub.update_recommendation(second, "not_accepted", D(2014, 4, 1), expect=409)
        assert refused["state"] == "not_accepted"
        response = await pub.client.patch(
            f"/v1/recommendations/{second}",
            json={
                "status": "in_progress",
                "changed_on": "2014-04-01",
                "action_taken": "Taken up after all.",
                "by_whom": "The new director",
                "evidence": "A project plan.",
            },
            headers=pub.as_role(Role.ADMIN),
        )
        assert response.status_code == 200, response.text
        assert response.json()["history"][-1]["actor"] == "admin:user"
        assert [e["status"] for e in await events(pub, "recommendation.updated.v1")] == [
            "accepted",
            "in_progress",
            "accepted",
            "implemented",
            "not_accepted",
            "in_progress",
        ]


UPDATE = {
    "status": "accepted",
    "changed_on": "2014-04-01",
    "action_taken": "Agreed by the board.",
    "by_whom": "The chair",
    "evidence": "Minutes.",
}
BAD_UPDATES: list[tuple[str, dict[str, Any], str]] = [
    ("status missing", {"status": DROP}, "status"),
    ("status unknown", {"status": "done"}, "status"),
    ("changed_on future", {"changed_on": "FUTURE"}, "changed_on"),
    ("changed_on not ISO", {"changed_on": "April 2014"}, "changed_on"),
    ("changed before made", {"changed_on": "2014-03-02"}, "changed_on"),
    ("action_taken missing", {"action_taken": DROP}, "action_taken"),
    ("action_taken blank", {"action_taken": " "}, "action_taken"),
    ("by_whom missing", {"by_whom": DROP}, "by_whom"),
    ("by_whom too long", {"by_whom": "b" * 301}, "by_whom"),
    ("evidence missing", {"evidence": DROP}, "evidence"),
    ("evidence too long", {"evidence": "e" * 20_001}, "evidence"),
    ("unknown field", {"seq": 7}, "seq"),
]


async def test_who_may_update_a_recommendation_and_with_what(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with publication_service(platform, databases) as pub:
        report = await pub.report(await pub.seed_scr(), D(2014, 3, 3))
        [rec] = report["recommendations"]
        path = f"/v1/recommendations/{rec['id']}"
        before = await written(pub)
        for what, changes, field in BAD_UPDATES:
            body = changed(UPDATE, changes)
            if body.get("changed_on") == "FUTURE":
                body["changed_on"] = future
            response = await pub.client.patch(path, json=body, headers=pub.board())
            assert field_at_fault(response) == field, (what, response.text)
        for role in (Role.PANEL, Role.DFE, Role.OFSTED):
            response = await pub.client.patch(path, json=UPDATE, headers=pub.as_role(role))
            assert response.status_code == 403, (role, response.text)
        assert (await pub.client.patch(path, json=UPDATE)).status_code == 401

        # Another board's recommendation is exactly as missing as a missing one.
        board_b = pub.board(BOARD_B)
        for method, body in (("PATCH", UPDATE), ("GET", None)):
            foreign = await pub.client.request(method, path, json=body, headers=board_b)
            missing = await pub.client.request(
                method, "/v1/recommendations/no-such", json=body, headers=board_b
            )
            assert foreign.status_code == missing.status_code == 404, method
            assert masked(foreign, rec["id"]) == masked(missing, "no-such"), method
            assert rec["addressee"] not in foreign.text
        assert await written(pub) == before
        assert (await get(pub, path))["history"] == []
        answer = await pub.update_recommendation(rec["id"], "accepted", D(2014, 3, 3))
        assert [h["seq"] for h in answer["history"]] == [1]


# --- the chair's annual report --------------------------------------------------------------


async def test_the_chairs_report_shows_the_period_as_it_stood_at_its_end(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    async with publication_service(platform, databases) as pub:
        await apply_events(
            pub.database_url,
            LscbRegisteredV1(
                lscb_id=BOARD_A, name="Hartlepool LSCB", registered_on=D(2013, 1, 1), authorities=()
            ),
        )
        early = await pub.seed_scr(initiated_on=D(2013, 6, 3))
        before_period = await pub.report(early, D(2013, 12, 2))
        in_period = await pub.report(
            await pub.seed_scr(),
            D(2014, 3, 3),
            recommendations=[recommendation_body(), recommendation_body(due_on="2014-06-30")],
        )
        by_notice = await pub.notice(
            await pub.seed_scr(),
            D(2014, 11, 3),
            proposal="recommendations_only",
            delay_until_event=None,
            recommendations=[recommendation_body(addressee="Cleveland Police")],
        )
        after_period = await pub.report(await pub.seed_scr(), D(2015, 2, 2))
        theirs = await pub.report(await pub.seed_scr(BOARD_B), D(2014, 5, 5), board=BOARD_B)
        worked, overdue = (r["id"] for r in in_period["recommendations"])
        [rejected] = [r["id"] for r in by_notice["recommendations"]]
        await pub.update_recommendation(worked, "accepted", D(2014, 4, 1), by_whom="The director")
        await pub.update_recommendation(worked, "in_progress", D(2014, 9, 1), by_whom="A manager")
        await pub.update_recommendation(worked, "implemented", D(2015, 1, 15))  # after the end
        await pub.update_recommendation(rejected, "not_accepted", D(2014, 12, 31))  # on the end
        await pub.update_recommendation(
            before_period["recommendations"][0]["id"], "accepted", D(2014, 2, 1)
        )
        await pub.update_recommendation(
            after_period["recommendations"][0]["id"], "accepted", D(2015, 2, 2)
        )
        await pub.update_recommendation(
            theirs["recommendations"][0]["id"], "accepted", D(2014, 6, 1), board=BOARD_B
        )

        path = f"/v1/lscbs/{BOARD_A}/recommendations-report"
        period = {"from": "2014-01-01", "to": "2014-12-31"}
        chairs = await get(pub, path, pub.board(), **period)
        assert {k: chairs[k] for k in ("lscb_id", "lscb_name", "from", "to")} == {
            "lscb_id": BOARD_A,
            "lscb_name": "Hartlepool LSCB",
            "from": "2014-01-01",
            "to": "2014-12-31",
        }
        items = chairs["items"]
        assert [i["recommendation"]["id"] for i in items] == [worked, overdue, rejected]
        assert [i["status_at_end"] for i in items] == ["in_progress", "proposed", "not_accepted"]
        assert [[(a["status"], a["by_whom"]) for a in i["actions"]] for i in items] == [
            [("accepted", "The director"), ("in_progress", "A manager")],
            [],
            [("not_accepted", "Head of Safeguarding, the local authority")],
        ]
        assert chairs["by_status"] == {
            "proposed": 1,
            "accepted": 0,
            "in_progress": 1,
            "implemented": 0,
            "not_accepted": 1,
        }
        assert chairs["overdue"] == 1  # due 30 June 2014, still proposed at the end
        # Today the first is implemented; the report of 2014 does not say so.
        assert (await get(pub, f"/v1/recommendations/{worked}"))["status"] == "implemented"
        assert items[0]["recommendation"]["id"] == worked

        # Everyone but other boards reads it.
        for headers in (pub.panel(), pub.as_role(Role.DFE), pub.as_role(Role.OFSTED)):
            assert await get(pub, path, headers, **period) == chairs
        foreign = await pub.client.get(path, params=period, headers=pub.board(BOARD_B))
        unknown_path = "/v1/lscbs/E99999999/recommendations-report"
        unknown = await pub.client.get(unknown_path, params=period, headers=pub.board(BOARD_B))
        assert foreign.status_code == unknown.status_code == 404
        assert masked(foreign, BOARD_A) == masked(unknown, "E99999999")
        assert (await pub.client.get(unknown_path, headers=pub.panel())).status_code == 404
        # Board B's own report shows only its own.
        theirs_report = await get(
            pub, f"/v1/lscbs/{BOARD_B}/recommendations-report", pub.board(BOARD_B), **period
        )
        assert [i["recommendation"]["id"] for i in theirs_report["items"]] == [
            theirs["recommendations"][0]["id"]
        ]

        # A board asking about itself is answered, even for a period with nothing in it and
        # before the registry's copy has heard of it: its token vouches for it.
        nothing = await get(
            pub,
            f"/v1/lscbs/{BOARD_B}/recommendations-report",
            pub.board(BOARD_B),
            **{"from": "2010-01-01", "to": "2010-12-31"},
        )
        assert (nothing["items"], nothing["overdue"], nothing["lscb_name"]) == ([], 0, None)
        assert set(nothing["by_status"].values()) == {0}

        # The period defaults to the twelve months up to today.
        default = await get(pub, path, pub.panel())
        start = months_before(today, 12) + dt.timedelta(days=1)
        assert (default["from"], default["to"]) == (start.isoformat(), today.isoformat())
        for params, field in (
            ({"from": "2014-12-31", "to": "2014-01-01"}, "to"),
            ({"from": "01/01/2014"}, "from"),
        ):
            bad = await pub.client.get(path, params=params, headers=pub.panel())
            assert field_at_fault(bad) == field, params


# --- SCRs overdue ---------------------------------------------------------------------------


async def test_an_scr_without_report_or_notice_after_six_months_is_marked_overdue_once(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        silent = await pub.seed_scr(initiated_on=D(2014, 1, 6))  # due 6 July 2014
        reported = await pub.seed_scr(initiated_on=D(2014, 1, 6))
        notified = await pub.seed_scr(BOARD_B, initiated_on=D(2014, 1, 6))
        later = await pub.seed_scr(BOARD_B, initiated_on=D(2014, 3, 3))  # due 3 September
        await pub.report(reported, D(2014, 3, 3))
        await pub.notice(notified, D(2014, 3, 3), board=BOARD_B)
        engine = make_engine(pub.database_url)
        sessions = make_sessionmaker(engine)
        try:
            assert (await get(pub, f"/v1/scrs/{silent}"))["due_on"] == "2014-07-06"
            assert await mark_overdue_scrs(sessions, D(2014, 7, 6)) == 0  # due today: not yet
            assert await mark_overdue_scrs(sessions, D(2014, 7, 7)) == 1
            marked = await get(pub, f"/v1/scrs/{silent}")
            assert (marked["overdue_on"], marked["completed_by"]) == ("2014-07-07", None)

            # Again: nothing more, not a row more.
            before = await written(pub)
            assert await mark_overdue_scrs(sessions, D(2014, 7, 7)) == 0
            assert await mark_overdue_scrs(sessions, D(2014, 8, 1)) == 0
            assert await written(pub) == before

            assert await mark_overdue_scrs(sessions, D(2015, 1, 1)) == 1  # the later one
            overdue = await events(pub, "scr.overdue.v1")
            assert [
                (e["key"], e["scr_id"], e["initiated_on"], e["due_on"], e["overdue_on"])
                for e in overdue
            ] == [
                (silent, silent, "2014-01-06", "2014-07-06", "2014-07-07"),
                (later, later, "2014-03-03", "2014-09-03", "2014-09-04"),
            ]
            assert {e["lscb_id"] for e in overdue} == {BOARD_A, BOARD_B}

            def scr_ids(page: dict[str, Any]) -> list[str]:
                return [s["scr_id"] for s in page["items"]]

            assert scr_ids(await get(pub, "/v1/scrs", overdue="true")) == [later, silent]
            assert set(scr_ids(await get(pub, "/v1/scrs", overdue="false"))) == {
                reported,
                notified,
            }
            assert scr_ids(await get(pub, "/v1/scrs", pub.board(), overdue="true")) == [silent]
            assert scr_ids(await get(pub, "/v1/scrs", pub.board(BOARD_B), overdue="true")) == [
                later
            ]
            assert (
                scr_ids(
                    await get(pub, "/v1/scrs", pub.board(BOARD_B), overdue="true", lscb_id=BOARD_A)
                )
                == []
            )

            # Its report may still come, late; it stays marked, and is never marked again.
            await pub.report(silent, D(2014, 8, 1))
            assert (await get(pub, f"/v1/scrs/{silent}"))["overdue_on"] == "2014-07-07"
            assert await mark_overdue_scrs(sessions, D(2016, 1, 1)) == 0
            assert len(await events(pub, "scr.overdue.v1")) == 2
        finally:
            await engine.dispose()
