"""A day or half-day plan built from the base alone (issue 14).

"On a une journée à Bavay", "un après-midi au Quesnoy s'il pleut": 2 to 4 stops — a visit,
lunch at midday, a walk or an event of that day — close to each other, ordered by time.

Distances (documented in docs/contracts.md, "Day plan"):
- every stop lies within `PLAN_RADIUS_KM` (12 km) of the place the plan is for;
- two stops in a row are at most `HOP_KM` (10 km) apart: a short drive; a leg of at most
  `WALK_KM` (1.5 km) is said to be walked.
Opening hours, when the base knows them, must cover the whole planned slot; a stop whose
hours are unknown is kept but says so. The audience is passed to the searches; rain keeps
every stop indoors (no walk). A slot the base cannot fill is named in `gaps` and said
honestly; nothing is invented: every stop is a record of the base.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, cast
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from bot.dialogue.french import a, french_date, km_fr, time_fr
from bot.dialogue.payloads import (
    PARIS,
    Item,
    Payload,
    PlanStop,
    event_item,
    item_title,
    poi_item,
    route_item,
)
from bot.dialogue.persona import LEA
from bot.dialogue.position import Position, starts_in_territory
from bot.dialogue.recommend import INDOOR_KINDS, Reply
from knowledge import hours
from knowledge.geo import geodesic_km
from knowledge.queries import (
    EventHit,
    PoiHit,
    PoiQuery,
    RouteHit,
    events_between,
    nearby_pois,
    routes_near,
)
from knowledge.text import normalize

PLAN_RADIUS_KM = 12.0
HOP_KM = 10.0
WALK_KM = 1.5

VISIT_KINDS = ("museum", "castle", "abbey", "church", "chapel", "rampart", "monument",
               "memorial", "archaeological_site", "heritage_site", "mill", "cheese_dairy",
               "brewery", "farm", "zoo", "leisure_park")
CHILD_VISIT_KINDS = ("zoo", "leisure_park", "farm", "museum", "swimming_pool", "playground")
LUNCH_KINDS = ("restaurant", "estaminet")
# The rainy-day ideas' kinds (bot/dialogue/recommend.py) that are visits, not meals.
INDOOR_VISIT_KINDS = tuple(k for k in INDOOR_KINDS if k not in (*LUNCH_KINDS, "cafe", "shop"))
OUTDOOR_KINDS = ("forest", "pond", "lake", "park", "nature_reserve", "viewpoint", "rampart")
CHILD_OUTDOOR_KINDS = ("playground", "leisure_park", "park", "zoo", "pond", "lake", "forest")
WALK_MAX_KM = {"day": 10.0, "morning": 8.0, "afternoon": 8.0}
CHILD_WALK_MAX_KM = 5.0


@dataclass(frozen=True)
class Slot:
    key: str          # "visit", "lunch", "outing", "evening"
    label: str        # what the visitor reads: "Visite", "Déjeuner"…
    start: time
    minutes: int


SPANS: dict[str, tuple[Slot, ...]] = {
    "day": (Slot("visit", "Visite", time(10, 0), 90),
            Slot("lunch", "Déjeuner", time(12, 30), 75),
            Slot("outing", "Balade", time(14, 30), 120),
            Slot("evening", "Événement", time(17, 0), 120)),
    "morning": (Slot("visit", "Visite", time(10, 0), 90),
                Slot("lunch", "Déjeuner", time(12, 15), 75)),
    "afternoon": (Slot("visit", "Visite", time(14, 0), 90),
                  Slot("outing", "Balade", time(16, 0), 90)),
}
SPAN_NAMES = {"day": "journée", "morning": "matinée", "afternoon": "après-midi"}


@dataclass
class Plan:
    where: Position
    day: date
    span: str                         # "day", "morning", "afternoon"
    stops: list[PlanStop] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)   # Slot.key of what could not be filled
    rain: bool = False
    audience: str | None = None


# --------------------------------------------------------------------------- understanding
_SPAN_WORDS = (
    ("morning", re.compile(r"\b(une|la|notre|1|toute la|la demi|une demi) ?(matinee|mat)\b"
                           r"|\bdemi[- ]journee (du|le) matin\b")),
    ("afternoon", re.compile(r"\b(un|notre|1|tout l|cet|cette)\s?(apres[- ]?midi|aprem|apm)\b"
                             r"|\bdemi[- ]journee\b")),
    ("day", re.compile(r"\b(une|la|notre|1|toute la|cette|nos|deux|2) (journee|journees)\b"
                       r"|\b(programme|planning|plan) (de|pour|d) (la |une |notre )?(journee|"
                       r"sortie|visite|week[- ]?end|we)\b|\bprogramme\b|\bplanning\b"
                       r"|\bitineraire de (la )?journee\b|\borganiser (notre|la|une|ma) "
                       r"(journee|sortie|visite)\b")),
)
_WHAT_TO_DO = re.compile(r"\b(que faire|quoi faire|on fait quoi|qu est ce qu on (peut )?fait|"
                         r"qu est ce qu on peut faire|vous proposez quoi|vous conseillez quoi|"
                         r"des idees|une idee|ya koi a faire|kes qu on fait)\b")
_WHEN_WORDS = re.compile(r"\b(ce (week[- ]?end|we)|samedi|dimanche|demain|aujourd hui|"
                         r"cet apres[- ]?midi|cet aprem|ce matin)\b")
_NOT_A_PLAN = re.compile(r"\b(concerts?|spectacles?|marches?|brocantes?|fetes?|festivals?|"
                         r"expos?|expositions?|restos?|restaurants?|hotels?|gites?|campings?|"
                         r"circuits?|randos?|randonnees?|boucles?|meteo|train|bus|horaires?)\b")

# Never a plan: a question about opening hours ("c'est ouvert toute la journée ?"), the
# weather of the day, or a named day ("la journée du patrimoine", "les journées des moulins").
_NEVER_A_PLAN = re.compile(r"\b(ouverts?|ouvertes?|ferme|fermes|fermee|fermees|pleuvoir|pluie|"
                           r"meteo)\b|\b(la|les) journees? (du|des|de la|de l|d)\b")


def plan_span(text: str, *, loose: bool = True) -> str | None:
    """The span a message asks a plan for ("une journée à Bavay" → "day", "un après-midi
    au Quesnoy s'il pleut" → "afternoon", "que faire ce week-end avec les enfants" →
    "day"), or None when it asks something narrower ("des concerts cet après-midi").
    `loose=False` wants the words of a span ("journée"…): "que faire ce week-end ?" alone
    is then not a plan."""
    norm = normalize(text).replace("'", " ")
    if _NEVER_A_PLAN.search(norm):
        return None
    for span, words in _SPAN_WORDS:
        if words.search(norm) and (span != "afternoon" or "cet" not in norm.split()
                                   or _WHAT_TO_DO.search(norm)):
            if _NOT_A_PLAN.search(norm) and not _WHAT_TO_DO.search(norm):
                return None
            return span
    if loose and _WHAT_TO_DO.search(norm) and _WHEN_WORDS.search(norm) \
            and not _NOT_A_PLAN.search(norm):
        return "afternoon" if re.search(r"\bcet (apres[- ]?midi|aprem)\b", norm) else "day"
    return None


def plan_day(now: datetime, span: str, asked: date | None) -> date:
    """The day of the plan: the one asked, else today while the plan's first slot is still
    ahead (before 11 h for a day or a morning, 15 h for an afternoon), else tomorrow."""
    if asked is not None:
        return asked
    local = now.astimezone(PARIS)
    latest = time(15, 0) if span == "afternoon" else time(11, 0)
    return local.date() if local.time() < latest else local.date() + timedelta(days=1)


# --------------------------------------------------------------------------- building
def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS)


def _open_whole(opening: Any, start: datetime, minutes: int) -> bool | None:
    """True when the hours cover the slot, False when they say closed at its start or its
    end, None when the base has no hours."""
    if not opening:
        return None
    end = start + timedelta(minutes=max(minutes - 1, 1))
    ends = (hours.is_open(opening, start), hours.is_open(opening, end))
    if False in ends:
        return False
    return True if all(ends) else None


def _leg(prev: tuple[float, float] | None, lat: float, lon: float) -> tuple[float | None,
                                                                          str | None]:
    if prev is None:
        return None, None
    km = round(geodesic_km(prev[0], prev[1], lat, lon), 1)
    return km, ("pied" if km <= WALK_KM else "voiture")


def _near_centre(where: Position, lat: float, lon: float) -> bool:
    return geodesic_km(where.latitude, where.longitude, lat, lon) <= PLAN_RADIUS_KM


class _Builder:
    def __init__(self, session: Session, plan: Plan, wheelchair: bool, pushchair: bool,
                 interests: Sequence[str]) -> None:
        self.session, self.plan = session, plan
        self.wheelchair, self.pushchair = wheelchair, pushchair
        self.interests = list(interests)
        self.used: set[str] = set()
        self.prev: tuple[float, float] | None = None
        self.clock = _at(plan.day, time(0, 0))
        # From a town outside the 52 communes, its own places by distance (as the searches)
        self.local = starts_in_territory(session, plan.where)

    # -- candidates
    def _place(self, slot: Slot, kinds: Sequence[str], *, interests: Iterable[str] = ()
               ) -> tuple[PoiHit, bool | None] | None:
        lat, lon = self.prev or (self.plan.where.latitude, self.plan.where.longitude)
        start = self._start(slot)
        page = nearby_pois(self.session, PoiQuery(
            lat, lon, interests=list(interests), kinds=list(kinds), radius_km=HOP_KM,
            audience=self.plan.audience, wheelchair=self.wheelchair, pushchair=self.pushchair,
            at=start, exclude_ids=tuple(self.used), prefer_territory=self.local), limit=20)
        unknown: tuple[PoiHit, bool | None] | None = None
        for hit in page.items:
            if not _near_centre(self.plan.where, hit.poi.latitude, hit.poi.longitude):
                continue
            is_open = _open_whole(hit.poi.opening_hours, start, slot.minutes)
            if is_open is True:
                return hit, True
            if is_open is None and unknown is None:
                unknown = (hit, None)
        return unknown

    def _route(self, slot: Slot) -> RouteHit | None:
        lat, lon = self.prev or (self.plan.where.latitude, self.plan.where.longitude)
        longest = CHILD_WALK_MAX_KM if self.plan.audience in ("enfants", "famille") \
            else WALK_MAX_KM[self.plan.span]
        page = routes_near(self.session, lat, lon, mode="hike", max_km=longest,
                           radius_km=HOP_KM, limit=10, exclude_ids=tuple(self.used))
        for hit in page.items:
            r = hit.route
            if _near_centre(self.plan.where, r.start_latitude, r.start_longitude) \
                    and not self._echoes(r.name):
                return hit
        return None

    def _echoes(self, name: str) -> bool:
        """A walk named after a stop already planned ("Circuit des remparts" after the
        ramparts): it would repeat the morning."""
        words = {w for w in normalize(name).split() if len(w) >= 6}
        return any(words & {w for w in normalize(item_title(s["item"])).split()}
                   for s in self.plan.stops)

    def _event(self, after: datetime, before: datetime) -> EventHit | None:
        lat, lon = self.prev or (self.plan.where.latitude, self.plan.where.longitude)
        page = events_between(self.session, after, before, latitude=lat, longitude=lon,
                              radius_km=HOP_KM, audience=self.plan.audience,
                              wheelchair=self.wheelchair, pushchair=self.pushchair,
                              limit=10, exclude_ids=tuple(self.used))
        for hit in page.items:
            if hit.start >= after.astimezone(timezone.utc) \
                    and _near_centre(self.plan.where, hit.event.latitude, hit.event.longitude):
                return hit
        return None

    # -- stops
    def _add(self, slot: Slot, label: str, item_type: str, item: Item, start: datetime,
             minutes: int, lat: float, lon: float, hours_known: bool) -> None:
        km, mode = _leg(self.prev, lat, lon)
        end = start + timedelta(minutes=minutes)
        self.plan.stops.append(PlanStop(
            id=item["id"], slot=slot.key, label=label, at=start.isoformat(),
            end=end.isoformat(), item_type=item_type, item=item, leg_km=km, leg_mode=mode,
            hours_known=hours_known))
        self.used.add(item["id"])
        self.prev, self.clock = (lat, lon), end

    def _start(self, slot: Slot) -> datetime:
        """When a slot starts: its time, or later when the stop before runs over."""
        return max(_at(self.plan.day, slot.start), self.clock)

    def _add_place(self, slot: Slot, label: str,
                   found: tuple[PoiHit, bool | None] | None) -> bool:
        """Add the place found, if any; whether there was one."""
        if found is None:
            return False
        hit, is_open = found
        self._add(slot, label, "places", poi_item(hit), self._start(slot), slot.minutes,
                  hit.poi.latitude, hit.poi.longitude, is_open is not None)
        return True

    def _add_event(self, slot: Slot, hit: EventHit) -> None:
        start = max(hit.start.astimezone(PARIS), self.clock)
        minutes = int(min((hit.end - hit.start).total_seconds() // 60, slot.minutes)) or 60
        self._add(slot, "Événement", "events", event_item(hit), start, minutes,
                  hit.event.latitude, hit.event.longitude, True)

    def _add_route(self, slot: Slot, hit: RouteHit) -> None:
        r = hit.route
        minutes = r.duration_min or int((r.length_km or 4.0) / 4.0 * 60)
        start = self._start(slot)
        self._add(slot, "Balade", "routes", route_item(hit), start, minutes,
                  r.start_latitude, r.start_longitude, True)

    def visit(self, slot: Slot) -> bool:
        children = self.plan.audience in ("enfants", "famille")
        if self.plan.rain:
            kinds: Sequence[str] = INDOOR_VISIT_KINDS
        elif children:
            kinds = CHILD_VISIT_KINDS
        else:
            kinds = VISIT_KINDS
        found = self._place(slot, kinds, interests=self.interests) if self.interests else None
        found = found or self._place(slot, kinds)
        if found is None and children and not self.plan.rain:
            found = self._place(slot, VISIT_KINDS)
        return self._add_place(slot, "Visite", found)

    def lunch(self, slot: Slot) -> bool:
        return self._add_place(slot, "Déjeuner", self._place(slot, LUNCH_KINDS))

    def outing(self, slot: Slot) -> bool:
        start = self._start(slot)
        event = self._event(start, start + timedelta(minutes=slot.minutes))
        if event is not None:
            self._add_event(slot, event)
            return True
        if self.plan.rain:
            return self._add_place(slot, "Visite", self._place(slot, INDOOR_VISIT_KINDS))
        route = self._route(slot)
        if route is not None:
            self._add_route(slot, route)
            return True
        kinds = CHILD_OUTDOOR_KINDS if self.plan.audience in ("enfants", "famille") \
            else OUTDOOR_KINDS
        return self._add_place(slot, "Balade", self._place(slot, kinds))

    def evening(self, slot: Slot) -> bool:
        """An event later that day, only when one exists: never a gap."""
        start = self._start(slot)
        event = self._event(start, _at(self.plan.day + timedelta(days=1), time(0, 0)))
        if event is not None:
            self._add_event(slot, event)
        return True


def build_plan(session: Session, where: Position, day: date, span: str = "day", *,
               audience: str | None = None, rain: bool = False, interests: Sequence[str] = (),
               wheelchair: bool = False, pushchair: bool = False,
               now: datetime | None = None) -> Plan:
    """The plan of `span` ("day", "morning", "afternoon") around `where` on `day`. For today
    (`now` given), what has passed is left out and nothing starts before `now`; when the
    whole span has passed, the plan is for the next day."""
    slots = list(SPANS[span])
    local = now.astimezone(PARIS).replace(second=0, microsecond=0) if now else None
    if local is not None and local.date() == day:  # a slot is kept until half of it has passed
        slots = [s for s in slots if _at(day, s.start) + timedelta(minutes=s.minutes // 2) > local]
        if all(s.key == "evening" for s in slots):
            day, slots, local = day + timedelta(days=1), list(SPANS[span]), None
    else:
        local = None
    plan = Plan(where, day, span, rain=rain, audience=audience)
    builder = _Builder(session, plan, wheelchair, pushchair, interests)
    if local is not None:  # nothing starts before now (the next quarter of an hour)
        builder.clock = max(builder.clock, local + timedelta(minutes=-local.minute % 15))
    for slot in slots:
        if not getattr(builder, slot.key)(slot):
            plan.gaps.append(slot.key)
    return plan


# --------------------------------------------------------------------------- words
GAP_TEXT = {
    "visit": "une visite {what}à moins de {km} km",
    "lunch": "un restaurant ouvert à midi à moins de {km} km",
    "outing": "une balade ou une sortie pour l'après-midi à moins de {km} km",
}


def day_fr(day: date) -> str:
    return french_date(_at(day, time(12, 0)))


def clock_fr(iso: str) -> str:
    return time_fr(datetime.fromisoformat(iso))


def leg_fr(stop: PlanStop, before: PlanStop | None = None) -> str | None:
    """The leg from the stop `before`. When either end is known only by its commune,
    the leg is not measured to 100 m: "environ 4 km", "dans la même commune"."""
    if stop["leg_km"] is None:
        return None
    rough = any(s is not None and s["item"].get("coord_precision") == "commune"
                for s in (stop, before))
    how = "à pied" if stop["leg_mode"] == "pied" else "en voiture"
    km = stop["leg_km"]
    if rough:
        if km < 1 and _same_commune(stop, before):
            return "dans la même commune"
        return f"environ {km_fr(max(1, round(km)))} {how}"
    if km < 0.2:
        return "sur place"
    return f"{round(km * 10) * 100} m {how}" if km < 1 else f"{km_fr(km)} {how}"


def _same_commune(stop: PlanStop, before: PlanStop | None) -> bool:
    return before is not None and bool(stop["item"].get("commune")) \
        and stop["item"].get("commune") == before["item"].get("commune")


def gaps_fr(plan: Plan) -> list[str]:
    what = "à l'abri " if plan.rain else ""
    return [GAP_TEXT[g].format(what=what, km=f"{PLAN_RADIUS_KM:g}") for g in plan.gaps
            if g in GAP_TEXT]


def plan_lines(plan: Plan, *, details: bool = True) -> list[str]:
    """The plan as numbered lines; `details` adds the legs and the unknown hours."""
    lines = []
    for n, stop in enumerate(plan.stops, 1):
        if details and (leg := leg_fr(stop, plan.stops[n - 2] if n > 1 else None)):
            lines.append(f"   ↓ {leg}")
        name = item_title(stop["item"])
        line = f"{n}. {clock_fr(stop['at'])} — {stop['label']} : {name}"
        if details and not stop["hours_known"]:
            line += " (horaires non communiqués)"
        lines.append(line)
    return lines


def plan_title(plan: Plan) -> str:
    return f"{SPAN_NAMES[plan.span].capitalize()} {a(plan.where.label)}, {day_fr(plan.day)}"


def plan_query(plan: Plan) -> str:
    """The query string of the plan's page and .ics on the web app: the day, the place's
    label and each stop as `HH:MM~minutes~type~id` (stateless: the web app reads the base)."""
    stops = []
    for stop in plan.stops:
        start, end = datetime.fromisoformat(stop["at"]), datetime.fromisoformat(stop["end"])
        minutes = int((end - start).total_seconds() // 60)
        stops.append(f"{start:%H:%M}~{minutes}~{stop['item_type']}~{stop['id']}")
    return urlencode({"jour": plan.day.isoformat(), "lieu": plan.where.label[:80],
                      "etapes": ",".join(stops)}, safe=":,~")


def plan_payload(plan: Plan, web_url: str) -> dict[str, Any]:
    """The `custom` payload of a plan (`type: "plan"`, docs/contracts.md): the stops in
    order, the gaps said in French, the links to the plan's page and its .ics."""
    query = plan_query(plan)
    base = web_url.rstrip("/")
    return {"type": "plan", "items": list(plan.stops), "speaker": LEA.key,
            "where": plan.where.label, "title": plan_title(plan), "day": plan.day.isoformat(),
            "span": plan.span, "gaps": gaps_fr(plan), "link": f"{base}/plan?{query}",
            "ics": f"{base}/plan.ics?{query}"}


def plan_replies(plan: Plan, web_url: str) -> list[Reply]:
    """What the family says: the plan as numbered lines (legs, unknown hours), the gaps
    honestly, and the links; or that the base holds too little around that place."""
    name = SPAN_NAMES[plan.span]
    variables = {"where": plan.where.label, "span": name,
                 "de_span": ("d'" if name[0] in "aeiouéèâ" else "de ") + name,
                 "day": day_fr(plan.day), "speaker": LEA.signature}
    if not plan.stops:
        return [Reply("plan_empty", variables,
                      buttons=[{"title": "☎️ L'office de tourisme", "payload": "/ask_human"}])]
    custom = plan_payload(plan, web_url)
    lines = plan_lines(plan)
    lines += [f"Je ne connais pas {gap} : l'office de tourisme saura vous conseiller."
              for gap in custom["gaps"]]
    lines.append(f"📅 Le plan et son agenda (.ics) : {custom['link']}")
    return [Reply("plan_rain" if plan.rain else "plan", variables,
                  custom=cast(Payload, custom), text="\n".join(lines))]
