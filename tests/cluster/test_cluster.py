"""Two Rasa servers behind HAProxy on PostgreSQL, Redis and RabbitMQ (issue 19): one
conversation across instances (counted once by the analytics consumer from RabbitMQ), a
redelivered webhook answered once, one sender on one instance through the balancer, and
the conversation going on after `kill -9` of its instance. The tests run in this order;
the last one kills a server."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from tests.support.cluster import TELEGRAM_SECRET, Cluster
from tests.support.fake_platforms import FakePlatforms
from tests.support.widget_socket import widget_turn

pytestmark = [pytest.mark.cluster, pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.rabbitmq]

BAVAY = {"latitude": 50.2936, "longitude": 3.8031}
SHARE = f"/share_location{json.dumps(BAVAY)}"
MUSEUM = "je voudrais visiter un musée"
INSTANCE = "X-Rasa-Instance"  # the server HAProxy chose (scripts/cluster.py)


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None,
         ) -> tuple[int, str, Any]:
    """(status, the instance header, the JSON answer)."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers.get(INSTANCE, ""), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get(INSTANCE, ""), None


def say(base: str, sender: str, message: str) -> tuple[list[dict[str, Any]], str]:
    """The bot's replies over REST, and which instance answered (through the balancer)."""
    status, instance, replies = post(f"{base}/webhooks/rest/webhook",
                                     {"sender": sender, "message": message})
    assert status == 200, (status, message)
    return list(replies), instance


def cards(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for m in messages if (m.get("custom") or {}).get("type") == "places"
            for item in m["custom"]["items"]]


def new_sender() -> str:
    return f"cluster-{uuid.uuid4().hex[:8]}"


def user_texts(cluster: Cluster, sender: str | None = None, like: str | None = None,
               ) -> list[str]:
    """The visitor's messages in the PostgreSQL tracker store, in order."""
    engine = sa.create_engine(cluster.tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT data FROM events WHERE type_name = 'user' AND "
                + ("sender_id = :s" if sender else "sender_id LIKE :s") + " ORDER BY id"),
                {"s": sender or like}).scalars()
            return [json.loads(data).get("text") or "" for data in rows]
    finally:
        engine.dispose()


def counted_user_texts(cluster: Cluster, sender: str) -> list[str]:
    """The visitor's messages as the analytics consumer stored them from RabbitMQ."""
    engine = sa.create_engine(cluster.tracker_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT data FROM analytics_live_events WHERE type_name = 'user' AND "
                "sender_id = :s ORDER BY timestamp"), {"s": sender}).scalars()
            return [json.loads(data).get("text") or "" for data in rows]
    finally:
        engine.dispose()


def test_one_sender_alternating_between_two_instances_is_one_conversation(
        cluster: Cluster) -> None:
    """Position on A, museums on B (which must know the position), "encore" on A (which
    must know what B showed): one conversation in the PostgreSQL tracker store."""
    a, b = cluster.rasa
    sender = new_sender()
    first, _ = say(a, sender, SHARE)
    assert any("Bavay" in (m.get("text") or "") for m in first), first
    museums, _ = say(b, sender, MUSEUM)
    items = cards(museums)
    assert "Forum antique de Bavay" in [i["name"] for i in items], museums
    assert all(i["distance_km"] is not None for i in items)
    more = cards(say(a, sender, "encore")[0])
    assert more and not {i["id"] for i in more} & {i["id"] for i in items}
    assert user_texts(cluster, sender) == [SHARE, MUSEUM, "encore"]
    # Both servers published to RabbitMQ; the consumer counted each message once.
    deadline = time.monotonic() + 15
    while counted_user_texts(cluster, sender) != [SHARE, MUSEUM, "encore"]:
        assert time.monotonic() < deadline, counted_user_texts(cluster, sender)
        time.sleep(0.3)


def telegram_update(chat: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "is_bot": False, "first_name": "Camille", "language_code": "fr"}
    return {"update_id": uuid.uuid4().int % 10**9, "message": {
        "message_id": 1, "from": person, "date": int(time.time()), "text": text,
        "chat": {"id": chat, "first_name": "Camille", "type": "private"}}}


def telegram(base: str, update: dict[str, Any]) -> tuple[int, str]:
    status, instance, _ = post(f"{base}/webhooks/telegram/webhook", update,
                               {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    return status, instance


def test_a_telegram_update_redelivered_to_the_other_instance_is_answered_once(
        cluster: Cluster, fake: FakePlatforms) -> None:
    a, b = cluster.rasa
    chat = uuid.uuid4().int % 10**9
    earlier = len(user_texts(cluster, like="telegram-%"))
    update = telegram_update(chat, "bonjour")
    assert telegram(a, update)[0] == 200
    fake.wait_for(lambda: fake.sent(chat, "telegram"))
    fake.quiet(2.0)
    answered = len(fake.sent(chat))
    assert telegram(b, update)[0] == 200  # Telegram retries: the same update_id, on B
    fake.quiet(3.0)
    assert len(fake.sent(chat)) == answered
    # B does answer this chat's next update: the silence above was the dedup.
    assert telegram(b, telegram_update(chat, "merci"))[0] == 200
    fake.wait_for(lambda: len(fake.sent(chat)) > answered)
    assert user_texts(cluster, like="telegram-%")[earlier:] == ["bonjour", "merci"]


def test_through_the_balancer_one_sender_stays_on_one_instance(
        cluster: Cluster, fake: FakePlatforms) -> None:
    """REST senders, a Telegram chat and socket.io handshakes naming a conversation: each
    always reaches the same Rasa server, and the conversations are spread over both."""
    where: dict[str, str] = {}
    for i in range(10):
        sender = f"cluster-visiteur-{i}"  # fixed names: the same spread at every run
        instances = {say(cluster.balancer, sender, message)[1]
                     for message in ("bonjour", "je suis à Bavay", "merci")}
        assert len(instances) == 1, (sender, instances)
        where[sender] = instances.pop()
    assert set(where.values()) == {"rasa1", "rasa2"}, where

    chat = uuid.uuid4().int % 10**9
    chats = {telegram(cluster.balancer, telegram_update(chat, text))[1]
             for text in ("bonjour", "je suis à Bavay", "un musée")}
    assert len(chats) == 1 and chats <= {"rasa1", "rasa2"}, chats

    handshakes: dict[str, set[str]] = {}
    for i in range(10):
        session = f"{i:032x}"
        for _ in range(2):
            url = f"{cluster.balancer}/socket.io/?EIO=4&transport=polling&session={session}"
            with urllib.request.urlopen(url, timeout=30) as resp:
                assert resp.status == 200
                handshakes.setdefault(session, set()).add(resp.headers[INSTANCE])
    assert all(len(seen) == 1 for seen in handshakes.values()), handshakes
    assert set().union(*handshakes.values()) == {"rasa1", "rasa2"}, handshakes


def places_in(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The places of socket.io replies (which carry the payload itself, or as `custom`)."""
    return [item for reply in replies for custom in [reply.get("custom") or reply]
            if custom.get("type") == "places" for item in custom["items"]]


async def test_the_widget_converses_through_the_balancer(cluster: Cluster) -> None:
    """Two connections of one widget over long-polling (each socket's requests must all
    reach the server that opened it): a first visit's, which does not know its
    conversation yet (by the client's address), then, as after a page reload, one naming
    the conversation (`session`, as connectors/widget/widget.js does)."""
    secret = uuid.uuid4().hex
    conversation, _ = await widget_turn(cluster.balancer, secret,
                                        {"message": SHARE, "session_id": secret})
    _, replies = await widget_turn(f"{cluster.balancer}?session={conversation}", secret,
                                   {"message": MUSEUM, "session_id": secret},
                                   until=lambda got: bool(places_in(got)))
    assert "Forum antique de Bavay" in [p["name"] for p in places_in(replies)], replies
    assert user_texts(cluster, conversation) == [SHARE, MUSEUM]


def test_after_kill_9_of_its_instance_a_conversation_goes_on_on_the_other(
        cluster: Cluster) -> None:
    sender = new_sender()
    _, serving = say(cluster.balancer, sender, SHARE)
    museums, again = say(cluster.balancer, sender, MUSEUM)
    assert again == serving and serving in ("rasa1", "rasa2")
    shown = {i["id"] for i in cards(museums)}
    assert shown

    os.kill(cluster.pid(serving), signal.SIGKILL)
    started = time.monotonic()
    more, other = say(cluster.balancer, sender, "encore")
    recovery = time.monotonic() - started
    print(f"\nkill -9 {serving}: next turn answered by {other} in {recovery:.2f} s")
    assert other not in ("", serving)
    more_ids = {i["id"] for i in cards(more)}
    assert more_ids and not more_ids & shown, more  # it knew the search and what was shown
    assert recovery <= 5.0
    assert user_texts(cluster, sender) == [SHARE, MUSEUM, "encore"]
    # A new visitor is answered too, and HAProxy has taken the dead server out.
    assert say(cluster.balancer, new_sender(), "bonjour")[1] == other
    deadline = time.monotonic() + 5
    while cluster.servers_up() != {other}:
        assert time.monotonic() < deadline, cluster.servers_up()
        time.sleep(0.2)
