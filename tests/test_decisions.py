"""The decisions service over HTTP: a notification opens a case; the board decides; the panel
considers; the board responds; follow-ups fall overdue. Real broker, real database, notifications
served over real HTTP. Boards see only theirs.

Most tests keep decisions deaf to events (``workers=False``): every case is then opened by the HTTP
look-up of its notification, nothing runs behind the test's back (no scheduler round marks a 2014
follow-up overdue mid-test), and every event stays in the outbox table where it can be counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, cast

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.decisions.consumers import HANDLERS
from services.decisions.models import AuditEntry, Case, Decision, FollowUp
from services.decisions.scheduler import mark_overdue_follow_ups
from shared.config import PlatformSettings
from shared.db import idempotency_table, make_engine, make_sessionmaker, outbox_table
from shared.embedded_broker import free_port
from shared.events.contracts import NotificationReceivedV1
from shared.events.envelope import CloudEvent
from shared.events.topics import events_topic
from shared.events.vocab import AbuseOrNeglect, Outcome, Role, Sex
from tests.support.databases import DatabaseFactory
from tests.support.decisions import Workflow, initiate_body, not_initiate_body, workflow
from tests.support.kafka import read_topic
from tests.support.services import auth, eventually, running_app, settings_for

BOARD_A, BOARD_B = "E06000001", "E08000001"
D = dt.date
NOTIFIED = D(2014, 5, 1)
PROBLEM = "application/problem+json"
DROP = object()  # in a table of changes: remove the field


# --- helpers --------------------------------------------------------------------------------


class _Recorder:
    """Passes for a DatabaseFactory and remembers the URL it handed out for each service."""

    def __init__(self, factory: DatabaseFactory) -> None:
        self.factory = factory
        self.urls: dict[str, str] = {}

    def new(self, service: str) -> str:
        self.urls[service] = self.factory.new(service)
        return self.urls[service]


@dataclass
class Flow(Workflow):
    """The support workflow, plus a session on the decisions database to see what was written."""

    sessions: async_sessionmaker[AsyncSession] | None = None

    @property
    def api(self) -> httpx.AsyncClient:
        return self.decisions

    def as_role(self, role: Role, lscb_id: str | None = None, sub: str | None = None) -> dict:
        return auth(self.platform, role, lscb_id=lscb_id, sub=sub)

    async def written(self) -> dict[str, int]:
        """How many rows each table of the decisions database holds."""
        assert self.sessions is not None
        tables = {
            "cases": Case.__table__,
            "decisions": Decision.__table__,
            "follow_ups": FollowUp.__table__,
            "audit_entries": AuditEntry.__table__,
            "outbox": outbox_table,
            "idempotency_keys": idempotency_table,
        }
        async with self.sessions() as session:
            return {
                name: (await session.execute(select(func.count()).select_from(t))).scalar_one()
                for name, t in tables.items()
            }

    async def events(self, event_type: str | None = None, key: str | None = None) -> list[dict]:
        """Events in the outbox, oldest first: each as ``{"type": ..., **data}``."""
        assert self.sessions is not None
        query = select(outbox_table.c.event_type, outbox_table.c.payload).order_by(
            outbox_table.c.seq
        )
        if event_type is not None:
            query = query.where(outbox_table.c.event_type == event_type)
        if key is not None:
            query = query.where(outbox_table.c.key == key)
        async with self.sessions() as session:
            rows = (await session.execute(query)).all()
        return [{"type": t, **json.loads(payload)["data"]} for t, payload in rows]

    async def follow_ups(self, headers: dict | None = None, **params: Any) -> dict:
        response = await self.api.get(
            "/v1/follow-ups", params=params, headers=headers or self.panel()
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def walk(self, lscb_id: str, *steps: tuple, notified_on: dt.date = NOTIFIED) -> str:
        """Notify, then take ``steps``, each ``(what, on)`` or ``(what, on, extra)``.

        Returns the decision's id."""
        notification_id = await self.notify(lscb_id, notified_on)
        decision_id = ""
        for what, on, *rest in steps:
            extra = rest[0] if rest else {}
            if what == "initiate":
                body = initiate_body(notification_id, on, **extra)
                decision_id = (await self.decide(lscb_id, body))["id"]
            elif what == "not_initiate":
                body = not_initiate_body(notification_id, on, **extra)
                decision_id = (await self.decide(lscb_id, body))["id"]
            elif what in ("agree", "challenge", "refer_back"):
                await self.consider(decision_id, what, on, **extra)
            else:
                await self.respond(lscb_id, decision_id, what, on)
        return decision_id


@contextlib.asynccontextmanager
async def flow(
    platform: PlatformSettings, databases: DatabaseFactory, workers: bool = False, **overrides: Any
) -> AsyncIterator[Flow]:
    recorder = _Recorder(databases)
    async with workflow(
        platform, cast(DatabaseFactory, recorder), decisions_workers=workers, **overrides
    ) as base:
        engine = make_engine(recorder.urls["decisions"])
        try:
            yield Flow(base.platform, base.notifications, base.decisions, make_sessionmaker(engine))
        finally:
            await engine.dispose()


def changed(base: dict, changes: dict) -> dict:
    out = {**base, **changes}
    return {k: v for k, v in out.items() if v is not DROP}


def field_at_fault(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return str(response.json()["errors"][0]["field"])


def masked(response: httpx.Response, *ids: str) -> dict:
    """The problem document with the ids asked about blanked out."""
    text = response.text
    for value in ids:
        text = text.replace(value, "<id>")
    return dict(json.loads(text))


def ids(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


# --- cases ----------------------------------------------------------------------------------


def _notification(notified_on: dt.date) -> dict[str, Any]:
    return {
        "incident_date": (notified_on - dt.timedelta(days=3)).isoformat(),
        "became_aware_on": (notified_on - dt.timedelta(days=1)).isoformat(),
        "notified_on": notified_on.isoformat(),
        "outcome": "seriously_harmed",
        "abuse_or_neglect": ["physical_abuse"],
        "age_years": 7,
        "sex": "male",
        "looked_after": False,
        "on_child_protection_plan": True,
        "agencies_involved": ["police"],
        "summary": "A serious incident, for the decisions test.",
    }


async def _notify(
    client: httpx.AsyncClient, platform: PlatformSettings, board: str, notified_on: dt.date
) -> dict[str, Any]:
    response = await client.post(
        "/v1/notifications",
        json=_notification(notified_on),
        headers=auth(platform, Role.LSCB, lscb_id=board),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_notification_opens_a_case_that_only_its_board_sees(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    notifications = settings_for("notifications", platform, databases.new("notifications"))
    decisions = settings_for("decisions", platform, databases.new("decisions"))
    panel = auth(platform, Role.PANEL)
    board_a = auth(platform, Role.LSCB, lscb_id=BOARD_A)
    board_b = auth(platform, Role.LSCB, lscb_id=BOARD_B)
    async with (
        running_app(notifications) as (_, notifier),
        running_app(decisions) as (_, cases),
    ):
        first = await _notify(notifier, platform, BOARD_A, dt.date(2014, 5, 2))
        second = await _notify(notifier, platform, BOARD_A, dt.date(2014, 6, 3))
        other = await _notify(notifier, platform, BOARD_B, dt.date(2014, 7, 4))

        async def opened(case_id: str) -> dict[str, Any]:
            response = await cases.get(f"/v1/cases/{case_id}", headers=panel)
            assert response.status_code == 200, response.text
            return response.json()

        case = await eventually(lambda: opened(first["case_id"]))
        assert case == {
            "case_id": first["id"],
            "notification_id": first["id"],
            "reference": first["reference"],
            "lscb_id": BOARD_A,
            "notified_on": "2014-05-02",
            "state": "awaiting_initiation_decision",
            "state_since": "2014-05-02",
            "opened_at": case["opened_at"],
        }
        await eventually(lambda: opened(second["case_id"]))
        await eventually(lambda: opened(other["case_id"]))

        # Its own board reads it; another board is told it does not exist.
        own = await cases.get(f"/v1/cases/{first['case_id']}", headers=board_a)
        assert own.status_code == 200
        foreign = await cases.get(f"/v1/cases/{first['case_id']}", headers=board_b)
        assert foreign.status_code == 404
        assert first["reference"] not in foreign.text
        missing = await cases.get("/v1/cases/no-such-case", headers=panel)
        assert missing.status_code == 404

        async def listed(headers: dict[str, str], **params: Any) -> dict[str, Any]:
            response = await cases.get("/v1/cases", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        everything = await listed(panel)
        assert everything["total"] == 3
        # Newest notification first.
        assert [c["case_id"] for c in everything["items"]] == [
            other["id"],
            second["id"],
            first["id"],
        ]
        seen_by_b = await listed(board_b)
        assert [c["case_id"] for c in seen_by_b["items"]] == [other["id"]]
        assert (await listed(board_b, lscb_id=BOARD_A))["total"] == 0
        assert (await listed(board_a))["total"] == 2

        # Filters and pagination.
        assert (await listed(panel, lscb_id=BOARD_A))["total"] == 2
        waiting = await listed(panel, state="awaiting_initiation_decision", lscb_id=BOARD_B)
        assert [c["case_id"] for c in waiting["items"]] == [other["id"]]
        assert (await listed(panel, state="scr_initiated"))["total"] == 0
        page = await listed(panel, limit=1, offset=1)
        assert page["total"] == 3 and page["limit"] == 1 and page["offset"] == 1
        assert [c["case_id"] for c in page["items"]] == [second["id"]]

        bad_state = await cases.get("/v1/cases", params={"state": "closed"}, headers=panel)
        assert bad_state.status_code == 422
        assert bad_state.json()["errors"][0]["field"] == "state"
        assert (await cases.get("/v1/cases", headers=auth(platform, Role.DFE))).status_code == 403
        assert (await cases.get("/v1/cases")).status_code == 401


async def test_a_replayed_notification_never_reopens_its_case(databases: DatabaseFactory) -> None:
    """The inbox already stops redelivery; the handler must not rely on it alone."""
    received = NotificationReceivedV1(
        notification_id="n-1",
        case_id="n-1",
        reference="SIN-2014-TESTTEST",
        lscb_id=BOARD_A,
        incident_date=dt.date(2014, 5, 1),
        became_aware_on=dt.date(2014, 5, 1),
        notified_on=dt.date(2014, 5, 2),
        outcome=Outcome.DIED,
        abuse_or_neglect=(AbuseOrNeglect.NEGLECT,),
        child_age_years=4,
        child_sex=Sex.FEMALE,
        looked_after=False,
        on_child_protection_plan=False,
        working_days_to_notify=1,
        late=False,
    )
    envelope = CloudEvent.wrap(received, subject="n-1")
    engine = make_engine(databases.new("decisions"))
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            await HANDLERS[NotificationReceivedV1](session, received, envelope)
        async with sessions() as session, session.begin():
            # Stands in for a decision recorded since.
            (await session.get_one(Case, "n-1")).state = "scr_initiated"
        async with sessions() as session, session.begin():
            await HANDLERS[NotificationReceivedV1](session, received, envelope)
        async with sessions() as session:
            found = (await session.scalars(select(Case))).all()
    finally:
        await engine.dispose()
    assert [(c.case_id, c.state, c.opened_at) for c in found] == [
        ("n-1", "scr_initiated", envelope.time)
    ]


# --- every legal transition -----------------------------------------------------------------

# Each path: the steps (what, business date, extra body fields) and the state each one leads to.
PATHS: dict[str, list[tuple[str, dt.date, dict[str, Any], str]]] = {
    "initiate": [
        ("initiate", D(2014, 5, 6), {"reviewers": ["A. Reviewer", "B. Reviewer"]}, "scr_initiated"),
    ],
    "agreed without challenge": [
        ("not_initiate", D(2014, 5, 6), {}, "awaiting_panel"),
        ("agree", D(2014, 6, 2), {}, "agreed_without_challenge"),
    ],
    "challenged, informed, accepted": [
        ("not_initiate", D(2014, 5, 6), {}, "awaiting_panel"),
        ("challenge", D(2014, 6, 2), {"statutory_breach": True}, "awaiting_lscb"),
        ("provide_information", D(2014, 6, 10), {}, "awaiting_panel"),
        ("agree", D(2014, 7, 1), {}, "accepted_after_further_information"),
    ],
    "referred back, SCR initiated": [
        ("not_initiate", D(2014, 5, 6), {}, "awaiting_panel"),
        ("refer_back", D(2014, 6, 2), {"response_due_on": "2014-06-30"}, "awaiting_lscb"),
        ("initiate_scr", D(2014, 6, 20), {}, "scr_initiated_after_advice"),
    ],
    "challenged, SCR initiated": [
        ("not_initiate", D(2014, 5, 1), {}, "awaiting_panel"),
        ("challenge", D(2014, 5, 1), {}, "awaiting_lscb"),
        ("initiate_scr", D(2014, 5, 1), {}, "scr_initiated_after_advice"),
    ],
    "referred back, informed, challenged, informed, accepted": [
        ("not_initiate", D(2014, 5, 6), {}, "awaiting_panel"),
        ("refer_back", D(2014, 6, 2), {}, "awaiting_lscb"),
        ("provide_information", D(2014, 6, 9), {}, "awaiting_panel"),
        ("challenge", D(2014, 7, 7), {"response_due_on": "2014-07-08"}, "awaiting_lscb"),
        ("provide_information", D(2014, 7, 8), {}, "awaiting_panel"),
        ("agree", D(2014, 8, 4), {"statutory_breach": True}, "accepted_after_further_information"),
    ],
}
CONSIDER = ("agree", "challenge", "refer_back")
EVENTS_OF = {
    "initiate": ["decision.recorded", "scr.initiated"],
    "not_initiate": ["decision.recorded"],
    "agree": ["consideration.recorded"],
    "challenge": ["consideration.recorded", "follow_up.opened"],
    "refer_back": ["consideration.recorded", "follow_up.opened"],
    "provide_information": ["lscb_response.recorded", "follow_up.closed"],
    "initiate_scr": ["lscb_response.recorded", "follow_up.closed", "scr.initiated"],
}


async def test_every_legal_transition_through_the_api(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    board_sub, panel_sub = "lscb:E06000001:clerk", "panel:chair"
    async with flow(platform, databases) as f:
        board = f.as_role(Role.LSCB, BOARD_A, sub=board_sub)
        panel = f.as_role(Role.PANEL, sub=panel_sub)
        for name, steps in PATHS.items():
            notification_id = await f.notify(BOARD_A, NOTIFIED)
            decision_id, state, considered, follow_up = "", "awaiting_initiation_decision", 0, None
            for n, (what, on, extra, expected) in enumerate(steps, start=1):
                where, day = f"{name}, step {n} ({what})", on.isoformat()
                kind = "decide" if n == 1 else "consider" if what in CONSIDER else "respond"
                if kind == "decide":
                    make = initiate_body if what == "initiate" else not_initiate_body
                    body = make(notification_id, on, **extra)
                    response = await f.api.post("/v1/decisions", json=body, headers=board)
                elif kind == "consider":
                    body = {"outcome": what, "considered_on": day, **extra}
                    if what != "agree":
                        body["rationale"] = "The panel's reasons."
                    path = f"/v1/decisions/{decision_id}/considerations"
                    response = await f.api.post(path, json=body, headers=panel)
                else:
                    body = {"action": what, "responded_on": day}
                    if what == "provide_information":
                        body["information"] = "What the panel asked for."
                    path = f"/v1/decisions/{decision_id}/responses"
                    response = await f.api.post(path, json=body, headers=board)
                assert response.status_code == 201, (where, response.text)
                answer = response.json()
                assert answer["state"] == expected, where
                actor = panel_sub if kind == "consider" else board_sub
                assert answer["recorded_by"] == actor, where
                due_on = None
                if what in ("challenge", "refer_back"):
                    due_on = extra.get("response_due_on") or (on + dt.timedelta(14)).isoformat()
                if kind == "decide":
                    decision_id = answer["id"]
                    assert (answer["decision"], answer["decided_on"]) == (what, day), where
                    assert answer["notification_id"] == answer["case_id"] == notification_id
                    assert answer["lscb_id"] == BOARD_A, where
                    assert answer["reviewers"] == extra.get("reviewers", []), where
                elif kind == "consider":
                    assert (answer["outcome"], answer["considered_on"]) == (what, day), where
                    assert answer["first_consideration"] is (considered == 0), where
                    assert answer["statutory_breach"] is extra.get("statutory_breach", False)
                    assert answer["response_due_on"] == due_on, where
                    considered += 1
                    if due_on is None:
                        assert answer["follow_up"] is None, where
                    else:
                        follow_up = answer["follow_up"]
                        assert {k: follow_up[k] for k in ("reason", "opened_on", "due_on")} == {
                            "reason": what,
                            "opened_on": day,
                            "due_on": due_on,
                        }, where
                        assert (follow_up["status"], follow_up["lscb_id"]) == ("open", BOARD_A)
                        assert follow_up["decision_id"] == decision_id, where
                else:
                    assert follow_up is not None
                    assert (answer["action"], answer["responded_on"]) == (what, day), where
                    assert answer["follow_up_id"] == follow_up["id"], where
                    closed = await f.follow_ups(status="closed")
                    [mine] = [c for c in closed["items"] if c["id"] == follow_up["id"]]
                    assert (mine["closed_on"], mine["response_id"]) == (day, answer["id"]), where
                    follow_up = None

                got = await f.decision(decision_id)
                assert (got["state"], got["state_since"]) == (expected, day), where
                assert got["open_follow_up"] == follow_up, where
                history = got["history"]
                assert [e["seq"] for e in history] == list(range(1, n + 1)), where
                entry = history[-1]
                step = {"agree": "agree_later" if considered > 1 else "agree_first"}.get(what, what)
                assert {k: entry[k] for k in ("step", "on", "actor", "actor_role")} == {
                    "step": step,
                    "on": day,
                    "actor": actor,
                    "actor_role": "panel" if kind == "consider" else "lscb",
                }, where
                assert (entry["state_before"], entry["state_after"]) == (state, expected), where
                change = entry["change"]
                if kind == "decide":
                    for key, value in body.items():
                        if key != "notification_id":
                            assert change[key] == value, (where, key)
                elif kind == "consider":
                    assert entry["id"] == answer["id"], where
                    assert (change["outcome"], change["considered_on"]) == (what, day), where
                    assert change["first_consideration"] is answer["first_consideration"]
                    assert change["statutory_breach"] is answer["statutory_breach"], where
                    assert change.get("response_due_on") == due_on, where
                else:
                    assert entry["id"] == answer["id"], where
                    assert (change["action"], change["responded_on"]) == (what, day), where
                    assert change["follow_up_id"] == answer["follow_up_id"], where
                state = expected

            # The events of the case, in order, keyed by the case id.
            events = await f.events(key=notification_id)
            wanted = [e for what, *_ in steps for e in EVENTS_OF[what]]
            assert [e["type"] for e in events] == [f"{e}.v1" for e in wanted], name
            flags = [x.get("statutory_breach", False) for w, _, x, _ in steps if w in CONSIDER]
            recorded = [e for e in events if e["type"] == "consideration.recorded.v1"]
            assert [e["statutory_breach"] for e in recorded] == flags, name


# --- every illegal step from every state ----------------------------------------------------

REACH = {
    "scr_initiated": [("initiate", D(2014, 5, 6))],
    "awaiting_panel": [("not_initiate", D(2014, 5, 6))],
    "awaiting_lscb": [("not_initiate", D(2014, 5, 6)), ("challenge", D(2014, 6, 2))],
    "agreed_without_challenge": [("not_initiate", D(2014, 5, 6)), ("agree", D(2014, 6, 2))],
    "accepted_after_further_information": [
        ("not_initiate", D(2014, 5, 6)),
        ("refer_back", D(2014, 6, 2)),
        ("provide_information", D(2014, 6, 9)),
        ("agree", D(2014, 7, 7)),
    ],
    "scr_initiated_after_advice": [
        ("not_initiate", D(2014, 5, 6)),
        ("challenge", D(2014, 6, 2)),
        ("initiate_scr", D(2014, 6, 9)),
    ],
}
ATTEMPTS = ["initiate", "not_initiate", "agree", "challenge", "refer_back"]
ATTEMPTS += ["initiate_scr", "provide_information"]
LEGAL_FROM = {
    "awaiting_panel": {"agree", "challenge", "refer_back"},
    "awaiting_lscb": {"initiate_scr", "provide_information"},
}


async def test_every_illegal_step_from_every_state_is_409_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    late = D(2014, 12, 1)  # after every step above: only the state can be at fault
    async with flow(platform, databases) as f:
        decisions = {state: await f.walk(BOARD_A, *steps) for state, steps in REACH.items()}
        before = await f.written()
        refused = 0
        for state, decision_id in decisions.items():
            got = await f.decision(decision_id)
            for what in ATTEMPTS:
                if what in LEGAL_FROM.get(state, ()):
                    continue
                if what in ("initiate", "not_initiate"):
                    make = initiate_body if what == "initiate" else not_initiate_body
                    body = make(got["notification_id"], late)
                    response = await f.api.post(
                        "/v1/decisions", json=body, headers=f.board(BOARD_A)
                    )
                elif what in ("agree", "challenge", "refer_back"):
                    body = {"outcome": what, "considered_on": late.isoformat()}
                    if what != "agree":
                        body["rationale"] = "Reasons."
                    response = await f.api.post(
                        f"/v1/decisions/{decision_id}/considerations", json=body, headers=f.panel()
                    )
                else:
                    body = {"action": what, "responded_on": late.isoformat(), "information": "x"}
                    response = await f.api.post(
                        f"/v1/decisions/{decision_id}/responses",
                        json=body,
                        headers=f.board(BOARD_A),
                    )
                where = f"{what} when {state}"
                assert response.status_code == 409, (where, response.text)
                assert response.headers["content-type"].startswith(PROBLEM), where
                problem = response.json()
                assert problem["state"] == state, where
                assert state in problem["detail"], where
                refused += 1
            again = await f.decision(decision_id)
            assert again["state"] == state and again["history"] == got["history"]
            assert again["open_follow_up"] == got["open_follow_up"]
        assert refused == 6 * 7 - 3 - 2
        assert await f.written() == before


# --- bad input ------------------------------------------------------------------------------

LONG = "x" * 20_001
# (what is wrong, the base body, changes to it, the field named)
NOT, INIT = "not_initiate", "initiate"
BAD_DECISIONS: list[tuple[str, str, dict[str, Any], str]] = [
    ("notification_id missing", NOT, {"notification_id": DROP}, "notification_id"),
    ("notification_id unknown", NOT, {"notification_id": "no-such"}, "notification_id"),
    ("notification_id a path", INIT, {"notification_id": "../lscbs"}, "notification_id"),
    ("notification_id too long", INIT, {"notification_id": "n" * 37}, "notification_id"),
    ("decision missing", INIT, {"decision": DROP}, "decision"),
    ("decision unknown", INIT, {"decision": "defer"}, "decision"),
    ("decided_on future", INIT, {"decided_on": "FUTURE"}, "decided_on"),
    ("decided_on not ISO", INIT, {"decided_on": "06/05/2014"}, "decided_on"),
    ("decided_on short", NOT, {"decided_on": "2014-5-6"}, "decided_on"),
    ("decided_on Unix time", NOT, {"decided_on": 1399334400}, "decided_on"),
    ("decided_on before notified", NOT, {"decided_on": "2014-04-30"}, "decided_on"),
    ("decided_on before notified", INIT, {"decided_on": "2014-04-30"}, "decided_on"),
    ("reasons empty", NOT, {"reasons": []}, "reasons"),
    ("reasons missing", NOT, {"reasons": DROP}, "reasons"),
    ("reasons a string", NOT, {"reasons": "harm_not_serious"}, "reasons"),
    ("reasons on initiate", INIT, {"reasons": ["harm_not_serious"]}, "reasons"),
    ("reason twice", NOT, {"reasons": ["harm_not_serious"] * 2}, "reasons"),
    ("reason unknown", NOT, {"reasons": ["harm_not_serious", "busy"]}, "reasons.1"),
    ("other without words", NOT, {"reasons": ["other"]}, "other_reason"),
    ("words without other", NOT, {"other_reason": "Because."}, "other_reason"),
    ("other_reason empty", NOT, {"reasons": ["other"], "other_reason": " "}, "other_reason"),
    ("other_reason on initiate", INIT, {"other_reason": "Because."}, "other_reason"),
    (
        "other_reason too long",
        NOT,
        {"reasons": ["other"], "other_reason": "x" * 2_001},
        "other_reason",
    ),
    (
        "other review preferred, none named",
        NOT,
        {"reasons": ["other_review_preferred"]},
        "alternative_review_type",
    ),
    (
        "review type unknown",
        NOT,
        {"reasons": ["other_review_preferred"], "alternative_review_type": "séance"},
        "alternative_review_type",
    ),
    ("review type too long", NOT, {"alternative_review_type": "t" * 61}, "alternative_review_type"),
    (
        "review type on initiate",
        INIT,
        {"alternative_review_type": "thematic_review"},
        "alternative_review_type",
    ),
    (
        "type other, no name",
        NOT,
        {"reasons": ["other_review_preferred"], "alternative_review_type": "other"},
        "other_review_type",
    ),
    (
        "name without type other",
        NOT,
        {"alternative_review_type": "thematic_review", "other_review_type": "A walk"},
        "other_review_type",
    ),
    ("name without any type", NOT, {"other_review_type": "A walk"}, "other_review_type"),
    ("name on initiate", INIT, {"other_review_type": "A walk"}, "other_review_type"),
    (
        "name too long",
        NOT,
        {"alternative_review_type": "other", "other_review_type": "w" * 301},
        "other_review_type",
    ),
    ("reviewers on not_initiate", NOT, {"reviewers": ["A. Reviewer"]}, "reviewers"),
    ("reviewer too long", INIT, {"reviewers": ["r" * 201]}, "reviewers.0"),
    ("reviewer blank", INIT, {"reviewers": ["  "]}, "reviewers.0"),
    ("too many reviewers", INIT, {"reviewers": [f"R{i}" for i in range(11)]}, "reviewers"),
    ("rationale missing", NOT, {"rationale": DROP}, "rationale"),
    ("rationale blank", NOT, {"rationale": "   "}, "rationale"),
    ("rationale too long", NOT, {"rationale": LONG}, "rationale"),
    ("unknown field", NOT, {"child_name": "Never asked for"}, "child_name"),
]


async def test_bad_decision_input_is_422_naming_the_field_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with flow(platform, databases) as f:
        nid = await f.notify(BOARD_A, NOTIFIED)
        bases = {
            "initiate": initiate_body(nid, D(2014, 5, 6), reviewers=["A. Reviewer"]),
            "not_initiate": not_initiate_body(nid, D(2014, 5, 6)),
        }
        for what, base_name, changes, field in BAD_DECISIONS:
            body = changed(bases[base_name], changes)
            if body.get("decided_on") == "FUTURE":
                body["decided_on"] = future
            response = await f.api.post("/v1/decisions", json=body, headers=f.board(BOARD_A))
            assert field_at_fault(response) == field, (what, response.text)
        # Nothing was written, not even the case the look-up found.
        assert set((await f.written()).values()) == {0}
        # Both bases are valid: each row failed for its one change.
        assert (await f.decide(BOARD_A, bases["not_initiate"]))["state"] == "awaiting_panel"
        other = await f.notify(BOARD_A, NOTIFIED)
        initiated = await f.decide(BOARD_A, {**bases["initiate"], "notification_id": other})
        assert initiated["state"] == "scr_initiated"


BAD_CONSIDERATIONS: list[tuple[str, str, dict[str, Any], str]] = [
    ("outcome missing", "panel", {"outcome": DROP}, "outcome"),
    ("outcome unknown", "panel", {"outcome": "approve"}, "outcome"),
    ("considered_on future", "panel", {"considered_on": "FUTURE"}, "considered_on"),
    ("considered_on not ISO", "panel", {"considered_on": "2 June 2014"}, "considered_on"),
    ("considered before decided", "panel", {"considered_on": "2014-05-05"}, "considered_on"),
    ("considered before informed", "back", {"considered_on": "2014-06-19"}, "considered_on"),
    ("challenge, no rationale", "panel", {"rationale": DROP}, "rationale"),
    (
        "refer_back, no rationale",
        "panel",
        {"outcome": "refer_back", "rationale": DROP},
        "rationale",
    ),
    ("rationale blank", "panel", {"rationale": " "}, "rationale"),
    ("rationale too long", "panel", {"rationale": LONG}, "rationale"),
    (
        "agree with a due date",
        "panel",
        {"outcome": "agree", "rationale": DROP, "response_due_on": "2014-07-01"},
        "response_due_on",
    ),
    ("due on the day", "panel", {"response_due_on": "2014-06-02"}, "response_due_on"),
    ("due before", "panel", {"response_due_on": "2014-06-01"}, "response_due_on"),
    ("due not a date", "panel", {"response_due_on": "soon"}, "response_due_on"),
    ("breach not a bool", "panel", {"statutory_breach": "perhaps"}, "statutory_breach"),
    ("breach a number", "panel", {"statutory_breach": 2}, "statutory_breach"),
    ("breach null", "panel", {"statutory_breach": None}, "statutory_breach"),
    ("unknown field", "panel", {"attendees": ["Chair"]}, "attendees"),
]
BAD_RESPONSES: list[tuple[str, str, dict[str, Any], str]] = [
    ("action missing", "lscb", {"action": DROP}, "action"),
    ("action unknown", "lscb", {"action": "appeal"}, "action"),
    ("before the follow-up opened", "lscb", {"responded_on": "2014-06-01"}, "responded_on"),
    ("responded_on future", "lscb", {"responded_on": "FUTURE"}, "responded_on"),
    ("responded_on not ISO", "lscb", {"responded_on": "20140610"}, "responded_on"),
    ("information missing", "lscb", {"information": DROP}, "information"),
    ("information blank", "lscb", {"information": "  "}, "information"),
    ("information too long", "lscb", {"information": "i" * 50_001}, "information"),
    ("unknown field", "lscb", {"attachment": "x.pdf"}, "attachment"),
]


async def test_bad_consideration_and_response_input_is_422_naming_the_field(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    future = (today + dt.timedelta(days=1)).isoformat()
    async with flow(platform, databases) as f:
        targets = {
            # Awaiting the panel since its decision (6 May).
            "panel": await f.walk(BOARD_A, ("not_initiate", D(2014, 5, 6))),
            # Awaiting the panel again since the board informed it (20 June).
            "back": await f.walk(
                BOARD_A,
                ("not_initiate", D(2014, 5, 6)),
                ("challenge", D(2014, 6, 2)),
                ("provide_information", D(2014, 6, 20)),
            ),
            # Awaiting the board since the panel challenged (2 June).
            "lscb": await f.walk(
                BOARD_A, ("not_initiate", D(2014, 5, 6)), ("challenge", D(2014, 6, 2))
            ),
        }
        consideration = {
            "outcome": "challenge",
            "considered_on": "2014-06-02",
            "rationale": "Why.",
            "response_due_on": "2014-06-20",
        }
        response_body = {
            "action": "provide_information",
            "responded_on": "2014-06-10",
            "information": "More.",
        }
        before = await f.written()
        histories = {k: (await f.decision(v))["history"] for k, v in targets.items()}
        for rows, base, kind in (
            (BAD_CONSIDERATIONS, consideration, "considerations"),
            (BAD_RESPONSES, response_body, "responses"),
        ):
            for what, target, changes, field in rows:
                body = changed(base, changes)
                for key in ("considered_on", "responded_on"):
                    if body.get(key) == "FUTURE":
                        body[key] = future
                headers = f.panel() if kind == "considerations" else f.board(BOARD_A)
                response = await f.api.post(
                    f"/v1/decisions/{targets[target]}/{kind}", json=body, headers=headers
                )
                assert field_at_fault(response) == field, (what, response.text)
        assert await f.written() == before
        for key, decision_id in targets.items():
            assert (await f.decision(decision_id))["history"] == histories[key], key
        # The bases are valid: each row failed for its one change.
        await f.consider(targets["panel"], "challenge", D(2014, 6, 2), rationale="Why.")
        await f.consider(targets["back"], "agree", D(2014, 6, 20))
        ok = await f.api.post(
            f"/v1/decisions/{targets['lscb']}/responses",
            json=response_body,
            headers=f.board(BOARD_A),
        )
        assert ok.status_code == 201, ok.text


async def test_statutory_breach_must_be_a_json_boolean(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """The flag alerts DfE and Ofsted: a string or a number is an integration bug, not a flag."""
    values = ("yes", "true", "no", 1, 0)
    async with flow(platform, databases) as f:
        decided = [await f.walk(BOARD_A, ("not_initiate", D(2014, 5, 6))) for _ in values]
        before = await f.written()
        taken = []
        for decision_id, value in zip(decided, values, strict=True):
            body = {"outcome": "agree", "considered_on": "2014-06-02", "statutory_breach": value}
            response = await f.api.post(
                f"/v1/decisions/{decision_id}/considerations", json=body, headers=f.panel()
            )
            if response.status_code == 422:
                assert field_at_fault(response) == "statutory_breach"
            else:
                taken.append((value, response.status_code, response.json()["statutory_breach"]))
        assert taken == [], f"taken as a flag: {taken}"
        assert await f.written() == before


# --- who may do what ------------------------------------------------------------------------


async def test_access_by_role_and_board(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    challenged = (("not_initiate", D(2014, 5, 6)), ("challenge", D(2014, 6, 2)))
    async with flow(platform, databases) as f:
        mine = await f.walk(BOARD_A, *challenged)
        theirs = await f.walk(BOARD_B, *challenged)
        a_notification = (await f.decision(mine))["notification_id"]
        a_reference = (await f.decision(mine))["reference"]
        # A's notification the decisions service has not heard of yet (the look-up's path).
        a_unknown = await f.notify(BOARD_A, NOTIFIED)
        before = await f.written()
        consider = {"outcome": "agree", "considered_on": "2014-06-03"}
        respond = {"action": "initiate_scr", "responded_on": "2014-06-03"}
        decide = initiate_body(a_unknown, D(2014, 5, 6))
        routes: list[tuple[str, str, dict | None]] = [
            ("POST", "/v1/decisions", decide),
            ("GET", "/v1/decisions", None),
            ("GET", f"/v1/decisions/{mine}", None),
            ("POST", f"/v1/decisions/{mine}/considerations", consider),
            ("POST", f"/v1/decisions/{mine}/responses", respond),
            ("GET", "/v1/agenda", None),
            ("GET", "/v1/follow-ups", None),
            ("GET", "/v1/cases", None),
        ]

        async def call(method: str, path: str, body: dict | None, headers: dict) -> int:
            response = await f.api.request(method, path, json=body, headers=headers)
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith(PROBLEM)
            return response.status_code

        for role in (Role.DFE, Role.OFSTED):
            for method, path, body in routes:
                assert await call(method, path, body, f.as_role(role)) == 403, (role, path)
        for method, path, body in routes:
            assert await call(method, path, body, {}) == 401, path
            bad = {"Authorization": "Bearer not-a-token"}
            assert await call(method, path, body, bad) == 401, path
            other_secret = PlatformSettings(jwt_secret="another-secret-entirely-32-bytes-long")
            forged = auth(other_secret, Role.PANEL)
            assert await call(method, path, body, forged) == 401, path
        # A board never records the panel's considerations, not even on its own decision.
        board_a = f.board(BOARD_A)
        assert (await f.api.get(f"/v1/decisions/{mine}", headers=board_a)).status_code == 200
        assert await call(*routes[3], board_a) == 403
        assert await call("GET", "/v1/agenda", None, board_a) == 403
        # The panel never decides nor responds for a board.
        assert await call(*routes[0], f.panel()) == 403
        assert await call(*routes[4], f.panel()) == 403
        assert await f.written() == before

        # Another board's decision is exactly as missing as a missing one.
        board_b = f.board(BOARD_B)
        foreign = await f.api.get(f"/v1/decisions/{mine}", headers=board_b)
        missing = await f.api.get("/v1/decisions/no-such-decision", headers=board_b)
        assert foreign.status_code == missing.status_code == 404
        assert masked(foreign, mine) == masked(missing, "no-such-decision")
        assert a_reference not in foreign.text and BOARD_A not in foreign.text
        answered = await f.api.post(
            f"/v1/decisions/{mine}/responses", json=respond, headers=board_b
        )
        missed = await f.api.post("/v1/decisions/no-such/responses", json=respond, headers=board_b)
        assert answered.status_code == missed.status_code == 404
        assert masked(answered, mine) == masked(missed, "no-such")
        # Deciding on another board's notification: as if there were no such notification, whether
        # the case is known here already or only over HTTP.
        refusals = []
        for nid in (a_notification, a_unknown, "no-such-notification"):
            response = await f.api.post(
                "/v1/decisions", json=initiate_body(nid, D(2014, 5, 6)), headers=board_b
            )
            assert field_at_fault(response) == "notification_id"
            refusals.append(masked(response, nid))
        assert refusals[0] == refusals[1] == refusals[2]
        assert await f.written() == before
        assert (await f.decision(mine))["state"] == "awaiting_lscb"

        # Lists: a board sees only its own, even when it asks for another's.
        b_case = (await f.decision(theirs))["case_id"]
        for path, key, own in (
            ("/v1/decisions", "id", theirs),
            ("/v1/follow-ups", "decision_id", theirs),
            ("/v1/cases", "case_id", b_case),
        ):
            seen = (await f.api.get(path, headers=board_b)).json()
            assert seen["total"] == 1 and [i[key] for i in seen["items"]] == [own], path
            asked = (await f.api.get(path, params={"lscb_id": BOARD_A}, headers=board_b)).json()
            assert asked["total"] == 0 and asked["items"] == [], path
            everyone = (await f.api.get(path, headers=f.panel())).json()
            assert {i["lscb_id"] for i in everyone["items"]} == {BOARD_A, BOARD_B}, path
            assert everyone["total"] == 2, path


# --- the HTTP look-up of a notification -----------------------------------------------------


async def test_a_decision_right_after_its_notification_is_accepted(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """Decisions is deaf to events here: only the HTTP look-up can know the notification."""
    async with flow(platform, databases) as f:
        sent = await f.notifications.post(
            "/v1/notifications",
            json=_notification(D(2014, 5, 2)),
            headers=f.board(BOARD_A),
        )
        notification = sent.json()
        body = not_initiate_body(notification["id"], D(2014, 5, 6))
        decision = await f.decide(BOARD_A, body)
        assert decision["notification_id"] == notification["id"]
        assert decision["reference"] == notification["reference"]
        case = await f.api.get(f"/v1/cases/{notification['id']}", headers=f.panel())
        assert case.status_code == 200, case.text
        assert {k: v for k, v in case.json().items() if k != "opened_at"} == {
            "case_id": notification["id"],
            "notification_id": notification["id"],
            "reference": notification["reference"],
            "lscb_id": BOARD_A,
            "notified_on": "2014-05-02",
            "state": "awaiting_panel",
            "state_since": "2014-05-06",
        }
        assert (await f.written())["cases"] == 1


async def test_an_unreachable_notifications_service_is_503_and_writes_nothing(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(
        "decisions",
        platform,
        databases.new("decisions"),
        notifications_url=closed,
        run_workers=False,
    )
    async with running_app(settings) as (app, client):
        headers = auth(platform, Role.LSCB, lscb_id=BOARD_A)
        body = not_initiate_body("0d6c1a4e-0000-4000-8000-000000000001", D(2014, 5, 6))
        for extra in ({}, {"Idempotency-Key": "k-503"}):
            response = await client.post("/v1/decisions", json=body, headers=headers | extra)
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith(PROBLEM)
            assert "notifications service" in response.json()["detail"]
        sessions = app.state.runtime.sessionmaker
        async with sessions() as session:
            for table in (Case.__table__, Decision.__table__, AuditEntry.__table__):
                count = await session.execute(select(func.count()).select_from(table))
                assert count.scalar_one() == 0, table.name
            for table in (outbox_table, idempotency_table):
                count = await session.execute(select(func.count()).select_from(table))
                assert count.scalar_one() == 0, table.name


# --- Idempotency-Key ------------------------------------------------------------------------


async def test_idempotency_keys_on_every_creating_post(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with flow(platform, databases) as f:
        nid = await f.notify(BOARD_A, NOTIFIED)
        board, panel = f.board(BOARD_A), f.panel()

        async def post(path: str, body: dict, headers: dict, key: str) -> httpx.Response:
            return await f.api.post(path, json=body, headers=headers | {"Idempotency-Key": key})

        # A response refused (409: the case does not await the board yet) leaves no key behind.
        decision = not_initiate_body(nid, D(2014, 5, 6))
        first = await post("/v1/decisions", decision, board, "k-decision")
        assert first.status_code == 201, first.text
        decision_id = first.json()["id"]
        respond_path = f"/v1/decisions/{decision_id}/responses"
        respond = {
            "action": "provide_information",
            "responded_on": "2014-06-04",
            "information": ".",
        }
        early = await post(respond_path, respond, board, "k-response")
        assert early.status_code == 409
        consider_path = f"/v1/decisions/{decision_id}/considerations"
        consider = {"outcome": "challenge", "considered_on": "2014-06-02", "rationale": "Why?"}
        steps = [
            (
                "/v1/decisions",
                decision,
                {**decision, "decided_on": "2014-05-07"},
                board,
                "k-decision",
            ),
            (consider_path, consider, {**consider, "outcome": "refer_back"}, panel, "k-consider"),
            (respond_path, respond, {**respond, "action": "initiate_scr"}, board, "k-response"),
        ]
        for n, (path, body, other_body, headers, key) in enumerate(steps, start=1):
            original = await post(path, body, headers, key)
            assert original.status_code == 201, original.text
            written = await f.written()
            again = await post(path, body, headers, key)
            assert again.status_code == 201, again.text
            assert again.json() == original.json(), path
            other = await post(path, other_body, headers, key)
            assert field_at_fault(other) == "Idempotency-Key", path
            assert await f.written() == written, path
            history = (await f.decision(decision_id))["history"]
            assert len(history) == n, path
        assert len(await f.events("decision.recorded.v1")) == 1
        assert len(await f.events("consideration.recorded.v1")) == 1
        assert len(await f.events("lscb_response.recorded.v1")) == 1
        assert (await f.decision(decision_id))["state"] == "awaiting_panel"
        # A key is the caller's own: another board using the same one is another request.
        b_nid = await f.notify(BOARD_B, NOTIFIED)
        b_decision = await post(
            "/v1/decisions", not_initiate_body(b_nid, D(2014, 5, 6)), f.board(BOARD_B), "k-decision"
        )
        assert b_decision.status_code == 201 and b_decision.json()["id"] != decision_id


async def test_steps_taken_at_once_on_one_case_one_wins_the_others_409(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with flow(platform, databases) as f:
        nid = await f.notify(BOARD_A, NOTIFIED)
        bodies = [
            not_initiate_body(nid, D(2014, 5, 6)),
            initiate_body(nid, D(2014, 5, 7)),
            not_initiate_body(nid, D(2014, 5, 8)),
        ]
        decided = await asyncio.gather(
            *(f.api.post("/v1/decisions", json=b, headers=f.board(BOARD_A)) for b in bodies)
        )
        [won] = [r.json() for r in decided if r.status_code == 201]
        lost = [r for r in decided if r.status_code != 201]
        assert [r.status_code for r in lost] == [409, 409], [r.text for r in lost]
        assert {r.json()["state"] for r in lost} == {won["state"]}
        initiated = won["state"] == "scr_initiated"
        if initiated:  # the initiation won: take the panel's steps on another case
            won = await f.decide(
                BOARD_A, not_initiate_body(await f.notify(BOARD_A, NOTIFIED), D(2014, 5, 6))
            )
        path = f"/v1/decisions/{won['id']}"
        considerations = [
            {"outcome": outcome, "considered_on": "2014-06-02", "rationale": "Why."}
            for outcome in ("challenge", "refer_back", "challenge", "refer_back")
        ]
        considered = await asyncio.gather(
            *(
                f.api.post(f"{path}/considerations", json=b, headers=f.panel())
                for b in considerations
            )
        )
        assert sorted(r.status_code for r in considered) == [201, 409, 409, 409]
        assert {r.json()["state"] for r in considered if r.status_code == 409} == {"awaiting_lscb"}
        responses = [
            {"action": "initiate_scr", "responded_on": "2014-06-03"},
            {"action": "provide_information", "responded_on": "2014-06-03", "information": "."},
            {"action": "initiate_scr", "responded_on": "2014-06-04"},
        ]
        responded = await asyncio.gather(
            *(f.api.post(f"{path}/responses", json=b, headers=f.board(BOARD_A)) for b in responses)
        )
        assert sorted(r.status_code for r in responded) == [201, 409, 409]
        [after] = [r.json()["state"] for r in responded if r.status_code == 201]
        assert {r.json()["state"] for r in responded if r.status_code == 409} == {after}
        got = await f.decision(won["id"])
        assert [e["seq"] for e in got["history"]] == [1, 2, 3]
        assert got["state"] == after and got["open_follow_up"] is None
        written = await f.written()
        assert (written["decisions"], written["follow_ups"]) == (1 + initiated, 1)
        assert written["audit_entries"] == 3 + initiated


async def test_retries_racing_with_one_idempotency_key_get_the_original_answer(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    """A client that retries while its first attempt is still in flight (a timeout) must get the
    first attempt's answer, not a 409 from the state that attempt has just moved the case to."""
    async with flow(platform, databases) as f:
        nid = await f.notify(BOARD_A, NOTIFIED)
        retries = 4

        wrong: list[tuple[str, list[int]]] = []

        async def racing(step: str, path: str, body: dict, headers: dict, key: str) -> dict:
            headers = headers | {"Idempotency-Key": key}
            answers = await asyncio.gather(
                *(f.api.post(path, json=body, headers=headers) for _ in range(retries))
            )
            statuses = [a.status_code for a in answers]
            first = next(a.json() for a in answers if a.status_code == 201)
            if statuses != [201] * retries or len({a.text for a in answers}) != 1:
                wrong.append((step, statuses))
            return dict(first)

        body = not_initiate_body(nid, D(2014, 5, 6))
        decision = await racing("decision", "/v1/decisions", body, f.board(BOARD_A), "k1")
        path = f"/v1/decisions/{decision['id']}"
        consider = {"outcome": "challenge", "considered_on": "2014-06-02", "rationale": "Why."}
        await racing("consideration", f"{path}/considerations", consider, f.panel(), "k2")
        respond = {"action": "initiate_scr", "responded_on": "2014-06-03"}
        await racing("response", f"{path}/responses", respond, f.board(BOARD_A), "k3")
        assert len((await f.decision(decision["id"]))["history"]) == 3
        assert (await f.written())["idempotency_keys"] == 3
        assert wrong == [], f"retries not answered as the original was: {wrong}"


# --- the panel's agenda ---------------------------------------------------------------------


async def test_the_agenda_lists_what_awaits_the_panel_longest_waiting_first(
    platform: PlatformSettings, databases: DatabaseFactory, today: dt.date
) -> None:
    async with flow(platform, databases) as f:
        waiting_since_march = await f.walk(
            BOARD_B, ("not_initiate", D(2014, 3, 3)), notified_on=D(2014, 1, 2)
        )
        back_since_april = await f.walk(
            BOARD_A,
            ("not_initiate", D(2014, 1, 6)),
            ("challenge", D(2014, 1, 20)),
            ("provide_information", D(2014, 4, 1)),
            notified_on=D(2014, 1, 2),
        )
        waiting_since_february = await f.walk(
            BOARD_A, ("not_initiate", D(2014, 2, 3)), notified_on=D(2014, 1, 2)
        )
        # Not the panel's to consider now.
        await f.walk(BOARD_A, ("initiate", D(2014, 1, 6)), notified_on=D(2014, 1, 2))
        await f.walk(
            BOARD_A,
            ("not_initiate", D(2014, 1, 6)),
            ("agree", D(2014, 1, 7)),
            notified_on=D(2014, 1, 2),
        )
        await f.walk(
            BOARD_B,
            ("not_initiate", D(2014, 1, 6)),
            ("refer_back", D(2014, 1, 7)),
            notified_on=D(2014, 1, 2),
        )

        async def agenda(**params: Any) -> dict:
            response = await f.api.get("/v1/agenda", params=params, headers=f.panel())
            assert response.status_code == 200, response.text
            return dict(response.json())

        page = await agenda()
        expected = [
            (waiting_since_february, D(2014, 2, 3), True, ["not_initiate"]),
            (waiting_since_march, D(2014, 3, 3), True, ["not_initiate"]),
            (
                back_since_april,
                D(2014, 4, 1),
                False,
                ["not_initiate", "challenge", "provide_information"],
            ),
        ]
        assert page["total"] == 3
        assert [
            (
                item["decision"]["id"],
                D.fromisoformat(item["waiting_since"]),
                item["first_consideration"],
                [e["step"] for e in item["history"]],
            )
            for item in page["items"]
        ] == [row for row in expected]
        for item, (_, since, _, _) in zip(page["items"], expected, strict=True):
            assert item["days_waiting"] == (today - since).days
            assert item["decision"]["state"] == "awaiting_panel"
            assert item["decision"]["state_since"] == since.isoformat()
        paged = await agenda(limit=1, offset=1)
        assert paged["total"] == 3 and [i["decision"]["id"] for i in paged["items"]] == [
            waiting_since_march
        ]
        admin = await f.api.get("/v1/agenda", headers=f.as_role(Role.ADMIN))
        assert admin.status_code == 200 and admin.json()["total"] == 3
        for role, lscb in ((Role.LSCB, BOARD_A), (Role.DFE, None), (Role.OFSTED, None)):
            denied = await f.api.get("/v1/agenda", headers=f.as_role(role, lscb))
            assert denied.status_code == 403, role
        # Considered: off the agenda; an agreement after information is not a first agreement.
        agreed = await f.consider(back_since_april, "agree", D(2014, 4, 2))
        assert agreed["first_consideration"] is False
        assert agreed["state"] == "accepted_after_further_information"
        assert [i["decision"]["id"] for i in (await agenda())["items"]] == [
            waiting_since_february,
            waiting_since_march,
        ]


# --- follow-ups -----------------------------------------------------------------------------


async def test_follow_ups_list_open_and_overdue_ones_earliest_due_first(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with flow(platform, databases) as f:
        decided = ("not_initiate", D(2014, 5, 6))
        a_june_16 = await f.walk(BOARD_A, decided, ("challenge", D(2014, 6, 2)))
        b_june_10 = await f.walk(
            BOARD_B, decided, ("refer_back", D(2014, 6, 3), {"response_due_on": "2014-06-10"})
        )
        a_july_1 = await f.walk(
            BOARD_A, decided, ("challenge", D(2014, 6, 4), {"response_due_on": "2014-07-01"})
        )
        a_closed = await f.walk(
            BOARD_A, decided, ("challenge", D(2014, 6, 1)), ("provide_information", D(2014, 6, 5))
        )
        a_overdue = await f.walk(
            BOARD_A, decided, ("challenge", D(2014, 5, 20), {"response_due_on": "2014-05-27"})
        )
        assert f.sessions is not None
        assert await mark_overdue_follow_ups(f.sessions, D(2014, 6, 1)) == 1

        def decisions_of(page: dict) -> list[str]:
            return [item["decision_id"] for item in page["items"]]

        everything = await f.follow_ups()
        assert decisions_of(everything) == [a_overdue, b_june_10, a_june_16, a_july_1]
        assert everything["total"] == 4
        first = everything["items"][0]
        assert {k: v for k, v in first.items() if k not in ("id", "case_id")} == {
            "decision_id": a_overdue,
            "lscb_id": BOARD_A,
            "reason": "challenge",
            "opened_on": "2014-05-20",
            "due_on": "2014-05-27",
            "status": "overdue",
            "overdue_on": "2014-05-28",
            "closed_on": None,
            "response_id": None,
        }
        rows = [
            ({"status": "open"}, None, [b_june_10, a_june_16, a_july_1]),
            ({"status": "overdue"}, None, [a_overdue]),
            ({"status": "closed"}, None, [a_closed]),
            ({"lscb_id": BOARD_B}, None, [b_june_10]),
            ({"lscb_id": BOARD_A, "status": "open"}, None, [a_june_16, a_july_1]),
            ({}, BOARD_A, [a_overdue, a_june_16, a_july_1]),
            ({}, BOARD_B, [b_june_10]),
            ({"lscb_id": BOARD_B}, BOARD_A, []),
            ({"status": "closed"}, BOARD_B, []),
            ({"limit": 2, "offset": 1}, None, [b_june_10, a_june_16]),
        ]
        for params, board, expected in rows:
            headers = f.board(board) if board else f.panel()
            page = await f.follow_ups(headers, **params)
            assert decisions_of(page) == expected, (params, board)
        assert (await f.follow_ups(limit=2, offset=1))["total"] == 4
        for params, field in (({"status": "late"}, "status"), ({"limit": 0}, "limit")):
            bad = await f.api.get("/v1/follow-ups", params=params, headers=f.panel())
            assert field_at_fault(bad) == field
        # Answered: it disappears from the open ones.
        await f.respond(BOARD_B, b_june_10, "initiate_scr", D(2014, 6, 9))
        assert decisions_of(await f.follow_ups()) == [a_overdue, a_june_16, a_july_1]


async def test_the_overdue_scheduler_marks_each_follow_up_once(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    day = D(2014, 6, 20)
    decided = ("not_initiate", D(2014, 5, 6))
    async with flow(platform, databases) as f:
        assert f.sessions is not None
        due_before = await f.walk(BOARD_A, decided, ("challenge", D(2014, 6, 2)))  # due 16 June
        due_on_day = await f.walk(
            BOARD_A, decided, ("challenge", D(2014, 6, 6), {"response_due_on": "2014-06-20"})
        )
        answered = await f.walk(
            BOARD_A,
            decided,
            ("challenge", D(2014, 6, 2), {"response_due_on": "2014-06-09"}),
            ("provide_information", D(2014, 6, 5)),
        )
        answered_late = await f.walk(
            BOARD_B, decided, ("refer_back", D(2014, 6, 2), {"response_due_on": "2014-06-12"})
        )

        async def follow_up(decision_id: str) -> dict:
            page = await f.follow_ups()
            closed = await f.follow_ups(status="closed")
            [found] = [
                i for i in page["items"] + closed["items"] if i["decision_id"] == decision_id
            ]
            return found

        assert await mark_overdue_follow_ups(f.sessions, day) == 2
        expected = {
            due_before: ("overdue", "2014-06-17"),
            due_on_day: ("open", None),
            answered: ("closed", None),
            answered_late: ("overdue", "2014-06-13"),
        }
        for decision_id, (status, overdue_on) in expected.items():
            found = await follow_up(decision_id)
            assert (found["status"], found["overdue_on"]) == (status, overdue_on), decision_id
        got = await f.decision(due_before)
        assert got["state"] == "awaiting_lscb"
        assert got["open_follow_up"]["status"] == "overdue"
        marked = got["history"][-1]
        follow_up_id = got["open_follow_up"]["id"]
        assert {k: marked[k] for k in marked if k not in ("id", "recorded_at")} == {
            "seq": 3,
            "step": "follow_up_overdue",
            "on": "2014-06-17",
            "actor": "system:overdue-follow-ups",
            "actor_role": "system",
            "state_before": "awaiting_lscb",
            "state_after": "awaiting_lscb",
            "change": {"follow_up_id": follow_up_id, "due_on": "2014-06-16"},
        }
        events = await f.events("follow_up.overdue.v1")
        assert sorted((e["follow_up_id"], e["overdue_on"]) for e in events) == sorted(
            [
                (follow_up_id, "2014-06-17"),
                ((await follow_up(answered_late))["id"], "2014-06-13"),
            ]
        )

        # Again the same day: nothing more.
        written = await f.written()
        assert await mark_overdue_follow_ups(f.sessions, day) == 0
        assert await f.written() == written
        # The next day, the one due on the day is overdue.
        assert await mark_overdue_follow_ups(f.sessions, day + dt.timedelta(days=1)) == 1
        assert (await follow_up(due_on_day))["overdue_on"] == "2014-06-21"
        assert len(await f.events("follow_up.overdue.v1")) == 3

        # An overdue follow-up can still be answered; the answer says it was overdue.
        response = await f.respond(BOARD_B, answered_late, "initiate_scr", D(2014, 6, 25))
        assert response["state"] == "scr_initiated_after_advice"
        assert (await follow_up(answered_late))["status"] == "closed"
        assert (await f.decision(answered_late))["open_follow_up"] is None
        closed = {e["decision_id"]: e["was_overdue"] for e in await f.events("follow_up.closed.v1")}
        assert closed == {answered: False, answered_late: True}
        # A closed follow-up is never marked, however late it gets.
        assert await mark_overdue_follow_ups(f.sessions, D(2014, 12, 31)) == 0
        assert len(await f.events("follow_up.overdue.v1")) == 3
        for decision_id in expected:
            history = (await f.decision(decision_id))["history"]
            assert [e["step"] for e in history].count("follow_up_overdue") <= 1


async def test_the_scheduler_loop_marks_and_publishes_on_its_own(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with flow(platform, databases, workers=True, scheduler_interval_seconds=0.2) as f:
        decision_id = await f.walk(
            BOARD_A, ("not_initiate", D(2014, 5, 6)), ("challenge", D(2014, 6, 2))
        )

        async def overdue() -> dict | None:
            got = await f.decision(decision_id)
            return got if got["open_follow_up"]["status"] == "overdue" else None

        got = await eventually(overdue)
        assert got["open_follow_up"]["overdue_on"] == "2014-06-17"
        records = await read_topic(platform, events_topic("decisions"), expected=4)
        overdue_events = [
            json.loads(r.value)
            for r in records
            if json.loads(r.value)["type"] == "follow_up.overdue.v1"
        ]
        assert [e["data"]["follow_up_id"] for e in overdue_events] == [got["open_follow_up"]["id"]]
        assert overdue_events[0]["subject"] == got["case_id"]
        # Many rounds later: still marked once.
        history = (await f.decision(decision_id))["history"]
        assert [e["step"] for e in history].count("follow_up_overdue") == 1


# --- listing decisions ----------------------------------------------------------------------


async def test_decisions_list_filters_and_pages(
    platform: PlatformSettings, databases: DatabaseFactory
) -> None:
    async with flow(platform, databases) as f:
        a1 = await f.walk(BOARD_A, ("initiate", D(2014, 3, 10)), notified_on=D(2014, 3, 3))
        a2 = await f.walk(
            BOARD_A,
            (
                "not_initiate",
                D(2014, 4, 10),
                {
                    "reasons": ["other", "other_review_preferred"],
                    "other_reason": "The family moved abroad.",
                    "alternative_review_type": "other",
                    "other_review_type": "Family group conference review",
                },
            ),
            notified_on=D(2014, 4, 1),
        )
        a3 = await f.walk(BOARD_A, ("not_initiate", D(2014, 5, 10)), ("agree", D(2014, 5, 20)))
        b1 = await f.walk(
            BOARD_B,
            (
                "not_initiate",
                D(2014, 4, 20),
                {
                    "reasons": ["other_review_preferred"],
                    "alternative_review_type": "domestic_homicide_review",
                },
            ),
            notified_on=D(2014, 4, 1),
        )
        b2 = await f.walk(BOARD_B, ("initiate", D(2014, 6, 1)))

        async def listed(headers: dict | None = None, **params: Any) -> dict:
            response = await f.api.get("/v1/decisions", params=params, headers=headers or f.panel())
            assert response.status_code == 200, response.text
            return dict(response.json())

        rows: list[tuple[dict[str, Any], str | None, list[str]]] = [
            ({}, None, [b2, a3, b1, a2, a1]),
            ({"state": "awaiting_panel"}, None, [b1, a2]),
            ({"state": "agreed_without_challenge"}, None, [a3]),
            ({"state": "scr_initiated_after_advice"}, None, []),
            ({"decision": "initiate"}, None, [b2, a1]),
            ({"decision": "not_initiate"}, None, [a3, b1, a2]),
            ({"from": "2014-04-10"}, None, [b2, a3, b1, a2]),
            ({"to": "2014-04-20"}, None, [b1, a2, a1]),
            ({"from": "2014-04-11", "to": "2014-05-10"}, None, [a3, b1]),
            ({"from": "2014-04-20", "to": "2014-04-20"}, None, [b1]),
            ({"lscb_id": BOARD_A}, None, [a3, a2, a1]),
            ({"lscb_id": BOARD_A, "decision": "not_initiate", "to": "2014-04-30"}, None, [a2]),
            ({}, BOARD_A, [a3, a2, a1]),
            ({"state": "awaiting_panel"}, BOARD_A, [a2]),
            ({"lscb_id": BOARD_B}, BOARD_A, []),
            ({"limit": 2}, None, [b2, a3]),
            ({"limit": 2, "offset": 4}, None, [a1]),
            ({"offset": 9}, None, []),
        ]
        for params, board, expected in rows:
            page = await listed(f.board(board) if board else None, **params)
            assert ids(page) == expected, (params, board)
            paged = "limit" in params or "offset" in params
            assert page["total"] == (5 if paged else len(expected)), (params, board)
        page = await listed(limit=2, offset=1)
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)

        labels = {i["id"]: i for i in (await listed())["items"]}
        assert labels[b1]["alternative_review_type"] == "domestic_homicide_review"
        assert labels[b1]["alternative_review_type_label"] == "Domestic homicide review"
        assert labels[a2]["alternative_review_type"] == "other"
        assert labels[a2]["alternative_review_type_label"] == "Family group conference review"
        assert labels[a2]["other_reason"] == "The family moved abroad."
        assert labels[a1]["alternative_review_type"] is None and labels[a1]["reasons"] == []

        for params, field in (
            ({"from": "2014-05-01", "to": "2014-04-30"}, "to"),
            ({"from": "2014/04/01"}, "from"),
            ({"to": "yesterday"}, "to"),
            ({"state": "closed"}, "state"),
            ({"decision": "maybe"}, "decision"),
            ({"limit": 0}, "limit"),
            ({"limit": 501}, "limit"),
            ({"offset": -1}, "offset"),
        ):
            bad = await f.api.get("/v1/decisions", params=params, headers=f.panel())
            assert field_at_fault(bad) == field, params

        # The review types a board may propose instead of an SCR: any role may read them.
        for role, lscb in ((Role.DFE, None), (Role.LSCB, BOARD_A), (Role.PANEL, None)):
            types = await f.api.get("/v1/alternative-review-types", headers=f.as_role(role, lscb))
            assert types.status_code == 200, types.text
        listing = types.json()
        codes = [t["code"] for t in listing]
        assert len(codes) > 20 and len(set(codes)) == len(codes)
        assert "other" in codes and "domestic_homicide_review" in codes
        assert all(t["label"] and re.fullmatch(r"[a-z_]+", t["code"]) for t in listing)
        assert (await f.api.get("/v1/alternative-review-types")).status_code == 401
