"""contracts/asyncapi.yaml and contracts/events/ agree: a channel per schema, a schema per channel.

The JSON Schemas are what the code validates against; the AsyncAPI file says who sends and who
receives each type. These tests keep them in step, check that every reference resolves, and that
each consuming service's declared subscriptions (mailer, company-portal, moderation, offers) are the
handlers its consumer really has. A consumer that fails to import fails these tests (it is never
skipped: a broken consumer must not pass for one that matches its contract).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[2]
CONTRACTS = REPO / "contracts"
EVENTS = CONTRACTS / "events"
SCHEMA_NAME = re.compile(r"^(?P<type>[a-z-]+\.[a-z_]+\.[a-z_]+)\.v(?P<version>\d+)\.schema\.json$")
# identity's events are the ones it has a schema for: a new one must show up in AsyncAPI too.
IDENTITY_EVENTS = {m["type"] for p in EVENTS.glob("identity.*.schema.json") if (m := SCHEMA_NAME.match(p.name))}


def load() -> dict[str, Any]:
    return yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text(encoding="utf-8"))


def schema_types() -> dict[str, Path]:
    """`<type>` → its schema file, for every event schema (the envelope excluded)."""
    found = {}
    for path in sorted(EVENTS.glob("*.schema.json")):
        if path.name == "envelope.schema.json":
            continue
        match = SCHEMA_NAME.match(path.name)
        assert match, f"{path.name}: not named <producer>.<aggregate>.<event>.v<N>.schema.json"
        found[match["type"]] = path
    return found


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"not a local reference: {ref}"
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"dangling reference {ref}"
        node = node[part]
    return node


def local_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        refs = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return refs + [r for value in node.values() for r in local_refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in local_refs(value)]
    return []


def message_payload_refs(document: dict[str, Any], channel: dict[str, Any]) -> set[str]:
    refs = set()
    for message in channel["messages"].values():
        message = resolve(document, message["$ref"]) if "$ref" in message else message
        refs |= {r for r in local_refs(message["payload"]) if not r.startswith("#")}
    return refs


def test_document_is_asyncapi_3_on_the_topic_exchange() -> None:
    document = load()
    assert document["asyncapi"].startswith("3.0")
    binding = document["components"]["channelBindings"]["eventsExchange"]["amqp"]
    assert binding["is"] == "routingKey"
    assert binding["exchange"] == {"name": "ingemplois.events", "type": "topic", "durable": True, "autoDelete": False}


def test_every_schema_has_a_channel_and_every_channel_a_schema() -> None:
    channels = load()["channels"]
    types = schema_types()
    missing = sorted(set(types) - set(channels))
    extra = sorted(set(channels) - set(types))
    assert not missing, (f"schemas without a channel in contracts/asyncapi.yaml "
                         f"(add its channel, message and send operation): {missing}")
    assert not extra, f"channels without a schema file in contracts/events/: {extra}"


def test_channels_are_routing_keys_and_reference_their_schema_and_the_envelope() -> None:
    document = load()
    types = schema_types()
    for name, channel in document["channels"].items():
        assert channel["address"] == name, f"{name}: the address is the routing key, the channel's name"
        refs = message_payload_refs(document, channel)
        assert f"./events/{types[name].name}" in refs, f"{name}: payload does not reference its schema"
        assert "./events/envelope.schema.json" in refs, f"{name}: payload does not reference the envelope"


def test_every_reference_resolves_and_every_schema_file_is_valid() -> None:
    document = load()
    for ref in local_refs(document):
        if ref.startswith("#"):
            resolve(document, ref)
        else:
            path = (CONTRACTS / ref).resolve()
            assert path.is_file(), f"{ref}: no such file"
            Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def operations(action: str, tag: str) -> set[str]:
    """Channel names of the operations with this action whose tags name this service."""
    document = load()
    found = set()
    for operation in document["operations"].values():
        if operation["action"] == action and {"name": tag} in operation.get("tags", []):
            found.add(operation["channel"]["$ref"].removeprefix("#/channels/"))
    return found


def test_identity_sends_its_events_and_the_mailer_receives_them() -> None:
    assert len(IDENTITY_EVENTS) >= 4
    assert operations("send", "identity") == IDENTITY_EVENTS
    assert IDENTITY_EVENTS <= operations("receive", "mailer")


def test_every_channel_has_a_sender_named_after_its_producer() -> None:
    document = load()
    for name in document["channels"]:
        prefix = name.split(".")[0]
        producer = {"portal": "company-portal", "billing": "catalog-billing"}.get(prefix, prefix)
        assert name in operations("send", producer), f"{name}: no send operation tagged {producer}"


def test_the_mailer_receives_exactly_what_its_consumer_handles() -> None:
    consumer = importlib.import_module("mailer.entrypoints.consumer")
    assert operations("receive", "mailer") == set(consumer.HANDLERS)


def _company_portal_handlers() -> set[str]:
    consumer = importlib.import_module("company_portal.entrypoints.consumer")
    return set(consumer.HANDLERS)  # the table only: no handler runs


def _moderation_handlers() -> set[str]:
    consumer = importlib.import_module("moderation.entrypoints.consumer")
    return set(consumer.HANDLERS)


def _offers_handlers() -> set[str]:
    consumer = importlib.import_module("offers.entrypoints.consumer")
    return set(consumer.HANDLERS) | set(consumer.PROJECTION_HANDLERS)


@pytest.mark.parametrize(("service", "handled"), [
    ("company-portal", _company_portal_handlers),
    ("moderation", _moderation_handlers),
    ("offers", _offers_handlers),
])
def test_each_consuming_service_receives_exactly_what_its_consumer_handles(service: str, handled: Any) -> None:
    """The receive operations tagged with a service are the keys of the handler table its
    bootstrap gives its EventConsumer (services/<service>/src/<package>/entrypoints/consumer.py)."""
    assert operations("receive", service) == handled()


def test_every_receiver_is_a_declared_tag_and_receives_a_channel_someone_sends() -> None:
    document = load()
    tags = {t["name"] for t in document["info"]["tags"]}
    sent = {op["channel"]["$ref"] for op in document["operations"].values() if op["action"] == "send"}
    for name, op in document["operations"].items():
        assert {t["name"] for t in op.get("tags", [])} <= tags, f"{name}: tag not declared in info.tags"
        if op["action"] == "receive":
            assert op["channel"]["$ref"] in sent, f"{name}: nobody sends {op['channel']['$ref']}"
