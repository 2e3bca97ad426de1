"""What every action shares: the knowledge base handle, reading the tracker, sending
`Reply` objects. No SQL and no conversation logic here (that is `bot.dialogue.recommend`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.recommend import (
    Outcome,
    Position,
    Reply,
    SearchState,
    find_events,
    find_routes,
    recommend_places,
    territory_centre,
)
from bot.dialogue.voice import BUTTONS, say
from knowledge.aio import KnowledgeBase

_KB: KnowledgeBase | None = None


def kb() -> KnowledgeBase:
    """The process's knowledge base, opened on first use (never at import time)."""
    global _KB
    if _KB is None:
        _KB = KnowledgeBase()
    return _KB


def use_knowledge_base(instance: KnowledgeBase | None) -> None:
    """Point the actions at another knowledge base (tests)."""
    global _KB
    _KB = instance


def entities(tracker: Tracker) -> dict[str, Any]:
    """Entities of the latest message: the first value of each, a list for `interest`."""
    out: dict[str, Any] = {}
    for ent in tracker.latest_message.get("entities") or []:
        name, value = ent.get("entity"), ent.get("value")
        if name == "interest":
            out.setdefault("interest", []).append(value)
        elif name and name not in out:
            out[name] = value
    return out


def text_of(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")[:2000]


def position(tracker: Tracker) -> Position | None:
    lat, lon = tracker.get_slot("latitude"), tracker.get_slot("longitude")
    label = tracker.get_slot("position_label")
    if lat is None or lon is None or not label:
        return None
    return Position(float(lat), float(lon), str(label))


def position_events(pos: Position) -> list[dict[str, Any]]:
    return [SlotSet("position_label", pos.label), SlotSet("latitude", pos.latitude),
            SlotSet("longitude", pos.longitude)]


def search_state(tracker: Tracker) -> SearchState | None:
    return SearchState.from_slot(tracker.get_slot("search_state"))


def speak(dispatcher: CollectingDispatcher, key: str, *,
          buttons: list[dict[str, str]] | None = None, **variables: Any) -> None:
    """Say reply `key` of bot.dialogue.voice. The key travels with the message (`voice`), so
    tests and conversation logs know which reply was given whatever its wording."""
    dispatcher.utter_message(text=say(key, **variables),
                             buttons=buttons if buttons is not None else BUTTONS.get(key),
                             voice=key)


def send(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    """Each reply: the family member's sentence, then the facts from the knowledge base
    with the `custom` payload; buttons go on the last message."""
    for reply in replies:
        has_body = bool(reply.text or reply.custom)
        speak(dispatcher, reply.response, buttons=None if has_body else reply.buttons or None,
              **reply.variables)
        if has_body:
            dispatcher.utter_message(text=reply.text, json_message=reply.custom,
                                     buttons=reply.buttons or None, voice=reply.response)


def deliver(dispatcher: CollectingDispatcher, outcome: Outcome) -> list[dict[str, Any]]:
    """Send an outcome's replies and return the slot events that remember it."""
    send(dispatcher, outcome.replies)
    return outcome_events(outcome)


async def rerun(state: SearchState, pos: Position | None, text: str) -> Outcome | None:
    """Run a search again (next page, after a refinement, or from a new position);
    None when places are asked for but the position is unknown."""
    if state.kind == "events":
        return await kb().run(find_events, text, pos, state)
    anchor = pos or territory_centre(await kb().gazetteer_async())
    if state.kind == "routes":
        return await kb().run(find_routes, anchor, state)
    if pos is None:
        return None
    return await kb().run(recommend_places, pos, state)


def outcome_events(outcome: Outcome) -> list[dict[str, Any]]:
    events = []
    if outcome.state is not None:
        events.append(SlotSet("search_state", outcome.state.to_slot()))
    if outcome.position is not None:
        events.extend(position_events(outcome.position))
    return events


class KnowledgeAction(Action, ABC):
    """Base of the project's actions (abstract, so rasa-sdk does not register it)."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""
