"""Retention (raw conversations deleted after N days, their counts kept as daily
aggregates) and deleting one visitor's conversation on request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics import live
from analytics.aggregates import add_to_aggregates, create_tables
from analytics.reader import EVENTS, PARIS, has_events_table, stream_conversations
from analytics.runs import record_failure, record_success
from analytics.tally import Tally, tally_conversation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionResult:
    cutoff: date            # events before this local day were removed
    deleted_events: int
    aggregated_counts: int
    skipped_conversations: int = 0   # deleted, but left out of the counts (see the log)


def cutoff_day(days: int, today: date | None = None) -> date:
    if days < 1:
        raise ValueError("La durée de conservation doit être d'au moins 1 jour.")
    return (today or datetime.now(PARIS).date()) - timedelta(days=days)


class ConcurrentRetention(RuntimeError):
    """Another retention deleted the same events meanwhile: this one changed nothing."""


def apply_retention(engine: Engine, days: int, today: date | None = None) -> RetentionResult:
    """Counts the events older than `days` days (whole local days) into the aggregates,
    then deletes them, in one transaction. Running it again the same day finds nothing
    older left and changes nothing, so it is safe to run daily (cron, systemd timer, the
    web app's daily run).

    The events are read outside the transaction (the tracker store stays writable for
    Rasa meanwhile); the transaction then deletes them and adds their counts only if it
    deleted exactly the events that were counted. Two runs at the same time cannot count
    the same events twice: the second one finds them gone, rolls back and raises
    ConcurrentRetention.

    Nothing one conversation holds can stop it: a conversation whose events cannot be
    counted is left out of the counts (its events are deleted all the same), with a
    logged reason. Any other failure is recorded (analytics/runs.py, for the console's
    banner) and raised."""
    try:
        return _apply(engine, days, today)
    except ConcurrentRetention:
        raise
    except Exception as exc:
        record_failure(engine, f"erreur {type(exc).__name__}")
        raise


def _apply(engine: Engine, days: int, today: date | None) -> RetentionResult:
    day = cutoff_day(days, today)
    cutoff = datetime.combine(day, time(), PARIS).timestamp()
    create_tables(engine)
    if not has_events_table(engine):
        with engine.begin() as conn:
            live.prune(conn, cutoff)
            record_success(conn)
        return RetentionResult(day, 0, 0)
    older = EVENTS.c.timestamp < cutoff
    with engine.connect() as conn:
        expected = conn.execute(sa.select(sa.func.count()).select_from(EVENTS)
                                .where(older)).scalar_one()
    tally = Tally()
    skipped = 0
    for conversation in stream_conversations(engine, before=cutoff):
        one = Tally()
        try:
            tally_conversation(one, conversation)
        except Exception as exc:  # whatever a conversation holds, the others are counted
            skipped += 1
            log.warning("Retention: a conversation of %d events left out of the counts "
                        "(%s); its events are deleted all the same",
                        len(conversation.events), type(exc).__name__)
            continue
        tally.merge(one)
    with engine.begin() as conn:
        deleted = int(conn.execute(sa.delete(EVENTS).where(older)).rowcount or 0)
        if deleted != expected:  # raised inside the transaction: it is rolled back
            raise ConcurrentRetention(
                "Une autre suppression des anciennes conversations a eu lieu en même temps : "
                "rien n'a été changé, relancez la commande.")
        stored = add_to_aggregates(conn, tally)
        live.prune(conn, cutoff)  # the broker's counters keep their counts
        record_success(conn)
    return RetentionResult(day, deleted, stored, skipped)


def forget_visitor(engine: Engine, sender_id: str) -> int:
    """Deletes every event of one conversation (the session id the visitor gives). The
    daily aggregates hold no identifier and are kept, and so are the event broker's
    counters; its copy of the events is deleted too. Returns the number of events."""
    create_tables(engine)
    rasa_events = has_events_table(engine)
    with engine.begin() as conn:
        kept = live.forget(conn, sender_id)
        if not rasa_events:
            return kept
        return int(conn.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id))
                   .rowcount or 0) or kept
