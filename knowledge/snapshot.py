"""A private copy of the knowledge base for dry runs.

An import's dry run writes its records and rolls them back: on SQLite that holds the
base's only write lock for the whole run (30 s for a large file), and a staff login or
edit waiting for it failed "database is locked". `scratch_factory` gives the dry run a
copy of the base instead: the real file is only read (SQLite's backup, one read
transaction, which WAL lets writers run beside) and the dry run writes and rolls back in
the copy, deleted afterwards. On PostgreSQL the dry run's transaction takes row locks on
the records of the file only (no lock on the base): it runs there as before.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from knowledge.db import make_engine, session_factory


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


@contextmanager
def scratch_factory(engine: Engine) -> Iterator[sessionmaker]:
    """Sessions on a copy of an SQLite file base (on the base itself otherwise)."""
    source = _sqlite_file(engine)
    if source is None:
        yield session_factory(engine)
        return
    with tempfile.TemporaryDirectory(prefix="essai-import-") as folder:
        copy = Path(folder) / "base.sqlite3"
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        writer = sqlite3.connect(copy)
        try:
            reader.backup(writer)
        finally:
            writer.close()
            reader.close()
        scratch = make_engine(f"sqlite:///{copy}")
        try:
            yield session_factory(scratch)
        finally:
            scratch.dispose()
