"""When the NLU gave up (`nlu_fallback`): what the words still say, before the buttons.

A place or route of the base named alone ("la colonne Brunehaut"), a question about the
last thing shown ("et le numéro ?"), or a kind of place ("une brasserie") is answered as
such; anything else gets the family's "pas bien compris" and its buttons.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    KnowledgeAction,
    focus,
    focus_events,
    kb,
    position,
    send,
    speak,
    text_of,
)
from bot.actions.plan import plan_now
from bot.actions.searches import find_places_now
from bot.dialogue import slots
from bot.dialogue.filters import parse
from bot.dialogue.followups import is_followup
from bot.dialogue.plan import plan_span
from bot.dialogue.search import followup_replies, named_place_replies


class ActionFallback(KnowledgeAction):
    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        text, pos = text_of(tracker), position(tracker)
        if text and not text.startswith("/"):
            named = await kb().run(named_place_replies, text, pos)
            if named is not None:
                send(dispatcher, named[0])
                return [SlotSet(slots.FOCUS, named[1].to_slot())]
            shown = focus(tracker)
            if shown is not None and is_followup(text, shown):
                answered = await kb().run(followup_replies, shown, text, pos)
                if answered is not None:
                    send(dispatcher, answered[0])
                    return focus_events(answered[0])
            if span := plan_span(text):
                return await plan_now(dispatcher, tracker, span)
            if parse(text, search="places").kinds:
                return await find_places_now(dispatcher, tracker)
        speak(dispatcher, "not_understood")
        return []
