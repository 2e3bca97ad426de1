"""Questions about the last thing shown: "c'est ouvert le mardi ?", "et le numéro ?",
"c'est combien ?", "on peut y aller avec le chien ?", "c'est loin ?", "comment j'y
vais ?", "c'est balisé ?", "et le deuxième ?".

The focus (slot `focus`) keeps the ordered ids of the last items shown and the id in
focus (the one named, or the first). A question is answered about that record from the
knowledge base only; what the base does not hold is said, with who to ask: the tourist
office's contacts, from the base too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from bot.dialogue.facts import access_text, hours_lines, price_text
from bot.dialogue.french import (
    APPROXIMATE_FR,
    OUTSIDE_FR,
    a,
    de,
    distance_fr,
    duration_fr,
    french_date,
    km_fr,
    map_label,
    time_fr,
)
from bot.dialogue.payloads import PARIS, event_item, osm_link, payload, poi_item, route_item
from bot.dialogue.persona import FRANCK, JEANNINE, LEA, Member, speaker_for
from bot.dialogue.position import Position, starts_in_territory
from knowledge import hours
from knowledge.geo import geodesic_km
from knowledge.models import Event, Poi, Route
from knowledge.queries import EventHit, PoiHit, PoiQuery, RouteHit, nearby_pois
from knowledge.taxonomy import DIFFICULTIES, ROUTE_MODES
from knowledge.text import WEEKDAYS_FR, normalize, without_articles

if TYPE_CHECKING:
    from bot.dialogue.payloads import Item, Payload

TYPES = ("places", "events", "routes")


@dataclass
class Focus:
    """The last items shown (ordered ids, their kind) and the one in focus."""

    type: str = "places"  # places | events | routes
    ids: list[str] = field(default_factory=list)
    current: str | None = None

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: Any) -> Focus | None:
        if not isinstance(value, dict) or value.get("type") not in TYPES:
            return None
        ids = [str(i) for i in value.get("ids") or [] if i]
        current = value.get("current")
        if not ids and not current:
            return None
        return cls(str(value["type"]), ids, str(current) if current else (ids[0] if ids else None))

    @classmethod
    def shown(cls, kind: str, items: list[dict[str, Any]]) -> Focus | None:
        """The focus after showing these items (the first is in focus)."""
        ids = [str(i["id"]) for i in items if i.get("id")]
        return cls(kind, ids, ids[0]) if ids and kind in TYPES else None


# --------------------------------------------------------------------------- reading
_QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("waymarks", re.compile(r"\b(balise\w*|balisage|fleche\w*|signale\w*|marque)\b")),
    ("pets", re.compile(r"\b(chiens?|toutous?|animaux|animal|chats?)\b")),
    ("phone", re.compile(r"\b(numero(?! \d)|telephone|tel|appeler|joindre|contacter|"
                         r"coordonnees|mail|email|courriel)\b")),
    ("price", re.compile(r"\b(combien (ca|c|coute|pour)|c est combien|combien\s*$|prix|tarifs?|"
                         r"payant\w*|gratuit\w*|coute|cout|entree|billets?)\b")),
    ("hours", re.compile(r"\b(ouverts?|ouvertes?|ouvre|ferme|fermee?s?|horaires?|heures? d|"
                         r"quand|jours?|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b")),
    ("access", re.compile(r"\b(fauteuils?|poussettes?|pmr|handicap\w*|accessibles?|"
                          r"accessibilite|marches|escaliers?)\b")),
    ("directions", re.compile(r"\b(comment (j|on|nous|y)\w*|y aller|y vais|y va|aller la|"
                              r"itineraire|chemin|adresse|ou est|ou c est|c est ou|ou ca|"
                              r"se garer|parking|garer|acces|gps|plan|carte)\b")),
    ("distance", re.compile(r"\b(loin|distance|combien de (km|kilometres?|temps)|a combien|"
                            r"pres d ici|proche)\b")),
    ("length", re.compile(r"\b(longueur|long|longue|kilometres?|km|duree|combien de temps|"
                          r"difficile|difficulte|denivele|facile|boucle)\b")),
    ("website", re.compile(r"\b(site|internet|web|reserver|reservation|lien)\b")),
)
_ORDINALS = {"premier": 0, "premiere": 0, "1er": 0, "1re": 0, "deuxieme": 1, "second": 1,
             "seconde": 1, "2e": 1, "2eme": 1, "troisieme": 2, "3e": 2, "3eme": 2,
             "quatrieme": 3, "4e": 3, "4eme": 3, "cinquieme": 4, "5e": 4,
             "dernier": -1, "derniere": -1}
_NUMBERED = re.compile(r"\b(?:le|la|numero|n|no)\s*(\d)\b")
# A question about something already shown starts like this, or is short.
_ABOUT_IT = re.compile(r"^(et |mais )?(c est|c|ca|il|elle|ils|elles|on|y|le|la|les|l|"
                       r"est ce|peut on|on peut|faut il|combien|comment|quand|ou|quel\w*)\b")


def question_of(text: str) -> str | None:
    """What is asked about the record ("hours", "phone", "price", "pets", "distance",
    "directions", "waymarks", "access", "length", "website"), or None."""
    norm = normalize(text)
    for key, regex in _QUESTIONS:
        if regex.search(norm):
            return key
    return None


def ordinal_of(text: str) -> int | None:
    """"le deuxième" → 1, "la 3" → 2, "le dernier" → -1; None when no item is designated."""
    norm = normalize(text)
    for word in norm.split():
        if word in _ORDINALS:
            return _ORDINALS[word]
    m = _NUMBERED.search(norm)
    if m and 1 <= int(m.group(1)) <= 9:
        return int(m.group(1)) - 1
    return None


def asks_about_it(text: str) -> bool:
    """The message is a question about "it" ("c'est accessible ?", "on peut y aller ?"),
    not a criterion said alone ("ouvert maintenant", "accessible en fauteuil")."""
    return bool(_ABOUT_IT.search(normalize(text)))


def is_followup(text: str, focus: Focus | None) -> bool:
    """Does this message ask about the last thing shown (rather than start a search)?"""
    if focus is None:
        return False
    norm = normalize(text)
    if ordinal_of(text) is not None and len(norm.split()) <= 6:
        return True
    if question_of(text) is None:
        return False
    return bool(_ABOUT_IT.search(norm)) or len(norm.split()) <= 5


def pick(focus: Focus, text: str, names: dict[str, str] | None = None) -> str | None:
    """The id a question is about: an ordinal ("le deuxième"), a name of one of the items
    shown ("et le musée Matisse ?"), else the one in focus."""
    index = ordinal_of(text)
    if index is not None and focus.ids:
        if -len(focus.ids) <= index < len(focus.ids):
            return focus.ids[index]
        return None
    if names:
        norm = without_articles(normalize(text))
        best = max(((fuzz.partial_ratio(without_articles(normalize(n)), norm), i)
                    for i, n in names.items() if i in focus.ids), default=None)
        if best and best[0] >= 85 and len(norm) >= 4:
            return best[1]
    return focus.current or (focus.ids[0] if focus.ids else None)


def names_of(session: Session, focus: Focus) -> dict[str, str]:
    """Names (or titles) of the items of the focus, by id."""
    model: Any = {"places": Poi, "events": Event, "routes": Route}[focus.type]
    out = {}
    for rid in focus.ids:
        record = session.get(model, rid)
        if record is not None:
            out[rid] = record.title if focus.type == "events" else record.name
    return out


def asked_day(text: str, today: date) -> date | None:
    """"le mardi" → the next Tuesday (today if it is one); "demain"; None otherwise."""
    norm = normalize(text).split()
    if "demain" in norm:
        return today + timedelta(days=1)
    if "aujourd" in norm:
        return today
    for i, name in enumerate(WEEKDAYS_FR):
        if name in norm:
            return today + timedelta(days=(i - today.weekday()) % 7)
    return None


# --------------------------------------------------------------------------- answers
@dataclass
class Answer:
    """The facts found (lines of text) or what is missing, about one record."""

    record_id: str
    type: str
    name: str
    speaker: Member
    lines: list[str]
    missing: str | None = None  # French words of what the base does not hold
    item: Item | None = None
    office: list[str] = field(default_factory=list)  # who to ask, when missing
    own_contacts: bool = False  # `office` holds the record's own contacts (it is an office)

    @property
    def custom(self) -> Payload | None:
        return payload(self.type, [self.item], speaker=self.speaker.key) if self.item else None


_MISSING = {"hours": "les horaires", "phone": "le numéro de téléphone", "price": "les tarifs",
            "pets": "si les chiens sont acceptés", "waymarks": "le balisage",
            "access": "l'accessibilité", "directions": "l'adresse exacte",
            "website": "le site internet", "length": "la longueur",
            "distance": "votre position"}


def answer(session: Session, focus: Focus, record_id: str, question: str | None,
           text: str = "", position: Position | None = None,
           now: datetime | None = None) -> Answer | None:
    """Answer `question` about record `record_id` (of the focus' type) from the base;
    None when the record is gone."""
    now = now or datetime.now(timezone.utc)
    if focus.type == "routes":
        route = session.get(Route, record_id)
        return _route_answer(session, route, question, position) if route else None
    if focus.type == "events":
        event = session.get(Event, record_id)
        return _event_answer(session, event, question, position, now) if event else None
    poi = session.get(Poi, record_id)
    return _poi_answer(session, poi, question, text, position, now) if poi else None


def _distance_line(position: Position | None, lat: float, lon: float,
                   precision: str | None, commune: str | None,
                   in_territory: bool = True) -> str | None:
    if position is None:
        return None
    d = geodesic_km(position.latitude, position.longitude, lat, lon)
    outside = "" if in_territory else f", {OUTSIDE_FR}"
    if precision == "commune":
        # Only the commune is known (said on the line before): how far it is, roughly,
        # never to a tenth of a km
        if d >= 3:
            far = f"À environ {km_fr(round(d))} {_from(position)} à vol d'oiseau"
        elif commune and normalize(commune) == normalize(position.label):
            far = "Dans la commune où vous êtes"
        else:
            far = f"Tout près {_from(position)}"
        return f"📍 {far}{outside} ({APPROXIMATE_FR})."
    said = distance_fr(d, precision) or km_fr(d)
    return f"📍 {said} {_from(position)} (à vol d'oiseau){outside}."


def _from(position: Position) -> str:
    return de(position.label)


def _poi_answer(session: Session, poi: Poi, question: str | None, text: str,
                position: Position | None, now: datetime) -> Answer:
    speaker = speaker_for(poi.interests or [], default=JEANNINE)
    commune = poi.commune.name if poi.commune else None
    lines: list[str] = []
    missing = None
    today = now.astimezone(PARIS).date()
    if question in (None, "hours"):
        if poi.opening_hours:
            lines.extend(hours_lines(poi.opening_hours, today, asked_day(text, today),
                                     week=True))
            if poi.opening_hours.get("note"):
                lines.append(f"À savoir : {poi.opening_hours['note']}")
        elif question == "hours":
            missing = "hours"
    if question == "phone":
        if poi.phone:
            lines.append(f"☎️ {poi.phone}")
        if poi.email:
            lines.append(f"✉️ {poi.email}")
        if not lines:
            missing = "phone"
    if question == "price":
        if poi.prices:
            lines.append("Tarifs : " + price_text(poi.prices))
        else:
            missing = "price"
    if question == "pets":
        if poi.pets_allowed is True:
            lines.append("🐕 Oui, les chiens sont acceptés.")
        elif poi.pets_allowed is False:
            lines.append("🐕 Non, les animaux ne sont pas acceptés.")
        else:
            missing = "pets"
    if question == "access":
        if poi.wheelchair is not None or poi.pushchair is not None or poi.accessibility_labels:
            lines.append(access_text(poi.wheelchair, poi.pushchair, poi.accessibility_labels))
        else:
            missing = "access"
    if question in ("directions", "distance"):
        if poi.address:
            lines.append(f"Adresse : {poi.address}" + (f", {commune}" if commune else ""))
        else:
            if commune:
                lines.append(f"C'est {_at(commune)}.")
            if "adresse" in normalize(text).split():
                missing = "directions"  # asked for the address: said not known
        line = _distance_line(position, poi.latitude, poi.longitude, poi.coord_precision,
                              commune, poi.in_territory)
        if line:
            lines.append(line)
        lines.append(f"🗺️ {map_label(poi.coord_precision)} : "
                     f"{osm_link(poi.latitude, poi.longitude)}")
    if question == "website":
        if poi.website:
            lines.append(f"🌐 {poi.website}")
        else:
            missing = "website"
    if question in ("waymarks", "length"):
        missing = question
    if question is None and not lines:
        lines.append(poi.short_description or f"{poi.name}" + (f" ({commune})" if commune else ""))
    distance = (geodesic_km(position.latitude, position.longitude, poi.latitude, poi.longitude)
                if position else None)
    item = poi_item(PoiHit(poi, round(distance, 2) if distance is not None else 0.0,
                           hours.is_open(poi.opening_hours, now) if poi.opening_hours else None,
                           1.0))
    if distance is None:
        item["distance_km"] = None
    ans = Answer(poi.id, "places", poi.name, speaker, lines, missing, item)
    if missing and "tourist_office" in (poi.kinds or []):
        # The office itself lacks it: its own contacts, not "ask the office" about itself
        ans.office = contact_lines(poi)[1:]
        ans.own_contacts = bool(ans.office)
    return _finish(session, ans, poi.latitude, poi.longitude, position)


def _at(commune: str) -> str:
    return a(commune)


def _route_answer(session: Session, route: Route, question: str | None,
                  position: Position | None) -> Answer:
    speaker = FRANCK
    commune = route.commune.name if route.commune else None
    lines: list[str] = []
    missing = None
    if question in (None, "length"):
        bits = [ROUTE_MODES.get(route.mode, route.mode)]
        if route.length_km:
            bits.append(km_fr(route.length_km))
        if duration_fr(route.duration_min):
            bits.append(f"environ {duration_fr(route.duration_min)}")
        if route.difficulty:
            bits.append(DIFFICULTIES.get(route.difficulty, route.difficulty).lower())
        if route.elevation_gain_m is not None:
            bits.append(f"dénivelé +{route.elevation_gain_m} m")
        if route.is_loop is not None:
            bits.append("en boucle" if route.is_loop else "aller simple")
        lines.append(", ".join(bits) + ".")
    if question == "waymarks":
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", route.description or "")
                     if "balis" in normalize(s)]
        if sentences:
            lines.append("D'après sa fiche : « " + sentences[0] + " »")
        else:
            missing = "waymarks"
    if question in ("directions", "distance"):
        start = f"Départ {_at(commune)}" if commune else "Départ"
        precise = route.coord_precision == "exact"
        lines.append(start + ("." if precise else " (point de départ exact : voir la fiche "
                                                  "officielle)."))
        line = _distance_line(position, route.start_latitude, route.start_longitude,
                              route.coord_precision, commune)
        if line:
            lines.append(line)
        lines.append(f"🗺️ {map_label(route.coord_precision)} : "
                     f"{osm_link(route.start_latitude, route.start_longitude)}")
    if question == "website":
        if route.url:
            lines.append(f"🌐 {route.url}")
        else:
            missing = "website"
    if question in ("hours", "phone", "price", "pets", "access"):
        missing = question
    distance = (geodesic_km(position.latitude, position.longitude, route.start_latitude,
                            route.start_longitude) if position else 0.0)
    item = route_item(RouteHit(route, round(distance, 2)))
    if position is None:
        item["distance_km"] = None
    return _finish(session, Answer(route.id, "routes", route.name, speaker, lines, missing,
                                   item), route.start_latitude, route.start_longitude,
                   position)


def _event_answer(session: Session, event: Event, question: str | None,
                  position: Position | None, now: datetime) -> Answer:
    speaker = LEA
    commune = event.commune.name if event.commune else None
    lines: list[str] = []
    missing = None
    upcoming = [t for t in event.timings
                if t.end.replace(tzinfo=timezone.utc) > now.astimezone(timezone.utc)]
    if question in (None, "hours"):
        for t in upcoming[:3]:
            start = t.start.replace(tzinfo=timezone.utc)
            end = t.end.replace(tzinfo=timezone.utc)
            lines.append(f"🗓️ {french_date(start)}, de {time_fr(start)} à {time_fr(end)}")
        if not upcoming:
            lines.append("Je ne connais pas de prochaine date.")
        if event.is_example:
            lines.append("ℹ️ Date donnée en exemple : vérifiez auprès de l'office de tourisme.")
    if question == "price":
        price = event.price or {}
        if price.get("free"):
            lines.append("Tarifs : gratuit.")
        elif price.get("text"):
            lines.append(f"Tarifs : {price['text']}")
        else:
            missing = "price"
    if question in ("directions", "distance"):
        venue = event.venue.name if event.venue else event.venue_name
        lines.append("Lieu : " + ", ".join(x for x in (venue, commune) if x)
                     if venue or commune else "Lieu : voir l'annonce.")
        line = _distance_line(position, event.latitude, event.longitude,
                              event.coord_precision, commune)
        if line:
            lines.append(line)
        lines.append(f"🗺️ {map_label(event.coord_precision)} : "
                     f"{osm_link(event.latitude, event.longitude)}")
    if question in ("website", "phone"):
        url = event.booking_url or event.url
        if url:
            lines.append(f"🌐 {url}")
        else:
            missing = question
    if question == "access":
        if event.wheelchair is True:
            lines.append("Accessible en fauteuil ♿")
        elif event.wheelchair is False:
            lines.append("Pas accessible en fauteuil.")
        else:
            missing = "access"
    if question in ("pets", "waymarks", "length"):
        missing = question
    first = upcoming[0] if upcoming else (event.timings[0] if event.timings else None)
    item = None
    if first is not None:
        d = (geodesic_km(position.latitude, position.longitude, event.latitude, event.longitude)
             if position else None)
        item = event_item(EventHit(event, first.start.replace(tzinfo=timezone.utc),
                                   first.end.replace(tzinfo=timezone.utc),
                                   round(d, 2) if d is not None else None))
    return _finish(session, Answer(event.id, "events", event.title, speaker, lines, missing,
                                   item), event.latitude, event.longitude, position)


def _finish(session: Session, ans: Answer, lat: float, lon: float,
            position: Position | None) -> Answer:
    if ans.missing and not ans.office:
        local = position is None or starts_in_territory(session, position)
        ans.office = office_contacts(session, lat, lon, local)
    return ans


def office_contacts(session: Session, lat: float, lon: float, local: bool = True) -> list[str]:
    """The nearest tourist office of the base (the territory's first, unless the visitor
    is in a town outside it: `local` False): name, phone, e-mail, website, address."""
    page = nearby_pois(session, PoiQuery(lat, lon, kinds=["tourist_office"], radius_km=60.0,
                                         prefer_territory=local), limit=1)
    if not page.items:
        return ["Office de tourisme du Pays de Mormal."]
    return contact_lines(page.items[0].poi)


def contact_lines(p: Poi) -> list[str]:
    """A place's name, then the contacts the base holds: phone, e-mail, website, address."""
    lines = [p.name]
    if p.phone:
        lines.append(f"☎️ {p.phone}")
    if p.email:
        lines.append(f"✉️ {p.email}")
    if p.website:
        lines.append(f"🌐 {p.website}")
    if p.address:
        lines.append(p.address + (f", {p.commune.name}" if p.commune else ""))
    return lines


def missing_words(ans: Answer) -> str:
    return _MISSING.get(ans.missing or "", "cette information")


__all__ = ["Answer", "Focus", "answer", "is_followup", "names_of", "office_contacts",
           "ordinal_of", "pick", "question_of"]
