"""The web app's tracker store engine pings a pooled PostgreSQL connection before reusing
it (issue 15): before, the first request after a PostgreSQL restart reused a dead
connection and got a 500. Over the app (aiohttp test client), with the tracker store on
a real PostgreSQL database whose connections are all dropped, as a restart does."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import cast

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from analytics.reader import make_engine
from analytics.synthetic import create_events_table
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_database
from tests.unit.webapp.test_console import client, login  # noqa: F401

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_tracker(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A tracker store on PostgreSQL, given to the web app as TRACKER_STORE_URL."""
    databases = cast(Generator[str, None, None], _postgres_database())
    url = next(databases)
    engine = make_engine(url)
    create_events_table(engine)
    engine.dispose()
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    yield url
    databases.close()


def drop_connections(url: str) -> int:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": url.rsplit("/", 1)[1]}).scalar_one())
    finally:
        admin.dispose()


async def test_the_analysis_page_survives_a_postgresql_restart(
        postgres_tracker: str, client: TestClient) -> None:  # noqa: F811
    assert await login(client, "anna") == 302
    assert (await client.get("/console/analyse")).status == 200  # a connection is pooled
    assert drop_connections(postgres_tracker) >= 1
    page = await client.get("/console/analyse")
    assert page.status == 200, await page.text()
