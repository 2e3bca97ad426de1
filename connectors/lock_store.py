"""Rasa's Redis lock store, patient with a Redis restart (issue 19, faults), for the
several-servers layout (docs/endpoints.cluster.yml).

Rasa's `RedisLockStore` raises at the first refused connection: the turn fails before its
message is stored (the visitor gets the apology, the message is persisted nowhere), and a
turn that already stored its answer fails when releasing its ticket. Here each step that
talks to Redis is tried again during `STORE_RETRY_SECONDS` (connectors/patience.py);
releasing a ticket that still fails after that is only logged (the answer is stored; the
ticket expires after TICKET_LOCK_LIFETIME); a lock gone from Redis (restarted without
its data), or a ticket that expired while waiting (Rasa then waited for ever), is
replaced by a new ticket. A message waiting for its turn
looks every 0.1 s instead of every second, so that the one after a server killed mid-turn
goes on as soon as the dead server's ticket expires.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from connectors.patience import caused_by, patiently

logger = logging.getLogger(__name__)

T = TypeVar("T")
POLL_SECONDS = 0.1


def transient(exc: BaseException) -> bool:
    return caused_by(exc, (RedisConnectionError, RedisTimeoutError))


class PatientRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by its module path with the endpoint config only.
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    async def _redis(self, call: Callable[[], T], what: str) -> T:
        async def attempt() -> T:
            return call()
        return await patiently(attempt, transient, f"Redis ({what})")

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        ticket = await self._issue(conversation_id, lock_lifetime)
        try:
            while True:
                lock = await self._redis(lambda: self.get_lock(conversation_id), "read")
                if lock:
                    lock.remove_expired_tickets()
                if not lock or all(t.number != ticket for t in lock.tickets):
                    # Our ticket is gone: Redis restarted without its data, or it expired
                    # while waiting (behind a server killed mid-turn, whose ticket expired
                    # just before). Rasa raised LockError for the first and, for the
                    # second, waited for ever (no ticket left: "now serving" 0). A new
                    # ticket instead, at the end of the queue.
                    ticket = await self._issue(conversation_id, lock_lifetime)
                    continue
                if not lock.is_locked(ticket):
                    break
                await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
                await self._redis(lambda: self.update_lock(conversation_id), "update")
            yield lock
        finally:
            try:
                await self._redis(lambda: self.cleanup(conversation_id, ticket), "release")
            except Exception as exc:  # the turn is done: its ticket will expire
                if not transient(exc):
                    raise
                logger.error("Ticket %s de %s non libéré (Redis injoignable) : il expirera",
                             ticket, conversation_id)

    async def _issue(self, conversation_id: str, lock_lifetime: float) -> int:
        return await self._redis(lambda: self.issue_ticket(conversation_id, lock_lifetime),
                                 "ticket")
