"""Engine and session factory. One engine per process, created on demand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from knowledge.config import get_settings
from knowledge.models import Base


def make_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        # A pool of connections (SQLAlchemy 1.4 opens a new one per session by default);
        # sessions run in worker threads, one thread at a time per connection.
        # No pre-ping: a local file does not drop connections, and the ping costs a query.
        kwargs.update(poolclass=QueuePool, pool_pre_ping=False,
                      connect_args={"check_same_thread": False})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# How long an SQLite connection waits for another one's write lock before "database is
# locked" (the driver's default is 5 s: a long import or a tracker save lost a request).
BUSY_TIMEOUT_MS = 30_000


def sqlite_concurrency(engine: Engine) -> None:
    """Every SQLite engine of the project (knowledge base and console, the tracker store
    for Rasa, the web app and the analytics): WAL, so that readers (an export streaming
    the tracker, the Analyse page) never block a writer (Rasa saving a turn), and a busy
    timeout instead of failing at once. Does nothing on another database."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _wal_pragmas)


def _wal_pragmas(dbapi_conn: Any, _record: Any = None) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if dbapi_conn.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    _wal_pragmas(dbapi_conn)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA mmap_size=1073741824")  # read through the OS page cache directly
    cur.execute("PRAGMA cache_size=-16000")  # 16 MB of pages per connection
    cur.close()


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def outdated_tables(engine: Engine) -> list[str]:
    """Tables of an existing base that lack columns of the current models (a base made
    by an older version of the project), as French descriptions."""
    inspector = inspect(engine)
    existing = set(inspector.get_table_names())
    out = []
    for table in Base.metadata.sorted_tables:
        if table.name not in existing:
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing = sorted(c.name for c in table.columns if c.name not in have)
        if missing:
            out.append(f"{table.name} (colonnes manquantes : {', '.join(missing)})")
    return out


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker) -> Iterator[Session]:
    """A session whose work is committed on success and entirely rolled back on error."""
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
