"""Facts about one place, weather, transport, the tourism office, and feedback."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    KnowledgeAction,
    entities,
    focus,
    focus_events,
    kb,
    position,
    search_state,
    send,
    speak,
    text_of,
)
from bot.actions.plan import plan_now
from bot.actions.searches import indoor_now, search_for
from bot.dialogue import slots
from bot.dialogue.followups import ordinal_of, question_of
from bot.dialogue.plan import plan_span
from bot.dialogue.recommend import (
    Reply,
    place_info,
    tourist_office,
    transport,
)
from bot.dialogue.search import followup_replies, named_place_replies, search_meant
from knowledge.text import normalize

_RAIN = re.compile(r"\b(pleu\w*|pluie\w*|drache\w*|averse\w*|flotte|mouille|abri)\b")
_WEATHER = re.compile(r"\b(meteo\w*|temps|pleu\w*|pluie\w*|drache\w*|averse\w*|flotte|soleil|"
                      r"beau|chaud\w*|froid\w*|vent\w*|neige\w*|orage\w*|nuage\w*|abri|"
                      r"canicule|gel\w*|degres?|temperature\w*|previsions?|parapluie)\b")
_UP = re.compile(r"\b(super|genial|top|bien|parfait|merci|excellent|cool|chouette|bon|"
                 r"utile|bravo|👍)\b|👍")
_DOWN = re.compile(r"\b(nul\w*|pas terrible|mauvais|bof|inutile|pas bien|pas top|decu\w*|"
                   r"pas utile|faux)\b|👎")


class ActionPlaceInfo(KnowledgeAction):
    """Facts about a place: the one the message names first; else, for a question about
    the last thing shown ("c'est ouvert le mardi ?", "et le numéro ?", "le deuxième"),
    that record; else the place typed, by fuzzy name."""

    def name(self) -> str:
        return "action_place_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        ents, text, pos = entities(tracker), text_of(tracker), position(tracker)
        # The whole message first: "la tombe de Wilfred Owen" is not the "Wilfred Owen" house
        named = await kb().run(named_place_replies, text, pos)
        if named is None and ents.get("place"):
            named = await kb().run(named_place_replies, str(ents["place"]), pos)
        shown = focus(tracker)
        if named is None and shown is not None and (
                question_of(text) is not None or ordinal_of(text) is not None):
            answered = await kb().run(followup_replies, shown, text, pos)
            if answered is not None:
                send(dispatcher, answered[0])
                return focus_events(answered[0])
        if named is not None:
            send(dispatcher, named[0])
            return [SlotSet(slots.FOCUS, named[1].to_slot())]
        name = str(ents.get("place") or text)
        replies = await kb().run(place_info, name, ents.get("info_type"), pos)
        unknown = replies[0].response == "place_unknown"
        meant = search_meant(text, ents, search_state(tracker)) if unknown else None
        if unknown and (not ents.get("place") or meant == "events" or (
                await kb().gazetteer_async()).exact(normalize(str(ents["place"]))) is not None):
            # No place named, a town, or an event asked when ("le marché du Quesnoy c'est
            # quel jour ?"): a search the NLU misread ("et en janvier ?" after events, "un
            # zoo pour les petits ?", "on est au Quesnoy avec les enfants, que faire ?");
            # "le zoo de Lille" stays a place the family does not know.
            found = await search_for(meant, dispatcher, tracker, domain)
            if found is not None:
                return found
        if unknown and ents.get("transport_mode"):
            # "un billet de train pour Paris ?": not a place of ours; the stations and who
            # sells tickets are what the family knows
            return await ActionTransport().run(dispatcher, tracker, domain)
        if unknown and shown is None and not ents.get("place"):
            replies = [Reply("focus_missing")]
        send(dispatcher, replies)
        return focus_events(replies)


class ActionWeather(KnowledgeAction):
    """No live weather is configured: say so honestly; if it rains, indoor ideas."""

    def name(self) -> str:
        return "action_weather"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        said = normalize(text_of(tracker) + " " + str(entities(tracker).get("period") or ""))
        if not _WEATHER.search(said):
            # no word of weather at all: a place named ("la tombe de Wilfred Owen") that the
            # NLU took for a weather question is shown, not a forecast excuse
            named = await kb().run(named_place_replies, text_of(tracker), position(tracker))
            if named is not None:
                send(dispatcher, named[0])
                return [SlotSet(slots.FOCUS, named[1].to_slot())]
        if span := plan_span(text_of(tracker)):  # "un après-midi au Quesnoy s'il pleut"
            return await plan_now(dispatcher, tracker, span)
        if not _RAIN.search(said):
            speak(dispatcher, "weather_honest")
            return []
        return await indoor_now(dispatcher, tracker)


class ActionTransport(KnowledgeAction):
    def name(self) -> str:
        return "action_transport"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        said = [e.get("text") or "" for e in tracker.events if e.get("event") == "bot"]
        reply = await kb().run(transport, position(tracker), await kb().gazetteer_async(), said)
        send(dispatcher, [reply])
        return []


class ActionContactOffice(KnowledgeAction):
    def name(self) -> str:
        return "action_contact_office"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        reply = await kb().run(tourist_office, await kb().gazetteer_async(),
                               position(tracker))
        send(dispatcher, [reply])
        return []


class ActionRecordFeedback(KnowledgeAction):
    """👍/👎 on a recommendation: kept in the conversation as slot events, for analysis."""

    def name(self) -> str:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        ents = entities(tracker)
        rating = str(ents.get("rating") or "").lower()
        if rating not in ("up", "down"):
            said = normalize(text_of(tracker)) + " " + text_of(tracker)
            rating = "down" if _DOWN.search(said) else "up" if _UP.search(said) else "comment"
        item = ents.get("item")
        if not item:
            state = search_state(tracker)
            item = state.shown[-1] if state and state.shown else None
        key = {"up": "feedback_thanks_up", "down": "feedback_thanks_down"}.get(
            rating, "feedback_thanks")
        speak(dispatcher, key)
        return [SlotSet("feedback_rating", rating),
                SlotSet("feedback_item", str(item)[:120] if item else None)]
