"""The record of retention runs, so that a failed daily run is seen, never silent.

One row per task (`retention`) in the tracker store's database, next to the aggregates:
when it last succeeded, when it last failed and why (the error's kind only: an error's
message may quote what a visitor typed). The console shows a banner while the last run
failed (`failed_run`); `python -m analytics retention` also exits with status 1.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from knowledge.config import PARIS

log = logging.getLogger(__name__)

RETENTION = "retention"
RUNS = sa.Table(
    "analytics_runs", sa.MetaData(),
    sa.Column("task", sa.String(40), primary_key=True),
    sa.Column("succeeded_at", sa.Float),
    sa.Column("failed_at", sa.Float),
    sa.Column("reason", sa.String(200)),
)


@dataclass(frozen=True)
class FailedRun:
    when: datetime     # Europe/Paris
    reason: str        # in French, without any visitor text


def _upsert(conn: Connection, task: str, values: dict[str, object]) -> None:
    updated = conn.execute(sa.update(RUNS).where(RUNS.c.task == task).values(**values))
    if not updated.rowcount:
        conn.execute(sa.insert(RUNS).values(task=task, **values))


def record_success(conn: Connection, task: str = RETENTION) -> None:
    """Inside the run's own transaction: the success is stored with what it did."""
    RUNS.create(conn, checkfirst=True)
    _upsert(conn, task, {"succeeded_at": time.time()})


def record_failure(engine: Engine, reason: str, task: str = RETENTION) -> None:
    """In a transaction of its own (the run's was rolled back). Best effort: when the
    database itself is out of reach, the log line is what remains."""
    log.error("%s failed: %s", task, reason)
    try:
        with engine.begin() as conn:
            RUNS.create(conn, checkfirst=True)
            _upsert(conn, task, {"failed_at": time.time(), "reason": reason[:200]})
    except SQLAlchemyError:
        log.exception("could not record the failure of %s", task)


def failed_run(engine: Engine, task: str = RETENTION) -> FailedRun | None:
    """The last run's failure, or None when the last run succeeded (or none ran)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(RUNS.name):
            return None
        row = conn.execute(sa.select(RUNS).where(RUNS.c.task == task)).first()
    if row is None or row.failed_at is None or (row.succeeded_at or 0) > row.failed_at:
        return None
    return FailedRun(datetime.fromtimestamp(row.failed_at, PARIS), row.reason or "")
