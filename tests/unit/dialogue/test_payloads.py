"""The payload builders (bot/dialogue/payloads.py, docs/contracts.md "Payloads"): what a
card may say about a price, built from records that need no database."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from bot.dialogue.payloads import event_item, poi_item, price_of
from knowledge.models import Commune, Event, Poi
from knowledge.queries import EventHit, PoiHit


def place(**fields: Any) -> PoiHit:
    poi = Poi(id="bavay-colonne-brunehaut", name="Colonne Brunehaut", kind="monument",
              kinds=["monument"], interests=["patrimoine"], latitude=50.2936,
              longitude=3.8031, coord_precision="commune", accessibility_labels=[],
              commune=Commune(insee="59053", name="Bavay"), is_example=False, **fields)
    return PoiHit(poi, 0.0, None, 1.0)


@pytest.mark.parametrize(("stored", "said"), [
    (None, None),                                        # unknown: never assumed free
    ({}, None),
    ({"free": False}, None),                             # nothing a visitor can read
    ({"free": "yes"}, None),                             # only a true boolean says free
    ({"free": True}, {"free": True}),
    ({"free": True, "note": " sauf expositions "}, {"free": True, "text": "sauf expositions"}),
    ({"text": "de 3 à 5 €", "currency": "EUR"}, {"text": "de 3 à 5 €"}),
    ("gratuit", None),                                   # not a mapping
])
def test_price_keeps_only_what_the_base_says(stored: Any, said: Any) -> None:
    assert price_of(stored) == said


def test_a_place_card_carries_its_price_or_none() -> None:
    free = poi_item(place(prices={"free": True}))
    assert free["price"] == {"free": True}
    assert free["coord_precision"] == "commune" and free["commune"] == "Bavay"
    assert free["open_now"] is None          # no hours: "horaires non communiqués"
    unknown = poi_item(place(prices=None))
    assert "price" in unknown and unknown["price"] is None


def test_an_event_card_carries_its_price_in_the_same_form() -> None:
    event = Event(id="ev-1", title="Marché", latitude=50.29, longitude=3.80,
                  price={"text": "5 €"}, is_example=True)
    start = datetime(2030, 7, 14, 19, tzinfo=timezone.utc)
    item = event_item(EventHit(event, start, start, None))
    assert item["price"] == {"text": "5 €"}
    assert item["start"] == "2030-07-14T21:00:00+02:00"
