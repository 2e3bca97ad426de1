"""A day or half-day plan ("on a une journée à Bavay", "un après-midi au Quesnoy s'il
pleut"): reached from whichever intent the NLU chose, by the words of the message
(`bot.dialogue.plan.plan_span`)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import entities, kb, new_position, send, speak, text_of
from bot.dialogue import slots
from bot.dialogue.filters import parse
from bot.dialogue.followups import Focus
from bot.dialogue.periods import resolve_period
from bot.dialogue.plan import build_plan, plan_day, plan_replies
from bot.dialogue.recommend import ALL_INTERESTS, clean_interests
from knowledge.config import PARIS, get_settings


async def plan_now(dispatcher: CollectingDispatcher, tracker: Tracker, span: str,
                   text: str | None = None, now: datetime | None = None,
                   ) -> list[dict[str, Any]]:
    """The plan of `span` around the position this message gives or the one remembered, on
    the day `text` says (else today or tomorrow), for the audience and weather it says.
    `text`: the request's words when they span several messages (the form's)."""
    text, ents = text or text_of(tracker), entities(tracker)
    pos, events, told = await new_position(dispatcher, tracker)
    if told:
        return events
    if pos is None:
        speak(dispatcher, "plan_where")
        return events
    now = now or datetime.now(timezone.utc)
    wanted = parse(text, ents, search="places")
    period = resolve_period(text, now)
    asked = period.start.astimezone(PARIS).date() if period is not None else None
    if asked is not None and asked < now.astimezone(PARIS).date():
        asked = now.astimezone(PARIS).date()
    audience = wanted.audience or (str(ents["audience"]) if ents.get("audience") else None)
    plan = await kb().run(
        build_plan, pos, plan_day(now, span, asked), span, audience=audience,
        rain=wanted.rain, interests=[i for i in clean_interests(ents.get("interest"))
                                     if i != ALL_INTERESTS],
        wheelchair=wanted.wheelchair, pushchair=wanted.pushchair, now=now)
    send(dispatcher, plan_replies(plan, get_settings().web_public_url))
    places = [s["id"] for s in plan.stops if s["item_type"] == "places"]
    if places:
        events.append(SlotSet(slots.FOCUS, Focus("places", places, places[0]).to_slot()))
    return events
