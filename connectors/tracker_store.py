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
from knowledge.db import sqlite_concurrency

# Attribute of a tracker read from the store: how many of its events the store holds.
STORED = "_famille_events_stored"


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

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> DialogueStateTracker | None:
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
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
        new = self._new_events(tracker) if self.event_broker is not None else None
        if new is None:
            await super().stream_events(tracker)  # no broker, or Rasa's read-back
        else:
            await self._stream_new_events(self.event_broker, list(new), tracker.sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        if rasa_tuning.enabled():
            setattr(tracker, STORED, len(tracker.events))


def _synchronous_normal(dbapi_conn: Any, _record: Any = None) -> None:
    dbapi_conn.execute("PRAGMA synchronous=NORMAL")


# Loaded by Rasa from endpoints.yml, in the Rasa process only: where the opt-in timing of
# a turn (issue 18, BENCH_TIMING) hooks in. Off by default: nothing is patched.
rasa_tuning.install_if_enabled()  # issue 18: on by default, off with RASA_TUNING=0
timing.install_if_enabled(WalSQLTrackerStore)
