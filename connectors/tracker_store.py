"""Rasa's SQL tracker store, on SQLite in WAL mode with a busy timeout (issue 15).

In Rasa's default rollback-journal mode, a reader of the tracker file (an export, the
Analyse page, retention) blocked Rasa's save of a turn, which failed after 5 s: the turn
was lost. endpoints.yml names this class; on PostgreSQL it is Rasa's store unchanged.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore

from connectors import rasa_tuning, timing
from knowledge.db import sqlite_concurrency


class WalSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self.engine.dispose()  # the connections opened to create the table
            sqlite_concurrency(self.engine)
            with self.engine.connect():
                pass  # the file switches to WAL now, before any reader comes


# Loaded by Rasa from endpoints.yml, in the Rasa process only: where the opt-in timing of
# a turn (issue 18, BENCH_TIMING) hooks in. Off by default: nothing is patched.
rasa_tuning.install_if_enabled()  # issue 18: on by default, off with RASA_TUNING=0
timing.install_if_enabled(WalSQLTrackerStore)
