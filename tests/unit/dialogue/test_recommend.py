"""The conversation's logic without Rasa (bot.dialogue.recommend).

Parsing of follow-ups and route requests is checked on plain `SearchState` objects; the
searches run on a SQLite file seeded once for the module with the shipped data, on a
fixed day (`seed(today=...)` and `now=...`), so events and opening states are the same
on every run. Expected results are recomputed from the database and with geopy.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.recommend import (
    DEFAULT_RADIUS_KM,
    PAGE_SIZE,
    Position,
    SearchState,
    clean_interests,
    find_events,
    find_routes,
    is_far_away,
    place_info,
    position_from_coordinates,
    position_from_text,
    recommend_places,
    route_criteria,
    territory_centre,
    tourist_office,
    transport,
)
from bot.dialogue.search import Search, refine
from knowledge.gazetteer import Gazetteer
from knowledge.geo import CoordinateError
from knowledge.models import Event, Poi
from knowledge.taxonomy import INTERESTS
from knowledge.text import slugify

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
TODAY = date(2027, 6, 14)  # a Monday: the seeded example events are relative to it
NOW = datetime(2027, 6, 16, 10, 0, tzinfo=PARIS)  # Wednesday morning
# "ce week-end" asked on Wednesday 16 June 2027: Saturday 19 00:00 → Monday 21 00:00.
WEEKEND = (datetime(2027, 6, 19, tzinfo=PARIS), datetime(2027, 6, 21, tzinfo=PARIS))

BAVAY = Position(50.2936087618, 3.80308794658, "Bavay")
LANDRECIES = Position(50.1205093509, 3.68851283044, "Landrecies")
FAR = Position(48.8566, 2.3522, "Paris")


@pytest.fixture(scope="module")
def gazetteer(factory: sessionmaker) -> Gazetteer:
    with factory() as s:
        return Gazetteer.from_session(s)


def km(a: Position, lat: float, lon: float) -> float:
    return geodesic((a.latitude, a.longitude), (lat, lon)).km


# =========================================================================== refinements
def state_of(**values: Any) -> Search:
    """A places search already shown once (so a change must restart it)."""
    base = Search(interests=["patrimoine"], offset=4, shown=["a", "b", "c", "d"])
    for key, value in values.items():
        setattr(base, key, value)
    return base


HALF = DEFAULT_RADIUS_KM / 2


REFINEMENTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("plus pres", {}, {"radius_km": HALF}),
    ("plus près", {}, {"radius_km": HALF}),
    ("/refine{\"radius\": \"plus près\"}", {"radius": "plus près"}, {"radius_km": HALF}),
    ("plus proche svp", {}, {"radius_km": HALF}),
    ("moins loin stp", {}, {"radius_km": HALF}),
    ("pas trop loin", {}, {"radius_km": HALF}),
    ("un peu moins loin", {}, {"radius_km": HALF}),
    ("c'est trop loin", {}, {"radius_km": HALF}),
    ("un truc à côté", {}, {"radius_km": HALF}),
    ("10 km", {}, {"radius_km": 10.0}),
    ("à moins de 10 kilomètres", {"radius": "à moins de 10 kilomètres"}, {"radius_km": 10.0}),
    ("dans un rayon de 1 km", {}, {"radius_km": 2.0}),  # never below the minimum
    ("à moins de 2,5 km", {}, {"radius_km": 2.5}),
    ("pr les gamins", {}, {"audience": "enfants", "interests": ["patrimoine", "famille"]}),
    ("pour les enfants", {"audience": "enfants"},
     {"audience": "enfants", "interests": ["patrimoine", "famille"]}),
    ("pour un couple", {"audience": "couple"}, {"audience": "couple"}),
    ("fauteuil roulant", {}, {"wheelchair": True}),
    ("accessible PMR", {}, {"wheelchair": True}),
    ("/refine{\"accessibility\": \"fauteuil\"}", {"accessibility": "fauteuil"},
     {"wheelchair": True}),
    ("avec une poussette", {}, {"pushchair": True}),
    ("ouvert maintenant", {}, {"open_now": True}),
    ("qui soit ouvert en ce moment", {}, {"open_now": True}),
    ("/refine{\"period\": \"maintenant\"}", {"period": "maintenant"}, {"open_now": True}),
    ("ouvert mtn ?", {}, {"open_now": True}),
    ("à vélo", {}, {"interests": ["velo"]}),
    ("plus près et pour les enfants", {},
     {"radius_km": HALF, "audience": "enfants", "interests": ["patrimoine", "famille"]}),
]


@pytest.mark.parametrize(("text", "entities", "expected"), REFINEMENTS,
                         ids=[slugify(text) for text, _, _ in REFINEMENTS])
def test_refine(text: str, entities: dict[str, Any], expected: dict[str, Any]) -> None:
    state = state_of()
    before = asdict(state)
    changes = refine(state, text, entities)[0]
    assert changes, f"« {text} » was not understood"
    assert all(isinstance(c, str) and c for c in changes)
    after = asdict(state)
    for key, value in expected.items():
        assert after[key] == pytest.approx(value) if isinstance(value, float) \
            else after[key] == value, key
    untouched = set(before) - set(expected) - {"offset", "shown"}
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    assert state.offset == 0 and state.shown == []  # the search starts again


@pytest.mark.parametrize("text", ["plus loin", "un peu plus loin s'il vous plait",
                                  "plus loin svp"], ids=slugify)
def test_refine_farther_never_narrows_the_radius(text: str) -> None:
    state = state_of()
    refine(state, text, {})[0]
    assert state.radius_km >= DEFAULT_RADIUS_KM


@pytest.mark.parametrize("text", ["bof", "merci", "", "et sinon ?"],
                         ids=["bof", "merci", "empty", "et-sinon"])
def test_refine_not_understood_changes_nothing(text: str) -> None:
    state = state_of()
    before = asdict(state)
    assert refine(state, text, {})[0] == []
    assert asdict(state) == before  # "encore" can still continue the same search


def test_refine_halves_again() -> None:
    state = state_of()
    refine(state, "plus près", {})[0]
    refine(state, "encore plus près", {})[0]
    assert state.radius_km == pytest.approx(DEFAULT_RADIUS_KM / 4, abs=0.05)
    for _ in range(6):
        refine(state, "plus près", {})[0]
    assert state.radius_km == 2.0


@pytest.mark.parametrize(("text", "mode"), [("à vélo", "bike"), ("en vtt", "mtb")])
def test_refine_bike_on_routes_sets_the_mode(text: str, mode: str) -> None:
    state = Search(kind="routes", route_mode="hike", offset=4)
    assert refine(state, text, {})[0]
    assert state.route_mode == mode
    assert state.interests == []  # routes have no interests
    assert state.offset == 0


# =========================================================================== routes
ROUTE_REQUESTS: list[tuple[str, dict[str, Any], tuple[Any, Any, Any, Any]]] = [
    ("une rando facile de 10 km", {}, ("hike", "easy", 6.0, 14.0)),
    ("vtt difficile", {}, ("mtb", "hard", None, None)),
    ("balade à cheval", {}, ("horse", None, None, None)),
    ("2 h à pied", {}, ("hike", None, 4.8, 11.2)),
    ("2h de vélo", {}, ("bike", None, 18.0, 42.0)),
    ("une petite balade tranquille", {}, ("hike", "easy", None, None)),
    ("une boucle de 7,5 km", {}, (None, None, 4.5, 10.5)),
    ("une sortie", {"route_mode": "mtb"}, ("mtb", None, None, None)),
    ("à vélo", {"route_mode": "velo"}, ("bike", None, None, None)),
    ("à pied", {"route_mode": "horse"}, ("hike", None, None, None)),  # the words win
    ("/find_routes{\"route_mode\": \"horse\"}", {"route_mode": "horse"},
     ("horse", None, None, None)),  # a button: the entity
    ("une rando", {"difficulty": "medium"}, ("hike", "medium", None, None)),
    ("", {"length": "12 km"}, (None, None, 7.2, 16.8)),
]


@pytest.mark.parametrize(("text", "entities", "expected"), ROUTE_REQUESTS,
                         ids=[slugify(f"{t} {' '.join(e.values())}") for t, e, _ in ROUTE_REQUESTS])
def test_route_criteria(text: str, entities: dict[str, Any],
                        expected: tuple[str | None, str | None, float | None, float | None],
                        ) -> None:
    state = SearchState(kind="routes")
    route_criteria(state, text, entities)
    got = (state.route_mode, state.difficulty, state.min_km, state.max_km)
    assert got[:2] == expected[:2]
    for value, want in zip(got[2:], expected[2:], strict=True):
        assert value == (pytest.approx(want) if want is not None else None)


# =========================================================================== interests
@pytest.mark.parametrize(("values", "expected"), [
    (None, []),
    ([], []),
    ("patrimoine", ["patrimoine"]),
    (["Patrimoine", "randonnée", "patrimoine"], ["patrimoine", "randonnee"]),
    (["Nature", "bidule", None, 3], ["nature"]),
    (["tout"], ["tout"]),
    (("velo", "vtt"), ["velo"]),
    (["Gastronomie", "TERROIR"], ["gastronomie", "terroir"]),
])
def test_clean_interests(values: Any, expected: list[str]) -> None:
    got = clean_interests(values)
    assert got == expected
    assert set(got) <= set(INTERESTS) | {"tout"}


# =========================================================================== positions
@pytest.mark.parametrize(("text", "name"), [
    ("Le-Quesnoy", "Le Quesnoy"),
    ("le quesnoy", "Le Quesnoy"),
    ("LE QUESNOY", "Le Quesnoy"),
    ("quesnoy", "Le Quesnoy"),
    ("le quenoy", "Le Quesnoy"),
    ("Bavay", "Bavay"),
    ("je suis à bavay ce matin", "Bavay"),
    ("Landrecies", "Landrecies"),
    ("Maroilles", "Maroilles"),
])
def test_position_from_text_communes(gazetteer: Gazetteer, text: str, name: str) -> None:
    found = position_from_text(text, gazetteer)
    assert found is not None
    place = gazetteer.lookup(name)
    assert place is not None
    assert (found.label, found.latitude, found.longitude) == (name, place.latitude,
                                                              place.longitude)
    assert found.source == "typed"


@pytest.mark.parametrize(("text", "poi_id"), [
    ("forum antique", "bavay-forum-antique"),
    ("l'arboretum de l'étang David", "locquignol-arboretum-etang-david"),
    ("musée matisse", "le-cateau-musee-matisse"),
    ("musverre", "sars-poteries-musverre"),
])
def test_position_from_text_place_names(db: Session, gazetteer: Gazetteer, text: str,
                                        poi_id: str) -> None:
    target = db.get(Poi, poi_id)
    found = position_from_text(text, gazetteer, db)
    assert found is not None
    # the label quotes the place's name: "près de « Forum antique de Bavay »"
    assert (found.label, found.latitude, found.longitude) == (f"« {target.name} »",
                                                              target.latitude, target.longitude)
    # without the knowledge base, only communes are known
    assert position_from_text(text, gazetteer) is None


@pytest.mark.parametrize("text", ["Trifouillis-les-Oies", "", "zzz", "la plage"])
def test_position_from_text_unknown(db: Session, gazetteer: Gazetteer, text: str) -> None:
    assert position_from_text(text, gazetteer, db) is None


def test_position_from_coordinates(gazetteer: Gazetteer) -> None:
    shared = position_from_coordinates("50.2936", 3.8031, gazetteer)
    assert (shared.latitude, shared.longitude) == (50.2936, 3.8031)
    assert shared.label == "votre position (près de Bavay)" and shared.source == "shared"
    for lat, lon in [(95, 3.8), (50.2, 200), ("abc", 3.8), (None, 3.8), (float("nan"), 3.8)]:
        with pytest.raises(CoordinateError):
            position_from_coordinates(lat, lon, gazetteer)


def test_is_far_away(gazetteer: Gazetteer) -> None:
    assert not is_far_away(BAVAY, gazetteer)
    assert not is_far_away(LANDRECIES, gazetteer)
    assert is_far_away(FAR, gazetteer)


def test_search_state_slot_round_trip() -> None:
    state = SearchState(kind="routes", interests=["velo"], route_mode="bike", offset=8,
                        shown=["x"], min_km=6.0, max_km=14.0)
    slot = state.to_slot()
    assert json.loads(json.dumps(slot)) == slot  # stored by Rasa as JSON
    assert SearchState.from_slot(slot) == state
    assert SearchState.from_slot({**slot, "unknown_field": 1}) == state
    assert SearchState.from_slot(None) is None
    assert SearchState.from_slot("places") is None


# =========================================================================== places
def test_recommend_places_payload_and_paging(db: Session) -> None:
    state = SearchState(interests=["patrimoine"])
    outcome = recommend_places(db, BAVAY, state, NOW)
    reply = outcome.replies[-1]
    assert reply.response == "places_found_jeannine"
    assert reply.custom is not None and reply.custom["type"] == "places"
    assert reply.custom["where"] == "Bavay"
    items = reply.custom["items"]
    assert 3 <= len(items) <= 5
    seen = []
    while True:
        for item in items:
            assert item["distance_km"] == pytest.approx(
                km(BAVAY, item["latitude"], item["longitude"]), abs=0.01)
            assert "patrimoine" in item["interests"] and item["distance_km"] <= 15.0
        assert not {i["id"] for i in items} & set(seen)
        seen += [i["id"] for i in items]
        assert outcome.state.shown == seen and outcome.state.offset == len(seen)
        outcome = recommend_places(db, BAVAY, SearchState.from_slot(outcome.state.to_slot()),
                                   NOW)
        if outcome.replies[0].response == "no_more_results":
            assert outcome.replies[0].buttons
            break
        items = outcome.replies[-1].custom["items"]
    expected = {p.id for p in db.execute(select(Poi)).scalars()
                if "patrimoine" in p.interests and km(BAVAY, p.latitude, p.longitude) <= 15.0}
    assert set(seen) == expected


def test_recommend_places_widens_then_says_what_exists(db: Session, gazetteer: Gazetteer,
                                                       ) -> None:
    hon = gazetteer.lookup("Hon-Hergies")
    where = Position(hon.latitude, hon.longitude, hon.name)
    outcome = recommend_places(db, where, SearchState(interests=["peche"]), NOW)
    assert [r.response for r in outcome.replies] == ["radius_widened", "places_found_franck"]
    assert outcome.state.radius_km > DEFAULT_RADIUS_KM
    assert all(DEFAULT_RADIUS_KM < i["distance_km"] <= outcome.state.radius_km
               for i in outcome.replies[-1].custom["items"])

    outcome = recommend_places(db, FAR, SearchState(interests=["patrimoine"]), NOW)
    [reply] = outcome.replies
    assert reply.response == "no_results" and reply.custom is None
    assert reply.buttons and reply.variables["where"] == "Paris"


# =========================================================================== events
def test_find_events_this_weekend(db: Session) -> None:
    state = SearchState(kind="events", radius_km=30.0, period="ce week-end")
    outcome = find_events(db, "que faire ce week-end ?", BAVAY, state, NOW)
    reply = outcome.replies[0]
    assert reply.response == "events_found"
    items = reply.custom["items"]
    assert reply.custom["type"] == "events"
    start, end = WEEKEND
    for item in items:
        assert datetime.fromisoformat(item["start"]) < end
        assert datetime.fromisoformat(item["end"]) > start
        assert item["distance_km"] == pytest.approx(
            km(BAVAY, item["latitude"], item["longitude"]), abs=0.01)
    expected = sorted(
        (t.start, e.id) for e in db.execute(select(Event)).scalars() for t in e.timings
        if t.start.replace(tzinfo=UTC) < end and t.end.replace(tzinfo=UTC) > start
        and km(BAVAY, e.latitude, e.longitude) <= 30.0)
    assert expected, "the seeded examples include weekend events"
    assert [i["id"] for i in items] == list(dict.fromkeys(eid for _, eid in expected))[
        :PAGE_SIZE]
    assert outcome.state.offset == len(items)


def test_find_events_far_away_says_so(db: Session) -> None:
    outcome = find_events(db, "ce week-end", FAR,
                          SearchState(kind="events", radius_km=30.0, period="ce week-end"), NOW)
    [reply] = outcome.replies
    assert reply.response == "no_events" and reply.buttons


def test_find_events_period_from_the_text(db: Session) -> None:
    outcome = find_events(db, "il se passe quoi demain ?", None, None, NOW)
    assert outcome.state.period == "il se passe quoi demain ?"
    tomorrow = datetime(2027, 6, 17, tzinfo=PARIS)
    for item in outcome.replies[0].custom["items"] if outcome.replies[0].custom else []:
        assert tomorrow <= datetime.fromisoformat(item["end"])
        assert datetime.fromisoformat(item["start"]) < tomorrow + timedelta(days=1)
        assert item["distance_km"] is None


# =========================================================================== routes
def test_find_routes_with_criteria(db: Session, gazetteer: Gazetteer) -> None:
    state = SearchState(kind="routes")
    route_criteria(state, "une balade à vélo facile", {})
    anchor = territory_centre(gazetteer)
    outcome = find_routes(db, anchor, state)
    reply = outcome.replies[0]
    assert reply.response == "routes_found" and reply.custom["type"] == "routes"
    items = reply.custom["items"]
    assert items and all(i["mode"] == "bike" and i["difficulty"] == "easy" for i in items)
    distances = [i["distance_km"] for i in items]
    assert distances == sorted(distances)


def test_every_search_pages_by_what_was_shown(db: Session, gazetteer: Gazetteer) -> None:
    """Places, events and routes alike: the next page never repeats what was shown."""
    anchor = territory_centre(gazetteer)
    routes = SearchState(kind="routes", radius_km=45.0)
    events = SearchState(kind="events", radius_km=45.0, period="le mois prochain")
    seen: dict[str, list[str]] = {"routes": [], "events": []}
    for _ in range(3):
        for state, run in ((routes, lambda s: find_routes(db, anchor, s)),
                           (events, lambda s: find_events(db, "", anchor, s, NOW))):
            outcome = run(state)
            custom = outcome.replies[0].custom
            page = [i["id"] for i in custom["items"]] if custom else []
            assert not set(page) & set(seen[state.kind]), state.kind
            seen[state.kind] += page
            assert state.shown == seen[state.kind] and state.offset == len(state.shown)
    assert len(seen["routes"]) > PAGE_SIZE and len(seen["events"]) > PAGE_SIZE


# =========================================================================== place info
def test_place_info_by_name(db: Session) -> None:
    [reply] = place_info(db, "horaires du forum antique de bavay", "horaires", BAVAY, NOW)
    assert reply.response == "place_info_jeannine"
    [item] = reply.custom["items"]
    assert item["id"] == "bavay-forum-antique"
    assert item["open_now"] is None  # no hours in the knowledge base: none are made up
    assert item["distance_km"] == pytest.approx(km(BAVAY, item["latitude"],
                                                   item["longitude"]), abs=0.01)


@pytest.mark.parametrize(("opening_hours", "today"), [
    ({"specs": [{"days": ["we"]}]}, "ouvert (horaires non précisés)"),   # open, hours not given
    ({"specs": [], "note": "Sur rendez-vous"}, "horaires non communiqués"),
    ({"specs": [{"days": ["we"], "opens": "10:00", "closes": "18:00",
                 "valid_from": "2026-04-01", "valid_through": "2026-09-30"}]},
     "horaires non communiqués"),  # last year's season says nothing about today
    ({"specs": [{"days": ["tu"], "opens": "10:00", "closes": "18:00"}]}, "fermé"),
    ({"specs": [{"days": ["we"], "opens": "10:00", "closes": "18:00"}]}, "10 h – 18 h"),
], ids=["open-no-hours", "note-only", "old-season", "closed-wednesday", "hours"])
def test_place_info_says_closed_only_when_the_hours_say_so(
        db: Session, opening_hours: dict[str, Any], today: str) -> None:
    poi = db.get(Poi, "bavay-forum-antique")
    poi.opening_hours = opening_hours
    poi.prices = {"free": True, "text": "le premier dimanche du mois"}
    [reply] = place_info(db, "", None, BAVAY, NOW, poi_id="bavay-forum-antique")
    assert f"Aujourd'hui : {today}\n" in reply.text
    assert "Tarifs : gratuit (le premier dimanche du mois)." in reply.text
    if opening_hours.get("note"):
        assert "À savoir : Sur rendez-vous" in reply.text


def test_place_info_by_id_without_position(db: Session) -> None:
    [reply] = place_info(db, "", None, None, NOW, poi_id="le-quesnoy-gare")
    assert reply.custom["items"][0]["id"] == "le-quesnoy-gare"
    assert reply.custom["items"][0]["distance_km"] is None


@pytest.mark.parametrize("name", ["château de Versailles", "la tour Eiffel", "musée du Louvre",
                                  "le zoo de Lille", "le beffroi d'Arras"], ids=slugify)
def test_place_info_unknown_place(db: Session, name: str) -> None:
    """A place that is not in the knowledge base is said unknown — never answered with
    another place that merely shares a word ("tour", "musée", "zoo", "beffroi")."""
    [reply] = place_info(db, name, None, BAVAY, NOW)
    assert reply.response == "place_unknown", reply.custom and reply.custom["items"][0]["id"]
    assert reply.custom is None and reply.buttons


# =========================================================================== practical
def test_transport_and_office(db: Session, gazetteer: Gazetteer) -> None:
    reply = transport(db, LANDRECIES, gazetteer)
    assert reply.response == "transport"
    items = reply.custom["items"]
    assert items[0]["id"] == "landrecies-gare"
    assert all({"train_station", "bus_stop"} & set(i["kinds"]) for i in items)
    office = tourist_office(db, gazetteer)
    assert office.response == "office"
    assert all("tourist_office" in i["kinds"] for i in office.custom["items"])


# =========================================================================== review fixes
def test_radius_asked_is_capped_not_an_error() -> None:
    state = state_of()
    refine(state, "à moins de 500 km", {})[0]
    assert state.radius_km == 45.0


@pytest.mark.parametrize(("text", "expected"), [
    ("une balade demain à 14h", (None, None)),      # a time of day, not a duration
    ("une balade vers 10 h", (None, None)),
    ("une balade de 2 h", (4.8, 11.2)),             # 2 h × 4 km/h ± 40 %
])
def test_route_length_ignores_times_of_day(text: str, expected: tuple[Any, Any]) -> None:
    state = SearchState(kind="routes")
    route_criteria(state, text, {})
    assert (state.min_km, state.max_km) == expected


def test_a_small_restaurant_is_not_for_children() -> None:
    state = state_of(interests=["gastronomie"])
    refine(state, "un petit resto sympa", {})[0]
    assert state.audience is None and state.interests == ["gastronomie"]


def test_open_now_without_known_hours_says_so_and_still_shows_places(db: Session) -> None:
    outcome = recommend_places(db, BAVAY, SearchState(interests=["culture"], open_now=True),
                               NOW)
    keys = [r.response for r in outcome.replies]
    assert keys[0] == "hours_unknown" and keys[1].startswith("places_found_")
    assert outcome.replies[1].custom
    items = outcome.replies[1].custom["items"]
    assert items and all(i["open_now"] is None for i in items)
    # no "ouvert maintenant" button when no hours are known
    assert all("maintenant" not in b["payload"] for b in outcome.replies[1].buttons)


def test_commune_centroid_places_show_no_false_distance(db: Session) -> None:
    outcome = recommend_places(db, BAVAY, SearchState(interests=["patrimoine"]), NOW)
    body = outcome.replies[-1]
    assert body.text and body.custom
    for line, item in zip(body.text.splitlines(), body.custom["items"], strict=True):
        if item["coord_precision"] == "commune":
            assert "0,0 km" not in line
