"""Local gazetteer of communes: no network geocoder is reachable, so names are resolved here.

Lookup is insensitive to case, accents, hyphens and articles, and tolerant of typos
("le quesnoy", "Le-Quesnoy", "quesnoy", "le quenoy" → Le Quesnoy). Communes of the
territory win over homonyms elsewhere in the region.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.geo import haversine_km
from knowledge.models import Commune
from knowledge.text import normalize, without_articles

FUZZY_MIN_SCORE = 85.0
FUZZY_NEAR_KM = 40.0


@dataclass(frozen=True)
class Place:
    insee: str
    name: str
    latitude: float
    longitude: float
    in_territory: bool
    population: int | None
    department: str | None


class Gazetteer:
    def __init__(self, places: list[Place], unplaced: dict[str, str] | None = None) -> None:
        # Communes the base holds without a point (INSEE code → name): codes a source
        # gave that the regional file does not have. Known, but never a place to go.
        self._unplaced = dict(unplaced or {})
        # Territory first, then bigger communes: the first place stored under a key wins.
        ordered = sorted(places, key=lambda p: (not p.in_territory, -(p.population or 0)))
        self._places = ordered
        self._by_key: dict[str, Place] = {}
        for place in ordered:
            norm = normalize(place.name)
            for key in (norm, without_articles(norm)):
                self._by_key.setdefault(key, place)
        self._territory = [p for p in ordered if p.in_territory]
        # Built for every import, CLI command and console save: the bounding box is
        # measured once, and a commune is near as soon as one commune of the territory is
        # (not the nearest one searched among all 52 for each of the ~3,800 communes).
        self._box = self._bounding_box(FUZZY_NEAR_KM / 70.0)  # degrees, generous here
        near = {p.insee for p in ordered if self._maybe_near(p)
                and self._within_km(p.latitude, p.longitude, FUZZY_NEAR_KM)}
        self._near_keys = [key for key, place in self._by_key.items() if place.insee in near]

    def _bounding_box(self, margin: float) -> tuple[float, float, float, float] | None:
        """(south, north, west, east) of the territory widened by `margin` degrees."""
        if not self._territory:
            return None
        lats = [p.latitude for p in self._territory]
        lons = [p.longitude for p in self._territory]
        return min(lats) - margin, max(lats) + margin, min(lons) - margin, max(lons) + margin

    def _maybe_near(self, place: Place) -> bool:
        """Cheap bounding-box test before measuring distances."""
        if self._box is None:
            return True
        south, north, west, east = self._box
        return south <= place.latitude <= north and west <= place.longitude <= east

    def _within_km(self, lat: float, lon: float, km: float) -> bool:
        """`distance_to_territory_km(lat, lon) <= km`, stopping at the first commune of the
        territory that close. A degree of latitude is 111.2 km on the haversine sphere: a
        commune farther than km / 111 degrees in latitude alone is not measured."""
        if not self._territory:
            return True
        span = km / 111.0
        return any(abs(p.latitude - lat) <= span
                   and haversine_km(lat, lon, p.latitude, p.longitude) <= km
                   for p in self._territory)

    @classmethod
    def from_session(cls, session: Session) -> Gazetteer:
        """The gazetteer of the base's communes. Every import, CLI command and console save
        asks for one: the last one built is kept and given again while the communes read
        are the same (a gazetteer is never changed once built)."""
        global _LAST
        rows = tuple(tuple(row) for row in session.execute(
            select(Commune.insee, Commune.name, Commune.latitude, Commune.longitude,
                   Commune.in_territory, Commune.population, Commune.department)
        ))
        last = _LAST
        if last is not None and last[0] == rows:
            return last[1]
        gazetteer = cls([Place(*row) for row in rows if row[2] is not None],
                        {row[0]: row[1] for row in rows if row[2] is None})
        _LAST = (rows, gazetteer)
        return gazetteer

    def __len__(self) -> int:
        return len(self._places)

    @property
    def all_places(self) -> list[Place]:
        return list(self._places)

    @property
    def territory(self) -> list[Place]:
        return list(self._territory)

    def by_insee(self, insee: str) -> Place | None:
        return next((p for p in self._places if p.insee == insee), None)

    def knows(self, insee: str) -> bool:
        """Whether the base holds this commune, with a point or without one."""
        return insee in self._unplaced or self.by_insee(insee) is not None

    def name_of(self, insee: str) -> str | None:
        place = self.by_insee(insee)
        return place.name if place is not None else self._unplaced.get(insee)

    def exact(self, key: str) -> Place | None:
        """The commune stored under this normalised key ("le quesnoy", "quesnoy"), with
        no typo forgiven."""
        return self._by_key.get(key)

    def lookup(self, text: str) -> Place | None:
        """The commune a visitor means, or None."""
        norm = normalize(text)
        if not norm:
            return None
        for key in (norm, without_articles(norm)):
            if key in self._by_key:
                return self._by_key[key]
        if len(norm) < 4:
            return None
        # Typos are forgiven only near the territory: "Bruxelles" must not become
        # Brutelles (Somme).
        best = process.extractOne(
            without_articles(norm), self._near_keys, scorer=fuzz.ratio,
            score_cutoff=FUZZY_MIN_SCORE,
        )
        return self._by_key[best[0]] if best else None

    def find_in_text(self, text: str) -> Place | None:
        """A commune named anywhere in a sentence ("je suis a bavay ce matin")."""
        words = normalize(text).split()
        for size in range(min(5, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                key = " ".join(words[i : i + size])
                if key in self._by_key and (size > 1 or len(key) >= 4):
                    return self._by_key[key]
        return None

    def distance_to_territory_km(self, lat: float, lon: float) -> float:
        """Distance from a point to the nearest commune centroid of the territory."""
        if not self._territory:
            return 0.0
        return min(haversine_km(lat, lon, p.latitude, p.longitude) for p in self._territory)

    def nearest(self, lat: float, lon: float, *, territory_only: bool = False) -> Place | None:
        pool = self._territory if territory_only else self._places
        return min(pool, key=lambda p: haversine_km(lat, lon, p.latitude, p.longitude),
                   default=None)


# The last gazetteer built by `Gazetteer.from_session`, with the rows it was built from.
_LAST: tuple[tuple[tuple[object, ...], ...], Gazetteer] | None = None
