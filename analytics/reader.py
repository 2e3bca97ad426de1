"""Rasa's SQL tracker store read as a stream of conversations.

Rows come ordered by (sender_id, id) through a server-side cursor (PostgreSQL) or
SQLite's lazy cursor, fetched in batches, and are grouped on the fly: only one
conversation's events are in memory at a time, whatever the size of the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from knowledge.config import PARIS
from knowledge.db import sqlite_concurrency

BATCH = 2000
# The event types the figures use; the others (session_started, active_loop, …) are skipped
# by the query itself.
USED_TYPES = ("user", "bot", "slot", "action", "agent")

EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer), sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String), sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String), sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


@dataclass(frozen=True)
class Event:
    sender_id: str
    type_name: str
    timestamp: float
    action_name: str | None
    raw: str | None

    @property
    def data(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.raw or "{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @property
    def day(self) -> date:
        return local_day(self.timestamp)


@dataclass
class Conversation:
    sender_id: str
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """Local days [start, end] inclusive; None means open."""

    start: date | None = None
    end: date | None = None

    def bounds(self) -> tuple[float | None, float | None]:
        low = (datetime.combine(self.start, time(), PARIS).timestamp()
               if self.start else None)
        high = (datetime.combine(self.end + timedelta(days=1), time(), PARIS).timestamp()
                if self.end else None)
        return low, high

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


def local_day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, PARIS).date()


def make_engine(url: str) -> Engine:
    """The tracker store: on SQLite in WAL mode with a busy timeout (a report streaming it
    never blocks Rasa saving a turn); elsewhere with a ping before a pooled connection is
    reused (the first request after a PostgreSQL restart no longer fails)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, future=True)
        sqlite_concurrency(engine)
        return engine
    return sa.create_engine(url, future=True, pool_pre_ping=True)


def has_events_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def stream_events(engine: Engine, period: Period = Period(), *,
                  before: float | None = None) -> Iterator[Event]:
    """The period's used events (or those older than `before`), by sender then id."""
    low, high = period.bounds()
    if before is not None:
        high = before if high is None else min(high, before)
    query = (sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp,
                       EVENTS.c.action_name, EVENTS.c.data)
             .where(EVENTS.c.type_name.in_(USED_TYPES))
             .order_by(EVENTS.c.sender_id, EVENTS.c.id))
    if low is not None:
        query = query.where(EVENTS.c.timestamp >= low)
    if high is not None:
        query = query.where(EVENTS.c.timestamp < high)
    if not has_events_table(engine):
        return
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(query)
        for rows in result.partitions(BATCH):
            for row in rows:
                yield Event(row.sender_id, row.type_name, row.timestamp or 0.0,
                            row.action_name, row.data)


def stream_conversations(engine: Engine, period: Period = Period(), *,
                         before: float | None = None) -> Iterator[Conversation]:
    for sender_id, events in groupby(stream_events(engine, period, before=before),
                                     key=attrgetter("sender_id")):
        yield Conversation(sender_id, list(events))
