"""An event named in an events search ("le marché du Quesnoy c'est quel jour ?"): that event
first, with its next dates from the knowledge base, then the others near by, in their
order (bot.dialogue.recommend.find_events, bot.dialogue.named_events). Without a named
event, the list keeps its order (soonest first).

On the dialogue tests' seeded base (tests/unit/dialogue/conftest.py): the weekly markets
of the shipped data are examples dated relative to TODAY. Expected orders and dates are
recomputed here from the database, not with the code under test.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue.filters import parse
from bot.dialogue.french import french_date, time_fr
from bot.dialogue.named_events import named_events
from bot.dialogue.position import Position
from bot.dialogue.recommend import PAGE_SIZE, Outcome, find_events
from bot.dialogue.search import apply_filters, new_search
from knowledge.models import Event
from knowledge.queries import EventHit
from tests.support.events import markets_soonest_first as soonest

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
NOW = datetime(2027, 6, 16, 10, 0, tzinfo=PARIS)  # Wednesday of the seeded week
END = datetime(2027, 6, 30, 10, 0, tzinfo=PARIS)  # "les deux prochaines semaines"
LE_QUESNOY = Position(50.2506593981, 3.62486177207, "Le Quesnoy", "typed", "59481")
WEEKLY = "evt-marche-le-quesnoy"  # "Marché hebdomadaire du Quesnoy", venue le-quesnoy-marche
BAVAY_MARKET = "evt-marche-bavay"
QUESNOY_CHRISTMAS = "evt-marche-de-noel-le-quesnoy"


def search(db: Session, text: str) -> Outcome:
    state = new_search("events")
    apply_filters(state, parse(text, {"place": "marché du Quesnoy"}, search="events"))
    return find_events(db, text, LE_QUESNOY, state, NOW)


def ids(outcome: Outcome) -> list[str]:
    custom = outcome.replies[0].custom
    assert custom is not None and custom["type"] == "events"
    return [i["id"] for i in custom["items"]]


def markets_soonest_first(db: Session) -> list[str]:
    return soonest(db.execute(select(Event)).scalars(), LE_QUESNOY.latitude,
                   LE_QUESNOY.longitude, NOW, END)


def test_the_named_market_comes_first_with_its_next_dates(db: Session) -> None:
    expected = markets_soonest_first(db)
    assert WEEKLY in expected and expected.index(WEEKLY) > 0, "not first by date"
    outcome = search(db, "le marché du Quesnoy c'est quel jour ?")
    reply = outcome.replies[0]
    assert reply.response == "events_found_named"
    assert reply.variables["named"] == "Marché hebdomadaire du Quesnoy"
    # the named market first, then the others near by in their own order
    assert ids(outcome) == ([WEEKLY] + [e for e in expected if e != WEEKLY])[:PAGE_SIZE]
    # its next dates, only those of the base, flagged as examples
    timings = sorted(db.get(Event, WEEKLY).timings, key=lambda t: t.start)
    upcoming = [t for t in timings if t.end.replace(tzinfo=UTC) > NOW][:3]
    assert upcoming
    said = " ; ".join(f"{french_date(t.start.replace(tzinfo=UTC))}, "
                      f"{time_fr(t.start.replace(tzinfo=UTC))} – "
                      f"{time_fr(t.end.replace(tzinfo=UTC))}" for t in upcoming)
    assert reply.text is not None
    assert f"Prochaines dates : {said} (dates d'exemple, à vérifier)" in reply.text
    assert reply.text.splitlines()[0].startswith("1. Marché hebdomadaire du Quesnoy — ")
    # the example flag is kept, on the items and in the warning
    assert outcome.replies[0].custom["items"][0]["is_example"] is True
    assert [r.response for r in outcome.replies][-1] == "events_examples_warning"
    assert outcome.state.shown == ids(outcome)


def test_another_named_market(db: Session) -> None:
    outcome = search(db, "le marché de Bavay c'est quand ?")
    assert outcome.replies[0].response == "events_found_named"
    assert ids(outcome)[0] == BAVAY_MARKET


@pytest.mark.parametrize("text", ["il y a des marchés ?", "des marchés près du Quesnoy",
                                  "y a-t-il un marché au Quesnoy ?",
                                  "quels sont les marchés près du Quesnoy ?"])
def test_without_a_named_event_the_order_is_unchanged(db: Session, text: str) -> None:
    outcome = search(db, text)
    assert outcome.replies[0].response == "events_found"
    assert "named" not in outcome.replies[0].variables
    assert ids(outcome) == markets_soonest_first(db)[:PAGE_SIZE]
    assert "Prochaines dates" not in (outcome.replies[0].text or "")


def test_the_next_page_goes_on_without_repeats(db: Session) -> None:
    first = search(db, "le marché du Quesnoy c'est quel jour ?")
    state = first.state
    assert state is not None
    more = find_events(db, "encore", LE_QUESNOY, state, NOW)
    shown = ids(first) + (ids(more) if more.replies[0].custom else [])
    assert len(shown) == len(set(shown))
    assert set(shown) == set(markets_soonest_first(db))


def test_the_market_named_is_not_the_christmas_market(db: Session) -> None:
    """Both are "le marché du Quesnoy" in December: the one whose title the visitor said
    all of (the weekly one), not the one with "Noël" unsaid; and "le marché de Noël"
    names the Christmas markets."""
    hits = [EventHit(db.get(Event, eid), NOW, NOW, 0.0)
            for eid in (QUESNOY_CHRISTMAS, WEEKLY, BAVAY_MARKET)]
    assert named_events(db, "le marché du Quesnoy c'est quel jour ?", hits) == [WEEKLY]
    assert named_events(db, "le marché de Noël du Quesnoy", hits) == [QUESNOY_CHRISTMAS]
    assert named_events(db, "des marchés au Quesnoy ?", hits) == []
    # every event found is named: none is singled out
    weekly_only = [h for h in hits if h.event.id == WEEKLY]
    assert named_events(db, "le marché du Quesnoy", weekly_only) == []
