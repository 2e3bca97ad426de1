"""Recommendations: places, events, routes, "encore" and refinements."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
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
    new_position,
    position,
    rerun,
    search_state,
    send,
    speak,
    text_of,
)
from bot.actions.plan import plan_now
from bot.dialogue import slots
from bot.dialogue.filters import ROUTE_INTERESTS, parse, travelling_only
from bot.dialogue.followups import asks_about_it, is_followup
from bot.dialogue.plan import plan_span
from bot.dialogue.recommend import (
    ALL_INTERESTS,
    SEARCH_NAMES,
    clean_interests,
    indoor_ideas,
    route_criteria,
    territory_centre,
)
from bot.dialogue.search import (
    Search,
    apply_filters,
    followup_replies,
    guess_interests,
    named_place_replies,
    new_search,
    refine,
    search_meant,
)


def request_of(tracker: Tracker) -> tuple[str, dict[str, Any]]:
    """The words of the request: every message of the visitor since the recommendation
    form started ("un estaminet", then "Le Quesnoy" when asked where), and their entities."""
    texts: list[str] = []
    ents: dict[str, Any] = {}
    started = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "active_loop" and event.get("name") == "recommend_form":
            started = True
        elif event.get("event") == "user":
            texts.insert(0, str(event.get("text") or ""))
            for ent in (event.get("parse_data") or {}).get("entities") or []:
                if ent.get("entity") and ent.get("entity") not in ents:
                    ents[ent["entity"]] = ent.get("value")
            if started:
                break
    if not started:
        texts = []
    latest = text_of(tracker)
    if not texts or texts[-1] != latest:
        texts.append(latest)
    return " ; ".join(t for t in texts if t)[:2000], {**ents, **entities(tracker)}


class ActionRecommend(KnowledgeAction):
    """After the recommendation form: the place named first, else a new search for places
    with every filter the visitor stated."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        pos = position(tracker)
        text, ents = request_of(tracker)
        if span := plan_span(text):  # "on a une journée à Bavay" (after the form's questions)
            return await plan_now(dispatcher, tracker, span, text)
        named = await kb().run(named_place_replies, text_of(tracker), pos)
        if named is not None:
            send(dispatcher, named[0])
            return [SlotSet(slots.FOCUS, named[1].to_slot())]
        wanted = parse(text, ents, search="places")
        if wanted.rain and not wanted.kinds:  # "il pleut, que faire avec les enfants ?"
            return await indoor_now(dispatcher, tracker)
        if pos is None:
            speak(dispatcher, "ask_position_label")
            return []
        interests = clean_interests(tracker.get_slot(slots.INTERESTS))
        if travelling_only(text):  # "on arrive à vélo…, qu'est-ce qu'il y a comme patrimoine ?"
            interests = [i for i in interests if i not in ROUTE_INTERESTS] or [ALL_INTERESTS]
        state = new_search("places", search_state(tracker), interests)
        apply_filters(state, wanted)
        outcome = await rerun(state, pos, text)
        if outcome is None:
            speak(dispatcher, "ask_position_label")
            return []
        return deliver(dispatcher, outcome)


async def continue_search(dispatcher: CollectingDispatcher, tracker: Tracker,
                          otherwise: str) -> list[dict[str, Any]]:
    """The next page of the last search, or the reply `otherwise` when there is none."""
    state = search_state(tracker)
    outcome = await rerun(state, position(tracker), text_of(tracker)) if state else None
    if outcome is None:
        speak(dispatcher, otherwise)
        return []
    return deliver(dispatcher, outcome)


class ActionMore(KnowledgeAction):
    """ "Encore", "autre chose": the next page of the last search, without repeats."""

    def name(self) -> str:
        return "action_more"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await continue_search(dispatcher, tracker, "nothing_to_refine")


class ActionRefine(KnowledgeAction):
    """ "Plus près", "pour les enfants", "accessible en fauteuil", "ouvert maintenant",
    "à vélo", "5 km max", "un gîte plutôt": change the last search and show its first page
    again. A question about the last thing shown ("c'est loin ?") is answered instead."""

    def name(self) -> str:
        return "action_refine"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        said, ents = text_of(tracker), entities(tracker)
        state = search_state(tracker)
        changes: list[str] = []
        cannot: list[str] = []
        if state is not None:
            changes, cannot = refine(state, said, ents)
        shown = focus(tracker)
        if not changes and shown is not None and is_followup(said, shown) \
                and (not cannot or asks_about_it(said)):
            # "c'est loin ?", "c'est ouvert le mardi ?": about the last thing shown
            answered = await kb().run(followup_replies, shown, said, position(tracker))
            if answered is not None:
                send(dispatcher, answered[0])
                return focus_events(answered[0])
        if state is None:
            found = await search_for(search_meant(said, ents, None), dispatcher, tracker,
                                     domain)
            if found is not None:
                return found
            speak(dispatcher, "nothing_to_refine")
            return []
        if cannot:
            speak(dispatcher, "refine_unsupported", what=SEARCH_NAMES[state.kind],
                  criteria=", ".join(cannot))
        if not changes:
            if not cannot:
                speak(dispatcher, "refine_unclear")
            return []
        pos, events, told = await new_position(dispatcher, tracker)
        if told:
            return []
        outcome = await rerun(state, pos, said)
        if outcome is None:
            speak(dispatcher, "ask_position_label")
            return events
        speak(dispatcher, "refined", changes=", ".join(changes))
        return events + deliver(dispatcher, outcome)


class ActionAffirm(KnowledgeAction):
    """A "oui" after results means "more of them"; otherwise, offer the main choices."""

    def name(self) -> str:
        return "action_affirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await continue_search(dispatcher, tracker, "affirm_nothing")


class ActionFindEvents(KnowledgeAction):
    """Events of a period, near the position this message gives or the one remembered,
    with the visitor's needs (audience, accessibility)."""

    def name(self) -> str:
        return "action_find_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await find_events_now(dispatcher, tracker)


async def find_events_now(dispatcher: CollectingDispatcher, tracker: Tracker,
                          *, same_topic: bool = False) -> list[dict[str, Any]]:
    """Events of the period this message says; `same_topic` keeps the interests of the
    last events search ("et en janvier ?")."""
    ents, text = entities(tracker), text_of(tracker)
    # "que faire ce week-end avec les enfants ?" is a plan; "que faire ce week-end ?", events
    if span := plan_span(text, loose=parse(text, ents).audience is not None):
        return await plan_now(dispatcher, tracker, span)
    pos, events, told = await new_position(dispatcher, tracker)
    if told:
        return events
    last = search_state(tracker)
    interests = clean_interests(ents.get("interest"))
    if same_topic and last is not None and last.kind == "events" and not interests:
        interests = list(last.interests)
    state = new_search("events", last, interests)
    state.period = str(ents["period"]) if ents.get("period") else None
    apply_filters(state, parse(text, ents, search="events"))
    if ents.get("audience") and not state.audience:
        state.audience = str(ents["audience"])
    outcome = await rerun(state, pos, text)
    if outcome is None:
        return events
    return events + deliver(dispatcher, outcome)


async def indoor_now(dispatcher: CollectingDispatcher, tracker: Tracker,
                     ) -> list[dict[str, Any]]:
    """A rainy day ("il pleut, que faire à l'abri avec les enfants ?"): indoor ideas near
    the visitor (or the territory's centre), for the audience said."""
    ents, text = entities(tracker), text_of(tracker)
    pos, events, told = await new_position(dispatcher, tracker)
    if told:
        return events
    anchor = pos or territory_centre(await kb().gazetteer_async())
    audience = parse(text, ents).audience
    outcome = await kb().run(indoor_ideas, anchor, None, audience)
    speak(dispatcher, "weather_rain")
    return events + deliver(dispatcher, outcome)


async def find_places_now(dispatcher: CollectingDispatcher, tracker: Tracker,
                          ) -> list[dict[str, Any]]:
    """Places for a request the NLU read as something else ("un zoo pour les petits ?",
    "on est au Quesnoy avec les enfants, que faire ?"): from the position the message
    gives or the one remembered, what its words ask for."""
    ents, text = entities(tracker), text_of(tracker)
    pos, events, told = await new_position(dispatcher, tracker)
    if told:
        return events
    if pos is None:
        speak(dispatcher, "ask_position_label")
        return events
    wanted = parse(text, ents, search="places")
    interests = [i for i in clean_interests(ents.get("interest")) if i not in ROUTE_INTERESTS]
    state = new_search("places", search_state(tracker),
                       interests or guess_interests(None, text, wanted) or [ALL_INTERESTS])
    apply_filters(state, wanted)
    outcome = await rerun(state, pos, text)
    if outcome is None:
        return events
    return events + deliver(dispatcher, outcome)


class ActionFindRoutes(KnowledgeAction):
    """Hikes and rides near the position this message gives or the one remembered, by
    mode, length ("5 km max", "pas trop longue") and difficulty ("à plat")."""

    def name(self) -> str:
        return "action_find_routes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        ents, text = entities(tracker), text_of(tracker)
        if span := plan_span(text):
            return await plan_now(dispatcher, tracker, span)
        pos, events, told = await new_position(dispatcher, tracker)
        if told:
            return events
        named = await kb().run(named_place_replies, text, pos)
        if named is not None and named[1].type == "routes":  # "le circuit des sabotiers"
            send(dispatcher, named[0])
            return events + [SlotSet(slots.FOCUS, named[1].to_slot())]
        if travelling_only(text) and (set(clean_interests(ents.get("interest")))
                                      - ROUTE_INTERESTS or parse(text, ents).kinds):
            return await find_places_now(dispatcher, tracker)  # "on arrive à vélo à Ors…"
        state: Search = new_search("routes", search_state(tracker))
        route_criteria(state, text, ents)  # mode (and a first reading of length)
        wanted = parse(text, ents, search="routes")
        state.difficulty = wanted.difficulty  # "pas trop longue" is not "difficile"
        if wanted.short or wanted.flat:
            state.min_km = None
        apply_filters(state, wanted)
        state.offset, state.shown = 0, []
        outcome = await rerun(state, pos, text)
        if outcome is None:
            return events
        return events + deliver(dispatcher, outcome)


async def search_for(meant: str | None, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> list[dict[str, Any]] | None:
    """Run the search `search_meant` found in a message the NLU read as something else;
    None when there is none (the caller answers as it would have)."""
    text = text_of(tracker)
    if meant == "plan":
        return await plan_now(dispatcher, tracker, plan_span(text) or "day")
    if meant == "events":
        return await find_events_now(dispatcher, tracker, same_topic=True)
    if meant == "indoor":
        return await indoor_now(dispatcher, tracker)
    if meant == "routes":
        return await ActionFindRoutes().run(dispatcher, tracker, domain)
    if meant == "places":
        return await find_places_now(dispatcher, tracker)
    return None
