"""Names of the conversation's slots and the intent payloads of buttons, written once.

Actions, the dialogue, channels and analytics use these constants rather than the
strings, so that a slot renamed in domain.yml is renamed everywhere (a test checks
that every name here is a slot of the domain).
"""

from __future__ import annotations

import json
from typing import Any

# Where the visitor is (set together, by actions only, after validation).
LATITUDE = "latitude"
LONGITUDE = "longitude"
POSITION_LABEL = "position_label"
POSITION_COMMUNE = "position_commune"  # INSEE code of the commune the position is in/near
POSITION_SOURCE = "position_source"  # one of POSITION_SOURCES
POSITION_SOURCES = ("shared", "typed", "place")

# What the visitor asked for, and the last search (kind, filters, ids shown).
INTERESTS = "interests"
SEARCH_STATE = "search_state"
# The last items shown and the one in focus: {"type", "ids", "current"}.
FOCUS = "focus"

FEEDBACK_RATING = "feedback_rating"
FEEDBACK_ITEM = "feedback_item"
REQUESTED_SLOT = "requested_slot"

POSITION_SLOTS = (LATITUDE, LONGITUDE, POSITION_LABEL, POSITION_COMMUNE, POSITION_SOURCE)
ALL = (*POSITION_SLOTS, INTERESTS, SEARCH_STATE, FOCUS, FEEDBACK_RATING, FEEDBACK_ITEM)


def intent(name: str, **entities: Any) -> str:
    """The payload of a button sending intent `name` with entities:
    `intent("refine", radius="plus près")` → '/refine{"radius": "plus près"}'."""
    if not entities:
        return f"/{name}"
    return f"/{name}{json.dumps(entities, ensure_ascii=False)}"


def inform_location(place: str) -> str:
    return intent("inform_location", place=place)


def inform_interests(interest: str) -> str:
    return intent("inform_interests", interest=interest)


def refine(**entities: Any) -> str:
    return intent("refine", **entities)


def find_events(**entities: Any) -> str:
    return intent("find_events", **entities)


def find_routes(**entities: Any) -> str:
    return intent("find_routes", **entities)


REQUEST_MORE = intent("request_more")
ASK_HUMAN = intent("ask_human")
FIND_PLACES = intent("find_places")
SHARE_LOCATION = intent("share_location")
