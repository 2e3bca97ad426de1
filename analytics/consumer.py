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
from sqlalchemy.exc import DataError, SQLAlchemyError

from analytics.aggregates import create_tables
from analytics.live import MalformedEvent, Recorded, parse_message, record_events

log = logging.getLogger(__name__)

# As in rasa/core/brokers/pika.py (Rasa 3.6): RABBITMQ_EXCHANGE, DEFAULT_QUEUE_NAME.
EXCHANGE = "rasa-exchange"
DEFAULT_QUEUE = "rasa_core_events"
DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
RETRY_DELAY = 1.0   # seconds before a message the database refused goes back


@dataclass
class Stats:
    recorded: Recorded = field(default_factory=Recorded)
    malformed: int = 0
    failed: int = 0     # database errors (the message was delivered again)


async def consume(engine: Engine, url: str = DEFAULT_URL, queue: str = DEFAULT_QUEUE, *,
                  exchange_name: str = EXCHANGE, idle_stop: float | None = None,
                  prefetch: int = 50) -> Stats:
    """Counts the queue's events until cancelled, or, with `idle_stop`, until no message
    came for that many seconds (tests, a one-off catch-up)."""
    create_tables(engine)
    stats = Stats()
    lock = asyncio.Lock()  # one conversation is recounted by one transaction at a time
    last = time.monotonic()

    async def on_message(message: AbstractIncomingMessage) -> None:
        nonlocal last
        last = time.monotonic()
        try:
            event = parse_message(message.body)
        except MalformedEvent as exc:
            stats.malformed += 1
            log.warning("Analytics consumer: message %s dropped (%s)",
                        message.delivery_tag, exc)
            await message.ack()
            return
        async with lock:
            try:
                done = await asyncio.to_thread(record_events, engine, [event])
            except DataError as exc:  # this message can never be stored: no retry
                stats.malformed += 1
                log.warning("Analytics consumer: message %s dropped (%s)",
                            message.delivery_tag, type(exc).__name__)
                await message.ack()
                return
            except SQLAlchemyError as exc:
                stats.failed += 1
                log.error("Analytics consumer: database error (%s); the message goes back "
                          "to the queue", type(exc).__name__)
                await asyncio.sleep(RETRY_DELAY)
                await message.nack(requeue=True)
                return
        stats.recorded.new += done.new
        stats.recorded.duplicates += done.duplicates
        stats.recorded.ignored += done.ignored
        await message.ack()
        last = time.monotonic()

    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.FANOUT)
        bound = await channel.declare_queue(queue, durable=True)
        await bound.bind(exchange, "")
        tag = await bound.consume(on_message)
        try:
            while idle_stop is None or time.monotonic() - last < idle_stop or lock.locked():
                await asyncio.sleep(0.1 if idle_stop else 1.0)
        finally:
            await bound.cancel(tag)
    return stats
