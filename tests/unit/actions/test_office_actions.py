"""Issue 16: the tourist office's phone and address are in no source of the repo. Asked for
them — by name, after its card, or by asking for a person — the bot says it does not
have them and gives the office's website; it never answers "ask the office" about the
office itself, nor shows a number."""

from __future__ import annotations

import re

from bot.actions.information import ActionContactOffice, ActionPlaceInfo
from tests.unit.actions.test_actions import (  # noqa: F401 (knowledge_base: the module's base)
    LE_QUESNOY,
    ents,
    knowledge_base,
    run,
    the_payload,
    tracker,
    voices,
)

OFFICE = "le-quesnoy-office-de-tourisme"
SITE = "https://www.tourisme-avesnois.com"
PHONE = re.compile(r"\b0\d([ .]?\d\d){4}\b")
FOCUS = {"focus": {"type": "places", "ids": [OFFICE], "current": OFFICE}}


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


async def test_asking_for_a_person_gives_the_site_and_says_what_is_missing() -> None:
    messages, _ = await run(ActionContactOffice(), tracker(
        intent="ask_human", entities=[], text="je veux appeler l'office de tourisme"))
    assert voices(messages) == ["office"]
    items = {i["id"]: i for i in the_payload(messages, "places")["items"]}
    assert items[OFFICE]["phone"] is None and items[OFFICE]["url"] == SITE
    said = text_of(messages)
    assert SITE in said and not PHONE.search(said)
    block = next(b for b in said.split("\n\n") if "bureau du Quesnoy" in b)
    assert "je n'ai ni" in block.lower() and "téléphone" in block and "adresse" in block


async def test_the_office_s_number_by_name() -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        slots=LE_QUESNOY, intent="ask_place_info", entities=ents(info_type="telephone"),
        text="le numéro de téléphone de l'office de tourisme du Quesnoy"))
    [item] = the_payload(messages, "places")["items"]
    assert item["id"] == OFFICE and item["phone"] is None
    said = text_of(messages)
    assert SITE in said and not PHONE.search(said)


async def test_and_the_number_after_the_office_s_card() -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        slots={**LE_QUESNOY, **FOCUS}, intent="ask_place_info", entities=[],
        text="et le numéro ?"))
    # its own site, not "ask the office" with a button to the office
    assert voices(messages) == ["followup_unknown_own"]
    assert not any(m.get("buttons") for m in messages)
    said = text_of(messages)
    assert SITE in said and not PHONE.search(said)
    [item] = the_payload(messages, "places")["items"]
    assert item["id"] == OFFICE


async def test_and_the_address_after_the_office_s_card() -> None:
    messages, _ = await run(ActionPlaceInfo(), tracker(
        slots={**LE_QUESNOY, **FOCUS}, intent="ask_place_info", entities=[],
        text="c'est quoi l'adresse ?"))
    # where it is (commune, map) and that the exact address is not known, with the site
    assert voices(messages) == ["followup", "followup_unknown_own"]
    said = text_of(messages)
    assert "openstreetmap.org" in said and SITE in said
