"""The widget's socket.io sessions belong to the device that started them (issue 15):
before, any socket that sent `session_request` with a session id (shown to the visitor
for erasure requests) joined that session's room and read the bot's replies, and could
speak in it. Over the real channel (connectors/socketio.py) served by Sanic, with an echo
in place of Rasa's agent (tests/support/widget_channel.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import socketio

from tests.support.widget_channel import widget_channel

pytestmark = pytest.mark.e2e

ENV = {"WIDGET_SESSION_KEY": "clé-des-sessions-du-widget-pour-les-tests"}


class Device:
    """A socket.io client as the widget is: its secret session id, the conversation the
    server confirmed, the replies it received."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.replies: list[str] = []
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", lambda m: self.replies.append(str(m.get("text"))))
        self.client.on("session_confirm", self.confirmed.put_nowait)

    async def connect(self, url: str) -> Device:
        await self.client.connect(url, socketio_path="/socket.io", transports=["polling"])
        return self

    async def request(self, session_id: str) -> str:
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), timeout=10)

    async def say(self, text: str, session_id: str) -> None:
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id})


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with widget_channel(ENV) as running:
        yield running


@pytest.fixture
async def devices(url: str) -> AsyncIterator[list[Device]]:
    made: list[Device] = []
    yield made
    await asyncio.gather(*(device.client.disconnect() for device in made))


async def device(url: str, devices: list[Device]) -> Device:
    devices.append(await Device().connect(url))
    return devices[-1]


async def settle() -> None:
    await asyncio.sleep(1.0)  # replies travel by long-polling


async def test_the_conversation_id_is_derived_from_the_device_secret(
        url: str, devices: list[Device]) -> None:
    secret = uuid.uuid4().hex
    owner = await device(url, devices)
    shown = await owner.request(secret)
    assert shown != secret and len(shown) == 32
    await owner.say("bonjour", secret)
    await settle()
    assert owner.replies == [f"{shown} : bonjour"]
    # the same device, on another page (a new socket): the same conversation
    again = await device(url, devices)
    assert await again.request(secret) == shown


async def test_a_foreign_socket_with_the_shown_id_gets_a_fresh_session(
        url: str, devices: list[Device]) -> None:
    secret = uuid.uuid4().hex
    owner = await device(url, devices)
    shown = await owner.request(secret)
    intruder = await device(url, devices)
    other = await intruder.request(shown)
    assert other not in (shown, secret)
    await owner.say("où dormir à Bavay ?", secret)
    await intruder.say("je lis ?", shown)  # speaks in its own, fresh conversation
    await settle()
    assert owner.replies == [f"{shown} : où dormir à Bavay ?"]
    assert intruder.replies == [f"{other} : je lis ?"]


async def test_a_socket_speaks_only_in_the_session_it_was_confirmed(
        url: str, devices: list[Device]) -> None:
    secret = uuid.uuid4().hex
    owner = await device(url, devices)
    shown = await owner.request(secret)
    silent = await device(url, devices)       # no session_request at all
    await silent.say("intrusion", shown)
    elsewhere = await device(url, devices)
    await elsewhere.request(uuid.uuid4().hex)
    await elsewhere.say("intrusion", shown)   # a session it was not confirmed
    await elsewhere.say("intrusion", secret)
    await settle()
    assert owner.replies == [] and silent.replies == [] and elsewhere.replies == []


async def test_a_new_session_request_leaves_the_previous_room(
        url: str, devices: list[Device]) -> None:
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    owner = await device(url, devices)
    old = await owner.request(first)
    new = await owner.request(second)          # "Effacer la conversation"
    other = await device(url, devices)
    assert await other.request(first) == old   # the first device's secret, elsewhere
    await other.say("toujours là ?", first)
    await settle()
    assert owner.replies == [] and other.replies == [f"{old} : toujours là ?"]
    assert new != old


def test_a_device_finds_its_conversation_after_a_restart() -> None:
    secret = uuid.uuid4().hex

    async def confirmed(url: str) -> str:
        dev = await Device().connect(url)
        try:
            return await dev.request(secret)
        finally:
            await dev.client.disconnect()

    seen: list[Any] = []
    for _ in range(2):
        with widget_channel(ENV) as running:
            seen.append(asyncio.run(confirmed(running)))
    assert seen[0] == seen[1] and seen[0] != secret
