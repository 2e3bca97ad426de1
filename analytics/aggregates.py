"""Daily aggregates kept after the raw conversations are deleted (retention).

They live in the tracker store's database, next to Rasa's `events` table, as the same
(day, channel, metric, key) → count rows the figures are made of, plus item names.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analytics.reader import Period
from analytics.tally import CHANNEL_CHARS, KEY_CHARS, METRIC_CHARS, Tally

METADATA = sa.MetaData()
DAILY = sa.Table(
    "analytics_daily", METADATA,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("channel", sa.String(CHANNEL_CHARS), primary_key=True),
    sa.Column("metric", sa.String(METRIC_CHARS), primary_key=True),
    sa.Column("key", sa.String(KEY_CHARS), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
LABELS = sa.Table(
    "analytics_labels", METADATA,
    sa.Column("item_id", sa.String(KEY_CHARS), primary_key=True),
    sa.Column("label", sa.String(KEY_CHARS), nullable=False),
)


def create_tables(engine: Engine) -> None:
    METADATA.create_all(engine)


def _add(table: sa.Table) -> sa.sql.Update:
    """One UPDATE for every count already stored, its key given as parameters."""
    return (sa.update(table)
            .where((table.c.day == sa.bindparam("k_day"))
                   & (table.c.channel == sa.bindparam("k_channel"))
                   & (table.c.metric == sa.bindparam("k_metric"))
                   & (table.c.key == sa.bindparam("k_key")))
            .values(value=table.c.value + sa.bindparam("k_value")))


def add_to_aggregates(conn: Connection, tally: Tally, table: sa.Table = DAILY) -> int:
    """Adds `tally`'s counts to the stored ones (inside the caller's transaction, after
    its DELETE has taken the write lock): the keys already stored over the tally's days
    are read once, then one UPDATE and one INSERT run for all the rows (thousands of
    single statements, each compiled, made retention slow). `table` is DAILY or the
    event broker's counters (analytics/live.py), of the same columns."""
    counts = tally.counts
    stored: set[tuple[str, str, str, str]] = set()
    if counts:
        days = [day for day, _, _, _ in counts]
        stored = {(r.day, r.channel, r.metric, r.key) for r in conn.execute(
            sa.select(table.c.day, table.c.channel, table.c.metric, table.c.key)
            .where(table.c.day.between(min(days), max(days))))}
    updates = [{"k_day": day, "k_channel": channel, "k_metric": metric, "k_key": key,
                "k_value": value}
               for (day, channel, metric, key), value in counts.items()
               if (day, channel, metric, key) in stored]
    inserts = [{"day": day, "channel": channel, "metric": metric, "key": key, "value": value}
               for (day, channel, metric, key), value in counts.items()
               if (day, channel, metric, key) not in stored]
    if updates:
        conn.execute(_add(table), updates)
    if inserts:
        conn.execute(sa.insert(table), inserts)
    known = set(conn.execute(sa.select(LABELS.c.item_id)).scalars())
    new = [{"item_id": k, "label": v} for k, v in tally.labels.items() if k not in known]
    if new:
        conn.execute(sa.insert(LABELS), new)
    return len(tally.counts)


def load_aggregates(engine: Engine, period: Period, channel: str | None,
                    table: sa.Table = DAILY) -> Tally:
    tally = Tally()
    if not sa.inspect(engine).has_table(table.name):
        return tally
    query = sa.select(table)
    if period.start:
        query = query.where(table.c.day >= period.start.isoformat())
    if period.end:
        query = query.where(table.c.day <= period.end.isoformat())
    if channel:
        query = query.where(table.c.channel == channel)
    with engine.connect() as conn:
        for row in conn.execute(query):
            tally.counts[(row.day, row.channel, row.metric, row.key)] += row.value
        tally.labels.update({r.item_id: r.label for r in conn.execute(sa.select(LABELS))})
    return tally


def stored_channels(engine: Engine) -> set[str]:
    if not sa.inspect(engine).has_table(DAILY.name):
        return set()
    with engine.connect() as conn:
        return set(conn.execute(sa.select(DAILY.c.channel).distinct()).scalars())
