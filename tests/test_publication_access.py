"""Who may do what in the publication service (DOMAIN.md §1), what another board sees of a
board's records (nothing: 404 in the words of a missing one), ``Idempotency-Key`` on every
creating POST (§6), and what the learning repository lets out (only what was published)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from shared.config import PlatformSettings
from shared.events.vocab import Role
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
    PROBLEM,
    D,
    field_at_fault,
    get,
    masked,
    written,
)
from tests.support.services import auth

SUBMITTED = D(2014, 7, 1)
PUBLISHED = {"published_on": "2014-07-08", "url": "https://example.org/scr/child-a.pdf"}
CHALLENGE = {"outcome": "challenge", "considered_on": "2014-08-04", "rationale": "Why?"}
MAINTAIN = {"action": "maintain", "responded_on": "2014-08-20", "information": "The trial."}
UPDATE = {
    "status": "accepted",
    "changed_on": "2014-08-01",
    "action_taken": "Agreed.",
    "by_whom": "The chair",
    "evidence": "Minutes.",
}
ALL_ROLES = (Role.LSCB, Role.PANEL, Role.DFE, Role.OFSTED, Role.ADMIN)


def _headers(pub: Publication, role: Role) -> dict[str, str]:
    return pub.board(BOARD_A) if role is Role.LSCB else pub.as_role(role)


async def _call(
    pub: Publication, method: str, path: str, body: dict | None, headers: dict[str, str]
) -> httpx.Response:
    response = await pub.client.request(method, path, json=body, headers=headers)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM), (path, response.text)
    return response


# --- roles ----------------------------------------------------------------------------------


async def test_access_by_role(platform: PlatformSettings, databases: DatabaseFactory) -> None:
    async with publication_service(platform, databases) as pub:
        scr_id, other_scr = await pub.seed_scr(), await pub.seed_scr()
        report = await pub.report(await pub.seed_scr(), SUBMITTED)
        notice = await pub.notice(await pub.seed_scr(), D(2014, 7, 1))
        challenged = await pub.notice(await pub.seed_scr(), D(2014, 7, 1))
        await pub.consider(challenged["id"], "challenge", D(2014, 8, 4))
        rec = report["recommendations"][0]["id"]
        board_steps, panel_steps = {Role.LSCB, Role.ADMIN}, {Role.PANEL}
        readers = {Role.LSCB, Role.PANEL, Role.DFE, Role.ADMIN}
        routes: list[tuple[str, str, dict | None, set[Role]]] = [
            ("POST", "/v1/reports", report_body(scr_id, SUBMITTED), board_steps),
            ("POST", f"/v1/reports/{report['id']}/publication", PUBLISHED, board_steps),
            (
                "POST",
                f"/v1/reports/{report['id']}/quality-reviews",
                review_body(D(2014, 7, 3)),
                panel_steps,
            ),
            (
                "POST",
                "/v1/non-publication-notices",
                notice_body(other_scr, D(2014, 7, 1)),
                board_steps,
            ),
            (
                "POST",
                f"/v1/non-publication-notices/{notice['id']}/considerations",
                CHALLENGE,
                panel_steps,
            ),
            (
                "POST",
                f"/v1/non-publication-notices/{challenged['id']}/responses",
                MAINTAIN,
                board_steps,
            ),
            ("PATCH", f"/v1/recommendations/{rec}", UPDATE, board_steps),
            ("GET", "/v1/reports", None, readers),
            ("GET", f"/v1/reports/{report['id']}", None, readers),
            ("GET", "/v1/non-publication-notices", None, readers),
            ("GET", f"/v1/non-publication-notices/{notice['id']}", None, readers),
            ("GET", "/v1/recommendations", None, set(ALL_ROLES)),
            ("GET", f"/v1/recommendations/{rec}", None, set(ALL_ROLES)),
            (
                "GET",
                f"/v1/lscbs/{BOARD_A}/recommendations-report?from=2014-01-01&to=2014-12-31",
                None,
                set(ALL_ROLES),
            ),
            ("GET", "/v1/scrs", None, set(ALL_ROLES)),
            ("GET", f"/v1/scrs/{scr_id}", None, set(ALL_ROLES)),
            ("GET", "/v1/lscbs", None, set(ALL_ROLES)),
            ("GET", "/v1/repository/search?q=neglect", None, set(ALL_ROLES)),
        ]
        other_secret = PlatformSettings(jwt_secret="another-secret-entirely-32-bytes-long")
        before = await written(pub)
        for method, path, body, allowed in routes:
            for headers in (
                {},
                {"Authorization": "Bearer not-a-token"},
                auth(other_secret, Role.PANEL),
            ):
                response = await _call(pub, method, path, body, headers)
                assert response.status_code == 401, (path, headers, response.text)
            for role in ALL_ROLES:
                response = await _call(pub, method, path, body, _headers(pub, role))
                if role not in allowed:
                    assert response.status_code == 403, (path, role, response.text)
                    assert f"role '{role.value}'" in response.json()["detail"], (path, role)
                elif method == "GET":
                    assert response.status_code == 200, (path, role, response.text)
                else:  # the first allowed role takes the step; the next finds it taken
                    assert response.status_code in (200, 201, 409), (path, role, response.text)
        # Each step was taken once, by the first role allowed to take it.
        after = await written(pub)
        for table, more in (
            ("reports", 1),
            ("notices", 1),
            ("quality_reviews", 1),
            ("notice_steps", 2 + 1),  # the notice, the challenge, the response
            ("recommendation_updates", 1),
        ):
            assert after[table] == before[table] + more, table
        published = await get(pub, f"/v1/reports/{report['id']}")
        assert published["state"] == "published"


async def test_an_operator_may_take_a_boards_steps_for_it(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        admin = pub.as_role(Role.ADMIN)
        report = await pub.post("/v1/reports", report_body(await pub.seed_scr(), SUBMITTED), admin)
        assert (report["recorded_by"], report["lscb_id"]) == ("admin:user", BOARD_A)
        path = f"/v1/reports/{report['id']}/publication"
        assert (await pub.post(path, PUBLISHED, admin))["state"] == "published"
        scr_b = await pub.seed_scr(BOARD_B)
        notice = await pub.post(
            "/v1/non-publication-notices", notice_body(scr_b, D(2014, 7, 1)), admin
        )
        assert (notice["lscb_id"], notice["recorded_by"]) == (BOARD_B, "admin:user")
        await pub.consider(notice["id"], "challenge", D(2014, 8, 4))
        path = f"/v1/non-publication-notices/{notice['id']}/responses"
        answered = await pub.post(path, MAINTAIN, admin)
        assert answered["history"][-1]["actor_role"] == "admin"


# --- other boards ---------------------------------------------------------------------------


async def test_another_boards_records_are_exactly_as_missing_as_missing_ones(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        a_scr = await pub.seed_scr()
        report = await pub.report(a_scr, SUBMITTED)
        notice = await pub.notice(await pub.seed_scr(), D(2014, 7, 1))
        challenged = await pub.notice(await pub.seed_scr(), D(2014, 7, 1))
        challenged = await pub.consider(challenged["id"], "challenge", D(2014, 8, 4))
        rec = report["recommendations"][0]["id"]
        b_scr = await pub.seed_scr(BOARD_B)
        b_report = await pub.report(b_scr, SUBMITTED, board=BOARD_B)
        b_notice = await pub.notice(await pub.seed_scr(BOARD_B), D(2014, 7, 1), board=BOARD_B)
        board_b = pub.board(BOARD_B)
        before = await written(pub)
        a_notices = {notice["id"]: notice, challenged["id"]: challenged}

        # (method, path with {} for the id, body, A's id)
        routes: list[tuple[str, str, dict | None, str]] = [
            ("GET", "/v1/reports/{}", None, report["id"]),
            ("POST", "/v1/reports/{}/publication", PUBLISHED, report["id"]),
            ("GET", "/v1/non-publication-notices/{}", None, notice["id"]),
            ("POST", "/v1/non-publication-notices/{}/responses", MAINTAIN, challenged["id"]),
            (
                "POST",
                "/v1/non-publication-notices/{}/responses",
                {"action": "publish", "responded_on": "2014-08-20", "url": "https://x.org/r"},
                challenged["id"],
            ),
            ("GET", "/v1/recommendations/{}", None, rec),
            ("PATCH", "/v1/recommendations/{}", UPDATE, rec),
            ("GET", "/v1/scrs/{}", None, a_scr),
        ]
        for method, path, body, a_id in routes:
            foreign = await _call(pub, method, path.format(a_id), body, board_b)
            missing = await _call(pub, method, path.format("no-such-id"), body, board_b)
            assert foreign.status_code == missing.status_code == 404, (method, path, foreign.text)
            assert masked(foreign, a_id) == masked(missing, "no-such-id"), (method, path)
            assert BOARD_A not in foreign.text and report["title"] not in foreign.text
        # The panel's steps: a board is refused them alike, on its own, another's or none.
        for path, body in (
            ("/v1/non-publication-notices/{}/considerations", CHALLENGE),
            ("/v1/reports/{}/quality-reviews", review_body(D(2014, 7, 3))),
        ):
            a_id = notice["id"] if "notices" in path else report["id"]
            foreign = await _call(pub, "POST", path.format(a_id), body, board_b)
            missing = await _call(pub, "POST", path.format("no-such-id"), body, board_b)
            assert foreign.status_code == missing.status_code == 403, path
            assert masked(foreign, a_id) == masked(missing, "no-such-id"), path
        # The panel asking about a missing notice or report: 404 too.
        for path, body in (
            ("/v1/non-publication-notices/no-such-id/considerations", CHALLENGE),
            ("/v1/reports/no-such-id/quality-reviews", review_body(D(2014, 7, 3))),
        ):
            assert (await _call(pub, "POST", path, body, pub.panel())).status_code == 404
        assert await written(pub) == before
        assert await get(pub, f"/v1/reports/{report['id']}") == report
        for notice_id, was in a_notices.items():
            assert await get(pub, f"/v1/non-publication-notices/{notice_id}") == was

        # Lists: a board sees only its own, even when it asks for another's.
        b_rec = b_report["recommendations"][0]["id"]
        for path, key, own in (
            ("/v1/reports", "id", {b_report["id"]}),
            ("/v1/non-publication-notices", "id", {b_notice["id"]}),
            ("/v1/recommendations", "id", {b_rec}),
            ("/v1/scrs", "scr_id", {b_scr, b_notice["scr_id"]}),
        ):
            seen = await get(pub, path, board_b)
            assert {i[key] for i in seen["items"]} == own and seen["total"] == len(own), path
            asked = await get(pub, path, board_b, lscb_id=BOARD_A)
            assert (asked["total"], asked["items"]) == (0, []), path
            everyone = await get(pub, path, pub.panel())
            assert {i["lscb_id"] for i in everyone["items"]} == {BOARD_A, BOARD_B}, path


# --- Idempotency-Key ------------------------------------------------------------------------


async def test_idempotency_keys_on_every_creating_post(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        board, panel = pub.board(), pub.panel()
        scr_report, scr_notice = await pub.seed_scr(), await pub.seed_scr()

        async def post(path: str, body: dict, headers: dict, key: str) -> httpx.Response:
            return await pub.client.post(
                path, json=body, headers=headers | {"Idempotency-Key": key}
            )

        report_path = "/v1/reports"
        first = await post(report_path, report_body(scr_report, SUBMITTED), board, "k-report")
        assert first.status_code == 201, first.text
        report_id = first.json()["id"]
        notice = await post(
            "/v1/non-publication-notices", notice_body(scr_notice, D(2014, 7, 1)), board, "k-notice"
        )
        assert notice.status_code == 201, notice.text
        notice_path = f"/v1/non-publication-notices/{notice.json()['id']}"
        # A refused step (409: the notice awaits the panel) leaves no key behind.
        early = await post(f"{notice_path}/responses", MAINTAIN, board, "k-response")
        assert early.status_code == 409, early.text

        steps: list[tuple[str, dict, dict, dict, str, str]] = [
            (
                report_path,
                report_body(scr_report, SUBMITTED),
                {**report_body(scr_report, SUBMITTED), "title": "Another title"},
                board,
                "k-report",
                "reports",
            ),
            (
                f"{report_path}/{report_id}/publication",
                PUBLISHED,
                {**PUBLISHED, "published_on": "2014-07-09"},
                board,
                "k-publish",
                "reports",
            ),
            (
                f"{report_path}/{report_id}/quality-reviews",
                review_body(D(2014, 7, 3)),
                review_body(D(2014, 7, 3), score=2),
                panel,
                "k-review",
                "quality_reviews",
            ),
            (
                "/v1/non-publication-notices",
                notice_body(scr_notice, D(2014, 7, 1)),
                notice_body(scr_notice, D(2014, 7, 2)),
                board,
                "k-notice",
                "notices",
            ),
            (
                f"{notice_path}/considerations",
                CHALLENGE,
                {**CHALLENGE, "statutory_breach": True},
                panel,
                "k-consider",
                "notice_steps",
            ),
            (
                f"{notice_path}/responses",
                MAINTAIN,
                {**MAINTAIN, "information": "Something else."},
                board,
                "k-response",
                "notice_steps",
            ),
        ]
        for path, body, other_body, headers, key, table in steps:
            original = await post(path, body, headers, key)
            assert original.status_code == 201, (path, original.text)
            before = await written(pub)
            again = await post(path, body, headers, key)
            assert again.status_code == 201, (path, again.text)
            assert again.json() == original.json(), path
            other = await post(path, other_body, headers, key)
            assert field_at_fault(other) == "Idempotency-Key", path
            assert await written(pub) == before, path
            assert before[table] >= 1, path

        counts = await written(pub)
        assert (counts["reports"], counts["notices"], counts["quality_reviews"]) == (1, 1, 1)
        assert counts["notice_steps"] == 3  # notify, challenge, maintain
        assert counts["idempotency_keys"] == 6
        published = await get(pub, f"/v1/reports/{report_id}")
        assert (published["state"], published["published_on"]) == ("published", "2014-07-08")
        # A key is the caller's own: another board using the same one is another request.
        theirs = await post(
            "/v1/reports",
            report_body(await pub.seed_scr(BOARD_B), SUBMITTED),
            pub.board(BOARD_B),
            "k-report",
        )
        assert theirs.status_code == 201 and theirs.json()["id"] != report_id


# --- the learning repository ----------------------------------------------------------------


async def _search(pub: Publication, q: str, role: Role = Role.PANEL) -> list[dict[str, Any]]:
    page = await get(pub, "/v1/repository/search", _headers(pub, role), q=q)
    return list(page["items"])


async def _found_nowhere(pub: Publication, *queries: str) -> None:
    for q in queries:
        for role in ALL_ROLES:
            assert await _search(pub, q, role) == [], (q, role)


async def test_the_learning_repository_holds_only_what_was_published(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    title = "Serious Case Review: Child Quokka"
    text = "Quokkamarker: the child was hungry at school and nobody asked why."
    summary = "Summarymarker: an anonymised account of a neglected toddler and four agencies."
    async with publication_service(platform, databases) as pub:
        report = await pub.report(await pub.seed_scr(), SUBMITTED, title=title, text=text)
        withheld = await pub.notice(
            await pub.seed_scr(),
            D(2014, 7, 1),
            proposal="withhold",
            delay_until_event=None,
            rationale="Withheldmarker: the siblings would be identified.",
        )
        await pub.consider(withheld["id"], "accept", D(2014, 8, 4))
        delayed = await pub.notice(
            await pub.seed_scr(),
            D(2014, 7, 1),
            rationale="Delaymarker: the father's trial is pending.",
        )
        await pub.consider(delayed["id"], "accept", D(2014, 8, 4))
        anonymised = await pub.notice(
            await pub.seed_scr(),
            D(2014, 7, 1),
            proposal="anonymised_summary",
            delay_until_event=None,
            anonymised_summary=summary,
        )
        unpublished = (
            "quokkamarker",
            f'"{title}"',
            f'"{text}"',
            "withheldmarker",
            "delaymarker",
            '"the father\'s trial is pending"',
            "summarymarker",
            f'"{summary}"',
        )
        # Received, withheld, delayed, awaiting the panel: nothing is found.
        await _found_nowhere(pub, *unpublished)
        assert (await written(pub))["repository_entries"] == 0
        # Challenged, then maintained (back to the panel): still nothing.
        await pub.consider(anonymised["id"], "challenge", D(2014, 8, 4))
        await _found_nowhere(pub, "summarymarker", f'"{summary}"')
        await pub.respond(anonymised["id"], "maintain", D(2014, 8, 20))
        await _found_nowhere(pub, "summarymarker", f'"{summary}"')

        # Published: the report is found, by its words and by its title.
        await pub.publish(report["id"], D(2014, 9, 1))
        for q in ("quokkamarker", f'"{title}"'):
            hits = await _search(pub, q, Role.DFE)
            assert [(h["kind"], h["source_id"]) for h in hits] == [("report", report["id"])], q
        assert hits[0]["published_on"] == "2014-09-01"
        # Accepted: the summary is found, and only the summary.
        await pub.consider(anonymised["id"], "accept", D(2014, 9, 1))
        hits = await _search(pub, "summarymarker", Role.OFSTED)
        assert [(h["kind"], h["source_id"]) for h in hits] == [
            ("anonymised_summary", anonymised["id"])
        ]
        await _found_nowhere(pub, "withheldmarker", "delaymarker")
        assert (await written(pub))["repository_entries"] == 2
        # Published after all, later: still one entry for it.
        await pub.respond(withheld["id"], "publish", D(2015, 3, 2))
        await _found_nowhere(pub, "withheldmarker")


# --- steps at once --------------------------------------------------------------------------


async def test_steps_taken_at_once_on_one_record_one_wins_the_others_409(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with publication_service(platform, databases) as pub:
        board, panel = pub.board(), pub.panel()

        async def at_once(method: str, path: str, bodies: list[dict], headers: dict) -> list:
            return list(
                await asyncio.gather(
                    *(pub.client.request(method, path, json=b, headers=headers) for b in bodies)
                )
            )

        def one_won(answers: list[httpx.Response], ok: int = 201) -> dict[str, Any]:
            statuses = sorted(a.status_code for a in answers)
            assert statuses == [ok] + [409] * (len(answers) - 1), [a.text for a in answers]
            [won] = [a.json() for a in answers if a.status_code == ok]
            return dict(won)

        # One SCR, completed once: by one report, or by one notice.
        scr_id = await pub.seed_scr()
        completions = [
            ("/v1/reports", report_body(scr_id, SUBMITTED)),
            ("/v1/reports", report_body(scr_id, D(2014, 7, 2))),
            ("/v1/non-publication-notices", notice_body(scr_id, D(2014, 7, 1))),
            ("/v1/non-publication-notices", notice_body(scr_id, D(2014, 7, 2))),
        ]
        answers = await asyncio.gather(
            *(pub.client.post(path, json=body, headers=board) for path, body in completions)
        )
        one_won(list(answers))
        lost = {a.json()["state"] for a in answers if a.status_code == 409}
        assert lost <= {"report", "non_publication_notice"} and len(lost) == 1
        counts = await written(pub)
        assert counts["reports"] + counts["notices"] == 1

        report = await pub.report(await pub.seed_scr(), SUBMITTED)
        path = f"/v1/reports/{report['id']}"
        publications = [{**PUBLISHED, "published_on": f"2014-07-0{d}"} for d in (2, 3, 4)]
        won = one_won(await at_once("POST", f"{path}/publication", publications, board))
        assert won["state"] == "published"
        reviews = [review_body(D(2014, 7, 3), score=s) for s in (1, 2, 3)]
        one_won(await at_once("POST", f"{path}/quality-reviews", reviews, panel))

        notice = await pub.notice(await pub.seed_scr(), D(2014, 7, 1))
        path = f"/v1/non-publication-notices/{notice['id']}"
        considerations = [
            {**CHALLENGE, "outcome": outcome} for outcome in ("challenge", "accept", "challenge")
        ]
        answers = await at_once("POST", f"{path}/considerations", considerations, panel)
        state = one_won(answers)["state"]
        assert {a.json()["state"] for a in answers if a.status_code == 409} == {state}
        if state == "accepted":  # the acceptance won: the board may still publish
            publish = {"action": "publish", "responded_on": "2014-08-20", "url": PUBLISHED["url"]}
            responses = [publish] * 3
        else:
            responses = [MAINTAIN, {**MAINTAIN, "information": "Other."}, MAINTAIN]
        one_won(await at_once("POST", f"{path}/responses", responses, board))
        history = (await get(pub, path))["history"]
        assert [e["seq"] for e in history] == [1, 2, 3]

        rec = report["recommendations"][0]["id"]
        updates = [{**UPDATE, "by_whom": who} for who in ("A", "B", "C")]
        one_won(await at_once("PATCH", f"/v1/recommendations/{rec}", updates, board), ok=200)
        assert len((await get(pub, f"/v1/recommendations/{rec}"))["history"]) == 1


async def test_retries_racing_with_one_idempotency_key_get_the_original_answer(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """A client retrying while its first attempt is still in flight must get that attempt's
    answer, not a 409 from the state the attempt has just moved the record to."""
    async with publication_service(platform, databases) as pub:
        board, panel = pub.board(), pub.panel()
        wrong: list[tuple[str, list[int]]] = []

        async def racing(path: str, body: dict, headers: dict, key: str) -> dict[str, Any]:
            headers = headers | {"Idempotency-Key": key}
            answers = await asyncio.gather(
                *(pub.client.post(path, json=body, headers=headers) for _ in range(4))
            )
            statuses = [a.status_code for a in answers]
            if statuses != [201] * 4 or len({a.text for a in answers}) != 1:
                wrong.append((path, statuses))
            return dict(next(a.json() for a in answers if a.status_code == 201))

        report = await racing(
            "/v1/reports", report_body(await pub.seed_scr(), SUBMITTED), board, "k1"
        )
        await racing(f"/v1/reports/{report['id']}/publication", PUBLISHED, board, "k2")
        await racing(
            f"/v1/reports/{report['id']}/quality-reviews", review_body(D(2014, 7, 3)), panel, "k3"
        )
        body = notice_body(await pub.seed_scr(), D(2014, 7, 1))
        notice = await racing("/v1/non-publication-notices", body, board, "k4")
        path = f"/v1/non-publication-notices/{notice['id']}"
        await racing(f"{path}/considerations", CHALLENGE, panel, "k5")
        await racing(f"{path}/responses", MAINTAIN, board, "k6")
        assert wrong == [], f"retries not answered as the original was: {wrong}"
        counts = await written(pub)
        assert (counts["reports"], counts["notices"], counts["notice_steps"]) == (1, 1, 3)
        assert (counts["quality_reviews"], counts["idempotency_keys"]) == (1, 6)


# --- no input is a server error -------------------------------------------------------------

NUL = "a\x00b"


async def test_a_nul_character_anywhere_is_422_naming_where_it_was(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """PostgreSQL cannot store NUL in text: without a check, each of these was a 500 there."""
    async with publication_service(platform, databases) as pub:
        report = await pub.report(await pub.seed_scr(), SUBMITTED)
        notice = await pub.notice(await pub.seed_scr(), D(2014, 7, 1))
        rec = report["recommendations"][0]["id"]
        board, panel = pub.board(), pub.panel()

        def fresh_report(**extra: Any) -> dict[str, Any]:
            return report_body("SCR", SUBMITTED, **extra)

        # (method, path, params, body, headers, the field named)
        probes: list[tuple[str, str, dict | None, Any, dict, str]] = [
            ("GET", "/v1/reports/a%00b", None, None, panel, "report_id"),
            ("GET", "/v1/non-publication-notices/a%00b", None, None, panel, "notice_id"),
            ("GET", "/v1/recommendations/a%00b", None, None, panel, "recommendation_id"),
            ("GET", "/v1/scrs/a%00b", None, None, panel, "scr_id"),
            ("GET", "/v1/lscbs/a%00b/recommendations-report", None, None, panel, "lscb_id"),
            ("GET", "/v1/recommendations", {"addressee": NUL}, None, panel, "addressee"),
            ("GET", "/v1/recommendations", {"lscb_id": NUL}, None, panel, "lscb_id"),
            ("GET", "/v1/reports", {"lscb_id": NUL}, None, panel, "lscb_id"),
            ("GET", "/v1/scrs", {"lscb_id": NUL}, None, panel, "lscb_id"),
            ("GET", "/v1/non-publication-notices", {"lscb_id": NUL}, None, panel, "lscb_id"),
            ("POST", "/v1/reports", None, {**fresh_report(), "scr_id": NUL}, board, "scr_id"),
            ("POST", "/v1/reports", None, fresh_report(title=NUL), board, "title"),
            ("POST", "/v1/reports", None, fresh_report(text=NUL), board, "text"),
            ("POST", "/v1/reports", None, fresh_report(themes=[NUL]), board, "themes"),
            (
                "POST",
                "/v1/reports",
                None,
                fresh_report(learning_points=["x", NUL]),
                board,
                "learning_points",
            ),
            (
                "POST",
                "/v1/reports",
                None,
                fresh_report(recommendations=[recommendation_body(addressee=NUL)]),
                board,
                "recommendations.0.addressee",
            ),
            (
                "POST",
                "/v1/reports",
                None,
                fresh_report(),
                board | {"Idempotency-Key": NUL},
                "Idempotency-Key",
            ),
            (
                "POST",
                "/v1/non-publication-notices",
                None,
                notice_body("SCR", D(2014, 7, 1), delay_until_event=NUL),
                board,
                "delay_until_event",
            ),
            (
                "POST",
                "/v1/non-publication-notices",
                None,
                notice_body(
                    "SCR",
                    D(2014, 7, 1),
                    proposal="anonymised_summary",
                    delay_until_event=None,
                    anonymised_summary=NUL,
                ),
                board,
                "anonymised_summary",
            ),
            (
                "POST",
                f"/v1/non-publication-notices/{notice['id']}/considerations",
                None,
                {**CHALLENGE, "rationale": NUL},
                panel,
                "rationale",
            ),
            (
                "POST",
                f"/v1/reports/{report['id']}/quality-reviews",
                None,
                review_body(D(2014, 7, 3), comment=NUL),
                panel,
                "comment",
            ),
            (
                "PATCH",
                f"/v1/recommendations/{rec}",
                None,
                {**UPDATE, "by_whom": NUL},
                board,
                "by_whom",
            ),
        ]
        before = await written(pub)
        for method, path, params, body, headers, field in probes:
            if isinstance(body, dict) and body.get("scr_id") == "SCR":
                body = {**body, "scr_id": await pub.seed_scr()}
            if isinstance(body, dict):
                body = {k: v for k, v in body.items() if v is not None}
            response = await pub.client.request(
                method, path, params=params, json=body, headers=headers
            )
            assert field_at_fault(response) == field, (method, path, params, response.text)
            assert "NUL" in response.json()["detail"], (method, path)
        assert {k: v for k, v in (await written(pub)).items() if k != "scrs"} == {
            k: v for k, v in before.items() if k != "scrs"
        }


async def test_a_chairs_report_of_the_calendars_first_year(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """Twelve months before 2 January of year 1 is no date at all: the period starts on 1 January
    of year 1 (this was a 500)."""
    async with publication_service(platform, databases) as pub:
        path = f"/v1/lscbs/{BOARD_A}/recommendations-report"
        chairs = await get(pub, path, pub.board(), to="0001-01-02")
        assert (chairs["from"], chairs["to"], chairs["items"]) == ("0001-01-01", "0001-01-02", [])
