"""Bounded input on the Rasa server's channels (issue 15), over the real servers (Rasa
with the project's channels, the action server): before, REST bodies of any size were
read (Sanic's 100 MB default), `sender`, `metadata` and `input_channel` were stored as
sent, a socket.io session id of any length was accepted, the SMS webhook parsed a forged
form of any size before refusing its signature, and `/intent{...}` entities reached the
tracker, the slots and the analytics unchecked (NUL, any id)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from analytics.reader import EVENTS, make_engine
from tests.security.conftest import send_large
from tests.support.servers import Servers
from tests.support.widget_socket import widget_turn

pytestmark = pytest.mark.e2e



@pytest.fixture
def servers(rasa_servers: Servers) -> Servers:
    return rasa_servers


def post(url: str, body: bytes, headers: dict[str, str] | None = None,
         ) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def rest(servers: Servers, body: dict[str, Any]) -> tuple[int, bytes]:
    return post(servers.rest_webhook, json.dumps(body).encode())


def user_events(servers: Servers, sender: str) -> list[dict[str, Any]]:
    engine = make_engine(f"sqlite:///{servers.env['TRACKER_STORE_DB']}")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(EVENTS.c.type_name, EVENTS.c.data)
                            .where(EVENTS.c.sender_id == sender)).all()
    engine.dispose()
    return [json.loads(r.data) for r in rows if r.type_name in ("user", "slot")]


def assert_stored_as(servers: Servers, sender: str, channel: str) -> None:
    """One visitor message stored, under the channel's own name, without what the client
    sent as metadata (20,000 × "v" under "m")."""
    users = [e for e in user_events(servers, sender) if e["event"] == "user"]
    assert [e["input_channel"] for e in users] == [channel]
    assert "m" not in users[0].get("metadata", {})  # only what Rasa adds (model id)
    assert "v" * 100 not in json.dumps(users)


def senders_longer_than(servers: Servers, n: int) -> int:
    engine = make_engine(f"sqlite:///{servers.env['TRACKER_STORE_DB']}")
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(EVENTS)
                             .where(sa.func.length(EVENTS.c.sender_id) > n)).scalar_one()
    engine.dispose()
    return int(count)


def test_a_rest_body_over_64_kb_is_refused_before_it_is_read(servers: Servers) -> None:
    json_type = {"Content-Type": "application/json"}
    status, took = send_large(servers.rest_webhook, 20_000_000, json_type)
    assert status == 413 and took < 5
    assert send_large(servers.rest_webhook, 2_000_000, json_type, chunked=True)[0] == 413
    assert rest(servers, {"sender": "apres-gros-corps", "message": "bonjour"})[0] == 200


@pytest.mark.parametrize("body", [
    {"sender": "s" * 129, "message": "bonjour"},
    {"sender": "deux mots", "message": "bonjour"},
    {"sender": "nul\u0000", "message": "bonjour"},
    {"sender": 12, "message": "bonjour"},
    {"sender": "ok-mais-message-objet", "message": {"text": "bonjour"}},
    ["pas", "un", "objet"],
])
def test_a_bad_sender_or_body_gets_400_and_stores_nothing(servers: Servers, body: Any) -> None:
    status, answer = rest(servers, body)
    assert status == 400, answer[:200]
    assert senders_longer_than(servers, 128) == 0


def test_rest_input_channel_and_metadata_are_never_taken_from_the_body(servers: Servers,
                                                                       ) -> None:
    sender = f"canal-{uuid.uuid4().hex[:8]}"
    status, _ = rest(servers, {"sender": sender, "message": "bonjour",
                               "input_channel": "c" * 100, "metadata": {"m": "v" * 20_000}})
    assert status == 200
    assert_stored_as(servers, sender, "rest")


def test_intent_payload_entities_are_checked_before_the_tracker(servers: Servers) -> None:
    sender = f"charge-{uuid.uuid4().hex[:8]}"
    assert rest(servers, {"sender": sender,
                          "message": '/find_events{"period": "\\u0000", "place": "Bavay"}'})[0] \
        == 200
    assert rest(servers, {"sender": sender,
                          "message": '/feedback{"rating": "up", "item": "<b>n importe quoi"}'}
                )[0] == 200
    events = user_events(servers, sender)
    entities = [(x["entity"], x["value"]) for e in events if e["event"] == "user"
                for x in e["parse_data"]["entities"]]
    assert ("place", "Bavay") in entities
    assert all(name != "period" and "\x00" not in str(value) for name, value in entities)
    assert all(name != "item" for name, _ in entities)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots.get("feedback_item") != "<b>n importe quoi"


async def test_socketio_session_ids_and_fields_are_bounded(servers: Servers) -> None:
    long_id = "z" * 300
    confirmed, answers = await widget_turn(servers.rasa_url, long_id,
                                           {"message": "bonjour", "session_id": long_id}, 15)
    assert confirmed != long_id and len(confirmed) == 32  # a fresh id instead
    assert answers == []  # the message with the invalid id was not taken
    assert senders_longer_than(servers, 128) == 0
    good = uuid.uuid4().hex
    conversation, answers = await widget_turn(servers.rasa_url, good, {
        "message": "bonjour", "session_id": good, "input_channel": "autre",
        "customData": {"m": "v" * 20_000}})
    assert answers
    assert_stored_as(servers, conversation, "socketio")  # derived from the device's secret


def test_the_sms_webhook_caps_a_forged_body_before_parsing_it(servers: Servers) -> None:
    url = f"{servers.rasa_url}/webhooks/sms/webhook"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    forged = {**form, "X-Twilio-Signature": "A" * 27 + "="}
    status, took = send_large(url, 10_000_000, forged)
    assert status == 413 and took < 5
    assert post(url, b"From=%2B33600000001&Body=" + b"b" * 40_000, forged)[0] == 413
    assert post(url, b"From=%2B33600000001&Body=x", {**form, "X-Twilio-Signature": "x"})[0] \
        == 403
    assert post(url, b"From=%2B33600000001&Body=x&MessageSid=SM1", forged)[0] == 403
