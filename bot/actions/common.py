"""What every action shares: the knowledge base handle, reading the tracker (position,
search, focus), sending `Reply` objects. No SQL and no conversation logic here (that is
`bot.dialogue`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue import slots
from bot.dialogue.followups import Focus
from bot.dialogue.position import (
    Position,
    is_outside,
    position_from_coordinates,
    read_position,
)
from bot.dialogue.recommend import PAGE_SIZE, Outcome, Reply, territory_centre
from bot.dialogue.search import Search, outside
from bot.dialogue.search import run as run_search
from bot.dialogue.voice import BUTTONS, say
from knowledge.aio import KnowledgeBase
from knowledge.geo import CoordinateError

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


def previous_text(tracker: Tracker) -> str:
    """The visitor's message before this one ("" when there is none)."""
    said = [str(e.get("text") or "") for e in tracker.events or [] if e.get("event") == "user"]
    return said[-2] if len(said) >= 2 else ""


def position(tracker: Tracker) -> Position | None:
    lat, lon = tracker.get_slot(slots.LATITUDE), tracker.get_slot(slots.LONGITUDE)
    label = tracker.get_slot(slots.POSITION_LABEL)
    if lat is None or lon is None or not label:
        return None
    source = tracker.get_slot(slots.POSITION_SOURCE)
    commune = tracker.get_slot(slots.POSITION_COMMUNE)
    return Position(float(lat), float(lon), str(label),
                    str(source) if source in slots.POSITION_SOURCES else "typed",
                    str(commune) if commune else None)


def position_events(pos: Position) -> list[dict[str, Any]]:
    return [SlotSet(slots.POSITION_LABEL, pos.label), SlotSet(slots.LATITUDE, pos.latitude),
            SlotSet(slots.LONGITUDE, pos.longitude),
            SlotSet(slots.POSITION_COMMUNE, pos.commune),
            SlotSet(slots.POSITION_SOURCE, pos.source)]


def search_state(tracker: Tracker) -> Search | None:
    return Search.of(tracker.get_slot(slots.SEARCH_STATE))


def focus(tracker: Tracker) -> Focus | None:
    """The last items shown; for a conversation that has no focus yet, the last page of
    its search."""
    found = Focus.from_slot(tracker.get_slot(slots.FOCUS))
    if found is None:
        state = search_state(tracker)
        if state is not None and state.shown:
            page = state.shown[-min(PAGE_SIZE, len(state.shown)):]
            found = Focus(state.kind, page, page[0])
    return found


def focus_events(replies: list[Reply]) -> list[dict[str, Any]]:
    """The focus on the items of the last reply that showed some (the first in focus)."""
    for reply in reversed(replies):
        custom = reply.custom
        if custom and custom.get("items"):
            found = Focus.shown(str(custom["type"]), [dict(i) for i in custom["items"]])
            if found is not None:
                return [SlotSet(slots.FOCUS, found.to_slot())]
    return []


async def message_position(dispatcher: CollectingDispatcher, tracker: Tracker, *,
                           bare: bool = False) -> tuple[Position | None, bool]:
    """The position this message gives (a newer position always wins over the one
    remembered), and whether the visitor was already told why there is none (impossible
    coordinates; a position outside the territory, with its nearest entry points)."""
    ents = entities(tracker)
    gazetteer = await kb().gazetteer_async()
    if "latitude" in ents or "longitude" in ents:
        try:
            found: Position | None = position_from_coordinates(
                ents.get("latitude"), ents.get("longitude"), gazetteer)
        except CoordinateError as exc:
            speak(dispatcher, "position_invalid", reason=str(exc))
            return None, True
    else:
        text, place = text_of(tracker), str(ents.get("place") or "")
        found = await kb().run(lambda s: read_position(text, place, gazetteer, s, bare=bare))
    if found is not None and is_outside(found, gazetteer):
        send(dispatcher, [outside(found, gazetteer)])
        return None, True
    return found, False


async def new_position(dispatcher: CollectingDispatcher, tracker: Tracker,
                        ) -> tuple[Any, list[dict[str, Any]], bool]:
    """The position this message gives, else the one remembered; its slot events; and
    whether the visitor was told it is outside (then nothing is measured from there)."""
    found, told = await message_position(dispatcher, tracker)
    if found is not None:
        return found, position_events(found), False
    return position(tracker), [], told


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


async def rerun(state: Search, pos: Position | None, text: str) -> Outcome | None:
    """Run a search again (next page, after a refinement, or from a new position);
    None when places are asked for but the position is unknown."""
    centre = territory_centre(await kb().gazetteer_async())
    return await kb().run(run_search, pos, state, text, centre)


def outcome_events(outcome: Outcome) -> list[dict[str, Any]]:
    events = []
    if outcome.state is not None:
        events.append(SlotSet(slots.SEARCH_STATE, outcome.state.to_slot()))
    if outcome.position is not None:
        events.extend(position_events(outcome.position))
    return events + focus_events(outcome.replies)


class KnowledgeAction(Action, ABC):
    """Base of the project's actions (abstract, so rasa-sdk does not register it)."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""
