"""The integration layer: the unit layer's knowledge-base tests again, on PostgreSQL.

Each test gets its own database, copied from one template filled once (schema +
communes): a connection a test leaves open can never lock the next test's tables. The
analytics tests get a tracker store's database on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from analytics.reader import make_engine as make_tracker_engine
from knowledge.db import make_engine
from tests.conftest import _postgres_database, fill


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    databases = _postgres_database()
    url = next(databases)
    engine = make_engine(url)
    fill(engine)
    engine.dispose()
    yield url.rsplit("/", 1)[1]
    next(databases, None)


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def kb_engine(postgres_template: str) -> Iterator[Engine]:
    """An empty knowledge base in a database of its own on the PostgreSQL server."""
    databases = _postgres_database(template=postgres_template)
    engine = make_engine(next(databases))
    yield engine
    engine.dispose()
    next(databases, None)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tracker_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The tracker store's database: an SQLite file (`make run`), or a PostgreSQL database
    of the test's own (the cluster)."""
    if request.param == "sqlite":
        yield make_tracker_engine(f"sqlite:///{tmp_path / 'rasa.db'}")
        return
    databases = _postgres_database()
    engine = make_tracker_engine(next(databases))
    yield engine
    engine.dispose()
    next(databases, None)
