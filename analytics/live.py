"""Daily counters kept up to date event by event (the event broker's consumer), with the
rescan's own counting rules.

Counting is per conversation (its channel is that of its first message, feedback keeps the
latest rating, a commune counts once…), so the consumer keeps the events of the
conversations it is counting (`analytics_live_events`) and what each one last added to the
counters (`analytics_live_shares`). A new event recounts its conversation with
`tally_conversation`, the rescan's function, and only the difference is added to
`analytics_live_daily`: the counters always equal a rescan of the same events. Each event
is stored under a key (a hash of its sender and content, `event_key`), so a message
delivered twice is counted once.

Retention drops the events and shares of conversations older than the cutoff; their counts
stay in `analytics_live_daily`. `rebuild` refills everything from the tracker store and the
retention aggregates (stop the consumer meanwhile).

`analytics_live_state` (one row) says whether the consumer has counted anything, when it
last did, and the time of the newest event counted: the Analyse page reads the counters
once a consumer feeds them, and says how fresh they are (analytics/source.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analytics.aggregates import DAILY, METADATA, add_to_aggregates, create_tables, load_aggregates
from analytics.reader import USED_TYPES, Conversation, Event, Period, stream_conversations
from analytics.report import Filters, figures
from analytics.tally import Key, Tally, tally_conversation

log = logging.getLogger(__name__)

SENDER_CHARS = 255  # Rasa's events.sender_id
LIVE_EVENTS = sa.Table(
    "analytics_live_events", METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.String(64), nullable=False, unique=True),
    sa.Column("sender_id", sa.String(SENDER_CHARS), nullable=False, index=True),
    sa.Column("type_name", sa.String(40), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text, nullable=False),
)


def _daily_columns() -> list[sa.Column]:
    """DAILY's columns (day, channel, metric, key → value), for another table."""
    return [sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
            for c in DAILY.columns]


# what each conversation last added to the counters
LIVE_SHARES = sa.Table("analytics_live_shares", METADATA,
                       sa.Column("sender_id", sa.String(SENDER_CHARS), primary_key=True),
                       *_daily_columns())
LIVE_DAILY = sa.Table("analytics_live_daily", METADATA, *_daily_columns())
# one row (id 1): the newest event counted (its timestamp), when the consumer last counted
# one (None: never, the counters are not fed) and when they were last rebuilt
LIVE_STATE = sa.Table("analytics_live_state", METADATA,
                      sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                      sa.Column("last_event", sa.Float),
                      sa.Column("counted_at", sa.Float),
                      sa.Column("rebuilt_at", sa.Float))


@dataclass(frozen=True)
class LiveState:
    last_event: float | None   # timestamp of the newest event counted
    counted_at: float | None   # when the consumer last counted an event (None: never)
    rebuilt_at: float | None   # when `rebuild` last refilled the counters


def live_state(engine: Engine) -> LiveState | None:
    """The counters' state, or None when no consumer nor rebuild ever wrote them."""
    if not sa.inspect(engine).has_table(LIVE_STATE.name):
        return None
    with engine.connect() as conn:
        row = conn.execute(sa.select(LIVE_STATE).where(LIVE_STATE.c.id == 1)).first()
    return None if row is None else LiveState(row.last_event, row.counted_at, row.rebuilt_at)


def _note_state(conn: Connection, newest: float | None, **when: float) -> None:
    """Moves the state's newest event forward to `newest` and sets `when`'s times (one
    writer: the consumer takes its queue exclusively; `rebuild` runs while it is stopped)."""
    row = conn.execute(sa.select(LIVE_STATE).where(LIVE_STATE.c.id == 1)).first()
    if row is None:
        conn.execute(sa.insert(LIVE_STATE), {"id": 1, "last_event": newest, **when})
        return
    if row.last_event is not None and (newest is None or row.last_event > newest):
        newest = row.last_event
    conn.execute(sa.update(LIVE_STATE).where(LIVE_STATE.c.id == 1)
                 .values(last_event=newest, **when))


class MalformedEvent(ValueError):
    """A message that is not a Rasa event with a sender: logged and dropped."""


@dataclass(frozen=True)
class BrokerEvent:
    """One tracker event as Rasa's event broker publishes it, without the sender."""

    sender_id: str
    event: dict[str, Any]

    @property
    def key(self) -> str:
        return event_key(self.sender_id, self.event)

    def row(self) -> dict[str, Any]:
        return {"event_key": self.key, "sender_id": self.sender_id,
                "type_name": self.event["event"], "timestamp": float(self.event["timestamp"]),
                "action_name": str(self.event.get("name"))[:255]
                if self.event["event"] == "action" else None,
                "data": json.dumps(self.event, ensure_ascii=False)}


def event_key(sender_id: str, event: Mapping[str, Any]) -> str:
    """The same for a message and its redelivery, and for the tracker store's row of the
    same event (its `data` is the event's as_dict(), the message is that plus sender_id)."""
    canonical = json.dumps([sender_id, event], sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_message(body: bytes) -> BrokerEvent:
    """The event in a broker message (`{"sender_id": …, "event": "user", "timestamp": …}`)."""
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent("not JSON") from exc
    if not isinstance(message, dict):
        raise MalformedEvent("not a JSON object")
    sender, kind, ts = message.pop("sender_id", None), message.get("event"), message.get(
        "timestamp")
    if (not isinstance(sender, str) or not sender or len(sender) > SENDER_CHARS
            or "\x00" in sender):  # PostgreSQL refuses NUL in text
        raise MalformedEvent("no usable sender_id")
    if not isinstance(kind, str) or not kind:
        raise MalformedEvent("no event type")
    if isinstance(ts, bool) or not isinstance(ts, (int, float)):
        raise MalformedEvent("no numeric timestamp")
    return BrokerEvent(sender, message)


@dataclass
class Recorded:
    new: int = 0          # events stored and counted
    duplicates: int = 0   # already counted (a redelivery)
    ignored: int = 0      # event types the figures do not use


def record_events(engine: Engine, events: Iterable[BrokerEvent]) -> Recorded:
    """Stores the events not seen yet and recounts their conversations, in one transaction
    (a failure changes nothing: the messages are delivered again)."""
    result = Recorded()
    wanted: dict[str, BrokerEvent] = {}
    for event in events:
        if event.event["event"] not in USED_TYPES:
            result.ignored += 1
        elif event.key in wanted:
            result.duplicates += 1
        else:
            wanted[event.key] = event
    if not wanted:
        return result
    with engine.begin() as conn:
        seen = set(conn.execute(sa.select(LIVE_EVENTS.c.event_key)
                                .where(LIVE_EVENTS.c.event_key.in_(list(wanted)))).scalars())
        fresh = [e for k, e in wanted.items() if k not in seen]
        result.duplicates += len(seen)
        result.new = len(fresh)
        if fresh:
            conn.execute(sa.insert(LIVE_EVENTS), [e.row() for e in fresh])
            for sender in sorted({e.sender_id for e in fresh}):
                _recount(conn, sender)
            _note_state(conn, max(float(e.event["timestamp"]) for e in fresh),
                        counted_at=time.time())
    return result


def _recount(conn: Connection, sender: str) -> None:
    """Adds to the counters what `sender`'s conversation adds now minus what it added
    before."""
    rows = conn.execute(sa.select(LIVE_EVENTS.c.type_name, LIVE_EVENTS.c.timestamp,
                                  LIVE_EVENTS.c.action_name, LIVE_EVENTS.c.data)
                        .where(LIVE_EVENTS.c.sender_id == sender)
                        .order_by(LIVE_EVENTS.c.timestamp, LIVE_EVENTS.c.seq))
    conversation = Conversation(sender, [Event(sender, r.type_name, r.timestamp, r.action_name,
                                               r.data) for r in rows])
    now = Tally()
    try:
        tally_conversation(now, conversation)
    except Exception as exc:  # whatever a conversation holds, the consumer goes on
        log.warning("Live analytics: a conversation of %d events could not be counted (%s); "
                    "its counters are left as they were", len(conversation.events),
                    type(exc).__name__)
        return
    before: Counter[Key] = Counter({
        (r.day, r.channel, r.metric, r.key): r.value
        for r in conn.execute(sa.select(LIVE_SHARES).where(LIVE_SHARES.c.sender_id == sender))})
    delta = Tally(labels=now.labels)
    for key in set(now.counts) | set(before):
        change = now.counts[key] - before[key]
        if change:
            delta.counts[key] = change
    if not delta.counts:
        return
    add_to_aggregates(conn, delta, LIVE_DAILY)
    conn.execute(sa.delete(LIVE_DAILY).where(
        (LIVE_DAILY.c.value == 0)
        & LIVE_DAILY.c.day.in_(sorted({day for day, _, _, _ in delta.counts}))))
    conn.execute(sa.delete(LIVE_SHARES).where(LIVE_SHARES.c.sender_id == sender))
    _insert_shares(conn, sender, now)


def _insert_shares(conn: Connection, sender: str, tally: Tally) -> None:
    if tally.counts:
        conn.execute(sa.insert(LIVE_SHARES), [
            {"sender_id": sender, "day": d, "channel": c, "metric": m, "key": k, "value": v}
            for (d, c, m, k), v in tally.counts.items()])


def load_live(engine: Engine, period: Period | None = None, channel: str | None = None,
              ) -> Tally:
    """The counters (and item names) of a period, as the figures read them."""
    return load_aggregates(engine, period or Period(), channel, LIVE_DAILY)


def rebuild(engine: Engine, chunk: int = 500) -> Tally:
    """Replaces the live counters by a full rescan of the tracker store plus the retention
    aggregates, and its kept events by the tracker store's (so that a message delivered
    again afterwards counts once). Returns the counters written. The state keeps whether
    a consumer ever fed the counters; its newest event becomes the tracker store's."""
    create_tables(engine)
    with engine.begin() as conn:
        for table in (LIVE_DAILY, LIVE_SHARES, LIVE_EVENTS):
            conn.execute(sa.delete(table))
    total = Tally()
    pending: list[Conversation] = []
    newest: float | None = None

    def flush() -> None:
        with engine.begin() as conn:
            for conversation in pending:
                _store_conversation(conn, conversation, total)
        pending.clear()

    for conversation in stream_conversations(engine):
        pending.append(conversation)
        last = max(e.timestamp for e in conversation.events)
        newest = last if newest is None else max(newest, last)
        if len(pending) >= chunk:
            flush()
    flush()
    total.merge(load_aggregates(engine, Period(), None))
    with engine.begin() as conn:
        add_to_aggregates(conn, total, LIVE_DAILY)
        conn.execute(sa.update(LIVE_STATE).values(last_event=None))
        _note_state(conn, newest, rebuilt_at=time.time())
    return total


def _store_conversation(conn: Connection, conversation: Conversation, total: Tally) -> None:
    sender = conversation.sender_id
    rows = {}
    for e in conversation.events:
        data = e.data
        key = event_key(sender, data)
        rows[key] = {"event_key": key, "sender_id": sender, "type_name": e.type_name,
                     "timestamp": e.timestamp, "action_name": e.action_name,
                     "data": e.raw or "{}"}
    if rows:
        conn.execute(sa.insert(LIVE_EVENTS), list(rows.values()))
    one = Tally()
    try:
        tally_conversation(one, conversation)
    except Exception as exc:  # as retention does: the others are counted
        log.warning("Rebuild: a conversation of %d events left out of the counts (%s)",
                    len(conversation.events), type(exc).__name__)
        return
    _insert_shares(conn, sender, one)
    total.merge(one)


def prune(conn: Connection, before: float) -> int:
    """Forgets the kept events and shares of the conversations whose last event is older
    than `before` (retention); their counts stay. Returns the number of events."""
    old = (sa.select(LIVE_EVENTS.c.sender_id).group_by(LIVE_EVENTS.c.sender_id)
           .having(sa.func.max(LIVE_EVENTS.c.timestamp) < before))
    senders = list(conn.execute(old).scalars())
    deleted = 0
    for start in range(0, len(senders), 500):
        some = senders[start:start + 500]
        conn.execute(sa.delete(LIVE_SHARES).where(LIVE_SHARES.c.sender_id.in_(some)))
        deleted += int(conn.execute(sa.delete(LIVE_EVENTS)
                                    .where(LIVE_EVENTS.c.sender_id.in_(some))).rowcount or 0)
    return deleted


def forget(conn: Connection, sender_id: str) -> int:
    """Deletes one visitor's kept events (their counts, which hold no identifier, stay)."""
    conn.execute(sa.delete(LIVE_SHARES).where(LIVE_SHARES.c.sender_id == sender_id))
    return int(conn.execute(sa.delete(LIVE_EVENTS).where(LIVE_EVENTS.c.sender_id == sender_id))
               .rowcount or 0)


def live_figures(engine: Engine, filters: Filters) -> dict[str, Any]:
    """The report's figures from the counters alone: read in time proportional to the
    number of counters, whatever the number of events. The misread messages' texts are
    not counters: their lists stay empty here (the rescan, `report.build`, has them)."""
    tally = load_live(engine, filters.period, filters.channel)
    channels = sorted({ch for (_d, ch, _m, _k) in tally.counts} if not filters.channel
                      else {filters.channel})
    return figures(tally, filters, channels)
