"""Words the safety net reads as evidence: kinds and interests, places, question words.

Everything is matched on a *folded* text (see `fold`): lowercase, accents removed,
apostrophes, hyphens and punctuation turned into spaces. The folding keeps one character
for one character, so a match on the folded text has the offsets of the original text.

Sources, in this order (a later source never overrides an earlier one):
1. bot/data/nlu/synonyms.yml — every surface form whose value is a key of
   knowledge/taxonomy.py KINDS or INTERESTS (the data engineer's synonyms);
2. the French labels of knowledge/taxonomy.py;
3. the words below, written for this component from how visitors write (SMS, Nord and
   Belgian French, typos). Never from the blind test set (tests/nlu/blind/).
"""

from __future__ import annotations

import importlib.util
import re
import runpy
import sys
from functools import lru_cache
from pathlib import Path

from knowledge import yamlfile
from knowledge.taxonomy import INTERESTS, KINDS
from knowledge.text import strip_accents

DATA = Path(__file__).resolve().parents[1] / "data"
SYNONYMS_FILE = DATA / "nlu" / "synonyms.yml"
PLACES_FILE = DATA / "lookups" / "place.yml"

# Synonym values that are not taxonomy keys but mean one (VTT -> mtb -> velo).
VALUE_ALIASES = {"mtb": "velo"}

# The interest a kind belongs to (for the evaluation and for adding an interest).
KIND_INTEREST: dict[str, str] = {
    "castle": "patrimoine", "mill": "patrimoine", "museum": "culture",
    "church": "patrimoine", "chapel": "patrimoine", "abbey": "patrimoine",
    "rampart": "patrimoine", "monument": "patrimoine", "memorial": "patrimoine",
    "archaeological_site": "patrimoine", "heritage_site": "patrimoine",
    "forest": "nature", "pond": "nature", "lake": "nature", "waterway": "nature",
    "park": "nature", "nature_reserve": "nature", "viewpoint": "nature",
    "producer": "terroir", "farm": "terroir", "cheese_dairy": "terroir",
    "brewery": "terroir", "market": "terroir", "shop": "terroir",
    "restaurant": "gastronomie", "estaminet": "gastronomie", "cafe": "gastronomie",
    "hotel": "hebergement", "campsite": "hebergement", "gite": "hebergement",
    "guesthouse": "hebergement", "playground": "famille", "leisure_park": "loisirs",
    "zoo": "famille", "swimming_pool": "loisirs", "sports": "loisirs",
    "equestrian_centre": "equitation", "fishing_spot": "peche",
    "tourist_office": "pratique", "train_station": "pratique", "bus_stop": "pratique",
    "bike_rental": "velo",
}

# Our own words (folded forms; a final "s"/"x" plural is matched automatically).
EXTRA_KINDS: dict[str, tuple[str, ...]] = {
    "restaurant": ("resto", "restau", "restaurant", "restaurent", "restorant", "friterie",
                   "friture", "fritkot", "baraque a frites", "pizzeria", "pizza", "kebab",
                   "creperie", "brasserie restaurant", "table d hotes", "table d hote",
                   "auberge", "snack", "fast food", "mcdo", "burger", "grill", "routier",
                   "bouchon", "traiteur", "sushi", "restaurant gastronomique", "frites",
                   "moules frites", "restaurants"),
    "estaminet": ("estaminet", "estaminé", "estaminets"),
    "cafe": ("cafe", "bar", "bistrot", "bistro", "troquet", "pub", "buvette",
             "salon de the", "guinguette", "cafe terrasse", "terrasse", "caberdouche",
             "boire un verre", "boire un coup", "boire une biere", "chope",
             "boire une chope", "prendre un verre", "prendre un cafe", "apero"),
    "brewery": ("brasserie artisanale", "microbrasserie", "micro brasserie", "brasseur",
                "brasserie", "biere artisanale", "bieres artisanales"),
    "hotel": ("hotel", "hostellerie", "motel", "chambre d hotel"),
    "gite": ("gite", "gite rural", "gite d etape", "meuble de tourisme",
             "location de vacances", "location saisonniere", "airbnb"),
    "guesthouse": ("chambre d hotes", "chambre d hote", "chambres d hotes", "chambre dhote",
                   "maison d hotes", "b b", "bnb", "bed and breakfast"),
    "campsite": ("camping", "aire de camping car", "aire camping car", "camping car",
                 "aire pour camping car", "camping a la ferme", "emplacement tente",
                 "planter la tente", "camper", "bivouac", "aire de services"),
    "market": ("marche", "marche fermier", "marche du terroir", "marche couvert",
               "marche de producteurs"),
    "producer": ("producteur", "producteur local", "vente directe", "vente a la ferme",
                 "cueillette", "verger", "apiculteur", "miel"),
    "farm": ("ferme", "ferme pedagogique", "ferme auberge"),
    "cheese_dairy": ("fromagerie", "fromager", "affineur", "laiterie", "fromage"),
    "shop": ("boutique", "magasin", "boulangerie", "patisserie", "epicerie", "superette",
             "supermarche", "hypermarche", "supermarche", "commerce", "commerces",
             "librairie", "souvenirs", "boucherie", "charcuterie", "tabac", "presse",
             "caviste", "cave a bieres", "epicerie fine", "magasin de producteurs"),
    "museum": ("musee", "ecomusee", "musee de plein air", "galerie"),
    "castle": ("chateau", "chateau fort", "manoir", "castel"),
    "mill": ("moulin", "moulin a eau", "moulin a vent"),
    "church": ("eglise", "basilique", "cathedrale", "clocher"),
    "chapel": ("chapelle", "oratoire"),
    "abbey": ("abbaye", "prieure", "monastere", "couvent"),
    "rampart": ("remparts", "rempart", "fortification", "fortifications", "bastion",
                "citadelle", "fortifs", "vauban", "enceinte fortifiee"),
    "monument": ("monument", "statue", "beffroi", "kiosque", "calvaire"),
    "memorial": ("memorial", "monument aux morts", "cimetiere militaire",
                 "cimetieres militaires", "cimetiere britannique", "necropole",
                 "tombes de guerre"),
    "archaeological_site": ("site archeologique", "fouilles", "ruines romaines",
                            "site gallo romain", "vestiges romains", "thermes romains"),
    "heritage_site": ("site historique", "site patrimonial", "patrimoine bati",
                      "maison de maitre", "grange dimiere", "ferme fortifiee"),
    "forest": ("foret", "bois", "sous bois", "foret domaniale"),
    "pond": ("etang", "mare"),
    "lake": ("lac", "plan d eau"),
    "waterway": ("riviere", "canal", "cours d eau", "berges", "bord de l eau",
                 "chemin de halage", "halage", "ecluse", "ruisseau"),
    "park": ("parc", "jardin", "square", "arboretum", "jardin public", "roseraie"),
    "nature_reserve": ("reserve naturelle", "espace naturel", "marais", "zone humide",
                       "bocage"),
    "viewpoint": ("point de vue", "panorama", "belvedere", "table d orientation"),
    "playground": ("aire de jeux", "aire de jeu", "jeux pour enfants", "parc de jeux",
                   "toboggan", "balancoire", "plaine de jeux", "jeux d enfants"),
    "leisure_park": ("parc de loisirs", "parc d attractions", "accrobranche",
                     "laser game", "laser games", "bowling", "escape game", "trampoline",
                     "mini golf", "minigolf", "karting", "paintball", "base de loisirs",
                     "parc aventure", "tyrolienne", "labyrinthe", "structure gonflable"),
    "zoo": ("zoo", "parc animalier", "animaux de la ferme", "parc zoologique"),
    "swimming_pool": ("piscine", "centre aquatique", "baignade", "nager", "nage"),
    "sports": ("golf", "canoe", "kayak", "skatepark", "tennis", "stade", "salle de sport",
               "escalade", "padel", "pumptrack", "terrain de foot", "city stade",
               "tir a l arc", "paddle"),
    "equestrian_centre": ("centre equestre", "poney club", "club hippique", "haras",
                          "ecurie", "manege", "balade a poney", "promenade a cheval",
                          "balade a cheval"),
    "fishing_spot": ("coin de peche", "coin peche", "spot de peche", "etang de peche",
                     "parcours de peche", "carte de peche", "permis de peche"),
    "tourist_office": ("office de tourisme", "office du tourisme", "syndicat d initiative",
                       "point info", "office"),
    "train_station": ("gare", "gare sncf", "halte ferroviaire"),
    "bus_stop": ("arret de bus", "arret du bus", "abribus", "gare routiere"),
    "bike_rental": ("location de velo", "location de velos", "loueur de velo",
                    "loueur de velos", "louer un velo", "louer des velos", "louer un vtt",
                    "location vtt", "location de vtt", "velo a louer", "velos a louer",
                    "location velo", "loc de velo", "loueur de vtt", "louer des vtt",
                    "loueur", "loueurs de velos", "location de cycles"),
}

EXTRA_INTERESTS: dict[str, tuple[str, ...]] = {
    "patrimoine": ("patrimoine", "histoire", "historique", "vieilles pierres", "vieux batiments",
                   "archeologie", "romains", "gallo romain", "grande guerre", "guerre 14 18",
                   "14 18", "premiere guerre", "seconde guerre", "architecture", "medieval",
                   "moyen age"),
    "culture": ("culture", "culturel", "culturelle", "expo", "exposition", "concert",
                "theatre", "spectacle", "art", "artiste", "artisanat", "musique"),
    "nature": ("nature", "campagne", "paysage", "paysages", "grand air", "faune", "flore",
               "oiseaux", "verdure", "plein air", "au vert"),
    "randonnee": ("rando", "randonnee", "randonner", "randonneur", "balade", "ballade",
                  "promenade", "se promener", "marche", "marcher", "trek", "trekking",
                  "pedestre", "sentier", "gr", "marche nordique"),
    "velo": ("velo", "vtt", "bicyclette", "cyclo", "cyclisme", "cyclotourisme", "pedaler",
             "velo electrique", "vae", "veloroute", "voie verte", "piste cyclable",
             "gravel", "cycliste", "cyclistes"),
    "equitation": ("equitation", "cheval", "chevaux", "equestre", "poney", "caleche",
                   "cavalier", "cavaliere", "attelage"),
    "peche": ("peche", "pecher", "pecheur", "peche a la ligne", "carpe", "carpiste"),
    "gastronomie": ("manger", "bouffer", "bouffe", "gastronomie", "gastronomique", "gastro",
                    "cuisine", "diner", "dejeuner", "casser la croute", "casser une graine",
                    "becqueter", "grailler", "miam", "repas", "bonne table", "bien manger",
                    "manger un bout", "petit dej", "petit dejeuner", "brunch", "gouter"),
    "terroir": ("terroir", "produits du terroir", "produits locaux", "produit local",
                "specialites", "specialite", "specialites locales", "du maroilles",
                "le maroilles", "fromages", "cidre", "biere", "bieres", "degustation",
                "degustations", "artisanaux", "fait maison"),
    "famille": ("sortie familiale", "sorties familiales", "activites familiales"),
    "loisirs": ("loisirs", "loisir", "activites", "activite", "detente", "se detendre",
                "cinema", "cine", "pique nique", "pique niquer", "s amuser", "se baigner"),
    "hebergement": ("dormir", "hebergement", "loger", "logement", "nuitee",
                    "sejourner", "pieu", "ou crecher", "crecher", "se loger", "une chambre"),
    "pratique": ("pratique", "parking", "se garer", "toilettes", "wc", "pharmacie",
                 "medecin", "docteur", "urgences", "hopital", "garage", "garagiste",
                 "mecanicien", "distributeur", "distributeur de billets", "dab", "banque",
                 "station essence", "station service", "essence", "borne de recharge",
                 "borne electrique", "recharger", "laverie", "poste", "dentiste",
                 "veterinaire", "infos pratiques", "informations pratiques"),
}

# Generic words that are never the name of a place on their own (a kind, an interest).
GENERIC_PLACE_WORDS = {"foret", "bois", "etang", "lac", "riviere", "canal", "musee", "parc",
                       "centre", "centre ville", "village", "ville", "campagne", "coin",
                       "grand place", "la grand place", "place", "gare", "ici",
                       "eglise", "chateau", "moulin", "remparts", "abbaye", "marche",
                       "ferme", "plage", "mairie"}

# Communes of the region's gazetteer whose name is also an everyday French word or
# expression ("par contre", "en fait", "Boué"...). Computed once from
# knowledge/seed/communes_hauts-de-france.csv against spaCy's French lemma table and its
# stop words, then completed by hand. A commune among these is only a place when a
# preposition makes it one ("à Contre", "près de Rue").
EVERYDAY_PLACE_WORDS = {
    "boue", "contre", "fait", "en fait", "par contre", "castres", "champs", "charmes",
    "cierges", "courbes", "germaine", "liez", "lime", "marchais", "mortiers", "moulins",
    "pavant", "pommiers", "priez", "prouvais", "servais", "capelle", "choisies", "erre",
    "hem", "nivelle", "ors", "bulles", "chevrieres", "epineuse", "esches", "fouilleuse",
    "loueuse", "monceaux", "monts", "rosieres", "songeons", "bus", "calais", "contes",
    "fiefs", "louches", "marquise", "mouriez", "planques", "pommera", "selles", "bernes",
    "combles", "creuse", "devise", "fins", "folies", "frise", "gorges", "rue", "soues",
    "varennes", "y", "beaufort", "eth", "maing", "leval", "serain", "proix", "maurois",
    "nouvion", "bry", "clary", "vertain", "fontaine", "etre", "vue", "bois", "sart",
    "fay", "fayt", "mont", "val", "haut", "bas", "sars", "pont", "marais", "ham",
    "camp", "lieu", "port", "hon", "hecq", "eccles", "inchy", "maulde",
}

# Words before a name that make it a place ("à Contre", "près de Rue", "vers Bry").
PLACE_PREPOSITIONS = {"a", "de", "d", "vers", "depuis", "sur", "pour", "entre", "jusqu",
                      "jusque", "pres", "cote", "direction", "habite", "suis", "sommes",
                      "dans", "via", "partant", "quitte", "commune", "village", "ville"}

# Words that stand for a dish, not a place, before "maroilles".
CHEESE_BEFORE = {"du", "le", "un", "fromage", "tarte", "flamiche", "goyere", "au",
                 "croquettes", "croquette", "gaufre", "quiche", "pizza", "sauce", "bon",
                 "vrai", "acheter", "gouter", "deguster", "morceau", "aime", "adore"}


def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation as spaces, one character for one."""
    out = []
    for char in text.lower():
        base = strip_accents(char)
        if len(base) != 1:
            base = base[:1] or " "
        out.append(base if base.isalnum() else " ")
    return "".join(out)


def squash(text: str) -> str:
    """Folded text with single spaces (for set look-ups)."""
    return " ".join(fold(text).split())


def _read_yaml_nlu(path: Path) -> list[dict]:
    if not path.exists():
        return []
    doc = yamlfile.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(doc.get("nlu") or [])


def _examples(block: dict) -> list[str]:
    return [line[2:].strip() for line in str(block.get("examples", "")).splitlines()
            if line.strip().startswith("- ")]


def _alternation(forms: dict[str, str]) -> re.Pattern[str] | None:
    if not forms:
        return None
    words = sorted(forms, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<![a-z0-9])({body})(?:s|x)?(?![a-z0-9])")


class Lexicon:
    """Kind and interest words (folded form -> value) and the place names."""

    def __init__(self, synonyms_file: Path = SYNONYMS_FILE,
                 places_file: Path = PLACES_FILE) -> None:
        words: dict[str, tuple[str, str]] = {}   # folded form -> (entity, value)
        # Forms that only their accents tell apart ("marché" / "marche"): lowercased form.
        self.accented: dict[str, tuple[str, str]] = {}

        def add(form: str, entity: str, value: str, exact: bool = False) -> None:
            key = squash(form)
            if not key:
                return
            if exact:
                self.accented.setdefault(" ".join(form.lower().split()), (entity, value))
            words.setdefault(key, (entity, value))

        for block in _read_yaml_nlu(synonyms_file):
            name = str(block.get("synonym"))
            value = VALUE_ALIASES.get(name, name)
            entity = "kind" if value in KINDS else "interest" if value in INTERESTS else ""
            if entity:
                for form in [name, *_examples(block)]:
                    add(form, entity, value, exact=True)
        for key, label in KINDS.items():
            add(label, "kind", key)
            if key.isalpha():
                add(key, "kind", key)
        for key in INTERESTS:
            add(key, "interest", key)
        for key, forms in EXTRA_KINDS.items():
            for form in forms:
                add(form, "kind", key)
        for key, forms in EXTRA_INTERESTS.items():
            for form in forms:
                add(form, "interest", key)
        # Keep accent-sensitive entries only where folding merges two meanings.
        by_fold: dict[str, set[tuple[str, str]]] = {}
        for form, meaning in self.accented.items():
            by_fold.setdefault(squash(form), set()).add(meaning)
        self.accented = {form: meaning for form, meaning in self.accented.items()
                         if len(by_fold[squash(form)]) > 1}
        self.kinds = {form: value for form, (entity, value) in words.items() if entity == "kind"}
        self.interests = {form: value for form, (entity, value) in words.items()
                          if entity == "interest"}
        self.places: set[str] = set()
        for block in _read_yaml_nlu(places_file):
            if block.get("lookup") == "place":
                self.places.update(squash(e) for e in _examples(block))
        self._kind_re = _alternation(self.kinds)
        self._interest_re = _alternation(self.interests)
        self._place_re = _alternation({p: p for p in self.places if len(p) > 2})

    def find(self, folded: str, text: str | None = None) -> list[tuple[str, str, int, int]]:
        """(entity, value, start, end) of every kind/interest word, longest first, no overlap.

        `text` (the original, same length as `folded`) settles forms that only their
        accents tell apart ("marché" is a market, "marche" a walk).
        """
        found: list[tuple[str, str, int, int]] = []
        for entity, pattern, table in (("kind", self._kind_re, self.kinds),
                                       ("interest", self._interest_re, self.interests)):
            if pattern is None:
                continue
            for match in pattern.finditer(folded):
                form = " ".join(match.group(1).split())
                meaning = (entity, table[form])
                if text is not None and self.accented:
                    original = " ".join(text[match.start(1):match.end(1)].lower().split())
                    meaning = self.accented.get(original, meaning)
                found.append((meaning[0], meaning[1], match.start(), match.end()))
        found.sort(key=lambda f: (-(f[3] - f[2]), f[2]))
        kept: list[tuple[str, str, int, int]] = []
        for item in found:
            if all(item[3] <= k[2] or item[2] >= k[3] for k in kept):
                kept.append(item)
        return sorted(kept, key=lambda f: f[2])

    def find_places(self, folded: str) -> list[tuple[int, int]]:
        if self._place_re is None:
            return []
        return [(m.start(), m.end()) for m in self._place_re.finditer(folded)]


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon()


# ----------------------------------------------------------------- known words (gibberish)
# A message none of whose words is "known" is keyboard mash ("xyz", "zorglub", "qsdfgh"):
# the safety net sends it to nlu_fallback instead of trusting a classifier that always
# answers something. Known = a word of the training data (bot/data: examples, synonyms,
# lookup tables, place names), of the lexicon above, of spaCy's French stop words, or of
# the short lists below; or close to one of them (a typo, a cut word: "restau", "musé").
NLU_DIR = DATA / "nlu"
LOOKUPS_DIR = DATA / "lookups"
_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+?)\](?:\([^()]*\)|\{[^{}]*\})")

# Very common French words, SMS and chat forms, and a few words of the foreign visitors
# (English, Dutch, German) that the training data may not hold.
_COMMON = """
    oui ouais ouai ouep yep yes ok okay oki okk k kk dac dacc daccord d accord non nan nope
    no pas merci mrc mci thx thanks bjr bonjour bsr bonsoir slt salut coucou hello hi hey
    cc re wesh yo bye ciao adieu tchao byebye svp stp plz please stp sil vous plait
    ya y a koi kwa quoi ke keske kel kelle kess pk pq pkoi pourquoi cmt cmnt comment koman
    tt tte ts tout toute tous toutes jsp jsais chais chuis jsuis jveux jvoudrais chui
    mdr lol ptdr xd haha hihi hoho ahah hmm hum euh bah ben bon ba beh ouf oups zut
    rdv ajd auj aujourdhui dem dm demain hier soir matin midi aprem aprèm nuit semaine
    we weekend wk mois an annee jour jours heure heures minute minutes
    qd qnd quand ou où la là ici labas loin pres près proche coin vers entre
    bcp bcq beaucoup tjs tjrs toujours jms jamais mtn maintenant tlm tout le monde
    pr pour ds dans avc avec ss sans sur sous chez cb combien
    g j ai c est sa ca ça cé ce ces cet cette mon ma mes ton ta tes son ses notre nos
    votre vos leur leurs je tu il elle on nous vous ils elles moi toi lui eux
    un une des du de le les l d au aux et ou mais donc or ni car si que qui quoi
    aller venir voir faire manger boire dormir visiter marcher rouler sortir partir
    chercher trouver savoir pouvoir vouloir aimer adorer prendre donner dire
    bien bon bonne mal super top cool genial génial trop tres très peu plus moins
    grand petit beau belle joli jolie vieux vieille nouveau nouvelle
    enfant enfants gosses gamins famille couple amis ami copain copine mari femme
    chien chat velo vélo voiture bus train pied
    where what when how who which is are the a an to of in on at for with from near
    food eat drink sleep walk bike hike open price good nice thank you yes no please
    waar wat wanneer hoe eten drinken slapen fietsen wandelen dank bedankt goedendag hallo
    dag ja nee alstublieft wo was wann wie essen trinken danke ja nein bitte guten tag
"""
COMMON_WORDS = frozenset(fold(_COMMON).split())


def _data_words(path: Path) -> set[str]:
    """The folded words of every example of a Rasa YAML file (no regexes)."""
    words: set[str] = set()
    for block in _read_yaml_nlu(path):
        if "regex" in block:
            continue
        for example in [str(block.get("synonym") or ""), *_examples(block)]:
            plain = _ANNOTATION.sub(lambda m: m.group("text"), example)
            words.update(fold(plain).split())
    return words


# Rows of French (AZERTY) and English (QWERTY) keyboards: a run of 4 letters or more of one
# row is mash even when the training data holds it as an example ("azertyuiop").
KEYBOARD_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def keyboard_run(word: str) -> bool:
    """"qsdfgh", "poiuy": 4 letters or more along one keyboard row, either way."""
    return len(word) >= 4 and any(word in row or word in row[::-1] for row in KEYBOARD_ROWS)


def french_stop_words() -> set[str]:
    """spaCy's French stop words (spacy/lang/fr/stop_words.py, one set and no import).

    The file is run on its own: importing it the usual way imports spaCy first (thinc and
    the rest of its machinery), seconds for one word list wherever spaCy is not loaded yet
    (the action server, the tests)."""
    if "spacy.lang.fr.stop_words" not in sys.modules:
        spec = importlib.util.find_spec("spacy")  # finds the package, imports nothing
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = Path(folder) / "lang" / "fr" / "stop_words.py"
            if path.is_file():
                return set(runpy.run_path(str(path))["STOP_WORDS"])
    from spacy.lang.fr.stop_words import STOP_WORDS

    return set(STOP_WORDS)


class Vocabulary:
    """The words the bot knows; `unknown(text)` lists the words of a message it does not."""

    # A word this long or longer may be a typo or a cut form of a known word.
    FUZZY_FROM = 4
    FUZZY_SCORE = 75
    FUZZY_SCORE_SHORT = 80  # for words of exactly FUZZY_FROM letters

    def __init__(self, words: set[str]) -> None:
        self.words = {w for w in words if w and w.isalnum() and not keyboard_run(w)}
        self._long = sorted(w for w in self.words if len(w) >= self.FUZZY_FROM - 1)
        # A cut form may stop at 3 letters of a known word; a typo is matched against known
        # words of 4 letters or more ("kwak" is not a typo of SMS "kwa").
        self._fuzzy = [w for w in self._long if len(w) >= self.FUZZY_FROM]

    @classmethod
    def from_data(cls, lexicon: Lexicon | None = None, nlu_dir: Path = NLU_DIR,
                  lookups_dir: Path = LOOKUPS_DIR) -> Vocabulary:
        lexicon = lexicon or default_lexicon()
        words: set[str] = set(COMMON_WORDS)
        words.update(w for stop in french_stop_words() for w in fold(stop).split())
        for directory in (nlu_dir, lookups_dir):
            for path in sorted(directory.glob("*.yml")):
                words.update(_data_words(path))
        for table in (lexicon.kinds, lexicon.interests, lexicon.places):
            for form in table:
                words.update(form.split())
        words.update(fold(k).split()[0] for k in (*KINDS, *INTERESTS) if fold(k).split())
        return cls(words)

    def knows(self, word: str) -> bool:
        """A known word, a number, or (4 letters or more) a typo or cut form of one."""
        if word in self.words or any(ch.isdigit() for ch in word):
            return True
        if len(word) < self.FUZZY_FROM or keyboard_run(word):
            return False
        from rapidfuzz import fuzz, process

        if any(w.startswith(word) for w in self._long):
            return True  # "restau", "musé" (folded "muse"), "rand"
        # Four letters with one of them changed is a quarter of the word: "kwak" is not
        # "walk", "plif" not "plie"; a letter more or less ("velo", "vello") still is.
        cutoff = self.FUZZY_SCORE if len(word) > self.FUZZY_FROM else self.FUZZY_SCORE_SHORT
        return process.extractOne(word, self._fuzzy, scorer=fuzz.ratio,
                                  score_cutoff=cutoff) is not None

    def unknown(self, text: str) -> list[str] | None:
        """The words of `text` (folded), if none is known; None when one is (or none at
        all: an emoji or punctuation alone is left to the classifier)."""
        words = fold(text).split()
        if not words or any(w in self.words for w in words):
            return None
        if any(self.knows(w) for w in words):
            return None
        return words


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    return Vocabulary.from_data()
