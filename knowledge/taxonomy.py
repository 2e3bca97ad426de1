"""Canonical vocabularies shared by the knowledge base, the NLU and the replies.

Keys are ASCII snake_case and never change (they are stored in the database and used
as NLU synonym targets); labels are the French words shown to visitors and staff.
"""

from __future__ import annotations

# Interests: what a visitor likes. The NLU maps what people say ("rando", "balade",
# "manger", "vieilles pierres"...) to these keys through synonyms.
INTERESTS: dict[str, str] = {
    "patrimoine": "Patrimoine et histoire",
    "culture": "Musées et culture",
    "nature": "Nature et paysages",
    "randonnee": "Randonnée à pied",
    "velo": "Vélo et VTT",
    "equitation": "Équitation",
    "peche": "Pêche",
    "gastronomie": "Restaurants et gastronomie",
    "terroir": "Produits du terroir",
    "famille": "Sorties en famille",
    "loisirs": "Loisirs et détente",
    "hebergement": "Hébergement",
    "pratique": "Informations pratiques",
}

# Fine-grained kinds of points of interest, with their French label.
KINDS: dict[str, str] = {
    "castle": "Château",
    "mill": "Moulin",
    "museum": "Musée",
    "church": "Église",
    "chapel": "Chapelle",
    "abbey": "Abbaye",
    "rampart": "Remparts et fortifications",
    "monument": "Monument",
    "memorial": "Mémorial",
    "archaeological_site": "Site archéologique",
    "heritage_site": "Site patrimonial",
    "forest": "Forêt",
    "pond": "Étang",
    "lake": "Lac",
    "waterway": "Rivière ou canal",
    "park": "Parc ou jardin",
    "nature_reserve": "Espace naturel",
    "viewpoint": "Point de vue",
    "producer": "Producteur",
    "farm": "Ferme",
    "cheese_dairy": "Fromagerie",
    "brewery": "Brasserie",
    "market": "Marché",
    "shop": "Boutique",
    "restaurant": "Restaurant",
    "estaminet": "Estaminet",
    "cafe": "Café",
    "hotel": "Hôtel",
    "campsite": "Camping",
    "gite": "Gîte",
    "guesthouse": "Chambre d'hôtes",
    "playground": "Aire de jeux",
    "leisure_park": "Parc de loisirs",
    "zoo": "Parc animalier",
    "swimming_pool": "Piscine",
    "sports": "Équipement sportif",
    "equestrian_centre": "Centre équestre",
    "fishing_spot": "Coin de pêche",
    "tourist_office": "Office de tourisme",
    "train_station": "Gare",
    "bus_stop": "Arrêt de bus",
    "bike_rental": "Location de vélos",
}

# The kinds in groups, for choosing one among 42 (the console's place form).
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "Patrimoine": ("castle", "mill", "museum", "church", "chapel", "abbey", "rampart",
                   "monument", "memorial", "archaeological_site", "heritage_site"),
    "Nature": ("forest", "pond", "lake", "waterway", "park", "nature_reserve", "viewpoint",
               "fishing_spot"),
    "Terroir, restaurants et commerces": ("producer", "farm", "cheese_dairy", "brewery",
                                          "market", "shop", "restaurant", "estaminet",
                                          "cafe"),
    "Hébergement": ("hotel", "campsite", "gite", "guesthouse"),
    "Loisirs et sports": ("playground", "leisure_park", "zoo", "swimming_pool", "sports",
                          "equestrian_centre", "bike_rental"),
    "Pratique": ("tourist_office", "train_station", "bus_stop"),
}

# Who an outing suits.
AUDIENCES: dict[str, str] = {
    "enfants": "Avec des enfants",
    "famille": "En famille",
    "couple": "En couple",
    "groupe": "En groupe",
    "seniors": "Seniors",
}

# Accessibility needs a visitor may express, and the POI flag that satisfies each.
ACCESSIBILITY_NEEDS: dict[str, str] = {
    "fauteuil": "Accessible en fauteuil roulant",
    "poussette": "Accessible avec une poussette",
}

# Modes of routes (hikes, rides).
ROUTE_MODES: dict[str, str] = {
    "hike": "Randonnée à pied",
    "bike": "Balade à vélo",
    "mtb": "VTT",
    "horse": "Randonnée équestre",
}

DIFFICULTIES: dict[str, str] = {
    "easy": "Facile",
    "medium": "Moyenne",
    "hard": "Difficile",
}

COORD_PRECISIONS: dict[str, str] = {
    "exact": "Coordonnées exactes (adresse ou relevé)",
    "approximate": "Coordonnées approximatives (à quelques centaines de mètres)",
    "commune": "Centre de la commune (position précise inconnue)",
}
