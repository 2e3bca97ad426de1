"""The console's login limiter across two web app instances (two apps, each with its own
Redis client, on one PostgreSQL knowledge base): with REDIS_URL set, the wrong passwords
tried on one count on the other; without it (`make run`, one process), each instance
counts its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis
from sqlalchemy.engine import Engine

from connectors.state import PREFIX
from knowledge.db import session_factory, transaction
from tests.integration.test_shared_state import REDIS_URL
from tests.unit.webapp.test_console import PASSWORD, login
from webapp.app import create_app
from webapp.console.accounts import add_user
from webapp.console.models import ConsoleBase, ensure_tables
from webapp.settings import WebSettings


async def forget_keys(name: str) -> None:
    """The keys of this test's account, and of the test client's address."""
    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{PREFIX}login:*{name}*")]
        await client.delete(f"{PREFIX}login:address:ip:127.0.0.1", *keys)
    finally:
        await client.close()


@pytest.fixture
async def instances(kb_engine: Engine, request: pytest.FixtureRequest,
                    ) -> AsyncIterator[tuple[str, TestClient, TestClient, bool]]:
    """An account of a name of its own, two web app instances, and whether they share
    Redis."""
    name = f"agent-{uuid.uuid4().hex[:8]}"
    ConsoleBase.metadata.drop_all(kb_engine)  # the PostgreSQL database is shared
    ensure_tables(kb_engine)
    with transaction(session_factory(kb_engine)) as session:
        add_user(session, name, PASSWORD, "editor")
    settings = WebSettings(
        knowledge_url=kb_engine.url.render_as_string(hide_password=False),
        tracker_store_db=":memory:", rasa_url="http://127.0.0.1:1", rasa_api_token="",
        secret_key=b"k" * 32, secure_cookies=False, redis_url=request.param)
    if request.param:
        await forget_keys(name)
    async with AsyncExitStack() as stack:
        first, second = [await stack.enter_async_context(
            TestClient(TestServer(create_app(settings)))) for _ in range(2)]
        yield name, first, second, bool(request.param)
    if request.param:
        await forget_keys(name)


@pytest.mark.parametrize("instances", [
    pytest.param(REDIS_URL, id="redis", marks=pytest.mark.redis), pytest.param("", id="memory"),
], indirect=True)
async def test_wrong_passwords_count_on_every_instance_with_redis(
        instances: tuple[str, TestClient, TestClient, bool]) -> None:
    name, first, second, shared = instances
    for client in (first, first, first, second, second):
        assert await login(client, name, "mauvais-mot") == 401
    # 5 wrong passwords for this account from this address: blocked on both instances...
    assert await login(second, name) == (429 if shared else 302)
    # ...while, in memory, the first instance has counted only its own 3.
    assert await login(first, name) == (429 if shared else 302)
