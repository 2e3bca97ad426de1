"""A day plan's page and its calendar file (issue 14): `/plan` and `/plan.ics`.

The bot sends a link whose query holds the whole plan (`bot/dialogue/plan.py`,
`plan_query`): `jour=2027-06-19&lieu=Bavay&etapes=10:00~90~places~<id>,…`. Nothing is
stored: each stop is read again from the base, so the page shows only what the base holds
today (a stop removed since is said to be gone). Every value is checked before use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.orm import Session

from bot.dialogue.french import french_date
from knowledge.config import PARIS
from knowledge.models import Event, Poi, Route
from knowledge.validation import is_record_id
from webapp.keys import KB

MAX_STOPS = 6
_STEP = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)~(\d{1,3})~(places|events|routes)~(.+)$")
MODELS: dict[str, Any] = {"places": Poi, "events": Event, "routes": Route}
LABELS = {"places": "Lieu", "events": "Événement", "routes": "Balade"}


@dataclass(frozen=True)
class Step:
    start: datetime       # aware, Europe/Paris
    minutes: int
    item_type: str
    id: str


@dataclass
class Stop:
    step: Step
    name: str | None      # None: the record is no longer in the base
    where: str
    latitude: float | None
    longitude: float | None
    url: str | None

    @property
    def end(self) -> datetime:
        return self.step.start + timedelta(minutes=self.step.minutes)


def parse_plan(query: Any) -> tuple[date, str, list[Step]]:
    """The day, the place's label and the steps of a plan link; HTTPBadRequest (in French)
    for anything malformed."""
    try:
        day = date.fromisoformat(str(query.get("jour", "")))
    except ValueError:
        raise web.HTTPBadRequest(text="Date du plan invalide (attendu : AAAA-MM-JJ).") from None
    label = str(query.get("lieu", "")).strip()[:80] or "Pays de Mormal"
    raw = [s for s in str(query.get("etapes", "")).split(",") if s]
    if not raw or len(raw) > MAX_STOPS:
        raise web.HTTPBadRequest(text=f"Le plan doit compter de 1 à {MAX_STOPS} étapes.")
    steps = []
    for text in raw:
        m = _STEP.match(text)
        if not m or not is_record_id(m[5]) or not 0 < int(m[3]) <= 600:
            raise web.HTTPBadRequest(text=f"Étape du plan invalide : « {text[:60]} ».")
        start = datetime(day.year, day.month, day.day, int(m[1]), int(m[2]), tzinfo=PARIS)
        steps.append(Step(start, int(m[3]), m[4], m[5]))
    return day, label, steps


def read_stops(session: Session, steps: list[Step]) -> list[Stop]:
    """Each step as the base knows it now (published records only)."""
    out = []
    for step in steps:
        record = session.get(MODELS[step.item_type], step.id)
        if record is None or not record.published:
            out.append(Stop(step, None, "", None, None, None))
            continue
        if step.item_type == "routes":
            lat, lon = record.start_latitude, record.start_longitude
        else:
            lat, lon = record.latitude, record.longitude
        commune = record.commune.name if record.commune else ""
        address = getattr(record, "address", None)
        where = ", ".join(p for p in (address, commune) if p)
        name = record.title if step.item_type == "events" else record.name
        url = getattr(record, "website", None) or getattr(record, "url", None)
        out.append(Stop(step, name, where, lat, lon, url))
    return out


def _ics_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r", "").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """RFC 5545 lines of at most 75 octets, continued with a space."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + rest for rest in out[1:])]


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def plan_ics(day: date, label: str, stops: list[Stop], now: datetime | None = None) -> str:
    """The plan as an iCalendar file: one event per stop still in the base."""
    stamp = _utc(now or datetime.now(timezone.utc))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Pays de Mormal//Famille Dumoulin//FR",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_ics_text(f'Journée – {label}')}"]
    for n, stop in enumerate(stops, 1):
        if stop.name is None:
            continue
        lines += ["BEGIN:VEVENT", f"UID:{day.isoformat()}-{n}-{stop.step.id}@pays-de-mormal",
                  f"DTSTAMP:{stamp}", f"DTSTART:{_utc(stop.step.start)}",
                  f"DTEND:{_utc(stop.end)}", f"SUMMARY:{_ics_text(stop.name)}"]
        if stop.where:
            lines.append(f"LOCATION:{_ics_text(stop.where)}")
        if stop.latitude is not None and stop.longitude is not None:
            lines.append(f"GEO:{stop.latitude:.5f};{stop.longitude:.5f}")
        if stop.url:
            lines.append(f"URL:{stop.url}")
        lines.append("DESCRIPTION:" + _ics_text(
            "Proposé par la famille Dumoulin d'après la base de l'office de tourisme ; "
            "vérifiez les horaires avant de partir."))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


def _day_fr(day: date) -> str:
    """ "samedi 19 juin 2027" (the page may be opened long after the conversation)."""
    return f"{french_date(datetime.combine(day, time(12), PARIS))} {day.year}"


async def plan_page(request: web.Request) -> web.Response:
    day, label, steps = parse_plan(request.query)
    stops = await request.app[KB].run(read_stops, steps)
    return aiohttp_jinja2.render_template("plan.html", request, {
        "title": f"Votre journée – {label}", "path": request.path, "label": label,
        "day": _day_fr(day), "stops": stops, "labels": LABELS,
        "ics": f"/plan.ics?{request.query_string}",
        "widget": None})


async def plan_ics_file(request: web.Request) -> web.Response:
    day, label, steps = parse_plan(request.query)
    stops = await request.app[KB].run(read_stops, steps)
    return web.Response(
        text=plan_ics(day, label, stops), content_type="text/calendar", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="plan-{day.isoformat()}.ics"'})


def setup(app: web.Application) -> None:
    app.router.add_get("/plan", plan_page)
    app.router.add_get("/plan.ics", plan_ics_file)
