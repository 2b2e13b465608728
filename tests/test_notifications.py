"""The notifications service over HTTP: every endpoint, bad input, cross-board access,
idempotent retries, and the events it publishes — against a real database and broker."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared.calendar import working_days_after
from shared.config import PlatformSettings
from shared.events.topics import events_topic
from shared.events.vocab import Role
from tests.support.databases import DatabaseFactory
from tests.support.kafka import read_topic
from tests.support.services import auth, running_app, settings_for

HARTLEPOOL, MIDDLESBROUGH, REDCAR = "E06000001", "E06000002", "E06000003"


@pytest.fixture
async def client(platform: PlatformSettings, databases: DatabaseFactory) -> AsyncIterator[Any]:
    settings = settings_for("notifications", platform, databases.new("notifications"))
    async with running_app(settings) as (_app, http):
        yield http


def body(**changes: Any) -> dict[str, Any]:
    base = {
        "incident_date": "2014-03-03",
        "became_aware_on": "2014-03-04",
        "notified_on": "2014-03-07",
        "outcome": "seriously_harmed",
        "abuse_or_neglect": ["physical_abuse", "neglect"],
        "age_years": 2,
        "sex": "male",
        "looked_after": False,
        "on_child_protection_plan": True,
        "agencies_involved": ["health", "police"],
        "summary": "Admitted to hospital with unexplained injuries.",
    }
    return {**base, **changes}


def problem_fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json")
    return [error["field"] for error in response.json()["errors"]]


# --- the registry ---------------------------------------------------------------------------


async def test_registry_is_seeded_with_one_board_per_authority(client, platform):
    response = await client.get("/v1/lscbs", headers=auth(platform, "dfe"))
    assert response.status_code == 200
    boards = response.json()
    assert len(boards) == 152
    hartlepool = next(b for b in boards if b["id"] == HARTLEPOOL)
    assert hartlepool["name"] == "Hartlepool"
    assert hartlepool["authorities"] == [
        {"ons_code": HARTLEPOOL, "name": "Hartlepool", "dfe_la_code": "805"}
    ]
    one = await client.get(f"/v1/lscbs/{HARTLEPOOL}", headers=auth(platform, "lscb", REDCAR))
    assert one.json() == hartlepool


async def test_registry_needs_a_valid_token(client, platform):
    assert (await client.get("/v1/lscbs")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    response = await client.get("/v1/lscbs", headers=bad)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    other_secret = PlatformSettings(jwt_secret="another-secret-entirely-32-bytes-long")
    assert (await client.get("/v1/lscbs", headers=auth(other_secret, "admin"))).status_code == 401


async def test_unknown_board_is_404(client, platform):
    response = await client.get("/v1/lscbs/E99999999", headers=auth(platform, "panel"))
    assert response.status_code == 404


async def test_admin_renames_a_board(client, platform):
    response = await client.patch(
        f"/v1/lscbs/{HARTLEPOOL}",
        json={"name": "Hartlepool Safeguarding Children Board", "changed_on": "2014-01-06"},
        headers=auth(platform, "admin"),
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Hartlepool Safeguarding Children Board"
    assert response.json()["changed_on"] == "2014-01-06"

    denied = await client.patch(
        f"/v1/lscbs/{HARTLEPOOL}", json={"name": "Mine now"}, headers=auth(platform, "panel")
    )
    assert denied.status_code == 403
    too_short = await client.patch(
        f"/v1/lscbs/{HARTLEPOOL}", json={"name": "H"}, headers=auth(platform, "admin")
    )
    assert too_short.status_code == 422 and problem_fields(too_short) == ["name"]


async def test_admin_merges_boards(client, platform):
    admin = auth(platform, "admin")
    merged = await client.post(
        f"/v1/lscbs/{REDCAR}/merge",
        json={"into": MIDDLESBROUGH, "merged_on": "2014-02-03"},
        headers=admin,
    )
    assert merged.status_code == 200
    target = merged.json()
    assert target["id"] == MIDDLESBROUGH
    assert {a["ons_code"] for a in target["authorities"]} == {MIDDLESBROUGH, REDCAR}
    source = (await client.get(f"/v1/lscbs/{REDCAR}", headers=admin)).json()
    assert source["active"] is False and source["merged_into"] == MIDDLESBROUGH
    active = (await client.get("/v1/lscbs?active=true", headers=admin)).json()
    assert len(active) == 151

    again = await client.post(f"/v1/lscbs/{REDCAR}/merge", json={"into": HARTLEPOOL}, headers=admin)
    assert again.status_code == 409
    into_merged = await client.post(
        f"/v1/lscbs/{HARTLEPOOL}/merge", json={"into": REDCAR}, headers=admin
    )
    assert into_merged.status_code == 422 and problem_fields(into_merged) == ["into"]
    into_self = await client.post(
        f"/v1/lscbs/{HARTLEPOOL}/merge", json={"into": HARTLEPOOL}, headers=admin
    )
    assert into_self.status_code == 422 and problem_fields(into_self) == ["into"]
    unknown = await client.post(
        f"/v1/lscbs/{HARTLEPOOL}/merge", json={"into": "E99999999"}, headers=admin
    )
    assert unknown.status_code == 422 and problem_fields(unknown) == ["into"]
    not_admin = await client.post(
        f"/v1/lscbs/{HARTLEPOOL}/merge",
        json={"into": MIDDLESBROUGH},
        headers=auth(platform, "lscb", HARTLEPOOL),
    )
    assert not_admin.status_code == 403

    # A merged board can no longer notify: its area is the other board's now.
    late_notice = await client.post(
        "/v1/notifications", json=body(), headers=auth(platform, "lscb", REDCAR)
    )
    assert late_notice.status_code == 422 and problem_fields(late_notice) == ["lscb_id"]


# --- notifications --------------------------------------------------------------------------


async def test_notify_a_serious_incident(client, platform):
    response = await client.post(
        "/v1/notifications", json=body(), headers=auth(platform, "lscb", HARTLEPOOL)
    )
    assert response.status_code == 201
    created = response.json()
    assert created["lscb_id"] == HARTLEPOOL  # taken from the token
    assert created["case_id"] == created["id"]
    assert created["reference"].startswith("SIN-2014-")
    assert created["working_days_to_notify"] == 3 and created["late"] is False
    assert created["recorded_by"] == f"lscb:{HARTLEPOOL}"

    fetched = await client.get(
        f"/v1/notifications/{created['id']}", headers=auth(platform, "lscb", HARTLEPOOL)
    )
    assert fetched.status_code == 200 and fetched.json() == created


async def test_lateness_counts_england_bank_holidays(client, platform):
    # Aware Thursday 17 April 2014; Good Friday and Easter Monday are not working days.
    response = await client.post(
        "/v1/notifications",
        json=body(
            incident_date="2014-04-17", became_aware_on="2014-04-17", notified_on="2014-04-25"
        ),
        headers=auth(platform, "lscb", HARTLEPOOL),
    )
    assert response.json()["working_days_to_notify"] == 4
    assert response.json()["late"] is False
    late = await client.post(
        "/v1/notifications",
        json=body(
            incident_date="2014-04-17", became_aware_on="2014-04-17", notified_on="2014-04-29"
        ),
        headers=auth(platform, "lscb", HARTLEPOOL),
    )
    assert late.json()["working_days_to_notify"] == 6
    assert late.json()["late"] is True
    assert working_days_after(dt.date(2014, 4, 17), dt.date(2014, 4, 29)) == 6


async def test_notified_on_defaults_to_today(client, platform, today):
    recent = (today - dt.timedelta(days=1)).isoformat()
    payload = body(incident_date=recent, became_aware_on=recent)
    del payload["notified_on"]
    response = await client.post(
        "/v1/notifications", json=payload, headers=auth(platform, "lscb", HARTLEPOOL)
    )
    assert response.status_code == 201
    assert response.json()["notified_on"] == today.isoformat()


async def test_admin_notifies_for_a_named_board_only(client, platform):
    missing = await client.post("/v1/notifications", json=body(), headers=auth(platform, "admin"))
    assert missing.status_code == 422 and problem_fields(missing) == ["lscb_id"]
    named = await client.post(
        "/v1/notifications", json=body(lscb_id=REDCAR), headers=auth(platform, "admin")
    )
    assert named.status_code == 201 and named.json()["lscb_id"] == REDCAR


async def test_a_board_cannot_notify_for_another(client, platform):
    response = await client.post(
        "/v1/notifications", json=body(lscb_id=REDCAR), headers=auth(platform, "lscb", HARTLEPOOL)
    )
    assert response.status_code == 403
    for role in ("panel", "dfe", "ofsted"):
        denied = await client.post(
            "/v1/notifications", json=body(lscb_id=REDCAR), headers=auth(platform, role)
        )
        assert denied.status_code == 403, role


FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()
BAD_INPUT = [
    ("unknown board", {"lscb_id": "E99999999"}, "admin", "lscb_id"),
    ("incident in the future", {"incident_date": FUTURE}, "lscb", "incident_date"),
    ("aware in the future", {"became_aware_on": FUTURE}, "lscb", "became_aware_on"),
    ("notified in the future", {"notified_on": FUTURE}, "lscb", "notified_on"),
    ("incident after awareness", {"incident_date": "2014-03-05"}, "lscb", "became_aware_on"),
    ("notified before awareness", {"notified_on": "2014-03-03"}, "lscb", "notified_on"),
    ("not a date", {"incident_date": "3rd March"}, "lscb", "incident_date"),
    ("a number for a date", {"incident_date": 0}, "lscb", "incident_date"),
    ("a Unix time for a date", {"became_aware_on": "1394150400"}, "lscb", "became_aware_on"),
    ("unknown outcome", {"outcome": "injured"}, "lscb", "outcome"),
    ("no abuse type", {"abuse_or_neglect": []}, "lscb", "abuse_or_neglect"),
    ("unknown abuse type", {"abuse_or_neglect": ["cruelty"]}, "lscb", "abuse_or_neglect.0"),
    (
        "repeated abuse type",
        {"abuse_or_neglect": ["neglect", "neglect"]},
        "lscb",
        "abuse_or_neglect",
    ),
    ("adult", {"age_years": 18}, "lscb", "age_years"),
    ("negative age", {"age_years": -1}, "lscb", "age_years"),
    ("unknown sex", {"sex": "x"}, "lscb", "sex"),
    ("not a boolean", {"looked_after": "perhaps"}, "lscb", "looked_after"),
    ("a word for a boolean", {"looked_after": "no"}, "lscb", "looked_after"),
    ("a number for a boolean", {"on_child_protection_plan": 1}, "lscb", "on_child_protection_plan"),
    ("unknown agency", {"agencies_involved": ["army"]}, "lscb", "agencies_involved.0"),
    ("blank summary", {"summary": "   "}, "lscb", "summary"),
    ("misspelt field", {"sumary": "typo"}, "lscb", "sumary"),
]


@pytest.mark.parametrize(
    ("case", "change", "role", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT]
)
async def test_bad_input_names_the_field_and_writes_nothing(
    client, platform, case, change, role, field
):
    headers = auth(platform, role, HARTLEPOOL if role == "lscb" else None)
    response = await client.post("/v1/notifications", json=body(**change), headers=headers)
    assert response.status_code == 422, response.text
    assert field in problem_fields(response)
    assert field in response.json()["detail"]
    listing = await client.get("/v1/notifications", headers=auth(platform, "panel"))
    assert listing.json()["total"] == 0


async def test_missing_fields_are_named(client, platform):
    response = await client.post(
        "/v1/notifications", json={"summary": "x"}, headers=auth(platform, "lscb", HARTLEPOOL)
    )
    assert response.status_code == 422
    assert set(problem_fields(response)) >= {
        "incident_date",
        "became_aware_on",
        "outcome",
        "abuse_or_neglect",
        "age_years",
        "sex",
        "looked_after",
        "on_child_protection_plan",
    }
    not_json = await client.post(
        "/v1/notifications",
        content=b"{oops",
        headers=auth(platform, "lscb", HARTLEPOOL) | {"content-type": "application/json"},
    )
    assert not_json.status_code == 422


async def test_idempotent_retry(client, platform):
    headers = auth(platform, "lscb", HARTLEPOOL) | {"Idempotency-Key": "retry-1"}
    first = await client.post("/v1/notifications", json=body(), headers=headers)
    again = await client.post("/v1/notifications", json=body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()

    other_body = await client.post("/v1/notifications", json=body(age_years=3), headers=headers)
    assert other_body.status_code == 422 and problem_fields(other_body) == ["Idempotency-Key"]

    # Keys belong to the caller: another board's same key is another request.
    theirs = await client.post(
        "/v1/notifications",
        json=body(),
        headers=auth(platform, "lscb", REDCAR) | {"Idempotency-Key": "retry-1"},
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]

    listing = await client.get("/v1/notifications", headers=auth(platform, "panel"))
    assert listing.json()["total"] == 2


async def test_a_rejected_request_does_not_use_up_its_key(client, platform):
    headers = auth(platform, "lscb", HARTLEPOOL) | {"Idempotency-Key": "k-2"}
    rejected = await client.post("/v1/notifications", json=body(age_years=30), headers=headers)
    assert rejected.status_code == 422
    accepted = await client.post("/v1/notifications", json=body(), headers=headers)
    assert accepted.status_code == 201


async def test_listing_filters_paginates_and_keeps_boards_apart(client, platform):
    for board, day in [
        (HARTLEPOOL, "2014-03-07"),
        (HARTLEPOOL, "2014-05-02"),
        (REDCAR, "2014-03-10"),
        (HARTLEPOOL, "2014-07-01"),
    ]:
        created = await client.post(
            "/v1/notifications", json=body(notified_on=day), headers=auth(platform, "lscb", board)
        )
        assert created.status_code == 201
    panel = auth(platform, "panel")

    everything = (await client.get("/v1/notifications", headers=panel)).json()
    assert everything["total"] == 4
    assert [n["notified_on"] for n in everything["items"]] == [
        "2014-07-01",
        "2014-05-02",
        "2014-03-10",
        "2014-03-07",
    ]
    spring = (
        await client.get("/v1/notifications?from=2014-03-08&to=2014-05-02", headers=panel)
    ).json()
    assert [n["notified_on"] for n in spring["items"]] == ["2014-05-02", "2014-03-10"]
    page = (await client.get("/v1/notifications?limit=1&offset=1", headers=panel)).json()
    assert page["total"] == 4 and len(page["items"]) == 1
    assert page["items"][0]["notified_on"] == "2014-05-02"
    redcar = (await client.get(f"/v1/notifications?lscb_id={REDCAR}", headers=panel)).json()
    assert redcar["total"] == 1

    own = (await client.get("/v1/notifications", headers=auth(platform, "lscb", REDCAR))).json()
    assert own["total"] == 1 and own["items"][0]["lscb_id"] == REDCAR
    peeking = await client.get(
        f"/v1/notifications?lscb_id={HARTLEPOOL}", headers=auth(platform, "lscb", REDCAR)
    )
    assert peeking.status_code == 200 and peeking.json()["total"] == 0

    bad_period = await client.get("/v1/notifications?from=2014-05-01&to=2014-04-01", headers=panel)
    assert bad_period.status_code == 422 and problem_fields(bad_period) == ["to"]
    bad_limit = await client.get("/v1/notifications?limit=0", headers=panel)
    assert bad_limit.status_code == 422 and problem_fields(bad_limit) == ["limit"]
    for bad in ("yesterday", "0", "2014-3-7"):
        bad_date = await client.get(f"/v1/notifications?from={bad}", headers=panel)
        assert bad_date.status_code == 422 and problem_fields(bad_date) == ["from"], bad
    for role in ("dfe", "ofsted"):
        assert (
            await client.get("/v1/notifications", headers=auth(platform, role))
        ).status_code == 403


async def test_another_boards_notification_is_404(client, platform):
    created = (
        await client.post(
            "/v1/notifications", json=body(), headers=auth(platform, "lscb", HARTLEPOOL)
        )
    ).json()
    theirs = await client.get(
        f"/v1/notifications/{created['id']}", headers=auth(platform, "lscb", REDCAR)
    )
    assert theirs.status_code == 404
    assert theirs.json()["detail"] == f"no notification '{created['id']}'"
    missing = await client.get("/v1/notifications/nope", headers=auth(platform, "panel"))
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no notification 'nope'"


async def test_a_wrong_method_says_which_are_allowed(client, platform):
    response = await client.delete("/v1/notifications", headers=auth(platform, "admin"))
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "notifications"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["broker"] == "ok"


async def test_events_are_published_keyed_by_case(client, platform):
    created = (
        await client.post(
            "/v1/notifications", json=body(), headers=auth(platform, "lscb", HARTLEPOOL)
        )
    ).json()
    records = await read_topic(platform, events_topic("notifications"), 153)
    seen: dict[str, list[Any]] = {}
    for record in records:
        seen.setdefault(json.loads(record.value)["type"], []).append(record)
    assert len(seen["lscb.registered.v1"]) == 152
    (record,) = seen["notification.received.v1"]
    event = json.loads(record.value)
    assert record.key.decode() == created["case_id"] == event["subject"]
    assert dict(record.headers)["ce_id"].decode() == event["id"]
    assert event["specversion"] == "1.0"
    assert event["source"] == "urn:scr-panel:notifications"
    assert event["data"]["reference"] == created["reference"]
    assert event["data"]["notified_on"] == "2014-03-07"
    assert "summary" not in event["data"]  # free text stays in the notifications service


async def test_a_nul_character_is_422_naming_where_it_was(client, platform):
    """PostgreSQL cannot store NUL in text: every service refuses it as bad input (shared
    ``StrictInput`` for bodies, the shared router dependency for paths, queries and keys)."""
    board = auth(platform, Role.LSCB, lscb_id="E06000001")
    cases = [
        ("POST", "/v1/notifications", {}, body(summary="a\x00b"), {}, "summary"),
        ("POST", "/v1/notifications", {}, body(agencies_involved=["po\x00lice"]), {}, None),
        ("GET", "/v1/notifications", {"lscb_id": "E06\x00"}, None, {}, "lscb_id"),
        ("GET", "/v1/notifications/ab%00cd", {}, None, {}, None),
        ("POST", "/v1/notifications", {}, body(), {"Idempotency-Key": "k\x00"}, None),
    ]
    for method, path, params, payload, extra_headers, field in cases:
        response = await client.request(
            method, path, params=params, json=payload, headers={**board, **extra_headers}
        )
        assert response.status_code == 422, (path, response.text)
        if field is not None:
            assert response.json()["errors"][0]["field"] == field, response.text
    listed = await client.get("/v1/notifications", headers=board)
    assert listed.json()["total"] == 0
