"""Where the Analyse page takes its figures (analytics/source.py), on SQLite and on the
PostgreSQL server at 127.0.0.1:5432 (fails, never skips, when it is down).

The events are the synthetic conversations of analytics/synthetic.py, written as Rasa's
SQL tracker store writes them; the consumer's side is `live.record_events`, the function
the broker's consumer calls for each batch (the path through RabbitMQ is tested in
test_analytics_broker.py). For the same events the page's figures from the counters must
equal the rescan's, for every filter the page offers.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics import live
from analytics.reader import EVENTS, USED_TYPES, Period, local_day
from analytics.report import Filters, build
from analytics.source import Source, choose, page_figures
from analytics.synthetic import fill

DAY = 86400.0
TEXTS = ("misunderstood", "off_topic", "abusive", "misunderstood_not_kept")


def stored_events(engine: Engine) -> list[live.BrokerEvent]:
    """The tracker store's events as the broker publishes them (sender + as_dict())."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(EVENTS.c.sender_id, EVENTS.c.data)
                            .order_by(EVENTS.c.id)).all()
    return [live.BrokerEvent(r.sender_id, json.loads(r.data)) for r in rows]


def consume_all(engine: Engine, events: list[live.BrokerEvent], batch: int = 200) -> None:
    live.create_tables(engine)
    for start in range(0, len(events), batch):
        live.record_events(engine, events[start:start + batch])


def without_texts(fig: dict) -> dict:
    return {k: v for k, v in fig.items() if k not in TEXTS}


@pytest.fixture
def store(tracker_engine: Engine) -> Engine:
    """3,000 synthetic events over the last six days."""
    fill(tracker_engine, 3000, start=time.time() - 6 * DAY, days=5)
    return tracker_engine


def test_the_page_reads_the_counters_once_a_consumer_feeds_them(store: Engine) -> None:
    assert choose(store) == Source(False)          # no consumer: the rescan
    fig, source = page_figures(store, Filters())
    assert not source.counters and fig == build(store, Filters())
    assert "relisant toutes les conversations" in source.sentence()

    events = stored_events(store)
    consume_all(store, events)
    source = choose(store)
    assert source.counters and source.state is not None
    newest = max(e.event["timestamp"] for e in events if e.event["event"] in USED_TYPES)
    assert source.state.last_event == newest
    assert source.state.counted_at is not None and source.state.rebuilt_at is None
    sentence = source.sentence(now=newest + 300)
    assert "compteurs journaliers" in sentence and "il y a 5 min" in sentence


def test_the_pages_figures_from_counters_equal_the_rescans(store: Engine) -> None:
    consume_all(store, stored_events(store))
    today = local_day(time.time())
    filters = [Filters(),
               Filters(Period(today - timedelta(days=29), today)),       # the page's default
               Filters(Period(today - timedelta(days=3), today - timedelta(days=1))),
               Filters(Period(today - timedelta(days=29), today), "socketio"),
               Filters(channel="telegram")]
    for f in filters:
        shown, source = page_figures(store, f)
        rescan = build(store, f)
        assert source.counters
        assert without_texts(shown) == without_texts(rescan), f
        assert shown["totals"]["conversations"] == rescan["totals"]["conversations"] > 0, f
    # the misread texts are the rescan's only (not counters); their counts are in both
    everything = build(store, Filters())
    assert everything["misunderstood"] and not page_figures(store, Filters())[0]["misunderstood"]
    assert everything["totals"]["fallbacks"] > 0


def test_a_redelivery_and_a_late_event_keep_the_figures_equal(store: Engine) -> None:
    events = stored_events(store)
    consume_all(store, events[: len(events) // 2])
    consume_all(store, events)                     # the first half delivered again
    assert without_texts(page_figures(store, Filters())[0]) == without_texts(
        build(store, Filters()))


def test_the_setting_chooses(store: Engine, caplog: pytest.LogCaptureFixture) -> None:
    # counters asked for before any consumer ran: empty, and said so
    forced = choose(store, "compteurs")
    assert forced.counters and forced.state is None
    assert "Aucun événement compté pour l'instant." in forced.sentence()
    assert page_figures(store, Filters(), "compteurs")[0]["totals"]["conversations"] == 0
    consume_all(store, stored_events(store))
    assert not choose(store, "conversations").counters
    assert choose(store, "n'importe quoi").counters       # read as auto
    assert "ANALYTICS_SOURCE" in caplog.text


def test_a_rebuild_sets_the_newest_event_and_keeps_the_consumers_mark(store: Engine) -> None:
    live.rebuild(store)                            # never fed by a consumer: still a rescan
    assert not choose(store).counters
    state = live.live_state(store)
    assert state is not None and state.rebuilt_at is not None and state.counted_at is None
    with store.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(EVENTS.c.timestamp))
                              .where(EVENTS.c.type_name.in_(USED_TYPES))).scalar_one()
    assert state.last_event == newest

    consume_all(store, stored_events(store))       # all known already: nothing counted
    assert not choose(store).counters
    late = live.BrokerEvent("visiteur-tardif", {
        "event": "user", "timestamp": newest + 10, "text": "bonjour", "input_channel": "rest",
        "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []}})
    live.record_events(store, [late])
    source = choose(store)
    assert source.counters and source.state and source.state.last_event == newest + 10
    live.rebuild(store)                            # the consumer's mark stays
    after = live.live_state(store)
    assert after and after.counted_at is not None and after.last_event == newest
