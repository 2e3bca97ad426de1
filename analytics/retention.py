"""Retention (raw conversations deleted after N days, their counts kept as daily
aggregates) and deleting one visitor's conversation on request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics.aggregates import add_to_aggregates, create_tables
from analytics.reader import EVENTS, PARIS, has_events_table, stream_conversations
from analytics.tally import Tally, tally_conversation


@dataclass(frozen=True)
class RetentionResult:
    cutoff: date            # events before this local day were removed
    deleted_events: int
    aggregated_counts: int


def cutoff_day(days: int, today: date | None = None) -> date:
    if days < 1:
        raise ValueError("La durée de conservation doit être d'au moins 1 jour.")
    return (today or datetime.now(PARIS).date()) - timedelta(days=days)


def apply_retention(engine: Engine, days: int, today: date | None = None) -> RetentionResult:
    """Counts the events older than `days` days (whole local days) into the aggregates,
    then deletes them, in one transaction. Running it again the same day finds nothing
    older left and changes nothing, so it is safe to run daily (cron, systemd timer)."""
    day = cutoff_day(days, today)
    cutoff = datetime.combine(day, time(), PARIS).timestamp()
    create_tables(engine)
    if not has_events_table(engine):
        return RetentionResult(day, 0, 0)
    tally = Tally()
    for conversation in stream_conversations(engine, before=cutoff):
        tally_conversation(tally, conversation)
    with engine.begin() as conn:
        stored = add_to_aggregates(conn, tally)
        deleted = conn.execute(sa.delete(EVENTS).where(EVENTS.c.timestamp < cutoff)).rowcount
    return RetentionResult(day, int(deleted or 0), stored)


def forget_visitor(engine: Engine, sender_id: str) -> int:
    """Deletes every event of one conversation (the session id the visitor gives). The
    daily aggregates hold no identifier and are kept. Returns the number of events."""
    if not has_events_table(engine):
        return 0
    with engine.begin() as conn:
        return int(conn.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id))
                   .rowcount or 0)
