"""The dialogue tests' knowledge base: the shipped seed, with example events dated
relative to one Monday (TODAY), built once per module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import create_schema, make_engine, session_factory, transaction
from knowledge.seeding import seed

TODAY = date(2027, 6, 14)  # a Monday: the seeded example events are relative to it


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('dialogue-kb') / 'kb.sqlite3'}")
    create_schema(engine)
    made = session_factory(engine)
    with transaction(made) as s:
        seed(s, today=TODAY)
    yield made
    engine.dispose()


@pytest.fixture
def db(factory: sessionmaker) -> Iterator[Session]:
    with factory() as s:
        yield s
        s.rollback()
