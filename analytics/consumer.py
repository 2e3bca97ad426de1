"""The consumer of Rasa's event broker: tracker events from RabbitMQ into the live daily
counters (analytics/live.py), in a process of its own (`python -m analytics consume`).

Rasa 3.6's PikaEventBroker publishes every new tracker event, as JSON with its
`sender_id`, to a fanout exchange (`rasa-exchange`) bound to durable queues
(`rasa_core_events` unless `queues:` says otherwise). The consumer declares the same
exchange and queue, so it can start before or after Rasa. A message is acknowledged once
its event is stored (or known already: a redelivery counts once); a malformed one (or one
the database refuses as such) is logged and acknowledged; when the database fails the
message goes back to the queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError

from analytics.aggregates import create_tables
from analytics.live import BrokerEvent, MalformedEvent, Recorded, parse_message, record_events

log = logging.getLogger(__name__)

# As in rasa/core/brokers/pika.py (Rasa 3.6): RABBITMQ_EXCHANGE, DEFAULT_QUEUE_NAME.
EXCHANGE = "rasa-exchange"
DEFAULT_QUEUE = "rasa_core_events"
DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
RETRY_DELAY = 1.0   # seconds before messages the database failed to store go back
BATCH = 200         # messages counted in one transaction (and RabbitMQ's prefetch)


@dataclass
class Stats:
    recorded: Recorded = field(default_factory=Recorded)
    malformed: int = 0
    failed: int = 0     # database errors (the message was delivered again)


async def consume(engine: Engine, url: str = DEFAULT_URL, queue: str = DEFAULT_QUEUE, *,
                  exchange_name: str = EXCHANGE, idle_stop: float | None = None,
                  batch: int = BATCH) -> Stats:
    """Counts the queue's events until cancelled, or, with `idle_stop`, until no message
    came for that many seconds (tests, a one-off catch-up). The messages waiting are
    counted together, up to `batch` in one transaction (one recount per conversation)."""
    create_tables(engine)
    stats = Stats()
    waiting: asyncio.Queue[tuple[AbstractIncomingMessage, BrokerEvent]] = asyncio.Queue()
    last = time.monotonic()
    busy = 0  # messages received and not yet acknowledged or sent back

    async def on_message(message: AbstractIncomingMessage) -> None:
        nonlocal last, busy
        last = time.monotonic()
        try:
            waiting.put_nowait((message, parse_message(message.body)))
            busy += 1
        except MalformedEvent as exc:
            await _drop(stats, message, str(exc))

    async def count() -> None:
        nonlocal last, busy
        while True:
            taken = [await waiting.get()]
            while len(taken) < batch and not waiting.empty():
                taken.append(waiting.get_nowait())
            await _record(engine, stats, taken)
            busy -= len(taken)
            last = time.monotonic()

    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=batch)
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.FANOUT)
        bound = await channel.declare_queue(queue, durable=True)
        await bound.bind(exchange, "")
        # exclusive: a second consumer of the queue is refused (ChannelAccessRefused; two
        # would recount one conversation at once and count it twice)
        tag = await bound.consume(on_message, exclusive=True)
        worker = asyncio.create_task(count())
        try:
            while idle_stop is None or time.monotonic() - last < idle_stop or busy:
                await asyncio.sleep(0.1 if idle_stop else 1.0)
        finally:
            await bound.cancel(tag)
            worker.cancel()
    return stats


async def _drop(stats: Stats, message: AbstractIncomingMessage, why: str) -> None:
    stats.malformed += 1
    log.warning("Analytics consumer: message %s dropped (%s)", message.delivery_tag, why)
    await message.ack()


async def _record(engine: Engine, stats: Stats,
                  taken: list[tuple[AbstractIncomingMessage, BrokerEvent]]) -> None:
    """Stores and counts the messages' events in one transaction, then acknowledges them;
    a database failure sends them back to the queue."""
    try:
        done = await asyncio.to_thread(record_events, engine, [e for _, e in taken])
    except DataError as exc:
        if len(taken) > 1:  # find the message the database refuses: the others count
            for one in taken:
                await _record(engine, stats, [one])
            return
        await _drop(stats, taken[0][0], type(exc).__name__)  # it can never be stored
        return
    except Exception as exc:  # the database down, mostly: the consumer keeps running
        stats.failed += len(taken)
        log.error("Analytics consumer: %s while storing; %d messages go back to the "
                  "queue", type(exc).__name__, len(taken))
        await asyncio.sleep(RETRY_DELAY)
        for message, _ in taken:
            await message.nack(requeue=True)
        return
    stats.recorded.new += done.new
    stats.recorded.duplicates += done.duplicates
    stats.recorded.ignored += done.ignored
    for message, _ in taken:
        await message.ack()
