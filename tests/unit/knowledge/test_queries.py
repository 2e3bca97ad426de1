"""Read queries of the knowledge base, on SQLite and on PostgreSQL.

Every test writes a few small records through the validated path
(`Store.save_poi` / `save_event` / `save_route`) around real communes of the territory,
then checks what `knowledge.queries` returns for them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic
from sqlalchemy.orm import Session

from bot.dialogue.periods import resolve_period
from knowledge.geo import CoordinateError
from knowledge.models import Event, Poi
from knowledge.queries import (
    PoiQuery,
    events_between,
    find_places_by_name,
    find_records_by_name,
    nearby_pois,
    routes_near,
)
from knowledge.store import Store

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
BAVAY = (50.2936, 3.8031)
MAROILLES_INSEE = "59384"
LANDRECIES_INSEE = "59331"
BAVAY_INSEE = "59053"


def offset(km: float, bearing: float, origin: tuple[float, float] = BAVAY) -> tuple[float, float]:
    """The point `km` kilometres (geodesic) from `origin` towards `bearing` degrees."""
    p = geodesic(kilometers=km).destination(origin, bearing)
    return p.latitude, p.longitude


def geo_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return geodesic(a, b).km


def add_poi(store: Store, poi_id: str, where: tuple[float, float], **extra: Any) -> None:
    record: dict[str, Any] = {
        "id": poi_id,
        "name": extra.pop("name", f"Lieu {poi_id}"),
        "kinds": extra.pop("kinds", ["museum"]),
        "interests": extra.pop("interests", ["patrimoine"]),
        "latitude": where[0],
        "longitude": where[1],
        "source": "tests",
    }
    record.update(extra)
    store.save_poi(record)


def ids(page: Any) -> list[str]:
    return [hit.poi.id for hit in page.items]


def paris(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# ----------------------------------------------------------------------- nearby POIs


def test_outside_the_territory_ranks_after_local_places_within_15_km(
        session: Session) -> None:
    """Issue 16: places in Valenciennes or Maubeuge were recommended as if local."""
    store = Store.for_session(session)
    add_poi(store, "local-14km", offset(14, 0), commune_insee=BAVAY_INSEE)
    add_poi(store, "outside-1km", offset(1, 180), commune_insee="59392")  # Maubeuge
    local = session.get(Poi, "local-14km")
    assert (local.in_territory, session.get(Poi, "outside-1km").in_territory) == (True, False)
    query = PoiQuery(*BAVAY, interests=["patrimoine"], radius_km=20)
    assert ids(nearby_pois(session, query)) == ["local-14km", "outside-1km"]
    # By distance only when the territory is not preferred; still found when nothing
    # local matches.
    query.prefer_territory = False
    assert ids(nearby_pois(session, query)) == ["outside-1km", "local-14km"]
    local.published = False
    session.flush()
    assert ids(nearby_pois(session, PoiQuery(*BAVAY, interests=["patrimoine"]))) == [
        "outside-1km"]


def test_ranking_interest_filter_radius_and_geodesic_distances(session: Session) -> None:
    store = Store.for_session(session)
    near, far, other = offset(2, 0), offset(8, 200), offset(1, 90)
    at_12 = offset(12, 90)
    add_poi(store, "near-match", near)
    add_poi(store, "far-match", far)
    add_poi(store, "near-other", other, kinds=["restaurant"], interests=["gastronomie"])
    add_poi(store, "at-12km", at_12)
    # Either side of the 10 km circle, east-west where the sphere and the WGS84
    # ellipsoid disagree most (~0.3 % at this latitude, i.e. ~30 m at 10 km).
    add_poi(store, "in-9.98km", offset(9.98, 90), interests=["nature"], kinds=["forest"])
    add_poi(store, "out-10.02km", offset(10.02, 270), interests=["nature"], kinds=["forest"])

    page = nearby_pois(session, PoiQuery(*BAVAY, interests=["patrimoine"], radius_km=10),
                       limit=10, count_total=True)
    assert ids(page) == ["near-match", "far-match"]
    assert page.total == 2 and not page.has_more
    for hit, where in zip(page.items, (near, far), strict=True):
        assert hit.distance_km == pytest.approx(geo_km(BAVAY, where), abs=0.01)
        assert 0 < hit.score <= 1
    assert page.items[0].score > page.items[1].score

    wider = nearby_pois(session, PoiQuery(*BAVAY, interests=["patrimoine"], radius_km=15),
                        limit=10)
    assert ids(wider) == ["near-match", "far-match", "at-12km"]
    assert wider.items[2].distance_km == pytest.approx(12.0, abs=0.01)

    # Geodesic radius: 9.98 km is in, 10.02 km is out.
    nature = nearby_pois(session, PoiQuery(*BAVAY, interests=["nature"], radius_km=10))
    assert ids(nature) == ["in-9.98km"]
    assert nature.items[0].distance_km == pytest.approx(9.98, abs=0.01)
    # (by distance only: the point 10.02 km west is in the territory, 9.98 km east is not)
    assert ids(nearby_pois(session, PoiQuery(*BAVAY, interests=["nature"], radius_km=10.05,
                                             prefer_territory=False),
                           limit=10)) == ["in-9.98km", "out-10.02km"]

    # Several interests: a POI with any of them is a candidate.
    both = nearby_pois(session, PoiQuery(*BAVAY, interests=["gastronomie", "patrimoine"],
                                         radius_km=10), limit=10)
    assert set(ids(both)) == {"near-match", "far-match", "near-other"}

    # No interest asked: everything within the radius, nearest first.
    everything = nearby_pois(session, PoiQuery(*BAVAY, radius_km=10), limit=10)
    assert ids(everything) == ["near-other", "near-match", "far-match", "in-9.98km"]

    # An interest that is not in the taxonomy matches nothing (not everything).
    unknown = nearby_pois(session, PoiQuery(*BAVAY, interests=["karaoke"], radius_km=10))
    assert unknown.items == [] and unknown.total == 0

    # Kind filter.
    assert ids(nearby_pois(session, PoiQuery(*BAVAY, kinds=["restaurant"], radius_km=10))) == [
        "near-other"
    ]


def test_score_combines_proximity_and_share_of_interests(session: Session) -> None:
    """Proximity weighs 0.45 and interest 0.25: of two POIs matching both interests the
    closer wins, and a POI matching both outranks a slightly nearer one matching one."""
    store = Store.for_session(session)
    add_poi(store, "one-interest-1km", offset(1, 0), interests=["patrimoine"])
    add_poi(store, "two-interests-3km", offset(3, 0), interests=["patrimoine", "culture"])
    add_poi(store, "two-interests-15km", offset(15, 0), interests=["patrimoine", "culture"])
    page = nearby_pois(session, PoiQuery(*BAVAY, interests=["patrimoine", "culture"],
                                         radius_km=20), limit=5)
    assert ids(page) == ["two-interests-3km", "one-interest-1km", "two-interests-15km"]


def test_pagination_without_repeats_and_exclude_ids(session: Session) -> None:
    store = Store.for_session(session)
    expected = [f"p{i:02d}" for i in range(12)]
    for i, poi_id in enumerate(expected):
        add_poi(store, poi_id, offset(0.5 + i * 0.7, 30 * i))

    seen: list[str] = []
    offset_ = 0
    pages = []
    while True:
        page = nearby_pois(session, PoiQuery(*BAVAY, radius_km=15), limit=5, offset=offset_,
                           count_total=True)
        pages.append(page)
        assert page.total == 12
        # Without counting, the search may stop early; the page and has_more are the same.
        quick = nearby_pois(session, PoiQuery(*BAVAY, radius_km=15), limit=5, offset=offset_)
        assert ids(quick) == ids(page) and quick.has_more == page.has_more
        assert page.offset == offset_
        seen.extend(ids(page))
        if not page.has_more:
            break
        offset_ = page.offset + len(page.items)
    assert [len(p.items) for p in pages] == [5, 5, 2]
    assert [p.has_more for p in pages] == [True, True, False]
    assert seen == expected  # nearest first, no repeat, none missing
    distances = [hit.distance_km for p in pages for hit in p.items]
    assert distances == sorted(distances)

    past_the_end = nearby_pois(session, PoiQuery(*BAVAY, radius_km=15), limit=5, offset=12)
    assert past_the_end.items == [] and not past_the_end.has_more

    # "Show me others": excluding what was shown gives the next ones.
    shown = ids(pages[0])
    others = nearby_pois(session, PoiQuery(*BAVAY, radius_km=15, exclude_ids=shown), limit=5,
                         count_total=True)
    assert ids(others) == ids(pages[1])
    assert others.total == 7 and others.has_more


WEEKDAYS = {"days": ["mo", "tu", "we", "th", "fr"], "opens": "10:00", "closes": "18:00"}


def test_open_now_weekly_seasonal_clock_changes_and_past_midnight(session: Session) -> None:
    store = Store.for_session(session)
    add_poi(store, "weekdays", offset(1, 0), opening_hours={"specs": [WEEKDAYS]})
    add_poi(store, "summer", offset(1, 90), opening_hours={
        "specs": [{"opens": "10:00", "closes": "18:00",
                   "valid_from": "04-01", "valid_through": "10-31"}],
        "closures": ["07-14"],
    })
    add_poi(store, "sundays", offset(1, 180), opening_hours={
        "specs": [{"days": ["su"], "opens": "10:00", "closes": "18:00"}]})
    add_poi(store, "night", offset(1, 270), kinds=["cafe"], interests=["loisirs"],
            opening_hours={"specs": [{"days": ["fr", "sa"], "opens": "19:00",
                                      "closes": "02:00"}]})
    add_poi(store, "no-hours", offset(0.5, 45))

    def open_ids(at: datetime) -> set[str]:
        page = nearby_pois(session, PoiQuery(*BAVAY, radius_km=5, open_now=True, at=at),
                           limit=20)
        assert all(hit.open_now is True for hit in page.items)
        return set(ids(page))

    cases: list[tuple[str, datetime, bool]] = [
        # Weekly schedule (Wednesday 9 and Saturday 12 June 2027).
        ("weekdays", paris(2027, 6, 9, 12), True),
        ("weekdays", paris(2027, 6, 9, 9, 59), False),
        ("weekdays", paris(2027, 6, 9, 10), True),  # opening minute included
        ("weekdays", paris(2027, 6, 9, 18), False),  # closing minute excluded
        ("weekdays", paris(2027, 6, 12, 12), False),
        # Seasonal: open daily from April to October, closed on 14 July.
        ("summer", paris(2027, 7, 15, 12), True),
        ("summer", paris(2027, 1, 15, 12), False),
        ("summer", paris(2027, 3, 31, 12), False),
        ("summer", paris(2027, 4, 1, 12), True),
        ("summer", paris(2027, 7, 14, 12), False),
        # Spring forward, Sunday 28 March 2027: 10:00 local is 08:00 UTC (CEST).
        ("sundays", utc(2027, 3, 28, 8, 30), True),
        ("sundays", utc(2027, 3, 28, 7, 30), False),  # 09:30 CEST
        ("sundays", utc(2027, 3, 28, 16, 30), False),  # 18:30 CEST
        ("sundays", utc(2027, 3, 28, 15, 30), True),  # 17:30 CEST
        # Fall back, Sunday 31 October 2027: 10:00 local is 09:00 UTC (CET).
        ("sundays", utc(2027, 10, 31, 8, 30), False),  # 09:30 CET
        ("sundays", utc(2027, 10, 31, 9, 30), True),
        ("sundays", utc(2027, 10, 31, 16, 30), True),  # 17:30 CET
        ("sundays", utc(2027, 10, 31, 17, 30), False),  # 18:30 CET
        # Past midnight: Friday and Saturday 19:00-02:00.
        ("night", paris(2027, 6, 11, 18, 59), False),  # Friday evening, not yet
        ("night", paris(2027, 6, 11, 23, 30), True),
        ("night", paris(2027, 6, 12, 1, 30), True),  # Friday's night, on Saturday
        ("night", paris(2027, 6, 12, 2, 0), False),
        ("night", paris(2027, 6, 13, 1, 30), True),  # Saturday's night, on Sunday
        ("night", paris(2027, 6, 14, 1, 30), False),  # no slot on Sunday evening
        ("night", paris(2027, 6, 10, 1, 30), False),  # Wednesday night
        # The night of the spring change: Saturday 27 March 19:00 CET to 02:00 local,
        # which does not exist: the slot ends when the clocks jump (01:00 UTC).
        ("night", utc(2027, 3, 28, 0, 30), True),  # 01:30 CET
        ("night", utc(2027, 3, 28, 1, 30), False),  # 03:30 CEST
        # The night of the autumn change: 02:00 local happens twice; the bar closes
        # the first time the clocks show it (02:00 CEST = 00:00 UTC).
        ("night", utc(2027, 10, 30, 23, 30), True),  # 01:30 CEST
        ("night", utc(2027, 10, 31, 0, 30), False),  # 02:30 CEST
        ("night", utc(2027, 10, 31, 1, 30), False),  # 02:30 CET
    ]
    failures = []
    for poi_id, at, expected in cases:
        found = open_ids(at)
        assert "no-hours" not in found  # unknown hours are never "open now"
        if (poi_id in found) != expected:
            failures.append(f"{poi_id} at {at.isoformat()}: expected open={expected}")
    assert not failures, "\n".join(failures)

    # Without open_now every POI is returned, with its state.
    at = paris(2027, 6, 9, 12)
    page = nearby_pois(session, PoiQuery(*BAVAY, radius_km=5, at=at), limit=20)
    state = {hit.poi.id: hit.open_now for hit in page.items}
    assert state == {"weekdays": True, "summer": True, "sundays": False, "night": False,
                     "no-hours": None}
    # A naive `at` is read as UTC: 10:30 UTC on a Wednesday is 12:30 in Paris.
    naive = nearby_pois(session, PoiQuery(*BAVAY, radius_km=5, open_now=True,
                                          at=datetime(2027, 6, 9, 10, 30)), limit=20)
    assert set(ids(naive)) == {"weekdays", "summer"}


def test_open_component_of_the_ranking(session: Session) -> None:
    """open 1, unknown 0.5, closed 0 (weight 0.10) beats 1 km of proximity (0.0225 at
    20 km): an open place 3 km away comes before an unknown one at 2 km, before a
    closed one at 1 km."""
    store = Store.for_session(session)
    add_poi(store, "closed-1km", offset(1, 0), opening_hours={"specs": [
        {"days": ["sa", "su"], "opens": "10:00", "closes": "18:00"}]})
    add_poi(store, "unknown-2km", offset(2, 0))
    add_poi(store, "open-3km", offset(3, 0), opening_hours={"specs": [WEEKDAYS]})
    wednesday_noon = paris(2027, 6, 9, 12)
    page = nearby_pois(session, PoiQuery(*BAVAY, at=wednesday_noon), limit=5)
    assert ids(page) == ["open-3km", "unknown-2km", "closed-1km"]
    assert [hit.open_now for hit in page.items] == [True, None, False]
    # On Saturday the weekend place is the open one.
    saturday_noon = paris(2027, 6, 12, 12)
    page = nearby_pois(session, PoiQuery(*BAVAY, at=saturday_noon), limit=5)
    assert ids(page) == ["closed-1km", "unknown-2km", "open-3km"]
    assert [hit.open_now for hit in page.items] == [True, None, False]
    only_open = nearby_pois(session, PoiQuery(*BAVAY, at=saturday_noon, open_now=True),
                            count_total=True)
    assert ids(only_open) == ["closed-1km"] and only_open.total == 1


def test_open_on_a_day_and_known_free_places(session: Session) -> None:
    store = Store.for_session(session)
    add_poi(store, "weekend-1km", offset(1, 0), prices={"free": True}, opening_hours={
        "specs": [{"days": ["sa", "su"], "opens": "14:00", "closes": "18:00"}]})
    add_poi(store, "paying-2km", offset(2, 0), prices={"text": "5 €"})
    add_poi(store, "unknown-3km", offset(3, 0))
    wednesday = paris(2027, 6, 9, 9)
    sunday = nearby_pois(session, PoiQuery(*BAVAY, at=wednesday, open_now=True,
                                           open_day=date(2027, 6, 13)))
    assert ids(sunday) == ["weekend-1km"]  # open at some time that day
    assert not nearby_pois(session, PoiQuery(*BAVAY, at=wednesday, open_now=True,
                                             open_day=date(2027, 6, 9))).items
    free = nearby_pois(session, PoiQuery(*BAVAY, free=True), count_total=True)
    assert ids(free) == ["weekend-1km"] and free.total == 1


def test_accessibility_audience_and_unpublished(session: Session) -> None:
    store = Store.for_session(session)
    add_poi(store, "wheel-no-0.5km", offset(0.5, 0), wheelchair=False, pushchair=True)
    add_poi(store, "wheel-unknown-2km", offset(2, 0))
    add_poi(store, "wheel-yes-3km", offset(3, 0), wheelchair=True, pushchair=False)
    add_poi(store, "aud-couple-1km", offset(1, 180), kinds=["playground"],
            audiences=["couple"])
    add_poi(store, "aud-none-2km", offset(2, 180), kinds=["playground"])
    add_poi(store, "aud-kids-3km", offset(3, 180), kinds=["playground"],
            audiences=["enfants", "famille"])
    add_poi(store, "hidden", offset(0.1, 0), published=False, name="Forum caché")

    museums = PoiQuery(*BAVAY, kinds=["museum"], wheelchair=True)
    page = nearby_pois(session, museums, limit=5)
    assert ids(page) == ["wheel-yes-3km", "wheel-unknown-2km"]
    push = nearby_pois(session, PoiQuery(*BAVAY, kinds=["museum"], pushchair=True), limit=5)
    assert ids(push) == ["wheel-no-0.5km", "wheel-unknown-2km"]
    both = nearby_pois(session, PoiQuery(*BAVAY, kinds=["museum"], wheelchair=True,
                                         pushchair=True), limit=5)
    assert ids(both) == ["wheel-unknown-2km"]
    no_need = nearby_pois(session, PoiQuery(*BAVAY, kinds=["museum"]), limit=5)
    assert ids(no_need) == ["wheel-no-0.5km", "wheel-unknown-2km", "wheel-yes-3km"]

    kids = nearby_pois(session, PoiQuery(*BAVAY, kinds=["playground"], audience="enfants"),
                       limit=5)
    assert ids(kids) == ["aud-kids-3km", "aud-none-2km", "aud-couple-1km"]  # preference
    nobody = nearby_pois(session, PoiQuery(*BAVAY, kinds=["playground"]), limit=5)
    assert ids(nobody) == ["aud-couple-1km", "aud-none-2km", "aud-kids-3km"]

    # Unpublished records are never returned by visitor queries.
    everything = nearby_pois(session, PoiQuery(*BAVAY, radius_km=50), limit=50,
                             count_total=True)
    assert "hidden" not in ids(everything) and everything.total == 6
    assert "hidden" not in [m.poi.id for m in find_places_by_name(session, "forum caché")]
    assert [m.poi.id for m in find_places_by_name(session, "forum caché",
                                                  include_unpublished=True)] == ["hidden"]


# ------------------------------------------------------------------------------ events


def add_event(store: Store, event_id: str, timings: list[tuple[datetime, datetime]],
              where: tuple[float, float] | None = None, **extra: Any) -> None:
    record: dict[str, Any] = {
        "id": event_id,
        "title": extra.pop("title", f"Événement {event_id}"),
        "timings": [{"start": s.isoformat(), "end": e.isoformat()} for s, e in timings],
        "interests": extra.pop("interests", ["loisirs"]),
        "source": "tests",
    }
    if where is not None:
        record["latitude"], record["longitude"] = where
    else:
        record.setdefault("commune_insee", BAVAY_INSEE)
    record.update(extra)
    store.save_event(record)


def this_weekend(today: date) -> tuple[datetime, datetime]:
    """ "ce week-end" said at 10:00 on `today`, resolved as the bot does."""
    period = resolve_period("ce week-end", datetime.combine(today, time(10), tzinfo=PARIS))
    assert period is not None
    return period.start, period.end


def test_events_this_weekend_on_each_day_of_the_week(session: Session) -> None:
    store = Store.for_session(session)
    # The week of Monday 7 to Sunday 13 June 2027.
    add_event(store, "sat-fete", [(paris(2027, 6, 12, 10), paris(2027, 6, 12, 18))])
    add_event(store, "sun-brocante", [(paris(2027, 6, 13, 8), paris(2027, 6, 13, 13))])
    add_event(store, "fri-sun-festival", [(paris(2027, 6, 11, 18), paris(2027, 6, 13, 23))])
    add_event(store, "sat-early", [(paris(2027, 6, 12, 0, 30), paris(2027, 6, 12, 1, 30))])
    add_event(store, "fri-late", [(paris(2027, 6, 11, 22), paris(2027, 6, 11, 23, 30))])
    add_event(store, "wed-marche", [(paris(2027, 6, 9, 8), paris(2027, 6, 9, 12))])
    add_event(store, "next-sat", [(paris(2027, 6, 19, 10), paris(2027, 6, 19, 18))])
    add_event(store, "weekly-market", [
        (paris(2027, 6, 5 + 7 * i, 8), paris(2027, 6, 5 + 7 * i, 12)) for i in range(3)
    ])  # Saturdays 5, 12 and 19 June
    add_event(store, "hidden", [(paris(2027, 6, 12, 10), paris(2027, 6, 12, 11))],
              published=False)

    whole_weekend = {"sat-early", "sat-fete", "sun-brocante", "fri-sun-festival",
                     "weekly-market"}
    for day in range(7, 14):
        today = date(2027, 6, day)
        start, end = this_weekend(today)
        page = events_between(session, start, end, limit=50)
        got = [hit.event.id for hit in page.items]
        assert len(got) == len(set(got)), f"{today}: repeated events {got}"
        expected = whole_weekend if today.weekday() < 6 else {"sun-brocante",
                                                                "fri-sun-festival"}
        assert set(got) == expected, f"ce week-end, said on {today:%A %d}"
        assert page.total == len(expected)
        starts = [hit.start for hit in page.items]
        assert starts == sorted(starts)  # soonest first

    # Saturday only: the Friday-to-Sunday festival appears once, with its own dates.
    page = events_between(session, paris(2027, 6, 12), paris(2027, 6, 13), limit=50)
    got = [hit.event.id for hit in page.items]
    assert got.count("fri-sun-festival") == 1
    assert set(got) == {"sat-early", "sat-fete", "fri-sun-festival", "weekly-market"}
    festival = next(hit for hit in page.items if hit.event.id == "fri-sun-festival")
    assert festival.start == paris(2027, 6, 11, 18)
    assert festival.end == paris(2027, 6, 13, 23)
    assert festival.start.tzinfo is not None
    # The first occurrence inside the period is reported for a repeated event.
    market = events_between(session, paris(2027, 6, 10), paris(2027, 6, 30), limit=50)
    hit = next(h for h in market.items if h.event.id == "weekly-market")
    assert hit.start == paris(2027, 6, 12, 8)
    assert [h.event.id for h in market.items].count("weekly-market") == 1
    # Pagination over events.
    first = events_between(session, paris(2027, 6, 1), paris(2027, 7, 1), limit=3)
    second = events_between(session, paris(2027, 6, 1), paris(2027, 7, 1), limit=3,
                            offset=3)
    assert first.total == second.total == 8 and first.has_more
    assert not {h.event.id for h in first.items} & {h.event.id for h in second.items}


def test_events_radius_distances_and_interests(session: Session) -> None:
    store = Store.for_session(session)
    sat = (paris(2027, 6, 12, 10), paris(2027, 6, 12, 18))
    near, far = offset(3, 45), offset(20, 200)
    add_event(store, "bavay-concert", [sat], near, interests=["culture", "loisirs"],
              audiences=["enfants", "famille"])
    add_event(store, "far-market", [sat], far, interests=["terroir", "gastronomie"],
              audiences=["couple"])
    add_event(store, "maroilles-feast", [sat], None, commune_insee=MAROILLES_INSEE,
              interests=["gastronomie"])
    start, end = paris(2027, 6, 12), paris(2027, 6, 13)

    close = events_between(session, start, end, latitude=BAVAY[0], longitude=BAVAY[1],
                           radius_km=10)
    assert [h.event.id for h in close.items] == ["bavay-concert"]
    assert close.items[0].distance_km == pytest.approx(geo_km(BAVAY, near), abs=0.01)

    wide = events_between(session, start, end, latitude=BAVAY[0], longitude=BAVAY[1],
                          radius_km=30, limit=10)
    assert {h.event.id for h in wide.items} == {"bavay-concert", "far-market",
                                                "maroilles-feast"}
    for h in wide.items:
        assert h.distance_km == pytest.approx(
            geo_km(BAVAY, (h.event.latitude, h.event.longitude)), abs=0.01)
    # Without a point there is no distance and no radius.
    anywhere = events_between(session, start, end, limit=10)
    assert anywhere.total == 3 and all(h.distance_km is None for h in anywhere.items)

    food = events_between(session, start, end, interests=["gastronomie"], limit=10)
    assert {h.event.id for h in food.items} == {"far-market", "maroilles-feast"}
    food_near = events_between(session, start, end, latitude=BAVAY[0], longitude=BAVAY[1],
                               radius_km=10, interests=["gastronomie"])
    assert food_near.items == []
    culture = events_between(session, start, end, interests=["culture"], limit=10)
    assert [h.event.id for h in culture.items] == ["bavay-concert"]
    # Audience: events for another public are left out, events saying nothing stay.
    kids = events_between(session, start, end, audience="enfants", limit=10)
    assert {h.event.id for h in kids.items} == {"bavay-concert", "maroilles-feast"}


def test_events_unknown_interest_matches_nothing(session: Session) -> None:
    """Like nearby_pois: an interest outside the taxonomy must not widen to everything."""
    store = Store.for_session(session)
    add_event(store, "concert", [(paris(2027, 6, 12, 20), paris(2027, 6, 12, 23))],
              interests=["culture"])
    page = events_between(session, paris(2027, 6, 12), paris(2027, 6, 13),
                          interests=["karaoke"])
    assert page.items == [] and page.total == 0


# ------------------------------------------------------------------------------ routes


def add_route(store: Store, route_id: str, where: tuple[float, float], **extra: Any) -> None:
    record: dict[str, Any] = {
        "id": route_id,
        "name": extra.pop("name", f"Circuit {route_id}"),
        "mode": extra.pop("mode", "hike"),
        "start_latitude": where[0],
        "start_longitude": where[1],
        "source": "tests",
    }
    record.update(extra)
    store.save_route(record)


def test_routes_near_by_mode_length_difficulty_and_distance(session: Session) -> None:
    store = Store.for_session(session)
    spots = {
        "hike-easy-5": offset(1, 10),
        "bike-medium-30": offset(2, 100),
        "hike-medium-12": offset(3, 190),
        "mtb-hard-25": offset(6, 280),
        "hike-far": offset(27, 180),
    }
    add_route(store, "hike-easy-5", spots["hike-easy-5"], length_km=5, difficulty="easy")
    add_route(store, "bike-medium-30", spots["bike-medium-30"], mode="bike", length_km=30,
              difficulty="medium")
    add_route(store, "hike-medium-12", spots["hike-medium-12"], length_km=12,
              difficulty="medium")
    add_route(store, "mtb-hard-25", spots["mtb-hard-25"], mode="mtb", length_km=25,
              difficulty="hard")
    add_route(store, "hike-far", spots["hike-far"], length_km=8, difficulty="easy")
    add_route(store, "hike-hidden", offset(0.2, 0), length_km=6, published=False)

    def rids(**kw: Any) -> list[str]:
        page = routes_near(session, *BAVAY, limit=10, **kw)
        for hit in page.items:
            assert hit.distance_km == pytest.approx(geo_km(BAVAY, spots[hit.route.id]),
                                                    abs=0.01)
        dist = [hit.distance_km for hit in page.items]
        assert dist == sorted(dist)
        return [hit.route.id for hit in page.items]

    assert rids() == ["hike-easy-5", "bike-medium-30", "hike-medium-12", "mtb-hard-25"]
    assert rids(mode="hike") == ["hike-easy-5", "hike-medium-12"]
    assert rids(mode="hike", radius_km=30) == ["hike-easy-5", "hike-medium-12", "hike-far"]
    assert rids(mode="hike", min_km=10) == ["hike-medium-12"]
    assert rids(max_km=10, radius_km=30) == ["hike-easy-5", "hike-far"]
    assert rids(min_km=10, max_km=26) == ["hike-medium-12", "mtb-hard-25"]
    assert rids(difficulty="medium") == ["bike-medium-30", "hike-medium-12"]
    assert rids(mode="bike", difficulty="easy") == []
    assert rids(mode="horse") == []
    assert rids(radius_km=2.5) == ["hike-easy-5", "bike-medium-30"]
    page = routes_near(session, *BAVAY, limit=2)
    assert page.total == 4 and page.has_more and len(page.items) == 2


# ------------------------------------------------------------------------------- names


def test_find_places_by_name_is_fuzzy(session: Session) -> None:
    store = Store.for_session(session)
    add_poi(store, "forum", (50.2983, 3.7944), name="Forum antique de Bavay",
            kinds=["museum", "archaeological_site"], interests=["patrimoine", "culture"])
    add_poi(store, "remparts", offset(20, 280), name="Remparts du Quesnoy",
            kinds=["rampart"], interests=["patrimoine"])
    add_poi(store, "maison-bocage", offset(20, 190), name="Maison du Bocage",
            kinds=["museum"], interests=["culture"])
    add_poi(store, "bon-coin", offset(19, 190), name="Restaurant Au Bon Coin",
            kinds=["restaurant"], interests=["gastronomie"])

    def best(text: str) -> str | None:
        found = find_places_by_name(session, text)
        return found[0].poi.id if found else None

    for text in ("forum bavay", "Forum Antique", "FORUM ANTIQUE DE BAVAY", "forum antique",
                 "forum antik", "le forum de bavay"):
        assert best(text) == "forum", text
    assert best("remparts quesnoy") == "remparts"
    assert best("maison du bocage") == "maison-bocage"
    assert best("Maison du Bocâge") == "maison-bocage"
    for text in ("piscine municipale de lille", "concert de rock", "xyz", ""):
        assert find_places_by_name(session, text) == [], text
    hits = find_places_by_name(session, "forum antique de bavay")
    assert hits[0].score >= 90 and len(hits) == 1


def test_find_places_by_name_typos_in_every_word_and_commune_only_matches(session: Session,
                                                                         ) -> None:
    """Known gaps of the name search, checked together (one failure list):
    typos in every word ("forun antik de bavai") must still find the Forum, and a text
    sharing only the commune's name with a POI ("piscine de Bavay") must not."""
    store = Store.for_session(session)
    add_poi(store, "forum", (50.2983, 3.7944), name="Forum antique de Bavay",
            kinds=["museum", "archaeological_site"], interests=["patrimoine", "culture"])
    failures = []
    for text in ("forun antik de bavai", "forom antiqe bavai"):
        found = [m.poi.id for m in find_places_by_name(session, text)]
        if found != ["forum"]:
            failures.append(f"{text!r} -> {found}, expected ['forum']")
    for text in ("piscine de bavay", "église de Bavay"):
        found = [(m.poi.id, m.score) for m in find_places_by_name(session, text)]
        if found:
            failures.append(f"{text!r} -> {found}, expected nothing")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------- errors


def test_impossible_coordinates_raise_a_clear_error(session: Session) -> None:
    with pytest.raises(CoordinateError, match="Latitude impossible : 95"):
        nearby_pois(session, PoiQuery(95.0, 3.8))
    with pytest.raises(CoordinateError, match="Longitude impossible : 200"):
        routes_near(session, 50.29, 200.0)
    with pytest.raises(CoordinateError, match="Latitude impossible"):
        events_between(session, paris(2027, 6, 12), paris(2027, 6, 13), latitude=-91.0,
                       longitude=3.8)
    with pytest.raises(CoordinateError, match="nombres"):
        nearby_pois(session, PoiQuery("nord", 3.8))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Rayon impossible"):
        nearby_pois(session, PoiQuery(*BAVAY, radius_km=0))
    with pytest.raises(ValueError, match="Rayon impossible"):
        routes_near(session, *BAVAY, radius_km=5000)


def test_a_300_word_message_is_searched_normally(session: Session) -> None:
    """Issue 15: a 260-word message made the name query fail on SQLite ("Expression tree
    is too large": four conditions per word on the communes, one on the POIs)."""
    store = Store.for_session(session)
    add_poi(store, "forum", (50.2983, 3.7944), name="Forum antique de Bavay",
            kinds=["museum", "archaeological_site"], interests=["patrimoine", "culture"])
    words = [f"mot{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(300)]
    assert find_places_by_name(session, " ".join(words)) == []
    assert find_places_by_name(session, " ".join(["bavay", *words, "forum"])) == []
    assert [m.poi.id for m in find_places_by_name(session, "forum antique")] == ["forum"]
    # the console's search of events and routes: one condition per word
    many = [f"mot{chr(97 + i // 676)}{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}"
            for i in range(1200)]
    assert find_records_by_name(session, Event, " ".join(many)) == []
