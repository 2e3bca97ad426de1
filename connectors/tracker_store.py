"""Rasa's SQL tracker store, on SQLite in WAL mode with a busy timeout (issue 15).

In Rasa's default rollback-journal mode, a reader of the tracker file (an export, the
Analyse page, retention) blocked Rasa's save of a turn, which failed after 5 s: the turn
was lost. endpoints.yml names this class; on PostgreSQL it is Rasa's store unchanged.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from connectors import rasa_tuning, timing
from knowledge.db import sqlite_concurrency


class WalSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engine: Engine = self.engine  # type: ignore[has-type]  # untyped in Rasa
        if engine.dialect.name == "sqlite":
            url = engine.url
            engine.dispose()  # the connections opened to create the table
            if rasa_tuning.enabled():
                # SQLAlchemy 1.4 gives a SQLite file a NullPool: a new connection, and the
                # pragmas again, at every retrieve and every save of a turn (issue 18). A
                # small pool instead; one connection serves one thread at a time, so it
                # may move between threads.
                self.engine = sa.create_engine(
                    url, poolclass=QueuePool, pool_size=2, max_overflow=8,
                    connect_args={"check_same_thread": False})
                self.sessionmaker = sessionmaker(bind=self.engine)
            sqlite_concurrency(self.engine)
            with self.engine.connect():
                pass  # the file switches to WAL now, before any reader comes


# Loaded by Rasa from endpoints.yml, in the Rasa process only: where the opt-in timing of
# a turn (issue 18, BENCH_TIMING) hooks in. Off by default: nothing is patched.
rasa_tuning.install_if_enabled()  # issue 18: on by default, off with RASA_TUNING=0
timing.install_if_enabled(WalSQLTrackerStore)
