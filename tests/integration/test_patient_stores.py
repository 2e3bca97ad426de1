"""Rasa's tracker store on PostgreSQL and lock store on Redis waiting out a restart
(issue 19, faults; connectors/patience.py): on the real servers of 127.0.0.1, whose
connections are refused or cut for a moment by the test (never the servers themselves
restarted). Without the retry (STORE_RETRY_SECONDS=0), the same failures reach the turn."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
import redis
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import LockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from connectors.lock_store import PatientRedisLockStore
from connectors.patience import patiently
from connectors.tracker_store import WalSQLTrackerStore
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

REDIS_DB = 13  # 14: tests/cluster, 15: the shared-state tests


# ------------------------------------------------------------------- the retry
async def test_a_transient_error_is_tried_again_and_another_is_not() -> None:
    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("refused")
        return "ok"

    assert await patiently(flaky, lambda e: isinstance(e, ConnectionError), "test", 5) == "ok"
    assert len(calls) == 3

    async def broken() -> None:
        calls.append(1)
        raise ValueError("a bug, not the network")

    calls.clear()
    with pytest.raises(ValueError):
        await patiently(broken, lambda e: isinstance(e, ConnectionError), "test", 5)
    assert len(calls) == 1


async def test_the_retry_gives_up_after_its_time() -> None:
    async def down() -> None:
        raise ConnectionError("refused")

    started = asyncio.get_running_loop().time()
    with pytest.raises(ConnectionError):
        await patiently(down, lambda e: True, "test", 0.5)
    assert 0.3 <= asyncio.get_running_loop().time() - started < 1.5


# ------------------------------------------------------------ tracker store
class CollectingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)


@pytest.fixture
def tracker_db() -> Iterator[str]:
    yield from _postgres_database()


def refuse_connections(engine: sa.engine.Engine, count: int) -> list[int]:
    """The next `count` new connections of `engine` are refused, as while PostgreSQL
    restarts; the pooled ones are dropped first."""
    refused: list[int] = []

    def connect(*_args: Any) -> None:
        if len(refused) < count:
            refused.append(1)
            raise psycopg2.OperationalError("connection refused (test)")

    engine.dispose()
    sa.event.listen(engine, "do_connect", connect)
    return refused


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text))
    tracker.update(ActionExecuted("action_listen"))


def user_texts(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT type_name, data FROM events ORDER BY id")).all()
    engine.dispose()
    return [json.loads(data)["text"] for kind, data in rows if kind == "user"]


def test_a_turn_waits_out_refused_and_cut_connections(tracker_db: str) -> None:
    broker = CollectingBroker()
    store = WalSQLTrackerStore(Domain.empty(), dialect="postgresql", host=tracker_db,
                               event_broker=broker)

    async def turns() -> DialogueStateTracker | None:
        tracker = await store.create_tracker("visiteur")
        turn(tracker, "bonjour")
        await store.save(tracker)
        # PostgreSQL restarted: every pooled connection cut, then refused for a moment.
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"),
                         {"n": tracker_db.rsplit("/", 1)[1]})
        admin.dispose()
        tracker = await store.retrieve("visiteur")   # a cut pooled connection
        assert tracker is not None
        turn(tracker, "un musée")
        refused = refuse_connections(store.engine, 3)
        published = len(broker.published)
        await store.save(tracker)                    # refused 3 times, then stored
        assert len(refused) == 3
        assert len(broker.published) == published + 2  # published once, not per try
        refuse_connections(store.engine, 2)
        return await store.retrieve("visiteur")

    tracker = asyncio.run(turns())
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "bonjour", "un musée"]
    assert user_texts(tracker_db) == ["bonjour", "un musée"]
    assert [e["event"] for e in broker.published].count("user") == 2
    store.engine.dispose()


def test_without_the_retry_the_refusal_reaches_the_turn(
        tracker_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORE_RETRY_SECONDS", "0")
    store = WalSQLTrackerStore(Domain.empty(), dialect="postgresql", host=tracker_db)
    refuse_connections(store.engine, 1)
    with pytest.raises(sa.exc.OperationalError):
        asyncio.run(store.retrieve("visiteur"))
    store.engine.dispose()


# --------------------------------------------------------------- lock store
class FlakyRedis:
    """The lock store's Redis client, refusing its next `failures` commands."""

    def __init__(self, real: redis.Redis, failures: int = 0) -> None:
        self.real, self.failures, self.refused = real, failures, 0

    def __getattr__(self, name: str) -> Any:
        command = getattr(self.real, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.failures:
                self.failures -= 1
                self.refused += 1
                raise redis.exceptions.ConnectionError("Connection refused (test)")
            return command(*args, **kwargs)
        return call


@pytest.fixture
def lock_store() -> Iterator[PatientRedisLockStore]:
    prefix = f"patient{uuid.uuid4().hex[:8]}"
    store = LockStore.create(EndpointConfig(
        url="127.0.0.1", type="connectors.lock_store.PatientRedisLockStore", port=6379,
        db=REDIS_DB, key_prefix=prefix))
    assert isinstance(store, PatientRedisLockStore)  # as docs/endpoints.cluster.yml names it
    real = store.red
    real.ping()  # Redis must be up: fail, never skip
    yield store
    for key in real.scan_iter(f"{prefix}:*"):
        real.delete(key)


async def test_a_turn_takes_and_releases_its_lock_while_redis_refuses(
        lock_store: PatientRedisLockStore) -> None:
    flaky = FlakyRedis(lock_store.red, failures=3)
    lock_store.red = flaky  # type: ignore[assignment]
    async with lock_store.lock("c1") as lock:
        assert lock.conversation_id == "c1"
        flaky.failures = 2   # Redis gone again when the turn releases its ticket
    assert flaky.refused == 5
    assert lock_store.get_lock("c1") is None  # released


async def test_a_lock_lost_with_redis_data_gets_a_new_ticket(
        lock_store: PatientRedisLockStore) -> None:
    real = lock_store.red
    issued = lock_store.issue_ticket

    def issue_then_lose(conversation_id: str, lifetime: float) -> int:
        ticket = issued(conversation_id, lifetime)
        if not getattr(issue_then_lose, "done", False):
            issue_then_lose.done = True  # type: ignore[attr-defined]
            real.delete(lock_store.key_prefix + conversation_id)  # Redis restarted, nosave
        return ticket

    lock_store.issue_ticket = issue_then_lose  # type: ignore[method-assign]
    async with lock_store.lock("c2"):
        pass
    assert getattr(issue_then_lose, "done", False)


async def test_a_release_that_keeps_failing_is_logged_not_raised(
        lock_store: PatientRedisLockStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORE_RETRY_SECONDS", "0.3")
    flaky = FlakyRedis(lock_store.red)
    lock_store.red = flaky  # type: ignore[assignment]
    async with lock_store.lock("c3"):
        flaky.failures = 10**6
    assert flaky.refused > 1  # tried again, then given up quietly


async def test_without_the_retry_redis_refusing_fails_the_turn(
        lock_store: PatientRedisLockStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORE_RETRY_SECONDS", "0")
    lock_store.red = FlakyRedis(lock_store.red, failures=1)  # type: ignore[assignment]
    with pytest.raises(Exception) as caught:
        async with lock_store.lock("c4"):
            pass
    assert "refused" in str(caught.value)


def test_the_cluster_example_names_the_patient_lock_store(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/endpoints.cluster.yml, read by Rasa's own loader with the variables
    run-cluster.sh sets, gives this lock store on the real Redis."""
    from pathlib import Path

    from rasa.utils.endpoints import read_endpoint_config

    endpoints = Path(__file__).parents[2] / "docs" / "endpoints.cluster.yml"
    for name, value in {"RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672",
                        "RABBITMQ_USER": "guest", "RABBITMQ_PASSWORD": "guest",
                        "RABBITMQ_QUEUE": "q", "RABBITMQ_EXCHANGE": "x",
                        "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
                        "TRACKER_STORE_URL": "postgresql://127.0.0.1/x",
                        "LOCK_STORE_HOST": "127.0.0.1", "LOCK_STORE_PORT": "6379",
                        "LOCK_STORE_DB": str(REDIS_DB), "LOCK_STORE_PASSWORD": ""}.items():
        monkeypatch.setenv(name, value)
    store = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(store, PatientRedisLockStore)
    assert store.red.ping() and store.key_prefix == "mormal:lock:"


async def test_a_ticket_expired_while_waiting_behind_a_dead_server_is_replaced(
        lock_store: PatientRedisLockStore) -> None:
    """A server killed mid-turn leaves its ticket; the message retried on another server
    waits behind it, and both tickets expire (the dead one first). Rasa's store then
    waited for ever ("now serving" 0 with no ticket left); this one takes a new ticket."""
    lock_store.issue_ticket("c5", 0.3)  # the dead server's ticket, never released
    await asyncio.wait_for(_hold(lock_store, "c5", lifetime=0.35), timeout=5)


async def _hold(store: PatientRedisLockStore, conversation_id: str, lifetime: float) -> None:
    real_sleep = asyncio.sleep

    async def slow_poll(seconds: float) -> None:
        await real_sleep(0.5)  # the event loop busy: both tickets expire between looks

    import connectors.lock_store as module
    module.asyncio.sleep = slow_poll  # type: ignore[assignment]
    try:
        async with store.lock(conversation_id, lock_lifetime=lifetime):
            pass
    finally:
        module.asyncio.sleep = real_sleep  # type: ignore[assignment]
