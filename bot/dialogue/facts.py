"""Facts about one record, as the family says them: opening hours, prices, accessibility."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.dialogue.french import french_date
from knowledge import hours
from knowledge.config import PARIS
from knowledge.text import WEEKDAYS_FR


def hours_lines(opening_hours: Mapping[str, Any], today: date, asked: date | None = None,
                *, week: bool = False) -> list[str]:
    """A place's opening hours as the family says them, in this order:

    * the day asked (today by default): "Aujourd'hui : 10 h – 18 h", "Le samedi 5 : fermé";
    * when that day is not an opening day, the next one: "Prochaine ouverture : mardi
      1er avril 2027, de 10 h à 18 h." (the year when it is not this year's);
    * the hours as a whole (`knowledge.hours.describe_fr`, the sentence the console
      shows staff under the field): "Horaires : ouvert du 1er avril au 31 octobre, du
      mardi au dimanche de 10 h à 18 h ; fermé le 1er mai." — left out when the hours are
      stale (no opening to come, the day not covered);
    * with `week`, the next seven days, one line each — only when the place opens on one
      of them: never a week of bare "fermé".
    """
    day = asked or today
    label = "Aujourd'hui" if day == today else f"Le {WEEKDAYS_FR[day.weekday()]} {day.day}"
    lines = [f"{label} : {hours.day_text_fr(opening_hours, day)}"]
    status = hours.is_open_on(opening_hours, day)
    upcoming = hours.next_opening(opening_hours, max(day, today))
    if status is not True and upcoming is not None:
        when, slots = upcoming
        said = french_date(datetime.combine(when, time(12, 0), tzinfo=PARIS))
        if when.year != today.year:
            said += f" {when.year}"
        if when == today + timedelta(days=1):
            said = f"demain, {said}"
        phrase = hours.slots_phrase_fr(slots)
        lines.append(f"Prochaine ouverture : {said}" + (f", {phrase}." if phrase else "."))
    general = hours.describe_fr(opening_hours)
    if general and (upcoming is not None or status is not None):
        lines.append(f"Horaires : {general}.")
    if week and any(hours.is_open_on(opening_hours, today + timedelta(days=i))
                    for i in range(7)):
        lines.append(hours.format_week_fr(opening_hours, today))
    return lines


def price_text(prices: dict[str, Any] | None) -> str:
    if not prices:
        return "je ne les connais pas."
    if prices.get("free"):
        note = str(prices.get("text") or prices.get("note") or "").strip()
        return f"gratuit ({note})." if note else "gratuit."
    return str(prices.get("text") or "voir avec le lieu.")


def access_text(wheelchair: bool | None, pushchair: bool | None, labels: list[str] | None,
                ) -> str:
    parts = []
    if wheelchair is True:
        parts.append("accessible en fauteuil ♿")
    elif wheelchair is False:
        parts.append("pas accessible en fauteuil")
    if pushchair is True:
        parts.append("accessible en poussette")
    if labels:
        parts.append(", ".join(labels))
    return "Accessibilité : " + (", ".join(parts) if parts else "je n'ai pas l'information.")
