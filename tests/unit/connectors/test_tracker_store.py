"""The tracker store: WAL, one pooled connection reused from turn to turn, and a turn's
save that stores and publishes its new events without reading the conversation back."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
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


# ------------------------------------------------ what a turn's save costs (issue 18)

class CollectingBroker(EventBroker):
    """Rasa's event-broker interface, keeping what is published (in this process)."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)


def _conversation(store: WalSQLTrackerStore, statements: list[str]) -> None:
    """Four turns as Rasa runs them (read, update, save), the second saved twice, then a
    new session in the fourth; `statements` gets the SQL of the saves only."""
    from sqlalchemy import event

    saving = False
    event.listen(store.engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]) if saving else None)

    async def turns() -> None:
        nonlocal saving
        for i in range(4):
            tracker = await store.retrieve("visitor")
            if tracker is None:  # a new conversation: created and saved Rasa's way
                tracker = await store.create_tracker("visitor")
            if i == 3:
                tracker.update(ActionExecuted("action_session_start"))
                tracker.update(SessionStarted())
                tracker.update(ActionExecuted("action_listen"))
            tracker.update(UserUttered(f"message {i}"))
            tracker.update(ActionExecuted("action_listen"))
            saving = True
            await store.save(tracker)
            if i == 1:
                await store.save(tracker)  # nothing new: nothing stored twice
            saving = False

    asyncio.run(turns())


@pytest.mark.parametrize("tuning", ["1", "0"])
def test_a_turn_saves_and_publishes_its_new_events_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tuning: str) -> None:
    monkeypatch.setenv("RASA_TUNING", tuning)
    broker = CollectingBroker()
    store = WalSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"),
                               event_broker=broker)
    statements: list[str] = []
    _conversation(store, statements)
    with sqlite3.connect(tmp_path / "t.db") as conn:
        rows = [r[0] for r in conn.execute(
            "SELECT type_name FROM events WHERE sender_id='visitor' ORDER BY id")]
    turn = ["user", "action"]
    assert rows == ["action", *turn * 3, "action", "session_started", "action", *turn]
    assert [e["event"] for e in broker.published] == rows  # each published once, in order
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    if tuning == "1":
        assert reads == []  # neither Rasa's COUNT nor its read-back for the broker
    else:
        assert any("count(" in s.lower() for s in reads)  # Rasa's own way, unchanged


def test_tuned_sqlite_commits_without_waiting_for_the_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for tuning, expected in (("1", 1), ("0", 2)):  # NORMAL, or SQLite's FULL
        monkeypatch.setenv("RASA_TUNING", tuning)
        store = WalSQLTrackerStore(Domain.empty(), dialect="sqlite",
                                   db=str(tmp_path / f"t{tuning}.db"))
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == expected
