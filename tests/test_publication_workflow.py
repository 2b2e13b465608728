"""The publication service over HTTP, step 5 of the process (DOMAIN.md §2): a board sends an
SCR's final report and confirms its publication, or notifies a decision not to publish it which
the panel considers and the board answers. Every legal path, every illegal step (409, nothing
written), every bad field (422 naming it, nothing written), and the events each step writes.

The service runs deaf to events (no consumer, no scheduler): SCRs are seeded through its
handlers, and every event stays in the outbox where it can be read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.config import PlatformSettings
from tests.support.databases import DatabaseFactory
from tests.support.publication import (
    BOARD_A,
    BOARD_B,
    Publication,
    notice_body,
    publication_service,
    recommendation_body,
    report_body,
    review_body,
)
from tests.support.publication_checks import (
    DROP,
    PROBLEM,
    D,
    changed,
    events,
    field_at_fault,
    get,
    masked,
    written,
)

INITIATED = D(2014, 1, 6)  # what seed_scr initiates SCRs on
SUBMITTED = D(2014, 7, 1)
NOTIFIED = D(2014, 7, 1)


def _without(body: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in names}


# --- final reports --------------------------------------------------------------------------


async def test_a_report_is_received_with_its_notice_prescreen_and_recommendations(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    national = recommendation_body(
        text="NHS England should publish guidance on neglect by March 2015.",
        addressee="NHS England",
        addressee_kind="organisation",
        level="national",
        sector="health",
        due_on="2015-03-31",
    )
    async with publication_service(platform, databases) as pub:
        scrs = [await pub.seed_scr() for _ in range(3)]
        seven = await pub.report(
            scrs[0], SUBMITTED, notice_days=7, recommendations=[recommendation_body(), national]
        )
        six = await pub.report(scrs[1], SUBMITTED, notice_days=6)
        same_day = await pub.report(scrs[2], SUBMITTED, notice_days=0)

        # Para 11: at least 7 days before publication; fewer is short notice, none at all too.
        assert (seven["short_notice"], seven["notice_days"]) == (False, 7)
        assert (six["short_notice"], six["notice_days"]) == (True, 6)
        assert (same_day["short_notice"], same_day["notice_days"]) == (True, 0)

        sent = report_body(scrs[0], SUBMITTED, notice_days=7)
        assert {k: seven[k] for k in ("scr_id", "lscb_id", "title", "text", "state")} == {
            "scr_id": scrs[0],
            "lscb_id": BOARD_A,
            "title": sent["title"],
            "text": sent["text"],
            "state": "received",
        }
        assert seven["submitted_on"] == "2014-07-01"
        assert seven["planned_publication_on"] == "2014-07-08"
        assert (seven["published_on"], seven["url"], seven["quality_review"]) == (None, None, None)
        assert seven["themes"] == ["neglect", "voice of the child"]  # one spelling each
        assert seven["learning_points"] == ["Listen to the child."]
        assert seven["recorded_by"] == f"lscb:{BOARD_A}"

        # The pre-screen: signals on the text and on each recommendation.
        prescreen = seven["prescreen"]
        assert prescreen["word_count"] > 20 and prescreen["sentence_count"] >= 4
        assert prescreen["child_perspective"] is True
        assert [r["index"] for r in prescreen["recommendations"]] == [0, 1]

        # The recommendations, proposed as of the report's submission, in the order sent.
        made = seven["recommendations"]
        assert [(r["position"], r["addressee"], r["level"]) for r in made] == [
            (1, recommendation_body()["addressee"], "local"),
            (2, "NHS England", "national"),
        ]
        for r in made:
            assert (r["status"], r["status_since"], r["made_on"]) == (
                "proposed",
                "2014-07-01",
                "2014-07-01",
            )
            assert (r["report_id"], r["notice_id"], r["scr_id"]) == (seven["id"], None, scrs[0])
            assert r["lscb_id"] == BOARD_A and isinstance(r["names_addressee"], bool)
        assert made[1]["due_on"] == "2015-03-31" and made[0]["due_on"] is None
        assert made[1]["sector"] == "health" and made[1]["addressee_kind"] == "organisation"

        # Read back: exactly what was answered; the SCR is completed by the report.
        assert await get(pub, f"/v1/reports/{seven['id']}") == seven
        assert await get(pub, f"/v1/reports/{seven['id']}", pub.board()) == seven
        scr = await get(pub, f"/v1/scrs/{scrs[0]}")
        assert (scr["completed_by"], scr["completed_on"]) == ("report", "2014-07-01")
        assert scr["overdue_on"] is None

        reports = await get(pub, "/v1/reports")
        assert reports["total"] == 3
        short = await get(pub, "/v1/reports", short_notice="true")
        assert {r["id"] for r in short["items"]} == {six["id"], same_day["id"]}
        assert [
            r["id"] for r in (await get(pub, "/v1/reports", short_notice="false"))["items"]
        ] == [seven["id"]]
        assert (await get(pub, "/v1/reports", state="published"))["total"] == 0
        assert (await get(pub, "/v1/reports", state="received"))["total"] == 3
        assert (await get(pub, "/v1/reports", **{"from": "2014-07-02"}))["total"] == 0
        for params, field in (
            ({"state": "lost"}, "state"),
            ({"short_notice": "maybe"}, "short_notice"),
        ):
            bad = await pub.client.get("/v1/reports", params=params, headers=pub.panel())
            assert field_at_fault(bad) == field, params


LONG = "x" * 20_001
BAD_REPORTS: list[tuple[str, dict[str, Any], str]] = [
    ("scr_id missing", {"scr_id": DROP}, "scr_id"),
    ("scr_id unknown", {"scr_id": "no-such-scr"}, "scr_id"),
    ("scr_id another board's", {"scr_id": "THEIRS"}, "scr_id"),
    ("scr_id too long", {"scr_id": "s" * 37}, "scr_id"),
    (
        "submitted before the SCR's initiation",
        {"submitted_on": "2014-01-05", "planned_publication_on": "2014-02-01"},
        "submitted_on",
    ),
    ("submitted_on future", {"submitted_on": "FUTURE"}, "submitted_on"),
    ("submitted_on not ISO", {"submitted_on": "1 July 2014"}, "submitted_on"),
    ("submitted_on Unix time", {"submitted_on": 1404172800}, "submitted_on"),
    (
        "planned before submitted",
        {"planned_publication_on": "2014-06-30"},
        "planned_publication_on",
    ),
    ("planned missing", {"planned_publication_on": DROP}, "planned_publication_on"),
    ("planned not ISO", {"planned_publication_on": "soon"}, "planned_publication_on"),
    ("title missing", {"title": DROP}, "title"),
    ("title blank", {"title": "  "}, "title"),
    ("title too long", {"title": "t" * 301}, "title"),
    ("text missing", {"text": DROP}, "text"),
    ("text blank", {"text": " "}, "text"),
    (
        "recommendation without addressee",
        {"recommendations": [_without(recommendation_body(), "addressee")]},
        "recommendations.0.addressee",
    ),
    (
        "recommendation level unknown",
        {"recommendations": [recommendation_body(level="regional")]},
        "recommendations.0.level",
    ),
    (
        "recommendation sector unknown",
        {"recommendations": [recommendation_body(), recommendation_body(sector="church")]},
        "recommendations.1.sector",
    ),
    (
        "recommendation due_on not ISO",
        {"recommendations": [recommendation_body(due_on="next year")]},
        "recommendations.0.due_on",
    ),
    (
        "recommendation due before the report",
        {"recommendations": [recommendation_body(), recommendation_body(due_on="2014-06-30")]},
        "recommendations.1.due_on",
    ),
    (
        "recommendation text too long",
        {"recommendations": [recommendation_body(text=LONG)]},
        "recommendations.0.text",
    ),
    ("recommendations a dict", {"recommendations": recommendation_body()}, "recommendations"),
    ("themes a string", {"themes": "neglect"}, "themes"),
    ("theme blank", {"themes": [" "]}, "themes.0"),
    ("learning point blank", {"learning_points": [" "]}, "learning_points.0"),
    ("unknown field", {"child_name": "Never asked for"}, "child_name"),
]


async def test_bad_report_input_is_422_naming_the_field_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with publication_service(platform, databases) as pub:
        mine = await pub.seed_scr()
        theirs = await pub.seed_scr(BOARD_B)
        base = report_body(mine, SUBMITTED)
        before = await written(pub)
        for what, changes, field in BAD_REPORTS:
            body = changed(base, changes)
            if body.get("scr_id") == "THEIRS":
                body["scr_id"] = theirs
            if body.get("submitted_on") == "FUTURE":
                body["submitted_on"] = future
            response = await pub.client.post("/v1/reports", json=body, headers=pub.board())
            assert field_at_fault(response) == field, (what, response.text)
        assert await written(pub) == before

        # Another board's SCR is refused in the very words a missing one is.
        refusals = []
        for scr_id in (theirs, "no-such-scr"):
            body = {**base, "scr_id": scr_id}
            response = await pub.client.post("/v1/reports", json=body, headers=pub.board())
            assert field_at_fault(response) == "scr_id"
            refusals.append(masked(response, scr_id))
        assert refusals[0] == refusals[1]
        assert BOARD_B not in str(refusals[0])

        # The base is valid: each row failed for its one change.
        assert (await pub.post("/v1/reports", base, pub.board()))["state"] == "received"


async def test_an_scr_is_completed_once_by_a_report_or_a_notice(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        reported, notified = await pub.seed_scr(), await pub.seed_scr()
        report = await pub.report(reported, SUBMITTED)
        notice = await pub.notice(notified, NOTIFIED)
        before = await written(pub)
        refusals = [
            ("/v1/reports", report_body(reported, D(2014, 7, 2)), "report"),
            ("/v1/non-publication-notices", notice_body(reported, D(2014, 7, 2)), "report"),
            ("/v1/reports", report_body(notified, D(2014, 7, 2)), "non_publication_notice"),
            (
                "/v1/non-publication-notices",
                notice_body(notified, D(2014, 7, 2)),
                "non_publication_notice",
            ),
        ]
        for path, body, state in refusals:
            response = await pub.client.post(path, json=body, headers=pub.board())
            assert response.status_code == 409, (path, response.text)
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["state"] == state, path
            assert "2014-07-01" in response.json()["detail"], path
        assert await written(pub) == before
        assert await get(pub, f"/v1/reports/{report['id']}") == report
        assert await get(pub, f"/v1/non-publication-notices/{notice['id']}") == notice


async def test_a_report_is_published_once(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        report = await pub.report(await pub.seed_scr(), SUBMITTED)
        published = await pub.publish(report["id"], D(2014, 7, 8))
        assert (published["state"], published["published_on"]) == ("published", "2014-07-08")
        assert published["url"] == f"https://example.org/scr/{report['id']}"
        assert {
            k: v for k, v in published.items() if k not in ("state", "published_on", "url")
        } == {k: v for k, v in report.items() if k not in ("state", "published_on", "url")}
        assert await get(pub, f"/v1/reports/{report['id']}") == published
        assert [r["id"] for r in (await get(pub, "/v1/reports", state="published"))["items"]] == [
            report["id"]
        ]

        before = await written(pub)
        again = await pub.publish(report["id"], D(2014, 7, 9), expect=409)
        assert again["state"] == "published" and "published" in again["detail"]
        # Published the same day it was sent: fine; the day before: not.
        same_day = await pub.report(await pub.seed_scr(), SUBMITTED)
        assert (await pub.publish(same_day["id"], SUBMITTED))["published_on"] == "2014-07-01"
        assert (await written(pub))["reports"] == before["reports"] + 1


BAD_PUBLICATIONS: list[tuple[str, dict[str, Any], str]] = [
    ("published before submitted", {"published_on": "2014-06-30"}, "published_on"),
    ("published_on future", {"published_on": "FUTURE"}, "published_on"),
    ("published_on not ISO", {"published_on": "8/7/2014"}, "published_on"),
    ("url missing", {"url": DROP}, "url"),
    ("url not an address", {"url": "the council's website"}, "url"),
    ("url relative", {"url": "/scr/child-a.pdf"}, "url"),
    ("url ftp", {"url": "ftp://example.org/child-a.pdf"}, "url"),
    ("url javascript", {"url": "javascript:alert(1)"}, "url"),
    ("url too long", {"url": "https://example.org/" + "a" * 2_000}, "url"),
    ("url a number", {"url": 42}, "url"),
    ("unknown field", {"title": "Another title"}, "title"),
]


async def test_bad_publication_input_is_422_naming_the_field_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with publication_service(platform, databases) as pub:
        report = await pub.report(await pub.seed_scr(), SUBMITTED)
        path = f"/v1/reports/{report['id']}/publication"
        base = {"published_on": "2014-07-08", "url": "https://example.org/scr/child-a.pdf"}
        before = await written(pub)
        for what, changes, field in BAD_PUBLICATIONS:
            body = changed(base, changes)
            if body.get("published_on") == "FUTURE":
                body["published_on"] = future
            response = await pub.client.post(path, json=body, headers=pub.board())
            assert field_at_fault(response) == field, (what, response.text)
        assert await written(pub) == before
        assert await get(pub, f"/v1/reports/{report['id']}") == report
        assert (await pub.post(path, base, pub.board()))["state"] == "published"


# --- non-publication notices: every legal path ----------------------------------------------

# Each path: the steps (what, business date, extra body fields) and the state each leads to.
NOTICE_PATHS: dict[str, list[tuple[str, dt.date, dict[str, Any], str]]] = {
    "accepted, published later": [
        ("notify", NOTIFIED, {}, "awaiting_panel"),
        ("accept", D(2014, 8, 4), {}, "accepted"),
        ("publish", D(2015, 3, 2), {}, "published"),
    ],
    "challenged, published": [
        ("notify", NOTIFIED, {"proposal": "withhold", "delay_until_event": None}, "awaiting_panel"),
        ("challenge", D(2014, 8, 4), {"statutory_breach": True}, "awaiting_lscb"),
        ("publish", D(2014, 8, 20), {}, "published"),
    ],
    "challenged, maintained, accepted": [
        ("notify", NOTIFIED, {"delay_until": "2015-01-31"}, "awaiting_panel"),
        ("challenge", D(2014, 8, 4), {}, "awaiting_lscb"),
        ("maintain", D(2014, 8, 20), {}, "awaiting_panel"),
        ("accept", D(2014, 9, 1), {"rationale": "Persuaded."}, "accepted"),
    ],
    "challenged and maintained twice, accepted": [
        (
            "notify",
            NOTIFIED,
            {"reasons": ["welfare_of_child", "other"], "other_reason": "The family asked."},
            "awaiting_panel",
        ),
        ("challenge", D(2014, 8, 4), {}, "awaiting_lscb"),
        ("maintain", D(2014, 8, 20), {}, "awaiting_panel"),
        ("challenge", D(2014, 9, 1), {}, "awaiting_lscb"),
        ("maintain", D(2014, 9, 15), {}, "awaiting_panel"),
        ("accept", D(2014, 10, 6), {}, "accepted"),
    ],
    "all on one day": [
        ("notify", NOTIFIED, {}, "awaiting_panel"),
        ("challenge", NOTIFIED, {}, "awaiting_lscb"),
        ("maintain", NOTIFIED, {}, "awaiting_panel"),
        ("accept", NOTIFIED, {}, "accepted"),
        ("publish", NOTIFIED, {}, "published"),
    ],
}
PANEL_STEPS = ("accept", "challenge")


async def _take(
    pub: Publication, scr_id: str, notice_id: str, what: str, on: dt.date, extra: dict[str, Any]
) -> dict[str, Any]:
    if what == "notify":
        body = {k: v for k, v in notice_body(scr_id, on, **extra).items() if v is not None}
        return await pub.post("/v1/non-publication-notices", body, pub.board())
    if what in PANEL_STEPS:
        return await pub.consider(notice_id, what, on, **extra)
    return await pub.respond(notice_id, what, on, **extra)


async def test_every_legal_notice_path_through_the_api(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        for name, steps in NOTICE_PATHS.items():
            scr_id = await pub.seed_scr()
            notice_id, state, considered = "", None, 0
            for n, (what, on, extra, expected) in enumerate(steps, start=1):
                where, day = f"{name}, step {n} ({what})", on.isoformat()
                answer = await _take(pub, scr_id, notice_id, what, on, extra)
                notice_id = answer["id"]
                assert (answer["state"], answer["state_since"]) == (expected, day), where
                assert answer == await get(pub, f"/v1/non-publication-notices/{notice_id}")
                history = answer["history"]
                assert [e["seq"] for e in history] == list(range(1, n + 1)), where
                entry = history[-1]
                panel = what in PANEL_STEPS
                assert {k: entry[k] for k in ("step", "on", "actor", "actor_role")} == {
                    "step": what,
                    "on": day,
                    "actor": "panel:member" if panel else f"lscb:{BOARD_A}",
                    "actor_role": "panel" if panel else "lscb",
                }, where
                assert (entry["state_before"], entry["state_after"]) == (state, expected), where
                change = entry["change"]
                if what == "notify":
                    assert (answer["scr_id"], answer["lscb_id"]) == (scr_id, BOARD_A)
                    assert (
                        answer["notified_on"] == day and answer["recorded_by"] == "lscb:E06000001"
                    )
                    assert change["notified_on"] == day, where
                    assert change["reasons"] == answer["reasons"], where
                    assert change["proposal"] == answer["proposal"], where
                elif panel:
                    assert (change["outcome"], change["considered_on"]) == (what, day), where
                    assert change["first_consideration"] is (considered == 0), where
                    assert change["statutory_breach"] is extra.get("statutory_breach", False)
                    assert change.get("rationale") == (
                        extra.get("rationale")
                        or (
                            "The panel is not persuaded publication must wait."
                            if what == "challenge"
                            else None
                        )
                    ), where
                    considered += 1
                else:
                    assert (change["action"], change["responded_on"]) == (what, day), where
                if what == "publish":
                    url = f"https://example.org/scr/notice/{notice_id}"
                    assert (answer["published_on"], answer["url"]) == (day, url), where
                    assert change["url"] == url, where
                else:
                    assert (answer["published_on"], answer["url"]) == (None, None), where
                state = expected

        notices = await get(pub, "/v1/non-publication-notices")
        assert notices["total"] == len(NOTICE_PATHS)
        finals = [steps[-1][3] for steps in NOTICE_PATHS.values()]
        for final in set(finals):
            page = await get(pub, "/v1/non-publication-notices", state=final)
            assert page["total"] == finals.count(final), final
        bad = await pub.client.get(
            "/v1/non-publication-notices", params={"state": "withheld"}, headers=pub.panel()
        )
        assert field_at_fault(bad) == "state"


async def test_a_notice_keeps_what_the_board_proposed(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        summary = "An anonymised account: a child known to four agencies was neglected."
        anonymised = await pub.notice(
            await pub.seed_scr(),
            NOTIFIED,
            proposal="anonymised_summary",
            delay_until_event=None,
            anonymised_summary=summary,
            reasons=["welfare_of_family", "welfare_of_child"],
        )
        assert anonymised["anonymised_summary"] == summary
        assert anonymised["reasons"] == ["welfare_of_family", "welfare_of_child"]
        assert (anonymised["delay_until"], anonymised["delay_until_event"]) == (None, None)
        delayed = await pub.notice(await pub.seed_scr(), NOTIFIED, delay_until="2014-07-02")
        assert (delayed["delay_until"], delayed["delay_until_event"]) == (
            "2014-07-02",
            "the end of the criminal trial",
        )
        only = await pub.notice(
            await pub.seed_scr(),
            NOTIFIED,
            proposal="recommendations_only",
            delay_until_event=None,
            recommendations=[recommendation_body(), recommendation_body(level="national")],
        )
        made = only["recommendations"]
        assert [(r["position"], r["level"], r["status"]) for r in made] == [
            (1, "local", "proposed"),
            (2, "national", "proposed"),
        ]
        assert {(r["notice_id"], r["report_id"], r["made_on"]) for r in made} == {
            (only["id"], None, "2014-07-01")
        }
        scr = await get(pub, f"/v1/scrs/{only['scr_id']}")
        assert (scr["completed_by"], scr["completed_on"]) == (
            "non_publication_notice",
            "2014-07-01",
        )


# --- non-publication notices: every illegal step --------------------------------------------

REACH: dict[str, list[tuple[str, dt.date]]] = {
    "awaiting_panel": [("notify", NOTIFIED)],
    "awaiting_lscb": [("notify", NOTIFIED), ("challenge", D(2014, 8, 4))],
    "accepted": [("notify", NOTIFIED), ("accept", D(2014, 8, 4))],
    "published": [("notify", NOTIFIED), ("challenge", D(2014, 8, 4)), ("publish", D(2014, 9, 1))],
}
LEGAL_FROM = {
    "awaiting_panel": {"accept", "challenge"},
    "awaiting_lscb": {"publish", "maintain"},
    "accepted": {"publish"},
    "published": set(),
}


async def test_every_illegal_notice_step_is_409_naming_the_state_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    late = D(2014, 12, 1)  # after every step above: only the state can be at fault
    async with publication_service(platform, databases) as pub:
        notices: dict[str, str] = {}
        for state, steps in REACH.items():
            scr_id, notice_id = await pub.seed_scr(), ""
            for what, on in steps:
                notice_id = (await _take(pub, scr_id, notice_id, what, on, {}))["id"]
            notices[state] = notice_id
        before = await written(pub)
        refused = 0
        for state, notice_id in notices.items():
            got = await get(pub, f"/v1/non-publication-notices/{notice_id}")
            assert got["state"] == state
            for what in ("accept", "challenge", "publish", "maintain"):
                if what in LEGAL_FROM[state]:
                    continue
                if what in PANEL_STEPS:
                    problem = await pub.consider(notice_id, what, late, expect=409)
                else:
                    problem = await pub.respond(notice_id, what, late, expect=409)
                where = f"{what} when {state}"
                assert problem["state"] == state, where
                assert state in problem["detail"] and f"'{what}'" in problem["detail"], where
                assert problem["status"] == 409, where
                refused += 1
            assert await get(pub, f"/v1/non-publication-notices/{notice_id}") == got
        assert refused == 16 - 5
        assert await written(pub) == before


# --- non-publication notices: bad input -----------------------------------------------------

NO_EVENT = {"delay_until_event": DROP}
BAD_NOTICES: list[tuple[str, dict[str, Any], str]] = [
    ("scr_id missing", {"scr_id": DROP}, "scr_id"),
    ("scr_id unknown", {"scr_id": "no-such-scr"}, "scr_id"),
    ("scr_id another board's", {"scr_id": "THEIRS"}, "scr_id"),
    ("reasons missing", {"reasons": DROP}, "reasons"),
    ("reasons empty", {"reasons": []}, "reasons"),
    ("reasons a string", {"reasons": "criminal_proceedings"}, "reasons"),
    ("reason twice", {"reasons": ["criminal_proceedings"] * 2}, "reasons"),
    ("reason unknown", {"reasons": ["criminal_proceedings", "embarrassment"]}, "reasons.1"),
    ("other without words", {"reasons": ["other"]}, "other_reason"),
    ("words without other", {"other_reason": "The family asked."}, "other_reason"),
    ("other_reason blank", {"reasons": ["other"], "other_reason": "  "}, "other_reason"),
    ("other_reason too long", {"reasons": ["other"], "other_reason": LONG}, "other_reason"),
    ("proposal missing", {"proposal": DROP}, "proposal"),
    ("proposal unknown", {"proposal": "shred"}, "proposal"),
    ("delay without date or event", NO_EVENT, "delay_until"),
    ("delay until the day notified", {**NO_EVENT, "delay_until": "2014-07-01"}, "delay_until"),
    ("delay until before notified", {"delay_until": "2014-06-30"}, "delay_until"),
    ("delay_until not ISO", {"delay_until": "1 Jan 2015"}, "delay_until"),
    ("delay event blank", {"delay_until_event": " "}, "delay_until_event"),
    ("delay event too long", {"delay_until_event": "e" * 301}, "delay_until_event"),
    (
        "delay_until on withhold",
        {"proposal": "withhold", **NO_EVENT, "delay_until": "2015-01-31"},
        "delay_until",
    ),
    ("delay event on withhold", {"proposal": "withhold"}, "delay_until_event"),
    (
        "delay event on recommendations only",
        {"proposal": "recommendations_only", "recommendations": [recommendation_body()]},
        "delay_until_event",
    ),
    ("summary on delay", {"anonymised_summary": "A summary."}, "anonymised_summary"),
    (
        "summary on withhold",
        {"proposal": "withhold", **NO_EVENT, "anonymised_summary": "A summary."},
        "anonymised_summary",
    ),
    ("summary missing", {"proposal": "anonymised_summary", **NO_EVENT}, "anonymised_summary"),
    (
        "summary blank",
        {"proposal": "anonymised_summary", **NO_EVENT, "anonymised_summary": "  "},
        "anonymised_summary",
    ),
    (
        "recommendations only, none given",
        {"proposal": "recommendations_only", **NO_EVENT},
        "recommendations",
    ),
    (
        "recommendation level unknown",
        {"recommendations": [recommendation_body(level="regional")]},
        "recommendations.0.level",
    ),
    (
        "recommendation due before the notice",
        {"recommendations": [recommendation_body(due_on="2014-06-30")]},
        "recommendations.0.due_on",
    ),
    ("rationale missing", {"rationale": DROP}, "rationale"),
    ("rationale blank", {"rationale": " "}, "rationale"),
    ("rationale too long", {"rationale": LONG}, "rationale"),
    ("notified_on future", {"notified_on": "FUTURE"}, "notified_on"),
    ("notified before the SCR's initiation", {"notified_on": "2014-01-05"}, "notified_on"),
    ("notified_on not ISO", {"notified_on": "01/07/2014"}, "notified_on"),
    ("unknown field", {"child_name": "Never asked for"}, "child_name"),
]


async def test_bad_notice_input_is_422_naming_the_field_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with publication_service(platform, databases) as pub:
        mine = await pub.seed_scr()
        theirs = await pub.seed_scr(BOARD_B)
        base = notice_body(mine, NOTIFIED)
        before = await written(pub)
        for what, changes, field in BAD_NOTICES:
            body = changed(base, changes)
            if body.get("scr_id") == "THEIRS":
                body["scr_id"] = theirs
            if body.get("notified_on") == "FUTURE":
                body["notified_on"] = future
            response = await pub.client.post(
                "/v1/non-publication-notices", json=body, headers=pub.board()
            )
            assert field_at_fault(response) == field, (what, response.text)
        assert await written(pub) == before

        refusals = []
        for scr_id in (theirs, "no-such-scr"):
            response = await pub.client.post(
                "/v1/non-publication-notices", json={**base, "scr_id": scr_id}, headers=pub.board()
            )
            assert field_at_fault(response) == "scr_id"
            refusals.append(masked(response, scr_id))
        assert refusals[0] == refusals[1]

        # The base is valid; so is a delay until a later date, with or without an event.
        later = {**base, "delay_until": "2014-07-02"}
        assert (await pub.post("/v1/non-publication-notices", later, pub.board()))["state"] == (
            "awaiting_panel"
        )


CONSIDERATION = {"outcome": "challenge", "considered_on": "2014-08-04", "rationale": "Why."}
BAD_CONSIDERATIONS: list[tuple[str, str, dict[str, Any], str]] = [
    ("outcome missing", "panel", {"outcome": DROP}, "outcome"),
    ("outcome unknown", "panel", {"outcome": "agree"}, "outcome"),
    ("considered_on future", "panel", {"considered_on": "FUTURE"}, "considered_on"),
    ("considered_on not ISO", "panel", {"considered_on": "4 August 2014"}, "considered_on"),
    ("considered before notified", "panel", {"considered_on": "2014-06-30"}, "considered_on"),
    ("considered before maintained", "back", {"considered_on": "2014-08-19"}, "considered_on"),
    ("challenge without rationale", "panel", {"rationale": DROP}, "rationale"),
    ("rationale blank", "panel", {"rationale": "  "}, "rationale"),
    ("rationale too long", "panel", {"rationale": LONG}, "rationale"),
    ("breach a string", "panel", {"statutory_breach": "true"}, "statutory_breach"),
    ("breach a number", "panel", {"statutory_breach": 1}, "statutory_breach"),
    ("unknown field", "panel", {"response_due_on": "2014-09-01"}, "response_due_on"),
]
RESPONSE = {"action": "maintain", "responded_on": "2014-08-20", "information": "The trial."}
PUBLISH = {"action": "publish", "responded_on": "2014-08-20", "url": "https://example.org/r"}
BAD_RESPONSES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("action missing", RESPONSE, {"action": DROP}, "action"),
    ("action unknown", RESPONSE, {"action": "appeal"}, "action"),
    ("responded before challenged", RESPONSE, {"responded_on": "2014-08-03"}, "responded_on"),
    ("responded_on future", RESPONSE, {"responded_on": "FUTURE"}, "responded_on"),
    ("responded_on not ISO", RESPONSE, {"responded_on": "20140820"}, "responded_on"),
    ("maintain without information", RESPONSE, {"information": DROP}, "information"),
    ("information blank", RESPONSE, {"information": " "}, "information"),
    ("information too long", RESPONSE, {"information": LONG}, "information"),
    ("maintain with a url", RESPONSE, {"url": "https://example.org/r"}, "url"),
    ("publish without url", PUBLISH, {"url": DROP}, "url"),
    ("publish, url not an address", PUBLISH, {"url": "on our website"}, "url"),
    ("publish, url javascript", PUBLISH, {"url": "javascript:alert(1)"}, "url"),
    ("publish before challenged", PUBLISH, {"responded_on": "2014-08-01"}, "responded_on"),
    ("unknown field", RESPONSE, {"attachment": "x.pdf"}, "attachment"),
]


async def test_bad_consideration_and_response_input_is_422_naming_the_field(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with publication_service(platform, databases) as pub:
        targets: dict[str, str] = {}
        for name, steps in {
            # Awaiting the panel since its notice (1 July).
            "panel": [("notify", NOTIFIED)],
            # Awaiting the panel again since the board maintained its decision (20 August).
            "back": [
                ("notify", NOTIFIED),
                ("challenge", D(2014, 8, 4)),
                ("maintain", D(2014, 8, 20)),
            ],
            # Awaiting the board since the panel challenged (4 August).
            "lscb": [("notify", NOTIFIED), ("challenge", D(2014, 8, 4))],
        }.items():
            scr_id, notice_id = await pub.seed_scr(), ""
            for what, on in steps:
                notice_id = (await _take(pub, scr_id, notice_id, what, on, {}))["id"]
            targets[name] = notice_id
        notices = {
            k: await get(pub, f"/v1/non-publication-notices/{v}") for k, v in targets.items()
        }
        before = await written(pub)
        path = "/v1/non-publication-notices/{}/{}"
        for what, target, changes, field in BAD_CONSIDERATIONS:
            body = changed(CONSIDERATION, changes)
            if body.get("considered_on") == "FUTURE":
                body["considered_on"] = future
            response = await pub.client.post(
                path.format(targets[target], "considerations"), json=body, headers=pub.panel()
            )
            assert field_at_fault(response) == field, (what, response.text)
        for what, base, changes, field in BAD_RESPONSES:
            body = changed(base, changes)
            if body.get("responded_on") == "FUTURE":
                body["responded_on"] = future
            response = await pub.client.post(
                path.format(targets["lscb"], "responses"), json=body, headers=pub.board()
            )
            assert field_at_fault(response) == field, (what, response.text)
        assert await written(pub) == before
        for name, notice_id in targets.items():
            assert await get(pub, f"/v1/non-publication-notices/{notice_id}") == notices[name]

        # The bases are valid: each row failed for its one change.
        await pub.consider(targets["panel"], "challenge", D(2014, 8, 4), rationale="Why.")
        await pub.consider(targets["back"], "accept", D(2014, 8, 20))
        answered = await pub.post(path.format(targets["lscb"], "responses"), RESPONSE, pub.board())
        assert answered["state"] == "awaiting_panel"


# --- events ---------------------------------------------------------------------------------


async def test_each_step_writes_its_events_keyed_by_the_case(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        reported, notified = await pub.seed_scr(), await pub.seed_scr(BOARD_B)
        report = await pub.report(reported, SUBMITTED)
        await pub.review(report["id"], D(2014, 7, 3))
        await pub.publish(report["id"], D(2014, 7, 8))
        [recommendation] = report["recommendations"]
        await pub.update_recommendation(recommendation["id"], "accepted", D(2014, 8, 1))

        notice = await pub.notice(notified, NOTIFIED, board=BOARD_B)
        await pub.consider(notice["id"], "challenge", D(2014, 8, 4), statutory_breach=True)
        await pub.respond(notice["id"], "maintain", D(2014, 8, 20), board=BOARD_B)
        await pub.consider(notice["id"], "accept", D(2014, 9, 1))
        await pub.respond(notice["id"], "publish", D(2015, 3, 2), board=BOARD_B)

        written_events = await events(pub)
        assert {e["key"] for e in written_events} == {reported, notified}
        for e in written_events:
            # The SCR's id is its case's: the key and the subject are the case id.
            assert e["key"] == e["subject"] == e["case_id"] == e["scr_id"], e["type"]
            assert e["lscb_id"] == (BOARD_A if e["key"] == reported else BOARD_B)

        of_report = [e for e in written_events if e["key"] == reported]
        assert [e["type"] for e in of_report] == [
            "report.received.v1",
            "quality_review.recorded.v1",
            "report.published.v1",
            "recommendation.updated.v1",
        ]
        received, reviewed, published, updated = of_report
        assert (received["report_id"], received["submitted_on"]) == (report["id"], "2014-07-01")
        assert (received["short_notice"], received["notice_days"]) == (False, 14)
        assert received["working_together"] == "under_working_together_2013"
        assert [r["recommendation_id"] for r in received["recommendations"]] == [
            recommendation["id"]
        ]
        assert "text" not in received["recommendations"][0]  # the figures never get the words
        assert reviewed["scores"] == dict.fromkeys(reviewed["scores"], 3)
        assert len(reviewed["scores"]) == 7
        assert (published["published_on"], published["url"]) == (
            "2014-07-08",
            f"https://example.org/scr/{report['id']}",
        )
        assert (updated["status_before"], updated["status"], updated["seq"]) == (
            "proposed",
            "accepted",
            1,
        )

        of_notice = [e for e in written_events if e["key"] == notified]
        assert [(e["type"], e["seq"], e["state"]) for e in of_notice] == [
            ("non_publication.notified.v1", 1, "awaiting_panel"),
            ("non_publication.considered.v1", 2, "awaiting_lscb"),
            ("non_publication.responded.v1", 3, "awaiting_panel"),
            ("non_publication.considered.v1", 4, "accepted"),
            ("non_publication.resolved.v1", 4, "accepted"),
            ("non_publication.responded.v1", 5, "published"),
            ("non_publication.resolved.v1", 5, "published"),
        ]
        assert {e["notice_id"] for e in of_notice} == {notice["id"]}
        considered = [e for e in of_notice if e["type"] == "non_publication.considered.v1"]
        assert [(e["first_consideration"], e["statutory_breach"]) for e in considered] == [
            (True, True),
            (False, False),
        ]
        resolved = [e for e in of_notice if e["type"] == "non_publication.resolved.v1"]
        assert [(e["resolution"], e["resolved_on"]) for e in resolved] == [
            ("accepted", "2014-09-01"),
            ("published", "2015-03-02"),
        ]


async def test_every_business_date_defaults_to_today(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    day = today.isoformat()
    async with publication_service(platform, databases) as pub:
        body = report_body(await pub.seed_scr(), today, notice_days=3)
        del body["submitted_on"]
        report = await pub.post("/v1/reports", body, pub.board())
        assert (report["submitted_on"], report["short_notice"]) == (day, True)
        path = f"/v1/reports/{report['id']}"
        published = await pub.post(f"{path}/publication", {"url": "https://x.org/r"}, pub.board())
        assert published["published_on"] == day
        review = {k: v for k, v in review_body(today).items() if k != "reviewed_on"}
        assert (await pub.post(f"{path}/quality-reviews", review, pub.panel()))[
            "reviewed_on"
        ] == day

        body = notice_body(await pub.seed_scr(), today)
        del body["notified_on"]
        notice = await pub.post("/v1/non-publication-notices", body, pub.board())
        path = f"/v1/non-publication-notices/{notice['id']}"
        considered = await pub.post(
            f"{path}/considerations", {"outcome": "challenge", "rationale": "Why?"}, pub.panel()
        )
        responded = await pub.post(
            f"{path}/responses", {"action": "publish", "url": "https://x.org/n"}, pub.board()
        )
        assert [e["on"] for e in responded["history"]] == [day, day, day]
        assert considered["state_since"] == day and responded["published_on"] == day

        [rec] = report["recommendations"]
        update = {"status": "accepted", "action_taken": "A.", "by_whom": "B", "evidence": "C."}
        response = await pub.client.patch(
            f"/v1/recommendations/{rec['id']}", json=update, headers=pub.board()
        )
        assert response.status_code == 200, response.text
        assert response.json()["history"][0]["changed_on"] == day
