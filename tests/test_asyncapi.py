"""The AsyncAPI document generated from shared/events: complete, consistent, deterministic."""

from __future__ import annotations

import json
from typing import Any

from shared.events.asyncapi import build_asyncapi, render_asyncapi
from shared.events.contracts import ALL_EVENTS
from shared.events.topics import all_topics, events_topic


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [r for k, v in node.items() for r in ([v] if k == "$ref" else _refs(v))]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_reference_resolves() -> None:
    document = build_asyncapi()
    assert document["asyncapi"] == "3.0.0"
    for ref in _refs(document):
        _resolve(document, ref)


def test_one_channel_per_topic_and_every_event_on_its_producers_channel() -> None:
    document = build_asyncapi()
    assert sorted(document["channels"]) == sorted(all_topics())
    for model in ALL_EVENTS:
        channel = document["channels"][events_topic(model.producer)]
        assert model.type_name() in channel["messages"]
        message = document["components"]["messages"][model.type_name()]
        assert message["summary"] == model.summary
        assert message["payload"]["properties"]["type"]["const"] == model.type_name()
        assert _resolve(document, message["payload"]["properties"]["data"]["$ref"])
        assert message["bindings"]["kafka"]["key"]["type"] == "string"
        send = document["operations"][f"{model.producer}.sendEvents"]
        assert send["action"] == "send"
        assert {"$ref": f"#/channels/{channel['address']}/messages/{model.type_name()}"} in send[
            "messages"
        ]


def test_rendering_is_deterministic() -> None:
    first = render_asyncapi()
    assert first == render_asyncapi()
    assert first.endswith("\n")
    assert json.loads(first) == build_asyncapi()
