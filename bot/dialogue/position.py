"""Where the visitor is, read from what they type or share.

A town (or a place of the base) named anywhere in a message becomes the position when the
words around it make it where the visitor is or is going ("on arrive au Quesnoy", "on
loge à Bavay", "du côté de Landrecies", "près du forum"), never where they come from ("on
vient de Lille", "depuis Valenciennes"). When several are named, the last place where the
visitor is wins, then the last one named without a clue; origins never do.

Everyday words are not towns: a single word is read as a commune outside the territory
only after a preposition or a clue ("par contre" is not Contre, Somme), and a commune
whose name has no article is not read after "du", "au", "le", "un"… ("du maroilles" is
the cheese, Maroilles the village is "à Maroilles").

A position farther from the territory than the knowledge base's own limit
(`KNOWLEDGE_MAX_DISTANCE_KM`, 40 km) is *outside*: the family says honestly that it knows
the Pays de Mormal, gives the nearest entry points and measures nothing from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.dialogue.french import de
from knowledge.config import get_settings
from knowledge.gazetteer import Gazetteer, Place
from knowledge.geo import check_coordinates, haversine_km
from knowledge.models import Commune
from knowledge.queries import find_places_by_name
from knowledge.text import normalize

HERE, ORIGIN, NEUTRAL = "here", "origin", "neutral"


@dataclass
class Position:
    latitude: float
    longitude: float
    label: str  # "Bavay", "votre position (près de Bavay)", "« Forum antique de Bavay »"
    source: str = "typed"  # typed | shared | place (slots.POSITION_SOURCES)
    commune: str | None = None  # INSEE code of the commune it is in (or nearest)


@dataclass(frozen=True)
class Mention:
    """A town or place named in a message, and the role the words give it."""

    position: Position
    role: str  # HERE | ORIGIN | NEUTRAL
    index: int  # first word's index in the normalised message
    in_territory: bool


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words just before a name that say where the visitor is or is going.
_HERE_CUES = _words("""
arrive arrivons arrivez arrivera arriverons arrivee arrives arriver loge logeons
logerons logeant loges loger logement dort dors dormons dormirons dormir nuit nuits est
sommes suis serons serai sera sera etes reste restons resterons sejourne sejournons
sejour sejournerons vacances week installe installes installees campe campons cote
autour pres proche proches vers alentours environs coin aux depart partant va vais
allons irons ira aller passe passons passerons rendre direction visite visitons visiter
trouve trouvons
""")
# ... and those that say where they come from.
_ORIGIN_CUES = _words("""
vient viens venons venez venant venu venus venue venues depuis provenance parti partis
partie parties originaire originaires quitte quittons rentre rentrons
""")
# Words skipped when looking back for a clue.
_SKIP = _words("""
a au aux de du d des en l la le les sur dans chez ce cet cette ces ici juste tout bien
demain aujourd hui samedi dimanche lundi mardi mercredi jeudi vendredi soir matin midi
apres prochain prochaine bientot on nous je j y deja plutot actuellement maintenant
""")
# A clue is looked for at most this many words back, and never across these.
_LOOK_BACK = 5
_BREAKS = frozenset({"et", "puis", "mais", "ou", "pour", "avec", "car", "donc", "alors"})
# Before a commune without article, these make the word a thing, not the town.
_THING = frozenset({"du", "au", "aux", "le", "la", "les", "un", "une", "des", "mon", "ma",
                    "son", "sa", "notre", "votre", "ce", "cette"})
_FOOD = frozenset({"fromage", "fromages", "tarte", "tartes", "flamiche", "flamiches",
                   "goyere", "croute", "boulette", "morceau", "part", "plateau", "fondue"})
# Words of everyday French that are also names of communes (elsewhere in the region).
_EVERYDAY = frozenset({"contre", "rue", "fins", "long", "ville", "loge", "monts", "moulins",
                       "fait", "bois", "mont", "gare", "ferme", "moulin", "port", "val",
                       "vaux", "salle", "fort", "beau", "haut", "bas", "grand", "petit",
                       "tour", "pont", "plus", "bien", "marche", "avesnes", "sars"})
_PREPOSITIONS = frozenset({"a", "au", "aux", "de", "d", "du", "des", "depuis", "vers", "pres",
                           "sur", "en"})
# Clues before a place of the base ("près du forum", "on est au Lac Vauban").
_PLACE_CUES = frozenset({"pres", "cote", "autour", "depart", "proche", "alentours", "environs",
                         "est", "sommes", "suis", "loge", "logeons", "dort", "dormons",
                         "arrive", "arrivons", "garee", "gare", "parking"})
_PLACE_WORDS = 6


def outside_km() -> float:
    """How far from the territory a position is still ours (the knowledge base's limit)."""
    return get_settings().max_distance_km


def _role(words: list[str], index: int) -> str:
    """The role the words before `words[index]` give to the name starting there."""
    steps = 0
    for i in range(index - 1, -1, -1):
        word = words[i]
        if word in _BREAKS:
            return NEUTRAL
        if word in _ORIGIN_CUES:
            return ORIGIN
        if word in _HERE_CUES:
            # "à côté de", "au départ de": here; "de" alone says nothing.
            return HERE
        if word not in _SKIP:
            steps += 1
        if steps >= 2 or index - i > _LOOK_BACK:
            return NEUTRAL
    return NEUTRAL


def _has_article(place: Place) -> bool:
    first = place.name.split(" ", 1)[0].lower()
    return first in ("le", "la", "les") or place.name.lower().startswith("l'")


def _acceptable(place: Place, words: list[str], start: int, size: int, role: str) -> bool:
    """Is this word (or these words) really the commune, in this sentence?"""
    before = words[start - 1] if start else ""
    key = " ".join(words[start:start + size])
    if size == 1 and not _has_article(place):
        if before in _THING:
            return False
        if before == "de" and start >= 2 and words[start - 2] in _FOOD:
            return False
    if size == 1 and not place.in_territory:
        if key in _EVERYDAY:
            return False
        if role == NEUTRAL and before not in _PREPOSITIONS:
            return False
    return True


def _commune_position(place: Place) -> Position:
    return Position(place.latitude, place.longitude, place.name, "typed", place.insee)


def mentions(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """The communes named in a message, in order, with the role their words give them."""
    words = normalize(text).split()
    found: list[Mention] = []
    i = 0
    while i < len(words):
        hit = None
        for size in range(min(5, len(words) - i), 0, -1):
            key = " ".join(words[i:i + size])
            place = gazetteer.exact(key)
            if place is None:
                continue
            if size == 1 and len(key) < 4 and not (
                    i and words[i - 1] in _PREPOSITIONS and _role(words, i) == HERE):
                continue  # "Ors" the village only after "on arrive à", "on est à"…
            role = _role(words, i)
            if _acceptable(place, words, i, size, role):
                hit = (place, size, role)
                break
        if hit is None:
            i += 1
            continue
        place, size, role = hit
        found.append(Mention(_commune_position(place), role, i, place.in_territory))
        i += size
    return found


def place_mentions(text: str, session: Session) -> list[Mention]:
    """Places of the base named after a clue of where the visitor is ("près du forum
    antique", "on est au lac Vauban")."""
    words = normalize(text).split()
    found: list[Mention] = []
    for i, word in enumerate(words):
        if word not in _PLACE_CUES or (word == "est" and (i == 0 or words[i - 1] != "on")):
            continue
        j = i + 1
        while j < len(words) and words[j] in _SKIP:
            j += 1
        fragment = " ".join(words[j:j + _PLACE_WORDS])
        if not fragment:
            continue
        matches = find_places_by_name(session, fragment, limit=1)
        if matches:
            poi = matches[0].poi
            found.append(Mention(Position(poi.latitude, poi.longitude, f"« {poi.name} »",
                                          "place", poi.commune_insee),
                                 HERE, j, True))
    return found


def choose(found: list[Mention]) -> Mention | None:
    """The last place where the visitor is; else the last one named without a clue;
    never a place they come from."""
    for role in (HERE, NEUTRAL):
        chosen = [m for m in found if m.role == role]
        if chosen:
            return max(chosen, key=lambda m: m.index)
    return None


def position_in_text(text: str, gazetteer: Gazetteer, session: Session | None = None,
                     ) -> Mention | None:
    """The position a message gives, if any (see the module's docstring)."""
    found = mentions(text, gazetteer)
    if session is not None and not any(m.role == HERE for m in found):
        found += place_mentions(text, session)
    return choose(found)


def read_position(text: str, place: str | None, gazetteer: Gazetteer,
                  session: Session | None = None, *, bare: bool = False) -> Position | None:
    """The position a message gives: a town or place named where the visitor is (the
    words decide, see `position_in_text`); else the NLU's `place` entity, unless the words
    make it where they come from; else, for a bare answer to "où êtes-vous ?", the whole
    message as a name."""
    mention = position_in_text(text, gazetteer, session)
    if mention is not None:
        return mention.position
    if place:
        found = position_from_name(place, gazetteer, session)
        if found is not None and found.source == "typed" and not bare \
                and normalize(place) in normalize(text):
            # the words around it decided: a place they come from, a thing ("du
            # maroilles"), an everyday word — not where they are
            found = None
        if found is not None:
            return found
    if bare:
        return position_from_name(text, gazetteer, session)
    return None


def position_from_name(name: str, gazetteer: Gazetteer, session: Session | None = None,
                       ) -> Position | None:
    """A bare answer to "où êtes-vous ?" (or the NLU's `place` entity): a commune, typos
    forgiven near the territory, then a place of the base."""
    place = gazetteer.lookup(name)
    if place:
        return _commune_position(place)
    if session is not None:
        matches = find_places_by_name(session, name, limit=1)
        if matches:
            poi = matches[0].poi
            return Position(poi.latitude, poi.longitude, f"« {poi.name} »", "place",
                            poi.commune_insee)
    return None


def position_from_coordinates(lat: object, lon: object, gazetteer: Gazetteer) -> Position:
    """A shared position; raises CoordinateError (French message) when impossible."""
    flat, flon = check_coordinates(lat, lon)
    nearest = gazetteer.nearest(flat, flon)
    label = f"votre position (près {de(nearest.name)})" if nearest else "votre position"
    return Position(flat, flon, label, "shared", nearest.insee if nearest else None)


def starts_in_territory(session: Session, position: Position) -> bool:
    """Whether a search starts in the territory: places elsewhere then come after local
    ones. From a town outside it (Ors, Valenciennes), the visitor asked for that town's
    places: ranked by distance only."""
    commune = session.get(Commune, position.commune) if position.commune else None
    return commune is None or bool(commune.in_territory)


def is_outside(position: Position, gazetteer: Gazetteer, limit_km: float | None = None,
               ) -> bool:
    """Farther from the territory than the knowledge base reaches."""
    limit = outside_km() if limit_km is None else limit_km
    return gazetteer.distance_to_territory_km(position.latitude, position.longitude) > limit


def entry_points(position: Position, gazetteer: Gazetteer, count: int = 3) -> list[Place]:
    """The towns of the territory nearest to a position outside it (its gates)."""
    towns = [p for p in gazetteer.territory if (p.population or 0) >= 2500] \
        or gazetteer.territory
    return sorted(towns, key=lambda p: haversine_km(position.latitude, position.longitude,
                                                    p.latitude, p.longitude))[:count]
