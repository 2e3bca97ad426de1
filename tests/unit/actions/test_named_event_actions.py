"""An event named to action_find_events ("le marché du Quesnoy c'est quel jour ?", the NLU
giving `place` = "marché du Quesnoy"): run the way rasa-sdk runs it (a `Tracker` from
tests/fixtures/trackers/find_events_marche_du_quesnoy.json, a `CollectingDispatcher`), the
`custom` payload lists that market first, then the other markets near by, soonest first;
without a named market the payload is soonest first.

The knowledge base is test_actions.py's (shipped data, example events relative to today);
the expected order is recomputed here from the database, not with the code under test.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from bot.actions.searches import ActionFindEvents
from bot.dialogue.recommend import PAGE_SIZE
from knowledge.models import Event
from tests.support.events import markets_soonest_first as soonest
from tests.unit.actions.test_actions import (  # noqa: F401 (knowledge_base: the module's base)
    LE_QUESNOY,
    PARIS,
    all_rows,
    assert_event_item,
    ents,
    km,
    knowledge_base,
    run,
    slot_sets,
    the_payload,
    tracker,
    voices,
)

WEEKLY = "evt-marche-le-quesnoy"  # "Marché hebdomadaire du Quesnoy"
UTC = timezone.utc


def markets_soonest_first(lat: float, lon: float) -> list[str]:
    now = datetime.now(PARIS)
    return soonest(all_rows(Event), lat, lon, now, now + timedelta(days=14))


def items_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = the_payload(messages, "events")["items"]
    for item in items:
        assert_event_item(item)
    return items


async def test_the_market_named_comes_first_in_the_payload() -> None:
    messages, events = await run(ActionFindEvents(),
                                 tracker("find_events_marche_du_quesnoy"))
    assert "events_found_named" in voices(messages)
    slots = slot_sets(events)
    assert slots["search_state"]["kind"] == "events"
    lat, lon = slots.get("latitude"), slots.get("longitude")
    assert lat is not None and lon is not None  # the message gave where: Le Quesnoy
    items = items_of(messages)
    expected = markets_soonest_first(lat, lon)
    assert WEEKLY in expected
    assert [i["id"] for i in items] == ([WEEKLY] + [e for e in expected
                                                    if e != WEEKLY])[:PAGE_SIZE]
    assert items[0]["title"] == "Marché hebdomadaire du Quesnoy"
    # example dates stay flagged, and said to be examples
    assert items[0]["is_example"] is True
    assert "events_examples_warning" in voices(messages)
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "Prochaines dates : " in text and "(dates d'exemple, à vérifier)" in text


async def test_without_a_named_market_the_payload_is_soonest_first() -> None:
    messages, _ = await run(ActionFindEvents(), tracker(
        "find_events_marche_du_quesnoy", slots=LE_QUESNOY, entities=[],
        text="il y a des marchés ?"))
    assert voices(messages)[0] == "events_found"
    items = items_of(messages)
    assert [i["id"] for i in items] == markets_soonest_first(
        LE_QUESNOY["latitude"], LE_QUESNOY["longitude"])[:PAGE_SIZE]
    starts = [datetime.fromisoformat(i["start"]) for i in items]
    assert starts == sorted(starts)
    assert "Prochaines dates" not in "\n".join(m.get("text") or "" for m in messages)
