"""The dialogue tests' knowledge base: the shipped seed, with example events dated
relative to one Monday (TODAY), seeded once per session and copied for each module (a
module may write to its own copy)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import create_schema, make_engine, session_factory, transaction
from knowledge.seeding import seed

TODAY = date(2027, 6, 14)  # a Monday: the seeded example events are relative to it


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded base, built once per session (per xdist worker)."""
    path = tmp_path_factory.mktemp("dialogue-kb-template") / "kb.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with transaction(session_factory(engine)) as s:
        seed(s, today=TODAY)
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory,
            seeded_template: Path) -> Iterator[sessionmaker]:
    path = tmp_path_factory.mktemp("dialogue-kb") / "kb.sqlite3"
    shutil.copyfile(seeded_template, path)
    engine = make_engine(f"sqlite:///{path}")
    made = session_factory(engine)
    yield made
    engine.dispose()


@pytest.fixture
def db(factory: sessionmaker) -> Iterator[Session]:
    with factory() as s:
        yield s
        s.rollback()
