"""The SQLite tracker store: WAL, and one pooled connection reused from turn to turn."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from connectors.tracker_store import WalSQLTrackerStore


def test_turns_reuse_one_connection_and_the_file_is_in_wal(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    store = WalSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    connects: list[object] = []
    from sqlalchemy import event

    event.listen(store.engine, "connect", lambda conn, _rec: connects.append(conn))

    async def turns() -> DialogueStateTracker | None:
        for i in range(5):
            tracker = await store.retrieve("visitor") or DialogueStateTracker("visitor", [])
            tracker.update(UserUttered(f"message {i}"))
            tracker.update(ActionExecuted("action_listen"))
            await store.save(tracker)
        return await store.retrieve("visitor")

    tracker = asyncio.run(turns())
    assert tracker is not None
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        f"message {i}" for i in range(5)]
    assert len(connects) <= 1  # NullPool would connect at every retrieve and save
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # Another reader sees every turn: nothing waits in the pooled connection.
        assert conn.execute("SELECT count(*) FROM events WHERE type_name='user'"
                            ).fetchone()[0] == 5


def test_without_tuning_the_store_keeps_rasas_pool(tmp_path: Path, monkeypatch) -> None:
    from sqlalchemy.pool import NullPool

    monkeypatch.setenv("RASA_TUNING", "0")
    store = WalSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    assert isinstance(store.engine.pool, NullPool)
    with sqlite3.connect(tmp_path / "t.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
