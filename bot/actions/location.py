"""Where the visitor is: the recommendation form's validation and `action_set_location`."""

from __future__ import annotations

from abc import ABC
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    KnowledgeAction,
    deliver,
    entities,
    kb,
    position,
    position_events,
    rerun,
    search_state,
    speak,
    text_of,
)
from bot.dialogue.recommend import (
    Position,
    SearchState,
    clean_interests,
    is_far_away,
    position_from_coordinates,
    position_from_text,
)
from knowledge.geo import CoordinateError

LOCATION_INTENTS = {"inform_location", "share_location"}
REQUEST_INTENTS = {"find_places", "inform_interests"}
DIGRESSIONS = {"ask_place_info", "ask_weather", "ask_transport", "ask_human", "bot_challenge",
               "help", "greet", "thank", "find_events", "find_routes"}


async def read_position(dispatcher: CollectingDispatcher, tracker: Tracker,
                        ) -> Position | None:
    """The position the latest message gives (shared coordinates or a typed place), or
    None after telling the visitor politely what was wrong."""
    ents = entities(tracker)
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    gazetteer = await kb().gazetteer_async()
    if "latitude" in ents or "longitude" in ents:
        try:
            return position_from_coordinates(ents.get("latitude"), ents.get("longitude"),
                                             gazetteer)
        except CoordinateError as exc:
            speak(dispatcher, "position_invalid", reason=str(exc))
            return None
    if intent == "share_location":
        speak(dispatcher, "position_missing")
        return None
    place = ents.get("place") or text_of(tracker)
    found = await kb().run(lambda s: position_from_text(str(place), gazetteer, s))
    if found is None and place != text_of(tracker):
        found = await kb().run(lambda s: position_from_text(text_of(tracker), gazetteer, s))
    if found is None:
        speak(dispatcher, "position_unknown", place=str(place)[:80])
    return found


class ValidateRecommendForm(FormValidationAction):
    def name(self) -> str:
        return "validate_recommend_form"

    def domain_slots(self, domain: DomainDict) -> list[str]:
        """The coordinates travel with `position_label`: without this, rasa-sdk would drop
        them because they are not questions of the form."""
        return [*super().domain_slots(domain), "latitude", "longitude"]

    async def extract_position_label(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        """A position from this message: a location intent, a request naming a place
        ("un musée près de Bavay"), or a bare town name typed when asked for it."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        ents = entities(tracker)
        if intent in LOCATION_INTENTS or (intent in REQUEST_INTENTS and "place" in ents):
            found = await read_position(dispatcher, tracker)
        elif tracker.get_slot("requested_slot") == "position_label" and intent not in DIGRESSIONS:
            # A bare answer: a town, or a place of the base ("au forum antique").
            gazetteer = await kb().gazetteer_async()
            place = str(ents.get("place") or text_of(tracker))
            found = await kb().run(lambda s: position_from_text(place, gazetteer, s))
        else:
            return {}
        if found is None:
            return {}
        return {"position_label": found.label, "latitude": found.latitude,
                "longitude": found.longitude}

    async def validate_interests(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        cleaned = clean_interests(value)
        return {"interests": cleaned or None}


class _FormQuestion(KnowledgeAction, ABC):
    """A question of the recommendation form, with its buttons (bot.dialogue.voice). Asked
    by an action rather than an `utter_ask_*` response so that every reply lives in one
    place."""

    key: str

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        speak(dispatcher, self.key)
        return []


class ActionAskPositionLabel(_FormQuestion):
    """Where are you? Share the position with one tap, or type a town."""

    key = "ask_position_label"

    def name(self) -> str:
        return "action_ask_position_label"


class ActionAskInterests(_FormQuestion):
    """What do you like? One button per interest."""

    key = "ask_interests"

    def name(self) -> str:
        return "action_ask_interests"


class ActionSetLocation(KnowledgeAction):
    """A position given outside the form: remember it and re-run the last search there."""

    def name(self) -> str:
        return "action_set_location"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        found = await read_position(dispatcher, tracker)
        if found is None:
            return []
        events = position_events(found)
        gazetteer = await kb().gazetteer_async()
        speak(dispatcher, "position_set", position_label=found.label)
        if is_far_away(found, gazetteer):
            speak(dispatcher, "position_far", position_label=found.label)
        state = search_state(tracker)
        if state is None:
            if clean_interests(tracker.get_slot("interests")):
                state = SearchState(interests=clean_interests(tracker.get_slot("interests")))
            else:
                speak(dispatcher, "ask_interests")
                return events
        state.offset, state.shown = 0, []
        outcome = await rerun(state, found, text_of(tracker))
        if outcome is None:
            return events
        return events + deliver(dispatcher, outcome)


__all__ = ["ActionSetLocation", "ValidateRecommendForm", "position"]
