"""The AsyncAPI 3.0.0 document of the platform's events, generated from the contracts.

Generated rather than hand-written so that it cannot drift from the models: ``scr-panel asyncapi``
writes ``docs/asyncapi.json`` and a test fails when the committed copy differs from a fresh one.
The output is deterministic (sorted keys, no timestamps) so that it diffs cleanly.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from typing import Any

from shared.config import SERVICE_NAMES
from shared.events.contracts import ALL_EVENTS
from shared.events.envelope import SOURCE_PREFIX, CloudEvent, EventData
from shared.events.topics import dead_letter_topic, events_topic

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
REF_TEMPLATE = "#/components/schemas/{model}"
Json = dict[str, Any]

_KEY_SCHEMA: Json = {
    "type": "string",
    "description": (
        "The CloudEvents subject: the case id (the board id for registry events). Every event "
        "of one case has the same key, so it lands on one partition and stays in order."
    ),
}

_EVENT_HEADERS: Json = {
    "type": "object",
    "properties": {
        "ce_id": {"type": "string", "description": "The envelope's id (to drop duplicates)."},
        "ce_type": {"type": "string", "description": "The envelope's type, version included."},
    },
}

_DEAD_LETTER_HEADERS: Json = {
    "type": "object",
    "description": "The original record's headers, plus where it came from and why it failed.",
    "properties": {
        "dlq_original_topic": {"type": "string"},
        "dlq_original_partition": {"type": "string"},
        "dlq_original_offset": {"type": "string"},
        "dlq_consumer": {"type": "string"},
        "dlq_error": {"type": "string"},
        "dlq_attempts": {"type": "string"},
    },
}


def _add_schema(schemas: Json, name: str, schema: Json) -> None:
    """Share one definition per name; two different shapes under one name is a contract bug."""
    if name in schemas and schemas[name] != schema:
        raise ValueError(f"two different JSON schemas are both called {name!r}")
    schemas[name] = schema


def _data_schema(model: type[EventData], schemas: Json) -> Json:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    for name, definition in schema.pop("$defs", {}).items():
        _add_schema(schemas, name, definition)
    _add_schema(schemas, model.__name__, schema)
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def _envelope_schema(model: type[EventData], data_ref: Json) -> Json:
    envelope = copy.deepcopy(CloudEvent.model_json_schema(ref_template=REF_TEMPLATE))
    envelope["title"] = f"CloudEvent<{model.__name__}>"
    properties = envelope["properties"]
    properties["type"] = {"type": "string", "const": model.type_name()}
    properties["source"] = {"type": "string", "const": f"{SOURCE_PREFIX}{model.producer}"}
    properties["data"] = data_ref
    # Defaults make id, specversion and datacontenttype optional in Python, but the relay always
    # sends every attribute: a consumer may rely on all of them.
    envelope["required"] = sorted(properties)
    return envelope


def _message(model: type[EventData], schemas: Json) -> Json:
    message: Json = {
        "name": model.type_name(),
        "title": model.__name__,
        "summary": model.summary,
        "contentType": "application/json",
        "headers": _EVENT_HEADERS,
        "payload": _envelope_schema(model, _data_schema(model, schemas)),
        "bindings": {"kafka": {"key": _KEY_SCHEMA, "bindingVersion": KAFKA_BINDING_VERSION}},
    }
    if model.__doc__:
        message["description"] = " ".join(model.__doc__.split())
    return message


def _dead_letter_message() -> Json:
    return {
        "name": "dead_letter",
        "title": "Dead letter",
        "summary": "A record a consumer could not parse or apply after its retries.",
        "contentType": "application/json",
        "headers": _DEAD_LETTER_HEADERS,
        "payload": {"description": "The original record's value, unchanged."},
        "bindings": {"kafka": {"key": _KEY_SCHEMA, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _channel(topic: str, description: str, messages: list[str], partitions: int) -> Json:
    return {
        "address": topic,
        "description": description,
        "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages},
        "bindings": {
            "kafka": {
                "topic": topic,
                "partitions": partitions,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _send(service: str, channel: str, messages: list[str], summary: str) -> Json:
    return {
        "action": "send",
        "summary": summary,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{m}"} for m in messages],
        "x-producer": service,
    }


def build_asyncapi(partitions: int = 3) -> Json:
    schemas: Json = {}
    messages: Json = {}
    by_producer: dict[str, list[str]] = defaultdict(list)
    for model in ALL_EVENTS:
        if model.producer not in SERVICE_NAMES:
            raise ValueError(f"{model.__name__} names an unknown producer {model.producer!r}")
        messages[model.type_name()] = _message(model, schemas)
        by_producer[model.producer].append(model.type_name())
    messages["dead_letter"] = _dead_letter_message()

    channels: Json = {}
    operations: Json = {}
    for service in SERVICE_NAMES:
        topic, dlq = events_topic(service), dead_letter_topic(service)
        produced = sorted(by_producer[service])
        channels[topic] = _channel(
            topic, f"Every event the {service} service produces.", produced, partitions
        )
        channels[dlq] = _channel(
            dlq, f"Records the {service} service could not apply.", ["dead_letter"], partitions
        )
        if produced:
            operations[f"{service}.sendEvents"] = _send(
                service, topic, produced, f"The {service} outbox relay publishes its events."
            )
        operations[f"{service}.sendDeadLetters"] = _send(
            service, dlq, ["dead_letter"], f"The {service} consumer dead-letters a record."
        )

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "SCR panel events",
            "version": DOCUMENT_VERSION,
            "description": (
                "Events between the services of the national panel on Serious Case Reviews. "
                "Each is a CloudEvents 1.0 structured-mode JSON envelope; `type` carries the "
                "version. Topic names get the prefix KAFKA_TOPIC_PREFIX when it is set. "
                "Generated from shared/events by `scr-panel asyncapi`; do not edit by hand."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "development": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The embedded broker started by `scr-panel up`.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render_asyncapi() -> str:
    """The document as committed: sorted keys and a final newline, so regenerating is a no-op."""
    return json.dumps(build_asyncapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
