"""End to end over the REST channel: the real action server and Rasa server, trained
model, seeded knowledge base. Slow (the servers start once for the module)."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import socketio  # python-socketio, installed with Rasa

from connectors.guard import APOLOGY
from tests.support.servers import Servers, running_servers

pytestmark = pytest.mark.e2e

BAVAY = {"latitude": 50.2936, "longitude": 3.8031}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("e2e")) as s:
        yield s


def say(servers: Servers, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    req = urllib.request.Request(servers.rest_webhook, data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return list(json.loads(resp.read()))


def cards(messages: list[dict[str, Any]], kind: str = "places") -> list[dict[str, Any]]:
    return [item for m in messages if (m.get("custom") or {}).get("type") == kind
            for item in m["custom"]["items"]]


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_share_position_at_bavay_then_ask_for_a_museum(servers: Servers) -> None:
    sender = new_sender()
    first = say(servers, sender, f"/share_location{json.dumps(BAVAY)}")
    assert any("Bavay" in (m.get("text") or "") for m in first), first
    replies = say(servers, sender, "je voudrais visiter un musée")
    items = cards(replies)
    names = [i["name"] for i in items]
    assert "Forum antique de Bavay" in names, replies
    assert 3 <= len(items) <= 5
    assert all(i["distance_km"] is not None for i in items)
    more = cards(say(servers, sender, "encore"))
    assert more and not {i["id"] for i in more} & {i["id"] for i in items}


def test_position_is_asked_when_needed_and_remembered(servers: Servers) -> None:
    sender = new_sender()
    asked = say(servers, sender, "qu'est-ce qu'il y a à visiter ?")
    payloads = [b["payload"] for m in asked for b in m.get("buttons") or []]
    assert "/share_location" in payloads, asked
    after = say(servers, sender, "je suis à Bavay")
    assert not cards(after)  # interests are asked next, with buttons
    buttons = [b["payload"] for m in after for b in m.get("buttons") or []]
    assert any("inform_interests" in p for p in buttons), after
    found = cards(say(servers, sender, '/inform_interests{"interest": "patrimoine"}'))
    assert found and all("patrimoine" in i["interests"] for i in found)


@pytest.mark.parametrize("message", [
    "", " ", "x" * 10_000, "😀😀😀🙈", "<script>alert(1)</script><b>hé</b>",
    '/share_location{"latitude": 95, "longitude": 3.8}',
    '/share_location{"latitude": "abc", "longitude": null}',
    "je suis à Tataouine-les-Bains",
])
def test_bad_input_gets_a_polite_reply_and_the_conversation_goes_on(
        servers: Servers, message: str) -> None:
    sender = new_sender()
    replies = say(servers, sender, message)
    texts = [m.get("text") for m in replies if m.get("text")]
    assert texts, f"no reply to {message[:40]!r}"
    assert all("<script>" not in t for t in texts)
    again = say(servers, sender, "bonjour")
    assert any(m.get("text") for m in again)


def test_action_server_down_gives_a_french_apology(servers: Servers) -> None:
    servers.stop("actions")
    try:
        sender = new_sender()
        say(servers, sender, f"/share_location{json.dumps(BAVAY)}")
        replies = say(servers, sender, "un musée")
        assert any(m.get("text") == APOLOGY for m in replies) or any(
            "excuses" in (m.get("text") or "").lower() for m in replies), replies
    finally:
        servers.start_actions()
    sender = new_sender()
    assert cards(say(servers, sender, f"/share_location{json.dumps(BAVAY)}") +
                 say(servers, sender, "un musée"))


async def _socket(servers: Servers, session_id: str,
                  ) -> tuple[socketio.AsyncClient, asyncio.Queue[dict[str, Any]], str]:
    """A widget's socket on the session whose device secret is `session_id`, its replies,
    and the conversation's id the server confirmed (derived from the secret)."""
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    client.on("bot_uttered", received.put_nowait)
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    # Long-polling: the engine.io client's websocket needs a newer aiohttp than Rasa pins.
    await client.connect(servers.rasa_url, socketio_path="/socket.io", transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    conversation = await asyncio.wait_for(confirmed, timeout=30)
    assert conversation != session_id and len(conversation) == 32
    return client, received, conversation


async def _places(received: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    while True:
        message = await asyncio.wait_for(received.get(), timeout=60)
        custom = message.get("custom") or message  # socket.io sends the payload itself
        if custom.get("type") == "places":
            return list(custom["items"])


async def test_socketio_channel_converses_and_keeps_the_session(servers: Servers) -> None:
    """The widget's channel: a socket.io session, replies as bot_uttered, and the same
    conversation after a reconnection with the same session id (a page reload)."""
    session_id = new_sender()
    client, received, conversation = await _socket(servers, session_id)
    try:
        await client.emit("user_uttered", {"message": f"/share_location{json.dumps(BAVAY)}",
                                           "session_id": session_id})
        first = await asyncio.wait_for(received.get(), timeout=60)
        assert "Bavay" in (first.get("text") or "")
        await client.emit("user_uttered", {"message": "un musée", "session_id": session_id})
        items = await _places(received)
        assert "Forum antique de Bavay" in [i["name"] for i in items]
    finally:
        await client.disconnect()
    again, received, resumed = await _socket(servers, session_id)
    assert resumed == conversation
    try:
        await again.emit("user_uttered", {"message": "encore", "session_id": session_id})
        more = await _places(received)
        assert more and not {i["id"] for i in more} & {i["id"] for i in items}
    finally:
        await again.disconnect()
