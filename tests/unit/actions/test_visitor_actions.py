"""Issue 13 through the actions: the right town, the right filters, the named place, and
follow-ups about the last thing shown — the examples of the issue, each as a rasa-sdk action
run (CollectingDispatcher, Tracker), checked on events, reply keys and payloads.

Uses the knowledge base and helpers of tests/unit/actions/test_actions.py (the shipped data
plus a few test records); expected values are read from the base, not from the code."""

from __future__ import annotations

from typing import Any

import pytest

from bot.actions.fallback import ActionFallback
from bot.actions.information import ActionPlaceInfo
from bot.actions.location import ActionSetLocation, ValidateRecommendForm
from bot.actions.searches import ActionFindRoutes, ActionRecommend, ActionRefine
from bot.dialogue.filters import ALTERNATIVES
from knowledge.models import Poi
from tests.unit.actions.test_actions import (  # noqa: F401 (knowledge_base: the module's base)
    BAVAY,
    LANDRECIES,
    LE_QUESNOY,
    all_rows,
    assert_distances_from,
    ents,
    knowledge_base,
    payloads,
    run,
    slot_sets,
    the_payload,
    tracker,
    voices,
)

QUESNOY_SLOTS = {**LE_QUESNOY, "position_commune": "59481", "position_source": "typed"}


def poi_named(name: str) -> Poi:
    return next(p for p in all_rows(Poi) if p.name == name)


# =========================================================================== the right town
async def test_where_they_come_from_is_not_where_they_are() -> None:
    """ "on vient de Lille et on arrive au Quesnoy samedi": routes near Le Quesnoy."""
    messages, events = await run(ActionFindRoutes(), tracker(
        intent="find_routes", entities=ents(place="Lille"),
        text="on vient de Lille et on arrive au Quesnoy samedi, une balade sympa ?"))
    slots = slot_sets(events)
    assert slots["position_label"] == "Le Quesnoy" and slots["position_commune"] == "59481"
    assert slots["position_source"] == "typed"
    items = the_payload(messages, "routes")["items"]
    assert_distances_from(items, LE_QUESNOY["latitude"], LE_QUESNOY["longitude"])


async def test_a_newer_position_wins() -> None:
    messages, events = await run(ActionFindRoutes(), tracker(
        slots=BAVAY, intent="find_routes", entities=[],
        text="une rando du côté de Landrecies"))
    assert slot_sets(events)["position_label"] == "Landrecies"
    items = the_payload(messages, "routes")["items"]
    # distances measured from Landrecies, not from Bavay
    assert_distances_from(items, LANDRECIES["latitude"], LANDRECIES["longitude"])


async def test_a_position_outside_the_territory_is_said_honestly() -> None:
    messages, events = await run(ActionSetLocation(), tracker(
        intent="inform_location", entities=ents(place="Lille"), text="je suis à Lille"))
    assert voices(messages) == ["position_outside"]
    assert [b["title"] for b in messages[-1]["buttons"]] == ["Le Quesnoy", "Bavay",
                                                             "Landrecies"]
    assert events == [] and not payloads(messages)


async def test_the_form_takes_the_town_from_a_long_message_and_guesses_the_interest() -> None:
    t = tracker(intent="find_places", entities=[],
                text="on loge au Quesnoy, un estaminet pour manger une flamiche ?",
                slots={"requested_slot": "position_label"})
    messages, events = await run(ValidateRecommendForm(), t)
    slots = slot_sets(events)
    assert slots["position_label"] == "Le Quesnoy" and slots["position_commune"] == "59481"
    assert slots["interests"] == ["gastronomie"]  # no interest picker: "estaminet" says it
    assert "ask_interests" not in voices(messages)


async def test_the_position_is_not_asked_again_once_known() -> None:
    t = tracker(intent="find_places", entities=[], text="un musée", slots=QUESNOY_SLOTS)
    messages, _ = await run(ActionRecommend(), t)
    assert "ask_position_label" not in voices(messages)


# =========================================================================== filters
async def test_a_walk_for_a_wheelchair() -> None:
    """ "une balade accessible en fauteuil ?": said that routes carry no accessibility
    data, the easy short ones shown — never a 20 km 'difficile' loop, never 'Chaussez-vous'."""
    messages, events = await run(ActionFindRoutes(), tracker(
        slots=QUESNOY_SLOTS, intent="find_routes", entities=ents(accessibility="fauteuil"),
        text="une balade accessible en fauteuil ?"))
    assert voices(messages)[0] == "filter_unknown"
    assert "routes_found" not in voices(messages)
    for item in the_payload(messages, "routes")["items"]:
        assert item["difficulty"] == "easy" and item["length_km"] <= 6
    state = slot_sets(events)["search_state"]
    assert state["wheelchair"] is True


@pytest.mark.parametrize("text", ["une promenade pas trop longue, à plat",
                                  "une petite boucle tranquille"])
async def test_a_short_flat_walk(text: str) -> None:
    messages, _ = await run(ActionFindRoutes(), tracker(
        slots=QUESNOY_SLOTS, intent="find_routes", entities=[], text=text))
    items = the_payload(messages, "routes")["items"]
    assert items and all(i["length_km"] <= 6 and i["difficulty"] == "easy" for i in items)
    assert "route-grande-traversee-mormal" not in [i["id"] for i in items]


async def test_five_km_max_is_a_length_not_a_radius() -> None:
    messages, events = await run(ActionFindRoutes(), tracker(
        slots=QUESNOY_SLOTS, intent="find_routes", entities=[], text="une rando de 5 km max"))
    state = slot_sets(events)["search_state"]
    assert state["max_km"] == 5.0 and state["radius_km"] == 25.0
    assert all(i["length_km"] <= 5 for i in the_payload(messages, "routes")["items"])
    # and as a refinement of a routes search
    messages, events = await run(ActionRefine(), tracker(
        slots={**QUESNOY_SLOTS, "search_state": {**state, "max_km": None, "min_km": None}},
        intent="refine", entities=[], text="5 km max"))
    after = slot_sets(events)["search_state"]
    assert after["max_km"] == 5.0 and after["radius_km"] == 25.0


async def test_kinds_exact_first_and_never_unrelated() -> None:
    messages, events = await run(ActionRecommend(), tracker(
        slots={**QUESNOY_SLOTS, "interests": ["gastronomie"]}, intent="find_places",
        entities=[], text="un restaurant pour ce midi"))
    items = the_payload(messages, "places")["items"]
    assert items and all("restaurant" in i["kinds"] for i in items)
    assert slot_sets(events)["search_state"]["kinds"] == ["restaurant"]


async def test_no_estaminet_nearby_gives_labelled_alternatives() -> None:
    messages, events = await run(ActionRecommend(), tracker(
        slots={**QUESNOY_SLOTS, "interests": ["gastronomie"]}, intent="find_places",
        entities=[], text="un estaminet pour manger une flamiche"))
    assert voices(messages)[0] == "kind_none"
    payload = the_payload(messages, "places")
    assert payload["alternative_to"] == "estaminet"
    assert all(set(i["kinds"]) & set(ALTERNATIVES["estaminet"]) for i in payload["items"])
    assert payload["speaker"] == "sophie"


async def test_gite_and_hotel_are_not_the_same_campsite() -> None:
    found = {}
    for word, kind in (("un gîte", "gite"), ("un hôtel", "hotel"), ("un camping", "campsite")):
        messages, _ = await run(ActionRecommend(), tracker(
            slots={**QUESNOY_SLOTS, "interests": ["hebergement"]}, intent="find_places",
            entities=[], text=word))
        items = the_payload(messages, "places")["items"]
        assert items and all(kind in i["kinds"] for i in items), word
        found[kind] = items[0]["id"]
    assert len(set(found.values())) == 3


async def test_the_farm_for_maroilles_cheese() -> None:
    """ "une ferme pour acheter du maroilles fermier": the farm; Maroilles the cheese is not
    the town."""
    messages, events = await run(ActionRecommend(), tracker(
        slots={**QUESNOY_SLOTS, "interests": ["terroir"]}, intent="find_places",
        entities=[], text="une ferme pour acheter du maroilles fermier"))
    items = the_payload(messages, "places")["items"]
    assert items[0]["id"] == "saint-aubin-ferme-du-pont-des-loups"
    assert "position_label" not in slot_sets(events)


async def test_the_request_made_during_the_form_is_kept() -> None:
    """ "un camping" then, asked where, "Le Quesnoy": campsites, not everything."""
    t = tracker(slots={**QUESNOY_SLOTS, "interests": ["hebergement"]}, intent="inform_location",
                entities=ents(place="Le Quesnoy"), text="Le Quesnoy",
                events=[{"event": "user", "text": "un camping", "parse_data": {"entities": []}},
                        {"event": "active_loop", "name": "recommend_form"},
                        {"event": "user", "text": "Le Quesnoy", "parse_data": {"entities": []}}])
    messages, _ = await run(ActionRecommend(), t)
    items = the_payload(messages, "places")["items"]
    assert items and all("campsite" in i["kinds"] for i in items)


# =========================================================================== named places
@pytest.mark.parametrize(("text", "name"), [
    ("Avec une poussette, on peut faire le tour des remparts du Quesnoy ?",
     "Remparts et fortifications du Quesnoy"),
    ("la tombe de Wilfred Owen", "Tombe de Wilfred Owen (cimetière communal d'Ors)"),
    ("le forum", "Forum antique de Bavay"),
])
async def test_a_named_place_is_found_first(text: str, name: str) -> None:
    messages, events = await run(ActionPlaceInfo(), tracker(
        slots=QUESNOY_SLOTS, intent="ask_place_info", entities=[], text=text))
    items = the_payload(messages, "places")["items"]
    assert [i["name"] for i in items] == [name]
    assert slot_sets(events)["focus"]["current"] == poi_named(name).id


async def test_a_named_place_asked_as_a_search_is_shown_not_a_category() -> None:
    messages, _ = await run(ActionRecommend(), tracker(
        slots={**QUESNOY_SLOTS, "interests": ["tout"]}, intent="find_places", entities=[],
        text="je voudrais voir la tombe de Wilfred Owen"))
    assert [i["id"] for i in the_payload(messages, "places")["items"]] == [
        "ors-tombe-wilfred-owen"]


# =========================================================================== follow-ups
def focus_on(kind: str, ids: list[str]) -> dict[str, Any]:
    return {"focus": {"type": kind, "ids": ids, "current": ids[0]}}


async def test_and_the_number() -> None:
    messages, events = await run(ActionPlaceInfo(), tracker(
        slots={**QUESNOY_SLOTS, **focus_on("places", ["bavay-forum-antique"])},
        intent="ask_place_info", entities=[], text="et le numéro ?"))
    assert voices(messages) == ["followup"]
    assert poi_named("Forum antique de Bavay").phone in messages[-1]["text"]


async def test_the_second_one() -> None:
    ids = ["le-quesnoy-remparts", "bavay-forum-antique"]
    messages, events = await run(ActionPlaceInfo(), tracker(
        slots={**QUESNOY_SLOTS, **focus_on("places", ids)}, intent="ask_place_info",
        entities=[], text="et le deuxième, c'est combien ?"))
    assert the_payload(messages, "places")["items"][0]["id"] == "bavay-forum-antique"
    assert voices(messages) == ["followup_unknown"]  # no price in the base: who to ask
    assert "Office de tourisme" in messages[-1]["text"]
    assert slot_sets(events)["focus"]["current"] == "bavay-forum-antique"


async def test_is_it_waymarked_read_as_a_position() -> None:
    """ "c'est balisé ?" once gave "Votre position ne m'est pas parvenue"."""
    messages, events = await run(ActionSetLocation(), tracker(
        slots={**QUESNOY_SLOTS, **focus_on("routes", ["route-circuit-des-remparts-le-quesnoy"])},
        intent="share_location", entities=[], text="c'est balisé ?"))
    assert voices(messages) == ["followup"]
    assert "balisée" in messages[-1]["text"]
    assert "position_label" not in slot_sets(events)


async def test_is_it_far_read_as_a_refinement() -> None:
    messages, _ = await run(ActionRefine(), tracker(
        slots={**QUESNOY_SLOTS, **focus_on("places", ["bavay-forum-antique"])},
        intent="refine", entities=[], text="c'est loin ?"))
    assert voices(messages) == ["followup"]
    assert "km" in messages[-1]["text"] and "du Quesnoy" in messages[-1]["text"]


async def test_open_on_tuesday_about_the_last_card() -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        slots={**QUESNOY_SLOTS, **focus_on("places", ["le-quesnoy-remparts"])},
        intent="ask_place_info", entities=[], text="c'est ouvert le mardi ?"))
    assert voices(messages) == ["followup_unknown"]  # no hours in the base: never invented
    assert the_payload(messages, "places")["items"][0]["id"] == "le-quesnoy-remparts"


async def test_a_named_place_taken_for_a_weather_question() -> None:
    from bot.actions.information import ActionWeather

    messages, events = await run(ActionWeather(), tracker(
        slots=QUESNOY_SLOTS, intent="ask_weather", entities=[], text="la tombe de Wilfred Owen"))
    assert [i["id"] for i in the_payload(messages, "places")["items"]] == [
        "ors-tombe-wilfred-owen"]
    messages, _ = await run(ActionWeather(), tracker(
        slots=QUESNOY_SLOTS, intent="ask_weather", entities=[], text="il fait beau demain ?"))
    assert voices(messages) == ["weather_honest"]


async def test_what_the_words_still_say_when_the_nlu_gave_up() -> None:
    """nlu_fallback: a place named alone, a follow-up about the card, a kind of place are
    answered; anything else gets the buttons."""
    messages, events = await run(ActionFallback(), tracker(
        intent="nlu_fallback", entities=[], text="la colonne Brunehaut"))
    assert the_payload(messages, "places")["items"][0]["id"] == poi_named("Colonne Brunehaut").id
    focus = slot_sets(events)["focus"]
    messages, _ = await run(ActionFallback(), tracker(
        slots={"focus": focus}, intent="nlu_fallback", entities=[], text="et c'est combien ?"))
    assert voices(messages)[0] in ("followup", "followup_unknown")
    messages, _ = await run(ActionFallback(), tracker(
        slots=QUESNOY_SLOTS, intent="nlu_fallback", entities=[], text="une brasserie"))
    items = the_payload(messages, "places")["items"]
    assert items and all("brewery" in i["kinds"] for i in items)
    messages, events = await run(ActionFallback(), tracker(
        slots=QUESNOY_SLOTS, intent="nlu_fallback", entities=[], text="kwak plif"))
    assert voices(messages) == ["not_understood"] and events == []


async def test_a_search_read_as_a_question_about_a_place() -> None:
    """ask_place_info for a place the base does not have: the search its words ask for."""
    messages, events = await run(ActionPlaceInfo(), tracker(
        intent="ask_place_info", entities=ents(place="Le Quesnoy", audience="enfants"),
        text="on est au Quesnoy avec nos 2 enfants, qu'est-ce qu'on peut faire avec eux ?"))
    items = the_payload(messages, "places")["items"]
    assert items and slot_sets(events)["position_commune"] == "59481"
    messages, _ = await run(ActionPlaceInfo(), tracker(
        slots=QUESNOY_SLOTS, intent="ask_place_info", entities=ents(kind="zoo"),
        text="un zoo pour les petits ?"))
    assert all("zoo" in i["kinds"] for i in the_payload(messages, "places")["items"])


async def test_a_rainy_day_with_children_read_as_a_refinement() -> None:
    messages, _ = await run(ActionRefine(), tracker(
        slots=QUESNOY_SLOTS, intent="refine", entities=ents(audience="enfants"),
        text="il pleut, qu'est-ce qu'on peut faire à l'abri avec les enfants ?"))
    assert voices(messages)[0] == "weather_rain"
    assert the_payload(messages, "places")["items"]


async def test_a_place_named_alone_does_not_move_the_position() -> None:
    """ "la forêt de Mormal" once the position is known: the forest's card, and the visitor
    stays where they are (not moved to L'Orée de Mormal)."""
    messages, events = await run(ActionSetLocation(), tracker(
        slots=QUESNOY_SLOTS, intent="inform_location", entities=ents(place="forêt de Mormal"),
        text="la forêt de Mormal"))
    items = the_payload(messages, "places")["items"]
    assert items[0]["id"] == "foret-de-mormal"
    assert "position_label" not in slot_sets(events)
    messages, events = await run(ActionSetLocation(), tracker(
        slots=QUESNOY_SLOTS, intent="inform_location", entities=ents(place="Bavay"),
        text="on est à Bavay maintenant"))
    assert slot_sets(events)["position_commune"] == "59053"


async def test_arriving_by_bike_asking_for_heritage() -> None:
    messages, events = await run(ActionFindRoutes(), tracker(
        intent="find_routes", entities=ents(interest="patrimoine", route_mode="velo"),
        text="on arrive à vélo à Ors, qu'est-ce qu'il y a comme patrimoine ?"))
    items = the_payload(messages, "places")["items"]
    assert items and all("patrimoine" in i["interests"] for i in items)
    assert slot_sets(events)["position_commune"] == "59450"


async def test_arriving_by_bike_is_not_an_interest_in_bikes() -> None:
    messages, _ = await run(ActionRecommend(), tracker(
        slots={**QUESNOY_SLOTS, "interests": ["velo", "patrimoine"]}, intent="find_places",
        entities=[], text="on arrive à vélo, qu'est-ce qu'il y a comme patrimoine ?"))
    items = the_payload(messages, "places")["items"]
    assert items and all("patrimoine" in i["interests"] for i in items)


async def test_a_kind_with_a_town_given_as_the_position() -> None:
    """ "Un gîte du côté de Bavay" read as a position: the gîtes near Bavay, not every
    lodging."""
    messages, _ = await run(ActionSetLocation(), tracker(
        intent="inform_location", entities=ents(place="Bavay"),
        text="Un gîte du côté de Bavay, c'est possible ?"))
    for p in payloads(messages, "places"):
        assert p.get("alternative_to") == "gite" or all("gite" in i["kinds"] for i in p["items"])


# ============================================ the search a misread message asks for (CI)
async def test_a_fallback_that_asks_what_to_visit_searches_where_they_arrive() -> None:
    messages, events = await run(ActionFallback(), tracker(
        intent="nlu_fallback", entities=[],
        text="on vient de Lille et on arrive au Quesnoy samedi, que visiter ?"))
    assert slot_sets(events)["position_label"] == "Le Quesnoy"
    items = the_payload(messages, "places")["items"]
    assert_distances_from(items, LE_QUESNOY["latitude"], LE_QUESNOY["longitude"])


async def test_a_town_with_a_walk_asked_gives_walks() -> None:
    """ "on loge à Jolimetz, une boucle à pied de 2h max" read as a location."""
    messages, _ = await run(ActionSetLocation(), tracker(
        intent="inform_location", entities=ents(place="Jolimetz", length="2h"),
        text="on loge à Jolimetz, une boucle à pied de 2h max"))
    routes = the_payload(messages, "routes")["items"]
    assert routes and all(r["mode"] == "hike" and r["duration_min"] <= 120 for r in routes)


async def test_when_is_the_market_is_an_events_question() -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        intent="ask_place_info", entities=ents(kind="marché du Quesnoy"),
        text="le marché du Quesnoy c'est quel jour ?"))
    titles = [e["title"] for e in the_payload(messages, "events")["items"]]
    assert "Marché hebdomadaire du Quesnoy" in titles


async def test_when_is_the_market_with_the_market_read_as_a_place() -> None:
    """The NLU may take the whole "marché du Quesnoy" for a place the base does not know."""
    messages, _ = await run(ActionPlaceInfo(), tracker(
        intent="ask_place_info", entities=ents(place="marché du Quesnoy"),
        text="le marché du Quesnoy c'est quel jour ?"))
    assert "place_unknown" not in voices(messages)
    titles = [e["title"] for e in the_payload(messages, "events")["items"]]
    assert titles[0] == "Marché hebdomadaire du Quesnoy"


async def test_a_train_ticket_to_paris_gets_the_stations_not_an_unknown_place() -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        intent="ask_place_info", entities=ents(transport_mode="train", place="Paris"),
        text="vous pouvez me réserver un billet de train pour Paris ?"))
    assert "place_unknown" not in voices(messages)
    items = the_payload(messages, "places")["items"]
    assert items and all(i["kinds"] == ["train_station"] for i in items)
