"""Where the visitor is: the recommendation form's validation and `action_set_location`."""

from __future__ import annotations

from abc import ABC
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    KnowledgeAction,
    deliver,
    entities,
    focus,
    focus_events,
    kb,
    message_position,
    position,
    position_events,
    previous_text,
    rerun,
    search_state,
    send,
    speak,
    text_of,
)
from bot.actions.plan import plan_now
from bot.actions.searches import search_for
from bot.dialogue import slots
from bot.dialogue.filters import parse
from bot.dialogue.followups import is_followup
from bot.dialogue.named import named_place
from bot.dialogue.plan import plan_span
from bot.dialogue.position import Position
from bot.dialogue.recommend import clean_interests
from bot.dialogue.search import (
    Search,
    apply_filters,
    followup_replies,
    guess_interests,
    place_not_position,
    search_meant,
)

LOCATION_INTENTS = {"inform_location", "share_location"}
DIGRESSIONS = {"ask_place_info", "ask_weather", "ask_transport", "ask_human", "bot_challenge",
               "help", "greet", "thank", "find_events", "find_routes", "goodbye", "feedback"}


def _slots_of(found: Position) -> dict[str, Any]:
    return {slots.POSITION_LABEL: found.label, slots.LATITUDE: found.latitude,
            slots.LONGITUDE: found.longitude, slots.POSITION_COMMUNE: found.commune,
            slots.POSITION_SOURCE: found.source}


class ValidateRecommendForm(FormValidationAction):
    def name(self) -> str:
        return "validate_recommend_form"

    def domain_slots(self, domain: DomainDict) -> list[str]:
        """The coordinates, commune and source travel with `position_label`: without this,
        rasa-sdk would drop them because they are not questions of the form."""
        return [*super().domain_slots(domain), slots.LATITUDE, slots.LONGITUDE,
                slots.POSITION_COMMUNE, slots.POSITION_SOURCE]

    async def extract_position_label(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        """A position from this message, said any way ("on arrive au Quesnoy", "un musée
        près de Bavay", a bare town name when asked, a shared pin): a newer position
        always wins. A place of the base named without any position known becomes the
        position ("la tombe de Wilfred Owen")."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in DIGRESSIONS:
            return {}
        asked = tracker.get_slot(slots.REQUESTED_SLOT) == slots.POSITION_LABEL
        ents = entities(tracker)
        if intent == "share_location" and "latitude" not in ents and not ents.get("place"):
            speak(dispatcher, "position_missing")
            return {}
        found, _told = await message_position(dispatcher, tracker,
                                              bare=asked or intent in LOCATION_INTENTS)
        if found is None and intent in LOCATION_INTENTS and not _told:
            speak(dispatcher, "position_unknown",
                  place=str(ents.get("place") or text_of(tracker))[:80])
        if found is None and tracker.get_slot(slots.POSITION_LABEL) is None:
            text = text_of(tracker)
            poi = await kb().run(named_place, text)
            if poi is not None:
                found = Position(poi.latitude, poi.longitude, f"« {poi.name} »", "place",
                                 poi.commune_insee)
        return _slots_of(found) if found is not None else {}

    async def extract_interests(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        """What to look for, guessed from the words when no interest was picked ("un
        estaminet" → gastronomie, "pour les enfants" → famille, a named place): the interest
        picker only when the family truly cannot guess."""
        if tracker.get_slot(slots.INTERESTS) or entities(tracker).get("interest"):
            return {}
        text = text_of(tracker)
        guessed = await kb().run(guess_interests, text, parse(text, entities(tracker)))
        return {slots.INTERESTS: guessed} if guessed else {}

    async def validate_interests(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        cleaned = clean_interests(value)
        return {slots.INTERESTS: cleaned or None}


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
        ents, text = entities(tracker), text_of(tracker)
        if span := plan_span(text):  # "on a une journée à Bavay"
            return await plan_now(dispatcher, tracker, span)
        asked = previous_text(tracker)
        if span := plan_span(asked):  # "une journée avec les enfants ?" - "où ?" - "Bavay"
            return await plan_now(dispatcher, tracker, span, f"{asked} ; {text}")
        shown = focus(tracker)
        if "latitude" not in ents and shown is not None and is_followup(text, shown):
            # "c'est balisé ?" read as a location: a question about the last thing shown
            answered = await kb().run(followup_replies, shown, text, position(tracker))
            if answered is not None:
                send(dispatcher, answered[0])
                return focus_events(answered[0]) or []
        if "latitude" not in ents:
            # "la forêt de Mormal" with the position known: the forest, not L'Orée de Mormal
            named = await kb().run(place_not_position, await kb().gazetteer_async(), text,
                                   position(tracker))
            if named is not None:
                send(dispatcher, named[0])
                return [SlotSet(slots.FOCUS, named[1].to_slot())]
        if search_state(tracker) is None and "latitude" not in ents:
            # "on loge à Jolimetz, une boucle à pied de 2 h max": the search it asks for
            meant = search_meant(text, ents, None)
            if meant in ("routes", "events", "indoor"):
                return await search_for(meant, dispatcher, tracker, domain) or []
        found, told = await message_position(dispatcher, tracker, bare=True)
        if found is None:
            if not told:
                intent = (tracker.latest_message.get("intent") or {}).get("name")
                if intent == "share_location" and not ents.get("place"):
                    speak(dispatcher, "position_missing")
                else:
                    speak(dispatcher, "position_unknown",
                          place=str(ents.get("place") or text)[:80])
            return []
        events = position_events(found)
        speak(dispatcher, "position_set", position_label=found.label)
        state = search_state(tracker)
        if state is None:
            interests = clean_interests(tracker.get_slot(slots.INTERESTS)) or await kb().run(
                guess_interests, text, parse(text, ents))
            if not interests:
                speak(dispatcher, "ask_interests")
                return events
            state = Search(interests=interests)
            apply_filters(state, parse(text, ents))  # "un gîte du côté de Bavay": gîtes
        state.offset, state.shown = 0, []
        outcome = await rerun(state, found, text)
        if outcome is None:
            return events
        return events + deliver(dispatcher, outcome)


__all__ = ["ActionSetLocation", "ValidateRecommendForm", "position"]
