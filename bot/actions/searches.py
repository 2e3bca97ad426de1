"""Recommendations: places, events, routes, "encore" and refinements."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    KnowledgeAction,
    deliver,
    entities,
    kb,
    position,
    rerun,
    search_state,
    speak,
    text_of,
)
from bot.dialogue.recommend import (
    SEARCH_NAMES,
    SearchState,
    apply_refinement,
    clean_interests,
    find_events,
    find_routes,
    recommend_places,
    route_criteria,
    territory_centre,
    unsupported_refinements,
)


class ActionRecommend(KnowledgeAction):
    """After the recommendation form: a new search for places."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        pos = position(tracker)
        if pos is None:
            speak(dispatcher, "ask_position_label")
            return []
        state = SearchState(interests=clean_interests(tracker.get_slot("interests")))
        previous = search_state(tracker)
        if previous and previous.kind == "places":  # keep the visitor's stated needs
            state.audience, state.wheelchair = previous.audience, previous.wheelchair
            state.pushchair = previous.pushchair
        apply_refinement(state, text_of(tracker), entities(tracker))
        return deliver(dispatcher, await kb().run(recommend_places, pos, state))


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
    "à vélo": change the last search and show its first page again."""

    def name(self) -> str:
        return "action_refine"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        state = search_state(tracker)
        if state is None:
            speak(dispatcher, "nothing_to_refine")
            return []
        said, ents = text_of(tracker), entities(tracker)
        unsupported = unsupported_refinements(state, said, ents)
        if unsupported:
            speak(dispatcher, "refine_unsupported", what=SEARCH_NAMES[state.kind],
                  criteria=", ".join(unsupported))
        changes = apply_refinement(state, said, ents)
        if not changes:
            if not unsupported:
                speak(dispatcher, "refine_unclear")
            return []
        outcome = await rerun(state, position(tracker), text_of(tracker))
        if outcome is None:
            speak(dispatcher, "ask_position_label")
            return []
        speak(dispatcher, "refined", changes=", ".join(changes))
        return deliver(dispatcher, outcome)


class ActionAffirm(KnowledgeAction):
    """A "oui" after results means "more of them"; otherwise, offer the main choices."""

    def name(self) -> str:
        return "action_affirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        return await continue_search(dispatcher, tracker, "affirm_nothing")


class ActionFindEvents(KnowledgeAction):
    def name(self) -> str:
        return "action_find_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        ents = entities(tracker)
        state = SearchState(kind="events", radius_km=30.0,
                            interests=clean_interests(ents.get("interest")),
                            audience=ents.get("audience"),
                            period=str(ents["period"]) if ents.get("period") else None)
        outcome = await kb().run(find_events, text_of(tracker), position(tracker), state)
        return deliver(dispatcher, outcome)


class ActionFindRoutes(KnowledgeAction):
    def name(self) -> str:
        return "action_find_routes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        state = SearchState(kind="routes", radius_km=25.0)
        route_criteria(state, text_of(tracker), entities(tracker))
        anchor = position(tracker) or territory_centre(await kb().gazetteer_async())
        return deliver(dispatcher, await kb().run(find_routes, anchor, state))
