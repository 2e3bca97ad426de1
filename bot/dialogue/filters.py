"""What the visitor asks for besides the topic, read from their words (or the NLU's
entities): accessibility, audience, length and difficulty, price, open now or at a given
time ("un resto ouvert dimanche soir"), and the kind of place. The same `Filters` apply to
places, events and routes; what a kind of search cannot honour is listed (`unsupported`)
so that the family says it, never ignores it.

"5 km max", "pas plus de 8 km", "une petite boucle" are a route's length; only "à moins
de 10 km", "dans un rayon de…" or "… d'ici" are a search radius.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.dialogue.periods import PARIS, resolve_period
from knowledge.taxonomy import KINDS
from knowledge.text import normalize

# One table: the words a visitor uses → the kinds of the taxonomy (first = the exact
# kind) and, for each, what comes closest when none exists nearby.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    r"estaminets?": ("estaminet",),
    r"gites?( ruraux?| d etape)?": ("gite",),
    r"chambres? d hotes?": ("guesthouse",),
    r"hotels?(?! de ville)": ("hotel",),
    r"campings?|camper|emplacement tente": ("campsite",),
    r"fermes?( pedagogiques?| auberges?)?|a la ferme": ("farm",),
    r"fromageries?|fromager": ("cheese_dairy",),
    r"producteurs?|vente directe": ("producer",),
    r"piscines?|baignade|nager": ("swimming_pool",),
    r"restaurants?|restos?|resto|auberges?|manger un morceau|dejeuner|diner": ("restaurant",),
    r"cafes?|bars?|boire un verre|boire un coup": ("cafe",),
    r"brasseries?|bieres?": ("brewery",),
    r"musees?|expos?|expositions?": ("museum",),
    r"eglises?|collegiales?": ("church",),
    r"chapelles?": ("chapel",),
    r"chateaux?": ("castle",),
    r"moulins?": ("mill",),
    r"abbayes?": ("abbey",),
    r"remparts?|fortifications?": ("rampart",),
    r"zoos?|parc animalier|animaux sauvages": ("zoo",),
    r"aires? de jeux|jeux pour enfants|toboggans?": ("playground",),
    r"parc de loisirs|parc d attractions": ("leisure_park",),
    r"etangs?": ("pond",),
    r"lacs?": ("lake",),
    r"forets?|bois": ("forest",),
    r"jour de marche|marches? (hebdo\w*|fermiers?|locaux|local|couverts?|de noel)": ("market",),
    r"boutiques?|magasins?": ("shop",),
    r"gares?": ("train_station",),
    r"centres? equestres?|poney|ponys?": ("equestrian_centre",),
    r"location de velos?|louer (un|des) velos?": ("bike_rental",),
    r"cimetieres?|tombes?|memorial|memoriaux": ("memorial",),
}
# What comes closest to each kind, in order, when none exists nearby.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "estaminet": ("cafe", "restaurant", "brewery"),
    "restaurant": ("estaminet", "cafe", "brewery"),
    "cafe": ("estaminet", "brewery", "restaurant"),
    "gite": ("guesthouse", "hotel", "campsite"),
    "guesthouse": ("gite", "hotel"),
    "hotel": ("guesthouse", "gite"),
    "campsite": ("gite", "guesthouse"),
    "farm": ("cheese_dairy", "producer", "market"),
    "cheese_dairy": ("farm", "producer", "shop"),
    "producer": ("farm", "cheese_dairy", "market"),
    "swimming_pool": ("lake", "leisure_park", "sports"),
    "playground": ("leisure_park", "park", "zoo"),
    "leisure_park": ("playground", "zoo", "park"),
    "zoo": ("leisure_park", "farm", "park"),
    "market": ("producer", "farm", "shop"),
    "pond": ("lake", "waterway"),
    "lake": ("pond", "waterway"),
    "castle": ("heritage_site", "monument"),
    "museum": ("heritage_site", "archaeological_site"),
    "equestrian_centre": ("farm",),
    "bike_rental": ("sports",),
}
# The interest each kind belongs to (so that a kind alone says what to look for).
KIND_INTEREST: dict[str, str] = {
    "estaminet": "gastronomie", "restaurant": "gastronomie", "cafe": "gastronomie",
    "brewery": "terroir", "farm": "terroir", "cheese_dairy": "terroir", "producer": "terroir",
    "market": "terroir", "shop": "terroir", "gite": "hebergement", "guesthouse": "hebergement",
    "hotel": "hebergement", "campsite": "hebergement", "swimming_pool": "loisirs",
    "playground": "famille", "leisure_park": "loisirs", "zoo": "famille", "museum": "culture",
    "church": "patrimoine", "chapel": "patrimoine", "castle": "patrimoine", "mill": "patrimoine",
    "abbey": "patrimoine", "rampart": "patrimoine", "memorial": "patrimoine", "pond": "nature",
    "lake": "nature", "forest": "nature", "train_station": "pratique",
    "equestrian_centre": "equitation", "bike_rental": "velo",
}
_KIND_RES = [(re.compile(rf"\b(?:{pattern})\b"), kinds) for pattern, kinds in KIND_WORDS.items()]

_WHEELCHAIR = re.compile(r"\b(fauteuils?|pmr|handicap\w*|roulants?|mobilite reduite)\b")
_PUSHCHAIR = re.compile(r"\b(poussettes?|landaus?|bebes? en poussette)\b")
_KIDS = re.compile(r"\b(enfants?|gamins?|gosses?|les petits|marmaille|kids?|momes?|"
                   r"bambins?|ados?|adolescents?)\b")
_SENIORS = re.compile(r"\b(seniors?|personnes? agees?|agees?|grands? parents?|mamie|papi|"
                      r"retraites?|ma mere de \d+|\d{2} ans passes)\b")
_OPEN = re.compile(r"\b(ouverts?|ouvertes?)\b.*\b(maintenant|actuellement|mtn|tout de suite|"
                   r"en ce moment|aujourd hui)\b")
# "où manger ?", "pour manger ce midi": somewhere to eat, when no kind is named.
_EAT = re.compile(r"\b(manger|se restaurer|casser la croute|dejeuner|diner|bouffer|grailler)\b")
# What an event is ("un marché de Noël", "une braderie", "des concerts"): words looked for
# in event titles, the most telling first.
EVENT_TOPICS: dict[str, str] = {
    r"noel": "noel", r"brocantes?|vide greniers?": "brocante", r"braderies?": "braderie",
    r"ducasses?|kermesses?": "ducasse", r"carnavals?": "carnaval", r"concerts?": "concert",
    r"festivals?": "festival", r"expos?|expositions?": "expo", r"spectacles?": "spectacle",
    r"ateliers?": "atelier", r"visites? guidees?": "visite guidee", r"contes?|contee": "cont",
    r"degustations?": "degustation", r"feux? d artifice": "feu d artifice",
    r"commemorations?|ceremonies?": "comm", r"musique": "musique", r"geants?": "geants",
    r"peche": "peche", r"marches?(?! a pied)(?! de \d)": "marche", r"fetes?": "fete",
}
_EVENT_TOPIC_RES = [(re.compile(rf"\b(?:{p})\b"), w) for p, w in EVENT_TOPICS.items()]
# "où acheter du maroilles ?": the cheese (not the village), when no kind is named.
_CHEESE = re.compile(r"\b(acheter (du |des |le |un )?(maroilles|fromages?)|maroilles fermier|"
                     r"fromages? fermiers?)\b")
# "une dizaine de km": about ten.
_ABOUT = {"dizaine": "10", "douzaine": "12", "quinzaine": "15", "vingtaine": "20",
          "trentaine": "30", "cinquantaine": "50"}
_ABOUT_RE = re.compile(rf"\b(?:une )?({'|'.join(_ABOUT)}) (?:de |d )?(km|kms|kilometres?)\b")
_RAIN = re.compile(r"\b(pleu\w*|pluie\w*|drache\w*|averses?|flotte|a l abri|au sec|"
                   r"en interieur|au chaud|mauvais temps|temps pourri)\b")
ROUTE_INTERESTS = frozenset({"randonnee", "velo", "mtb", "equitation"})  # walks and rides
# "on arrive à vélo à Ors": how the visitor travels, not a ride they ask for.
_TRAVELLING = re.compile(r"\b(arrive\w*|venons|viens|vient|venez|allons|vais|va|passe\w*|"
                         r"sommes|suis|est) (a|en) (velo|pied|voiture|train|bus|moto|cheval)\b")
_ROUTE_ASKED = re.compile(r"\b(balades?|randos?|randonnees?|promenades?|boucles?|circuits?|"
                          r"parcours|itineraires?|sentiers?|pistes?|tour a velo|faire du velo|"
                          r"rouler|pedaler|vtt)\b")
_OPEN_WORD = re.compile(r"\bouver(?:ts?|tes?)\b(.*)$")
# "c'est ouvert le mardi ?", "ils sont ouverts quand ?": a question about the place shown,
# not a filter of a search (bot.dialogue.followups answers it).
_ABOUT_IT = re.compile(r"\b(c est|c etait|est ce|est il|est elle|sont ils|sont elles|ils sont|"
                       r"elles sont|il est|elle est|quand|jusqu a quelle heure)\b")
_CLOCK = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})?\b|\b(?<!apres )(midi|minuit)\b")
_NOW = re.compile(r"\b(maintenant|en ce moment|mtn|actuellement)\b")
_ROUTE_WORDS = re.compile(r"\b(balades?|randos?|randonnees?|promenades?|boucles?|circuits?|"
                          r"marches?|parcours|itineraires?|velo|vtt|sentiers?|chemins?)\b")
_FREE = re.compile(r"\b(gratuits?|gratuites?|gratos|sans payer|pas payant\w*|entree libre)\b")
_CHEAP = re.compile(r"\b(pas cher\w*|bon marche|petit prix|petits prix|economique\w*|"
                    r"pas trop cher\w*|petit budget|budget serre)\b")
_PETS = re.compile(r"\b(chiens?|toutous?|animaux (acceptes|admis|de compagnie)|"
                   r"animal de compagnie|avec (mon|ma|notre|nos|le|la|les) "
                   r"(chat|chats|animal|animaux))\b")
_FLAT = re.compile(r"\b(a plat|plate|plat|sans denivele|pas de denivele|sans cote|"
                   r"sans montee|peu de denivele)\b")
_SHORT = re.compile(r"\b(pas trop longue?s?|pas longue?s?|courte?s?|petite boucle|"
                    r"petit tour|petite balade|petite promenade|petite rando\w*|"
                    r"petite marche|pas trop loin a marcher|balade digestive)\b")
_EASY = re.compile(r"\b(facile|faciles|tranquilles?|pepere|debutants?|sans difficulte|"
                   r"pas trop dure?s?|pas difficile|accessible a tous)\b")
_HARD = re.compile(r"\b(difficiles?|sportive?s?|costaud|physiques?|exigeante?s?|"
                   r"(?<!pas )dure?s?)\b")
_MEDIUM = re.compile(r"\b(moyenne|intermediaire)\b")
_LOOP = re.compile(r"\b(boucles?|circuits?|revenir au point de depart)\b")
# Decimals survive normalising as "2v5" ("2,5 km", "7.5 km"; v for virgule).
_DECIMAL = re.compile(r"(\d)[.,](\d)")
_NUMBER = r"(\d+(?:v\d+)?)\s*(?:km|kms|kilometres?)\b"
# A search radius: "à moins de 10 km", "dans un rayon de 5 km", "10 km autour", "5 km d'ici".
_RADIUS = re.compile(r"(?:a moins de|dans un rayon de|rayon de|pas plus loin que|max(?:imum)? a)"
                     rf"\s*{_NUMBER}|{_NUMBER}\s*(?:autour|a la ronde|d ici|de chez|de moi|"
                     r"de nous|de l hotel|du gite|du camping)")
# A route's length: "5 km max", "pas plus de 8 km", "une boucle de 10 km", "10 km".
_LENGTH_MAX = re.compile(rf"{_NUMBER}\s*(?:max|maximum|au plus|au maximum|grand maximum|"
                         rf"pas plus)|(?:pas plus de|max(?:imum)?|au plus|moins de)\s*{_NUMBER}")
_HOURS = r"(\d+(?:v\d+)?)\s*(?:h|heures?)\b(?!\s*\d)"
_HOURS_MAX = re.compile(rf"{_HOURS}\s*(?:max|maximum|au plus|au maximum|pas plus)|"
                        rf"(?:pas plus de|max(?:imum)?|au plus|moins de)\s*{_HOURS}")
_LENGTH = re.compile(rf"{_NUMBER}|(\d+(?:[.,]\d+)?)\s*(?:h|heures?)\b(?!\s*\d)")
_AT_TIME = re.compile(r"\b(?:a|vers|des|avant|apres)\s*$")

WALK_KMH = {"hike": 4.0, "bike": 15.0, "mtb": 12.0, "horse": 7.0}
SHORT_KM = {"hike": 6.0, "bike": 20.0, "mtb": 15.0, "horse": 12.0}
FLAT_GAIN_M = 60  # a route climbing less is "à plat"

AUDIENCE_VALUES = {"enfants": "enfants", "enfant": "enfants", "famille": "famille",
                   "kids": "enfants", "couple": "couple", "groupe": "groupe",
                   "seniors": "seniors", "senior": "seniors", "personnes agees": "seniors"}


@dataclass
class Filters:
    """What the visitor asked for, besides the topic. None/False/empty: not asked."""

    wheelchair: bool = False
    pushchair: bool = False
    audience: str | None = None
    kinds: list[str] = field(default_factory=list)
    price: str | None = None  # "free" | "cheap"
    open_now: bool = False
    open_when: str | None = None  # "dimanche soir": the words after "ouvert"
    pets: bool = False
    flat: bool = False
    short: bool = False
    loop: bool = False
    difficulty: str | None = None  # easy | medium | hard
    max_km: float | None = None  # a route's length
    min_km: float | None = None
    length_hours: float | None = None  # "2 h de marche": turned into km by the mode
    max_hours: float | None = None  # "2 h max"
    topics: list[str] = field(default_factory=list)  # what an event is: "noel", "marche"
    rain: bool = False  # "il pleut", "à l'abri": somewhere indoors
    radius_km: float | None = None  # a search radius, when said as one

    def labels(self) -> list[str]:
        """French words of what was asked, for "C'est noté : …"."""
        out = []
        if self.wheelchair:
            out.append("accessible en fauteuil")
        if self.pushchair:
            out.append("accessible en poussette")
        if self.audience == "enfants":
            out.append("pour les enfants")
        elif self.audience:
            out.append(f"pour : {self.audience}")
        for kind in self.kinds[:1]:
            out.append(KINDS[kind].lower())
        if self.price == "free":
            out.append("gratuit")
        elif self.price == "cheap":
            out.append("pas cher")
        if self.open_now:
            out.append("ouvert maintenant")
        elif self.open_when:
            out.append(f"ouvert {self.open_when}")
        if self.pets:
            out.append("avec un chien")
        if self.flat:
            out.append("à plat")
        if self.max_km is not None:
            out.append(f"{self.max_km:g} km au plus".replace(".", ","))
        elif self.max_hours is not None:
            out.append(f"{self.max_hours:g} h au plus".replace(".", ","))
        elif self.short:
            out.append("pas trop long")
        if self.difficulty:
            out.append({"easy": "facile", "medium": "moyen", "hard": "difficile"}
                       [self.difficulty])
        return out


def kinds_in(norm: str) -> list[str]:
    """Kinds of the taxonomy named in a normalised text, in the order of the table."""
    out: list[str] = []
    for regex, kinds in _KIND_RES:
        if regex.search(norm):
            out.extend(k for k in kinds if k not in out)
    return out


def _entity_values(entities: dict[str, Any], name: str) -> list[str]:
    value = entities.get(name)
    if value is None:
        return []
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(v) for v in values if v]


def parse(text: str, entities: dict[str, Any] | None = None, *, search: str = "places",
          ) -> Filters:
    """The filters a message states. `search` ("places", "events", "routes") decides what
    a bare "10 km" means: a route's length on routes, a radius elsewhere."""
    entities = entities or {}
    norm = _normalize(text)
    said = normalize(" ".join([text, *(_entity_values(entities, "accessibility")),
                               *(_entity_values(entities, "audience"))]))
    f = Filters()
    f.wheelchair = bool(_WHEELCHAIR.search(said))
    f.pushchair = bool(_PUSHCHAIR.search(said))
    audience = next((AUDIENCE_VALUES[normalize(v)] for v in
                     _entity_values(entities, "audience") if normalize(v) in AUDIENCE_VALUES),
                    None)
    if _KIDS.search(norm):
        audience = "enfants"
    elif _SENIORS.search(norm) and audience is None:
        audience = "seniors"
    f.audience = audience
    said_kinds = kinds_in(norm)
    if re.search(r"\bmarch[ée]s? (du|de|d'|à|a|aux?) |\bmarchés?\b", text.lower()) \
            and not re.search(r"\b(une|la|de|en) marche\b", text.lower()):
        said_kinds.insert(0, "market")  # "le marché du Quesnoy", not "une marche de 10 km"
    # The visitor's own words win over the NLU's guess ("un gîte" tagged as a campsite).
    f.kinds = list(dict.fromkeys(said_kinds or [
        k for v in _entity_values(entities, "kind") for k in _kind_value(v)]))
    f.rain = bool(_RAIN.search(norm))
    if search == "events":
        f.topics = [word for regex, word in _EVENT_TOPIC_RES if regex.search(norm)]
    if not f.kinds and search == "places" and _CHEESE.search(norm):
        f.kinds = ["cheese_dairy", "farm", "producer"]
    if not f.kinds and search == "places" and _EAT.search(norm):
        f.kinds = ["restaurant", "estaminet"]
    f.price = "free" if _FREE.search(norm) else "cheap" if _CHEAP.search(norm) else None
    # "maintenant" alone ("ouvert maintenant" button, "et maintenant ?") asks what is open;
    # in a longer sentence it is only the time of speaking.
    f.open_now = bool(_OPEN.search(norm) or (_NOW.search(norm) and len(norm.split()) <= 3))
    opened = _OPEN_WORD.search(norm)
    if opened and not f.open_now and not _ABOUT_IT.search(norm):
        when = opened.group(1).strip(" ?!.")
        if when and open_moment(when, datetime.now(PARIS)) is not None:
            f.open_when = when
    f.pets = bool(_PETS.search(norm)) and "zoo" not in f.kinds
    f.flat = bool(_FLAT.search(norm))
    f.short = bool(_SHORT.search(norm))
    f.loop = bool(_LOOP.search(norm))
    diff = next((v for v in _entity_values(entities, "difficulty")
                 if v in ("easy", "medium", "hard")), None)
    if diff is None:
        diff = ("easy" if _EASY.search(norm) else "hard" if _HARD.search(norm)
                else "medium" if _MEDIUM.search(norm) else None)
    f.difficulty = diff
    length_said = " ".join([*(_normalize(v) for v in _entity_values(entities, "length")), norm])
    radius = _RADIUS.search(norm)
    if radius:
        f.radius_km = _number(radius.group(1) or radius.group(2))
    for v in _entity_values(entities, "radius"):
        m = re.search(_NUMBER, _normalize(v))
        if m:
            f.radius_km = _number(m.group(1))
    maximum = _LENGTH_MAX.search(length_said)
    if maximum and radius and maximum.start() < radius.end() and radius.start() < maximum.end():
        maximum = None  # "à moins de 10 km" was the radius
    if maximum:
        value = _number(maximum.group(1) or maximum.group(2))
        before = length_said[: maximum.start()]
        if search != "routes" and (re.search(r"\ba\s*$", before)
                                   or not _ROUTE_WORDS.search(norm)):
            f.radius_km = value  # "un resto à 5 km max": how far, not how long
        else:
            f.max_km = value
    elif (hours := _HOURS_MAX.search(length_said)) and search == "routes":
        f.max_hours = _number(hours.group(1) or hours.group(2))
    elif not radius:
        for m in _LENGTH.finditer(length_said):
            if m.group(2) and _AT_TIME.search(length_said[: m.start()]):
                continue  # "à 14 h": a time of day
            if m.group(1):
                value = _number(m.group(1))
                if search == "routes":
                    f.min_km, f.max_km = round(value * 0.6, 1), round(value * 1.4, 1)
                else:
                    f.radius_km = value
            else:
                f.length_hours = _number(m.group(2))
            break
    return f


@dataclass
class OpenMoment:
    """When a place must be open: at an instant, or at some time of a day."""

    at: datetime | None
    day: date | None
    label: str


def open_moment(when: str, now: datetime) -> OpenMoment | None:
    """The moment of "ouvert <when>" as of `now`: an hour said ("à 20 h", "midi") or a
    part of the day ("dimanche soir": three hours into the evening) is an instant; a day
    alone ("le dimanche", "ce week-end": its first day) is open at some time that day."""
    norm = normalize(when)
    period = resolve_period(norm, now)
    clock = _CLOCK.search(norm)
    if period is None and clock is None:
        return None
    today = now.astimezone(PARIS)
    day = period.start.date() if period is not None else today.date()
    label = period.label if period is not None else "aujourd'hui"
    if clock is not None:
        if clock.group(3):
            hour, minute = (12, 30) if clock.group(3) == "midi" else (23, 59)
            said = f"à {clock.group(3)}"
        else:
            hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
            said = f"à {hour} h" + (f"{minute:02d}" if minute else "")
        if hour > 23 or minute > 59:
            return None
        at = datetime.combine(day, time(hour, minute), tzinfo=PARIS)
        if period is None and at < today:
            at += timedelta(days=1)  # "ouvert à 9 h" said at 20 h: tomorrow morning
            label = "demain"
        return OpenMoment(at, None, f"{label} {said}")
    assert period is not None
    if period.end - period.start < timedelta(hours=23):
        span = min(timedelta(hours=3), (period.end - period.start) / 2)
        return OpenMoment(max(period.start + span, now), None, label)
    return OpenMoment(None, day, label)


def _normalize(text: str) -> str:
    norm = normalize(_DECIMAL.sub(r"\1v\2", text))
    return _ABOUT_RE.sub(lambda m: f"{_ABOUT[m.group(1)]} {m.group(2)}", norm)


def travelling_only(text: str) -> bool:
    """The only route words say how the visitor travels ("on arrive à vélo à Ors, qu'est-ce
    qu'il y a comme patrimoine ?"): not a request for a ride or a walk."""
    norm = _normalize(text)
    return bool(_TRAVELLING.search(norm)) and not _ROUTE_ASKED.search(norm)


def _number(value: str) -> float:
    return float(value.replace("v", "."))


def _kind_value(value: str) -> list[str]:
    """A `kind` entity: a key of the taxonomy, or words of the table."""
    key = normalize(value).replace(" ", "_")
    if key in KINDS:
        return [key]
    return kinds_in(normalize(value))


# What each kind of search can be narrowed by, and how to say what it cannot.
_CANNOT: dict[str, dict[str, str]] = {
    "places": {"pets": "animaux acceptés", "flat": "à plat"},
    "events": {"open_now": "ouvert maintenant", "kinds": "type de lieu", "pets": "animaux acceptés",
               "flat": "à plat"},
    "routes": {"open_now": "ouvert maintenant", "wheelchair": "accessible en fauteuil",
               "pushchair": "accessible en poussette", "kinds": "type de lieu",
               "price": "prix", "pets": "animaux acceptés", "audience": "public"},
}


def unsupported(f: Filters, search: str) -> list[str]:
    """French labels of what was asked that this kind of search has no data for."""
    asked = {"open_now": f.open_now or bool(f.open_when), "wheelchair": f.wheelchair,
             "pushchair": f.pushchair,
             "kinds": bool(f.kinds), "price": f.price is not None, "pets": f.pets,
             "flat": f.flat, "audience": f.audience not in (None, "famille", "enfants", "seniors")}
    if f.topics:
        asked["kinds"] = False  # "un marché de Noël": what the event is, looked for in titles
    return [f"ouvert {f.open_when}" if key == "open_now" and f.open_when and not f.open_now
            else label for key, label in _CANNOT.get(search, {}).items() if asked.get(key)]


def contradicts(f: Filters) -> bool:
    """A need that rules out cheering a walker on ("Chaussez-vous bien !")."""
    return f.wheelchair or f.pushchair
