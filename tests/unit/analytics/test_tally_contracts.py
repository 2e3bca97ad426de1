"""Analytics read the contracts of docs/contracts.md: the commune from the slot
`position_commune` (INSEE code) when the conversation has it, the French label only for
older conversations; recommendation payloads through `read_payload`; feedback items by
the id rule of knowledge/validation.py."""

from __future__ import annotations

import json
from typing import Any

from analytics.reader import Conversation, Event
from analytics.tally import Tally, _items, tally_conversation
from bot.dialogue.payloads import read_payload
from knowledge.validation import is_record_id

T0 = 1_780_000_000.0  # 2026-05-28


def _event(kind: str, ts: float, **data: Any) -> Event:
    return Event("v1", kind, ts, data.get("name") if kind == "action" else None,
                 json.dumps({"event": kind, "timestamp": ts, **data}))


def _conversation(*slots: tuple[str, str]) -> Conversation:
    events = [_event("user", T0, text="bonjour", input_channel="rest",
                     parse_data={"intent": {"name": "greet"}, "entities": []})]
    events += [_event("slot", T0 + 1 + i, name=name, value=value)
               for i, (name, value) in enumerate(slots)]
    return Conversation("v1", events)


def _communes(conversation: Conversation) -> dict[str, int]:
    tally = Tally()
    tally_conversation(tally, conversation)
    return {key: n for (_, _, metric, key), n in tally.counts.items() if metric == "commune"}


def test_the_commune_comes_from_position_commune() -> None:
    # The label names a POI ("« Forum antique »"): the slot says which commune it is in.
    conversation = _conversation(("position_label", "« Forum antique »"),
                                 ("position_commune", "59053"))
    assert _communes(conversation) == {"Bavay": 1}
    # A position shared twice in the same commune counts once.
    twice = _conversation(("position_commune", "59481"), ("position_label", "x"),
                          ("position_commune", "59481"), ("position_commune", "59331"))
    assert _communes(twice) == {"Le Quesnoy": 1, "Landrecies": 1}


def test_older_conversations_fall_back_on_the_label() -> None:
    assert _communes(_conversation(("position_label", "votre position (près de Bavay)"))) == {
        "Bavay": 1}
    assert _communes(_conversation(("position_label", "Le Quesnoy"))) == {"Le Quesnoy": 1}
    assert _communes(_conversation(("position_label", "votre position"))) == {}


def test_payloads_are_read_through_the_contract() -> None:
    assert read_payload({"type": "itinerary", "items": []}) is None  # not a payload type
    assert read_payload("places") is None
    read = read_payload({"type": "events", "speaker": "lea",
                         "items": [{"id": "e1", "title": "Fête"}, {"title": "sans id"}, 3]})
    assert read is not None
    assert read["type"] == "events" and read.get("speaker") == "lea"
    assert [i["id"] for i in read["items"]] == ["e1"]


def test_feedback_items_follow_the_id_rule() -> None:
    assert is_record_id("bavay-forum-antique") and is_record_id("poi:12.a")
    assert not is_record_id("bavay forum") and not is_record_id("x\n")
    assert not is_record_id("-x") and not is_record_id("a" * 121) and not is_record_id(None)


def test_a_plan_counts_the_items_of_its_stops() -> None:
    stop = {"id": "p1", "at": "2027-06-19T10:00:00+02:00", "item_type": "places",
            "item": {"id": "p1", "name": "Forum"}}
    found = _items({"data": {"custom": {"type": "plan", "speaker": "lea", "items": [stop]}}})
    assert found == ("plan", "lea", [{"id": "p1", "name": "Forum"}])
