"""Analytics from Rasa's event broker (issue 19, part 3), against the RabbitMQ server at
127.0.0.1:5672 (guest/guest): these tests fail, never skip, when it is down.

Rasa's own SQLTrackerStore, given Rasa's own PikaEventBroker, saves a few hundred events
(the synthetic conversations of analytics/synthetic.py) to an SQLite tracker store and
publishes them, so the messages are exactly Rasa's. The consumer's counters must then
equal the rescan's of the same tracker store. Each test has an exchange and a queue of its
own, deleted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import pytest
import sqlalchemy as sa
from rasa.core.brokers.pika import DEFAULT_QUEUE_NAME, RABBITMQ_EXCHANGE, PikaEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event as RasaEvent
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine

from analytics import cli, consumer, live
from analytics.reader import EVENTS, USED_TYPES, local_day
from analytics.report import Filters, build, collect
from analytics.retention import apply_retention, forget_visitor
from analytics.source import page_figures
from analytics.synthetic import generate

pytestmark = pytest.mark.rabbitmq
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
DAY = 86400.0


@pytest.fixture
async def broker_names() -> AsyncIterator[tuple[str, str]]:
    """A fanout exchange and a queue of the test's own, deleted afterwards."""
    suffix = uuid.uuid4().hex[:10]
    names = (f"test-rasa-exchange-{suffix}", f"test_analytics_{suffix}")
    yield names
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(names[1])
        await channel.exchange_delete(names[0])


@pytest.fixture
def engine(tracker_engine: Engine) -> Engine:
    """The tracker store on SQLite and on PostgreSQL (tests/integration/conftest.py)."""
    return tracker_engine


async def open_broker(exchange: str, queue: str) -> PikaEventBroker:
    broker = PikaEventBroker("127.0.0.1", "guest", "guest", queues=[queue],
                             exchange_name=exchange, connection_attempts=1,
                             raise_on_failure=True, event_loop=asyncio.get_running_loop())
    await broker.connect()
    return broker


async def published(broker: PikaEventBroker) -> None:
    """Waits for the broker's publishing tasks (publish() only schedules them)."""
    for _ in range(200):
        if not broker._background_tasks:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("events still unpublished after 10 s")


def greeting(sender: str, channel: str) -> dict[str, Any]:
    """A visitor's "bonjour" as the broker's message (sender_id + the event's as_dict())."""
    return {"sender_id": sender, "event": "user", "timestamp": time.time(), "text": "bonjour",
            "input_channel": channel,
            "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}}


async def publish_raw(exchange: str, queue: str, bodies: list[bytes]) -> None:
    """Messages as any client could publish them, on the test's exchange and queue."""
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.FANOUT)
        q = await channel.declare_queue(queue, durable=True)
        await q.bind(ex, "")
        for body in bodies:
            await ex.publish(aio_pika.Message(body), "")


async def count_all(engine: Engine, exchange: str, queue: str) -> consumer.Stats:
    """The consumer, until the queue has been quiet for a second."""
    return await consumer.consume(engine, AMQP_URL, queue, exchange_name=exchange,
                                  idle_stop=1.0)


def total(engine: Engine, metric: str) -> int:
    return sum(v for (_, _, m, _), v in live.load_live(engine).counts.items() if m == metric)


def conversations(count: int) -> dict[str, list[dict[str, Any]]]:
    """Synthetic events (as_dict() of Rasa events) by sender, over the last three days."""
    out: dict[str, list[dict[str, Any]]] = {}
    for batch in generate(count, time.time() - 3 * DAY, days=2, seed=11):
        for row in batch:
            out.setdefault(row["sender_id"], []).append(json.loads(row["data"]))
    return out


async def save_with_rasa(engine: Engine, broker: PikaEventBroker,
                         events: dict[str, list[dict[str, Any]]]) -> None:
    """Rasa's SQL tracker store saves the conversations and publishes their events."""
    url = engine.url
    assert url.database
    store = SQLTrackerStore(Domain.empty(), dialect=url.get_backend_name(), host=url.host,
                            port=url.port, db=url.database, username=url.username,
                            password=url.password, event_broker=broker)
    for sender, dicts in events.items():
        tracker = DialogueStateTracker.from_events(
            sender, [RasaEvent.from_parameters(d) for d in dicts])
        await store.save(tracker)
    await published(broker)
    store.engine.dispose()


def test_names_are_rasas() -> None:
    assert (consumer.EXCHANGE, consumer.DEFAULT_QUEUE) == (RABBITMQ_EXCHANGE, DEFAULT_QUEUE_NAME)


async def test_counters_from_the_broker_equal_the_rescan(
        engine: Engine, broker_names: tuple[str, str]) -> None:
    exchange, queue = broker_names
    broker = await open_broker(exchange, queue)
    try:
        events = conversations(600)
        await save_with_rasa(engine, broker, events)
    finally:
        await broker.close()
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()
    assert stored == sum(len(v) for v in events.values())

    stats = await consumer.consume(engine, AMQP_URL, queue, exchange_name=exchange,
                                   idle_stop=1.5)
    rescan = collect(engine, Filters())
    counted = live.load_live(engine)
    assert stats.malformed == stats.failed == stats.recorded.duplicates == 0
    assert stats.recorded.new + stats.recorded.ignored == stored
    assert stats.recorded.ignored > 0          # session_started is not a counted type
    assert sum(v for (_, _, m, _), v in rescan.counts.items() if m == "conversations") == len(
        events)
    assert {m for (_, _, m, _) in rescan.counts} >= {
        "user_messages", "recommended", "feedback_up", "clicked", "commune", "fallback",
        "interest", "cell", "length", "with_recommendation"}
    assert counted.counts == rescan.counts
    assert counted.labels == rescan.labels
    # the page's figures from the counters alone: those of the rescan, but the misread
    # messages' texts (not counters)
    texts = ("misunderstood", "off_topic", "abusive", "misunderstood_not_kept")
    from_counters = live.live_figures(engine, Filters())
    from_rescan = build(engine, Filters())
    assert from_counters["totals"]["conversations"] == len(events)
    assert ({k: v for k, v in from_counters.items() if k not in texts}
            == {k: v for k, v in from_rescan.items() if k not in texts})
    assert from_rescan["misunderstood"] and not from_counters["misunderstood"]
    # the page reads them now that a consumer has counted, and says how fresh they are
    figures_shown, source = page_figures(engine, Filters())
    assert source.counters and figures_shown == from_counters
    assert source.state and source.state.last_event == max(
        d["timestamp"] for dicts in events.values() for d in dicts if d["event"] in USED_TYPES)

    # the rebuild gives the same counters, and keeps the keys: a message delivered again
    # afterwards counts once
    rebuilt = live.rebuild(engine)
    assert rebuilt.counts == rescan.counts
    assert live.load_live(engine).counts == rescan.counts
    sender, first = next(iter(events.items()))
    as_rasa_sends = [RasaEvent.from_parameters(d).as_dict() for d in first]
    again = live.record_events(engine, [live.BrokerEvent(sender, d) for d in as_rasa_sends])
    assert (again.new, again.duplicates) == (0, sum(d["event"] in USED_TYPES for d in first))
    assert live.load_live(engine).counts == rescan.counts

    # retention: the raw events go, the counters stay (and equal the report's figures)
    result = apply_retention(engine, 1, today=date.today() + timedelta(days=5))
    assert result.deleted_events == stored
    assert live.load_live(engine).counts == rescan.counts
    assert collect(engine, Filters()).counts == rescan.counts
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(live.LIVE_EVENTS)
                            ).scalar_one() == 0


async def test_a_message_delivered_twice_counts_once(
        engine: Engine, broker_names: tuple[str, str]) -> None:
    exchange, queue = broker_names
    events = conversations(40)
    sender, dicts = next(iter(events.items()))
    broker = await open_broker(exchange, queue)
    try:
        for d in dicts:
            broker.publish({"sender_id": sender, **d})
        user = next(d for d in dicts if d["event"] == "user")
        broker.publish({"sender_id": sender, **user})   # redelivered
        await published(broker)
    finally:
        await broker.close()
    stats = await count_all(engine, exchange, queue)
    assert stats.recorded.duplicates == 1
    assert total(engine, "user_messages") == sum(d["event"] == "user" for d in dicts)
    assert total(engine, "conversations") == 1

    # a later event of the same conversation recounts it: still one conversation, the
    # message added, no count left twice
    later = {**user, "timestamp": dicts[-1]["timestamp"] + 60, "text": "merci"}
    live.record_events(engine, [live.BrokerEvent(sender, later)])
    after = live.load_live(engine).counts
    assert total(engine, "conversations") == 1
    assert total(engine, "user_messages") == sum(d["event"] == "user" for d in dicts) + 1
    assert all(v > 0 for v in after.values())

    # the visitor asks to be forgotten: the kept events go, the counts stay
    # (no Rasa events table in this database: the kept events are what is deleted)
    assert forget_visitor(engine, sender) == sum(d["event"] in USED_TYPES for d in dicts) + 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(live.LIVE_EVENTS)
                            .where(live.LIVE_EVENTS.c.sender_id == sender)).scalar_one() == 0
    assert live.load_live(engine).counts == after


async def test_malformed_messages_are_logged_and_acknowledged(
        engine: Engine, broker_names: tuple[str, str], caplog: pytest.LogCaptureFixture,
        ) -> None:
    exchange, queue = broker_names
    good = greeting("visiteur-1", "rest")
    bodies = [b"pas du JSON", b"[1, 2]", json.dumps({"event": "user"}).encode(),
              json.dumps({"sender_id": "x", "event": "user", "timestamp": "hier"}).encode(),
              "\udcff".encode("utf-8", "surrogatepass"),
              json.dumps({**good, "sender_id": "nul\u0000"}).encode(),   # PostgreSQL: no NUL
              json.dumps(good).encode()]
    await publish_raw(exchange, queue, bodies)
    stats = await count_all(engine, exchange, queue)
    assert stats.malformed == 6
    assert stats.recorded.new == 1
    assert sum(1 for r in caplog.records if "dropped" in r.getMessage()) == 6
    assert total(engine, "conversations") == 1
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        left = await channel.declare_queue(queue, durable=True, passive=True)
        assert left.declaration_result.message_count == 0   # all acknowledged


def test_the_command_line_consumes_and_rebuilds(
        engine: Engine, broker_names: tuple[str, str], capsys: pytest.CaptureFixture[str],
        ) -> None:
    exchange, queue = broker_names
    body = json.dumps(greeting("visiteur-2", "socketio")).encode()
    asyncio.run(publish_raw(exchange, queue, [body, body]))
    database = str(engine.url)
    assert cli.main(["--database", database, "consume", "--url", AMQP_URL, "--queue", queue,
                     "--exchange", exchange, "--idle", "1"]) == 0
    assert "1 événement compté, 1 déjà reçu, 0 illisible." in capsys.readouterr().out
    assert total(engine, "user_messages") == 1
    # no Rasa table here: the rebuild starts from nothing
    assert cli.main(["--database", database, "rebuild"]) == 0
    assert "Compteurs reconstruits" in capsys.readouterr().out
    assert not live.load_live(engine).counts
    assert cli.main(["--database", database, "consume", "--url",
                     "amqp://guest:guest@127.0.0.1:1/", "--queue", queue, "--idle", "1"]) == 1
    assert "RabbitMQ injoignable" in capsys.readouterr().err


async def test_the_cluster_example_configures_rasas_own_broker(
        engine: Engine, broker_names: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    """docs/endpoints.cluster.yml (what `make run-cluster` gives each Rasa server), read by
    Rasa's own loader with the variables run-cluster.sh sets, gives a Pika broker whose
    events the consumer counts."""
    from rasa.core.brokers.broker import EventBroker
    from rasa.utils.endpoints import read_endpoint_config

    exchange, queue = broker_names
    endpoints = Path(__file__).parents[2] / "docs" / "endpoints.cluster.yml"
    for name, value in {"RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672",
                        "RABBITMQ_USER": "guest", "RABBITMQ_PASSWORD": "guest",
                        "RABBITMQ_QUEUE": queue, "RABBITMQ_EXCHANGE": exchange,
                        # the file's other sections, which Rasa expands too
                        "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
                        "TRACKER_STORE_URL": "postgresql://127.0.0.1/x",
                        "LOCK_STORE_HOST": "127.0.0.1", "LOCK_STORE_PORT": "6379",
                        "LOCK_STORE_DB": "0", "LOCK_STORE_PASSWORD": ""}.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(str(endpoints), "event_broker")
    assert config is not None
    assert config.kwargs["queues"] == [queue] and config.kwargs["exchange_name"] == exchange
    broker = await EventBroker.create(config, asyncio.get_running_loop())
    assert isinstance(broker, PikaEventBroker)
    try:
        broker.publish(greeting("visiteur-3", "telegram"))
        await published(broker)
    finally:
        await broker.close()
    stats = await count_all(engine, exchange, queue)
    assert stats.recorded.new == 1
    assert live.load_live(engine).counts[(
        local_day(time.time()).isoformat(), "telegram", "conversations", "")] == 1


async def test_a_database_failure_sends_the_message_back_and_it_counts_once(
        engine: Engine, broker_names: tuple[str, str], monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    """The first write fails (as when PostgreSQL restarts): the message is not lost, it
    comes back from RabbitMQ and is counted, once."""
    exchange, queue = broker_names
    calls: list[int] = []

    def failing_once(target: Engine, events: list[live.BrokerEvent]) -> live.Recorded:
        calls.append(len(events))
        if len(calls) == 1:
            raise sa.exc.OperationalError("INSERT", {}, Exception("server closed"))
        return live.record_events(target, events)

    monkeypatch.setattr(consumer, "record_events", failing_once)
    monkeypatch.setattr(consumer, "RETRY_DELAY", 0.1)
    await publish_raw(exchange, queue, [json.dumps(greeting("visiteur-4", "sms")).encode()])
    stats = await count_all(engine, exchange, queue)
    assert (stats.failed, stats.recorded.new, len(calls)) == (1, 1, 2)
    assert total(engine, "conversations") == 1


async def test_a_second_consumer_of_the_queue_is_refused(
        engine: Engine, broker_names: tuple[str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Two consumers would recount one conversation at the same time: the queue is
    consumed exclusively, and the command line says so."""
    exchange, queue = broker_names
    first = asyncio.create_task(consumer.consume(engine, AMQP_URL, queue,
                                                 exchange_name=exchange, idle_stop=3.0))
    await asyncio.sleep(1.0)
    code = await asyncio.to_thread(cli.main, [
        "--database", str(engine.url), "consume", "--url", AMQP_URL, "--queue", queue,
        "--exchange", exchange, "--idle", "1"])
    assert code == 1
    assert f"La file « {queue} » est déjà lue par un autre consommateur" in (
        capsys.readouterr().err)
    assert (await first).failed == 0
