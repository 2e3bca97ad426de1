"""A day plan (`type: "plan"`) on the messaging channels: SMS as the stops and times with a
link in at most 3 segments; Telegram and WhatsApp get a venue per stop named with its time."""

from __future__ import annotations

import copy
from typing import Any

from bot.dialogue.payloads import read_payload
from connectors.messaging import mapped_items
from connectors.sms import compose, segments

LINK = ("http://127.0.0.1:8080/plan?jour=2027-06-19&lieu=Bavay&etapes=10:00~90~places~"
        "bavay-forum-antique,12:30~75~places~bavay-auberge,14:30~120~routes~bavay-circuit-"
        "des-sources,17:00~120~events~evt-fete-musique-bavay")


def _stop(slot: str, at: str, item_type: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "slot": slot, "label": slot, "at": at, "end": at,
            "item_type": item_type, "item": item, "leg_km": None, "leg_mode": None,
            "hours_known": False}


PLAN: dict[str, Any] = {
    "type": "plan", "speaker": "lea", "where": "Bavay", "day": "2027-06-19", "span": "day",
    "title": "Journée à Bavay, samedi 19 juin", "gaps": [], "link": LINK,
    "ics": LINK.replace("/plan?", "/plan.ics?"),
    "items": [
        _stop("visit", "2027-06-19T10:00:00+02:00", "places", {
            "id": "bavay-forum-antique", "name": "Forum antique de Bavay – musée archéologique",
            "latitude": 50.2986, "longitude": 3.7911, "commune": "Bavay"}),
        _stop("lunch", "2027-06-19T12:30:00+02:00", "places", {
            "id": "bavay-auberge", "name": "Auberge d'essai", "latitude": 50.295,
            "longitude": 3.799, "commune": "Bavay"}),
        _stop("outing", "2027-06-19T14:30:00+02:00", "routes", {
            "id": "bavay-circuit-des-sources", "name": "Circuit des sources",
            "latitude": 50.30, "longitude": 3.80, "commune": "Bavay"}),
        _stop("evening", "2027-06-19T17:00:00+02:00", "events", {
            "id": "evt-fete-musique-bavay", "title": "Fête de la musique",
            "latitude": 50.2936, "longitude": 3.8031, "commune": "Bavay",
            "start": "2027-06-19T17:00:00+02:00"}),
    ],
}
SENTENCE = {"text": "🎈 Léa : Voici une idée de journée à Bavay, samedi 19 juin. Tout vient de "
                    "notre base : vérifiez les horaires avant de partir."}
BODY = {"text": "1. 10 h — Visite : Forum antique…\n   ↓ 1 km à pied\n2. …", "custom": PLAN}


def test_the_sms_is_the_stops_their_times_and_the_link() -> None:
    body, choices = compose([SENTENCE, BODY])
    assert segments(body) <= 3 and choices == []
    lines = body.splitlines()
    assert lines[0] == "Journée à Bavay, samedi 19 juin :"
    assert lines[1:5] == ["10 h - Forum antique de Bavay - musée archéologique",
                          "12 h 30 - Auberge d'essai", "14 h 30 - Circuit des sources",
                          "17 h - Fete de la musique"]  # GSM-7 has no ê
    assert lines[-1] == f"Le plan complet : {LINK}"
    assert "↓" not in body and "km" not in body       # the legs stay on the plan's page


def test_a_plan_too_long_for_three_segments_drops_stops_not_the_link() -> None:
    long = copy.deepcopy(PLAN)
    for stop in long["items"]:
        key = "title" if "title" in stop["item"] else "name"
        stop["item"][key] = stop["item"][key] + " et ses merveilles" * 8
    body, _ = compose([{"custom": long, "text": "…"}])
    assert segments(body) <= 3
    assert body.endswith(LINK) and body.count(" - ") < 4


def test_messaging_apps_get_a_venue_per_stop_named_with_its_time() -> None:
    items = mapped_items(BODY)
    assert [i["id"] for i in items] == [s["id"] for s in PLAN["items"]]
    assert items[0]["name"] == "10 h - Forum antique de Bavay – musée archéologique"
    assert items[3]["title"] == "17 h - Fête de la musique"
    assert PLAN["items"][0]["item"]["name"].startswith("Forum")  # the payload is untouched


def test_a_plan_read_back_keeps_only_well_formed_stops() -> None:
    sent = copy.deepcopy(PLAN)
    sent["items"] += [{"id": "x"}, {"id": "y", "item": {"id": "z"}, "item_type": "places"},
                      {"id": "w", "item": {"id": "w"}, "item_type": "people"}, "junk"]
    sent["gaps"] = "not a list"
    read = read_payload(sent)
    assert read is not None and read["type"] == "plan"
    assert [s["id"] for s in read["items"]] == [s["id"] for s in PLAN["items"]]
    assert read["gaps"] == [] and read["link"] == LINK and read["day"] == "2027-06-19"
