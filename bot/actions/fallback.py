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
from bot.actions.searches import search_for
from bot.dialogue import slots
from bot.dialogue.followups import is_followup
from bot.dialogue.search import followup_replies, named_place_replies, search_meant


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
            # "on vient de Lille et on arrive au Quesnoy samedi, que visiter ?"
            found = await search_for(search_meant(text, entities(tracker),
                                                  search_state(tracker)),
                                     dispatcher, tracker, domain)
            if found is not None:
                return found
        speak(dispatcher, "not_understood")
        return []
