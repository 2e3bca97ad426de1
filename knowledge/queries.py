"""Read queries of the knowledge base: nearby POIs, events in a period, routes, names.

All take a SQLAlchemy `Session` first and are plain synchronous functions; async code
calls them through `knowledge.aio.KnowledgeBase`, which runs them in a worker thread.

Spatial prefilter: rows carry the grid `cell` of their coordinates (see `geo.py`); a query
asks only for the cells around the point, through an index, then measures candidates.

POI score (0–1, higher first; ties → nearer, then id):

    score = 0.45 · proximity + 0.25 · interest + 0.10 · open + 0.10 · access + 0.10 · audience

- proximity = 1 − distance / radius (0 at least);
- interest  = share of the requested interests the POI has (1 when none is requested;
  with interests requested, POIs matching none are not candidates at all);
- open      = 1 open at the moment asked, 0.5 unknown hours, 0 closed;
- access    = 1 when the stated need (wheelchair, pushchair) is known to be met, 0.5 when
  unknown; POIs known NOT to meet it are excluded; 1 when no need is stated;
- audience  = 1 when the POI suits the audience asked, 0.5 when the POI says nothing of
  audiences, 0 otherwise; 1 when no audience is asked.
With `open_now=True`, only POIs known to be open are kept. A POI outside the 52 communes
of the territory (`Poi.in_territory` false) counts `OUTSIDE_KM` (15 km) farther in its
proximity, and loses ties: it ranks after a local POI of equal interest within 15 km, and
still comes when nothing local matches (`prefer_territory=False` ranks by distance only).
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Generic, NamedTuple, TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from knowledge import hours
from knowledge.geo import (
    HAVERSINE_SLACK,
    bbox,
    cell_ranges,
    check_coordinates,
    geodesic_km,
    haversine_km,
)
from knowledge.models import Commune, Event, EventTiming, Poi, Route, interest_mask
from knowledge.taxonomy import KINDS
from knowledge.text import normalize, without_articles

T = TypeVar("T")

W_PROXIMITY, W_INTEREST, W_OPEN, W_ACCESS, W_AUDIENCE = 0.45, 0.25, 0.10, 0.10, 0.10
DEFAULT_RADIUS_KM = 20.0
OUTSIDE_KM = 15.0  # what being outside the territory weighs, as extra distance
MAX_RADIUS_KM = 200.0


@dataclass
class Page(Generic[T]):
    """One page of results starting at `offset`. `total` counts every match when it is
    known (None when the search stopped early, as soon as the page was certain)."""

    items: list[T]
    offset: int
    total: int | None
    more: bool | None = None

    @property
    def has_more(self) -> bool:
        if self.more is not None:
            return self.more
        return self.total is not None and self.offset + len(self.items) < self.total



@dataclass
class PoiHit:
    poi: Poi
    distance_km: float
    open_now: bool | None
    score: float


@dataclass
class EventHit:
    event: Event
    start: datetime  # UTC, aware
    end: datetime
    distance_km: float | None


@dataclass
class RouteHit:
    route: Route
    distance_km: float


@dataclass
class PoiQuery:
    """What the visitor asked for; every field but the point is optional."""

    latitude: float
    longitude: float
    interests: Sequence[str] = ()
    radius_km: float = DEFAULT_RADIUS_KM
    kinds: Sequence[str] = ()
    audience: str | None = None
    wheelchair: bool = False
    pushchair: bool = False
    open_now: bool = False  # only places known to be open `at` (or on `open_day`)
    at: datetime | None = None
    open_day: date | None = None  # "ouvert dimanche": open at some time of that day
    free: bool = False  # only places known to be free
    exclude_ids: Iterable[str] = field(default_factory=tuple)
    prefer_territory: bool = True  # places outside the territory after local ones


def _checked_point(lat: float, lon: float, radius_km: float) -> tuple[float, float, float]:
    flat, flon = check_coordinates(lat, lon)
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise ValueError(f"Rayon impossible : {radius_km} km (entre 0 et {MAX_RADIUS_KM:g} km).")
    return flat, flon, float(radius_km)


def _within(lat: float, lon: float, plat: float, plon: float, radius_km: float) -> float | None:
    """Haversine distance if the point may be within the radius, else None."""
    d = haversine_km(lat, lon, plat, plon)
    if d > radius_km * HAVERSINE_SLACK:
        return None
    if d > radius_km / HAVERSINE_SLACK and geodesic_km(lat, lon, plat, plon) > radius_km:
        return None
    return d


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


FIRST_RING_KM = 2.0
RING_GROWTH = 1.4
_POPCOUNT = [bin(i).count("1") for i in range(1 << 13)]


def _bits(mask: int) -> int:
    return _POPCOUNT[mask] if mask < len(_POPCOUNT) else bin(mask).count("1")


class _Candidate(NamedTuple):
    """A POI in the running for the page. While its opening hours are still to be read
    (`pending`), `score` is an upper bound that counts it open; once scored (`exact`) it
    is the score, and `open_now` says what the hours gave (None: no hours)."""

    score: float
    distance_km: float
    id: str
    open_now: bool | None = None
    outside: bool = False  # outside the territory (and the query prefers it): loses ties


def _score(distance_km: float, radius_km: float, interest: float, access: float,
           audience: float, open_now: float) -> float:
    """The score of the module docstring; each factor is between 0 and 1."""
    return (W_PROXIMITY * max(0.0, 1 - distance_km / radius_km) + W_INTEREST * interest
            + W_ACCESS * access + W_AUDIENCE * audience) + W_OPEN * open_now


def nearby_pois(session: Session, q: PoiQuery, *, limit: int = 5, offset: int = 0,
                count_total: bool = False) -> Page[PoiHit]:
    """POIs around a point ranked by the score above, one page at a time.

    The search reads rings of grid cells outwards from the point (2 km, 4 km, … up to the
    radius) and stops as soon as nothing farther could still enter the page: a POI beyond
    distance R scores at most 0.45·(1 − R/radius) + 0.55. Each ring is read through the
    spatial index with only cheap columns; opening hours are parsed only for candidates
    that could still make the page. `count_total=True` reads the whole radius to give an
    exact `total` (staff tools, tests); visitors' pages only need `has_more`.
    """
    lat, lon, radius = _checked_point(q.latitude, q.longitude, q.radius_km)
    at = _aware(q.at) if q.at else datetime.now(timezone.utc)
    wanted = list(dict.fromkeys(q.interests))
    mask = interest_mask(wanted)
    if wanted and mask == 0:
        return Page([], offset, 0, False)
    need = offset + limit
    excluded = set(q.exclude_ids)
    extra = tuple(name for name, wanted_col in (
        ("wheelchair", q.wheelchair or q.pushchair), ("pushchair", q.wheelchair or q.pushchair),
        ("kinds", bool(q.kinds)), ("audiences", bool(q.audience)), ("prices", q.free))
        if wanted_col)
    at_col = {name: 6 + i for i, name in enumerate(extra)}
    lat_min, lat_max, lon_min, lon_max = bbox(lat, lon, radius * HAVERSINE_SLACK)
    conn = session.connection()
    # Candidates whose opening hours are still to be read, and those scored exactly.
    pending: list[_Candidate] = []
    exact: list[_Candidate] = []
    seen: set[str] = set()
    candidate, score = _Candidate, _score  # local names: this loop is the hot path
    inner: float | None = None
    ring = min(FIRST_RING_KM, radius)
    while True:
        # The cells of this ring's box, less those read before.
        ranges = cell_ranges(lat, lon, ring * HAVERSINE_SLACK,
                             inner * HAVERSINE_SLACK if inner else None)
        if ranges:
            params: dict[str, Any] = {"mask": mask, "pub": True}
            for i, (lo, hi) in enumerate(ranges):
                params[f"c{i}"], params[f"d{i}"] = lo, hi
            # Only the rows of this ring (the square between the previous ring's box and
            # this one's), filtered inside the index: Python sees each candidate once.
            boxes = [("", _sql_box(lat, lon, ring))]
            if inner is not None:
                boxes.append(("i", _sql_box(lat, lon, inner)))
            for prefix, (la0, la1, lo0, lo1) in boxes:
                params.update({f"{prefix}la0": la0, f"{prefix}la1": la1,
                               f"{prefix}lo0": lo0, f"{prefix}lo1": lo1})
            sql = _ring_sql(len(ranges), bool(mask), q.open_now, extra, inner is not None)
            # Plain tuples from the driver: this loop is the hot path of the query.
            for row in conn.execute(sql, params).cursor.fetchall():
                rid, rlat, rlon, rmask, rhours = row[0], row[1], row[2], row[3], row[4]
                if not (lat_min <= rlat <= lat_max and lon_min <= rlon <= lon_max):
                    continue
                if rid in excluded or rid in seen:
                    continue
                seen.add(rid)
                if q.kinds and not set(q.kinds) & set(_json_list(row[at_col["kinds"]])):
                    continue
                if q.free and not is_free(row[at_col["prices"]]):
                    continue
                d = _within(rlat, rlon, lat, lon, radius)
                if d is None:
                    continue
                access = 1.0
                for needed, key in ((q.wheelchair, "wheelchair"), (q.pushchair, "pushchair")):
                    if needed:
                        raw = row[at_col[key]]
                        flag = None if raw is None else bool(raw)
                        if flag is False:
                            access = -1.0
                            break
                        access = min(access, 1.0 if flag else 0.5)
                if access < 0:
                    continue
                outside = q.prefer_territory and not row[5]
                near = d + OUTSIDE_KM if outside else d
                interest = _bits(rmask & mask) / len(wanted) if wanted else 1.0
                if q.audience is None:
                    audience = 1.0
                else:
                    audiences = _json_list(row[at_col["audiences"]])
                    audience = (0.5 if not audiences
                                else 1.0 if q.audience in audiences else 0.0)
                if rhours:
                    pending.append(candidate(score(near, radius, interest, access, audience,
                                                   1.0), d, rid, None, outside))
                elif not q.open_now:
                    exact.append(candidate(score(near, radius, interest, access, audience, 0.5),
                                           d, rid, None, outside))
        _settle(session, pending, exact, need, at, q.open_now, q.open_day)
        done = ring >= radius
        if not done and len(exact) >= need:
            kth = heapq.nsmallest(need, exact, key=_rank)[-1].score
            farther_best = W_PROXIMITY * (1 - ring / radius) + (1 - W_PROXIMITY)
            done = kth >= farther_best and not count_total
        if done:
            break
        inner, ring = ring, min(ring * RING_GROWTH, radius)
    if count_total:  # every candidate scored, so `total` is exact
        _settle(session, pending, exact, len(exact) + len(pending) + 1, at, q.open_now,
                q.open_day)
    exact.sort(key=_rank)
    complete = ring >= radius
    page = exact[offset : offset + limit]
    pois = _by_id(session, Poi, [c.id for c in page])
    items = [
        PoiHit(pois[c.id], round(geodesic_km(lat, lon, pois[c.id].latitude,
                                             pois[c.id].longitude), 2),
               c.open_now, round(c.score, 4))
        for c in page
    ]
    total = len(exact) + len(pending) if complete else None
    more = len(exact) + len(pending) > offset + len(page) or not complete
    return Page(items, offset, total, more)


def _sql_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """The box of a ring for the SQL filters (with the haversine slack); across the
    antimeridian the longitude filter is left to the cells."""
    lat0, lat1, lon0, lon1 = bbox(lat, lon, radius_km * HAVERSINE_SLACK)
    if lon0 < -180 or lon1 > 180:
        return lat0, lat1, -180.0, 180.0
    return lat0, lat1, lon0, lon1


@lru_cache(maxsize=512)
def _ring_sql(n_ranges: int, with_mask: bool, open_only: bool, extra: tuple[str, ...],
              with_inner: bool) -> TextClause:
    """The ring query, as plain parameterised SQL: built once per shape, because building
    dozens of BETWEEN expressions with SQLAlchemy costs more than running them."""
    cols = ["id", "latitude", "longitude", "interest_mask", "has_hours", "in_territory", *extra]
    ranges = " OR ".join(f"cell BETWEEN :c{i} AND :d{i}" for i in range(n_ranges))
    where = [f"({ranges})", "published = :pub", "latitude BETWEEN :la0 AND :la1",
             "longitude BETWEEN :lo0 AND :lo1"]
    if with_inner:
        where.append("NOT (latitude BETWEEN :ila0 AND :ila1 AND longitude BETWEEN :ilo0 AND :ilo1)")
    if with_mask:
        where.append("(interest_mask & :mask) != 0")
    if open_only:
        where.append("has_hours = :pub")
    return text(f"SELECT {', '.join(cols)} FROM pois WHERE {' AND '.join(where)}")


def _json_list(value: Any) -> list[str]:
    """A JSON list column read through plain SQL (a string on SQLite, a list on PG)."""
    if value is None:
        return []
    return list(json.loads(value)) if isinstance(value, str) else list(value)


def is_free(value: Any) -> bool:
    """A price column (JSON object; a string on SQLite) that says the visit is free."""
    if isinstance(value, str):
        value = json.loads(value)
    return isinstance(value, dict) and value.get("free") is True


def _rank(c: _Candidate) -> tuple[float, bool, float, str]:
    """Page order: best score, then local, then nearer, then id (stable across pages)."""
    return -c.score, c.outside, c.distance_km, c.id


def _settle(session: Session, pending: list[_Candidate], exact: list[_Candidate], need: int,
            at: datetime, open_only: bool, day: date | None = None) -> None:
    """Score exactly the candidates with opening hours that could still make the page
    (best upper bound first), moving them from `pending` to `exact`."""
    pending.sort(key=_rank)
    while pending:
        if (len(exact) >= need
                and pending[0].score < heapq.nsmallest(need, exact, key=_rank)[-1].score):
            return
        batch, pending[:] = pending[:need], pending[need:]
        hours_of = dict(session.connection().execute(
            select(Poi.id, Poi.opening_hours).where(Poi.id.in_([c.id for c in batch]))).all())
        for upper, d, pid, _, outside in batch:
            state = (hours.is_open_on(hours_of.get(pid), day) if day is not None
                     else hours.is_open(hours_of.get(pid), at))
            if open_only and state is not True:
                continue
            # The upper bound counted it open: take back what it is not.
            exact.append(_Candidate(
                upper - W_OPEN * (1.0 - (0.5 if state is None else float(state))), d, pid, state,
                outside))


def _by_id(session: Session, model: Any, ids: list[str]) -> dict[str, Any]:
    if not ids:
        return {}
    return {o.id: o for o in session.execute(select(model).where(model.id.in_(ids))).scalars()}


def events_between(
    session: Session, start: datetime, end: datetime, *, latitude: float | None = None,
    longitude: float | None = None, radius_km: float = 30.0, interests: Sequence[str] = (),
    audience: str | None = None, wheelchair: bool = False, pushchair: bool = False,
    free: bool = False, title_words: Sequence[str] = (), limit: int = 5, offset: int = 0,
    exclude_ids: Iterable[str] = (),
) -> Page[EventHit]:
    """Published events with an occurrence overlapping [start, end), soonest first.
    `title_words` (normalised) must each start a word of the title ("noel", "marche").

    A multi-day event appears once, with its first occurrence in the period. With a point,
    only events within the radius, and distances are given.
    """
    s_utc = _aware(start).astimezone(timezone.utc).replace(tzinfo=None)
    e_utc = _aware(end).astimezone(timezone.utc).replace(tzinfo=None)
    stmt = (
        select(EventTiming.event_id, EventTiming.start, EventTiming.end, Event.latitude,
               Event.longitude, Event.audiences, Event.price, Event.title)
        .join(Event, Event.id == EventTiming.event_id)
        .where(EventTiming.start < e_utc, EventTiming.end > s_utc, Event.published.is_(True))
        .order_by(EventTiming.start, EventTiming.event_id)
    )
    point = None
    if latitude is not None and longitude is not None:
        point = _checked_point(latitude, longitude, radius_km)
        stmt = stmt.where(or_(*[Event.cell.between(lo, hi) for lo, hi in cell_ranges(*point)]))
    mask = interest_mask(interests)
    if interests and mask == 0:
        return Page([], offset, 0)
    if mask:
        stmt = stmt.where(Event.interest_mask.op("&")(mask) != 0)
    if wheelchair:
        stmt = stmt.where(Event.wheelchair.is_(True))
    if pushchair:
        stmt = stmt.where(Event.pushchair.is_(True))
    seen: dict[str, tuple[datetime, datetime, float | None]] = {}
    excluded = set(exclude_ids)
    for row in session.execute(stmt):
        if row.event_id in seen or row.event_id in excluded:
            continue
        if audience and row.audiences and audience not in row.audiences:
            continue
        if free and not is_free(row.price):
            continue
        if title_words and not all(re.search(rf"\b{re.escape(w)}", normalize(row.title))
                                   for w in title_words):
            continue
        d = None
        if point:
            d = _within(row.latitude, row.longitude, *point)
            if d is None:
                continue
        seen[row.event_id] = (row.start, row.end, d)
    ordered = list(seen.items())
    page = ordered[offset : offset + limit]
    events = _by_id(session, Event, [eid for eid, _ in page])
    items = []
    for eid, (s, e, d) in page:
        ev = events[eid]
        dist = round(geodesic_km(point[0], point[1], ev.latitude, ev.longitude), 2) if point else d
        items.append(EventHit(ev, s.replace(tzinfo=timezone.utc), e.replace(tzinfo=timezone.utc),
                              dist))
    return Page(items, offset, len(ordered))


def next_dates_at(session: Session, poi_id: str, after: datetime, *, limit: int = 3
                  ) -> list[tuple[datetime, datetime, bool]]:
    """The next occurrences (start, end in UTC, is_example) of the published events held
    at a place: a market's place record rarely has hours, its weekly event has dates."""
    after_utc = _aware(after).astimezone(timezone.utc).replace(tzinfo=None)
    stmt = (select(EventTiming.start, EventTiming.end, Event.is_example)
            .join(Event, Event.id == EventTiming.event_id)
            .where(Event.venue_poi_id == poi_id, Event.published.is_(True),
                   EventTiming.end > after_utc)
            .order_by(EventTiming.start).limit(limit))
    return [(r.start.replace(tzinfo=timezone.utc), r.end.replace(tzinfo=timezone.utc),
             bool(r.is_example)) for r in session.execute(stmt)]


def next_dates_of(session: Session, event_id: str, after: datetime, *, limit: int = 3
                  ) -> list[tuple[datetime, datetime]]:
    """The next occurrences (start, end in UTC) of one published event, soonest first."""
    after_utc = _aware(after).astimezone(timezone.utc).replace(tzinfo=None)
    stmt = (select(EventTiming.start, EventTiming.end)
            .join(Event, Event.id == EventTiming.event_id)
            .where(Event.id == event_id, Event.published.is_(True),
                   EventTiming.end > after_utc)
            .order_by(EventTiming.start).limit(limit))
    return [(r.start.replace(tzinfo=timezone.utc), r.end.replace(tzinfo=timezone.utc))
            for r in session.execute(stmt)]

def routes_near(
    session: Session, latitude: float, longitude: float, *, mode: str | None = None,
    min_km: float | None = None, max_km: float | None = None, difficulty: str | None = None,
    radius_km: float = 25.0, limit: int = 5, offset: int = 0, exclude_ids: Iterable[str] = (),
) -> Page[RouteHit]:
    """Routes starting within the radius, by mode, length and difficulty; nearest first."""
    lat, lon, radius = _checked_point(latitude, longitude, radius_km)
    stmt = select(Route.id, Route.start_latitude, Route.start_longitude).where(
        or_(*[Route.cell.between(lo, hi) for lo, hi in cell_ranges(lat, lon, radius)]),
        Route.published.is_(True),
    )
    if mode:
        stmt = stmt.where(Route.mode == mode)
    if difficulty:
        stmt = stmt.where(Route.difficulty == difficulty)
    if min_km is not None:
        stmt = stmt.where(Route.length_km >= min_km)
    if max_km is not None:
        stmt = stmt.where(Route.length_km <= max_km)
    found = []
    excluded = set(exclude_ids)
    for row in session.execute(stmt):
        if row.id in excluded:
            continue
        d = _within(row.start_latitude, row.start_longitude, lat, lon, radius)
        if d is not None:
            found.append((d, row.id))
    found.sort()
    page = found[offset : offset + limit]
    routes = _by_id(session, Route, [rid for _, rid in page])
    items = [
        RouteHit(routes[rid], round(geodesic_km(lat, lon, routes[rid].start_latitude,
                                                routes[rid].start_longitude), 2))
        for _, rid in page
    ]
    return Page(items, offset, len(found))


@dataclass
class NameMatch:
    poi: Poi
    score: float


_GENERIC = frozenset({"saint", "sainte", "rue", "place", "grand", "petit", "vieux"})
# Words that say what a place is, not which one: "musée du Louvre" must not match the
# "Musée Matisse" on "musée" alone.
KIND_WORDS = frozenset(
    w for label in KINDS.values() for w in normalize(label).split() if len(w) >= 3
) | frozenset({"musee", "tour", "beffroi", "porte", "maison", "site", "circuit", "lac",
               "etang", "foret", "chateau", "eglise", "moulin", "parc", "jardin", "gare",
               "office", "tourisme", "restaurant", "resto", "hotel", "camping", "marche",
               "ferme", "fromagerie", "brasserie", "abbaye", "chapelle", "zoo", "piscine"})
# Words of the question around the name ("horaires du musverre"): not part of any name.
QUESTION_WORDS = frozenset({"horaires", "horaire", "adresse", "prix", "tarif", "tarifs",
                            "ouvert", "ouverte", "quand", "acces", "combien", "est"})
FUZZY_PLACE_MIN = 75.0
PREFIX = 3
# Distinct words of a message looked up by name: a name is a few words, and SQLite refuses
# an expression deeper than 1,000 (a 260-word message gave 1,040 conditions on communes).
MAX_NAME_WORDS = 40
COMMUNE_BATCH = 100


def _name_words(text: str) -> tuple[str, list[str]]:
    """The typed text normalised without articles or question words, and its distinct
    words that may be part of a name (the first `MAX_NAME_WORDS`)."""
    norm = " ".join(w for w in without_articles(normalize(text)).split()
                    if w not in QUESTION_WORDS)
    tokens = dict.fromkeys(t for t in norm.split() if len(t) >= 3 and t not in _GENERIC)
    return norm, list(tokens)[:MAX_NAME_WORDS]


def commune_words_in(session: Session, tokens: list[str]) -> frozenset[str]:
    """The typed words that are (part of) a commune's name. Read in batches of words: four
    conditions a word, and SQLite refuses an expression deeper than 1,000."""
    words = list(dict.fromkeys(tokens))
    found: set[str] = set()
    for start in range(0, len(words), COMMUNE_BATCH):
        batch = words[start:start + COMMUNE_BATCH]
        conds = []
        for t in batch:
            conds += [Commune.name_norm == t, Commune.name_norm.like(f"{t} %"),
                      Commune.name_norm.like(f"% {t}"), Commune.name_norm.like(f"% {t} %")]
        for (name,) in session.execute(select(Commune.name_norm).where(or_(*conds))):
            found.update(w for w in name.split() if w in batch)
    return frozenset(found)


def find_places_by_name(session: Session, text: str, *, limit: int = 3,
                        include_unpublished: bool = False) -> list[NameMatch]:
    """POIs whose name matches what the visitor typed, best first ("forum bavay",
    "musee du verre", "forun antik de bavai").

    Reads only rows sharing a 3-letter word start with the text. Articles are ignored on
    both sides, question words are dropped, and a match must rest on a word of the name
    other than its kind or commune: "piscine de Bavay" must not find the "Forum antique de Bavay".
    """
    norm, tokens = _name_words(text)
    if not tokens:
        return []
    conds = [Poi.name_norm.like(f"%{prefix}%") for prefix in dict.fromkeys(
        tok[:PREFIX] for tok in tokens)]
    stmt = (select(Poi.id, Poi.name_norm, Commune.name_norm.label("commune_norm"))
            .outerjoin(Commune, Commune.insee == Poi.commune_insee)
            .where(or_(*conds)).limit(5000))
    if not include_unpublished:
        stmt = stmt.where(Poi.published.is_(True))
    rows = session.execute(stmt).all()
    commune_words = commune_words_in(session, tokens)
    own_words = [t for t in tokens if t not in commune_words and t not in KIND_WORDS]
    strict_words = True
    if not own_words and commune_words:  # "abbaye de Maroilles": a kind in a commune
        own_words = [t for t in tokens if t in KIND_WORDS]
        strict_words = False
    if not rows or not own_words:
        return []
    choices = {r.id: without_articles(r.name_norm) for r in rows}
    places = {r.id: f"{r.name_norm} {r.commune_norm or ''}" for r in rows}
    best = process.extract(norm, choices, scorer=fuzz.WRatio, limit=limit * 3,
                           score_cutoff=FUZZY_PLACE_MIN)
    kept = []
    for _, score, key in best:
        name_words = [w for w in choices[key].split()
                      if not strict_words or w not in KIND_WORDS]
        # the match rests on a word naming this very place, not on its kind or commune
        if not any(fuzz.ratio(t, w) >= 75 for t in own_words for w in name_words):
            continue
        # a commune typed by the visitor must be the place's (or in its name)
        if any(c not in places[key].split() for c in commune_words):
            continue
        kept.append((score, key))
    kept = kept[:limit]
    pois = _by_id(session, Poi, [key for _, key in kept])
    return [NameMatch(pois[key], round(score, 1)) for score, key in kept]


def find_records_by_name(session: Session, model: Any, text: str, *,
                         limit: int = 50) -> list[str]:
    """Ids of the records of ``model`` (POIs, events or routes, published or not) whose
    name or title matches ``text`` despite typos ("forum antik", "marche de noel du
    kesnoy"), best first: the staff console's search. POIs go through
    ``find_places_by_name`` (the matching of the CLI's ``search`` and of the bot);
    events and routes are scored the same way (rapidfuzz WRatio over the names sharing
    a 3-letter word start with the text, a typed word close to a word of the name)."""
    if model is Poi:
        return [m.poi.id for m in find_places_by_name(session, text, limit=limit,
                                                      include_unpublished=True)]
    name_col = model.title_norm if model is Event else model.name_norm
    norm, tokens = _name_words(text)
    if not tokens:
        return []
    stmt = (select(model.id, name_col)
            .where(or_(*[name_col.like(f"%{tok[:PREFIX]}%") for tok in tokens])).limit(5000))
    choices = {rid: without_articles(name) for rid, name in session.execute(stmt)}
    best = process.extract(norm, choices, scorer=fuzz.WRatio, limit=limit,
                           score_cutoff=FUZZY_PLACE_MIN)
    # every word typed is (close to) a word of the name: "marche de noel" is not any market
    return [key for _, _, key in best
            if all(any(fuzz.ratio(t, w) >= 75 for w in choices[key].split()) for t in tokens)]


def search(session: Session, model: Any, text: str = "", *, interest: str | None = None,
           commune_insee: str | None = None, limit: int = 50) -> list[Any]:
    """Staff search: by words of the name or title, interest and commune."""
    name_col = model.title_norm if model is Event else model.name_norm
    stmt = select(model).order_by(name_col).limit(limit)
    for tok in normalize(text).split():
        stmt = stmt.where(name_col.like(f"%{tok}%"))
    if interest and hasattr(model, "interest_mask"):
        stmt = stmt.where(model.interest_mask.op("&")(interest_mask([interest])) != 0)
    if commune_insee:
        col = model.start_commune_insee if model is Route else model.commune_insee
        stmt = stmt.where(col == commune_insee)
    return list(session.execute(stmt).scalars())


__all__ = [
    "EventHit", "NameMatch", "Page", "PoiHit", "PoiQuery", "RouteHit",
    "events_between", "find_places_by_name", "find_records_by_name", "nearby_pois",
    "routes_near", "search",
]
