"""A day plan's legs in the widget (issue 16): when either end of a leg is known only by its
commune (`coord_precision: "commune"`), the widget says "environ 16 km en voiture" or "dans
la même commune", as the bot's text does (bot/dialogue/plan.py leg_fr), never "1,2 km" or
"sur place"; between exact points the leg keeps its figure.

The real widget in headless Chromium, on a page and a socket.io server that Playwright
plays (tests/support/played_widget.py): no Rasa, no model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.browser import chromium
from tests.support.played_widget import FakeRasa, open_page, played_site

pytestmark = pytest.mark.e2e


@pytest.fixture
def context() -> Iterator[BrowserContext]:
    with chromium() as browser, played_site(browser) as visitor:
        yield visitor


def stop(n: int, commune: str | None, precision: str, leg: float | None,
         mode: str | None = None) -> dict[str, Any]:
    item = {"id": f"t-{n}", "name": f"Étape test {n}", "latitude": 50.29 + n / 100,
            "longitude": 3.79, "coord_precision": precision}
    if commune:
        item["commune"] = commune
    return {"id": item["id"], "slot": "visit", "label": "Visite", "item_type": "places",
            "at": f"2030-07-14T{8 + n:02d}:00:00+02:00",
            "end": f"2030-07-14T{8 + n:02d}:30:00+02:00", "item": item, "leg_km": leg,
            "leg_mode": mode, "hours_known": True}


# (the stop, the leg the visitor reads before it; None: the first stop has none)
STOPS = [
    (stop(1, "Bavay", "commune", None), None),
    # commune-level to exact in the same commune, under 1 km: not "800 m", not "sur place"
    (stop(2, "Bavay", "exact", 0.8, "pied"), "dans la même commune"),
    (stop(3, "Bavay", "exact", 0.1, "pied"), "sur place"),           # exact both ends
    (stop(4, "Bavay", "exact", 0.8, "pied"), "800 m à pied"),
    (stop(5, "Maroilles", "exact", 1.24, "voiture"), "1,2 km en voiture"),
    # to a commune-level stop: rounded, no tenth
    (stop(6, "Maroilles", "commune", 16.43, "voiture"), "environ 16 km en voiture"),
    # from a commune-level stop, another commune, under 1 km: at least "environ 1 km"
    (stop(7, "Locquignol", "exact", 0.3, "pied"), "environ 1 km à pied"),
    # half to even, as the bot's round(): 2.5 km is "environ 2 km", 3.5 km "environ 4 km"
    (stop(8, "Locquignol", "commune", 2.5, "voiture"), "environ 2 km en voiture"),
    (stop(9, "Locquignol", "commune", 3.5, "voiture"), "environ 4 km en voiture"),
    # a commune-level stop whose commune is not given: never "dans la même commune"
    (stop(10, None, "commune", 0.1, "pied"), "environ 1 km à pied"),
]


def test_legs_to_or_from_a_commune_level_stop_are_rough(context: BrowserContext) -> None:
    rasa = FakeRasa()
    page = open_page(context, rasa)
    page.get_by_role("button", name="Discuter avec la famille").click()
    rasa.answer({"custom": {
        "type": "plan", "speaker": "lea", "title": "Journée de test", "day": "2030-07-14",
        "span": "day", "gaps": [], "items": [s for s, _ in STOPS]}})
    entries = page.locator(".plan ol > li")
    expect(entries).to_have_count(len(STOPS))
    for entry, (_, leg) in zip(entries.all(), STOPS, strict=True):
        expect(entry.locator(".leg")).to_have_count(1 if leg else 0)
        if leg:
            expect(entry.locator(".leg")).to_have_text(f"↓ Trajet : {leg}")
    # the commune-level stops' routes say where they lead
    expect(entries.nth(0).get_by_role("link", name="Itinéraire (centre de la commune) : "
                                      "Étape test 1")).to_be_visible()
