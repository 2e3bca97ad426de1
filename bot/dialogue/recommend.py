"""What the family answers: the conversation's logic, without Rasa.

The Rasa actions (bot/actions) read the tracker, call these functions with plain values
and send back what they return: a `Reply` naming a response of the domain, the
variables it needs, buttons and the `custom` payload. Nothing here formats SQL or knows
about Rasa; everything here is testable with a database session alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from bot.dialogue import periods
from bot.dialogue.facts import access_text, hours_lines, price_text
from bot.dialogue.filters import open_moment
from bot.dialogue.french import (
    a,
    distance_fr,
    french_date,
    join_fr,
    km_fr,
    map_label,
    time_fr,
)
from bot.dialogue.named_events import named_events, naming_words
from bot.dialogue.payloads import (
    PARIS,
    EventItem,
    Payload,
    RouteItem,
    event_item,
    osm_link,
    payload,
    poi_item,
    route_item,
)
from bot.dialogue.persona import FRANCK, JEANNINE, LEA, SOPHIE, Member, speaker_for
from bot.dialogue.position import (
    Position,
    position_from_name,
    position_in_text,
    starts_in_territory,
)
from bot.dialogue.position import (
    position_from_coordinates as position_from_coordinates,  # re-exported
)
from bot.dialogue.voice import interest_buttons, location_buttons
from knowledge import hours
from knowledge.gazetteer import Gazetteer
from knowledge.geo import geodesic_km
from knowledge.models import Poi, Route
from knowledge.queries import (
    EventHit,
    Page,
    PoiHit,
    PoiQuery,
    RouteHit,
    events_between,
    find_places_by_name,
    nearby_pois,
    next_dates_at,
    next_dates_of,
    routes_near,
)
from knowledge.taxonomy import INTERESTS, ROUTE_MODES
from knowledge.text import normalize

PAGE_SIZE = 4
DEFAULT_RADIUS_KM = 15.0
MAX_AUTO_RADIUS_KM = 45.0
MIN_RADIUS_KM = 2.0
TERRITORY_MAX_KM = 60.0  # farther than this from the territory: "you are far away"
ALL_INTERESTS = "tout"
INDOOR_KINDS = ("museum", "church", "abbey", "chapel", "swimming_pool", "brewery",
                "cheese_dairy", "shop", "restaurant", "estaminet", "cafe")


@dataclass
class SearchState:
    """The last search, kept in a slot so "encore" and refinements can re-run it."""

    kind: str = "places"  # places | events | routes
    interests: list[str] = field(default_factory=list)
    radius_km: float = DEFAULT_RADIUS_KM
    audience: str | None = None
    wheelchair: bool = False
    pushchair: bool = False
    open_now: bool = False
    open_when: str | None = None  # "dimanche soir" (bot.dialogue.filters.open_moment)
    price: str | None = None  # free | cheap
    kinds: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # events: words of their titles
    period: str | None = None
    route_mode: str | None = None
    difficulty: str | None = None
    min_km: float | None = None
    max_km: float | None = None
    offset: int = 0
    shown: list[str] = field(default_factory=list)

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> SearchState | None:
        if not isinstance(value, dict):
            return None
        known = {k: v for k, v in value.items() if k in cls.__dataclass_fields__}
        try:
            return cls(**known)
        except TypeError:
            return None


@dataclass
class Reply:
    """One bot message: a domain response name, its variables, buttons, custom payload."""

    response: str
    variables: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: Payload | None = None
    text: str | None = None  # literal text built from the knowledge base


@dataclass
class Outcome:
    replies: list[Reply]
    state: SearchState | None = None
    position: Position | None = None


# --------------------------------------------------------------------------- position
def position_from_text(text: str, gazetteer: Gazetteer, session: Session | None = None,
                       ) -> Position | None:
    """A typed place: the whole text as a name (a commune first, then a POI name), else a
    place named in the sentence where the visitor is (bot.dialogue.position)."""
    found = position_from_name(text, gazetteer, session)
    if found is not None:
        return found
    mention = position_in_text(text, gazetteer, session)
    return mention.position if mention else None


def is_far_away(position: Position, gazetteer: Gazetteer) -> bool:
    return gazetteer.distance_to_territory_km(position.latitude,
                                              position.longitude) > TERRITORY_MAX_KM


INTEREST_ALIASES = {"mtb": "velo", "vtt": "velo", "randonnee_pedestre": "randonnee"}


def clean_interests(values: Sequence[Any] | Any) -> list[str]:
    """Keep taxonomy keys (and "tout"), whatever the NLU produced."""
    if values is None:
        return []
    items = values if isinstance(values, (list, tuple)) else [values]
    out = []
    for v in items:
        key = normalize(str(v)).replace(" ", "_")
        key = INTEREST_ALIASES.get(key, key)
        if (key in INTERESTS or key == ALL_INTERESTS) and key not in out:
            out.append(key)
    return out


def _after_results_buttons(kind: str, items: Sequence[Mapping[str, Any]] = (), *,
                           more: bool = True) -> list[dict[str, str]]:
    """Buttons under a page of results: "Encore" only when there is more to show."""
    buttons = [{"title": "➕ Encore", "payload": "/request_more"}] if more else []
    if kind == "places":
        buttons += [
            {"title": "📍 Plus près", "payload": '/refine{"radius": "plus près"}'},
            {"title": "🧒 Pour les enfants", "payload": '/refine{"audience": "enfants"}'},
            {"title": "♿ Accessible", "payload": '/refine{"accessibility": "fauteuil"}'},
        ]
        if any(i.get("open_now") is not None for i in items):  # only when hours are known
            buttons.append({"title": "🕒 Ouvert maintenant",
                            "payload": '/refine{"period": "maintenant"}'})
    return buttons


# --------------------------------------------------------------------------- places
def recommend_places(session: Session, position: Position, state: SearchState,
                     now: datetime | None = None) -> Outcome:
    """One page of places; widens the radius, then suggests other interests, when empty."""
    now = now or datetime.now(timezone.utc)
    interests = [] if ALL_INTERESTS in state.interests else list(state.interests)
    speaker = speaker_for(interests, default=LEA)

    moment = open_moment(state.open_when, now) if state.open_when else None

    local = starts_in_territory(session, position)

    def query(radius: float) -> Any:
        timed = moment is not None and state.open_when is not None
        return nearby_pois(session, PoiQuery(
            position.latitude, position.longitude, interests=interests, radius_km=radius,
            kinds=state.kinds, audience=state.audience, wheelchair=state.wheelchair,
            pushchair=state.pushchair, open_now=state.open_now or timed,
            at=moment.at if timed and moment and moment.at else now,
            open_day=moment.day if timed and moment else None,
            free=state.price is not None,
            exclude_ids=state.shown if state.offset else (), prefer_territory=local,
        ), limit=PAGE_SIZE)

    page = query(state.radius_km)
    notes: list[Reply] = []
    if page.items and state.price == "cheap" and state.offset == 0:
        notes.append(Reply("price_free_only"))  # the only prices known are "free"
    if not page.items and state.price and state.offset == 0:
        # Nothing *known* to be free: few places have prices in the base. Say so, and
        # show the places anyway rather than pretending nothing is there.
        state.price = None
        page = query(state.radius_km)
        if page.items:
            notes.append(Reply("price_unknown"))
    if not page.items and (state.open_now or state.open_when) and state.offset == 0:
        # Nothing *known* to be open: most places have no hours in the base.
        state.open_now, state.open_when = False, None
        page = query(state.radius_km)
        if page.items:
            notes.append(Reply("hours_unknown"))
    widened = False
    while not page.items and state.offset == 0 and state.radius_km < MAX_AUTO_RADIUS_KM:
        state.radius_km = min(state.radius_km * 2, MAX_AUTO_RADIUS_KM)
        page = query(state.radius_km)
        widened = True
    if not page.items:
        return Outcome(_no_result(session, position, state, speaker, now), state)
    items = [poi_item(h) for h in page.items]
    _seen(state, items)
    replies = notes
    key = "pushchair" if state.pushchair and not state.wheelchair else "accessible"
    if (state.wheelchair or state.pushchair) and state.offset == len(items):
        unknown = [str(i["name"]) for i in items if i.get(key) is None]
        if unknown:  # known not accessible are left out; unknown ones are said
            replies.append(Reply("access_unknown", {
                "names": ", ".join(unknown),
                "need": "en fauteuil" if state.wheelchair else "en poussette"}))
    if widened:
        replies.append(Reply("radius_widened",
                             {"radius": km_fr(state.radius_km)[:-3], "where": position.label}))
    replies.append(Reply(
        f"places_found_{speaker.key}",
        {"count": len(items), "where": position.label,
         "names": _names(items, "name"), "speaker": speaker.signature},
        buttons=_after_results_buttons(
            "places", items,
            more=page.has_more or bool(state.kinds) and state.radius_km < MAX_AUTO_RADIUS_KM),
        custom=payload("places", items, speaker=speaker.key, where=position.label),
        text=_list_text(items, "name"),
    ))
    state.kind = "places"
    return Outcome(replies, state)


def _seen(state: SearchState, items: Sequence[Mapping[str, Any]]) -> None:
    """One paging for places, events and routes: the next page excludes the ids shown
    (a widened radius or a new record cannot repeat or skip one); `offset` counts them."""
    state.shown = state.shown + [str(i["id"]) for i in items]
    state.offset += len(items)


def _names(items: Sequence[Mapping[str, Any]], key: str) -> str:
    return ", ".join(str(i[key]) for i in items)


def _list_text(items: Sequence[Mapping[str, Any]], key: str) -> str:
    lines = []
    for i, item in enumerate(items, 1):
        distance = distance_fr(item.get("distance_km"), item.get("coord_precision"),
                               item.get("in_territory", True))
        extra = [distance] if distance else []
        if item.get("commune"):
            extra.append(str(item["commune"]))
        if item.get("open_now") is True:
            extra.append("ouvert")
        lines.append(f"{i}. {item[key]}" + (f" ({', '.join(extra)})" if extra else ""))
    return "\n".join(lines)


def _no_result(session: Session, position: Position, state: SearchState, speaker: Member,
               now: datetime) -> list[Reply]:
    """Never an empty message: say why, and offer what exists nearby instead."""
    if state.offset:
        return [Reply("no_more_results", {"speaker": speaker.signature},
                      buttons=interest_buttons())]
    alternatives = []
    for key in INTERESTS:
        if key in state.interests or key == "pratique":
            continue
        found = nearby_pois(session, PoiQuery(position.latitude, position.longitude,
                                               interests=[key], radius_km=state.radius_km,
                                               wheelchair=state.wheelchair,
                                               pushchair=state.pushchair, at=now), limit=1)
        if found.items:
            alternatives.append(key)
    buttons = [b for b in interest_buttons()
               if any(f'"{k}"' in b["payload"] for k in alternatives)]
    return [Reply("no_results",
                  {"where": position.label, "radius": km_fr(state.radius_km)[:-3],
                   "speaker": speaker.signature,
                   "alternatives": ", ".join(INTERESTS[k].lower() for k in alternatives)
                   or "rien d'autre"},
                  buttons=buttons or location_buttons())]


# --------------------------------------------------------------------------- refinements
_NEARER = re.compile(r"\bplus\s+(pres|proche)\b|\bmoins\s+loin\b|\btrop\s+loin\b|\ba\s+cote\b")
_BIKE = re.compile(r"\b(velo|vtt|bicyclette|biclou|cyclo)\b")
_RADIUS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:km|kilom[eè]tres?|kms?)\b")


SEARCH_NAMES = {"places": "les lieux", "events": "les événements", "routes": "les circuits"}


def apply_refinement(state: SearchState, text: str, entities: dict[str, Any]) -> list[str]:
    """How far and by what means, from a follow-up ("plus près", "10 km", "à vélo");
    the visitor's needs (audience, accessibility, open…) are `bot.dialogue.filters`'.
    Returns the French labels of what changed (empty: nothing understood)."""
    said = text + " " + " ".join(str(v) for v in entities.values() if v)
    norm = normalize(said)
    changed = []
    radius = _RADIUS.search(said.lower())  # before normalising: "2,5 km" keeps its comma
    if radius:
        asked = float(radius.group(1).replace(",", "."))
        state.radius_km = min(MAX_AUTO_RADIUS_KM, max(MIN_RADIUS_KM, asked))
        changed.append(f"à moins de {km_fr(state.radius_km)}")
    elif _NEARER.search(norm):
        state.radius_km = max(MIN_RADIUS_KM, round(state.radius_km / 2, 1))
        changed.append(f"plus près (moins de {km_fr(state.radius_km)})")
    if _BIKE.search(norm):
        if state.kind == "routes":
            state.route_mode = "mtb" if "vtt" in norm.split() else "bike"
        else:
            state.interests = ["velo"]
            state.kinds = []
        changed.append("à vélo")
    if changed:
        state.offset, state.shown = 0, []
    return changed


# --------------------------------------------------------------------------- events
def find_events(session: Session, text: str, position: Position | None,
                state: SearchState | None = None, now: datetime | None = None) -> Outcome:
    now = now or datetime.now(timezone.utc)
    state = state or SearchState(kind="events", radius_km=30.0)
    state.kind = "events"
    period = periods.resolve_period(state.period or text, now)
    if period is not None and state.period is None:
        state.period = text  # kept for "encore"
    if period is None:
        start = now.astimezone(PARIS)
        period = periods.Period(start, start + timedelta(days=14), "les deux prochaines semaines")
    lat = position.latitude if position else None
    lon = position.longitude if position else None

    def query(limit: int = PAGE_SIZE) -> Any:
        return events_between(
            session, max(period.start, now), period.end, latitude=lat, longitude=lon,
            radius_km=state.radius_km if position else 30.0,
            interests=[] if state.topics else [i for i in state.interests if i != ALL_INTERESTS],
            audience=state.audience, wheelchair=state.wheelchair, pushchair=state.pushchair,
            free=state.price is not None, title_words=state.topics, limit=limit,
            exclude_ids=state.shown if state.offset else ())

    page = query()
    notes: list[Reply] = []
    if not page.items and len(state.topics) > 1 and state.offset == 0:
        state.topics = state.topics[:1]  # "un marché de Noël": then anything of Noël
        page = query()
    if not page.items and state.topics and state.offset == 0:
        notes.append(Reply("events_topic_none", {"what": " ".join(state.topics),
                                                  "period": period.label}))
        state.topics = []
        page = query()
    if not page.items and state.price and state.offset == 0:
        state.price = None  # none known to be free: said, and the others shown
        page = query()
        if page.items:
            notes.append(Reply("events_price_unknown"))
    where = position.label if position else "le Pays de Mormal"
    if not page.items:
        key = "no_more_results" if state.offset else "no_events"
        return Outcome([Reply(key, {"period": period.label, "where": where,
                                    "speaker": LEA.signature},
                              buttons=[{"title": "Ce week-end", "payload":
                                        '/find_events{"period": "ce week-end"}'},
                                       {"title": "Le mois prochain", "payload":
                                        '/find_events{"period": "le mois prochain"}'}])],
                       state)
    named: list[str] = []
    if state.offset == 0 and naming_words(text):
        # "le marché du Quesnoy c'est quel jour ?": that event first, then the others
        page, named = _named_first(session, text, page, query(NAMED_CANDIDATES))
    items = [event_item(h) for h in page.items]
    _seen(state, items)
    examples = any(i["is_example"] for i in items)
    variables = {"count": len(items), "period": period.label, "where": where,
                 "speaker": LEA.signature, "names": _names(items, "title")}
    if named:
        variables["named"] = join_fr([i["title"] for i in items if i["id"] in named])
    replies = notes + [Reply("events_found_named" if named else "events_found", variables,
                     buttons=_after_results_buttons("events", more=page.has_more),
                     custom=payload("events", items, speaker=LEA.key, where=where),
                     text=_events_text(items, _next_dates(session, named, now)))]
    if examples:
        replies.append(Reply("events_examples_warning"))
    return Outcome(replies, state)


NAMED_CANDIDATES = 200  # events of the period searched for the one the visitor names


def _named_first(session: Session, text: str, page: Page[EventHit],
                 candidates: Page[EventHit]) -> tuple[Page[EventHit], list[str]]:
    """The first page with the events `text` names first (soonest first), then the
    others in their order; the ids of those named (empty: the page unchanged)."""
    named = named_events(session, text, candidates.items)
    if not named:
        return page, []
    first = [h for h in candidates.items if h.event.id in named]
    rest = [h for h in candidates.items if h.event.id not in named]
    items = (first + rest)[:PAGE_SIZE]
    shown = {h.event.id for h in items}
    return (Page(items, 0, candidates.total),
            [eid for eid in named if eid in shown])


def _next_dates(session: Session, named: Sequence[str], now: datetime,
                ) -> dict[str, list[tuple[datetime, datetime]]]:
    """The next dates of the events named, from the knowledge base."""
    return {eid: dates for eid in named if (dates := next_dates_of(session, eid, now))}


def _dates_line(dates: Sequence[tuple[datetime, datetime]], example: bool) -> str:
    """"Prochaines dates : vendredi 18 juin, 8 h – 12 h 30 ; …" (local times)."""
    return ("Prochaines dates : " + " ; ".join(
        f"{french_date(start)}, {time_fr(start)} – {time_fr(end)}" for start, end in dates)
        + (" (dates d'exemple, à vérifier)" if example else ""))


def _events_text(items: Sequence[EventItem],
                 next_dates: Mapping[str, Sequence[tuple[datetime, datetime]]] | None = None,
                 ) -> str:
    """One line an event; under each event named, its next dates."""
    lines = []
    for i, item in enumerate(items, 1):
        start = datetime.fromisoformat(item["start"])
        when = f"{french_date(start)} à {time_fr(start)}"
        where = item.get("commune") or ""
        lines.append(f"{i}. {item['title']} — {when}" + (f", {where}" if where else "")
                     + (" (exemple)" if item.get("is_example") else ""))
        if next_dates and (dates := next_dates.get(item["id"])):
            lines.append("   " + _dates_line(dates, bool(item.get("is_example"))))
    return "\n".join(lines)


# --------------------------------------------------------------------------- routes
_LENGTH = re.compile(r"(\d+(?:[.,]\d+)?)\s*(km|kilom[eè]tres?|kms?|h|heures?)\b")
_MODE_WORDS = {"mtb": ("vtt",), "bike": ("velo", "bicyclette", "cyclo", "biclou"),
               "horse": ("cheval", "equestre", "chevaux", "cavalier"),
               "hike": ("pied", "rando", "randonnee", "marche", "balade", "promenade")}
_DIFF_WORDS = {"easy": ("facile", "tranquille", "pepere", "petite", "debutant", "famille"),
               "hard": ("difficile", "sportive", "costaud", "dur", "longue", "physique"),
               "medium": ("moyenne", "moyen", "intermediaire")}
# What the NLU gives for `route_mode` (its synonyms are shared with interests).
ROUTE_MODE_VALUES = {"randonnee": "hike", "pied": "hike", "marche": "hike", "velo": "bike",
                     "mtb": "mtb", "vtt": "mtb", "equitation": "horse", "cheval": "horse",
                     **{key: key for key in ROUTE_MODES}}
WALK_KMH = {"hike": 4.0, "bike": 15.0, "mtb": 12.0, "horse": 7.0}


def route_criteria(state: SearchState, text: str, entities: dict[str, Any]) -> None:
    """Mode, difficulty and length from the NLU entities, or from the words typed."""
    words = set(normalize(text).split())
    # The visitor's words first ("une balade à vélo": bike, whatever "balade" was tagged)
    said = next((key for key, vocab in _MODE_WORDS.items() if words & set(vocab)), None)
    mode = said or ROUTE_MODE_VALUES.get(str(entities.get("route_mode") or "").lower())
    if mode:
        state.route_mode = mode
    diff = entities.get("difficulty")
    if diff in ("easy", "medium", "hard"):
        state.difficulty = str(diff)
    else:
        for key, vocab in _DIFF_WORDS.items():
            if words & set(vocab):
                state.difficulty = key
                break
    said = str(entities.get("length") or text).lower()
    # "à 14h" is a time of day, not a duration
    length = next((m for m in _LENGTH.finditer(said)
                   if not (m.group(2).startswith("h") and re.search(r"\b(?:à|a|vers)\s*$",
                                                                     said[: m.start()]))),
                  None)
    if length:
        value = float(length.group(1).replace(",", "."))
        if length.group(2).startswith("h"):
            value *= WALK_KMH.get(state.route_mode or "hike", 4.0)
        state.min_km, state.max_km = round(value * 0.6, 1), round(value * 1.4, 1)


def find_routes(session: Session, position: Position, state: SearchState) -> Outcome:
    state.kind = "routes"
    page = routes_near(session, position.latitude, position.longitude, mode=state.route_mode,
                       min_km=state.min_km, max_km=state.max_km, difficulty=state.difficulty,
                       radius_km=max(state.radius_km, 25.0), limit=PAGE_SIZE,
                       exclude_ids=state.shown if state.offset else ())
    if not page.items:
        key = "no_more_results" if state.offset else "no_routes"
        return Outcome([Reply(key, {"where": position.label, "speaker": FRANCK.signature},
                              buttons=[{"title": "🥾 À pied", "payload":
                                        '/find_routes{"route_mode": "hike"}'},
                                       {"title": "🚲 À vélo", "payload":
                                        '/find_routes{"route_mode": "bike"}'}])], state)
    items = [route_item(h) for h in page.items]
    _seen(state, items)
    replies = [Reply("routes_found",
                     {"count": len(items), "where": position.label,
                      "speaker": FRANCK.signature, "names": _names(items, "name")},
                     buttons=_after_results_buttons("routes", more=page.has_more),
                     custom=payload("routes", items, speaker=FRANCK.key, where=position.label),
                     text=_routes_text(items))]
    if any(i["is_example"] for i in items):
        replies.append(Reply("routes_examples_warning"))
    return Outcome(replies, state)


def route_card(route: Route, position: Position | None) -> Reply:
    """One route of the base, named by the visitor: its card, from where they are."""
    distance = 0.0
    if position is not None:
        distance = round(geodesic_km(position.latitude, position.longitude,
                                     route.start_latitude, route.start_longitude), 2)
    items = [route_item(RouteHit(route, distance))]
    if position is None:
        items[0]["distance_km"] = None
    where = position.label if position else "le Pays de Mormal"
    return Reply("route_named", {"name": route.name, "speaker": FRANCK.signature},
                 buttons=_after_results_buttons("routes", more=False),
                 custom=payload("routes", items, speaker=FRANCK.key, where=where),
                 text=_routes_text(items))


def _routes_text(items: Sequence[RouteItem]) -> str:
    out = []
    for i, r in enumerate(items, 1):
        bits = [ROUTE_MODES.get(r["mode"], r["mode"]).lower()]
        if r["length_km"]:
            bits.append(f"{r['length_km']:g} km".replace(".", ","))
        if r["difficulty"]:
            bits.append({"easy": "facile", "medium": "moyenne", "hard": "difficile"}
                        [r["difficulty"]])
        out.append(f"{i}. {r['name']} ({', '.join(bits)})")
    return "\n".join(out)


# --------------------------------------------------------------------------- place info
INFO_TYPES = ("horaires", "prix", "adresse", "telephone", "acces", "accessibilite")


def place_info(session: Session, name: str, info_type: str | None,
               position: Position | None, now: datetime | None = None,
               poi_id: str | None = None, asked: date | None = None) -> list[Reply]:
    """Hours today (or on the day `asked`), the next opening when closed, the season and
    this week's, address, phone, price, accessibility, a map link — only what the
    knowledge base knows; the rest is said to be unknown. The place is found by fuzzy
    name, or given by id (the last card shown)."""
    now = now or datetime.now(timezone.utc)
    poi = session.get(Poi, poi_id) if poi_id else None
    if poi is None:
        matches = find_places_by_name(session, name, limit=1) if name.strip() else []
        if not matches:
            return [Reply("place_unknown", {"place": name.strip()[:80] or "ce lieu"},
                          buttons=[{"title": "☎️ L'office de tourisme",
                                    "payload": "/ask_human"}])]
        poi = matches[0].poi
    speaker = speaker_for(poi.interests or [], default=JEANNINE)
    today = now.astimezone(PARIS).date()
    lines = [f"{poi.name}" + (f" ({poi.commune.name})" if poi.commune else "")]
    want = info_type if info_type in INFO_TYPES else None
    if want in (None, "horaires"):
        if poi.opening_hours:
            lines.extend(hours_lines(poi.opening_hours, today, asked, week=want == "horaires"))
            if poi.opening_hours.get("note"):
                lines.append(f"À savoir : {poi.opening_hours['note']}")
        elif dates := next_dates_at(session, poi.id, now):
            # A market: its place has no hours, its weekly event has dates.
            lines.append("Prochaines dates : " + " ; ".join(
                f"{french_date(start)}, {time_fr(start)} – {time_fr(end)}"
                for start, end, _ in dates)
                + (" (dates d'exemple, à vérifier)" if any(ex for _, _, ex in dates) else ""))
        else:
            lines.append("Horaires : je ne les connais pas, mieux vaut appeler avant de venir.")
    if want in (None, "adresse", "acces"):
        lines.append(f"Adresse : {poi.address}" if poi.address else
                     "Adresse : je n'ai pas l'adresse exacte.")
    if want in (None, "telephone"):
        lines.append(f"Téléphone : {poi.phone}" if poi.phone else
                     "Téléphone : je n'ai pas de numéro.")
    if want in (None, "prix"):
        lines.append("Tarifs : " + price_text(poi.prices))
    if want in (None, "accessibilite"):
        lines.append(access_text(poi.wheelchair, poi.pushchair, poi.accessibility_labels))
    # The website is given with every fact, and in place of a phone or an address the
    # base lacks (the tourist office's only contact may be its site).
    lacking = ((want == "telephone" and not poi.phone)
               or (want in ("adresse", "acces") and not poi.address))
    if poi.website and (want is None or lacking):
        lines.append(f"Site : {poi.website}")
    lines.append(f"{map_label(poi.coord_precision)} : {osm_link(poi.latitude, poi.longitude)}")
    distance = None
    if position:
        distance = round(geodesic_km(position.latitude, position.longitude, poi.latitude,
                                     poi.longitude), 2)
    item = poi_item(PoiHit(poi, distance if distance is not None else 0.0,
                           hours.is_open(poi.opening_hours, now) if poi.opening_hours else None,
                           1.0))
    if distance is None:
        item["distance_km"] = None
    return [Reply(f"place_info_{speaker.key}",
                  {"place": poi.name, "speaker": speaker.signature},
                  custom=payload("places", [item], speaker=speaker.key),
                  text="\n".join(lines))]


# --------------------------------------------------------------------------- practical
def indoor_ideas(session: Session, position: Position, now: datetime | None = None,
                 audience: str | None = None) -> Outcome:
    """For rainy days: museums, churches, pools… near the visitor (for children first
    when they come along)."""
    state = SearchState(kind="places", kinds=list(INDOOR_KINDS), radius_km=25.0,
                        audience=audience)
    return recommend_places(session, position, state, now)


def transport(session: Session, position: Position | None, gazetteer: Gazetteer,
              said: Sequence[str] = ()) -> Reply:
    """Stations and stops of the knowledge base, nearest first. When the same list is
    already among the bot's messages `said` in this conversation, it is not given again:
    one line points to the nearest, and to who has the timetables."""
    anchor = position or territory_centre(gazetteer)
    page = nearby_pois(session, PoiQuery(anchor.latitude, anchor.longitude,
                                         kinds=["train_station", "bus_stop"], radius_km=40.0,
                                         prefer_territory=starts_in_territory(session, anchor)),
                       limit=3)
    if not page.items:
        return Reply("transport_unknown", {"speaker": SOPHIE.signature},
                     buttons=[{"title": "☎️ L'office de tourisme", "payload": "/ask_human"}])
    items = [poi_item(h) for h in page.items]
    lines = [f"{i}. {h.poi.name} — "
             + (distance_fr(h.distance_km, h.poi.coord_precision, h.poi.in_territory)
                or (a(h.poi.commune.name) if h.poi.commune else "à proximité"))
             + (f"\n   {h.poi.short_description}" if h.poi.short_description else "")
             for i, h in enumerate(page.items, 1)]
    text = "\n".join(lines)
    if text in said:
        nearest = page.items[0]
        return Reply("transport_again",
                     {"station": nearest.poi.name, "speaker": SOPHIE.signature,
                      "distance": distance_fr(nearest.distance_km, nearest.poi.coord_precision,
                                              nearest.poi.in_territory)
                      or "à proximité"},
                     buttons=[{"title": "☎️ L'office de tourisme", "payload": "/ask_human"}])
    return Reply("transport", {"where": anchor.label, "speaker": SOPHIE.signature},
                 custom=payload("places", items, speaker=SOPHIE.key, where=anchor.label),
                 text=text)


def tourist_office(session: Session, gazetteer: Gazetteer,
                   position: Position | None = None) -> Reply:
    """The territory's tourist offices, from its centre; for a visitor in a town outside
    the 52 communes, the offices nearest to them (distance only, as the searches)."""
    local = position is None or starts_in_territory(session, position)
    anchor = territory_centre(gazetteer) if local or position is None else position
    page = nearby_pois(session, PoiQuery(anchor.latitude, anchor.longitude,
                                         kinds=["tourist_office"], radius_km=40.0,
                                         prefer_territory=local), limit=2)
    if not page.items:
        return Reply("office_unknown")
    lines = []
    for h in page.items:
        p = h.poi
        bits = [p.name]
        if p.address:
            bits.append(p.address + (f", {p.commune.name}" if p.commune else ""))
        if p.phone:
            bits.append(f"☎️ {p.phone}")
        if p.email:
            bits.append(f"✉️ {p.email}")
        unknown = [what for what, known in (("son numéro de téléphone", p.phone),
                                            ("son adresse", p.address)) if not known]
        if unknown:  # said, never left for the visitor to guess
            bits.append(("Je n'ai ni " + " ni ".join(unknown) if len(unknown) == 2
                         else f"Je n'ai pas {unknown[0]}")
                        + (" : voici son site." if p.website else "."))
        if p.website:
            bits.append(p.website)
        if p.opening_hours:
            bits.append("Horaires : " + hours.format_week_fr(
                p.opening_hours, datetime.now(PARIS).date()))
        lines.append("\n".join(bits))
    return Reply("office", {"speaker": SOPHIE.signature},
                 custom=payload("places", [poi_item(h) for h in page.items],
                                speaker=SOPHIE.key),
                 text="\n\n".join(lines))


def territory_centre(gazetteer: Gazetteer) -> Position:
    place = gazetteer.lookup("Le Quesnoy")
    if place is None:
        return Position(50.2479, 3.6370, "le Pays de Mormal")
    return Position(place.latitude, place.longitude, "le Pays de Mormal")
