"""Issue 17, part A: the place and event forms used the way a tourism-office employee does,
in headless Chromium against the real servers (the fixtures of test_console_browser.py:
web app, action server, Rasa with the trained model):

- a typo in the search ("forum antik") still finds the Forum antique;
- its season typed on one line ("du … au … : mardi-dimanche 10h-18h ; fermé le 1er mai"),
  the sentence the chatbot will say shown under the field while typing and after saving,
  and the bot, asked "c'est ouvert quand le forum antique ?" outside the season, naming
  the season and the next opening date;
- an event typed "DD/MM 10h-18h", "gratuit", its venue chosen by name among the
  suggestions (a name matching no place is refused in French, with the closest one), saved
  and found by the bot for that weekend; a date in the past is warned about.

Dates are computed from today (Paris), so the tests hold on any day.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Page

from knowledge.config import PARIS
from knowledge.text import MONTHS_FR, WEEKDAYS_FR
from tests.e2e.test_console_browser import log_in, page, servers  # noqa: F401 (fixtures)
from tests.e2e.test_e2e_rest import BAVAY, cards, say
from tests.support.browser import describe, serious_violations
from tests.support.servers import Servers

pytestmark = pytest.mark.e2e
FORUM = "Forum antique de Bavay"


def said(day: date, *, year: bool = False) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS_FR[day.month - 1]}" + (f" {day.year}" if year else "")


def texts(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text") or "") for m in replies)


def test_typo_search_finds_the_place(servers: Servers, page: Page) -> None:  # noqa: F811
    log_in(page)
    page.goto("/console/lieux")
    page.fill("#q", "forum antik")
    page.click("form.filters button[type=submit]")
    assert page.locator("main tbody a", has_text=FORUM).count() == 1, page.inner_text("main")
    # kinds in French in the list, not their keys
    row = page.locator("main tbody tr", has_text=FORUM).inner_text()
    assert "Site archéologique" in row or "Musée" in row, row
    assert "archaeological_site" not in row and "museum" not in row
    assert not serious_violations(page), describe(serious_violations(page))


def test_hours_typed_on_one_line_shown_as_the_bot_says_them(
        servers: Servers, page: Page) -> None:  # noqa: F811
    today = datetime.now(PARIS).date()
    start, end = today + timedelta(days=40), today + timedelta(days=150)
    log_in(page)
    page.goto("/console/lieux?q=forum+antik")
    page.click(f"main tbody a:has-text('{FORUM}')")
    # the hours come right after the name and the commune, long before the 42 kinds
    hours_y = page.locator("#f-opening_hours").bounding_box()["y"]  # type: ignore[index]
    kinds_y = page.locator("#f-kinds").bounding_box()["y"]  # type: ignore[index]
    assert hours_y < kinds_y and hours_y < 900, (hours_y, kinds_y)
    assert "3,8031" in page.inner_text("#h-longitude")  # a longitude, not a latitude

    typed = f"du {start:%d/%m} au {end:%d/%m} : mardi-dimanche 10h-18h ; fermé le 1er mai"
    sentence = (f"ouvert du {said(start)} au {said(end)}, du mardi au dimanche de 10 h à "
                "18 h ; fermé le 1er mai")
    page.fill("#f-opening_hours", typed)
    # read while typing (the same reading as on save)
    page.wait_for_function(
        "s => document.querySelector('#p-opening_hours .phrase').textContent.includes(s)",
        arg=sentence, timeout=10000)
    page.click("form >> text=Enregistrer")
    assert "Enregistré" in page.inner_text("main")
    preview = page.inner_text("#p-opening_hours")
    assert f"Le chatbot dira : {sentence}" in preview, preview
    assert page.input_value("#f-opening_hours").startswith(f"du {start:%d/%m} au {end:%d/%m}")
    assert not serious_violations(page), describe(serious_violations(page))

    # The bot, asked outside the season: the season and the next opening day and date.
    first = start
    while first.weekday() == 0 or (first.month, first.day) == (5, 1):
        first += timedelta(days=1)
    opening = f"{WEEKDAYS_FR[first.weekday()]} {said(first, year=first.year != today.year)}"
    sender = f"horaires-{uuid.uuid4().hex[:8]}"
    reply = texts(say(servers, sender, "c'est ouvert quand le forum antique ?"))
    assert f"Prochaine ouverture : {opening}, de 10 h à 18 h." in reply, reply
    assert f"Horaires : {sentence}." in reply, reply
    assert "lundi : fermé" not in reply, reply  # never a week of bare "fermé"

    # Put back as it was (the shipped data has no hours): the field emptied.
    page.fill("#f-opening_hours", "")
    page.click("form >> text=Enregistrer")
    assert "Enregistré" in page.inner_text("main")
    assert "je ne connais pas les horaires" in page.inner_text("#p-opening_hours")


def test_event_typed_as_staff_write_it(servers: Servers, page: Page) -> None:  # noqa: F811
    today = datetime.now(PARIS).date()
    weekday = today.weekday()
    saturday = today + timedelta(days=(5 - weekday) if weekday < 5 else 12 - weekday)
    period = "ce week-end" if weekday < 5 else "le week-end prochain"
    title = f"Atelier mosaïque romaine {uuid.uuid4().hex[:6]}"
    log_in(page)
    page.goto("/console/evenements/nouveau")
    assert page.locator(f"#l-venue option[value='{FORUM}']").count() == 1  # suggested
    page.fill("#f-title", title)
    page.fill("#f-dates", f"{saturday:%d/%m} 10h-18h")
    page.fill("#f-venue", "forum antik")  # not a name of the base: refused, with the closest
    page.fill("#f-price", "gratuit")
    page.check("input[name=interests][value=famille]")
    page.click("form >> text=Enregistrer")
    error = page.inner_text("#e-venue")
    assert "Lieu inconnu" in error and f"« {FORUM} »" in error, error
    assert page.input_value("#f-dates") == f"{saturday:%d/%m} 10h-18h"  # kept as typed
    page.fill("#f-venue", FORUM)  # the suggestion chosen
    page.click("form >> text=Enregistrer")
    assert "Enregistré" in page.inner_text("main"), page.inner_text("main")
    read = page.inner_text("#p-dates")
    assert (f"{WEEKDAYS_FR[saturday.weekday()]} {said(saturday, year=True)}, de 10 h à 18 h"
            in read), read
    assert page.input_value("#f-venue") == FORUM
    assert page.input_value("#f-price") == "gratuit"
    assert page.input_value("#f-commune") == "Bavay"  # taken from the venue
    assert "déjà passée" not in page.inner_text("main")
    assert not serious_violations(page), describe(serious_violations(page))

    # Found by the bot for that weekend, as free.
    sender = f"evenement-{uuid.uuid4().hex[:8]}"
    say(servers, sender, f"/share_location{json.dumps(BAVAY)}")
    replies = say(servers, sender, f"quoi de gratuit à faire {period} ?")
    found = {item["title"]: item for item in cards(replies, "events")}
    for _ in range(4):
        if title in found:
            break
        more = say(servers, sender, "encore")
        found.update({item["title"]: item for item in cards(more, "events")})
    assert title in found, (list(found), texts(replies))
    assert (found[title].get("price") or {}).get("free") is True

    # A date in the past: saved, and warned about.
    last_year = saturday.replace(year=saturday.year - 1) if (saturday.month, saturday.day) \
        != (2, 29) else saturday - timedelta(days=365)
    page.fill("#f-dates", f"{last_year:%d/%m/%Y} 10h-18h")
    page.click("form >> text=Enregistrer")
    assert "Enregistré" in page.inner_text("main")
    warning = page.inner_text(".warning")
    assert "déjà passée" in warning, warning
    assert "(passée)" in page.inner_text("#p-dates")
