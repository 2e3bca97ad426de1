"""Issue 14: a day or half-day plan reached through the actions, whichever intent the NLU
chose ("on a une journée à Bavay" read as a location, a search, events or a fallback).

Uses the knowledge base and helpers of tests/unit/actions/test_actions.py."""

from __future__ import annotations

from datetime import datetime

import pytest
from rasa_sdk import Action

from bot.actions.fallback import ActionFallback
from bot.actions.information import ActionPlaceInfo, ActionWeather
from bot.actions.location import ActionSetLocation
from bot.actions.searches import ActionFindEvents, ActionFindRoutes, ActionRecommend
from bot.dialogue.plan import HOP_KM, INDOOR_VISIT_KINDS, PLAN_RADIUS_KM
from knowledge.models import Event, Poi, Route
from tests.unit.actions.test_actions import (  # noqa: F401 (knowledge_base: the module's base)
    BAVAY,
    LE_QUESNOY,
    all_rows,
    ents,
    km,
    knowledge_base,
    run,
    slot_sets,
    the_payload,
    tracker,
    voices,
)


def _records() -> dict[str, tuple[float, float, object]]:
    out: dict[str, tuple[float, float, object]] = {}
    for p in all_rows(Poi):
        out[p.id] = (p.latitude, p.longitude, p)
    for e in all_rows(Event):
        out[e.id] = (e.latitude, e.longitude, e)
    for r in all_rows(Route):
        out[r.id] = (r.start_latitude, r.start_longitude, r)
    return out


def assert_plan_around(plan: dict, lat: float, lon: float) -> None:
    """Stops of the base, within the documented distances, in time order."""
    records = _records()
    prev = None
    times = []
    assert plan["items"], plan
    for stop in plan["items"]:
        assert stop["id"] in records, stop["id"]
        slat, slon, _ = records[stop["id"]]
        assert km(lat, lon, slat, slon) <= PLAN_RADIUS_KM + 0.1
        if prev is not None:
            assert km(prev[0], prev[1], slat, slon) <= HOP_KM + 0.1
        prev = (slat, slon)
        times.append(datetime.fromisoformat(stop["at"]))
    assert times == sorted(times)


@pytest.mark.parametrize(("action", "intent", "entities"), [
    (ActionSetLocation(), "inform_location", [("place", "Bavay")]),
    (ActionFindEvents(), "find_events", [("place", "Bavay")]),
    (ActionFindRoutes(), "find_routes", [("place", "Bavay")]),
    (ActionFallback(), "nlu_fallback", []),
    (ActionPlaceInfo(), "ask_place_info", [("place", "Bavay")]),
])
async def test_a_day_at_bavay_whatever_the_intent(action: Action, intent: str,
                                                 entities: list) -> None:
    messages, events = await run(action, tracker(
        intent=intent, entities=ents(**dict(entities)),
        text="on a une journée à Bavay, vous proposez quoi ?"))
    assert voices(messages)[0] == "plan", voices(messages)
    plan = the_payload(messages, "plan")
    assert_plan_around(plan, BAVAY["latitude"], BAVAY["longitude"])
    assert plan["ics"].split("?")[0].endswith("/plan.ics")
    slots = slot_sets(events)
    assert slots["position_label"] == "Bavay"
    assert slots["focus"]["type"] == "places" and slots["focus"]["current"] in {
        s["id"] for s in plan["items"]}


async def test_after_the_form_the_plan_uses_the_first_message() -> None:
    """ "une journée avec les enfants ?" then, asked where, "Le Quesnoy"."""
    t = tracker(slots=LE_QUESNOY, intent="inform_location", entities=ents(place="Le Quesnoy"),
                text="Le Quesnoy")
    t.events = [{"event": "user", "text": "une journée avec les enfants ?",
                 "parse_data": {"intent": {"name": "find_places"}, "entities": []}},
                {"event": "active_loop", "name": "recommend_form"},
                {"event": "user", "text": "Le Quesnoy",
                 "parse_data": {"intent": {"name": "inform_location"}, "entities": []}}]
    messages, _ = await run(ActionRecommend(), t)
    plan = the_payload(messages, "plan")
    assert plan["span"] == "day"
    assert_plan_around(plan, LE_QUESNOY["latitude"], LE_QUESNOY["longitude"])


async def test_an_afternoon_in_the_rain_stays_indoors() -> None:
    messages, _ = await run(ActionWeather(), tracker(
        intent="ask_weather", entities=ents(place="Le Quesnoy"),
        text="un après-midi au Quesnoy s'il pleut ?"))
    assert voices(messages)[0] == "plan_rain"
    plan = the_payload(messages, "plan")
    assert plan["span"] == "afternoon"
    records = _records()
    for stop in plan["items"]:
        assert stop["item_type"] != "routes"
        poi = records[stop["id"]][2]
        if stop["item_type"] == "places":
            assert {poi.kind, *poi.kinds} & set(INDOOR_VISIT_KINDS)


async def test_without_a_place_the_family_asks_where() -> None:
    messages, events = await run(ActionFallback(), tracker(
        intent="nlu_fallback", entities=[], text="on a une journée, vous proposez quoi ?"))
    assert voices(messages) == ["plan_where"] and events == []


async def test_a_weekend_of_events_stays_events_without_children() -> None:
    messages, _ = await run(ActionFindEvents(), tracker(
        slots=BAVAY, intent="find_events", entities=ents(period="ce week-end"),
        text="que faire ce week-end ?"))
    assert "plan" not in voices(messages)
    messages, _ = await run(ActionFindEvents(), tracker(
        slots=BAVAY, intent="find_events", entities=ents(period="ce week-end"),
        text="que faire ce week-end avec les enfants ?"))
    assert voices(messages)[0] == "plan"


async def test_asked_where_the_visitor_answers_with_a_town() -> None:
    """ "un après-midi avec les enfants ?" — "Pour quelle commune ?" — "Le Quesnoy"."""
    t = tracker(intent="inform_location", entities=ents(place="Le Quesnoy"), text="Le Quesnoy")
    t.events = [{"event": "user", "text": "un après-midi avec les enfants ?",
                 "parse_data": {"intent": {"name": "find_events"}, "entities": []}},
                {"event": "bot", "text": "Pour quelle commune ?"},
                {"event": "user", "text": "Le Quesnoy",
                 "parse_data": {"intent": {"name": "inform_location"}, "entities": []}}]
    messages, events = await run(ActionSetLocation(), t)
    plan = the_payload(messages, "plan")
    assert plan["span"] == "afternoon"
    assert_plan_around(plan, LE_QUESNOY["latitude"], LE_QUESNOY["longitude"])
    assert slot_sets(events)["position_label"] == "Le Quesnoy"
