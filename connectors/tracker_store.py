"""Rasa's SQL tracker store, on SQLite in WAL mode with a busy timeout (issue 15), and
with less work per turn (issue 18).

In Rasa's default rollback-journal mode, a reader of the tracker file (an export, the
Analyse page, retention) blocked Rasa's save of a turn, which failed after 5 s: the turn
was lost. endpoints.yml names this class.

With the tuning on (`RASA_TUNING`, connectors/rasa_tuning.py; on by default), on any
database: Rasa's `save` ran a COUNT of the session's stored events to know which events of
the tracker are new, and, with an event broker, read the whole session back once more to
publish them. The tracker read at the start of the turn is the one saved at its end: the
store remembers on it how many of its events are stored (`STORED`), and saves and
publishes the ones after. A tracker it did not read (a new conversation, a copy) is saved
Rasa's way.

On a database server (PostgreSQL, issue 19), a read or a save that meets the server
restarting is tried again during `STORE_RETRY_SECONDS` (connectors/patience.py) instead
of failing at once: Rasa's `FailSafeTrackerStore` then answered from an empty
conversation and saved the turn in the process's memory (the message persisted nowhere).
A save tried again publishes its events to the broker once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from connectors import rasa_tuning, timing
from connectors.patience import caused_by, patiently
from knowledge.db import sqlite_concurrency

# Attribute of a tracker read from the store: how many of its events the store holds.
STORED = "_famille_events_stored"
# Attribute of a tracker being saved: its new events are published already.
STREAMED = "_famille_events_streamed"


def transient(exc: BaseException) -> bool:
    """A database error that another try may not meet: the server gone or restarting."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return caused_by(exc, (sa.exc.OperationalError, sa.exc.InterfaceError))


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
                # A turn's save committed with an fsync of the WAL (SQLite's default
                # `synchronous=FULL`), the event loop blocked meanwhile. In WAL mode
                # NORMAL syncs at checkpoints only: a crash of the process (kill -9)
                # loses no committed turn; only a power cut can lose the last ones.
                sa.event.listen(self.engine, "connect", _synchronous_normal)
            sqlite_concurrency(self.engine)
            with self.engine.connect():
                pass  # the file switches to WAL now, before any reader comes

    @property
    def patient(self) -> bool:
        """A database server may restart under Rasa (SQLite has its busy timeout)."""
        return bool(self.engine.dialect.name != "sqlite")

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> DialogueStateTracker | None:
        def attempt() -> Any:
            return super(WalSQLTrackerStore, self)._retrieve(
                sender_id, fetch_events_from_all_sessions)

        tracker = await (patiently(attempt, transient, "Base des conversations (lecture)")
                         if self.patient else attempt())
        # Only the latest session's tracker: the one a turn reads, updates and saves.
        if tracker is not None and not fetch_events_from_all_sessions \
                and rasa_tuning.enabled():
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _new_events(self, tracker: DialogueStateTracker) -> Iterator[Any] | None:
        """The events of `tracker` not stored yet, if the store knows (None otherwise)."""
        stored = getattr(tracker, STORED, None)
        if stored is None or stored > len(tracker.events):
            return None
        return itertools.islice(tracker.events, stored, len(tracker.events))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Any]:
        new = self._new_events(tracker)
        return super()._additional_events(session, tracker) if new is None else new

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        if getattr(tracker, STREAMED, False):
            return  # a save tried again
        new = self._new_events(tracker) if self.event_broker is not None else None
        if new is None:
            await super().stream_events(tracker)  # no broker, or Rasa's read-back
        else:
            await self._stream_new_events(self.event_broker, list(new), tracker.sender_id)
        if self.patient:
            setattr(tracker, STREAMED, True)  # until the end of this save

    async def save(self, tracker: DialogueStateTracker) -> None:
        if not self.patient:
            await super().save(tracker)
        else:
            # Rasa's save publishes, then writes: a write tried again does not publish the
            # same events again (stream_events marks the tracker).
            def attempt() -> Any:
                return super(WalSQLTrackerStore, self).save(tracker)

            try:
                await patiently(attempt, transient, "Base des conversations (écriture)")
            finally:
                if hasattr(tracker, STREAMED):
                    delattr(tracker, STREAMED)
        if rasa_tuning.enabled():
            setattr(tracker, STORED, len(tracker.events))


def _synchronous_normal(dbapi_conn: Any, _record: Any = None) -> None:
    dbapi_conn.execute("PRAGMA synchronous=NORMAL")


# Loaded by Rasa from endpoints.yml, in the Rasa process only: where the opt-in timing of
# a turn (issue 18, BENCH_TIMING) hooks in. Off by default: nothing is patched.
rasa_tuning.install_if_enabled()  # issue 18: on by default, off with RASA_TUNING=0
timing.install_if_enabled(WalSQLTrackerStore)
