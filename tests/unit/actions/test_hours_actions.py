"""Issue 17: a place's hours typed by staff the way they write them (one line, rules
separated by ";"), asked of the bot on a date outside the season: action_place_info (a
rasa-sdk action run with a CollectingDispatcher) gives the season and the next opening day
and date, never a week of bare "fermé".

The season is set relative to today (it starts in 40 days), so the test holds on any
date; the next opening date is recomputed here from the rule typed, not with the code
under test. End to end (the console, the trained model, the REST channel), the same
answer is checked in tests/e2e/test_console_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from bot.actions.common import kb
from bot.actions.information import ActionPlaceInfo
from knowledge.db import session_factory, transaction
from knowledge.hours_text import parse_hours_text
from knowledge.store import Store
from knowledge.text import MONTHS_FR, WEEKDAYS_FR
from tests.unit.actions.test_actions import (  # noqa: F401 (knowledge_base: the module's base)
    BAVAY,
    PARIS,
    knowledge_base,
    run,
    the_payload,
    tracker,
    voices,
)

FORUM = "bavay-forum-antique"


def said(day: date, *, year: bool) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS_FR[day.month - 1]}" + (f" {day.year}" if year else "")


def set_hours(opening_hours: dict[str, Any] | None) -> None:
    with transaction(session_factory(kb().engine)) as session:
        Store.for_session(session).edit("poi", FORUM, {"opening_hours": opening_hours})


@pytest.fixture
def season() -> Iterator[tuple[date, date]]:
    """The Forum antique open from today + 40 days to today + 150 days (every year),
    Tuesday to Sunday 10 h – 18 h, closed on 1 May — typed on one line."""
    today = datetime.now(PARIS).date()
    start, end = today + timedelta(days=40), today + timedelta(days=150)
    typed = (f"du {start:%d/%m} au {end:%d/%m} : mardi-dimanche 10h-18h ; "
             "fermé le 1er mai")
    set_hours(parse_hours_text(typed))
    try:
        yield start, end
    finally:
        set_hours(None)


async def test_off_season_the_bot_gives_the_season_and_the_next_opening_date(
        season: tuple[date, date]) -> None:
    start, end = season
    today = datetime.now(PARIS).date()
    messages, _ = await run(ActionPlaceInfo(), tracker(
        slots=BAVAY, intent="ask_place_info", entities=[],
        text="c'est ouvert quand le forum antique ?"))
    assert voices(messages) == ["place_info_jeannine"]
    [item] = the_payload(messages, "places")["items"]
    assert item["id"] == FORUM and item["open_now"] is False
    text = "\n".join(m.get("text") or "" for m in messages)
    lines = text.splitlines()
    # The first opening day: from the season's start, not a Monday, not 1 May.
    first = start
    while first.weekday() == 0 or (first.month, first.day) == (5, 1):
        first += timedelta(days=1)
    opening = f"{WEEKDAYS_FR[first.weekday()]} {said(first, year=first.year != today.year)}"
    assert "Aujourd'hui : fermé" in lines, text
    assert f"Prochaine ouverture : {opening}, de 10 h à 18 h." in lines, text
    assert (f"Horaires : ouvert du {said(start, year=False)} au {said(end, year=False)}, "
            "du mardi au dimanche de 10 h à 18 h ; fermé le 1er mai.") in lines, text
    # never a week of bare "fermé"
    assert not [line for line in lines if line.endswith(" : fermé")
                and line.split(" : ")[0] in WEEKDAYS_FR], text


async def test_in_season_the_week_is_given_as_before(season: tuple[date, date]) -> None:
    """Hours without a season: the day's hours, the sentence, and the week (one day
    is open in it)."""
    set_hours(parse_hours_text("mardi-dimanche 10h-18h"))  # the fixture restores them
    messages, _ = await run(ActionPlaceInfo(), tracker(
        slots=BAVAY, intent="ask_place_info", entities=[],
        text="c'est ouvert quand le forum antique ?"))
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "Horaires : ouvert du mardi au dimanche de 10 h à 18 h." in text
    assert "lundi : fermé" in text and "mardi : 10 h – 18 h" in text  # the week
    assert "Prochaine ouverture" not in text or "Aujourd'hui : fermé" in text
