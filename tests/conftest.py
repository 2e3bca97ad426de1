"""Shared fixtures: a knowledge base on SQLite and on a real PostgreSQL server.

Layers: tests/unit/ (no service, no trained model, no browser: `make unit`),
tests/integration/ (the same knowledge-base tests on PostgreSQL), tests/e2e/ (real servers,
the browser, the platforms' fakes). The PostgreSQL tests use the server at 127.0.0.1:5432
(override with TEST_POSTGRES_URL); they fail, never skip, when it cannot be reached.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import create_schema, make_engine, session_factory
from knowledge.seeding import load_communes

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")


def _postgres_database(template: str | None = None) -> Iterator[str]:
    """A fresh, uniquely named database (a copy of `template` if given), dropped afterwards."""
    name = f"mormal_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    yield from _postgres_database()


def empty_knowledge_base(request: pytest.FixtureRequest,
                         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An empty knowledge base (schema + communes) on the backend `request.param`."""
    if request.param == "sqlite":
        # A copy of one template file: loading the 3,782 communes for every test made
        # the unit layer several times slower.
        path = tmp_path_factory.mktemp("kb") / "kb.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        url = request.getfixturevalue("postgres_url")
        engine = make_engine(url)
        from knowledge.models import Base

        Base.metadata.drop_all(engine)
        fill(engine)
    yield engine
    engine.dispose()


def fill(engine: Engine) -> None:
    create_schema(engine)
    with session_factory(engine)() as session, session.begin():
        load_communes(session)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty knowledge base (schema + communes) built once per test session."""
    path = tmp_path_factory.mktemp("kb-template") / "kb.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    fill(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite"])
def kb_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              ) -> Iterator[Engine]:
    """The unit layer's knowledge base: SQLite in a temporary file. tests/integration/
    overrides it with PostgreSQL and runs the same tests again there."""
    yield from empty_knowledge_base(request, tmp_path_factory)


@pytest.fixture
def kb_factory(kb_engine: Engine) -> sessionmaker:
    return session_factory(kb_engine)


@pytest.fixture
def session(kb_factory: sessionmaker) -> Iterator[Session]:
    with kb_factory() as s:
        yield s
        s.rollback()


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its production cost (64 MiB, 3 passes) for every staff account a test
    creates made the console tests the slowest of the unit layer; the tests check the
    console's behaviour, not the hash's cost, so they use the same algorithm, cheaper."""
    from argon2 import PasswordHasher

    from webapp.console import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "HASHER", cheap)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap.hash("compte-inexistant"))

